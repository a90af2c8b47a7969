"""What a hostile reply costs the grader: the time to read (and refuse) one reply of many entries.

The child is run by student code and can write any reply file into its folder. Reading one happens in
the grader, outside every limit the child runs under, so its cost must not grow with what the child
wrote. This writes replies of 100,000 tiny arrays, of 100,000 cases, and of as much nested JSON as the
bound allows, for a function asked 30 cases, and times how long the grader takes to turn each into its
answer.

    .venv/bin/python benchmarks/hostile_reply.py [--entries 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from autograder.sandbox import runner, wire

CASES = 30  # about what one graded function is asked


def _requests() -> list[dict]:
    """Requests like a layer's: three inputs, an upstream gradient, a few elements to perturb."""
    args = {"x": np.zeros((4, 5)), "w": np.zeros((5, 3)), "b": np.zeros(3)}
    return [{"args": args, "dout": np.zeros((4, 3)), "perturb": {"x": np.arange(3)}} for _ in range(CASES)]


def many_arrays(path: Path, entries: int) -> None:
    """A reply that holds ``entries`` one-element arrays, every one of them referenced."""
    cases = [{"out": np.zeros(1), "grads": {}, "changed": [], "error": "", "not_implemented": False}
             for _ in range(entries)]
    wire.write(path, {"cases": cases})


def many_cases(path: Path, entries: int) -> None:
    """A reply of ``entries`` cases without a single array: all of its weight is in its structure."""
    wire.write(path, {"cases": [{"error": "x", "not_implemented": False}] * entries})


def nested_lists(path: Path, entries: int) -> None:
    """A reply whose structure is all the JSON its request allows, as lists nested 15 deep: the costliest
    structure to parse per byte (no array, no case the reader can use)."""
    from autograder.sandbox import replies

    unit = "[" * 15 + "]" * 15
    allowed = replies.bounds(_requests()).structure_bytes
    text = ("[" + ",".join([unit] * (allowed // (len(unit) + 1) - 1)) + "]").encode()
    head = wire.PREFIX.pack(wire.MAGIC, wire.VERSION, 0, len(text)) + text
    path.write_bytes(head + bytes(-len(head) % wire.ALIGN))


def seconds_to_read(path: Path, requests: list[dict], repeat: int) -> float:
    """The median wall time of reading ``path`` as the reply to ``requests``."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        runner._read_reply(path, requests)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    requests = _requests()
    with tempfile.TemporaryDirectory() as folder:
        for build in (many_arrays, many_cases, nested_lists):
            path = Path(folder) / f"{build.__name__}.bin"
            build(path, args.entries)
            seconds = seconds_to_read(path, requests, args.repeat)
            answer = runner._read_reply(path, requests)[0]["error"]
            print(f"{build.__name__:12} {args.entries} entries, {path.stat().st_size / 2**20:5.1f} MB: "
                  f"{seconds * 1000:8.1f} ms  ({answer})")


if __name__ == "__main__":
    main()
