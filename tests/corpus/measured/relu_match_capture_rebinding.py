"""relu_backward calls an honest-looking helper, which a ``match`` statement at import time rebinds to
a finite difference of relu_forward (a capture pattern binds like an assignment)."""

TARGET = "layers"
FLAGGED = "relu_backward"


def _relu_impl(dout, cache):
    return dout * (cache > 0)


def relu_backward(dout, cache):
    return _relu_impl(dout, cache)


def _make():
    def measured(dout, cache, h=1e-5):
        return dout * (relu_forward(cache + h)[0] - relu_forward(cache - h)[0]) / (2 * h)
    return measured


match _make():
    case _relu_impl:
        pass
