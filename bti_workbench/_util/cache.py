"""A cache that many threads share: each key is computed once, even when asked for at once.

The dashboard serves many leaders from one process. Two sessions asking for the same
simulation at the same moment must not run it twice: :func:`shared_cache` keeps the last
results (least recently used first out, like :func:`functools.lru_cache`) and makes every
thread that asks for a key being computed wait for that one computation.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from functools import _CacheInfo
from typing import Any, TypeVar

__all__ = ["shared_cache"]

T = TypeVar("T")


class _Shared:
    """The state of one cached function: finished results and computations under way."""

    def __init__(self, function: Callable[..., Any], maxsize: int) -> None:
        self.function = function
        self.maxsize = maxsize
        self.done: OrderedDict[Hashable, Any] = OrderedDict()
        self.running: dict[Hashable, Future] = {}
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def __call__(self, *args: Hashable) -> Any:
        with self.lock:
            if args in self.done:
                self.hits += 1
                self.done.move_to_end(args)
                return self.done[args]
            future = self.running.get(args)
            owner = future is None
            if owner:
                self.misses += 1
                future = self.running[args] = Future()
            else:
                self.hits += 1
        if owner:
            self._compute(args, future)
        return future.result()

    def _compute(self, args: tuple, future: Future) -> None:
        try:
            value = self.function(*args)
        except BaseException as exc:  # the waiting threads get the same error
            with self.lock:
                del self.running[args]
            future.set_exception(exc)
            return
        with self.lock:
            del self.running[args]
            self.done[args] = value
            while len(self.done) > self.maxsize:
                self.done.popitem(last=False)
        future.set_result(value)

    def cache_clear(self) -> None:
        with self.lock:
            self.done.clear()
            self.hits = self.misses = 0

    def cache_info(self) -> _CacheInfo:
        with self.lock:
            return _CacheInfo(self.hits, self.misses, self.maxsize, len(self.done))


def shared_cache(maxsize: int = 32) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Cache a function of hashable positional arguments for every thread at once.

    Parameters
    ----------
    maxsize : int, default 32
        How many results to keep; the least recently used goes first.

    Returns
    -------
    callable
        A decorator. The cached function has ``cache_clear()`` and ``cache_info()`` (as
        :func:`functools.lru_cache`'s; a wait for a computation under way is a hit). An
        error is not cached: every thread waiting for that key gets it, and the next call
        tries again.

    See Also
    --------
    functools.lru_cache : The same for one thread at a time (two threads may both compute).

    Examples
    --------
    >>> calls = []
    >>> @shared_cache(maxsize=2)
    ... def square(x):
    ...     calls.append(x)
    ...     return x * x
    >>> square(3), square(3), calls
    (9, 9, [3])
    >>> square.cache_info()
    CacheInfo(hits=1, misses=1, maxsize=2, currsize=1)
    """

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        shared = _Shared(function, maxsize)

        @functools.wraps(function)
        def cached(*args: Hashable) -> T:
            return shared(*args)

        cached.cache_clear = shared.cache_clear  # type: ignore[attr-defined]
        cached.cache_info = shared.cache_info  # type: ignore[attr-defined]
        return cached

    return decorate
