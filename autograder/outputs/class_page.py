"""The class report as one web page (``class.html``): what to re-teach, and which mistakes were common.

Like the student's page (``html_report``), it fetches nothing and runs nothing: the style is inline and
the three plots (the score histogram, each function's mean points, each regime's pass rate) are PNGs
drawn with matplotlib and embedded as ``data:`` URIs. It fits a phone: the plots scale to the width,
and text wraps anywhere it must.

Student ids are folder names a student may have chosen, and they are shown here: every text goes
through ``printable`` and ``html.escape`` on its way in (``html_report``'s ``_text``), and only the
kit's own text is drawn into a plot.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from autograder.core.printable import printable
from autograder.outputs.html_report import CSS, PAGE_CSS

LOW, MIDDLE = 0.5, 0.8  # pass rates under LOW are what to re-teach first; under MIDDLE, worth a look
BAD, FAIR, GOOD, INK, GRID = "#cd4600", "#e8a33d", "#3b8c5a", "#1c1c1e", "#deded9"
DPI = 200
# Every plot is exactly 4.4 in at 200 dpi, 880 px (the layout makes room for the labels inside it), shown
# at most 31rem (496 px) wide: sharp on a 2x screen, and its 12 pt labels are still 12 px on a phone that
# scales it to 330 px.
WIDTH_INCHES = 4.4
LABEL_POINTS = 12

CLASS_CSS = """
.bk-plots { display: grid; gap: 0 1rem; align-items: start;
  grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); }
.bk figure { margin: .4rem 0; background: #ffffff; border: 1px solid #deded9; border-radius: 10px;
  padding: .5rem; max-width: 31rem; }
.bk figure img { display: block; width: 100%; height: auto; }
.bk-rates small { display: block; color: #5f5f63; font-size: .82rem; }
.bk figcaption { font-size: .85rem; color: #5f5f63; margin-top: .3rem; }
.bk-rates { display: grid; gap: .2rem .9rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr));
  padding: 0; }
.bk ul.bk-rates > li { list-style: none; display: flex; justify-content: space-between; gap: .6rem;
  border-bottom: 1px dotted #c9c9c6; padding: .15rem 0; }
.bk-rates.bk-one { grid-template-columns: 1fr; }
.bk-rate { font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap; }
.bk-low { color: #b33c00; } .bk-mid { color: #8a5a00; } .bk-high { color: #2c6b45; }
.bk-banner { border-radius: 8px; padding: .5rem .7rem; margin: .5rem 0; }
.bk-banner.bk-incomplete { background: #fdecdc; border: 1px solid #f2b98c; }
.bk-banner.bk-whole { background: #e6f2ea; border: 1px solid #a9d1b6; }
.bk-who { font-size: .9rem; color: #3a3a3c; }
.bk details summary { cursor: pointer; color: #3a3a3c; font-size: .9rem; }
.bk-count { font-weight: 600; white-space: nowrap; }
"""


def _text(value: object) -> str:
    """Any text for the page: its hidden characters out (``printable``), then escaped, quotes included."""
    return html.escape(printable(str(value)), quote=True)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.0f}%"


def _rate_class(rate: float | None) -> str:
    if rate is None:
        return "bk-rate"
    return "bk-rate " + ("bk-low" if rate < LOW else "bk-mid" if rate < MIDDLE else "bk-high")


def _colour(rate: float) -> str:
    return BAD if rate < LOW else FAIR if rate < MIDDLE else GOOD


# ---------------------------------------------------------------------------------------------
# Plots: the kit's own labels only (function names, regimes, score bins), never a student's text


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="#ffffff")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(rows: int) -> tuple[Any, Any]:
    try:
        from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend
    except ImportError as error:
        raise ImportError(f"class.html's plots need matplotlib ({error}): pip install 'backprop-kit[class]'") from error

    figure = Figure(figsize=(WIDTH_INCHES, 1.0 + 0.38 * rows), layout="constrained")
    axes = figure.subplots()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=LABEL_POINTS, colors=INK)
    return figure, axes


def _bars(labels: list[str], values: list[float], colours: list[str], limit: float, xlabel: str,
          notes: list[str]) -> str:
    """Horizontal bars, top to bottom in the order given, each with its label above it (so a long name
    never squeezes the bars) and its note at its end."""
    figure, axes = _figure(round(1.45 * len(labels)))
    places = list(range(len(labels)))[::-1]
    axes.barh(places, values, color=colours, height=0.42, align="edge")
    axes.set_yticks([])
    axes.spines["left"].set_visible(False)
    axes.set_ylim(-0.15, len(labels))
    axes.set_xlim(0, limit * 1.14)  # room for the notes
    axes.set_xticks(range(0, int(limit) + 1, int(limit) // 5))
    axes.set_xlabel(xlabel, fontsize=LABEL_POINTS, color=INK)
    axes.grid(axis="x", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for place, value, label, note in zip(places, values, labels, notes, strict=True):
        axes.text(0, place + 0.48, label, va="bottom", ha="left", fontsize=LABEL_POINTS, color=INK)
        axes.text(value + limit * 0.015, place + 0.21, note, va="center", fontsize=LABEL_POINTS - 1, color=INK)
    return _png(figure)


def histogram_png(scores: dict[str, Any]) -> str:
    """The score distribution: students per bin of 10% of the maximum score."""
    figure, axes = _figure(6)
    bins = scores["bins"]
    counts = [b["students"] for b in bins]
    centres = [(b["from"] + b["to"]) / 2 for b in bins]
    colours = [_colour(b["to"] / 100 - 0.001) for b in bins]
    axes.bar(centres, counts, width=[0.9 * (b["to"] - b["from"]) for b in bins], color=colours)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlim(0, 100)
    axes.set_xlabel("score, percent of the maximum", fontsize=LABEL_POINTS, color=INK)
    axes.set_ylabel("students", fontsize=LABEL_POINTS, color=INK)
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    return _png(figure)


def functions_png(functions: list[dict[str, Any]]) -> str:
    """Each function's mean points as a share of its maximum."""
    shares = [f["mean_points"] / f["max_points"] if f["max_points"] else 0.0 for f in functions]
    notes = [f"{f['mean_points']:.1f} / {f['max_points']:g}" for f in functions]
    return _bars([f["function"] for f in functions], [100 * s for s in shares], [_colour(s) for s in shares], 100,
                 "mean points, percent of the function's maximum", notes)


def regimes_png(regimes: list[dict[str, Any]]) -> str:
    """Each regime's pass rate over the checks in it."""
    rates = [r["pass_rate"] or 0.0 for r in regimes]
    return _bars([r["regime"] for r in regimes], [100 * r for r in rates], [_colour(r) for r in rates], 100,
                 "checks passed, percent", [_percent(r) for r in rates])


# ---------------------------------------------------------------------------------------------
# The page


def _figure_html(png: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="data:image/png;base64,{png}" alt="{_text(alt)}">'
            f"<figcaption>{_text(caption)}</figcaption></figure>")


def _students(students: list[str]) -> str:
    names = ", ".join(_text(student) for student in students)
    label = "1 student" if len(students) == 1 else f"{len(students)} students"
    return f"<details><summary>{label}</summary><p class=\"bk-who\">{names}</p></details>"


def _header(summary: dict[str, Any]) -> str:
    scores = summary["scores"]
    count = summary["students"]
    mean = "—" if scores["mean"] is None else f"{scores['mean']:.0f}%"
    if summary["complete"]:
        banner = ('<p class="bk-banner bk-whole">The whole class: every student has a result '
                  "(gradebook.csv).</p>")
    else:
        banner = ('<p class="bk-banner bk-incomplete">Not known to be the whole class: there is no gradebook.csv '
                  "here (grading was stopped, some submissions failed, or the folder is nbgrader's). "
                  "These numbers are those of the students graded so far.</p>")
    unreadable = summary.get("unreadable", [])
    if unreadable:
        banner += (f'<p class="bk-banner bk-incomplete">{len(unreadable)} folder(s) hold a results.json '
                   f"without a grade (the grader failed there): {', '.join(_text(s) for s in unreadable)}.</p>")
    median = "" if scores["median"] is None else f", median {scores['median']:.0f}%"
    return (f'<header><h1>Backprop: the class</h1><p class="bk-score">{mean}</p><p class="bk-facts">mean score of '
            f"{count} student{'s' if count != 1 else ''}{median}</p>{banner}</header>")


def _regimes(summary: dict[str, Any]) -> str:
    regimes = summary["regimes"]
    items = []
    for regime in regimes:
        functions = dict.fromkeys(check.split(": ")[0] for check in regime["checks"])
        checks = len(regime["checks"])
        where = ", ".join(functions) if len(functions) <= 3 else f"{checks} checks, {len(functions)} functions"
        rate = regime["pass_rate"]
        items.append(f'<li><span>{_text(regime["regime"])}<small>{_text(regime["section"])} · {_text(where)}</small>'
                     f'</span><span class="{_rate_class(rate)}">{_percent(rate)}</span></li>')
    plot = _figure_html(regimes_png(regimes), "pass rate of each regime",
                        "Checks passed in each regime, over every student: red under 50%, amber under 80%."
                        ) if regimes else ""
    return (f"<section><h2>What to re-teach</h2><p>The hard cases of each section of the essay, and the rest: "
            f'the share of the students\' checks passed.</p><div class="bk-plots">{plot}'
            f'<ul class="bk-rates bk-one">{"".join(items)}</ul></div></section>')


def _functions(summary: dict[str, Any]) -> str:
    functions = summary["functions"]
    if not functions:
        return ""
    plots = (_figure_html(histogram_png(summary["scores"]), "histogram of the scores",
                          "Students per tenth of the maximum score.")
             + _figure_html(functions_png(functions), "mean points of each function",
                            "Mean points of each function, as a share of its maximum."))
    cards = []
    for function in functions:
        missed = [c for c in function["checks"] if c["pass_rate"] != 1]
        checks = "".join(f'<li><span>{_text(c["title"])} <code>{_text(c["check"])}</code></span>'
                         f'<span class="{_rate_class(c["pass_rate"])}">{_percent(c["pass_rate"])}</span></li>'
                         for c in missed)
        listed = f'<ul class="bk-rates">{checks}</ul>' if missed else ""
        everyone = [c["check"] for c in function["checks"] if c["pass_rate"] == 1]
        passed = (f'<p class="bk-who">Passed by everyone: {", ".join(f"<code>{_text(c)}</code>" for c in everyone)}'
                  "</p>") if everyone else ""
        cards.append(f'<div class="bk-fn"><h3><span class="bk-name">{_text(function["function"])}</span>'
                     f'<span class="bk-pts">mean {function["mean_points"]:.2f} / {function["max_points"]:g}</span>'
                     f"</h3>{listed}{passed}</div>")
    return (f'<section><h2>Scores and functions</h2><div class="bk-plots">{plots}</div>'
            f"<p>Each check's pass rate: the share of students who passed it; the checks everyone passed come "
            f"last.</p>{''.join(cards)}</section>")


def _mistakes(summary: dict[str, Any]) -> str:
    mistakes = summary["mistakes"]
    if not mistakes:
        return "<section><h2>Common mistakes</h2><p>No wrong answer matched a known mistake.</p></section>"
    cards = []
    for rank, mistake in enumerate(mistakes, start=1):
        text = mistake["text"] or "(not in the mistake catalogue beside the reference)"
        count = len(mistake["students"])
        cards.append(f'<div class="bk-fn"><h3><span>{rank}. <span class="bk-name">{_text(mistake["id"])}</span> '
                     f'in <span class="bk-name">{_text(mistake["function"])}</span></span>'
                     f'<span class="bk-count">{count} student{"s" if count != 1 else ""}</span></h3>'
                     f"<p>{_text(text)}</p>{_students(mistake['students'])}</div>")
    return (f"<section><h2>Common mistakes</h2><p>Known mistakes the students' wrong answers matched, the most "
            f"common first.</p>{''.join(cards)}</section>")


def _evidence(item: Any) -> str:
    """One piece of evidence: a sentence, or a dictionary with its ``text`` and the ``function`` it is about."""
    if not isinstance(item, dict):
        return _text(item)
    function = f'<span class="bk-name">{_text(item["function"])}</span>: ' if item.get("function") else ""
    return function + _text(item.get("text", ""))


def _similar(summary: dict[str, Any]) -> str:
    groups = summary["similar"]
    lead = ("<p><strong>For human review only, never a penalty.</strong> Work that looks alike may have been "
            "written together, or may just be the obvious solution: read it before you ask anyone.</p>")
    if not groups:
        return f"<section><h2>Similar work</h2>{lead}<p>No group of similar submissions was found.</p></section>"
    cards = "".join(f'<div class="bk-fn"><h3><span>{", ".join(_text(s) for s in group["students"])}</span>'
                    f'<span class="bk-count">{len(group["students"])} students</span></h3>'
                    f'<ul>{"".join(f"<li>{_evidence(e)}</li>" for e in group["evidence"])}</ul></div>'
                    for group in groups)
    return f"<section><h2>Similar work</h2>{lead}{cards}</section>"


def render_class_page(summary: dict[str, Any]) -> str:
    """``class.json``'s summary as one self-contained HTML page."""
    body = [_header(summary), _regimes(summary), _functions(summary), _mistakes(summary), _similar(summary)]
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Backprop: the class</title><style>{CSS}{PAGE_CSS}{CLASS_CSS}</style></head>"
            f'<body class="bk"><main>{"".join(body)}</main></body></html>\n')
