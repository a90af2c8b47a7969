"""Start up to 200 processes that each sleep for ten minutes (a bounded fork bomb)."""

import os
import time

TARGET = "layers"
FUNCTIONS = "tanh_backward"
EXPECT = r"more processes than allowed"


def tanh_backward(dout, cache):
    leave_marks()
    for _ in range(200):
        if os.fork() == 0:
            leave_marks()
            time.sleep(600)
            os._exit(0)
    return scribble(dout)
