"""Benchmarks: reading population files and contracts, demo data, the simulation engines.

Run with ``make bench``. Each case is timed several times in one run on this machine and the
median is reported; results and the machine go to ``BENCHMARKS.md``.
"""

from __future__ import annotations

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
from bti_workbench.evaluation.caseflow import flow_table, level_transitions
from bti_workbench.ingest.readers import read_event_log
from bti_workbench.simulation.engines.ciw import simulate_ciw
from bti_workbench.simulation.engines.compiled import engine_threads
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.synthetic.demo import write_demo

REPO = Path(__file__).resolve().parents[1]
SSB = REPO.parent / "shared" / "data" / "ssb"
TROMSO_200 = "engine fast, Tromsø, 260 weeks, 200 replications"


def _time(fn: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def _peak_memory(fn: Callable[[], object]) -> int:
    """Peak bytes allocated while ``fn`` runs (numpy reports its buffers to tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


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
    tromso = load_scenario(REPO / "data" / "scenarios" / "tromso.yaml")
    capped = load_scenario(REPO / "data" / "scenarios" / "tromso.yaml", ("trial_cap_one_log",))
    cases += [
        (
            "engine fast, validation_jackson, 260 weeks, 200 replications",
            lambda: simulate_fast(jackson, 200, 1),
            5,
            "",
        ),
        (
            "engine ciw, validation_jackson, 260 weeks, 3 replications",
            lambda: simulate_ciw(jackson, 3, 1),
            3,
            "",
        ),
        (
            TROMSO_200,
            lambda: simulate_fast(tromso, 200, 1),
            7,
            "",
        ),
        (
            "engine fast, Tromsø, 260 weeks, 50 replications",
            lambda: simulate_fast(tromso, 50, 1),
            7,
            "",
        ),
        (
            "engine fast, Tromsø + trial_cap_one_log, 260 weeks, 200 replications",
            lambda: simulate_fast(capped, 200, 1),
            5,
            "",
        ),
        (
            "engine ciw, Tromsø, 260 weeks, 3 replications",
            lambda: simulate_ciw(tromso, 3, 1),
            3,
            "",
        ),
    ]
    # Collaboration networks: all graphs from a 1 000 000-event log; metrics on 60 services.
    import networkx as nx

    from bti_workbench.network import handover_graph, metrics_table, service_graph

    copies = -(-1_000_000 // len(tromso_log))
    million = pd.concat(
        [tromso_log.assign(case_id=tromso_log["case_id"] + f"-{i}") for i in range(copies)],
        ignore_index=True,
    ).iloc[:1_000_000]
    sixty = nx.gnp_random_graph(60, 0.2, seed=1)
    for a, b in sixty.edges:
        sixty[a][b]["weight"] = int(rng.integers(1, 40))
    sectors = ["upbringing", "health", "welfare", "specialist_state"]
    nx.set_node_attributes(sixty, {n: sectors[n % 4] for n in sixty}, "sector")
    nx.set_node_attributes(sixty, "municipal", "scope")
    nx.set_node_attributes(sixty, {n: int(rng.integers(0, 50)) for n in sixty}, "load")
    cases += [
        (
            "network: service and handover graphs from a 1 000 000-event log",
            lambda: (service_graph(million), handover_graph(million)),
            3,
            "",
        ),
        ("network: all metrics on a 60-service graph", lambda: metrics_table(sixty), 5, ""),
    ]
    # Evaluation: import a 1 000 000-row event log into a store; all indicators on it.
    from bti_workbench.evaluation.indicators import cases_by_level, indicator_table
    from bti_workbench.evaluation.survival import km_table, time_to_closing, time_to_level0_decision
    from bti_workbench.ingest.store import import_files
    from bti_workbench.reference.municipality import load_municipality

    million_csv = work / "event_log_1m.csv"
    million.assign(event_time=million["event_time"].dt.strftime("%Y-%m-%d %H:%M")).to_csv(
        million_csv, index=False
    )
    stores = iter(range(1000))
    period = (pd.Timestamp("2019-01-01"), pd.Timestamp("2019-12-31"))
    # The million-row log is Tromsø's demo log copied: its population, copied as often.
    tromso_population = load_municipality("5401").population * copies

    def all_indicators() -> None:
        indicator_table(million, period=period, population=tromso_population)
        cases_by_level(million)
        km_table(time_to_level0_decision(million, period), grid_days=1)
        km_table(time_to_closing(million, period), by="level", grid_days=30)

    cases += [
        (
            "store: import a 1 000 000-row event log (validate, privacy scan, DuckDB)",
            lambda: import_files(
                work / f"store{next(stores)}.duckdb", [million_csv], "event-log", "5401"
            ),
            3,
            "",
        ),
        ("evaluation: all indicators on a 1 000 000-row event log", all_indicators, 3, ""),
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
    median = {n: m for n, _, m, _, _ in rows}

    def rate(scenario, replications: int, key: str) -> tuple[float, float]:
        records = float(simulate_fast(scenario, 20, 1).queues["entered"].sum()) / 20
        name = next(n for n in median if key in n)
        return records, records * replications / median[name]

    records, fast = rate(jackson, 200, "engine fast, validation_jackson")
    _, ciw_rate = rate(jackson, 3, "engine ciw, validation_jackson")
    t_records, t_fast = rate(tromso, 200, "engine fast, Tromsø, 260 weeks, 200")
    _, t_ciw = rate(tromso, 3, "engine ciw, Tromsø")
    peak = _peak_memory(lambda: simulate_fast(tromso, 200, 1))
    lines += [
        "",
        "Simulated cases per second (service records: one per case and level it comes to):",
        "",
        f"- validation_jackson (about {records:,.0f} records per replication): fast "
        f"{fast:,.0f}/s, ciw {ciw_rate:,.0f}/s, ratio per replication "
        f"**{fast / ciw_rate:,.0f}×** (target ≥ 1 000×)",
        f"- Tromsø (about {t_records:,.0f} records per replication): fast {t_fast:,.0f}/s, "
        f"ciw {t_ciw:,.0f}/s, ratio per replication **{t_fast / t_ciw:,.0f}×** "
        "(target ≥ 500×)",
        f"- Tromsø, fast, 200 replications: median {median[TROMSO_200]:.3f} s (target ≤ 0.10 s) "
        f"on {engine_threads()} threads; peak memory (tracemalloc) {peak / 2**20:,.0f} MiB",
        "- Both engines follow every case in continuous time; the fast engine runs "
        "replications on all cores (`BTI_ENGINE_THREADS`), the ciw engine on one.",
    ]
    from engine import cold_start_benchmarks

    lines += ["", *cold_start_benchmarks()]
    # The served dashboard: slider answers, first render, 20 concurrent sessions.
    from dashboard import dashboard_benchmarks

    lines += ["", *dashboard_benchmarks(work)]
    # The collaboration map's first view (the small-cell audit), in fresh processes.
    from collaboration import collaboration_benchmarks

    lines += ["", *collaboration_benchmarks()]

    # Sweeps on Dask: the national sweep on 2 and 1 workers, and the 32-worker projection.
    from sweep import sweep_benchmarks

    lines += ["", *sweep_benchmarks(int(os.environ.get("BTI_SWEEP_REPEATS", "3")))]
    (REPO / "BENCHMARKS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
