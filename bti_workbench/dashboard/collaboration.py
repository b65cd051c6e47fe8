"""The dashboard's collaboration page: the service network of a period and what it lacks.

Built on :mod:`bti_workbench.network`: the map is drawn from the suppressed adjacency
(:func:`bti_workbench.network.figures.network_map`), the shared cases of expected pairs are
read from that same suppressed table (so the table and the map hide the same cells), and the
cases a service's drop-out would cut off pass
:func:`~bti_workbench.evaluation.proportions.proportion_table`. Counts of services
(components, isolated services) are not about people and are shown as they are.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.periods import in_period, parse_period
from bti_workbench.evaluation.proportions import proportion_table
from bti_workbench.network.figures import network_map
from bti_workbench.network.graphs import service_graph
from bti_workbench.network.publish import suppressed_adjacency
from bti_workbench.network.questions import drop_out, expected_links
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.reference.labels import label

__all__ = ["CollaborationView", "collaboration_view", "periods"]

_PERIOD_MONTHS = (3, 6, 12)
_LOG_COLUMNS = ("case_id", "event_time", "event", "level", "service", "role")


@dataclass(frozen=True, eq=False)
class CollaborationView:
    """The collaboration page for one period.

    Attributes
    ----------
    period : (pandas.Timestamp, pandas.Timestamp) or None
        The days covered (both included); None for the whole log.
    network : plotly.graph_objects.Figure
        Services (size: open cases, colour: sector) and shared cases; hidden counts read
        ``<k`` or ``×`` and are drawn dotted.
    missing : pandas.DataFrame
        The expected pairs: services, reason, shared cases (as the map shows them), missing.
    drop_out : pandas.DataFrame
        What if :attr:`dropped_service` drops out: two columns, what and figure.
    dropped_service : str or None
        The service asked about (by default the one with the highest betweenness).
    services : dict
        Service name (in ``lang``) → id, for the drop-out picker.
    periods : dict
        Period name → (start, end), for the period picker (see :func:`periods`).
    notes : str
    """

    period: tuple[pd.Timestamp, pd.Timestamp] | None
    network: go.Figure
    missing: pd.DataFrame
    drop_out: pd.DataFrame
    dropped_service: str | None
    services: dict[str, str]
    periods: dict[str, tuple[pd.Timestamp, pd.Timestamp]]
    notes: str


def periods(
    event_log: pd.DataFrame, *, months: int = 6, lang: str = "nb", whole: bool = True
) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Calendar periods of the log for a period picker: half-years by default.

    Parameters
    ----------
    event_log : pandas.DataFrame
    months : {3, 6, 12}
        Quarters, half-years or years, from the one holding the first event to the one
        holding the last.
    lang : {"nb", "en"}
    whole : bool, default True
        Put the whole log first (its first to its last day).

    Returns
    -------
    dict
        Name → (first day, last day), in time order.

    Examples
    --------
    >>> log = pd.DataFrame({"event_time": pd.to_datetime(["2018-03-05", "2019-02-01"])})
    >>> list(periods(log, lang="en"))
    ['Whole period', 'H1 2018', 'H2 2018', 'H1 2019']
    >>> periods(log, lang="en")["H2 2018"][1].date()
    datetime.date(2018, 12, 31)
    """
    if months not in _PERIOD_MONTHS:
        raise ValueError(f"months must be one of {_PERIOD_MONTHS}")
    times = pd.to_datetime(event_log["event_time"]).dropna()
    if times.empty:
        raise ValueError("the event log has no event times")
    first, last = times.min().normalize(), times.max().normalize()
    out: dict[str, tuple[pd.Timestamp, pd.Timestamp]] = {}
    if whole:
        out[label("dash.period.whole", lang)] = (first, last)
    start = pd.Timestamp(first.year, (first.month - 1) // months * months + 1, 1)
    while start <= last:
        end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
        part = (start.month - 1) // months + 1
        if months == 12:
            name = str(start.year)
        else:
            key = "dash.period.half" if months == 6 else "dash.period.quarter"
            name = label(key, lang, n=part, year=start.year)
        out[name] = (start, end)
        start = end + pd.Timedelta(days=1)
    return out


def _period_text(period: tuple | None, lang: str) -> str:
    if period is None:
        return label("dash.period.whole", lang).lower()
    start, end = parse_period(period)
    return f"{start:%d.%m.%Y}–{end:%d.%m.%Y}"


def _missing_table(
    graph: nx.Graph, expected: pd.DataFrame, adjacency: pd.DataFrame | None, lang: str
) -> pd.DataFrame:
    rows = []
    for pair in expected.itertuples(index=False):
        a, b = pair.service_a, pair.service_b
        if graph.has_edge(a, b):
            shared = str(adjacency.loc[a, b])  # the map's own text: a count, <k or ×
            missing = False
        else:
            shared, missing = "0", True
        rows.append(
            {
                label("dash.col.service_a", lang): label(f"service.{a}", lang),
                label("dash.col.service_b", lang): label(f"service.{b}", lang),
                label("dash.col.reason", lang): getattr(pair, f"reason_{lang}", "") or pair.reason,
                label("dash.col.shared_cases", lang): shared,
                label("dash.col.missing", lang): label("dash.yes" if missing else "dash.no", lang),
            }
        )
    return pd.DataFrame(rows)


class _Keyed:
    """A table that hashes by its content, so results drawn from it can be cached."""

    def __init__(self, frame: pd.DataFrame, columns: tuple[str, ...] | None = None) -> None:
        self.frame = frame
        chosen = [c for c in (columns or frame.columns) if c in frame.columns]
        values = pd.util.hash_pandas_object(frame[chosen], index=False).to_numpy()
        digest = hashlib.blake2b(values.tobytes(), digest_size=16).hexdigest()
        self.key = (len(frame), tuple(chosen), digest)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Keyed) and self.key == other.key


@dataclass(frozen=True, eq=False)
class _Network:
    graph: nx.Graph
    figure: go.Figure
    missing: pd.DataFrame
    all_hidden: bool = False  # every tie's count is hidden (the map is all dotted lines)


@lru_cache(maxsize=32)
def _network(log: _Keyed, period: tuple | None, expected: _Keyed, k: int, lang: str) -> _Network:
    """The graph, the map and the expected pairs of a period (the slow part: suppression)."""
    graph = service_graph(log.frame, period)
    title = label("dash.net.title", lang, period=_period_text(period, lang))
    if graph.number_of_nodes() == 0:
        figure = go.Figure()
        figure.update_layout(title=title)
        figure.add_annotation(text=label("dash.net.empty", lang), showarrow=False)
        adjacency = None
    else:
        figure = network_map(graph, k, lang, title)
        table = suppressed_adjacency(graph, k)
        adjacency = table.formatted(lang)
        ties = [(a, b) for a, b in graph.edges if a in table.hidden.index]
        all_hidden = bool(ties) and all(bool(table.hidden.loc[a, b]) for a, b in ties)
        missing = _missing_table(graph, expected.frame, adjacency, lang)
        return _Network(graph, figure, missing, all_hidden)
    return _Network(graph, figure, _missing_table(graph, expected.frame, adjacency, lang))


def _central(graph: nx.Graph) -> str | None:
    """The service with the highest betweenness (ties: the first by name)."""
    if graph.number_of_nodes() == 0:
        return None
    scores = nx.betweenness_centrality(graph)
    return min(sorted(graph), key=lambda n: -scores[n])


def _drop_out_table(
    log: pd.DataFrame, graph: nx.Graph, service: str, k: int, lang: str
) -> pd.DataFrame:
    answer = drop_out(log, graph, service)
    counts = pd.DataFrame(
        {
            "numerator": [answer["cases_losing_cross_sector_tie"]],
            "denominator": [answer["cases_at_levels_2_3"]],
        },
        index=[service],
    )
    shown = proportion_table(counts, k=k).formatted(lang).loc[service]
    losing = shown["numerator"] + (f" ({shown['share']})" if shown["share"] else "")
    isolated = [label(f"service.{s}", lang) for s in answer["isolated_after"]]
    rows = [
        ("dash.drop.cases", shown["denominator"]),
        ("dash.drop.losing", losing),
        ("dash.drop.components", f"{answer['components_before']} → {answer['components_after']}"),
        ("dash.drop.largest", f"{answer['largest_before']} → {answer['largest_after']}"),
        ("dash.drop.isolated", ", ".join(isolated) or label("ui.none", lang)),
    ]
    return pd.DataFrame(
        [(label(key, lang), value) for key, value in rows],
        columns=[label("rep.col.what", lang), label("rep.col.figure", lang)],
    )


def collaboration_view(
    event_log: pd.DataFrame,
    *,
    period: tuple | None = None,
    expected: pd.DataFrame | None = None,
    k: int = DEFAULT_K,
    lang: str = "nb",
    dropped_service: str | None = None,
) -> CollaborationView:
    """The service network of a period, its missing expected ties, and a drop-out question.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log (one municipality).
    period : (start, end), optional
        Days to keep (both included), e.g. a value of :func:`periods`; None: the whole log.
    expected : pandas.DataFrame, optional
        Expected pairs (``service_a, service_b, reason``); default
        :func:`bti_workbench.network.questions.expected_links`.
    k : int, default 5
        Suppression threshold, set by the operator, never by a viewer.
    lang : {"nb", "en"}
    dropped_service : str, optional
        The service whose drop-out to show; default the one with the highest betweenness.
        Open cases are those not closed or reported by the period's end.

    Returns
    -------
    CollaborationView
        The map and the expected pairs are cached per log content, period, ``expected``,
        ``k`` and ``lang`` (the small-cell audit of a network can take seconds); changing
        ``dropped_service`` reuses them.

    Raises
    ------
    ValueError
        When ``dropped_service`` has no ties in the period's network.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "case_id": [f"C{i}" for i in range(6) for _ in range(2)],
    ...     "event_time": pd.Timestamp("2018-02-01"), "event": "meeting_held", "level": 2,
    ...     "service": ["school", "ppt"] * 6, "role": ["baton_holder", "participant"] * 6})
    >>> view = collaboration_view(log, lang="en")
    >>> view.dropped_service, view.drop_out.iloc[0].tolist()
    ('ppt', ['Open cases at levels 2–3 at the end of the period', '6'])
    """
    period = None if period is None else parse_period(period)
    expected = expected_links() if expected is None else expected
    network = _network(_Keyed(event_log, _LOG_COLUMNS), period, _Keyed(expected), k, lang)
    graph = network.graph
    if dropped_service is not None and dropped_service not in graph:
        raise ValueError(
            f"{dropped_service!r} has no ties in this period; choose one of {sorted(graph)}"
        )
    chosen = dropped_service if dropped_service is not None else _central(graph)
    if chosen is None:
        drop = pd.DataFrame(columns=[label("rep.col.what", lang), label("rep.col.figure", lang)])
    else:
        in_it = event_log[in_period(event_log["event_time"], period)]
        drop = _drop_out_table(in_it, graph, chosen, k, lang)
    return CollaborationView(
        period=period,
        network=network.figure,
        missing=network.missing,
        drop_out=drop,
        dropped_service=chosen,
        services={label(f"service.{s}", lang): s for s in sorted(graph)},
        periods=periods(event_log, lang=lang),
        notes=" ".join(
            ([label("dash.net.all_hidden", lang, k=k)] if network.all_hidden else [])
            + [label("dash.net.note", lang), label("suppression.note", lang, k=k)]
        ),
    )
