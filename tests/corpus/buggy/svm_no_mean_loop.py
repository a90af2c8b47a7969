"""CS231n's naive loop, with the final division by N forgotten for the gradient."""
import numpy as np

TARGET = "layers"
EXPECT = "svm_loss"
MISTAKE = "svm_no_mean"


def svm_loss(x, y):
    num_train, num_classes = x.shape
    loss = 0.0
    dx = np.zeros(x.shape)
    for i in range(num_train):
        scores = x[i]
        correct = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct + 1
            if margin > 0:
                loss += margin
                dx[i, j] += 1
                dx[i, y[i]] -= 1
    loss /= num_train
    return loss, dx
