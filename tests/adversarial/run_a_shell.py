"""Start a shell to do what Python may not (cat the solutions, curl out, kill the grader)."""

import subprocess

TARGET = "layers"
FUNCTIONS = "tanh_backward"
EXPECT = r"not allowed to use"


def tanh_backward(dout, cache):
    leave_marks()
    output = subprocess.run(["/bin/sh", "-c", "cat /work/*/solutions/backprop/layers.py"], capture_output=True)
    raise RuntimeError(f"the shell said {output.stdout[:40]!r}")
