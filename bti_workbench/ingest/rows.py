"""Row checks: the contract's schema rules, dates after today, repeated rows, event order and
answered items.

Each check takes the parsed frame (indexed by the row numbers the user sees) and returns the
problems it finds, naming the file, row and the user's header; never a value.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pandera.errors as pa_errors

from bti_workbench._util.resources import contracts_spec
from bti_workbench.errors import Problem
from bti_workbench.ingest.contracts import (
    column_specs,
    header_mapping,
    item_catalogue,
    normalise_header,
    schema,
)
from bti_workbench.ingest.files import RawTable

__all__ = [
    "check_duplicates",
    "check_event_order",
    "check_items_answered",
    "check_not_after_today",
    "check_schema",
    "current_day",
]

_LIKERT = {"type": "int", "min": 1, "max": 5}


def _describe_check(check: str, spec: dict) -> str:
    kind = spec.get("type")
    if check == "not_nullable":
        return "is empty, but the column is required"
    if check.startswith("isin"):
        if kind == "service":
            return "not a service id of the catalogue (see docs/data-contracts.md)"
        return "must be one of: " + ", ".join(spec.get("values", []))
    if check.startswith("str_matches"):
        return {
            "pseudonym": "must be a pseudonym: letters, digits, '-', '_' or '.', no spaces, "
            "at most 40 characters",
            "code": "must be a short code or unit name (at most 80 characters)",
            "kommunenummer": "must be a four-digit municipality number",
        }.get(kind, "has the wrong form")
    if check.startswith(("greater_than_or_equal_to", "less_than_or_equal_to")):
        lo, hi = spec.get("min"), spec.get("max")
        if lo is not None and hi is not None:
            return f"must be between {lo} and {hi}"
        return f"must be at least {lo}" if lo is not None else f"must be at most {hi}"
    return "has the wrong type or form"


def current_day() -> dt.date:
    """The day of the import: today's date on this machine (tests replace it).

    Returns
    -------
    datetime.date
        ``datetime.date.today()``.

    See Also
    --------
    check_not_after_today : Refuses dates after this day.
    """
    return dt.date.today()


def _user_headers(raw: RawTable, kind_key: str) -> dict[str, str]:
    """Canonical column name → the header the user wrote (the first, where several map)."""
    mapping = header_mapping(kind_key)
    headers: dict[str, str] = {}
    for header in raw.headers:
        headers.setdefault(mapping.get(normalise_header(header), header), header)
    return headers


def check_not_after_today(
    frame: pd.DataFrame,
    raw: RawTable,
    kind_key: str,
    failed: set | frozenset = frozenset(),
    *,
    today: dt.date | None = None,
) -> list[Problem]:
    """Dates and times after the day of the import: an event cannot have happened yet.

    Every ``date`` and ``datetime`` column of the contract is checked, except those marked
    ``future: true`` (a progress plan's deadlines, a measure's planned evaluation date). A
    time later on the day of the import itself is accepted (exports are stamped in local
    time). The value is never shown.

    Parameters
    ----------
    frame : pandas.DataFrame
        The parsed table, canonical column names, indexed by the user's row numbers.
    raw : RawTable
        The cells as read (its ``source`` and ``headers`` name the file and columns).
    kind_key : str
        The contract's key.
    failed : set of tuple, optional
        ``(row, column)`` of cells that could not be parsed; they are not reported again.
    today : datetime.date, optional
        The day of the import; :func:`current_day` by default.

    Returns
    -------
    list of Problem
        One per row and column with a date after ``today``, under the user's header.

    See Also
    --------
    check_schema : Runs this check with the contract's other rules.
    """
    limit = pd.Timestamp(today or current_day()) + pd.Timedelta(days=1)
    headers = _user_headers(raw, kind_key)
    problems: list[Problem] = []
    for name, spec in column_specs(kind_key).items():
        if spec["type"] not in ("date", "datetime") or spec.get("future", False):
            continue
        if name not in frame.columns:
            continue
        late = (frame[name] >= limit).fillna(False).to_numpy(dtype=bool)
        for row in frame.index[late]:
            if (int(row), name) in failed:
                continue
            problems.append(
                Problem(
                    raw.source,
                    int(row),
                    headers.get(name, name),
                    "is after the day of the import; a date in the future is refused",
                )
            )
    return problems


def check_schema(
    frame: pd.DataFrame,
    raw: RawTable,
    kind_key: str,
    failed: set,
    *,
    today: dt.date | None = None,
) -> list[Problem]:
    """Problems with the contract's schema rules: required, allowed values, form, range.

    The range of a date includes :func:`check_not_after_today`: no date after the import.

    Parameters
    ----------
    frame : pandas.DataFrame
        The parsed table, canonical column names, indexed by the user's row numbers.
    raw : RawTable
        The cells as read (its ``source`` and ``headers`` name the file and columns).
    kind_key : str
        The contract's key.
    failed : set of tuple
        ``(row, column)`` of cells that could not be parsed; they are not reported again.
    today : datetime.date, optional
        The day of the import; :func:`current_day` by default.

    Returns
    -------
    list of Problem
        One per row, column and message, named by the user's header.

    See Also
    --------
    bti_workbench.ingest.contracts.schema : The pandera schema these rules come from.
    """
    late = check_not_after_today(frame, raw, kind_key, failed, today=today)
    try:
        schema(kind_key).validate(frame, lazy=True)
        return late
    except pa_errors.SchemaErrors as err:
        cases = err.failure_cases
    specs = column_specs(kind_key)
    headers = _user_headers(raw, kind_key)
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for case in cases.itertuples(index=False):
        row = None if pd.isna(case.index) else int(case.index)
        check = str(case.check)
        if case.schema_context == "DataFrameSchema" and ":" in check:
            column, message = check.split(":", 1)  # a rule across columns
        else:
            column = None if pd.isna(case.column) else str(case.column)
            message = _describe_check(check, specs.get(column, _LIKERT))
        if (row, column) in failed or (row, column, message) in seen:
            continue
        seen.add((row, column, message))
        problems.append(Problem(raw.source, row, headers.get(column, column), message))
    return problems + late


def check_duplicates(frame: pd.DataFrame, raw: RawTable, kind_key: str) -> list[Problem]:
    """Rows that repeat an earlier row's key (the contract's ``unique`` columns).

    Parameters
    ----------
    frame : pandas.DataFrame
        The parsed table, canonical column names, indexed by the user's row numbers.
    raw : RawTable
        The cells as read (its ``source`` and ``headers`` name the file and columns).
    kind_key : str
        The contract's key.

    Returns
    -------
    list of Problem
        One per repeating row, naming the first row with the same key.

    See Also
    --------
    check_schema : The other rules of the contract.
    """
    key = [c for c in contracts_spec()[kind_key]["unique"] if c in frame.columns]
    if not key:
        return []
    repeated = frame.duplicated(subset=key, keep=False)
    if not repeated.any():
        return []
    problems = []
    first_seen: dict[tuple, int] = {}
    subset = frame.loc[repeated, key]
    for row_no, values in zip(subset.index, subset.itertuples(index=False), strict=True):
        marker = tuple("" if pd.isna(v) else v for v in values)
        if marker in first_seen:
            problems.append(
                Problem(
                    raw.source,
                    int(row_no),
                    None,
                    f"repeats row {first_seen[marker]} (same {', '.join(key)})",
                )
            )
        else:
            first_seen[marker] = int(row_no)
    return problems


def check_event_order(frame: pd.DataFrame, raw: RawTable) -> list[Problem]:
    """Events of a case out of time order (each names the other row).

    Compared by calendar day, as exports mix dates with and without a time of day: within a
    case the rows must not go back in time; a level-0 decision may not precede the case's
    first concern, nor a log_closed its first log_opened. A case whose log opened before the
    export began (no log_opened, or work before a later concern) is not an error.

    Parameters
    ----------
    frame : pandas.DataFrame
        A parsed event log, canonical column names, indexed by the user's row numbers.
    raw : RawTable
        The cells as read (its ``source`` and ``headers`` name the file and columns).

    Returns
    -------
    list of Problem
        One per row out of order, in row order, under the user's time header.

    See Also
    --------
    check_schema : The rules of a single row.
    """
    time_header = next(
        (
            h
            for h in raw.headers
            if header_mapping("event_log").get(normalise_header(h)) == "event_time"
        ),
        "event_time",
    )
    log = frame[["case_id", "event", "level"]].reset_index(drop=True)
    log["day"] = frame["event_time"].dt.normalize().to_numpy()
    log["row"] = frame.index.to_numpy()
    found: dict[int, str] = {}

    def first(event: str) -> pd.DataFrame:
        rows = log[log["event"] == event].sort_values(["day", "row"])
        return rows.drop_duplicates("case_id").set_index("case_id")[["day", "row"]]

    rules = [
        ("level0_decision", "concern_raised", "level0_decision is dated before the concern"),
        ("log_closed", "log_opened", "log_closed is dated before the log was opened"),
    ]
    for event, reference, message in rules:
        joined = log[log["event"] == event].merge(
            first(reference).add_suffix("_ref"), left_on="case_id", right_index=True
        )
        early = joined[joined["day"] < joined["day_ref"]]
        for row, other in zip(early["row"].tolist(), early["row_ref"].tolist(), strict=True):
            found.setdefault(int(row), f"{message} (row {int(other)})")
    ordered = log.sort_values(["case_id", "row"], kind="stable")
    previous_day = ordered.groupby("case_id", sort=False)["day"].shift()
    previous_row = ordered.groupby("case_id", sort=False)["row"].shift()
    back = ordered["day"] < previous_day
    for row, other in zip(ordered.loc[back, "row"], previous_row[back], strict=True):
        found.setdefault(int(row), f"dated before row {int(other)} of the same case")

    return [
        Problem(raw.source, row, time_header, f"{text}; the events of a case are out of time order")
        for row, text in sorted(found.items())
    ]


def check_items_answered(frame: pd.DataFrame, raw: RawTable) -> list[Problem]:
    """A problem when a survey file has no item column of the catalogue.

    Parameters
    ----------
    frame : pandas.DataFrame
        A parsed survey, canonical column names, indexed by the user's row numbers.
    raw : RawTable
        The cells as read (its ``source`` and ``headers`` name the file and columns).

    Returns
    -------
    list of Problem
        Empty, or one problem for the whole file.

    See Also
    --------
    bti_workbench.ingest.contracts.item_catalogue : The survey items.
    """
    items = [c for c in frame.columns if c in item_catalogue().index]
    if not items:
        return [
            Problem(
                raw.source,
                None,
                None,
                "no survey item columns; use the item ids or Norwegian headers of "
                "docs/data-contracts.md",
            )
        ]
    return []
