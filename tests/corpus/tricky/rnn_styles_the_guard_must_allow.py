"""Correct RNN backwards in styles that make Python write code or look names up at run time, none of which
measures: a typing.NamedTuple cache with string annotations (Literal, Annotated with metadata, signed
numbers: what `from __future__ import annotations` makes of them), a dataclass, an abstract base class, an enum, getattr over parameter names built from a constant,
a SimpleNamespace, asyncio imported. The code guard and the source reader must let every one keep its points."""

import abc
import asyncio  # noqa: F401 - imported as a student might, for nothing: types.coroutine marks its generators
import dataclasses
import enum
import types
import typing

import numpy as np

TARGET = "rnn_layers"


class Kind(enum.Enum):
    TANH = "tanh"


class StepCache(typing.NamedTuple):
    x: "np.ndarray"
    prev_h: "np.ndarray"
    Wx: "np.ndarray"
    Wh: "np.ndarray"
    next_h: "np.ndarray"
    kind: 'typing.Literal["tanh", "leaky-relu"]' = "tanh"
    shape: 'typing.Annotated[tuple, {"layout": "(N, H)"}]' = ()
    sign: "typing.Literal[-1, 1]" = 1


@dataclasses.dataclass(frozen=True)
class Grads:
    dx: "np.ndarray"
    dprev_h: "np.ndarray"
    dWx: "np.ndarray"
    dWh: "np.ndarray"
    db: "np.ndarray"

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, "d" + name) for name in ("x", "prev_h", "Wx", "Wh", "b"))


class Backward(abc.ABC):
    @abc.abstractmethod
    def step(self, dnext_h, cache): ...


class TanhBackward(Backward, metaclass=abc.ABCMeta):
    def step(self, dnext_h, cache):
        x, prev_h, Wx, Wh, next_h = cache
        parts = StepCache(x, prev_h, Wx, Wh, next_h)
        assert parts.kind == Kind.TANH.value
        dz = dnext_h * (1.0 - parts.next_h ** 2)
        return Grads(dz @ parts.Wx.T, dz @ parts.Wh.T, parts.x.T @ dz, parts.prev_h.T @ dz, dz.sum(axis=0))


def rnn_step_backward(dnext_h, cache):
    settings = types.SimpleNamespace(kind="tanh")
    assert settings.kind == "tanh"
    return TanhBackward().step(dnext_h, cache).as_tuple()
