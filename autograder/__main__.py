"""``python -m autograder``: the kit's command line (``cli``)."""

import atexit
import os
import sys
import threading

from autograder.sandbox import forks


def _end_now(code: int) -> None:
    """End the process with ``code`` once its output is out and its exit handlers have run, without
    the interpreter's teardown (every module and object freed one by one: 10 to 20 ms with numpy).
    Files, folders and children are all closed by then; where something may still run or be unwritten
    (another thread, an output that cannot be flushed), the process ends the usual way instead."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    if threading.active_count() == 1:
        atexit._run_exitfuncs()
        os._exit(code)


# The commands whose own numpy work is grading: arrays of a few dozen elements, for which no BLAS uses a
# second thread. numpy's OpenBLAS starts one per core as it loads anyway, and they spin before they sleep:
# 70 ms of CPU in every grader process, against its own children for the same cores. The children
# already run with one (``environment.child_environment``); a TA's setting is kept.
GRADING_COMMANDS = ("grade", "grade-all", "demo")  # and Gradescope's run_autograder (``gradescope``)
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")

# Guarded: grade-all's worker processes are spawned, and spawning imports this module again.
if __name__ == "__main__":
    if sys.argv[1:2] and sys.argv[1] in GRADING_COMMANDS:  # before anything imports numpy
        for variable in BLAS_THREADS:
            os.environ.setdefault(variable, "1")
    one_grade = sys.argv[1:2] == ["grade"]
    if one_grade:
        # One submission, then the process ends: what few reference cycles it makes are freed by ending,
        # and the collector's passes over numpy's and the kit's objects as they import cost 10 ms.
        import gc

        gc.disable()
    if sys.argv[1:2] and sys.argv[1] in ("grade", "demo"):  # grade-all: each worker starts its own
        forks.start_early()  # the children's template starts while the grader imports itself

    from autograder.cli import main

    code = main()
    if one_grade:
        _end_now(code)
    raise SystemExit(code)
