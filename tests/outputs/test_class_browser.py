"""The class report in a real browser: headless Chromium at a phone's width and a laptop's.

A class of 300 generated students (each check failed by a share of them, named mistakes, hostile
folder names, a group of similar work), rendered as class.html: a screenshot at each width (copied to
/tmp/class-report.png and /tmp/class-report-phone.png, to look at) that must not be blank, and a test-only
copy of the page, measured in a frame of the window's size: nothing may be wider than the window.
"""

from __future__ import annotations

import html
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from test_class_report import CATALOGUE, HOSTILE, write_class
from test_html_browser import LAPTOP, MEASURE, PHONE, _browse, _pixels

from autograder.outputs.class_report import CLASS_HTML, write_class_report

pytestmark = pytest.mark.e2e  # a real browser: a few seconds

FAILING = {  # (function, check id) -> the share of the class failing it, and the mistakes they match
    ("sigmoid_backward", "saturation"): (0.55, ["sigmoid_overflowing_formula", "sigmoid_derivative_of_preactivation"]),
    ("tanh_backward", "saturation"): (0.3, ["tanh_applied_twice"]),
    ("relu_backward", "dead_units"): (0.2, ["relu_inverted_mask"]),
    ("affine_backward", "square_weights"): (0.25, ["affine_dw_transposed"]),
    ("rnn_backward", "exploding"): (0.45, ["rnn_assign_instead_of_accumulate"]),
    ("rnn_backward", "vanishing"): (0.4, ["rnn_assign_instead_of_accumulate"]),
    ("clipped_square_loss", "beyond_delta"): (0.15, []),
    ("softmax_loss", "large_scores"): (0.35, ["softmax_unstable"]),
}
SIMILAR = [{"students": ["s017", "s018", HOSTILE[1]],
            "evidence": ["layers.py: 212 of 230 lines the same, comments included",
                         "rnn_layers.py: the same unusual variable names (dh_prev_acc, dWh_sum)"]}]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chance = random.Random(7)
    students = {}
    for number in range(300):
        name = HOSTILE[number] if number < len(HOSTILE) else f"s{number:03d}"
        weak = chance.random()  # some students fail more than others
        students[name] = {key: chance.sample(mistakes, k=min(1, len(mistakes)))
                          for key, (share, mistakes) in FAILING.items() if chance.random() < share * (0.5 + weak)}
    graded = write_class(tmp_path_factory.mktemp("class") / "graded", students)
    write_class_report(graded, CATALOGUE, lambda _: SIMILAR)
    return graded / CLASS_HTML


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_the_class_page_renders_as_a_real_picture(page: Path, tmp_path: Path, name: str,
                                                  size: tuple[int, int]) -> None:
    shot = tmp_path / f"{name}.png"
    _browse(tmp_path, size, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, "no screenshot, or a blank one"
    shutil.copyfile(shot, "/tmp/class-report.png" if name == "laptop" else "/tmp/class-report-phone.png")
    pixels = _pixels(shot.read_bytes())
    assert pixels.shape[:2] == (size[1], size[0])
    colours, counts = np.unique(pixels[..., :3].reshape(-1, 3), axis=0, return_counts=True)
    assert len(colours) > 50, "a page of a few flat colours: nothing drawn"
    assert 1 - counts.max() / counts.sum() > 0.05, "nearly all background"


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_nothing_on_the_class_page_is_wider_than_the_window(page: Path, tmp_path: Path, name: str,
                                                            size: tuple[int, int]) -> None:
    copy = page.read_text().replace("</body>", MEASURE + "</body>")
    harness = tmp_path / "measured.html"
    harness.write_text(f'<!DOCTYPE html><html><body><pre id="measured">not measured</pre><iframe width="{size[0]}" '
                       f'height="{size[1]}" srcdoc="{html.escape(copy, quote=True)}"></iframe></body></html>')
    dom = _browse(tmp_path, size, "--dump-dom", "--virtual-time-budget=2000", harness.as_uri()).stdout
    found = re.search(r'<pre id="measured">(\d+) (\d+)</pre>', dom)
    assert found, dom[-2000:]
    scroll_width, inner_width = int(found.group(1)), int(found.group(2))
    assert inner_width == size[0], "the frame is not as wide as the window"
    assert scroll_width <= inner_width, f"{name}: the page is {scroll_width} px wide in a window of {inner_width}"
