"""What an evaluation reads: one municipality's tables from the store (or from files).

:func:`load_evaluation` gathers the event log, report forms, staff survey and progress plan of
a municipality, its population, and the go-live dates of every municipality in the store (for
the staggered-adoption comparison). Files given directly are first imported into a temporary
store, so both ways pass the same contracts, privacy guard and checks.

:func:`check_request` checks what is asked for (municipality, period, go-live dates) against
the data before any analysis runs, and fills in the default period: everything the data hold
for the municipality (:func:`data_period`). Its messages name the parameter and the problem,
never a value that could identify someone.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bti_workbench._util.periods import parse_day, parse_period
from bti_workbench.errors import RequestError, StoreError, Text
from bti_workbench.evaluation.timeseries import monthly_counts
from bti_workbench.ingest.store import (
    go_live_dates,
    import_files,
    read_table,
    store_history,
    store_status,
)
from bti_workbench.privacy import DEFAULT_K, suppress_small
from bti_workbench.reference.municipality import (
    Municipality,
    as_kommunenummer,
    load_municipality,
)

__all__ = [
    "PARAMETER_NAMES",
    "EvaluationData",
    "EvaluationRequest",
    "check_request",
    "data_period",
    "load_evaluation",
    "load_tables",
    "monthly_panel",
    "parse_go_live",
    "publishable_panel",
    "whole_months",
]

#: What the checks call each parameter in their messages (the notebook's names); the command
#: line passes its option names instead.
PARAMETER_NAMES = {"municipality": "municipality", "period": "period", "go_live": "go_live"}


@dataclass(frozen=True)
class EvaluationData:
    """One municipality's evaluation data.

    Attributes
    ----------
    municipality : Municipality
        Name and population (SSB 07459, from ``data/municipalities.csv``).
    period : (pandas.Timestamp, pandas.Timestamp)
        The period the indicators cover (both days included).
    event_log, report_form_1, report_form_2, staff_survey, progress_plan : pandas.DataFrame
        This municipality's rows, all dates (the analyses pick their own windows).
    go_live : pandas.Series
        Municipality → go-live date, for every municipality known (store, then parameters).
    event_logs : dict
        Municipality → event log, for every municipality in the store with a log.
    imports : pandas.DataFrame
        The imports whose rows the store holds now (which files, when, their sha256;
        removed and wholly superseded imports are left out), as :func:`store_history` gives.
    synthetic : bool
        True when any file read says it is synthetic.
    """

    municipality: Municipality
    period: tuple[pd.Timestamp, pd.Timestamp]
    event_log: pd.DataFrame
    report_form_1: pd.DataFrame
    report_form_2: pd.DataFrame
    staff_survey: pd.DataFrame
    progress_plan: pd.DataFrame
    go_live: pd.Series
    event_logs: dict[str, pd.DataFrame]
    imports: pd.DataFrame
    synthetic: bool


_QUIET_DAYS = pd.Timedelta(days=31)


def parse_go_live(
    text: str, municipality: str, *, name: str = "go_live"
) -> dict[str, pd.Timestamp]:
    """Go-live dates from a parameter: a date for ``municipality`` or ``4228=…,1106=…``.

    Parameters
    ----------
    text : str
        Empty (no dates), one date (``municipality``'s) or ``KOMMUNENUMMER=yyyy-mm-dd`` entries
        separated by commas. Dates are ``yyyy-mm-dd`` or ``dd.mm.yyyy``.
    municipality : str
        The kommunenummer a single date belongs to.
    name : str, default "go_live"
        What the parameter is called where it came from (``--go-live``); messages begin with it.

    Returns
    -------
    dict
        Kommunenummer → go-live day (midnight, no time zone).

    Raises
    ------
    RequestError
        (a ValueError) When a date cannot be read, an entry has no ``=``, a municipality is
        not four digits or comes twice. The message names the entry by its place, never its
        text.

    Examples
    --------
    >>> parse_go_live("4228=2018-09-01, 1106=2019-03-01", "4228")["1106"]
    Timestamp('2019-03-01 00:00:00')
    >>> parse_go_live("2018-09-01", "4228")
    {'4228': Timestamp('2018-09-01 00:00:00')}
    >>> try:
    ...     parse_go_live("4228=notadate", "4228", name="--go-live")
    ... except ValueError as exc:
    ...     print(exc)
    --go-live: entry 1: the date cannot be read; write KOMMUNENUMMER=yyyy-mm-dd
    """
    text = (text or "").strip()
    if not text:
        return {}
    if "=" not in text:
        day = _go_live_day(text)
        if day is None:
            raise RequestError(key="err.request.go_live_date", name=name)
        return {municipality: day}
    out: dict[str, pd.Timestamp] = {}
    for number, part in enumerate(text.split(","), start=1):
        place, sep, date = (piece.strip() for piece in part.partition("="))
        if not sep:
            raise RequestError(key="err.request.go_live_no_equals", name=name, number=number)
        place = as_kommunenummer(place)
        if place is None:
            raise RequestError(key="err.request.go_live_place", name=name, number=number)
        if place in out:
            raise RequestError(key="err.request.go_live_twice", name=name, number=number)
        day = _go_live_day(date)
        if day is None:
            raise RequestError(key="err.request.go_live_entry_date", name=name, number=number)
        out[place] = day
    return out


#: A kommunenummer as given: one to four digits (``301`` is Oslo's ``0301``).


def _go_live_day(text: str) -> pd.Timestamp | None:
    """A go-live date (``yyyy-mm-dd`` or ``dd.mm.yyyy``) as a day, or None when it is not one."""
    return parse_day(text)


@dataclass(frozen=True)
class EvaluationRequest:
    """A checked request for an evaluation: what the data can answer.

    Attributes
    ----------
    municipality : Municipality
        The municipality asked for (it has an event log in the data).
    period : (pandas.Timestamp, pandas.Timestamp)
        The period asked for, or by default :func:`data_period`; it overlaps the data.
    go_live : dict
        Kommunenummer → go-live day, as given (the store's own dates are not included).
    municipalities : tuple of str
        Every municipality with an event log in the data.
    """

    municipality: Municipality
    period: tuple[pd.Timestamp, pd.Timestamp]
    go_live: dict[str, pd.Timestamp]
    municipalities: tuple[str, ...]


def data_period(store: str | Path, municipality: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Everything a store holds for a municipality: its first and last event or report day.

    The events of its event log, the report dates of report form 1 and the months of report
    form 2 start it; it ends with the event log's last day. Most indicators come from the log,
    and past its end open logs would look dropped and open cases would repeat its last month.

    Parameters
    ----------
    store : str or pathlib.Path
        A store written by ``bti import``.
    municipality : str
        Kommunenummer.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        The first and the last day, both included, as :func:`load_evaluation` takes them.

    Raises
    ------
    StoreError
        When the store has no event log for the municipality (or no store is there).

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_demo(folder, "4228", seed=1)
    ...     _ = import_files(Path(folder) / "store.duckdb", [Path(folder) / "event_log.csv"],
    ...                      municipality="4228")
    ...     first, last = data_period(Path(folder) / "store.duckdb", "4228")
    >>> first <= pd.Timestamp("2018-02-01") and last >= pd.Timestamp("2020-06-01")
    True
    """
    first, _, log_last = _data_span(store, municipality)
    return first, log_last


def _data_span(store: str | Path, code: str) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """The first day of the data, the last (report dates up to a quiet month past the log)
    and the event log's last day, which ends :func:`data_period`."""
    times = read_table(store, "event-log", municipality=code)["event_time"].dropna()
    if times.empty:
        raise StoreError(key="err.request.store_no_log", file=Path(store).name)
    log_last = times.max().normalize()
    days = [times.min(), times.max()]
    for kind, columns in (
        ("report-form-1", ["report_date"]),
        ("report-form-2", ["period_start", "period_end"]),
    ):
        frame = read_table(store, kind, municipality=code)
        for column in columns:
            found = frame[column].dropna() if column in frame else pd.Series(dtype="object")
            days += [found.min(), found.max()] if len(found) else []
    days = [pd.Timestamp(day).normalize() for day in days]
    return min(days), min(max(days), log_last + _QUIET_DAYS), log_last


def check_request(
    municipality: str,
    period: str | tuple[object, object] | None = None,
    *,
    store: str | Path | None = None,
    files: Sequence[str | Path] = (),
    go_live: str = "",
    names: Mapping[str, str] = PARAMETER_NAMES,
) -> EvaluationRequest:
    """Check a request for an evaluation against the data, before any analysis runs.

    Parameters
    ----------
    municipality, period, store, files, go_live
        As for :func:`load_evaluation`; an empty ``period`` means :func:`data_period`.
    names : mapping, default PARAMETER_NAMES
        What to call ``municipality``, ``period`` and ``go_live`` in messages (the command
        line's option names).

    Returns
    -------
    EvaluationRequest

    Raises
    ------
    RequestError
        (a ValueError) Naming the parameter and its problem, from the label catalogue
        (:func:`bti_workbench.errors.explain` says it in bokmål or English): a municipality
        that is not four digits, not in
        the reference table or without an event log in the data; a period that cannot be
        read, is reversed or lies outside the data; a go-live date that cannot be read or
        names a municipality without an event log. A municipality is never printed back.
        Errors of the files themselves (contracts, identifiers) as :func:`import_files`.
    """
    with _opened(store, files, municipality, names) as (path, code):
        return _checked(path, code, period, go_live, names, _holds(files))


def load_evaluation(
    municipality: str,
    period: str | tuple[object, object] | None = None,
    *,
    store: str | Path | None = None,
    files: Sequence[str | Path] = (),
    go_live: str = "",
    names: Mapping[str, str] = PARAMETER_NAMES,
) -> EvaluationData:
    """Read one municipality's evaluation data from a store, or from files.

    Parameters
    ----------
    municipality : str
        Kommunenummer.
    period : str or (start, end), optional
        ``"2018-01-01..2018-06-30"`` or two dates, both days included (read by
        :func:`bti_workbench._util.periods.parse_period`; ``Timestamp.min`` and
        ``Timestamp.max`` are open ends). Empty or None: everything the data hold for the
        municipality (:func:`data_period`).
    store : str or pathlib.Path, optional
        A store written by ``bti import``.
    files : sequence of paths, optional
        Used instead of a store: files or demo folders, imported into a temporary store
        (files without a municipality column are taken to be ``municipality``'s).
    go_live : str, default ""
        Overrides the go-live dates recorded in the store (see :func:`parse_go_live`).
    names : mapping, default PARAMETER_NAMES
        What to call ``municipality``, ``period`` and ``go_live`` in messages.

    Returns
    -------
    EvaluationData

    Raises
    ------
    ValueError
        As :func:`check_request`.
    """
    with _opened(store, files, municipality, names) as (path, code):
        request = _checked(path, code, period, go_live, names, _holds(files))
        return _from_store(path, request)


def load_tables(
    municipality: str,
    kinds: Sequence[str],
    period: str | tuple[object, object] | None = None,
    *,
    store: str | Path | None = None,
    files: Sequence[str | Path] = (),
    names: Mapping[str, str] = PARAMETER_NAMES,
) -> tuple[EvaluationRequest, dict[str, pd.DataFrame]]:
    """Check a request as :func:`check_request` does and read the municipality's tables.

    For analyses other than the evaluation (the collaboration map reads the event log, the
    collaboration survey and the organisation): the same checks, store and files.

    Parameters
    ----------
    municipality, period, store, files, names
        As for :func:`load_evaluation` (no go-live dates).
    kinds : sequence of str
        Contract kinds as :data:`bti_workbench.ingest.KINDS` names them (``event-log``,
        ``collaboration-survey`` ...).

    Returns
    -------
    (EvaluationRequest, dict)
        The checked request, and kind → the municipality's rows (all dates; no rows when the
        data hold none of that kind for it). Each frame's ``attrs["synthetic"]`` says
        whether a file of that kind the store holds now is synthetic.

    Raises
    ------
    ValueError
        As :func:`check_request`.
    """
    with _opened(store, files, municipality, names) as (path, code):
        request = _checked(path, code, period, "", names, _holds(files))
        history = store_history(path)
        held = history[history["held"] > 0]
        tables = {}
        for kind in kinds:
            frame = read_table(path, kind, municipality=code).reset_index(drop=True)
            frame.attrs["synthetic"] = bool(held.loc[held["kind"] == kind, "synthetic"].any())
            tables[kind] = frame
        return request, tables


def _holds(files: Sequence[object]) -> str:
    """Where the data come from, as the ends of the catalogue keys say it."""
    return "files" if files else "store"


@contextmanager
def _opened(
    store: str | Path | None,
    files: Sequence[str | Path],
    municipality: str,
    names: Mapping[str, str],
) -> Iterator[tuple[Path, str]]:
    """The store to read (a temporary one holding ``files``) and the checked kommunenummer."""
    code = as_kommunenummer(municipality)
    if code is None:
        raise RequestError(key="err.request.not_kommunenummer", name=names["municipality"])
    if not files:
        if store is None:
            raise RequestError(key="err.request.store_or_files")
        yield Path(store), code
        return
    with tempfile.TemporaryDirectory(prefix="bti-eval-") as folder:
        temporary = Path(folder) / "evaluation.duckdb"
        for file in map(Path, files):
            # A demo folder names its own municipality; plain files are this one's.
            import_files(temporary, [file], municipality=None if file.is_dir() else code)
        yield temporary, code


def _checked(
    store: Path,
    code: str,
    period: str | tuple[object, object] | None,
    go_live: str,
    names: Mapping[str, str],
    source: str,
) -> EvaluationRequest:
    """The checks of :func:`check_request` on an opened store."""
    try:
        place = load_municipality(code)
    except KeyError:
        raise RequestError(key="err.request.not_in_reference", name=names["municipality"]) from None
    listed = store_status(store).tables.loc["event-log", "municipalities"] or ""
    logs = tuple(m for m in listed.split(", ") if as_kommunenummer(m) == m)
    if code not in logs:
        held = logs if logs else Text("err.request.none")
        raise RequestError(
            key=f"err.request.no_log_{source}", name=names["municipality"], held=held
        )
    first, last, log_last = _data_span(store, code)
    empty = period is None or (isinstance(period, str) and not period.strip())
    chosen = (first, log_last) if empty else _parsed_period(period, names["period"])
    _check_within(chosen, (first, last), log_last, names["period"])
    given = parse_go_live(go_live, code, name=names["go_live"])
    for number, place_code in enumerate(given, start=1):
        if place_code not in logs:
            raise RequestError(
                key=f"err.request.go_live_no_log_{source}", name=names["go_live"], number=number
            )
    return EvaluationRequest(place, chosen, given, logs)


def _parsed_period(period: object, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """:func:`parse_period`, whose message names the problem but not the text given.

    Its messages (English) are said again from the catalogue, so that the command line can
    show them in the user's language; one the catalogue does not know stays English.
    """
    try:
        return parse_period(period, name=name)
    except ValueError as exc:
        text = str(exc).replace(f"{name} {period!r}", name, 1)
        text = _QUOTED_DAY.sub(r"\1", text)
        raise _period_error(text, name) from None


# parse_period's "the first day '…' is not a date": the value is left out.
_QUOTED_DAY = re.compile(r"""(the (?:first|last) day) (?:'[^']*'|"[^"]*")(?= is not a date)""")

#: The catalogue's sayings of parse_period's problems (``err.request.<key>``).
_PERIOD_PROBLEMS = (
    "period_no_dots",
    "period_two",
    "first_missing",
    "last_missing",
    "first_not_date",
    "last_not_date",
    "reversed",
)
#: parse_period's problem with the number of values given, the one with a field.
_PERIOD_COUNT = re.compile(r": (\d+) values where two dates belong ")


def _period_error(text: str, name: str) -> RequestError:
    """The period's problem ``text`` (English, starting with ``name``) as a keyed error when
    the catalogue says the same in English, else as it is."""
    count = _PERIOD_COUNT.search(text)
    fields: dict[str, object] = {"name": name}
    keys = _PERIOD_PROBLEMS
    if count is not None:
        keys, fields["count"] = ("period_count",), count[1]
    for key in keys:
        if Text(f"err.request.{key}", fields).render("en") == text:
            return RequestError(text, key=f"err.request.{key}", **fields)
    return RequestError(text)


def _check_within(
    chosen: tuple[pd.Timestamp, pd.Timestamp],
    span: tuple[pd.Timestamp, pd.Timestamp],
    last: pd.Timestamp,
    name: str,
) -> None:
    """Refuse a period past the export's end (``last``) or outside the data altogether."""
    if chosen[1] != pd.Timestamp.max and chosen[1].normalize() > last + _QUIET_DAYS:
        # Past the export's end open logs would look dropped and waits too long. A quiet month
        # is allowed: a small municipality's last event need not fall on the export's last day.
        raise RequestError(key="err.request.after_export", name=name, last=f"{last:%Y-%m-%d}")
    if chosen[1] < span[0] or chosen[0] > span[1]:
        raise RequestError(
            key="err.request.outside",
            name=name,
            first=f"{span[0]:%Y-%m-%d}",
            last=f"{span[1]:%Y-%m-%d}",
        )


def _from_store(store: Path, request: EvaluationRequest) -> EvaluationData:
    code = request.municipality.kommunenummer
    dates = go_live_dates(store).to_dict()
    dates.update(request.go_live)
    logs = read_table(store, "event-log")
    event_logs = {
        m: frame.drop(columns="municipality").reset_index(drop=True)
        for m, frame in logs.groupby("municipality", sort=True)
    }

    def mine(kind: str) -> pd.DataFrame:
        return read_table(store, kind, municipality=code).reset_index(drop=True)

    history = store_history(store)  # the imports whose rows the store holds now
    imports = history[history["held"] > 0].reset_index(drop=True)
    return EvaluationData(
        municipality=request.municipality,
        period=request.period,
        event_log=event_logs[code],
        report_form_1=mine("report-form-1"),
        report_form_2=mine("report-form-2"),
        staff_survey=mine("staff-survey"),
        progress_plan=mine("progress-plan"),
        go_live=pd.Series(dates, name="go_live", dtype="datetime64[ns]").sort_index(),
        event_logs=event_logs,
        imports=imports,
        synthetic=bool(imports["synthetic"].any()) if len(imports) else False,
    )


def whole_months(event_log: pd.DataFrame, event: str = "log_opened") -> pd.Series:
    """Monthly counts of ``event`` over the whole months of the export.

    The first month is partial unless the first event falls on the 1st (the export, or the
    tool, began within it, and new logs lag their concerns): it is left out.
    """
    counts = monthly_counts(event_log, event)
    if len(event_log) and pd.Timestamp(event_log["event_time"].min()).day > 1:
        counts = counts.iloc[1:]
    return counts


def monthly_panel(
    event_logs: dict[str, pd.DataFrame],
    event: str = "log_opened",
    *,
    per_children: bool = True,
) -> pd.DataFrame:
    """Monthly counts per municipality as a long panel for the staggered-adoption estimator.

    Parameters
    ----------
    event_logs : dict
        Municipality → event log.
    event : str, default "log_opened"
    per_children : bool, default True
        Divide by the municipality's children 0–23 and multiply by 1 000, so municipalities of
        different sizes compare.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit`` (kommunenummer), ``period`` (month), ``count`` and ``outcome``; every
        municipality over the whole months common to all logs. Without logs, or without a
        whole month common to them all, the panel has no rows.

    Examples
    --------
    >>> monthly_panel({}).columns.tolist()
    ['unit', 'period', 'count', 'outcome']
    """
    empty = pd.DataFrame(
        {
            "unit": pd.Series(dtype="object"),
            "period": pd.PeriodIndex([], freq="M"),
            "count": pd.Series(dtype="int64"),
            "outcome": pd.Series(dtype="float64"),
        }
    )
    counts = {m: whole_months(log, event) for m, log in event_logs.items() if len(log)}
    counts = {m: series for m, series in counts.items() if len(series)}
    if not counts or len(counts) < len(event_logs):
        return empty
    first = max(series.index.min() for series in counts.values())
    last = min(series.index.max() for series in counts.values())
    if first > last:
        return empty
    rows = []
    for place, series in counts.items():
        children = load_municipality(place).children if per_children else 1000
        window = series.loc[first:last]
        rows.append(
            pd.DataFrame(
                {
                    "unit": place,
                    "period": window.index,
                    "count": window.to_numpy(),
                    "outcome": window.to_numpy() * 1000 / children,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def publishable_panel(panel: pd.DataFrame, k: int = DEFAULT_K) -> tuple[pd.DataFrame, list[str]]:
    """Keep the municipalities whose every monthly count passes ``suppress_small``.

    The staggered-adoption estimates are differences of these monthly rates; a municipality
    with a month below ``k`` could have it worked back from them and its published neighbours,
    so it is left out of the comparison (and named, as municipalities are not persons).

    Returns
    -------
    (panel, withheld)
        The panel without the withheld municipalities, and their numbers.
    """
    withheld = []
    for unit, rows in panel.groupby("unit", sort=True):
        counts = rows.set_index(rows["period"].astype(str))["count"].rename("count")
        if bool(suppress_small(counts.astype("int64"), k).hidden.to_numpy().any()):
            withheld.append(str(unit))
    return panel[~panel["unit"].isin(withheld)].reset_index(drop=True), withheld
