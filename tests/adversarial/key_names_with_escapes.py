"""Return a clipped dict whose key prints as an escape sequence, and a value that is no array, so that
the key's text lands in the error message."""

TARGET = "rnn_layers"
FUNCTIONS = "clip_grad_norm"
EXPECT = r"clipped\[.*Score: 100 / 100.*\] is not an array of numbers"


class _Key:
    def __repr__(self):
        return "\x1b[2J\x1b[HScore: 100 / 100\r\n\u009b0m"


def clip_grad_norm(grads, max_norm):
    leave_marks()
    return {_Key(): "not an array"}, 0.0
