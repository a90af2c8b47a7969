"""The code guard (``sandbox.code_guard``), tried from inside real grading children, forked and fresh.

A probe appended to the reference ``rnn_layers.py`` tries, at import, every way it knows to make code the
grader has not read, and what honest code does that makes code too (namedtuple, dataclasses, typing, lazy
imports of the standard library and numpy, tracebacks). It prints what became of each; the reference's own
answers must keep full marks: the guard must not get in the way of honest code.
"""

from __future__ import annotations

import ast
import dis
import re
import textwrap
import types

import pytest
from arena import Arena

from autograder.grading.grade import grade
from autograder.sandbox import code_guard, host

pytestmark = pytest.mark.skipif(not host.current().landlock, reason="needs the Linux sandbox")

PROBE = textwrap.dedent('''
    def _probe():
        import ast, builtins, collections, ctypes, dataclasses, functools, gc, importlib.machinery, importlib.util
        import marshal, os, pickle, sys, sysconfig, threading, traceback, types, typing

        seen = {}

        def attempt(name, action):
            try:
                action()
                seen[name] = "ran"
            except Exception as error:
                refused = type(error).__name__ in ("UnreadCodeError", "OutOfReachError")
                seen[name] = "refused" if refused else type(error).__name__

        # Code the grader has not read.
        attempt("exec", lambda: exec("X = 1"))
        attempt("eval", lambda: eval("1 + 1"))
        attempt("compile, then a function of it",
                lambda: types.FunctionType(compile("lambda: 1", "<s>", "eval"), {})())
        attempt("compile under an installed file's name", lambda: compile("X = 1", os.__file__, "exec"))
        attempt("compile under the submission's name", lambda: compile("X = 1", __file__, "exec"))
        attempt("compile a tree", lambda: compile(ast.parse("X = 1"), "<s>", "exec"))

        def parse_made_to_compile():
            only_ast, ast.PyCF_ONLY_AST = ast.PyCF_ONLY_AST, 0
            try:
                return ast.parse("X = 1")
            finally:
                ast.PyCF_ONLY_AST = only_ast
        attempt("ast.parse made to compile", parse_made_to_compile)
        attempt("pickle calling exec", lambda: pickle.loads(b"cbuiltins\\nexec\\n(S'X = 1'\\ntR."))
        attempt("marshal", lambda: marshal.loads(marshal.dumps((lambda: 1).__code__)))
        attempt("code.replace", lambda: (lambda: 1).__code__.replace(co_consts=(None, 2)))
        attempt("ctypes PyRun_SimpleString", lambda: ctypes.pythonapi.PyRun_SimpleString(b"X = 1"))

        def written_module():
            with open("written_helper.py", "w") as handle:
                handle.write("def backward(dout):\\n    return dout\\n")
            sys.path.insert(0, os.getcwd())
            importlib.import_module("written_helper")
        attempt("a module it wrote, on sys.path", written_module)

        def written_bytecode():
            code = marshal.dumps((lambda: 1).__code__)
            with open("written_bytecode.pyc", "wb") as handle:
                handle.write(importlib.util.MAGIC_NUMBER + bytes(12) + code)
            importlib.machinery.SourcelessFileLoader("written_bytecode", "written_bytecode.pyc").load_module()
        attempt("bytecode it wrote", written_bytecode)

        def copied_extension():
            folder = sysconfig.get_paths()["platstdlib"] + "/lib-dynload"
            folder = folder if os.path.isdir(folder) else sysconfig.get_paths()["stdlib"] + "/lib-dynload"
            name = next(n for n in sorted(os.listdir(folder)) if n.startswith("_statistics."))
            with open(os.path.join(folder, name), "rb") as source, open(name, "wb") as copy:
                copy.write(source.read())
            loader = importlib.machinery.ExtensionFileLoader("_statistics", os.path.abspath(name))
            loader.create_module(importlib.util.spec_from_loader("_statistics", loader))
        attempt("an extension module it copied", copied_extension)

        def annotated(x: "print('X')"): ...
        attempt("a string annotation that calls", lambda: typing.get_type_hints(annotated))
        def dataclass_fooled():
            made = dataclasses.dataclass(init=False, repr=False)(
                type("C", (), {"__annotations__": {"x if print('X') else 0#\\n": int}}))
            return made() == made()  # __eq__ runs the expression
        attempt("a dataclass field that is an expression", dataclass_fooled)

        class Disguised(str):
            def __str__(self):
                return self
            def isidentifier(self):
                return True

        def namedtuple_fooled():
            # Its checks of the names, shadowed in its module: the text it writes runs the default at once.
            kept, collections.type = collections._sys, lambda name: str
            collections._sys = types.SimpleNamespace(intern=lambda name: name, _getframe=sys._getframe)
            try:
                return collections.namedtuple("P", [Disguised("x=print('X'): 0 #")])
            finally:
                collections._sys = kept
                del collections.type
        attempt("a namedtuple field that is an expression", namedtuple_fooled)
        attempt("an f-string annotation", lambda: typing.Optional["f'{print(1)}'"])

        def code_swapped():
            def honest(dout):
                return dout
            def measured(dout):
                return dout * 2
            setattr(honest, "__co" + "de__", getattr(measured, "__co" + "de__"))
        attempt("a function given another's code", code_swapped)

        def code_copied_by_functools():
            def honest(dout):
                return dout
            def measured(dout):
                return dout * 2
            functools.update_wrapper(honest, measured, assigned=("_" + "_code__",), updated=())
        attempt("a function given another's code by functools", code_copied_by_functools)
        attempt("gc.get_objects", gc.get_objects)
        attempt("sys.settrace", lambda: sys.settrace(lambda *args: None))

        def guard_looked_up():
            builtins.type, kept = (lambda *args: str), builtins.type
            try:
                exec("X = 1")
            finally:
                builtins.type = kept
        attempt("builtins patched first", guard_looked_up)

        def parse_fooled():  # a partial in front of compile: ast.parse's flags become compile's dont_inherit
            ast.compile = functools.partial(builtins.compile, "X = 1")
            try:
                return exec(ast.parse("<made>", "exec", 0), {})
            finally:
                del ast.compile
        attempt("ast.parse with a partial in front of compile", parse_fooled)

        def cells_rebound():  # the hook's frame, from a refusal's traceback: rebind whatever it keeps
            try:
                exec("X = 1")
            except Exception as refusal:
                trace = refusal.__traceback__
                while trace is not None:
                    for value in list(trace.tb_frame.f_locals.values()):
                        for cell in getattr(value, "__closure__", None) or ():
                            cell.cell_contents = bool
                        if isinstance(value, types.FunctionType):
                            value.__code__ = (lambda *args: None).__code__
                    trace = trace.tb_next
            exec("X = 1")
        attempt("the hook's frame, reached from a traceback", cells_rebound)

        def buffer_rewritten_by_a_hook():  # the hook sees a copy; compile then reads the buffer itself
            decoy = b"a" * 5
            buffer = bytearray(decoy)
            def rewrite(event, args):
                if event == "compile" and args[0] == decoy:
                    buffer[:] = b"X = 1"
            sys.addaudithook(rewrite)
            exec(compile(buffer, "<made>", "exec"), {})
        attempt("a bytearray rewritten by a hook of its own", buffer_rewritten_by_a_hook)

        def buffer_rewritten_by_a_thread():
            buffer, stop = bytearray(b"a" * 5), threading.Event()
            def rewrite():
                while not stop.is_set():
                    buffer[:] = b"X = 1"
                    buffer[:] = b"a" * 5
            racer = threading.Thread(target=rewrite)
            racer.start()
            try:
                for _ in range(50):
                    exec(compile(buffer, "<made>", "exec"), {})
            finally:
                stop.set()
                racer.join()
        attempt("a bytearray rewritten by a thread", buffer_rewritten_by_a_thread)
        attempt("importlib's own frame handed a bytearray", lambda: sys.modules["_frozen_importlib"]
                ._call_with_frames_removed(compile, bytearray(open(os.__file__, "rb").read()), os.__file__, "exec"))
        attempt("dataclasses' writer handed a body that computes",
                lambda: dataclasses._create_fn("f", ["x"], ["  return x + 1e-5"]))

        # What honest code does that makes code.
        attempt("namedtuple", lambda: collections.namedtuple("Point", "x y")(1, 2))

        class Cache(typing.NamedTuple):
            x: "typing.Optional[int]"
            y: int = 0
        attempt("typing.NamedTuple with a string annotation", lambda: Cache(1))

        class Postponed(typing.NamedTuple):  # as under `from __future__ import annotations`
            x: "np.ndarray"
            kind: 'typing.Literal["leaky-relu", "relu"]' = "relu"
            scale: "typing.Annotated[float, 'm/s', (3,)]" = 1.0
            sign: "typing.Literal[-1, 1]" = 1
            shape: 'typing.Annotated[np.ndarray, {"shape": "(N, D)"}]' = None
            separator: 'typing.Literal["\\t", ",", 1e-8]' = ","
        attempt("typing.NamedTuple under postponed annotations", lambda: Postponed(None))

        def field_named_self():
            @dataclasses.dataclass(frozen=True)
            class Odd:
                self: int
                other: int = 0
            return Odd(1) == Odd(1)
        attempt("a dataclass with a field named self", field_named_self)

        def dataclasses_of_every_kind():
            @dataclasses.dataclass(order=True)
            class Step:
                x: int
                h: "list[float]" = dataclasses.field(default_factory=list)
                k: dataclasses.InitVar[int] = 0
                def __post_init__(self, k): self.total = k
            @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
            class Frozen:
                w: float = 1.0
                v: typing.ClassVar[int] = 3
            @dataclasses.dataclass(unsafe_hash=True)
            class Empty:
                pass
            return Step(1) < Step(2), hash(Frozen(w=2.0)), repr(Empty()), Empty() == Empty()
        attempt("dataclasses", dataclasses_of_every_kind)

        def hinted(x: "list[int] | None", y: "dict[str, float]" = None) -> "tuple[int, ...]": ...
        attempt("typing.get_type_hints", lambda: typing.get_type_hints(hinted))
        attempt("a module of the standard library not imported yet", lambda: __import__("fractions").Fraction(1, 3))
        attempt("asyncio (types.coroutine marks its generators)", lambda: __import__("asyncio").sleep)
        attempt("numpy's extension modules", lambda: (__import__("numpy").fft.fft([1.0, 2.0]),
                                                      __import__("numpy").random.default_rng(0).random()))

        def formatted_traceback():
            try:
                [1][2]
            except IndexError:
                return traceback.format_exc()
        attempt("a formatted traceback", formatted_traceback)
        attempt("pickle of data", lambda: pickle.loads(pickle.dumps({"x": [1.0, 2.0]})))
        print("GUARD", seen, flush=True)

    _probe()
''')
HONEST = ("namedtuple", "typing.NamedTuple with a string annotation", "typing.NamedTuple under postponed annotations",
          "a dataclass with a field named self", "dataclasses", "typing.get_type_hints",
          "a module of the standard library not imported yet", "asyncio (types.coroutine marks its generators)",
          "numpy's extension modules",
          "a formatted traceback", "pickle of data")


@pytest.mark.parametrize("forked", ["1", "0"], ids=["forked", "fresh"])
def test_the_child_makes_no_code_it_has_not_read(arena: Arena, monkeypatch, forked: str) -> None:
    monkeypatch.setenv("BACKPROP_FORK_SERVER", forked)
    result = grade(arena.build("rnn_layers", PROBE), arena.reference, 3, seconds_per_function=7)
    line = next(line for line in result.printed["rnn_layers"].splitlines() if line.startswith("GUARD"))
    seen = ast.literal_eval(line[len("GUARD "):])
    assert {name: seen.pop(name) for name in HONEST} == dict.fromkeys(HONEST, "ran"), "honest code was refused"
    assert seen == dict.fromkeys(seen, "refused"), "not refused"
    assert len(seen) == 29
    assert result.score == result.max_score, "the guard got in the way of honest code"


def _code_objects(code: types.CodeType):
    yield code
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from _code_objects(constant)


def test_the_hook_looks_up_no_global_name() -> None:
    """Whatever the student's code rebinds (builtins, the guard's module, ``os``, ``re``), the hook runs the
    same: every name it uses was bound when it was made."""
    hook = code_guard.make_hook(("/nowhere/",), ())
    loads = {instruction.argval for code in _code_objects(hook.__code__) for instruction in dis.get_instructions(code)
             if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    assert loads == set()
    assert not [constant for constant in hook.__code__.co_consts if isinstance(constant, types.CodeType)], \
        "a function inside the hook: its cells could be rebound through a traceback"


def _fits(kind: str, text: str) -> bool:
    if kind == "namedtuple":
        return re.fullmatch(code_guard.NAMEDTUPLE, text) is not None
    if kind == "annotation":
        bare = re.sub(code_guard.STRING, "''", text)
        return re.fullmatch(code_guard.ANNOTATION, bare) is not None and re.search(code_guard.CALL, bare) is None \
            and re.search(code_guard.KEYWORD, bare) is None
    return all(re.fullmatch(code_guard.DATACLASS_LINES, line) for line in text.split("\n"))


@pytest.mark.parametrize(("kind", "text"), [
    ("namedtuple", "lambda _cls, x, y: _tuple_new(_cls, (x, y))"),
    ("namedtuple", "lambda _cls, x,: _tuple_new(_cls, (x,))"),
    ("annotation", "typing.Optional[np.ndarray]"),
    ("annotation", 'Literal["leaky-relu", -1] | None'),
    ("annotation", "Annotated[float, (3,)]"),
    ("annotation", 'Annotated[np.ndarray, {"shape": "(N, D)"}]'),
    ("annotation", 'Literal["\\t", ",", 1e-8, +1, -1, 1.5e-8]'),
    ("annotation", "Callable[[np.ndarray, int], Optional['Cache']]"),
    ("dataclass", "def __create_fn__():\n def __hash__(self):\n  return hash((self.w,))\n return __hash__"),
])
def test_what_the_standard_library_writes_has_its_shape(kind: str, text: str) -> None:
    assert _fits(kind, text)


@pytest.mark.parametrize(("kind", "text"), [
    ("namedtuple", "lambda _cls, x=print('X'): 0 #: _tuple_new(_cls, (x=print('X'): 0 #))"),
    ("annotation", "typing.Optional[print(1)]"),
    ("annotation", "(f[x] - f[y])"),
    ("annotation", "x-1"),
    ("annotation", "a*b"),
    ("annotation", "f (x)"),
    ("annotation", "lambda: 1"),
    ("annotation", "f'{(f[x] - f[y]) / h}'"),
    ("annotation", "[f[x] for x in y]"),
    ("annotation", "{x: y for x in z}"),
    ("annotation", "x[1:2](y)"),
    ("annotation", "(x := y)"),
    ("annotation", "x - 1e-8"),
    ("dataclass", "def __create_fn__():\n def __hash__(self):\n  return hash((self.w + 1e-5,))\n return __hash__"),
    ("dataclass", "def __create_fn__():\n def f(x):\n  return x + 1e-5\n return f"),
])
def test_what_only_looks_like_it_does_not(kind: str, text: str) -> None:
    assert not _fits(kind, text)
