"""Small-cell suppression: the one gate every figure derived from case data passes through.

:func:`suppress_small` hides cells below ``k`` and the cells from which a hidden one could be
worked out from published totals (secondary suppression). A caller may force more cells
hidden (``hide``: e.g. where the difference from another published table is small); they are
protected the same way, against what readers know from that other table too (``at_most``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_K", "SuppressedTable", "suppress_small"]

#: The smallest count shown: cells below it are hidden (``<5``), and so is any cell from
#: which a hidden one could be worked out. Every published table of case data uses it
#: unless a caller asks for a larger ``k``.
DEFAULT_K = 5


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
        True where a cell was hidden to protect another one, or because the caller asked
        for it (``hide`` of :func:`suppress_small`); both show as ``×``.
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


#: How far a proven bound must clear a whole number before the audit trusts it (far above
#: rounding errors, far below the gaps between the rational optima of tables of counts).
_SLACK = 1e-6


class _Round:
    """One round of the audit: the hidden cells as a reader's integer programme.

    The unknowns are the hidden cells; the reader knows the published sums
    (``a_eq @ x = b_eq``) and the bounds the display gives (``lo <= x <= hi``); the true counts
    are one solution. Nothing a solver says is taken on trust except an integer programme's
    "no better solution": a move is proven by a *witness*, a solution rounded to whole numbers
    and checked exactly against the sums and bounds; "pinned on this side" by the relaxation,
    through multipliers of the sums whose bound (weak duality) is recomputed here.
    """

    def __init__(
        self,
        reader: _Reader,
        hidden: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        flat_hidden = hidden.ravel()
        self.reader = reader
        self.positions = np.flatnonzero(flat_hidden)
        a_eq = reader.equations[:, flat_hidden]
        b_eq = -reader.equations[:, ~flat_hidden] @ reader.known[~flat_hidden]
        self.rows = np.flatnonzero(np.abs(a_eq).sum(axis=1) > 0)
        self.a_eq, self.b_eq = a_eq[self.rows], b_eq[self.rows]
        self.lo = lower.ravel()[flat_hidden]
        self.hi = np.minimum(upper.ravel()[flat_hidden], reader.cap)
        self.truth = reader.known[flat_hidden]

    def _bound(self, objective: np.ndarray, multipliers: np.ndarray) -> float:
        """A lower bound of ``objective @ x`` over the relaxation, from any multipliers."""
        reduced = objective - self.a_eq.T @ multipliers
        return float(
            multipliers @ self.b_eq + np.minimum(reduced * self.lo, reduced * self.hi).sum()
        )

    def _relaxation(self, objective: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """An optimum of the linear relaxation and its multipliers, or None without one."""
        from scipy.optimize import linprog

        has_sums = len(self.a_eq) > 0
        res = linprog(
            objective,
            A_eq=self.a_eq if has_sums else None,
            b_eq=self.b_eq if has_sums else None,
            bounds=np.column_stack([self.lo, self.hi]),
            method="highs",
        )
        if res.status != 0:
            return None
        return res.x, (res.eqlin.marginals if has_sums else np.zeros(0))

    def _integer(self, objective: np.ndarray) -> np.ndarray | None:
        """An optimum of the integer programme, or None without one (no proof either way)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        res = milp(
            objective,
            constraints=[LinearConstraint(self.a_eq, self.b_eq, self.b_eq)]
            if len(self.a_eq)
            else [],
            integrality=np.ones(len(objective)),
            bounds=Bounds(self.lo, self.hi),
            options={"time_limit": 10.0},
        )
        return res.x if res.status == 0 else None

    def _witness(self, x: np.ndarray | None) -> np.ndarray | None:
        """``x`` rounded, when it is a whole-number solution (the reader notes what it moves)."""
        if x is None:
            return None
        whole = np.rint(x)
        if (whole < self.lo).any() or (whole > self.hi).any():
            return None
        if len(self.a_eq) and not np.array_equal(self.a_eq @ whole, self.b_eq):
            return None
        self.reader.moved[self.positions[whole != self.truth]] = True
        return whole

    def can_move(self, j: int, up: bool) -> bool:
        """Whether some whole-number solution puts unknown ``j`` above (below) its true value.

        In order: the cell's own bounds; the multipliers that proved it pinned on this side in
        an earlier round (a round only adds unknowns, so they often still do); the linear
        relaxation (its multipliers prove "pinned", its optimum may be a witness); last, as
        the audit always did, the integer programme. Without an answer it counts as pinned.
        """
        target = self.truth[j] + (1.0 if up else -1.0)
        if not self.lo[j] <= target <= self.hi[j]:
            return False
        objective = np.zeros(len(self.truth))
        objective[j] = -1.0 if up else 1.0
        needed = objective[j] * target  # a move needs objective @ x <= needed
        key = (int(self.positions[j]), up)
        kept = self.reader.certificates.get(key)
        if kept is not None and self._bound(objective, kept[self.rows]) > needed + _SLACK:
            return False
        relaxed = self._relaxation(objective)
        if relaxed is not None:
            x, multipliers = relaxed
            if self._bound(objective, multipliers) > needed + _SLACK:
                full = np.zeros(len(self.reader.equations))
                full[self.rows] = multipliers
                self.reader.certificates[key] = full
                return False
            whole = self._witness(x)
            if whole is not None and objective @ whole <= needed:
                return True
        whole = self._witness(self._integer(objective))
        return whole is not None and bool(objective @ whole <= needed)


class _Reader:
    """The audit of one table: what a reader can work out, kept over the rounds of
    :func:`_protect`.

    A round only hides more cells, keeps every published sum and keeps the bounds of the cells
    hidden before. So a witness of an earlier round (a whole-number solution that moves cells
    off their true values) is still one, with the newly hidden cells at their true values:
    :attr:`moved` collects the cells some witness moved, and the solvers are asked only about
    the others. :attr:`certificates` keeps the multipliers that proved a cell pinned on one
    side, to try first in the next round.
    """

    def __init__(
        self, values: np.ndarray, one_way: bool, linked: Sequence[tuple[int, int]]
    ) -> None:
        self.columns = values.shape[1]
        self.equations = _equations(values.shape, one_way, linked)
        self.known = values.ravel().astype(float)
        # Far beyond any total: as good as unbounded for the question "can it move?", and
        # keeps every programme bounded (some HiGHS versions stall on unbounded ones).
        self.cap = 10 * self.known.sum() + 10
        self.moved = np.zeros(values.size, dtype=bool)
        self.certificates: dict[tuple[int, bool], np.ndarray] = {}

    def first_pinned(
        self, hidden: np.ndarray, lower: np.ndarray, upper: np.ndarray
    ) -> tuple[int, int] | None:
        """The first hidden cell (row by row) a reader can pin down, or None.

        The reader knows every visible count, that the totals add up, that a cell shown as
        ``<k`` lies in ``[lower, k - 1]`` and that a protecting cell is not small. A cell is
        pinned when no other whole-number solution moves it off its true value (the linear
        relaxation alone is not exact once flow sums are linked, so an integer programme has
        the last word where the relaxation proves nothing).
        """
        if not (hidden.ravel() & ~self.moved).any():
            return None
        round_ = _Round(self, hidden, lower, upper)
        for j, position in enumerate(round_.positions):
            if self.moved[position]:
                continue
            if round_.can_move(j, up=False) or round_.can_move(j, up=True):
                continue
            return divmod(int(position), self.columns)  # pinned, or not shown to move
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
    forced: np.ndarray | None = None,
    at_most: np.ndarray | None = None,
) -> np.ndarray | None:
    """Secondary suppression until the audit passes; None if even hiding all cells fails.

    ``primary`` (the small cells) gives the display's bounds; ``forced`` cells start hidden
    with them and are protected alike, but they show as ``×`` (at least ``k`` when they are).
    ``at_most`` holds upper bounds readers know from elsewhere (``inf`` where none).
    """
    # A hidden zero protects nothing when readers can guess it is a structural zero.
    cost = np.where(values > 0, values, 1e9).astype(float)
    if at_most is not None:  # nor much a cell at a bound readers know: it can only go down
        cost = np.where(values >= at_most, 1e9, cost)
    hidden = primary.copy() if forced is None else primary | forced
    reader = _Reader(values, one_way, links)
    if kinds_shown:  # "<k" cells lie in [0 or 1, k - 1]; "×" cells are at least k
        lower = np.where(primary, 1.0 if allow_zero else 0.0, 0.0)
        upper = np.where(primary, float(k - 1), np.inf)
    else:  # every hidden cell looks alike: only non-negativity is known
        lower, upper = np.zeros(values.shape), np.full(values.shape, np.inf)
    if at_most is not None:
        upper = np.minimum(upper, at_most)
    while True:
        if one_way:
            if hidden.sum() == 1:
                hidden[_cheapest_beside(cost, hidden, tuple(np.argwhere(hidden)[0]))] = True
        else:
            hidden = _close_cycles(cost, hidden)
        if kinds_shown:
            lower = np.where(hidden & ~primary & (values >= k), float(k), lower)
        disclosed = reader.first_pinned(hidden, lower, upper)
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
    hide: pd.DataFrame | pd.Series | None = None,
    at_most: pd.DataFrame | pd.Series | None = None,
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
    hide : pandas.DataFrame or pandas.Series of bool, optional
        Cells to hide whatever their count, for a reason outside the table: e.g. where this
        table minus another published one (the same counts narrowed to one service) would
        leave 1 to k − 1 cases. Labelled like ``table`` (a Series for a Series); each axis
        may also hold the ``"total"`` label of the margins, to hide a total. A forced cell
        that is not small shows as ``×`` (it is not below ``k``) and is protected exactly
        like a small one: secondary suppression hides further cells until neither the
        totals nor the display can pin it. Cells left out of the mask, and all cells when it
        is None or all False, are hidden only for the usual reasons.
    at_most : pandas.DataFrame or pandas.Series of numbers, optional
        What readers know from elsewhere: each cell is at most this (NaN: nothing known).
        Labelled like ``hide``. When ``table`` counts a part of the cases of another
        published table (one service's cases of all cases), pass that table's shown counts
        (and ``k − 1`` where it shows ``<k``): a hidden cell could otherwise be pinned
        between ``k`` (what ``×`` says) and the same cell of the other table. The audit uses
        these bounds, and prefers not to hide cells already at theirs (they can only move
        down, as a zero can only move up).

    Returns
    -------
    SuppressedTable
        The counts (with totals when ``margins``), which cells are hidden and why.

    Raises
    ------
    ValueError
        When ``k`` is below 2, a count is missing, negative or fractional, the table holds
        its own totals, or ``linked`` is given without a two-way table with margins.

    See Also
    --------
    SuppressedTable.formatted : The table as it is shown.
    DEFAULT_K : The threshold used unless another is asked for.

    Examples
    --------
    >>> t = pd.DataFrame({"a": [12, 3], "b": [20, 9]}, index=["x", "y"])
    >>> s = suppress_small(t)
    >>> s.formatted().loc["y", "a"]
    '<5'
    >>> bool(s.hidden.loc["y", "b"])  # hidden too, else y's total would reveal a
    True

    A cell forced hidden shows as ``×``, and its partners hide with it:

    >>> forced = pd.DataFrame(False, index=t.index, columns=t.columns)
    >>> forced.loc["x", "b"] = True
    >>> f = suppress_small(t, k=3, hide=forced)
    >>> f.formatted().loc["x", "b"], int(f.hidden.to_numpy().sum())
    ('×', 4)
    """
    frame, one_way = _checked_counts(table, k, margins)
    counts = _with_margins(frame, one_way) if margins else frame
    if linked and (one_way or not margins):
        raise ValueError("linked totals need a two-way table with margins")
    link_positions = [(counts.index.get_loc(r), counts.columns.get_loc(c)) for r, c in linked]
    values = counts.to_numpy(dtype="int64")
    forced = _checked_mask(hide, frame, counts, one_way)
    bounds = _checked_bounds(at_most, frame, counts, one_way)
    primary = _primary(values, k, allow_zero)
    hidden, kinds_shown = (primary if forced is None else primary | forced), True
    if margins:
        hidden, kinds_shown = _hide(values, k, allow_zero, one_way, link_positions, forced, bounds)
    return SuppressedTable(
        values=counts.astype("Int64").mask(hidden),
        primary=pd.DataFrame(primary, index=counts.index, columns=counts.columns),
        secondary=pd.DataFrame(hidden & ~primary, index=counts.index, columns=counts.columns),
        k=k,
        kinds_shown=kinds_shown,
    )


def _checked_counts(
    table: pd.DataFrame | pd.Series, k: int, margins: bool
) -> tuple[pd.DataFrame, bool]:
    """The counts as a frame of ``int64`` (and whether one-way); refuses what cannot be one."""
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
    return frame.astype("int64"), one_way


def _checked_mask(
    hide: pd.DataFrame | pd.Series | None,
    frame: pd.DataFrame,
    counts: pd.DataFrame,
    one_way: bool,
) -> np.ndarray | None:
    """The cells ``hide`` forces hidden, aligned with ``counts``; None when there are none.

    Each axis of the mask holds the labels of ``frame`` (the table as given), optionally with
    the margins' ``"total"``; refuses anything else, and values that are not booleans.
    """
    if hide is None:
        return None
    hide = _aligned("hide", hide, frame, counts, one_way)
    if not all(pd.api.types.is_bool_dtype(dtype) for dtype in hide.dtypes) or (
        hide.isna().to_numpy().any()
    ):
        raise ValueError("hide must hold booleans (True: hide the cell)")
    forced = hide.reindex(index=counts.index, columns=counts.columns, fill_value=False)
    mask = forced.to_numpy(dtype=bool)
    return mask if mask.any() else None


def _checked_bounds(
    at_most: pd.DataFrame | pd.Series | None,
    frame: pd.DataFrame,
    counts: pd.DataFrame,
    one_way: bool,
) -> np.ndarray | None:
    """The upper bounds ``at_most`` gives, aligned with ``counts`` (``inf`` where none);
    None when it gives none. Refuses a bound below its count: it cannot be true."""
    if at_most is None:
        return None
    at_most = _aligned("at_most", at_most, frame, counts, one_way)
    if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in at_most.dtypes):
        raise ValueError("at_most must hold numbers (NaN where nothing is known)")
    full = at_most.reindex(index=counts.index, columns=counts.columns)
    bounds = full.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    bounds = np.where(np.isnan(bounds), np.inf, bounds)
    if (bounds < counts.to_numpy()).any():
        raise ValueError("at_most is below a count: a bound readers know must hold")
    return bounds if np.isfinite(bounds).any() else None


def _aligned(
    name: str,
    given: pd.DataFrame | pd.Series,
    frame: pd.DataFrame,
    counts: pd.DataFrame,
    one_way: bool,
) -> pd.DataFrame:
    """``given`` as a frame labelled like ``frame``, optionally with the margins of ``counts``.

    A Series goes with a Series table (whatever its name); each axis must hold the table's
    labels, with or without the ``"total"`` of the margins.
    """
    if isinstance(given, pd.Series):
        if not one_way:
            raise ValueError(f"{name} must be a DataFrame for a two-way table")
        given = given.to_frame(name=frame.columns[0])
    elif one_way:
        if given.shape[1] != 1:
            raise ValueError(f"{name} must be a Series (or one column) for a Series")
        given = given.set_axis(frame.columns, axis=1)
    for axis, labels, full in (
        ("rows", given.index, counts.index),
        ("columns", given.columns, counts.columns),
    ):
        own = frame.index if axis == "rows" else frame.columns
        if not labels.is_unique or not (set(labels) == set(own) or set(labels) == set(full)):
            raise ValueError(
                f"{name}'s {axis} must be the table's (optionally with the total): "
                f"{list(labels)[:5]} against {list(own)[:5]}"
            )
    return given


def _with_margins(counts: pd.DataFrame, one_way: bool) -> pd.DataFrame:
    """The counts with a total row (and column, and grand total for a two-way table)."""
    index_name, columns_name = counts.index.name, counts.columns.name
    if one_way:
        total = pd.DataFrame({counts.columns[0]: [int(counts.iloc[:, 0].sum())]}, index=["total"])
        counts = pd.concat([counts, total])
    else:
        counts = counts.copy()
        counts["total"] = counts.sum(axis=1)
        counts.loc["total"] = counts.sum(axis=0)
    counts.index.name, counts.columns.name = index_name, columns_name
    return counts


def _hide(
    values: np.ndarray,
    k: int,
    allow_zero: bool,
    one_way: bool,
    links: list[tuple[int, int]],
    forced: np.ndarray | None = None,
    at_most: np.ndarray | None = None,
) -> tuple[np.ndarray, bool]:
    """Every hidden cell, and whether the display may tell small cells from protecting ones.

    The audit depends on nothing but the counts, ``k``, the kind of table, the cells forced
    hidden and the bounds known from elsewhere, so its answer is kept for the process
    (:func:`_hidden_once`): the same table asked for again, by the map, the edge list and the
    metrics of one network, costs no second audit.
    """
    counts = np.ascontiguousarray(values, dtype=np.int64)
    mask = bounds = None
    if forced is not None and forced.any():
        mask = np.ascontiguousarray(forced, dtype=bool).tobytes()
    if at_most is not None and np.isfinite(at_most).any():
        bounds = np.ascontiguousarray(at_most, dtype=np.float64).tobytes()
    hidden, kinds_shown = _hidden_once(
        counts.tobytes(),
        counts.shape,
        k,
        allow_zero,
        one_way,
        tuple(map(tuple, links)),
        mask,
        bounds,
    )
    return (None if hidden is None else hidden.copy()), kinds_shown


def _primary(values: np.ndarray, k: int, allow_zero: bool) -> np.ndarray:
    """The cells hidden for being small: below ``k`` (zeros shown when ``allow_zero``)."""
    primary = values < k
    if allow_zero:
        primary &= values != 0
    return primary


@lru_cache(maxsize=256)
def _hidden_once(
    data: bytes,
    shape: tuple[int, ...],
    k: int,
    allow_zero: bool,
    one_way: bool,
    links: tuple[tuple[int, int], ...],
    forced: bytes | None = None,
    at_most: bytes | None = None,
) -> tuple[np.ndarray, bool]:
    """:func:`_hide` of the counts in ``data`` (``int64``, row by row), computed once.

    ``forced`` holds the cells forced hidden (``bool``, row by row) and ``at_most`` the
    bounds known from elsewhere (``float64``, ``inf`` for none); None for none.
    """
    values = np.frombuffer(data, dtype=np.int64).reshape(shape)
    mask = None if forced is None else np.frombuffer(forced, dtype=bool).reshape(shape)
    bounds = None if at_most is None else np.frombuffer(at_most, dtype=np.float64).reshape(shape)
    primary = _primary(values, k, allow_zero)
    hidden = _protect(values, primary, k, allow_zero, one_way, links, True, mask, bounds)
    kinds_shown = True
    if hidden is None or hidden.all():
        # Telling "<k" from "×" gives readers bounds that can pin values; when protecting
        # against them would hide everything, show every hidden cell as "×" instead.
        hidden = _protect(values, primary, k, allow_zero, one_way, links, False, mask, bounds)
        kinds_shown = False
    if hidden is not None:
        hidden.flags.writeable = False
    return hidden, kinds_shown
