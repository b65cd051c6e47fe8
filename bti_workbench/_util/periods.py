"""The one reading of a period: a first and a last day, both included.

Everywhere in the workbench (the CLI's ``--period``, the evaluation's indicators and sources,
calibration, the network graphs, the dashboard) a *period* is two dates, its first and its
last day, both whole days. An event is *in the period* when

    first day 00:00  <=  event_time  <  last day 00:00 + 1 day

:func:`parse_period` reads a period as users give it; :func:`period_bounds` turns it into
that half-open interval of times; :func:`in_period` selects times inside it.

A period may be given as

- text with two dates and ``..`` between them: ``"2018-01-01..2018-06-30"``;
- a pair ``(first, last)`` of anything :class:`pandas.Timestamp` reads (text, ``date``,
  ``datetime``, ``numpy.datetime64``, ``Timestamp``).

Times of day are dropped (a period is whole days) and time zones are removed. An end equal to
:attr:`pandas.Timestamp.min` or :attr:`pandas.Timestamp.max` is an *open* end ("since the
beginning", "to the end") and is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["in_period", "parse_day", "parse_period", "period_bounds"]

#: How a period is written, for error messages.
PERIOD_EXAMPLE = "'2018-01-01..2018-06-30' or ('2018-01-01', '2018-06-30')"

_DAY_LAYOUTS = (
    (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"), "%Y-%m-%d"),
    (re.compile(r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}"), "%d.%m.%Y"),
)
_OPEN = (pd.Timestamp.min, pd.Timestamp.max)
_ONE_DAY = pd.Timedelta(days=1)


def parse_day(text: object) -> pd.Timestamp | None:
    """A single day a person wrote, ``yyyy-mm-dd`` or ``dd.mm.yyyy``; None when it is neither.

    Strict on purpose: ``01.09.2018`` is the first of September, never January 9th (as a
    free-form parser reads it), and anything else is refused rather than guessed.

    Parameters
    ----------
    text : object
        The day as given (a go-live date, say).

    Returns
    -------
    pandas.Timestamp or None
        Midnight of the day, or None.

    See Also
    --------
    parse_period : Two days, for a period.

    Examples
    --------
    >>> parse_day("01.09.2018"), parse_day("2018-09-01"), parse_day("09/01/2018")
    (Timestamp('2018-09-01 00:00:00'), Timestamp('2018-09-01 00:00:00'), None)
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    for pattern, layout in _DAY_LAYOUTS:
        if pattern.fullmatch(text):
            day = pd.to_datetime(text, format=layout, errors="coerce")
            return None if pd.isna(day) else pd.Timestamp(day)
    return None


def parse_period(period: object, *, name: str = "period") -> tuple[pd.Timestamp, pd.Timestamp]:
    """A period as users give it → ``(first day, last day)``, both included.

    Parameters
    ----------
    period : str or (date-like, date-like)
        ``"2018-01-01..2018-06-30"``, or two dates: the first and the last day.
    name : str, default "period"
        What the period is called where it came from (``"--period"`` on the command line);
        error messages begin with it.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        The first and the last day at midnight, without time zone; an open end
        (``Timestamp.min`` or ``Timestamp.max``) as given.

    Raises
    ------
    ValueError
        When the period is not two dates, a date cannot be read or is missing, or the last
        day comes before the first. The message names the period as given and what is wrong.

    See Also
    --------
    period_bounds : the period as a half-open interval of times.
    in_period : which times fall inside a period.

    Examples
    --------
    >>> parse_period("2018-01-01..2018-06-30")
    (Timestamp('2018-01-01 00:00:00'), Timestamp('2018-06-30 00:00:00'))
    >>> parse_period(("2018-01-01 09:30", pd.Timestamp("2018-06-30 23:59", tz="UTC")))[1]
    Timestamp('2018-06-30 00:00:00')
    >>> parse_period("2018-06-30..2018-01-01")
    Traceback (most recent call last):
    ...
    ValueError: period '2018-06-30..2018-01-01': the end comes before the start (the last day is before the first)
    >>> parse_period("2018-01-01 2018-06-30", name="--period")
    Traceback (most recent call last):
    ...
    ValueError: --period '2018-01-01 2018-06-30': no '..' between the two dates; write '2018-01-01..2018-06-30' or ('2018-01-01', '2018-06-30')
    """  # noqa: E501
    shown = f"{name} {period!r}"
    given_first, given_last = _two(period, shown)
    first, last = _day(given_first, "first day", shown), _day(given_last, "last day", shown)
    if last < first:
        raise ValueError(
            f"{shown}: the end comes before the start (the last day is before the first)"
        )
    return first, last


def period_bounds(period: object, *, name: str = "period") -> tuple[pd.Timestamp, pd.Timestamp]:
    """A period as the half-open interval ``[first day 00:00, last day + 1 day 00:00)``.

    Parameters
    ----------
    period : str or (date-like, date-like)
        As for :func:`parse_period`.
    name : str, default "period"
        As for :func:`parse_period`.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        ``start`` (included) and ``stop`` (excluded); an open end stays ``Timestamp.min`` or
        ``Timestamp.max``.

    Raises
    ------
    ValueError
        As :func:`parse_period`.

    See Also
    --------
    parse_period : the period as its first and last day.
    in_period : which times fall inside a period.

    Examples
    --------
    >>> period_bounds(("2018-01-01", "2018-06-30"))[1]
    Timestamp('2018-07-01 00:00:00')
    """
    first, last = parse_period(period, name=name)
    return first, last if last == pd.Timestamp.max else last + _ONE_DAY


def in_period(times: pd.Series | pd.Index | Sequence, period: object | None) -> np.ndarray:
    """Which times fall inside the period (all of them when ``period`` is None).

    Parameters
    ----------
    times : pandas.Series, pandas.Index or sequence of datetimes
        Time-zone-naive times, such as an event log's ``event_time``.
    period : str or (date-like, date-like) or None
        As for :func:`parse_period`; None means no limit.

    Returns
    -------
    numpy.ndarray
        One bool per time.

    Raises
    ------
    ValueError
        As :func:`parse_period`.

    See Also
    --------
    period_bounds : the interval used.

    Examples
    --------
    >>> times = pd.Series(pd.to_datetime(["2018-06-30 23:00", "2018-07-01 00:00"]))
    >>> in_period(times, "2018-01-01..2018-06-30").tolist()
    [True, False]
    """
    values = pd.Series(pd.to_datetime(np.asarray(times)))
    if period is None:
        return np.ones(len(values), dtype=bool)
    start, stop = period_bounds(period)
    return ((values >= start) & (values < stop)).to_numpy()


def _two(period: object, shown: str) -> tuple[object, object]:
    """The two ends of a period given as text or as a pair."""
    if isinstance(period, str):
        first, sep, last = period.partition("..")
        if not sep:
            raise ValueError(f"{shown}: no '..' between the two dates; write {PERIOD_EXAMPLE}")
        return first.strip(), last.strip()
    if period is None or isinstance(period, (bytes, dict)) or not hasattr(period, "__len__"):
        raise ValueError(f"{shown}: give two dates, the first and the last day: {PERIOD_EXAMPLE}")
    if len(period) != 2:  # type: ignore[arg-type]
        raise ValueError(
            f"{shown}: {len(period)} values where two dates belong "  # type: ignore[arg-type]
            f"(the first and the last day): {PERIOD_EXAMPLE}"
        )
    first, last = period  # type: ignore[misc]
    return first, last


def _day(value: object, which: str, shown: str) -> pd.Timestamp:
    """One end of a period as a day at midnight without time zone (open ends as given)."""
    if isinstance(value, str) and not value.strip():
        raise ValueError(f"{shown}: the {which} is missing")
    try:
        day = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{shown}: the {which} {value!r} is not a date") from exc
    if pd.isna(day):
        raise ValueError(f"{shown}: the {which} is missing")
    if day.tz is not None:
        day = day.tz_localize(None)
    return day if day in _OPEN else day.normalize()
