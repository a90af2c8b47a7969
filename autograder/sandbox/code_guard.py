"""The child's run-time wall behind the source reader: after ``install``, the only Python code the
process can make is code the grader has read or installed.

The source reader (``grading.source_reader``) reads the submission before it runs, and flags what
would compute a gradient by measuring it. Code that is *made* at run time — text given to exec, eval
or compile, unpickled, unmarshalled, run from a ``.pdbrc``, imported from a file the code wrote, or
passed to ``PyRun_SimpleString`` through ctypes — is code the reader never saw. ``install`` adds an
audit hook (PEP 578: it cannot be removed) that refuses, with ``walls.UnreadCodeError`` (a wall the
student's report names), every compile but these four, each recognised by the standard library's own
frame that asks for it and by the very text object it passes (an exact ``str`` or ``bytes``, which
nothing can change while the hook looks at it):

- the import system compiling a module: the bytes must be, byte for byte, one of the submission's
  files as the child received them, or a file installed with Python, the site-packages or the kit;
- ``collections.namedtuple``'s constructor, ``dataclasses``' methods, and a string annotation that
  ``typing`` compiles: text the standard library writes for a class the reader did read, allowed when
  it has the only shape that library writes (names where it puts names; an annotation has names,
  dots, subscripts, tuples, ``|`` and constants, and calls nothing).

It refuses as well unmarshalling anything but an installed ``.pyc`` being imported, making a code
object (``types.CodeType``, ``code.replace``; ``types.coroutine`` may mark an installed function),
giving a function another's code (``f.__code__ = g.__code__``, or through ``functools.update_wrapper``),
loading an extension module from outside the installed folders, ctypes, and, with
``walls.OutOfReachError``, what reaches past it: a new interpreter (it would not have the hook), the
garbage collector's object lists, trace and profile functions (they can change a frame's variables
after the hook looked), and another audit hook.

The hook is one function. Nothing it keeps can be changed from Python: its values are tuples,
strings, bytes and the interpreter's own functions, bound when it is made, and it looks up no global
name, so neither patching builtins, ``os`` or ``re`` nor reaching its frame from a traceback changes
what it decides. What no audit hook sees is a write to memory: an array over an address of the code's
choosing can rewrite any function's code, the hook's own included. The source reader flags the ways
to such an array that it knows (``__array_interface__``, ``as_strided``, ``np.ndarray`` given a buffer
or strides, classes whose attribute names are built at run time).
"""

from __future__ import annotations

import collections
import dataclasses
import marshal
import os
import re
import stat
import sys
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from autograder.core.walls import OutOfReachError, UnreadCodeError

MAKE_CODE = frozenset({"code.__new__", "marshal.load"})
# What reaches past the hook: its state, another interpreter without it, a frame's variables changed
# after it looked, a hook of the student's run after it.
OUT_OF_REACH = frozenset({"cpython.PyInterpreterState_New", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                          "sys.settrace", "sys.setprofile", "sys.addaudithook"})
FILE_CAP = 1 << 24  # an installed module over 16 MB is not one the child imports
_NAME = r"[^\W\d]\w*"
# ``lambda _cls, a, b: _tuple_new(_cls, (a, b))``: namedtuple's only text (Python 3.11 to 3.13).
NAMEDTUPLE = rf"lambda _cls, (?:{_NAME}(?:, {_NAME})*,?)?: _tuple_new\(_cls, \((?:{_NAME}(?:, {_NAME})*,?)?\)\)"
# A string annotation once its string constants are out (``STRING``: no prefix, so no f-string): names, dots,
# subscripts and slices, tuples, lists, dicts, ``|``, ``*`` and numbers at the start of an item
# (``Literal["leaky-relu", -1e-8]``, ``Annotated[np.ndarray, {"shape": (3,)}]``, ``(*Ts,)[0]``). A parenthesis
# only opens a tuple (``CALL`` finds one after a name, a subscript or a closing bracket), and nothing else
# computes: no operator but ``|``, no lambda, no comprehension (``KEYWORD``).
STRING = r"(?<!\w)(?:'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
_ITEM_START = r"(?:(?<=[\[(,{:|])|(?<=[\[(,{:|] )|^)"
ANNOTATION = (rf"(?>{_ITEM_START}[+-]?(?:\d[\d_]*+\.?[\d_]*+|\.\d[\d_]*+)(?:[eE][+-]?\d[\d_]*+)?j?"
              rf"|{_ITEM_START}\*(?=\w)|[\w\s.\[\],|(){{}}:'\"])*+")  # atomic: no backtracking, linear time
CALL = r"[\w\]).'\"}]\s*\("
KEYWORD = r"\b(?:lambda|for|async|await|yield)\b"
# Every line dataclasses writes (Python 3.11 and 3.12), with a field's name where it puts one.
_SELF = r"(?:self|__dataclass_self__)"
_FIELDS = rf"(?:{_NAME}(?:, ?{_NAME})*)?"
_PARAM = rf"(?:\*|{_NAME}(?::{_NAME})?(?:={_NAME})?)"
_VALUE = rf"{_NAME}(?:\(\))?(?: if {_NAME} is _HAS_DEFAULT_FACTORY else {_NAME})?"
_TUPLE = rf"\((?:(?:self|other)\.{_NAME},)*\)"
DATACLASS_LINES = "|".join((
    rf"def __create_fn__\({_FIELDS}\):",
    rf" def {_NAME}\((?:{_PARAM}(?:,{_PARAM})*)?\)(?:->{_NAME})?:",
    rf"  {_SELF}\.{_NAME}={_VALUE}",
    rf"  __dataclass_builtins_object__\.__setattr__\({_SELF},'{_NAME}',{_VALUE}\)",
    rf"  {_SELF}\.__post_init__\({_FIELDS}\)",
    rf"  return self\.__class__\.__qualname__ \+ f\"\((?:{_NAME}=\{{self\.{_NAME}!r\}}(?:, )?)*\)\"",
    r"  if other\.__class__ is self\.__class__:",
    rf"   return {_TUPLE}(?:==|<|<=|>|>=){_TUPLE}",
    r"  return NotImplemented",
    rf"  if type\(self\) is cls or name in \((?:'{_NAME}',)*\):",
    r"   raise FrozenInstanceError\(f\"cannot (?:assign to|delete) field \{name!r\}\"\)",
    r"  super\(cls, self\)\.__setattr__\(name, value\)",
    r"  super\(cls, self\)\.__delattr__\(name\)",
    rf"  return hash\({_TUPLE}\)",
    r"  pass",
    rf" return {_NAME}",
))


# Compiled once, where a fork-served child's template imports this module.
_NAMEDTUPLE, _DATACLASS_LINES, _ANNOTATION, _STRING, _CALL, _KEYWORD = (
    re.compile(pattern) for pattern in (NAMEDTUPLE, DATACLASS_LINES, ANNOTATION, STRING, CALL, KEYWORD))


def read_files(paths: Iterable[Path]) -> tuple[tuple[str, bytes], ...]:
    """``(path, bytes)`` of each file as it is now: the submission's modules, before any of it runs."""
    return tuple((str(path), path.read_bytes()) for path in paths)


def _code_of(function: Any) -> Any:
    """The code object of a standard library function the hook recognises by its frame, or None where
    this Python has no such function (another version: what it compiles is then refused)."""
    return getattr(function, "__code__", None)


def make_hook(folders: tuple[str, ...], submission: tuple[tuple[str, bytes], ...]) -> Callable[[str, tuple], None]:
    """The audit hook ``install`` adds, for code from ``folders`` (each ending with a slash) and the
    ``submission``'s files: see the module's docstring."""
    bootstrap, external = sys.modules["_frozen_importlib"], sys.modules["_frozen_importlib_external"]
    # The frames that may ask for a compile or an unmarshal, by their code objects (a student's frame has its
    # own), each with the name of its variable holding what it passes and the check of its text.
    importing = _code_of(bootstrap._call_with_frames_removed)
    unmarshalling = _code_of(external._compile_bytecode)
    fits_namedtuple, fits_dataclass_line, fits_annotation = _NAMEDTUPLE.fullmatch, _DATACLASS_LINES.fullmatch, \
        _ANNOTATION.fullmatch
    without_strings, finds_call, finds_keyword = _STRING.sub, _CALL.search, _KEYWORD.search
    generators = tuple((code, name, kind) for code, name, kind in (
        (_code_of(collections.namedtuple), "code", "namedtuple"),
        (_code_of(getattr(dataclasses, "_create_fn", None)), "txt", "dataclass"),
        (_code_of(typing.ForwardRef.__init__), "arg_to_compile", "annotation")) if code is not None)
    real_compile, real_marshal, os_error, length = compile, marshal, OSError, len
    exact_str, exact_bytes, exact_memoryview, exact_tuple, type_of = str, bytes, memoryview, tuple, type
    getframe, open_file, read, close, fstat, is_regular = sys._getframe, os.open, os.read, os.close, os.fstat, \
        stat.S_ISREG
    read_only, cap, unsafe_parts = os.O_RDONLY | os.O_CLOEXEC, FILE_CAP, ("/../", "/./", "//")
    make_code, out_of_reach, unread, out_of_reach_error = MAKE_CODE, OUT_OF_REACH, UnreadCodeError, OutOfReachError
    # types.coroutine marks an installed generator function as a coroutine with code.replace (asyncio's do)
    marking_coroutine = _code_of(types.coroutine)
    refused = " was refused: the grader runs only code it has read"

    # One function, with no function of its own inside: a traceback through it reaches its frame, and a
    # function kept there would hand out cells that could be rebound.
    def hook(event: str, args: tuple) -> None:
        if event in make_code:
            if event == "code.__new__" and getframe(1).f_code is marking_coroutine \
                    and type_of(args[1]) is exact_str and args[1].startswith(folders):
                return
            raise unread(event + refused)
        if event == "object.__setattr__":  # a function given another's code (only types.coroutine may)
            if type_of(args[1]) is exact_str and args[1] == "__code__" and getframe(1).f_code is not marking_coroutine:
                raise unread("swapping a function's code" + refused)
            return
        if event in out_of_reach:
            raise out_of_reach_error(f"{event} was refused: it reaches what the grader keeps to itself")
        if event.startswith("ctypes."):
            raise unread("ctypes" + refused)
        if event == "import":
            path = args[1]
            if path is None:  # a module of Python's own, or one found on sys.path: its code comes through here
                return
            if type_of(path) is exact_str and path.startswith(folders):
                for part in unsafe_parts:
                    if part in path:
                        break
                else:
                    return
            raise unread("an extension module from outside the installed folders" + refused)
        if event == "compile":
            data: Any = args[0]
            filename, frame = args[1], getframe(1)
            code, path = frame.f_code, None
            if type_of(data) is not exact_bytes or type_of(filename) is not exact_str:
                raise unread("text compiled at run time" + refused)
            if code is importing:  # importlib compiling a module's source: the bytes it read
                passed = frame.f_locals
                given: Any = passed.get("args")
                if passed.get("f") is real_compile and type_of(given) is exact_tuple and length(given) >= 2 \
                        and type_of(given[0]) is exact_bytes and given[0] == data \
                        and type_of(given[1]) is exact_str and given[1] == filename:
                    for name, content in submission:
                        if filename == name:
                            if data == content:
                                return
                            raise unread("a module changed since the grader read it" + refused)
                    path = filename
            else:
                for generator, name, kind in generators:
                    if code is generator:
                        text: Any = frame.f_locals.get(name)
                        if type_of(text) is not exact_str or text.encode("utf-8", "surrogatepass") != data:
                            break
                        if kind == "namedtuple" and fits_namedtuple(text):
                            return
                        if kind == "annotation":
                            bare = without_strings("''", text)
                            if fits_annotation(bare) and not finds_call(bare) and not finds_keyword(bare):
                                return
                        if kind == "dataclass":
                            for line in text.split("\n"):
                                if not fits_dataclass_line(line):
                                    break
                            else:
                                return
                        break
            if path is None:
                raise unread("text compiled at run time" + refused)
        elif event == "marshal.loads":
            frame = getframe(1)
            if frame.f_code is not unmarshalling:
                raise unread("unmarshalled bytes" + refused)
            passed = frame.f_locals  # the bytes it passes: a view of the .pyc it read, past the header
            data = passed.get("data")
            path = passed.get("bytecode_path")
            if type_of(data) is exact_memoryview:
                data = data.obj if type_of(data.obj) is exact_bytes else None
            if type_of(data) is not exact_bytes or frame.f_globals.get("marshal") is not real_marshal \
                    or not data.endswith(args[0]):
                raise unread("unmarshalled bytes" + refused)
        else:
            return
        # The bytes must be those of an installed file as it is on disk (a .pyc after its 16-byte header).
        if type_of(path) is not exact_str or not path.startswith(folders):
            raise unread("code from outside the installed folders" + refused)
        for part in unsafe_parts:
            if part in path:
                raise unread("code from outside the installed folders" + refused)
        try:
            handle = open_file(path, read_only)
        except os_error:
            raise unread("code from outside the installed folders" + refused) from None
        try:
            info = fstat(handle)
            content, chunk = b"", b"."
            if is_regular(info.st_mode) and info.st_size <= cap:
                while chunk:
                    chunk = read(handle, cap)
                    content += chunk
        finally:
            close(handle)
        if event == "marshal.loads":
            content = content[16:]
        if content != args[0]:
            raise unread("code that is not the installed file's" + refused)

    return hook


def install(installed: Iterable[str], submission_files: Iterable[Path]) -> None:
    """From now on this process makes only code from the ``installed`` folders (``host.runtime_paths``:
    Python's library, the site-packages, the kit) and the ``submission_files`` as they are now (see the
    module's docstring). Call it in the child after it is shut in, before any of the submission runs."""
    folders = tuple(sorted({os.path.realpath(folder).rstrip("/") + "/" for folder in installed}))
    sys.addaudithook(make_hook(folders, read_files(submission_files)))
