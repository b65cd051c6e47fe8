"""Running scenarios: one entry point for both engines, option comparisons, result files."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from bti_workbench._util.atomic import write_atomically
from bti_workbench.simulation.analysis import (
    paired_differences,
    seasonal_period,
    summarise,
    warmup_weeks,
)
from bti_workbench.simulation.engines.fast import FlowResult, simulate_fast
from bti_workbench.simulation.scenario.parse import Scenario, load_scenario

__all__ = ["ENGINES", "compare_options", "simulate", "write_results"]

ENGINES = ("fast", "ciw")


def simulate(
    scenario: Scenario,
    replications: int = 100,
    seed: int = 1,
    engine: str = "fast",
    progress: Callable[[int, int], None] | None = None,
) -> FlowResult:
    """Run a scenario with the chosen engine.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> result = simulate(s, replications=5, seed=1)
    >>> sorted(result.levels["level"].unique().tolist())
    [0, 1, 2, 3]
    """
    if engine == "fast":
        return simulate_fast(scenario, replications, seed, progress)
    if engine == "ciw":
        from bti_workbench.simulation.engines.ciw import simulate_ciw

        return simulate_ciw(scenario, replications, seed, progress)
    raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")


def write_results(
    result: FlowResult, path: str | Path, scenario: Scenario, *, seed: int, warmup: int
) -> list[Path]:
    """Write a run: ``path`` (levels, long format) and files beside it.

    ``NAME.parquet`` holds ``replication, week, level, active, waiting``; beside it
    ``NAME.services.parquet`` (load per service and week), ``NAME.queues.parquet``,
    ``NAME.exits.parquet``, ``NAME.summary.parquet`` (one row per replication, costs
    included), ``NAME.cases.parquet`` (ciw only) and ``NAME.json`` (what was run). Each file
    is written whole or not at all.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stem = path.with_suffix("")
    tables = {
        path: result.levels,
        stem.with_suffix(".services.parquet"): result.services,
        stem.with_suffix(".queues.parquet"): result.queues,
        stem.with_suffix(".exits.parquet"): result.exits,
        stem.with_suffix(".summary.parquet"): summarise(result, scenario, warmup).reset_index(),
    }
    if result.cases is not None:
        tables[stem.with_suffix(".cases.parquet")] = result.cases
    written = []
    for target, frame in tables.items():
        write_atomically(target, lambda p, frame=frame: frame.to_parquet(p, index=False))
        written.append(target)
    meta = {
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "options": list(scenario.options),
        "overrides": scenario.overrides,
        "engine": result.engine,
        "replications": int(result.levels["replication"].nunique()),
        "seed": seed,
        "horizon_weeks": scenario.horizon_weeks,
        "time_step_weeks": scenario.time_step_weeks,
        "warmup_weeks": warmup,
        "synthetic": True,
        "note": "Simulated from the scenario's assumptions, not case data.",
    }
    info = stem.with_suffix(".json")
    text = json.dumps(meta, indent=2, ensure_ascii=False)
    write_atomically(info, lambda p: Path(p).write_text(text, encoding="utf-8"))
    written.append(info)
    return written


def compare_options(
    path: str | Path,
    options: Sequence[str],
    replications: int = 100,
    seed: int = 1,
    engine: str = "fast",
    warmup: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Compare organisation options with the scenario as it is, on common random numbers.

    Every option (``"a"`` or a combination ``"a+b"``) runs with the same seed as the
    baseline, so replication r of each shares its arrivals; differences are paired.

    Parameters
    ----------
    path : str or pathlib.Path
        The scenario file.
    options : sequence of str
    replications, seed, engine
    warmup : int, optional
        Weeks left out at the start; by default MSER-5 on the baseline.
    progress : callable, optional
        Called with the name of each run as it starts.

    Returns
    -------
    pandas.DataFrame
        Long format: ``option, metric, mean, difference, low, high`` (difference from the
        baseline with its 95 % paired confidence interval; empty for the baseline), with
        ``attrs["warmup_weeks"]``.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> table = compare_options(data_dir() / "scenarios" / "sirdal.yaml",
    ...                         ["trial_cap_one_log"], replications=10)
    >>> table["option"].unique().tolist()
    ['baseline', 'trial_cap_one_log']
    """
    runs = {"baseline": ()}
    for name in options:
        runs[name] = tuple(part for part in name.split("+") if part)
    scenarios = {name: load_scenario(path, chosen) for name, chosen in runs.items()}
    summaries = {}
    for name, scenario in scenarios.items():
        if progress is not None:
            progress(name)
        result = simulate(scenario, replications, seed, engine)
        if warmup is None:
            warmup = warmup_weeks(result.levels, seasonal_period(scenario))
        summaries[name] = summarise(result, scenario, warmup)
    base = summaries["baseline"]
    rows = []
    for name, table in summaries.items():
        means = table.mean()
        diffs = paired_differences(base, table) if name != "baseline" else None
        for metric, value in means.items():
            row = {"option": name, "metric": metric, "mean": float(value)}
            if diffs is not None and metric in diffs.index:
                row.update(diffs.loc[metric, ["difference", "low", "high"]].to_dict())
            rows.append(row)
    out = pd.DataFrame(rows, columns=["option", "metric", "mean", "difference", "low", "high"])
    out.attrs["warmup_weeks"] = warmup
    return out
