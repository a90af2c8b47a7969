"""A call run in a thread of its own, for the few places the grader waits on children meanwhile.

``concurrent.futures`` would do, but it imports ``logging`` as it loads: 4 ms of every ``grade``'s
start-up, for two threads that each run one call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``call()`` running in a new thread; ``result()`` waits for it, then returns what it returned or
    raises what it raised."""

    def __init__(self, call: Callable[[], T], name: str):
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), name=name)
        self._thread.start()

    def _run(self, call: Callable[[], T]) -> None:
        try:
            self._value = call()
        except BaseException as error:  # handed to whoever asks for the result
            self._error = error

    def join(self) -> None:
        self._thread.join()

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set: the call returned


@contextmanager
def all_joined(running: list[Background]) -> Iterator[list[Background]]:
    """Wait for every call of ``running`` on the way out, whatever happened meanwhile: no thread, and
    no child it waits on, outlives the block (as ``ThreadPoolExecutor``'s ``with`` does)."""
    try:
        yield running
    finally:
        for call in running:
            call.join()
