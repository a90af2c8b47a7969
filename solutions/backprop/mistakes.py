"""Known mistakes: what students really write, and what to tell them when their answer matches.

The grader runs each entry on a case a student failed. When the student's wrong tensors (or the
inputs they modified) are exactly what the entry produces, the report shows its explanation. One
entry per mistake; its id is the function's name.

Each entry is a buggy version of one graded function, written with the reference's cache layout.
It receives the reference module first (for the given forward code), then the graded function's
own arguments: ``(dout, cache)`` for a backward, ``(x, y)`` or ``(pred, target, delta)`` for a
loss, ``(grads, max_norm)`` for clip_grad_norm. ``forward=`` replaces the forward too, for
mistakes that start there (caching the pre-activation instead of the output, say). ``when=`` takes
the case's forward arguments by name and says whether the mistake shows on that case; elsewhere
it gives what another mistake gives, and is not named.

Course staff: add an entry with ``@mistake("function_name", "what it looks like, and the fix")``.
This file is never released to students.
"""

import numpy as np

MISTAKES = []


def mistake(function, explanation, forward=None, when=None):
    """Register a buggy implementation of ``function`` under the sentence a student will read."""

    def register(implementation):
        MISTAKES.append((function, explanation, implementation, forward, when))
        return implementation

    return register


def _caches_input(name):
    """A forward that computes the given output but caches its input x instead."""
    return lambda reference, x: (getattr(reference, name)(x)[0], x)


SIGMOID_CACHES_INPUT = _caches_input("sigmoid_forward")
TANH_CACHES_INPUT = _caches_input("tanh_forward")


def _rows(n):
    return np.arange(n)


# --- affine_backward ----------------------------------------------------------------------------

@mistake("affine_backward", "dx looks like dout @ w: the transpose is missing (use dout @ w.T); numpy refuses "
                            "the shapes unless w is square.")
def affine_dx_without_transpose(ref, dout, cache):
    x, w, b = cache
    dx, dw, db = ref.affine_backward(dout, cache)
    return (dout @ w).reshape(x.shape), dw, db


@mistake("affine_backward", "dw looks like dout.T @ x, the transpose of the right answer (use x.T @ dout).")
def affine_dw_transposed(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw.T, db


@mistake("affine_backward", "dw looks like x_rows @ dout: the transpose of x is missing (use x_rows.T @ dout, "
                            "with x_rows = x.reshape(N, D)); numpy refuses the shapes unless N == D.")
def affine_dw_without_transpose(ref, dout, cache):
    x, w, b = cache
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, x.reshape(x.shape[0], -1) @ dout, db


@mistake("affine_backward", "dw looks like x.reshape(D, N) @ dout: reshaping is not transposing; use "
                            "x.reshape(N, D).T @ dout.")
def affine_dw_reshape_instead_of_transpose(ref, dout, cache):
    x, w, b = cache
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, x.reshape(-1, x.shape[0]) @ dout, db


@mistake("affine_backward", "db looks like the sum over the wrong axis: sum dout over the batch (axis 0).")
def affine_db_wrong_axis(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw, dout.sum(axis=1)


@mistake("affine_backward", "db looks like the mean of dout over the batch; it is the sum.")
def affine_db_mean(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw, dout.mean(axis=0)


@mistake("affine_backward", "dw is N times too small: the upstream dout already carries any 1/N; don't divide.")
def affine_dw_extra_mean(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw / dout.shape[0], db


@mistake("affine_backward", "dx is flattened to (N, D); reshape it to the shape of x.")
def affine_dx_not_reshaped(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx.reshape(dx.shape[0], -1), dw, db


# --- relu_backward ------------------------------------------------------------------------------

@mistake("relu_backward", "dx looks like the mask was taken from dout (dout > 0); take it from the cached x.")
def relu_mask_from_dout(ref, dout, cache):
    return ref.relu_backward(dout, dout)


@mistake("relu_backward", "dx looks like the mask (x > 0) alone: multiply it by dout.")
def relu_forgot_dout(ref, dout, cache):
    return ref.relu_backward(np.ones_like(dout), cache)


@mistake("relu_backward", "dx passes the gradient where x < 0: the mask is inverted; use x > 0.")
def relu_inverted_mask(ref, dout, cache):
    return ref.relu_backward(dout, -cache)


@mistake("relu_backward", "dx is dout unchanged: zero it where the unit did not fire (x <= 0).")
def relu_no_mask(ref, dout, cache):
    return dout.copy()


@mistake("relu_backward", "dout was changed in place: dout[x <= 0] = 0, or dx = dout followed by dx[x <= 0] = 0 "
                          "(dx = dout does not copy: both names are the same array); build a new array instead, "
                          "dout * (x > 0) or dout.copy() then zero it.")
def relu_modifies_dout(ref, dout, cache):
    dout *= cache > 0
    return dout


# --- sigmoid_backward ---------------------------------------------------------------------------

@mistake("sigmoid_backward", "dx looks like z * (1 - z) alone: multiply the local gradient by dout.")
def sigmoid_forgot_dout(ref, dout, cache):
    return ref.sigmoid_backward(np.ones_like(dout), cache)


@mistake("sigmoid_backward", "dx looks like sigmoid(z) * (1 - sigmoid(z)) * dout: the cache already holds "
                             "z = sigmoid(x), so use z * (1 - z) without applying the sigmoid again.")
def sigmoid_applied_twice(ref, dout, cache):
    return ref.sigmoid_backward(dout, ref.sigmoid_forward(cache)[0])


@mistake("sigmoid_backward", "dx looks like x * (1 - x) * dout with x the pre-activation: the derivative is "
                             "z * (1 - z) with z = sigmoid(x), the output.", forward=SIGMOID_CACHES_INPUT)
def sigmoid_derivative_of_preactivation(ref, dout, cache):
    return dout * cache * (1.0 - cache)


@mistake("sigmoid_backward", "dx is NaN where |x| is large: a formula like exp(-x) / (1 + exp(-x))**2 "
                             "overflows; use the cached output z and z * (1 - z).", forward=SIGMOID_CACHES_INPUT)
def sigmoid_overflowing_formula(ref, dout, cache):
    # The formula and its mirror image exp(x) / (1 + exp(x))**2 overflow on opposite sides; either
    # student's NaNs fall inside this prediction's.
    naive = dout * np.exp(-cache) / (1.0 + np.exp(-cache)) ** 2
    mirrored = dout * np.exp(cache) / (1.0 + np.exp(cache)) ** 2
    return np.where(np.isnan(naive), naive, mirrored)


@mistake("sigmoid_backward", "dx looks like dout * z * 1 - z: operator precedence; write dout * z * (1 - z).")
def sigmoid_precedence(ref, dout, cache):
    return dout * cache * 1 - cache


@mistake("sigmoid_backward", "dx looks like dout * (1 - dout): the local gradient uses the cached output z, "
                             "not dout.")
def sigmoid_derivative_of_dout(ref, dout, cache):
    return dout * (1.0 - dout)


@mistake("sigmoid_backward", "dx is all zeros: even in saturation some units are live and pass gradient.")
def sigmoid_zeros(ref, dout, cache):
    return np.zeros_like(dout)


@mistake("sigmoid_backward", "the cached output was changed in place (e.g. z *= 1 - z); compute into a new array.")
def sigmoid_modifies_cache(ref, dout, cache):
    cache *= 1.0 - cache
    return dout * cache


# --- tanh_backward ------------------------------------------------------------------------------

@mistake("tanh_backward", "dx looks like 1 - y**2 alone: multiply the local gradient by dout.")
def tanh_forgot_dout(ref, dout, cache):
    return ref.tanh_backward(np.ones_like(dout), cache)


@mistake("tanh_backward", "dx looks like (1 - tanh(y)**2) * dout: the cache already holds y = tanh(x), "
                          "so use 1 - y**2 without applying tanh again.")
def tanh_applied_twice(ref, dout, cache):
    return ref.tanh_backward(dout, np.tanh(cache))


@mistake("tanh_backward", "dx looks like (1 - y) * dout: the local gradient of tanh is 1 - y**2.")
def tanh_missing_square(ref, dout, cache):
    return dout * (1.0 - cache)


@mistake("tanh_backward", "dx looks like (1 - x**2) * dout with x the pre-activation: the derivative is "
                          "1 - y**2 with y = tanh(x), the output.", forward=TANH_CACHES_INPUT)
def tanh_derivative_of_preactivation(ref, dout, cache):
    return dout * (1.0 - cache**2)


@mistake("tanh_backward", "dx looks like 1 - y**2 * dout: operator precedence; write (1 - y**2) * dout.")
def tanh_precedence(ref, dout, cache):
    return 1.0 - cache**2 * dout


@mistake("tanh_backward", "dx is NaN where |x| is large: tanh written with exp(2x) overflows; use the cached "
                          "output y and 1 - y**2.", forward=TANH_CACHES_INPUT)
def tanh_overflowing_formula(ref, dout, cache):
    # exp(2x) overflows for large x and its mirror exp(-2x) for very negative x: predict NaN on both.
    grow, shrink = np.exp(2.0 * cache), np.exp(-2.0 * cache)
    naive = dout * (1.0 - ((grow - 1.0) / (grow + 1.0)) ** 2)
    mirrored = dout * (1.0 - ((1.0 - shrink) / (1.0 + shrink)) ** 2)
    return np.where(np.isnan(naive), naive, mirrored)


# --- softmax_loss -------------------------------------------------------------------------------

def _softmax_parts(ref, x, y):
    loss, dx = ref.softmax_loss(x, y)
    n = x.shape[0]
    onehot = np.zeros_like(x)
    onehot[_rows(n), y] = 1.0
    return loss, dx * n + onehot, onehot, n  # loss, probabilities, one-hot labels, N


@mistake("softmax_loss", "dx looks like the probabilities without subtracting 1 at the correct class.")
def softmax_no_minus_one(ref, x, y):
    loss, probs, onehot, n = _softmax_parts(ref, x, y)
    return loss, probs / n


@mistake("softmax_loss", "dx looks like probs[:, y] -= 1: that subtracts in every row at every label's column; "
                         "use probs[np.arange(N), y] -= 1.")
def softmax_broadcast_slip(ref, x, y):
    loss, probs, onehot, n = _softmax_parts(ref, x, y)
    probs[:, y] -= 1.0
    return loss, probs / n


@mistake("softmax_loss", "dx is N times too large: divide by N, the loss is a mean over the batch.")
def softmax_no_mean(ref, x, y):
    loss, probs, onehot, n = _softmax_parts(ref, x, y)
    return loss, probs - onehot


@mistake("softmax_loss", "dx is N times too small: it is divided by N twice.")
def softmax_double_mean(ref, x, y):
    loss, probs, onehot, n = _softmax_parts(ref, x, y)
    return loss, (probs - onehot) / n**2


def _probabilities(x, shift):
    """Softmax of the scores shifted by ``shift``: exact for the row maximum, NaN where it over- or underflows."""
    exp_scores = np.exp(x - shift)
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


def _unstable_softmax(x, y, shift):
    """The loss and dx from probabilities of ``shift``ed scores, the loss as the mean of -log(probs)."""
    n = x.shape[0]
    probs = _probabilities(x, shift)
    onehot = np.zeros_like(x)
    onehot[_rows(n), y] = 1.0
    return float(-np.log(probs[_rows(n), y]).mean()), (probs - onehot) / n




@mistake("softmax_loss", "dx is NaN for large scores: exp(x) overflows to inf for scores in the hundreds and "
                         "more (inf / inf is NaN); subtract each row's maximum first, as the given code does, "
                         "or start from exp(log_probs).")
def softmax_unstable(ref, x, y):
    loss, _, onehot, n = _softmax_parts(ref, x, y)
    return loss, (_probabilities(x, 0.0) - onehot) / n


@mistake("softmax_loss", "the loss and dx are NaN for large scores: exp(x) overflows to inf for scores in the "
                         "hundreds and more (inf / inf is NaN); subtract each row's maximum first, as the given "
                         "code does, or start from exp(log_probs).")
def softmax_unstable_loss(ref, x, y):
    return _unstable_softmax(x, y, 0.0)


def _rows_far_apart(x, y):
    """Whether some row's largest score is so far below the batch's that its exps all underflow."""
    return bool(np.any(x.max() - x.max(axis=1) > 745.0))


@mistake("softmax_loss", "dx is NaN in some rows: x - x.max() shifts by the largest score of the whole batch: a "
                         "row whose scores are far below it underflows to 0 / 0 = NaN; subtract each row's own "
                         "maximum (x.max(axis=1, keepdims=True)).", when=_rows_far_apart)
def softmax_batch_max(ref, x, y):
    loss, _, onehot, n = _softmax_parts(ref, x, y)
    return loss, (_probabilities(x, x.max()) - onehot) / n


@mistake("softmax_loss", "the loss and dx are NaN in some rows: x - x.max() shifts by the largest score of the "
                         "whole batch: a row whose scores are far below it underflows to 0 / 0 = NaN; subtract "
                         "each row's own maximum (x.max(axis=1, keepdims=True)).", when=_rows_far_apart)
def softmax_batch_max_loss(ref, x, y):
    return _unstable_softmax(x, y, x.max())


@mistake("softmax_loss", "the loss is inf: it looks like -log(probs[i, y[i]]) of a probability that underflowed "
                         "to 0 (a correct score far below its row's maximum); take the loss from log-probabilities, "
                         "shifted - log(sum(exp(shifted))), as the given code does.")
def softmax_log_of_underflowed_probability(ref, x, y):
    _, dx = ref.softmax_loss(x, y)
    n = x.shape[0]
    return float(-np.log(_probabilities(x, x.max(axis=1, keepdims=True))[_rows(n), y]).mean()), dx




@mistake("softmax_loss", "the loss is an array, not a float: one value per example; average them over the batch "
                    "(.mean()).")
def softmax_loss_not_averaged(ref, x, y):
    _, dx = ref.softmax_loss(x, y)
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[_rows(x.shape[0]), y], dx


@mistake("softmax_loss", "dx has the wrong sign: it is probs - onehot, not onehot - probs.")
def softmax_sign(ref, x, y):
    loss, dx = ref.softmax_loss(x, y)
    return loss, -dx


# --- svm_loss -----------------------------------------------------------------------------------

def _svm_active(x, y):
    n = x.shape[0]
    margins = x - x[_rows(n), y][:, None] + 1.0
    active = (margins > 0).astype(np.float64)
    active[_rows(n), y] = 0.0
    return active, n


@mistake("svm_loss", "dx looks like every margin counted as active: keep only margins > 0.")
def svm_no_margin_mask(ref, x, y):
    loss, _ = ref.svm_loss(x, y)
    n, classes = x.shape
    dx = np.ones_like(x) / n
    dx[_rows(n), y] = -(classes - 1) / n
    return loss, dx


@mistake("svm_loss", "dx counts the correct class as one of its own margins: leave j == y out of the sum.")
def svm_counts_correct_class(ref, x, y):
    loss, dx = ref.svm_loss(x, y)
    dx[_rows(x.shape[0]), y] -= 1.0 / x.shape[0]
    return loss, dx


def _margins(x, y):
    n = x.shape[0]
    margins = np.maximum(0.0, x - x[_rows(n), y][:, None] + 1.0)
    margins[_rows(n), y] = 0.0
    return margins


@mistake("svm_loss", "the loss is an array, not a float: the matrix of margins; sum them and divide by N.")
def svm_loss_not_reduced(ref, x, y):
    return _margins(x, y), ref.svm_loss(x, y)[1]


@mistake("svm_loss", "the loss is an array, not a float: one sum of margins per example; average them over "
                    "the batch (.mean()).")
def svm_loss_not_averaged(ref, x, y):
    return _margins(x, y).sum(axis=1), ref.svm_loss(x, y)[1]


@mistake("svm_loss", "dx is N times too large: divide by N, the loss is a mean over the batch.")
def svm_no_mean(ref, x, y):
    loss, dx = ref.svm_loss(x, y)
    return loss, dx * x.shape[0]


@mistake("svm_loss", "dx is 0 at the correct class: every active margin also pushes the correct score down "
                     "(-1 each).")
def svm_correct_class_not_updated(ref, x, y):
    loss, _ = ref.svm_loss(x, y)
    active, n = _svm_active(x, y)
    return loss, active / n


@mistake("svm_loss", "dx at the correct class has the wrong sign: it is minus the number of active margins.")
def svm_wrong_sign_at_correct_class(ref, x, y):
    loss, _ = ref.svm_loss(x, y)
    active, n = _svm_active(x, y)
    active[_rows(n), y] = active.sum(axis=1)
    return loss, active / n


# --- huber_loss ---------------------------------------------------------------------------------

@mistake("huber_loss", "dpred looks like the error itself (pred - target) / size: clip it to [-delta, delta].")
def huber_gradient_is_error(ref, pred, target, delta=1.0):
    loss, _ = ref.huber_loss(pred, target, delta)
    return loss, (pred - target) / pred.size


@mistake("huber_loss", "dpred looks like sign(pred - target) * delta / size: inside [-delta, delta] the "
                       "gradient is the error itself.")
def huber_gradient_is_sign(ref, pred, target, delta=1.0):
    loss, _ = ref.huber_loss(pred, target, delta)
    return loss, np.sign(pred - target) * delta / pred.size


def _huber_elements(pred, target, delta):
    diff = np.abs(pred - target)
    return np.where(diff <= delta, 0.5 * diff**2, delta * (diff - 0.5 * delta))


@mistake("huber_loss", "the loss is an array, not a float: the loss of every element; average them (.mean()).")
def huber_loss_not_averaged(ref, pred, target, delta=1.0):
    return _huber_elements(pred, target, delta), ref.huber_loss(pred, target, delta)[1]


@mistake("huber_loss", "dpred is not divided by the number of elements: the loss is a mean.")
def huber_no_mean(ref, pred, target, delta=1.0):
    loss, dpred = ref.huber_loss(pred, target, delta)
    return loss, dpred * pred.size


@mistake("huber_loss", "dpred looks clipped to [-1, 1] whatever delta is: clip to [-delta, delta].")
def huber_delta_ignored(ref, pred, target, delta=1.0):
    loss, _ = ref.huber_loss(pred, target, delta)
    return loss, np.clip(pred - target, -1.0, 1.0) / pred.size


@mistake("huber_loss", "dpred has the wrong sign: differentiate with respect to pred, with d = pred - target.")
def huber_sign_flipped(ref, pred, target, delta=1.0):
    loss, dpred = ref.huber_loss(pred, target, delta)
    return loss, -dpred


@mistake("huber_loss", "dpred is 0 beyond delta: that is the clipped square's gradient, the DQN bug; Huber's "
                       "gradient stays at ±delta there.")
def huber_as_clipped_square(ref, pred, target, delta=1.0):
    loss, _ = ref.huber_loss(pred, target, delta)
    return loss, ref.clipped_square_loss(pred, target, delta)[1]


# --- clipped_square_loss ------------------------------------------------------------------------

@mistake("clipped_square_loss", "dpred looks like Huber's gradient clip(d, -delta, delta) / size: that is the "
                                "fix, not the clipped square, whose gradient is 0 beyond delta.")
def clipped_as_huber(ref, pred, target, delta=1.0):
    loss, _ = ref.clipped_square_loss(pred, target, delta)
    return loss, ref.huber_loss(pred, target, delta)[1]


@mistake("clipped_square_loss", "dpred looks like 2 * clip(d) / size everywhere: beyond delta the clip's "
                                "local gradient is 0, so the gradient must vanish there.")
def clipped_ignores_clip_gradient(ref, pred, target, delta=1.0):
    loss, _ = ref.clipped_square_loss(pred, target, delta)
    return loss, 2.0 * np.clip(pred - target, -delta, delta) / pred.size


@mistake("clipped_square_loss", "dpred looks like 2 * d / size: that is the gradient of the unclipped square; "
                                "beyond delta it must be 0.")
def clipped_unclipped_gradient(ref, pred, target, delta=1.0):
    loss, _ = ref.clipped_square_loss(pred, target, delta)
    return loss, 2.0 * (pred - target) / pred.size


@mistake("clipped_square_loss", "dpred is half the right value: the derivative of c**2 is 2 * c.")
def clipped_no_factor_two(ref, pred, target, delta=1.0):
    loss, dpred = ref.clipped_square_loss(pred, target, delta)
    return loss, dpred / 2.0


@mistake("clipped_square_loss", "the loss is an array, not a float: the loss of every element; average them (.mean()).")
def clipped_loss_not_averaged(ref, pred, target, delta=1.0):
    return np.clip(pred - target, -delta, delta) ** 2, ref.clipped_square_loss(pred, target, delta)[1]


@mistake("clipped_square_loss", "dpred is not divided by the number of elements: the loss is a mean.")
def clipped_no_mean(ref, pred, target, delta=1.0):
    loss, dpred = ref.clipped_square_loss(pred, target, delta)
    return loss, dpred * pred.size


# --- rnn_step_backward --------------------------------------------------------------------------

def _step_da(dnext_h, cache):
    return dnext_h * (1.0 - cache[4] ** 2)


def _caches_preactivation(reference, x, prev_h, Wx, Wh, b):
    pre = x @ Wx + prev_h @ Wh + b
    return np.tanh(pre), (x, prev_h, Wx, Wh, pre)


@mistake("rnn_step_backward", "the tanh derivative looks taken from the pre-activation (1 - a**2); use the "
                              "output: 1 - next_h**2.", forward=_caches_preactivation)
def rnn_step_tanh_of_preactivation(ref, dnext_h, cache):
    return ref.rnn_step_backward(dnext_h, cache)


@mistake("rnn_step_backward", "the tanh derivative looks taken from prev_h (1 - prev_h**2); use this step's "
                              "output: 1 - next_h**2.")
def rnn_step_tanh_of_prev_h(ref, dnext_h, cache):
    x, prev_h, Wx, Wh, _ = cache
    return ref.rnn_step_backward(dnext_h, (x, prev_h, Wx, Wh, prev_h))


@mistake("rnn_step_backward", "dWh looks transposed (da.T @ prev_h); use prev_h.T @ da.")
def rnn_step_dWh_transposed(ref, dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = ref.rnn_step_backward(dnext_h, cache)
    return dx, dprev_h, dWx, dWh.T, db


@mistake("rnn_step_backward", "dx looks like da @ Wx: the transpose is missing (use da @ Wx.T).")
def rnn_step_dx_without_transpose(ref, dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = ref.rnn_step_backward(dnext_h, cache)
    return _step_da(dnext_h, cache) @ cache[2], dprev_h, dWx, dWh, db


@mistake("rnn_step_backward", "dprev_h looks like da @ Wh: the transpose is missing (use da @ Wh.T); Wh is "
                              "square, so the shapes fit anyway.")
def rnn_step_dprev_without_transpose(ref, dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = ref.rnn_step_backward(dnext_h, cache)
    return dx, _step_da(dnext_h, cache) @ cache[3], dWx, dWh, db


@mistake("rnn_step_backward", "db looks summed over the wrong axis: sum over the batch (axis 0).")
def rnn_step_db_wrong_axis(ref, dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = ref.rnn_step_backward(dnext_h, cache)
    return dx, dprev_h, dWx, dWh, _step_da(dnext_h, cache).sum(axis=1)


@mistake("rnn_step_backward", "the gradients look like the local gradient 1 - next_h**2 alone: multiply it by "
                              "dnext_h.")
def rnn_step_forgot_upstream(ref, dnext_h, cache):
    return ref.rnn_step_backward(np.ones_like(dnext_h), cache)


@mistake("rnn_step_backward", "dprev_h looks like da @ Wx.T: the previous state enters through Wh, so use "
                              "da @ Wh.T.")
def rnn_step_dprev_through_Wx(ref, dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = ref.rnn_step_backward(dnext_h, cache)
    return dx, _step_da(dnext_h, cache) @ cache[2].T, dWx, dWh, db


# --- rnn_backward -------------------------------------------------------------------------------

def _walk(ref, dh, cache, order, carry=True, accumulate=True, upstream=True):
    """BPTT with switches for the classic slips; returns dx, dh0, dWx, dWh, db."""
    n, steps, hidden = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.zeros((n, steps, x0.shape[1]))
    sums = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(hidden)]
    flowing = np.zeros((n, hidden)) if upstream else dh[:, -1].copy()
    for t in order(steps):
        reaching = flowing if carry else np.zeros_like(flowing)
        if upstream:
            reaching = reaching + dh[:, t]
        dx[:, t], flowing, *shares = ref.rnn_step_backward(reaching, cache[t])
        sums = [s + share if accumulate else share for s, share in zip(sums, shares, strict=True)]
    return (dx, flowing, *sums)


def _backwards(steps):
    return reversed(range(steps))


@mistake("rnn_backward", "dWx, dWh and db hold only one step's share: accumulate them over time with +=.")
def rnn_assign_instead_of_accumulate(ref, dh, cache):
    return _walk(ref, dh, cache, _backwards, accumulate=False)


@mistake("rnn_backward", "the gradient reaching h[:, t] must be dh[:, t] plus what flows back from t + 1; "
                         "it looks like the upstream dh[:, t] was not added.")
def rnn_upstream_not_added(ref, dh, cache):
    return _walk(ref, dh, cache, _backwards, upstream=False)


@mistake("rnn_backward", "time looks walked forward: backprop through time goes from the last step to the first.")
def rnn_time_walked_forward(ref, dh, cache):
    return _walk(ref, dh, cache, range)


@mistake("rnn_backward", "dh0 looks like the gradient of h[:, 0]; pass it back through step 0 to reach h0.")
def rnn_dh0_one_step_early(ref, dh, cache):
    dx, _, dWx, dWh, db = ref.rnn_backward(dh, cache)
    reaching_first = dh[:, 0].copy()
    if dh.shape[1] > 1:
        reaching_first += ref.rnn_backward(dh[:, 1:], cache[1:])[1]
    return dx, reaching_first, dWx, dWh, db


@mistake("rnn_backward", "dh0 is all zeros: return the gradient that flows out of step 0.")
def rnn_dh0_zero(ref, dh, cache):
    dx, dh0, dWx, dWh, db = ref.rnn_backward(dh, cache)
    return dx, np.zeros_like(dh0), dWx, dWh, db


@mistake("rnn_backward", "each step looks fed only its own dh[:, t]: add the gradient flowing back from t + 1.")
def rnn_no_carry(ref, dh, cache):
    return _walk(ref, dh, cache, _backwards, carry=False)


@mistake("rnn_backward", "the gradients are right but the list cache came back changed: cache.pop() empties the "
                         "list rnn_forward returned; index it instead (cache[t]) and leave the list as it was.")
def rnn_cache_pop(ref, dh, cache):
    grads = ref.rnn_backward(dh, list(cache))
    cache.clear()
    return grads


# --- clip_grad_norm -----------------------------------------------------------------------------

def _total(grads):
    return float(np.sqrt(sum(float(np.sum(g**2)) for g in grads.values())))


@mistake("clip_grad_norm", "each array looks clipped by its own norm: clip by the global norm of all of them.")
def clip_per_tensor(ref, grads, max_norm):
    return {k: ref.clip_grad_norm({k: g}, max_norm)[0][k] for k, g in grads.items()}, _total(grads)


@mistake("clip_grad_norm", "the arrays are rescaled even though their norm is below max_norm: scale only when "
                           "total_norm > max_norm.")
def clip_always_rescales(ref, grads, max_norm):
    total = _total(grads)
    return {k: g * (max_norm / total) for k, g in grads.items()}, total


@mistake("clip_grad_norm", "the values look clipped to [-max_norm, max_norm]; clip the norm, keep the direction.")
def clip_values(ref, grads, max_norm):
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, _total(grads)


@mistake("clip_grad_norm", "total_norm looks measured after clipping: return the norm from before.")
def clip_norm_after_clipping(ref, grads, max_norm):
    clipped, _ = ref.clip_grad_norm(grads, max_norm)
    return clipped, _total(clipped)


@mistake("clip_grad_norm", "the input arrays were scaled in place: return new arrays and leave grads untouched.")
def clip_modifies_input(ref, grads, max_norm):
    total = _total(grads)
    for g in grads.values():
        g *= min(1.0, max_norm / total)
    return grads, total


@mistake("clip_grad_norm", "total_norm looks like the sum of squares: take its square root.")
def clip_squared_norm(ref, grads, max_norm):
    squared = _total(grads) ** 2
    scale = max_norm / squared if squared > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, squared


@mistake("clip_grad_norm", "the scale looks inverted: multiply by max_norm / total_norm, not total_norm / max_norm.")
def clip_scale_inverted(ref, grads, max_norm):
    total = _total(grads)
    scale = total / max_norm if total > max_norm else 1.0
    return {k: g * scale for k, g in grads.items()}, total
