"""Do two versions of the kit give the same results? Grade a fixed set of submissions, digest every output.

``python tools/results_identity.py --subs DIR --out MANIFEST.json`` builds DIR once (every corpus
entry of ``tests/corpus`` made into a submission, the example submissions, the reference and the
untouched release), then grades it with ``grade-all`` under fixed secrets (so fixed seeds per
student) and runs ``demo`` with fixed seeds. It writes one SHA-256 per output file, after removing
the only parts meant to change from run to run (``VARYING``). Run it before and after a change on
the same DIR and compare the two manifests (``--compare OLD NEW``).

Two submissions differ from run to run of the same code: ``do_nothing-noise`` draws unseeded noise
(its reports' numbers and its ``probe`` digests), and
``measured-rnn_helper_from_layers`` fails on an import whose message names the fresh scratch folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT / "tests"))
sys.path.insert(0, str(KIT / "tests" / "grading"))  # test_do_nothing.py builds its submissions

SECRETS = ("identity-secret-one", "identity-secret-two")
DEMO_SEEDS = (1, 2)
# What may differ between two runs of the same code: wall times, the scratch folder (named afresh each
# time), the checkout the kit runs from, and where the demo's example submissions are kept.
VARYING = [(re.compile(rb'"execution_time": [0-9.e+-]+'), b"<time>"),
           (re.compile(rb"\(graded in [0-9.]+ s\)"), b"<time>"), (re.compile(rb"\([0-9.]+ s\)"), b"<time>"),
           (re.compile(rb"points, graded in [0-9.]+ s"), b"<time>"),  # the HTML report's score line
           (re.compile(rb"/tmp/backprop-grade-[A-Za-z0-9_]+"), b"<scratch>"),
           (re.compile(re.escape(str(KIT).encode()) + rb"/(examples|tests/fixtures/submissions)/"), b"<examples>/"),
           (re.compile(re.escape(str(KIT).encode())), b"<kit>")]


def build(subs: Path) -> None:
    """One folder per submission; corpus files are merged into the reference as the tests do."""
    from helpers import CORPUS, build_submission  # tests/helpers.py
    from test_do_nothing import do_nothing_submission  # tests/grading/test_do_nothing.py

    subs.mkdir(parents=True)
    for path in sorted(CORPUS.glob("*/*.py")):
        folder = subs / f"{path.parent.name}-{path.stem}"
        if path.parent.name == "do_nothing":
            do_nothing_submission(folder, path)
        else:
            build_submission(folder, path)
    examples = KIT / "examples"
    if not examples.is_dir():  # where they were kept before
        examples = KIT / "tests" / "fixtures" / "submissions"
    for folder in sorted(examples.iterdir()):
        shutil.copytree(folder, subs / f"fixture-{folder.name}")
    shutil.copytree(KIT / "solutions" / "backprop", subs / "reference", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copytree(KIT / "assignment" / "backprop", subs / "release", ignore=shutil.ignore_patterns("*.ipynb"))


def _normalised(data: bytes) -> bytes:
    for pattern, replacement in VARYING:
        data = pattern.sub(replacement, data)
    return data


def _record(digests: dict[str, str], keep: Path | None, name: str, data: bytes) -> None:
    data = _normalised(data)
    digests[name] = hashlib.sha256(data).hexdigest()
    if keep is not None:
        (keep / name).parent.mkdir(parents=True, exist_ok=True)
        (keep / name).write_bytes(data)


def digest(subs: Path, keep: Path | None = None, jobs: int | None = None) -> dict[str, str]:
    """output name -> sha256 of its normalised bytes (the bytes themselves kept under ``keep``, with what
    grade-all said, which names any submission that failed to grade)."""
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for number, secret in enumerate(SECRETS):
            secret_file = Path(scratch) / f"secret{number}"
            secret_file.write_text(secret)
            out = Path(scratch) / f"graded{number}"
            said = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(subs), "--out", str(out),
                                   "--secret", str(secret_file), *(["-j", str(jobs)] if jobs else [])],
                                  cwd=KIT, check=False, stdout=subprocess.PIPE).stdout
            if keep is not None:
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"grade-all-{number}.log").write_bytes(said)
            for path in sorted(out.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    _record(digests, keep, f"{number}/{path.relative_to(out)}", path.read_bytes())
        for seed in DEMO_SEEDS:
            shown = subprocess.run([sys.executable, "-m", "autograder", "demo", "--seed", str(seed)], cwd=KIT,
                                   check=False, capture_output=True).stdout
            _record(digests, keep, f"demo/seed{seed}", shown)
    return digests


def compare(old: Path, new: Path) -> int:
    before, after = json.loads(old.read_text()), json.loads(new.read_text())
    changed = sorted(name for name in before.keys() & after.keys() if before[name] != after[name])
    only = sorted(before.keys() ^ after.keys())
    print(f"{len(before.keys() & after.keys())} outputs in both; {len(changed)} differ; {len(only)} in one only")
    for name in changed + only:
        print(f"  {name}")
    return 1 if changed or only else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subs", type=Path, help="submissions folder (built if missing)")
    parser.add_argument("--out", type=Path, help="manifest to write")
    parser.add_argument("--keep", type=Path, help="also keep every normalised output in this folder")
    parser.add_argument("--jobs", type=int, help="grade-all -j (default: its own, one per core)")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("OLD", "NEW"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.subs.exists():
        build(args.subs)
    digests = digest(args.subs, args.keep, args.jobs)
    args.out.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"{len(digests)} outputs digested into {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
