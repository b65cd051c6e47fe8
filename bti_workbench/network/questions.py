"""The questions a project group asks of its collaboration network.

- which expected ties are missing from the cases;
- which ties people perceive but the cases do not show, and the reverse;
- what happens if a service drops out;
- what changed between two periods, with a permutation test.

Counts returned here are raw; :mod:`bti_workbench.network.publish` suppresses small numbers
before anything is shown.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from bti_workbench._util.periods import in_period
from bti_workbench._util.resources import data_dir
from bti_workbench.eventlog import order_events
from bti_workbench.network.graphs import open_cases, working_rows
from bti_workbench.reference.labels import languages
from bti_workbench.reference.services import service_catalogue

__all__ = [
    "drop_out",
    "expected_links",
    "missing_links",
    "perceived_vs_enacted",
    "period_change",
    "qap_correlation",
]


def _reasons(table: pd.DataFrame, lang: str) -> pd.Series:
    """Each pair's reason in ``lang``: ``reason_<lang>``, else the other language's, else the
    single ``reason`` column of an older file, else ``""``."""
    if lang not in languages():
        raise KeyError(f"unknown language {lang!r}; use one of {languages()}")
    order = [f"reason_{lang}", *(f"reason_{other}" for other in languages() if other != lang)]
    reason = pd.Series("", index=table.index, dtype=object)
    for column in ["reason", *reversed(order)]:
        if column in table.columns:
            text = table[column].fillna("").astype(str).str.strip()
            reason = text.where(text != "", reason)
    return reason


def expected_links(path: str | Path | None = None, lang: str = "nb") -> pd.DataFrame:
    """Pairs of services the action guides expect to work together, with the reason in words.

    Reads ``data/expected_links.csv`` (columns ``service_a, service_b, reason_nb,
    reason_en``) or ``path``. A row may give its reason in one language only; the other
    language then shows the same text. A file with a single ``reason`` column is read too.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV file of expected pairs; default: the shipped one.
    lang : {"nb", "en"}
        The language of the ``reason`` column: Norwegian bokmål (default) or English.

    Returns
    -------
    pandas.DataFrame
        ``service_a, service_b, reason`` (in ``lang``), ``reason_nb, reason_en``.

    Raises
    ------
    ValueError
        When a service is not in the catalogue.
    KeyError
        For an unknown language.

    See Also
    --------
    missing_links : Which of these pairs the cases lack.

    Examples
    --------
    >>> table = expected_links(lang="en")
    >>> table.loc[3, ["service_a", "service_b", "reason"]].tolist()
    ['school', 'ppt', 'Special-education assessment and advice']
    >>> expected_links().loc[0, "reason"]
    'Barn 0–5 år: barnehagen og helsestasjonen følger de samme barna'
    """
    path = Path(path) if path is not None else data_dir() / "expected_links.csv"
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    known = set(service_catalogue().index)
    for column in ("service_a", "service_b"):
        unknown = sorted(set(table[column]) - known)
        if unknown:
            raise ValueError(f"{path.name}: {column}: services not in the catalogue: {unknown}")
    out = table[["service_a", "service_b"]].copy()
    out["reason"] = _reasons(table, lang)
    for other in languages():
        out[f"reason_{other}"] = _reasons(table, other)
    return out


def missing_links(
    graph: nx.Graph, expected: pd.DataFrame | None = None, lang: str = "nb"
) -> pd.DataFrame:
    """Expected pairs and whether the cases show them.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (:func:`~bti_workbench.network.graphs.service_graph`).
    expected : pandas.DataFrame, optional
        Expected pairs (``service_a, service_b`` and ``reason`` or ``reason_nb, reason_en``);
        default: :func:`expected_links`.
    lang : {"nb", "en"}
        The language of the reasons.

    Returns
    -------
    pandas.DataFrame
        ``service_a, service_b, reason, shared_cases, missing`` (missing: no shared case).

    See Also
    --------
    expected_links : The pairs the action guides expect.
    perceived_vs_enacted : Survey ties against case ties.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt", {"weight": 4})])
    >>> pairs = pd.DataFrame({"service_a": ["school", "nav"], "service_b": ["ppt", "school"],
    ...                       "reason": ["r1", "r2"]})
    >>> missing_links(g, pairs)["missing"].tolist()
    [False, True]
    >>> row = missing_links(g, lang="en").iloc[3]
    >>> row["reason"], int(row["shared_cases"])
    ('Special-education assessment and advice', 4)
    """
    expected = expected_links(lang=lang) if expected is None else expected
    reasons = _reasons(expected, lang)
    rows = []
    for pair, reason in zip(expected.itertuples(index=False), reasons, strict=True):
        a, b = pair.service_a, pair.service_b
        shared = graph[a][b]["weight"] if graph.has_edge(a, b) else 0
        rows.append((a, b, reason, int(shared), shared == 0))
    return pd.DataFrame(
        rows, columns=["service_a", "service_b", "reason", "shared_cases", "missing"]
    )


def perceived_vs_enacted(perceived: nx.DiGraph, enacted: nx.Graph) -> pd.DataFrame:
    """Ties the survey reports (either direction) against ties the cases show.

    Parameters
    ----------
    perceived : networkx.DiGraph
        A survey graph (:func:`~bti_workbench.network.graphs.survey_graph`).
    enacted : networkx.Graph
        A service graph (:func:`~bti_workbench.network.graphs.service_graph`).

    Returns
    -------
    pandas.DataFrame
        One row per pair seen in either: ``service_a, service_b, perceived, enacted, status``
        with status ``both``, ``perceived only`` or ``enacted only``.

    See Also
    --------
    qap_correlation : Whether two weighted networks are alike.

    Examples
    --------
    >>> p = nx.DiGraph([("school", "ppt"), ("nav", "school")])
    >>> e = nx.Graph([("school", "ppt"), ("school", "school_health")])
    >>> perceived_vs_enacted(p, e)["status"].tolist()
    ['perceived only', 'both', 'enacted only']
    """
    said = {tuple(sorted(edge)) for edge in perceived.edges()}
    done = {tuple(sorted(edge)) for edge in enacted.edges()}
    rows = []
    for a, b in sorted(said | done):
        status = (
            "both"
            if (a, b) in said and (a, b) in done
            else ("perceived only" if (a, b) in said else "enacted only")
        )
        rows.append((a, b, (a, b) in said, (a, b) in done, status))
    return pd.DataFrame(rows, columns=["service_a", "service_b", "perceived", "enacted", "status"])


def drop_out(log: pd.DataFrame, graph: nx.Graph, service: str) -> dict:
    """What if ``service`` drops out?

    Counts the open cases at level 2 or 3 (their latest level) whose collaboration spans
    two or more sectors and would span only one without the service (it was their only tie
    between sectors), and how the service graph fragments without it.

    Parameters
    ----------
    log : pandas.DataFrame
        An event log as read by :func:`bti_workbench.ingest.readers.read_event_log`.
    graph : networkx.Graph
        The service graph of that log.
    service : str
        The service id that drops out.

    Returns
    -------
    dict
        ``service``, ``cases_at_levels_2_3``, ``cases_losing_cross_sector_tie``,
        ``components_before``, ``components_after``, ``largest_before``, ``largest_after``,
        ``isolated_after`` (services left with no tie). Counts are raw.

    See Also
    --------
    bti_workbench.network.graphs.open_cases : The cases counted.
    bti_workbench.network.metrics.betweenness : How much a service lies between the others.
    """
    sector = service_catalogue()["sector"]
    open_log = order_events(open_cases(log))
    latest = open_log.groupby("case_id")["level"].last()
    deep = latest[latest >= 2].index
    working = working_rows(open_log[open_log["case_id"].isin(deep)])
    losing = 0
    for _, services in working.groupby("case_id")["service"]:
        present = set(services)
        before = {sector[s] for s in present}
        after = {sector[s] for s in present - {service}}
        if service in present and len(before) >= 2 and len(after) <= 1:
            losing += 1
    without = graph.copy()
    if service in without:
        without.remove_node(service)

    def parts(g: nx.Graph) -> list[set]:
        return list(nx.connected_components(g)) if g.number_of_nodes() else []

    before_parts, after_parts = parts(graph), parts(without)
    return {
        "service": service,
        "cases_at_levels_2_3": len(deep),
        "cases_losing_cross_sector_tie": int(losing),
        "components_before": len(before_parts),
        "components_after": len(after_parts),
        "largest_before": max((len(p) for p in before_parts), default=0),
        "largest_after": max((len(p) for p in after_parts), default=0),
        "isolated_after": sorted(n for n in without if without.degree(n) == 0),
    }


def _pair_matrix(log: pd.DataFrame, services: list[str]) -> tuple[np.ndarray, pd.Index]:
    """Cases × service pairs: 1 where both services act in the case."""
    working = working_rows(log)
    cases = pd.Index(sorted(working["case_id"].unique()))
    index = {s: i for i, s in enumerate(services)}
    pairs = list(itertools.combinations(range(len(services)), 2))
    out = np.zeros((len(cases), len(pairs)), dtype=np.float64)
    column = {pair: j for j, pair in enumerate(pairs)}
    row = {case: i for i, case in enumerate(cases)}
    for case, present in working.groupby("case_id")["service"]:
        codes = sorted({index[s] for s in present})
        for pair in itertools.combinations(codes, 2):
            out[row[case], column[pair]] = 1.0
    return out, cases


def period_change(
    log: pd.DataFrame,
    first: tuple,
    second: tuple,
    permutations: int = 999,
    seed: int = 1,
) -> pd.DataFrame:
    """Edge-weight changes between two periods, with a permutation test per edge.

    A case belongs to the period in which its first event falls. Under the null hypothesis
    that the periods do not differ, cases are exchangeable between them: shuffling which
    cases fall in which period (keeping how many in each) gives the distribution of each
    edge's change. The p-value is two-sided and a mid-p: (shuffles with a larger change + half
    of those with an equal one + ½) / (1 + shuffles), because a pair seen in few cases can
    change only in a few steps and conventional p-values would then lean high. Changes are
    in shared cases per 100 cases of the period, so periods of different sizes compare.

    Parameters
    ----------
    log : pandas.DataFrame
        An event log as read by :func:`bti_workbench.ingest.readers.read_event_log`.
    first, second : (start, end)
        The two periods (dates, inclusive).
    permutations : int
        Shuffles of the cases between the periods.
    seed : int
        The seed of the shuffles: the same seed gives the same p-values.

    Returns
    -------
    pandas.DataFrame
        ``service_a, service_b, first, second, change_per_100, p_value`` (counts raw), for
        pairs seen in either period; ``attrs`` holds the cases of each period and the
        permutations.

    Raises
    ------
    ValueError
        When a period has no cases.

    See Also
    --------
    bti_workbench.network.publish.published_period_change : The table, fit to publish.
    qap_correlation : Whether the two periods' networks are alike as a whole.
    """
    starts = log.groupby("case_id")["event_time"].min()

    def cases_in(period: tuple) -> set:
        return set(starts[in_period(starts, period)].index)

    in_first, in_second = cases_in(first), cases_in(second)
    if not in_first or not in_second:
        raise ValueError("a period has no cases: choose periods with events in both")
    chosen = log[log["case_id"].isin(in_first | in_second)]
    services = sorted(working_rows(chosen)["service"].unique())
    matrix, cases = _pair_matrix(chosen, services)
    is_second = np.array([c in in_second for c in cases])
    n_first, n_second = int((~is_second).sum()), int(is_second.sum())

    def change(mask: np.ndarray) -> np.ndarray:
        second_w = mask @ matrix
        first_w = (1 - mask) @ matrix
        return 100 * (second_w / n_second - first_w / n_first)

    observed = change(is_second.astype(float))
    rng = np.random.default_rng(seed)
    shuffles = np.zeros((permutations, len(cases)))
    for i in range(permutations):
        shuffles[i, rng.choice(len(cases), n_second, replace=False)] = 1.0
    null = change(shuffles)  # (permutations, pairs)
    size, seen = np.abs(null), np.abs(observed)[None, :]
    larger = (size > seen + 1e-9).sum(axis=0)
    equal = (np.abs(size - seen) <= 1e-9).sum(axis=0)
    # Mid-p: ties count half, as does the observed split itself, so that p-values of a
    # statistic with few possible values are still about uniform under the null.
    p_values = (larger + 0.5 * (equal + 1)) / (1 + permutations)
    pairs = list(itertools.combinations(services, 2))
    first_w = (1 - is_second.astype(float)) @ matrix
    second_w = is_second.astype(float) @ matrix
    table = pd.DataFrame(
        {
            "service_a": [a for a, _ in pairs],
            "service_b": [b for _, b in pairs],
            "first": first_w.astype(int),
            "second": second_w.astype(int),
            "change_per_100": observed,
            "p_value": p_values,
        }
    )
    table = table[(table["first"] > 0) | (table["second"] > 0)].reset_index(drop=True)
    table.attrs.update(cases_first=n_first, cases_second=n_second, permutations=permutations)
    return table


def qap_correlation(
    first: nx.Graph, second: nx.Graph, permutations: int = 999, seed: int = 1
) -> dict:
    """QAP test of whether two service networks are alike (Krackhardt).

    The statistic is the correlation between the two weighted adjacency matrices (off the
    diagonal, over the services in either). Under the null hypothesis that the structures
    are unrelated, relabelling the services of one network at random gives the
    distribution; the p-value is one-sided, for a correlation at least as large.

    Parameters
    ----------
    first, second : networkx.Graph
        Two service graphs (for instance of two periods); a service missing from one takes
        part in it with no ties.
    permutations : int
        Random relabellings.
    seed : int
        The seed of the relabellings.

    Returns
    -------
    dict
        ``correlation``, ``p_value``, ``services``, ``permutations``.

    See Also
    --------
    period_change : Which ties changed between two periods.

    Examples
    --------
    >>> g = nx.Graph([("a", "b", {"weight": 5}), ("b", "c", {"weight": 1}),
    ...               ("c", "d", {"weight": 3}), ("a", "d", {"weight": 0})])
    >>> round(qap_correlation(g, g)["correlation"], 6)
    1.0
    """
    nodes = sorted(set(first) | set(second), key=str)

    def matrix(graph: nx.Graph) -> np.ndarray:
        # Services missing from one period are there with no ties.
        full = nx.Graph()
        full.add_nodes_from(nodes)
        full.add_edges_from(graph.edges(data=True))
        return nx.to_numpy_array(full, nodelist=nodes, weight="weight")

    a, b = matrix(first), matrix(second)
    off = ~np.eye(len(nodes), dtype=bool)

    def correlation(x: np.ndarray, y: np.ndarray) -> float:
        xs, ys = x[off], y[off]
        if xs.std() == 0 or ys.std() == 0:
            return 0.0
        return float(np.corrcoef(xs, ys)[0, 1])

    observed = correlation(a, b)
    rng = np.random.default_rng(seed)
    at_least = 0
    for _ in range(permutations):
        order = rng.permutation(len(nodes))
        at_least += correlation(a, b[np.ix_(order, order)]) >= observed - 1e-12
    return {
        "correlation": observed,
        "p_value": (1 + at_least) / (1 + permutations),
        "services": len(nodes),
        "permutations": permutations,
    }
