"""Pictures of the collaboration network (plotly), drawn from suppressed figures only.

Every count is drawn from its number (the ``values`` of a suppressed table, ``<NA>`` where
hidden) and written from the text of the same table (``<k``, ``×`` or the number in the
reader's format). No text is read back into a number, so the pictures work for every ``k``.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.figures import OKABE_ITO, SECTOR_COLOURS, TEMPLATE
from bti_workbench._util.numbers import figure_separators, format_number
from bti_workbench.network.publish import (
    BEFORE,
    published_metrics,
    suppressed_adjacency,
    suppressed_edges,
    suppressed_load,
)
from bti_workbench.privacy import DEFAULT_K, SuppressedTable
from bti_workbench.reference.labels import label
from bti_workbench.reference.services import SECTORS

__all__ = ["adjacency_heatmap", "network_map", "sector_layout"]

#: The map's height in pixels; the width follows the page.
MAP_HEIGHT = 640
#: Half the width and height of the map's axes: the layout's unit circle, stretched to the
#: figure's shape, with room outside it for the names.
_X_HALF, _Y_HALF = 1.6, 1.3
_FONT_SIZE = 12
_EDGE_COLOUR = "#8a8a8a"
_HIDDEN_EDGE_COLOUR = "#b3b3b3"
_OTHER_SECTOR = OKABE_ITO[-1]
#: A name sits beside its node horizontally when the node is this far from the vertical
#: axis (of the unit circle), above or below it when this far from the horizontal one.
_BESIDE, _ABOVE = 0.1, math.sin(math.radians(22.5))


def sector_layout(graph: nx.Graph) -> dict:
    """Deterministic positions on a circle: services grouped by sector, in name order within
    each, a gap before every sector, starting clockwise from the top.

    Every service gets the same share of the circle, so a large sector does not crowd its
    names together. The same graph always gives the same picture.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph whose nodes have a ``sector``; nodes without one sit at the centre.

    Returns
    -------
    dict
        Node → (x, y) on the unit circle.

    See Also
    --------
    network_map : The map drawn with these positions.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt"), ("ppt", "nav")])
    >>> nx.set_node_attributes(g, {"school": "upbringing", "ppt": "upbringing",
    ...                            "nav": "welfare"}, "sector")
    >>> sector_layout(g) == sector_layout(g.copy())
    True
    >>> [round(c, 2) for c in sector_layout(g)["ppt"]]  # first of five slots, from the top
    [0.95, 0.31]
    """
    sectors = nx.get_node_attributes(graph, "sector")
    order = [s for s in SECTORS if s in set(sectors.values())]
    order += sorted(set(sectors.values()) - set(order), key=str)
    slots: list[object | None] = []
    for sector in order:
        slots.append(None)  # the gap before each sector
        slots.extend(sorted((n for n, s in sectors.items() if s == sector), key=str))
    positions = {}
    for i, node in enumerate(slots):
        if node is not None:
            angle = math.pi / 2 - 2 * math.pi * i / len(slots)
            positions[node] = (math.cos(angle), math.sin(angle))
    for node in sorted(set(graph) - set(positions), key=str):
        positions[node] = (0.0, 0.0)
    return positions


def _text_position(x: float, y: float) -> str:
    """Where a node's name goes: outward from the circle (plotly's ``textposition``)."""
    vertical = "top" if y > _ABOVE else "bottom" if y < -_ABOVE else "middle"
    horizontal = "right" if x > _BESIDE else "left" if x < -_BESIDE else "center"
    if vertical == "middle" and horizontal == "center":  # at the centre
        return "middle right"
    return f"{vertical} {horizontal}"


def _count_texts(table: SuppressedTable, lang: str) -> pd.DataFrame:
    """Each cell as shown: ``<k`` or ``×`` where hidden, else the count in ``lang``'s format."""
    labels = table.formatted(lang)
    numbers = table.values.astype("object").map(
        lambda v: "" if pd.isna(v) else format_number(int(v), lang)
    )
    return numbers.where(~table.hidden, labels)


def _sector_name(sector: object, lang: str) -> str:
    return label(f"sector.{sector}", lang) if sector in SECTORS else str(sector)


def _short_name(service: object, lang: str) -> str:
    try:
        return label(f"service.{service}.short", lang)
    except KeyError:
        return str(service)


def _full_name(service: object, lang: str) -> str:
    try:
        return label(f"service.{service}", lang)
    except KeyError:
        return str(service)


def _edge_width(count: int) -> float:
    """Line width of a visible tie: grows with the log of the shared cases."""
    return 1.5 + 2.5 * math.log10(1 + count)


def network_map(
    graph: nx.Graph,
    k: int = DEFAULT_K,
    lang: str = "nb",
    title: str = "",
    *,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """Services as nodes (size = open cases, colour = sector), ties as lines (width =
    shared cases); hidden counts are drawn thin and dotted and read ``<k`` or ``×``.

    Names sit outside the circle, pointing away from it, in their short form; the full name,
    sector, open cases, betweenness and community are in the hover text, in ``lang``. The
    legend names the sectors in ``lang``, in the colours of
    :data:`~bti_workbench._util.figures.SECTOR_COLOURS`.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (:func:`~bti_workbench.network.graphs.service_graph`).
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.
    title : str
        The figure's title.
    height : int, default :data:`MAP_HEIGHT`
        In pixels; the width follows the page (the circle is stretched to fill it).

    Returns
    -------
    plotly.graph_objects.Figure
        Drawn from suppressed figures only; the same graph gives the same figure.

    See Also
    --------
    sector_layout : Where each service sits.
    adjacency_heatmap : The same ties as a table.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt", {"weight": 12}), ("school", "nav", {"weight": 2}),
    ...               ("ppt", "nav", {"weight": 9})])
    >>> nx.set_node_attributes(g, {"school": "upbringing", "ppt": "upbringing",
    ...                            "nav": "welfare"}, "sector")
    >>> nx.set_node_attributes(g, {"school": 30, "ppt": 12, "nav": 2}, "load")
    >>> fig = network_map(g, k=3)
    >>> [t.name for t in fig.data if t.showlegend is not False]
    ['Oppvekst', 'Velferd']
    """
    positions = sector_layout(graph)
    edges = suppressed_edges(graph, k, lang)
    load = suppressed_load(graph, k)
    metrics = published_metrics(graph, k, lang)
    fig = go.Figure()
    _add_ties(fig, edges, positions, lang)
    _add_services(fig, graph, positions, load, metrics, lang)
    fig.update_layout(
        title=title,
        template=TEMPLATE,
        height=height,
        separators=figure_separators(lang),
        xaxis={"visible": False, "range": [-_X_HALF, _X_HALF], "fixedrange": True},
        yaxis={"visible": False, "range": [-_Y_HALF, _Y_HALF], "fixedrange": True},
        margin={"t": 60, "l": 10, "r": 10, "b": 50},
        hovermode="closest",
        legend={
            "title": {"text": label("ui.sector", lang)},
            "orientation": "h",
            "x": 0.5,
            "xanchor": "center",
            "y": 0,
            "yanchor": "top",
            "itemsizing": "constant",
        },
    )
    return fig


def _add_ties(fig: go.Figure, edges: pd.DataFrame, positions: dict, lang: str) -> None:
    """Shown ties as solid lines (width: shared cases), hidden ones dotted, and an invisible
    point in the middle of each carrying its hover text."""
    hidden_x: list[float | None] = []
    hidden_y: list[float | None] = []
    middles: tuple[list[float], list[float], list[str]] = ([], [], [])
    for row in edges.itertuples(index=False):
        (x0, y0), (x1, y1) = positions[row.source], positions[row.target]
        if row.suppressed:
            hidden_x += [x0, x1, None]
            hidden_y += [y0, y1, None]
            shared = row.shown
        else:
            count = int(row.count)
            shared = format_number(count, lang)
            fig.add_trace(
                go.Scatter(
                    x=[x0, x1],
                    y=[y0, y1],
                    mode="lines",
                    line={"width": _edge_width(count), "color": _EDGE_COLOUR},
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        middles[0].append((x0 + x1) / 2)
        middles[1].append((y0 + y1) / 2)
        middles[2].append(
            f"{_full_name(row.source, lang)} – {_full_name(row.target, lang)}<br>"
            + label("net.hover.shared", lang, shared=shared)
        )
    if hidden_x:
        fig.add_trace(
            go.Scatter(
                x=hidden_x,
                y=hidden_y,
                mode="lines",
                line={"width": 1.2, "color": _HIDDEN_EDGE_COLOUR, "dash": "dot"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if middles[0]:  # invisible points in the middle of each tie carry its hover text
        fig.add_trace(
            go.Scatter(
                x=middles[0],
                y=middles[1],
                mode="markers",
                marker={"size": 12, "color": "rgba(0,0,0,0)"},
                hovertext=middles[2],
                hoverinfo="text",
                showlegend=False,
            )
        )


def _add_services(
    fig: go.Figure, graph: nx.Graph, positions: dict, load, metrics: pd.DataFrame, lang: str
) -> None:
    """One trace per sector: services sized by open cases, named outside the circle."""
    load_text = _count_texts(load, lang)["load"]
    load_count = load.values["load"]
    sectors = nx.get_node_attributes(graph, "sector")
    order = [s for s in SECTORS if s in set(sectors.values())]
    order += sorted(set(sectors.values()) - set(order), key=str)
    groups = [(s, sorted((n for n in graph if sectors.get(n) == s), key=str)) for s in order]
    rest = sorted((n for n in graph if n not in sectors), key=str)
    if rest:
        groups.append((None, rest))
    for sector, members in groups:
        sizes, hover = [], []
        for n in members:
            count = load_count.get(n, pd.NA)
            sizes.append(8.0 if pd.isna(count) else 8.0 + 2.0 * math.sqrt(int(count)))
            lines = [f"<b>{_full_name(n, lang)}</b>"]
            if sector is not None:
                lines.append(label("net.hover.sector", lang, sector=_sector_name(sector, lang)))
            lines += [
                label("net.hover.load", lang, load=load_text.get(n, "")),
                label(
                    "net.hover.betweenness",
                    lang,
                    value=format_number(metrics.loc[n, f"betweenness {BEFORE}"], lang, 2),
                ),
                label(
                    "net.hover.community",
                    lang,
                    community=int(metrics.loc[n, f"community {BEFORE}"]) + 1,
                ),
            ]
            hover.append("<br>".join(lines))
        fig.add_trace(
            go.Scatter(
                x=[positions[n][0] for n in members],
                y=[positions[n][1] for n in members],
                mode="markers+text",
                marker={
                    "size": sizes,
                    "color": SECTOR_COLOURS.get(sector, _OTHER_SECTOR),
                    "line": {"width": 1, "color": "white"},
                },
                text=[_short_name(n, lang) for n in members],
                textposition=[_text_position(*positions[n]) for n in members],
                textfont={"size": _FONT_SIZE},
                cliponaxis=False,
                hovertext=hover,
                hoverinfo="text",
                name=_sector_name(sector, lang) if sector is not None else "–",
                showlegend=sector is not None,
            )
        )


def adjacency_heatmap(graph: nx.Graph, k: int = DEFAULT_K, lang: str = "nb") -> go.Figure:
    """Shared cases between every pair of services; hidden cells are blank and labelled.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (:func:`~bti_workbench.network.graphs.service_graph`).
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.

    Returns
    -------
    plotly.graph_objects.Figure
        A heatmap of the suppressed adjacency table.

    See Also
    --------
    bti_workbench.network.publish.suppressed_adjacency : The table drawn.
    network_map : The same ties as a map.
    """
    table = suppressed_adjacency(graph, k)
    nodes = sorted(graph)
    shown = _count_texts(table, lang).loc[nodes, nodes]
    values = table.values.loc[nodes, nodes].to_numpy(dtype=float, na_value=np.nan)
    names = [_short_name(n, lang) for n in nodes]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=names,
            y=names,
            text=shown.astype(str).to_numpy(),
            texttemplate="%{text}",
            colorscale="Blues",
            hoverongaps=False,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        separators=figure_separators(lang),
        margin={"t": 30, "l": 130, "r": 10, "b": 130},
    )
    return fig
