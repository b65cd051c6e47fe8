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
from bti_workbench.errors import Problem, Text
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


#: The contract's rules across columns (:func:`~bti_workbench.ingest.contracts.schema`, named
#: ``column:message``): the English message → its catalogue key.
_RULES = {
    "is given on a row that is not measure_added": "err.row.rule.evaluate_by_not_measure",
    "is before the day the measure was added": "err.row.rule.evaluate_by_before",
    "cannot exceed the staff in the unit": "err.row.rule.trained_exceeds",
    "is before the start of the period": "err.row.rule.end_before_start",
    "exceeds the number of active logs": "err.row.rule.parents_exceed",
    "is the same as the responding service": "err.row.rule.same_service",
    "is required when the status is done": "err.row.rule.done_date",
    "differs between rows of the same group": "err.row.rule.group_differs",
}
#: The forms a text column must have, by its type.
_FORMS = {
    "pseudonym": "err.row.pseudonym",
    "code": "err.row.code",
    "kommunenummer": "err.row.kommunenummer",
}


def _describe_check(check: str, spec: dict) -> Text:
    """What a failed check of one column means, as a catalogue text (``err.row.*``)."""
    kind = spec.get("type")
    if check == "not_nullable":
        return Text("err.row.required")
    if check.startswith("isin"):
        if kind == "service":
            return Text("err.row.service")
        return Text("err.row.one_of", {"values": ", ".join(spec.get("values", []))})
    if check.startswith("str_matches"):
        return Text(_FORMS.get(kind, "err.row.form"))
    if check.startswith(("greater_than_or_equal_to", "less_than_or_equal_to")):
        lo, hi = spec.get("min"), spec.get("max")
        if lo is not None and hi is not None:
            return Text("err.row.between", {"lo": str(lo), "hi": str(hi)})
        if lo is not None:
            return Text("err.row.at_least", {"lo": str(lo)})
        return Text("err.row.at_most", {"hi": str(hi)})
    return Text("err.row.type")


def _rule(message: str) -> Text | str:
    """A rule across columns as a catalogue text (its English message if it has no key)."""
    key = _RULES.get(message)
    return Text(key) if key else message


def _problem(source: str, row: int | None, column: str | None, message: Text | str) -> Problem:
    """A problem keyed by its catalogue text, or with an English message."""
    if isinstance(message, Text):
        return Problem.keyed(source, row, column, message)
    return Problem(source, row, column, message)


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
                Problem.keyed(raw.source, int(row), headers.get(name, name), Text("err.row.future"))
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
            column, rule = check.split(":", 1)  # a rule across columns
            message = _rule(rule)
        else:
            column = None if pd.isna(case.column) else str(case.column)
            message = _describe_check(check, specs.get(column, _LIKERT))
        said = message.render("en") if isinstance(message, Text) else message
        if (row, column) in failed or (row, column, said) in seen:
            continue
        seen.add((row, column, said))
        problems.append(_problem(raw.source, row, headers.get(column, column), message))
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
            same = {"row": str(first_seen[marker]), "columns": ", ".join(key)}
            problems.append(
                Problem.keyed(raw.source, int(row_no), None, Text("err.row.repeats", same))
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
    found: dict[int, Text] = {}

    def first(event: str) -> pd.DataFrame:
        rows = log[log["event"] == event].sort_values(["day", "row"])
        return rows.drop_duplicates("case_id").set_index("case_id")[["day", "row"]]

    rules = [
        ("level0_decision", "concern_raised", "err.row.decision_before_concern"),
        ("log_closed", "log_opened", "err.row.closed_before_opened"),
    ]
    for event, reference, key in rules:
        joined = log[log["event"] == event].merge(
            first(reference).add_suffix("_ref"), left_on="case_id", right_index=True
        )
        early = joined[joined["day"] < joined["day_ref"]]
        for row, other in zip(early["row"].tolist(), early["row_ref"].tolist(), strict=True):
            found.setdefault(int(row), Text(key, {"row": str(int(other))}))
    ordered = log.sort_values(["case_id", "row"], kind="stable")
    previous_day = ordered.groupby("case_id", sort=False)["day"].shift()
    previous_row = ordered.groupby("case_id", sort=False)["row"].shift()
    back = ordered["day"] < previous_day
    for row, other in zip(ordered.loc[back, "row"], previous_row[back], strict=True):
        found.setdefault(int(row), Text("err.row.before_row", {"row": str(int(other))}))

    return [
        Problem.keyed(raw.source, row, time_header, text)
        for row, text in sorted(found.items(), key=lambda item: item[0])
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
        return [Problem.keyed(raw.source, None, None, Text("err.row.no_items"))]
    return []
