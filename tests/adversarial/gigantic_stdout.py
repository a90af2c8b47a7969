"""Print without end, to fill the grader's disk or memory, or drown its report."""

import sys

TARGET = "layers"
FUNCTIONS = "svm_loss"
EXPECT = r"printed more than 1 MB|printed output"  # the grader's watch, or the file-size limit if it is slow


def svm_loss(x, y):
    leave_marks()
    line = "All tests passed! Score: 100/100\n" * 1000
    while True:
        sys.stdout.write(line)
