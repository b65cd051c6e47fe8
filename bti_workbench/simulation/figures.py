"""Plotly figures and tables for simulation results (notebooks and the dashboard).

Simulation results come from a scenario's assumptions, not from case data, so they are not
subject to small-cell suppression; every figure says it is a simulation.

Everything a reader sees is in the language asked for: names from the label catalogue, options
by their names (:func:`~bti_workbench.simulation.scenario.document.option_name`), and numbers
in that language's format, in tables (:mod:`bti_workbench._util.numbers`) and in the figures'
hover texts and axes (plotly's ``separators``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.figures import LEVEL_COLOURS, OKABE_ITO, TEMPLATE
from bti_workbench._util.numbers import figure_separators, format_number
from bti_workbench.reference.labels import label
from bti_workbench.simulation.analysis import bands
from bti_workbench.simulation.output import FlowResult, flow_arrays
from bti_workbench.simulation.scenario.document import option_name

__all__ = [
    "option_labels",
    "options_table",
    "simulated_cases_figure",
    "utilisation_heatmap",
    "waits_by_option",
]

#: The order of the metrics in a comparison table: counts, waits, utilisation, costs.
_METRIC_KINDS = ("active", "waiting", "wait", "utilisation", "cost")
#: The colours of options in a figure: Okabe and Ito's, without the yellow, too pale on white
#: for a bar (WCAG asks 3:1 for graphics).
_OPTION_COLOURS = tuple(colour for colour in OKABE_ITO if colour != "#F0E442")
#: Decimals shown per kind of metric (kroner as whole numbers).
_DIGITS = {"active": 1, "waiting": 1, "wait": 1, "utilisation": 2, "cost": 0}


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
        colour = LEVEL_COLOURS[level]
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
        fig.add_trace(
            go.Scatter(
                x=weeks,
                y=p50,
                name=name,
                line={"color": colour},
                hovertemplate=f"{label('sim.hover.cases', lang)}<extra>{name}</extra>",
            )
        )
    fig.update_layout(
        title=title or label("sim.cases_by_level", lang),
        xaxis_title=label("sim.week", lang),
        yaxis_title=label("sim.cases", lang),
        template=TEMPLATE,
        separators=figure_separators(lang),
        margin={"t": 60, "l": 50, "r": 20, "b": 40},
    )
    return fig


def utilisation_heatmap(result: FlowResult, lang: str = "nb", every: int = 4) -> go.Figure:
    """Mean utilisation (hours demanded / available) per service and period of ``every``
    weeks, across replications. Above 1 means the open cases need more hours than there are.

    The title is short and the service names set the left margin (``automargin``), so
    neither is cut at the width of half a laptop screen; what the colour means is on the
    colour bar and the period in the week axis's title.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> from bti_workbench.simulation.engines.fast import simulate_fast
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> fig = utilisation_heatmap(simulate_fast(s, 5, 1), "nb")
    >>> fig.layout.title.text, fig.layout.xaxis.title.text
    ('Belastning per tjeneste', 'Uke (snitt per 4 uker)')
    >>> "Pedagogisk-psykologisk tjeneste (PPT)" in fig.data[0].y
    True
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
            colorbar={"title": {"text": label("sim.utilisation_scale", lang), "side": "right"}},
            hovertemplate=f"{label('sim.hover.utilisation', lang)}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": label("sim.utilisation_title", lang), "x": 0.01, "xanchor": "left"},
        xaxis_title=label("sim.utilisation_periods", lang, weeks=every),
        yaxis={"automargin": True},
        template=TEMPLATE,
        separators=figure_separators(lang),
        margin={"t": 50, "l": 10, "r": 10, "b": 40},
    )
    return fig


def option_labels(
    options: Sequence[str], lang: str = "nb", doc: Mapping | None = None
) -> list[str]:
    """The options' names for a reader, each told apart by its id where two would read the same.

    Parameters
    ----------
    options : sequence of str
        Option ids, ``"a+b"`` combinations and ``"baseline"``.
    lang : str, default "nb"
    doc : mapping, optional
        The scenario document, for the scenario's own options.

    Returns
    -------
    list of str
        One name per option, in order.

    See Also
    --------
    bti_workbench.simulation.scenario.document.option_name : One option's name.

    Examples
    --------
    >>> option_labels(["baseline", "no_bti"], "en")
    ['As today', 'Without BTI']
    """
    names = [option_name(option, lang, doc) for option in options]
    return [
        f"{name} ({option})" if names.count(name) > 1 else name
        for name, option in zip(names, options, strict=True)
    ]


def waits_by_option(
    comparison: pd.DataFrame, lang: str = "nb", *, doc: Mapping | None = None
) -> go.Figure:
    """Mean wait to start at levels 1–3 for each option (from ``compare_options``).

    Parameters
    ----------
    comparison : pandas.DataFrame
        Long format ``option, metric, mean, difference, low, high``.
    lang : {"nb", "en"}
    doc : mapping, optional
        The scenario document, for the names of the scenario's own options.

    Returns
    -------
    plotly.graph_objects.Figure
        A bar per option (legend: the options' names) at each level.

    Examples
    --------
    >>> comparison = pd.DataFrame({"option": ["baseline", "no_bti"],
    ...                            "metric": ["wait.1", "wait.1"], "mean": [2.62, 1.45]})
    >>> fig = waits_by_option(comparison, "nb")
    >>> [bar.name for bar in fig.data], fig.layout.separators == ",\u00a0"
    (['Dagens organisering', 'Uten BTI'], True)
    """
    fig = go.Figure()
    order = list(dict.fromkeys(comparison["option"]))
    names = dict(zip(order, option_labels(order, lang, doc), strict=True))
    for number, option in enumerate(order):
        part = comparison[comparison["option"] == option]
        rows = part[part["metric"].str.startswith("wait.")]
        name = names[option]
        fig.add_trace(
            go.Bar(
                x=[label(f"level.{m.split('.')[1]}.short", lang) for m in rows["metric"]],
                y=rows["mean"],
                name=name,
                marker_color=_OPTION_COLOURS[number % len(_OPTION_COLOURS)],
                hovertemplate=f"{label('sim.hover.wait', lang)}<extra>{name}</extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        title={"text": label("sim.waits", lang), "x": 0.01, "xanchor": "left"},
        yaxis_title=label("metric.wait", lang),
        template=TEMPLATE,
        separators=figure_separators(lang),
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        margin={"t": 50, "l": 10, "r": 10, "b": 10},
    )
    return fig


def _metric_order(metrics: list[str]) -> list[str]:
    """Counts, waits, utilisation and costs, each kind in the order first seen."""
    seen = list(dict.fromkeys(metrics))
    kinds = {kind: n for n, kind in enumerate(_METRIC_KINDS)}
    return sorted(seen, key=lambda m: kinds.get(m.partition(".")[0], len(kinds)))


def _metric_name(metric: str, lang: str) -> str:
    kind, _, what = metric.partition(".")
    if kind in {"active", "waiting", "wait"}:
        return f"{label(f'metric.{kind}', lang)} – {label(f'level.{what}.short', lang)}"
    if kind == "utilisation":
        return f"{label('metric.utilisation', lang)} – {label(f'service.{what}', lang)}"
    return label(f"metric.{metric}", lang)


def _cell(row: pd.Series, lang: str) -> str:
    """The mean and, for an option, ``(difference; low til high)`` in ``lang``'s numbers."""
    digits = _DIGITS.get(row["metric"].partition(".")[0], 2)
    text = format_number(row["mean"], lang, digits)
    if pd.notna(row.get("difference")):
        low, high = (format_number(row[k], lang, digits, sign=True) for k in ("low", "high"))
        difference = format_number(row["difference"], lang, digits, sign=True)
        text += f" ({difference}; {label('sim.interval', lang, low=low, high=high)})"
    return text


def options_table(
    comparison: pd.DataFrame, lang: str = "nb", *, doc: Mapping | None = None
) -> pd.DataFrame:
    """Options side by side, as a report shows them: a row per result, a column per option.

    Each cell is the mean and, for an option, the difference from the baseline with its
    95 % confidence interval (common random numbers), as text in ``lang``'s number format:
    ``2,9 (−1,5; −3,2 til 0,2)``. What is shown is what a download holds.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Long format ``option, metric, mean, difference, low, high`` (``compare_options``).
    lang : {"nb", "en"}
    doc : mapping, optional
        The scenario document, for the names of the scenario's own options.

    Returns
    -------
    pandas.DataFrame
        A first column ``label("sim.measure")`` naming each result (counts, waits,
        utilisation, costs, in that order), then one column per option named by
        :func:`~bti_workbench.simulation.scenario.document.option_name`, the baseline first;
        ``–`` where an option has no such result. A plain 0, 1, … index, nothing in it to
        read. ``attrs["note"]`` says how to read a cell.

    Examples
    --------
    >>> comparison = pd.DataFrame({
    ...     "option": ["baseline", "baseline", "no_bti", "no_bti"],
    ...     "metric": ["cost.total", "wait.1"] * 2, "mean": [8252439.4, 2.94, 130724, 1.46],
    ...     "difference": [None, None, -8121715.4, -1.49],
    ...     "low": [None, None, -8200000, -3.16], "high": [None, None, -8000000, 0.17]})
    >>> table = options_table(comparison, "nb")
    >>> list(table.columns)
    ['Resultat', 'Dagens organisering', 'Uten BTI']
    >>> table.iloc[0].tolist()
    ['Ventetid (uker) – Nivå 1', '2,9', '1,5 (−1,5; −3,2 til +0,2)']
    >>> table.iloc[1, 1].replace("\u00a0", " ")
    '8 252 439'
    >>> options_table(comparison, "en").iloc[1, 2]
    '130,724 (−8,121,715; −8,200,000 to −8,000,000)'
    """
    order = list(dict.fromkeys(comparison["option"]))
    metrics = _metric_order(comparison["metric"].tolist())
    shown = comparison.assign(text=[_cell(row, lang) for _, row in comparison.iterrows()])
    cells = shown.pivot(index="metric", columns="option", values="text").reindex(
        index=metrics, columns=order
    )
    table = cells.fillna("–").reset_index(drop=True)
    table.columns = option_labels(order, lang, doc)
    table.insert(0, label("sim.measure", lang), [_metric_name(m, lang) for m in metrics])
    table.columns.name = None
    table.attrs["note"] = label("sim.table_note", lang)
    return table
