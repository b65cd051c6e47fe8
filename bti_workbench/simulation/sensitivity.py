"""Sensitivity of simulated load to the scenario's parameters.

Two designs, both run as sweeps (:mod:`bti_workbench.simulation.sweep`) so they scale out on Dask:

* **One at a time** (:func:`oat_points`, :func:`tornado`): each parameter set to its low and
  its high value with the others as in the template. Options and points of a municipality
  share their seed (common random numbers), so each swing is a paired difference with a
  95 % interval. Shown as a tornado chart (:func:`tornado_figure`).
* **Global** (:func:`lhs_points`, :func:`rank_correlations`): a Latin hypercube over all
  ranges at once (``scipy.stats.qmc``), summarised by partial rank correlation coefficients
  (PRCC): the rank correlation of a parameter with the output once the ranks of the other
  parameters are regressed out. It captures monotone, non-linear effects and is not fooled
  by parameters that move together in the design.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bti_workbench._util.figures import OKABE_ITO, TEMPLATE
from bti_workbench._util.numbers import figure_separators, format_number
from bti_workbench.reference.labels import catalogue, label

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "Parameter",
    "lhs_points",
    "oat_points",
    "parameter_name",
    "rank_correlations",
    "rank_display",
    "rank_figure",
    "tornado",
    "tornado_display",
    "tornado_figure",
]

#: Bar colours: the low end (blue), the high end (orange), a rank correlation (bluish green).
_LOW, _HIGH, _RANK = OKABE_ITO[4], OKABE_ITO[0], OKABE_ITO[2]


@dataclass(frozen=True)
class Parameter:
    """A scenario parameter (a dotted key) and the range it is varied over.

    Examples
    --------
    >>> Parameter("levels.1.duration.mean_weeks", 12, 20).values(3)
    [12.0, 16.0, 20.0]
    """

    key: str
    low: float
    high: float
    integer: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low >= self.high:
            raise ValueError(f"{self.key}: the range needs low < high, got {self.low}..{self.high}")

    def at(self, unit: float) -> float | int:
        """The value at a position 0–1 in the range (rounded for an integer parameter)."""
        value = self.low + float(unit) * (self.high - self.low)
        return round(value) if self.integer else float(value)

    def values(self, n: int) -> list:
        """``n`` evenly spaced values from low to high."""
        return [self.at(u) for u in np.linspace(0, 1, n)]


def oat_points(parameters: Sequence[Parameter]) -> tuple[dict, ...]:
    """Grid points for a one-at-a-time design: the template, then each low and high.

    Examples
    --------
    >>> oat_points([Parameter("arrivals.scale", 0.8, 1.2)])
    ({}, {'arrivals.scale': 0.8}, {'arrivals.scale': 1.2})
    """
    _check_unique(parameters)
    points: list[dict] = [{}]
    for p in parameters:
        points += [{p.key: p.at(0)}, {p.key: p.at(1)}]
    return tuple(points)


def lhs_points(parameters: Sequence[Parameter], n: int, seed: int = 1) -> tuple[dict, ...]:
    """Grid points from a Latin hypercube of ``n`` samples over the ranges (seeded).

    Examples
    --------
    >>> points = lhs_points([Parameter("a", 0, 1), Parameter("b", 10, 20)], 4, seed=3)
    >>> sorted(int(p["a"] * 4) for p in points)  # one sample in each quarter of a
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    _check_unique(parameters)
    if n < 2:
        raise ValueError("a Latin hypercube needs at least 2 samples")
    sample = qmc.LatinHypercube(d=len(parameters), seed=np.random.default_rng(seed)).random(n)
    return tuple({p.key: p.at(u) for p, u in zip(parameters, row, strict=True)} for row in sample)


def _check_unique(parameters: Sequence[Parameter]) -> None:
    keys = [p.key for p in parameters]
    if not keys:
        raise ValueError("give at least one parameter")
    if len(set(keys)) != len(keys):
        raise ValueError("a parameter is given twice")


def tornado(results: pd.DataFrame, metric: str, parameters: Sequence[Parameter]) -> pd.DataFrame:
    """One-at-a-time effects of each parameter on a metric, largest swing first.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`~bti_workbench.simulation.sweep.files.read_sweep` of a sweep over
        :func:`oat_points` (one municipality and option).
    metric : str
        A summary metric, e.g. ``active.3`` or ``wait.1``.
    parameters : sequence of Parameter
        The same parameters, in the same order, as given to :func:`oat_points`.

    Returns
    -------
    pandas.DataFrame
        ``parameter, low, high, base_value, at_low, at_high, swing, swing_low, swing_high``:
        the metric's mean at the template, at each end, and the paired difference
        ``at_high - at_low`` with its 95 % interval (same seeds: common random numbers).
    """
    from scipy import stats

    cells = results[["kommunenummer", "option"]].drop_duplicates()
    if len(cells) != 1:
        raise ValueError("a tornado is for one municipality and option; select them first")
    by_point = results.pivot_table(
        index="replication", columns="point", values=metric, aggfunc="first"
    )
    expected = 1 + 2 * len(parameters)
    if sorted(by_point.columns) != list(range(expected)):
        raise ValueError(f"expected the {expected} points of oat_points for these parameters")
    base = float(by_point[0].mean())
    rows = []
    for i, p in enumerate(parameters):
        low, high = by_point[1 + 2 * i], by_point[2 + 2 * i]
        d = (high - low).dropna()
        half = (
            stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
            if len(d) > 1
            else np.nan
        )
        swing = float(d.mean())
        rows.append(
            (
                p.key,
                p.at(0),
                p.at(1),
                base,
                float(low.mean()),
                float(high.mean()),
                swing,
                swing - half,
                swing + half,
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "parameter",
            "low",
            "high",
            "base_value",
            "at_low",
            "at_high",
            "swing",
            "swing_low",
            "swing_high",
        ],
    )
    order = table["swing"].abs().sort_values(ascending=False).index
    return table.loc[order].reset_index(drop=True)


def rank_correlations(
    results: pd.DataFrame, metric: str, parameters: Sequence[Parameter]
) -> pd.DataFrame:
    """Partial rank correlation (PRCC) of each parameter with a metric, over LHS points.

    Each point's metric is its mean over replications. Ranks of the metric and of each
    parameter are regressed on the ranks of the other parameters; the PRCC is the
    correlation of the residuals, with a 95 % interval from Fisher's z (n − 3 − other
    parameters degrees of freedom).

    Returns
    -------
    pandas.DataFrame
        ``parameter, prcc, low, high, points``, largest absolute PRCC first.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a, b, c = rng.uniform(size=(3, 200))
    >>> frame = pd.DataFrame({"kommunenummer": "4228", "option": "baseline",
    ...     "point": range(200), "replication": 0, "param.a": a, "param.b": b,
    ...     "param.c": c, "y": np.exp(3 * a) - b + 0.1 * rng.normal(size=200)})
    >>> ps = [Parameter("a", 0, 1), Parameter("b", 0, 1), Parameter("c", 0, 1)]
    >>> rank_correlations(frame, "y", ps)["parameter"].tolist()
    ['a', 'b', 'c']
    """
    means = results.groupby("point").agg(
        {metric: "mean", **{f"param.{p.key}": "first" for p in parameters}}
    )
    means = means.dropna()
    n, k = len(means), len(parameters)
    if n < k + 4:
        raise ValueError(f"PRCC over {k} parameters needs at least {k + 4} points, got {n}")
    ranks = means.rank().to_numpy(dtype=float)
    y, x = ranks[:, 0], ranks[:, 1:]
    rows = []
    for j, p in enumerate(parameters):
        others = np.column_stack([np.ones(n), np.delete(x, j, axis=1)])
        rx = x[:, j] - others @ np.linalg.lstsq(others, x[:, j], rcond=None)[0]
        ry = y - others @ np.linalg.lstsq(others, y, rcond=None)[0]
        denominator = math.sqrt(float(rx @ rx) * float(ry @ ry))
        r = float(rx @ ry) / denominator if denominator > 0 else np.nan
        dof = n - 3 - (k - 1)
        half = 1.959963984540054 / math.sqrt(dof) if dof > 0 else np.nan
        z = np.arctanh(np.clip(r, -0.999999, 0.999999))
        rows.append((p.key, r, float(np.tanh(z - half)), float(np.tanh(z + half)), n))
    table = pd.DataFrame(rows, columns=["parameter", "prcc", "low", "high", "points"])
    order = table["prcc"].abs().sort_values(ascending=False).index
    return table.loc[order].reset_index(drop=True)


def tornado_figure(table: pd.DataFrame, metric_label: str, lang: str = "nb") -> go.Figure:
    """A tornado chart of :func:`tornado`: bars from the low to the high end's value.

    Parameters are named as in :func:`parameter_name`.
    """
    import plotly.graph_objects as go

    table = table.iloc[::-1]
    names = [parameter_name(key, lang) for key in table["parameter"]]
    fig = go.Figure()
    for side, colour in (("low", _LOW), ("high", _HIGH)):
        values = table[f"at_{side}"] - table["base_value"]
        fig.add_bar(
            y=names,
            x=values,
            base=table["base_value"],
            orientation="h",
            name=label(f"sensitivity.{side}", lang),
            marker_color=colour,
            customdata=table[side],
            hovertemplate="%{y} = %{customdata}<br>%{x:.2f}<extra></extra>",
        )
    fig.add_vline(x=float(table["base_value"].iloc[0]), line_dash="dot")
    fig.update_layout(
        barmode="overlay",
        title=label("sensitivity.tornado_title", lang).format(metric=metric_label),
        xaxis_title=metric_label,
        height=120 + 40 * len(table),
        margin={"l": 260},
        template=TEMPLATE,
        separators=figure_separators(lang),
    )
    return fig


def rank_figure(table: pd.DataFrame, metric_label: str, lang: str = "nb") -> go.Figure:
    """PRCC of :func:`rank_correlations` as bars with their 95 % intervals.

    Parameters are named as in :func:`parameter_name`.
    """
    import plotly.graph_objects as go

    table = table.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            y=[parameter_name(key, lang) for key in table["parameter"]],
            x=table["prcc"],
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": table["high"] - table["prcc"],
                "arrayminus": table["prcc"] - table["low"],
            },
            marker_color=_RANK,
            hovertemplate="%{y}: %{x:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=label("sensitivity.prcc_title", lang).format(metric=metric_label),
        xaxis={"title": "PRCC", "range": [-1, 1]},
        height=120 + 40 * len(table),
        margin={"l": 260},
        template=TEMPLATE,
        separators=figure_separators(lang),
    )
    return fig


# --- names and tables for readers ---------------------------------------------------------------

_LEVEL_KEY = re.compile(r"^levels\.(\d)\.(duration\.mean_weeks|next\.(\w+))$")
_HOURS_KEY = re.compile(r"^resources\.services\.(\w+)\.hours_per_week_per_1000$")
_NAMED_KEYS = {"arrivals.scale": "arrivals_scale", "costs.hourly_rate_nok": "hourly_rate"}


def parameter_name(key: str, lang: str = "nb") -> str:
    """The name a reader sees for a scenario parameter (a dotted key).

    Parameters
    ----------
    key : str
        A :class:`Parameter` key, such as ``levels.1.next.up``.
    lang : str, default "nb"

    Returns
    -------
    str
        The catalogue's words for the parameters the workbench varies (the concerns, the
        stay at a level, the routing from a level, a service's hours per 1 000 children and
        the hourly rate); any other key as it is written.

    Examples
    --------
    >>> parameter_name("levels.1.next.up", "en")
    'Level 1: share moving up one level'
    >>> parameter_name("resources.services.ppt.hours_per_week_per_1000", "nb")
    'PPT: timer per uke per 1 000 barn og unge'
    >>> parameter_name("resources.max_logs")
    'resources.max_logs'
    """
    if key in _NAMED_KEYS:
        return label(f"tab.nat.param.{_NAMED_KEYS[key]}", lang)
    level = _LEVEL_KEY.match(key)
    if level:
        number, _what, route = level.groups()
        name = label(f"level.{number}.short", lang)
        item = "calib.duration" if route is None else f"calib.next.{route}"
        if item in catalogue().index:
            return label(item, lang, level=name)
    hours = _HOURS_KEY.match(key)
    if hours and f"service.{hours.group(1)}.short" in catalogue().index:
        service = label(f"service.{hours.group(1)}.short", lang)
        return label("tab.nat.param.hours_per_1000", lang, service=service)
    return key


def _value(value: float, lang: str) -> str:
    """A parameter's value with the decimals it needs: ``400``, ``12,8``, ``0,20``."""
    if float(value).is_integer():
        return format_number(value, lang)
    return format_number(value, lang, 1 if abs(value) >= 10 else 2)


def _with_interval(value: float, low: float, high: float, lang: str, sign: bool) -> str:
    """``+2,89 (2,43 til 3,35)``: a value and its 95 % interval."""
    interval = label(
        "sim.interval", lang, low=format_number(low, lang, 2), high=format_number(high, lang, 2)
    )
    return f"{format_number(value, lang, 2, sign=sign)} ({interval})"


def tornado_display(table: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """The one-at-a-time effects of :func:`tornado` for a reader, largest swing first.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`tornado`.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Parameter (:func:`parameter_name`), the range tried, the metric's mean at the low and
        at the high end, and the swing (high − low) with its 95 % interval, as text.

    Examples
    --------
    >>> table = pd.DataFrame({"parameter": ["arrivals.scale"], "low": [0.8], "high": [1.2],
    ...     "base_value": [7.0], "at_low": [6.0], "at_high": [8.25], "swing": [2.25],
    ...     "swing_low": [1.9], "swing_high": [2.6]})
    >>> tornado_display(table, "en").iloc[0].tolist()[1:]
    ['0.80 to 1.20', '6.00', '8.25', '+2.25 (1.90 to 2.60)']
    """
    rows = [
        (
            parameter_name(row.parameter, lang),
            label("sim.interval", lang, low=_value(row.low, lang), high=_value(row.high, lang)),
            format_number(row.at_low, lang, 2),
            format_number(row.at_high, lang, 2),
            _with_interval(row.swing, row.swing_low, row.swing_high, lang, sign=True),
        )
        for row in table.itertuples(index=False)
    ]
    headers = ("parameter", "range", "at_low", "at_high", "swing")
    return pd.DataFrame(rows, columns=[label(f"tab.nat.{h}", lang) for h in headers])


def rank_display(table: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """The partial rank correlations of :func:`rank_correlations` for a reader.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`rank_correlations`.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Parameter (:func:`parameter_name`) and PRCC with its 95 % interval, as text, in the
        order of ``table`` (largest first).

    Examples
    --------
    >>> table = pd.DataFrame({"parameter": ["arrivals.scale"], "prcc": [0.7],
    ...     "low": [0.4], "high": [0.86], "points": [30]})
    >>> rank_display(table, "nb").iloc[0].tolist()
    ['Nye bekymringer (faktor på malens antall)', '0,70 (0,40 til 0,86)']
    """
    rows = [
        (
            parameter_name(row.parameter, lang),
            _with_interval(row.prcc, row.low, row.high, lang, sign=False),
        )
        for row in table.itertuples(index=False)
    ]
    headers = ("parameter", "prcc")
    return pd.DataFrame(rows, columns=[label(f"tab.nat.{h}", lang) for h in headers])
