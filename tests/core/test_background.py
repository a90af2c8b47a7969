"""The grader's background calls (``core.background``): what ``ThreadPoolExecutor`` gave it, kept."""

from __future__ import annotations

import threading
import time

import pytest

from autograder.core.background import Background, all_joined


def test_the_result_is_what_the_call_returned() -> None:
    assert Background(lambda: 41 + 1, name="answer").result() == 42


def test_what_the_call_raised_is_raised_by_result() -> None:
    def broken() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        Background(broken, name="broken").result()


def test_a_keyboard_interrupt_in_the_call_reaches_the_caller() -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Background(interrupted, name="interrupted").result()


def test_no_thread_outlives_the_block_even_when_it_raises() -> None:
    ended = threading.Event()

    def slow() -> None:
        time.sleep(0.2)
        ended.set()

    with pytest.raises(RuntimeError, match="the block failed"), all_joined([]) as running:
        running.append(Background(slow, name="slow"))
        raise RuntimeError("the block failed")
    assert ended.is_set()
