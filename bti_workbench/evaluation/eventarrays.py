"""The event log as sorted integer arrays, shared by the indicators and the survival tables.

An export of a million events is read once into :class:`EventArrays`: the rows sorted by case,
time and :data:`bti_workbench.eventlog.EVENT_ORDER` (the one order of events at one
timestamp), as whole-second times and small integer codes. Look-ups within a case are then one
``searchsorted`` on a packed (case, time) key, never a loop over cases.

:func:`indicator_arguments` is the decorator every indicator wears: it turns the arguments as
users give them (an event log as a DataFrame, a period as text or two dates) into the internal
form (:class:`EventArrays`, a :class:`Window` in seconds) once, and passes the internal form
through untouched, so :func:`~bti_workbench.evaluation.indicators.indicator_table` builds the
arrays once and every indicator is written once.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import NamedTuple, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from bti_workbench._util.periods import period_bounds
from bti_workbench.eventlog import EVENT_ORDER, event_rank

__all__ = [
    "DAY",
    "NEVER",
    "ROLES",
    "EventArrays",
    "EventLogLike",
    "PeriodLike",
    "Window",
    "case_ends",
    "case_starts",
    "event_arrays",
    "event_code",
    "indicator_arguments",
    "next_in_case",
    "pack",
    "window",
]

#: Seconds in a day; times are whole seconds since 1970 and days are ``seconds // DAY``.
DAY = 86_400
#: "Never": later than any event and safe to add days to.
NEVER = np.int64(2**62)
#: Role codes of the ``event-log`` contract, in the order of their integer codes.
ROLES = ("baton_holder", "participant", "parent", "young_person")
_MAX_SECONDS = 2**32 - 2  # times are packed with the case code into one int64 key

_P = ParamSpec("_P")
_R = TypeVar("_R")


def event_code(name: str) -> int:
    """The integer code of an event (its position in :data:`~bti_workbench.eventlog.EVENT_ORDER`).

    Examples
    --------
    >>> event_code("concern_raised"), event_code("log_closed")
    (0, 13)
    """
    return EVENT_ORDER.index(name)


def case_starts(case: np.ndarray) -> np.ndarray:
    """Positions where a new case begins in an array sorted by case."""
    if len(case) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, case[1:] != case[:-1]])


def case_ends(case: np.ndarray) -> np.ndarray:
    """Positions of the last row of each case in an array sorted by case."""
    if len(case) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[case[1:] != case[:-1], True])


def next_in_case(case: np.ndarray, values: np.ndarray, fill: int) -> np.ndarray:
    """The value on the next row of the same case (``fill`` on a case's last row)."""
    out = np.full(len(values), fill, dtype=np.int64)
    if len(values) > 1:
        same = case[1:] == case[:-1]
        out[:-1] = np.where(same, values[1:], fill)
    return out


def pack(case: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """One sortable int64 key per (case, time)."""
    return (case.astype(np.int64) << 32) | np.clip(seconds, 0, _MAX_SECONDS + 1).astype(np.int64)


class EventArrays:
    """The event log sorted by case, time and event, as integer arrays.

    Built once by :func:`~bti_workbench.evaluation.indicators.indicator_table` and shared by
    every indicator. Events of a case at one timestamp are in
    :data:`~bti_workbench.eventlog.EVENT_ORDER`.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log.

    Attributes
    ----------
    frame : pandas.DataFrame
        The event log as given.
    order : numpy.ndarray
        Positions of ``frame``'s rows in the sorted order.
    case, sec, event, day : numpy.ndarray
        Per sorted row: case code, whole seconds since 1970, event code (:func:`event_code`)
        and day number.
    key : numpy.ndarray
        (case, time) packed into one sortable int64 (:func:`pack`).
    n_cases : int
        Number of distinct cases.

    Raises
    ------
    ValueError
        When a column is missing, a time or case is missing, a time lies outside 1970–2106
        or an event code is unknown (counted, never echoed).
    """

    def __init__(self, event_log: pd.DataFrame):
        if not isinstance(event_log, pd.DataFrame):
            raise TypeError(
                "event_log must be a pandas DataFrame (see bti_workbench.ingest.readers.read)"
            )
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
        events = event_rank(event_log["event"])
        unknown = events == len(EVENT_ORDER)
        if unknown.any():
            # Count only: a misplaced column could put identifiers where codes belong.
            raise ValueError(
                f"{int(unknown.sum())} rows have an unknown event code; "
                f"expected one of {list(EVENT_ORDER)}"
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
        self.key = pack(self.case, self.sec)
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
        return pd.Index(ROLES).get_indexer(self._column("role"))[self.order]

    @cached_property
    def age_band(self) -> np.ndarray | None:
        """Age band per sorted row as text (``None`` when the log has no ``age_band``)."""
        if "age_band" not in self.frame.columns:
            return None
        return self.frame["age_band"].astype("string").fillna("").to_numpy(dtype=object)[self.order]

    @cached_property
    def evaluate_by(self) -> np.ndarray | None:
        """Planned evaluation day per sorted row (day number; -1 where none is given).

        ``None`` when the log has no ``evaluate_by`` column (an export from before the column
        was added to the contract).
        """
        if "evaluate_by" not in self.frame.columns:
            return None
        times = pd.to_datetime(self.frame["evaluate_by"])
        if getattr(times.dt, "tz", None) is not None:
            times = times.dt.tz_localize(None)
        days = times.dt.normalize().to_numpy(dtype="datetime64[D]").astype(np.int64)
        return np.where(times.isna().to_numpy(), -1, days)[self.order]

    @cached_property
    def actor(self) -> np.ndarray:
        """Actor codes; -1 where no actor is named (missing or blank)."""
        codes, uniques = pd.factorize(self._column("actor_id"))
        blank = np.array([str(u).strip() == "" for u in uniques], dtype=bool)
        codes = np.where((codes >= 0) & ~blank[np.maximum(codes, 0)], codes, -1)
        return codes[self.order].astype(np.int64)

    def mask(self, *names: str) -> np.ndarray:
        return np.isin(self.event, [event_code(n) for n in names])

    def _per_case(self, mask: np.ndarray, last: bool) -> np.ndarray:
        out = np.full(self.n_cases, NEVER, dtype=np.int64)
        case, sec = self.case[mask], self.sec[mask]
        rows = case_ends(case) if last else case_starts(case)
        out[case[rows]] = sec[rows]
        return out

    @cached_property
    def logs(self) -> tuple[np.ndarray, np.ndarray]:
        """Per case: when its log opened and closed (``NEVER``: never / still open)."""
        opening = self.mask("log_opened")
        opened = self._per_case(opening, last=False)
        last_open = self._per_case(opening, last=True)
        last_close = self._per_case(self.mask("log_closed"), last=True)
        reopened = (last_open != NEVER) & (last_close < last_open)
        closed = np.where((last_close == NEVER) | reopened | (opened == NEVER), NEVER, last_close)
        return opened, closed

    def in_log(self, case: np.ndarray, sec: np.ndarray) -> np.ndarray:
        """True where the case's log is open at ``sec`` (opening and closing included)."""
        opened, closed = self.logs
        return (opened[case] <= sec) & (sec <= closed[case])

    def first_at_or_after(self, mask: np.ndarray, case: np.ndarray, sec: np.ndarray):
        """Time of the first masked event of the same case at or after ``sec`` (or ``NEVER``)."""
        keys = self.key[mask]
        idx = np.searchsorted(keys, pack(case, sec), side="left")
        hit = idx < len(keys)
        idx = np.minimum(idx, max(len(keys) - 1, 0))
        if len(keys):
            hit &= (keys[idx] >> 32) == case
        return np.where(hit, keys[idx] & 0xFFFFFFFF if len(keys) else 0, NEVER)

    def last_before(self, mask: np.ndarray, case: np.ndarray, sec: np.ndarray):
        """Time of the last masked event of the same case strictly before ``sec`` (or -1)."""
        keys = self.key[mask]
        idx = np.searchsorted(keys, pack(case, sec), side="left") - 1
        hit = idx >= 0
        idx = np.maximum(idx, 0)
        if len(keys):
            hit &= (keys[idx] >> 32) == case
        return np.where(hit, keys[idx] & 0xFFFFFFFF if len(keys) else 0, -1)

    @cached_property
    def measures(self) -> pd.DataFrame:
        """Each ``measure_added`` with the evaluation matched to it and its planned day.

        Within a case, evaluations are matched to measures last in, first out, like
        brackets: an evaluation evaluates the latest measure added before it that has no
        evaluation yet. An evaluation with no such measure (the export started after it was
        added) is ignored. ``planned`` is the day number of the measure's ``evaluate_by``
        (-1 where the export gives none).
        """
        mask = self.mask("measure_added", "measure_evaluated")
        case, sec = self.case[mask], self.sec[mask]
        added = self.event[mask] == event_code("measure_added")
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
        evaluated = np.full(len(case), NEVER, dtype=np.int64)
        evaluated[order[pair]] = sec[nxt[pair]]
        row = np.flatnonzero(mask)  # position in the sorted log, to look up the owner
        planned = np.full(len(row), -1, dtype=np.int64)
        if self.evaluate_by is not None:
            planned = self.evaluate_by[row]
        frame = pd.DataFrame(
            {"case": case, "sec": sec, "row": row, "evaluated": evaluated, "planned": planned}
        )
        return frame.loc[added]

    @cached_property
    def concerns(self) -> pd.DataFrame:
        """Each ``concern_raised`` with its level-0 decision (``NEVER`` when none).

        The decision is the first ``level0_decision`` of the case at or after the concern and
        before the case's next concern.
        """
        mask = self.mask("concern_raised")
        case, sec = self.case[mask], self.sec[mask]
        decided = self.first_at_or_after(self.mask("level0_decision"), case, sec)
        decided = np.where(decided < next_in_case(case, sec, NEVER), decided, NEVER)
        return pd.DataFrame({"case": case, "sec": sec, "decided": decided})


class Window(NamedTuple):
    """A period as whole seconds ``[start, stop)``: its first day 00:00 to the day after its last.

    Attributes
    ----------
    start, stop : int
        Seconds since 1970-01-01 (``stop`` excluded).
    """

    start: int
    stop: int


#: What an indicator's ``period`` may be: ``"2018-01-01..2018-06-30"``, two dates (both days
#: included) or a :class:`Window`.
PeriodLike = str | Sequence[object] | Window
#: What an indicator's ``event_log`` may be: a validated event log or its :class:`EventArrays`.
EventLogLike = pd.DataFrame | EventArrays


def window(period: PeriodLike) -> Window:
    """A period as users give it → a :class:`Window` (a Window passes through).

    Parameters
    ----------
    period : str, (date-like, date-like) or Window
        Read by :func:`bti_workbench._util.periods.parse_period`: both days included.

    Returns
    -------
    Window

    Raises
    ------
    ValueError
        From :func:`~bti_workbench._util.periods.parse_period`.

    See Also
    --------
    bti_workbench._util.periods.period_bounds : the same interval as timestamps.

    Examples
    --------
    >>> window(("1970-01-01", "1970-01-02"))
    Window(start=0, stop=172800)
    """
    if isinstance(period, Window):
        return period
    start, stop = period_bounds(period)
    return Window(_seconds(start), _seconds(stop))


def _seconds(ts: pd.Timestamp) -> int:
    return int((ts - pd.Timestamp(0)) // pd.Timedelta(seconds=1))


def event_arrays(event_log: pd.DataFrame | EventArrays) -> EventArrays:
    """An event log as :class:`EventArrays` (which pass through).

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (``case_id``, ``event_time``, ``event``; ``level``, ``role``
        and ``actor_id`` where an indicator needs them).

    Returns
    -------
    EventArrays

    See Also
    --------
    indicator_arguments : applies this to an indicator's ``event_log`` argument.
    """
    return event_log if isinstance(event_log, EventArrays) else EventArrays(event_log)


def indicator_arguments(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator: an indicator's ``event_log`` and ``period`` in their internal form.

    Like networkx's ``@py_random_state``, the decorated function is written once against the
    internal form and called with the user's: an ``event_log`` argument becomes
    :class:`EventArrays` (:func:`event_arrays`) and a ``period`` argument a :class:`Window`
    (:func:`window`; ``None`` stays ``None``). Arguments already in the internal form pass
    through, so a caller that computes several indicators prepares them once.

    Parameters
    ----------
    func : callable
        A function with an ``event_log`` and/or a ``period`` parameter.

    Returns
    -------
    callable
        ``func`` with the same signature and docstring, normalising those two arguments.

    Examples
    --------
    >>> @indicator_arguments
    ... def days(period):
    ...     return (period.stop - period.start) // DAY
    >>> days("2018-01-01..2018-01-31"), days(Window(0, 2 * DAY))
    (31, 2)
    """
    parameters = inspect.signature(func).parameters
    has_log = "event_log" in parameters
    # A period that defaults to None may be None; a required one may not.
    optional = "period" in parameters and parameters["period"].default is None
    signature = inspect.signature(func)

    @functools.wraps(func)
    def normalised(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        bound = signature.bind(*args, **kwargs)
        given = bound.arguments
        if has_log and "event_log" in given:
            given["event_log"] = event_arrays(given["event_log"])
        if "period" in given and not (optional and given["period"] is None):
            given["period"] = window(given["period"])
        return func(*bound.args, **bound.kwargs)

    return normalised
