"""What students read: the same facts as the TA's report, and never a value of a hidden case.

The child process runs the student's code and can write any reply, so a submission that wants the
hidden cases (to hard-code their answers) tries to smuggle them out through every text that reaches
a student: an exception's message, its type's name, a traceback it forges, a shape, what it prints.
Each attack below encodes the first value of each hidden ``dout`` as digits and as letters; none of
them may appear in report.txt, results.json or the nbgrader cell, while the TA's report shows them
(so the test can see a leak when there is one).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import build_submission

from autograder import DEFAULT_REFERENCE
from autograder.core.language import LANGUAGES
from autograder.core.numeric import FLIPPED, OFF, REFERENCE_RTOL, RIGHT, worst_mismatch
from autograder.core.spec import BY_NAME, Oracle
from autograder.grading.grade import Grade, grade, plan
from autograder.grading.verdicts import Finding, described
from autograder.outputs.feedback import Audience, build_feedback, finding_line
from autograder.outputs.feedback import picture as feedback_picture
from autograder.outputs.report import text_report
from autograder.outputs.results_json import dumps, gradescope_results
from autograder.outputs.student_text import FALLBACK, kit_message, library_message, masked

SEED = 11
RELU = BY_NAME["relu_backward"]

ENCODE = '''
import numpy as np

def _digits(dout):
    return f"{abs(float(dout.flat[0])):.6f}".replace(".", "")

def _letters(dout):
    return "".join("abcdefghij"[int(digit)] for digit in _digits(dout))

'''

ATTACKS = {
    "own raise, digits": "raise ValueError(_digits(dout))",
    "own raise, letters": "raise ValueError(_letters(dout))",
    "assert": "assert False, _letters(dout)",
    "sys.exit": "import sys; sys.exit(_letters(dout))",
    "exception class named by the value": "raise type(_letters(dout).upper(), (Exception,), {})()",
    "a numpy dtype": "return np.zeros(3, dtype=np.dtype(_letters(dout)))",
    "float of text": "return float(_letters(dout))",
    "np.testing err_msg": "np.testing.assert_equal(1, 2, err_msg=_letters(dout))",
    "exec": "exec('raise ValueError(%r)' % _letters(dout))",
    # The child reads tracebacks with the traceback module, which the code can replace.
    "a forged traceback": (
        "import traceback; traceback.extract_tb = lambda tb, limit=None: [traceback.FrameSummary("
        "'layers.py', 3, 'relu_backward', line='# ' + _letters(dout))]; float('x')"),
    "a shape": "return np.zeros(int('1' + _digits(dout)[:5]))",
    "printed": "print(_digits(dout), _letters(dout)); return dout * (cache > 0)",
    "a key error": "return {}[_letters(dout)]",
}


def _secrets(seed: int) -> list[str]:
    """The first value of each hidden ``dout`` of relu_backward, as digits and as letters (5 of each)."""
    secrets = []
    for planned in plan(RELU, seed):
        digits = f"{abs(float(np.asarray(planned.case.dout).flat[0])):.6f}".replace(".", "")
        secrets += [digits[:5], "".join("abcdefghij"[int(d)] for d in digits[:5])]
    return secrets


def _every_student_surface(result: Grade, name: str, language: str = "en") -> dict[str, str]:
    """What a student reads about ``name`` on each surface, in ``language``: report.txt, results.json, the
    nbgrader cell (its text and its HTML) and report.html."""
    import html

    from autograder.outputs.html_report import html_report
    nbgrader = pytest.importorskip("autograder.integrations.nbgrader.layer_cells")
    function = BY_NAME[name]
    results = [r for r in result.results if r.verdict.function is function]
    return {"report.txt": text_report(result, Audience.STUDENT, language),
            "results.json": json.dumps(json.loads(dumps(gradescope_results(result, seed=False, language=language))),
                                       ensure_ascii=False),
            "nbgrader cell": nbgrader.cell_feedback(function, results, result, 0.0, 2.0, language),
            "nbgrader html": html.unescape(nbgrader.cell_html(function, result, 0.0, 2.0, language)),
            "report.html": html.unescape(html_report(result, Audience.STUDENT, language))}


def _every_surface_in_every_language(result: Grade, name: str) -> dict[str, str]:
    """``_every_student_surface`` in each language the kit speaks: a translation must not let more through."""
    return {f"{surface} ({language})": text for language in LANGUAGES
            for surface, text in _every_student_surface(result, name, language).items()}


@pytest.mark.e2e  # grades a submission per attack
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_no_hidden_value_reaches_a_student(tmp_path: Path, attack: str) -> None:
    source = tmp_path / "attack.py"
    source.write_text(f'TARGET = "layers"\n{ENCODE}\n\ndef relu_backward(dout, cache):\n    {ATTACKS[attack]}\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED, only=[RELU.name])
    assert sum(r.points for r in result.results) == 0 or attack == "printed"
    secrets = _secrets(SEED)
    for surface, text in _every_surface_in_every_language(result, RELU.name).items():
        leaked = [secret for secret in secrets if secret.lower() in text.lower()]
        assert not leaked, f"{attack}: {surface} shows {leaked}:\n{text}"
    if attack in ("own raise, digits", "own raise, letters", "printed"):
        ta = text_report(result).lower()
        assert any(secret.lower() in ta for secret in secrets), "the TA's report should show the values"


@pytest.mark.e2e  # grades a submission
def test_a_crash_reads_the_same_on_every_student_surface(tmp_path: Path) -> None:
    """The nbgrader cell once said only "wrong on the hidden cases" of a backward that crashed."""
    source = tmp_path / "transpose.py"
    source.write_text('TARGET = "layers"\n\n\ndef affine_backward(dout, cache):\n    x, w, b = cache\n'
                      '    dx = (dout @ w).reshape(x.shape)\n'
                      '    return dx, x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)\n')
    submission = build_submission(tmp_path / "submission", source)
    result = grade(submission, DEFAULT_REFERENCE, SEED, only=["affine_backward"])
    line = next(number for number, text in enumerate((submission / "layers.py").read_text().splitlines(), 1)
                if "dout @ w)" in text)
    expected = f"ValueError on line {line} of layers.py (in affine_backward): dx = (dout @ w).reshape(x.shape)"
    for surface, text in _every_student_surface(result, "affine_backward").items():
        flat = " ".join(text.split())
        assert expected in flat, f"{surface}:\n{text}"
        assert "matmul: Input operand 1 has a mismatch in its core dimension 0" in flat, surface
        assert "wrong on the hidden cases" not in flat


@pytest.mark.e2e  # grades a submission
def test_every_finding_of_a_case_is_shown(tmp_path: Path) -> None:
    """A wrong loss no longer hides a NaN dx in the same case."""
    source = tmp_path / "unstable.py"
    source.write_text('TARGET = "layers"\nimport numpy as np\n\n\ndef softmax_loss(x, y):\n'
                      '    n = x.shape[0]\n    probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)\n'
                      '    loss = float(-np.log(probs[np.arange(n), y]).mean())\n    dx = probs.copy()\n'
                      '    dx[np.arange(n), y] -= 1.0\n    return loss, dx / n\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED,
                   only=["softmax_loss"])
    check = next(c for c in build_feedback(result, Audience.STUDENT).of("softmax_loss").checks if not c.passed)
    case = check.cases[0]
    assert any(line.startswith("your loss is NaN or inf") for line in case.findings), case.findings
    assert any(line.startswith("dx is wrong") and "NaN or inf" in line for line in case.findings), case.findings
    text = text_report(result, Audience.STUDENT)
    assert "(given code)" not in text and "1 of 1 elements" not in text


@pytest.mark.e2e  # grades a submission
def test_a_crash_set_up_by_the_students_forward_names_the_forward(tmp_path: Path) -> None:
    """``.squeeze()`` in rnn_forward breaks rnn_backward at N = 1; the forward is named as the cause."""
    source = tmp_path / "squeeze.py"
    source.write_text('TARGET = "rnn_layers"\nimport numpy as np\n\n\ndef rnn_forward(x, h0, Wx, Wh, b):\n'
                      '    n, steps, _ = x.shape\n    h = np.zeros((n, steps, h0.shape[1]))\n'
                      '    cache, prev_h = [], h0\n    for t in range(steps):\n'
                      '        prev_h, step = rnn_step_forward(x[:, t, :].squeeze(), prev_h, Wx, Wh, b)\n'
                      '        h[:, t] = prev_h\n        cache.append(step)\n    return h, cache\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED,
                   only=["rnn_backward"])
    for audience in Audience:
        notes = " ".join(build_feedback(result, audience).of("rnn_backward").notes)
        assert "probable cause: your rnn_forward returns a cache" in notes, (audience, notes)
    assert "cache[0][0]: array (" in text_report(result)  # the TA sees which part differs


@pytest.mark.e2e  # grades a submission
def test_the_in_place_hint_fits_what_was_changed(tmp_path: Path) -> None:
    source = tmp_path / "pop.py"
    source.write_text('TARGET = "rnn_layers"\nimport numpy as np\n\n\ndef rnn_backward(dh, cache):\n'
                      '    n, steps, hidden = dh.shape\n    x0, _, Wx, Wh, _ = cache[0]\n'
                      '    dx = np.zeros((n, steps, x0.shape[1]))\n'
                      '    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(hidden)\n'
                      '    dprev = np.zeros((n, hidden))\n    for t in reversed(range(steps)):\n'
                      '        dx_t, dprev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev, cache.pop())\n'
                      '        dx[:, t] = dx_t\n        dWx += dWx_t\n        dWh += dWh_t\n        db += db_t\n'
                      '    return dx, dprev, dWx, dWh, db\n')
    result = grade(build_submission(tmp_path / "submission", source), DEFAULT_REFERENCE, SEED,
                   only=["rnn_backward"])
    text = " ".join(text_report(result, Audience.STUDENT).split())
    assert "modified cache in place" in text and "`cache.pop()`" in text
    assert "dout *= mask" not in text


def test_masking_keeps_a_librarys_words_and_drops_numbers_and_quoted_words() -> None:
    assert masked("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                  "(n?,k),(k,m?)->(n?,m?) (size 6 is different from 4)") == (
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
        "(n?,k),(k,m?)->(n?,m?) (size # is different from #)")
    assert masked("could not convert string to float: 'abc'") == "could not convert string to float: '…'"
    assert masked('can only concatenate str (not "int") to str') == "can only concatenate str (not '…') to str"
    assert masked("axis 12 is out of bounds, value -3.5e-2") == "axis # is out of bounds, value #"


def _finding(got: np.ndarray, expected: np.ndarray, tensor: str = "dx") -> Finding:
    mismatch = worst_mismatch(got, expected, REFERENCE_RTOL, 0.0)
    assert mismatch is not None
    return Finding("random", described(mismatch, tensor), tensor=tensor, mismatch=mismatch)


def test_a_students_picture_cannot_tell_an_element_right_within_the_tolerance() -> None:
    """Were the picture exact, code could move one element at a time and read, submission after
    submission, when it lands within the tolerance of the hidden expected value."""
    expected = np.linspace(1.0, 2.0, 12).reshape(3, 4)
    got = expected.copy()
    got[0, 0] += 1e-5 * 2.0  # off, by far less than PALE of the largest value
    got[2, 3] = -got[2, 3]  # sign flipped
    finding = _finding(got, expected)
    ta, student = (feedback_picture(finding, audience) for audience in (Audience.TA, Audience.STUDENT))
    assert ta is not None and student is not None
    assert ta.pattern[0, 0] == OFF and student.pattern[0, 0] == RIGHT
    assert ta.pattern[2, 3] == student.pattern[2, 3] == FLIPPED and student.worst == (2, 3)


def test_a_students_shape_shows_only_sizes_the_case_has() -> None:
    line = "dx has shape {}; expected (3, 4) like x"
    unlike = "dx has a shape unlike that; expected (3, 4) like x"
    for got, shown in [("(123456,)", unlike), ("(12,)", line.format("(12,)")), ("(4, 3)", line.format("(4, 3)")),
                       ("(3, 1, 97)", unlike), ("(3, 4, 1)", line.format("(3, 4, 1)")),
                       ("(1, 1, 1, 1, 3)", unlike), ("(" + ", ".join("1" * 64) + ")", unlike)]:
        text = line.format(got)
        finding = Finding("random", text, tensor="dx", shape=text)
        assert finding_line(finding, RELU, Oracle.REFERENCE, Audience.STUDENT) == shown
        assert finding_line(finding, RELU, Oracle.REFERENCE, Audience.TA) == text


def test_names_the_students_process_sent_are_shown_only_from_the_kits_vocabulary() -> None:
    forged = Finding("random", "modified dout, Score 100 of 100 in place: compute new arrays instead")
    assert finding_line(forged, RELU, Oracle.UNTOUCHED, Audience.STUDENT) == (
        "modified an input, dout in place: `dx = dout` does not copy: write `dx = dout * mask`, not `dout *= mask` "
        "or `dx[...] = 0`")
    repeated = Finding("random", "modified cache, dout, cache, cache, dout in place: anything")
    assert finding_line(repeated, RELU, Oracle.UNTOUCHED, Audience.STUDENT).startswith("modified cache, dout in place")


# ---------------------------------------------------------------------------------------------
# More ways out: each attack below is a whole relu_backward (module-level code allowed), after ENCODE.

# Written byte by byte, as the wire format is laid out (importing the kit would be read as measuring)
FORGED_REPLY = '''
import json, os, struct, sys
_SEEN = []


def _reply(cases):
    arrays, rebuilt = 0, []
    for case in cases:
        case = dict(case)
        case.setdefault("out", {"__array__": arrays})
        case.setdefault("grads", {"dx": {"__array__": arrays + 1}})
        arrays += 2
        rebuilt.append(case)
    tree = json.dumps({"cases": rebuilt}).encode()
    table = np.zeros(arrays, dtype=[("offset", "<u8"), ("dtype", "u1"), ("ndim", "u1"), ("unused", "V6"),
                                    ("shape", "<u8", (8,))])
    table["offset"], table["ndim"], table["shape"][:, 0] = np.arange(arrays) * 64, 1, 1  # dtype 0: float64
    head = struct.pack("<4sIQQ", b"BPKW", 1, arrays, len(tree)) + table.tobytes() + tree
    # whole, then renamed into place, as the child's own replies are: a half-written file is refused as it should be
    reply = sys.argv[1] + "/work/reply-relu_backward.bin"
    with open(reply + ".part", "wb") as handle:
        handle.write(head + bytes(-len(head) % 64) + bytes(64 * arrays))
    os.replace(reply + ".part", reply)
    os._exit(0)
'''

MORE_ATTACKS = {
    # repr() of a text with both quote kinds escapes one of them, and the masking pairs the wrong quotes
    "quotes broken by repr": "def relu_backward(dout, cache):\n    return float(\"x'\" + _letters(dout) + '\"')\n",
    # a library message that echoes its argument without quotes
    "np.vectorize signature": "def relu_backward(dout, cache):\n"
                              "    return np.vectorize(abs, signature=_letters(dout))(cache)\n",
    "structured dtype field": "def relu_backward(dout, cache):\n"
                              "    return np.zeros(2, dtype=[('a', 'f8')])[_letters(dout)]\n",
    "np.asarray device": "def relu_backward(dout, cache):\n    return np.asarray(cache, device=_letters(dout))\n",
    "KeyError of a key whose repr is the value": (
        "class _Key:\n    def __init__(self, text):\n        self.text = text\n\n"
        "    def __repr__(self):\n        return self.text\n\n    def __hash__(self):\n        return 0\n\n\n"
        "def relu_backward(dout, cache):\n    return {}[_Key(_letters(dout))]\n"),
    "list.index of an object whose repr is the value": (
        "class _Key:\n    def __init__(self, text):\n        self.text = text\n\n"
        "    def __repr__(self):\n        return self.text\n\n\n"
        "def relu_backward(dout, cache):\n    return [].index(_Key(_letters(dout)))\n"),
    "a function renamed by the value, called wrongly": (
        "def _helper():\n    return 0\n\n\ndef relu_backward(dout, cache):\n"
        "    _helper.__qualname__ = _letters(dout)\n    return _helper(dout)\n"),
    "ufunc on an object of a class named by the value": (
        "class _Box:\n    pass\n\n\ndef relu_backward(dout, cache):\n    _Box.__name__ = _letters(dout)\n"
        "    return np.exp(np.array([_Box()], dtype=object))\n"),
    # the student's own message, raised from a line without `raise`
    "generator throw": "def relu_backward(dout, cache):\n    (_ for _ in ()).throw(ValueError(_letters(dout)))\n",
    "a warning class named ValueError": (
        "import warnings\n\n\nclass ValueError(UserWarning):\n    pass\n\n\n"
        "def relu_backward(dout, cache):\n    warnings.simplefilter('error')\n"
        "    warnings.warn(_letters(dout), ValueError)\n"),
    "a forged traceback pointing at a real line": (
        "def relu_backward(dout, cache):\n    import traceback\n"
        "    lines = open(__file__).read().splitlines()\n"
        "    here = [n for n, t in enumerate(lines, 1) if t.strip() == 'mask = cache'][0]\n"
        "    traceback.extract_tb = lambda tb, limit=None: [traceback.FrameSummary('layers.py', here, "
        "'relu_backward', line='mask = cache')]\n"
        "    mask = cache\n    raise ValueError(_letters(dout))\n"),
    # import-time code finds every hidden case of the module in the child's memory; an import error's
    # message is only masked
    "import time: the request, and an import error": (
        "import gc\n_request = next(o for o in gc.get_objects() if isinstance(o, dict) and 'requests' in o)\n"
        "raise ImportError(' '.join(_letters(np.asarray(r['dout'])) for cases in _request['requests'].values()"
        " for r in cases))\n"),
    # a reply written by the code itself: import_failed makes its error the module's problem
    "forged reply: import_failed": FORGED_REPLY + (
        "\n\ndef relu_backward(dout, cache):\n    _SEEN.append(_letters(dout))\n    if len(_SEEN) < 8:\n"
        "        return dout * (cache > 0)\n    _reply([{'error': ' '.join(_SEEN), 'not_implemented': False, "
        "'import_failed': True}] * 8)\n"),
}


def _grade_source(tmp_path: Path, target: str, source: str, name: str) -> Grade:
    path = tmp_path / "attack.py"
    path.write_text(f'TARGET = "{target}"\n{ENCODE}\n\n{source}')
    return grade(build_submission(tmp_path / "submission", path), DEFAULT_REFERENCE, SEED, only=[name])


@pytest.mark.e2e  # grades a submission per attack
@pytest.mark.parametrize("attack", list(MORE_ATTACKS))
def test_no_hidden_value_reaches_a_student_by_other_ways(tmp_path: Path, attack: str) -> None:
    result = _grade_source(tmp_path, "layers", MORE_ATTACKS[attack], RELU.name)
    if attack.startswith("forged reply"):  # the grader read what the code forged: its problem is the module's
        assert "layers" in result.module_problems and not result.measured
    secrets = _secrets(SEED)
    for surface, text in _every_surface_in_every_language(result, RELU.name).items():
        leaked = [secret for secret in secrets if secret.lower() in text.lower()]
        assert not leaked, f"{attack}: {surface} shows {leaked}:\n{text[:3000]}"


@pytest.mark.e2e  # grades a submission
def test_clip_grad_norm_keys_carry_no_value(tmp_path: Path) -> None:
    """A key whose repr breaks the masking's quote pairs: 'clipped has keys [...]'."""
    source = ("class _Key:\n    def __init__(self, text):\n        self.text = text\n\n"
              "    def __repr__(self):\n        return \"'\" + self.text + '\"'\n\n\n"
              "def clip_grad_norm(grads, max_norm):\n"
              "    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))\n"
              "    return {_Key(_letters(np.asarray(max_norm))): np.zeros(1)}, total\n")
    result = _grade_source(tmp_path, "rnn_layers", source, "clip_grad_norm")
    secrets = set()
    for planned in plan(BY_NAME["clip_grad_norm"], SEED):
        digits = f"{abs(float(planned.case.args['max_norm'])):.6f}".replace(".", "")
        secrets.add("".join("abcdefghij"[int(d)] for d in digits[:5]))
    for surface, text in _every_surface_in_every_language(result, "clip_grad_norm").items():
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{surface} shows {leaked}:\n{text[:3000]}"


# Bounded channels that still carry a whole float64: the bits of each case's dout.flat[0].
BITS = ("import struct\n\n\ndef _bits(dout):\n"
        "    return format(struct.unpack('>Q', struct.pack('>d', float(dout.flat[0])))[0], '064b')\n\n\n")
BIT_ATTACKS = {
    # a zero-size array of 64 axes: 1 where the bit is set, 0 (shown as '#') where not
    "a shape of 64 axes": BITS + "def relu_backward(dout, cache):\n"
                                 "    return np.zeros(tuple(1 if b == '1' else 0 for b in _bits(dout)))\n",
    # a forged reply whose `changed` lists spell the bits with the kit's own names
    "the changed list of a forged reply": FORGED_REPLY + BITS + (
        "def relu_backward(dout, cache):\n    _SEEN.append(_bits(dout))\n    if len(_SEEN) < 8:\n"
        "        return dout * (cache > 0)\n    _reply([{'error': '', 'not_implemented': False, "
        "'changed': ['dout' if b == '1' else 'cache' for b in bits]} for bits in _SEEN])\n"),
}


def _decoded(attack: str, text: str) -> list[float]:
    import re
    import struct
    flat = " ".join(text.split())
    if attack == "a shape of 64 axes":
        words = [[d.strip() for d in m.split(",")] for m in re.findall(r"dx (?:has|có) shape \(([^)]*)\)", flat)]
        bits = ["".join("1" if d == "1" else "0" for d in dims) for dims in words if len(dims) == 64]
    else:
        said = r"(?:modified|đã sửa) ((?:(?:dout|cache)(?:, )?)+) (?:in place|tại chỗ)"  # en, vi
        words = [m.split(", ") for m in re.findall(said, flat)]
        bits = ["".join("1" if n == "dout" else "0" for n in names) for names in words if len(names) == 64]
    return [struct.unpack(">d", struct.pack(">Q", int(b, 2)))[0] for b in bits]


@pytest.mark.e2e  # grades a submission per attack
@pytest.mark.parametrize("attack", list(BIT_ATTACKS))
def test_no_hidden_value_reaches_a_student_bit_by_bit(tmp_path: Path, attack: str) -> None:
    result = _grade_source(tmp_path, "layers", BIT_ATTACKS[attack], RELU.name)
    assert not result.measured  # the attack reached the reports, not the source reader's zero
    hidden = {float(np.asarray(planned.case.dout).flat[0]) for planned in plan(RELU, SEED)}
    if attack == "the changed list of a forged reply":  # the grader read the forged lists: 64 names each
        said = [finding for outcome in result.results for finding in outcome.verdict.findings
                if str(finding.message).count("dout") + str(finding.message).count("cache") >= 64]
        assert said, "the forged reply was not read"
    for surface, text in _every_surface_in_every_language(result, RELU.name).items():
        leaked = sorted(hidden & set(_decoded(attack, text)))
        assert not leaked, f"{attack}: {surface} spells the hidden values {leaked} exactly"


@pytest.mark.e2e  # grades a submission
def test_what_a_picture_spells_is_of_cases_no_later_submission_meets(tmp_path: Path) -> None:
    """Each element of dx right or NaN: one bit of dout.flat[0] per square of report.html's pictures.

    The pattern of wrong elements is what the code chose, so it can spell the code's own inputs. What
    it spells is of no use: grade-all and nbgrader draw each submission's hidden cases from its content,
    so the submission that would write the spelled values down meets other cases."""
    import re
    import struct

    from autograder.integrations.seeds import read_secret, student_seed, submission_digest
    from autograder.outputs.html_report import html_report

    source = BITS + ("def relu_backward(dout, cache):\n    dx = dout * (cache > 0)\n    flat = dx.reshape(-1)\n"
                     "    for i, bit in enumerate(_bits(dout)[:flat.size]):\n        if bit == '1':\n"
                     "            flat[i] = np.nan\n    return dx\n")
    path = tmp_path / "attack.py"
    path.write_text(f'TARGET = "layers"\n{ENCODE}\n\n{source}')
    submission = build_submission(tmp_path / "submission", path)
    key = read_secret(tmp_path / "secret")
    seed = student_seed(key, "ada", submission=submission_digest(submission))
    page = html_report(grade(submission, DEFAULT_REFERENCE, seed, only=[RELU.name]), Audience.STUDENT)
    spelled = []
    for figure in re.findall(r"<figure>(.*?)</figure>", page):
        fills = re.findall(r'<rect x="[^"]*" y="[^"]*" width="16" height="16" fill="([^"]*)"', figure)
        if len(fills) >= 40:
            bits = "".join("1" if fill == "#111111" else "0" for fill in fills)[:64].ljust(64, "0")
            spelled.append(struct.unpack(">d", struct.pack(">Q", int(bits, 2)))[0])
    hidden = [float(np.asarray(planned.case.dout).flat[0]) for planned in plan(RELU, seed)]
    assert any(abs(value - truth) < 1e-8 * abs(truth) for value in spelled for truth in hidden), (
        "the attack spells its inputs: if this fails, the picture no longer shows them and this test can go")

    with (submission / "layers.py").open("a") as file:  # the next submission, the spelled values written in
        file.write(f"\nSPELLED = {spelled!r}\n")
    later = student_seed(key, "ada", submission=submission_digest(submission))
    met = [float(np.asarray(planned.case.dout).flat[0]) for planned in plan(RELU, later)]
    assert later != seed and not [v for v in spelled for truth in met if abs(v - truth) < 1e-8 * abs(truth)]


@pytest.mark.parametrize(("kind", "message", "shown"), [
    ("ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
     "(n?,k),(k,m?)->(n?,m?) (size 6 is different from 4)",
     "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
     "(n?,k),(k,m?)->(n?,m?) (size # is different from #)"),
    ("ValueError", "operands could not be broadcast together with shapes (3,4) (4,3) ",
     "operands could not be broadcast together with shapes (#,#) (#,#) "),
    ("IndexError", "index 7 is out of bounds for axis 0 with size 3",
     "index # is out of bounds for axis 0 with size #"),
    ("IndexError", "tuple index out of range", "tuple index out of range"),
    ("TypeError", "relu_backward() takes 2 positional arguments but 3 were given",
     "relu_backward() takes # positional arguments but # were given"),
    ("TypeError", "reshape() got an unexpected keyword argument 'newshape'",
     "reshape() got an unexpected keyword argument '…'"),
    ("ValueError", "cannot reshape array of size 12 into shape (5,)", "cannot reshape array of size # into shape (#,)"),
    # what carries a text the code chose is not shown
    ("ValueError", "aijgcjf", ""),
    ("ValueError", "not a valid gufunc signature: aijgcjf", ""),
    ("ValueError", "could not convert string to float: 'x\\'aijgcjf\"'", ""),
    ("TypeError", "aijgcjf() takes 0 positional arguments but 1 was given", ""),
    ("ValueError", "tuple index out of range ⁰⁸⁹⁶²⁹⁵", ""),
    ("KeyError", "aijgcjf", ""),
    ("KeyError", "'aijgcjf'", "'…'"),
    ("AssertionError", "tuple index out of range", ""),
    ("SystemExit", "tuple index out of range", ""),
])
def test_only_a_librarys_own_message_reaches_a_student(kind: str, message: str, shown: str) -> None:
    assert library_message(kind, message) == shown


def test_the_kits_own_messages_from_the_child_are_shown_and_nothing_else() -> None:
    assert kit_message("relu_backward returned 3 values; expected 1") == "relu_backward returned # values; expected #"
    assert kit_message("clipped['W1'] is not an array of numbers (got str: 'aijgcjf')") == (
        "a value it returned is not an array of numbers")
    assert kit_message("aijgcjf returned 3 values; expected 1") == FALLBACK
    assert kit_message("anything else at all: aijgcjf") == FALLBACK
