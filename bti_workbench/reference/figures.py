"""Figures of public reference data (population), not of case data."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from bti_workbench.reference.labels import label
from bti_workbench.reference.population import AGE_BANDS

__all__ = ["population_bars"]


def population_bars(by_band: pd.Series, lang: str = "nb", title: str = "") -> go.Figure:
    """Bar chart of persons per BTI age band (public population data, not case data).

    Parameters
    ----------
    by_band : pandas.Series
        Persons per band (index: keys of :data:`~bti_workbench.reference.population.AGE_BANDS`).
    lang : str
        ``nb`` or ``en``: the language of the labels.
    title : str
        The figure's title; default: the catalogue's title for population.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per band present, in band order.

    See Also
    --------
    bti_workbench.reference.population.band_totals : Persons per band.

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
