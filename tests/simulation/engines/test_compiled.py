"""The compiled engine's disk cache as a server meets it: a fresh process, a cache folder
of its own, cold and then warm."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from bti_workbench.simulation.engines import compiled

PACKAGE = Path(compiled.__file__).resolve().parents[2]

_RUN = "from bti_workbench.simulation.engines.fast import warm_up; print(warm_up())"


def _fresh_process(root: Path, cache: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env |= {"PYTHONPATH": str(root), "NUMBA_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", _RUN], cwd=root, env=env, capture_output=True, text=True, check=True
    )


def _cached(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*.nb[ic]")}


def test_the_cache_goes_where_numba_cache_dir_says_and_a_warm_one_is_only_read(tmp_path):
    """What a server without a writable package folder or home sets (docs/serving.md)."""
    root = tmp_path / "site"
    shutil.copytree(PACKAGE, root / "bti_workbench", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    _fresh_process(root, cache)  # cold: compiles, and keeps the machine code
    cold = _cached(cache)
    assert any("_kernel" in name for name in cold), cold
    assert not list((root / "bti_workbench").rglob("*.nbi"))
    _fresh_process(root, cache)  # warm: loads, writes nothing new
    assert _cached(cache) == cold


def test_engine_threads_reads_its_variable(monkeypatch):
    monkeypatch.setenv(compiled.ENGINE_THREADS_ENV, "2")
    assert compiled.engine_threads() == 2
    for junk in ("0", "-1", "two", ""):
        monkeypatch.setenv(compiled.ENGINE_THREADS_ENV, junk)
        assert compiled.engine_threads() == len(os.sched_getaffinity(0))
