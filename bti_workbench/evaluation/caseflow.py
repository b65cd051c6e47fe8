"""How cases move between levels, read from an event log."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from bti_workbench.eventlog import order_events
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small
from bti_workbench.reference.labels import label

__all__ = [
    "FLOW_STATES",
    "case_flow_sankey",
    "case_paths",
    "flow_table",
    "flow_table_text",
    "level_transitions",
]

#: States of a case path: a new concern, the levels, and how it ends (or that it is still open).
FLOW_STATES = ("concern", "0", "1", "2", "3", "closed", "child_welfare", "open")


def case_paths(event_log: pd.DataFrame) -> pd.DataFrame:
    """One row per step of each case through the levels.

    A case starts as a new concern, enters level 0, follows its ``level_changed`` events and
    ends ``closed`` (log closed, or a level-0 decision with no log), ``child_welfare`` (reported
    to child welfare as its last step) or ``open`` (still active at the end of the export).
    Events of a case at one timestamp are taken in :data:`bti_workbench.eventlog.EVENT_ORDER`,
    whatever the file's order: a report with a level change in the same minute does not end
    the path (the case goes on at its new level), and a log closed in the same minute as a
    meeting stays closed.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log (:func:`bti_workbench.ingest.readers.read_event_log`).

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id, step, source, target`` with states from :data:`FLOW_STATES`.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "case_id": ["c"] * 4,
    ...     "event_time": pd.to_datetime(["2018-01-01", "2018-01-10", "2018-01-10", "2018-03-01"]),
    ...     "event": ["concern_raised", "level0_decision", "level_changed", "log_closed"],
    ...     "level": [0, 0, 1, 1]})
    >>> case_paths(log)[["source", "target"]].values.tolist()
    [['concern', '0'], ['0', '1'], ['1', 'closed']]
    """
    rows = []
    for case_id, events in order_events(event_log).groupby("case_id", sort=True):
        state = "concern"
        steps = []
        decided = reported = closed = False
        for event, level in zip(events["event"], events["level"], strict=True):
            if event == "concern_raised" and state == "concern":
                steps.append((state, "0"))
                state = "0"
            elif event == "level_changed" and str(int(level)) != state:
                if state == "concern":
                    steps.append((state, "0"))
                    state = "0"
                steps.append((state, str(int(level))))
                state = str(int(level))
                reported = False
            elif event == "level0_decision":
                decided = True
            elif event == "report_to_child_welfare":
                reported = True
            elif event == "log_closed":
                closed = True
            elif event in ("log_opened", "meeting_held", "entry_added") and closed:
                closed = False  # a log reopened
        if state == "concern":
            steps.append((state, "0"))
            state = "0"
        if reported:
            end = "child_welfare"
        elif closed or (state == "0" and decided):
            end = "closed"
        else:
            end = "open"
        steps.append((state, end))
        rows += [(case_id, i, a, b) for i, (a, b) in enumerate(steps)]
    return pd.DataFrame(rows, columns=["case_id", "step", "source", "target"])


def level_transitions(event_log: pd.DataFrame) -> pd.DataFrame:
    """Count transitions between states as a square table (rows from, columns to).

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log, as for :func:`case_paths`.

    Returns
    -------
    pandas.DataFrame
        Index and columns :data:`FLOW_STATES`; cell = number of transitions.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "b"], "event_time": pd.to_datetime(["2018-01-01"] * 2),
    ...                     "event": ["concern_raised"] * 2, "level": [0, 0]})
    >>> int(level_transitions(log).loc["concern", "0"])
    2
    """
    paths = case_paths(event_log)
    table = pd.crosstab(paths["source"], paths["target"])
    return table.reindex(index=FLOW_STATES, columns=FLOW_STATES, fill_value=0).astype("int64")


#: Rows and columns of the published flow table (transitions that can happen).
FLOW_ROWS = ("concern", "0", "1", "2", "3")
FLOW_COLUMNS = ("0", "1", "2", "3", "closed", "child_welfare", "open")


def flow_table(event_log: pd.DataFrame, k: int = DEFAULT_K) -> SuppressedTable:
    """Transitions between levels, ready to publish: small cells suppressed.

    Every case that enters a level also leaves it (to another level, an end, or still open),
    so a level's row total equals its column total; the suppression is told so and protects
    against that sum too. Structural zeros (transitions that cannot happen) are shown.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log, as for :func:`case_paths`.
    k : int, default 5
        Suppression threshold of :func:`~bti_workbench.privacy.suppress_small`.

    Returns
    -------
    SuppressedTable
        Rows :data:`FLOW_ROWS`, columns :data:`FLOW_COLUMNS`, with totals.

    See Also
    --------
    level_transitions : the raw counts.
    flow_table_text : the table as labelled text.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": list("abcdefg"),
    ...                     "event_time": pd.to_datetime(["2018-01-01"] * 7),
    ...                     "event": ["concern_raised"] * 7, "level": [0] * 7})
    >>> flow_table(log).formatted().loc["concern", "0"]
    '7'
    """
    table = level_transitions(event_log).loc[list(FLOW_ROWS), list(FLOW_COLUMNS)]
    links = [(level, level) for level in ("0", "1", "2", "3")]
    return suppress_small(table, k=k, allow_zero=True, linked=links)


_STATE_KEYS = {
    "concern": "ui.new_concern",
    "0": "level.0.short",
    "1": "level.1.short",
    "2": "level.2.short",
    "3": "level.3.short",
    "closed": "level.closed",
    "child_welfare": "level.child_welfare",
    "open": "ui.open",
}
_COLOURS = ("#6c757d", "#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#7f7f7f", "#9467bd", "#17becf")


def case_flow_sankey(flows: SuppressedTable, lang: str = "nb") -> go.Figure:
    """Sankey of transitions between levels; suppressed transitions are left out.

    Parameters
    ----------
    flows : SuppressedTable
        :func:`~bti_workbench.privacy.suppress_small` applied to :func:`level_transitions`.
    lang : {"nb", "en"}
    """
    values = flows.values
    states = [s for s in FLOW_STATES if s in values.index or s in values.columns]
    position = {s: i for i, s in enumerate(states)}
    sources, targets, counts = [], [], []
    for a in states:
        for b in states:
            if a not in values.index or b not in values.columns:
                continue
            v = values.loc[a, b]
            if pd.isna(v) or int(v) == 0:
                continue
            sources.append(position[a])
            targets.append(position[b])
            counts.append(int(v))
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [label(_STATE_KEYS[s], lang) for s in states],
                "color": [_COLOURS[FLOW_STATES.index(s)] for s in states],
                "pad": 18,
            },
            link={"source": sources, "target": targets, "value": counts},
        )
    )
    fig.update_layout(
        title=label("ui.case_flow", lang),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=420,
    )
    return fig


def flow_table_text(flows: SuppressedTable, lang: str = "nb") -> pd.DataFrame:
    """The suppressed flow table as labelled text (``<5`` and ``×`` where hidden).

    Examples
    --------
    >>> from bti_workbench.privacy import suppress_small
    >>> t = suppress_small(pd.DataFrame({"0": [12]}, index=["concern"]))
    >>> flow_table_text(t, "en").columns.tolist()
    ['Level 0', 'Total']
    """
    text = flows.formatted(lang)
    names = {s: label(_STATE_KEYS[s], lang) for s in FLOW_STATES}
    names["total"] = label("ui.total", lang)
    return text.rename(index=names, columns=names).rename_axis(
        index=label("ui.from", lang), columns=label("ui.to", lang)
    )
