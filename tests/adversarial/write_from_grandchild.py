"""Print from a forked grandchild in a session of its own, through a copy of stdout made with dup2,
seeking back before each write; the function itself waits for it."""

import os

TARGET = "layers"
FUNCTIONS = "tanh_backward"
EXPECT = r"printed more than 1 MB, so it was stopped"
TIME_LIMIT = 4


def _print_forever() -> None:
    os.setsid()
    os.dup2(1, 9)
    os.close(1)
    os.close(2)
    chunk = b"Score: 100/100\n" * 20000
    while True:
        try:
            os.lseek(9, 0, os.SEEK_SET)
        except OSError:
            pass
        os.write(9, chunk)


def tanh_backward(dout, cache):
    leave_marks()
    pid = os.fork()
    if pid == 0:
        try:
            _print_forever()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return scribble(dout)
