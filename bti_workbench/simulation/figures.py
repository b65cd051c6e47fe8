"""Plotly figures and tables for simulation results (notebooks and the dashboard).

Simulation results come from a scenario's assumptions, not from case data, so they are not
subject to small-cell suppression; every figure says it is a simulation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.figures import TEMPLATE
from bti_workbench.reference.labels import label
from bti_workbench.simulation.analysis import bands
from bti_workbench.simulation.output import FlowResult, flow_arrays

__all__ = ["options_table", "simulated_cases_figure", "utilisation_heatmap", "waits_by_option"]

_LEVEL_COLOURS = ("#1f77b4", "#2ca02c", "#ff7f0e", "#d62728")


def _fill(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.18)"


def simulated_cases_figure(result: FlowResult, lang: str = "nb", title: str = "") -> go.Figure:
    """Open cases (active plus waiting) per level and week: median and P10–P90 band.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> from bti_workbench.simulation.engines.fast import simulate_fast
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> fig = simulated_cases_figure(simulate_fast(s, 5, 1))
    >>> len(fig.data)  # a band and a median line per level
    8
    """
    spread = bands(result, "cases")
    fig = go.Figure()
    for level in range(4):
        part = spread[spread["level"] == level]
        weeks, p10, p50, p90 = (part[k].to_numpy() for k in ("week", "p10", "p50", "p90"))
        colour = _LEVEL_COLOURS[level]
        name = label(f"level.{level}.short", lang)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([weeks, weeks[::-1]]),
                y=np.concatenate([p90, p10[::-1]]),
                fill="toself",
                fillcolor=_fill(colour),
                line={"width": 0},
                hoverinfo="skip",
                name=f"{name} {label('sim.band', lang)}",
                showlegend=False,
            )
        )
        fig.add_trace(go.Scatter(x=weeks, y=p50, name=name, line={"color": colour}))
    fig.update_layout(
        title=title or label("sim.cases_by_level", lang),
        xaxis_title=label("sim.week", lang),
        yaxis_title=label("sim.cases", lang),
        template=TEMPLATE,
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def utilisation_heatmap(result: FlowResult, lang: str = "nb", every: int = 4) -> go.Figure:
    """Mean utilisation (hours demanded / available) per service and period of ``every``
    weeks, across replications. Above 1 means the open cases need more hours than there are.
    """
    arrays = flow_arrays(result)
    limited = [
        i for i in range(len(arrays.services)) if np.isfinite(arrays.available[..., i]).all()
    ]
    utilisation = arrays.demanded[..., limited] / arrays.available[..., limited]  # (R, W, S)
    starts = np.arange(0, len(arrays.weeks), every)
    # Mean over replications and the weeks of each period: (services, periods).
    table = np.stack(
        [utilisation[:, first : first + every].mean(axis=(0, 1)) for first in starts], axis=1
    ).reshape(len(limited), len(starts))
    names = [label(f"service.{arrays.services[i]}", lang) for i in limited]
    fig = go.Figure(
        go.Heatmap(
            z=table,
            x=arrays.weeks[starts],
            y=names,
            colorscale="YlOrRd",
            zmin=0,
            zmax=max(1.0, float(table.max()) if table.size else 1.0),
            colorbar={"title": label("metric.utilisation", lang)},
        )
    )
    fig.update_layout(
        title=label("sim.utilisation_heatmap", lang),
        xaxis_title=label("sim.week", lang),
        template=TEMPLATE,
        margin={"t": 60, "l": 160, "r": 20, "b": 40},
    )
    return fig


def _option_name(option: str, lang: str) -> str:
    return label("sim.baseline", lang) if option == "baseline" else option


def waits_by_option(comparison: pd.DataFrame, lang: str = "nb") -> go.Figure:
    """Mean wait to start at levels 1–3 for each option (from ``compare_options``)."""
    fig = go.Figure()
    for option, part in comparison.groupby("option", sort=False):
        rows = part[part["metric"].str.startswith("wait.")]
        fig.add_trace(
            go.Bar(
                x=[label(f"level.{m.split('.')[1]}.short", lang) for m in rows["metric"]],
                y=rows["mean"],
                name=_option_name(option, lang),
            )
        )
    fig.update_layout(
        barmode="group",
        title=label("sim.waits", lang),
        yaxis_title=label("metric.wait", lang),
        template=TEMPLATE,
    )
    return fig


def options_table(comparison: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """Options side by side: each cell is the mean and, for an option, the difference from
    the baseline with its 95 % confidence interval (common random numbers)."""
    order = list(dict.fromkeys(comparison["option"]))
    metrics = list(dict.fromkeys(comparison["metric"]))

    def cell(row: pd.Series) -> str:
        money = row["metric"].startswith("cost.")
        digits = 0 if money else 2
        text = f"{row['mean']:,.{digits}f}"
        if pd.notna(row.get("difference")):
            text += (
                f" ({row['difference']:+,.{digits}f}; "
                f"{row['low']:+,.{digits}f} – {row['high']:+,.{digits}f})"
            )
        return text

    shown = comparison.assign(text=comparison.apply(cell, axis=1))
    table = shown.pivot(index="metric", columns="option", values="text").reindex(
        index=metrics, columns=order
    )

    def metric_name(metric: str) -> str:
        kind, _, what = metric.partition(".")
        if kind in {"active", "waiting", "wait"}:
            return f"{label(f'metric.{kind}', lang)} – {label(f'level.{what}.short', lang)}"
        if kind == "utilisation":
            return f"{label('metric.utilisation', lang)} – {label(f'service.{what}', lang)}"
        return label(f"metric.{metric}", lang)

    table.index = [metric_name(m) for m in table.index]
    table.columns = [_option_name(c, lang) for c in table.columns]
    return table.fillna("")
