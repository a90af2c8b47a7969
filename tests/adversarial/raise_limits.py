"""Lift its own limits (memory, CPU, processes, files) before doing something big."""

import resource

TARGET = "layers"
FUNCTIONS = "softmax_loss"
EXPECT = r"not allowed to raise"


def softmax_loss(x, y):
    leave_marks()
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_NPROC, resource.RLIMIT_NOFILE,
                  resource.RLIMIT_FSIZE):
        resource.setrlimit(limit, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    raise RuntimeError("limits lifted")
