"""The provenance reader: measuring submissions are flagged for exactly the functions they name, and no
correct or buggy submission, the reference or the release loses a point to it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import CORPUS, corpus_entry, reference_source

from autograder import DEFAULT_RELEASE
from autograder.provenance import Measured, measured_functions, measured_in_submission
from autograder.spec import FUNCTIONS, MODULES

HONEST = sorted([*(CORPUS / "correct").glob("*.py"), *(CORPUS / "buggy").glob("*.py"),
                 *(CORPUS / "tricky").glob("*.py")])
MEASURED = sorted((CORPUS / "measured").glob("*.py"))


def _submission(path: Path) -> dict[str, str]:
    """The reference with the corpus file appended to its TARGET module (and its LAYERS part to layers)."""
    entry = corpus_entry(path)
    sources = {module: reference_source(module) for module in MODULES}
    sources[entry["TARGET"]] += "\n\n" + path.read_text()
    if "LAYERS" in entry:
        sources["layers"] += "\n\n" + entry["LAYERS"]
    return sources


def _graded(module: str) -> list[str]:
    return [f.name for f in FUNCTIONS if f.module == module]


def test_reference_and_release_are_not_flagged():
    reference = {module: reference_source(module) for module in MODULES}
    release = {module: (DEFAULT_RELEASE / f"{module}.py").read_text() for module in MODULES}
    assert measured_in_submission(reference) == {}
    assert measured_in_submission(release) == {}


@pytest.mark.parametrize("path", HONEST, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_honest_submissions_are_not_flagged(path: Path):
    target = corpus_entry(path)["TARGET"]
    assert measured_functions(path.read_text(), _graded(target), target) == {}, "the file alone"
    assert measured_in_submission(_submission(path)) == {}, "the file in a whole submission"


def test_measured_corpus_is_large_enough():
    assert len(MEASURED) >= 20


@pytest.mark.parametrize("path", MEASURED, ids=lambda p: p.stem)
def test_measuring_submissions_are_flagged_exactly(path: Path):
    flagged = measured_in_submission(_submission(path))
    assert set(flagged) == set(corpus_entry(path)["FLAGGED"].split())
    for name, found in flagged.items():
        assert isinstance(found, Measured) and found.function == name
        assert found.line > 0 and found.module in MODULES
        assert "by hand" in found.reason or "read your backward" in found.reason or "numpy alone" in found.reason


def test_reason_names_the_forward_and_the_step():
    found = measured_in_submission(_submission(CORPUS / "measured" / "sigmoid_centred_forward.py"))
    reason = found["sigmoid_backward"].reason
    assert "sigmoid_forward" in reason and "cache + h" in reason and "2 * h" in reason


def test_rnn_layers_reads_helpers_from_layers():
    path = CORPUS / "measured" / "rnn_helper_from_layers.py"
    sources = _submission(path)
    with_layers = measured_functions(sources["rnn_layers"], _graded("rnn_layers"), "rnn_layers",
                                     {"layers": sources["layers"]})
    assert with_layers["rnn_step_backward"].module == "layers"
    alone = measured_functions(sources["rnn_layers"], _graded("rnn_layers"), "rnn_layers")
    assert "rnn_step_backward" not in alone


def test_unparsable_source_gives_no_findings():
    assert measured_functions("def relu_backward(:\n", ["relu_backward"], "layers") == {}


def test_one_module_is_read_quickly():
    source = reference_source("layers") + "\n\n" + (CORPUS / "measured" / "affine_flat_loop_finfo.py").read_text()
    start = time.perf_counter()
    measured_functions(source, _graded("layers"), "layers")
    assert time.perf_counter() - start < 0.05
