"""The grader sees an in-place change itself: inputs of the no-mutation checks live in shared memory
that the grader reads back after the reply, so rebinding the kit's helpers in the child hides
nothing. Each attack keeps its values right, so it loses exactly the no-mutation point."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import build_submission, scores_by_function

from autograder import DEFAULT_REFERENCE
from autograder.grading.grade import grade
from autograder.sandbox.host import current
from autograder.sandbox.observed import SharedInputs, attach

pytestmark = pytest.mark.skipif(not current().landlock, reason="needs Landlock (Linux >= 5.13)")

HIDE = '''
import autograder.core.calling as _execute

def _always(*args, **kwargs):
    return True

_execute._array_equal = _always
_execute._same = _always
_execute._shares_memory = lambda *args, **kwargs: False
'''

ATTACKS = {
    "relu_backward": ("layers", '''
def relu_backward(dout, cache):
    x = cache
    dout[x <= 0] = 0
    return dout
''', r"modified dout in place"),
    "affine_backward": ("layers", '''
def affine_backward(dout, cache):
    x, w, b = cache
    flat = x.reshape(x.shape[0], -1)
    dx, dw, db = (dout @ w.T).reshape(x.shape), flat.T @ dout, dout.sum(axis=0)
    x *= 0.0  # frees nothing, but the caller's x is gone
    return dx, dw, db
''', r"modified x(, cache)? in place"),
    "softmax_loss": ("layers", '''
def softmax_loss(x, y):
    x -= x.max(axis=1, keepdims=True)
    x -= np.log(np.exp(x).sum(axis=1, keepdims=True))
    p = np.exp(x)
    n = x.shape[0]
    loss = -x[np.arange(n), y].mean()
    p[np.arange(n), y] -= 1
    return loss, p / n
''', r"modified x in place"),
    "clip_grad_norm": ("rnn_layers", '''
def clip_grad_norm(grads, max_norm):
    total = np.sqrt(sum(float(np.sum(g ** 2)) for g in grads.values()))
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / total
    return {k: g.copy() for k, g in grads.items()}, total
''', r"modified grads\['W1'\] in place|modified .*grads"),
}


@pytest.mark.parametrize("hidden", [False, True], ids=["plain", "helpers rebound"])
@pytest.mark.parametrize("function", sorted(ATTACKS))
def test_in_place_change_is_seen_by_the_grader(tmp_path: Path, function: str, hidden: bool) -> None:
    module, code, expect = ATTACKS[function]
    attack = tmp_path / "attack.py"
    attack.write_text(f'TARGET = "{module}"\n' + (HIDE if hidden else "") + code)
    submission = build_submission(tmp_path / "submission", attack)
    result = grade(submission, DEFAULT_REFERENCE, seed=11)
    scores = scores_by_function(result)
    for name, (got, most) in scores.items():
        assert got == (most - 1 if name == function else most), (name, got, most)
    lost = next(r for r in result.results if r.verdict.function.name == function and not r.points)
    assert lost.verdict.check.id == "leaves_inputs_unchanged"

    assert re.search(expect, " ".join(f.message for f in lost.verdict.findings)), lost.verdict.findings


def test_the_memory_is_sealed_at_its_size() -> None:
    requests = {"f": [{"args": {"x": np.arange(6.0)}, "dout": np.ones(6), "observe": True},
                      {"args": {"x": np.zeros(2)}, "dout": None}]}
    with SharedInputs(requests) as shared:

        with pytest.raises(PermissionError):
            os.ftruncate(shared.fd, 0)
        assert "shared" not in requests["f"][0]  # the caller's requests are left as they were
        message = {"requests": shared.requests, "shared_fd": shared.fd}
        attach(message)
        view = message["requests"]["f"][0]["args"]["x"]
        assert shared.changed("f") == [[], []]
        view[3] = 99.0
        message["requests"]["f"][0]["dout"][0] = 2.0
        assert shared.changed("f") == [["x", "dout"], []]


SPARES_THE_WATCHED_CASE = '''
def relu_backward(dout, cache):
    x = cache
    if x.shape != (3, 4):  # the shape of the no-mutation case, read in cases.py
        dout[x <= 0] = 0
        return dout
    return dout * (x > 0)
'''

LOOKS_FOR_COPIES = '''
SEEN = []

def relu_backward(dout, cache):
    x = cache
    SEEN.append(dout.flags.owndata)
    if any(SEEN):  # only some cases handed a private copy: behave only where watched
        dout[x <= 0] = 0
        return dout
    return dout * (x > 0)
'''


def test_sparing_the_watched_case_is_seen_in_the_others(tmp_path: Path) -> None:
    """Every case's inputs are watched, so code that recognises the no-mutation case (by its shape)
    and leaves only it alone still loses that check, and only it."""
    attack = tmp_path / "attack.py"
    attack.write_text('TARGET = "layers"\n' + SPARES_THE_WATCHED_CASE)
    result = grade(build_submission(tmp_path / "submission", attack), DEFAULT_REFERENCE, seed=11)
    scores = scores_by_function(result)
    assert scores["relu_backward"] == (6.0, 7.0)
    assert result.score == result.max_score - 1
    lost = next(r for r in result.results if r.verdict.function.name == "relu_backward" and not r.points)
    assert lost.verdict.check.id == "leaves_inputs_unchanged"
    assert re.search(r"modified dout in place", " ".join(f.message for f in lost.verdict.findings))


def test_every_case_gets_the_same_kind_of_inputs(tmp_path: Path) -> None:
    """No case is handed a private copy while another gets watched memory: code cannot tell them apart."""
    attack = tmp_path / "attack.py"
    attack.write_text('TARGET = "layers"\n' + LOOKS_FOR_COPIES)
    result = grade(build_submission(tmp_path / "submission", attack), DEFAULT_REFERENCE, seed=11)
    assert result.score == result.max_score
