"""Summaries of simulation output: bands across replications, warm-up and replication advice."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["bands", "mser5", "replications_needed"]


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
