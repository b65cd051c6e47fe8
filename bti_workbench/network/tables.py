"""Tables and sentences about the collaboration network, for people to read.

Each ``*_display`` function takes the numbers (a graph, a log, the output of a question from
:mod:`bti_workbench.network.questions`) and returns text: headers and service names from the
label catalogue, numbers in the reader's format (:mod:`bti_workbench._util.numbers`), counts of
cases after :func:`bti_workbench.privacy.suppress_small` (``<5``, ``×``), no ids, ``NaN`` or
``True``/``False``. The numbers are computed first and written last: nothing here reads a text
back into a number. Metrics computed on the whole network before suppression (betweenness,
clusters, brokerage) are not counts of cases; the report says so in its prose, not in headers.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import pandas as pd

from bti_workbench._util.numbers import format_number, format_share
from bti_workbench.evaluation.proportions import proportion_table
from bti_workbench.network.metrics import BROKERAGE_ROLES, degree_centralisation, metrics_table
from bti_workbench.network.publish import (
    suppressed_adjacency,
    suppressed_load,
    suppressed_period_change,
)
from bti_workbench.network.questions import drop_out, missing_links
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small
from bti_workbench.reference.labels import label

__all__ = [
    "PERCEIVED_STATUSES",
    "brokerage_display",
    "drop_out_display",
    "format_p_value",
    "metrics_display",
    "missing_links_display",
    "network_fields",
    "perceived_display",
    "period_change_display",
    "qap_fields",
    "shown_counts",
    "status_counts",
]

#: The statuses of :func:`~bti_workbench.network.questions.perceived_vs_enacted` → the key of
#: their name in the catalogue.
PERCEIVED_STATUSES = {
    "both": "tab.net.status.both",
    "perceived only": "tab.net.status.perceived",
    "enacted only": "tab.net.status.enacted",
}
#: The smallest p-value written as a number; smaller ones read ``<0,001``.
_SMALLEST_P = 0.001


def _service(service: object, lang: str) -> str:
    try:
        return label(f"service.{service}", lang)
    except KeyError:
        return str(service)


def _sector(sector: object, lang: str) -> str:
    try:
        return label(f"sector.{sector}", lang)
    except KeyError:
        return str(sector)


def _yes_no(value: object, lang: str) -> str:
    return label("dash.yes" if bool(value) else "dash.no", lang)


def _period_text(period: tuple[object, object]) -> str:
    first, last = (pd.Timestamp(day) for day in period)
    return f"{first:%d.%m.%Y}–{last:%d.%m.%Y}"


def shown_counts(table: SuppressedTable, lang: str = "nb") -> pd.DataFrame:
    """Each cell as a reader sees it: the count in ``lang``'s format, or ``<k`` / ``×``.

    Parameters
    ----------
    table : SuppressedTable
        Counts after :func:`~bti_workbench.privacy.suppress_small`.
    lang : str
        One of :func:`~bti_workbench.reference.labels.languages`.

    Returns
    -------
    pandas.DataFrame
        Text, labelled like ``table.values``.

    Examples
    --------
    >>> t = suppress_small(pd.Series({"a": 1234, "b": 2, "c": 9}, name="n"))
    >>> shown_counts(t, "nb")["n"].tolist()
    ['1\\xa0234', '<5', '×', '1\\xa0245']
    """
    marks = table.formatted(lang)
    numbers = table.values.astype("object").map(
        lambda v: "" if pd.isna(v) else format_number(int(v), lang)
    )
    return numbers.where(~table.hidden, marks)


def format_p_value(value: float, lang: str = "nb") -> str:
    """A p-value with three decimals; below 0.001 as ``<0,001`` (``<0.001`` in English).

    Examples
    --------
    >>> format_p_value(0.0005, "nb"), format_p_value(0.0421, "en"), format_p_value(1.0, "nb")
    ('<0,001', '0.042', '1,000')
    """
    if pd.isna(value):
        return format_number(None, lang)
    if value < _SMALLEST_P:
        return "<" + format_number(_SMALLEST_P, lang, 3)
    return format_number(value, lang, 3)


def network_fields(graph: nx.Graph, log: pd.DataFrame, k: int = DEFAULT_K, lang: str = "nb"):
    """The network's shape in words' fields: services, ties, density, centralisation, cases.

    Parameters
    ----------
    graph : networkx.Graph
        The service graph of ``log``.
    log : pandas.DataFrame
        The event log of the period mapped.
    k : int
        The smallest count of cases shown.
    lang : str

    Returns
    -------
    dict
        ``services`` and ``ties`` (counts of services, not of people), ``density`` and
        ``centralisation`` (two decimals), ``cases`` (cases in the log, suppressed).
    """
    cases = suppress_small(pd.Series({"cases": log["case_id"].nunique()}), k=k, margins=False)
    return {
        "services": format_number(graph.number_of_nodes(), lang),
        "ties": format_number(graph.number_of_edges(), lang),
        "density": format_number(nx.density(graph), lang, 2),
        "centralisation": format_number(degree_centralisation(graph), lang, 2),
        "cases": shown_counts(cases, lang).iloc[0, 0],
    }


def metrics_display(
    graph: nx.Graph, k: int = DEFAULT_K, lang: str = "nb", seed: int = 1
) -> pd.DataFrame:
    """One row per service: its open cases, shared cases, partners, centrality and cluster.

    The counts of cases (open cases, shared cases summed over partners) pass the small-cell
    rule as the map draws them; the rest is computed on the whole network. Sorted by
    betweenness (most between others first), then by name.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph (:func:`~bti_workbench.network.graphs.service_graph`).
    k : int
        The smallest count of cases shown.
    lang : str
    seed : int
        The seed of the clusters (Louvain).

    Returns
    -------
    pandas.DataFrame
        Service, sector, open cases, shared cases, partners, betweenness, cluster and
        whether in the core, under headers in ``lang``.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt", {"weight": 12}), ("ppt", "nav", {"weight": 2})])
    >>> nx.set_node_attributes(g, {"school": 7, "ppt": 9, "nav": 1}, "load")
    >>> nx.set_node_attributes(g, {"school": "upbringing", "ppt": "upbringing",
    ...                            "nav": "welfare"}, "sector")
    >>> nx.set_node_attributes(g, "municipal", "scope")
    >>> metrics_display(g, lang="en").iloc[0].tolist()
    ['Educational-psychological service (PPT)', 'Upbringing and education', '9', '14', '2', \
'1.00', '1', 'Yes']
    """
    raw = metrics_table(graph, seed)
    load = shown_counts(suppressed_load(graph, k), lang)["load"]
    adjacency = shown_counts(suppressed_adjacency(graph, k), lang)
    shared = adjacency[adjacency.columns[-1]]  # the row totals suppress_small adds
    order = sorted(raw.index, key=lambda s: (-raw.loc[s, "betweenness"], str(s)))
    rows = raw.loc[order]
    return pd.DataFrame(
        {
            label("ui.service", lang): [_service(s, lang) for s in rows.index],
            label("ui.sector", lang): [_sector(s, lang) for s in rows["sector"]],
            label("tab.net.load", lang): load.reindex(rows.index).to_numpy(),
            label("tab.net.shared", lang): shared.reindex(rows.index).to_numpy(),
            label("tab.net.partners", lang): [format_number(d, lang) for d in rows["degree"]],
            label("tab.net.betweenness", lang): [
                format_number(b, lang, 2) for b in rows["betweenness"]
            ],
            label("tab.net.community", lang): [
                format_number(c + 1, lang) for c in rows["community"]
            ],
            label("tab.net.core", lang): [_yes_no(c, lang) for c in rows["core"]],
        }
    )


def brokerage_display(graph: nx.Graph, lang: str = "nb") -> pd.DataFrame:
    """Gould–Fernandez brokerage of each service that brokers at all, by role.

    Counts of open two-step paths between services (a → b → c without a tie a–c), not of
    cases or children; computed on the whole network. Sorted by the total, then by name.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph whose nodes have a ``sector``.
    lang : str

    Returns
    -------
    pandas.DataFrame
        Service, sector, one column per role and the total; no row for a service that
        brokers no path.

    Examples
    --------
    >>> g = nx.Graph([("school", "ppt"), ("ppt", "nav")])
    >>> nx.set_node_attributes(g, {"school": "upbringing", "ppt": "upbringing",
    ...                            "nav": "welfare"}, "sector")
    >>> table = brokerage_display(g, "en")
    >>> table.columns[[4, 5]].tolist(), table.iloc[0, [0, 4, 5, 7]].tolist()
    (['Gatekeeper', 'Representative'], ['Educational-psychological service (PPT)', '1', '1', '2'])
    """
    raw = metrics_table(graph)
    roles = [f"brokerage_{role}" for role in (*BROKERAGE_ROLES, "total")]
    rows = raw[raw["brokerage_total"] > 0]
    order = sorted(rows.index, key=lambda s: (-rows.loc[s, "brokerage_total"], str(s)))
    rows = rows.loc[order]
    out = pd.DataFrame(
        {
            label("ui.service", lang): [_service(s, lang) for s in rows.index],
            label("ui.sector", lang): [_sector(s, lang) for s in rows["sector"]],
        }
    )
    for column in roles:
        key = f"tab.net.role.{column.removeprefix('brokerage_')}"
        out[label(key, lang)] = [format_number(v, lang) for v in rows[column]]
    return out


def missing_links_display(
    graph: nx.Graph,
    k: int = DEFAULT_K,
    lang: str = "nb",
    expected: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The pairs the action guides expect, with their shared cases as the map shows them.

    Parameters
    ----------
    graph : networkx.Graph
        A service graph.
    k : int
        The smallest count of cases shown.
    lang : str
    expected : pandas.DataFrame, optional
        As for :func:`~bti_workbench.network.questions.missing_links`.

    Returns
    -------
    pandas.DataFrame
        Service A, service B, the reason, shared cases (read from the same suppressed table
        as the map, so both hide the same counts; ``0`` where the services share none) and
        whether the tie is missing.
    """
    pairs = missing_links(graph, expected, lang)
    adjacency = shown_counts(suppressed_adjacency(graph, k), lang) if len(graph) else None
    shared = []
    for a, b, missing in zip(pairs["service_a"], pairs["service_b"], pairs["missing"], strict=True):
        shared.append(format_number(0, lang) if missing else str(adjacency.loc[a, b]))
    return pd.DataFrame(
        {
            label("dash.col.service_a", lang): [_service(s, lang) for s in pairs["service_a"]],
            label("dash.col.service_b", lang): [_service(s, lang) for s in pairs["service_b"]],
            label("dash.col.reason", lang): pairs["reason"].to_numpy(),
            label("dash.col.shared_cases", lang): shared,
            label("dash.col.missing", lang): [_yes_no(m, lang) for m in pairs["missing"]],
        }
    )


def status_counts(compared: pd.DataFrame) -> dict[str, int]:
    """How many pairs of services each status of ``perceived_vs_enacted`` holds.

    Returns
    -------
    dict
        ``both``, ``perceived`` (perceived only) and ``enacted`` (enacted only): counts of
        pairs of services, not of people.

    Examples
    --------
    >>> status_counts(pd.DataFrame({"status": ["both", "both", "enacted only"]}))
    {'both': 2, 'perceived': 0, 'enacted': 1}
    """
    counts = compared["status"].value_counts()
    return {
        "both": int(counts.get("both", 0)),
        "perceived": int(counts.get("perceived only", 0)),
        "enacted": int(counts.get("enacted only", 0)),
    }


def perceived_display(
    compared: pd.DataFrame, lang: str = "nb", *, both: bool = False
) -> pd.DataFrame:
    """The pairs the survey and the cases disagree on (or all pairs), named.

    Parameters
    ----------
    compared : pandas.DataFrame
        The output of :func:`~bti_workbench.network.questions.perceived_vs_enacted`.
    lang : str
    both : bool, default False
        Also list the pairs both show.

    Returns
    -------
    pandas.DataFrame
        Service A, service B and where the tie is found, perceived-only pairs first.
    """
    rank = {status: i for i, status in enumerate(("perceived only", "enacted only", "both"))}
    rows = compared if both else compared[compared["status"] != "both"]
    rows = rows.assign(_rank=rows["status"].map(rank)).sort_values(
        ["_rank", "service_a", "service_b"], kind="stable"
    )
    return pd.DataFrame(
        {
            label("dash.col.service_a", lang): [_service(s, lang) for s in rows["service_a"]],
            label("dash.col.service_b", lang): [_service(s, lang) for s in rows["service_b"]],
            label("tab.net.status", lang): [
                label(PERCEIVED_STATUSES[s], lang) for s in rows["status"]
            ],
        }
    )


def drop_out_display(
    log: pd.DataFrame, graph: nx.Graph, k: int = DEFAULT_K, lang: str = "nb"
) -> tuple[pd.DataFrame, str]:
    """What each service's drop-out would do: cases cut off and how the network splits.

    The cases that would lose their only collaboration across sectors pass the small-cell
    rule with their complement (out of the open cases at levels 2–3, the same for every
    service); a hidden count hides its share too. Counts of services (connected parts,
    isolated services) are not about people and are shown as they are. Rows are ordered by
    how much the network splits (never by a hidden count), then by name.

    Parameters
    ----------
    log : pandas.DataFrame
        The event log of the period mapped.
    graph : networkx.Graph
        Its service graph.
    k : int
        The smallest count of cases shown.
    lang : str

    Returns
    -------
    (pandas.DataFrame, str)
        The table, and the open cases at levels 2–3 as shown (the denominator of every row).
    """
    answers = [drop_out(log, graph, service) for service in sorted(graph)]
    counts = pd.DataFrame(
        {
            "numerator": [a["cases_losing_cross_sector_tie"] for a in answers],
            "denominator": [a["cases_at_levels_2_3"] for a in answers],
        },
        index=[a["service"] for a in answers],
    )
    table = proportion_table(counts, k=k)
    deep = int(counts["denominator"].max()) if len(counts) else 0
    total = suppress_small(pd.Series({"cases": deep}), k=k, margins=False)
    answers.sort(
        key=lambda a: (
            -a["components_after"],
            a["largest_after"],
            -len(a["isolated_after"]),
            str(a["service"]),
        )
    )
    rows = []
    for answer in answers:
        service = answer["service"]
        hidden = bool(table.hidden.loc[service, "numerator"])
        losing = table.values.loc[service, "numerator"]
        isolated = [_service(s, lang) for s in answer["isolated_after"]]
        rows.append(
            {
                label("ui.service", lang): _service(service, lang),
                label("tab.net.drop.losing", lang): (
                    table.marks.loc[service, "numerator"]
                    if hidden
                    else format_number(int(losing), lang)
                ),
                label("tab.net.drop.share", lang): (
                    label("suppression.secondary", lang)
                    if hidden
                    else format_share(table.values.loc[service, "share"], lang, 1)
                ),
                label("dash.drop.components", lang): (
                    f"{answer['components_before']} → {answer['components_after']}"
                ),
                label("dash.drop.largest", lang): (
                    f"{answer['largest_before']} → {answer['largest_after']}"
                ),
                label("dash.drop.isolated", lang): ", ".join(isolated) or label("ui.none", lang),
            }
        )
    return pd.DataFrame(rows), shown_counts(total, lang).iloc[0, 0]


def period_change_display(
    table: pd.DataFrame,
    periods: Sequence[tuple[object, object]],
    k: int = DEFAULT_K,
    lang: str = "nb",
    top: int | None = None,
    *,
    hidden_rows: bool = True,
) -> pd.DataFrame:
    """Shared cases of each pair in two periods, the change and its p-value, for readers.

    The counts of both periods pass the small-cell rule together
    (:func:`~bti_workbench.network.publish.suppressed_period_change`); where one is hidden,
    the change and the p-value are hidden too (``×``), as they would give it back. Rows with
    a p-value come first, smallest first; the rest follow by name, so a hidden count never
    sets the order.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`~bti_workbench.network.questions.period_change`.
    periods : two (start, end)
        The periods compared, for the headers.
    k : int
        The smallest count of cases shown.
    lang : str
    top : int, optional
        Keep only this many rows.
    hidden_rows : bool, default True
        Also list the pairs whose change is hidden (after the others).

    Returns
    -------
    pandas.DataFrame
        The pair, the shared cases of each period, the change per 100 cases of the period
        and the p-value (``<0,001`` below 0.001).
    """
    counts, hidden = suppressed_period_change(table, k)
    ids = [f"{a}–{b}" for a, b in zip(table["service_a"], table["service_b"], strict=True)]
    shown = shown_counts(counts, lang).loc[ids]
    mark = label("suppression.secondary", lang)
    pairs = [
        f"{_service(a, lang)} – {_service(b, lang)}"
        for a, b in zip(table["service_a"], table["service_b"], strict=True)
    ]
    first, second = (_period_text(p) for p in periods)
    out = pd.DataFrame(
        {
            label("tab.net.pair", lang): pairs,
            label("tab.net.shared_in", lang, period=first): shown["first"].to_numpy(),
            label("tab.net.shared_in", lang, period=second): shown["second"].to_numpy(),
            label("tab.net.change", lang): [
                mark if h else format_number(c, lang, 1, sign=True)
                for c, h in zip(table["change_per_100"], hidden, strict=True)
            ],
            label("tab.net.p_value", lang): [
                mark if h else format_p_value(p, lang)
                for p, h in zip(table["p_value"], hidden, strict=True)
            ],
        }
    )
    order = sorted(
        range(len(table)),
        key=lambda i: (bool(hidden[i]), 0.0 if hidden[i] else table["p_value"].iloc[i], pairs[i]),
    )
    if not hidden_rows:
        order = [i for i in order if not hidden[i]]
    out = out.iloc[order].reset_index(drop=True)
    return out if top is None else out.head(top)


def qap_fields(result: dict, lang: str = "nb") -> dict[str, str]:
    """The QAP result's fields in words: ``correlation``, ``p`` and ``services``.

    Examples
    --------
    >>> qap_fields({"correlation": 0.7145, "p_value": 0.002, "services": 14}, "nb")
    {'correlation': '0,71', 'p': '0,002', 'services': '14'}
    """
    return {
        "correlation": format_number(result["correlation"], lang, 2),
        "p": format_p_value(result["p_value"], lang),
        "services": format_number(result["services"], lang),
    }
