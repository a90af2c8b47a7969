"""The grader's work per reply is bounded by what was asked: a reply larger than its request can need
is refused before a single entry or byte of its JSON is parsed, and every true reply still passes."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

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
    wire.write(tmp_path / "reply.npz", {"cases": answers})
    back = runner._read_reply(tmp_path / "reply.npz", requests)
    assert [case["error"] for case in back] == [""] * len(requests)
    assert all(set(case["grads"]) == set(answer["grads"]) for case, answer in zip(back, answers, strict=True))


def test_a_returned_dict_may_hold_as_many_keys_as_replies_accept(tmp_path: Path) -> None:
    requests = _requests("clip_grad_norm")
    keys = {f"clipped['{number}']": np.zeros(3) for number in range(replies.MAX_KEYS)}
    answers = [{"out": np.array(1.0), "grads": keys, "changed": [], "error": "", "not_implemented": False,
                "perturbed": {name: np.zeros((2, 2)) for name in request.get("perturb", {})}} for request in requests]
    wire.write(tmp_path / "reply.npz", {"cases": answers})
    assert [case["error"] for case in runner._read_reply(tmp_path / "reply.npz", requests)] == [""] * len(requests)


def _many_arrays(path: Path, count: int) -> Path:
    """The reply ``wire.write`` makes of ``count`` one-element arrays, written the fast way: one ``.npy``
    payload stored ``count`` times (``np.savez`` formats each array anew, ten times slower)."""
    one = io.BytesIO()
    np.lib.format.write_array(one, np.zeros(1))
    structure = io.BytesIO()
    tree = {"cases": [{"out": {"__array__": f"a{number}"}} for number in range(count)]}
    np.lib.format.write_array(structure, np.frombuffer(json.dumps(tree).encode(), dtype=np.uint8))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as reply:
        reply.writestr("__structure__.npy", structure.getvalue())
        for number in range(count):
            reply.writestr(f"a{number}.npy", one.getvalue())
    return path


def test_the_fast_writer_writes_what_wire_writes(tmp_path: Path) -> None:
    wire.write(tmp_path / "slow.npz", {"cases": [{"out": np.zeros(1)} for _ in range(3)]})
    fast_path = _many_arrays(tmp_path / "fast.npz", 3)
    with zipfile.ZipFile(tmp_path / "slow.npz") as slow, zipfile.ZipFile(fast_path) as fast:
        assert slow.namelist() == fast.namelist()
        assert all(slow.read(name) == fast.read(name) for name in slow.namelist())


def _never(*_args, **_kwargs):
    raise AssertionError("parsed a reply that should have been refused before")


@pytest.mark.parametrize("over", [1, 20_000], ids=["one_entry_over", "thousands_over"])
def test_many_entries_are_refused_before_any_is_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       over: int) -> None:
    """The entry count is read from the zip's end record: one entry past the bound is refused as a
    whole table is, without parsing one entry (the adversarial corpus sends 99,999 from a child)."""
    requests = _requests("relu_backward")
    bound = replies.bounds(requests).entries
    path = _many_arrays(tmp_path / "reply.npz", bound + over - 1)  # and __structure__: bound + over entries
    monkeypatch.setattr(wire.zipfile, "ZipFile", _never)
    monkeypatch.setattr(wire, "_read_entry", _never)
    [message] = {case["error"] for case in runner._read_reply(path, requests)}
    assert message == (f"its reply could not be read (it holds {bound + over} entries, more than the "
                       f"{bound} its request can need)")


def test_as_many_entries_as_the_bound_are_read(tmp_path: Path) -> None:
    requests = _requests("relu_backward")
    bound = replies.bounds(requests).entries
    back = runner._read_reply(_many_arrays(tmp_path / "reply.npz", bound - 1), requests)  # with __structure__
    assert not any("entries" in case["error"] for case in back)


def test_an_end_record_that_lies_about_its_entries_is_refused_by_its_table_of_contents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _many_arrays(tmp_path / "reply.npz", 20_000)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = struct.pack("<HH", 1, 1)  # one entry on this disk, one in all
    path.write_bytes(bytes(data))
    monkeypatch.setattr(wire.zipfile, "ZipFile", _never)
    [message] = {case["error"] for case in runner._read_reply(path, _requests("relu_backward"))}
    assert message.startswith("its reply could not be read (its table of contents of ")


def test_a_large_structure_is_refused_before_its_json_is_parsed(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    requests = _requests("softmax_loss")
    text = json.dumps({"cases": [{"error": "x" * 1000, "not_implemented": False}] * 20_000}).encode()
    np.savez(tmp_path / "reply.npz", __structure__=np.frombuffer(text, dtype=np.uint8))
    monkeypatch.setattr(wire.json, "loads", _never)
    monkeypatch.setattr(wire, "_read_entry", _never)
    [message] = {case["error"] for case in runner._read_reply(tmp_path / "reply.npz", requests)}
    limit = wire.megabytes(replies.bounds(requests).structure_bytes)
    size = wire.megabytes(len(text) + 128)  # and the entry's own header
    assert message == f"its reply could not be read (its structure of {size} is over the {limit} its request can need)"


def test_bounds_grow_with_the_request() -> None:
    one, many = replies.bounds(_requests("affine_backward")[:1]), replies.bounds(_requests("affine_backward"))
    assert one.entries < many.entries and one.structure_bytes < many.structure_bytes
    assert wire.Bounds() == wire.Bounds(wire.MAX_ENTRIES, wire.MAX_BYTES)  # what reading a request allows
