"""Cell parsers: dates, numbers, yes/no and codes as Norwegian and English files write them.

Clean CSV columns take vectorised (Arrow) fast paths; anything else goes cell by cell through
the exact parsers, which also give the error messages. Values are never echoed in messages.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bti_workbench.errors import Problem, Text
from bti_workbench.ingest.contracts import column_specs
from bti_workbench.ingest.files import RawTable

__all__ = ["parse_cells", "parse_int", "parse_number"]

_DATE_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?::(\d{2}))?)?$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$")
_TRUE = {"ja", "j", "yes", "y", "true", "sann", "1", "x"}
_FALSE = {"nei", "n", "no", "false", "usann", "0"}

_YEARS = (1900, 2200)  # dates outside are typing errors (and beyond pandas' range)
_LARGEST = 2.0**53  # integers beyond are not exact in a float, nor plausible counts


class _CellError(ValueError):
    """A cell that cannot be read as its column's type: ``str()`` is the English message,
    ``message`` the catalogue text (``err.cell.*``) a :class:`Problem` is keyed with."""

    def __init__(self, key: str, **fields: object):
        self.message = Text(key, fields)
        super().__init__(self.message.render("en"))

    def __reduce__(self):
        # Rebuilt from its key, not its English text (e.g. when a worker process sends it).
        return functools.partial(type(self), self.message.key, **self.message.fields), ()


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
                raise _CellError("err.cell.date_format")
            year, month, day, hh, mm, ss = match.groups()
        try:
            stamp = pd.Timestamp(
                dt.datetime(
                    int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0)
                )
            )
        except ValueError as exc:
            raise _CellError("err.cell.calendar") from exc
    if not _YEARS[0] <= stamp.year <= _YEARS[1]:
        raise _CellError("err.cell.year", first=str(_YEARS[0]), last=str(_YEARS[1]))
    if not with_time and (stamp.hour or stamp.minute or stamp.second):
        raise _CellError("err.cell.time_of_day")
    return stamp


def parse_number(value: object) -> float:
    """Numbers as Norwegian and English spreadsheets write them.

    ``2,5``, ``1 234,5`` (any space as thousands separator), ``1.234,5``, ``2.5`` and the
    minus sign U+2212 are accepted. A lone ``1.500`` is read as one and a half.

    Parameters
    ----------
    value : object
        A cell: a string as typed, or a number a spreadsheet stored.

    Returns
    -------
    float
        The number.

    Raises
    ------
    ValueError
        When the cell is not a number (the message never repeats the value).

    See Also
    --------
    parse_int : The same, for whole numbers.

    Examples
    --------
    >>> parse_number("1 234,5"), parse_number("2,5")
    (1234.5, 2.5)
    """
    if isinstance(value, bool):
        raise _CellError("err.cell.number")
    if isinstance(value, int | float):
        return float(value)
    text = re.sub(r"[\s\u00a0\u202f\u2009]", "", str(value)).replace("\u2212", "-")
    if re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+,\d+", text):
        text = text.replace(".", "")
    if re.fullmatch(r"[+-]?\d+(,\d+)?", text):
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise _CellError("err.cell.number")
    return float(text)


def parse_int(value: object) -> int:
    """A whole number as a spreadsheet writes it, tolerating float noise such as ``3.0000000001``.

    Parameters
    ----------
    value : object
        A cell: a string as typed, or a number a spreadsheet stored.

    Returns
    -------
    int
        The number.

    Raises
    ------
    ValueError
        When the cell is not a whole number, or too large to be exact in a float.

    See Also
    --------
    parse_number : The parser of the number itself.

    Examples
    --------
    >>> parse_int("12"), parse_int(7.0)
    (12, 7)
    """
    number = parse_number(value)
    if not abs(number) < _LARGEST:
        raise _CellError("err.cell.too_large")
    if abs(number - round(number)) > 1e-9:  # tolerate spreadsheet float noise
        raise _CellError("err.cell.whole")
    return round(number)


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError("err.cell.yes_no")


def _parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_kommunenummer(value: object) -> str:
    text = _parse_text(value)
    return text.zfill(4) if text.isdigit() and len(text) == 3 else text


_PARSERS: dict[str, Callable[[object], object]] = {
    "int": parse_int,
    "float": parse_number,
    "bool": _parse_bool,
    "date": lambda v: _parse_datetime(v, with_time=False),
    "datetime": lambda v: _parse_datetime(v, with_time=True),
    "kommunenummer": _parse_kommunenummer,
}


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
    """Parse one column: (parsed values, error message per failed cell: a :class:`Text`, or
    English text for an error of another kind).

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
    messages: dict[object, Text | str] = {}
    slow_index = slow[slow].index
    for row, value in zip(slow_index, values[slow_index].tolist(), strict=True):
        try:
            out.loc[row] = parser(value)
        except _CellError as exc:
            messages[row] = exc.message
        except ValueError as exc:
            messages[row] = str(exc)
    if fast is not None and not slow.any():
        return fast.where(done), pd.Series(dtype=object)
    return out, pd.Series(messages, dtype=object)


def parse_cells(
    raw: RawTable, chosen: dict[int, str], kind_key: str
) -> tuple[pd.DataFrame, list[Problem], set[tuple[int, str]]]:
    """Parse every chosen column to its contract type.

    Parameters
    ----------
    raw : RawTable
        The cells as read.
    chosen : dict
        Column position in ``raw`` → canonical column name.
    kind_key : str
        The contract's key; its column specs give each column's type (columns it does not
        list are survey items, Likert integers).

    Returns
    -------
    frame : pandas.DataFrame
        Typed columns under their canonical names, indexed by the user's row numbers.
    problems : list of Problem
        One per cell that could not be parsed.
    failed : set of tuple
        ``(row, column)`` of those cells, so later checks do not report them again.

    See Also
    --------
    parse_number, parse_int : Two of the cell parsers.
    """
    specs = column_specs(kind_key)
    problems: list[Problem] = []
    failed: set[tuple[int, str]] = set()
    columns: dict[str, pd.Series] = {}
    for position, name in chosen.items():
        spec = specs.get(name, {"type": "int"})  # survey items are Likert integers
        parsed, errors = _parse_column(raw.cells[position], spec["type"], raw.text_only)
        header = raw.headers[position]
        for row, message in errors.items():
            if isinstance(message, Text):
                problems.append(Problem.keyed(raw.source, int(row), header, message))
            else:
                problems.append(Problem(raw.source, int(row), header, message))
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
