"""Collaboration graphs between services, from the cases, the organisation and a survey.

Nodes are service ids from the catalogue and carry ``sector``, ``scope`` and ``load`` (cases
open at the end of the period in which the service takes part).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from bti_workbench._util.periods import in_period
from bti_workbench.eventlog import order_events
from bti_workbench.reference.services import service_catalogue

__all__ = [
    "FOLLOWING_EVENTS",
    "FREQUENCY_SCORES",
    "WORKING_ROLES",
    "handover_graph",
    "open_cases",
    "organisation_graph",
    "service_graph",
    "survey_graph",
    "working_rows",
]

#: Survey frequency as an ordinal score (``never`` = no perceived tie).
FREQUENCY_SCORES = {"never": 0, "yearly": 1, "quarterly": 2, "monthly": 3, "weekly": 4}

#: The roles that make a service part of a case's collaboration (parents and young people
#: take part too, but make no tie between services).
WORKING_ROLES = ("baton_holder", "participant")
#: Events that show someone followed a case without acting on it: reading the log is not
#: collaboration between services, so it makes no tie and no load.
FOLLOWING_EVENTS = ("log_read",)


def working_rows(log: pd.DataFrame) -> pd.DataFrame:
    """The rows of people working on a case: their roles, and events that act on it.

    Parameters
    ----------
    log : pandas.DataFrame
        An event log (``role`` and ``event`` columns at least).

    Returns
    -------
    pandas.DataFrame
        The rows of baton holders and participants, without their reading of the log.

    See Also
    --------
    service_graph : Ties between the services these rows name.
    """
    return log[log["role"].isin(WORKING_ROLES) & ~log["event"].isin(FOLLOWING_EVENTS)]


def _add_service_nodes(graph: nx.Graph, services) -> None:
    catalogue = service_catalogue()
    for name in services:
        row = catalogue.loc[name]
        graph.add_node(name, sector=row["sector"], scope=row["scope"], load=0)


def open_cases(log: pd.DataFrame) -> pd.DataFrame:
    """The events of cases not closed or reported to child welfare by the end of the log.

    Parameters
    ----------
    log : pandas.DataFrame
        An event log (``case_id`` and ``event`` columns at least).

    Returns
    -------
    pandas.DataFrame
        The rows of the cases still open.

    See Also
    --------
    service_graph : Its nodes' ``load`` counts these cases.
    bti_workbench.network.questions.drop_out : Asks what these cases lose with a service.
    """
    ended = set(log.loc[log["event"].isin(["log_closed", "report_to_child_welfare"]), "case_id"])
    return log[~log["case_id"].isin(ended)]


def _load(log: pd.DataFrame) -> Counter:
    """Open cases per service at the end of the log."""
    open_log = open_cases(log)
    working = working_rows(open_log)
    return Counter(working.drop_duplicates(["case_id", "service"])["service"])


def service_graph(log: pd.DataFrame, period: tuple | None = None) -> nx.Graph:
    """Undirected service graph from an event log: who works on the same cases.

    Two services are linked when staff of both act in the same case (as baton holder or
    participant). Edge attributes: ``weight`` and ``shared_cases`` (cases in common),
    ``shared_meetings`` (meetings both attended) and ``cases_level_0`` … ``cases_level_3``
    (cases in which both acted at that level).

    Parameters
    ----------
    log : pandas.DataFrame
        An event log as read by :func:`bti_workbench.ingest.readers.read_event_log`.
    period : (start, end), optional
        Dates (inclusive) to keep; default: the whole log.

    Returns
    -------
    networkx.Graph
        Services as nodes (``sector``, ``scope``, ``load``), shared cases as weighted edges.

    See Also
    --------
    handover_graph : Who passes the baton to whom.
    bti_workbench.network.metrics.metrics_table : The metrics of each service.
    bti_workbench.network.publish.write_network : The graph as files, suppressed.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "case_id": ["C1", "C1", "C2", "C2", "C2"],
    ...     "event_time": pd.to_datetime(["2018-01-02"] * 5),
    ...     "event": ["log_opened", "meeting_held", "log_opened", "meeting_held", "meeting_held"],
    ...     "level": [1, 2, 1, 2, 2],
    ...     "service": ["school", "ppt", "school", "ppt", "school_health"],
    ...     "role": ["baton_holder", "participant", "baton_holder", "participant", "participant"],
    ... })
    >>> g = service_graph(log)
    >>> g["school"]["ppt"]["shared_cases"], g["ppt"]["school_health"]["shared_meetings"]
    (2, 1)
    """
    log = log[in_period(log["event_time"], period)]
    working = working_rows(log)
    services = sorted(working["service"].unique())
    graph = nx.Graph()
    _add_service_nodes(graph, services)
    for name, cases in _load(log).items():
        graph.nodes[name]["load"] = cases
    column = pd.Index(services)
    case_codes, _ = pd.factorize(working["case_id"])
    service_codes = column.get_indexer(working["service"])
    levels = working["level"].to_numpy()
    counts = {"shared_cases": _co_occurrence(case_codes, service_codes, len(column))}
    for level in range(4):
        at = levels == level
        counts[f"cases_level_{level}"] = _co_occurrence(
            case_codes[at], service_codes[at], len(column)
        )
    is_meeting = (working["event"] == "meeting_held").to_numpy()
    meeting_codes = (
        working[is_meeting].groupby(["case_id", "event_time"], sort=False).ngroup().to_numpy()
    )
    counts["shared_meetings"] = _co_occurrence(
        meeting_codes, service_codes[is_meeting], len(column)
    )
    rows, cols = np.nonzero(np.triu(counts["shared_cases"], k=1))
    for i, j in zip(rows, cols, strict=True):
        attributes = {name: int(matrix[i, j]) for name, matrix in counts.items()}
        graph.add_edge(services[i], services[j], weight=attributes["shared_cases"], **attributes)
    return graph


def _co_occurrence(groups: np.ndarray, services: np.ndarray, n: int) -> np.ndarray:
    """How many groups (cases, meetings) each pair of services shares: Bᵀ B of the 0/1
    group × service incidence matrix (codes as integers)."""
    if not len(groups):
        return np.zeros((n, n), dtype=np.int64)
    incidence = sparse.csr_matrix(
        (np.ones(len(groups)), (groups, services)), shape=(int(groups.max()) + 1, n)
    )
    incidence.data[:] = 1.0  # several events of one service in one group count once
    return np.asarray((incidence.T @ incidence).todense(), dtype=np.int64)


def handover_graph(log: pd.DataFrame, period: tuple | None = None) -> nx.DiGraph:
    """Directed graph of batons passed from one service to another.

    A ``baton_handover`` event names the service that takes the baton; the one that gave it
    is the service of the case's previous baton holder. Edge ``weight``: handovers.

    Parameters
    ----------
    log : pandas.DataFrame
        An event log as read by :func:`bti_workbench.ingest.readers.read_event_log`.
    period : (start, end), optional
        Dates (inclusive) to keep; default: the whole log.

    Returns
    -------
    networkx.DiGraph
        Giving service → taking service, weighted by handovers.

    See Also
    --------
    service_graph : Who works on the same cases.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "case_id": ["C1", "C1", "C1"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-03-01", "2018-05-01"]),
    ...     "event": ["log_opened", "baton_handover", "baton_handover"],
    ...     "level": [1, 1, 2],
    ...     "service": ["kindergarten", "school", "ppt"],
    ...     "role": ["baton_holder"] * 3,
    ... })
    >>> sorted(handover_graph(log).edges(data="weight"))
    [('kindergarten', 'school', 1), ('school', 'ppt', 1)]
    """
    log = log[in_period(log["event_time"], period)]
    holders = order_events(log[log["role"] == "baton_holder"])
    graph = nx.DiGraph()
    _add_service_nodes(graph, sorted(holders["service"].unique()))
    previous = holders.groupby("case_id", sort=False)["service"].shift()
    passed = (
        (holders["event"] == "baton_handover") & previous.notna() & (previous != holders["service"])
    )
    pairs = pd.DataFrame({"giver": previous[passed], "taker": holders.loc[passed, "service"]})
    for (a, b), n in pairs.value_counts().sort_index().items():
        graph.add_edge(a, b, weight=int(n))
    return graph


def organisation_graph(organisation: pd.DataFrame) -> nx.Graph:
    """Services linked by sitting in the same group (project group, operations board …).

    Edge attributes: ``weight`` (groups in common) and ``groups`` (their names, sorted).

    Parameters
    ----------
    organisation : pandas.DataFrame
        One row per membership, with ``group`` and ``service`` columns (as read by
        :func:`bti_workbench.ingest.readers.read_organisation`).

    Returns
    -------
    networkx.Graph
        Services as nodes, shared groups as weighted edges.

    See Also
    --------
    service_graph : The ties the cases show.

    Examples
    --------
    >>> org = pd.DataFrame({"group": ["board", "board", "ref", "ref", "ref"],
    ...                     "service": ["school", "ppt", "school", "ppt", "nav"]})
    >>> organisation_graph(org)["school"]["ppt"]["weight"]
    2
    """
    graph = nx.Graph()
    _add_service_nodes(graph, sorted(organisation["service"].unique()))
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    for group, members in organisation.groupby("group")["service"]:
        for a, b in itertools.combinations(sorted(set(members)), 2):
            shared[(a, b)].append(str(group))
    for (a, b), groups in shared.items():
        graph.add_edge(a, b, weight=len(groups), groups=sorted(groups))
    return graph


def survey_graph(survey: pd.DataFrame) -> nx.DiGraph:
    """Perceived ties from a collaboration survey: respondent service → partner service.

    Only answers other than ``never`` make a tie. Edge attributes: ``frequency`` (0–4),
    ``trust`` and ``value`` (1–4, PARTNER style), ``weight`` (= frequency). When a service
    answered in several rows (several respondents), scores are averaged.

    Parameters
    ----------
    survey : pandas.DataFrame
        A collaboration survey (``respondent_service``, ``partner_service``, ``frequency``,
        ``trust``, ``value``), as read by
        :func:`bti_workbench.ingest.readers.read_collaboration_survey`.

    Returns
    -------
    networkx.DiGraph
        Respondent service → partner service, for every answer but ``never``.

    See Also
    --------
    bti_workbench.network.metrics.reciprocity : The share of ties returned.
    bti_workbench.network.metrics.partner_scores : Trust and value each service receives.
    bti_workbench.network.questions.perceived_vs_enacted : Survey ties against case ties.

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "respondent_service": ["school", "ppt", "nav"],
    ...     "partner_service": ["ppt", "school", "school"],
    ...     "frequency": ["monthly", "weekly", "never"],
    ...     "trust": [3, 4, 2], "value": [4, 3, 1]})
    >>> g = survey_graph(survey)
    >>> sorted(g.edges(data="frequency"))
    [('ppt', 'school', 4.0), ('school', 'ppt', 3.0)]
    """
    answers = survey.assign(frequency=survey["frequency"].map(FREQUENCY_SCORES))
    graph = nx.DiGraph()
    services = sorted(set(answers["respondent_service"]) | set(answers["partner_service"]))
    _add_service_nodes(graph, services)
    ties = answers[answers["frequency"] > 0]
    means = ties.groupby(["respondent_service", "partner_service"])[
        ["frequency", "trust", "value"]
    ].mean()
    for (a, b), row in means.iterrows():
        graph.add_edge(
            a,
            b,
            frequency=float(row["frequency"]),
            trust=float(row["trust"]),
            value=float(row["value"]),
            weight=float(row["frequency"]),
        )
    return graph
