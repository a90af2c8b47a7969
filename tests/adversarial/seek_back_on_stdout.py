"""Print forever, seeking back to the start of stdout (and of stderr) before every write: the output
file keeps its size while megabytes go through it."""

import os
import sys

TARGET = "layers"
FUNCTIONS = "sigmoid_backward"
EXPECT = r"printed more than 1 MB, so it was stopped"
TIME_LIMIT = 4


def sigmoid_backward(dout, cache):
    leave_marks()
    chunk = "Score: 100/100\n" * 20000
    while True:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
                os.lseek(stream.fileno(), 0, os.SEEK_SET)
            except OSError:
                pass
            stream.write(chunk)
