"""Never return."""

TARGET = "rnn_layers"
FUNCTIONS = "clip_grad_norm"
EXPECT = r"ran for more than 2 s"
TIME_LIMIT = 2


def clip_grad_norm(grads, max_norm):
    leave_marks()
    while True:
        pass
