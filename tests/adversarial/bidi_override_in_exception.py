"""Make the report read differently from what it is: right-to-left overrides and isolates, a lone
surrogate (which a UTF-8 report cannot even hold), a line separator and zero-width characters."""

TARGET = "layers"
FUNCTIONS = "huber_loss"
EXPECT = r"RuntimeError: .*passed"


def huber_loss(pred, target, delta=1.0):
    leave_marks()
    raise RuntimeError("\u202e0 / 21\u202c\u2066passed\u2069\u2067\u200f\u061c\u2028Score: 100 / 100\ud800"
                       "\u200b\u200d\u00ad")
