"""The provenance reader: measuring submissions are flagged for exactly the functions they name, and no
correct or buggy submission, the reference or the release loses a point to it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import CORPUS, corpus_entry, reference_source

from autograder import DEFAULT_RELEASE
from autograder.core.spec import FUNCTIONS, MODULES
from autograder.grading import source_reader
from autograder.grading.source_reader import Measured, measured_functions, measured_in_submission

HONEST = sorted([*(CORPUS / "correct").glob("*.py"), *(CORPUS / "buggy").glob("*.py"),
                 *(CORPUS / "tricky").glob("*.py")])
MEASURED = sorted((CORPUS / "measured").glob("*.py"))


def _submission(path: Path) -> dict[str, str]:
    """The reference with the corpus file appended to its TARGET module (and its LAYERS part to layers)."""
    entry = corpus_entry(path)
    sources = {module: reference_source(module) for module in MODULES}
    sources[entry["TARGET"]] += "\n\n" + path.read_text()
    if "LAYERS" in entry:
        sources["layers"] += "\n\n" + entry["LAYERS"]
    return sources


def _graded(module: str) -> list[str]:
    return [f.name for f in FUNCTIONS if f.module == module]


def test_reference_and_release_are_not_flagged():
    reference = {module: reference_source(module) for module in MODULES}
    release = {module: (DEFAULT_RELEASE / f"{module}.py").read_text() for module in MODULES}
    assert measured_in_submission(reference) == {}
    assert measured_in_submission(release) == {}


@pytest.mark.e2e  # the correct, buggy and tricky corpora, file by file
@pytest.mark.parametrize("path", HONEST, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_honest_submissions_are_not_flagged(path: Path):
    target = corpus_entry(path)["TARGET"]
    assert measured_functions(path.read_text(), _graded(target), target) == {}, "the file alone"
    assert measured_in_submission(_submission(path)) == {}, "the file in a whole submission"


def test_measured_corpus_is_large_enough():
    assert len(MEASURED) >= 20


@pytest.mark.e2e  # the measured corpus, file by file
@pytest.mark.parametrize("path", MEASURED, ids=lambda p: p.stem)
def test_measuring_submissions_are_flagged_exactly(path: Path):
    flagged = measured_in_submission(_submission(path))
    assert set(flagged) == set(corpus_entry(path)["FLAGGED"].split())
    for name, found in flagged.items():
        assert isinstance(found, Measured) and found.function == name
        assert found.line > 0 and found.module in MODULES
        assert "by hand" in found.reason or "read your backward" in found.reason or "numpy alone" in found.reason


def test_reason_names_the_forward_and_the_step():
    found = measured_in_submission(_submission(CORPUS / "measured" / "sigmoid_centred_forward.py"))
    reason = found["sigmoid_backward"].reason
    assert "sigmoid_forward" in reason and "cache + h" in reason and "2 * h" in reason


def test_rnn_layers_reads_helpers_from_layers():
    path = CORPUS / "measured" / "rnn_helper_from_layers.py"
    sources = _submission(path)
    with_layers = measured_functions(sources["rnn_layers"], _graded("rnn_layers"), "rnn_layers",
                                     {"layers": sources["layers"]})
    assert with_layers["rnn_step_backward"].module == "layers"
    alone = measured_functions(sources["rnn_layers"], _graded("rnn_layers"), "rnn_layers")
    assert "rnn_step_backward" not in alone


def test_unparsable_source_gives_no_findings():
    assert measured_functions("def relu_backward(:\n", ["relu_backward"], "layers") == {}


def _chain(n: int) -> str:
    calls = "\n".join(f"def _f{i}(x):\n    return _f{i + 1}(x) + 1\n" for i in range(n))
    backward = "def sigmoid_backward(dout, cache):\n    return dout * _f0(cache)\n"
    return f"{calls}\ndef _f{n}(x):\n    return x\n\n\n{backward}"


def _mutual(n: int) -> str:
    calls = "\n".join(f"def _g{i}(x, k):\n    return _g{(i + 1) % n}(x, k - 1) + _g{(i + 7) % n}(x, k) if k else x\n"
                      for i in range(n))
    return f"{calls}\ndef sigmoid_backward(dout, cache):\n    return dout * _g0(cache, 3)\n"


def _generated(size: int) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < size:
        i = len(parts)
        parts.append(f"def _h{i}(x, s=0.5):\n    y = x * {i % 7} + np.sum(x) / (1 + s)\n    z = [y, x, {i}.5]\n"
                     f"    return _h{max(i - 1, 0)}(z[0]) if x.size > {i} else y\n")
    return "\n".join(parts) + f"\n\ndef sigmoid_backward(dout, cache):\n    return dout * _h{len(parts) - 1}(cache)\n"


ADVERSARIAL = {
    # each name bound twice to the previous one: 2**40 paths unless resolution is remembered
    "doubling_names": "\n".join(["_a0 = np", *(f"_a{i} = _a{i - 1}\n_a{i} = _a{i - 1}" for i in range(1, 41))])
                      + "\n\n\ndef sigmoid_backward(dout, cache):\n    return dout * _a40.ones_like(cache)\n",
    "doubling_steps": "\n".join(["_s0 = 1e-5", *(f"_s{i} = _s{i - 1} * np.e\n_s{i} = _s{i - 1} + np.pi"
                                                 for i in range(1, 41))]) + "\n",
    "generated_200kb": _generated(200_000),
    "generated_1mb": _generated(1_000_000),
    "call_chain": _chain(3000),
    "mutual_recursion": _mutual(500),
    "literal_list": "_t = [" + ", ".join(["1e-5"] * 30_000) + "]\n",
    "deep_expression": "_pad = " + " + ".join(["0"] * 1200) + "\n",
    # A number spelled as text that doubles at each name: read once per name, never as a tree of 2**300 pieces.
    "text_doubling": "_s0 = '1'\n" + "".join(f"_s{i} = _s{i - 1} + _s{i - 1}\n" for i in range(1, 300))
                     + "_h = float(_s299) + float(_s299 + 'e-5')\n",
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_sources_are_read_in_bounded_work(name: str, monkeypatch: pytest.MonkeyPatch):
    """The grader runs the reader in its own process: no source may make it hang, and what it
    cannot finish reading is flagged, never passed. Work is counted in the reader's own steps, so
    the bound holds however busy the machine is (its time is measured by ``make bench``)."""
    steps = []
    tick = source_reader._Program.tick

    def counted(program: source_reader._Program) -> None:
        steps.append(1)
        tick(program)

    monkeypatch.setattr(source_reader._Program, "tick", counted)
    source = reference_source("layers") + "\n\n" + ADVERSARIAL[name]
    flagged = measured_functions(source, _graded("layers"), "layers")
    assert len(steps) <= source_reader.WORK_LIMIT + 1, f"{name} took {len(steps)} steps"
    if name in ("generated_1mb", "deep_expression"):
        assert set(flagged) == set(_graded("layers")), f"{name} must fail closed"
        assert all("could not read the code of layers.py" in found.reason for found in flagged.values())


def test_a_module_that_does_not_compile_gives_no_findings_but_deep_code_that_compiles_is_flagged():
    deep = "_pad = " + " + ".join(["0"] * 1200) + "\n"
    compile(deep, "layers.py", "exec")  # it imports: the reader must not pass it unread
    assert "nested too deeply" in measured_functions(deep, ["relu_backward"], "layers")["relu_backward"].reason


@pytest.mark.parametrize(("step", "division"), [
    ("1e-5", "* np.reciprocal(2 * h)"), ("1e-5", "* operator.truediv(1.0, 2 * h)"), ("1e-5", "* pow(2 * h, -1)"),
    ("1e-5", "* (2 * h) ** -1"), ("1e-5", "* np.power(h, -1) / 2"), ("1e-5", "/ np.multiply(2, h)"),
    ("1e-5", "* (1.0).__truediv__(2 * h)"), ("1e-5", "* np.true_divide(1, h + h)"),
    ("[1e-5][0]", "/ (2 * h)"), ("np.sin(1e-5)", "/ (2 * h)"), ("float(np.float64(1e-5))", "/ (2 * h)"),
    ("1e-5 if True else 1", "/ (2 * h)"), ("(1e-5,)[0]", "/ (2 * h)"), ("max(1e-5, 0)", "/ (2 * h)"),
    ("math.e ** -12", "/ (2 * h)"), ("np.pi ** -10", "/ (2 * h)"), ("1 / math.factorial(9)", "/ (2 * h)"),
    ("math.factorial(9) ** -1", "/ (2 * h)"), ("1 / math.comb(30, 10)", "/ (2 * h)"),
    ("np.ldexp(1.0, -17)", "/ (2 * h)"), ("math.ldexp(1, -17)", "/ (2 * h)"),
    ("math.sqrt(math.e ** -24)", "/ (2 * h)"), ("math.log1p(math.e ** -12)", "/ h"),
    ("1e-5", "/ sum([h, h])"), ("1e-5", "/ math.fsum((h, h))"), ("1e-5", "/ np.sum([h, h])"), ("1e-5", "/ (h + h)"),
    ("math.e ** -12", "/ sum([h, h])"),
    # values the reader cannot fold, computed from no input, containers and divisions spelled as values
    ("np.sinh(10 ** -5)", "/ (2 * h)"), ("{'h': 1e-5}['h']", "/ (2 * h)"), ("math.ulp(1.0) ** 0.3", "/ (2 * h)"),
    ("1 / len('x' * 100000)", "/ (2 * h)"), ("2.0 ** -(10 ** 5).bit_length()", "/ (2 * h)"),
    ("[10.0 ** -k for k in (5,)][0]", "/ (2 * h)"), ("next(iter({1e-5}))", "/ (2 * h)"),
    ("1e-5", "/ [2 * h]"), ("1e-5", "/ np.array([2 * h])"), ("1e-5", "/ np.broadcast_to(2 * h, x.shape)"),
    ("1e-5", "* np.full_like(x, 0.5e5)"), ("1e-5", "/ (2 * h,)[0]"), ("1e-5", "/ (2 * h).reshape(1)"),
    ("1e-5", "/ np.linalg.inv([[2 * h]])[0, 0]"),
])
def test_hidden_divisions_and_unfolded_steps_are_seen(step: str, division: str):
    """A difference of np.tanh (no student forward): only the step and the division can give it away."""
    source = (f"import math\nimport operator\n\nimport numpy as np\n\n\ndef tanh_backward(dout, cache):\n"
              f"    x = np.arctanh(cache)\n    h = {step}\n"
              f"    return dout * (np.tanh(x + h) - np.tanh(x - h)) {division}\n")
    found = measured_functions(source, ["tanh_backward"], "layers")
    assert "divides by" in found["tanh_backward"].reason


BAG = ("class Bag{bases}:\n    def __init__(self, **kwargs):\n        for key, value in kwargs.items():\n"
       "            {body}\n\n\n{extra}\n\ndef sigmoid_backward(dout, cache):\n    bag = Bag(z=cache)\n"
       "    return dout * bag.z * (1 - bag.z)\n")


def _bag(bases: str = "", body: str = "setattr(self, key, value)", extra: str = "") -> str:
    return "import numpy as np\n\n\n" + BAG.format(bases=bases, body=body, extra=extra)


def test_an_attribute_bag_may_set_its_own_keywords():
    assert measured_functions(_bag(), ["sigmoid_backward"], "layers") == {}
    assert measured_functions(_bag("(object)", "setattr(self, key, value)"), ["sigmoid_backward"], "layers") == {}
    loop = _bag(body="pass").replace("for key, value in kwargs.items():\n            pass",
                                     "for key in kwargs:\n            setattr(self, key, kwargs[key])")
    assert measured_functions(loop, ["sigmoid_backward"], "layers") == {}


@pytest.mark.parametrize("source", [
    _bag(extra="Bag.__init__(np, allclose=lambda *a, **k: True)"),  # self is then a module
    _bag(extra="getattr(Bag, '__init__')(np, allclose=lambda *a, **k: True)"),
    _bag(body="self = np; setattr(self, key, value)"),
    _bag("(np.ndarray)"),  # setattr(self, "strides", ...) on an array
    _bag(extra="class Arr(np.ndarray, Bag):\n    pass"),
    _bag(body="setattr(self, '__' + key, value)"),
    _bag(body="key = '__' + key; setattr(self, key, value)"),
    _bag(body="setattr(np, key, value)"),
    _bag().replace("for key, value in kwargs.items():", "for key, value in dict(kwargs).items():"),
    _bag().replace("    def __init__", "    @staticmethod\n    def __init__"),
    _bag().replace("def __init__", "def fill"),
])
def test_setattr_outside_an_attribute_bag_still_flags(source: str):
    found = measured_functions(source, ["sigmoid_backward"], "layers")
    assert "sigmoid_backward" in found, source


def _tanh(*lines: str) -> str:
    body = "".join(f"    {line}\n" for line in lines)
    return f"import numpy as np\n\n\ndef tanh_backward(dout, cache):\n{body}    return dout * (1 - cache ** 2)\n"


@pytest.mark.parametrize("source", [
    _tanh("for name in ('shape', 'dtype'):", "    assert getattr(dout, name) == getattr(cache, name)"),
    _tanh("for name in ['shape', 'ndim']:", "    print(name, getattr(cache, name))"),
    _tanh("sizes = [getattr(dout, name) for name in ('size', 'ndim')]"),
])
def test_getattr_over_written_plain_names_does_not_flag(source: str):
    assert measured_functions(source, ["tanh_backward"], "layers") == {}


@pytest.mark.parametrize(("source", "reason"), [
    (_tanh("for name in ('shape', '__code__'):", "    getattr(dout, name)"), "'__code__'"),
    (_tanh("for name in ('shape', 'f_globals'):", "    getattr(dout, name)"), "'f_globals'"),
    (_tanh("for name in ('shape', '__class__'):", "    getattr(dout, name)"), "calls getattr"),
    (_tanh("for name in ('shape', 'dtype'):", "    name = '__' + name", "    getattr(dout, name)"), "calls getattr"),
    (_tanh("prefix = '__co'", "for name in ('shape', prefix):", "    getattr(dout, name)"), "calls getattr"),
    (_tanh("name = ('shape', 'dtype')", "getattr(dout, name)"), "calls getattr"),
    (_tanh("for name in ('gradient',):", "    cache = getattr(np, name)(cache)"), "numpy.gradient"),
    (_tanh("cache = getattr(np, 'gradient')(cache)"), "numpy.gradient"),
])
def test_getattr_over_names_that_could_reach_code_flags(source: str, reason: str):
    assert reason in measured_functions(source, ["tanh_backward"], "layers")["tanh_backward"].reason


def _table(method: str, use: str = "") -> str:
    return ("import numpy as np\n\n\nclass Table:\n    def __init__(self, z):\n        self.z = z\n\n"
            f"    def entries(self):\n        {method}\n\n\ndef sigmoid_backward(dout, cache):\n"
            f"    table = Table(cache)\n    {use}\n    return dout * table.z * (1 - table.z)\n")


@pytest.mark.parametrize("method", [
    "return {name: np.shape(value) for name, value in vars(self).items()}",
    "return vars(self)['z']",
    "return f'Table({vars(self)})'",
    "return sorted(vars(self))",
    "return dict(vars(self))",
    "return self.__dict__",
])
def test_an_object_may_read_its_own_attributes(method: str):
    assert measured_functions(_table(method, "table.entries()"), ["sigmoid_backward"], "layers") == {}


@pytest.mark.parametrize(("method", "use"), [
    ("return vars(self)", "table.entries()"),  # kept: it may be written
    ("vars(self)['z'] = 1.0", "table.entries()"),
    ("vars(self).update(z=1.0)", "table.entries()"),
    ("return vars(np).items()", "table.entries()"),
    ("return vars(self).items()", "Table.entries(np)"),  # self is then numpy
    ("return self.__dict__", "Table.entries(np)['gradient']"),
    ("return self.__dict__", "list(map(Table.entries, [np]))"),
    ("return self.__dict__", "getattr(Table, 'ent' + 'ries')(np)"),
    ("return self.__dict__", "getattr(Table, 'entries')(np)"),
    ("return self.__dict__", "Table.entries(self=np)"),
])
def test_an_object_reading_attributes_it_was_not_given_flags(method: str, use: str):
    found = measured_functions(_table(method, use), ["sigmoid_backward"], "layers")
    assert "sigmoid_backward" in found, _table(method, use)


HOOKED = "import numpy as np\n\n\n{hook}\n\n\ndef relu_backward(dout, cache):\n    return dout * (cache > 0)\n"


def test_a_class_may_define_getattr_for_its_instances():
    hook = "class Cache:\n    def __getattr__(self, name):\n        raise AttributeError(name)"
    assert measured_functions(HOOKED.format(hook=hook), ["relu_backward"], "layers") == {}


@pytest.mark.parametrize("hook", [
    "def __getattr__(name):\n    return None",
    "if True:\n    def __dir__():\n        return []",
    "class Cache:\n    global __getattr__\n\n    def __getattr__(name):\n        return None",  # a module hook
    "class Cache:\n    def __getattr__(self, name):\n        return None\n\n\n__getattr__ = Cache.__getattr__",
])
def test_a_module_level_hook_flags_however_it_is_written(hook: str):
    found = measured_functions(HOOKED.format(hook=hook), ["relu_backward"], "layers")
    assert "relu_backward" in found, hook


@pytest.mark.parametrize("step", ["math.factorial(10 ** 9)", "1 / math.factorial(10 ** 9)", "2 ** 10 ** 9",
                                  "1 / math.comb(10 ** 9, 5 * 10 ** 8)", "1 / math.perm(10 ** 6, 10 ** 6)",
                                  "np.ldexp(1.0, -10 ** 12)", "math.factorial(9.5)", "sum([1e-5] * 10 ** 9)",
                                  "math.gamma(10 ** 9)"])
def test_folding_builds_no_huge_number(step: str):
    """A fold evaluates numbers only, and never one past a bound: these come back at once, unfolded."""
    source = (f"import math\n\nimport numpy as np\n\n\ndef tanh_backward(dout, cache):\n    h = {step}\n"
              f"    return dout * (1 - cache ** 2) + 0 * h\n")
    program = source_reader._Program({"layers": source_reader.syntax.parse(source)})
    value = next(n.value for n in ast.walk(program.trees["layers"]) if isinstance(n, ast.Assign))
    assert source_reader._Steps(program).fold(value) is None
    assert measured_functions(source, ["tanh_backward"], "layers") == {}


@pytest.mark.parametrize("lines", [
    ["i = pow(-1, 0.5)"], ["s = -10 ** -40", "i = s ** 0.5"], ["i = np.power(-1.0, 0.5)"],
    ["i = np.sqrt(np.full((), -1, 'D'))"], ["kind = 'complex128'", "i = np.zeros(1, kind)"],
])
def test_complex_steps_without_a_complex_literal_are_seen(lines: list[str]):
    found = measured_functions(_tanh(*lines), ["tanh_backward"], "layers")
    assert "complex" in found["tanh_backward"].reason, lines


@pytest.mark.parametrize("lines", [["i = np.conj(cache)"], ["i = cache.conjugate()"], ["i = cache.conj().T"]])
def test_a_conjugate_of_a_real_array_is_not_a_complex_step(lines: list[str]):
    assert measured_functions(_tanh(*lines), ["tanh_backward"], "layers") == {}, lines


@pytest.mark.parametrize("move", ["np.add(x, e)", "np.subtract(x, e)", "operator.add(x, e)", "x.__add__(e)"])
def test_a_forward_at_inputs_moved_by_a_call_is_seen(move: str):
    source = ("import operator\n\nimport numpy as np\n\n\n"
              "def sigmoid_forward(x):\n    return 1 / (1 + np.exp(-x)), x\n\n\n"
              "def sigmoid_backward(dout, cache):\n    x, e = cache, np.full_like(cache, 1e-5)\n"
              f"    return dout * (sigmoid_forward({move})[0] - sigmoid_forward(x)[0])\n")
    assert "moved inputs" in measured_functions(source, ["sigmoid_backward"], "layers")["sigmoid_backward"].reason


@pytest.mark.parametrize("body", [
    # a whole array moved by what is no step (a margin, a bound, a shift) is an input computed
    "over, _ = relu_forward(d - delta)\n    under, _ = relu_forward(-d - delta)\n    return over - under",
    "for i in range(len(d)):\n        relu_forward(d[i] - d[i, 0] + 1.0)\n    return d",
    "a = relu_forward(d - d.max())[0]\n    b = relu_forward(d - d.max())[0]\n    return a + b",
    "buf = np.empty_like(d)\n    for i in range(len(d)):\n        buf[:] = d[i] + 1.0\n"
    "        np.copyto(buf, d[i] + 1.0)\n        relu_forward(buf)\n    return buf",
    "m = d.copy()\n    m -= d.mean()\n    m += 1.0\n    return relu_forward(m)[0] + relu_forward(m)[0]",
])
def test_a_forward_evaluated_again_at_computed_inputs_is_not_a_difference(body: str):
    source = ("import numpy as np\n\n\ndef relu_forward(x):\n    return np.maximum(x, 0), x\n\n\n"
              f"def huber_loss(pred, target, delta=1.0):\n    d = pred - target\n    {body}\n")
    assert measured_functions(source, ["huber_loss"], "layers") == {}, body


@pytest.mark.parametrize("lines", [
    ["scale = CONFIG['scale']", "dx = dout * (1 - cache ** 2) / scale"],  # a division by a constant, no move
    ["dx = dout * (1 - cache ** 2)", "logged = np.log(cache * cache + CONFIG['eps'])"],  # a move, no division
    ["n = functools.reduce(operator.mul, cache.shape, 1)", "dx = dout * (1 - cache ** 2) * n / cache.size"],
    ["dx = dout * (1 - cache ** 2) / len(SIZES) * SIZES[0] / np.sqrt(cache.size + CONFIG['eps'])"],
    ["dx = dout * (1 - cache ** 2) / TABLE['scale']", "logged = np.log(cache * cache + TABLE['eps'])"],
])
def test_constants_from_a_config_are_no_difference_quotient_alone(lines: list[str]):
    source = ("import functools\nimport operator\n\nimport numpy as np\n\nCONFIG = dict(scale=float(np.cosh(0.0)), "
              "eps=1e-12)\nTABLE = {'eps': 1e-12, 'scale': 1.0}\nSIZES = [1, 2]\n\n\ndef tanh_backward(dout, cache):\n"
              + "".join(f"    {line}\n" for line in lines) + "    return dx\n")
    assert measured_functions(source, ["tanh_backward"], "layers") == {}, source
