"""Raise SystemExit with a reassuring message."""

TARGET = "layers"
FUNCTIONS = "svm_loss"
EXPECT = r"SystemExit: all tests passed"


def svm_loss(x, y):
    leave_marks()
    raise SystemExit("all tests passed")
