"""The grader's work per reply is bounded by what was asked: a reply larger than its request can need
is refused before a single record or byte of its JSON is parsed, and every true reply still passes."""

from __future__ import annotations

import json
import types
from pathlib import Path

import numpy as np
import pytest
from forged_wire import forge

from autograder import DEFAULT_REFERENCE
from autograder.core import calling
from autograder.core.spec import BY_NAME, FUNCTIONS
from autograder.grading.grade import plan
from autograder.grading.reference import load_modules
from autograder.sandbox import replies, runner, wire

SEED = 7


def _requests(name: str) -> list[dict]:
    return [planned.request for planned in plan(BY_NAME[name], SEED)]


@pytest.mark.parametrize("name", [function.name for function in FUNCTIONS])
def test_every_true_reply_is_within_its_bounds(tmp_path: Path, name: str) -> None:
    """The reference's own replies, with every array a reply can carry, read back whole."""
    function = BY_NAME[name]
    requests = _requests(name)
    module = load_modules(DEFAULT_REFERENCE)[function.module]
    answers = [calling.run_case(module, function, request) for request in requests]
    assert all(not answer["error"] for answer in answers)
    wire.write(tmp_path / "reply.bin", {"cases": answers})
    back = runner._read_reply(tmp_path / "reply.bin", requests)
    assert [case["error"] for case in back] == [""] * len(requests)
    assert all(set(case["grads"]) == set(answer["grads"]) for case, answer in zip(back, answers, strict=True))


def test_a_returned_dict_may_hold_as_many_keys_as_replies_accept(tmp_path: Path) -> None:
    requests = _requests("clip_grad_norm")
    keys = {f"clipped['{number}']": np.zeros(3) for number in range(replies.MAX_KEYS)}
    answers = [{"out": np.array(1.0), "grads": keys, "changed": [], "error": "", "not_implemented": False,
                "perturbed": {name: np.zeros((2, 2)) for name in request.get("perturb", {})}} for request in requests]
    wire.write(tmp_path / "reply.bin", {"cases": answers})
    assert [case["error"] for case in runner._read_reply(tmp_path / "reply.bin", requests)] == [""] * len(requests)


def _many_arrays(path: Path, count: int) -> Path:
    """The reply ``wire.write`` makes of ``count`` one-element arrays, each a case's output, written the
    fast way: one table of records built at once (``wire.write`` lays out each array on its own)."""
    table = np.zeros(count, dtype=wire.RECORD)
    table["offset"] = np.arange(count) * wire.ALIGN
    table["ndim"], table["shape"][:, 0] = 1, 1
    tree = json.dumps({"cases": [{"out": {"__array__": number}} for number in range(count)]}).encode()
    head = wire.PREFIX.pack(wire.MAGIC, wire.VERSION, count, len(tree)) + table.tobytes() + tree
    path.write_bytes(head + bytes(-len(head) % wire.ALIGN) + bytes(count * wire.ALIGN))
    return path


def test_the_fast_writer_writes_what_wire_writes(tmp_path: Path) -> None:
    wire.write(tmp_path / "slow.bin", {"cases": [{"out": np.zeros(1)} for _ in range(3)]})
    assert (tmp_path / "slow.bin").read_bytes() == _many_arrays(tmp_path / "fast.bin", 3).read_bytes()


def _never(*_args, **_kwargs):
    raise AssertionError("parsed a reply that should have been refused before")


@pytest.mark.parametrize("over", [1, 20_000], ids=["one_array_over", "thousands_over"])
def test_many_arrays_are_refused_before_any_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      over: int) -> None:
    """The count is read from the message's first bytes: one array past the bound is refused as a whole
    table is, without looking at one record (the adversarial corpus sends 99,999 from a child)."""
    requests = _requests("relu_backward")
    bound = replies.bounds(requests).arrays
    path = _many_arrays(tmp_path / "reply.bin", bound + over)
    monkeypatch.setattr(wire, "_arrays", _never)
    monkeypatch.setattr(wire.json, "loads", _never)
    [message] = {case["error"] for case in runner._read_reply(path, requests)}
    assert message == (f"its reply could not be read (it holds {bound + over} arrays, more than the "
                       f"{bound} its request can need)")


def test_as_many_arrays_as_the_bound_are_read(tmp_path: Path) -> None:
    requests = _requests("relu_backward")
    bound = replies.bounds(requests).arrays
    back = runner._read_reply(_many_arrays(tmp_path / "reply.bin", bound), requests)
    # read whole, then rebuilt: it answers more cases than were asked
    assert {case["error"] for case in back} == {f"its reply was malformed (expected {len(requests)} cases)"}


def test_a_count_that_understates_the_arrays_is_refused(tmp_path: Path) -> None:
    """A prefix that says few arrays while the tree names many: the records past the count are never read."""
    path = _many_arrays(tmp_path / "reply.bin", 20_000)
    data = bytearray(path.read_bytes())
    _, _, _, structure = wire.PREFIX.unpack(data[:wire.PREFIX.size])
    data[:wire.PREFIX.size] = wire.PREFIX.pack(wire.MAGIC, wire.VERSION, 1, structure)
    path.write_bytes(bytes(data))
    with pytest.raises(wire.WireError, match="malformed reply"):  # its structure starts inside the table
        wire.read(path)


def test_a_large_structure_is_refused_before_its_json_is_parsed(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    requests = _requests("softmax_loss")
    text = json.dumps({"cases": [{"error": "x" * 1000, "not_implemented": False}] * 20_000}).encode()
    path = forge(tmp_path / "reply.bin", structure=text)
    monkeypatch.setattr(wire.json, "loads", _never)
    monkeypatch.setattr(wire, "_arrays", _never)
    [message] = {case["error"] for case in runner._read_reply(path, requests)}
    limit = wire.megabytes(replies.bounds(requests).structure_bytes)
    assert message == (f"its reply could not be read (its structure of {wire.megabytes(len(text))} is over the "
                       f"{limit} its request can need)")


def test_bounds_grow_with_the_request() -> None:
    one, many = replies.bounds(_requests("affine_backward")[:1]), replies.bounds(_requests("affine_backward"))
    assert one.arrays < many.arrays and one.structure_bytes < many.structure_bytes
    assert wire.Bounds() == wire.Bounds(wire.MAX_ARRAYS, wire.MAX_BYTES)  # what reading a request allows


def test_a_crash_of_the_longest_names_and_lines_fits_its_bound(tmp_path: Path) -> None:
    """Every text of a crash the student's code chose (the exception's class, message and line, the file's
    and the function's names, the cache's classes) at its longest, in 4-byte characters: a true reply, read
    whole, so the function's other cases keep their points."""
    long, name = "\U0001d4d0" * 1000, "Ж" * 1000
    source = (f"import numpy as np\n\n\nclass {name}(Exception):\n    pass\n\n\nclass {name}2:\n    pass\n\n\n"
              f"def affine_forward(x, w, b):\n    out = x.reshape(x.shape[0], -1) @ w + b\n"
              f"    return out, tuple({name}2() for _ in range(40))\n\n\n"
              f"def {name}f(dout, cache):\n    raise {name}('{long}')  # {long}\n\n\naffine_backward = {name}f\n")
    module = types.ModuleType("layers")
    exec(compile(source, f"/tmp/{name}.py", "exec"), module.__dict__)
    requests = _requests("affine_backward")
    answers = [calling.run_case(module, BY_NAME["affine_backward"], request) for request in requests]
    assert all(answer["crash"]["type"].startswith("Ж") for answer in answers)
    names = [answer["crash"][field] for answer in answers for field in ("type", "file", "function")]
    names += [line for answer in answers for line in answer["cache_layout"]]
    assert names and max(map(len, names)) <= calling.NAME_CHARACTERS + len("cache[39]: ")  # cut by the child
    wire.write(tmp_path / "reply.bin", {"cases": answers})
    _, _, _, structure = wire.PREFIX.unpack((tmp_path / "reply.bin").read_bytes()[:wire.PREFIX.size])
    assert structure <= replies.CASE_STRUCTURE_BYTES * len(requests) / 2  # with room to spare
    back = runner._read_reply(tmp_path / "reply.bin", requests)
    assert all(case["error"].startswith("Ж") and "crash" in case for case in back)


def test_a_request_is_read_without_a_replys_caps(tmp_path: Path) -> None:
    """The grader's own request is trusted: a pass of many seeds may hold more arrays than a reply may."""
    path = _many_arrays(tmp_path / "request.bin", wire.MAX_ARRAYS + 1)
    with pytest.raises(wire.WireError, match="more than the 100000"):
        wire.read(path)
    assert len(wire.read_request(path)["cases"]) == wire.MAX_ARRAYS + 1


def test_an_answer_the_wire_cannot_send_costs_only_its_own_case(tmp_path: Path) -> None:
    """An array of more dimensions than the wire takes, returned in one case: that case fails with a message
    that says why, and the function's other cases are sent and judged as they are."""
    from autograder.sandbox import child

    reference = load_modules(DEFAULT_REFERENCE)["layers"]
    requests = _requests("relu_backward")
    odd = requests[-1]["dout"].shape

    def relu_backward(dout, cache):
        return np.zeros((1,) * (wire.MAX_NDIM + 1)) if dout.shape == odd else reference.relu_backward(dout, cache)

    module = types.SimpleNamespace(relu_forward=reference.relu_forward, relu_backward=relu_backward)
    child._send(tmp_path / "reply.bin", child._answer(module, "relu_backward", requests))
    back = runner._read_reply(tmp_path / "reply.bin", requests)
    failed = [case["error"] for case in back if case["error"]]
    assert failed and len(failed) < len(requests)
    assert set(failed) == {f"it returned an array of {wire.MAX_NDIM + 1} dimensions (at most {wire.MAX_NDIM}), "
                           "which the grader does not take"}
