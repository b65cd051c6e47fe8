"""Network metrics for collaboration graphs (PARTNER, Kumu and Gephi's staples, and more)."""

from __future__ import annotations

import itertools

import networkx as nx
import pandas as pd

__all__ = [
    "BROKERAGE_ROLES",
    "betweenness",
    "brokerage",
    "communities",
    "core_periphery",
    "degree_centralisation",
    "metrics_table",
    "partner_scores",
    "reciprocity",
    "weighted_degree",
]

#: Gould and Fernandez's five brokerage roles, in the order of :func:`brokerage`'s columns.
BROKERAGE_ROLES = ("coordinator", "itinerant", "gatekeeper", "representative", "liaison")


def degree_centralisation(graph: nx.Graph) -> float:
    """Freeman's degree centralisation: 1 for a star, 0 when every node has the same degree.

    Σ (max degree − degree) / ((n − 1)(n − 2)) on the undirected graph.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (a directed one is taken as undirected).

    Returns
    -------
    float
        Between 0 and 1; 0 for fewer than three nodes.

    See Also
    --------
    weighted_degree : The strength of each node.

    Examples
    --------
    >>> degree_centralisation(nx.star_graph(4)), degree_centralisation(nx.cycle_graph(5))
    (1.0, 0.0)
    """
    undirected = graph.to_undirected() if graph.is_directed() else graph
    n = undirected.number_of_nodes()
    if n < 3:
        return 0.0
    degrees = [d for _, d in undirected.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def weighted_degree(graph: nx.Graph, weight: str = "weight") -> dict:
    """Sum of edge weights at each node (strength).

    Parameters
    ----------
    graph : networkx.Graph
        A service graph.
    weight : str
        The edge attribute summed.

    Returns
    -------
    dict
        Node → strength.

    See Also
    --------
    degree_centralisation : How unequal the (unweighted) degrees are.

    Examples
    --------
    >>> g = nx.Graph([("a", "b", {"weight": 3}), ("a", "c", {"weight": 2})])
    >>> weighted_degree(g)["a"]
    5
    """
    return dict(graph.degree(weight=weight))


def betweenness(graph: nx.Graph, weight: str | None = "weight") -> dict:
    """Normalised betweenness; with ``weight``, strong ties are short (distance = 1/weight).

    Parameters
    ----------
    graph : networkx.Graph
        A service graph.
    weight : str or None
        The edge attribute of tie strength; None counts every tie as one step.

    Returns
    -------
    dict
        Node → betweenness centrality (normalised).

    See Also
    --------
    networkx.betweenness_centrality : The computation used.
    brokerage : Which kind of broker each node is.

    Examples
    --------
    >>> betweenness(nx.path_graph(3), weight=None)[1]
    1.0
    """
    if weight is None:
        return nx.betweenness_centrality(graph, normalized=True)
    distance = graph.copy()
    for _, _, data in distance.edges(data=True):
        data["_distance"] = 1.0 / data.get(weight, 1.0) if data.get(weight, 1.0) else float("inf")
    return nx.betweenness_centrality(distance, normalized=True, weight="_distance")


def brokerage(graph: nx.Graph, attribute: str = "sector") -> pd.DataFrame:
    """Gould–Fernandez brokerage roles of each node, with groups given by ``attribute``.

    For every path a → b → c with no tie a → c (a ≠ c), b brokers. Its role depends on the
    groups of a, b and c: coordinator (all one group), itinerant (a and c share a group b is
    not in), gatekeeper (b shares c's group, not a's), representative (b shares a's group,
    not c's), liaison (three groups). Undirected ties count in both directions.

    Parameters
    ----------
    graph : networkx.Graph or networkx.DiGraph
        A service graph.
    attribute : str
        The node attribute that gives each node's group.

    Returns
    -------
    pandas.DataFrame
        One row per node, one column per role (counts), and ``total``.

    See Also
    --------
    betweenness : How much a node lies between the others.

    Examples
    --------
    >>> g = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(g, {"a": "x", "b": "y", "c": "x"}, "sector")
    >>> int(brokerage(g).loc["b", "itinerant"])
    1
    """
    directed = graph if graph.is_directed() else graph.to_directed()
    group = nx.get_node_attributes(directed, attribute)
    counts = {node: dict.fromkeys(BROKERAGE_ROLES, 0) for node in directed}
    for b in directed:
        for a, c in itertools.product(directed.predecessors(b), directed.successors(b)):
            if a in (b, c) or c == b or directed.has_edge(a, c):
                continue
            ga, gb, gc = group.get(a), group.get(b), group.get(c)
            if ga == gb == gc:
                role = "coordinator"
            elif ga == gc:
                role = "itinerant"
            elif gb == gc:
                role = "gatekeeper"
            elif ga == gb:
                role = "representative"
            else:
                role = "liaison"
            counts[b][role] += 1
    table = pd.DataFrame.from_dict(counts, orient="index", columns=list(BROKERAGE_ROLES))
    table["total"] = table.sum(axis=1)
    return table.sort_index()


def communities(graph: nx.Graph, seed: int = 1, weight: str = "weight") -> dict:
    """Louvain communities (seeded): node → community number, numbered by their first member.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (a directed one is taken as undirected).
    seed : int
        The seed of the Louvain method: the same seed gives the same communities.
    weight : str
        The edge attribute of tie strength.

    Returns
    -------
    dict
        Node → community number; without edges, every node is a community of its own.

    See Also
    --------
    networkx.community.louvain_communities : The method used.
    core_periphery : The innermost core.

    Examples
    --------
    >>> g = nx.Graph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    >>> c = communities(g)
    >>> c[1] == c[2] == c[3] != c[4] == c[5] == c[6]
    True
    """
    undirected = graph.to_undirected() if graph.is_directed() else graph
    if undirected.number_of_edges() == 0:
        return {node: i for i, node in enumerate(sorted(undirected, key=str))}
    found = nx.community.louvain_communities(undirected, weight=weight, seed=seed)
    ordered = sorted((sorted(part, key=str) for part in found), key=lambda p: str(p[0]))
    return {node: i for i, part in enumerate(ordered) for node in part}


def core_periphery(graph: nx.Graph) -> pd.DataFrame:
    """k-core number of each node and whether it is in the innermost core.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (a directed one is taken as undirected; self-loops are ignored).

    Returns
    -------
    pandas.DataFrame
        ``core_number`` and ``core`` (in the innermost core) per node.

    See Also
    --------
    networkx.core_number : The computation used.
    communities : Groups of densely tied services.

    Examples
    --------
    >>> g = nx.complete_graph(4)
    >>> g.add_edge(3, 9)
    >>> core_periphery(g)["core"].to_dict()
    {0: True, 1: True, 2: True, 3: True, 9: False}
    """
    undirected = graph.to_undirected() if graph.is_directed() else graph
    simple = nx.Graph(undirected)
    simple.remove_edges_from(nx.selfloop_edges(simple))
    numbers = nx.core_number(simple) if simple.number_of_nodes() else {}
    top = max(numbers.values(), default=0)
    table = pd.DataFrame({"core_number": pd.Series(numbers, dtype="int64")})
    table["core"] = table["core_number"] == top
    return table.sort_index()


def reciprocity(graph: nx.DiGraph) -> float:
    """Share of directed ties that are returned (1 when every tie is mutual).

    Parameters
    ----------
    graph : networkx.DiGraph
        A survey graph (:func:`~bti_workbench.network.graphs.survey_graph`).

    Returns
    -------
    float
        Between 0 and 1; 0 without ties.

    See Also
    --------
    partner_scores : Trust and value reported about each service.

    Examples
    --------
    >>> reciprocity(nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c")]))
    0.6666666666666666
    """
    if graph.number_of_edges() == 0:
        return 0.0
    return float(nx.reciprocity(graph))


def partner_scores(graph: nx.DiGraph) -> pd.DataFrame:
    """PARTNER-style scores per service: mean trust and value (1–4) others report about it.

    Parameters
    ----------
    graph : networkx.DiGraph
        A survey graph (:func:`~bti_workbench.network.graphs.survey_graph`): edges with
        ``trust`` and ``value``.

    Returns
    -------
    pandas.DataFrame
        ``trust``, ``value`` and ``raters`` (services reporting) per service; NaN scores for
        a service nobody rated.

    See Also
    --------
    reciprocity : The share of ties returned.

    Examples
    --------
    >>> g = nx.DiGraph()
    >>> g.add_edge("a", "b", trust=4, value=3)
    >>> g.add_edge("c", "b", trust=2, value=3)
    >>> partner_scores(g).loc["b"].tolist()
    [3.0, 3.0, 2.0]
    """
    rows = {}
    for node in graph:
        incoming = [data for _, _, data in graph.in_edges(node, data=True)]
        if not incoming:
            rows[node] = (float("nan"), float("nan"), 0.0)
            continue
        trust = sum(d["trust"] for d in incoming) / len(incoming)
        value = sum(d["value"] for d in incoming) / len(incoming)
        rows[node] = (trust, value, float(len(incoming)))
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["trust", "value", "raters"])
    return table.sort_index()


def metrics_table(graph: nx.Graph, seed: int = 1) -> pd.DataFrame:
    """One row per service: sector, scope, load, degree, weighted degree, betweenness,
    community, core number and brokerage roles (by sector).

    Computed on the graph as given (before any suppression of what is published).

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (:func:`~bti_workbench.network.graphs.service_graph`).
    seed : int
        The seed of the communities.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``service``.

    See Also
    --------
    bti_workbench.network.publish.published_metrics : The same, fit to publish.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt", {"weight": 3}), ("ppt", "nav", {"weight": 1})])
    >>> metrics_table(g).loc["ppt", ["degree", "weighted_degree", "brokerage_total"]].tolist()
    [2, 4, 2]
    """
    table = pd.DataFrame(
        {
            "sector": nx.get_node_attributes(graph, "sector"),
            "scope": nx.get_node_attributes(graph, "scope"),
            "load": nx.get_node_attributes(graph, "load"),
            "degree": dict(graph.degree()),
            "weighted_degree": weighted_degree(graph),
            "betweenness": betweenness(graph),
            "community": communities(graph, seed),
        }
    )
    table = table.join(core_periphery(graph)).join(brokerage(graph).add_prefix("brokerage_"))
    table.index.name = "service"
    return table.sort_index()
