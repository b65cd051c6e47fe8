"""The event vocabulary of a baton log, and the one order of events at the same timestamp.

An event log (the ``event-log`` contract) has one row per event of a case. Exports stamp
events to the minute or the day, so several events of one case often share a timestamp: the
level-0 decision and the level change it leads to, a report to child welfare and the log's
closing. Every part of the workbench that reads a case's history (the indicators, the case
flow, calibration) puts such events in the order of :data:`EVENT_ORDER`, never in the order
of the file's rows.

Why this order:

- a case starts with its concern and the level-0 decision comes before anything it leads to;
- a **report to child welfare comes before a level change at the same moment**: the statutory
  duty to report overrides the model, and a level change in the same minute is the BTI
  response to the report (the case goes on at its new level, so it has not left BTI for
  child welfare); only a report with no later level change ends the case's path there;
- an expiring consent comes before its renewal, and consent and the log come before the level
  change they belong to;
- an evaluation comes before the new measure it leads to;
- a reading of the log (``log_read``) comes after the entries and meetings it could have read;
- the closing comes last.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({"case_id": ["A", "A", "A"],
...                     "event_time": pd.to_datetime(["2024-03-01"] * 3),
...                     "event": ["log_closed", "level_changed", "report_to_child_welfare"]})
>>> order_events(log)["event"].tolist()
['report_to_child_welfare', 'level_changed', 'log_closed']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EVENT_ORDER", "event_rank", "order_events"]

#: Every event code of the ``event-log`` contract, in the order that breaks ties between
#: events of one case at one timestamp (see the module's docstring for why).
EVENT_ORDER: tuple[str, ...] = (
    "concern_raised",
    "level0_decision",
    "report_to_child_welfare",
    "consent_expired",
    "consent_given",
    "log_opened",
    "level_changed",
    "baton_handover",
    "measure_evaluated",
    "measure_added",
    "entry_added",
    "meeting_held",
    "log_read",
    "log_closed",
)


def event_rank(events: pd.Series | np.ndarray | list[str]) -> np.ndarray:
    """The position of each event code in :data:`EVENT_ORDER` (``len(EVENT_ORDER)`` if unknown).

    Parameters
    ----------
    events : array-like of str
        Event codes.

    Returns
    -------
    numpy.ndarray
        ``int64`` ranks, one per event.

    See Also
    --------
    order_events : sorts a whole event log by case, time and this rank.

    Examples
    --------
    >>> event_rank(["log_closed", "concern_raised", "unknown"]).tolist()
    [13, 0, 14]
    """
    ranks = pd.Index(EVENT_ORDER).get_indexer(pd.Index(np.asarray(events, dtype=object)))
    return np.where(ranks < 0, len(EVENT_ORDER), ranks).astype(np.int64)


def order_events(event_log: pd.DataFrame) -> pd.DataFrame:
    """The event log sorted by case, then time, then :data:`EVENT_ORDER`.

    Rows that tie on all three keep the file's order (the sort is stable).

    Parameters
    ----------
    event_log : pandas.DataFrame
        With ``case_id``, ``event_time`` and ``event`` columns.

    Returns
    -------
    pandas.DataFrame
        The same rows (and index) in the one order.

    See Also
    --------
    event_rank : the tie-breaking rank of each event code.
    """
    rank = event_rank(event_log["event"])
    keys = (
        np.arange(len(event_log)),
        rank,
        event_log["event_time"].to_numpy(),
        pd.factorize(event_log["case_id"], sort=True)[0],
    )
    return event_log.iloc[np.lexsort(keys)]
