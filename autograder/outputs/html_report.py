"""The HTML report: a ``Feedback`` (``feedback``) as one self-contained page, for a phone or a laptop.

The page fetches nothing and runs nothing: the style is inline, each picture is inline SVG, and
there is no script. Nothing is wider than the screen: text wraps anywhere it must (a long source
line, a long word), and each picture scales to the width (an SVG ``viewBox``).

Nearly every text on it can come from the student: a crash quotes their source line, a module
problem quotes their error, the TA's page shows what their code printed and the folder they named.
Every text goes through ``printable`` (no control, bidirectional or zero-width character) and
``html.escape`` on its way in, and nothing a student wrote ever becomes a tag, an attribute or a
style: the page's tags, attributes and colours are all the kit's own, and its ids are numbers.

A picture shows one wrong tensor of one case: a square per element, rows for its first axis and
columns for the others flattened, coloured by ``Picture.pattern`` (right, off, sign flipped, NaN or
inf, not checked), with the worst element outlined. A tensor with more than MAX_CELLS rows or columns
shows the worst of each block of them, and its caption says so.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import numpy as np

from autograder.core.language import N_
from autograder.core.numeric import FLIPPED, NOT_FINITE, OFF, RIGHT, UNCHECKED
from autograder.core.printable import printable
from autograder.core.spec import MODULES
from autograder.core.text import ENGLISH, T_, Say, Text, joined
from autograder.grading.grade import Grade
from autograder.outputs.feedback import (
    Audience,
    CheckFeedback,
    Feedback,
    FunctionFeedback,
    Picture,
    build_feedback,
)

MAX_CELLS = 60  # squares a picture shows across (and down); more are shown as the worst of each block
PICTURES_PER_CHECK = 2  # pictures of the first case that has them: enough to see the pattern
CELL = 20  # a square's side in the picture's own units (pixels at its natural size), gap included
GAP = 4  # between squares; the worst square's outline is drawn in it
PRINTED_LINES = 40
PRINTED_CHARACTERS = 20_000
BY = N_(" by ")  # "2 rows by 3 columns"

# Colours (the kit's own constants; nothing else becomes an attribute or a style).
RIGHT_FILL = "#ececea"
NOT_FINITE_FILL = "#111111"
WORST_STROKE = "#000000"
# OFF and FLIPPED: from the light colour (barely off) to the dark one (off by the largest |expected|).
RAMPS = {OFF: ((253, 208, 162), (205, 70, 0)), FLIPPED: ((218, 210, 238), (84, 39, 143))}
HATCH = "bk-hatch"
# Worst first, when a block of elements shows as one square.
_SEVERITY = np.array([0.0, 2.0, 3.0, 4.0, 1.0])  # indexed by RIGHT, OFF, FLIPPED, NOT_FINITE, UNCHECKED

LEGEND = {RIGHT: T_("right, or close"), OFF: T_("wrong (darker: further off)"), FLIPPED: T_("wrong sign"),
          NOT_FINITE: T_("NaN or inf"), UNCHECKED: T_("not checked (next to a kink)")}

CSS = """
.bk { color: #1c1c1e; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  overflow-wrap: anywhere; }
.bk * { box-sizing: border-box; }
.bk h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
.bk h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
.bk h3 { font-size: 1rem; margin: 0; display: flex; flex-wrap: wrap; justify-content: space-between;
  gap: .25rem .75rem; align-items: baseline; }
.bk p, .bk ul { margin: .35rem 0; }
.bk code, .bk pre, .bk .bk-name { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: .92em; }
.bk pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f3f3f1; padding: .6rem;
  border-radius: 6px; margin: .4rem 0; }
.bk-score { font-size: 2.2rem; font-weight: 700; margin: .2rem 0; }
.bk-score small { font-size: .9rem; font-weight: 400; color: #5f5f63; }
.bk-facts { color: #5f5f63; font-size: .9rem; }
.bk-overview { display: grid; gap: .15rem .9rem;
  grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); }
.bk-overview a { color: inherit; text-decoration: none; display: flex; justify-content: space-between;
  gap: .5rem; padding: .1rem 0; border-bottom: 1px dotted #c9c9c6; }
.bk-fn { background: #ffffff; border: 1px solid #deded9; border-radius: 10px; padding: .7rem .8rem;
  margin: .6rem 0; }
.bk-fn.bk-passed { padding: .45rem .8rem; }
.bk-pts { font-variant-numeric: tabular-nums; white-space: nowrap; font-weight: 600; }
.bk-passed .bk-pts, .bk-ok { color: #1a7f37; }
.bk-failed .bk-pts, .bk-bad { color: #b42318; }
.bk-check { border-top: 1px solid #ececea; padding-top: .45rem; margin-top: .45rem; }
.bk-check-title { font-weight: 600; }
.bk-check-title .bk-pts { font-weight: 400; color: #5f5f63; }
.bk-findings { padding-left: 1.1rem; }
.bk-findings li { white-space: pre-wrap; margin: .2rem 0; }
.bk-mistake { background: #fff4e5; border-left: 4px solid #e07b00; padding: .35rem .6rem;
  border-radius: 4px; }
.bk-note, .bk-summary { background: #eef4fc; border-left: 4px solid #0a66d8; padding: .35rem .6rem;
  border-radius: 4px; }
.bk-problem { background: #fdecea; border-left: 4px solid #b42318; padding: .35rem .6rem;
  border-radius: 4px; white-space: pre-wrap; }
.bk figure { margin: .5rem 0 .7rem; }
.bk-pic { display: block; max-width: 100%; height: auto; }
.bk figcaption { font-size: .85rem; color: #5f5f63; margin-top: .25rem; }
.bk ul.bk-legend, .bk ul.bk-overview { list-style: none; padding: 0; }
.bk ul.bk-legend > li, .bk ul.bk-overview > li { list-style: none; margin: 0; }
.bk-legend { display: flex; flex-wrap: wrap; gap: .1rem .9rem;
  font-size: .85rem; color: #3a3a3c; margin: .3rem 0 0; }
.bk-sw { display: inline-block; width: .8rem; height: .8rem; vertical-align: -.1rem; margin-right: .3rem;
  border-radius: 2px; }
.bk-sw-0 { background: #ececea; }
.bk-sw-1 { background: linear-gradient(90deg, #fdd0a2, #cd4600); }
.bk-sw-2 { background: linear-gradient(90deg, #dad2ee, #54278f); }
.bk-sw-3 { background: #111111; }
.bk-sw-4 { background: repeating-linear-gradient(45deg, #ffffff 0 2px, #b8b8b4 2px 3px);
  outline: 1px solid #d6d6d2; }
.bk-sw-worst { outline: 2px solid #000000; outline-offset: -2px; background: #ffffff; }
"""

PAGE_CSS = """
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #f6f6f3; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem .85rem 2.5rem; }
@media (max-width: 30rem) { .bk { font-size: 15px; } .bk-fn { padding: .6rem .6rem; } }
"""


def _text(value: object) -> str:
    """Any text for the page: its hidden characters out (``printable``), then escaped, quotes included."""
    return html.escape(printable(str(value)), quote=True)


def _points(value: float) -> str:
    return f"{value:g}"


# ---------------------------------------------------------------------------------------------
# Pictures


def coarse(picture: Picture, limit: int = MAX_CELLS) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The picture's ``pattern`` and ``size`` (both (rows, columns)) with at most ``limit`` rows and
    columns: each block of (row step, column step) elements shows as its worst (NaN or inf, then sign
    flipped, then off by the most, then not checked). Returns (pattern, size, (row step, column step))."""
    pattern = picture.pattern.astype(np.int64)
    size = np.clip(np.nan_to_num(picture.size.astype(float), nan=1.0, posinf=1.0), 0.0, 1.0)
    rows, columns = pattern.shape
    down, across = -(-rows // limit), -(-columns // limit)
    if down == across == 1:
        return pattern, size, (1, 1)
    blocks_down, blocks_across = -(-rows // down), -(-columns // across)
    severity = _SEVERITY[pattern] + np.where(np.isin(pattern, (OFF, FLIPPED)), size / 2, 0.0)
    padded = np.full((blocks_down * down, blocks_across * across), -1.0)
    padded[:rows, :columns] = severity
    blocks = padded.reshape(blocks_down, down, blocks_across, across).transpose(0, 2, 1, 3)
    pick = blocks.reshape(blocks_down, blocks_across, down * across).argmax(axis=-1)
    row = np.arange(blocks_down)[:, None] * down + pick // across
    column = np.arange(blocks_across)[None, :] * across + pick % across
    return pattern[row, column], size[row, column], (down, across)


def _fill(kind: int, size: float) -> str:
    """A square's colour: the ramp of OFF and FLIPPED on a log scale from 1e-4 to 1 of the largest |expected|."""
    if kind in RAMPS:
        strength = 0.25 + 0.75 * float(np.clip((np.log10(max(size, 1e-12)) + 4) / 4, 0.0, 1.0))
        light, dark = RAMPS[kind]
        return "#" + "".join(f"{round(a + (b - a) * strength):02x}" for a, b in zip(light, dark, strict=True))
    return {RIGHT: RIGHT_FILL, NOT_FINITE: NOT_FINITE_FILL}.get(kind, f"url(#{HATCH})")


def _index(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, index))}]" if index else name


def _layout(shape: tuple[int, ...], step: tuple[int, int]) -> Text:
    """What the squares are, in words."""
    blocks = [T_("{count} rows", count=step[0]) if step[0] > 1 else "",
              T_("{count} columns", count=step[1]) if step[1] > 1 else ""]
    shown = [block for block in blocks if block]
    square = (T_("each square is the worst of {blocks}", blocks=joined(BY, shown))
              if any(blocks) else T_("one square per element"))
    if len(shape) <= 1:
        return T_("{square}, in order", square=square)
    if len(shape) == 2:
        return T_("{square}; rows are the first axis, columns the second", square=square)
    return T_("{square}; rows are the first axis, columns the other axes flattened", square=square)


def picture_html(picture: Picture, case: str = "", say: Say = ENGLISH) -> str:
    """A picture as a figure: the SVG heatmap, its caption (case, tensor, shape, layout) and its legend, in the
    language of ``say``."""
    pattern, size, step = coarse(picture)
    rows, columns = pattern.shape
    width, height = columns * CELL, rows * CELL
    hatch = (f'<defs><pattern id="{HATCH}" width="4" height="4" patternUnits="userSpaceOnUse" '
             f'patternTransform="rotate(45)"><rect width="4" height="4" fill="#ffffff"></rect>'
             f'<rect width="1.5" height="4" fill="#b8b8b4"></rect></pattern></defs>'
             if np.any(pattern == UNCHECKED) else "")
    squares = "".join(f'<rect x="{c * CELL + GAP / 2}" y="{r * CELL + GAP / 2}" width="{CELL - GAP}" '
                      f'height="{CELL - GAP}" '
                      f'fill="{_fill(int(pattern[r, c]), float(size[r, c]))}"></rect>'
                      for r in range(rows) for c in range(columns))
    worst_row, worst_column = picture.worst_cell[0] // step[0], picture.worst_cell[1] // step[1]
    outline = (f'<rect x="{worst_column * CELL + 1}" y="{worst_row * CELL + 1}" width="{CELL - 2}" '
               f'height="{CELL - 2}" fill="none" stroke="{WORST_STROKE}" stroke-width="2"></rect>')
    shape = f"({', '.join(map(str, picture.shape))}{',' if len(picture.shape) == 1 else ''})"
    label = say(T_("{tensor} of shape {shape}: which elements are wrong", tensor=picture.tensor, shape=shape))
    svg = (f'<svg class="bk-pic" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{_text(label)}">'
           f"{hatch}{squares}{outline}</svg>")
    counts = {kind: int(np.count_nonzero(picture.pattern == kind)) for kind in LEGEND}
    legend = "".join(f'<li><span class="bk-sw bk-sw-{kind}"></span>{_text(say(words))} ({counts[kind]})</li>'
                     for kind, words in LEGEND.items() if counts[kind])
    legend += (f'<li><span class="bk-sw bk-sw-worst"></span>{_text(say(T_("the worst:")))} '
               f"<code>{_text(_index(picture.tensor, picture.worst))}</code></li>")
    # The page's own tags around words of the catalog: the words are escaped, the tags are the kit's.
    where = _text(say(T_('case "{case}": ', case=case))) if case else ""
    caption = (f"{where}<code>{_text(picture.tensor)}</code>{_text(say(T_(', shape {shape}, ', shape=shape)))}"
               f"{_text(say(_layout(picture.shape, step)))}.")
    return f'<figure>{svg}<figcaption>{caption}</figcaption><ul class="bk-legend">{legend}</ul></figure>'


def _helps(picture: Picture) -> bool:
    """A picture says more than its line: more than one element, and some of them shown wrong."""
    return picture.pattern.size > 1 and bool(np.any(np.isin(picture.pattern, (OFF, FLIPPED, NOT_FINITE))))


# ---------------------------------------------------------------------------------------------
# Checks and functions


def check_html(check: CheckFeedback, say: Say = ENGLISH) -> str:
    """One check: its mark, title and points; every finding line (as ``CheckFeedback.lines`` groups them);
    the pictures of the first case that has any; the known mistakes."""
    mark = '<span class="bk-ok">✓</span>' if check.passed else '<span class="bk-bad">✗</span>'
    parts = [f'<div class="bk-check"><p class="bk-check-title">{mark} {_text(check.title)} '
             f'<span class="bk-pts">[{_points(check.points)}/{_points(check.max_points)}]</span></p>']
    lines = check.lines(say)
    findings = lines[:len(lines) - len(check.mistakes)]
    if findings:
        parts.append('<ul class="bk-findings">' + "".join(f"<li>{_text(line)}</li>" for line in findings) + "</ul>")
    shown = next(((case.case, [p for p in case.pictures if _helps(p)]) for case in check.cases
                  if any(_helps(p) for p in case.pictures)), ("", []))
    parts.extend(picture_html(picture, shown[0], say) for picture in shown[1][:PICTURES_PER_CHECK])
    parts.extend(f'<p class="bk-mistake">{_text(say(T_("looks like: {mistake}", mistake=mistake)))}</p>'
                 for mistake in check.mistakes)
    return "".join(parts) + "</div>"


def _function_section(function: FunctionFeedback, anchor: str = "", details: bool = True,
                      say: Say = ENGLISH) -> str:
    state = "bk-passed" if function.passed else "bk-failed"
    mark = '<span class="bk-ok">✓</span>' if function.passed else '<span class="bk-bad">✗</span>'
    ident = f' id="{anchor}"' if anchor else ""
    parts = [f'<section class="bk-fn {state}"{ident}><h3><span>{mark} <span class="bk-name">{_text(function.name)}'
             f'</span></span><span class="bk-pts">{_points(function.points)} / {_points(function.max_points)}'
             f"</span></h3>"]
    if details:
        if function.summary:
            parts.append(f'<p class="bk-summary">{_text(function.summary)}</p>')
        parts.extend(check_html(check, say) for check in function.checks)
        parts.extend(f'<p class="bk-note">{_text(say(T_("note: {note}", note=note)))}</p>' for note in function.notes)
    return "".join(parts) + "</section>"


def function_html(function: FunctionFeedback | None, lead: Sequence[str] = (), say: Say = ENGLISH) -> str:
    """One function's feedback as an HTML fragment that carries its own style (for a notebook cell):
    the ``lead`` lines, then what the page says of the function (if it was graded), in ``say``'s language."""
    intro = "".join(f"<p>{_text(line)}</p>" for line in lead)
    section = _function_section(function, say=say) if function is not None else ""
    return f'<div class="bk"><style>{CSS}</style>{intro}{section}</div>'


# ---------------------------------------------------------------------------------------------
# The page


def _overview(feedback: Feedback) -> str:
    items = []
    for number, function in enumerate(feedback.functions):
        mark = '<span class="bk-ok">✓</span>' if function.passed else '<span class="bk-bad">✗</span>'
        items.append(f'<li><a href="#bk-f{number}"><span>{mark} <span class="bk-name">{_text(function.name)}</span>'
                     f'</span><span class="bk-pts">{_points(function.points)} / {_points(function.max_points)}'
                     f"</span></a></li>")
    return f'<ul class="bk-overview">{"".join(items)}</ul>'


def _printed(feedback: Feedback) -> Iterable[str]:
    for module, printed in feedback.printed.items():
        if not printed.strip():
            continue
        lines = printed.strip().splitlines()
        shown = "\n".join(lines[:PRINTED_LINES])[:PRINTED_CHARACTERS]
        more = len(lines) - PRINTED_LINES
        rest = f"<p>{_text(feedback.say(T_('… and {count} more line(s), not shown.', count=more)))}</p>" \
            if more > 0 else ""
        heading = feedback.say(T_("Your {module}.py printed (shown, never trusted)", module=module))
        yield (f"<section><h2>{_text(heading)}</h2>"
               f"<pre>{_text(shown)}</pre>{rest}</section>")


def render_html(feedback: Feedback) -> str:
    """The report of ``feedback`` as one self-contained HTML page, for its audience."""
    facts = "".join(f"<p>{_text(fact)}</p>" for fact in feedback.facts)
    score = f"{_points(feedback.score)} / {_points(feedback.max_score)}"
    say = feedback.say
    heading = T_("Your backprop grade") if feedback.audience is Audience.STUDENT else T_("Backprop grade")
    small = say(T_("points, graded in {seconds:.1f} s", seconds=feedback.seconds))
    body = [f"<header><h1>{_text(say(heading))}</h1>",
            f'<p class="bk-score">{score} <small>{_text(small)}</small></p>',
            f'<div class="bk-facts">{facts}</div>', _overview(feedback), "</header>"]
    number = {function.name: index for index, function in enumerate(feedback.functions)}
    for module in MODULES:
        functions = feedback.in_module(module)
        if not functions and module not in feedback.module_problems:
            continue
        body.append(f"<section><h2>{_text(module)}.py</h2>")
        problem = feedback.module_problems.get(module)
        if problem is not None:
            body.append(f'<p class="bk-problem">! {_text(problem)}</p>'
                        f"<p>{_text(say(T_('Its functions score 0; everything else is graded as usual.')))}</p>")
        body.extend(_function_section(function, f"bk-f{number[function.name]}", problem is None or function.measured,
                                      say)
                    for function in functions)
        body.append("</section>")
    body.extend(_printed(feedback))
    title = say(T_("Backprop grade: {score}", score=score))
    return (f'<!DOCTYPE html>\n<html lang="{feedback.language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_text(title)}</title><style>{CSS}{PAGE_CSS}</style></head>"
            f'<body class="bk"><main>{"".join(body)}</main></body></html>\n')


def html_report(grade: Grade, audience: Audience = Audience.STUDENT, language: str = "en") -> str:
    """The HTML report of ``grade``: what a student may read (the default), or everything for the TA."""
    return render_html(build_feedback(grade, audience, language))
