"""Write its own reply whose structure is 40 MB of cases and nesting, for a function asked a few dozen:
a second of the grader's time to parse, and a lie in every text field it could reach."""

import os

TARGET = "layers"
FUNCTIONS = "svm_loss"
EXPECT = r"reply could not be read \(its structure of (39|40)(\.\d)? MB is over the [\d.]+ MB its request can need\)"


def svm_loss(x, y):
    leave_marks()
    from autograder.sandbox import wire

    case = b'{"error": "\\u001b[2J\\nScore: 100 / 100", "not_implemented": false},'
    text = b'{"cases": [' + case * (40 * 2**20 // len(case)) + b'[' * 20 + b']' * 20 + b']}'
    path = os.path.join(os.getcwd(), "reply-svm_loss.bin")
    with open(path + ".partial", "wb") as handle:
        handle.write(wire.PREFIX.pack(wire.MAGIC, wire.VERSION, 0, len(text)) + text)
    os.replace(path + ".partial", path)
    os._exit(0)
