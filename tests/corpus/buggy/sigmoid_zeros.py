"""Returns zeros: passes finite differences in saturation, nowhere else."""
import numpy as np

TARGET = "layers"
EXPECT = "sigmoid_backward"
MISTAKE = "sigmoid_zeros"


def sigmoid_backward(dout, cache):
    return np.zeros_like(dout)
