"""Write numpy.py, autograder.py and sitecustomize.py into its own folder, then hang, so that the next
process the grader starts there might import them instead of the real ones."""

import os

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"ran for more than 2 s"
TIME_LIMIT = 2

POISON = "import os\nos._exit(3)\n"


def relu_backward(dout, cache):
    leave_marks()
    for name in ("numpy.py", "autograder.py", "sitecustomize.py", "usercustomize.py", "layers.py"):
        with open(os.path.join(os.getcwd(), name), "w") as handle:
            handle.write(POISON)
    while True:
        pass
