"""What may leave the workbench: suppressed edge lists, metric tables and graph files.

Every count derived from cases passes :func:`bti_workbench.privacy.suppress_small` first:
edge weights (shared cases) as a symmetric service × service table whose row totals (each
service's weighted degree) are published too, and each service's load. Metrics computed on
the whole graph (degree, betweenness, communities, cores, brokerage) say so in their column
name: ``[before suppression]``; the counts say ``[after suppression]``.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from bti_workbench._util.atomic import write_atomically
from bti_workbench.network.metrics import metrics_table
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small

__all__ = [
    "AFTER",
    "BEFORE",
    "published_edges",
    "published_metrics",
    "published_period_change",
    "suppressed_adjacency",
    "suppressed_edges",
    "suppressed_load",
    "suppressed_period_change",
    "write_network",
]

#: Column-name suffix of a metric computed on the whole graph, before suppression.
BEFORE = "[before suppression]"
#: Column-name suffix of a count shown after suppression.
AFTER = "[after suppression]"


def suppressed_adjacency(graph: nx.Graph, k: int = DEFAULT_K) -> SuppressedTable:
    """Shared cases between every pair of services, suppressed, with row totals.

    The table is symmetric, and so is what it hides: a cell hidden on one side of the
    diagonal is hidden on the other (its count is ``<NA>`` in ``values`` on both sides).
    The audit behind it runs once per table of counts and ``k`` in a process, so the map,
    the edge list and the metrics of one network share it.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (``weight``: shared cases).
    k : int
        The smallest count shown.

    Returns
    -------
    SuppressedTable
        Service × service, with row and column totals.

    See Also
    --------
    bti_workbench.privacy.suppress_small : The small-cell rule.
    published_edges : The same as an edge list.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_edge("school", "ppt", weight=12)
    >>> g.add_edge("school", "nav", weight=2)
    >>> g.add_edge("ppt", "nav", weight=9)
    >>> t = suppressed_adjacency(g)
    >>> t.formatted("en").loc["school", "nav"], t.formatted("en").loc["nav", "school"]
    ('<5', '<5')
    """
    nodes = sorted(graph)
    matrix = nx.to_pandas_adjacency(graph, nodelist=nodes, weight="weight", dtype=int)
    table = suppress_small(
        matrix, k=k, margins=True, allow_zero=True, linked=[(n, n) for n in nodes]
    )
    inner = table.values.index.intersection(nodes)
    primary = table.primary.copy()
    secondary = table.secondary.copy()
    mirrored = primary.loc[inner, inner] | primary.loc[inner, inner].T
    primary.loc[inner, inner] = mirrored
    hidden = primary | secondary
    both = hidden.loc[inner, inner] | hidden.loc[inner, inner].T
    secondary.loc[inner, inner] = both & ~primary.loc[inner, inner]
    values = table.values.mask(primary | secondary)
    return SuppressedTable(values, primary, secondary, table.k, table.kinds_shown)


def suppressed_edges(graph: nx.Graph, k: int = DEFAULT_K, lang: str = "en") -> pd.DataFrame:
    """Every edge with its shared cases both as a number and as shown.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (``weight``: shared cases).
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.

    Returns
    -------
    pandas.DataFrame
        One row per edge, ``source`` before ``target`` in name order: ``source, target``,
        ``count`` (nullable integer, ``<NA>`` where hidden: the number to compute with),
        ``shown`` (the text: the count, ``<k`` or ``×``) and ``suppressed`` (``primary``,
        ``secondary`` or empty). Figures draw with ``count`` and write ``shown``; nothing
        reads ``shown`` back.

    See Also
    --------
    published_edges : The same without the numbers, for files.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt", {"weight": 12}), ("school", "nav", {"weight": 2}),
    ...               ("ppt", "nav", {"weight": 9})])
    >>> suppressed_edges(g, k=3)[["source", "target", "count", "shown"]].to_numpy().tolist()
    [['nav', 'ppt', <NA>, '×'], ['nav', 'school', <NA>, '<3'], ['ppt', 'school', <NA>, '×']]
    """
    table = suppressed_adjacency(graph, k)
    shown = table.formatted(lang)
    rows = []
    for a, b in sorted(tuple(sorted(edge)) for edge in graph.edges()):
        if table.primary.loc[a, b]:
            kind = "primary"
        elif table.secondary.loc[a, b]:
            kind = "secondary"
        else:
            kind = ""
        rows.append((a, b, table.values.loc[a, b], str(shown.loc[a, b]), kind))
    out = pd.DataFrame(rows, columns=["source", "target", "count", "shown", "suppressed"])
    out["count"] = out["count"].astype("Int64")
    return out


def suppressed_load(graph: nx.Graph, k: int = DEFAULT_K) -> SuppressedTable:
    """Each service's load (open cases in which it works), suppressed, with the total.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (nodes carry ``load``).
    k : int
        The smallest count shown.

    Returns
    -------
    SuppressedTable
        One column, ``load``, by service in name order, with a ``total`` row: ``values``
        holds the numbers (``<NA>`` where hidden), :meth:`~SuppressedTable.formatted` the
        texts.

    See Also
    --------
    published_metrics : The same loads as shown, with the other metrics.
    """
    loads = nx.get_node_attributes(graph, "load")
    counts = pd.Series({n: int(loads.get(n, 0)) for n in sorted(graph)}, name="load", dtype=int)
    counts.index.name = "service"
    return suppress_small(counts, k=k, margins=True)


def published_edges(graph: nx.Graph, k: int = DEFAULT_K, lang: str = "en") -> pd.DataFrame:
    """Edge list for publication: ``source, target, weight, suppressed``.

    ``weight`` is the number of shared cases as shown (``<5`` or ``×`` when hidden);
    ``suppressed`` is ``primary`` (a small count), ``secondary`` (hidden to protect one) or
    empty.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (``weight``: shared cases).
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.

    Returns
    -------
    pandas.DataFrame
        One row per edge, ``source`` before ``target`` in name order.

    See Also
    --------
    suppressed_adjacency : The table these edges are read from.
    write_network : The edge list and graph files on disk.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt", {"weight": 12}), ("school", "nav", {"weight": 2}),
    ...               ("ppt", "nav", {"weight": 9})])
    >>> for row in published_edges(g).itertuples(index=False):
    ...     print(*row)
    nav ppt × secondary
    nav school <5 primary
    ppt school × secondary
    """
    edges = suppressed_edges(graph, k, lang)
    return edges.rename(columns={"shown": "weight"})[["source", "target", "weight", "suppressed"]]


def published_metrics(
    graph: nx.Graph, k: int = DEFAULT_K, lang: str = "en", seed: int = 1
) -> pd.DataFrame:
    """One row per service; each column says whether it was computed before or after
    suppression.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph.
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.
    seed : int
        The seed of the communities.

    Returns
    -------
    pandas.DataFrame
        ``sector``, ``scope``, the load and weighted degree :data:`AFTER` suppression, and
        the other metrics :data:`BEFORE`, indexed by service.

    See Also
    --------
    bti_workbench.network.metrics.metrics_table : The raw metrics.
    """
    raw = metrics_table(graph, seed)
    adjacency = suppressed_adjacency(graph, k).formatted(lang)
    total = adjacency.columns[-1]  # the row-total column suppress_small adds
    load = suppressed_load(graph, k).formatted(lang)
    out = pd.DataFrame(index=raw.index)
    out["sector"] = raw["sector"]
    out["scope"] = raw["scope"]
    out[f"load {AFTER}"] = load["load"].reindex(raw.index).astype(str)
    out[f"weighted_degree {AFTER}"] = adjacency[total].reindex(raw.index).astype(str)
    for column in raw.columns.drop(["sector", "scope", "load", "weighted_degree"]):
        out[f"{column} {BEFORE}"] = raw[column]
    return out


def _publishable_graph(graph: nx.Graph, k: int, lang: str) -> nx.Graph:
    """A copy for Gephi and Kumu with only suppressed counts on it."""
    edges = suppressed_edges(graph, k, lang).set_index(["source", "target"])
    metrics = published_metrics(graph, k, lang)
    out = nx.Graph()
    for node in sorted(graph):
        row = metrics.loc[node]
        out.add_node(
            node,
            sector=str(row["sector"]),
            scope=str(row["scope"]),
            load=str(row[f"load {AFTER}"]),
            betweenness=float(row[f"betweenness {BEFORE}"]),
            community=int(row[f"community {BEFORE}"]),
        )
    for (a, b), row in edges.iterrows():
        hidden = bool(row["suppressed"])
        numeric = 1.0 if hidden else float(row["count"])  # the number, never the text
        out.add_edge(a, b, weight=numeric, weight_shown=row["shown"], suppressed=row["suppressed"])
    return out


def write_network(
    graph: nx.Graph, out: str | Path, k: int = DEFAULT_K, lang: str = "en"
) -> list[Path]:
    """Write ``edges.csv``, ``metrics.csv``, ``graph.gexf`` and ``graph.graphml`` to ``out``.

    Everything is computed before the folder is touched; each file is written whole or not
    at all. In the graph files a hidden edge has weight 1 and ``suppressed`` set, with its
    shown value in ``weight_shown``.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph.
    out : str or pathlib.Path
        The folder (created if needed).
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.

    Returns
    -------
    list of pathlib.Path
        The files written.

    See Also
    --------
    published_edges, published_metrics : The tables written.
    """
    edges = published_edges(graph, k, lang)
    metrics = published_metrics(graph, k, lang)
    publishable = _publishable_graph(graph, k, lang)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    targets = {
        out / "edges.csv": lambda p: edges.to_csv(p, index=False),
        out / "metrics.csv": lambda p: metrics.to_csv(p, index_label="service"),
        out / "graph.gexf": lambda p: nx.write_gexf(publishable, p),
        out / "graph.graphml": lambda p: nx.write_graphml(publishable, p),
    }
    for path, write in targets.items():
        write_atomically(path, write)
    return list(targets)


def suppressed_period_change(
    table: pd.DataFrame, k: int = DEFAULT_K
) -> tuple[SuppressedTable, np.ndarray]:
    """The shared cases of both periods, suppressed, and where the change must be hidden.

    The counts of both periods pass the small-cell rule as one pairs × periods table (with
    totals). A pair's change and p-value would give a hidden count back, so they are to be
    hidden wherever a count of the pair is.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`~bti_workbench.network.questions.period_change`.
    k : int
        The smallest count shown.

    Returns
    -------
    (SuppressedTable, numpy.ndarray)
        Rows ``service_a–service_b`` (ids, in the order of ``table``) and ``total``, columns
        ``first``, ``second`` and ``total``; and one bool per row of ``table``: True where
        the change and the p-value are hidden.

    See Also
    --------
    published_period_change : The same as text, for files.
    bti_workbench.network.tables.period_change_display : The same for readers.
    """
    counts = table.set_index(["service_a", "service_b"])[["first", "second"]]
    counts.index = [f"{a}–{b}" for a, b in counts.index]
    suppressed = suppress_small(counts, k=k, margins=True, allow_zero=True)
    hidden = suppressed.hidden.loc[counts.index].any(axis=1).to_numpy()
    return suppressed, hidden


def published_period_change(
    table: pd.DataFrame, k: int = DEFAULT_K, lang: str = "en"
) -> pd.DataFrame:
    """The output of :func:`~bti_workbench.network.questions.period_change`, suppressed.

    The shared-case counts of both periods pass the small-cell rule as one pairs × periods
    table (with totals); the change and its p-value are shown only where neither count is
    hidden, so a hidden count cannot be worked back from them
    (:func:`suppressed_period_change`).

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`~bti_workbench.network.questions.period_change`.
    k : int
        The smallest count shown.
    lang : str
        ``nb`` or ``en``: the language of the labels.

    Returns
    -------
    pandas.DataFrame
        ``pair``, both periods' counts :data:`AFTER` suppression, ``change_per_100`` and
        ``p_value`` (rounded; empty where a count is hidden).

    See Also
    --------
    bti_workbench.privacy.suppress_small : The small-cell rule.
    """
    suppressed, hidden = suppressed_period_change(table, k)
    pairs = [f"{a}–{b}" for a, b in zip(table["service_a"], table["service_b"], strict=True)]
    shown = suppressed.formatted(lang).loc[pairs]
    out = pd.DataFrame(
        {
            "pair": pairs,
            f"first {AFTER}": shown["first"].astype(str).to_numpy(),
            f"second {AFTER}": shown["second"].astype(str).to_numpy(),
            "change_per_100": table["change_per_100"].where(~hidden).round(1).to_numpy(),
            "p_value": table["p_value"].where(~hidden).round(3).to_numpy(),
        }
    )
    return out
