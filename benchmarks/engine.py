"""Benchmarks of the compiled engine as a user starts it: the first ``bti simulate`` in a
fresh process, with numba's disk cache warm and with it cold.

:func:`cold_start_benchmarks` runs ``bti simulate data/scenarios/tromso.yaml -r 200`` in new
processes: with the cache the repository already holds (warm), and with ``NUMBA_CACHE_DIR``
pointing at an empty folder each time (cold: numba compiles the kernel). It also times the
same process with the kernel's compile and load taken out (``warm_up`` alone), so the table
shows what the cache saves. Run alone with ``python benchmarks/engine.py``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BTI = Path(sys.executable).with_name("bti")
COMMAND = [str(BTI), "simulate", "data/scenarios/tromso.yaml", "-r", "200", "--lang", "en"]
WARM_UP = [
    sys.executable,
    "-c",
    "from bti_workbench.simulation.engines.fast import warm_up; warm_up()",
]


def _wall(command: list[str], cache: Path | None) -> float:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    if cache is not None:
        env["NUMBA_CACHE_DIR"] = str(cache)
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def cold_start_benchmarks(repeats: int = 3, cold_repeats: int = 2) -> list[str]:
    """Time a fresh process's first run, cache warm and cold; the Markdown lines."""
    _wall(COMMAND, None)  # make sure the repository's cache holds the kernel
    warm = [_wall(COMMAND, None) for _ in range(repeats)]
    warm_load = [_wall(WARM_UP, None) for _ in range(repeats)]
    cold, cold_load = [], []
    for _ in range(cold_repeats):
        folder = Path(tempfile.mkdtemp(prefix="bti-numba-cold-"))
        try:
            cold.append(_wall(COMMAND, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix="bti-numba-cold-"))
        try:
            cold_load.append(_wall(WARM_UP, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    med = statistics.median
    return [
        "## Cold start",
        "",
        "A fresh process, as a user starts it (medians; the process start, imports and "
        "the scenario's loading included):",
        "",
        "| case | runs | median (s) |",
        "|---|---|---|",
        f"| `bti simulate tromso.yaml -r 200`, numba cache warm | {repeats} | {med(warm):.2f} |",
        f"| `bti simulate tromso.yaml -r 200`, numba cache cold (compiles) | {cold_repeats} | "
        f"{med(cold):.2f} |",
        f"| `warm_up()` alone in a fresh process, cache warm | {repeats} | {med(warm_load):.2f} |",
        f"| `warm_up()` alone in a fresh process, cache cold | {cold_repeats} | "
        f"{med(cold_load):.2f} |",
        "",
        "numba keeps the compiled kernel on disk (`__pycache__` beside the source, else the "
        "user's cache, or `NUMBA_CACHE_DIR`), so only the first run after an install "
        "compiles; `bti serve` loads the kernel before it takes requests.",
    ]


if __name__ == "__main__":
    print("\n".join(cold_start_benchmarks()))
