"""Evaluation indicators from the baton-log export, each a count over a stated denominator.

Every indicator is a numerator over a denominator (RE-AIM and Proctor both insist the
denominator is explicit) and is published through
:func:`bti_workbench.evaluation.proportions.proportion_table`, so small counts are hidden by
:func:`bti_workbench.privacy.suppress_small` and shares come with Wilson 95 % intervals.
:func:`indicator_table` gathers them with reach, adoption and penetration
(:mod:`bti_workbench.evaluation.uptake`); the per-indicator functions return the raw
:class:`~bti_workbench.evaluation.proportions.IndicatorCount` so each can be checked on its own.

Conventions shared by all indicators
------------------------------------
* ``period`` is ``(start, end)`` or ``"start..end"``, whole days, both inclusive (read by
  :func:`bti_workbench._util.periods.parse_period`): an event is *in the period* when
  ``start 00:00 <= event_time < end + 1 day 00:00``; *the period end* is the end of its last day.
* Events of a case at one timestamp are taken in :data:`bti_workbench.eventlog.EVENT_ORDER`.
* Each indicator is written once against the sorted arrays of
  :mod:`bti_workbench.evaluation.eventarrays`; the decorator
  :func:`~bti_workbench.evaluation.eventarrays.indicator_arguments` turns the caller's event log
  and period into them (once: :func:`indicator_table` passes its arrays on to every indicator).
* *Within N days* compares calendar dates: a decision on the 14th day after the concern is
  within 14 days, whatever the clock time (exports may hold dates only).
* **One baton log per case** (the data contract). The log is open from its first
  ``log_opened`` to its last ``log_closed`` when that comes after the last ``log_opened``;
  otherwise it is still open at the end of the export. A case without ``log_opened`` in the
  export has no log here: export from well before the period so logs opened earlier are seen.
* The indicators are computed on whole arrays (sorting once, then ``searchsorted`` and
  grouped sums), never case by case, so a million-row export takes a second or two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bti_workbench.evaluation.eventarrays import (
    DAY,
    NEVER,
    ROLES,
    EventArrays,
    EventLogLike,
    PeriodLike,
    Window,
    case_ends,
    event_code,
    indicator_arguments,
    next_in_case,
    pack,
)
from bti_workbench.evaluation.log_reading import READ_DAYS, reads_exported, unread_logs
from bti_workbench.evaluation.measures import (
    EVALUATION_DAYS,
    overdue_counts,
    owner_and_evaluation_counts,
)
from bti_workbench.evaluation.proportions import (
    IndicatorCount,
    IndicatorNote,
    ProportionTable,
    count_masks,
    proportion_table,
)
from bti_workbench.evaluation.uptake import adoption, penetration, reach
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small

__all__ = [
    "INDICATORS",
    "cases_by_level",
    "consent_expired_not_renewed",
    "consent_present",
    "dropped_batons",
    "dropped_batons_by_month",
    "handover_gaps",
    "indicator_table",
    "level0_decision_14d",
    "open_cases_by_level",
    "parents_participating",
    "young_person_participating",
]

#: Row ids of :func:`indicator_table`, in order; labels are ``ind.<id>`` and
#: ``ind.<id>.definition``.
INDICATORS = (
    "reach",
    "adoption",
    "penetration",
    "consent_present",
    "consent_expired_not_renewed",
    "parents_participating",
    "young_person_participating",
    "measures_owner_and_evaluation",
    "evaluations_overdue",
    "level0_decision_14d",
    "dropped_batons",
    "handover_gaps",
    "unread_logs",
)


# --------------------------------------------------------------------------------------------
# Consent and participation


@indicator_arguments
def consent_present(event_log: EventLogLike, period: PeriodLike) -> IndicatorCount:
    """Consent present at opening: logs opened in the period with a valid parental consent.

    Numerator: logs opened in the period whose case has a ``consent_given`` on or before the
    date of ``log_opened`` (any time that day) that had not expired by then: the latest
    consent event (given or expired) up to the end of that day is a ``consent_given``. On one
    timestamp a renewal wins over an expiry.
    Denominator: logs opened in the period (first ``log_opened`` of the case in the period).

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "event": ["consent_given", "log_opened", "log_opened"],
    ...     "event_time": pd.to_datetime(["2018-02-01 15:00", "2018-02-01 09:00",
    ...                                   "2018-02-02 09:00"])})
    >>> consent_present(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    opened, _ = event_log.logs
    case = np.flatnonzero((opened >= s) & (opened < e))
    day_end = (opened[case] // DAY + 1) * DAY
    given = event_log.last_before(event_log.mask("consent_given"), case, day_end)
    expired = event_log.last_before(event_log.mask("consent_expired"), case, day_end)
    return count_masks((given >= 0) & (given >= expired))


@indicator_arguments
def consent_expired_not_renewed(event_log: EventLogLike, period: PeriodLike) -> IndicatorCount:
    """Consent expired and not renewed, among logs whose consent expired in the period.

    Numerator: logs whose last ``consent_expired`` in the period is not followed (at the same
    time or later) by a ``consent_given`` before the log closed or the period ended.
    Denominator: logs (cases with an open log at the expiry) with a ``consent_expired`` in
    the period.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "a", "b", "b"],
    ...     "event": ["log_opened", "consent_expired", "consent_given", "log_opened",
    ...               "consent_expired"],
    ...     "event_time": pd.to_datetime(["2017-01-02", "2018-01-02", "2018-01-10",
    ...                                   "2017-02-01", "2018-02-01"])})
    >>> consent_expired_not_renewed(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    mask = event_log.mask("consent_expired") & (event_log.sec >= s) & (event_log.sec < e)
    case, sec = event_log.case[mask], event_log.sec[mask]
    keep = event_log.in_log(case, sec)
    case, sec = case[keep], sec[keep]
    last = case_ends(case)  # the last expiry in the period of each log
    case, sec = case[last], sec[last]
    renewed = event_log.first_at_or_after(event_log.mask("consent_given"), case, sec)
    _, closed = event_log.logs
    return count_masks(renewed >= np.minimum(closed[case], e))


@indicator_arguments
def parents_participating(event_log: EventLogLike, period: PeriodLike) -> IndicatorCount:
    """Parents participating: logs with a meeting in the period that a parent attended.

    Numerator: logs with a ``meeting_held`` row in the period whose role is ``parent``.
    Denominator: logs with a ``meeting_held`` row in the period. Only meetings while the log
    is open count (a meeting is minuted in the log). A young person attending alone does not
    count as a parent.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "a", "b", "b"],
    ...     "event": ["log_opened", "meeting_held", "meeting_held", "log_opened", "meeting_held"],
    ...     "role": ["baton_holder", "baton_holder", "parent", "baton_holder", "baton_holder"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-02-01",
    ...                                   "2018-01-02", "2018-03-01"])})
    >>> parents_participating(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    mask = event_log.mask("meeting_held") & (event_log.sec >= s) & (event_log.sec < e)
    case, sec, role = event_log.case[mask], event_log.sec[mask], event_log.role[mask]
    keep = event_log.in_log(case, sec)
    case, parent = case[keep], role[keep] == ROLES.index("parent")
    return IndicatorCount(len(np.unique(case[parent])), len(np.unique(case)))


#: Age bands in which the child is too young to take part in meetings in person.
_TOO_YOUNG = ("0-5",)


@indicator_arguments
def young_person_participating(event_log: EventLogLike, period: PeriodLike) -> IndicatorCount:
    """The child or young person participating: logs with a meeting they attended.

    BTI asks that the pregnant woman, the child or the young person take part themselves
    where it is appropriate, beside the parents (:func:`parents_participating`).
    Numerator: logs with a ``meeting_held`` row in the period whose role is
    ``young_person``.
    Denominator: logs with a ``meeting_held`` row in the period, counting only meetings
    while the child was of school age or older (``age_band`` not ``0-5``; a pregnancy counts,
    the pregnant woman takes part herself). Only meetings while the log is open count. A log
    without an ``age_band`` column counts every meeting.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "a", "b", "b", "c", "c"],
    ...     "event": ["log_opened", "meeting_held", "meeting_held", "log_opened",
    ...               "meeting_held", "log_opened", "meeting_held"],
    ...     "role": ["baton_holder", "baton_holder", "young_person", "baton_holder",
    ...              "baton_holder", "baton_holder", "baton_holder"],
    ...     "age_band": ["16-19", "16-19", "16-19", "6-15", "6-15", "0-5", "0-5"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-02-01",
    ...                                   "2018-01-02", "2018-03-01", "2018-01-02",
    ...                                   "2018-03-01"])})
    >>> young_person_participating(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    mask = event_log.mask("meeting_held") & (event_log.sec >= s) & (event_log.sec < e)
    if event_log.age_band is not None:
        mask &= ~np.isin(event_log.age_band, _TOO_YOUNG)
    case, sec, role = event_log.case[mask], event_log.sec[mask], event_log.role[mask]
    keep = event_log.in_log(case, sec)
    case, young = case[keep], role[keep] == ROLES.index("young_person")
    return IndicatorCount(len(np.unique(case[young])), len(np.unique(case)))


# --------------------------------------------------------------------------------------------
# Level-0 decisions


@indicator_arguments
def level0_decision_14d(
    event_log: EventLogLike, period: PeriodLike, days: int = 14
) -> IndicatorCount:
    """Level-0 decision within 14 days (Tromsø's target), among concerns raised in the period.

    Numerator: concerns (``concern_raised``) in the period whose ``level0_decision`` came
    within ``days`` calendar days (the decision on day 14 counts) and by the period end.
    Denominator: concerns raised in the period whose 14 days had passed by the period end, or
    that were decided by then; a concern from the last two weeks still waiting is not a
    failure yet. (Late concerns decided quickly do count, so the share leans slightly
    optimistic at the end of a period; :func:`bti_workbench.evaluation.survival.km_table`
    handles the waiting ones by censoring.)

    The decision of a concern is the first ``level0_decision`` of the case at or after it
    and before the case's next concern.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.
    days : int, default 14
        Calendar days within which the decision counts (Tromsø's target: 14).

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b", "c"],
    ...     "event": ["concern_raised", "level0_decision", "concern_raised", "concern_raised"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-16", "2018-01-02",
    ...                                   "2018-06-25"])})
    >>> level0_decision_14d(log, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    c = event_log.concerns
    sec, decided = c["sec"].to_numpy(), c["decided"].to_numpy()
    raised = (sec >= s) & (sec < e)
    by_end = decided < e
    within = by_end & (decided // DAY - sec // DAY <= days)
    window_passed = sec // DAY + days < e // DAY
    return count_masks(within, raised & (window_passed | by_end))


# --------------------------------------------------------------------------------------------
# Dropped batons and handovers


_ANY_ROLE_ACTIVITY = ("log_opened", "entry_added", "meeting_held")
_HOLDER_ACTIVITY = (
    "level_changed",
    "measure_added",
    "measure_evaluated",
    "baton_handover",
    "report_to_child_welfare",
)


def _dropped_counts(
    log: EventArrays, last_days: np.ndarray, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dropped batons and logs at risk at the end of each given day (sorted day numbers).

    Each stretch between two activities of a log is dropped on the days more than ``days``
    after the first activity and before the next one, while the log is open; the counts are
    summed over stretches with difference arrays, so no loop runs over logs or months.
    """
    opened, closed = log.logs
    holder = log.role == ROLES.index("baton_holder")
    mask = log.mask(*_ANY_ROLE_ACTIVITY) | (log.mask(*_HOLDER_ACTIVITY) & holder)
    case, day, sec = log.case[mask], log.day[mask], log.sec[mask]
    keep = sec >= opened[case]  # activity on the log, not at level 0 before it
    case, day = case[keep], day[keep]
    closed_day = np.where(closed == NEVER, NEVER, closed // DAY)
    stop = np.minimum(next_in_case(case, day, NEVER), closed_day[case])
    n = len(last_days)
    dropped = np.zeros(n + 1, dtype=np.int64)
    lo = np.searchsorted(last_days, day + days + 1, side="left")
    hi = np.searchsorted(last_days, stop, side="left")
    good = lo < hi
    np.add.at(dropped, lo[good], 1)
    np.add.at(dropped, hi[good], -1)
    has_log = opened != NEVER
    lo = np.searchsorted(last_days, opened[has_log] // DAY + days + 1, side="left")
    hi = np.searchsorted(last_days, closed_day[has_log], side="left")
    good = lo < hi
    at_risk = np.zeros(n + 1, dtype=np.int64)
    np.add.at(at_risk, lo[good], 1)
    np.add.at(at_risk, hi[good], -1)
    return np.cumsum(dropped)[:n], np.cumsum(at_risk)[:n]


@indicator_arguments
def dropped_batons(
    event_log: EventLogLike, period: PeriodLike, dropped_after_days: int = 42
) -> IndicatorCount:
    """Dropped batons: open logs nobody has acted on for more than N days at the period end.

    Numerator: logs open at the period end, opened more than ``dropped_after_days`` (N,
    default 42) days before its last day, whose last activity is more than N days before
    that day. Activity is an ``entry_added`` or ``meeting_held`` (any role), the
    ``log_opened`` itself, or a level change, measure, evaluation, handover or report by the
    baton holder; consent events are the parents', not follow-up.
    Denominator: logs open at the period end and opened more than N days before it.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.
    dropped_after_days : int, default 42
        Days without activity after which a baton counts as dropped.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b", "b"], "role": "baton_holder",
    ...     "event": ["log_opened", "entry_added", "log_opened", "entry_added"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-01-02",
    ...                                   "2018-06-01"])})
    >>> dropped_batons(log, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    dropped, at_risk = _dropped_counts(
        event_log, np.array([period[1] // DAY - 1]), dropped_after_days
    )
    return IndicatorCount(int(dropped[0]), int(at_risk[0]))


def _period_ends(log: EventArrays, period: Window | None, freq: str) -> pd.DatetimeIndex:
    """Last days of the calendar periods (months by default) that end inside ``period``.

    Without a period: those that end between the first and the last day of the export.
    """
    if period is None:
        if len(log.sec) == 0:
            raise ValueError("the event log is empty")
        first, last = int(log.day.min()), int(log.day.max())
    else:
        first, last = period[0] // DAY, period[1] // DAY - 1
    periods = pd.period_range(
        pd.Timestamp(first * DAY, unit="s"), pd.Timestamp(last * DAY, unit="s"), freq=freq
    )
    ends = periods.end_time.normalize()
    first_ts, last_ts = pd.Timestamp(first * DAY, unit="s"), pd.Timestamp(last * DAY, unit="s")
    ends = ends[(ends >= first_ts) & (ends <= last_ts)]
    if len(ends) == 0:
        raise ValueError("no complete calendar period ends inside the period")
    return pd.DatetimeIndex(ends, name="period_end")


def _day_numbers(ends: pd.DatetimeIndex) -> np.ndarray:
    return ends.as_unit("s").asi8 // DAY


@indicator_arguments
def dropped_batons_by_month(
    event_log: EventLogLike,
    period: PeriodLike | None = None,
    *,
    dropped_after_days: int = 42,
    k: int = DEFAULT_K,
) -> ProportionTable:
    """Dropped batons at each month end, for trends, through the suppression gate.

    Each row is :func:`dropped_batons` for a period ending on that month's last day.

    Parameters
    ----------
    event_log : pandas.DataFrame
    period : (start, end), optional
        Month ends inside it; by default those between the first and the last day of the
        export (a month the export ends in the middle of is left out).
    dropped_after_days : int, default 42
    k : int, default 5
        Suppression threshold.

    Returns
    -------
    ProportionTable
        Index: the month ends (``period_end``).

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": [f"c{i}" for i in range(6)], "role": "baton_holder",
    ...     "event": "log_opened", "event_time": pd.Timestamp("2018-01-02")})
    >>> t = dropped_batons_by_month(log, ("2018-01-01", "2018-03-31"))
    >>> t.raw["numerator"].tolist(), t.raw["denominator"].tolist()
    ([0, 6, 6], [0, 6, 6])
    """
    ends = _period_ends(event_log, period, "M")
    dropped, at_risk = _dropped_counts(event_log, _day_numbers(ends), dropped_after_days)
    counts = pd.DataFrame({"numerator": dropped, "denominator": at_risk}, index=ends)
    return proportion_table(counts, k=k)


@indicator_arguments
def handover_gaps(
    event_log: EventLogLike, period: PeriodLike, handover_days: int = 14
) -> IndicatorCount:
    """Handover gaps: handovers the new baton holder did not follow up within 14 days.

    Numerator: ``baton_handover`` events in the period after which the new holder (the
    handover row's ``actor_id``) has no ``entry_added`` or ``meeting_held`` in the same case
    within ``handover_days`` calendar days (from the handover time, at most 14 days after its
    date) while the log stayed open.
    Denominator: handovers in the period whose 14 days had passed by the period end, except
    those whose log closed within the 14 days without any such activity (nothing left to
    follow up).

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.
    handover_days : int, default 14
        Calendar days the new holder has to follow up.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "a", "b", "b"],
    ...     "actor_id": ["h1", "h2", "h2", "h1", "h3"],
    ...     "event": ["log_opened", "baton_handover", "entry_added", "log_opened",
    ...               "baton_handover"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-02-10",
    ...                                   "2018-01-02", "2018-02-01"])})
    >>> handover_gaps(log, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    s, e = period
    handover = event_log.mask("baton_handover")
    activity = event_log.mask("entry_added", "meeting_held")
    both = handover | activity
    # One code per (case, actor) among the rows involved, so a look-up is one searchsorted.
    actors = int(event_log.actor.max(initial=0)) + 2
    combined = event_log.case[both] * actors + event_log.actor[both] + 1
    _, pair = np.unique(combined, return_inverse=True)
    pair = pair.ravel().astype(np.int64)
    is_handover = handover[both]
    sec, day = event_log.sec[both], event_log.day[both]
    act_keys = np.sort(pack(pair[~is_handover], sec[~is_handover]))
    h_pair, h_sec, h_day = pair[is_handover], sec[is_handover], day[is_handover]
    h_case = event_log.case[handover]
    named = event_log.actor[handover] >= 0
    idx = np.searchsorted(act_keys, pack(h_pair, h_sec), side="left")
    found = idx < len(act_keys)
    idx = np.minimum(idx, max(len(act_keys) - 1, 0))
    if len(act_keys):
        found &= (act_keys[idx] >> 32) == h_pair
        found &= (act_keys[idx] & 0xFFFFFFFF) // DAY <= h_day + handover_days
    found &= named
    _, closed = event_log.logs
    window_end = (h_day + handover_days + 1) * DAY
    still_open = closed[h_case] >= window_end
    counted = (h_sec >= s) & (h_sec < e) & (h_day + handover_days < e // DAY)
    return count_masks(~found & still_open, counted & (found | still_open))


# --------------------------------------------------------------------------------------------
# Cases by level over time


_STATE_EVENTS = ("concern_raised", "level0_decision", "log_opened", "level_changed", "log_closed")


@indicator_arguments
def open_cases_by_level(event_log: EventLogLike, ends: pd.DatetimeIndex) -> pd.DataFrame:
    """Open cases at each level 0–3 at the end of each given day: raw counts, not suppressed.

    The counting behind :func:`cases_by_level`, for views that choose their own days. Pass the
    result through :func:`~bti_workbench.privacy.suppress_small` before anyone sees it.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        The event log (see :func:`~bti_workbench.evaluation.eventarrays.indicator_arguments`).
    ends : pandas.DatetimeIndex
        The days; a case counts when it is open at the end of the day.

    Returns
    -------
    pandas.DataFrame
        One row per day, columns levels 0–3.

    See Also
    --------
    cases_by_level : the same counts at period ends, suppressed.
    """
    log = event_log  # EventArrays (see indicator_arguments)
    mask = log.mask(*_STATE_EVENTS)
    case, sec, event, level = log.case[mask], log.sec[mask], log.event[mask], log.level[mask]
    # Level-0 events inside an open log (a new worry about a child already followed up) do not
    # move the case back to level 0; the log's level stands.
    level0 = np.isin(event, [event_code("concern_raised"), event_code("level0_decision")])
    keep = ~(level0 & log.in_log(case, sec) & (sec < log.logs[1][case]))
    case, sec, event, level = case[keep], sec[keep], event[keep], level[keep]
    state = np.where(event == event_code("concern_raised"), 0, level)
    state = np.where(
        np.isin(event, [event_code("level0_decision"), event_code("log_closed")]), -1, state
    )
    nxt = next_in_case(case, sec, NEVER)
    refs = (_day_numbers(ends) + 1) * DAY  # the end of each last day
    n = len(refs)
    lo = np.searchsorted(refs, sec, side="right")  # first end after the event
    hi = np.searchsorted(refs, nxt, side="right")  # first end after the next event
    counts = {}
    for lv in range(4):
        rows = (state == lv) & (lo < hi)
        diff = np.bincount(lo[rows], minlength=n + 1) - np.bincount(hi[rows], minlength=n + 1)
        counts[lv] = np.cumsum(diff)[:n]
    table = pd.DataFrame(counts, index=ends)
    table.columns.name = "level"
    return table


@indicator_arguments
def cases_by_level(
    event_log: EventLogLike,
    freq: str = "M",
    *,
    period: PeriodLike | None = None,
    k: int = DEFAULT_K,
    allow_zero: bool = False,
) -> SuppressedTable:
    """Open cases at each level 0–3 at the end of each month, through ``suppress_small``.

    A case is at level 0 from its ``concern_raised`` until its ``level0_decision`` (or the
    ``level_changed`` to 1 that comes with it); at the level of its latest ``level_changed``
    (or ``log_opened``) while the log is open; and gone after ``log_closed`` or a level-0
    decision that does not go up. A concern raised while the log is open does not move the
    case back to level 0. Events at one timestamp apply in a fixed order: concern, decision,
    log opened, level change, log closed.

    Parameters
    ----------
    event_log : pandas.DataFrame
    freq : str, default "M"
        Calendar period of the rows (``"M"`` months, ``"Q"`` quarters, ``"W"`` weeks …).
    period : (start, end), optional
        Period ends inside it; by default those between the first and the last day of the
        export (a month the export ends in the middle of is left out).
    k : int, default 5
    allow_zero : bool, default False
        Show zeros (no open case at a level), as in :func:`suppress_small`; off by default.

    Returns
    -------
    SuppressedTable
        Rows: period ends (the last day) and ``total``; columns: levels 0–3 and ``total``.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": [f"c{i}" for i in range(6)], "level": 0,
    ...     "event": "concern_raised", "event_time": pd.Timestamp("2018-01-02")})
    >>> t = cases_by_level(log, period=("2018-01-01", "2018-02-28"), allow_zero=True)
    >>> t.formatted("en").loc[pd.Timestamp("2018-02-28"), 0]
    '6'
    """
    ends = _period_ends(event_log, period, freq)
    return suppress_small(open_cases_by_level(event_log, ends), k=k, allow_zero=allow_zero)


# --------------------------------------------------------------------------------------------
# The table


@indicator_arguments
def indicator_table(
    event_log: EventLogLike,
    *,
    period: PeriodLike,
    population: pd.DataFrame | pd.Series | None = None,
    report_form_1: pd.DataFrame | None = None,
    report_form_2: pd.DataFrame | None = None,
    k: int = DEFAULT_K,
    dropped_after_days: int = 42,
    evaluation_days: int = EVALUATION_DAYS,
    handover_days: int = 14,
    decision_days: int = 14,
    read_days: int = READ_DAYS,
) -> ProportionTable:
    """Every indicator of the period, suppressed, with Wilson 95 % intervals.

    Rows (ids of :data:`INDICATORS`; labels ``ind.<id>`` and ``ind.<id>.definition``):
    :func:`reach` (needs ``population``), :func:`adoption` and :func:`penetration` (need both
    report forms), :func:`consent_present`, :func:`consent_expired_not_renewed`,
    :func:`parents_participating`, :func:`young_person_participating`,
    :func:`~bti_workbench.evaluation.measures.measures_owner_and_evaluation`,
    :func:`~bti_workbench.evaluation.measures.evaluations_overdue`,
    :func:`level0_decision_14d`, :func:`dropped_batons`, :func:`handover_gaps` and
    :func:`~bti_workbench.evaluation.log_reading.unread_logs` (only when the export records
    readings of the log at all: :func:`~bti_workbench.evaluation.log_reading.reads_exported`).
    Rows whose inputs are missing are left out, not estimated.

    The two measure rows carry a note (:attr:`ProportionTable.notes
    <bti_workbench.evaluation.proportions.ProportionTable.notes>`) when some or all of their
    measures have no ``evaluate_by`` date and the ``evaluation_days`` deadline was assumed.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log.
    period : (start, end)
        Dates, both days inclusive.
    population : DataFrame or Series, optional
        Persons by age (see :func:`reach`).
    report_form_1, report_form_2 : pandas.DataFrame, optional
    k : int, default 5
        Suppression threshold of :func:`proportion_table`.
    dropped_after_days, evaluation_days, handover_days, decision_days, read_days : int
        N of :func:`dropped_batons` (42), the measure rows (70, for measures without an
        ``evaluate_by`` date), :func:`handover_gaps` (14), :func:`level0_decision_14d` (14)
        and ``unread_logs`` (14).

    Returns
    -------
    ProportionTable
        Index ``indicator``.

    Raises
    ------
    ValueError
        From :func:`penetration` or :func:`reach` when the numerator exceeds the denominator.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": [f"c{i}" for i in range(8)], "level": 0,
    ...     "role": "baton_holder", "actor_id": "h", "event": "concern_raised",
    ...     "event_time": pd.Timestamp("2018-01-02")})
    >>> t = indicator_table(log, period=("2018-01-01", "2018-06-30"))
    >>> t.raw.loc["level0_decision_14d"].tolist()
    [0, 8]
    """
    log, p = event_log, period  # EventArrays and Window, built once by the decorator
    rows: dict[str, IndicatorCount] = {}
    if population is not None:
        rows["reach"] = reach(log, p, population)
    if report_form_1 is not None and report_form_2 is not None:
        rows["adoption"] = adoption(report_form_1, report_form_2, p)
        rows["penetration"] = penetration(report_form_1, report_form_2, p)
    rows["consent_present"] = consent_present(log, p)
    rows["consent_expired_not_renewed"] = consent_expired_not_renewed(log, p)
    rows["parents_participating"] = parents_participating(log, p)
    rows["young_person_participating"] = young_person_participating(log, p)
    notes: dict[str, IndicatorNote | None] = {}
    rows["measures_owner_and_evaluation"], notes["measures_owner_and_evaluation"] = (
        owner_and_evaluation_counts(log, p, evaluation_days)
    )
    rows["evaluations_overdue"], notes["evaluations_overdue"] = overdue_counts(
        log, p, evaluation_days
    )
    rows["level0_decision_14d"] = level0_decision_14d(log, p, decision_days)
    rows["dropped_batons"] = dropped_batons(log, p, dropped_after_days)
    rows["handover_gaps"] = handover_gaps(log, p, handover_days)
    if reads_exported(log):
        rows["unread_logs"] = unread_logs(log, p, read_days)
    counts = pd.DataFrame.from_dict(rows, orient="index", columns=["numerator", "denominator"])
    counts.index.name = "indicator"
    kept = {name: note for name, note in notes.items() if note is not None}
    return proportion_table(counts, k=k, notes=kept)
