"""Split each escape sequence over several writes, through print, os.write and stderr, so that no
single write holds a whole one."""

import os
import sys

TARGET = "layers"
FUNCTIONS = "sigmoid_backward"
EXPECT = r"expected .* got|modified dout"


def sigmoid_backward(dout, cache):
    leave_marks()
    print("\x1b", end="", flush=True)
    os.write(1, b"[2")
    sys.stderr.write("J\x1b[")
    sys.stderr.flush()
    os.write(2, b"H")
    print("Score: 100 / 100", flush=True)
    os.write(1, b"\x1b\n[2J\n\x1b")  # and across lines
    return scribble(dout)
