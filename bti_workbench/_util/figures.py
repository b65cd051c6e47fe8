"""Small helpers shared by every figure of the workbench."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["LEVEL_COLOURS", "OKABE_ITO", "SECTOR_COLOURS", "TEMPLATE", "add_notes"]

#: The plotly template of every figure: plotly's ``plotly_white`` with the trace defaults of
#: the trace types the workbench draws only. A figure copies its template when it is made,
#: and the full one (defaults for 24 trace types) costs a served dashboard about 17 ms per
#: figure; the figures look the same.
TEMPLATE = "bti_white"

#: Okabe and Ito's palette (2008), told apart by readers with every common form of colour
#: blindness: orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, grey.
OKABE_ITO = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#7F7F7F",
)
#: The colours of levels 0–3 in every figure (colour-blind safe, from :data:`OKABE_ITO`).
LEVEL_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#0072B2")
#: The colours of the sectors in every figure (colour-blind safe, from :data:`OKABE_ITO`),
#: keyed as :data:`bti_workbench.reference.services.SECTORS`.
SECTOR_COLOURS = {
    "upbringing": "#D55E00",
    "health": "#009E73",
    "welfare": "#0072B2",
    "specialist_state": "#CC79A7",
    "administration": "#7F7F7F",
}
_TRACES = ("bar", "heatmap", "sankey", "scatter")
_white = pio.templates["plotly_white"]
pio.templates[TEMPLATE] = go.layout.Template(
    layout=_white.layout, data={name: getattr(_white.data, name) for name in _TRACES}
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
