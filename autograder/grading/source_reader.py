"""Does a graded function compute its gradient, or measure it? Read from the source text alone.

The assignment asks for derivatives written by hand. A submission can instead evaluate the given
forward at perturbed inputs, take complex-step differences, call a numerical or automatic
differentiator, or hide code from the reader; every gradient is then right and nothing was learnt.
This module runs in the grader's own process, never imports or runs student code, and parses the
student's modules with ``ast``.

What is read: for each graded function, its own body, its forward (a forward can stash a measured
gradient in the cache), and everything they reach by name, transitively: module-level functions,
classes (all their methods), lambdas, nested definitions, decorators, default arguments,
module-level assignments, attribute writes to a student module (``import layers as me;
me.f = g`` binds f, in any scope and from either module), what call sites pass a parameter, and
definitions imported from a sibling module (``layers`` from ``rnn_layers``).
Names are resolved through imports, aliases (``import numpy as tf``,
``f = np.gradient``), attribute chains, literal ``getattr`` (and ``getattr(obj, name)`` with ``name``
running over a written tuple or list of plain names, none a dunder: ``for name in ("dx", "dw")``) and
star imports.

What flags a function (one finding, the first by kind, then by line):

- automatic or symbolic differentiation: any use of torch, jax, autograd, tensorflow, sympy, ...;
- numerical differentiators: ``numpy.gradient``, ``numpy.polyfit``, scipy's ``approx_fprime``,
  ``check_grad``, ``scipy.differentiate``, numdifftools, findiff, and the release's own checkers
  (``gradcheck.numerical_gradient``, ``grouped_gradient``, ``conftest``, the public test modules);
- complex steps: complex literals, ``complex``, complex dtypes (names or strings, as a keyword or in
  a numpy call's dtype place: ``np.full((), -1, "D")``), ``.imag``, ``numpy.imag``, ``cmath``,
  ``numpy.emath``, FFTs, ``numpy.typecodes``, a negative number (or truth value: ``(-True) ** 0.5``) raised
  to a fraction (``pow(-10 ** -40, 0.5)``, folded through names); not a conjugate, which a real array's
  transpose may take;
- finite differences: a perturbation by a small step (``x + h``, ``x[i] -= h``, ``np.add(x, h)``,
  ``sum((x, h))``, ``functools.reduce(operator.add, (x, h))``)
  together with a division by a small step (``/ (2 * h)``, ``* (1 / h)``, ``* 5e4``, ``* np.rint(5e4)``,
  ``np.ldexp(diff, 16)``, ``np.tensordot(diff, 5e4, axes=0)``, ``np.polyval([5e4, 0.0], diff)``,
  ``np.reciprocal(2 * h)``, ``operator.truediv``, ``h ** -1``, ``pow(h, -1)``, ``__truediv__``) anywhere
  in what the function reaches; or, whatever the step, a forward (or a function of the student's that
  calls one) evaluated from a backward at moved inputs (``f(x + e)``, ``f(np.add(x, e))``, ``f(x.__add__(e))``,
  an array changed in place by
  ``m[i] += 1.0``, ``np.add(m, d, out=m)``). A step is any expression that folds to 0 < |h| <= 0.1 or scales by
  such a number: literals, ``10**-5``, ``1e-5 * np.ones_like(x)``, ``np.finfo(float).eps ** 0.5``,
  ``float("1e-5")``, constants folded through named numbers and bounded numeric functions
  (``math.e ** -12``, ``1 / math.factorial(9)``, ``np.ldexp(1.0, -17)``), a written sum of steps
  (``sum([h, h])``), names, defaults, attributes (``self.h``, a class attribute) and arguments bound to one
  (``**{"h": 1e-5}`` at a call passes h), a mapping's default (``options.get("h", 1e-5)``), ``h or 1e-5``,
  steps reached through an input only nominally (``x.dtype.type(1e-5)``, ``1 / (x.itemsize * 12500)``,
  ``np.zeros_like(x) + 1e-5``, ``x * 0 + 1e-5``),
  any expression with a small float literal in it and nothing from the inputs (``[1e-5][0]``,
  ``np.sin(1e-5)``), a written container or comprehension holding a step (``/ [2 * h]``,
  ``np.array([-h, h])``, ``np.broadcast_to(2 * h, shape)``), and any value the reader cannot fold that is
  computed from nothing the function receives (``np.sinh(10 ** -5)``, ``SETTINGS["step"]``, ``Settings().h``,
  ``next(steps())``, ``float(Fraction(1, 10 ** 5))``, ``1 / len("x" * 100000)``, a ``with`` or ``for`` target
  over such a value): module constants, literals, imports, builtins, and the program's own classes and
  functions that read no parameter of an enclosing function, into which nothing computed from an input is
  stored (``CACHE["x"] = x``); not a count, zeros or ones (``len(SIZES)``, ``np.arange(3)``), nor an item
  of a written container of constants. Divisions spelled as values count too: a dividing function named
  without being called (``functools.reduce(operator.truediv, ...)``, ``np.frompyfunc(operator.truediv, 2,
  1)``, ``np.divide.at``), a multiplying one handed a large factor (``functools.partial(np.multiply, 5e4)``),
  ``np.linalg.solve``/``inv`` of a step, ``np.full_like(x, 5e4)``;
- code the grader cannot read: ``eval``, ``exec``, ``compile``, ``__import__``, ``globals()``,
  ``locals()`` in a class body, ``getattr``/``setattr`` with a computed name (on a module, or starting with
  anything a flagged name could start with), ``importlib``,
  ``marshal``, ``pickle``, ``numpy.load`` (it unpickles), ``codecs``, ``base64``, ``zlib``,
  ``types.FunctionType``/``CodeType``, ``inspect``, ``ctypes``, ``subprocess``, ``sys.modules``,
  arrays over memory the code chooses (``__array_interface__``, ``__array_struct__``, ``as_strided``,
  ``np.ndarray`` given a buffer or strides, ``.strides =``, ``resize(refcheck=False)``: they can rewrite a
  function's code in place, under the code guard),
  where imports come from (``sys.path``, ``sys.meta_path``, ``site``, ``zipimport``, ``pkgutil``; the
  sys module reached through another, ``os.sys``: a module written at run time would import),
  modules that run a program given as text (``timeit``, ``doctest``, ``pdb``, ``cProfile``,
  ``logging.config``, ``unittest.mock``, IPython, jinja2, ...) or another program (``os.spawn*``, ``pty``),
  ``__code__``/``__globals__``/
  ``__dict__`` and ``vars()`` (except ``self.__dict__``, and ``vars(self)`` only read, in a method nothing
  calls with a self of its choosing, as ``Table.entries(np)`` would)/``__builtins__``/``__self__``/``__wrapped__``,
  frames and tracebacks (``tb_frame``, ``f_globals``, ``f_back``, ``gi_frame``, ...), a string equal
  to one of those names (``scope["__builtins__"]["exec"]``), a student module used as an object,
  a module-level ``__getattr__``/``__dir__`` (flags every graded function of the module; a method of that
  name in a class body answers for its instances and does not, unless ``global`` names it).
  A backward has no reason to build code at run time, so each of these flags the
  functions that reach it; one at import time (module level, outside ``if __name__ == "__main__"``)
  flags every graded function of the module, and ``global NAME`` inside a function flags NAME.
  ``globals()`` only iterated for its names (``[n for n in globals() if ...]``), a literal
  ``getattr(obj, "x", default)`` and an attribute bag (``setattr(self, key, value)`` over
  ``kwargs.items()`` in a plain class's ``__init__(self, **kwargs)``) do not flag.
- a module the reader cannot finish: longer than SOURCE_LIMIT characters, nested too deeply for
  the parser or the reader, or over WORK_LIMIT resolution steps: every graded function of it is
  flagged (fail closed), never passed unread.

What never flags by itself (so a correct answer keeps its points): recomputing a forward at the
cached point (``sigmoid(x)`` from a cached ``x``), stability epsilons (``np.log(p + 1e-12)``,
``/ (norm + 1e-8)``), ``np.clip``, loops over time steps, small or unfoldable constants (a config's
``eps``) that no division by a small step accompanies, self-tests under ``if __name__ == "__main__"``.

Limits: what a determined student can still do unseen.

- Finite differences whose step the reader cannot see as small: a step computed from the data in a
  way that does not scale by a small constant (``np.nextafter(x, np.inf) - x``, ``1 / x.size``, a step
  read from a file, or the two halves of ``x + h`` and ``/ h`` written so that neither folds, e.g. a step
  computed from the inputs), or a difference quotient spread over helpers so that the source reads
  like algebra. A forward at moved inputs is seen only when the move is written at the call
  (``x + e``) or in place; a moved copy rebound by plain assignment (``m = x + e; f(m)``) is not.
- Slopes by fits the tables do not name (``np.linalg.lstsq`` on sampled points), or a numerical
  differentiator, or a way to run a program given as text, from a library not in the tables.
- Anything in a module the grader does not hand over (only ``layers`` and ``rnn_layers`` are read;
  a call into another student file is not followed, and a call into ``layers`` is followed only
  when its source is given). The child imports nothing from its own folder unless the import path
  is changed, which flags.
- Attribute calls on objects of unknown type are not resolved (``obj.method`` where ``obj`` came
  from a parameter), and a function passed through a container or returned by a call is followed
  only as far as the names in it.
Source that does not parse gives no findings: the grader reports the syntax error on its own.
"""

from __future__ import annotations

import ast
import builtins
import functools
import math
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from autograder.core import syntax
from autograder.core.language import N_
from autograder.core.text import T_, Text

STEP_LIMIT = 0.1  # the largest step a difference quotient of these layers can use and still pass
QUOTIENT_LIMIT = 100.0  # multiplying by 1 / step: no analytic backward of this assignment needs a factor so large
EPSILON = 2.220446049250313e-16  # float64 machine epsilon, what np.finfo(...).eps folds to
ITEMSIZE = 8.0  # what ``x.itemsize`` folds to: every array of the assignment is float64

AUTOGRAD = ("torch", "jax", "jaxlib", "autograd", "tensorflow", "keras", "mxnet", "chainer", "theano",
            "aesara", "pytensor", "sympy", "symengine", "tinygrad", "micrograd", "casadi", "paddle",
            "mindspore", "mygrad", "dezero", "oneflow", "flax", "haiku", "equinox")
# Plain array functions of those libraries: they differentiate nothing unless their grad is used too.
NUMPY_WRAPPERS = ("autograd.numpy", "jax.numpy", "autograd.scipy", "jax.scipy")
NUMERICAL = ("numpy.polyfit", "numpy.polynomial", "numpy.lib.polynomial", "scipy.optimize.approx_fprime",
             "scipy.optimize.check_grad", "scipy.optimize._numdiff", "scipy.optimize.approx_derivative",
             "scipy.differentiate", "scipy.misc.derivative", "scipy.interpolate", "numdifftools", "findiff",
             "statsmodels.tools.numdiff", "gradcheck.numerical_gradient", "gradcheck.grouped_gradient",
             "gradcheck.centred_difference", "gradcheck.projected", "gradcheck.STEP", "conftest",
             "test_layers", "test_rnn_layers", "autograder")
COMPLEX = ("numpy.complex64", "numpy.complex128", "numpy.complex256", "numpy.complex_", "numpy.cdouble",
           "numpy.csingle", "numpy.clongdouble", "numpy.cfloat", "numpy.clongfloat", "numpy.longcomplex",
           "numpy.singlecomplex", "numpy.complexfloating", "numpy.imag", "numpy.emath", "numpy.lib.scimath",
           "numpy.fft", "scipy.fft", "scipy.fftpack", "cmath", "builtins.complex", "numpy.typecodes")
DYNAMIC = ("importlib", "marshal", "pickle", "dill", "cloudpickle", "codecs", "base64", "binascii", "zlib",
           "bz2", "lzma", "types.FunctionType", "types.CodeType", "types.LambdaType", "types.ModuleType",
           "builtins", "__builtin__", "sys.modules", "sys._getframe", "inspect", "ctypes", "subprocess",
           # the garbage collector hands out every live object, the grader's own functions and dicts included
           "gc", "weakref", "threading.settrace", "sys.settrace", "sys.setprofile", "sys.addaudithook",
           "os.system", "os.popen", "os.execv", "os.execl", "runpy", "code", "codeop", "ast",
           "operator.attrgetter", "operator.methodcaller", "builtins.eval", "builtins.exec",
           "builtins.compile", "builtins.__import__", "builtins.globals", "builtins.vars",
           # classes whose attribute names are chosen at run time (``__array_interface__``, spelled in pieces)
           "types.new_class",
           # where imports come from: a module the submission writes at run time becomes importable
           "sys.path", "sys.meta_path", "sys.path_hooks", "sys.path_importer_cache", "site", "zipimport",
           "pkgutil", "imp", "pydoc",
           # a pickle calls whatever it names (exec, with a program built at run time)
           "numpy.load", "numpy.lib.npyio", "numpy.lib.format", "shelve", "copyreg", "yaml", "joblib",
           "pandas.read_pickle",
           # modules that run a program given as text (the standard library's, then those installed beside
           # the grader: a backward needs none of them)
           "timeit", "doctest", "cProfile", "profile", "trace", "pdb", "bdb", "rlcompleter", "logging.config",
           "unittest.mock", "pandas.eval", "IPython", "ipykernel", "jinja2", "mako", "dask", "distributed",
           "pure_eval", "executing", "stack_data", "asttokens", "traitlets", "nbformat", "nbclient", "nbconvert",
           "nbgrader", "jupyter_client", "tornado", "sqlalchemy", "pytest", "_pytest", "hypothesis", "setuptools",
           "pip", "cffi", "numpy.f2py", "numpy.testing.extbuild", "numpy.distutils", "numpy.ctypeslib",
           # strides of the code's choosing reach memory outside the array: the interpreter's own included
           "numpy.lib.stride_tricks.as_strided", "numpy.lib._stride_tricks_impl",
           "numpy.lib._npyio_impl", "numpy.lib._format_impl", "builtins.breakpoint", "sys.breakpointhook",
           # what evaluates a string annotation, and what walks a format field's attributes to an object
           "typing.get_type_hints", "typing.ForwardRef", "typing._eval_type", "typing_extensions.get_type_hints",
           "functools.singledispatch", "functools.singledispatchmethod", "attr.resolve_types", "attrs.resolve_types",
           "annotationlib", "string.Formatter", "_string", "multiprocessing", "numpy.testing.measure",
           # other programs run from a backward
           "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execve", "os.execvp", "os.execvpe",
           "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp",
           "os.spawnvpe", "os.posix_spawn", "os.posix_spawnp", "pty", "pexpect")
# Attributes through which another module hands out the sys module (``os.sys``, ``tempfile._sys``) or the
# import system's hooks: anywhere after the first name of a dotted name, they reach DYNAMIC's ``sys.*``.
IMPORT_SYSTEM_ATTRIBUTES = frozenset({"sys", "_sys", "meta_path", "path_hooks", "path_importer_cache"})
# Metaclasses of the standard library that name no attribute a class body did not: a class may use them.
KNOWN_METACLASSES = frozenset({"abc.ABCMeta", "enum.EnumMeta", "enum.EnumType"})
# Modules of DYNAMIC that another module hands out as an attribute (``np.ctypeslib.ctypes``): anywhere after
# the first name of a dotted name, they flag as they would by their own name.
DYNAMIC_ATTRIBUTES = IMPORT_SYSTEM_ATTRIBUTES | {"ctypes", "pickle", "marshal", "importlib", "builtins", "subprocess",
                                                 "inspect", "gc", "runpy", "pydoc", "pdb", "cloudpickle", "dill"}
DUNDERS = frozenset({"__code__", "__globals__", "__dict__", "__builtins__", "__closure__", "__getattribute__",
                     "__import__", "__loader__", "__spec__", "__path__", "__annotations__", "__subclasses__",
                     "__bases__", "__base__",
                     # an array over memory at an address of the code's choosing: the interpreter's own included
                     "__array_interface__", "__array_struct__",
                     "__mro__", "__defaults__", "__kwdefaults__", "__func__", "__self__", "__wrapped__",
                     "__setattr__", "__delattr__", "__getattr__", "__reduce__", "__reduce_ex__",
                     # frames, tracebacks, generators and coroutines: the way to any scope's globals and builtins
                     "tb_frame", "tb_next", "f_globals", "f_locals", "f_builtins", "f_back", "f_code",
                     "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "co_code",
                     "co_consts",
                     # a string annotation evaluated: a name or a dotted path looked up from computed text
                     "_evaluate", "__forward_arg__", "__forward_code__", "__forward_value__"})
# A string equal to one of these names fetches what the name would: ``scope["__builtins__"]["exec"]``.
HIDDEN_NAMES = frozenset({"exec", "eval", "compile", "__import__", "getattr", "setattr", "delattr", "globals",
                          "locals", "vars", "builtins", "__builtins__", "__builtin__", "importlib", "_getframe",
                          "import_module", "marshal", "pickle", "inspect",
                          "ctypes", "subprocess", "FunctionType", "CodeType"} | DUNDERS)
# Methods that put their arguments into the container they are called on.
FILLING_METHODS = frozenset({"append", "appendleft", "extend", "extendleft", "insert", "add", "update",
                             "setdefault", "push", "put", "put_nowait", "__setitem__"})
# Module-level names that let a module supply attributes it does not define (PEP 562).
MODULE_HOOKS = ("__getattr__", "__dir__")
# Builtins whose names matter; a student's own binding of the same name shadows them.
BUILTINS = frozenset({"eval", "exec", "compile", "__import__", "globals", "vars", "complex", "breakpoint", "getattr",
                      "setattr", "delattr"})
# Calls whose attribute names are given as their arguments: harmless when every name is written out.
NAMING_CALLS = frozenset({"dataclasses.make_dataclass", "collections.namedtuple", "typing.NamedTuple"})
PYTHON_BUILTINS = frozenset(dir(builtins))
COMPLEX_DTYPE = re.compile(r"^[<>|=]?(complex\d*|c\d+|[FDG])$")
# A complex dtype given in any place of a numpy call: "F" is left out (it is also the Fortran order).
COMPLEX_NAMED = re.compile(r"^[<>|=]?(complex\d*|c\d+|[DG])$")
# Where numpy's array makers take their dtype positionally: ``np.full((), -1, "F")``.
DTYPE_PLACE = {"zeros": 1, "ones": 1, "empty": 1, "array": 1, "asarray": 1, "asanyarray": 1, "ascontiguousarray": 1,
               "zeros_like": 1, "ones_like": 1, "empty_like": 1, "identity": 1, "fromiter": 1, "frombuffer": 1,
               "full": 2, "full_like": 2, "eye": 3, "arange": 3, "linspace": 5}
FACTORIAL_LIMIT = 170  # the largest n whose n! is a finite float: a fold never builds a bigger integer
COMBINATION_LIMIT = 1030  # comb(n, k) and perm(n, k) fold for n up to this (comb(1030, 515) is below 1e309)
EXPONENT_LIMIT = 1100  # ldexp's exponent: past it every float is 0 or inf


def _whole(value: float, limit: int) -> int:
    """``value`` as an int in 0..limit, for a fold that needs one; else ValueError (the fold gives up)."""
    if not float(value).is_integer() or not 0 <= value <= limit:
        raise ValueError(value)
    return int(value)


def _ldexp(mantissa: float, exponent: float) -> float:
    if not float(exponent).is_integer() or abs(exponent) > EXPONENT_LIMIT:
        raise ValueError(exponent)
    return math.ldexp(mantissa, int(exponent))


# Folding: pure numeric functions a step may be spelled with, by their last name component. Each is
# bounded: its arguments are floats, and the few that build integers are capped first.
FOLDABLE: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "cbrt": lambda v: math.copysign(abs(v) ** (1 / 3), v), "exp": math.exp,
    "exp2": lambda v: 2.0 ** v, "power": math.pow, "pow": math.pow, "float_power": math.pow,
    "ldexp": _ldexp, "float": float, "float64": float, "float32": float, "double": float, "abs": abs,
    "fabs": abs, "absolute": abs, "asarray": float, "array": float, "max": max, "min": min,
    "maximum": max, "minimum": min, "fmax": max, "fmin": min, "expm1": math.expm1, "log": math.log,
    "log2": math.log2, "log10": math.log10, "log1p": math.log1p, "gamma": math.gamma,
    "factorial": lambda n: float(math.factorial(_whole(n, FACTORIAL_LIMIT))),
    "comb": lambda n, k: float(math.comb(_whole(n, COMBINATION_LIMIT), _whole(k, COMBINATION_LIMIT))),
    "perm": lambda n, k: float(math.perm(_whole(n, COMBINATION_LIMIT), _whole(k, COMBINATION_LIMIT))),
    "floor": math.floor, "ceil": math.ceil, "trunc": math.trunc, "fix": math.trunc,
    **dict.fromkeys(("round", "round_", "around", "rint"), lambda v, d=0: float(round(v, int(d)))),
    # numpy's scalar types of a written number (``10.0 ** np.int8(-5)``): the number
    **dict.fromkeys(("int", "int8", "int16", "int32", "int64", "intc", "intp", "int_", "longlong", "short", "byte",
                     "uint8", "uint16", "uint32", "uint64", "uint", "ubyte"), lambda v: float(int(v))),
    **dict.fromkeys(("float16", "half", "single", "longdouble", "float128"), float),
}
# Named constants a step may be folded from (``math.e ** -12``), by their dotted name.
CONSTANTS = {"math.e": math.e, "math.pi": math.pi, "math.tau": math.tau, "numpy.e": math.e,
             "numpy.pi": math.pi, "numpy.euler_gamma": 0.5772156649015329}
# Sums of a written list or tuple: ``sum([h, h])`` is as small as ``h + h``.
SUMMING = frozenset({"sum", "fsum", "nansum"})
SUM_LIMIT = 64  # elements of a written list that a sum folds: longer ones are data
TEXT_LIMIT, TEXT_DEPTH = 64, 16  # a number spelled as text (``float("1e" + "-5")``): its length, its pieces
# Of those, the ones whose result is small when their first argument is (exp(h) is not).
SCALE_KEEPING = frozenset({"sqrt", "cbrt", "float", "float64", "float32", "double", "abs", "fabs", "absolute",
                           "asarray", "array", "max", "min", "maximum", "minimum", "fmax", "fmin"})
# Calls that give back their first argument's values, reshaped or repeated (``np.broadcast_to(2 * h, x.shape)``,
# ``(2 * h).reshape(1)``): small or large when that argument is (a method's is the object it is called on).
SHAPING = frozenset({"broadcast_to", "tile", "repeat", "reshape", "ravel", "flatten", "atleast_1d", "atleast_2d",
                     "atleast_3d", "asanyarray", "ascontiguousarray", "asfortranarray", "copy", "squeeze",
                     "expand_dims", "transpose", "item", "astype", "tolist", "stack", "concatenate", "hstack",
                     "vstack", "column_stack", "dstack", "block", "diag", "diagflat"})
ANY_ATTRIBUTE = "*"  # in ``step_attributes``: some class's ``__getattr__`` returns a step, whatever it is asked for
EPSILON_ATTRIBUTES = frozenset({"eps", "epsilon", "resolution", "tiny", "smallest_normal", "smallest_subnormal"})
LARGEST, SMALLEST = frozenset({"max", "maximum", "fmax"}), frozenset({"min", "minimum", "fmin"})  # of 2 or more
DEFAULTING = frozenset({"get", "pop", "setdefault"})  # ``options.get("h", 1e-5)``: a mapping's default
FILLERS = frozenset({"full", "full_like"})  # np.full(shape, h): the fill value is the step
# Calls whose result is never a step, whatever is passed: an opaque value is one of those only when the reader
# cannot tell (``len(SIZES)`` is a count, ``np.zeros(3)`` zeros).
NEVER_STEPS = frozenset({"len", "int", "range", "bool", "str", "repr", "format", "print", "isinstance",
                         "issubclass", "hasattr", "callable", "id", "hash", "ord", "chr", "zeros", "ones", "empty",
                         "zeros_like", "ones_like", "empty_like", "eye", "identity", "arange", "count_nonzero",
                         "argmax", "argmin", "argsort", "argwhere", "nonzero", "flatnonzero", "ndim", "shape",
                         "size", "isclose", "allclose", "array_equal", "isfinite", "isnan", "isinf", "errstate",
                         "seterr", "geterr", "dtype", "result_type", "default_rng", "RandomState", "seed",
                         "indices", "ndindex", "nditer", "unravel_index", "ravel_multi_index", "bincount",
                         "factorial", "comb", "perm", "gcd", "lcm", "isqrt", "bit_length", "getattr", "type",
                         "object", "super", "vars", "dir", "locals", "globals", "open"})
FREE_DEPTH = 40  # nested reads of what names hold, for ``_input_free``: deeper reads as an input

KIND_ORDER = ("autograd", "numerical", "complex", "difference", "unreadable")
SOURCE_LIMIT = 250_000  # characters per module; the reference layers.py has about 15,000
WORK_LIMIT = 400_000  # resolution steps for one module: the reference needs a few thousand


# Templates a reason is wrapped in (and unwrapped from, by ``_outside``).
IN_HELPER = N_("{reason} (in {function})")
AT_IMPORT = N_("at import time, {reason}")


class _TooMuchError(Exception):
    """The reader's work budget for one module ran out."""


@dataclass(frozen=True)
class Measured:
    """Why a graded function is taken to measure its gradient instead of computing it.

    ``module`` and ``line`` locate the construct (it may sit in a function the graded one calls,
    possibly in the sibling module); ``reason`` is one sentence for the student.
    """

    function: str
    module: str
    line: int
    reason: str


@dataclass(frozen=True)
class _Finding:
    kind: str
    module: str
    line: int
    reason: str

    def rank(self) -> tuple[int, int]:
        return KIND_ORDER.index(self.kind), self.line


def measured_functions(source: str, graded: Iterable[str], module: str,
                       siblings: Mapping[str, str] | None = None) -> dict[str, Measured]:
    """The graded functions of one module that measure their gradient, each with its reason.

    Inputs:
    - source: the student's module text, e.g. the contents of rnn_layers.py.
    - graded: names of the graded functions defined in it.
    - module: its module name ("layers" or "rnn_layers"), so that imports between modules resolve.
    - siblings: other modules' sources by name (e.g. {"layers": ...} when reading rnn_layers), whose
      definitions are followed when imported.

    Returns: {function name: Measured} for the flagged functions only; {} when none is, or when a
    source does not parse.
    """
    graded = list(graded)
    sources = {module: source, **{k: v for k, v in (siblings or {}).items() if k != module}}
    why = _read(sources, module, graded)
    if isinstance(why, dict):
        return why
    # A sibling the module does not import need not be read with it.
    alone = _read({module: source}, module, graded)
    if isinstance(alone, str):
        return _unread(graded, module, module, alone)
    culprits = sorted(name for name in sources
                      if name != module and isinstance(_read({name: sources[name]}, name, []), str))
    if culprits and not any(name in _imports_of(source) for name in culprits):
        return measured_functions(source, graded, module, {k: v for k, v in sources.items() if k not in culprits}) \
            if len(sources) - len(culprits) > 1 else alone
    return _unread(graded, module, (culprits or [module])[0], why)


def _read(sources: Mapping[str, str], module: str, graded: list[str]) -> dict[str, Measured] | str:
    """The flagged functions of ``module``, or why its code (or a sibling's) could not be read."""
    if any(len(text) > SOURCE_LIMIT for text in sources.values()):
        return T_("too long to read")
    try:
        program = _program_of(sources)
    except (SyntaxError, ValueError):
        return {}  # it cannot be imported either: the grader reports that on its own
    except (RecursionError, MemoryError):
        return T_("nested too deeply")
    except _TooMuchError:
        return T_("too much to follow")
    try:
        program.work = 0  # the budget is per module read, even where the program was built for another
        flagged: dict[str, Measured] = {}
        for name in graded:
            findings = _findings_for(program, module, name)
            if findings:
                best = min(findings, key=_Finding.rank)
                flagged[name] = Measured(name, best.module, best.line, _outside(best.reason, name))
        return flagged
    except (RecursionError, MemoryError):
        return T_("nested too deeply")
    except _TooMuchError:
        return T_("too much to follow")


def _outside(reason: str, function: str) -> str:
    """``reason`` without its " (in FUNCTION)" when that names the graded function itself. The same
    English as ``reason.removesuffix(...)``, kept a Text where it was one."""
    suffix = f" (in {function})"
    stripped = _unwrapped(reason, function)
    return stripped if stripped == reason.removesuffix(suffix) else reason.removesuffix(suffix)


def _unwrapped(reason: str, function: str) -> str:
    if isinstance(reason, Text) and reason.template in (IN_HELPER, AT_IMPORT):
        fields = dict(reason.fields)
        if reason.template == IN_HELPER and fields["function"] == function:
            return fields["reason"]
        if reason.template == AT_IMPORT:
            return T_(AT_IMPORT, reason=_unwrapped(fields["reason"], function))
    return reason


_last = threading.local()  # per thread: a _Program is changed as it is read


def _program_of(sources: Mapping[str, str]) -> _Program:
    """The parsed program of ``sources``. A submission's modules are read one after the other with the
    same sources: the last program built in this thread is read again rather than built again."""
    key = tuple(sorted(sources.items()))
    cached = getattr(_last, "program", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    _last.program = None
    program = _Program({name: syntax.parse(text) for name, text in sources.items()})
    _last.program = (key, program)
    return program


def _imports_of(source: str) -> set[str]:
    """The top-level names of the modules ``source`` imports (it parses: it was just read)."""
    names: set[str] = set()
    for node in ast.walk(syntax.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _unread(graded: Iterable[str], module: str, culprit: str, why: str) -> dict[str, Measured]:
    """Fail closed: what the reader cannot finish reading is not passed unread."""
    return {name: Measured(name, culprit, 1, T_("the grader could not read the code of {culprit}.py ({why}): the "
                                                "grader must be able to read your backward", culprit=culprit, why=why))
            for name in graded}


def measured_in_submission(sources: Mapping[str, str]) -> dict[str, Measured]:
    """Every graded function of ``autograder.core.spec`` that measures, over a whole submission.

    Inputs: sources by module name, e.g. {"layers": ..., "rnn_layers": ...}.
    Returns: {function name: Measured} for the flagged functions.
    """
    from autograder.core.spec import FUNCTIONS

    flagged: dict[str, Measured] = {}
    for module, source in sources.items():
        graded = [f.name for f in FUNCTIONS if f.module == module]
        flagged |= measured_functions(source, graded, module, sources)
    return flagged


# ---------------------------------------------------------------------------------------------
# The program: parsed modules, scopes and bindings.

Scope = ast.AST  # a Module, FunctionDef, AsyncFunctionDef or Lambda


@dataclass(frozen=True)
class _Import:
    """A name bound by an import: the dotted name it stands for."""

    dotted: str


class _Program:
    """The parsed modules, with every node's module and scope and every scope's bindings."""

    def __init__(self, trees: Mapping[str, ast.Module]) -> None:
        self.trees = dict(trees)
        self.work = 0
        self.dotted_memo: dict[int, list[str]] = {}
        self.calls: list[ast.Call] = []
        self.imported: dict[str, set[str]] = {name: set() for name in self.trees}  # top-level module names
        self.inspected: dict[int, list[_Finding]] = {}
        self.units: dict[int, tuple[dict[int, ast.AST], list[ast.AST]]] = {}
        self.forwards: set[int] | None = None
        self.moved: set[tuple[ast.AST, str]] | None = None
        self.instance_only: dict[int, bool] = {}  # methods nothing calls with a self of its choosing
        self.module_of: dict[ast.AST, str] = {}
        self.scope_of: dict[ast.AST, Scope] = {}
        self.parent_scope: dict[Scope, Scope | None] = {}
        self.bindings: dict[Scope, dict[str, list[ast.AST | _Import]]] = {}
        self.stars: dict[str, list[str]] = {}
        self.step_params: set[tuple[Scope, str]] = set()
        self.step_attributes: set[str] = set()
        # The same, from steps the code spells out only (``_Steps.written``).
        self.written_step_params: set[tuple[Scope, str]] = set()
        self.written_step_attributes: set[str] = set()
        self.call_arguments: dict[int, set[str]] | None = None  # ``_call_argument_names``
        self.methods: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}  # every class's, by name
        self.attribute_assignments: list[tuple[str, ast.AST]] = []
        self.attribute_targets: list[tuple[ast.Attribute, ast.AST]] = []  # ``obj.name = value``, any scope
        self.parent: dict[ast.AST, ast.AST] = {}
        self.globals: list[tuple[str, ast.Global]] = []  # ``global NAME`` statements, by module
        # What a scope stores into NAME (``NAME[i] = v``, ``NAME.attr = v``, ``NAME.append(v)``): held by the
        # scope whose NAME that is, beside (never instead of) its bindings.
        self.stores: dict[Scope, dict[str, list[ast.AST]]] = {}
        self.pending_stores: list[tuple[Scope, str, ast.AST]] = []
        self.declared_global: dict[Scope, set[str]] = {}  # names a function declares ``global``
        for name, tree in self.trees.items():
            self.stars[name] = []
            self.module_of[tree] = name
            self.parent_scope[tree] = None
            self.bindings[tree] = {}
            _Indexer(self, name, tree).visit_scope(tree, tree.body)
        self._place_stores()
        self._bind_module_attributes()
        self._bind_passed_arguments()
        self._bind_keyword_attributes()
        self._propagate_steps()
        # ``self.h = 1e-5`` anywhere: ``obj.h`` is then read as a step (the object's type is unknown). So is a
        # keyword of any call (``Knobs(h=1e-5)``, a bag that sets its keywords as attributes), and what a
        # class's ``__getattr__`` returns, for every attribute (``ANY_ATTRIBUTE``).
        steps = _Steps(self)
        self._mark_step_attributes(steps)
        self.steps = _Steps(self)  # shared by every graded function: the answers no longer change
        self.import_time: dict[str, list[_Finding]] = {}

    def _place_stores(self) -> None:
        for scope, name, value in self.pending_stores:
            current: Scope | None = scope
            while current is not None and name not in self.bindings[current]:
                current = self.parent_scope[current]
            if current is None:  # bound nowhere: the module's own (a star import, or nothing)
                current = scope
                while self.parent_scope[current] is not None:
                    current = cast(Scope, self.parent_scope[current])
            self.stores.setdefault(current, {}).setdefault(name, []).append(value)
        self.pending_stores = []

    def _bind_keyword_attributes(self) -> None:
        for tree in self.trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    for statement in node.body:
                        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                            self.methods.setdefault(statement.name, []).append(statement)
                if isinstance(node, ast.Call):
                    for keyword in node.keywords:
                        if keyword.arg is not None:
                            self.attribute_assignments.append((keyword.arg, keyword.value))
                        elif isinstance(keyword.value, ast.Dict):  # ``**{"h": 1e-5}``
                            self.attribute_assignments.extend(
                                (key.value, value) for key, value in zip(keyword.value.keys, keyword.value.values,
                                                                         strict=True)
                                if isinstance(key, ast.Constant) and isinstance(key.value, str))
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                        node.name in ("__getattr__", "__getattribute__"):
                    self.attribute_assignments.extend((ANY_ATTRIBUTE, part.value) for part in ast.walk(node)
                                                      if isinstance(part, ast.Return) and part.value is not None)

    # Name resolution --------------------------------------------------------------------------

    def lookup(self, name: str, scope: Scope) -> list[ast.AST | _Import]:
        """What ``name`` may be bound to when read in ``scope`` (innermost binding scope wins)."""
        self.tick()
        current: Scope | None = scope
        while current is not None:
            found = self.bindings[current].get(name)
            if found:
                return [value for bound in found for value in self._into_sibling(bound)] \
                    + self._stored(current, name, found)
            outer = self.parent_scope[current]
            if outer is None:
                return self._from_stars(name, self.module_of[scope]) + self._stored(current, name, [])
            current = outer
        return []

    def _stored(self, scope: Scope, name: str, bound: list[ast.AST | _Import]) -> list[ast.AST | _Import]:
        """What is stored into ``name`` of ``scope``; nothing for a module or a name imported from one
        (``np.add(x, h)`` calls a function, it stores nothing into numpy)."""
        if bound and all(isinstance(value, _Import) for value in bound):
            return []
        return list(self.stores.get(scope, {}).get(name, []))

    def _into_sibling(self, bound: ast.AST | _Import) -> list[ast.AST | _Import]:
        """``from layers import f`` stands for layers' own bindings of f, when layers is read too."""
        if isinstance(bound, _Import):
            module, _, name = bound.dotted.rpartition(".")
            if module in self.trees:
                return self.module_binding(module, name) or [bound]
        return [bound]

    def _from_stars(self, name: str, module: str) -> list[ast.AST | _Import]:
        found: list[ast.AST | _Import] = []
        if name in PYTHON_BUILTINS:
            return found
        for star in self.stars[module]:
            if star in self.trees and star != module:
                found += self.bindings[self.trees[star]].get(name, [])
            else:
                found.append(_Import(f"{star}.{name}"))
        return found

    def module_binding(self, module: str, name: str) -> list[ast.AST | _Import]:
        return self.bindings[self.trees[module]].get(name, []) if module in self.trees else []

    def tick(self) -> None:
        """One step of work; past WORK_LIMIT the module is too much to read (and is not passed unread)."""
        self.work += 1
        if self.work > WORK_LIMIT:
            raise _TooMuchError

    def dotted(self, node: ast.AST, seen: frozenset[int] = frozenset()) -> list[str]:
        """The dotted names ``node`` may stand for: ``np.gradient`` -> ["numpy.gradient"]."""
        known = self.dotted_memo.get(id(node))
        if known is not None:
            return known
        if id(node) in seen or len(seen) > 40:
            return []
        self.tick()
        found = list(dict.fromkeys(self._dotted(node, seen | {id(node)})))
        self.dotted_memo[id(node)] = found
        return found

    def _dotted(self, node: ast.AST, seen: frozenset[int]) -> list[str]:
        if isinstance(node, ast.Name):
            bound = self.lookup(node.id, self.scope_of[node])
            if not bound:
                return [f"builtins.{node.id}"] if node.id in BUILTINS else []
            return [name for value in bound for name in self._dotted_binding(value, seen)]
        if isinstance(node, ast.Attribute):
            return [f"{base}.{node.attr}" for base in self.dotted(node.value, seen)]
        if isinstance(node, ast.Call) and _literal_attribute_call(node):
            # cast: _literal_attribute_call has checked that the second argument is a str constant.
            attribute = cast(str, cast(ast.Constant, node.args[1]).value)
            return [f"{base}.{attribute}" for base in self.dotted(node.args[0], seen)]
        if isinstance(node, ast.Call) and _is_getattr(node):
            written = _written_loop_names(self, node.args[1])
            return [f"{base}.{name}" for base in self.dotted(node.args[0], seen) for name in written or ()]
        return []

    def _dotted_binding(self, value: ast.AST | _Import, seen: frozenset[int]) -> list[str]:
        if isinstance(value, _Import):
            return [value.dotted]
        if isinstance(value, ast.Name | ast.Attribute | ast.Call):
            return self.dotted(value, seen)
        return []

    def student_module(self, node: ast.AST) -> str | None:
        """The student module (``layers``, ``rnn_layers``) that ``node`` may stand for, else None."""
        return next((name for name in self.dotted(node) if name in self.trees), None)

    def _bind_module_attributes(self) -> None:
        """``import layers as me; me.f = g`` (in any scope) binds f of layers to g, like ``f = g`` at its top."""
        for target, value in self.attribute_targets:
            module = self.student_module(target.value)
            if module is not None:
                self.bindings[self.trees[module]].setdefault(target.attr, []).append(value)
                self.dotted_memo.clear()  # names read before this binding may stand for more now

    def _bind_passed_arguments(self) -> None:
        """A parameter also stands for what call sites pass it (``make(affine_forward)``, ``values(h / 2)``),
        through parameters that hold functions, a few rounds deep."""
        done: set[tuple[int, int]] = set()
        for _ in range(3):
            added = False
            for call in self.calls:
                for definition in _callees(self, call.func):
                    if isinstance(definition, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef) \
                            and (id(call), id(definition)) not in done:
                        done.add((id(call), id(definition)))
                        names = [a.arg for a in definition.args.posonlyargs + definition.args.args]
                        passed = [(n, v) for n, v in zip(names, call.args, strict=False)
                                  if not isinstance(v, ast.Starred)]
                        passed += [(k.arg, k.value) for k in call.keywords if k.arg in names]
                        for name, value in passed:
                            self.bindings[definition].setdefault(name, []).append(value)
                            added = True
            if not added:
                return
            self.dotted_memo.clear()

    # Steps passed as arguments ----------------------------------------------------------------

    def _propagate_steps(self) -> None:
        """Mark parameters that some call in the program passes a small step (``f(x, h=1e-5)``,
        ``partial(f, 1e-5)``), until nothing changes: a step can travel through helpers."""
        calls = self.calls
        for _ in range(4):
            before = len(self.step_params), len(self.step_attributes), len(self.written_step_params), \
                len(self.written_step_attributes)
            steps = _Steps(self)  # fresh each round: a newly marked parameter changes earlier answers
            # An attribute set to a step (``Steps.small = 1e-5``) carries it into the helpers it is passed to.
            self._mark_step_attributes(steps)
            for call in calls:
                self._mark_step_arguments(call, steps)
            if (len(self.step_params), len(self.step_attributes), len(self.written_step_params),
                    len(self.written_step_attributes)) == before:
                return

    def _mark_step_attributes(self, steps: _Steps) -> None:
        for attribute, value in self.attribute_assignments:
            if steps.small(value):
                self.step_attributes.add(attribute)
                if steps.written(lambda: steps.small(value)):  # noqa: B023 (called at once)
                    self.written_step_attributes.add(attribute)

    def _mark_step_arguments(self, call: ast.Call, steps: _Steps) -> None:
        target, args = call.func, list(call.args)
        if not args and not call.keywords:
            return
        if any(name.endswith(".partial") for name in self.dotted(target)) and args:
            target, args = args[0], args[1:]
        if not isinstance(target, ast.Name):
            return
        for bound in self.lookup(target.id, self.scope_of[target]):
            if isinstance(bound, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                names = [a.arg for a in bound.args.posonlyargs + bound.args.args]
                passed = list(zip(names, args, strict=False))
                passed += [(k.arg, k.value) for k in call.keywords if k.arg]
                passed += [(key.value, value) for k in call.keywords if k.arg is None and isinstance(k.value, ast.Dict)
                           for key, value in zip(k.value.keys, k.value.values, strict=True)
                           if isinstance(key, ast.Constant) and isinstance(key.value, str)]  # ``**{"h": 1e-5}``
                for param, value in passed:
                    if steps.small(value):
                        self.step_params.add((bound, param))
                        if steps.written(lambda: steps.small(value)):  # noqa: B023 (called at once)
                            self.written_step_params.add((bound, param))


def _is_attribute_table(program: _Program, node: ast.AST) -> bool:
    """``vars(obj)`` or ``obj.__dict__``: a mapping of an object's attributes."""
    if isinstance(node, ast.Attribute):
        return node.attr == "__dict__"
    return isinstance(node, ast.Call) and _last_name(program, node.func) == "vars"


def _last_name(program: _Program, function: ast.AST) -> str | None:
    """The last component of what a call calls: "sqrt" for np.sqrt, "float" for float."""
    names = program.dotted(function)
    if names:
        return names[0].rsplit(".", 1)[-1]
    if isinstance(function, ast.Name):
        return function.id
    return getattr(function, "attr", None)


def _harmless_name(name: ast.expr) -> bool:
    """An attribute name built at run time that cannot be one the reader looks for on an object that is not a
    module: it starts with a constant (``f"W{i}"``, ``"d" + name``) that no dunder or frame attribute starts with."""
    while isinstance(name, ast.BinOp) and isinstance(name.op, ast.Add):
        name = name.left
    if isinstance(name, ast.JoinedStr) and name.values:
        name = name.values[0]
    prefix = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else ""
    return bool(prefix) and not prefix.startswith("_") and not any(hidden.startswith(prefix) for hidden in DUNDERS)


def _is_getattr(node: ast.Call) -> bool:
    return isinstance(node.func, ast.Name) and node.func.id == "getattr" and len(node.args) >= 2


def _literal_attribute_call(node: ast.Call) -> bool:
    """``getattr(obj, "name")``: an attribute the reader can see."""
    return _is_getattr(node) and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)


def _written_loop_names(program: _Program, name: ast.expr) -> list[str] | None:
    """The attribute names ``name`` runs over when it is the loop variable of ``for name in ("dx", "dw")``
    (or of a comprehension) and nothing else binds it: every one written out, a plain identifier, no
    dunder or anything else the reader looks for. None otherwise."""
    bound = _bound(program, name)
    if len(bound) != 1 or not isinstance(bound[0], ast.Tuple | ast.List):
        return None
    loop, names = program.parent.get(bound[0]), bound[0].elts
    if not (isinstance(loop, ast.For | ast.AsyncFor | ast.comprehension) and loop.iter is bound[0]
            and isinstance(loop.target, ast.Name) and isinstance(name, ast.Name) and loop.target.id == name.id):
        return None
    written = [n.value for n in names if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    if not names or len(written) != len(names) or not all(_plain_attribute(n) for n in written):
        return None
    return written


def _plain_attribute(name: str) -> bool:
    """A name like ``dx`` or ``W_h``: not a dunder, and not one the reader looks for (``f_globals``)."""
    return (name.isidentifier() and not name.startswith("__") and not name.endswith("__")
            and name not in HIDDEN_NAMES and name not in DYNAMIC_ATTRIBUTES)


class _Indexer:
    """Walks one module once: records each node's module and scope, and each scope's bindings."""

    def __init__(self, program: _Program, module: str, tree: ast.Module) -> None:
        self.program, self.module, self.tree = program, module, tree

    def bind(self, scope: Scope, name: str, value: ast.AST | _Import) -> None:
        if name in self.program.declared_global.get(scope, ()):
            scope = self.tree  # ``global STEP; STEP = 1e-5`` in a function binds the module's STEP
        self.program.bindings[scope].setdefault(name, []).append(value)

    def store(self, scope: Scope, name: str, value: ast.AST) -> None:
        if name in self.program.declared_global.get(scope, ()):
            scope = self.tree
        self.program.pending_stores.append((scope, name, value))

    def visit_scope(self, scope: Scope, body: Iterable[ast.AST]) -> None:
        for node in body:
            self.visit(node, scope)

    def visit(self, node: ast.AST, scope: Scope) -> None:
        self.program.module_of[node] = self.module
        self.program.scope_of[node] = scope
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            self._function(node, scope)
            return
        self._bind_statement(node, scope)
        if isinstance(node, ast.Call):
            self.program.calls.append(node)
        elif isinstance(node, ast.Import):
            self.program.imported[self.module].update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            self.program.imported[self.module].add(node.module.split(".")[0])
        if isinstance(node, ast.Global):
            self.program.globals.append((self.module, node))
        for child in ast.iter_child_nodes(node):
            self.program.parent[child] = node
            self.visit(child, scope)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, scope: Scope) -> None:
        if not isinstance(node, ast.Lambda):
            self.bind(scope, node.name, node)
            for decorator in node.decorator_list:
                self.visit(decorator, scope)
        self.program.module_of[node] = self.module
        self.program.parent_scope[node] = scope
        self.program.bindings[node] = {}
        self.program.declared_global[node] = {name for inner in _own_statements(node) if isinstance(inner, ast.Global)
                                              for name in inner.names}
        defaults = node.args.defaults + [d for d in node.args.kw_defaults if d is not None]
        for default in defaults:
            self.visit(default, scope)
        if not isinstance(node, ast.Lambda):  # evaluated where the def runs, as its defaults are (or later, as text)
            arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg,
                         node.args.kwarg]
            for annotation in [*(a.annotation for a in arguments if a is not None), node.returns]:
                if annotation is not None:
                    self.program.parent[annotation] = node
                    self.visit(annotation, scope)
        positional = node.args.posonlyargs + node.args.args
        for arg, default in zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults,
                                strict=True):
            self.bind(node, arg.arg, default)
        for arg, kw_default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
            if kw_default is not None:
                self.bind(node, arg.arg, kw_default)
        for parameter in [*positional, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg]:
            if parameter is not None:
                self.program.module_of[parameter] = self.module
                self.program.scope_of[parameter] = node
                self.bind(node, parameter.arg, parameter)
        body = [node.body] if isinstance(node, ast.Lambda) else node.body
        self.visit_scope(node, body)

    def _bind_statement(self, node: ast.AST, scope: Scope) -> None:
        if isinstance(node, ast.ClassDef):
            self.bind(scope, node.name, node)
            self._step_attributes_of_class(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                dotted = alias.name if alias.asname else alias.name.split(".")[0]
                self.bind(scope, alias.asname or dotted, _Import(dotted))
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node, scope)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                root = _stored_root(target) if isinstance(node, ast.Assign) and isinstance(target, ast.Subscript) \
                    else None
                if root is not None and node.value is not None:
                    # ``e[i] = h``: e then holds h somewhere, which is what a perturbation vector needs.
                    self.store(scope, root.id, node.value)
                self._bind_target(target, node.value, scope)
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            self._bind_target(node.target, node.iter, scope)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            self._bind_target(node.optional_vars, node.context_expr, scope)
        elif isinstance(node, ast.Match):
            # ``match value: case name:`` binds name to value, like an assignment.
            for case in node.cases:
                for name in _captured_names(case.pattern):
                    self.bind(scope, name, node.subject)
        elif isinstance(node, ast.Try | ast.TryStar):
            # ``except E as name`` holds whatever the try body raised: ``raise Carrier(helper)``.
            raised = [inner.exc for inner in ast.walk(node) if isinstance(inner, ast.Raise) and inner.exc]
            for handler in node.handlers:
                if handler.name:
                    for value in raised:
                        self.bind(scope, handler.name, value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and isinstance(node.func.value, ast.Name) and node.func.attr in FILLING_METHODS:
            # ``registry.append(helper)``, ``table.update(s=helper)``: the container then holds it,
            # as ``registry = [helper]`` would say.
            for value in [*node.args, *(keyword.value for keyword in node.keywords)]:
                self.store(scope, node.func.value.id, value)

    def _import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        base = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.program.stars[self.module].append(base)
            else:
                self.bind(scope, alias.asname or alias.name, _Import(f"{base}.{alias.name}"))

    def _bind_target(self, target: ast.AST, value: ast.AST | None, scope: Scope) -> None:
        if value is None:
            return
        if isinstance(target, ast.Name):
            self.bind(scope, target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            values = value.elts if isinstance(value, ast.Tuple | ast.List) else [value] * len(target.elts)
            for element, part in zip(target.elts, values, strict=False):
                self._bind_target(element, part, scope)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, value, scope)
        elif isinstance(target, ast.Attribute):
            self.program.attribute_assignments.append((target.attr, value))
            self.program.attribute_targets.append((target, value))
            root = _stored_root(target)
            if root is not None:
                # ``holder.s = helper``: the object then holds it, whatever kind of object it is.
                self.store(scope, root.id, value)

    def _step_attributes_of_class(self, node: ast.ClassDef) -> None:
        """Class attributes that may hold a step (``h = math.e ** -12`` in the class body, read as ``self.h``):
        read as ``self.h = ...`` is, once the whole program is indexed and steps can be folded."""
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                named = [(target, statement.value) for target in statement.targets]
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:  # ``h: float = 1e-5``
                named = [(statement.target, statement.value)]
            else:
                continue
            for target, value in named:
                if isinstance(target, ast.Name):
                    self.program.attribute_assignments.append((target.id, value))


def _summed(last: str | None, node: ast.Call) -> list[ast.expr] | None:
    """The parts of ``sum([a, b])``, ``math.fsum((a, b))``, ``np.sum([a, b])`` (a written list or tuple
    of at most SUM_LIMIT elements, no starred one), else None."""
    if last not in SUMMING or len(node.args) != 1 or node.keywords:
        return None
    parts = node.args[0]
    if not isinstance(parts, ast.List | ast.Tuple) or not parts.elts or len(parts.elts) > SUM_LIMIT \
            or any(isinstance(part, ast.Starred) for part in parts.elts):
        return None
    return parts.elts


def _stored_root(target: ast.AST) -> ast.Name | None:
    """``e`` for a store into ``e[i]``, ``e.flat[i]`` or ``e.a.b`` (not through a call: ``globals()[k]``)."""
    while isinstance(target, ast.Subscript | ast.Attribute):
        target = target.value
    return target if isinstance(target, ast.Name) else None


def _own_statements(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's body, not those of the functions and classes defined in it."""
    pending = list(ast.iter_child_nodes(function))
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            pending.extend(ast.iter_child_nodes(node))


def _elements(node: ast.AST | _Import) -> list[ast.expr]:
    """The values a written container or a comprehension holds (a dict's values)."""
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return list(node.elts)
    if isinstance(node, ast.Dict):
        return list(node.values)
    if isinstance(node, ast.ListComp | ast.SetComp | ast.GeneratorExp):
        return [node.elt]
    if isinstance(node, ast.DictComp):
        return [node.value]
    if _written_dict(node):
        return [keyword.value for keyword in cast(ast.Call, node).keywords]
    return []


def _written_dict(node: ast.AST | _Import) -> bool:
    """``dict(delta=1.0, name="huber")``: a dict written out by its keywords (``dict`` not rebound)."""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict" \
        and not node.args and bool(node.keywords) and all(keyword.arg for keyword in node.keywords)


def _never_step(program: _Program, node: ast.AST) -> bool:
    """A value that is never a step whatever its arguments: an integer, a count, a truth value, text,
    zeros or ones (``len(SIZES)``, ``np.arange(3)``, ``np.zeros(4)[0]``)."""
    for _ in range(8):
        if isinstance(node, ast.Subscript | ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            return _last_name(program, node.func) in NEVER_STEPS
        else:
            return False
    return False


def _method_on_value(program: _Program, node: ast.Call) -> bool:
    """``(2 * h).reshape(1)``: a method called on a value, not a module's function (``np.reshape``)."""
    return isinstance(node.func, ast.Attribute) and not program.dotted(node.func)


def _kept_value(program: _Program, node: ast.Call) -> ast.expr:
    """The value a scale-keeping or shaping call gives back: its object for a method, else its first argument."""
    if _method_on_value(program, node):
        return cast(ast.Attribute, node.func).value
    return node.args[0]


def _binding_scope(program: _Program, name: ast.Name) -> Scope | None:
    """The scope whose binding of ``name`` a read of it finds (None: a builtin, or a star import)."""
    current: Scope | None = program.scope_of[name]
    while current is not None:
        if name.id in program.bindings[current]:
            return current
        current = program.parent_scope[current]
    return None


def _captured_names(pattern: ast.AST) -> list[str]:
    """The names a ``case`` pattern binds: captures, ``*rest`` and ``**rest``."""
    names = []
    for node in ast.walk(pattern):
        if isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            names.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.append(node.rest)
    return names


def _fold_literal(node: ast.AST) -> float | None:
    """The value of a constant expression that needs no names (``10**-5``, ``-1e-5``)."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = _fold_literal(node.left), _fold_literal(node.right)
            if base is not None and exponent is not None and abs(exponent) < 400:
                try:
                    return float(base ** exponent)
                except (OverflowError, ZeroDivisionError, TypeError):
                    return None
        return None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# ---------------------------------------------------------------------------------------------
# Small steps: what a difference quotient perturbs by and divides by.

class _Steps:
    """Decides whether an expression is a small step, folding constants through names and calls."""

    def __init__(self, program: _Program) -> None:
        self.program = program
        self.active: set[int] = set()
        self.active_large: set[int] = set()
        self.folding: set[int] = set()
        self.memo: dict[tuple[str, int], bool | float | None] = {}
        self.texts: dict[int, str | None] = {}  # ``_fold_text``, by node
        self.free_depth = 0  # nested ``_input_free`` calls: past FREE_DEPTH a name reads as an input
        self.opaque = True  # whether a value the reader cannot fold, from no input, may be a step (``written``)

    def fold(self, node: ast.AST) -> float | None:
        """The numeric value of ``node`` when the reader can compute it, else None."""
        key = ("fold", id(node))
        if key in self.memo:
            return self.memo[key]
        if id(node) in self.folding or len(self.folding) > 60:
            return None
        self.program.tick()
        self.folding.add(id(node))
        try:
            value = self._fold(node)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            value = None
        finally:
            self.folding.discard(id(node))
        self.memo[key] = value
        return value

    def _fold(self, node: ast.AST) -> float | None:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                return None
            if isinstance(node.value, int | float):
                return float(node.value)
            return None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.fold(node.operand)
            return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
        if isinstance(node, ast.BinOp):
            return self._fold_binary(node)
        if isinstance(node, ast.Name | ast.Attribute):
            constant = next((CONSTANTS[d] for d in self.program.dotted(node) if d in CONSTANTS), None)
            if constant is not None:
                return constant
        if isinstance(node, ast.Name):
            return self._fold_name(node)
        if isinstance(node, ast.Attribute) and node.attr in EPSILON_ATTRIBUTES:
            return EPSILON
        if isinstance(node, ast.Attribute) and node.attr == "itemsize":
            return ITEMSIZE
        if isinstance(node, ast.Call):
            return self._fold_call(node)
        if isinstance(node, ast.IfExp):
            body = self.fold(node.body)
            return body if body is not None else self.fold(node.orelse)
        return None

    def _fold_binary(self, node: ast.BinOp) -> float | None:
        if isinstance(node.op, ast.Add | ast.Sub) and self._zero(node.left) != self._zero(node.right):
            # ``np.zeros_like(x) + 1e-5``, ``x * 0 + h``: zeros plus a number is that number
            if self._zero(node.left):
                value = self.fold(node.right)
                return None if value is None else (-value if isinstance(node.op, ast.Sub) else value)
            return self.fold(node.left)
        left, right = self.fold(node.left), self.fold(node.right)
        if left is None or right is None:
            return None
        operations: dict[type, Callable[[float, float], float]] = {
            ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b,
            ast.Pow: lambda a, b: float(a ** b) if abs(b) < 400 else math.inf}
        operation = operations.get(type(node.op))
        result = operation(left, right) if operation else None
        return result if isinstance(result, float) and math.isfinite(result) else None

    def _zero(self, node: ast.AST) -> bool:
        """Zeros whatever the inputs: ``np.zeros(n)``, ``np.zeros_like(x)``, ``anything * 0``."""
        if isinstance(node, ast.Call):
            return _last_name(self.program, node.func) in ("zeros", "zeros_like")
        return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) \
            and (self.fold(node.left) == 0.0 or self.fold(node.right) == 0.0)

    def fold_text(self, node: ast.AST) -> str | None:
        return self._fold_text(node)

    def _fold_text(self, node: ast.AST, depth: int = 0) -> str | None:
        """A written string, or one joined from written strings with +, of at most TEXT_LIMIT characters."""
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) and len(node.value) <= TEXT_LIMIT else None
        key = id(node)
        if key not in self.texts:
            self.texts[key] = None  # while it is being read: a name bound to itself is no text
            self.program.tick()
            self.texts[key] = self._joined_text(node, depth)
        return self.texts[key]

    def _joined_text(self, node: ast.AST, depth: int) -> str | None:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and depth < TEXT_DEPTH:
            left, right = self._fold_text(node.left, depth + 1), self._fold_text(node.right, depth + 1)
            if left is not None and right is not None and len(left) + len(right) <= TEXT_LIMIT:
                return left + right
        if isinstance(node, ast.Name) and depth < TEXT_DEPTH:
            for value in self.program.lookup(node.id, self.program.scope_of[node]):
                if isinstance(value, ast.expr):
                    text = self._fold_text(value, depth + 1)
                    if text is not None:
                        return text
        return None

    def _fold_name(self, node: ast.Name) -> float | None:
        for value in self.program.lookup(node.id, self.program.scope_of[node]):
            if isinstance(value, ast.expr):
                folded = self.fold(value)
                if folded is not None:
                    return folded
        return None

    def _fold_call(self, node: ast.Call) -> float | None:
        last = _last_name(self.program, node.func)
        if last == "spacing":
            return EPSILON
        text = self._fold_text(node.args[0]) if node.args else None
        if text is not None and last in ("float", "float64", "float32", "int", "fromhex", "double"):
            try:  # ``float("1e" + "-5")``, ``int("100000")``, ``float.fromhex("0x1p-17")``
                return float.fromhex(text) if last == "fromhex" else float(int(text) if last == "int" else text)
            except (ValueError, OverflowError):
                return None
        if isinstance(node.func, ast.Attribute) and node.func.attr == "type" and len(node.args) == 1:
            return self.fold(node.args[0])  # ``x.dtype.type(1e-5)``: a scalar of the input's type
        summed = _summed(last, node)
        if summed is not None:
            parts = [self.fold(part) for part in summed]
            return None if any(part is None for part in parts) else math.fsum(cast(list[float], parts))
        if last not in FOLDABLE or not node.args:
            return None
        values = [self.fold(arg) for arg in node.args]
        if any(value is None for value in values):
            return None
        return float(FOLDABLE[last](*values))

    def small(self, node: ast.AST | None) -> bool:
        """Whether ``node`` is a step: it folds to 0 < |v| <= STEP_LIMIT, or scales by one."""
        if node is None or id(node) in self.active or len(self.active) > 60:
            return False
        key = ("small" if self.opaque else "small as written", id(node))
        if key not in self.memo:
            self.program.tick()
            self.active.add(id(node))
            try:
                self.memo[key] = self._small(node)
            finally:
                self.active.discard(id(node))
        return bool(self.memo[key])

    def _small(self, node: ast.AST) -> bool:
        value = self.fold(node)
        if value is not None:
            return 0 < abs(value) <= STEP_LIMIT
        if isinstance(node, ast.Name):
            return self._small_name(node)
        if isinstance(node, ast.BinOp):
            return self._small_binary(node) or self._opaque(node)
        if isinstance(node, ast.UnaryOp):
            return self.small(node.operand)
        if isinstance(node, ast.Subscript) and _is_attribute_table(self.program, node.value):
            return self._names_a_step_attribute(node.slice)  # ``vars(self)["h"]``, ``self.__dict__["h"]``
        if isinstance(node, ast.Starred):
            return self.small(node.value)
        if isinstance(node, ast.Subscript):
            picked = self._picked(node)
            if picked is not None:  # ``CONFIG["scale"]`` of ``CONFIG = {"eps": 1e-12, "scale": 2.0}`` is 2.0
                return any(self.small(item) for item in picked)
            return self.small(node.value) or self._literal_step(node) or self._opaque(node)
        if isinstance(node, ast.IfExp):
            return self.small(node.body) or self.small(node.orelse)
        if isinstance(node, ast.BoolOp):  # ``h or dout.dtype.type(1e-5)``: any of its values may be the result
            return any(self.small(value) for value in node.values)
        if isinstance(node, ast.Attribute):
            return node.attr in self.step_attributes or ANY_ATTRIBUTE in self.step_attributes \
                or self._opaque(node)
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict | ast.ListComp | ast.SetComp
                      | ast.GeneratorExp | ast.DictComp) or _written_dict(node):
            return any(self.small(part) for part in _elements(node))  # ``/ [2 * h]``, ``np.array([-h, h])``
        if isinstance(node, ast.Call) and self._small_call(node):
            return True
        return self._literal_step(node) or self._opaque(node)

    def _opaque(self, node: ast.AST) -> bool:
        return self.opaque and self._remembered("opaque", node, self._opaque_value)

    @property
    def step_attributes(self) -> set[str]:
        return self.program.step_attributes if self.opaque else self.program.written_step_attributes

    @property
    def step_params(self) -> set[tuple[Scope, str]]:
        return self.program.step_params if self.opaque else self.program.written_step_params

    def written(self, check: Callable[[], bool]) -> bool:
        """``check()`` with only the steps the code spells out: no value it cannot fold counts as one."""
        previous, self.opaque = self.opaque, False
        try:
            return check()
        finally:
            self.opaque = previous

    def _remembered(self, kind: str, node: ast.AST, answer: Callable[[ast.AST], bool]) -> bool:
        """``answer(node)``, computed once per node; a node met again while it is being answered reads False."""
        key = (kind, id(node))
        if key not in self.memo:
            self.program.tick()
            self.memo[key] = False
            self.memo[key] = answer(node)
        return bool(self.memo[key])

    def _opaque_value(self, node: ast.AST) -> bool:
        """A value the reader cannot fold but that is computed from nothing the function receives
        (``np.sinh(10 ** -5)``, ``Settings().h``, ``SETTINGS["step"]``, ``float(Fraction(1, 10 ** 5))``):
        it may be a step. Not a module's own attribute (``np.inf``), nor a call whose result is never a
        step (an integer, a count, zeros or ones: ``len(SIZES)``, ``np.arange(3)``), nor an item of a
        written container whose elements are all known (``SIZES[0]`` of ``SIZES = (3, 4)``)."""
        if isinstance(node, ast.BinOp):
            # A quotient or a power of unknown numbers may be a step (``1 / len("x" * 100000)``,
            # ``2.0 ** -n.bit_length()``); a sum or a product only when a part may be one (``np.arange(3) + 1`` is not).
            known = self._unfolded if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Pow | ast.Mod) else self._unknown
            if not (known(node.left) or known(node.right)):
                return False
        elif isinstance(node, ast.Attribute):
            if self.program.dotted(node) or _never_step(self.program, node):
                return False
        elif isinstance(node, ast.Call):
            if _never_step(self.program, node):
                return False
        elif isinstance(node, ast.Subscript):
            if _never_step(self.program, node) or self._known_items(node.value):
                return False
        else:
            return False
        return self.fold(node) is None and not self._out_of_bounds(node) and self.free(node)

    def _out_of_bounds(self, node: ast.AST) -> bool:
        """A fold the reader gave up for its bounds, every operand known (``math.comb(10 ** 9, 5 * 10 ** 8)``,
        ``np.ldexp(1.0, -10 ** 12)``, ``2 ** 10 ** 9``): too large, or no number at all; never a step."""
        if isinstance(node, ast.BinOp):
            return self.fold(node.left) is not None and self.fold(node.right) is not None
        return isinstance(node, ast.Call) and _last_name(self.program, node.func) in FOLDABLE and bool(node.args) \
            and all(self.fold(a) is not None for a in node.args)

    def _unknown(self, node: ast.AST) -> bool:
        """An operand that may be a step for all the reader knows: opaque, or a name bound to an opaque value."""
        return self._remembered("unknown", node, self._unknown_value)

    def _unknown_value(self, node: ast.AST) -> bool:
        if isinstance(node, ast.UnaryOp):
            return self._unknown(node.operand)
        if isinstance(node, ast.Name):
            return node in self.program.scope_of and self.fold(node) is None and any(
                isinstance(v, ast.expr) and self._unknown(v)
                for v in self.program.lookup(node.id, self.program.scope_of[node]))
        return self._opaque(node)

    def _unfolded(self, node: ast.AST) -> bool:
        """A number the reader cannot compute: a name, call, item, attribute or operation that does not fold."""
        if isinstance(node, ast.UnaryOp):
            return self._unfolded(node.operand)
        return isinstance(node, ast.Name | ast.Call | ast.Subscript | ast.Attribute | ast.BinOp) \
            and self.fold(node) is None and not self._out_of_bounds(node)

    def _picked(self, node: ast.Subscript) -> list[ast.expr] | None:
        """The items a written key or index picks when every binding of the container is written out (a dict
        with constant keys, ``dict(k=v)``, a list or tuple): ``{"h": 1e-5}["h"]``, ``SIZES[0]``. None when
        any binding is anything else (a store of its own, ``CONFIG["h"] = 1e-5``, is not a written container)."""
        key = node.slice
        if not isinstance(key, ast.Constant) or isinstance(key.value, bool) or not isinstance(key.value, str | int):
            return None
        values: list[ast.AST | _Import] = [node.value]
        if isinstance(node.value, ast.Name):
            values = _bound(self.program, node.value)
        picked: list[ast.expr] = []
        for value in values:
            if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys):
                picked += [v for k, v in zip(value.keys, value.values, strict=True)
                           if cast(ast.Constant, k).value == key.value]
            elif _written_dict(value) and not _bound(self.program, cast(ast.Call, value).func):
                picked += [k.value for k in cast(ast.Call, value).keywords if k.arg == key.value]
            elif isinstance(value, ast.List | ast.Tuple) and isinstance(key.value, int) \
                    and not any(isinstance(e, ast.Starred) for e in value.elts) \
                    and -len(value.elts) <= key.value < len(value.elts):
                picked.append(value.elts[key.value])
            else:
                return None
        return picked if values else None

    def _known_items(self, node: ast.AST) -> bool:
        """A written container (or a name bound only to written ones) whose every element is a constant."""
        values: list[ast.AST | _Import] = [node]
        if isinstance(node, ast.Name):
            values = self.program.lookup(node.id, self.program.scope_of[node]) if node in self.program.scope_of else []
        return bool(values) and all(
            (isinstance(v, ast.List | ast.Tuple | ast.Set | ast.Dict)
             or (_written_dict(v) and not _bound(self.program, cast(ast.Call, v).func)))
            and all(isinstance(e, ast.Constant) or self.fold(e) is not None for e in _elements(v)) for v in values)

    def free(self, node: ast.AST) -> bool:
        """Whether ``node`` is computed from nothing a function receives (see ``_input_free``)."""
        return self._remembered("free expression", node, lambda expression: all(
            self._input_free(n) for n in ast.walk(expression) if isinstance(n, ast.Name)))

    def _literal_step(self, node: ast.AST) -> bool:
        """An expression with a small literal in it (``[1e-5][0]``, ``np.sin(1e-5)``, ``(1e-5,)[0]``) and
        nothing from the function's inputs: whatever it computes, it is a constant built from a step."""
        if not isinstance(node, ast.Subscript | ast.Call | ast.IfExp | ast.BinOp | ast.Tuple | ast.List):
            return False
        parts = list(ast.walk(node))
        if not any(isinstance(n, ast.Constant) and isinstance(n.value, float) and 0 < abs(n.value) <= STEP_LIMIT
                   for n in parts):
            return False
        return all(self._input_free(n) for n in parts if isinstance(n, ast.Name))

    def _input_free(self, name: ast.Name) -> bool:
        """Whether ``name`` holds nothing computed from a parameter: imports, builtins, constants, the
        program's own functions and classes that read no parameter of an enclosing function, loop and
        ``with`` targets over such values; and nothing computed from one is ever stored into it
        (``CACHE["x"] = x``, ``Store.x = x``, ``saved.append(x)``, in any scope: ``_Program.stores``)."""
        key = ("free", id(name))
        if key not in self.memo:
            if name not in self.program.scope_of or self.free_depth > FREE_DEPTH:
                return False
            self.memo[key] = False  # a cycle reads as an input
            self.program.tick()
            self.free_depth += 1
            try:
                self.memo[key] = self._bindings_free(name)
            finally:
                self.free_depth -= 1
        return bool(self.memo[key])

    def _bindings_free(self, name: ast.Name) -> bool:
        for value in self.program.lookup(name.id, self.program.scope_of[name]):
            if isinstance(value, ast.arg):
                return False
            if isinstance(value, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if not self._definition_free(value):
                    return False
            elif isinstance(value, ast.expr):
                if not self.free(value):
                    return False
            elif not isinstance(value, _Import):
                return False
        return True

    def _definition_free(self, definition: ast.AST) -> bool:
        """A def, lambda or class that reads no name holding a parameter from outside itself (a closure
        over ``x`` is not input-free; its own parameters are what its callers pass)."""
        key = ("definition", id(definition))
        if key not in self.memo:
            self.memo[key] = False
            inner = {id(n) for n in ast.walk(definition)
                     if isinstance(n, ast.Lambda | ast.FunctionDef | ast.AsyncFunctionDef)}
            free = True
            for node in ast.walk(definition):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node in self.program.scope_of:
                    where = _binding_scope(self.program, node)
                    if where is not None and id(where) in inner:
                        continue  # the definition's own parameter or local
                    if not self._input_free(node):
                        free = False
                        break
            self.memo[key] = free
        return bool(self.memo[key])

    def _small_name(self, node: ast.Name) -> bool:
        for value in self.program.lookup(node.id, self.program.scope_of[node]):
            if isinstance(value, ast.arg):
                if (self.program.scope_of[value], value.arg) in self.step_params:
                    return True
            elif isinstance(value, ast.expr) and self.small(value):
                return True
        return False

    def _small_binary(self, node: ast.BinOp) -> bool:
        left, right = node.left, node.right
        if isinstance(node.op, ast.Mult):
            return (self.small(left) and not self.large(right)) or (self.small(right) and not self.large(left))
        if isinstance(node.op, ast.Div | ast.FloorDiv):
            return (self.small(left) and not self.small(right)) or (self.large(right) and not self.large(left))
        if isinstance(node.op, ast.Add | ast.Sub):
            return self.small(left) and self.small(right)
        if isinstance(node.op, ast.Pow):
            exponent = self.fold(right)
            return self.small(left) and exponent is not None and exponent > 0
        return False

    def _small_call(self, node: ast.Call) -> bool:
        last = _last_name(self.program, node.func)
        summed = _summed(last, node)
        if summed:  # ``sum([h, h])``: small when every part is, as ``h + h`` is
            return all(self.small(part) for part in summed)
        if last in FILLERS and len(node.args) >= 2:
            return self.small(node.args[1])
        if last in LARGEST and len(node.args) >= 2:  # ``np.maximum(EPS, np.abs(d))`` is at least |d|: a guard
            return all(self.small(a) for a in node.args)
        if last in SMALLEST and len(node.args) >= 2:
            return any(self.small(a) for a in node.args)
        if last in SCALE_KEEPING | SHAPING and (node.args or _method_on_value(self.program, node)):
            return self.small(_kept_value(self.program, node))
        if last in MULTIPLYING and len(node.args) >= 2:  # np.multiply(2, h) is as small as 2 * h
            return any(self.small(a) for a in node.args) and not any(self.large(a) for a in node.args)
        if last == "getattr" and len(node.args) >= 2 and self._names_a_step_attribute(node.args[1]):
            return True  # ``getattr(Knobs, "h")``, or over a written tuple of names
        if isinstance(node.func, ast.Attribute) and node.func.attr in DEFAULTING and len(node.args) >= 2 \
                and self.small(node.args[1]):
            return True  # ``options.get("h", 1e-5)``: the default may be what it gives back
        if isinstance(node.func, ast.Attribute):  # ``Knobs().step()``: any method of that name in the program
            return any(self._returns_small(method) for method in self.program.methods.get(node.func.attr, []))
        if isinstance(node.func, ast.Name):
            return any(self._returns_small(value) for value in self.program.lookup(node.func.id,
                                                                                    self.program.scope_of[node]))
        return False

    def _names_a_step_attribute(self, name: ast.AST) -> bool:
        """Whether the attribute name ``name`` (a written string, or a name bound to written strings, a
        loop's over a written tuple included) may be one that holds a step."""
        attributes = self.step_attributes
        if ANY_ATTRIBUTE in attributes:
            return True
        if isinstance(name, ast.Constant):
            return name.value in attributes
        if not isinstance(name, ast.Name):
            return False
        for bound in self.program.lookup(name.id, self.program.scope_of[name]):
            if not isinstance(bound, ast.AST):
                continue
            written = bound.elts if isinstance(bound, ast.Tuple | ast.List | ast.Set) else [bound]
            parent = self.program.parent.get(bound)
            if isinstance(parent, ast.For | ast.comprehension) and isinstance(bound, ast.Name):
                loop = parent.iter
                written = loop.elts if isinstance(loop, ast.Tuple | ast.List | ast.Set) else []
            if any(isinstance(part, ast.Constant) and part.value in attributes for part in written):
                return True
        return False

    def _returns_small(self, function: ast.AST | _Import) -> bool:
        """A function of the program whose result is a step (``def step(): return 1e-5``)."""
        if isinstance(function, ast.Lambda):
            return self.small(function.body)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            return any(isinstance(n, ast.Return) and self.small(n.value) for n in ast.walk(function))
        return False

    def inverse_of_step(self, node: ast.AST) -> bool:
        """``np.reciprocal(h)``, ``h ** -1``, ``pow(h, -1)``, ``np.power(h, -0.5)``: one over a step, by its form."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            base, exponent = node.left, node.right
        elif isinstance(node, ast.Call) and node.args:
            last = _last_name(self.program, node.func)
            if last == "reciprocal":
                return self.small(node.args[0])
            if last not in ("pow", "power", "float_power") or len(node.args) < 2:
                return False
            base, exponent = node.args[0], node.args[1]
        else:
            return False
        value = self.fold(exponent)
        return value is not None and value < 0 and self.small(base)

    def large(self, node: ast.AST) -> bool:
        """Whether ``node`` is one over a step: a constant beyond QUOTIENT_LIMIT, or ``k / h``."""
        key = ("large" if self.opaque else "large as written", id(node))
        if key not in self.memo:
            if id(node) in self.active_large or len(self.active_large) > 60:
                return False
            self.program.tick()
            self.active_large.add(id(node))
            try:
                self.memo[key] = self._large(node)
            finally:
                self.active_large.discard(id(node))
        return bool(self.memo[key])

    def _large(self, node: ast.AST) -> bool:
        value = self.fold(node)
        if value is not None:
            return abs(value) >= QUOTIENT_LIMIT
        if self.inverse_of_step(node):
            return True
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            return self.small(node.right) and not self.small(node.left)
        if isinstance(node, ast.Subscript | ast.Starred):
            return self.large(node.value)  # ``scale[idx]`` of ``scale = np.full_like(w, 0.5e5)``
        if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Dict | ast.ListComp | ast.SetComp
                      | ast.GeneratorExp | ast.DictComp):
            return any(self.large(part) for part in _elements(node))
        if isinstance(node, ast.Call):
            last = _last_name(self.program, node.func)
            if last in FILLERS and len(node.args) >= 2:
                return self.large(node.args[1])  # ``np.full_like(x, 0.5e5)``
            if last in SCALE_KEEPING | SHAPING and (node.args or _method_on_value(self.program, node)):
                return self.large(_kept_value(self.program, node))
            return False
        if isinstance(node, ast.Name):
            return any(isinstance(v, ast.expr) and self.large(v)
                       for v in self.program.lookup(node.id, self.program.scope_of[node]))
        return False


# ---------------------------------------------------------------------------------------------
# What a graded function reaches.

def _entry_names(function: str) -> tuple[str, ...]:
    """The graded function and its forward, whose cache it reads (a forward can measure too)."""
    if function.endswith("_backward"):
        return function, function.removesuffix("_backward") + "_forward"
    return (function,)


def _reachable(program: _Program, units: Iterable[ast.AST | _Import]) -> dict[int, ast.AST]:
    """Every node of ``units`` and of every definition they name, transitively, by id."""
    nodes: dict[int, ast.AST] = {}
    pending = [u for u in units if isinstance(u, ast.AST) and not isinstance(u, ast.arg)]
    while pending:
        unit = pending.pop()
        if id(unit) in nodes:
            continue
        inside, named = _unit_contents(program, unit)
        nodes.update(inside)
        pending.extend(named)
    return nodes


def _unit_contents(program: _Program, unit: ast.AST) -> tuple[dict[int, ast.AST], list[ast.AST]]:
    """The nodes of one unit and the definitions they name; computed once per unit."""
    known = program.units.get(id(unit))
    if known is None:
        program.tick()
        inside = {id(node): node for node in ast.walk(unit)}
        named = [d for node in inside.values() for d in _named_definitions(program, node)]
        known = program.units[id(unit)] = (inside, named)
    return known


def _named_definitions(program: _Program, node: ast.AST) -> list[ast.AST]:
    """The definitions a name or an attribute chain (``layers.sigmoid_forward``) refers to."""
    found: list[ast.AST | _Import] = []
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del) \
            and not isinstance(program.parent.get(node), ast.AugAssign):
        return []  # a name assigned refers to nothing: what it is read as is followed where it is read
    if isinstance(node, ast.Name) and node in program.scope_of:
        found = program.lookup(node.id, program.scope_of[node])
    elif isinstance(node, ast.Attribute) and node in program.scope_of:
        for dotted in program.dotted(node):
            module, _, name = dotted.rpartition(".")
            found += program.module_binding(module, name)
    return [value for value in found if isinstance(value, ast.AST) and not isinstance(value, ast.arg)]


def _import_time_units(program: _Program, module: str) -> list[ast.AST]:
    """What runs when ``module`` is imported: module-level statements, class bodies, decorators,
    default values (not function bodies, not an ``if __name__ == "__main__"`` block)."""
    units: list[ast.AST] = []
    for statement in program.trees[module].body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            units += _run_by_def(statement)
        elif isinstance(statement, ast.ClassDef):
            units += [*statement.decorator_list, *statement.bases, *statement.keywords]
            for inner in statement.body:  # a class body runs at import, and so does each def in it
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    units += _run_by_def(inner)
                else:
                    units.append(inner)
        elif not _is_main_guard(statement) and not _is_docstring(statement):
            units.append(statement)
    return units


def _run_by_def(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.AST]:
    """What a ``def`` statement itself evaluates: decorators, default values and annotations."""
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg]
    annotations = [a.annotation for a in arguments if a is not None and a.annotation is not None]
    return [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d is not None),
            *annotations, *([node.returns] if node.returns is not None else [])]


def _is_main_guard(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.If) and isinstance(statement.test, ast.Compare)
            and isinstance(statement.test.left, ast.Name) and statement.test.left.id == "__name__")


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def _imported_siblings(program: _Program, module: str) -> list[str]:
    """Sibling modules that ``module`` imports (their import-time code runs first)."""
    return [name for name in sorted(program.imported[module]) if name in program.trees and name != module]


def _findings_for(program: _Program, module: str, function: str) -> list[_Finding]:
    """Everything that says ``function`` of ``module`` measures, in no particular order."""
    entries = [v for name in _entry_names(function) for v in program.module_binding(module, name)]
    nodes = _reachable(program, entries)
    findings = [finding for node in nodes.values() for finding in _inspect(program, node)]
    findings += _differences(program, nodes)
    if not function.endswith("_forward"):
        own = _reachable(program, program.module_binding(module, function))
        findings += _moved_forward_calls(program, own)
    # Even with no def in sight: code run at import time may be what defines the function.
    findings += _import_time_findings(program, module)
    findings += _rebinding(program, module, function)
    findings += _module_hooks(program, module)
    return findings


def _module_hooks(program: _Program, module: str) -> list[_Finding]:
    """A module-level ``__getattr__`` (or ``__dir__``) can supply any graded function without a def."""
    return [_Finding("unreadable", module, getattr(bound, "lineno", 1),
                     T_("defines a module-level {hook}, which can supply functions the grader cannot read: "
                        "the grader must be able to read your backward, so define each one with def", hook=hook))
            for hook in MODULE_HOOKS for bound in [b for b in program.module_binding(module, hook)
                                                   if not _method_of_class(program, module, b, hook)][:1]]


def _method_of_class(program: _Program, module: str, node: ast.AST | _Import, hook: str) -> bool:
    """A ``def __getattr__(self, name)`` written in a class body, which answers for the class's instances,
    not for the module, unless a ``global`` statement of the module names it (``class C: global
    __getattr__`` makes the def a module-level hook)."""
    return (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and isinstance(program.parent.get(node), ast.ClassDef)
            and not any(where == module and hook in statement.names for where, statement in program.globals))


def _import_time_findings(program: _Program, module: str) -> list[_Finding]:
    """Unreadable code run when ``module`` (or a sibling it imports) is imported; computed once."""
    if module not in program.import_time:
        units = [u for m in (module, *_imported_siblings(program, module)) for u in _import_time_units(program, m)]
        # Importing a module is harmless; what flags at import time is using it.
        program.import_time[module] = [
            _at_import_time(f) for node in _reachable(program, units).values()
            if not isinstance(node, ast.Import | ast.ImportFrom)
            for f in _inspect(program, node) if f.kind == "unreadable"]
    return program.import_time[module]


def _at_import_time(finding: _Finding) -> _Finding:
    return _Finding(finding.kind, finding.module, finding.line, T_(AT_IMPORT, reason=finding.reason))


def _rebinding(program: _Program, module: str, function: str) -> list[_Finding]:
    """``global NAME`` inside a function: NAME can be replaced at run time by code the grader never sees run."""
    return [_Finding("unreadable", module, node.lineno,
                     T_("rebinds {function} at run time (global {function}, line {line}): the grader must "
                        "be able to read your backward, so define it once with def", function=function,
                        line=node.lineno))
            for where, node in program.globals if where == module and function in node.names]


# ---------------------------------------------------------------------------------------------
# Checks on single nodes: names, literals, dynamic code.

def _prefixed(dotted: str, prefixes: Iterable[str]) -> bool:
    return any(dotted == p or dotted.startswith(p + ".") for p in prefixes)


def _classify(dotted: str) -> tuple[str, str] | None:
    """(kind, reason) for a dotted name that measures or hides, else None."""
    first, last = dotted.split(".")[0], dotted.rsplit(".", 1)[-1]
    shown = dotted.removeprefix("builtins.")
    if first in AUTOGRAD and not _prefixed(dotted, NUMPY_WRAPPERS):
        return "autograd", T_("uses {library} ({name}), which differentiates for you: write the backward with numpy "
                              "alone", library=first, name=shown)
    if _prefixed(dotted, NUMERICAL) or (first == "numpy" and last == "gradient"):
        return "numerical", T_("calls {name}, which measures the slope numerically: write the derivative by hand",
                               name=shown)
    if _prefixed(dotted, COMPLEX):
        return "complex", T_("uses {name} (complex numbers): a complex-step difference measures the slope; "
                             "write the derivative by hand", name=shown)
    if _prefixed(dotted, DYNAMIC) or not DYNAMIC_ATTRIBUTES.isdisjoint(dotted.split(".")[1:]) or _private(dotted):
        return "unreadable", T_("uses {name}, which builds or fetches code at run time: the grader must be "
                                "able to read your backward", name=shown)
    return None


def _private(dotted: str) -> bool:
    """A private module of the standard library (``_pickle``, ``_operator``, ``_frozen_importlib``: the
    machinery behind pickle, attrgetter and import, under other names), or a private part of numpy
    (``numpy.lib._npyio_impl``, ``numpy.testing._private``): nothing a backward needs."""
    parts = dotted.split(".")
    if parts[0] in sys.stdlib_module_names and parts[0].startswith("_") and parts[0] != "__future__":
        return True
    return parts[0] == "numpy" and any(part.startswith("_") and not part.endswith("__") for part in parts[1:])


def _finding(program: _Program, node: ast.AST, kind: str, reason: str) -> _Finding:
    """A finding at ``node``, naming the function it sits in when that is a helper."""
    scope = program.scope_of.get(node)
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        reason = T_(IN_HELPER, reason=reason, function=scope.name)
    return _Finding(kind, program.module_of.get(node, ""), getattr(node, "lineno", 0), reason)


def _inspect(program: _Program, node: ast.AST) -> list[_Finding]:
    """Findings of one node on its own (everything but finite differences), computed once per node."""
    found = program.inspected.get(id(node))
    if found is None:
        program.tick()
        found = [_finding(program, node, kind, reason) for kind, reason in _node_reasons(program, node)]
        program.inspected[id(node)] = found
    return found


def _node_reasons(program: _Program, node: ast.AST) -> Iterator[tuple[str, str]]:
    if ((isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load))
            or (isinstance(node, ast.Call) and _is_getattr(node))) and node in program.scope_of:
        for dotted in program.dotted(node):  # ``getattr(np, "gradient")`` names numpy.gradient
            verdict = _classify(dotted)
            if verdict and not _harmless_builtin(program, node, dotted):
                yield verdict
        if isinstance(node, ast.Name) and node.id in DUNDERS:
            yield "unreadable", T_("uses {name}, which reaches code at run time: the grader must be able to "
                                   "read your backward", name=node.id)
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del) and node.id in DUNDERS \
            and node in program.scope_of:  # ``__annotations__ = {...}`` in a class: dataclasses builds code of it
        yield "unreadable", T_("uses {name}, which reaches code at run time: the grader must be able to "
                               "read your backward", name=node.id)
        if isinstance(node, ast.Name):
            yield from _module_object_reasons(program, node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes) and _hidden_name(node.value) \
            and not isinstance(program.parent.get(node), ast.Compare):  # ``mode == "eval"`` fetches nothing
        shown = node.value if isinstance(node.value, str) else node.value.decode()
        yield "unreadable", T_("names {name} in a string, which fetches code at run time: the grader must "
                               "be able to read your backward", name=repr(shown))
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _code_in(node.value):
        # A string annotation is evaluated by whatever asks for the type hints: the string is code.
        yield "unreadable", T_("names {name} in a string, which fetches code at run time: the grader must "
                               "be able to read your backward", name=repr(_code_in(node.value)))
    if isinstance(node, ast.ClassDef) and (any(
            k.arg == "metaclass" and not set(program.dotted(k.value)) & KNOWN_METACLASSES for k in node.keywords)
            or any(_is_builtin_type(program, base) for base in node.bases)):  # its __new__ names attributes
        yield "unreadable", T_("makes a class or an object whose attribute names are chosen at run time ({name}): "
                               "the grader must be able to read your backward", name=node.name)
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield from _import_reasons(node)
    if isinstance(node, ast.Attribute):
        yield from _attribute_reasons(program, node)
    if isinstance(node, ast.Constant) and isinstance(node.value, complex):
        yield "complex", T_("uses the complex number {number}: a complex-step difference measures the "
                            "slope; write the derivative by hand", number=repr(node.value))
    if isinstance(node, ast.Call):
        yield from _call_reasons(program, node)
    power = _power(program, node)
    if power is not None:
        base, exponent = (_folded(program, part) for part in power)
        base = _truth(power[0]) if base is None else base  # ``(-True) ** 0.5``
        if base is not None and base < 0 and exponent is not None and exponent != int(exponent):
            yield "complex", T_("raises {base} to {exponent}, a complex number: a complex-step difference "
                                "measures the slope; write the derivative by hand", base=ast.unparse(power[0]),
                                exponent=ast.unparse(power[1]))


def _power(program: _Program, node: ast.AST) -> tuple[ast.expr, ast.expr] | None:
    """(base, exponent) of ``a ** b``, ``pow(a, b)``, ``math.pow(a, b)``, ``np.power(a, b)``."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return node.left, node.right
    if isinstance(node, ast.Call) and len(node.args) >= 2 \
            and _last_name(program, node.func) in ("pow", "power", "float_power"):
        return node.args[0], node.args[1]
    return None


def _truth(node: ast.AST) -> float | None:
    """The number a written truth value stands for in arithmetic: ``-True`` is -1."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        value = _truth(node.operand)
        return None if value is None else (-value if isinstance(node.op, ast.USub) else value)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return float(node.value)
    return None


def _folded(program: _Program, node: ast.AST) -> float | None:
    """``node``'s value, folded through names once the program is read (``pow(-10 ** -40, 0.5)``, ``s ** 0.5``)."""
    steps = getattr(program, "steps", None)
    return steps.fold(node) if steps is not None else _fold_literal(node)


STRING_CODE_LIMIT = 20_000  # characters of a string read as code: longer ones are text
CODE_TEXTS_KEPT = 512  # strings whose answer is kept: at most 10 MB of them
CODE_NAMES = HIDDEN_NAMES | (BUILTINS - {"complex"})  # what flags a string read as code


@functools.lru_cache(maxsize=CODE_TEXTS_KEPT)  # a release's docstrings recur in every submission of a class
def _code_in(text: str) -> str:
    """The name of code the reader flags (``exec``, ``__import__``, a dunder) that ``text``, read as Python,
    calls or reaches; "" when it is not Python or names none of it."""
    if len(text) > STRING_CODE_LIMIT or not any(mark in text for mark in "(.["):
        return ""
    try:
        tree = syntax.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    for part in ast.walk(tree):
        name = part.id if isinstance(part, ast.Name) else part.attr if isinstance(part, ast.Attribute) else ""
        if name in CODE_NAMES:
            return name
    return ""


def _hidden_name(value: str | bytes) -> bool:
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            return False
    return value.strip() in HIDDEN_NAMES


def _harmless_builtin(program: _Program, node: ast.AST, dotted: str) -> bool:
    """getattr/setattr called directly (their arguments decide, in ``_call_reasons``), and
    ``globals()`` only iterated over for its names (``[n for n in globals() if ...]``)."""
    parent = program.parent.get(node)
    called = isinstance(parent, ast.Call) and parent.func is node
    if dotted in ("builtins.getattr", "builtins.setattr", "builtins.delattr"):
        return called
    if dotted == "builtins.vars":  # ``vars(self).items()`` in a method: the object's own attributes, read
        return (called and isinstance(parent, ast.Call) and len(parent.args) == 1 and not parent.keywords
                and _own_instance(program, parent.args[0]) and _only_read(program, parent))
    if dotted == "builtins.globals" and called and isinstance(parent, ast.Call) and not parent.args \
            and not parent.keywords:
        user = program.parent.get(parent)
        if isinstance(user, ast.comprehension | ast.For | ast.AsyncFor) and user.iter is parent:
            return True
        if isinstance(user, ast.Attribute) and user.attr == "keys":
            return True
        return (isinstance(user, ast.Call) and user.args == [parent] and isinstance(user.func, ast.Name)
                and user.func.id in ("list", "sorted", "set", "tuple", "len")
                and not program.lookup(user.func.id, program.scope_of[user.func]))
    return False


READING_METHODS = frozenset({"items", "keys", "values", "get", "copy"})
READING_BUILTINS = frozenset({"dict", "list", "tuple", "set", "sorted", "len", "repr", "str", "print"})


def _only_read(program: _Program, node: ast.Call) -> bool:
    """Whether the mapping ``node`` gives is only read where it is made: ``.items()``, ``[key]``, iterated,
    formatted, compared or copied (``dict(...)``), never written or kept."""
    user = program.parent.get(node)
    if isinstance(user, ast.Attribute) and user.attr in READING_METHODS:
        call = program.parent.get(user)
        return isinstance(call, ast.Call) and call.func is user
    if isinstance(user, ast.Call):
        return (node in user.args and isinstance(user.func, ast.Name) and user.func.id in READING_BUILTINS
                and not _bound(program, user.func))
    if isinstance(user, ast.Subscript):
        return user.value is node and isinstance(user.ctx, ast.Load)
    if isinstance(user, ast.comprehension | ast.For | ast.AsyncFor):
        return user.iter is node
    return isinstance(user, ast.FormattedValue | ast.Compare)


def _module_object_reasons(program: _Program, node: ast.Name) -> Iterator[tuple[str, str]]:
    """A student module used as an object, other than to read or set one attribute by name."""
    parent = program.parent.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        return
    module = program.student_module(node)
    if module is not None:
        yield "unreadable", T_("passes the module {module} around as an object: the grader must be able to read "
                               "your backward, so call its functions by name", module=module)


def _import_reasons(node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        names = [f"{node.module}.{alias.name}" if alias.name != "*" else f"{node.module}" for alias in node.names]
    for name in names:
        verdict = _classify(name)
        if verdict:
            yield verdict


def _written_names(node: ast.expr) -> bool:
    """A class's namespace or fields given with every attribute name written out and none a dunder:
    ``{"x": 1}``, ``["dx", ("dw", float)]``, ``"dx dw"``."""
    def written(name: ast.expr | None) -> bool:
        return isinstance(name, ast.Constant) and isinstance(name.value, str) and "__" not in name.value

    if isinstance(node, ast.Dict):
        return all(written(key) for key in node.keys)
    if isinstance(node, ast.List | ast.Tuple):
        return all(written(item.elts[0] if isinstance(item, ast.Tuple) and item.elts else item) for item in node.elts)
    return written(node)


def _in_class_body(program: _Program, node: ast.AST) -> bool:
    """Whether ``node`` is in a class body itself (where ``locals()`` is the class's namespace)."""
    parent = program.parent.get(node)
    while parent is not None and not isinstance(parent, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        if isinstance(parent, ast.ClassDef):
            return True
        parent = program.parent.get(parent)
    return False


def _is_builtin(program: _Program, node: ast.expr, name: str) -> bool:
    """The builtin ``name`` itself, not a name of the student's."""
    return isinstance(node, ast.Name) and node.id == name and not _bound(program, node)


def _is_builtin_type(program: _Program, node: ast.expr) -> bool:
    """``type`` itself: called with three arguments it makes a class."""
    return _is_builtin(program, node, "type")


def _raw_memory(node: ast.Call, names: list[str]) -> bool:
    """``np.ndarray(shape, dtype, buffer, offset, strides)`` (numpy checks those strides against the buffer in
    arithmetic that wraps: an array over any address), or ``resize(..., refcheck=False)`` (views of the freed
    memory): what arrays over raw memory are made of, once ``as_strided`` and ``__array_interface__`` are out."""
    keywords = {keyword.arg for keyword in node.keywords}
    if any(name in ("numpy.ndarray", "numpy.ndarray.__new__") for name in names):
        given = len(node.args) - names[0].endswith("__new__")
        return given > 2 or not keywords.isdisjoint({"buffer", "offset", "strides", None})
    return isinstance(node.func, ast.Attribute) and node.func.attr == "resize" and "refcheck" in keywords


def _attribute_reasons(program: _Program, node: ast.Attribute) -> Iterator[tuple[str, str]]:
    if node.attr == "strides" and isinstance(node.ctx, ast.Store):  # checked by numpy in arithmetic that wraps
        yield "unreadable", T_("sets .strides, which can make an array over memory it chooses and rewrite code "
                               "in place: the grader must be able to read your backward")
    if node.attr == "imag":
        yield "complex", T_("reads .imag: a complex-step difference measures the slope; write the derivative "
                            "by hand")
    if node.attr in DUNDERS and not _own_attributes(program, node):
        yield "unreadable", T_("uses {name}, which reaches or swaps code at run time: the grader must be "
                               "able to read your backward", name=node.attr)


def _own_attributes(program: _Program, node: ast.Attribute) -> bool:
    """``self.__dict__`` in a method: an object's own attributes, not code (a module's are)."""
    return node.attr == "__dict__" and _own_instance(program, node.value)


def _own_instance(program: _Program, node: ast.expr) -> bool:
    """``self`` in a method of a class that is only ever called on an instance of its class (never
    ``Table.entries(np)``, whose ``self.__dict__`` would be numpy's namespace)."""
    if not isinstance(node, ast.Name):
        return False
    scope = program.scope_of.get(node)
    if not isinstance(scope, ast.FunctionDef) or not (scope.args.posonlyargs + scope.args.args):
        return False
    first = (scope.args.posonlyargs + scope.args.args)[0]
    owner = program.parent.get(scope)
    return (isinstance(owner, ast.ClassDef) and scope in owner.body and node.id == first.arg
            and program.lookup(node.id, scope) == [first]
            and not any(_decorator_name(d) in ("staticmethod", "classmethod") for d in scope.decorator_list)
            and _instance_only(program, scope, owner))


def _decorator_name(node: ast.expr) -> str:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _instance_only(program: _Program, method: ast.FunctionDef, owner: ast.ClassDef) -> bool:
    """Whether nothing can call ``method`` with a ``self`` of its caller's choosing: no call through a class
    that could pass one (``Table.entries(np)``: as many arguments as the method needs with its self), no use
    of the method other than calling it (``map(Table.entries, ...)``, ``.fget``), no string equal to its name
    and no getattr with a name built at run time anywhere in the program, no alias in the class body."""
    known = program.instance_only.get(id(method))
    if known is None:
        program.instance_only[id(method)] = False  # a cycle through methods passing ``self`` on reads as unbound
        in_body = [n for statement in owner.body
                   for part in ([*statement.decorator_list, *statement.args.defaults]
                                if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) else [statement])
                   for n in ast.walk(part)]
        known = not any(isinstance(n, ast.Name) and n.id == method.name for n in in_body) and not any(
            _unbound_use(program, n, method) for tree in program.trees.values() for n in ast.walk(tree))
        program.instance_only[id(method)] = known
    return known


def _unbound_use(program: _Program, node: ast.AST, method: ast.FunctionDef) -> bool:
    program.tick()
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.strip() == method.name
    if isinstance(node, ast.Call):
        return _is_getattr(node) and not _literal_attribute_call(node) \
            and _written_loop_names(program, node.args[1]) is None
    if not isinstance(node, ast.Attribute) or node.attr != method.name or not isinstance(node.ctx, ast.Load):
        return False
    parent = program.parent.get(node)
    if isinstance(parent, ast.Attribute):  # ``Table.entries.__get__(np)``, ``.fget``
        return True
    if not isinstance(parent, ast.Call) or parent.func is not node:
        return not any(_decorator_name(d) == "property" for d in method.decorator_list)
    positional = method.args.posonlyargs + method.args.args
    required = len(positional) - len(method.args.defaults)
    if any(isinstance(a, ast.Starred) for a in parent.args) \
            or any(k.arg is None or k.arg == positional[0].arg for k in parent.keywords):
        return True
    # A call on an instance passes one argument fewer than the method takes: one that passes as many as it
    # needs with its self may be a call through the class, and is allowed when that self is the caller's own.
    return len(parent.args) >= required and not (parent.args and _own_instance(program, parent.args[0]))


def _classes(program: _Program, scope: ast.AST) -> list[ast.ClassDef]:
    parent = program.parent_scope.get(scope)
    if parent is None:
        return []
    return [n for n in ast.walk(parent) if isinstance(n, ast.ClassDef)]


def _call_reasons(program: _Program, node: ast.Call) -> Iterator[tuple[str, str]]:
    names = program.dotted(node.func)
    if (_is_builtin_type(program, node.func) and len(node.args) == 3 and not _written_names(node.args[2])) or \
            ("types.SimpleNamespace" in names and any(k.arg is None for k in node.keywords)) or \
            (not NAMING_CALLS.isdisjoint(names) and len(node.args) >= 2 and not _written_names(node.args[1])) or \
            (_is_builtin(program, node.func, "locals") and _in_class_body(program, node)):
        yield "unreadable", T_("makes a class or an object whose attribute names are chosen at run time ({name}): "
                               "the grader must be able to read your backward", name=(names or ["type"])[0])
    if not {"functools.update_wrapper", "functools.wraps"}.isdisjoint(names) and \
            (any(k.arg == "assigned" for k in node.keywords) or len(node.args) > 2):  # it can copy __code__
        yield "unreadable", T_("uses {name}, which reaches or swaps code at run time: the grader must be "
                               "able to read your backward", name=f"{names[0].rsplit('.', 1)[-1]}(assigned=...)")
    if _raw_memory(node, names):
        yield "unreadable", T_("makes an array over memory it chooses ({name}), which can rewrite code in "
                               "place: the grader must be able to read your backward", name=names[0])
    if any(n in ("builtins.getattr", "builtins.setattr", "builtins.delattr") for n in names):
        yield from _attribute_call_reasons(program, node, names[0].removeprefix("builtins."))
    dtypes = [k.value for k in node.keywords if k.arg == "dtype"]
    if (isinstance(node.func, ast.Attribute) and node.func.attr in ("astype", "view")) or \
            any(n.rsplit(".", 1)[-1] == "dtype" for n in names):
        dtypes += node.args[:1]
    numpy = next((n.rsplit(".", 1)[-1] for n in names if n.startswith("numpy.")), None)
    if numpy in DTYPE_PLACE:
        dtypes += node.args[DTYPE_PLACE[numpy]:DTYPE_PLACE[numpy] + 1]  # ``np.full((), -1, "F")``
    named = [a for a in node.args if numpy and "date" not in numpy and "delta" not in numpy and "busday" not in numpy]
    for dtype, pattern in [*((d, COMPLEX_DTYPE) for d in dtypes), *((a, COMPLEX_NAMED) for a in named)]:
        text = _text(program, dtype)
        if text is not None and pattern.match(text):
            yield "complex", T_("asks for the complex dtype {dtype}: a complex-step difference measures "
                                "the slope; write the derivative by hand", dtype=repr(text))
            break


def _text(program: _Program, node: ast.AST) -> str | None:
    """A written string, or one a name holds (``kind = "D"; np.zeros(3, kind)``) once the program is read."""
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    steps = getattr(program, "steps", None)
    return steps.fold_text(node) if steps is not None else None


def _attribute_call_reasons(program: _Program, node: ast.Call, builtin: str) -> Iterator[tuple[str, str]]:
    """getattr with a computed name on a module, and any setattr/delattr: code chosen at run time."""
    literal = builtin == "getattr" and len(node.args) >= 2 and (
        _literal_attribute_call(node) or _written_loop_names(program, node.args[1]) is not None)
    on_module = bool(node.args) and (any(isinstance(v, _Import) for v in _bound(program, node.args[0]))
                                     or bool(program.dotted(node.args[0])))  # a module, or a name from one
    # A computed name flags on any object (``getattr(f, "__glo" + "bals__")``) but one that starts with a
    # harmless constant, and on a module always (``getattr(np, "gradi" + "ent")``).
    if builtin == "setattr" and _sets_own_keywords(program, node):
        return
    if builtin != "getattr" or not (literal or (len(node.args) >= 2 and not on_module
                                                and isinstance(node.args[0], ast.Name)
                                                and _harmless_name(node.args[1]))):
        yield "unreadable", T_("calls {name} with a name chosen at run time: the grader must be able to read "
                               "your backward", name=builtin)


def _sets_own_keywords(program: _Program, node: ast.Call) -> bool:
    """``setattr(self, key, value)`` in ``def __init__(self, **kwargs)`` of a plain class, inside
    ``for key, value in kwargs.items()`` (or ``for key in kwargs``): an attribute bag whose names are
    the keywords its caller wrote. ``self`` is then an instance of that class: the class has no base,
    none inherits from it, and nothing calls its ``__init__`` with a self of its choosing (so
    ``Bag.__init__(np, allclose=...)`` flags)."""
    scope = program.scope_of.get(node)
    if len(node.args) != 3 or node.keywords or not isinstance(scope, ast.FunctionDef) \
            or scope.name != "__init__" or scope.args.kwarg is None or scope.decorator_list:
        return False
    owner, target, key = program.parent.get(scope), node.args[0], node.args[1]
    if not (isinstance(owner, ast.ClassDef) and scope in owner.body and _plain_class(program, owner)
            and _own_instance(program, target) and isinstance(key, ast.Name)):
        return False
    loop = program.parent.get(node)
    while loop is not None and loop is not scope and not _keyword_loop(program, loop, key.id, scope.args.kwarg):
        loop = program.parent.get(loop)
    return isinstance(loop, ast.For) and _bound(program, key) == [loop.iter]


def _keyword_loop(program: _Program, node: ast.AST, key: str, kwargs: ast.arg) -> bool:
    """``for key, value in kwargs.items()`` or ``for key in kwargs``, with ``kwargs`` the ``**`` parameter."""
    if not isinstance(node, ast.For):
        return False
    target, source = node.target, node.iter
    if isinstance(target, ast.Tuple) and len(target.elts) == 2:
        target = target.elts[0]
        if not (isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute)
                and source.func.attr == "items" and not source.args and not source.keywords):
            return False
        source = source.func.value
    return (isinstance(target, ast.Name) and target.id == key and isinstance(source, ast.Name)
            and source.id == kwargs.arg and _bound(program, source) == [kwargs])


def _plain_class(program: _Program, node: ast.ClassDef) -> bool:
    """A class with no base but ``object`` and no keywords, that no class of the program inherits from:
    ``setattr`` on its own instance cannot reach an array's strides or a function's code."""
    if node.keywords or not all(isinstance(b, ast.Name) and b.id == "object" and not _bound(program, b)
                                for b in node.bases):
        return False
    return not any(isinstance(c, ast.ClassDef) and any(_last_part(b) == node.name for b in c.bases)
                   for tree in program.trees.values() for c in ast.walk(tree))


def _last_part(node: ast.expr) -> str:
    """The last name of ``a.b.C`` or ``C`` (anything else: "")."""
    while isinstance(node, ast.Subscript | ast.Call):
        node = node.value if isinstance(node, ast.Subscript) else node.func
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _bound(program: _Program, node: ast.AST) -> list[ast.AST | _Import]:
    if isinstance(node, ast.Name) and node in program.scope_of:
        return program.lookup(node.id, program.scope_of[node])
    return []


# ---------------------------------------------------------------------------------------------
# Finite differences: a perturbation by a step, and a division by a step.

def _differences(program: _Program, nodes: Mapping[int, ast.AST]) -> list[_Finding]:
    """One finding when the reached code both perturbs by a small step and divides by one."""
    steps = program.steps
    perturbations = [n for n in nodes.values() if _perturbs(program, steps, n)]
    if not perturbations:
        return []
    dividing = [(n, d) for n in nodes.values() if (d := _divides_by_step(program, steps, n)) is not None]
    divisions = [d for _, d in dividing]
    if not any(steps.written(lambda: _divides_by_step(program, steps, n) is not None)  # noqa: B023 (called at once)
               for n, _ in dividing):
        # Dividing only by values the reader cannot fold (``/ self.max_norm``, ``/ SETTINGS["scale"]``): a
        # difference divides by the very value it moved by (``x + cfg.h``, then ``/ (2 * cfg.h)``).
        moved_by = set().union(*(_leaf_names(p) for p in perturbations))
        divisions = [d for d in divisions if _leaf_names(d) & moved_by]
    if not divisions:
        return []
    perturbation = min(perturbations, key=lambda n: getattr(n, "lineno", 0))
    parents = {id(child): parent for parent in nodes.values() for child in ast.iter_child_nodes(parent)}
    reason = T_("{perturbation} and divides by {step}: a finite difference measures the slope; write the "
                "derivative by hand", perturbation=_describe_perturbation(perturbation, parents),
                step=_short(divisions[0]))
    return [_finding(program, perturbation, "difference", reason)]


def _leaf_names(node: ast.AST) -> set[str]:
    """The names and attribute names in ``node``, but ``self`` and ``cls``: ``{"cfg", "h"}`` for ``2 * cfg.h``."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    return names - {"self", "cls"}


def _perturbs(program: _Program, steps: _Steps, node: ast.AST) -> bool:
    """``x + h``, ``x -= h``, ``np.add(x, h)``: moving a value by a step. By a value the reader cannot fold
    (a config's ``delta``, ``Settings().h``), only a move a difference needs: one handed to a function
    (``np.tanh(x + h)``, ``xp = x + h`` then ``f(xp)``) or an element moved by the step itself
    (``plus[i] += h``); Huber's ``a - 0.5 * delta`` and a bound ``delta + EPS`` are arithmetic."""
    if not _moves_by(program, steps, node):
        return False
    return steps.written(lambda: _moves_by(program, steps, node)) or _handed_on(program, node)


def _handed_on(program: _Program, node: ast.AST) -> bool:
    """A move whose value goes to a call (as an argument, or through the name it is assigned to), or an
    element moved in place by a bare step (``plus[i] += h``)."""
    if isinstance(node, ast.AugAssign):
        return isinstance(node.target, ast.Subscript) and isinstance(node.value, ast.Name | ast.Attribute
                                                                     | ast.Subscript | ast.Constant)
    parent = program.parent.get(node)
    if isinstance(parent, ast.Call | ast.keyword | ast.Starred) and node is not getattr(parent, "func", None):
        return True
    if isinstance(parent, ast.Assign) and any(isinstance(t, ast.Subscript) for t in parent.targets):
        return True  # ``a[i] = keep + h``: an element of an array set to the moved value
    if isinstance(parent, ast.Assign | ast.NamedExpr):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        return not names.isdisjoint(_call_argument_names(program).get(id(program.scope_of.get(node)), ()))
    return False


def _call_argument_names(program: _Program) -> dict[int, set[str]]:
    """By scope (its id): the names passed as arguments to some call there; found once for the program."""
    if program.call_arguments is None:
        found: dict[int, set[str]] = {}
        for call in program.calls:
            names = {a.id for a in [*call.args, *(k.value for k in call.keywords)] if isinstance(a, ast.Name)}
            found.setdefault(id(program.scope_of.get(call)), set()).update(names)
        program.call_arguments = found
    return program.call_arguments


def _moves_by(program: _Program, steps: _Steps, node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        return steps.small(node.left) != steps.small(node.right)
    if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
        return steps.small(node.value) and not steps.small(node.target)
    if isinstance(node, ast.Call) and _operation(program, node) in ADDING:
        operands = _operands(node)
        return len(operands) >= 2 and steps.small(operands[0]) != steps.small(operands[1])
    if isinstance(node, ast.Call):  # ``sum((x, h))``, ``functools.reduce(operator.add, (x, -h))``
        parts = _summed(_last_name(program, node.func), node) or _reduced_sum(program, node)
        if parts:
            small = [steps.small(part) for part in parts]
            return any(small) and not all(small)
    return False


PUTTING = frozenset({"put", "place", "putmask", "put_along_axis"})  # numpy's writes into chosen elements


def _reduced_sum(program: _Program, node: ast.Call) -> list[ast.expr] | None:
    """The parts of ``functools.reduce(operator.add, (a, b))`` (or ``np.subtract``): a written list or tuple."""
    if _last_name(program, node.func) != "reduce" or len(node.args) < 2 or not any(
            name.split(".")[0] in ("numpy", "operator") and name.rsplit(".", 1)[-1] in ADDING
            for name in program.dotted(node.args[0])):
        return None
    parts = node.args[1]
    if not isinstance(parts, ast.List | ast.Tuple) or any(isinstance(part, ast.Starred) for part in parts.elts):
        return None
    return parts.elts


ADDING = frozenset({"add", "subtract", "iadd", "isub", "sub", "__add__", "__radd__", "__sub__", "__rsub__",
                    "__iadd__", "__isub__"})
DIVIDING = frozenset({"divide", "true_divide", "floor_divide", "truediv", "floordiv", "itruediv", "ifloordiv",
                      "__truediv__", "__floordiv__", "__itruediv__", "__ifloordiv__"})
# Division by a matrix: ``np.linalg.solve([[2 * h]], diff)`` divides by 2 * h.
SOLVING = frozenset({"numpy.linalg.solve", "numpy.linalg.inv", "numpy.linalg.pinv", "numpy.linalg.lstsq",
                     "numpy.linalg.tensorsolve", "numpy.linalg.tensorinv", "scipy.linalg.solve", "scipy.linalg.inv",
                     "scipy.linalg.pinv", "scipy.linalg.lstsq"})
MULTIPLYING = frozenset({"multiply", "mul", "imul", "__mul__", "__rmul__", "__imul__", "dot", "matmul", "inner",
                         "outer", "kron", "einsum", "prod", "tensordot", "polyval", "vdot"})
LDEXP_LIMIT = 7  # ldexp(d, k) with k >= 7 multiplies by 2 ** k > QUOTIENT_LIMIT: it divides by a step


def _divides_by_step(program: _Program, steps: _Steps, node: ast.AST) -> ast.AST | None:
    """The divisor when ``node`` divides by a step (or multiplies by one over a step), else None."""
    if isinstance(node, ast.BinOp | ast.AugAssign):
        right = node.right if isinstance(node, ast.BinOp) else node.value
        left = node.left if isinstance(node, ast.BinOp) else node.target
        if isinstance(node.op, ast.Div | ast.FloorDiv) and steps.small(right) and not steps.small(left):
            return right
        if isinstance(node.op, ast.Mult):
            for factor, other in ((right, left), (left, right)):
                if steps.large(factor) and not steps.small(other):
                    return factor
    if isinstance(node, ast.BinOp | ast.Call) and steps.inverse_of_step(node):
        return node  # ``np.reciprocal(2 * h)``, ``h ** -1``, ``pow(h, -1)``: one over a step, however used
    if isinstance(node, ast.Call):
        function = _operation(program, node)
        arguments = _operands(node)
        if function in DIVIDING and len(arguments) >= 2 and steps.small(arguments[1]) \
                and not steps.small(arguments[0]):
            return arguments[1]
        if function in MULTIPLYING:
            return next((a for a in arguments if steps.large(a)), None)
        if function == "ldexp" and len(arguments) >= 2 and steps.fold(arguments[0]) is None:
            exponent = steps.fold(arguments[1])  # ``np.ldexp(diff, 16)`` multiplies by 2 ** 16
            if exponent is not None and exponent >= LDEXP_LIMIT:  # the step it divides by: 2 ** -16
                return ast.BinOp(ast.Constant(2), ast.Pow(), ast.UnaryOp(ast.USub(), arguments[1]))
        if not SOLVING.isdisjoint(program.dotted(node.func)):  # ``np.linalg.solve([[2 * h]], diff)``
            return next((a for a in node.args if steps.small(a)), None)
    if isinstance(node, ast.Name | ast.Attribute) and isinstance(node.ctx, ast.Load):
        return _division_as_value(program, steps, node)
    return None


def _division_as_value(program: _Program, steps: _Steps, node: ast.Name | ast.Attribute) -> ast.AST | None:
    """A dividing function named without being called here (``reduce(operator.truediv, (d, 2 * h))``,
    ``np.frompyfunc(operator.truediv, 2, 1)``, ``np.divide.at(d, ..., 2 * h)``, ``map(x.__truediv__, ...)``):
    what it divides by is out of sight, so it counts as a division by the step the code perturbs by. A
    multiplying one counts when it is handed a large factor (``functools.partial(np.multiply, 0.5e5)``)."""
    parent = program.parent.get(node)
    if isinstance(parent, ast.Call) and parent.func is node:
        return None
    names = program.dotted(node)
    if names and names[0].split(".")[0] in ("numpy", "operator"):
        function = names[0].rsplit(".", 1)[-1]
    elif isinstance(node, ast.Attribute) and node.attr.startswith("__"):
        function = node.attr
    else:
        return None
    if function in DIVIDING or function == "reciprocal":
        # with a step beside it: ``reduce(truediv, (d, 2 * h))``, ``np.frompyfunc(truediv, 2, 1)(d, 2 * h)``,
        # ``np.divide.at(d, ..., 2 * h)``; ``partial(np.divide, out=None)`` alone divides by what it is given
        calls = [c for c in (parent, program.parent.get(parent) if parent is not None else None)
                 if isinstance(c, ast.Call)]
        holder = program.parent.get(parent) if isinstance(parent, ast.Call) else None
        if isinstance(holder, ast.Assign):  # ``quotient = np.frompyfunc(truediv, 2, 1)``, then ``quotient(d, 2 * h)``
            held = {t.id for t in holder.targets if isinstance(t, ast.Name)}
            calls += [c for c in program.calls if isinstance(c.func, ast.Name) and c.func.id in held
                      and program.scope_of.get(c) is program.scope_of.get(node)]
        if any(steps.small(a) for call in calls for a in [*call.args, *(k.value for k in call.keywords)]
               if a is not node):
            return node
        return None
    if function in MULTIPLYING and isinstance(parent, ast.Call):
        return next((a for a in [*parent.args, *(k.value for k in parent.keywords)]
                     if a is not node and steps.large(a)), None)
    return None


def _operation(program: _Program, node: ast.Call) -> str | None:
    """The last name of a numpy, operator or math function, or of a dunder method, that ``node`` calls."""
    names = program.dotted(node.func)
    if names and names[0].split(".")[0] in ("numpy", "operator", "math", "builtins"):
        return names[0].rsplit(".", 1)[-1]
    if isinstance(node.func, ast.Attribute) and node.func.attr.startswith("__"):
        return node.func.attr
    return None


def _operands(node: ast.Call) -> list[ast.expr]:
    """A call's operands: ``a.__truediv__(b)`` is (a, b), ``np.divide(a, b)`` is (a, b)."""
    if isinstance(node.func, ast.Attribute) and node.func.attr.startswith("__"):
        arguments = [node.func.value, *node.args]
        return arguments[::-1] if node.func.attr.startswith("__r") else arguments
    return list(node.args)


def _numpy_function(program: _Program, node: ast.Call) -> str | None:
    names = program.dotted(node.func)
    return names[0].rsplit(".", 1)[-1] if names and names[0].startswith("numpy.") else None


def _moved_forward_calls(program: _Program, nodes: Mapping[int, ast.AST]) -> list[_Finding]:
    """A forward (or a function that reaches one) called at moved inputs: a difference of the forward,
    whatever the step (``moved[i] += 1.0`` is exact for a linear layer, and needs no division)."""
    found: list[_Finding] = []
    sites: dict[int, int] = {}  # reached calls, by the id of each definition they may call
    for node in nodes.values():
        if isinstance(node, ast.Call):
            for definition in _callees(program, node.func):
                sites[id(definition)] = sites.get(id(definition), 0) + 1
    for node in nodes.values():
        if not isinstance(node, ast.Call):
            continue
        forward = next((d for d in _callees(program, node.func) if _reaches_forward(program, d)), None)
        if forward is None:
            continue
        passed: list[ast.expr | ast.keyword] = [*node.args, *node.keywords]
        arguments = [a.value if isinstance(a, ast.keyword) else a for a in passed
                     if not _upstream_of_a_graded_backward(program, node, a)]
        moved = next((a for a in arguments if _moved(program, a, 0)), None)
        if moved is not None and _evaluated_again(program, sites.get(id(forward), 0), node):
            name = getattr(forward, "name", None)
            name = T_("a forward") if name is None else name
            found.append(_finding(program, node, "difference", T_(
                "evaluates {name} at moved inputs ({moved}): a finite difference measures the slope; "
                "write the derivative by hand", name=name, moved=_short(moved))))
    return found[:1]


def _evaluated_again(program: _Program, sites: int, call: ast.Call) -> bool:
    """Whether the reached code evaluates the forward more than once: ``sites`` calls of it, or one in a loop. A
    difference needs two values; one evaluation at a computed point (``softmax_forward(x - x.max())``, a hinge
    as ``relu_forward(margins + 1.0)``) is the forward reused."""
    if sites >= 2:
        return True
    current = program.parent.get(call)
    while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                                                 | ast.Module | ast.ClassDef):
        if isinstance(current, ast.For | ast.AsyncFor | ast.While | ast.comprehension | ast.ListComp | ast.SetComp
                      | ast.DictComp | ast.GeneratorExp):
            return True
        current = program.parent.get(current)
    return False


@functools.cache
def _graded_backwards() -> frozenset[str]:
    from autograder.core.spec import FUNCTIONS

    return frozenset(f.name for f in FUNCTIONS if f.name.endswith("_backward"))


def _upstream_of_a_graded_backward(program: _Program, call: ast.Call, argument: ast.expr | ast.keyword) -> bool:
    """The upstream gradient handed to a graded backward (``rnn_step_backward(dh[:, t] + dprev_h, cache)``):
    a sum of gradients, not a forward's input moved. The graded backward is checked on its own cases, where
    an upstream gradient taken for an input would give wrong values."""
    definitions = _callees(program, call.func)
    if not definitions or not all(isinstance(d, ast.FunctionDef) and d.name in _graded_backwards()
                                  and isinstance(program.scope_of.get(d), ast.Module) for d in definitions):
        return False
    parameters = [cast(ast.FunctionDef, d).args.posonlyargs + cast(ast.FunctionDef, d).args.args for d in definitions]
    if isinstance(argument, ast.keyword):
        return all(names and argument.arg == names[0].arg for names in parameters)
    return bool(call.args) and argument is call.args[0] and not isinstance(argument, ast.Starred)


def _callees(program: _Program, function: ast.AST) -> list[ast.AST]:
    """The definitions a called expression may be, through names bound to names."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = [function]
    seen: set[int] = set()
    while pending and len(seen) < 50:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for value in _named_definitions(program, node):
            if isinstance(value, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                found.append(value)
            elif isinstance(value, ast.Name | ast.Attribute):
                pending.append(value)
    return found


def _reaches_forward(program: _Program, definition: ast.AST) -> bool:
    """A student's ``*_forward``, or a function of the student's that calls one."""
    if program.forwards is None:
        # Once for the program: who calls whom (through names and passed functions), then back from the forwards.
        callers: dict[int, list[ast.AST | None]] = {}
        reaching: list[ast.AST | None] = []
        for call in program.calls:
            caller = program.scope_of.get(call)
            for callee in _callees(program, call.func):
                callers.setdefault(id(callee), []).append(caller)
                if isinstance(callee, ast.FunctionDef | ast.AsyncFunctionDef) and callee.name.endswith("_forward"):
                    reaching.append(callee)
        forwards: set[int] = set()
        while reaching:
            unit = reaching.pop()
            if unit is not None and id(unit) not in forwards:
                forwards.add(id(unit))
                reaching.extend(callers.get(id(unit), []))
        program.forwards = forwards
    return id(definition) in program.forwards


def _root(node: ast.AST) -> ast.Name | None:
    """``moved`` for ``moved.reshape(-1)[i]``, ``moved.flat[i]``, ``moved[k][i]``."""
    while isinstance(node, ast.Subscript | ast.Attribute | ast.Call | ast.Starred):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node if isinstance(node, ast.Name) else None


def _moved(program: _Program, node: ast.AST, depth: int) -> bool:
    """An argument that is a value moved from where it was: ``x + h`` by a step or by a one-hot ``e``, one
    element moved (``np.where(mask, x + 1.0, x)``), or an array changed in place element by element. A whole
    array moved by anything else (``x - correct + 1.0``, ``diff - delta``, ``x - x.max()``) cannot give one
    slope per element: it is an input computed, not a perturbation."""
    if depth > 8:
        return False
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        return _perturbation(program, node.left) or _perturbation(program, node.right)
    if isinstance(node, ast.Call) and _operation(program, node) in ADDING:
        # ``np.add(x, e)``, ``operator.sub(x, e)``, ``x.__add__(e)``: ``x + e`` spelled as a call
        return any(_perturbation(program, operand) for operand in _operands(node))
    if isinstance(node, ast.Call) and _last_name(program, node.func) == "where" and len(node.args) == 3 \
            and _numpy_function(program, node) is not None and _masked_move(node.args[1], node.args[2]):
        return True  # ``np.where(mask, x + 1.0, x)``: the elements the mask picks, moved
    if isinstance(node, ast.Call) and _numpy_function(program, node) is not None:
        # ``np.where(mask, x + e, x)``, ``np.copy(x + e)``: numpy hands on the moved value
        return any(_moved(program, a, depth + 1) for a in [*node.args, *(k.value for k in node.keywords)])
    if isinstance(node, ast.Starred | ast.List | ast.Tuple):
        parts = [node.value] if isinstance(node, ast.Starred) else node.elts
        return any(_moved(program, p, depth + 1) for p in parts)
    root = _root(node) if isinstance(node, ast.Subscript | ast.Attribute | ast.Name) else None
    if root is None or root not in program.scope_of:
        return False
    if (program.scope_of[root], root.id) in _moved_in_place(program):
        return True
    return any(isinstance(v, ast.Name | ast.List | ast.Tuple | ast.Starred | ast.Call) and _moved(program, v, depth + 1)
               for v in program.lookup(root.id, program.scope_of[root]))


def _perturbation(program: _Program, operand: ast.AST) -> bool:
    """What moves a value for a difference: a step, or a one-hot array (bound to rows of ``np.eye`` or
    ``np.identity``, to a comparison ``np.arange(n) == i``, to an array given a constant in an element,
    ``e[i] = 1.0``, or ones on its diagonal by ``np.fill_diagonal``)."""
    if program.steps.written(lambda: program.steps.small(operand)):
        return True
    root = _root(operand)
    if root is None or root not in program.scope_of:
        return False
    stored = program.stores.get(_binding_scope(program, root) or program.scope_of[root], {}).get(root.id, [])
    if any(isinstance(v, ast.Constant) and isinstance(v.value, int | float) and v.value for v in stored):
        return True  # ``e[i] = 1.0``
    if any(_last_name(program, call.func) == "fill_diagonal" and call.args and isinstance(call.args[0], ast.Name)
           and call.args[0].id == root.id for call in program.calls):
        return True  # ``np.fill_diagonal(units, 1.0)``, then ``x + units[i]``
    for value in program.lookup(root.id, program.scope_of[root]):
        if isinstance(value, ast.AST) and any(
                (isinstance(n, ast.Call) and _last_name(program, n.func) in ("eye", "identity"))
                or (isinstance(n, ast.Compare) and any(isinstance(op, ast.Eq) for op in n.ops))
                for n in ast.walk(value)):
            return True  # rows of ``np.eye(n)``, or ``(np.arange(n) == i)``: one element set
    return False


def _masked_move(moved: ast.AST, kept: ast.AST) -> bool:
    """``x + c`` beside ``x``: ``np.where`` moves the masked elements only."""
    return isinstance(moved, ast.BinOp) and isinstance(moved.op, ast.Add | ast.Sub) \
        and ast.dump(moved.left) == ast.dump(kept)


def _element(target: ast.AST) -> bool:
    """``m[i]``, ``m.flat[i]``, ``m[i, j]``: one element, not a slice (``buf[:] = ...`` fills the array)."""
    return isinstance(target, ast.Subscript) and not any(isinstance(n, ast.Slice) for n in ast.walk(target.slice))


def _moved_in_place(program: _Program) -> set[tuple[Scope, str]]:
    """(scope, name) of arrays moved in place: ``m[i] += d``, ``m.flat[i] = m.flat[i] + d``,
    ``np.add(m, d, out=m)``, ``np.add.at(m, i, d)``; found once for the whole program."""
    if program.moved is None:
        moved: set[tuple[Scope, str]] = set()
        for node in program.scope_of:
            targets: list[ast.expr] = []
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add | ast.Sub):
                # ``m[i] += d``, or a whole ``m += h`` by a step (``d -= correct; d += 1.0`` computes an input)
                if _element(node.target) or program.steps.small(node.value):
                    targets = [node.target]
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp) \
                    and isinstance(node.value.op, ast.Add | ast.Sub):
                # ``m.flat[i] = m.flat[i] + d``, ``m.flat[i] = x.flat[i] + d``: an element set to a moved value
                targets = [target for target in node.targets if _element(target)]
            elif isinstance(node, ast.Call):
                last = _last_name(program, node.func)
                if last in ("add", "subtract"):
                    targets = [k.value for k in node.keywords if k.arg == "out"]
                elif last in PUTTING and _numpy_function(program, node) is not None and len(node.args) >= 2 \
                        and any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add | ast.Sub)
                                for a in node.args[1:] for n in ast.walk(a)):
                    targets = [node.args[0]]  # ``np.put(m, i, x.flat[i] + d)``
                elif last == "at" and isinstance(node.func, ast.Attribute) and node.args \
                        and _last_name(program, node.func.value) in ("add", "subtract"):
                    targets = [node.args[0]]
            for target in targets:
                root = _root(target)
                if root is not None and root in program.scope_of:
                    moved.add((program.scope_of[root], root.id))
        program.moved = moved
    return program.moved


def _describe_perturbation(node: ast.AST, parents: Mapping[int, ast.AST]) -> Text:
    """'evaluates sigmoid_forward at x + h' or 'moves x[i] by h'."""
    if isinstance(node, ast.AugAssign):
        return T_("moves {target} by {step}", target=_short(node.target), step=_short(node.value))
    current = parents.get(id(node))
    while current is not None and not isinstance(current, ast.stmt):
        if isinstance(current, ast.Call):
            return T_("evaluates {function} at {point}", function=_short(current.func), point=_short(node))
        current = parents.get(id(current))
    return T_("computes {expression}", expression=_short(node))


def _short(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 40 else text[:37] + "..."
