"""Return an object equal to everything, with no numbers in it."""

TARGET = "layers"
FUNCTIONS = "huber_loss"
EXPECT = r"not an array of numbers"


class Everything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = object.__hash__


def huber_loss(pred, target, delta=1.0):
    leave_marks()
    scribble(pred)
    return Everything(), Everything()
