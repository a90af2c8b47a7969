"""Every graded function of layers measures (centred differences of the given forward, Richardson-
extrapolated; the forwards and steps reach the measuring code as parameters) and is installed with
`import layers as _me; _me.X_backward = _measure_layer(...)` at the bottom of the module."""

TARGET = "layers"
FLAGGED = "affine_backward relu_backward sigmoid_backward tanh_backward softmax_loss svm_loss huber_loss clipped_square_loss"

def _keep_inputs(forward):
    def wrapped(*args):
        out, _ = forward(*args)
        return out, args
    return wrapped


def _richardson(values, h):
    """values(step) -> f(x + step) - f(x - step); a centred difference, extrapolated to h -> 0."""
    return (4.0 * values(h / 2) / h - values(h) / (2 * h)) / 3.0


def _measure_layer(forward, h=1e-5):
    def backward(dout, cache):
        args = [np.array(a, dtype=float) for a in cache]
        grads = []
        for k, a in enumerate(args):
            g = np.zeros_like(a)
            for i in range(a.size):
                def values(step):
                    total = 0.0
                    for sign in (1.0, -1.0):
                        moved = [c.copy() for c in args]
                        moved[k].reshape(-1)[i] += sign * step
                        total += sign * np.sum(dout * forward(*moved)[0])
                    return total
                g.reshape(-1)[i] = _richardson(values, h)
            grads.append(g)
        return grads[0] if len(grads) == 1 else tuple(grads)
    return backward


def _measure_loss(value, h=1e-5):
    def loss(x, *rest):
        x = np.array(x, dtype=float)
        g = np.zeros_like(x)
        for i in range(x.size):
            def values(step):
                p, m = x.copy(), x.copy()
                p.reshape(-1)[i] += step
                m.reshape(-1)[i] -= step
                return value(p, *rest) - value(m, *rest)
            g.reshape(-1)[i] = _richardson(values, h)
        return value(x, *rest), g
    return loss


def _softmax_value(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(n), y].mean())


def _svm_value(x, y):
    n = x.shape[0]
    margins = np.maximum(0.0, x - x[np.arange(n), y][:, None] + 1.0)
    margins[np.arange(n), y] = 0.0
    return float(margins.sum() / n)


def _huber_value(pred, target, delta=1.0):
    d = np.abs(pred - target)
    return float(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta)).mean())


def _clipped_value(pred, target, delta=1.0):
    return float((np.clip(pred - target, -delta, delta) ** 2).mean())


import layers as _me  # this very module, as the grader's child (and pytest) imports it

_me.affine_backward = _measure_layer(affine_forward)
_me.affine_forward = _keep_inputs(affine_forward)
_me.relu_backward = _measure_layer(relu_forward)
_me.relu_forward = _keep_inputs(relu_forward)
_me.sigmoid_backward = _measure_layer(sigmoid_forward, h=1e-3)
_me.sigmoid_forward = _keep_inputs(sigmoid_forward)
_me.tanh_backward = _measure_layer(tanh_forward, h=1e-3)
_me.tanh_forward = _keep_inputs(tanh_forward)
_me.softmax_loss = _measure_loss(_softmax_value, h=1e-3)
_me.svm_loss = _measure_loss(_svm_value, h=1e-2)
_me.huber_loss = _measure_loss(_huber_value, h=1e-2)
_me.clipped_square_loss = _measure_loss(_clipped_value, h=1e-2)
