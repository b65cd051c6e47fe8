"""Unread logs: participants brought into a baton log who did not read it.

Tromsø's experience with the log: "it becomes visible when someone does not read and follow
up the log". An export shows a reading as a ``log_read`` row (the reader's role and actor).
Log tools that do not export readings give no ``log_read`` rows at all; then nothing can be
said about reading, and :func:`reads_exported` is false (the indicator table leaves the row
out rather than report every log as unread).

The conventions of :mod:`bti_workbench.evaluation.indicators` apply: periods of whole days,
counts before suppression, :func:`~bti_workbench.evaluation.eventarrays.indicator_arguments`
for the arguments.
"""

from __future__ import annotations

import numpy as np

from bti_workbench.evaluation.eventarrays import (
    DAY,
    NEVER,
    ROLES,
    EventLogLike,
    PeriodLike,
    indicator_arguments,
)
from bti_workbench.evaluation.proportions import IndicatorCount, count_masks

__all__ = ["READ_DAYS", "reads_exported", "unread_logs"]

#: Calendar days a participant has to read the log after being brought into it.
READ_DAYS = 14


@indicator_arguments
def reads_exported(event_log: EventLogLike) -> bool:
    """Whether the export records readings of the log at all (any ``log_read`` row).

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log.

    Returns
    -------
    bool

    Examples
    --------
    >>> import pandas as pd
    >>> reads_exported(pd.DataFrame({"case_id": ["a"], "event": ["log_opened"],
    ...                              "event_time": pd.to_datetime(["2018-01-02"])}))
    False
    """
    return bool(event_log.mask("log_read").any())


@indicator_arguments
def unread_logs(
    event_log: EventLogLike, period: PeriodLike, read_days: int = READ_DAYS
) -> IndicatorCount:
    """Unread logs: participants brought into a log who did not read it within 14 days.

    A participant is brought into a log at their first row in the case (any event, role
    ``participant``, a named ``actor_id``) while the log is open: usually the first meeting
    they attend. Rows before the log opened (level 0) do not count.
    Numerator: participants brought into a log in the period with no ``log_read`` row of
    their own in that case within ``read_days`` calendar days (reading on day 14 counts)
    while the log stayed open.
    Denominator: participants brought into a log in the period whose 14 days had passed by
    the period end, except those whose log closed within the 14 days before they read it
    (nothing left to read).

    Parents and the young person may read the log too, but this indicator is about the
    services taking part; the baton holder's follow-up is :func:`handover_gaps
    <bti_workbench.evaluation.indicators.handover_gaps>` and :func:`dropped_batons
    <bti_workbench.evaluation.indicators.dropped_batons>`. Only meaningful where the export
    carries ``log_read`` rows (:func:`reads_exported`).

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.
    read_days : int, default 14
        Calendar days a participant has to read the log.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case_id": ["a", "a", "a", "b", "b"],
    ...     "role": ["baton_holder", "participant", "participant", "baton_holder",
    ...              "participant"],
    ...     "actor_id": ["h1", "p1", "p1", "h2", "p2"],
    ...     "event": ["log_opened", "meeting_held", "log_read", "log_opened", "meeting_held"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-02-05",
    ...                                   "2018-01-02", "2018-02-01"])})
    >>> unread_logs(log, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    days = int(read_days)
    log = event_log
    rows = (log.role == ROLES.index("participant")) & (log.actor >= 0)
    rows &= log.in_log(log.case, log.sec)
    case, sec, actor = log.case[rows], log.sec[rows], log.actor[rows]
    is_read = log.mask("log_read")[rows]
    # One code per (case, participant): their first row, and their first reading.
    actors = int(log.actor.max(initial=0)) + 1
    pairs, pair = np.unique(case * actors + actor, return_inverse=True)
    pair = pair.ravel()
    first = np.full(len(pairs), NEVER, dtype=np.int64)
    np.minimum.at(first, pair, sec)
    first_read = np.full(len(pairs), NEVER, dtype=np.int64)
    np.minimum.at(first_read, pair[is_read], sec[is_read])
    pair_case = pairs // actors
    first_day = first // DAY
    read_in_time = first_read // DAY <= first_day + days
    _, closed = log.logs
    still_open = closed[pair_case] >= (first_day + days + 1) * DAY
    counted = (first >= s) & (first < e) & (first_day + days < e // DAY)
    return count_masks(~read_in_time & still_open, counted & (read_in_time | still_open))
