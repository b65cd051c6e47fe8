"""Free-text warnings: text that looks like a name with an address, an e-mail or a phone number.

:func:`free_text_warnings` looks at the contracts' free-text columns (``text`` and ``code``
types; ``pseudonym`` columns for e-mail addresses only) and returns one warning per cell that
seems to hold contact details of a person. It is a warning, not a refusal: a heuristic cannot
be sure, and the researcher is the one to check the file. Warnings name the file, the row and
the column, never the value. A fødselsnummer is not looked for here: the identifier guard
(:func:`~bti_workbench.privacy.identifiers.check_no_identifiers`) refuses it outright.

Each pattern is looked for in two steps: a loose pattern over the whole column in Arrow's
regular-expression engine (vectorised, in C++), then the exact pattern in Python only on the
few cells the first step let through.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from bti_workbench._util.resources import contracts_spec
from bti_workbench.errors import Problem, Text

__all__ = ["FREE_TEXT_TYPES", "free_text_columns", "free_text_warnings"]

#: Contract column types holding text a person typed: every pattern is looked for in them.
FREE_TEXT_TYPES = ("text", "code")
#: Column types looked at for e-mail addresses only (a pseudonym may be all digits).
_PSEUDONYM_TYPES = ("pseudonym",)

_UPPER = "A-ZÆØÅÉÄÖÜ"
_LOWER = "a-zæøåéèáäöü"
_SPACE = " \u00a0\u202f"  # plain, no-break and narrow no-break space

# An e-mail address (name@kommune.no); Arrow's engine needs no second, exact pass for it.
_EMAIL = r"[\pL\pN._%+\-]+@[\pL\pN\-]+(?:\.[\pL\pN\-]+)*\.[A-Za-z]{2,}"

# Eight digits as a Norwegian number is written (12345678, 12 34 56 78, 123 45 678), the first
# 2–9 (numbers starting 0 or 1 are not subscribers'), optionally after +47 or 0047; not part of
# a longer number or a word (an id, a key=value, a UUID), not a decimal, not an amount in
# kroner, and not eight bare digits that read as a date (yyyymmdd or ddmmyyyy).
_S = f"[{_SPACE}]"
_DAY = r"(?:0[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
_YEAR = r"(?:19|20)\d\d"
# Each exact pattern opens with a look-ahead at its first character: Python's engine then skips
# the positions where it cannot start, 2–4 times faster.
_PHONE = re.compile(
    r"(?=[+\d])(?<![\w+\-=/])(?<!kr )(?<!kr\. )(?<!NOK )"
    rf"(?:(?:\+|00)47{_S}?)?"
    r"(?:"
    rf"(?!{_YEAR}{_MONTH}{_DAY}(?!\d))(?!{_DAY}{_MONTH}{_YEAR}(?!\d))[2-9]\d{{7}}"
    rf"|[2-9]\d(?:{_S}\d\d){{3}}"
    rf"|[2-9]\d\d{_S}\d\d{_S}\d{{3}}"
    r")"
    rf"(?![\w\-/])(?![.,]\d)(?!{_S}?(?:kr\b|NOK\b|,-))"
)

# A person's name: two capitalised words side by side (Kari Nordmann, Anne-Lise Berg), neither
# of them the name of a place of work (Tonstad Skule, Sirdal Kommune, Nav Sirdal …).
_WORD = re.compile(
    rf"(?=[{_UPPER}])(?<![\wæøåÆØÅ\-])[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?(?![\wæøå\-])"
)
# Endings and words that name a place of work, not a person (lower case).
_INSTITUTION_ENDINGS = (
    *("kommune", "skole", "skule", "barnehage", "stasjon", "stasjonen", "kontor", "kontoret"),
    *("rådhus", "rådhuset", "kulturhus", "kulturhuset", "sykehus", "sykehuset", "helsehus"),
    *("helsehuset", "senter", "senteret", "tjeneste", "tjenesten", "bibliotek", "kirke"),
    *("hallen", "avdeling", "avdelingen", "gruppa", "gruppe"),
)
_INSTITUTION_WORDS = frozenset({"nav", "bup", "ppt", "sfo", "dps"})
# A street and its number: Storgata 5, Fjellveien 12B, Kongens gate 3, Parkveien 1 a.
_STREET_WORD = r"(?:veien|vegen|vei|veg|gata|gaten|gate|plass|plassen|allé|alléen|stien|stredet)"
_STREET = (
    rf"(?:[{_UPPER}][\wæøå]*{_STREET_WORD}|[{_UPPER}][\wæøå]*{_S}{_STREET_WORD})"
    rf"{_S}\d{{1,4}}(?:{_S}?[A-Za-z])?(?![\wæøå])"
)
# A postcode and its place: 4440 Tonstad. A kommunenummer and its name look the same (4228
# Sirdal), so a postcode counts only right after a name or a street.
_POSTCODE = rf"(?<!\d)\d{{4}}{_S}[{_UPPER}][{_LOWER}]+"
_ADDRESS = re.compile(rf"(?=[{_UPPER}\d])(?:(?P<street>{_STREET})|(?P<postcode>{_POSTCODE}))")
_POSTCODE_AFTER = re.compile(rf",?\s{{1,4}}{_POSTCODE}")
_JUST_AFTER = re.compile(r",?\s{1,4}")  # Kari Nordmann, 4440 Tonstad
_NEAR = 40  # Kari Nordmann bor i Storgata 5: at most this many characters between …
_SENTENCE_END = re.compile(r"[.;:!?]")  # … and no end of a sentence


def _name_address(cell: str) -> bool:
    """True when a cell holds a name followed by an address, or a full postal address."""
    for address in _ADDRESS.finditer(cell):
        street = address.group("street") is not None
        if street and _POSTCODE_AFTER.match(cell, address.end()):
            return True  # Storgata 5, 4440 Tonstad
        if _name_before(cell, address.start(), near=street):
            return True
    return False


def _is_institution(word: str) -> bool:
    word = word.lower()
    return word in _INSTITUTION_WORDS or word.endswith(_INSTITUTION_ENDINGS)


def _name_before(cell: str, end: int, *, near: bool) -> bool:
    """True when two capitalised words (not a place of work) come shortly before ``end``."""
    words = list(_WORD.finditer(cell, max(0, end - 2 * _NEAR), end))
    for first, second in itertools.pairwise(words):
        if cell[first.end() : second.start()] not in _SPACE:
            continue  # not side by side
        if _is_institution(first.group()) or _is_institution(second.group()):
            continue
        gap = cell[second.end() : end]
        if near and len(gap) <= _NEAR and not _SENTENCE_END.search(gap):
            return True
        if not near and _JUST_AFTER.fullmatch(gap):
            return True
    return False


# Patterns for Arrow (RE2: no look-arounds). Every cell an exact pattern (below) finds matches
# the loose one; the exact one runs in Python only on the cells the loose one let through.
_LOOSE = {
    "email": _EMAIL,
    "phone": rf"\d\d[{_SPACE}]?\d\d[{_SPACE}]?\d\d",
    "name_address": rf"{_STREET_WORD}{_S}\d|\d{{4}}{_S}[{_UPPER}]",
}
_EXACT = {"phone": _PHONE.search, "name_address": _name_address}
_ORDER = ("name_address", "email", "phone")


def free_text_columns(kind: str) -> dict[str, tuple[str, ...]]:
    """The columns of a contract looked at, and what is looked for in each.

    Parameters
    ----------
    kind : str
        A contract kind, as the CLI names it (``report-form-2``) or as its key
        (``report_form_2``).

    Returns
    -------
    dict
        Column → the patterns looked for: ``("name_address", "email", "phone")`` for ``text`` and
        ``code`` columns, ``("email", "phone")`` for pseudonyms. Other columns are left out.

    Raises
    ------
    KeyError
        For an unknown kind.

    Examples
    --------
    >>> free_text_columns("organisation")
    {'group': ('name_address', 'email', 'phone'), 'title': ('name_address', 'email', 'phone')}
    >>> free_text_columns("event-log")
    {'case_id': ('email', 'phone'), 'actor_id': ('email', 'phone')}
    """
    spec = contracts_spec().get(kind.replace("-", "_"))
    if spec is None:
        raise KeyError(f"unknown kind {kind!r}")
    found: dict[str, tuple[str, ...]] = {}
    for name, column in spec["columns"].items():
        if column["type"] in FREE_TEXT_TYPES:
            found[name] = _ORDER
        elif column["type"] in _PSEUDONYM_TYPES:
            found[name] = ("email", "phone")  # a pseudonym that is someone's number
    return found


def free_text_warnings(
    frame: pd.DataFrame,
    source: str,
    columns: Iterable[str] | None = None,
    *,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    lang: str = "en",
) -> list[Problem]:
    """Warn of free text that looks like a name with an address, an e-mail address or a phone.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table as read: strings (other cells, such as numbers in a spreadsheet, are read as
        text when they are whole numbers, else skipped). Rows are the index labels when the
        index is named ``row`` (as the readers number a file's rows the way the user sees
        them), else their position counted from 1.
    source : str
        The file name, used in the warnings.
    columns : iterable of str, optional
        The columns to look at. By default the free-text columns of ``kind`` (see
        :func:`free_text_columns`), or every text column when no kind is known.
    kind : str, optional
        The contract kind; by default ``frame.attrs["kind"]`` when set. It says which columns
        are free text and that pseudonym columns are looked at for e-mail addresses only.
    headers : mapping, optional
        Column → the header as the user wrote it, used in the warnings.
    lang : {"en", "nb"}
        The language of the messages.

    Returns
    -------
    list of Problem
        One per cell with a hit, in row and column order; the message says what the cell
        looks like and never repeats the value.

    Raises
    ------
    KeyError
        For a column not in ``frame`` or an unknown kind.

    See Also
    --------
    bti_workbench.privacy.check_no_identifiers : Refuses identifier columns and fødselsnummer.

    Examples
    --------
    >>> frame = pd.DataFrame({"barriers": ["Lite tid", "Ring 912 34 567"]})
    >>> [str(p) for p in free_text_warnings(frame, "rf2.csv")]  # doctest: +NORMALIZE_WHITESPACE
    ["rf2.csv, row 2, column 'barriers': looks like a phone number (not shown); free text about
    a person does not belong in the export"]
    """
    checks = _checks(frame, columns, kind)
    headers = headers or {}
    names = [str(c) for c in frame.columns]
    hit_rows, hit_columns, hit_codes = [], [], []
    for position, name in enumerate(names):
        if not checks.get(name):
            continue
        text = _as_text(frame.iloc[:, position])
        code = np.zeros(len(frame), dtype=np.int8)  # one bit per pattern of _ORDER
        for pattern in checks[name]:
            code |= _matches(text, pattern).astype(np.int8) << _ORDER.index(pattern)
        rows = np.flatnonzero(code)
        hit_rows.append(rows)
        hit_columns.append(np.full(len(rows), position))
        hit_codes.append(code[rows])
    if not hit_rows:
        return []
    row_at, column_at, code_at = (np.concatenate(a) for a in (hit_rows, hit_columns, hit_codes))
    order = np.lexsort((column_at, row_at))  # by row, then column
    labels = frame.index.to_numpy() if frame.index.name == "row" else np.arange(1, len(frame) + 1)
    where = [headers.get(name, name) for name in names]
    texts = {int(c): _message(int(c)) for c in np.unique(code_at)}
    messages = {c: text.render(lang) for c, text in texts.items()}
    return [
        Problem(source, int(labels[r]), where[c], messages[k], texts[k].key, texts[k].fields)
        for r, c, k in zip(
            row_at[order].tolist(), column_at[order].tolist(), code_at[order].tolist(), strict=True
        )
    ]


def _checks(
    frame: pd.DataFrame, columns: Iterable[str] | None, kind: str | None
) -> dict[str, tuple[str, ...]]:
    """Column → the patterns to look for in it."""
    kind = kind or frame.attrs.get("kind")
    by_kind = free_text_columns(kind) if kind else None
    present = {str(c) for c in frame.columns}
    if columns is not None:
        chosen = [str(c) for c in columns]
        missing = [c for c in chosen if c not in present]
        if missing:
            raise KeyError(f"no column {', '.join(map(repr, missing))} in the table")
        if by_kind is None:
            return dict.fromkeys(chosen, _ORDER)
        return {c: by_kind.get(c, _ORDER) for c in chosen}
    if by_kind is not None:
        return {c: p for c, p in by_kind.items() if c in present}
    return {
        str(column): _ORDER
        for column, dtype in frame.dtypes.items()
        if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
    }


def _as_text(values: pd.Series) -> pa.Array:
    """A column as an Arrow string array: text as it is, whole numbers as digits, else null."""
    if isinstance(values.dtype, pd.StringDtype):
        return pa.array(values.array, from_pandas=True)
    if pd.api.types.is_integer_dtype(values.dtype):
        return pa.array(values.astype("string").to_numpy(dtype=object, na_value=None))
    return pa.array([_cell_text(v) for v in values.tolist()], type=pa.string())


def _cell_text(value: object) -> str | None:
    """One cell of a mixed column (a spreadsheet's) as text, or None when it holds no text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return None


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    """True where a cell holds the pattern: Arrow's loose pass, then the exact one."""
    loose = pc.match_substring_regex(text, _LOOSE[pattern]).fill_null(False)
    mask = loose.to_numpy(zero_copy_only=False)
    candidates = np.flatnonzero(mask)
    if len(candidates) and pattern in _EXACT:
        exact = _EXACT[pattern]
        cells = text.take(pa.array(candidates)).to_pylist()
        mask[candidates] = [bool(exact(cell)) for cell in cells]
    return mask


def _message(code: int) -> Text:
    """``looks like an e-mail address (not shown); …`` for the patterns (bits) of one cell,
    as a catalogue text (the problem's :meth:`~bti_workbench.errors.Problem.text` says it in
    any language)."""
    parts = [Text(f"privacy.freetext.{p}") for i, p in enumerate(_ORDER) if code >> i & 1]
    joined = (
        parts[0]
        if len(parts) == 1
        else Text("privacy.freetext.and", {"first": tuple(parts[:-1]), "last": parts[-1]})
    )
    return Text("privacy.freetext.warning", {"what": joined})
