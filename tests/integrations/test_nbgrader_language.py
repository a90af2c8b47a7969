"""The nbgrader passes' course setting for the language students read (``language`` in nbgrader_config.py)."""

from __future__ import annotations

import pytest

layer_cells = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
answer_cells = pytest.importorskip("autograder.integrations.nbgrader.answer_cells")

from autograder import KIT_ROOT  # noqa: E402
from autograder.core.language import UnknownLanguageError  # noqa: E402


@pytest.mark.parametrize("pass_", [layer_cells.GradeLayersFirst, layer_cells.TrustedLayerGrades])
def test_the_course_setting_decides_and_else_the_reader_s_environment(pass_, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("BACKPROP_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    assert pass_(language="vi").reader_language() == "vi"
    assert pass_().reader_language() == "en"
    monkeypatch.setenv("BACKPROP_LANG", "vi")
    assert pass_().reader_language() == "vi"
    assert pass_(language="en").reader_language() == "en"  # the course's setting wins
    with pytest.raises(UnknownLanguageError):
        pass_(language="xx").reader_language()


def test_the_course_config_sets_the_language_on_every_pass_that_writes() -> None:
    config = (KIT_ROOT / "nbgrader_config.py").read_text()
    for pass_ in ("GradeLayersFirst", "TrustedLayerGrades", "TrustedAnswerGrades"):
        assert f"c.{pass_}.language = " in config
    assert "language" in answer_cells.TrustedAnswerGrades.class_trait_names()
