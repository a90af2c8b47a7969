"""Layers and losses for the backprop assignment.

Every ``*_forward`` function is given: it returns ``(out, cache)``. Your job is every ``*_backward``
function and the gradient part of every loss. A backward receives the upstream gradient ``dout``
(the gradient of the final loss with respect to this layer's output) and the ``cache`` its forward
saved, and returns the gradient with respect to each input, each the same shape as that input.

Rules the grader checks:
- all arrays are float64;
- a backward must not modify ``dout`` or anything inside ``cache`` (return new arrays);
- gradients must stay finite wherever the true gradient is finite, even in saturation.

Run ``pytest`` in this folder to check your work.
"""

import numpy as np


def affine_forward(x, w, b):
    """Fully connected layer: ``out = x.reshape(N, D) @ w + b``.

    Inputs:
    - x: array of shape (N, d1, ..., dk), a minibatch of N examples; D = d1 * ... * dk.
    - w: weights, shape (D, M).
    - b: biases, shape (M,).

    Returns a tuple of:
    - out: shape (N, M).
    - cache: (x, w, b), the inputs themselves.
    """
    out = x.reshape(x.shape[0], -1) @ w + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of the fully connected layer.

    Essay link: every layer below a saturated unit receives its gradient through this function;
    a dead ReLU's zero column in ``dout`` must give an exactly zero column of ``dw`` and entry of ``db``.

    Inputs:
    - dout: upstream gradient, shape (N, M).
    - cache: (x, w, b) as saved by affine_forward; x (N, d1, ..., dk), w (D, M), b (M,).

    Returns a tuple of:
    - dx: shape (N, d1, ..., dk), like x.
    - dw: shape (D, M), like w.
    - db: shape (M,), like b.
    """
    x, w, b = cache
    # Gợi ý: làm việc với x đã reshape thành (N, D); dx trả về phải có shape của x.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("affine_backward chưa được viết")
    return dx, dw, db


def relu_forward(x):
    """Rectified linear unit: ``out = max(0, x)`` elementwise.

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: same shape as x.
    - cache: x.
    """
    out = np.maximum(0.0, x)
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of the ReLU.

    Essay link (section 2, dying ReLUs): where the unit did not fire the gradient is exactly zero,
    so a unit that never fires never learns again. At exactly x == 0 any value in [0, 1] * dout is
    accepted.

    Inputs:
    - dout: upstream gradient, any shape.
    - cache: x, the input of relu_forward, same shape as dout.

    Returns:
    - dx: gradient with respect to x, same shape as x.
    """
    x = cache
    # Gợi ý: gradient đi qua ở những chỗ unit được kích hoạt (x > 0) và đúng bằng 0 ở mọi chỗ khác.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("relu_backward chưa được viết")
    return dx


def sigmoid_forward(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, numerically stable for any |x|.

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: same shape as x, values in [0, 1].
    - cache: out, the sigmoid's output z.
    """
    out = np.empty_like(x, dtype=np.float64)
    positive = x >= 0
    # exp of a negative number never overflows, so each branch uses the form with exp(-|x|).
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp_x = np.exp(x[~positive])
    out[~positive] = exp_x / (1.0 + exp_x)
    cache = out
    return out, cache


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid.

    Essay link (section 1, vanishing gradients on sigmoids): the local gradient z * (1 - z) is at
    most 0.25 and is ~0 once the unit saturates (|x| large), so everything below learns nothing.

    Inputs:
    - dout: upstream gradient, any shape.
    - cache: z, the output of sigmoid_forward, same shape as dout.

    Returns:
    - dx: gradient with respect to the sigmoid's input x, same shape as dout.
    """
    z = cache
    # Gợi ý: cache chứa z = sigmoid(x); hãy viết gradient cục bộ chỉ bằng z, không dùng exp, để nó không bao giờ bị tràn số.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("sigmoid_backward chưa được viết")
    return dx


def tanh_forward(x):
    """Hyperbolic tangent, elementwise.

    Inputs:
    - x: array of any shape.

    Returns a tuple of:
    - out: same shape as x, values in [-1, 1].
    - cache: out, the tanh's output y.
    """
    out = np.tanh(x)
    cache = out
    return out, cache


def tanh_backward(dout, cache):
    """Backward pass of tanh.

    Essay link (section 1): tanh saturates like the sigmoid; its local gradient 1 - y**2 is at
    most 1 and ~0 for |x| large.

    Inputs:
    - dout: upstream gradient, any shape.
    - cache: y, the output of tanh_forward, same shape as dout.

    Returns:
    - dx: gradient with respect to the tanh's input x, same shape as dout.
    """
    y = cache
    # Gợi ý: cache chứa y = tanh(x); hãy viết gradient cục bộ chỉ bằng y.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("tanh_backward chưa được viết")
    return dx


def softmax_loss(x, y):
    """Softmax cross-entropy loss, averaged over the minibatch; stable for scores in the thousands.

    Essay link (section 1): the loss on top of a saturating network; its gradient probs - onehot is
    what every layer below receives.

    Inputs:
    - x: class scores, shape (N, C).
    - y: integer labels, shape (N,), 0 <= y[i] < C.

    Returns a tuple of:
    - loss: float, the mean over N of -log softmax(x)[i, y[i]].
    - dx: gradient of the loss with respect to x, shape (N, C).
    """
    n = x.shape[0]
    # Subtracting the row maximum changes nothing mathematically and keeps exp from overflowing.
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = float(-log_probs[np.arange(n), y].mean())
    # Gợi ý: bắt đầu từ các xác suất exp(log_probs); lớp đúng của mỗi hàng là trường hợp đặc biệt; loss là một giá trị trung bình.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("softmax_loss chưa được viết")
    return loss, dx


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss: mean over N of sum_{j != y} max(0, x_j - x_y + 1).

    Essay link: like the ReLU, the hinge passes gradient only where its margin is active.

    Inputs:
    - x: class scores, shape (N, C).
    - y: integer labels, shape (N,), 0 <= y[i] < C.

    Returns a tuple of:
    - loss: float.
    - dx: gradient of the loss with respect to x, shape (N, C).
    """
    n = x.shape[0]
    correct_scores = x[np.arange(n), y][:, None]
    margins = np.maximum(0.0, x - correct_scores + 1.0)
    margins[np.arange(n), y] = 0.0
    loss = float(margins.sum() / n)
    # Gợi ý: chỉ các margin đang hoạt động (margins > 0) cho gradient đi qua, và mỗi margin chạm tới hai điểm số trong hàng của nó.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("svm_loss chưa được viết")
    return loss, dx


def huber_loss(pred, target, delta=1.0):
    """Huber loss, averaged over all elements: the fix for the DQN clipped delta.

    Huber(d) = d**2 / 2 for |d| <= delta, delta * (|d| - delta / 2) otherwise, with d = pred - target.

    Essay link (section 4): its gradient is clip(d, -delta, delta), so a large error still pushes
    with strength delta instead of vanishing.

    Inputs:
    - pred: predictions, any shape.
    - target: targets, same shape as pred.
    - delta: positive float, where the loss turns from quadratic to linear.

    Returns a tuple of:
    - loss: float.
    - dpred: gradient of the loss with respect to pred, same shape as pred.
    """
    diff = pred - target
    abs_diff = np.abs(diff)
    quadratic = 0.5 * diff**2
    linear = delta * (abs_diff - 0.5 * delta)
    loss = float(np.where(abs_diff <= delta, quadratic, linear).mean())
    # Gợi ý: lấy đạo hàm từng đoạn của Huber(d); trung bình trên mọi phần tử là phép chia cho diff.size.
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("huber_loss chưa được viết")
    return loss, dpred


def clipped_square_loss(pred, target, delta=1.0):
    """The DQN bug, implemented correctly: the mean of clip(pred - target, -delta, delta) ** 2.

    Essay link (section 4): the clip has zero local gradient outside [-delta, delta], so wherever
    the error is large the gradient is exactly 0. Implement it faithfully and watch it vanish.

    Inputs:
    - pred: predictions, any shape.
    - target: targets, same shape as pred.
    - delta: positive float, the clipping threshold.

    Returns a tuple of:
    - loss: float.
    - dpred: gradient of the loss with respect to pred, same shape as pred.
    """
    diff = pred - target
    clipped = np.clip(diff, -delta, delta)
    loss = float((clipped**2).mean())
    # Gợi ý: gradient cục bộ của phép cắt bằng 1 bên trong [-delta, delta] và bằng 0 bên ngoài (lỗi DQN trong bài viết).
    # TODO: hãy viết phần này; xem gợi ý ở trên
    raise NotImplementedError("clipped_square_loss chưa được viết")
    return loss, dpred
