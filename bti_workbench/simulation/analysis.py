"""Summaries of simulation output: bands across replications, warm-up and replication advice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from bti_workbench.simulation.costs import organisation_cost
from bti_workbench.simulation.model import compile_model
from bti_workbench.simulation.output import FlowArrays, FlowResult, flow_arrays
from bti_workbench.simulation.scenario.types import WEEKS_PER_YEAR, Scenario

__all__ = [
    "bands",
    "littles_law",
    "mser5",
    "paired_differences",
    "replications_needed",
    "seasonal_period",
    "summarise",
    "warmup_weeks",
]


def bands(levels: FlowResult | FlowArrays | pd.DataFrame, measure: str = "active") -> pd.DataFrame:
    """P10, P50 and P90 of a measure across replications, per week and level.

    Parameters
    ----------
    levels : FlowResult, FlowArrays or pandas.DataFrame
        A run (read from its arrays, without building its tables), or a long table with
        ``replication, week, level`` and the measure.
    measure : str
        ``active``, ``waiting`` or ``cases`` (the two together) for a run; any numeric
        column of a table.

    Returns
    -------
    pandas.DataFrame
        ``week, level, p10, p50, p90``.

    See Also
    --------
    bti_workbench.simulation.figures.simulated_cases_figure : draws them.

    Examples
    --------
    >>> frame = pd.DataFrame({"replication": [0, 1, 2], "week": 1, "level": 0,
    ...                       "active": [1, 2, 3]})
    >>> bands(frame)[["p10", "p50", "p90"]].values.tolist()
    [[1.2, 2.0, 2.8]]
    """
    if not isinstance(levels, pd.DataFrame):
        return _array_bands(levels, measure)
    grouped = levels.groupby(["week", "level"])[measure]
    out = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    out.columns = ["p10", "p50", "p90"]
    return out.reset_index()


def _array_bands(run: FlowResult | FlowArrays, measure: str) -> pd.DataFrame:
    """:func:`bands` of a run, from its (replications, weeks, levels) arrays."""
    arrays = run if isinstance(run, FlowArrays) else flow_arrays(run)
    values = arrays.active + arrays.waiting if measure == "cases" else getattr(arrays, measure)
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0)  # (weeks, levels) each
    weeks, levels = values.shape[1:]
    return pd.DataFrame(
        {
            "week": np.repeat(arrays.weeks, levels),
            "level": np.tile(np.arange(levels), weeks),
            "p10": p10.ravel(),
            "p50": p50.ravel(),
            "p90": p90.ravel(),
        }
    )


def mser5(series: np.ndarray | pd.Series) -> int:
    """Warm-up length by MSER-5: how many observations to drop from the start.

    The series is cut into batches of five; the truncation point minimises the squared
    standard error of the mean of what remains, searched over the first half only (White,
    1997).

    Parameters
    ----------
    series : numpy.ndarray or pandas.Series
        At least 20 observations, in time order.

    Returns
    -------
    int
        The number of observations to drop (a multiple of five).

    Raises
    ------
    ValueError
        For fewer than 20 observations.

    See Also
    --------
    warmup_weeks : MSER-5 on a run's weekly counts.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> warm = np.concatenate([np.linspace(0, 10, 50), 10 + rng.normal(0, 1, 450)])
    >>> 40 <= mser5(warm) <= 60
    True
    """
    values = np.asarray(series, dtype=float)
    n_batches = len(values) // 5
    if n_batches < 4:
        raise ValueError("MSER-5 needs at least 20 observations")
    batches = values[: n_batches * 5].reshape(n_batches, 5).mean(axis=1)
    best, best_d = math.inf, 0
    for d in range(n_batches // 2):
        rest = batches[d:]
        statistic = rest.var() / len(rest)  # Σ(x - mean)² / (n - d)²
        if statistic < best:
            best, best_d = statistic, d
    return best_d * 5


def replications_needed(
    per_replication: np.ndarray | pd.Series, half_width: float, confidence: float = 0.95
) -> int:
    """Replications for a confidence interval of the mean no wider than ± ``half_width``.

    Uses the spread of a pilot run: n = ⌈(t·s / h)²⌉ with t from Student's t at the pilot's
    degrees of freedom.

    Parameters
    ----------
    per_replication : numpy.ndarray or pandas.Series
        One value per replication of a pilot run (at least two).
    half_width : float
        The largest half-width wanted, in the values' unit.
    confidence : float
        The confidence level of the interval.

    Returns
    -------
    int
        Replications needed, at least the pilot's.

    Raises
    ------
    ValueError
        For a pilot of fewer than two replications or a half-width that is not positive.

    Examples
    --------
    >>> replications_needed(np.array([10.0, 12.0, 8.0, 11.0, 9.0]), half_width=0.5)
    78
    """
    values = np.asarray(per_replication, dtype=float)
    if len(values) < 2:
        raise ValueError("a pilot of at least two replications is needed")
    if half_width <= 0:
        raise ValueError("half_width must be positive")
    t = stats.t.ppf(0.5 + confidence / 2, len(values) - 1)
    return max(len(values), math.ceil((t * values.std(ddof=1) / half_width) ** 2))


def _mean_cases_by_level(levels: FlowResult | FlowArrays | pd.DataFrame) -> list[np.ndarray]:
    """Per level, the mean over replications of the cases (active plus waiting) by week."""
    if isinstance(levels, pd.DataFrame):
        total = levels.assign(cases=levels["active"] + levels["waiting"])
        mean = total.groupby(["level", "week"])["cases"].mean()
        return [series.to_numpy(dtype=float) for _, series in mean.groupby(level="level")]
    arrays = levels if isinstance(levels, FlowArrays) else flow_arrays(levels)
    mean = (arrays.active + arrays.waiting).mean(axis=0)  # (weeks, 4)
    return [mean[:, level].astype(float) for level in range(mean.shape[1])]


def warmup_weeks(levels: FlowResult | FlowArrays | pd.DataFrame, period: int | None = None) -> int:
    """Weeks to drop as warm-up: MSER-5 on the mean over replications of the cases at each
    level (active plus waiting), the longest over levels.

    With a seasonal pattern (``period`` weeks, e.g. 52), the mean of each week of the
    period is taken out first, so the summer dip is not mistaken for a warm-up.

    Parameters
    ----------
    levels : FlowResult, FlowArrays or pandas.DataFrame
        A run (read from its arrays, without building its tables), or its
        :attr:`~bti_workbench.simulation.output.FlowResult.levels` table.
    period : int, optional
        The seasonal period in weeks (:func:`seasonal_period`).

    Returns
    -------
    int
        Weeks to leave out (0 for series shorter than 20 weeks).

    See Also
    --------
    mser5 : the rule applied to each level.
    summarise : takes the weeks to leave out.

    Examples
    --------
    >>> weeks = np.arange(1, 201)
    >>> frame = pd.DataFrame({"replication": 0, "week": weeks, "level": 0,
    ...                       "active": np.minimum(weeks, 50), "waiting": 0})
    >>> 40 <= warmup_weeks(frame) <= 55
    True
    """
    cut = 0
    for values in _mean_cases_by_level(levels):
        if period and len(values) >= 2 * period:
            phase = np.arange(len(values)) % period
            profile = pd.Series(values).groupby(phase).transform("mean").to_numpy()
            values = values - profile + values.mean()
        if len(values) >= 20:
            cut = max(cut, mser5(values))
    return int(cut)


def seasonal_period(scenario: Scenario) -> int | None:
    """The seasonal period of a scenario's arrivals, for :func:`warmup_weeks`.

    Parameters
    ----------
    scenario : Scenario
        A parsed scenario.

    Returns
    -------
    int or None
        52 when the arrivals change over the year, else None.
    """
    weekly = scenario.arrivals.weekly
    return 52 if np.ptp(weekly, axis=0).max() > 1e-12 else None


def summarise(result: FlowResult | FlowArrays, scenario: Scenario, warmup: int = 0) -> pd.DataFrame:
    """One row per replication with the figures options are compared on.

    Parameters
    ----------
    result : FlowResult or FlowArrays
        A run of either engine, or its weekly arrays
        (:func:`~bti_workbench.simulation.output.flow_arrays`).
    scenario : Scenario
        The scenario that was run (for its costs).
    warmup : int
        Weeks up to this one are left out.

    Returns
    -------
    pandas.DataFrame
        Index ``replication``. Columns: ``active.L`` and ``waiting.L`` (mean cases per week
        at level L), ``wait.L`` (mean weeks a case waited to start at level L),
        ``utilisation.SERVICE`` (mean hours demanded / hours available; services with
        unlimited hours have none), ``cost.case_work`` and ``cost.total`` (NOK per year;
        total adds the organisation's groups and posts; only with costs in the scenario).

    Raises
    ------
    ValueError
        When a table of ``result`` misses a row or holds one twice.

    See Also
    --------
    paired_differences : compare two summaries of runs with the same seed.
    warmup_weeks : how many weeks to leave out.
    """
    arrays = result if isinstance(result, FlowArrays) else flow_arrays(result)
    keep = arrays.weeks > warmup
    out: dict[str, np.ndarray] = {}
    active = arrays.active[:, keep]
    for measure, cube in (("active", active), ("waiting", arrays.waiting[:, keep])):
        means = cube.mean(axis=1)
        for level in range(4):
            out[f"{measure}.{level}"] = means[:, level]
    entered = arrays.entered[:, keep].sum(axis=1)
    waited = arrays.wait_weeks[:, keep].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(entered > 0, waited / np.where(entered > 0, entered, 1), np.nan)
    for level in range(1, 4):
        out[f"wait.{level}"] = wait[:, level]
    demanded = arrays.demanded[:, keep]
    available = arrays.available[:, keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        use = np.where(np.isfinite(available), demanded / available, np.nan)
    counted = np.isfinite(use).sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean_use = np.where(counted > 0, np.nansum(use, axis=1) / np.maximum(counted, 1), np.nan)
    for k, name in enumerate(arrays.services):
        if counted[:, k].any():
            out[f"utilisation.{name}"] = mean_use[:, k]
    frame = pd.DataFrame(out, index=pd.Index(arrays.replications, name="replication"))
    if scenario.costs is not None:
        weeks = int(keep.sum())
        other = active.sum(axis=1) @ compile_model(scenario).other_meeting_hours
        hours = (demanded.sum(axis=(1, 2)) + other) / max(weeks, 1) * WEEKS_PER_YEAR
        work = hours * scenario.costs.hourly_rate_nok
        fixed = float(organisation_cost(scenario)["nok_per_year"].sum())
        frame["cost.case_work"] = work
        frame["cost.total"] = work + fixed
    return frame


def paired_differences(
    base: pd.DataFrame, other: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """Mean difference ``other - base`` per column with a paired t confidence interval.

    Both tables come from :func:`summarise` on runs with the same seed (common random
    numbers), so replication r of one is paired with replication r of the other.

    Parameters
    ----------
    base, other : pandas.DataFrame
        Summaries (:func:`summarise`) of the base and the other run, rows paired by position.
    confidence : float
        The confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        Index ``metric`` (the columns both have); columns ``difference, low, high, pairs``.

    See Also
    --------
    bti_workbench.simulation.run.compare_options : runs options and pairs them.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    >>> b = pd.DataFrame({"x": [1.9, 3.1, 4.0, 5.0]})
    >>> paired_differences(a, b).round(2).values.tolist()
    [[1.0, 0.87, 1.13, 4.0]]
    """
    columns = [c for c in base.columns if c in other.columns]
    rows = []
    for column in columns:
        d = (other[column] - base[column]).dropna()
        n = len(d)
        mean = float(d.mean()) if n else np.nan
        if n >= 2:
            half = stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / math.sqrt(n)
        else:
            half = np.nan
        rows.append((column, mean, mean - half, mean + half, n))
    table = pd.DataFrame(rows, columns=["metric", "difference", "low", "high", "pairs"])
    return table.set_index("metric")


def littles_law(result: FlowResult) -> pd.DataFrame:
    """Little's law, L = λW, per replication and level of a run.

    ``L`` is the mean number of cases at the level (active plus waiting) over the weekly
    counts; ``lambda_W`` is the arrival rate (entered per week) times the mean time a case
    spent there (its stay plus its wait), i.e. the case-weeks recorded case by case divided
    by the weeks. Both engines should make them agree up to edge effects at the start and
    the end of the horizon.

    Parameters
    ----------
    result : FlowResult
        A run of either engine.

    Returns
    -------
    pandas.DataFrame
        Index ``replication, level``; columns ``L``, ``lambda_W``, ``entered``.
    """
    weeks = int(result.levels["week"].max())
    levels = result.levels.assign(n=result.levels["active"] + result.levels["waiting"])
    count = levels.groupby(["replication", "level"])["n"].sum() / weeks
    queues = result.queues.groupby(["replication", "level"])
    case_weeks = queues[["stay_weeks", "wait_weeks"]].sum().sum(axis=1)
    return pd.DataFrame(
        {"L": count, "lambda_W": case_weeks / weeks, "entered": queues["entered"].sum()}
    )
