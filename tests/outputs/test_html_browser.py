"""The HTML report in a real browser: headless Chromium at a phone's width and a laptop's.

It renders the student's page of a failing submission (a transposed dw, a Huber gradient of the wrong
sign, a clipped-square gradient N times too large, a crash on a very long source line, and a wide
3 x 300 tensor), in English and in Vietnamese, takes a screenshot at each width (copied to
/tmp/html-report-phone.png, /tmp/html-report-laptop.png and their -vi twins, to look at), and measures the
layout with a test-only copy of the page that has a small script, in a frame of the window's size:
nothing may be wider than the window. The Vietnamese page's text, as the browser read it, keeps its
diacritics whole (NFC, nothing replaced).
Chromium is Debian's package; ``make test`` installs it (the Makefile's ``browser`` target).
"""

from __future__ import annotations

import dataclasses
import html
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from pathlib import Path

import numpy as np
import pytest
from helpers import CORPUS, build_submission

from autograder import DEFAULT_REFERENCE
from autograder.core.numeric import OFF, RIGHT
from autograder.core.text import T_
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
from autograder.outputs.html_report import render_html

pytestmark = pytest.mark.e2e  # a real browser: a few seconds

CHROMIUM = Path("/usr/bin/chromium")
PHONE, LAPTOP = (390, 844), (1280, 900)
SECONDS = 90
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LONG_LINE = '''

def sigmoid_backward(dout, cache):
    return dout * cache * (1 - cache) * {name}
'''.format(name="a_name_nobody_defined_" * 14)  # one word of 300 characters: it must wrap anywhere
# The test's own script, in a copy of the page: how wide the page is, and how wide its window.
MEASURE = ('<script>parent.document.getElementById("measured").textContent = '
           'document.documentElement.scrollWidth + " " + window.innerWidth;</script>')


def _chromium() -> Path:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run make test (or make browser), which installs Debian's chromium")
    return CHROMIUM


def _browse(tmp_path: Path, size: tuple[int, int], *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{size[0]}"
    command = [str(_chromium()), *FLAGS, f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", *args]
    process = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS, stdin=subprocess.DEVNULL)
    assert process.returncode == 0, process.stderr[-2000:]
    return process


def _wide_function() -> FunctionFeedback:
    """A tensor of 3 x 300 elements with one column wrong (no graded function's cases are that big)."""
    pattern = np.full((3, 300), RIGHT, dtype=np.int8)
    pattern[:, 211] = OFF
    size = np.where(pattern == OFF, 0.3, 0.0)
    picture = Picture("dx", (3, 300), pattern, size, (1, 211), (1, 211))
    case = CaseFeedback("a wide batch", ("dx is wrong in 3 of 900 elements; the worst is dx[1, 211]",), (picture,))
    check = CheckFeedback("a wide tensor", 0.0, 1.0, False, (case,))
    return FunctionFeedback("wide_backward", "layers", "layers.py", 0.0, 1.0, "", (check,))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Grade:
    buggy = CORPUS / "buggy"
    folder = build_submission(tmp_path_factory.mktemp("student") / "submission", buggy / "affine_dw_transposed.py",
                              buggy / "huber_sign_flipped.py", buggy / "clipped_no_mean.py")
    (folder / "layers.py").write_text((folder / "layers.py").read_text() + LONG_LINE)
    return grade(folder, DEFAULT_REFERENCE, 3, only=("affine_backward", "sigmoid_backward", "huber_loss",
                                                    "clipped_square_loss", "relu_backward"))


@pytest.fixture(scope="module", params=["en", "vi"])
def feedback(graded: Grade, request: pytest.FixtureRequest) -> Feedback:
    shown = build_feedback(graded, Audience.STUDENT, request.param)
    return dataclasses.replace(shown, functions=(*shown.functions, _wide_function()))


def _write(page: Path, text: str) -> Path:
    page.write_text(text, encoding="utf-8")  # the page says it is UTF-8, whatever this machine's locale
    return page


def _pixels(png: bytes) -> np.ndarray:
    """An 8-bit, non-interlaced RGB or RGBA PNG (as Chromium writes them) as (height, width, channels)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    chunks, position = {}, 8
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        chunks[kind] = chunks.get(kind, b"") + png[position + 8:position + 8 + length]
        position += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(height, 1 + width * channels)
    rows = np.zeros((height, width * channels), np.int64)
    above = np.zeros(width * channels, np.int64)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int64)
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + above) & 255
        else:  # Sub, Average, Paeth: each byte depends on the one to its left
            row = np.zeros_like(line)
            for x in range(len(line)):
                left = row[x - channels] if x >= channels else 0
                corner = above[x - channels] if x >= channels else 0
                if kind == 1:
                    guess = left
                elif kind == 3:
                    guess = (left + above[x]) // 2
                else:
                    p = left + above[x] - corner
                    guess = min((abs(p - left), 0, left), (abs(p - above[x]), 1, above[x]),
                                (abs(p - corner), 2, corner))[2]
                row[x] = (line[x] + guess) & 255
        rows[y], above = row, row
    return rows.reshape(height, width, channels).astype(np.uint8)


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_the_page_renders_as_a_real_picture(feedback: Feedback, tmp_path: Path, name: str,
                                            size: tuple[int, int]) -> None:
    page = _write(tmp_path / "report.html", render_html(feedback))
    shot = tmp_path / f"{name}.png"
    _browse(tmp_path, size, f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, "no screenshot, or a blank one"
    shutil.copyfile(shot, f"/tmp/html-report-{name}{'' if feedback.language == 'en' else '-' + feedback.language}.png")
    pixels = _pixels(shot.read_bytes())
    assert pixels.shape[:2] == (size[1], size[0])
    colours, counts = np.unique(pixels[..., :3].reshape(-1, 3), axis=0, return_counts=True)
    assert len(colours) > 50, "a page of a few flat colours: nothing drawn"
    assert 1 - counts.max() / counts.sum() > 0.05, "nearly all background"


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_nothing_is_wider_than_the_window(feedback: Feedback, tmp_path: Path, name: str,
                                          size: tuple[int, int]) -> None:
    """The page is never scrolled sideways: its long word, its long source line and its 3 x 300 tensor
    all fit. (The script is the test's, added to a copy of the page; the report itself has none.)"""
    page = render_html(feedback)
    assert "a_name_nobody_defined_" * 14 in page
    assert feedback.say(T_("each square is the worst of {blocks}", blocks=T_("{count} columns", count=5))) in page
    # Headless Chromium lays a --dump-dom page out at least 500 px wide, whatever the window: the copy is
    # measured in a frame of exactly the window's size.
    copy = page.replace("</body>", MEASURE + "</body>")
    harness = _write(tmp_path / "measured.html",
                     f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><pre id="measured">not measured'
                     f'</pre><iframe width="{size[0]}" height="{size[1]}" srcdoc="{html.escape(copy, quote=True)}">'
                     f'</iframe></body></html>')
    dom = _browse(tmp_path, size, "--dump-dom", "--virtual-time-budget=2000", harness.as_uri()).stdout
    found = re.search(r'<pre id="measured">(\d+) (\d+)</pre>', dom)
    assert found, dom[-2000:]
    scroll_width, inner_width = int(found.group(1)), int(found.group(2))
    assert inner_width == size[0], "the frame is not as wide as the window"
    assert scroll_width <= inner_width, f"{name}: the page is {scroll_width} px wide in a window of {inner_width}"


def test_the_vietnamese_page_keeps_its_words_whole(graded: Grade, tmp_path: Path) -> None:
    """The browser reads the Vietnamese page as written: lang="vi", every diacritic precomposed (NFC) and
    none replaced, and the words the report says (its score line, its check titles) in the page's text."""
    shown = build_feedback(graded, Audience.STUDENT, "vi")
    page = _write(tmp_path / "report.html", render_html(shown))
    dom = html.unescape(_browse(tmp_path, PHONE, "--dump-dom", page.as_uri()).stdout)
    assert re.search(r'<html lang="vi"', dom), dom[:300]
    text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", dom, flags=re.S)
    assert "\ufffd" not in text and "Ã" not in text, "a character was misread"
    assert unicodedata.is_normalized("NFC", text)
    assert "điểm" in text and "trường hợp" in text
    titles = [check.title for function in shown.functions for check in function.checks]
    assert titles and all(html.unescape(title) in text for title in titles)
