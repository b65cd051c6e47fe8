"""Privacy by design: refuse direct identifiers and suppress small cells.

Two rules guard everything the workbench reads and shows:

* :func:`check_no_identifiers` refuses a table whose column names signal a direct identifier
  (name, address, phone, e-mail, national identity number …) or that holds a valid Norwegian
  fødselsnummer or D-number anywhere. Errors name file, column and how many rows, never the value.
* :func:`suppress_small` is the one function every figure derived from case data passes through
  before anyone sees it: cells below ``k`` are hidden, and so are the cells from which a hidden
  one could be worked out from published totals (secondary suppression).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_K",
    "IdentifierError",
    "SuppressedTable",
    "check_no_identifiers",
    "find_fodselsnummer",
    "identifier_columns",
    "is_fodselsnummer",
    "suppress_small",
]

DEFAULT_K = 5

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# 11 digits, optionally written DDMMYY NNNNN, not part of a longer run of digits.
_FNR_PATTERN = re.compile(r"(?<!\d)(\d{6})[ .-]?(\d{5})(?!\d)")

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
# Compound words that end in "navn" but name places or organisations, not people.
_ALLOWED_NAVN_WORDS = frozenset(
    {"kommunenavn", "tjenestenavn", "enhetsnavn", "gruppenavn", "fylkesnavn", "skolenavn"}
)


class IdentifierError(ValueError):
    """A table holds, or seems to hold, a direct identifier.

    The message names the file, the column and how many rows; it never repeats a value.
    """


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    for src, dst in (("æ", "ae"), ("ø", "o"), ("å", "aa")):
        text = text.replace(src, dst)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _looks_like_identifier(column: str) -> bool:
    norm = _normalise(column)
    if any(phrase in norm for phrase in _IDENTIFIER_PHRASES):
        return True
    for token in norm.split("_"):
        if token in _IDENTIFIER_TOKENS:
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


def _cell_has_fodselsnummer(cell: object) -> bool:
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
    return any(is_fodselsnummer(a + b) for a, b in _FNR_PATTERN.findall(text))


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

    Examples
    --------
    >>> find_fodselsnummer(pd.DataFrame({"a": ["x", "01010750160"], "b": [1, 2]}))
    {'a': 1}
    """
    hits: dict[str, int] = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        count = int(sum(_cell_has_fodselsnummer(v) for v in values.tolist()))
        if count:
            hits[str(column)] = count
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

    Examples
    --------
    >>> check_no_identifiers(pd.DataFrame({"case_id": ["C1"]}), "log.csv")
    """
    bad_columns = identifier_columns(str(c) for c in frame.columns)
    if bad_columns:
        listed = ", ".join(f"'{c}'" for c in bad_columns)
        raise IdentifierError(
            f"{source}: column {listed} looks like a direct identifier (name, address, phone, "
            "e-mail or national identity number). The workbench only reads pseudonymised data: "
            "remove the column and use a pseudonym."
        )
    hits = find_fodselsnummer(frame)
    if hits:
        parts = "; ".join(
            f"column '{col}': {n} row{'s' if n != 1 else ''}" for col, n in hits.items()
        )
        raise IdentifierError(
            f"{source}: found what looks like a fødselsnummer or D-number ({parts}). "
            "The values are not shown. Pseudonymise the file before importing it."
        )


@dataclass(frozen=True)
class SuppressedTable:
    """A table of counts after small-cell suppression.

    Attributes
    ----------
    values : pandas.DataFrame
        Counts with hidden cells as ``<NA>`` (nullable integers). Includes the total row and
        column when margins were requested.
    primary : pandas.DataFrame
        True where a cell was hidden because it is below ``k``.
    secondary : pandas.DataFrame
        True where a cell was hidden to protect another one.
    k : int
        The threshold.
    """

    values: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    k: int

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a cell is hidden for either reason."""
        return self.primary | self.secondary

    def formatted(self, lang: str = "nb") -> pd.DataFrame:
        """The table as text: counts, ``<k`` for small cells, ``×`` for protecting cells."""
        from bti_workbench.labels import label

        low = label("suppression.primary", lang, k=self.k)
        protect = label("suppression.secondary", lang)
        out = self.values.astype("object").copy()
        out = out.where(~self.primary, low)
        out = out.where(~self.secondary, protect)
        return out.map(lambda v: v if isinstance(v, str) else str(int(v)))


def _as_frame(table: pd.DataFrame | pd.Series) -> tuple[pd.DataFrame, bool]:
    if isinstance(table, pd.Series):
        name = table.name if table.name is not None else "count"
        return table.to_frame(name=name), True
    return table.copy(), False


def _bridges(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells that are bridges in the bipartite row–column graph of hidden cells.

    In a two-way table with all margins, a hidden cell can be solved for exactly when its edge
    lies on no cycle of hidden cells, i.e. when it is a bridge.
    """
    n_rows = hidden.shape[0]
    edges = [(int(r), int(c)) for r, c in zip(*np.nonzero(hidden), strict=True)]
    adjacency: dict[int, list[tuple[int, int]]] = {}
    for idx, (r, c) in enumerate(edges):
        adjacency.setdefault(r, []).append((n_rows + c, idx))
        adjacency.setdefault(n_rows + c, []).append((r, idx))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges: list[tuple[int, int]] = []
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        stack = [(root, -1, iter(adjacency[root]))]
        order[root] = low[root] = counter
        counter += 1
        while stack:
            node, parent_edge, neighbours = stack[-1]
            advanced = False
            for nxt, edge_idx in neighbours:
                if edge_idx == parent_edge:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge_idx, iter(adjacency[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.append(edges[parent_edge])
    return bridges


def _protect(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Add secondary suppressions until no hidden cell is a bridge (so none can be solved)."""
    hidden = hidden.copy()
    n_rows, n_cols = hidden.shape
    if n_rows < 2 or n_cols < 2:
        return hidden
    # Prefer to hide small non-zero cells: a hidden zero protects little when readers can
    # guess it is a structural zero, so zeros are used only when nothing else closes a cycle.
    cost = np.where(values > 0, values, 1e9).astype(float)
    while True:
        bridges = _bridges(hidden)
        if not bridges:
            return hidden
        r, c = bridges[0]
        best: tuple[float, int, int] | None = None
        for r2 in range(n_rows):
            if r2 == r:
                continue
            for c2 in range(n_cols):
                if c2 == c:
                    continue
                extra = sum(cost[i, j] for i, j in ((r, c2), (r2, c), (r2, c2)) if not hidden[i, j])
                if best is None or extra < best[0]:
                    best = (extra, r2, c2)
        assert best is not None  # n_rows, n_cols >= 2
        _, r2, c2 = best
        for i, j in ((r, c2), (r2, c), (r2, c2)):
            hidden[i, j] = True


def suppress_small(
    table: pd.DataFrame | pd.Series,
    k: int = DEFAULT_K,
    *,
    margins: bool = True,
    allow_zero: bool = False,
) -> SuppressedTable:
    """Hide cells below ``k`` and every cell from which a hidden one could be recovered.

    This is the one gate every figure derived from case data passes through. The published
    totals (row, column and grand total when ``margins`` is true) are part of the table and
    are protected too: no hidden cell can be solved for from the visible cells and totals.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        Non-negative integer counts. A Series is a one-way table.
    k : int, default 5
        Cells with ``count < k`` are hidden (SSB uses 3, research practice 5).
    margins : bool, default True
        Add and protect row and column totals (and the grand total). Leave on unless the
        totals are truly never published anywhere.
    allow_zero : bool, default False
        Show zeros. Off by default: a zero also says something about few people.

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> t = pd.DataFrame({"a": [12, 3], "b": [20, 9]}, index=["x", "y"])
    >>> s = suppress_small(t)
    >>> s.formatted().loc["y", "a"]
    '<5'
    >>> bool(s.hidden.loc["y", "b"])  # hidden too, else y's total would reveal a
    True
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    frame, one_way = _as_frame(table)
    if frame.isna().any().any():
        raise ValueError("suppress_small needs complete counts; found missing cells")
    numeric = frame.to_numpy(dtype=float)
    if (numeric < 0).any() or not np.all(np.equal(np.mod(numeric, 1), 0)):
        raise ValueError("suppress_small needs non-negative whole counts")
    counts = frame.astype("int64")
    if margins:
        if one_way:
            total = pd.DataFrame(
                {counts.columns[0]: [int(counts.iloc[:, 0].sum())]}, index=["total"]
            )
            counts = pd.concat([counts, total])
        else:
            counts = counts.copy()
            counts["total"] = counts.sum(axis=1)
            counts.loc["total"] = counts.sum(axis=0)
    values = counts.to_numpy(dtype="int64")
    primary = values < k
    if allow_zero:
        primary &= values != 0
    hidden = primary.copy()
    if margins and one_way:
        # One equation: cells sum to the total. One hidden entry alone would be solvable.
        if hidden.sum() == 1:
            order = np.argsort(np.where(hidden[:, 0], np.inf, values[:, 0]), kind="stable")
            hidden[order[0], 0] = True
    elif margins:
        hidden = _protect(values, hidden)
    secondary = hidden & ~primary
    shown = counts.astype("Int64").mask(hidden)
    return SuppressedTable(
        values=shown,
        primary=pd.DataFrame(primary, index=counts.index, columns=counts.columns),
        secondary=pd.DataFrame(secondary, index=counts.index, columns=counts.columns),
        k=k,
    )
