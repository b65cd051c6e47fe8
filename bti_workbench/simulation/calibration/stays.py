"""Stays at the levels, read from an event log the way the simulation model sees a case.

:func:`prepare_event_log` checks a pseudonymised event log (the ``event-log`` contract) and
:func:`read_stays` turns it into stays (see :mod:`bti_workbench.simulation.model`):

- A **new concern** is a ``concern_raised`` event that starts a case (one raised while the
  case is still open is not a new arrival). It arrives at level 0.
- A **stay** at a level runs from entering it (the concern, or a ``level_changed`` to it) to
  the first of: a ``level0_decision`` (at level 0), a ``report_to_child_welfare``, a
  ``log_closed`` or a ``level_changed`` to another level. How it ended is what follows: a
  level change is **up** or **down** (level 0 can only go up, level 3 only down); else a
  report is **child welfare**, which ends the case as in the model (the later
  ``log_closed`` is part of that exit); else the case is **closed**. A report followed by a
  level change did not end the case: the stay ends there and the case moves on.
- A case whose first event is not a concern was already open when the export began: its
  first stay has no known start (unless the log shows the level change into it at that
  moment), so it counts for routing and for the exponential estimate, not for the
  Kaplan–Meier one.

Events of one case at the same timestamp are read in the one order of
:data:`bti_workbench.eventlog.EVENT_ORDER`, never in the file's order.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from bti_workbench.eventlog import event_rank
from bti_workbench.ingest.contracts import column_specs

__all__ = ["OPEN", "OUTCOMES", "Stays", "prepare_event_log", "read_stays"]

#: How a stay at a level ends, in the order of the scenario's ``next`` keys (closed: the rest).
#: A stay's ``outcome`` code is the position in this tuple.
OUTCOMES = ("up", "down", "child_welfare", "closed")
#: The ``outcome`` (and ``exit``) of a stay still open at the end of the log.
OPEN = -1

_NEEDED = ("case_id", "event_time", "event", "level", "service", "age_band")
_UP, _DOWN, _CW, _CLOSED = range(len(OUTCOMES))
_FIRST, _CONCERN, _DECISION, _REPORT, _CHANGE, _CLOSE = range(6)
_STATE_EVENTS = {
    "concern_raised": _CONCERN,
    "level0_decision": _DECISION,
    "report_to_child_welfare": _REPORT,
    "level_changed": _CHANGE,
    "log_closed": _CLOSE,
}
_DIAGNOSTICS = (
    "concerns_on_open_cases",
    "jumps",
    "opened_before_export",
    "reports_then_level_change",
)


class Stays(NamedTuple):
    """The stays of every case in a log, and what the reading met.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per stay: ``spell`` (a number per stretch of a case from a concern on),
        ``level``, ``entry`` and ``exit`` (times in ns; ``exit`` is :data:`OPEN` while
        open), ``outcome`` (a position in :data:`OUTCOMES`, or :data:`OPEN`) and ``known``
        (whether the stay's start is in the log).
    concerns : numpy.ndarray
        Positions in the prepared log of the concerns that started a case.
    diagnostics : dict
        Counts: concerns on open cases, jumps over a level, cases open before the export
        began, reports followed by a level change.
    """

    table: pd.DataFrame
    concerns: np.ndarray
    diagnostics: dict


def prepare_event_log(event_log: pd.DataFrame) -> pd.DataFrame:
    """The columns calibration needs, checked: times as ``datetime64[ns]``, levels as ints.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A pseudonymised event log with ``case_id, event_time, event, level, service,
        age_band``.

    Returns
    -------
    pandas.DataFrame
        Those columns, in that order, in the file's row order.

    Raises
    ------
    ValueError
        For missing columns, an empty log, unknown event codes, missing times or levels, or
        a level outside 0–3. Messages never repeat an identifier.

    See Also
    --------
    read_stays : the stays of the prepared log.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a"], "event_time": ["2020-01-06"],
    ...                     "event": ["concern_raised"], "level": [0.0],
    ...                     "service": ["school"], "age_band": ["6-15"]})
    >>> prepare_event_log(log).dtypes[["event_time", "level"]].astype(str).tolist()
    ['datetime64[ns]', 'int64']
    """
    missing = [c for c in _NEEDED if c not in event_log.columns]
    if missing:
        raise ValueError(f"the event log lacks the columns {', '.join(missing)}")
    if event_log.empty:
        raise ValueError("the event log is empty")
    frame = event_log[list(_NEEDED)].copy()
    frame["event_time"] = pd.to_datetime(frame["event_time"]).astype("datetime64[ns]")
    unknown = sorted(
        set(frame["event"].astype(str)) - set(column_specs("event-log")["event"]["values"])
    )
    if unknown:
        raise ValueError(f"unknown event codes: {', '.join(unknown)}")
    if frame[["event_time", "level"]].isna().any().any():
        raise ValueError("event_time and level must be given on every row")
    levels = frame["level"].astype(float)
    if not levels.isin([0, 1, 2, 3]).all():
        raise ValueError("level must be a whole number from 0 to 3")
    frame["level"] = levels.astype(np.int64)
    frame["event"] = frame["event"].astype(str)
    return frame


def read_stays(frame: pd.DataFrame) -> Stays:
    """The stays of every case, the concerns that started one, and diagnostics.

    Parameters
    ----------
    frame : pandas.DataFrame
        An event log from :func:`prepare_event_log`.

    Returns
    -------
    Stays

    See Also
    --------
    bti_workbench.simulation.calibration.estimate.estimate_parameters : estimates from them.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a"] * 3,
    ...     "event_time": pd.to_datetime(["2020-01-06", "2020-01-13", "2020-01-13"]),
    ...     "event": ["concern_raised", "report_to_child_welfare", "level_changed"],
    ...     "level": [0, 0, 1], "service": ["school"] * 3, "age_band": ["6-15"] * 3})
    >>> stays = read_stays(prepare_event_log(log))
    >>> stays.table[["level", "outcome"]].values.tolist()  # up, then still open
    [[0, 0], [1, -1]]
    >>> stays.diagnostics["reports_then_level_change"]
    1
    """
    rows, opened_before = _state_rows(frame)
    diagnostics = dict.fromkeys(_DIAGNOSTICS, 0)
    diagnostics["opened_before_export"] = opened_before
    stays, concerns = _walk(rows, diagnostics)
    table = pd.DataFrame(stays, columns=["spell", "level", "entry", "exit", "outcome", "known"])
    return Stays(table, np.array(concerns, dtype=np.int64), diagnostics)


def _entered_at(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Whether the case of each row changed to the row's level at the row's time.

    The first stay of a case that was open before the export began has a known start only
    when the log shows the level change into it; other events at the same minute (the log
    opened, a consent) do not hide it, whatever their place in the event order.
    """
    changes = frame[frame["event"] == "level_changed"]
    keys = ["case_id", "event_time", "level"]
    entered = pd.MultiIndex.from_frame(changes[keys])
    return pd.MultiIndex.from_frame(frame.iloc[rows][keys]).isin(entered)


def _state_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The events that move a case, in the one order, and how many cases began before.

    A case first seen at anything but a concern was already open when the export began: it
    gets a ``_FIRST`` row at its first event, ahead of everything else at that moment.
    """
    case = pd.factorize(frame["case_id"])[0]
    time = frame["event_time"].to_numpy("datetime64[ns]").view(np.int64)
    events = frame["event"].to_numpy()
    level = frame["level"].to_numpy()
    rank = event_rank(events)
    order = np.lexsort((np.arange(len(frame)), rank, time, case))
    first = order[np.r_[True, case[order][1:] != case[order][:-1]]]
    before = first[events[first] != "concern_raised"]
    rows = np.flatnonzero(np.isin(events, list(_STATE_EVENTS)))
    table = pd.DataFrame(
        {
            "case": np.r_[case[rows], case[before]],
            "time": np.r_[time[rows], time[before]],
            "code": np.r_[[_STATE_EVENTS[e] for e in events[rows]], np.full(len(before), _FIRST)],
            "rank": np.r_[rank[rows], np.full(len(before), -1)],
            "level": np.r_[level[rows], level[before]],
            "position": np.r_[rows, before],
            "known": np.r_[np.zeros(len(rows), bool), _entered_at(frame, before)],
        }
    )
    order = np.lexsort(tuple(table[key].to_numpy() for key in ("position", "rank", "time", "case")))
    return table.iloc[order], len(before)


def _walk(rows: pd.DataFrame, diag: dict) -> tuple[list[tuple], list[int]]:
    """Walk the ordered state rows: the stays (as tuples) and the new concerns' positions."""
    stays: list[tuple[int, int, int, int, int, bool]] = []
    concerns: list[int] = []
    spell = -1
    cur = entry = pending_time = pending = None
    known = False
    this_case = None

    def finish(stay_end: int, outcome: int) -> None:
        stays.append((spell, cur, entry, stay_end, outcome, known))

    columns = ("case", "time", "code", "level", "position", "known")
    for c, t, code, lv, position, first_known in zip(
        *(rows[name].tolist() for name in columns), strict=True
    ):
        if c != this_case:
            if cur is not None:
                finish(*((pending_time, pending) if pending is not None else (OPEN, OPEN)))
            this_case, cur, pending, pending_time = c, None, None, None
        if code == _FIRST:
            spell += 1
            cur, entry, known = lv, t, bool(first_known)
            continue
        if code == _CONCERN:
            if cur is not None and pending is None:
                diag["concerns_on_open_cases"] += 1
                continue
            if cur is not None:
                finish(pending_time, pending)
            spell += 1
            cur, entry, known, pending, pending_time = 0, t, True, None, None
            concerns.append(int(position))
        elif cur is None:
            continue  # after the case ended: a log closed after a report, and the like
        elif code == _CHANGE and lv != cur:
            if pending == _CW:
                diag["reports_then_level_change"] += 1
            diag["jumps"] += abs(lv - cur) > 1
            finish(pending_time if pending is not None else t, _UP if lv > cur else _DOWN)
            cur, entry, known, pending, pending_time = lv, t, True, None, None
        elif code == _DECISION and cur == 0 and pending is None:
            pending, pending_time = _CLOSED, t
        elif code == _REPORT and pending != _CW:
            pending, pending_time = _CW, t if pending is None else pending_time
        elif code == _CLOSE and pending is None:
            pending, pending_time = _CLOSED, t
    if cur is not None:
        finish(*((pending_time, pending) if pending is not None else (OPEN, OPEN)))
    return stays, concerns
