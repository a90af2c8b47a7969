"""Which words of the student's process may reach a student: none that could carry a hidden case's value.

The child runs the student's code, and that code can make any exception, with any message, and can
write the child's reply itself. So no free text of it is ever shown to a student. An exception's
message is shown only when, once its numbers are masked (``#``) and its quoted words too (``'…'``),
it is word for word one of the messages numpy and Python raise on a wrong computation (LIBRARY):
what is left then is the library's wording, whose blanks carry nothing. Names inside such a message
(a numpy function, a type) are kept only from a fixed vocabulary (``names``). The kit's own messages
from the child (a function that returned the wrong number of values, ...) are matched the same way
(KIT), and anything else becomes one fixed sentence.

The TA's report shows every message whole (``feedback``, ``Audience.TA``).
"""

from __future__ import annotations

import builtins
import functools
import re

import numpy as np

from autograder.core.language import N_
from autograder.core.spec import FUNCTIONS
from autograder.core.text import T_, Text

# Exception names a student may read: Python's and numpy's own (a class the code defines is "an exception").
EXCEPTIONS = frozenset(name for name, value in vars(builtins).items()
                       if isinstance(value, type) and issubclass(value, BaseException)) | {
    "AxisError", "LinAlgError", "UFuncTypeError", "ComplexWarning"}
# Exceptions whose message may be shown, when it is one of LIBRARY: what numpy and Python raise for code that
# computes the wrong thing. Not SystemExit, AssertionError or warnings: they repeat a text the code chose.
EXPLAINED = frozenset({"ValueError", "TypeError", "IndexError", "KeyError", "AttributeError", "NameError",
                       "UnboundLocalError", "ZeroDivisionError", "FloatingPointError", "OverflowError",
                       "RecursionError", "MemoryError", "AxisError", "LinAlgError", "UFuncTypeError"})
KNOWN_FUNCTIONS = frozenset(name for function in FUNCTIONS for name in (function.name, function.forward))
# Names a library message may hold where it names a function, a method or a type.
@functools.cache
def names() -> frozenset[str]:
    return frozenset(dir(np)) | frozenset(dir(np.ndarray)) | frozenset(dir(builtins)) | KNOWN_FUNCTIONS | {
        "NoneType", "ndarray", "float64", "float32", "int64", "int32", "numpy.float64", "numpy.ndarray",
        "builtin_function_or_method", "function", "method", "module"}


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_COUNTED = re.compile(r"\b(operand|dimension|axis|argument) (\d)\b")  # a library's own counting: kept

SHAPE = r"\((?:#(?:, ?#)*,?)?\)"  # a masked shape: (), (#,), (#, #), (#,#)
QUOTED = "'…'"
NAME = r"(?P<name>[A-Za-z_][\w.]*)"
NAME2 = r"(?P<name2>[A-Za-z_][\w.]*)"  # a second name in the same message
# Compiled where first needed (``_compiled``): most grades show no error message, and compiling these
# and building ``names`` cost every grade's start-up 4 ms.
LIBRARY = (
    # numpy: shapes that do not fit
    r"matmul: Input operand [01] has a mismatch in its core dimension [01#], with gufunc signature "
    r"\(n\?,k\),\(k,m\?\)->\(n\?,m\?\) \(size # is different from #\)",
    r"matmul: Input operand [01] does not have enough dimensions \(has #, gufunc core with signature "
    r"\(n\?,k\),\(k,m\?\)->\(n\?,m\?\) requires #\)",
    rf"operands could not be broadcast together with (?:remapped )?shapes (?:\[original->remapped\]: )?"
    rf"(?:{SHAPE}(?:->{SHAPE})? ?)+",
    rf"shapes {SHAPE} and {SHAPE} not aligned: # \(dim [01#]\) != # \(dim [01#]\)",
    rf"cannot reshape array of size # into shape {SHAPE}",
    rf"could not broadcast input array from shape {SHAPE} into shape {SHAPE}",
    rf"non-broadcastable output operand with shape {SHAPE} doesn't match the broadcast shape {SHAPE}",
    r"all the input array dimensions except for the concatenation axis must match exactly, but along dimension "
    r"[0-9#], the array at index [0-9#] has size # and the array at index [0-9#] has size #",
    r"all the input arrays must have same number of dimensions, but the array at index [0-9#] has # dimension\(s\) "
    r"and the array at index [0-9#] has # dimension\(s\)",
    r"setting an array element with a sequence\.(?: The requested array has an inhomogeneous shape after # "
    rf"dimensions\. The detected shape was {SHAPE} \+ inhomogeneous part\.)?",
    r"negative dimensions are not allowed",
    rf"Unable to allocate # (?:[KMGTP]i)?B for an array with shape {SHAPE} and data type (?:float64|float32|int64|"
    r"int32|bool|object)",
    # numpy: indexing
    r"index # is out of bounds for axis [0-9#] with size #",
    r"axis [0-9#] is out of bounds for array of dimension #",
    r"too many indices for array: array is #-dimensional, but # were indexed",
    r"boolean index did not match indexed array along axis [0-9#]; size of axis is # but size of corresponding "
    r"boolean axis is #",
    r"only integers, slices \(`:`\), ellipsis \(`\.\.\.`\), numpy\.newaxis \(`None`\) and integer or boolean arrays "
    r"are valid indices",
    r"arrays used as indices must be of integer \(or boolean\) type",
    r"The truth value of an array with more than one element is ambiguous\. Use a\.any\(\) or a\.all\(\)",
    r"zero-size array to reduction operation (?:maximum|minimum|fmax|fmin) which has no identity",
    r"output array is read-only|assignment destination is read-only",
    rf"ufunc {QUOTED} not supported for the input types, and the inputs could not be safely coerced to any "
    rf"supported types according to the casting rule {QUOTED}",
    rf"Cannot cast ufunc {QUOTED} output from dtype\({QUOTED}\) to dtype\({QUOTED}\) with casting rule {QUOTED}",
    # Python: sequences, names, calls
    r"(?:tuple|list|string) index out of range",
    r"(?:float )?division by zero|integer division or modulo by zero|integer modulo by zero",
    r"not enough values to unpack \(expected #, got #\)",
    r"too many values to unpack \(expected #\)",
    rf"cannot unpack non-iterable {NAME} object",
    rf"{QUOTED} object (?:is not (?:callable|subscriptable|iterable)|does not support item assignment|"
    rf"cannot be interpreted as an integer|has no attribute {QUOTED})",
    rf"module {QUOTED} has no attribute {QUOTED}",
    rf"name {QUOTED} is not defined",
    rf"cannot access local variable {QUOTED} where it is not associated with a value",
    rf"unsupported operand type\(s\) for (?:\+|-|\*|/|//|%|\*\*|@|<<|>>|&|\||\^|\+=|-=|\*=|/=|@=|divmod\(\)|pow\(\)): "
    rf"{QUOTED} and {QUOTED}",
    rf"bad operand type for unary [-+~]: {QUOTED}",
    rf"can't multiply sequence by non-int of type {QUOTED}",
    rf"can only concatenate (?:str|list|tuple) \(not {QUOTED}\) to (?:str|list|tuple)",
    rf"{QUOTED} not supported between instances of {QUOTED} and {QUOTED}",
    rf"(?:list|tuple) indices must be integers or slices, not {NAME}",
    rf"{NAME}\(\) takes (?:from # to )?# positional arguments? but # (?:were|was) given",
    rf"{NAME}\(\) missing # required (?:positional|keyword-only) arguments?: {QUOTED}(?:, {QUOTED})*"
    rf"(?:,? and {QUOTED})?",
    rf"{NAME}\(\) got (?:an unexpected keyword argument|multiple values for argument) {QUOTED}",
    rf"could not convert string to float: {QUOTED}",
    rf"invalid literal for int\(\) with base #: {QUOTED}",
    r"maximum recursion depth exceeded(?: while calling a Python object| in comparison)?",
    r"math domain error|math range error",
    r"Singular matrix|Last # dimensions of the array must be square",
    QUOTED,  # a KeyError of a quoted key: the key is masked
)
# The kit's own messages, from the student's process (``calling.CallError``): what a student reads of each,
# a template of the names the pattern captured (the masked numbers stay "#": they are the student's).
KIT = (
    (rf"{NAME} returned # values; expected #", N_("{name} returned # values; expected #")),
    (rf"{NAME} returned {NAME2}; expected #", N_("{name} returned {name2}; expected #")),
    (r".* is not an array of numbers \(got .*", N_("a value it returned is not an array of numbers")),
    (rf"clipped is a {NAME}, expected a dict", N_("clipped is a {name}, expected a dict")),
    (rf"(?P<module>layers|rnn_layers)\.py has no function {NAME}", N_("{module}.py has no function {name}")),
)


@functools.cache
def _compiled() -> tuple[list[re.Pattern[str]], list[tuple[re.Pattern[str], str]]]:
    """LIBRARY's and KIT's patterns, compiled."""
    return [re.compile(template) for template in LIBRARY], [(re.compile(pattern), said) for pattern, said in KIT]
FALLBACK = T_("it gave an answer the grader could not use (run the public tests to see the error)")


def masked(text: str) -> str:
    """``text`` with every number shown as ``#`` (but a library's "operand 1", "axis 0") and every quoted
    word as ``'…'``."""
    text = _QUOTED.sub("'…'", text)
    pieces, last = [], 0
    for match in _COUNTED.finditer(text):
        pieces += [_NUMBER.sub("#", text[last:match.start()]), match.group()]
        last = match.end()
    return "".join([*pieces, _NUMBER.sub("#", text[last:])])


def _named_fitly(match: re.Match[str]) -> bool:
    """Every name a template captured is in ``names()`` (a function the code renamed, a class it made, is not)."""
    return all(name in names() for key, name in match.groupdict().items() if key.startswith("name") and name)


def library_message(kind: str, message: str) -> str:
    """``message`` of an exception of type ``kind`` as a student may read it: masked, if it is one of the
    library's own (LIBRARY, EXPLAINED); else empty."""
    if kind not in EXPLAINED:
        return ""
    shown = masked(message)
    for template in _compiled()[0]:
        match = template.fullmatch(shown)
        if match is not None and _named_fitly(match):
            return shown
    return ""


def kit_message(text: str) -> Text:
    """An error the child reported without an exception of the student's (``calling.CallError``, ...), as a
    student may read it: one of the kit's own messages (KIT), or FALLBACK."""
    shown = masked(text)
    for template, said in _compiled()[1]:
        match = template.fullmatch(shown)
        if match is not None and _named_fitly(match):
            return Text(said, {key: value for key, value in match.groupdict().items() if value is not None})
    return FALLBACK


def exception_name(kind: str) -> str:
    """The exception's name if it is Python's or numpy's own, else "an exception"."""
    return kind if kind in EXCEPTIONS else "an exception"
