"""Measures and their evaluations: evaluated at all, and evaluated in time.

The baton log records each measure with its owner and the date by which it is to be
evaluated. An export that carries that date (the event log's optional ``evaluate_by`` column,
``evalueres_innen``, on ``measure_added`` rows) gives each measure its own deadline; for a
measure without one — an export from before the column existed, or a blank cell — the
deadline is assumed to fall ``evaluation_days`` (70) calendar days after the measure was
added, and :func:`evaluation_date_note` says so beside the indicator.

The conventions of :mod:`bti_workbench.evaluation.indicators` apply: periods of whole days,
counts before suppression, :func:`~bti_workbench.evaluation.eventarrays.indicator_arguments`
for the arguments.
"""

from __future__ import annotations

import numpy as np

from bti_workbench.evaluation.eventarrays import (
    DAY,
    EventArrays,
    EventLogLike,
    PeriodLike,
    Window,
    indicator_arguments,
)
from bti_workbench.evaluation.proportions import IndicatorCount, IndicatorNote, count_masks

__all__ = [
    "EVALUATION_DAYS",
    "evaluation_date_note",
    "evaluations_overdue",
    "measure_deadlines",
    "measures_owner_and_evaluation",
    "overdue_counts",
    "owner_and_evaluation_counts",
]

#: Days from a measure being added to its evaluation falling due, where the export gives no
#: evaluation date of its own.
EVALUATION_DAYS = 70


def measure_deadlines(
    event_log: EventArrays, evaluation_days: int = EVALUATION_DAYS
) -> tuple[np.ndarray, np.ndarray]:
    """Each measure's evaluation deadline (a day number) and whether it was assumed.

    Parameters
    ----------
    event_log : EventArrays
        The event log's arrays.
    evaluation_days : int, default 70
        Days after the measure's date where the export gives no ``evaluate_by``.

    Returns
    -------
    deadline : numpy.ndarray of int64
        Per row of ``event_log.measures``: the last day on which the evaluation is in time.
    assumed : numpy.ndarray of bool
        True where the deadline is the assumption, not the export's date.

    See Also
    --------
    evaluation_date_note : What the reader is told about the assumed deadlines.
    """
    m = event_log.measures
    planned = m["planned"].to_numpy()
    assumed = planned < 0
    deadline = np.where(assumed, m["sec"].to_numpy() // DAY + int(evaluation_days), planned)
    return deadline, assumed


def evaluation_date_note(
    assumed: np.ndarray, evaluation_days: int = EVALUATION_DAYS
) -> IndicatorNote | None:
    """The note beside a measure indicator whose deadlines were (partly) assumed.

    Parameters
    ----------
    assumed : numpy.ndarray of bool
        Per measure the indicator counted: True where its deadline was assumed.
    evaluation_days : int, default 70
        The assumed days, named in the note.

    Returns
    -------
    IndicatorNote or None
        ``ind.note.evaluation_days_assumed`` when no counted measure has an evaluation date
        of its own, ``ind.note.evaluation_days_partly`` when some have none, ``None`` when
        all have one. No count is given, so nothing needs suppressing.

    Examples
    --------
    >>> evaluation_date_note(np.array([True, False])).key
    'ind.note.evaluation_days_partly'
    >>> evaluation_date_note(np.array([False])) is None
    True
    """
    if not assumed.any():
        return None
    key = "assumed" if assumed.all() else "partly"
    return IndicatorNote(f"ind.note.evaluation_days_{key}", {"days": int(evaluation_days)})


def owner_and_evaluation_counts(
    event_log: EventArrays, period: Window, evaluation_days: int = EVALUATION_DAYS
) -> tuple[IndicatorCount, IndicatorNote | None]:
    """:func:`measures_owner_and_evaluation` and its note, for the indicator table.

    Parameters
    ----------
    event_log : EventArrays
        The event log's arrays.
    period : Window
        The period.
    evaluation_days : int, default 70
        See :func:`measures_owner_and_evaluation`.

    Returns
    -------
    (IndicatorCount, IndicatorNote or None)
        The count, and :func:`evaluation_date_note` for the measures in its denominator.
    """
    s, e = period
    m = event_log.measures
    _, closed = event_log.logs
    case, sec = m["case"].to_numpy(), m["sec"].to_numpy()
    deadline, assumed = measure_deadlines(event_log, evaluation_days)
    evaluated = m["evaluated"].to_numpy() < e
    deadline_passed = (deadline + 1) * DAY <= e
    settled = evaluated | (closed[case] < e) | deadline_passed
    added = (sec >= s) & (sec < e)
    owner = event_log.actor[m["row"].to_numpy()] >= 0
    counted = added & settled
    note = evaluation_date_note(assumed[counted], evaluation_days)
    return count_masks(owner & evaluated, counted), note


@indicator_arguments
def measures_owner_and_evaluation(
    event_log: EventLogLike, period: PeriodLike, evaluation_days: int = EVALUATION_DAYS
) -> IndicatorCount:
    """Measures with an owner and an evaluation, among measures added in the period.

    Numerator: measures added in the period (``measure_added``) that name an owner (a
    non-blank ``actor_id``; validated exports always do, so in practice this counts
    evaluations) and were evaluated by the period end.
    Denominator: measures added in the period whose outcome is known at the period end:
    evaluated, or their log closed, or their evaluation deadline passed (the ``evaluate_by``
    date, else ``evaluation_days`` after they were added). Measures still waiting within
    their time are left out, so a late-period measure is not read as a failure.

    An evaluation belongs to the latest measure of the same case added before it that has no
    evaluation yet (last in, first out), because the export has no measure id.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.
    evaluation_days : int, default 70
        Days after which the outcome of a measure without an ``evaluate_by`` date counts as
        known without an evaluation.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    See Also
    --------
    measure_deadlines : The deadline of each measure.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case_id": "a", "actor_id": "h",
    ...     "event": ["log_opened", "measure_added", "measure_evaluated", "measure_added"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-03", "2018-02-20",
    ...                                   "2018-12-20"])})
    >>> measures_owner_and_evaluation(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=1)
    """
    return owner_and_evaluation_counts(event_log, period, evaluation_days)[0]


def overdue_counts(
    event_log: EventArrays, period: Window, evaluation_days: int = EVALUATION_DAYS
) -> tuple[IndicatorCount, IndicatorNote | None]:
    """:func:`evaluations_overdue` and its note, for the indicator table.

    Parameters
    ----------
    event_log : EventArrays
        The event log's arrays.
    period : Window
        The period.
    evaluation_days : int, default 70
        See :func:`evaluations_overdue`.

    Returns
    -------
    (IndicatorCount, IndicatorNote or None)
        The count, and :func:`evaluation_date_note` for the measures in its denominator.
    """
    s, e = period
    m = event_log.measures
    opened, closed = event_log.logs
    case = m["case"].to_numpy()
    deadline, assumed = measure_deadlines(event_log, evaluation_days)
    due = (deadline >= s // DAY) & (deadline < e // DAY)
    in_time = m["evaluated"].to_numpy() // DAY <= deadline
    deadline_end = (deadline + 1) * DAY
    open_then = (opened[case] < deadline_end) & (closed[case] >= deadline_end)
    counted = due & (in_time | open_then)
    note = evaluation_date_note(assumed[counted], evaluation_days)
    return count_masks(~in_time & open_then, counted), note


@indicator_arguments
def evaluations_overdue(
    event_log: EventLogLike, period: PeriodLike, evaluation_days: int = EVALUATION_DAYS
) -> IndicatorCount:
    """Evaluations overdue, among measures whose evaluation fell due in the period.

    A measure falls due on its ``evaluate_by`` date; where the export gives none, it falls
    due ``evaluation_days`` (default 70) calendar days after it was added.
    Numerator: measures due in the period with no evaluation on or before the due date
    while their log was still open at the end of that day.
    Denominator: measures due in the period, except those whose log closed before the due
    date without an evaluation (they were never due).

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (or its arrays, shared between indicators).
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.
    evaluation_days : int, default 70
        Calendar days from a measure being added to its evaluation falling due, for measures
        without an ``evaluate_by`` date.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    See Also
    --------
    measure_deadlines : The deadline of each measure.

    Examples
    --------
    >>> import pandas as pd
    >>> log = pd.DataFrame({"case_id": "a", "actor_id": "h",
    ...     "event": ["log_opened", "measure_added", "measure_added", "measure_evaluated"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-03", "2018-03-01",
    ...                                   "2018-04-01"])})
    >>> evaluations_overdue(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)

    With the export's own date for the second measure (due 20 March, evaluated 1 April):

    >>> log["evaluate_by"] = pd.to_datetime([None, None, "2018-03-20", None])
    >>> evaluations_overdue(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=2, denominator=2)
    """
    return overdue_counts(event_log, period, evaluation_days)[0]
