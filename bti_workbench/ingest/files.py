"""Raw file → table: a CSV, XLSX (or organisation YAML) file as cells under their headers.

Finds the header row among title and comment lines, detects ``;``/``,``/tab separators and
UTF-8 or Windows-1252 text, and keeps the row numbers the user sees. A cell over
:data:`MAX_CELL_CHARS` characters is refused by row and column (never a ``_csv.Error``). Cells are
not parsed here (see :mod:`bti_workbench.ingest.cells`); values are never echoed in messages.
Also here: the identifier guard on the cells as read, and the safe reading of small YAML files.
"""

from __future__ import annotations

import contextlib
import csv
import io as _io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from bti_workbench._util.text import decode_text
from bti_workbench._util.yamlfile import load_yaml
from bti_workbench.errors import (
    ContractError,
    IdentifierError,
    Problem,
    Text,
    TextDecodeError,
    YamlFileError,
    os_reason,
)
from bti_workbench.ingest.contracts import header_mapping, normalise_header
from bti_workbench.privacy import check_no_identifiers, has_fodselsnummer

__all__ = [
    "MAX_CELL_CHARS",
    "RawTable",
    "cell_text",
    "read_raw",
    "read_yaml",
    "refuse_identifiers",
    "text_cells",
]

_SYNTHETIC = re.compile(r"synthetic|syntetisk", re.I)

#: A cell longer than this many characters is refused: no contract column needs more (free
#: text is a few sentences), and such a cell is more likely a broken quote than data.
MAX_CELL_CHARS = 100_000
# The csv module refuses fields over 128 KiB with a bare ``_csv.Error``. The limit is raised
# (bounded) so such a cell is read and then refused with a message naming its row and column;
# a field beyond even this limit is reported from the csv module's error, by line.
_CSV_FIELD_LIMIT = 16 * 1024 * 1024


@dataclass
class RawTable:
    """Cells as read: one row per data row, indexed by the row numbers the user sees.

    Attributes
    ----------
    source : str
        The file name (and sheet) used in messages.
    headers : list of str
        The headers as the user wrote them, one per column of ``cells``.
    cells : pandas.DataFrame
        One column per header (by position), ``None``/``<NA>`` for empty cells; the index is
        the row number the user sees (named ``row``).
    synthetic : bool
        True when the lines above the header (or the YAML) say the data are synthetic.
    preamble : list of str
        The title and comment lines above the header.
    text_only : bool
        True when every cell is a string (CSV), so text columns need no parsing.
    """

    source: str
    headers: list[str]
    cells: pd.DataFrame
    synthetic: bool
    preamble: list[str] = field(default_factory=list)  # lines above the header
    text_only: bool = False


def cell_text(value: object) -> str:
    """A cell as text: a whole number from a spreadsheet without ``.0``, text stripped.

    Examples
    --------
    >>> cell_text(2.0), cell_text(" Nivå 2 ")
    ('2', 'Nivå 2')
    """
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def text_cells(values: pd.Series) -> pd.Series:
    """The cells of a column that are text, stripped, by row (spreadsheet numbers and dates not).

    Examples
    --------
    >>> text_cells(pd.Series([" a ", 2.5, None])).tolist()
    ['a']
    """
    if isinstance(values.dtype, pd.StringDtype):
        return values.dropna().str.strip()
    mask = values.map(lambda v: isinstance(v, str), na_action="ignore").fillna(False)
    return values[mask.astype(bool)].astype(str).str.strip()


def _decode(raw: bytes, source: str) -> str:
    try:
        return decode_text(raw)
    except (TextDecodeError, UnicodeDecodeError) as exc:  # the latter: a broken UTF-16 file
        line = exc.line if isinstance(exc, TextDecodeError) else None
        problem = Problem.keyed(source, line, None, Text("err.read.decode"))
        raise ContractError([problem]) from exc


def _known_count(cells: list[object], known: dict[str, str]) -> int:
    return sum(normalise_header(c) in known for c in cells if c is not None and str(c).strip())


def _best_header(
    candidates: list[tuple[int, list[object]]], known: dict[str, str], guess: bool = False
) -> int | None:
    """Index into ``candidates`` of the row with most known headers (at least two).

    With ``guess``, a file without two known headers takes the first row that fills as many
    cells as any row (title lines fill fewer): how a tool's own export is read to suggest a
    profile for it.
    """
    best, best_score = None, 1
    for i, (_, cells) in enumerate(candidates):
        score = _known_count(cells, known)
        if score > best_score:
            best, best_score = i, score
    if best is None and guess:
        filled = [
            sum(c is not None and str(c).strip() != "" for c in cells) for _, cells in candidates
        ]
        widest = max(filled, default=0)
        if widest >= 2:
            best = filled.index(widest)
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
    check_lengths: bool = True,
) -> RawTable:
    """Drop blank rows and unnamed empty columns; refuse unnamed columns with data.

    ``body`` has positional columns and the user's row numbers as index; empty cells are null.
    Cells over :data:`MAX_CELL_CHARS` are refused unless ``check_lengths`` is false (a text
    shorter than that cannot hold one).
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
            where = column_name(position)
            problems.append(Problem.keyed(source, None, where, Text("err.read.values_no_header")))
    problems += _long_cells(source, headers, body[keep]) if check_lengths else []
    if problems:
        raise ContractError(problems)
    if body.empty:
        raise ContractError([Problem.keyed(source, None, None, Text("err.file.no_rows"))])
    synthetic = any(_SYNTHETIC.search(line) for line in preamble)
    cells = body[keep]
    cells.columns = range(len(keep))
    cells.index.name = "row"
    return RawTable(
        source, [headers[p] for p in keep], cells, synthetic, preamble, text_only=text_only
    )


def _spaced(number: int) -> str:
    """``100000`` → ``100 000``, as Norwegian text writes numbers."""
    return f"{number:,}".replace(",", " ")


def _long_cells(source: str, headers: list[str], body: pd.DataFrame) -> list[Problem]:
    """A problem per cell over :data:`MAX_CELL_CHARS` characters, by row and header."""
    problems = []
    message = Text("err.read.long_cell", {"limit": _spaced(MAX_CELL_CHARS)})
    for position in body.columns:
        lengths = body[position].astype("string").str.len().fillna(0).to_numpy(dtype=np.int64)
        for row in body.index[lengths > MAX_CELL_CHARS]:
            problems.append(Problem.keyed(source, int(row), headers[position], message))
    return problems


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
    if max(map(len, body)) > MAX_CELL_CHARS:  # Arrow's blocks; the exact path reports it
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


def _read_csv(path: Path, known: dict[str, str], guess: bool = False) -> RawTable:
    source = path.name
    text = _decode(path.read_bytes(), source)
    lines = text.splitlines()
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    header_at, delimiter = _csv_header(lines, known, source, guess)
    with _csv_errors(source, header_at):
        headers = next(csv.reader([lines[header_at]], delimiter=delimiter))
    fast = _csv_fast(lines, header_at, delimiter)
    if fast is not None:  # no line, so no cell, is over the limit
        return _finish(
            source,
            headers,
            fast,
            lines[:header_at],
            lambda p: f"#{p + 1}",
            text_only=True,
            check_lengths=False,
        )
    long_text = len(text) > MAX_CELL_CHARS
    headers, body = _csv_exact(lines, header_at, delimiter, source)
    return _finish(
        source, headers, body, lines[:header_at], lambda p: f"#{p + 1}", check_lengths=long_text
    )


@contextlib.contextmanager
def _csv_errors(source: str, line_index: int, reader: object = None) -> Iterator[None]:
    """The csv module's errors (a field beyond even the raised limit …) as a ContractError.

    ``line_index`` is the 0-based line where reading started; with ``reader``, its
    ``line_num`` locates the line that failed.
    """
    try:
        yield
    except csv.Error as exc:
        line = line_index + (getattr(reader, "line_num", 0) or 1)
        message = (
            Text("err.read.csv_field", {"limit": _spaced(_CSV_FIELD_LIMIT)})
            if "field larger" in str(exc)
            else Text("err.read.csv")
        )
        raise ContractError([Problem.keyed(source, line, None, message)]) from None


def _csv_header(
    lines: list[str], known: dict[str, str], source: str, guess: bool = False
) -> tuple[int, str]:
    """The header row's line index and its separator (the commonest of ``;``, tab, ``,``)."""
    candidates = []
    for index, line in enumerate(lines[:50]):
        if line.strip() and not line.strip().startswith("#"):
            delimiter = max((";", "\t", ","), key=line.count)
            with _csv_errors(source, index):
                candidates.append((index, next(csv.reader([line], delimiter=delimiter))))
    best = _best_header(candidates, known, guess)
    if best is None:
        raise ContractError([_no_header(source, known)])
    header_at = candidates[best][0]
    return header_at, max((";", "\t", ","), key=lines[header_at].count)


def _csv_exact(
    lines: list[str], header_at: int, delimiter: str, source: str
) -> tuple[list[str], pd.DataFrame]:
    """Headers and body read by the ``csv`` module (quoting); reports each line of wrong width."""
    reader = csv.reader(_io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    with _csv_errors(source, header_at, reader):
        return _csv_rows(reader, header_at, delimiter, source)


def _csv_rows(
    reader: Iterator[list[str]], header_at: int, delimiter: str, source: str
) -> tuple[list[str], pd.DataFrame]:
    """Every row of ``reader`` (its first the header); each line of wrong width reported."""
    headers = next(reader)
    body, problems = [], []
    for cells in reader:
        line_no = header_at + reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(headers):
            fields = {"fields": str(len(cells)), "width": str(len(headers)), "separator": delimiter}
            problems.append(Problem.keyed(source, line_no, None, Text("err.read.width", fields)))
        body.append((line_no, [c.strip() or None for c in cells]))
    if problems:
        raise ContractError(problems)
    return headers, _rows_frame(body, len(headers))


def _read_xlsx(path: Path, known: dict[str, str], guess: bool = False) -> RawTable:
    import openpyxl

    source = path.name
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problem = Problem.keyed(source, None, None, Text("err.read.xlsx"))
        raise ContractError([problem]) from exc
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
    if has_fodselsnummer(sheet.title):
        raise IdentifierError(key="err.file.sheet_fodselsnummer", file=source)
    source = f"{source}, first sheet"
    best = _best_header(rows[:50], known, guess)
    if best is None:
        raise ContractError([_no_header(source, known)])
    preamble = [" ".join(str(c) for c in cells if c is not None) for _, cells in rows[:best]]
    headers = rows[best][1]
    return _finish(
        source, headers, _rows_frame(rows[best + 1 :], len(headers)), preamble, _column_letter
    )


def read_yaml(path: Path, max_bytes: int = 1 << 20) -> object:
    """A small YAML file a user wrote, read safely, as data.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    max_bytes : int, optional
        The largest file accepted.

    Returns
    -------
    object
        The document (``None`` for an empty file).

    Raises
    ------
    ContractError
        Naming the file (and line): missing, unreadable, too large, not text (UTF-16 without a
        byte-order mark …), not YAML, a tag, nesting too deep; never repeating its text.

    See Also
    --------
    bti_workbench._util.yamlfile.load_yaml : The one safe loader of user YAML, used here.
    """
    name = path.name

    def refused(message: Text | str) -> ContractError:
        if isinstance(message, Text):
            return ContractError([Problem.keyed(name, None, None, message)])
        return ContractError([Problem(name, None, None, message)])

    try:
        if path.stat().st_size > max_bytes:
            raise refused(Text("err.read.too_large", {"size": str(max_bytes // 1024)}))
    except FileNotFoundError:
        raise refused(Text("err.file.not_found")) from None
    except OSError as exc:
        raise refused(Text("err.read.unreadable", {"reason": os_reason(exc)})) from None
    try:
        return load_yaml(path)
    except YamlFileError as exc:  # not (yet) from the catalogue: its own English message
        raise refused(str(exc).removeprefix(f"{name}: ")) from None


#: Why a file cannot be read, in the catalogue's words (others keep the system's English).
def refuse_identifiers(raw: RawTable) -> None:
    """Refuse identifiers in the cells, the headers and the lines above the header.

    Parameters
    ----------
    raw : RawTable
        The cells as read, before any column is renamed or left out.

    Raises
    ------
    IdentifierError
        Naming the file and the column, never the value.

    See Also
    --------
    bti_workbench.privacy.check_no_identifiers : The guard used.
    """
    check_no_identifiers(raw.cells.set_axis(raw.headers, axis=1), raw.source)
    if raw.preamble:  # title and comment lines above the header are read by people too
        lines = pd.DataFrame({"(lines above the header)": raw.preamble})
        check_no_identifiers(lines.rename(columns=str), raw.source)


def _read_organisation_yaml(path: Path) -> RawTable:
    """Groups with their members, flattened to one row per membership.

    Every key of a group and of a member becomes a column, so unknown keys are reported and
    identifier-like keys or values are refused like in any other file.
    """
    source = path.name
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), list):
        raise ContractError([Problem.keyed(source, None, None, Text("err.read.groups"))])
    top = {k: v for k, v in doc.items() if k != "groups"}
    check_no_identifiers(pd.DataFrame([top], dtype=object), f"{source} (top level)")
    records: list[dict] = []
    for g_index, group in enumerate(doc["groups"], start=1):
        members = group.get("members") if isinstance(group, dict) else None
        if not isinstance(members, list) or not members:
            needs = Text("err.read.members", {"group": g_index})
            raise ContractError([Problem.keyed(source, g_index, "members", needs)])
        shared = {k: v for k, v in group.items() if k != "members"}
        for member in members:
            if not isinstance(member, dict):
                member_row = len(records) + 1
                problem = Problem.keyed(source, member_row, None, Text("err.read.member"))
                raise ContractError([problem])
            records.append({**shared, **member})
    headers = list(dict.fromkeys(key for record in records for key in record))
    rows = [[record.get(h) for h in headers] for record in records]
    synthetic = bool(doc.get("synthetic", False))
    cells = pd.DataFrame(
        rows, index=pd.Index(range(1, len(rows) + 1), name="row"), columns=range(len(headers))
    ).astype(object)
    return RawTable(
        f"{source} (membership entries)",
        [str(h) for h in headers],
        cells.where(cells.notna()),
        synthetic,
    )


def _no_header(source: str, known: dict[str, str]) -> Problem:
    expected = sorted(set(known.values()))[:12]
    return Problem.keyed(
        source, None, None, Text("err.file.no_header", {"expected": ", ".join(expected)})
    )


def read_raw(
    path: Path, kind_key: str, headers: Iterable[str] = (), guess_header: bool = False
) -> RawTable:
    """Read a contract file's cells under their headers, without parsing a value.

    Parameters
    ----------
    path : pathlib.Path
        A CSV (``.csv``, ``.txt``, ``.tsv``) or XLSX file; the organisation contract also takes
        YAML.
    kind_key : str
        The contract's key (``event_log``, ``organisation`` …); its headers locate the header
        row.
    headers : iterable of str, optional
        Further headers that mark the header row: a mapping profile's names for the columns.
    guess_header : bool, optional
        When no row holds two known headers, take the first row that fills as many cells as
        any (for suggesting a profile from a tool's own export).

    Returns
    -------
    RawTable
        The cells, indexed by the row numbers the user sees.

    Raises
    ------
    ContractError
        When the file is missing, unreadable, of an unsupported type, has no header row, has
        rows that do not fit the header, or a cell over :data:`MAX_CELL_CHARS` characters.
    IdentifierError
        When the first sheet's name looks like a fødselsnummer, or the YAML holds identifiers.

    See Also
    --------
    bti_workbench.ingest.readers.read : The reader that parses and checks these cells.
    """
    if not path.exists():
        raise ContractError([Problem.keyed(path.name, None, None, Text("err.file.not_found"))])
    known = header_mapping(kind_key) | {normalise_header(h): str(h) for h in headers}
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path, known, guess_header)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, known, guess_header)
    if suffix in (".yaml", ".yml") and kind_key == "organisation":
        return _read_organisation_yaml(path)
    raise ContractError(
        [Problem.keyed(path.name, None, None, Text("err.file.type", {"suffix": suffix}))]
    )
