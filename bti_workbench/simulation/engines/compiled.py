"""The compiled kernel's threads and its cache on disk.

numba compiles the `fast` engine's kernel the first time it runs in a process and keeps the
machine code on disk, so the next process only loads it. Where the code is kept is numba's
choice, in this order: ``NUMBA_CACHE_DIR`` when it is set; else a ``__pycache__`` folder
beside the engine's source when that folder can be written; else a user cache directory
(``~/.cache/numba`` on Linux). An installed, read-only package therefore still caches,
without any setting. :func:`~bti_workbench.simulation.engines.fast.warm_up` runs the kernel
once, so a server (``bti serve``) pays for loading or compiling before its first user rather
than during a user's first request. numba checks a cached kernel against its own source file
only, so the kernel's file names the digest of the random streams compiled into it
(``_kernel.STREAMS_DIGEST``, held by a test).
"""

from __future__ import annotations

import os

__all__ = ["ENGINE_THREADS_ENV", "engine_threads"]

#: Environment variable that sets how many threads run replications (default: one per CPU
#: this process may use). A sweep's workers set it to 1 so they do not compete for cores.
ENGINE_THREADS_ENV = "BTI_ENGINE_THREADS"


def engine_threads() -> int:
    """How many threads run replications side by side.

    Returns
    -------
    int
        ``BTI_ENGINE_THREADS`` if set to a positive whole number, else the CPUs this process
        may run on.

    See Also
    --------
    bti_workbench.simulation.engines.fast.simulate_fast_many : runs on these threads.

    Examples
    --------
    >>> engine_threads() >= 1
    True
    """
    value = os.environ.get(ENGINE_THREADS_ENV, "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)
