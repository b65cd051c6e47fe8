"""Benchmarks of the foundation: reading population files and contracts, making demo data.

Run with ``make bench``. Each case is timed several times in one run on this machine and the
median is reported; results and the machine go to ``BENCHMARKS.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bti_workbench import read_ssb_07459, suppress_small
from bti_workbench.caseflow import flow_table, level_transitions
from bti_workbench.demo import write_demo
from bti_workbench.engine_ciw import simulate_ciw
from bti_workbench.engine_fast import simulate_fast
from bti_workbench.io import read_event_log
from bti_workbench.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
SSB = REPO.parent / "shared" / "data" / "ssb"


def _time(fn: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bti-bench-"))
    write_demo(work / "tromso", "5401", seed=1)
    tromso_log = read_event_log(work / "tromso" / "event_log.csv")
    write_demo(work / "sirdal", "4228", seed=1)
    sirdal_log = read_event_log(work / "sirdal" / "event_log.csv")
    rng = np.random.default_rng(0)
    table = pd.DataFrame(rng.integers(0, 12, size=(12, 12)))
    cases: list[tuple[str, Callable[[], object], int, str]] = [
        (
            "SSB 07459 CSV 2022 (356 municipalities, 38 056 rows)",
            lambda: read_ssb_07459(SSB / "07459_population_by_age_2022.csv"),
            5,
            "file",
        ),
        (
            "SSB 07459 CSV 2020 (tab-separated)",
            lambda: read_ssb_07459(SSB / "07459_population_by_age_2020.csv"),
            5,
            "file",
        ),
        (
            f"read_event_log, Tromsø demo ({len(tromso_log)} rows)",
            lambda: read_event_log(work / "tromso" / "event_log.csv"),
            5,
            "",
        ),
        ("level_transitions, Tromsø demo", lambda: level_transitions(tromso_log), 5, ""),
        ("suppress_small, 12 × 12 table, k = 5", lambda: suppress_small(table), 10, ""),
        ("flow_table (suppressed), Sirdal demo", lambda: flow_table(sirdal_log), 5, ""),
        ("flow_table (suppressed), Tromsø demo", lambda: flow_table(tromso_log), 5, ""),
        (
            "write_demo Sirdal (4228), all contracts",
            lambda: write_demo(work / "sirdal", "4228", seed=1),
            5,
            "",
        ),
        (
            "write_demo Tromsø (5401), all contracts",
            lambda: write_demo(work / "tromso", "5401", seed=1),
            3,
            "",
        ),
    ]
    jackson = load_scenario(REPO / "data" / "scenarios" / "validation_jackson.yaml")
    weekly = dataclasses.replace(jackson, time_step_weeks=1.0)
    cases += [
        (
            "engine fast, validation_jackson, 260 weeks, 20 replications (step 0.05 week)",
            lambda: simulate_fast(jackson, 20, 1),
            3,
            "",
        ),
        (
            "engine fast, validation_jackson, 260 weeks, 200 replications (step 1 week)",
            lambda: simulate_fast(weekly, 200, 1),
            3,
            "",
        ),
        (
            "engine ciw, validation_jackson, 260 weeks, 3 replications",
            lambda: simulate_ciw(jackson, 3, 1),
            3,
            "",
        ),
    ]
    rows = []
    for name, fn, repeats, needs in cases:
        if needs == "file" and not SSB.exists():
            print(f"skipped (no ../shared): {name}")
            continue
        fn()  # warm caches and imports
        times = _time(fn, repeats)
        rows.append((name, repeats, statistics.median(times), min(times), max(times)))
        print(f"{name}: median {statistics.median(times):.3f} s over {repeats}")
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}, pandas {pd.__version__}, numpy {np.__version__}"
    )
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run.py`). Medians of repeated runs in one process,",
        "side by side in one run; this 2-core machine is noisy: compare ratios, not single runs.",
        "",
        f"- Date: {dt.date.today().isoformat()}",
        f"- Machine: {machine}",
        "",
        "| case | runs | median (s) | min (s) | max (s) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {n} | {r} | {m:.3f} | {lo:.3f} | {hi:.3f} |" for n, r, m, lo, hi in rows]
    # Simulated cases (service records: one per case and level visited) per second.
    records = float(simulate_fast(jackson, 1, 1).queues["entered"].sum())
    median = {n: m for n, _, m, _, _ in rows}
    fast = records * 20 / median[next(n for n in median if "fast" in n and "0.05" in n)]
    fast_weekly = records * 200 / median[next(n for n in median if "step 1 week" in n)]
    ciw_rate = records * 3 / median[next(n for n in median if "engine ciw" in n)]
    lines += [
        "",
        "Engines on `validation_jackson.yaml` (about "
        f"{records:,.0f} service records per replication):",
        "",
        f"- fast, step 0.05 week: {fast:,.0f} records/s; step 1 week: {fast_weekly:,.0f} records/s",
        f"- ciw: {ciw_rate:,.0f} records/s",
        f"- ratio fast/ciw: {fast / ciw_rate:,.0f}× at step 0.05 week, "
        f"{fast_weekly / ciw_rate:,.0f}× at step 1 week",
    ]
    (REPO / "BENCHMARKS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
