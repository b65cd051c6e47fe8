"""Evaluation indicators from the baton-log export, each a count over a stated denominator.

Every indicator is a numerator over a denominator (RE-AIM and Proctor both insist the
denominator is explicit) and is published through
:func:`bti_workbench.evaluation.proportions.proportion_table`, so small counts are hidden by
:func:`bti_workbench.privacy.suppress_small` and shares come with Wilson 95 % intervals.
:func:`indicator_table` gathers them; the per-indicator functions return the raw
:class:`IndicatorCount` so each can be checked on its own.

Conventions shared by all indicators
------------------------------------
* ``period`` is ``(start, end)``, whole days, both inclusive: an event is *in the period* when
  ``start 00:00 <= event_time < end + 1 day 00:00``; *the period end* is the end of its last day.
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

from collections.abc import Sequence
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd

from bti_workbench.evaluation.proportions import ProportionTable, proportion_table
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small

__all__ = [
    "INDICATORS",
    "IndicatorCount",
    "adoption",
    "cases_by_level",
    "consent_expired_not_renewed",
    "consent_present",
    "dropped_batons",
    "dropped_batons_by_month",
    "evaluations_overdue",
    "handover_gaps",
    "indicator_table",
    "level0_decision_14d",
    "measures_owner_and_evaluation",
    "parents_participating",
    "penetration",
    "reach",
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
    "measures_owner_and_evaluation",
    "evaluations_overdue",
    "level0_decision_14d",
    "dropped_batons",
    "handover_gaps",
)

DAY = 86_400  # seconds
_INF = np.int64(2**62)  # "never": later than any event, safe to add days to
_MAX_SECONDS = 2**32 - 2  # times are packed with the case code into one int64 key
# Event codes in the order that breaks ties at one timestamp: a level-0 decision before the
# level change it leads to, an expiry before the renewal, an evaluation before a new measure,
# the closing last.
_EVENTS = (
    "concern_raised",
    "level0_decision",
    "consent_expired",
    "consent_given",
    "log_opened",
    "level_changed",
    "baton_handover",
    "measure_evaluated",
    "measure_added",
    "entry_added",
    "meeting_held",
    "report_to_child_welfare",
    "log_closed",
)
_ROLES = ("baton_holder", "participant", "parent", "young_person")
_PRF2_ACTIVE = ("logs_opened", "active_level_1", "active_level_2", "active_level_3")


class IndicatorCount(NamedTuple):
    """Numerator and denominator of one indicator, before suppression."""

    numerator: int
    denominator: int


# --------------------------------------------------------------------------------------------
# The event log as sorted arrays


def _code(name: str) -> int:
    return _EVENTS.index(name)


def _starts(case: np.ndarray) -> np.ndarray:
    """Positions where a new case begins in an array sorted by case."""
    if len(case) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, case[1:] != case[:-1]])


def _ends(case: np.ndarray) -> np.ndarray:
    """Positions of the last row of each case in an array sorted by case."""
    if len(case) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[case[1:] != case[:-1], True])


def _next_in_case(case: np.ndarray, values: np.ndarray, fill: int) -> np.ndarray:
    """The value on the next row of the same case (``fill`` on a case's last row)."""
    out = np.full(len(values), fill, dtype=np.int64)
    if len(values) > 1:
        same = case[1:] == case[:-1]
        out[:-1] = np.where(same, values[1:], fill)
    return out


def _pack(case: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """One sortable int64 key per (case, time)."""
    return (case.astype(np.int64) << 32) | np.clip(seconds, 0, _MAX_SECONDS + 1).astype(np.int64)


class _EventLog:
    """The event log sorted by case, time and event, as integer arrays.

    Built once by :func:`indicator_table` and shared by every indicator. Times are whole
    seconds; ``key`` packs (case, time) so look-ups within a case are one ``searchsorted``.
    """

    def __init__(self, event_log: pd.DataFrame):
        if not isinstance(event_log, pd.DataFrame):
            raise TypeError("event_log must be a pandas DataFrame (see bti_workbench.ingest.readers.read)")
        missing = {"case_id", "event_time", "event"} - set(event_log.columns)
        if missing:
            raise ValueError(f"the event log needs the columns {sorted(missing)}")
        times = pd.to_datetime(event_log["event_time"])
        if times.isna().any():
            raise ValueError("event_time has missing values")
        if getattr(times.dt, "tz", None) is not None:
            times = times.dt.tz_localize(None)
        seconds = times.to_numpy(dtype="datetime64[s]").astype(np.int64)
        if len(seconds) and (seconds.min() < 0 or seconds.max() > _MAX_SECONDS):
            raise ValueError("event_time must lie between 1970 and 2106")
        events = pd.Index(_EVENTS).get_indexer(event_log["event"])
        if (events < 0).any():
            # Count only: a misplaced column could put identifiers where codes belong.
            raise ValueError(
                f"{int((events < 0).sum())} rows have an unknown event code; "
                f"expected one of {list(_EVENTS)}"
            )
        cases, uniques = pd.factorize(event_log["case_id"])
        if (cases < 0).any():
            raise ValueError("case_id has missing values")
        self.frame = event_log
        self.order = np.lexsort((events, seconds, cases))
        self.case = cases[self.order].astype(np.int64)
        self.sec = seconds[self.order]
        self.event = events[self.order].astype(np.int8)
        self.day = self.sec // DAY
        self.key = _pack(self.case, self.sec)
        self.n_cases = len(uniques)

    def _column(self, name: str) -> pd.Series:
        if name not in self.frame.columns:
            raise ValueError(f"the event log needs the column {name!r} for this indicator")
        return self.frame[name]

    @cached_property
    def level(self) -> np.ndarray:
        values = pd.to_numeric(self._column("level"), errors="coerce")
        if values.isna().any():
            raise ValueError("level has missing or non-numeric values")
        return values.to_numpy(dtype=np.int64)[self.order]

    @cached_property
    def role(self) -> np.ndarray:
        return pd.Index(_ROLES).get_indexer(self._column("role"))[self.order]

    @cached_property
    def actor(self) -> np.ndarray:
        """Actor codes; -1 where no actor is named (missing or blank)."""
        codes, uniques = pd.factorize(self._column("actor_id"))
        blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
        codes = np.where((codes >= 0) & ~blank[np.maximum(codes, 0)], codes, -1)
        return codes[self.order].astype(np.int64)

    def mask(self, *names: str) -> np.ndarray:
        return np.isin(self.event, [_code(n) for n in names])

    def _per_case(self, mask: np.ndarray, last: bool) -> np.ndarray:
        out = np.full(self.n_cases, _INF, dtype=np.int64)
        case, sec = self.case[mask], self.sec[mask]
        rows = _ends(case) if last else _starts(case)
        out[case[rows]] = sec[rows]
        return out

    @cached_property
    def logs(self) -> tuple[np.ndarray, np.ndarray]:
        """Per case: when its log opened and closed (``_INF``: never / still open)."""
        opening = self.mask("log_opened")
        opened = self._per_case(opening, last=False)
        last_open = self._per_case(opening, last=True)
        last_close = self._per_case(self.mask("log_closed"), last=True)
        reopened = (last_open != _INF) & (last_close < last_open)
        closed = np.where((last_close == _INF) | reopened | (opened == _INF), _INF, last_close)
        return opened, closed

    def in_log(self, case: np.ndarray, sec: np.ndarray) -> np.ndarray:
        """True where the case's log is open at ``sec`` (opening and closing included)."""
        opened, closed = self.logs
        return (opened[case] <= sec) & (sec <= closed[case])

    def first_at_or_after(self, mask: np.ndarray, case: np.ndarray, sec: np.ndarray):
        """Time of the first masked event of the same case at or after ``sec`` (or ``_INF``)."""
        keys = self.key[mask]
        idx = np.searchsorted(keys, _pack(case, sec), side="left")
        hit = idx < len(keys)
        idx = np.minimum(idx, max(len(keys) - 1, 0))
        if len(keys):
            hit &= (keys[idx] >> 32) == case
        return np.where(hit, keys[idx] & 0xFFFFFFFF if len(keys) else 0, _INF)

    def last_before(self, mask: np.ndarray, case: np.ndarray, sec: np.ndarray):
        """Time of the last masked event of the same case strictly before ``sec`` (or -1)."""
        keys = self.key[mask]
        idx = np.searchsorted(keys, _pack(case, sec), side="left") - 1
        hit = idx >= 0
        idx = np.maximum(idx, 0)
        if len(keys):
            hit &= (keys[idx] >> 32) == case
        return np.where(hit, keys[idx] & 0xFFFFFFFF if len(keys) else 0, -1)

    @cached_property
    def measures(self) -> pd.DataFrame:
        """Each ``measure_added`` with the time of the evaluation matched to it.

        Within a case, evaluations are matched to measures last in, first out, like
        brackets: an evaluation evaluates the latest measure added before it that has no
        evaluation yet. An evaluation with no such measure (the export started after it was
        added) is ignored.
        """
        mask = self.mask("measure_added", "measure_evaluated")
        case, sec = self.case[mask], self.sec[mask]
        added = self.event[mask] == _code("measure_added")
        steps = pd.Series(np.where(added, 1, -1))
        level = steps.groupby(case).cumsum()
        depth = (level - np.minimum(level.groupby(case).cummin(), 0)).to_numpy()
        before = np.zeros(len(depth), dtype=np.int64)  # depth before each row, within case
        if len(depth) > 1:
            before[1:] = np.where(case[1:] == case[:-1], depth[:-1], 0)
        bracket = np.where(added, depth, before)  # an evaluation at depth 0 matches nothing
        position = np.arange(len(case))
        order = np.lexsort((position, bracket, case))
        nxt = np.r_[order[1:], 0] if len(order) else order
        pair = (
            (case[order] == case[nxt])
            & (bracket[order] == bracket[nxt])
            & added[order]
            & ~added[nxt]
            & (np.arange(len(order)) < len(order) - 1)
        )
        evaluated = np.full(len(case), _INF, dtype=np.int64)
        evaluated[order[pair]] = sec[nxt[pair]]
        row = np.flatnonzero(mask)  # position in the sorted log, to look up the owner
        return pd.DataFrame({"case": case, "sec": sec, "row": row, "evaluated": evaluated}).loc[
            added
        ]

    @cached_property
    def concerns(self) -> pd.DataFrame:
        """Each ``concern_raised`` with its level-0 decision (``_INF`` when none).

        The decision is the first ``level0_decision`` of the case at or after the concern and
        before the case's next concern.
        """
        mask = self.mask("concern_raised")
        case, sec = self.case[mask], self.sec[mask]
        decided = self.first_at_or_after(self.mask("level0_decision"), case, sec)
        decided = np.where(decided < _next_in_case(case, sec, _INF), decided, _INF)
        return pd.DataFrame({"case": case, "sec": sec, "decided": decided})


def _as_period(period: Sequence) -> tuple[int, int]:
    """``(start, end)`` inclusive days → seconds ``[start, end + 1 day)``."""
    if period is None or len(period) != 2:
        raise ValueError("period must be a (start, end) pair of dates")
    start, end = (pd.Timestamp(x) for x in period)
    if pd.isna(start) or pd.isna(end):
        raise ValueError("period must be a (start, end) pair of dates")
    start, end = (x.tz_localize(None) if x.tz else x for x in (start, end))
    start, end = start.normalize(), end.normalize()
    if end < start:
        raise ValueError("period end is before its start")
    return _seconds(start), _seconds(end) + DAY


def _seconds(ts: pd.Timestamp) -> int:
    return int((ts - pd.Timestamp(0)) // pd.Timedelta(seconds=1))


def _prepare(event_log: pd.DataFrame | _EventLog) -> _EventLog:
    return event_log if isinstance(event_log, _EventLog) else _EventLog(event_log)


def _count(mask: np.ndarray, denominator: np.ndarray | None = None) -> IndicatorCount:
    denominator = np.ones(len(mask), dtype=bool) if denominator is None else denominator
    return IndicatorCount(int(np.count_nonzero(mask & denominator)), int(denominator.sum()))


# --------------------------------------------------------------------------------------------
# Reach, adoption, penetration


def _children_0_23(population: pd.DataFrame | pd.Series) -> int:
    if isinstance(population, pd.DataFrame):
        columns = {str(c).strip().lower(): c for c in population.columns}
        if not {"age", "persons"} <= set(columns):
            raise ValueError("population needs the columns age and persons")
        persons = pd.Series(
            population[columns["persons"]].to_numpy(), index=population[columns["age"]]
        )
    elif isinstance(population, pd.Series):
        persons = population
    else:
        raise TypeError("population must be a DataFrame (age, persons) or a Series by age")
    age = pd.to_numeric(pd.Series(persons.index), errors="coerce").to_numpy()
    keep = (age >= 0) & (age <= 23)
    if not keep.any():
        raise ValueError("population holds no ages 0–23")
    count = pd.to_numeric(pd.Series(persons.to_numpy()[keep]), errors="raise")
    if count.isna().any() or (count < 0).any():
        raise ValueError("population has missing or negative persons")
    return int(count.sum())


def _reach(log: _EventLog, period: tuple[int, int], population) -> IndicatorCount:
    s, e = period
    opened, closed = log.logs
    children = int(np.count_nonzero((opened < e) & (closed >= s)))
    persons = _children_0_23(population)
    if children > persons:
        raise ValueError(
            "more children with an open log than children aged 0–23 in the population; "
            "is the population table for the same municipality?"
        )
    return IndicatorCount(children, persons)


def reach(
    event_log: pd.DataFrame, period: Sequence, population: pd.DataFrame | pd.Series
) -> IndicatorCount:
    """Reach: children with a baton log open at some time in the period, per child aged 0–23.

    Numerator: distinct cases (one case is one child) whose log was open on at least one day
    of the period (opened before the period end and not closed before its start).
    Denominator: children aged 0–23 in the population (ages 0 to 23 summed).

    The numerator can hold unborn children (prenatal cases) whom the population does not
    count yet; their share is small, and they are part of BTI's target group, so they stay.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log (:func:`bti_workbench.ingest.readers.read` with ``kind="event-log"``).
    period : (start, end)
        Dates, both days inclusive.
    population : pandas.DataFrame or pandas.Series
        A table with columns ``age`` and ``persons`` (the demo's ``population.csv``, other
        columns ignored), or persons as a Series indexed by age.

    Returns
    -------
    IndicatorCount

    Raises
    ------
    ValueError
        When more children have a log than the population holds (a population from the
        wrong municipality).

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "event": ["log_opened", "log_closed", "log_opened"],
    ...     "event_time": pd.to_datetime(["2018-01-05", "2018-02-01", "2018-06-01"])})
    >>> reach(log, ("2018-01-01", "2018-03-31"), pd.Series([50, 50], index=[0, 1]))
    IndicatorCount(numerator=1, denominator=100)
    """
    return _reach(_prepare(event_log), _as_period(period), population)


def _units_report_form_1(report_form_1: pd.DataFrame, period: tuple[int, int]) -> pd.DataFrame:
    """One row per unit: the report closest to the period end, on or before it if any."""
    missing = {"municipality", "unit", "staff_trained"} - set(report_form_1.columns)
    if missing:
        raise ValueError(f"report form 1 needs the columns {sorted(missing)}")
    rf1 = report_form_1.assign(municipality=report_form_1["municipality"].astype(str))
    if "report_date" not in rf1.columns:
        return rf1.drop_duplicates(["municipality", "unit"], keep="last")
    dates = pd.to_datetime(rf1["report_date"])
    end = pd.Timestamp(period[1] - DAY, unit="s")
    rf1 = rf1.assign(_date=dates, _late=dates > end)
    before = (
        rf1[~rf1["_late"]]
        .sort_values("_date")
        .drop_duplicates(["municipality", "unit"], keep="last")
    )
    after = rf1[rf1["_late"]].sort_values("_date").drop_duplicates(["municipality", "unit"])
    keys = pd.MultiIndex.from_frame(before[["municipality", "unit"]])
    after = after[~pd.MultiIndex.from_frame(after[["municipality", "unit"]]).isin(keys)]
    return pd.concat([before, after]).drop(columns=["_date", "_late"])


def _active_report_form_2(report_form_2: pd.DataFrame, period: tuple[int, int]) -> pd.DataFrame:
    """Report-form-2 rows overlapping the period with an opened or an active log."""
    needed = {"municipality", "unit", "baton_holder_id", "period_start", "period_end"}
    missing = (needed | set(_PRF2_ACTIVE)) - set(report_form_2.columns)
    if missing:
        raise ValueError(f"report form 2 needs the columns {sorted(missing)}")
    start = pd.Timestamp(period[0], unit="s")
    end = pd.Timestamp(period[1] - DAY, unit="s")
    overlaps = (pd.to_datetime(report_form_2["period_start"]) <= end) & (
        pd.to_datetime(report_form_2["period_end"]) >= start
    )
    active = report_form_2[list(_PRF2_ACTIVE)].fillna(0).sum(axis=1) > 0
    rows = report_form_2[overlaps & active]
    return rows.assign(municipality=rows["municipality"].astype(str))


def _in_units(rows: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    keys = pd.MultiIndex.from_frame(units[["municipality", "unit"]])
    return pd.Series(
        pd.MultiIndex.from_frame(rows[["municipality", "unit"]]).isin(keys), index=rows.index
    )


def adoption(
    report_form_1: pd.DataFrame, report_form_2: pd.DataFrame, period: Sequence
) -> IndicatorCount:
    """Adoption: units with a baton log in the period, per unit that reported after training.

    Numerator: units of report form 1 with at least one report-form-2 row overlapping the
    period whose ``logs_opened`` or any ``active_level_1..3`` is above zero.
    Denominator: the distinct units of report form 1 (matched on municipality and unit).
    Units that appear only in report form 2 count in neither.

    Examples
    --------
    >>> rf1 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "u2"], "staff_trained": 4})
    >>> rf2 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "x"],
    ...     "baton_holder_id": ["h1", "h2"], "period_start": pd.Timestamp("2018-01-01"),
    ...     "period_end": pd.Timestamp("2018-01-31"), "logs_opened": 1, "active_level_1": 0,
    ...     "active_level_2": 0, "active_level_3": 0})
    >>> adoption(rf1, rf2, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    p = _as_period(period)
    units = _units_report_form_1(report_form_1, p)
    rows = _active_report_form_2(report_form_2, p)
    rows = rows[_in_units(rows, units)]
    with_log = rows[["municipality", "unit"]].drop_duplicates()
    return IndicatorCount(len(with_log), len(units))


def penetration(
    report_form_1: pd.DataFrame, report_form_2: pd.DataFrame, period: Sequence
) -> IndicatorCount:
    """Penetration: active baton holders per trained staff member, in report-form-1 units.

    Numerator: distinct baton holders (``baton_holder_id``) with a report-form-2 row
    overlapping the period with an opened or active log, in a unit of report form 1.
    Denominator: ``staff_trained`` summed over the units of report form 1, one report per
    unit (the latest on or before the period end; else the earliest after it).

    Raises
    ------
    ValueError
        When the active baton holders outnumber the trained staff: report form 1 is then
        incomplete or the holders were not trained, and a share above 100 % would mislead.

    Examples
    --------
    >>> rf1 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "u2"], "staff_trained": 4})
    >>> rf2 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "u1"],
    ...     "baton_holder_id": ["h1", "h2"], "period_start": pd.Timestamp("2018-01-01"),
    ...     "period_end": pd.Timestamp("2018-01-31"), "logs_opened": [1, 0],
    ...     "active_level_1": [0, 2], "active_level_2": 0, "active_level_3": 0})
    >>> penetration(rf1, rf2, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=2, denominator=8)
    """
    p = _as_period(period)
    units = _units_report_form_1(report_form_1, p)
    rows = _active_report_form_2(report_form_2, p)
    rows = rows[_in_units(rows, units)]
    holders = rows[["municipality", "baton_holder_id"]].drop_duplicates()
    trained = int(pd.to_numeric(units["staff_trained"]).fillna(0).sum())
    if len(holders) > trained:
        raise ValueError(
            "more active baton holders than trained staff in report form 1: check that report "
            "form 1 covers every unit and counts the baton holders among the trained"
        )
    return IndicatorCount(len(holders), trained)


# --------------------------------------------------------------------------------------------
# Consent and participation


def _consent_present(log: _EventLog, period: tuple[int, int]) -> IndicatorCount:
    s, e = period
    opened, _ = log.logs
    case = np.flatnonzero((opened >= s) & (opened < e))
    day_end = (opened[case] // DAY + 1) * DAY
    given = log.last_before(log.mask("consent_given"), case, day_end)
    expired = log.last_before(log.mask("consent_expired"), case, day_end)
    return _count((given >= 0) & (given >= expired))


def consent_present(event_log: pd.DataFrame, period: Sequence) -> IndicatorCount:
    """Consent present at opening: logs opened in the period with a valid parental consent.

    Numerator: logs opened in the period whose case has a ``consent_given`` on or before the
    date of ``log_opened`` (any time that day) that had not expired by then: the latest
    consent event (given or expired) up to the end of that day is a ``consent_given``. On one
    timestamp a renewal wins over an expiry.
    Denominator: logs opened in the period (first ``log_opened`` of the case in the period).

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "event": ["consent_given", "log_opened", "log_opened"],
    ...     "event_time": pd.to_datetime(["2018-02-01 15:00", "2018-02-01 09:00",
    ...                                   "2018-02-02 09:00"])})
    >>> consent_present(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)
    """
    return _consent_present(_prepare(event_log), _as_period(period))


def _consent_expired_not_renewed(log: _EventLog, period: tuple[int, int]) -> IndicatorCount:
    s, e = period
    mask = log.mask("consent_expired") & (log.sec >= s) & (log.sec < e)
    case, sec = log.case[mask], log.sec[mask]
    keep = log.in_log(case, sec)
    case, sec = case[keep], sec[keep]
    last = _ends(case)  # the last expiry in the period of each log
    case, sec = case[last], sec[last]
    renewed = log.first_at_or_after(log.mask("consent_given"), case, sec)
    _, closed = log.logs
    return _count(renewed >= np.minimum(closed[case], e))


def consent_expired_not_renewed(event_log: pd.DataFrame, period: Sequence) -> IndicatorCount:
    """Consent expired and not renewed, among logs whose consent expired in the period.

    Numerator: logs whose last ``consent_expired`` in the period is not followed (at the same
    time or later) by a ``consent_given`` before the log closed or the period ended.
    Denominator: logs (cases with an open log at the expiry) with a ``consent_expired`` in
    the period.

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
    return _consent_expired_not_renewed(_prepare(event_log), _as_period(period))


def _parents_participating(log: _EventLog, period: tuple[int, int]) -> IndicatorCount:
    s, e = period
    mask = log.mask("meeting_held") & (log.sec >= s) & (log.sec < e)
    case, sec, role = log.case[mask], log.sec[mask], log.role[mask]
    keep = log.in_log(case, sec)
    case, parent = case[keep], role[keep] == _ROLES.index("parent")
    return IndicatorCount(len(np.unique(case[parent])), len(np.unique(case)))


def parents_participating(event_log: pd.DataFrame, period: Sequence) -> IndicatorCount:
    """Parents participating: logs with a meeting in the period that a parent attended.

    Numerator: logs with a ``meeting_held`` row in the period whose role is ``parent``.
    Denominator: logs with a ``meeting_held`` row in the period. Only meetings while the log
    is open count (a meeting is minuted in the log). A young person attending alone does not
    count as a parent.

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
    return _parents_participating(_prepare(event_log), _as_period(period))


# --------------------------------------------------------------------------------------------
# Measures


def _measures_owner_and_evaluation(
    log: _EventLog, period: tuple[int, int], evaluation_days: int
) -> IndicatorCount:
    s, e = period
    m = log.measures
    _, closed = log.logs
    case, sec = m["case"].to_numpy(), m["sec"].to_numpy()
    evaluated = m["evaluated"].to_numpy() < e
    deadline_passed = (sec // DAY + evaluation_days + 1) * DAY <= e
    settled = evaluated | (closed[case] < e) | deadline_passed
    added = (sec >= s) & (sec < e)
    owner = log.actor[m["row"].to_numpy()] >= 0
    return _count(owner & evaluated, added & settled)


def measures_owner_and_evaluation(
    event_log: pd.DataFrame, period: Sequence, evaluation_days: int = 70
) -> IndicatorCount:
    """Measures with an owner and an evaluation, among measures added in the period.

    The baton log records a measure with its owner and evaluation date, but the export has
    no due-date column. The closest honest reading:

    Numerator: measures added in the period (``measure_added``) that name an owner (a
    non-blank ``actor_id``; validated exports always do, so in practice this counts
    evaluations) and were evaluated by the period end.
    Denominator: measures added in the period whose outcome is known at the period end:
    evaluated, or their log closed, or ``evaluation_days`` passed since they were added.
    Measures still waiting within their time are left out, so a late-period measure is not
    read as a failure.

    An evaluation belongs to the latest measure of the same case added before it that has no
    evaluation yet (last in, first out), because the export has no measure id.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": "a", "actor_id": "h",
    ...     "event": ["log_opened", "measure_added", "measure_evaluated", "measure_added"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-03", "2018-02-20",
    ...                                   "2018-12-20"])})
    >>> measures_owner_and_evaluation(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=1)
    """
    return _measures_owner_and_evaluation(_prepare(event_log), _as_period(period), evaluation_days)


def _evaluations_overdue(
    log: _EventLog, period: tuple[int, int], evaluation_days: int
) -> IndicatorCount:
    s, e = period
    m = log.measures
    opened, closed = log.logs
    case = m["case"].to_numpy()
    deadline = m["sec"].to_numpy() // DAY + evaluation_days  # a day number
    due = (deadline >= s // DAY) & (deadline < e // DAY)
    in_time = m["evaluated"].to_numpy() // DAY <= deadline
    deadline_end = (deadline + 1) * DAY
    open_then = (opened[case] < deadline_end) & (closed[case] >= deadline_end)
    return _count(~in_time & open_then, due & (in_time | open_then))


def evaluations_overdue(
    event_log: pd.DataFrame, period: Sequence, evaluation_days: int = 70
) -> IndicatorCount:
    """Evaluations overdue, among measures whose evaluation fell due in the period.

    A measure falls due ``evaluation_days`` (default 70) calendar days after it was added.
    Numerator: measures due in the period with no evaluation on or before the due date
    while their log was still open at the end of that day.
    Denominator: measures due in the period, except those whose log closed before the due
    date without an evaluation (they were never due).

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": "a", "actor_id": "h",
    ...     "event": ["log_opened", "measure_added", "measure_added", "measure_evaluated"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-03", "2018-03-01",
    ...                                   "2018-04-01"])})
    >>> evaluations_overdue(log, ("2018-01-01", "2018-12-31"))
    IndicatorCount(numerator=1, denominator=2)
    """
    return _evaluations_overdue(_prepare(event_log), _as_period(period), evaluation_days)


# --------------------------------------------------------------------------------------------
# Level-0 decisions


def _level0_decision(log: _EventLog, period: tuple[int, int], days: int) -> IndicatorCount:
    s, e = period
    c = log.concerns
    sec, decided = c["sec"].to_numpy(), c["decided"].to_numpy()
    raised = (sec >= s) & (sec < e)
    by_end = decided < e
    within = by_end & (decided // DAY - sec // DAY <= days)
    window_passed = sec // DAY + days < e // DAY
    return _count(within, raised & (window_passed | by_end))


def level0_decision_14d(
    event_log: pd.DataFrame, period: Sequence, days: int = 14
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

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b", "c"],
    ...     "event": ["concern_raised", "level0_decision", "concern_raised", "concern_raised"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-16", "2018-01-02",
    ...                                   "2018-06-25"])})
    >>> level0_decision_14d(log, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    return _level0_decision(_prepare(event_log), _as_period(period), days)


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
    log: _EventLog, last_days: np.ndarray, days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dropped batons and logs at risk at the end of each given day (sorted day numbers).

    Each stretch between two activities of a log is dropped on the days more than ``days``
    after the first activity and before the next one, while the log is open; the counts are
    summed over stretches with difference arrays, so no loop runs over logs or months.
    """
    opened, closed = log.logs
    holder = log.role == _ROLES.index("baton_holder")
    mask = log.mask(*_ANY_ROLE_ACTIVITY) | (log.mask(*_HOLDER_ACTIVITY) & holder)
    case, day, sec = log.case[mask], log.day[mask], log.sec[mask]
    keep = sec >= opened[case]  # activity on the log, not at level 0 before it
    case, day = case[keep], day[keep]
    closed_day = np.where(closed == _INF, _INF, closed // DAY)
    stop = np.minimum(_next_in_case(case, day, _INF), closed_day[case])
    n = len(last_days)
    dropped = np.zeros(n + 1, dtype=np.int64)
    lo = np.searchsorted(last_days, day + days + 1, side="left")
    hi = np.searchsorted(last_days, stop, side="left")
    good = lo < hi
    np.add.at(dropped, lo[good], 1)
    np.add.at(dropped, hi[good], -1)
    has_log = opened != _INF
    lo = np.searchsorted(last_days, opened[has_log] // DAY + days + 1, side="left")
    hi = np.searchsorted(last_days, closed_day[has_log], side="left")
    good = lo < hi
    at_risk = np.zeros(n + 1, dtype=np.int64)
    np.add.at(at_risk, lo[good], 1)
    np.add.at(at_risk, hi[good], -1)
    return np.cumsum(dropped)[:n], np.cumsum(at_risk)[:n]


def _dropped_batons(log: _EventLog, period: tuple[int, int], days: int) -> IndicatorCount:
    dropped, at_risk = _dropped_counts(log, np.array([period[1] // DAY - 1]), days)
    return IndicatorCount(int(dropped[0]), int(at_risk[0]))


def dropped_batons(
    event_log: pd.DataFrame, period: Sequence, dropped_after_days: int = 42
) -> IndicatorCount:
    """Dropped batons: open logs nobody has acted on for more than N days at the period end.

    Numerator: logs open at the period end, opened more than ``dropped_after_days`` (N,
    default 42) days before its last day, whose last activity is more than N days before
    that day. Activity is an ``entry_added`` or ``meeting_held`` (any role), the
    ``log_opened`` itself, or a level change, measure, evaluation, handover or report by the
    baton holder; consent events are the parents', not follow-up.
    Denominator: logs open at the period end and opened more than N days before it.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b", "b"], "role": "baton_holder",
    ...     "event": ["log_opened", "entry_added", "log_opened", "entry_added"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-01-02",
    ...                                   "2018-06-01"])})
    >>> dropped_batons(log, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    return _dropped_batons(_prepare(event_log), _as_period(period), dropped_after_days)


def _period_ends(log: _EventLog, period: tuple[int, int] | None, freq: str) -> pd.DatetimeIndex:
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


def dropped_batons_by_month(
    event_log: pd.DataFrame,
    period: Sequence | None = None,
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
    log = _prepare(event_log)
    ends = _period_ends(log, None if period is None else _as_period(period), "M")
    dropped, at_risk = _dropped_counts(log, _day_numbers(ends), dropped_after_days)
    counts = pd.DataFrame({"numerator": dropped, "denominator": at_risk}, index=ends)
    return proportion_table(counts, k=k)


def _handover_gaps(log: _EventLog, period: tuple[int, int], days: int) -> IndicatorCount:
    s, e = period
    handover = log.mask("baton_handover")
    activity = log.mask("entry_added", "meeting_held")
    both = handover | activity
    # One code per (case, actor) among the rows involved, so a look-up is one searchsorted.
    combined = log.case[both] * (int(log.actor.max(initial=0)) + 2) + log.actor[both] + 1
    _, pair = np.unique(combined, return_inverse=True)
    pair = pair.ravel().astype(np.int64)
    is_handover = handover[both]
    sec, day = log.sec[both], log.day[both]
    act_keys = np.sort(_pack(pair[~is_handover], sec[~is_handover]))
    h_pair, h_sec, h_day = pair[is_handover], sec[is_handover], day[is_handover]
    h_case = log.case[handover]
    named = log.actor[handover] >= 0
    idx = np.searchsorted(act_keys, _pack(h_pair, h_sec), side="left")
    found = idx < len(act_keys)
    idx = np.minimum(idx, max(len(act_keys) - 1, 0))
    if len(act_keys):
        found &= (act_keys[idx] >> 32) == h_pair
        found &= (act_keys[idx] & 0xFFFFFFFF) // DAY <= h_day + days
    found &= named
    _, closed = log.logs
    window_end = (h_day + days + 1) * DAY
    still_open = closed[h_case] >= window_end
    counted = (h_sec >= s) & (h_sec < e) & (h_day + days < e // DAY)
    return _count(~found & still_open, counted & (found | still_open))


def handover_gaps(
    event_log: pd.DataFrame, period: Sequence, handover_days: int = 14
) -> IndicatorCount:
    """Handover gaps: handovers the new baton holder did not follow up within 14 days.

    Numerator: ``baton_handover`` events in the period after which the new holder (the
    handover row's ``actor_id``) has no ``entry_added`` or ``meeting_held`` in the same case
    within ``handover_days`` calendar days (from the handover time, at most 14 days after its
    date) while the log stayed open.
    Denominator: handovers in the period whose 14 days had passed by the period end, except
    those whose log closed within the 14 days without any such activity (nothing left to
    follow up).

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
    return _handover_gaps(_prepare(event_log), _as_period(period), handover_days)


# --------------------------------------------------------------------------------------------
# Cases by level over time


_STATE_EVENTS = ("concern_raised", "level0_decision", "log_opened", "level_changed", "log_closed")


def _level_counts(log: _EventLog, ends: pd.DatetimeIndex) -> pd.DataFrame:
    """Open cases at each level 0–3 at the end of each given day."""
    mask = log.mask(*_STATE_EVENTS)
    case, sec, event, level = log.case[mask], log.sec[mask], log.event[mask], log.level[mask]
    # Level-0 events inside an open log (a new worry about a child already followed up) do not
    # move the case back to level 0; the log's level stands.
    level0 = np.isin(event, [_code("concern_raised"), _code("level0_decision")])
    keep = ~(level0 & log.in_log(case, sec) & (sec < log.logs[1][case]))
    case, sec, event, level = case[keep], sec[keep], event[keep], level[keep]
    state = np.where(event == _code("concern_raised"), 0, level)
    state = np.where(np.isin(event, [_code("level0_decision"), _code("log_closed")]), -1, state)
    nxt = _next_in_case(case, sec, _INF)
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


def cases_by_level(
    event_log: pd.DataFrame,
    freq: str = "M",
    *,
    period: Sequence | None = None,
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
    log = _prepare(event_log)
    ends = _period_ends(log, None if period is None else _as_period(period), freq)
    return suppress_small(_level_counts(log, ends), k=k, allow_zero=allow_zero)


# --------------------------------------------------------------------------------------------
# The table


def indicator_table(
    event_log: pd.DataFrame,
    *,
    period: Sequence,
    population: pd.DataFrame | pd.Series | None = None,
    report_form_1: pd.DataFrame | None = None,
    report_form_2: pd.DataFrame | None = None,
    k: int = DEFAULT_K,
    dropped_after_days: int = 42,
    evaluation_days: int = 70,
    handover_days: int = 14,
    decision_days: int = 14,
) -> ProportionTable:
    """Every indicator of the period, suppressed, with Wilson 95 % intervals.

    Rows (ids of :data:`INDICATORS`; labels ``ind.<id>`` and ``ind.<id>.definition``):
    :func:`reach` (needs ``population``), :func:`adoption` and :func:`penetration` (need both
    report forms), :func:`consent_present`, :func:`consent_expired_not_renewed`,
    :func:`parents_participating`, :func:`measures_owner_and_evaluation`,
    :func:`evaluations_overdue`, :func:`level0_decision_14d`, :func:`dropped_batons` and
    :func:`handover_gaps`. Rows whose inputs are missing are left out, not estimated.

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
    dropped_after_days, evaluation_days, handover_days, decision_days : int
        N of :func:`dropped_batons` (42), :func:`evaluations_overdue` and
        :func:`measures_owner_and_evaluation` (70), :func:`handover_gaps` (14) and
        :func:`level0_decision_14d` (14).

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
    log = _prepare(event_log)
    p = _as_period(period)
    rows: dict[str, IndicatorCount] = {}
    if population is not None:
        rows["reach"] = _reach(log, p, population)
    if report_form_1 is not None and report_form_2 is not None:
        rows["adoption"] = adoption(report_form_1, report_form_2, period)
        rows["penetration"] = penetration(report_form_1, report_form_2, period)
    rows["consent_present"] = _consent_present(log, p)
    rows["consent_expired_not_renewed"] = _consent_expired_not_renewed(log, p)
    rows["parents_participating"] = _parents_participating(log, p)
    rows["measures_owner_and_evaluation"] = _measures_owner_and_evaluation(log, p, evaluation_days)
    rows["evaluations_overdue"] = _evaluations_overdue(log, p, evaluation_days)
    rows["level0_decision_14d"] = _level0_decision(log, p, decision_days)
    rows["dropped_batons"] = _dropped_batons(log, p, dropped_after_days)
    rows["handover_gaps"] = _handover_gaps(log, p, handover_days)
    counts = pd.DataFrame.from_dict(rows, orient="index", columns=["numerator", "denominator"])
    counts.index.name = "indicator"
    return proportion_table(counts, k=k)
