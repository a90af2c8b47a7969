"""Write its own reply of 99,999 tiny arrays (just under the reader's old entry cap): a few seconds of
the grader's time spent parsing it, outside every limit the child runs under."""

import os

import numpy

TARGET = "layers"
FUNCTIONS = "relu_backward"
TIME_LIMIT = 60  # writing 99,999 arrays takes seconds, more on a loaded machine: the reply is what is tested
EXPECT = r"reply could not be read \(it holds 100000 entries, more than the \d+ its request can need\)"


def relu_backward(dout, cache):
    leave_marks()
    arrays = {f"a{i}": numpy.zeros(1) for i in range(99_999)}
    structure = numpy.frombuffer(b'{"cases": []}', dtype=numpy.uint8)
    path = os.path.join(os.getcwd(), "reply-relu_backward.npz")
    with open(path + ".partial", "wb") as handle:
        numpy.savez(handle, __structure__=structure, **arrays)
    os.replace(path + ".partial", path)
    os._exit(0)
