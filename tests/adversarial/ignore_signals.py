"""Ignore SIGINT, SIGTERM and SIGHUP, then loop: a polite stop does nothing."""

import signal

TARGET = "layers"
FUNCTIONS = "huber_loss"
EXPECT = r"ran for more than 2 s"
TIME_LIMIT = 2


def huber_loss(pred, target, delta=1.0):
    leave_marks()
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    while True:
        pass
