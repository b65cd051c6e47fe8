"""What a sweep's results say: means per task and paired differences between options."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from bti_workbench.errors import SweepError
from bti_workbench.simulation.scenario.document import BASELINE
from bti_workbench.simulation.sweep.plan import TASK_COLUMNS

__all__ = ["option_effects", "sweep_means"]


def _metrics(results: pd.DataFrame) -> list[str]:
    """The metric columns of a sweep's results: neither task columns nor settings."""
    skip = set(TASK_COLUMNS)
    return [c for c in results.columns if c not in skip and not c.startswith("param.")]


def sweep_means(results: pd.DataFrame, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean of each metric per task with a 95 % t interval across replications.

    Parameters
    ----------
    results : pandas.DataFrame
        From :func:`~bti_workbench.simulation.sweep.files.read_sweep`.
    metrics : sequence of str, optional
        The metric columns to summarise; all of them by default.

    Returns
    -------
    pandas.DataFrame
        A long table: the task columns, the ``param.*`` columns, ``metric, mean, low, high,
        replications`` and ``per_1000`` (the mean per 1 000 children for case counts,
        ``active.L`` and ``waiting.L``; empty for other metrics).

    See Also
    --------
    option_effects : paired differences between options.

    Examples
    --------
    >>> frame = pd.DataFrame({"task": 0, "kommunenummer": "4228", "municipality": "Sirdal",
    ...     "children": 500, "option": "baseline", "point": 0, "seed": 7,
    ...     "replication": [0, 1, 2], "active.1": [2.0, 3.0, 4.0]})
    >>> sweep_means(frame)[["metric", "mean", "per_1000"]].values.tolist()
    [['active.1', 3.0, 6.0]]
    """
    metrics = list(metrics) if metrics is not None else _metrics(results)
    keys = [c for c in TASK_COLUMNS if c != "replication"]
    keys += [c for c in results.columns if c.startswith("param.")]
    long = results.melt(id_vars=[*keys, "replication"], value_vars=metrics, var_name="metric")
    grouped = long.dropna(subset=["value"]).groupby([*keys, "metric"], sort=False)["value"]
    table = grouped.agg(["mean", "std", "count"]).reset_index()
    t = stats.t.ppf(0.975, (table["count"] - 1).clip(lower=1))
    half = np.where(table["count"] > 1, t * table["std"] / np.sqrt(table["count"]), np.nan)
    table["low"] = table["mean"] - half
    table["high"] = table["mean"] + half
    counts = table["metric"].str.match(r"^(active|waiting)\.\d$")
    table["per_1000"] = np.where(counts, table["mean"] / table["children"] * 1000, np.nan)
    table = table.rename(columns={"count": "replications"}).drop(columns="std")
    return table.sort_values(["task", "metric"], ignore_index=True)


def option_effects(results: pd.DataFrame, metric: str, base: str = BASELINE) -> pd.DataFrame:
    """Paired difference of a metric between each option and ``base``, per municipality.

    Replication r of every option of a municipality shares its seed (common random
    numbers), so differences are taken replication by replication with a 95 % t interval.

    Parameters
    ----------
    results : pandas.DataFrame
        From :func:`~bti_workbench.simulation.sweep.files.read_sweep`.
    metric : str
        The metric column, e.g. ``wait.1``.
    base : str
        The option the others are compared with.

    Returns
    -------
    pandas.DataFrame
        ``kommunenummer, municipality, children, point, option, base, difference, low, high,
        pairs``.

    Raises
    ------
    SweepError
        When ``base`` is not an option of the sweep.

    See Also
    --------
    sweep_means : means per task.
    bti_workbench.simulation.analysis.paired_differences : the same for two runs.
    """
    if base not in set(results["option"]):
        raise SweepError(f"option {base!r} is not in the sweep")
    keys = ["kommunenummer", "municipality", "children", "point", "replication"]
    wide = results.pivot_table(index=keys, columns="option", values=metric, aggfunc="first")
    rows = []
    for option in [o for o in wide.columns if o != base]:
        diff = (wide[option] - wide[base]).dropna().rename("d").reset_index()
        stats_ = diff.groupby(keys[:-1])["d"].agg(["mean", "std", "count"]).reset_index()
        t = stats.t.ppf(0.975, (stats_["count"] - 1).clip(lower=1))
        half = np.where(stats_["count"] > 1, t * stats_["std"] / np.sqrt(stats_["count"]), np.nan)
        stats_["low"], stats_["high"] = stats_["mean"] - half, stats_["mean"] + half
        stats_["option"], stats_["base"] = option, base
        rows.append(stats_)
    if not rows:
        return pd.DataFrame(
            columns=[*keys[:-1], "option", "base", "difference", "low", "high", "pairs"]
        )
    table = pd.concat(rows, ignore_index=True).rename(
        columns={"mean": "difference", "count": "pairs"}
    )
    columns = [*keys[:-1], "option", "base", "difference", "low", "high", "pairs"]
    return table[columns].sort_values(["option", "children", "point"], ignore_index=True)
