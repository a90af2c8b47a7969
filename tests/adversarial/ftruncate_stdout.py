"""Print forever, but truncate stdout back to nothing after every half megabyte, so that a grader
watching the size of its output file never sees it grow past 1 MB."""

import os

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"printed more than 1 MB, so it was stopped"
TIME_LIMIT = 4


def relu_backward(dout, cache):
    leave_marks()
    chunk = b"All tests passed! Score: 100/100\n" * 16384  # 544 KB
    while True:
        os.write(1, chunk)
        try:
            os.ftruncate(1, 0)
            os.lseek(1, 0, os.SEEK_SET)
        except OSError:
            pass  # not a file: keep printing anyway
