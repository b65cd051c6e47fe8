"""Small helpers shared by every figure of the workbench."""

from __future__ import annotations

import plotly.graph_objects as go

__all__ = ["add_notes"]


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
