"""Read the rubric and the hidden-case seed: from the environment, the grader's command line, the disk."""

import os

import autograder

TARGET = "layers"
FUNCTIONS = "huber_loss"
EXPECT = r"not allowed to use .*rubric\.toml"


def huber_loss(pred, target, delta=1.0):
    leave_marks()
    seeds = [value for key, value in os.environ.items() if "SEED" in key.upper()]
    try:
        with open(f"/proc/{os.getppid() or 1}/cmdline", "rb") as handle:
            seeds.append(handle.read())
    except OSError:
        pass
    kit = os.path.dirname(os.path.dirname(autograder.__file__))
    with open(os.path.join(kit, "solutions", "backprop", "rubric.toml")) as handle:
        rubric = handle.read()
    raise RuntimeError(f"found {len(seeds)} seeds and a rubric of {len(rubric)} characters")
