"""(e) The source reader: wall time to read one module, as grading does once per submission.

Against the floor of any grade, parsing the same text with ``ast.parse``; and on the hostile sources
of ``tests/grading/test_source_reader.py`` (a megabyte of generated code, long call chains), whose
work the reader bounds by its step budget.

    .venv/bin/python benchmarks/source_reader.py
"""

from __future__ import annotations

import ast

from common import Row, median_seconds
from helpers import CORPUS, reference_source

from autograder.core.spec import FUNCTIONS
from autograder.grading.source_reader import measured_functions

REPEAT = 5
AIM_SECONDS = 0.05  # per module of a normal submission
AIM_HOSTILE_SECONDS = 2.0  # per module built to make the reader work


def _graded() -> list[str]:
    return [function.name for function in FUNCTIONS if function.module == "layers"]


def measure() -> list[Row]:
    normal = reference_source("layers") + "\n\n" + (CORPUS / "measured" / "affine_flat_loop_finfo.py").read_text()
    hostile = reference_source("layers") + "\n\n" + "".join(
        f"def _f{i}(x):\n    return _f{i + 1}(x) + 1\n" for i in range(2000))
    read = median_seconds(lambda: measured_functions(normal, _graded(), "layers"), REPEAT)
    parse = median_seconds(lambda: ast.parse(normal), REPEAT)
    read_hostile = median_seconds(lambda: measured_functions(hostile, _graded(), "layers"), REPEAT)
    return [Row("(e) source reader, one module", f"{read * 1e3:.1f} ms", f"{parse * 1e3:.1f} ms (ast.parse)",
                parse / read, f"< {AIM_SECONDS * 1e3:.0f} ms", read < AIM_SECONDS,
                f"reading takes {read / parse:.0f} times a bare parse of the same text"),
            Row("(e) source reader, a 2000-call chain", f"{read_hostile:.2f} s", "-",
                AIM_HOSTILE_SECONDS / read_hostile, f"< {AIM_HOSTILE_SECONDS:g} s", read_hostile < AIM_HOSTILE_SECONDS,
                "ratio: headroom under the aim")]


if __name__ == "__main__":
    from common import table

    print(table(measure()))
