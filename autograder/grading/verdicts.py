"""Judge plain replies: the two oracles (finite differences, reference) and the no-mutation check.

Everything here runs in the grader's own process on plain arrays; none of it calls student code.

Tolerances (``numeric`` defines them, for the grader and the public tests alike), and why:
- Reference oracle: ``|got - expected| <= 1e-6 * |expected| + 1e-8 * max|expected| + 1e-12 * U``,
  U the upstream scale (max |dout| for layers, 1 / N for losses). The relative term admits other
  correct formulas and summation orders (they differ by a few eps, times the fan-in); the
  ``max|expected|`` term admits rounding in elements that cancel to ~0; the U term admits the
  cancellation of ``z * (1 - z)`` in saturation, where every correct formula is within ~eps * U of
  the truth yet relatively far from another. Real mistakes are off by O(1) relatively.
- Finite-difference oracle: ``|analytic - numeric| <= 1e-5 * |numeric| + 1e-7 * max|numeric| +
  noise``, noise the rounding bound of each centred difference (``numeric.centred_difference``);
  truncation error with h = 1e-5 is ~1e-10 relative for these smooth functions. The differences
  are those of the given forward (the reference's), and the student's forward must agree with it,
  within the reference tolerance, at the case and at every x ± h: a submission cannot make the
  oracle agree with its backward by changing the forward.
- Exact zeros where the check asks for them (dead units): a gradient that the chain rule makes
  exactly 0 must be exactly 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autograder.core.cases import Case
from autograder.core.numeric import (
    FD_ATOL_OF_MAX,
    FD_RTOL,
    REFERENCE_ATOL_OF_MAX,
    REFERENCE_ATOL_OF_UPSTREAM,
    REFERENCE_RTOL,
    STEP,
    Mismatch,
    centred_difference,
    projected,
    worst_mismatch,
)
from autograder.core.spec import Check, GradedFunction, Kind, Oracle, kink_distance, subgradient_bounds
from autograder.core.text import T_, Text, joined

KINK_MARGIN = 10 * STEP  # finite differences leave out elements this close to a kink
OUTPUT = "out"  # the tensor name of a forward output, a loss value or a total norm in findings


@dataclass(frozen=True)
class Finding:
    """One thing wrong in one case."""

    case: str
    message: str  # for the TA: every value
    tensor: str = ""
    mismatch: Mismatch | None = None
    mistakes: tuple[tuple[str, str], ...] = ()  # (id, explanation) of the known mistakes it matches
    crash: dict[str, Any] | None = None  # the student's code raised: ``calling.crash_of``'s facts
    shape: str = ""  # the finding is a wrong shape: "dx has shape (3, 4); expected (3, 5) like x"
    cause: str = ""  # another function of the student's that probably caused it
    grader_text: bool = False  # the message is the grader's own (a time limit, a malformed reply): shown whole


@dataclass
class Verdict:
    """The outcome of one check of one function."""

    function: GradedFunction
    check: Check
    findings: list[Finding] = field(default_factory=list)
    not_implemented: bool = False
    measured: str = ""  # why the backward is taken to measure its gradient (``source_reader``); scores 0

    @property
    def passed(self) -> bool:
        return not self.findings and not self.not_implemented and not self.measured


def fd_indices(function: GradedFunction, case: Case) -> dict[str, np.ndarray]:
    """Flat indices of each differentiable input that finite differences may move."""
    distance = kink_distance(function, case.args)
    return {wrt: np.flatnonzero(distance[wrt].reshape(-1) > KINK_MARGIN) for _, wrt in function.grads}


def upstream_scale(function: GradedFunction, case: Case) -> float:
    if function.kind is Kind.LAYER:
        assert case.dout is not None  # a layer case always has an upstream gradient
        return float(np.max(np.abs(case.dout)))
    if function.kind is Kind.LOSS:
        return 1.0 / np.shape(case.args[function.grads[0][1]])[0]
    return 0.0


def shape_text(name: str, got: tuple[int, ...], expected: tuple[int, ...], like: str) -> Text:
    """"dx has shape (3, 4); expected (3, 5) like x" (``like``: the input the gradient is shaped like)."""
    text = T_("{name} has shape {got}; expected {expected}{like}", name=name, got=got, expected=expected,
              like=T_(" like {wrt}", wrt=like) if like else "")
    if expected == () and len(got):
        return T_("{shape}: a loss is one number (a mean or a sum), not an array", shape=text)
    return text


def shape_hidden(text: Text) -> Text:
    """``shape_text``'s message with the student's shape left out: "dx has a shape unlike that; expected ..."."""
    fields = dict(text.fields)
    if "shape" in fields:  # a loss: the sentence around it stays
        return T_(text.template, shape=shape_hidden(fields["shape"]))
    return T_("{name} has a shape unlike that; expected {expected}{like}", name=fields["name"],
              expected=fields["expected"], like=fields["like"])


def described(mismatch: Mismatch, name: str, differences: bool = False) -> Text:
    """"dx[1, 0]: expected 3, got 3.5 (2 of 4 elements off)" as a Text; with ``differences``, the expected
    value is what finite differences give and the actual one what the student's backward gives.

    Here, not in ``core.numeric``: students receive that module as ``gradcheck.py``, beside nothing of
    the kit, so it imports numpy and the standard library only."""
    # (a Text, not an f-string: the name may be one, "sigmoid_forward output")
    where = Text("{name}[{index}]", {"name": name, "index": ", ".join(str(i) for i in mismatch.index)}) \
        if mismatch.index else name
    fields: dict[str, object] = {"where": where, "expected": f"{mismatch.expected + 0.0:.6g}",
                                 "actual": f"{mismatch.actual + 0.0:.6g}"}
    if mismatch.checked > 1:
        if differences:
            return T_("{where}: finite differences give {expected}, your backward gives {actual} ({bad} of "
                      "{checked} elements off)", **fields, bad=mismatch.bad, checked=mismatch.checked)
        return T_("{where}: expected {expected}, got {actual} ({bad} of {checked} elements off)", **fields,
                  bad=mismatch.bad, checked=mismatch.checked)
    if differences:
        return T_("{where}: finite differences give {expected}, your backward gives {actual}", **fields)
    return T_("{where}: expected {expected}, got {actual}", **fields)


def _shape_finding(case: Case, name: str, got: np.ndarray, expected_shape: tuple[int, ...], like: str) -> Finding:
    text = shape_text(name, got.shape, expected_shape, like)
    return Finding(case.label, text, tensor=name, shape=text)


def _compare(case: Case, name: str, got: np.ndarray, expected: np.ndarray, scale: float, like: str = "",
             exact_zeros: bool = False, bounds: tuple[np.ndarray, np.ndarray] | None = None,
             tensor: str = "") -> Finding | None:
    tensor = tensor or name
    if got.shape != expected.shape:
        return replace(_shape_finding(case, name, got, expected.shape, like), tensor=tensor)
    atol = REFERENCE_ATOL_OF_MAX * float(np.max(np.abs(expected), initial=0.0)) + REFERENCE_ATOL_OF_UPSTREAM * scale
    atol_array = np.where(expected == 0, 0.0, atol) if exact_zeros else atol
    lower, upper = bounds if bounds is not None else (None, None)
    mismatch = worst_mismatch(got, expected, REFERENCE_RTOL, atol_array, lower, upper)
    if mismatch is None:
        return None
    return Finding(case.label, described(mismatch, name), tensor=tensor, mismatch=mismatch)


def judge_reference(function: GradedFunction, check: Check, case: Case, student: dict[str, Any],
                    reference: dict[str, Any]) -> list[Finding]:
    """Compare a student reply with the reference's reply for the same case."""
    scale = upstream_scale(function, case)
    findings = []
    output_name = {Kind.LAYER: T_("{forward} output", forward=function.forward), Kind.LOSS: "loss",
                   Kind.CLIP: "total_norm"}[function.kind]
    output = _compare(case, output_name, student["out"], reference["out"], scale, tensor=OUTPUT)
    if output is not None:
        findings.append(output)
    if function.kind is Kind.CLIP and set(student["grads"]) != set(reference["grads"]):
        findings.append(Finding(case.label, T_("clipped has keys {keys}; expected {expected}, the keys of grads",
                                               keys=str(sorted(student['grads'])),
                                               expected=str(sorted(reference['grads']))), tensor="clipped"))
        return findings
    bounds = subgradient_bounds(function, case.args, case.dout)
    wrt_of = dict(function.grads)
    for name, expected in reference["grads"].items():
        wrt = wrt_of.get(name, "")
        finding = _compare(case, name, student["grads"][name], expected, scale, wrt,
                           exact_zeros=check.exact_zeros, bounds=bounds.get(wrt))
        if finding is not None:
            findings.append(finding)
    return findings


@dataclass(frozen=True)
class Numerical:
    """Centred differences of one input: the gradient, its rounding-noise bound and which elements
    were moved (the rest, near a kink, are not checked). All three are shaped like the input."""

    gradient: np.ndarray
    noise: np.ndarray
    checked: np.ndarray


def numerical_gradients(function: GradedFunction, case: Case, perturbed: dict[str, np.ndarray],
                        indices: dict[str, np.ndarray]) -> dict[str, Numerical]:
    """Turn the forward outputs at x ± h (``perturbed[wrt][k] = (out(+h), out(-h))`` for the k-th
    index of ``indices[wrt]``) into a numerical gradient per input."""
    upstream = case.dout if function.kind is Kind.LAYER else 1.0
    assert upstream is not None  # a layer case always has an upstream gradient
    result = {}
    for wrt, outputs in perturbed.items():
        shape = np.shape(case.args[wrt])
        gradient, noise, checked = np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=bool)
        for index, (plus, minus) in zip(indices[wrt], outputs, strict=True):
            gradient.flat[index], noise.flat[index] = centred_difference(
                projected(plus, upstream), projected(minus, upstream), STEP)
            checked.flat[index] = True
        result[wrt] = Numerical(gradient, noise, checked)
    return result


def _forward_findings(function: GradedFunction, case: Case, student: dict[str, Any],
                      reference: dict[str, Any], indices: dict[str, np.ndarray]) -> list[Finding]:
    """Where the student's forward (at the case and at every x ± h) leaves the given one.

    Finite differences are taken of the given forward, so a forward changed to return a constant
    or NaN cannot make any backward agree with them.
    """
    scale = upstream_scale(function, case)
    given = T_("the reference") if function.kind is Kind.LOSS else T_("the given code")
    what = T_("your loss value") if function.kind is Kind.LOSS else T_("your {forward}", forward=function.forward)
    at_case = _compare(case, OUTPUT, student["out"], reference["out"], scale, tensor=OUTPUT)
    if at_case is not None:
        return [replace(at_case, message=T_("{what} differs from {given}: {difference}", what=what, given=given,
                                            difference=at_case.message))]
    for wrt in indices:
        got, expected = student["perturbed"][wrt], reference["perturbed"][wrt]
        moved = _compare(case, OUTPUT, got, expected, scale, tensor=OUTPUT)
        if moved is not None:
            element = int(indices[wrt][moved.mismatch.index[0]]) if moved.mismatch and moved.mismatch.index else 0
            where = ", ".join(str(i) for i in np.unravel_index(element, np.shape(case.args[wrt])))
            return [Finding(case.label, T_("{what} differs from {given} when {wrt}[{where}] moves by ±{step}; "
                                           "finite differences are taken of {given}", what=what, given=given,
                                           wrt=wrt, where=where, step=format(STEP, "g")), tensor=OUTPUT)]
    return []


def judge_finite_differences(function: GradedFunction, case: Case, student: dict[str, Any],
                             reference: dict[str, Any], indices: dict[str, np.ndarray]) -> list[Finding]:
    """Compare the student's backward with centred differences of the given forward, after checking
    that the student's forward is the given one at every point the differences use."""
    if "perturbed" not in student:
        return [Finding(case.label, T_("no finite-difference values came back"))]
    expected_shape = {wrt: np.shape(reference["perturbed"][wrt]) for wrt in indices}
    got_shape = {wrt: np.shape(v) for wrt, v in student["perturbed"].items()}
    if got_shape != expected_shape:
        return [Finding(case.label, T_("the finite-difference reply is incomplete"))]
    findings = _forward_findings(function, case, student, reference, indices)
    numeric = numerical_gradients(function, case, reference["perturbed"], indices)
    for name, wrt in function.grads:
        if wrt not in numeric:
            continue  # not asked for: this case checks other inputs
        analytic = student["grads"][name]
        expected = numeric[wrt]
        if analytic.shape != expected.gradient.shape:
            findings.append(_shape_finding(case, name, analytic, expected.gradient.shape, wrt))
            continue
        largest = float(np.max(np.abs(expected.gradient), where=expected.checked, initial=0.0))
        atol = expected.noise + FD_ATOL_OF_MAX * largest
        mismatch = worst_mismatch(analytic, expected.gradient, FD_RTOL, atol, checked=expected.checked)
        if mismatch is not None:
            text = described(mismatch, name, differences=True)
            findings.append(Finding(case.label, text, tensor=name, mismatch=mismatch))
    return findings


IN_PLACE_HINTS = {
    "dout": T_("`dx = dout` does not copy: write `dx = dout * mask`, not `dout *= mask` or `dx[...] = 0`"),
    "cache": T_("the cache is the forward's, and it may be used again: read it (`cache[t]`), "
                "do not change it (`cache.pop()`, assigning into its arrays)"),
}


# What the child names in place of an input: words, said in the reader's language
CHANGED_WORDS = {"the input dict": T_("the input dict"),
                 "returned arrays share memory with the input": T_("returned arrays share memory with the input")}


def judge_untouched(case: Case, student: dict[str, Any]) -> list[Finding]:
    changed = student.get("changed", [])
    if not changed:
        return []
    hints = [IN_PLACE_HINTS[what] for what in changed if what in IN_PLACE_HINTS]
    hint = joined("; ", hints) if hints else T_("compute new arrays instead")
    names = joined(", ", [CHANGED_WORDS.get(name, name) for name in changed])
    return [Finding(case.label, T_("modified {names} in place: {hints}", names=names, hints=hint))]


def cache_cause(function: GradedFunction, student: dict[str, Any], reference: dict[str, Any]) -> str:
    """Where the cache the student's forward returned is not laid out as the given forward's: the likely
    cause of a backward that then crashes or goes wrong. Empty if they agree (or for losses)."""
    got, expected = student.get("cache_layout"), reference.get("cache_layout")
    if not got or not expected or got == expected:
        return ""
    for mine, given in zip(got, expected, strict=False):
        if mine != given:
            return T_("your {forward} returns a cache unlike the given code's ({mine}; the given code has "
                      "{given}): {function} receives that cache", forward=function.forward, mine=mine, given=given,
                      function=function.name)
    return T_("your {forward} returns a cache with {count} parts; the given code's has {expected}: {function} "
              "receives that cache", forward=function.forward, count=len(got), expected=len(expected),
              function=function.name)


def judge_case(function: GradedFunction, check: Check, case: Case, student: dict[str, Any],
               reference: dict[str, Any], indices: dict[str, np.ndarray]) -> list[Finding]:
    """All findings for one case of one check (empty: the case passed)."""
    if student.get("error"):
        findings = [Finding(case.label, student["error"], crash=student.get("crash"),
                            grader_text=student.get("grader_text") is True)]
    elif check.oracle is Oracle.FINITE_DIFFERENCES:
        findings = judge_finite_differences(function, case, student, reference, indices)
    elif check.oracle is Oracle.UNTOUCHED:
        # A rule about inputs pays only where the values are right: doing nothing changes nothing.
        findings = judge_reference(function, check, case, student, reference) + judge_untouched(case, student)
    else:
        findings = judge_reference(function, check, case, student, reference)
    cause = cache_cause(function, student, reference) if findings else ""
    return [replace(finding, cause=cause) for finding in findings] if cause else findings
