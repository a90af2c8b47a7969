"""Write its own reply of 99,999 tiny arrays (just under the reader's old cap): seconds of the grader's
time spent parsing it, outside every limit the child runs under, were it not refused from its count."""

import json
import os

import numpy

TARGET = "layers"
FUNCTIONS = "relu_backward"
TIME_LIMIT = 60  # the reply is what is tested, not how fast a loaded machine writes it
EXPECT = r"reply could not be read \(it holds 99999 arrays, more than the \d+ its request can need\)"


def relu_backward(dout, cache):
    leave_marks()
    from autograder.sandbox import wire

    count = 99_999
    table = numpy.zeros(count, dtype=wire.RECORD)
    table["offset"] = numpy.arange(count) * wire.ALIGN
    table["ndim"], table["shape"][:, 0] = 1, 1
    tree = json.dumps({"cases": [{"out": {"__array__": n}} for n in range(count)]}).encode()
    head = wire.PREFIX.pack(wire.MAGIC, wire.VERSION, count, len(tree)) + table.tobytes() + tree
    path = os.path.join(os.getcwd(), "reply-relu_backward.bin")
    with open(path + ".partial", "wb") as handle:
        handle.write(head + bytes(-len(head) % wire.ALIGN) + bytes(count * wire.ALIGN))
    os.replace(path + ".partial", path)
    os._exit(0)
