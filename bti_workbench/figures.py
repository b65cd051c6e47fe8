"""Plotly figures shared by notebooks, reports and dashboards.

Figures built from case data take counts that have already passed
:func:`bti_workbench.privacy.suppress_small`: hidden cells are never drawn.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from bti_workbench.caseflow import FLOW_STATES
from bti_workbench.labels import label
from bti_workbench.population import AGE_BANDS
from bti_workbench.privacy import SuppressedTable

__all__ = ["add_notes", "case_flow_sankey", "flow_table_text", "population_bars"]

_STATE_KEYS = {
    "concern": "ui.new_concern",
    "0": "level.0.short",
    "1": "level.1.short",
    "2": "level.2.short",
    "3": "level.3.short",
    "closed": "level.closed",
    "child_welfare": "level.child_welfare",
    "open": "ui.open",
}
_COLOURS = ("#6c757d", "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#7f7f7f", "#9467bd", "#17becf")


def population_bars(by_band: pd.Series, lang: str = "nb", title: str = "") -> go.Figure:
    """Bar chart of persons per BTI age band (public population data, not case data).

    Examples
    --------
    >>> fig = population_bars(pd.Series({"0-5": 107, "6-15": 245, "16-19": 86, "20-23": 96}))
    >>> list(fig.data[0].y)
    [107, 245, 86, 96]
    """
    bands = [b for b in AGE_BANDS if b in by_band.index]
    fig = go.Figure(
        go.Bar(
            x=[label(f"age_band.{b}", lang) for b in bands],
            y=[int(by_band[b]) for b in bands],
            marker_color="#1f77b4",
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title or label("ui.population", lang),
        yaxis_title=label("ui.persons", lang),
        xaxis_title=label("ui.age_band", lang),
        margin={"l": 40, "r": 10, "t": 50, "b": 40},
        height=340,
    )
    return fig


def case_flow_sankey(flows: SuppressedTable, lang: str = "nb") -> go.Figure:
    """Sankey of transitions between levels; suppressed transitions are left out.

    Parameters
    ----------
    flows : SuppressedTable
        :func:`suppress_small` applied to :func:`bti_workbench.caseflow.level_transitions`.
    lang : {"nb", "en"}
    """
    values = flows.values
    states = [s for s in FLOW_STATES if s in values.index or s in values.columns]
    position = {s: i for i, s in enumerate(states)}
    sources, targets, counts = [], [], []
    for a in states:
        for b in states:
            if a not in values.index or b not in values.columns:
                continue
            v = values.loc[a, b]
            if pd.isna(v) or int(v) == 0:
                continue
            sources.append(position[a])
            targets.append(position[b])
            counts.append(int(v))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [label(_STATE_KEYS[s], lang) for s in states],
                "color": [_COLOURS[FLOW_STATES.index(s)] for s in states],
                "pad": 18,
            },
            link={"source": sources, "target": targets, "value": counts},
        )
    )
    fig.update_layout(
        title=label("ui.case_flow", lang),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=420,
    )
    return fig


def flow_table_text(flows: SuppressedTable, lang: str = "nb") -> pd.DataFrame:
    """The suppressed flow table as labelled text (``<5`` and ``×`` where hidden).

    Examples
    --------
    >>> from bti_workbench.privacy import suppress_small
    >>> t = suppress_small(pd.DataFrame({"0": [12]}, index=["concern"]))
    >>> flow_table_text(t, "en").columns.tolist()
    ['Level 0', 'Total']
    """
    text = flows.formatted(lang)
    names = {s: label(_STATE_KEYS[s], lang) for s in FLOW_STATES}
    names["total"] = label("ui.total", lang)
    return text.rename(index=names, columns=names).rename_axis(
        index=label("ui.from", lang), columns=label("ui.to", lang)
    )


def add_notes(fig: go.Figure, notes: list[str], y: float = -0.2) -> go.Figure:
    """Write notes under a figure's plot area, one per line, left-aligned in small type.

    Examples
    --------
    >>> fig = add_notes(go.Figure(), ["Small counts are hidden."])
    >>> fig.layout.annotations[0].text
    'Small counts are hidden.'
    """
    if notes:
        fig.add_annotation(
            x=0,
            y=y,
            xref="paper",
            yref="paper",
            text="<br>".join(notes),
            showarrow=False,
            align="left",
            xanchor="left",
            yanchor="top",
            font={"size": 11},
        )
    return fig
