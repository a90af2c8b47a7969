"""The HTML report: every text a student chose shows as text, never as markup; each wrong tensor gets a
picture whose colours tell its mistake apart (one column wrong, everything scaled, the sign flipped).

The attack comes first: a feedback whose every text is hostile, and a real submission whose source
line, printed output and folder name are. The page must hold only the tags, attributes and style
the kit writes (``helpers.assert_kit_html`` parses it as a browser would).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, assert_kit_html, build_submission, reference_source

from autograder import DEFAULT_REFERENCE
from autograder.core.numeric import FLIPPED, NOT_FINITE, OFF, RIGHT, UNCHECKED
from autograder.grading.grade import Grade, grade
from autograder.outputs.feedback import (
    Audience,
    CaseFeedback,
    CheckFeedback,
    Feedback,
    FunctionFeedback,
    Picture,
    build_feedback,
)
from autograder.outputs.html_report import (
    CELL,
    MAX_CELLS,
    RAMPS,
    RIGHT_FILL,
    coarse,
    function_html,
    html_report,
    picture_html,
    render_html,
)

ATTACK = ('</pre></style></code><script>alert(1)</script>"><img src=x onerror=alert(2)>'
          "'><svg onload=alert(3)><a href=\"javascript:alert(4)\">click</a><style>body{display:none}</style>"
          "\u202e001 / 001\u202c\u200b<!-- -->&amp;")
SHOWN = ('</pre></style></code><script>alert(1)</script>"><img src=x onerror=alert(2)>'
         "'><svg onload=alert(3)><a href=\"javascript:alert(4)\">click</a>")  # the attack, as plain text


def _picture(pattern: np.ndarray, size: float = 0.5, tensor: str = "dx") -> Picture:
    bad = np.argwhere(pattern != RIGHT)
    cell = tuple(int(i) for i in bad[0]) if len(bad) else (0, 0)
    return Picture(tensor, pattern.shape, pattern.astype(np.int8), np.where(pattern == RIGHT, 0.0, size), cell,
                   (cell[0], cell[1]))


def _hostile_feedback(audience: Audience) -> Feedback:
    """Every text of a feedback hostile, as no real grade gives it (the renderer escapes them all alike)."""
    pattern = np.array([[RIGHT, OFF, FLIPPED], [NOT_FINITE, UNCHECKED, OFF]])
    case = CaseFeedback(ATTACK, (ATTACK, ATTACK + " 2"), (_picture(pattern, tensor=ATTACK),))
    check = CheckFeedback(ATTACK, 0.0, 3.0, False, (case,), (ATTACK,))
    function = FunctionFeedback(ATTACK, "layers", ATTACK, 0.0, 3.0, "", (check,), (ATTACK,))
    summary = FunctionFeedback(ATTACK, "rnn_layers", ATTACK, 0.0, 2.0, ATTACK)
    return Feedback(audience, 0.0, 5.0, (ATTACK, ATTACK), {"rnn_layers": ATTACK}, (function, summary),
                    {"layers": ATTACK + "\n" + ATTACK}, 0.1)


@pytest.mark.parametrize("audience", list(Audience))
def test_hostile_texts_show_as_text_and_write_no_markup(audience: Audience) -> None:
    feedback = _hostile_feedback(audience)
    page = render_html(feedback)
    text = "".join(assert_kit_html(page).text)
    assert text.count(SHOWN) >= 10  # every field, shown as what it is
    fragment = function_html(feedback.functions[0], [ATTACK])
    assert SHOWN in "".join(assert_kit_html(fragment, fragment=True).text)
    assert "javascript:" not in "".join(re.findall(r'href="[^"]*"', page))


HOSTILE_LAYERS = f'''

def relu_backward(dout, cache):
    print({ATTACK!r})
    return dout * "</style><script>alert(5)</script>\u202e" + cache  # the crash quotes this line
'''


@pytest.fixture(scope="module")
def hostile_grade(tmp_path_factory: pytest.TempPathFactory) -> Grade:
    """A real submission: its folder's name, its source line and what it printed are the attack."""
    folder = build_submission(tmp_path_factory.mktemp("student") / '"><img src=x onerror=alert(6)>\u202e')
    (folder / "layers.py").write_text(reference_source("layers") + HOSTILE_LAYERS)
    return grade(folder, DEFAULT_REFERENCE, 5, only=("relu_backward", "sigmoid_backward"))


def test_a_real_hostile_submission_writes_no_markup(hostile_grade: Grade) -> None:
    assert hostile_grade.score < hostile_grade.max_score
    ta = "".join(assert_kit_html(html_report(hostile_grade, Audience.TA)).text)
    assert SHOWN in ta and "(shown, never trusted)" in ta  # what it printed
    assert '"><img src=x onerror=alert(6)>' in ta  # the folder it named
    student = "".join(assert_kit_html(html_report(hostile_grade)).text)
    assert "</style><script>alert(5)</script>" in student  # its own source line, quoted
    assert "never trusted" not in student
    for function in build_feedback(hostile_grade, Audience.STUDENT).functions:
        assert_kit_html(function_html(function, ["lead"]), fragment=True)


# ---------------------------------------------------------------------------------------------
# Pictures


def _fills(svg: str) -> list[str]:
    """The colours of a picture's squares (not the worst one's outline, which has no fill)."""
    return re.findall(r'<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="(#[0-9a-f]{6}|url[^"]*)"',
                      svg)


def _ramp(fill: str, kind: int) -> bool:
    """Whether ``fill`` is on ``kind``'s colour ramp (between its light and dark colours)."""
    rgb = np.array([int(fill[i:i + 2], 16) for i in (1, 3, 5)])
    light, dark = (np.array(colour) for colour in RAMPS[kind])
    t = float(np.dot(rgb - light, dark - light) / np.dot(dark - light, dark - light))
    return 0 <= t <= 1 and bool(np.all(np.abs(light + t * (dark - light) - rgb) <= 2))


def test_a_wide_tensor_fits_and_keeps_its_one_wrong_column() -> None:
    pattern = np.zeros((3, 300), dtype=np.int8)
    pattern[:, 137] = OFF
    picture = _picture(pattern)
    shown, size, step = coarse(picture)
    assert shown.shape == (3, MAX_CELLS) and step == (1, 5)
    assert np.array_equal(np.flatnonzero(shown.any(axis=0)), [137 // 5]) and np.all(shown[:, 27] == OFF)
    figure = picture_html(picture, "wide")
    assert f'viewBox="0 0 {MAX_CELLS * CELL} {3 * CELL}"' in figure
    assert "each square is the worst of 5 columns; rows are the first axis" in figure and "shape (3, 300)" in figure
    fills = _fills(figure)
    assert len(fills) == 3 * MAX_CELLS and sum(_ramp(fill, OFF) for fill in fills) == 3


def test_the_worst_of_a_block_wins() -> None:
    pattern = np.full((1, 120), RIGHT, dtype=np.int8)
    pattern[0, [0, 1, 2, 3]] = [UNCHECKED, OFF, FLIPPED, NOT_FINITE]
    shown, _, step = coarse(_picture(pattern))
    assert step == (1, 2) and list(shown[0, :3]) == [OFF, NOT_FINITE, RIGHT]


def test_each_kind_has_its_own_colour() -> None:
    pattern = np.array([[RIGHT, OFF, FLIPPED, NOT_FINITE, UNCHECKED]])
    figure = picture_html(_picture(pattern))
    right, off, flipped, nan, unchecked = _fills(figure)
    assert _ramp(off, OFF) and _ramp(flipped, FLIPPED) and not _ramp(off, FLIPPED)
    assert len({right, off, flipped, nan, unchecked}) == 5 and unchecked == "url(#bk-hatch)"
    for words in ("right, or close (1)", "wrong (darker: further off) (1)", "wrong sign (1)", "NaN or inf (1)",
                  "not checked (next to a kink) (1)", "the worst"):
        assert words in figure
    assert 'stroke="#000000"' in figure  # the worst square, outlined


@pytest.fixture(scope="module")
def buggy_feedback(tmp_path_factory: pytest.TempPathFactory) -> Feedback:
    """dw transposed, a Huber gradient of the wrong sign, a clipped-square gradient N times too large."""
    buggy = CORPUS / "buggy"
    folder = build_submission(tmp_path_factory.mktemp("buggy"), buggy / "affine_dw_transposed.py",
                              buggy / "huber_sign_flipped.py", buggy / "clipped_no_mean.py")
    result = grade(folder, DEFAULT_REFERENCE, 3, only=("affine_backward", "huber_loss", "clipped_square_loss"))
    return build_feedback(result, Audience.STUDENT)


def _section(page: str, name: str) -> str:
    """A function's section of the page (not its line in the overview at the top)."""
    start = re.search(rf'<section class="bk-fn[^>]*><h3><span><span class="bk-\w+">.</span> '
                      rf'<span class="bk-name">{name}</span>', page)
    assert start is not None, name
    return page[start.start():page.index("</section>", start.start())]


def test_the_sign_flipped_and_the_scaled_look_different_at_a_glance(buggy_feedback: Feedback) -> None:
    page = render_html(buggy_feedback)
    assert_kit_html(page)
    flipped, scaled = _fills(_section(page, "huber_loss")), _fills(_section(page, "clipped_square_loss"))
    assert flipped and scaled
    assert all(_ramp(fill, FLIPPED) for fill in flipped), flipped
    off = [fill for fill in scaled if _ramp(fill, OFF)]
    assert set(scaled) - set(off) <= {RIGHT_FILL} and len(off) > len(scaled) / 2, scaled  # right where 0
    assert "wrong sign" in _section(page, "huber_loss") and "looks like:" in _section(page, "clipped_square_loss")


def test_the_page_shows_everything_the_text_report_does(buggy_feedback: Feedback) -> None:
    text = "".join(assert_kit_html(render_html(buggy_feedback)).text)
    assert f"{buggy_feedback.score:g} / {buggy_feedback.max_score:g}" in text
    for fact in buggy_feedback.facts:
        assert fact in text
    for function in buggy_feedback.functions:
        assert function.name in text and f"{function.points:g} / {function.max_points:g}" in text
        for check in function.checks:
            assert check.title in text and ("✓" if check.passed else "✗") in text
            for line in check.lines():
                assert line in text
        for note in function.notes:
            assert f"note: {note}" in text


def test_a_few_pictures_per_check(buggy_feedback: Feedback, tmp_path: Path) -> None:
    for function in buggy_feedback.functions:
        for check in function.checks:
            figures = function_html(FunctionFeedback(function.name, function.module, function.file, 0, 1, "",
                                                     (check,))).count("<figure>")
            assert figures <= 2
            assert figures >= 1 or check.passed or not any(case.pictures for case in check.cases)
