"""Running scenarios: one entry point for both engines, option comparisons, result files.

The usual path is :func:`~bti_workbench.simulation.scenario.parse.load_scenario` →
:func:`simulate` → :func:`~bti_workbench.simulation.analysis.summarise`;
:func:`compare_options` runs a scenario and its organisation options on common random numbers
(the dashboard's load page and ``bti compare`` both call it), and :func:`write_results`
writes a run to Parquet files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from bti_workbench._util.atomic import write_atomically
from bti_workbench.simulation.analysis import (
    paired_differences,
    seasonal_period,
    summarise,
    warmup_weeks,
)
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.engines.versions import ENGINE_VERSIONS, provenance
from bti_workbench.simulation.output import FlowResult
from bti_workbench.simulation.scenario.document import BASELINE, option_parts
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.scenario.types import Scenario

__all__ = ["ENGINES", "compare_options", "simulate", "write_results"]

#: The engines :func:`simulate` runs: ``fast`` (time-stepped arrays) and ``ciw`` (per case).
ENGINES = tuple(ENGINE_VERSIONS)
_COMPARISON_COLUMNS = ["option", "metric", "mean", "difference", "low", "high"]


# --- simulate -----------------------------------------------------------------------------------


def simulate(
    scenario: Scenario,
    replications: int = 100,
    seed: int = 1,
    engine: str = "fast",
    progress: Callable[[int, int], None] | None = None,
) -> FlowResult:
    """Run a scenario with the chosen engine.

    Parameters
    ----------
    scenario : Scenario
        A checked scenario (:func:`~bti_workbench.simulation.scenario.parse.load_scenario`).
    replications : int, default 100
        Independent runs; replication r draws from its own stream of ``seed``.
    seed : int, default 1
        The same seed gives the same numbers, and options run with one seed share their
        arrivals (common random numbers).
    engine : {"fast", "ciw"}
        ``fast`` is the compiled engine; ``ciw``, the independent reference, is built on the
        Ciw library, is some hundred times slower and also returns per-case detail. Both
        follow every case in continuous time.
    progress : callable, optional
        Called as ``progress(replications_done, replications)`` while the engine runs.

    Returns
    -------
    FlowResult
        Long tables of levels, services, queues and exits per replication and week.

    Raises
    ------
    ValueError
        For an engine not in :data:`ENGINES`.

    See Also
    --------
    compare_options : Run a scenario and its options on common random numbers.
    write_results : Write a run to Parquet files.
    bti_workbench.simulation.analysis.summarise : One row per replication.

    Examples
    --------
    >>> from bti_workbench import data_dir
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


# --- write_results ------------------------------------------------------------------------------


def _result_tables(
    result: FlowResult, path: Path, scenario: Scenario, warmup: int
) -> dict[Path, pd.DataFrame]:
    """Each file of a run and the table it holds."""
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
    return tables


def _run_metadata(result: FlowResult, scenario: Scenario, seed: int, warmup: int) -> dict:
    """What was run, and which code made its numbers, for ``NAME.json``."""
    return {
        **provenance(result.engine),
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "options": list(scenario.options),
        "overrides": scenario.overrides,
        "replications": int(result.levels["replication"].nunique()),
        "seed": seed,
        "horizon_weeks": scenario.horizon_weeks,
        "warmup_weeks": warmup,
        "synthetic": True,
        "note": "Simulated from the scenario's assumptions, not case data.",
    }


def _write_tables(tables: dict[Path, pd.DataFrame]) -> list[Path]:
    for target, frame in tables.items():
        write_atomically(target, lambda p, frame=frame: frame.to_parquet(p, index=False))
    return list(tables)


def _write_metadata(target: Path, meta: dict) -> Path:
    text = json.dumps(meta, indent=2, ensure_ascii=False)
    write_atomically(target, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return target


def write_results(
    result: FlowResult, path: str | Path, scenario: Scenario, *, seed: int, warmup: int
) -> list[Path]:
    """Write a run: ``path`` (levels, long format) and files beside it.

    ``NAME.parquet`` holds ``replication, week, level, active, waiting``; beside it
    ``NAME.services.parquet`` (load per service and week), ``NAME.queues.parquet``,
    ``NAME.exits.parquet``, ``NAME.summary.parquet`` (one row per replication, costs
    included), ``NAME.cases.parquet`` (ciw only) and ``NAME.json`` (what was run, with the
    workbench's version, the engine and its version:
    :func:`~bti_workbench.simulation.engines.versions.provenance`). Each file is written whole
    or not at all.

    Parameters
    ----------
    result : FlowResult
        The run (:func:`simulate`).
    path : str or pathlib.Path
        The levels file, ``NAME.parquet``; its folder is created.
    scenario : Scenario
        The scenario that was run.
    seed : int
        The seed it was run with (recorded).
    warmup : int
        Weeks left out of the summary at the start.

    Returns
    -------
    list of pathlib.Path
        The files written, the levels file first and ``NAME.json`` last.

    See Also
    --------
    simulate : Produce the run.
    bti_workbench.simulation.analysis.summarise : The summary table.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = _write_tables(_result_tables(result, path, scenario, warmup))
    meta = _run_metadata(result, scenario, seed, warmup)
    written.append(_write_metadata(path.with_suffix("").with_suffix(".json"), meta))
    return written


# --- compare_options ----------------------------------------------------------------------------


def _option_scenarios(
    path: str | Path, options: Sequence[str], overrides: Mapping | None
) -> dict[str, Scenario]:
    """The baseline and every option (``"a+b"`` combines), all loaded before any runs."""
    runs = {BASELINE: (), **{name: option_parts(name) for name in options}}
    return {name: load_scenario(path, chosen, overrides) for name, chosen in runs.items()}


def _summarise_runs(
    scenarios: dict[str, Scenario],
    replications: int,
    seed: int,
    engine: str,
    warmup: int | None,
    progress: Callable[[str], None] | None,
    on_run: Callable[[str, Scenario, FlowResult, pd.DataFrame], None] | None,
) -> tuple[dict[str, pd.DataFrame], int]:
    """Simulate each scenario with one seed; the warm-up (MSER-5) comes from the first."""
    summaries = {}
    for name, scenario in scenarios.items():
        if progress is not None:
            progress(name)
        result = simulate(scenario, replications, seed, engine)
        if warmup is None:
            warmup = warmup_weeks(result, seasonal_period(scenario))
        summaries[name] = summarise(result, scenario, warmup)
        if on_run is not None:
            on_run(name, scenario, result, summaries[name])
    return summaries, warmup


def _comparison_table(summaries: dict[str, pd.DataFrame], warmup: int) -> pd.DataFrame:
    """Long table: each option's means and paired differences from the baseline."""
    base = summaries[BASELINE]
    rows = []
    for name, table in summaries.items():
        diffs = paired_differences(base, table) if name != BASELINE else None
        for metric, value in table.mean().items():
            row = {"option": name, "metric": metric, "mean": float(value)}
            if diffs is not None and metric in diffs.index:
                row.update(diffs.loc[metric, ["difference", "low", "high"]].to_dict())
            rows.append(row)
    out = pd.DataFrame(rows, columns=_COMPARISON_COLUMNS)
    out.attrs["warmup_weeks"] = warmup
    return out


def compare_options(
    path: str | Path,
    options: Sequence[str],
    replications: int = 100,
    seed: int = 1,
    engine: str = "fast",
    warmup: int | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    overrides: Mapping | None = None,
    on_run: Callable[[str, Scenario, FlowResult, pd.DataFrame], None] | None = None,
) -> pd.DataFrame:
    """Compare organisation options with the scenario as it is, on common random numbers.

    Every option (``"a"`` or a combination ``"a+b"``) runs with the same seed as the
    baseline, so replication r of each shares its arrivals; differences are paired. Every
    scenario is loaded (and checked) before anything runs.

    Parameters
    ----------
    path : str or pathlib.Path
        The scenario file.
    options : sequence of str
        Options to compare; ``"a+b"`` applies ``a`` then ``b``
        (:func:`~bti_workbench.simulation.scenario.document.option_parts`).
    replications : int, default 100
        Replications per run.
    seed : int, default 1
        One seed for every run (common random numbers).
    engine : {"fast", "ciw"}
        The engine (:func:`simulate`).
    warmup : int, optional
        Weeks left out at the start; by default MSER-5 on the baseline.
    progress : callable, optional
        Called with the name of each run as it starts.
    overrides : mapping, optional
        Changes merged into the baseline and every option after the options, e.g. slider
        positions or ``{"municipality": "1820"}``
        (:func:`~bti_workbench.simulation.scenario.parse.load_scenario`).
    on_run : callable, optional
        Called as ``on_run(name, scenario, result, summary)`` after each run, the baseline
        first, for a caller that needs more than the table (the dashboard keeps the
        baseline's result for its figures and each option's costs). ``summary`` is
        :func:`~bti_workbench.simulation.analysis.summarise` after the warm-up.

    Returns
    -------
    pandas.DataFrame
        Long format: ``option, metric, mean, difference, low, high`` (difference from the
        baseline with its 95 % paired confidence interval; empty for the baseline), with
        ``attrs["warmup_weeks"]``.

    Raises
    ------
    ScenarioError
        For an unknown option or one that breaks the scenario; nothing runs.

    See Also
    --------
    simulate : One run.
    bti_workbench.simulation.analysis.paired_differences : The paired intervals.
    bti_workbench.dashboard.load.load_view : The load page, built on this.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> table = compare_options(data_dir() / "scenarios" / "sirdal.yaml",
    ...                         ["trial_cap_one_log"], replications=10)
    >>> table["option"].unique().tolist()
    ['baseline', 'trial_cap_one_log']
    """
    scenarios = _option_scenarios(path, options, overrides)
    summaries, warmup = _summarise_runs(
        scenarios, replications, seed, engine, warmup, progress, on_run
    )
    return _comparison_table(summaries, warmup)
