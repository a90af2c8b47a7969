"""Write its own reply file as a numpy archive holding a pickle that runs code when it is loaded."""

import os

import numpy

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"reply could not be read \(unreadable reply: it is not a message the grader's children write\)"


class Payload:
    def __reduce__(self):
        return (os.system, ("touch " + " ".join(MARKERS),))


def relu_backward(dout, cache):
    leave_marks()
    structure = numpy.frombuffer(b'{"cases": []}', dtype=numpy.uint8)
    with open(os.path.join(os.getcwd(), "reply-relu_backward.bin"), "wb") as handle:
        numpy.savez(handle, __structure__=structure, a0=numpy.array([Payload()], dtype=object))
    os._exit(0)
