"""Known mistakes: what students really write, and what to tell them when their answer matches.

The grader runs each entry on the case a student failed and, when the student's wrong gradient is
exactly what the entry produces, shows its explanation. One entry per mistake. Each entry is a
buggy version of one graded function; it receives the reference module first (for the given
forward code and helpers), then the function's own arguments, with the reference's cache layout.

Course staff: add an entry with ``@mistake("function_name", "what it looks like and the fix")``.
This file is never released to students.
"""

import numpy as np

MISTAKES = []


def mistake(function, explanation):
    """Register a buggy implementation of ``function`` under the sentence a student will read."""

    def register(implementation):
        MISTAKES.append((function, explanation, implementation))
        return implementation

    return register


# --- affine_backward ----------------------------------------------------------------------------

@mistake("affine_backward", "dx looks like dout @ w: the transpose is missing (use dout @ w.T).")
def affine_dx_without_transpose(ref, dout, cache):
    x, w, b = cache
    dx, dw, db = ref.affine_backward(dout, (x, w.T, b))
    return dx, ref.affine_backward(dout, cache)[1], db


@mistake("affine_backward", "dw looks like dout.T @ x, the transpose of the right answer (use x.T @ dout).")
def affine_dw_transposed(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw.T, db


@mistake("affine_backward", "db looks like the sum over the wrong axis: sum dout over the batch (axis 0).")
def affine_db_wrong_axis(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw, dout.sum(axis=1)


@mistake("affine_backward", "db looks like the mean of dout over the batch; it is the sum.")
def affine_db_mean(ref, dout, cache):
    dx, dw, db = ref.affine_backward(dout, cache)
    return dx, dw, dout.mean(axis=0)


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


# --- sigmoid_backward and tanh_backward ---------------------------------------------------------

@mistake("sigmoid_backward", "dx looks like z * (1 - z) alone: multiply the local gradient by dout.")
def sigmoid_forgot_dout(ref, dout, cache):
    return ref.sigmoid_backward(np.ones_like(dout), cache)


@mistake("sigmoid_backward", "dx looks like sigmoid(z) * (1 - sigmoid(z)) * dout: the cache already holds "
                             "z = sigmoid(x), so use z * (1 - z) without applying the sigmoid again.")
def sigmoid_applied_twice(ref, dout, cache):
    return ref.sigmoid_backward(dout, ref.sigmoid_forward(cache)[0])


@mistake("sigmoid_backward", "dx is NaN where |x| is large: a formula like exp(-x) / (1 + exp(-x))**2 "
                             "overflows; use the cached output z and z * (1 - z).")
def sigmoid_unstable_formula(ref, dout, cache):
    with np.errstate(all="ignore"):
        x = np.log(cache) - np.log1p(-cache)
        return dout * np.exp(-x) / (1.0 + np.exp(-x)) ** 2


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


# --- losses -------------------------------------------------------------------------------------

@mistake("softmax_loss", "dx looks like the probabilities without subtracting 1 at the correct class.")
def softmax_no_minus_one(ref, x, y):
    loss, dx = ref.softmax_loss(x, y)
    dx[np.arange(x.shape[0]), y] += 1.0 / x.shape[0]
    return loss, dx


@mistake("softmax_loss", "dx is N times too large: divide by N, the loss is a mean over the batch.")
def softmax_no_mean(ref, x, y):
    loss, dx = ref.softmax_loss(x, y)
    return loss, dx * x.shape[0]


@mistake("svm_loss", "dx looks like every margin counted as active: keep only margins > 0.")
def svm_no_margin_mask(ref, x, y):
    loss, _ = ref.svm_loss(x, y)
    n, classes = x.shape
    dx = np.ones_like(x) / n
    dx[np.arange(n), y] = -(classes - 1) / n
    return loss, dx


@mistake("svm_loss", "dx counts the correct class as one of its own margins: leave j == y out of the sum.")
def svm_counts_correct_class(ref, x, y):
    loss, dx = ref.svm_loss(x, y)
    dx[np.arange(x.shape[0]), y] -= 1.0 / x.shape[0]
    return loss, dx


@mistake("svm_loss", "dx is N times too large: divide by N, the loss is a mean over the batch.")
def svm_no_mean(ref, x, y):
    loss, dx = ref.svm_loss(x, y)
    return loss, dx * x.shape[0]


@mistake("huber_loss", "dpred looks like the error itself (pred - target) / size: clip it to [-delta, delta].")
def huber_gradient_is_error(ref, pred, target, delta=1.0):
    loss, _ = ref.huber_loss(pred, target, delta)
    return loss, (pred - target) / pred.size


@mistake("huber_loss", "dpred looks like sign(pred - target) * delta / size: inside [-delta, delta] the "
                       "gradient is the error itself.")
def huber_gradient_is_sign(ref, pred, target, delta=1.0):
    loss, _ = ref.huber_loss(pred, target, delta)
    return loss, np.sign(pred - target) * delta / pred.size


@mistake("huber_loss", "dpred is not divided by the number of elements: the loss is a mean.")
def huber_no_mean(ref, pred, target, delta=1.0):
    loss, dpred = ref.huber_loss(pred, target, delta)
    return loss, dpred * pred.size


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


# --- recurrent ----------------------------------------------------------------------------------

@mistake("rnn_step_backward", "the tanh derivative looks taken from the pre-activation (1 - a**2); use the "
                              "cached output: 1 - next_h**2.")
def rnn_step_tanh_of_preactivation(ref, dnext_h, cache):
    x, prev_h, Wx, Wh, next_h = cache
    return ref.rnn_step_backward(dnext_h, (x, prev_h, Wx, Wh, np.arctanh(np.clip(next_h, -1, 1))))


@mistake("rnn_backward", "dWx, dWh and db hold only one step's share: accumulate them over time with +=.")
def rnn_assign_instead_of_accumulate(ref, dh, cache):
    dx, dh0, _, _, _ = ref.rnn_backward(dh, cache)
    # With `=`, what survives the backward walk is step 0's share, computed from the full gradient
    # reaching h[:, 0]: its own upstream plus what flows back from the later steps.
    reaching_first = dh[:, 0].copy()
    if dh.shape[1] > 1:
        reaching_first += ref.rnn_backward(dh[:, 1:], cache[1:])[1]
    _, _, dWx, dWh, db = ref.rnn_step_backward(reaching_first, cache[0])
    return dx, dh0, dWx, dWh, db


@mistake("rnn_backward", "the gradient reaching h[:, t] must be dh[:, t] plus what flows back from t + 1; "
                         "it looks like the upstream dh[:, t] was not added.")
def rnn_upstream_not_added(ref, dh, cache):
    only_last = np.zeros_like(dh)
    only_last[:, -1] = dh[:, -1]
    return ref.rnn_backward(only_last, cache)


@mistake("clip_grad_norm", "each array looks clipped by its own norm: clip by the global norm of all of them.")
def clip_per_tensor(ref, grads, max_norm):
    _, total = ref.clip_grad_norm(grads, max_norm)
    return {k: ref.clip_grad_norm({k: g}, max_norm)[0][k] for k, g in grads.items()}, total


@mistake("clip_grad_norm", "the arrays are rescaled even though their norm is below max_norm: scale only when "
                           "total_norm > max_norm.")
def clip_always_rescales(ref, grads, max_norm):
    _, total = ref.clip_grad_norm(grads, max_norm)
    return {k: g * (max_norm / total) for k, g in grads.items()}, total


@mistake("clip_grad_norm", "the values look clipped to [-max_norm, max_norm]; clip the norm, keep the direction.")
def clip_values(ref, grads, max_norm):
    _, total = ref.clip_grad_norm(grads, max_norm)
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, total
