"""Loaders for the data contracts: CSV or XLSX in, a validated frame out.

Each ``read_<kind>(path)`` reads a file as users have it (Norwegian or English headers,
``;``/``,``/tab, UTF-8 or Windows-1252, dd.mm.yyyy dates, decimal commas, blank or title
rows above the header), refuses direct identifiers, parses and validates every cell against
the contract and returns the frame — or raises :class:`ContractError` listing every problem
with file, row and column. Values are never echoed in messages. Nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io as _io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pa_errors
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import yaml

from bti_workbench._util.resources import contracts_spec
from bti_workbench._util.text import TextDecodeError, decode_text
from bti_workbench.errors import ContractError, Problem
from bti_workbench.ingest.contracts import (
    KINDS,
    column_specs,
    header_mapping,
    item_catalogue,
    normalise_header,
    schema,
)
from bti_workbench.privacy import IdentifierError, _cell_has_fodselsnummer, check_no_identifiers

__all__ = [
    "ContractError",
    "IdentifierError",
    "Problem",
    "read",
    "read_collaboration_survey",
    "read_event_log",
    "read_organisation",
    "read_progress_plan",
    "read_report_form_1",
    "read_report_form_2",
    "read_staff_survey",
]

_SYNTHETIC = re.compile(r"synthetic|syntetisk", re.I)
_DATE_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")
_TRUE = {"ja", "j", "yes", "y", "true", "sann", "1", "x"}
_FALSE = {"nei", "n", "no", "false", "usann", "0"}

_YEARS = (1900, 2200)  # dates outside are typing errors (and beyond pandas' range)
_LARGEST = 2.0**53  # integers beyond are not exact in a float, nor plausible counts


@dataclass
class _RawTable:
    """Cells as read: one row per data row, indexed by the row numbers the user sees.

    ``cells`` has one column per header (by position) and ``None``/``<NA>`` for empty cells.
    ``text_only`` is true when every cell is a string (CSV), so text columns need no parsing.
    """

    source: str
    headers: list[str]
    cells: pd.DataFrame
    synthetic: bool
    preamble: list[str] = field(default_factory=list)  # lines above the header
    text_only: bool = False


def _decode(raw: bytes, source: str) -> str:
    try:
        return decode_text(raw)
    except TextDecodeError as exc:
        raise ContractError(
            [
                Problem(
                    source,
                    exc.line,
                    None,
                    "cannot decode the text: save the file as UTF-8 "
                    "(or Windows-1252/ISO-8859-1) CSV",
                )
            ]
        ) from exc


def _known_count(cells: list[object], known: dict[str, str]) -> int:
    return sum(normalise_header(c) in known for c in cells if c is not None and str(c).strip())


def _best_header(candidates: list[tuple[int, list[object]]], known: dict[str, str]) -> int | None:
    """Index into ``candidates`` of the row with most known headers (at least two)."""
    best, best_score = None, 1
    for i, (_, cells) in enumerate(candidates):
        score = _known_count(cells, known)
        if score > best_score:
            best, best_score = i, score
    return best


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _finish(
    source: str,
    headers: list[object],
    body: pd.DataFrame,
    preamble: list[str],
    column_name: Callable[[int], str],
    text_only: bool = False,
) -> _RawTable:
    """Drop blank rows and unnamed empty columns; refuse unnamed columns with data.

    ``body`` has positional columns and the user's row numbers as index; empty cells are null.
    """
    headers = [("" if h is None else str(h)).strip() for h in headers]
    width = len(headers)
    body = body.reindex(columns=range(width))
    body = body[body.notna().any(axis=1)]
    keep, problems = [], []
    for position, header in enumerate(headers):
        if header:
            keep.append(position)
        elif body[position].notna().any():
            problems.append(
                Problem(source, None, column_name(position), "values in a column without a header")
            )
    if problems:
        raise ContractError(problems)
    if body.empty:
        raise ContractError([Problem(source, None, None, "no data rows below the header")])
    synthetic = any(_SYNTHETIC.search(line) for line in preamble)
    cells = body[keep]
    cells.columns = range(len(keep))
    cells.index.name = "row"
    return _RawTable(
        source, [headers[p] for p in keep], cells, synthetic, preamble, text_only=text_only
    )


def _rows_frame(body: list[tuple[int, list[object]]], width: int) -> pd.DataFrame:
    """Rows as read (row number, cells) → a frame with positional columns."""
    padded = [[*cells, *[None] * (width - len(cells))][:width] for _, cells in body]
    return pd.DataFrame(
        padded, index=pd.Index([n for n, _ in body], name="row"), columns=range(width), dtype=object
    )


def _csv_fast(lines: list[str], header_at: int, delimiter: str) -> pd.DataFrame | None:
    """Parse the body with Arrow's CSV reader; None when the slow, exact path is needed.

    The fast path needs every non-blank line to be one record with as many fields as the
    header (no quoting): then line numbers are row numbers. Otherwise the ``csv`` module reads
    it and reports each bad line.
    """
    body = lines[header_at + 1 :]
    if not body or any('"' in line for line in (lines[header_at], *body)):
        return None
    fields = lines[header_at].count(delimiter)
    counts = np.fromiter((line.count(delimiter) for line in body), dtype=np.int64, count=len(body))
    blank = np.fromiter((not line.strip() for line in body), dtype=bool, count=len(body))
    if np.any((counts != fields) & ~blank):
        return None
    kept = [line for line, empty in zip(body, blank, strict=True) if not empty]
    if not kept:
        return None
    names = [str(i) for i in range(fields + 1)]
    table = pacsv.read_csv(
        _io.BytesIO("\n".join(kept).encode("utf-8")),
        read_options=pacsv.ReadOptions(column_names=names),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    if table.num_rows != len(kept):
        return None
    index = pd.Index(np.flatnonzero(~blank) + header_at + 2, name="row")
    columns = {}
    for position, name in enumerate(names):
        values = pc.utf8_trim_whitespace(table.column(name))
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        columns[position] = pd.Series(
            pd.arrays.ArrowStringArray(values.combine_chunks()), index=index, copy=False
        ).astype("string")
    return pd.DataFrame(columns, index=index)


def _read_csv(path: Path, known: dict[str, str]) -> _RawTable:
    source = path.name
    lines = _decode(path.read_bytes(), source).splitlines()
    candidates = []
    for index, line in enumerate(lines[:50]):
        if line.strip() and not line.strip().startswith("#"):
            delimiter = max((";", "\t", ","), key=line.count)
            candidates.append((index, next(csv.reader([line], delimiter=delimiter))))
    best = _best_header(candidates, known)
    if best is None:
        raise ContractError([Problem(source, None, None, _no_header_message(known))])
    header_at = candidates[best][0]
    delimiter = max((";", "\t", ","), key=lines[header_at].count)
    headers = next(csv.reader([lines[header_at]], delimiter=delimiter))
    fast = _csv_fast(lines, header_at, delimiter)
    if fast is not None:
        return _finish(
            source, headers, fast, lines[:header_at], lambda p: f"#{p + 1}", text_only=True
        )
    reader = csv.reader(_io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    headers = next(reader)
    body, problems = [], []
    for cells in reader:
        line_no = header_at + reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(headers):
            problems.append(
                Problem(
                    source,
                    line_no,
                    None,
                    f"{len(cells)} fields where the header has {len(headers)}; is the "
                    f"separator '{delimiter}' also used inside a value (a decimal comma in "
                    "a comma-separated file)? Quote such values or use ';'",
                )
            )
        body.append((line_no, [c.strip() or None for c in cells]))
    if problems:
        raise ContractError(problems)
    return _finish(
        source, headers, _rows_frame(body, len(headers)), lines[:header_at], lambda p: f"#{p + 1}"
    )


def _read_xlsx(path: Path, known: dict[str, str]) -> _RawTable:
    import openpyxl

    source = path.name
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ContractError([Problem(source, None, None, "not a readable XLSX workbook")]) from exc
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers store a wrong <dimension>; read all cells
        rows = [
            (row_no, [c.strip() or None if isinstance(c, str) else c for c in values])
            for row_no, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        book.close()
    # Sheet names are free text a user typed: refer to the sheet by position, never by name.
    if _cell_has_fodselsnummer(sheet.title):
        raise IdentifierError(f"{source}: the first sheet's name looks like a fødselsnummer")
    source = f"{source}, first sheet"
    best = _best_header(rows[:50], known)
    if best is None:
        raise ContractError([Problem(source, None, None, _no_header_message(known))])
    preamble = [" ".join(str(c) for c in cells if c is not None) for _, cells in rows[:best]]
    headers = rows[best][1]
    return _finish(
        source, headers, _rows_frame(rows[best + 1 :], len(headers)), preamble, _column_letter
    )


def _read_organisation_yaml(path: Path) -> _RawTable:
    """Groups with their members, flattened to one row per membership.

    Every key of a group and of a member becomes a column, so unknown keys are reported and
    identifier-like keys or values are refused like in any other file.
    """
    source = path.name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ContractError([Problem(source, None, None, "not valid UTF-8 YAML")]) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        raise ContractError([Problem(source, None, None, "expected a top-level 'groups' list")])
    top = {k: v for k, v in doc.items() if k != "groups"}
    check_no_identifiers(pd.DataFrame([top], dtype=object), f"{source} (top level)")
    records: list[dict] = []
    for g_index, group in enumerate(doc["groups"], start=1):
        members = group.get("members") if isinstance(group, dict) else None
        if not isinstance(members, list) or not members:
            raise ContractError(
                [Problem(source, g_index, "members", f"group {g_index} needs a 'members' list")]
            )
        shared = {k: v for k, v in group.items() if k != "members"}
        for member in members:
            if not isinstance(member, dict):
                raise ContractError(
                    [Problem(source, len(records) + 1, None, "a member must be a mapping")]
                )
            records.append({**shared, **member})
    headers = list(dict.fromkeys(key for record in records for key in record))
    rows = [[record.get(h) for h in headers] for record in records]
    synthetic = bool(doc.get("synthetic", False))
    cells = pd.DataFrame(
        rows, index=pd.Index(range(1, len(rows) + 1), name="row"), columns=range(len(headers))
    ).astype(object)
    return _RawTable(
        f"{source} (membership entries)",
        [str(h) for h in headers],
        cells.where(cells.notna()),
        synthetic,
    )


def _no_header_message(known: dict[str, str]) -> str:
    expected = sorted(set(known.values()))[:12]
    return "no header row found in the first 50 rows; expected columns such as " + ", ".join(
        expected
    )


def _read_raw(path: Path, kind_key: str) -> _RawTable:
    if not path.exists():
        raise ContractError([Problem(path.name, None, None, "file not found")])
    known = header_mapping(kind_key)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, known)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, known)
    if suffix in (".yaml", ".yml") and kind_key == "organisation":
        return _read_organisation_yaml(path)
    raise ContractError(
        [Problem(path.name, None, None, f"unsupported file type '{suffix}'; use CSV or XLSX")]
    )


# ---------------------------------------------------------------- cell parsing


def _parse_datetime(value: object, with_time: bool) -> pd.Timestamp:
    if isinstance(value, dt.date):  # datetime is a date too
        stamp = pd.Timestamp(value)
    else:
        text = str(value).strip()
        match = _DATE_NO.match(text)
        if match:
            day, month, year, hh, mm, ss = match.groups()
        else:
            match = _DATE_ISO.match(text)
            if not match:
                raise ValueError("not a date: use dd.mm.yyyy (or yyyy-mm-dd)")
            year, month, day, hh, mm, ss = match.groups()
        try:
            stamp = pd.Timestamp(
                dt.datetime(
                    int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0)
                )
            )
        except ValueError as exc:
            raise ValueError("not a valid calendar date") from exc
    if not _YEARS[0] <= stamp.year <= _YEARS[1]:
        raise ValueError(f"the year is outside {_YEARS[0]}–{_YEARS[1]}; a typing error?")
    if not with_time and (stamp.hour or stamp.minute or stamp.second):
        raise ValueError("a date without time of day is expected")
    return stamp


def _parse_number(value: object) -> float:
    """Numbers as Norwegian and English spreadsheets write them.

    ``2,5``, ``1 234,5`` (any space as thousands separator), ``1.234,5``, ``2.5`` and the
    minus sign U+2212 are accepted. A lone ``1.500`` is read as one and a half.
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f\u2009]", "", str(value)).replace("\u2212", "-")
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d+", text):
        text = text.replace(".", "")
    if re.fullmatch(r"[+-]?\d+(,\d+)?", text):
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise ValueError("not a number")
    return float(text)


def _parse_int(value: object) -> int:
    number = _parse_number(value)
    if not abs(number) < _LARGEST:
        raise ValueError("the number is too large")
    if abs(number - round(number)) > 1e-9:  # tolerate spreadsheet float noise
        raise ValueError("not a whole number")
    return round(number)


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("not yes/no (ja/nei)")


def _parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_kommunenummer(value: object) -> str:
    text = _parse_text(value)
    return text.zfill(4) if text.isdigit() and len(text) == 3 else text


_PARSERS: dict[str, Callable[[object], object]] = {
    "int": _parse_int,
    "float": _parse_number,
    "bool": _parse_bool,
    "date": lambda v: _parse_datetime(v, with_time=False),
    "datetime": lambda v: _parse_datetime(v, with_time=True),
    "kommunenummer": _parse_kommunenummer,
}


def _map_headers(raw: _RawTable, kind_key: str) -> tuple[dict[int, str], list[Problem]]:
    mapping = header_mapping(kind_key)
    specs = column_specs(kind_key)
    problems: list[Problem] = []
    chosen: dict[int, str] = {}
    seen: dict[str, str] = {}
    for position, header in enumerate(raw.headers):
        if not header:
            problems.append(
                Problem(raw.source, None, f"#{position + 1}", "column without a header")
            )
            continue
        canonical = mapping.get(normalise_header(header))
        if canonical is None:
            problems.append(
                Problem(
                    raw.source,
                    None,
                    header,
                    f"unknown column for {kind_key.replace('_', '-')}; see "
                    "docs/data-contracts.md for the accepted headers",
                )
            )
        elif canonical in seen:
            problems.append(
                Problem(
                    raw.source,
                    None,
                    header,
                    f"same column as '{seen[canonical]}' (both mean {canonical})",
                )
            )
        else:
            chosen[position] = canonical
            seen[canonical] = header
    for name, spec in specs.items():
        if name not in seen:
            problems.append(
                Problem(
                    raw.source, None, name, f"missing column (Norwegian header: '{spec['nb']}')"
                )
            )
    return chosen, problems


_NUMBER_PLAIN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_DATE_ISO_NAMED = (
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[ T](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
_DATE_NO_NAMED = (
    r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})"
    r"(?:[ T](?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?$"
)
_DATE_COMPONENTS = ("year", "month", "day", "hour", "minute", "second")


def _arrow(values: pd.Series) -> pa.Array:
    return pa.array(values.astype("string").array, type=pa.string(), from_pandas=True)


def _fast_numbers(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Plain numbers ``12``, ``-3.5`` parsed by Arrow: (values, mask of cells parsed)."""
    text = _arrow(values)
    plain = pc.fill_null(pc.match_substring_regex(text, f"^{_NUMBER_PLAIN}$"), False)
    numbers = pc.cast(pc.if_else(plain, text, pa.scalar(None, pa.string())), pa.float64())
    numbers = pd.Series(numbers.to_numpy(zero_copy_only=False), index=values.index)
    mask = pd.Series(plain.to_numpy(zero_copy_only=False), index=values.index)
    mask &= (numbers.abs() < _LARGEST).fillna(False)
    if kind == "int":
        mask &= (numbers - numbers.round()).abs().fillna(1) <= 1e-9
        return numbers.where(mask).round().astype("Int64"), mask
    return numbers.astype("Float64").where(mask), mask


def _fast_dates(values: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """dd.mm.yyyy and yyyy-mm-dd (with an optional time) parsed by Arrow."""
    text = _arrow(values)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    mask = pd.Series(False, index=values.index)
    for pattern in (_DATE_ISO_NAMED, _DATE_NO_NAMED):
        parts = pc.extract_regex(text, pattern)
        matched = (
            pd.Series(pc.is_valid(parts).to_numpy(zero_copy_only=False), index=values.index) & ~mask
        )
        if not matched.any():
            continue
        components = {}
        for name in _DATE_COMPONENTS:
            field_values = pc.struct_field(parts, name)
            numbers = pc.cast(
                pc.if_else(pc.equal(field_values, ""), pa.scalar(None, pa.string()), field_values),
                pa.int64(),
            )
            components[name] = (
                pd.Series(numbers.to_numpy(zero_copy_only=False), index=values.index)[matched]
                .fillna(0)
                .astype("int64")
            )
        frame = pd.DataFrame(components)
        # pandas adds hours and minutes as amounts (24:00 → next day): check them first, and
        # leave anything odd to the exact parser, which gives the message.
        sane = (
            (frame["hour"] <= 23)
            & (frame["minute"] <= 59)
            & (frame["second"] <= 59)
            & frame["year"].between(*_YEARS)
        )
        stamps = pd.to_datetime(frame.where(sane, other=pd.NA).dropna(), errors="coerce")
        stamps = stamps.reindex(frame.index)
        good = stamps.notna()
        if kind == "date":
            good &= stamps == stamps.dt.normalize()
        out.loc[good[good].index] = stamps[good]
        mask.loc[good[good].index] = True
    return out, mask


def _parse_column(values: pd.Series, kind: str, text_only: bool) -> tuple[pd.Series, pd.Series]:
    """Parse one column: (parsed values, error message per failed cell).

    Clean strings take vectorised fast paths; anything else (decimal commas, dates from a
    spreadsheet, malformed cells) goes cell by cell through the exact parsers, which also give
    the error messages.
    """
    present = values.notna()
    errors = pd.Series(dtype=object)
    if kind in ("pseudonym", "code", "text", "enum", "service") and text_only:
        return values.astype("string"), errors
    parser = _PARSERS.get(kind, _parse_text)
    fast: pd.Series | None = None
    done = pd.Series(False, index=values.index)
    if text_only and kind in ("int", "float"):
        fast, done = _fast_numbers(values, kind)
    elif text_only and kind in ("date", "datetime"):
        fast, done = _fast_dates(values, kind)
    elif text_only and kind == "bool":
        lowered = values.astype("string").str.lower()
        fast = lowered.map(
            lambda v: True if v in _TRUE else False if v in _FALSE else None, na_action="ignore"
        )
        done = fast.notna() & present
    slow = present & ~done
    out = (
        fast.astype(object)
        if fast is not None
        else pd.Series(None, index=values.index, dtype=object)
    )
    out = out.where(done, None)
    messages: dict[object, str] = {}
    slow_index = slow[slow].index
    for row, value in zip(slow_index, values[slow_index].tolist(), strict=True):
        try:
            out.loc[row] = parser(value)
        except ValueError as exc:
            messages[row] = str(exc)
    if fast is not None and not slow.any():
        return fast.where(done), pd.Series(dtype=object)
    return out, pd.Series(messages, dtype=object)


def _parse_cells(
    raw: _RawTable, chosen: dict[int, str], kind_key: str
) -> tuple[pd.DataFrame, list[Problem], set[tuple[int, str]]]:
    specs = column_specs(kind_key)
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    columns: dict[str, pd.Series] = {}
    for position, name in chosen.items():
        spec = specs.get(name, {"type": "int"})  # survey items are Likert integers
        parsed, errors = _parse_column(raw.cells[position], spec["type"], raw.text_only)
        for row, message in errors.items():
            problems.append(Problem(raw.source, int(row), raw.headers[position], message))
            failed.add((int(row), name))
        columns[name] = _typed(parsed, spec["type"])
    frame = pd.DataFrame(columns, index=raw.cells.index)
    return frame, problems, failed


def _typed(values: pd.Series, kind: str) -> pd.Series:
    if kind in ("date", "datetime"):
        return pd.to_datetime(values).astype("datetime64[ns]")
    if kind == "int":
        return values.astype("Int64")
    if kind == "float":
        return values.astype("Float64")
    if kind == "bool":
        return values.astype("boolean")
    return values.astype("string")


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


def _validate(frame: pd.DataFrame, raw: _RawTable, kind_key: str, failed: set) -> list[Problem]:
    try:
        schema(kind_key).validate(frame, lazy=True)
        return []
    except pa_errors.SchemaErrors as err:
        cases = err.failure_cases
    specs = column_specs(kind_key)
    mapping = header_mapping(kind_key)
    headers: dict[str, str] = {}
    for header in raw.headers:
        headers.setdefault(mapping.get(normalise_header(header), header), header)
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
    return problems


def _duplicates(frame: pd.DataFrame, raw: _RawTable, kind_key: str) -> list[Problem]:
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


def _event_order(frame: pd.DataFrame, raw: _RawTable) -> list[Problem]:
    """Events of a case out of time order (each names the other row).

    Compared by calendar day, as exports mix dates with and without a time of day: within a
    case the rows must not go back in time; a level-0 decision may not precede the case's
    first concern, nor a log_closed its first log_opened. A case whose log opened before the
    export began (no log_opened, or work before a later concern) is not an error.
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


def _items_answered(frame: pd.DataFrame, raw: _RawTable) -> list[Problem]:
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


def read(path: str | Path, kind: str) -> pd.DataFrame:
    """Read and validate a file of any contract kind.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV or XLSX (the organisation contract also takes YAML).
    kind : str
        One of ``event-log, report-form-1, report-form-2, staff-survey,
        collaboration-survey, organisation, progress-plan``.

    Returns
    -------
    pandas.DataFrame
        Canonical (English) column names, typed; ``attrs`` holds ``source``, ``kind`` and
        ``synthetic`` (true when the file says it is synthetic).

    Raises
    ------
    ContractError
        Listing every problem with file, row and column; values are never shown.
    IdentifierError
        When the file holds, or seems to hold, direct identifiers.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_demo(folder, "4228", seed=1)
    >>> log = read(f"{folder}/event_log.csv", "event-log")
    >>> log.attrs["synthetic"], list(log.columns[:3])
    (True, ['case_id', 'event_time', 'event'])
    """
    path = Path(path)
    kind_key = KINDS.get(kind, kind)
    if kind_key not in contracts_spec():
        raise ContractError(
            [
                Problem(
                    path.name, None, None, f"unknown kind '{kind}'; use one of {', '.join(KINDS)}"
                )
            ]
        )
    raw = _read_raw(path, kind_key)
    check_no_identifiers(raw.cells.set_axis(raw.headers, axis=1), raw.source)
    if raw.preamble:  # title and comment lines above the header are read by people too
        lines = pd.DataFrame({"(lines above the header)": raw.preamble})
        check_no_identifiers(lines.rename(columns=str), raw.source)
    chosen, problems = _map_headers(raw, kind_key)
    if problems:
        raise ContractError(problems)
    frame, problems, failed = _parse_cells(raw, chosen, kind_key)
    if contracts_spec()[kind_key].get("items"):
        problems += _items_answered(frame, raw)
    problems += _validate(frame, raw, kind_key, failed)
    problems += _duplicates(frame, raw, kind_key)
    if kind_key == "event_log" and not problems:
        problems += _event_order(frame, raw)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise ContractError(problems)
    ordered = [c for c in column_specs(kind_key) if c in frame.columns]
    ordered += [c for c in frame.columns if c not in ordered]
    frame = frame[ordered].reset_index(drop=True)
    frame.attrs.update(source=path.name, kind=kind_key, synthetic=raw.synthetic)
    return frame


def _reader(kind: str) -> Callable[[str | Path], pd.DataFrame]:
    def reader(path: str | Path) -> pd.DataFrame:
        return read(path, kind)

    key = KINDS[kind]
    reader.__name__ = f"read_{key}"
    reader.__doc__ = (
        f"Read and validate a {kind} file (CSV or XLSX"
        f"{', or YAML' if key == 'organisation' else ''}).\n\n"
        "See :func:`read` for the parameters, the result and the errors, and\n"
        f"``docs/data-contracts.md`` for the columns.\n"
    )
    return reader


read_event_log = _reader("event-log")
read_report_form_1 = _reader("report-form-1")
read_report_form_2 = _reader("report-form-2")
read_staff_survey = _reader("staff-survey")
read_collaboration_survey = _reader("collaboration-survey")
read_organisation = _reader("organisation")
read_progress_plan = _reader("progress-plan")
