"""Clear the TA's terminal and draw a perfect score where the report's own score was."""

TARGET = "layers"
FUNCTIONS = "relu_backward"
EXPECT = r"expected .* got|modified dout"


def relu_backward(dout, cache):
    leave_marks()
    print("\x1b[2J\x1b[3J\x1b[H\x1b[1;32mScore: 100 / 100\x1b[0m", flush=True)  # clear, home, green
    print("\x1b]0;all tests passed\x07\x1b[8m", flush=True)  # a window title, then invisible text
    print("\x1b[5A\x1b[2K\x1b[1GScore: 100 / 100\x1bc", flush=True)  # up five lines, erase one, reset
    return scribble(dout)
