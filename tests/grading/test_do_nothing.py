"""Code that does not compute the gradient gets nothing: submissions that return zeros, constants,
their inputs, the upstream gradient, noise, NaN or inf (with the given forwards, or with forwards
changed to fool finite differences) score exactly 0 on every seed.

Each file of ``tests/corpus/do_nothing/`` is one way of doing nothing: ``fill(like, dout, rng)``
gives every gradient (``like`` is the input it differentiates), ``loss_value(x)`` every loss value
and total norm, and ``FORWARD`` (optional: ``constant``, ``nan``, ``inf``) what the given forwards
are changed to return. The test wraps the release's given forwards so that each backward knows its
inputs' shapes, whatever the cache holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, build_submission, corpus_entry

from autograder import DEFAULT_REFERENCE, DEFAULT_RELEASE
from autograder.core.calling import run_case
from autograder.core.cases import cases_for
from autograder.core.spec import FUNCTIONS
from autograder.grading.grade import grade_seeds
from autograder.grading.reference import load_modules

STRATEGIES = sorted((CORPUS / "do_nothing").glob("*.py"))
SEEDS = list(range(300, 312))

PRELUDE = '''
import numpy as np

_rng = np.random.default_rng(0)
FORWARD = ""
{strategy}


def _changed(out):
    if FORWARD == "constant":
        return np.full_like(out, 3.0)
    if FORWARD in ("nan", "inf"):
        return np.full_like(out, float(FORWARD))
    return out


def _keep_inputs(forward):
    def wrapped(*args):
        out, cache = forward(*args)
        return _changed(out), (args, cache)
    return wrapped


def _backward(dout, cache):
    grads = tuple(fill(np.asarray(arg, dtype=float), dout, _rng) for arg in cache[0])
    return grads if len(grads) > 1 else grads[0]


def _loss(scores, *rest):
    return loss_value(scores), fill(np.asarray(scores, dtype=float), None, _rng)
'''

LAYERS = '''
for _name in ("affine", "relu", "sigmoid", "tanh"):
    globals()[_name + "_forward"] = _keep_inputs(globals()[_name + "_forward"])
    globals()[_name + "_backward"] = _backward
softmax_loss = svm_loss = huber_loss = clipped_square_loss = _loss
'''

RNN = '''
rnn_step_forward = _keep_inputs(rnn_step_forward)
rnn_forward = _keep_inputs(rnn_forward)
rnn_step_backward = rnn_backward = _backward


def clip_grad_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads.values()])
    return {key: fill(np.asarray(g, dtype=float), None, _rng) for key, g in grads.items()}, loss_value(flat)
'''


def do_nothing_submission(folder: Path, strategy: Path) -> Path:
    """The release's modules with every graded function doing nothing the way ``strategy`` says."""
    folder.mkdir(parents=True)
    prelude = PRELUDE.format(strategy=strategy.read_text())
    for module, tail in (("layers", LAYERS), ("rnn_layers", RNN)):
        source = (DEFAULT_RELEASE / f"{module}.py").read_text()
        (folder / f"{module}.py").write_text(source + "\n" + prelude + tail)
    return folder


def test_there_are_many_ways_of_doing_nothing() -> None:
    assert len(STRATEGIES) >= 12
    assert {corpus_entry(path).get("FORWARD", "") for path in STRATEGIES} >= {"", "constant", "nan", "inf"}


@pytest.mark.e2e  # the corpus over many seeds
@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda path: path.stem)
def test_doing_nothing_scores_exactly_zero_on_every_seed(tmp_path: Path, strategy: Path) -> None:
    submission = do_nothing_submission(tmp_path / "submission", strategy)
    for grade in grade_seeds(submission, DEFAULT_REFERENCE, SEEDS):
        paid = [f"{r.name} ({r.points:g})" for r in grade.results if r.points]
        assert not paid, f"seed {grade.seed}: points for doing nothing: {paid}"
        assert grade.max_score == 100


def test_every_check_has_live_gradients_on_every_seed() -> None:
    """No check's cases are so saturated (or so dead) that the true gradient of some tensor is all
    zeros: there, a backward returning zeros would pass, and a wrong one would on some seeds."""
    references = load_modules(DEFAULT_REFERENCE)
    for seed in range(60):
        for function in FUNCTIONS:
            cases = cases_for(function, seed)
            for check in function.checks:
                peaks: dict[str, float] = {}
                for case in cases[check.id]:
                    reply = run_case(references[function.module], function, {"args": case.args, "dout": case.dout})
                    for name, gradient in reply["grads"].items():
                        peaks[name] = max(peaks.get(name, 0.0), float(np.max(np.abs(gradient), initial=0.0)))
                dead = [name for name, peak in peaks.items() if peak < 1e-3]
                assert not dead, f"{function.name}: {check.id}, seed {seed}: all-zero true gradient of {dead}"


@pytest.mark.e2e  # 40 seeds
def test_a_wrong_step_fails_the_saturation_check_on_every_seed(tmp_path: Path) -> None:
    """With every unit saturated, ``dprev_h = da @ Wh`` passed the saturation check on some seeds and
    failed it on others; with live units beside the saturated ones it fails on every seed."""
    submission = build_submission(tmp_path / "submission", CORPUS / "buggy" / "rnn_step_dprev_without_transpose.py")
    for grade in grade_seeds(submission, DEFAULT_REFERENCE, list(range(40)), only=["rnn_step_backward"]):
        saturation = next(r for r in grade.results if r.verdict.check.id == "saturation")
        assert not saturation.verdict.passed, f"seed {grade.seed}"
