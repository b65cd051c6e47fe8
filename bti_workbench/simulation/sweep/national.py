"""Comparing municipalities of every size: what a sweep of a template says, and its figures.

The questions regional centres ask, answered from
:func:`~bti_workbench.simulation.sweep.files.read_sweep`:

* :func:`by_size` — a metric per municipality and option against the number of children;
* :func:`cap_bite` — where one log per baton holder (the trial cap) makes cases wait for a
  log: the paired difference from the baseline, and whether it exceeds a threshold;
* :func:`team_payoff` — what an intermunicipal team costs per week of waiting it saves at
  levels 2–3, and where that is below a stated value of a week of waiting.

All figures come from simulations of stated assumptions (synthetic), not from case data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bti_workbench.reference.labels import label
from bti_workbench.simulation.scenario.document import BASELINE
from bti_workbench.simulation.sweep.analysis import option_effects, sweep_means

__all__ = [
    "SIZE_BINS",
    "by_size",
    "cap_bite",
    "cap_figure",
    "payoff_figure",
    "size_class",
    "size_figure",
    "team_payoff",
]

#: Size classes by children and young people 0–23: class edges (the upper edge is exclusive).
SIZE_BINS = (0, 500, 2_000, 10_000, 50_000, np.inf)


def size_class(children: pd.Series | np.ndarray, lang: str = "nb") -> pd.Categorical:
    """The size class of each municipality by its children and young people (0–23).

    Examples
    --------
    >>> list(size_class(pd.Series([45, 534, 21426]), "en"))
    ['under 500', '500–1 999', '10 000–49 999']
    """
    names = [label(f"national.size.{i}", lang) for i in range(len(SIZE_BINS) - 1)]
    return pd.cut(pd.Series(children), SIZE_BINS, right=False, labels=names).array


def by_size(results: pd.DataFrame, metric: str, lang: str = "nb") -> pd.DataFrame:
    """A metric's mean (95 % interval) per municipality and option, with the size class.

    Case counts (``active.L``, ``waiting.L``) are also given per 1 000 children.
    """
    means = sweep_means(results, [metric])
    means["size"] = size_class(means["children"], lang)
    return means.sort_values(["option", "children"], ignore_index=True)


def cap_bite(
    results: pd.DataFrame,
    option: str = "trial_cap_one_log",
    metric: str = "wait.1",
    threshold: float = 1.0,
) -> pd.DataFrame:
    """Where the cap bites: its paired effect on the wait for a log, per municipality.

    ``bites`` is True where the lower end of the 95 % interval of the extra wait exceeds
    ``threshold`` weeks: the cap surely adds more than that.

    Returns
    -------
    pandas.DataFrame
        :func:`~bti_workbench.simulation.sweep.analysis.option_effects` rows for ``option``
        and ``bites``.
    """
    effects = option_effects(results, metric)
    effects = effects[effects["option"] == option].copy()
    if effects.empty:
        raise ValueError(f"option {option!r} is not in the sweep")
    effects["bites"] = effects["low"] > threshold
    return effects.reset_index(drop=True)


def team_payoff(
    results: pd.DataFrame,
    option: str = "intermunicipal_team",
    nok_per_waiting_week: float = 5_000.0,
) -> pd.DataFrame:
    """What an option costs per week of waiting it saves at levels 2 and 3.

    Waiting weeks per year are the mean number of cases waiting for a partner at levels 2
    and 3 (``waiting.2 + waiting.3``) times 52. The option pays off where it surely saves
    waiting (the 95 % interval of the change is below zero) and its extra cost per saved
    week is at most ``nok_per_waiting_week`` (a value the user states).

    Returns
    -------
    pandas.DataFrame
        Per municipality: ``kommunenummer, municipality, children, extra_cost_nok,
        saved_weeks, saved_low, saved_high, nok_per_saved_week, pays_off``.
    """
    frame = results.assign(
        waiting_weeks=52 * (results["waiting.2"].fillna(0) + results["waiting.3"].fillna(0))
    )
    cost = option_effects(frame, "cost.total")
    wait = option_effects(frame, "waiting_weeks")
    keys = ["kommunenummer", "municipality", "children", "point"]
    cost = cost[cost["option"] == option].set_index(keys)
    wait = wait[wait["option"] == option].set_index(keys)
    if cost.empty:
        raise ValueError(f"option {option!r} is not in the sweep")
    table = pd.DataFrame(
        {
            "extra_cost_nok": cost["difference"],
            "saved_weeks": -wait["difference"],
            "saved_low": -wait["high"],
            "saved_high": -wait["low"],
        }
    ).reset_index()
    saved = table["saved_weeks"].where(table["saved_low"] > 0)
    table["nok_per_saved_week"] = table["extra_cost_nok"] / saved
    table["pays_off"] = table["nok_per_saved_week"].le(nok_per_waiting_week)
    return table.sort_values("children", ignore_index=True)


def _metric_label(metric: str, lang: str) -> str:
    kind, _, level = metric.partition(".")
    return label(f"national.metric.{kind}", lang).format(level=level)


def size_figure(table: pd.DataFrame, metric: str, lang: str = "nb", per_1000: bool = False):
    """Scatter of :func:`by_size`: the metric against children (log scale), one colour per
    option, with 95 % intervals."""
    import plotly.graph_objects as go

    fig = go.Figure()
    column = "per_1000" if per_1000 else "mean"
    for option, part in table.groupby("option", sort=False):
        scale = 1000 / part["children"] if per_1000 else 1.0
        name = label("sim.baseline", lang) if option == BASELINE else option
        fig.add_scatter(
            x=part["children"],
            y=part[column],
            mode="markers",
            name=name,
            text=part["municipality"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (part["high"] - part["mean"]) * scale,
                "arrayminus": (part["mean"] - part["low"]) * scale,
                "thickness": 1,
            },
            hovertemplate="%{text}: %{y:.2f}<extra>" + name + "</extra>",
        )
    title = _metric_label(metric, lang)
    if per_1000:
        title += label("national.per_1000_suffix", lang)
    fig.update_layout(
        title=title,
        xaxis={"title": label("national.children", lang), "type": "log"},
        yaxis_title=title,
        legend_title=label("sim.option", lang),
    )
    return fig


def _by_size(table: pd.DataFrame, y: str, low: str, high: str, colours, hover: str, **extra):
    """Municipalities as markers against their children (log scale), 95 % bars."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=table["children"],
        y=table[y],
        mode="markers",
        marker={"color": colours},
        text=table["municipality"],
        error_y={
            "type": "data",
            "symmetric": False,
            "array": table[high] - table[y],
            "arrayminus": table[y] - table[low],
            "thickness": 1,
        },
        hovertemplate=hover,
        **extra,
    )


def _size_layout(fig, title: str, y_title: str, line: float, lang: str):
    fig.add_hline(y=line, line_dash="dot")
    fig.update_layout(
        title=title,
        xaxis={"title": label("national.children", lang), "type": "log"},
        yaxis_title=y_title,
        showlegend=False,
    )
    return fig


def cap_figure(table: pd.DataFrame, threshold: float, lang: str = "nb"):
    """The cap's extra wait for a log (95 % interval) against children, threshold dotted."""
    import plotly.graph_objects as go

    colours = np.where(table["bites"], "#e45756", "#4c78a8")
    hover = "%{text}: %{y:.2f}<extra></extra>"
    fig = go.Figure(_by_size(table, "difference", "low", "high", colours, hover))
    title = label("national.cap_title", lang)
    return _size_layout(fig, title, label("national.extra_wait", lang), threshold, lang)


def payoff_figure(table: pd.DataFrame, lang: str = "nb"):
    """Weeks of waiting saved per year at levels 2–3 (95 % interval) against children.

    Green where the option pays off at the stated value, red where it surely saves waiting
    but costs more per saved week, grey where it saves nothing surely. The hover gives the
    extra cost per saved week.
    """
    import plotly.graph_objects as go

    colours = np.where(
        table["pays_off"], "#54a24b", np.where(table["saved_low"] > 0, "#e45756", "#9d9d9d")
    )
    price = table["nok_per_saved_week"].map(
        lambda v: "–" if pd.isna(v) else f"NOK {v:,.0f}".replace(",", " ")
    )
    hover = (
        "%{text}: %{y:.1f}<br>" + label("national.nok_per_week", lang) + ": %{customdata}"
        "<extra></extra>"
    )
    fig = go.Figure(
        _by_size(table, "saved_weeks", "saved_low", "saved_high", colours, hover, customdata=price)
    )
    title = label("national.payoff_title", lang)
    return _size_layout(fig, title, label("national.saved_weeks", lang), 0, lang)
