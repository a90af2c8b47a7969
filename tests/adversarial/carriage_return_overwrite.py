"""Overwrite the line the report starts to print with carriage returns, backspaces and C1 controls
(UTF-8 encoded CSI \\u009b, which some terminals obey like ESC [), hidden by zero-width characters."""

TARGET = "layers"
FUNCTIONS = "tanh_backward"
EXPECT = r"expected .* got|modified dout"


def tanh_backward(dout, cache):
    leave_marks()
    print("  | nothing to see\rScore: 100 / 100", flush=True)
    print("Score: 0" + "\b" * 8 + "Score: 100 / 100", flush=True)
    print("\u009b2J\u009bHScore: 100 / 100\u0085\u008d\u200b\ufeff\u2060", flush=True)
    print("a\x00b\x07c\x7fd\x0be\x0cf", flush=True)
    return scribble(dout)
