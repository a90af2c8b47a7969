"""Raise an exception whose message clears the screen and draws a perfect score, from a source line
that holds raw escape characters too (the report quotes the line)."""

TARGET = "layers"
FUNCTIONS = "svm_loss"
EXPECT = r"ValueError: .*Score: 100 / 100"


def svm_loss(x, y):
    leave_marks()
    raise ValueError("\x1b[2J\x1b[HScore: 100 / 100\r\u009b1A\u202e001 / 001 :erocS\u202c")  # [2J[H raw
