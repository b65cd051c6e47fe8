"""Summaries of simulation output: bands across replications, warm-up and replication advice."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "FlowArrays",
    "bands",
    "flow_arrays",
    "littles_law",
    "mser5",
    "paired_differences",
    "replications_needed",
    "seasonal_period",
    "summarise",
    "warmup_weeks",
]


def bands(levels: pd.DataFrame, measure: str = "active") -> pd.DataFrame:
    """P10, P50 and P90 of a measure across replications, per week and level.

    Parameters
    ----------
    levels : pandas.DataFrame
        Long format with ``replication, week, level`` and the measure.
    measure : str
        ``active`` or ``waiting`` (or any numeric column).

    Examples
    --------
    >>> frame = pd.DataFrame({"replication": [0, 1, 2], "week": 1, "level": 0,
    ...                       "active": [1, 2, 3]})
    >>> bands(frame)[["p10", "p50", "p90"]].values.tolist()
    [[1.2, 2.0, 2.8]]
    """
    grouped = levels.groupby(["week", "level"])[measure]
    out = grouped.quantile([0.1, 0.5, 0.9]).unstack()
    out.columns = ["p10", "p50", "p90"]
    return out.reset_index()


def mser5(series: np.ndarray | pd.Series) -> int:
    """Warm-up length by MSER-5: how many observations to drop from the start.

    The series is cut into batches of five; the truncation point minimises the squared
    standard error of the mean of what remains, searched over the first half only (White,
    1997). Returns the number of observations to drop.

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


def warmup_weeks(levels: pd.DataFrame, period: int | None = None) -> int:
    """Weeks to drop as warm-up: MSER-5 on the mean over replications of the cases at each
    level (active plus waiting), the longest over levels.

    With a seasonal pattern (``period`` weeks, e.g. 52), the mean of each week of the
    period is taken out first, so the summer dip is not mistaken for a warm-up.

    Examples
    --------
    >>> weeks = np.arange(1, 201)
    >>> frame = pd.DataFrame({"replication": 0, "week": weeks, "level": 0,
    ...                       "active": np.minimum(weeks, 50), "waiting": 0})
    >>> 40 <= warmup_weeks(frame) <= 55
    True
    """
    total = levels.assign(cases=levels["active"] + levels["waiting"])
    mean = total.groupby(["level", "week"])["cases"].mean()
    cut = 0
    for _, series in mean.groupby(level="level"):
        values = series.to_numpy(dtype=float)
        if period and len(values) >= 2 * period:
            phase = np.arange(len(values)) % period
            profile = pd.Series(values).groupby(phase).transform("mean").to_numpy()
            values = values - profile + values.mean()
        if len(values) >= 20:
            cut = max(cut, mser5(values))
    return int(cut)


def seasonal_period(scenario) -> int | None:
    """52 when the scenario's arrivals change over the year, else None."""
    weekly = scenario.arrivals.weekly
    return 52 if np.ptp(weekly, axis=0).max() > 1e-12 else None


@dataclass(frozen=True)
class FlowArrays:
    """A run's weekly figures as arrays, what :func:`summarise` works on.

    ``active``, ``waiting``, ``wait_weeks`` and ``entered`` are (replications, weeks, 4);
    ``demanded`` and ``available`` (hours per week) are (replications, weeks, services),
    ``available`` NaN where a service's hours are unlimited.
    """

    replications: np.ndarray
    weeks: np.ndarray
    active: np.ndarray
    waiting: np.ndarray
    wait_weeks: np.ndarray
    entered: np.ndarray
    services: tuple[str, ...]
    demanded: np.ndarray
    available: np.ndarray


def _cube(frame: pd.DataFrame, inner: str, inner_values, columns: list[str]) -> list[np.ndarray]:
    """Columns of a long frame as (replications, weeks, inner) arrays; the frame must hold
    every combination once. Frames in (replication, week) order with the inner values in a
    fixed order (as the engines write them) are reshaped; others are placed row by row."""
    rep = frame["replication"].to_numpy()
    week = frame["week"].to_numpy()
    reps, weeks = np.sort(pd.unique(rep)), np.sort(pd.unique(week))
    inner_values = list(inner_values)
    codes, uniques = pd.factorize(frame[inner], sort=False)
    position = {v: k for k, v in enumerate(inner_values)}
    if len(uniques) != len(inner_values) or any(v not in position for v in uniques):
        raise ValueError(f"expected the {inner} values {inner_values}")
    where = np.array([position[v] for v in uniques], dtype=np.int64)
    shape = (len(reps), len(weeks), len(inner_values))
    size = int(np.prod(shape))
    if len(frame) != size:
        raise ValueError(f"expected one row per replication, week and {inner}")
    ordered = (
        size > 0
        and np.array_equal(rep, np.repeat(reps, shape[1] * shape[2]))
        and np.array_equal(week, np.tile(np.repeat(weeks, shape[2]), shape[0]))
        and np.array_equal(codes, np.tile(np.arange(shape[2]), shape[0] * shape[1]))
    )
    if ordered:
        order = np.argsort(where)  # the frame's inner order → inner_values' order
        return [frame[c].to_numpy().reshape(shape)[:, :, order].copy() for c in columns]
    flat = (np.searchsorted(reps, rep) * shape[1] + np.searchsorted(weeks, week)) * shape[
        2
    ] + where[codes]
    if len(pd.unique(flat)) != len(frame):
        raise ValueError(f"expected one row per replication, week and {inner}")
    out = []
    for column in columns:
        cube = np.empty(size, dtype=frame[column].to_numpy().dtype)
        cube[flat] = frame[column].to_numpy()
        out.append(cube.reshape(shape))
    return out


def flow_arrays(result) -> FlowArrays:
    """The arrays of a :class:`~bti_workbench.simulation.engines.fast.FlowResult` (either engine)."""
    levels = result.levels
    active, waiting = _cube(levels, "level", range(4), ["active", "waiting"])
    wait_weeks, entered = _cube(result.queues, "level", range(4), ["wait_weeks", "entered"])
    services = tuple(sorted(result.services["service"].unique()))
    if services:
        demanded, available = _cube(
            result.services, "service", services, ["hours_demanded", "hours_available"]
        )
    else:
        demanded = available = np.zeros((*active.shape[:2], 0))
    return FlowArrays(
        np.sort(pd.unique(levels["replication"].to_numpy())),
        np.sort(pd.unique(levels["week"].to_numpy())),
        active,
        waiting,
        wait_weeks,
        entered,
        services,
        demanded,
        available,
    )


def summarise(result, scenario, warmup: int = 0) -> pd.DataFrame:
    """One row per replication with the figures options are compared on.

    Columns: ``active.L`` and ``waiting.L`` (mean cases per week at level L), ``wait.L``
    (mean weeks a case waited to start at level L), ``utilisation.SERVICE`` (mean hours
    demanded / hours available; services with unlimited hours have none), ``cost.case_work``
    and ``cost.total`` (NOK per year; total adds the organisation's groups and posts). Weeks
    up to ``warmup`` are left out. ``result`` is a FlowResult or its :class:`FlowArrays`.
    """
    from bti_workbench.simulation.costs import WEEKS_PER_YEAR, organisation_cost
    from bti_workbench.simulation.model import compile_model

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


def littles_law(result) -> pd.DataFrame:
    """Little's law, L = λW, per replication and level of a run.

    ``L`` is the mean number of cases at the level (active plus waiting) over the weekly
    counts; ``lambda_W`` is the arrival rate (entered per week) times the mean time a case
    spent there (its stay plus its wait), i.e. the case-weeks recorded case by case divided
    by the weeks. Both engines should make them agree up to edge effects at the start and
    the end of the horizon.

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
