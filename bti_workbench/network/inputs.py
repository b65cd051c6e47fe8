"""What a collaboration map reads: one municipality's cases, survey and organisation.

:func:`load_collaboration` reads the event log, the collaboration survey and the organisation
contract of a municipality from a store written by ``bti import`` (or from files, imported
into a temporary store), with the checks of the evaluation
(:func:`bti_workbench.evaluation.sources.load_tables`): the same messages, the same default
period (everything the data hold for the municipality). It also checks the two periods to
compare, and that the period has collaboration to map. Messages name the parameter and the
problem, never a value that could identify someone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bti_workbench._util.periods import in_period, parse_period
from bti_workbench.evaluation.sources import PARAMETER_NAMES, load_tables
from bti_workbench.network.graphs import working_rows
from bti_workbench.reference.municipality import Municipality

__all__ = [
    "COLLABORATION_KINDS",
    "NAMES",
    "CollaborationData",
    "load_collaboration",
    "split_period",
]

#: The contract kinds a collaboration map reads; only the event log is required.
COLLABORATION_KINDS = ("event-log", "collaboration-survey", "organisation")

#: What the checks call each parameter in their messages (the notebook's names); the command
#: line passes its option names instead.
NAMES = {**PARAMETER_NAMES, "periods": "periods"}


@dataclass(frozen=True)
class CollaborationData:
    """One municipality's collaboration data, checked.

    Attributes
    ----------
    municipality : Municipality
    period : (pandas.Timestamp, pandas.Timestamp)
        The days the map covers, both included.
    periods : tuple of two (pandas.Timestamp, pandas.Timestamp)
        The two periods compared (a case belongs to the period of its first event).
    event_log : pandas.DataFrame
        The municipality's whole event log (all dates).
    in_period : pandas.DataFrame
        The rows of ``event_log`` within ``period``.
    survey, organisation : pandas.DataFrame
        The collaboration survey and the organisation contract; no rows when the data hold
        none for the municipality.
    synthetic : bool
        True when a file read is synthetic.
    """

    municipality: Municipality
    period: tuple[pd.Timestamp, pd.Timestamp]
    periods: tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]
    event_log: pd.DataFrame
    in_period: pd.DataFrame
    survey: pd.DataFrame
    organisation: pd.DataFrame
    synthetic: bool


def split_period(
    period: tuple[pd.Timestamp, pd.Timestamp],
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """Two halves of equal length (the second a day longer when the days are odd).

    Parameters
    ----------
    period : (pandas.Timestamp, pandas.Timestamp)
        The first and the last day, both included.

    Returns
    -------
    tuple
        ``(first, middle), (middle + 1 day, last)``.

    Raises
    ------
    ValueError
        For a period of a single day.

    Examples
    --------
    >>> first, second = split_period((pd.Timestamp("2018-01-01"), pd.Timestamp("2018-12-31")))
    >>> [f"{a:%Y-%m-%d}..{b:%Y-%m-%d}" for a, b in (first, second)]
    ['2018-01-01..2018-07-01', '2018-07-02..2018-12-31']
    """
    start, end = (pd.Timestamp(day).normalize() for day in period)
    days = (end - start).days + 1
    if days < 2:
        raise ValueError("a period of one day cannot be split in two")
    middle = start + pd.Timedelta(days=days // 2 - 1)
    return (start, middle), (middle + pd.Timedelta(days=1), end)


def _comparison(
    log: pd.DataFrame,
    period: tuple[pd.Timestamp, pd.Timestamp],
    periods: Sequence[object],
    name: str,
) -> tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]]:
    """The two periods to compare (given, or the halves of ``period``), each with cases."""
    if len(periods) == 0:
        chosen = split_period(period)
    elif len(periods) != 2:
        raise ValueError(f"{name}: give two periods, FIRST..LAST each (or none)")
    else:
        chosen = tuple(_parsed(p, name, n) for n, p in enumerate(periods, start=1))
    starts = log.groupby("case_id")["event_time"].min()
    for number, part in enumerate(chosen, start=1):
        if not in_period(starts, part).any():
            first, last = (pd.Timestamp(day).normalize() for day in (starts.min(), starts.max()))
            raise ValueError(
                f"{name}: no case begins in period {number}; cases begin from "
                f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
            )
    return chosen  # type: ignore[return-value]


def _parsed(period: object, name: str, number: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        return parse_period(period, name=f"{name} ({number})")
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def load_collaboration(
    municipality: str,
    period: str | tuple[object, object] | None = None,
    periods: Sequence[object] = (),
    *,
    store: str | Path | None = None,
    files: Sequence[str | Path] = (),
    names: Mapping[str, str] = NAMES,
) -> CollaborationData:
    """Read and check one municipality's collaboration data.

    Parameters
    ----------
    municipality : str
        Kommunenummer.
    period : str or (start, end), optional
        ``"2018-01-01..2018-12-31"``; empty or None: everything the data hold for the
        municipality (:func:`bti_workbench.evaluation.sources.data_period`).
    periods : sequence, optional
        Two periods to compare (``FIRST..LAST`` each); empty: ``period`` split in two halves
        of equal length (:func:`split_period`).
    store : str or pathlib.Path, optional
        A store written by ``bti import``.
    files : sequence of paths, optional
        Instead of a store: files or demo folders (imported into a temporary store).
    names : mapping, default NAMES
        What to call ``municipality``, ``period`` and ``periods`` in messages.

    Returns
    -------
    CollaborationData

    Raises
    ------
    ValueError
        As :func:`bti_workbench.evaluation.sources.check_request` (a municipality without an
        event log, a period outside the data ...); a period in which no service worked on a
        case; periods to compare that are not two, cannot be read, or in which no case begins.
    """
    request, tables = load_tables(
        municipality,
        COLLABORATION_KINDS,
        period,
        store=store,
        files=files,
        names={**NAMES, **names},
    )
    log = tables["event-log"].drop(columns="municipality", errors="ignore")
    inside = log[in_period(log["event_time"], request.period)]
    if working_rows(inside).empty:
        raise ValueError(
            f"{names.get('period', 'period')}: no service worked on a case in this period "
            "(no baton holder or participant events); choose a longer period"
        )
    compared = _comparison(
        log, request.period, list(periods or ()), names.get("periods", "periods")
    )
    return CollaborationData(
        municipality=request.municipality,
        period=request.period,
        periods=compared,
        event_log=log,
        in_period=inside.reset_index(drop=True),
        survey=tables["collaboration-survey"],
        organisation=tables["organisation"],
        synthetic=any(bool(frame.attrs.get("synthetic")) for frame in tables.values()),
    )
