"""The identifier guard: refuse direct identifiers before anything is read further.

:func:`check_no_identifiers` refuses a table whose column names signal a direct identifier
(name, address, phone, e-mail, national identity number …) or that holds a valid Norwegian
fødselsnummer or D-number anywhere. Errors name file, column and how many rows, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from bti_workbench._util.text import normalise_name
from bti_workbench.errors import IdentifierError, Text

__all__ = [
    "check_no_identifiers",
    "find_fodselsnummer",
    "has_fodselsnummer",
    "identifier_columns",
    "is_fodselsnummer",
]

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# 11 digits, optionally written DDMMYY NNNNN, not part of a longer run of digits.
_FNR_PATTERN = re.compile(r"(?<!\d)(\d{5,6})[ .-]?(\d{5})(?!\d)")

# Column-name tokens (after normalisation) that signal a direct identifier.
_IDENTIFIER_TOKENS = frozenset(
    {
        "name",
        "navn",
        "fornavn",
        "etternavn",
        "mellomnavn",
        "firstname",
        "lastname",
        "surname",
        "fullname",
        "fodselsnummer",
        "personnummer",
        "personnr",
        "fnr",
        "pnr",
        "dnr",
        "dnummer",
        "ssn",
        "nin",
        "fodselsdato",
        "dob",
        "birthdate",
        "adresse",
        "address",
        "postadresse",
        "bostedsadresse",
        "telefon",
        "telefonnummer",
        "tlf",
        "phone",
        "mobil",
        "mobile",
        "epost",
        "email",
        "mail",
    }
)
_IDENTIFIER_PHRASES = ("date_of_birth", "birth_date", "e_post", "e_mail", "d_nummer")
# Parts of compound Norwegian words that name an identifier (fødselsnr, gateadresse …).
_IDENTIFIER_PARTS = (
    "fodsels",
    "personn",
    "telefon",
    "mobilnr",
    "mobilnum",
    "epost",
    "adresse",
    "email",
)
# Compound words that end in "navn" but name places or organisations, not people.
_ALLOWED_NAVN_WORDS = frozenset(
    {"kommunenavn", "tjenestenavn", "enhetsnavn", "gruppenavn", "fylkesnavn", "skolenavn"}
)


def _looks_like_identifier(column: str) -> bool:
    norm = normalise_name(column)
    if any(phrase in norm for phrase in _IDENTIFIER_PHRASES):
        return True
    for token in norm.split("_"):
        if token in _IDENTIFIER_TOKENS or any(part in token for part in _IDENTIFIER_PARTS):
            return True
        if token.endswith("navn") and token not in _ALLOWED_NAVN_WORDS:
            return True
    return False


def identifier_columns(columns: Iterable[str]) -> list[str]:
    """Return the column names that signal a direct identifier.

    Parameters
    ----------
    columns : iterable of str
        Column names as they stand in a file.

    Returns
    -------
    list of str
        The offending names, in the order given.

    See Also
    --------
    check_no_identifiers : Refuses a table with such a column.

    Examples
    --------
    >>> identifier_columns(["case_id", "Fødselsnummer", "Barnets navn", "kommunenavn"])
    ['Fødselsnummer', 'Barnets navn']
    """
    return [c for c in columns if _looks_like_identifier(c)]


def is_fodselsnummer(value: str) -> bool:
    """Tell whether an 11-digit string is a valid fødselsnummer or D-number.

    Checks the birth date (day + 40 for D-numbers, month + 40 for H-numbers and + 80 for
    synthetic test numbers) and both mod-11 check digits.

    Parameters
    ----------
    value : str
        Exactly eleven digits.

    Returns
    -------
    bool
        True for a valid fødselsnummer, D-number, H-number or synthetic test number.

    See Also
    --------
    has_fodselsnummer : The same anywhere in a cell.

    Examples
    --------
    >>> is_fodselsnummer("01010750160")
    True
    >>> is_fodselsnummer("01010750161")
    False
    """
    if len(value) != 11 or not value.isdigit():
        return False
    digits = [int(ch) for ch in value]
    day, month = int(value[0:2]), int(value[2:4])
    if day > 40:
        day -= 40
    if month > 80:
        month -= 80
    elif month > 40:
        month -= 40
    if not (1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]):
        return False
    k1 = 11 - sum(w * d for w, d in zip(_K1_WEIGHTS, digits[:9], strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10 or k1 != digits[9]:
        return False
    k2 = 11 - sum(w * d for w, d in zip(_K2_WEIGHTS, digits[:10], strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    return k2 != 10 and k2 == digits[10]


def has_fodselsnummer(cell: object) -> bool:
    """Tell whether one cell (text or number) holds a valid fødselsnummer or D-number.

    Text is searched for 11 digits (optionally written ``DDMMYY NNNNN``) and for 10 digits
    whose leading zero a spreadsheet dropped; a whole number of 10 or 11 digits counts too.

    Parameters
    ----------
    cell : object
        A cell as read: a string, a number or a missing value.

    Returns
    -------
    bool
        True when some part of the cell is a valid fødselsnummer or D-number.

    See Also
    --------
    is_fodselsnummer : The check of one 11-digit string.
    find_fodselsnummer : The same for every cell of a table.

    Examples
    --------
    >>> has_fodselsnummer("born 010107 50160"), has_fodselsnummer(12345)
    (True, False)
    """
    if cell is None or cell is pd.NA:
        return False
    if isinstance(cell, bool | np.bool_):
        return False
    if isinstance(cell, int | np.integer) or (
        isinstance(cell, float | np.floating) and np.isfinite(cell) and float(cell).is_integer()
    ):
        # Spreadsheets drop the leading zero of numbers born on days 01–09.
        text = str(int(cell))
        return len(text) in (10, 11) and is_fodselsnummer(text.zfill(11))
    text = str(cell)
    # Ten digits: a number whose leading zero a spreadsheet dropped before saving as text.
    return any(is_fodselsnummer((a + b).zfill(11)) for a, b in _FNR_PATTERN.findall(text))


def _fodselsnummer_mask(values: pd.Series) -> np.ndarray:
    """True where a cell holds a valid fødselsnummer or D-number (vectorised pre-filter)."""
    mask = np.zeros(len(values), dtype=bool)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return mask
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        candidates = np.flatnonzero((numbers >= 1e9) & (numbers < 1e11))
    else:
        text = values.astype("string")
        hit = text.str.contains(r"\d{5,6}[ .\-]?\d{5}", regex=True, na=False).to_numpy(bool)
        if not isinstance(values.dtype, pd.StringDtype):  # spreadsheets hold numbers too
            hit |= values.map(
                lambda v: isinstance(v, int | float | np.integer | np.floating)
            ).to_numpy(dtype=bool)
        candidates = np.flatnonzero(hit)
    cells = values.iloc[candidates].tolist() if len(candidates) else []
    for position, cell in zip(candidates, cells, strict=True):
        mask[position] = has_fodselsnummer(cell)
    return mask


def find_fodselsnummer(frame: pd.DataFrame) -> dict[str, int]:
    """Count, per column, the rows that hold a valid fødselsnummer or D-number.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table, values as read (strings or numbers).

    Returns
    -------
    dict
        Column name → number of rows with a hit; columns without hits are left out.

    See Also
    --------
    has_fodselsnummer : The check of one cell.
    check_no_identifiers : Refuses a table with a hit.

    Examples
    --------
    >>> find_fodselsnummer(pd.DataFrame({"a": ["x", "01010750160"], "b": [1, 2]}))
    {'a': 1}
    """
    return {column: len(rows) for column, rows in _fodselsnummer_rows(frame).items()}


def _fodselsnummer_rows(frame: pd.DataFrame) -> dict[str, list]:
    """Column name → index labels of the rows with a hit."""
    hits: dict[str, list] = {}
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]  # by position: headers may repeat or be empty
        mask = _fodselsnummer_mask(values)
        if mask.any():
            hits.setdefault(str(column), []).extend(frame.index[mask].tolist())
    return hits


def check_no_identifiers(frame: pd.DataFrame, source: str = "<table>") -> None:
    """Refuse a table with identifier-like columns or fødselsnummer values.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read from a file, before any renaming.
    source : str
        The file name, used in the message.

    Raises
    ------
    IdentifierError
        Naming the file, the columns and the number of rows; never a value.

    See Also
    --------
    identifier_columns : The column names refused.
    find_fodselsnummer : The values refused.
    bti_workbench.ingest.readers.read : Calls this on every file before reading it further.

    Examples
    --------
    >>> check_no_identifiers(pd.DataFrame({"case_id": ["C1"]}), "log.csv")
    """
    numbered = [i + 1 for i, c in enumerate(frame.columns) if has_fodselsnummer(str(c))]
    if numbered:
        listed = ", ".join(f"#{i}" for i in numbered)
        raise IdentifierError(key="err.identifier.header", file=source, columns=listed)
    bad_columns = identifier_columns(str(c) for c in frame.columns)
    if bad_columns:
        listed = ", ".join(f"'{c}'" for c in bad_columns)
        raise IdentifierError(key="err.identifier.column", file=source, columns=listed)
    hits = _fodselsnummer_rows(frame)
    if hits:
        named = frame.index.name == "row"  # index labels are the rows the user sees
        parts = [_rows_text(col, rows, named) for col, rows in hits.items()]
        raise IdentifierError(key="err.identifier.values", file=source, parts=_joined(parts))


def _rows_text(column: str, rows: list, named: bool) -> Text:
    """How many rows of ``column`` hold a hit and, when the rows are the user's, which."""
    count = len(rows)
    if not named:
        return Text(
            "err.identifier.row" if count == 1 else "err.identifier.rows",
            {"column": column, "count": str(count)},
        )
    shown = ", ".join(str(r) for r in rows[:10]) + (", …" if count > 10 else "")
    key = "err.identifier.row_at" if count == 1 else "err.identifier.rows_at"
    return Text(key, {"column": column, "count": str(count), "rows": shown})


def _joined(parts: list[Text]) -> Text:
    """The parts as one text, ``a; b; c`` (a field's list would join them with commas)."""
    if len(parts) == 1:
        return parts[0]
    return Text("err.identifier.joined", {"first": parts[0], "rest": _joined(parts[1:])})
