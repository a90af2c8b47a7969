"""``python -m autograder``: the kit's command line (``cli``)."""

import sys

from autograder.sandbox import forks

# Guarded: grade-all's worker processes are spawned, and spawning imports this module again.
if __name__ == "__main__":
    if sys.argv[1:2] and sys.argv[1] in ("grade", "demo"):  # grade-all: each worker starts its own
        forks.start_early()  # the children's template starts while the grader imports itself

    from autograder.cli import main

    raise SystemExit(main())
