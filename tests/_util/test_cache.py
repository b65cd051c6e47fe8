"""The shared cache computes each key once, even when many threads ask at the same moment."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bti_workbench._util.cache import shared_cache


def test_concurrent_callers_share_one_computation():
    calls = []
    gate = threading.Event()

    @shared_cache(maxsize=4)
    def slow(x: int) -> int:
        calls.append(x)
        gate.wait(5)
        return x + 1

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(slow, 1) for _ in range(8)]
        time.sleep(0.2)  # every caller is waiting on the one computation
        gate.set()
        assert [f.result() for f in futures] == [2] * 8
    assert calls == [1]


def test_least_recently_used_goes_first():
    calls = []

    @shared_cache(maxsize=2)
    def f(x: int) -> int:
        calls.append(x)
        return x

    f(1), f(2), f(1), f(3)  # 2 is the least recently used when 3 arrives
    f(1)
    f(2)
    assert calls == [1, 2, 3, 2]


def test_an_error_reaches_every_waiter_and_is_not_kept():
    calls = []

    @shared_cache()
    def fails(x: int) -> int:
        calls.append(x)
        if len(calls) == 1:
            raise ValueError("first time")
        return x

    with pytest.raises(ValueError, match="first time"):
        fails(1)
    assert fails(1) == 1
    assert calls == [1, 1]
