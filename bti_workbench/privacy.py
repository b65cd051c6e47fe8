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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bti_workbench._util.text import normalise_name
from bti_workbench.errors import IdentifierError

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
        mask[position] = _cell_has_fodselsnummer(cell)
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

    Examples
    --------
    >>> check_no_identifiers(pd.DataFrame({"case_id": ["C1"]}), "log.csv")
    """
    numbered = [i + 1 for i, c in enumerate(frame.columns) if _cell_has_fodselsnummer(str(c))]
    if numbered:
        listed = ", ".join(f"#{i}" for i in numbered)
        raise IdentifierError(
            f"{source}: the header of column {listed} looks like a fødselsnummer or D-number "
            "(not shown). Pseudonymise the file before importing it."
        )
    bad_columns = identifier_columns(str(c) for c in frame.columns)
    if bad_columns:
        listed = ", ".join(f"'{c}'" for c in bad_columns)
        raise IdentifierError(
            f"{source}: column {listed} looks like a direct identifier (name, address, phone, "
            "e-mail or national identity number). The workbench only reads pseudonymised data: "
            "remove the column and use a pseudonym."
        )
    hits = _fodselsnummer_rows(frame)
    if hits:
        named = frame.index.name == "row"  # index labels are the rows the user sees
        parts = "; ".join(_rows_text(col, rows, named) for col, rows in hits.items())
        raise IdentifierError(
            f"{source}: found what looks like a fødselsnummer or D-number ({parts}). "
            "The values are not shown. Pseudonymise the file before importing it."
        )


def _rows_text(column: str, rows: list, named: bool) -> str:
    text = f"column '{column}': {len(rows)} row{'s' if len(rows) != 1 else ''}"
    if named:
        shown = ", ".join(str(r) for r in rows[:10])
        text += f" (row{'s' if len(rows) != 1 else ''} {shown}{', …' if len(rows) > 10 else ''})"
    return text


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
    kinds_shown : bool
        Whether the display tells small cells (``<k``) from protecting cells (``×``). False
        only when even hiding every cell left a value pinned by those bounds; then every
        hidden cell shows as ``×``.
    """

    values: pd.DataFrame
    primary: pd.DataFrame
    secondary: pd.DataFrame
    k: int
    kinds_shown: bool = True

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a cell is hidden for either reason."""
        return self.primary | self.secondary

    def formatted(self, lang: str = "nb") -> pd.DataFrame:
        """The table as text: counts, ``<k`` for small cells, ``×`` for protecting cells."""
        from bti_workbench.reference.labels import label

        low = label("suppression.primary", lang, k=self.k)
        protect = label("suppression.secondary", lang)
        out = self.values.astype("object").copy()
        if self.kinds_shown:
            out = out.where(~self.primary, low)
            out = out.where(~self.secondary, protect)
        else:
            out = out.where(~self.hidden, protect)
        return out.map(lambda v: v if isinstance(v, str) else str(int(v)))


_MARGIN_LABELS = frozenset({"total", "all", "sum", "i alt", "totalt", "sum total"})


def _as_frame(table: pd.DataFrame | pd.Series) -> tuple[pd.DataFrame, bool]:
    if isinstance(table, pd.Series):
        name = table.name if table.name is not None else "count"
        return table.to_frame(name=name), True
    return table.copy(), False


def _equations(
    shape: tuple[int, int], one_way: bool, linked: Sequence[tuple[int, int]] = ()
) -> np.ndarray:
    """The published sums of a table whose last row (and column) hold the totals.

    ``linked`` holds (row, column) positions whose row total equals the column total, as in a
    flow table where every case that enters a level also leaves it.
    """
    rows, cols = shape
    index = np.arange(rows * cols).reshape(shape)
    equations = []
    for r, c in linked:
        eq = np.zeros(rows * cols)
        eq[index[r, -1]] = 1
        eq[index[-1, c]] = -1
        equations.append(eq)
    if one_way:
        eq = np.zeros(rows * cols)
        eq[index[:-1, 0]] = 1
        eq[index[-1, 0]] = -1
        return eq[None, :]
    for r in range(rows):
        eq = np.zeros(rows * cols)
        eq[index[r, :-1]] = 1
        eq[index[r, -1]] = -1
        equations.append(eq)
    for c in range(cols):
        eq = np.zeros(rows * cols)
        eq[index[:-1, c]] = 1
        eq[index[-1, c]] = -1
        equations.append(eq)
    return np.array(equations)


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


def _close_cycles(cost: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hide more cells until no hidden cell is a bridge, so none follows from the sums alone."""
    hidden = hidden.copy()
    n_rows, n_cols = hidden.shape
    while bridges := _bridges(hidden):
        r, c = bridges[0]
        best: tuple[float, int, int] | None = None
        for r2 in range(n_rows):
            for c2 in range(n_cols):
                if r2 == r or c2 == c:
                    continue
                extra = sum(cost[i, j] for i, j in ((r, c2), (r2, c), (r2, c2)) if not hidden[i, j])
                if best is None or extra < best[0]:
                    best = (extra, r2, c2)
        assert best is not None  # at least 2 × 2 with the margins
        _, r2, c2 = best
        for i, j in ((r, c2), (r2, c), (r2, c2)):
            hidden[i, j] = True
    return hidden


def _disclosed(
    values: np.ndarray,
    hidden: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    one_way: bool,
    linked: Sequence[tuple[int, int]] = (),
) -> tuple[int, int] | None:
    """A hidden cell a reader can pin down from the visible cells, the sums and the bounds.

    The reader knows every visible count, that the totals add up, that a cell shown as ``<k``
    lies in ``[lower, k - 1]`` and that a protecting cell is not small. A cell is pinned when
    no other whole-number solution moves it off its true value (mixed-integer programmes;
    the linear relaxation alone is not exact once flow sums are linked). Returns the first
    pinned cell, or None.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    flat_hidden = hidden.ravel()
    if not flat_hidden.any():
        return None
    equations = _equations(values.shape, one_way, linked)
    known = values.ravel().astype(float)
    a_eq = equations[:, flat_hidden]
    b_eq = -equations[:, ~flat_hidden] @ known[~flat_hidden]
    used = np.abs(a_eq).sum(axis=1) > 0
    a_eq, b_eq = a_eq[used], b_eq[used]
    lo = lower.ravel()[flat_hidden]
    # Far beyond any total: as good as unbounded for the question "can it move?", and keeps
    # every programme bounded (some HiGHS versions stall on unbounded integer programmes).
    hi = np.minimum(upper.ravel()[flat_hidden], 10 * known.sum() + 10)
    truth = known[flat_hidden]
    positions = np.flatnonzero(flat_hidden)
    n = len(positions)
    constraints = [LinearConstraint(a_eq, b_eq, b_eq)] if len(a_eq) else []

    def solve(objective: np.ndarray) -> np.ndarray | None:
        res = milp(
            objective,
            constraints=constraints,
            integrality=np.ones(n),
            bounds=Bounds(lo, hi),
            options={"time_limit": 10.0},
        )
        return res.x if res.status == 0 else None  # None: no proof either way

    # Cheap pruning: cells that differ from the truth in some whole-number solution are free.
    free = np.zeros(n, dtype=bool)
    rng = np.random.default_rng(0)
    for objective in (np.ones(n), -np.ones(n), *rng.choice([-1.0, 1.0], size=(4, n))):
        x = solve(objective)
        if x is not None:
            free |= np.abs(x - truth) > 0.5
    for j in np.flatnonzero(~free):
        objective = np.zeros(n)
        objective[j] = 1.0
        low = solve(objective)
        if low is not None and low[j] < truth[j] - 0.5:
            continue
        high = solve(-objective)
        if high is not None and high[j] > truth[j] + 0.5:
            continue
        return divmod(int(positions[j]), values.shape[1])  # pinned, or not shown to move
    return None


def _cheapest_beside(cost: np.ndarray, hidden: np.ndarray, cell: tuple[int, int]) -> tuple | None:
    """The next cell to hide to free a pinned one.

    In order: the cheapest visible non-zero cell in its row or column, then anywhere, then
    zeros (hiding a structural zero tells a reader little, so they come last).
    """
    r, c = cell
    beside = np.zeros_like(hidden)
    beside[r, :] = True
    beside[:, c] = True
    positive = cost < 1e9
    for candidates in (beside & positive, positive, beside, np.ones_like(hidden)):
        candidates = candidates & ~hidden
        if candidates.any():
            masked = np.where(candidates, cost, np.inf)
            return tuple(int(i) for i in np.unravel_index(np.argmin(masked), cost.shape))
    return None


def _protect(
    values: np.ndarray,
    primary: np.ndarray,
    k: int,
    allow_zero: bool,
    one_way: bool,
    links: Sequence[tuple[int, int]],
    kinds_shown: bool,
) -> np.ndarray | None:
    """Secondary suppression until the audit passes; None if even hiding all cells fails."""
    # A hidden zero protects nothing when readers can guess it is a structural zero.
    cost = np.where(values > 0, values, 1e9).astype(float)
    hidden = primary.copy()
    if kinds_shown:  # "<k" cells lie in [0 or 1, k - 1]; "×" cells are at least k
        lower = np.where(primary, 1.0 if allow_zero else 0.0, 0.0)
        upper = np.where(primary, float(k - 1), np.inf)
    else:  # every hidden cell looks alike: only non-negativity is known
        lower, upper = np.zeros(values.shape), np.full(values.shape, np.inf)
    while True:
        if one_way:
            if hidden.sum() == 1:
                hidden[_cheapest_beside(cost, hidden, tuple(np.argwhere(hidden)[0]))] = True
        else:
            hidden = _close_cycles(cost, hidden)
        if kinds_shown:
            lower = np.where(hidden & ~primary & (values >= k), float(k), lower)
        disclosed = _disclosed(values, hidden, lower, upper, one_way, links)
        if disclosed is None:
            return hidden
        extra = _cheapest_beside(cost, hidden, disclosed)
        if extra is None:
            return None
        hidden[extra] = True


def suppress_small(
    table: pd.DataFrame | pd.Series,
    k: int = DEFAULT_K,
    *,
    margins: bool = True,
    allow_zero: bool = False,
    linked: Sequence[tuple[object, object]] = (),
) -> SuppressedTable:
    """Hide cells below ``k`` and every cell from which a hidden one could be recovered.

    This is the one gate every figure derived from case data passes through. The published
    totals (row, column and grand total when ``margins`` is true) are part of the table and
    are protected too. No hidden cell can be pinned to one value from the visible cells, the
    totals, and what the display itself says (``<k`` cells are between 0 and k − 1, protecting
    cells are at least k, nothing is negative): secondary suppression first closes cycles so
    no cell follows from the sums, then an audit by linear programming adds cells until no
    hidden cell's range collapses.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
        Non-negative integer counts, without totals (they are added here).
    k : int, default 5
        Cells with ``count < k`` are hidden (SSB uses 3, research practice 5). At least 2.
    margins : bool, default True
        Add and protect row and column totals (and the grand total). Leave on unless the
        totals are truly never published anywhere.
    allow_zero : bool, default False
        Show zeros (for tables with structural zeros, such as transitions that cannot happen).
        Off by default: a zero also says something about few people.
    linked : sequence of (row label, column label)
        Pairs whose row total equals the column total and readers know it (in a table of
        transitions, what enters a level also leaves it). The audit uses these sums too.

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
    if k < 2:
        raise ValueError("k must be at least 2 (k = 1 would hide nothing)")
    frame, one_way = _as_frame(table)
    if frame.isna().any().any():
        raise ValueError("suppress_small needs complete counts; found missing cells")
    numeric = frame.to_numpy(dtype=float)
    if (numeric < 0).any() or not np.all(np.equal(np.mod(numeric, 1), 0)):
        raise ValueError("suppress_small needs non-negative whole counts")
    labels = [str(x).strip().lower() for x in [*frame.index, *frame.columns]]
    if margins and _MARGIN_LABELS & set(labels):
        raise ValueError(
            "the table already has a total row or column; pass the counts without totals "
            "(suppress_small adds and protects them)"
        )
    counts = frame.astype("int64")
    index_name, columns_name = counts.index.name, counts.columns.name
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
        counts.index.name, counts.columns.name = index_name, columns_name
    values = counts.to_numpy(dtype="int64")
    if linked and (one_way or not margins):
        raise ValueError("linked totals need a two-way table with margins")
    link_positions = [(counts.index.get_loc(r), counts.columns.get_loc(c)) for r, c in linked]
    primary = values < k
    if allow_zero:
        primary &= values != 0
    hidden = primary.copy()
    kinds_shown = True
    if margins:
        hidden = _protect(values, primary, k, allow_zero, one_way, link_positions, True)
        if hidden is None or hidden.all():
            # Telling "<k" from "×" gives readers bounds that can pin values; when protecting
            # against them would hide everything, show every hidden cell as "×" instead.
            hidden = _protect(values, primary, k, allow_zero, one_way, link_positions, False)
            kinds_shown = False
    secondary = hidden & ~primary
    shown = counts.astype("Int64").mask(hidden)
    return SuppressedTable(
        values=shown,
        primary=pd.DataFrame(primary, index=counts.index, columns=counts.columns),
        secondary=pd.DataFrame(secondary, index=counts.index, columns=counts.columns),
        k=k,
        kinds_shown=kinds_shown,
    )
