"""Pictures of the collaboration network (plotly), drawn from suppressed figures only."""

from __future__ import annotations

import math

import networkx as nx
import plotly.graph_objects as go

from bti_workbench._util.figures import TEMPLATE
from bti_workbench.network.publish import (
    AFTER,
    BEFORE,
    published_edges,
    published_metrics,
    suppressed_adjacency,
)
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.reference.labels import label
from bti_workbench.reference.services import SECTORS

__all__ = ["adjacency_heatmap", "network_map", "sector_layout"]

_SECTOR_COLOURS = dict(
    zip(SECTORS, ("#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#7f7f7f"), strict=True)
)


def sector_layout(graph: nx.Graph) -> dict:
    """Deterministic positions: each sector on its own arc of a circle, services in name
    order. The same graph always gives the same picture.

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
    """
    sectors = nx.get_node_attributes(graph, "sector")
    order = [s for s in SECTORS if s in set(sectors.values())]
    order += sorted(set(sectors.values()) - set(order))
    positions = {}
    span = 2 * math.pi / max(len(order), 1)
    for i, sector in enumerate(order):
        members = sorted(n for n, s in sectors.items() if s == sector)
        for j, node in enumerate(members):
            angle = span * i + span * (j + 1) / (len(members) + 1)
            positions[node] = (math.cos(angle), math.sin(angle))
    for node in sorted(set(graph) - set(positions), key=str):
        positions[node] = (0.0, 0.0)
    return positions


def network_map(
    graph: nx.Graph, k: int = DEFAULT_K, lang: str = "nb", title: str = ""
) -> go.Figure:
    """Services as nodes (size = open cases, colour = sector), ties as lines (width =
    shared cases); hidden counts are drawn thin and dotted and read ``<5`` or ``×``.

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

    Returns
    -------
    plotly.graph_objects.Figure
        Drawn from suppressed figures only; the same graph gives the same figure.

    See Also
    --------
    sector_layout : Where each service sits.
    adjacency_heatmap : The same ties as a table.
    """
    positions = sector_layout(graph)
    edges = published_edges(graph, k, lang)
    metrics = published_metrics(graph, k, lang)
    fig = go.Figure()
    for row in edges.itertuples(index=False):
        (x0, y0), (x1, y1) = positions[row.source], positions[row.target]
        hidden = bool(row.suppressed)
        width = 1.0 if hidden else 1.0 + 2.0 * math.log1p(float(row.weight)) / math.log(10)
        fig.add_trace(
            go.Scatter(
                x=[x0, x1],
                y=[y0, y1],
                mode="lines",
                line={"width": width, "color": "#999", "dash": "dot" if hidden else "solid"},
                hoverinfo="text",
                text=f"{label(f'service.{row.source}', lang)} – "
                f"{label(f'service.{row.target}', lang)}: {row.weight}",
                showlegend=False,
            )
        )
    for sector in dict.fromkeys(metrics["sector"]):
        part = metrics[metrics["sector"] == sector]
        load = part[f"load {AFTER}"]
        size = [8 if v in {"<5", "×"} else 8 + 2 * math.sqrt(float(v)) for v in load]
        fig.add_trace(
            go.Scatter(
                x=[positions[n][0] for n in part.index],
                y=[positions[n][1] for n in part.index],
                mode="markers+text",
                marker={"size": size, "color": _SECTOR_COLOURS.get(sector, "#333")},
                text=[label(f"service.{n}", lang) for n in part.index],
                textposition="top center",
                hovertext=[
                    f"{label(f'service.{n}', lang)}<br>load: {part.loc[n, f'load {AFTER}']}"
                    f"<br>betweenness: {part.loc[n, f'betweenness {BEFORE}']:.2f}"
                    f"<br>community: {part.loc[n, f'community {BEFORE}']}"
                    for n in part.index
                ],
                hoverinfo="text",
                name=sector,
            )
        )
    fig.update_layout(
        title=title,
        template=TEMPLATE,
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        margin={"t": 50, "l": 10, "r": 10, "b": 10},
    )
    return fig


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
    shown = table.formatted(lang).loc[nodes, nodes]
    values = table.values.loc[nodes, nodes].astype(float).where(~table.hidden.loc[nodes, nodes])
    names = [label(f"service.{n}", lang) for n in nodes]
    fig = go.Figure(
        go.Heatmap(
            z=values.to_numpy(),
            x=names,
            y=names,
            text=shown.astype(str).to_numpy(),
            texttemplate="%{text}",
            colorscale="Blues",
            hoverongaps=False,
        )
    )
    fig.update_layout(template=TEMPLATE, margin={"t": 30, "l": 160, "r": 10, "b": 160})
    return fig
