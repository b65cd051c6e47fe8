"""Small-cell suppression, including property tests that no hidden cell can be worked out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bti_workbench.privacy import suppress_small


def _extended_equations(shape: tuple[int, int]) -> np.ndarray:
    """Linear equations of a table with a total row and column (last row/column)."""
    rows, cols = shape
    n = rows * cols
    equations = []
    for r in range(rows):
        eq = np.zeros(n)
        eq[r * cols : (r + 1) * cols - 1] = 1
        eq[r * cols + cols - 1] = -1
        equations.append(eq)
    for c in range(cols):
        eq = np.zeros(n)
        eq[[r * cols + c for r in range(rows - 1)]] = 1
        eq[(rows - 1) * cols + c] = -1
        equations.append(eq)
    return np.array(equations)


def _recoverable(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Hidden cells whose value follows from the visible ones through the table's sums."""
    shape = hidden.shape
    flat = hidden.ravel()
    if not flat.any():
        return []
    a = _extended_equations(shape)[:, flat]
    rank = np.linalg.matrix_rank(a)
    found = []
    for j, idx in enumerate(np.flatnonzero(flat)):
        unit = np.zeros(a.shape[1])
        unit[j] = 1
        # A hidden cell is determined iff its unit vector lies in the row space of a.
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(divmod(int(idx), shape[1]))
    return found


tables = st.integers(2, 5).flatmap(
    lambda r: st.integers(2, 5).flatmap(
        lambda c: st.lists(
            st.lists(st.integers(0, 25), min_size=c, max_size=c), min_size=r, max_size=r
        )
    )
)


def _integer_range(
    truth,
    hidden,
    primary,
    k,
    allow_zero,
    one_way=False,
    kinds_shown=True,
    linked=(),
    at_most=None,
):
    """Smallest and largest integer value each hidden cell can take, by integer programming.

    The reader's knowledge: every visible count, the published sums, ``<k`` cells in
    [0 (1 with allow_zero), k - 1], protecting cells at least k (or 0 if they are zero), and
    the upper bounds ``at_most`` (the whole table, ``inf`` where none) known from elsewhere.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    shape = truth.shape
    flat = hidden.ravel()
    if one_way:
        equations = np.zeros((1, truth.size))
        equations[0, :-1] = 1
        equations[0, -1] = -1
    else:
        equations = _extended_equations(shape)
    for r, c in linked:  # row r's total equals column c's total
        extra = np.zeros(truth.size)
        extra[r * shape[1] + shape[1] - 1] = 1
        extra[(shape[0] - 1) * shape[1] + c] = -1
        equations = np.vstack([equations, extra])
    known = truth.ravel().astype(float)
    a = equations[:, flat]
    b = -equations[:, ~flat] @ known[~flat]
    low = np.where(
        primary.ravel(), 1.0 if allow_zero else 0.0, np.where(known >= k, float(k), 0.0)
    )[flat]
    high = np.where(primary.ravel(), float(k - 1), 10 * known.sum() + 10)[flat]
    if not kinds_shown:  # every hidden cell shows as "×": only non-negativity is known
        low, high = np.zeros(flat.sum()), np.full(flat.sum(), 10 * known.sum() + 10)
    if at_most is not None:
        high = np.minimum(high, np.asarray(at_most, dtype=float).ravel()[flat])
    ranges = []
    for j in range(flat.sum()):
        c = np.zeros(flat.sum())
        c[j] = 1
        ends = []
        for sign in (1, -1):
            res = milp(
                sign * c,
                constraints=LinearConstraint(a, b, b),
                integrality=np.ones(flat.sum()),
                bounds=Bounds(low, high),
            )
            assert res.status == 0, res.message  # the truth is always a solution
            ends.append(round(sign * res.fun))
        ranges.append(tuple(ends))
    return ranges


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.integers(2, 6), st.booleans())
def test_two_way_suppression_is_safe(rows, k, allow_zero):
    table = pd.DataFrame(rows)
    result = suppress_small(table, k=k, allow_zero=allow_zero)
    values = result.values
    hidden = result.hidden.to_numpy()
    full = table.copy()
    full["total"] = full.sum(axis=1)
    full.loc["total"] = full.sum(axis=0)
    truth = full.to_numpy()
    visible = ~hidden
    # No visible cell below k (zeros only when allowed), totals included.
    small = (truth < k) & ((truth != 0) | (not allow_zero))
    assert not (small & visible).any()
    # Visible cells are the true counts.
    assert (values.to_numpy()[visible].astype(int) == truth[visible]).all()
    # No hidden cell can be worked out from the visible cells and totals alone …
    assert _recoverable(hidden) == []
    # … nor pinned to one value once the reader also uses what the display says.
    ranges = _integer_range(
        truth, hidden, result.primary.to_numpy(), k, allow_zero, kinds_shown=result.kinds_shown
    )
    # A hidden zero may stay at 0 only when the display gives no bounds (all hidden as "×").
    assert all(lo < hi or (not result.kinds_shown and hi == 0) for lo, hi in ranges), ranges
    if not result.kinds_shown:
        assert set(result.formatted().to_numpy()[hidden]) == {"×"}


@pytest.mark.parametrize(
    "rows",
    [
        [[4, 4, 20], [4, 4, 20], [20, 20, 20]],  # "<5 <5 20 | 28" would make both small cells 4
        [[0, 0, 9], [6, 7, 8]],  # "<5 <5 9 | 9" would make both small cells 0
    ],
)
def test_bounds_cannot_pin_a_cell(rows):
    table = pd.DataFrame(rows)
    result = suppress_small(table)
    full = table.copy()
    full["total"] = full.sum(axis=1)
    full.loc["total"] = full.sum(axis=0)
    ranges = _integer_range(
        full.to_numpy(), result.hidden.to_numpy(), result.primary.to_numpy(), 5, False
    )
    assert ranges and all(lo < hi for lo, hi in ranges), ranges


@settings(deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=8), st.integers(2, 6))
def test_one_way_suppression_is_safe(counts, k):
    result = suppress_small(pd.Series(counts, name="n"), k=k)
    hidden = result.hidden.iloc[:, 0].to_numpy()
    truth = np.array([*counts, sum(counts)])
    assert not ((truth < k) & ~hidden).any()
    assert hidden.sum() != 1  # a single hidden entry would follow from the total
    ranges = _integer_range(
        truth[:, None],
        hidden[:, None],
        result.primary.to_numpy(),
        k,
        False,
        one_way=True,
        kinds_shown=result.kinds_shown,
    )
    assert all(lo < hi or (not result.kinds_shown and hi == 0) for lo, hi in ranges), ranges


def test_tables_with_totals_are_refused():
    with pytest.raises(ValueError, match="already has a total"):
        suppress_small(pd.DataFrame({"a": [1, 2], "total": [1, 2]}))
    crosstab = pd.crosstab(pd.Series(list("aab")), pd.Series(list("xyx")), margins=True)
    with pytest.raises(ValueError, match="already has a total"):
        suppress_small(crosstab)


def test_names_are_kept():
    series = pd.Series([7, 9], index=pd.Index(["a", "b"], name="level"), name="cases")
    assert suppress_small(series).values.index.name == "level"


def test_formatted_labels():
    table = pd.DataFrame({"a": [12, 3], "b": [20, 9]}, index=["x", "y"])
    result = suppress_small(table)
    shown = result.formatted("nb")
    assert shown.loc["y", "a"] == "<5"
    # y's total and column a's total would give 3 away, so a cycle of cells is hidden with it.
    assert shown.loc["y", "b"] == "×"
    assert int(result.hidden.to_numpy().sum()) == 4
    assert result.formatted("en").loc["total", "total"] == "44"
    assert suppress_small(table, k=3).formatted().loc["y", "a"] == "3"


def test_rejects_non_counts():
    with pytest.raises(ValueError, match="non-negative whole counts"):
        suppress_small(pd.DataFrame({"a": [1.5, 2]}))
    with pytest.raises(ValueError, match="k must be at least 2"):
        suppress_small(pd.DataFrame({"a": [1, 2]}), k=1)


# --------------------------------------------------------------------------------------------
# Network tables: symmetric counts whose row and column totals agree (``linked``)


def _symmetric(n: int, upper: list[int]) -> pd.DataFrame:
    matrix = np.zeros((n, n), dtype=int)
    matrix[np.triu_indices(n, 1)] = upper
    matrix = matrix + matrix.T
    names = [f"s{i}" for i in range(n)]
    return pd.DataFrame(matrix, index=names, columns=names)


symmetric_tables = st.integers(2, 5).flatmap(
    lambda n: st.lists(
        st.integers(0, 12), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2
    ).map(lambda upper: _symmetric(n, upper))
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(symmetric_tables, st.integers(2, 6))
def test_linked_network_tables_are_safe(table, k):
    names = list(table.index)
    result = suppress_small(table, k=k, allow_zero=True, linked=[(n, n) for n in names])
    hidden = result.hidden.to_numpy()
    full = table.copy()
    full["total"] = full.sum(axis=1)
    full.loc["total"] = full.sum(axis=0)
    truth = full.to_numpy()
    assert not (((truth < k) & (truth != 0)) & ~hidden).any()
    if not hidden.any():
        return
    ranges = _integer_range(
        truth,
        hidden,
        result.primary.to_numpy(),
        k,
        True,
        kinds_shown=result.kinds_shown,
        linked=[(i, i) for i in range(len(names))],
    )
    assert all(lo < hi or (not result.kinds_shown and hi == 0) for lo, hi in ranges), ranges


# The shared cases of the demo networks of Haugesund and Skien (whole period), and the cells
# the audit hid before it was made fast (recorded from that implementation, with whether
# the display told "<k" from "×"). The audit must hide exactly these.
HAUGESUND = [
    [0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0],
    [0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2],
    [0, 1, 0, 1, 1, 4, 0, 0, 0, 0, 1, 0, 12, 1],
    [0, 1, 1, 0, 2, 0, 0, 1, 1, 0, 0, 0, 0, 4],
    [0, 0, 1, 2, 0, 12, 0, 0, 0, 0, 0, 0, 1, 1],
    [0, 1, 4, 0, 12, 0, 0, 1, 0, 0, 4, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 4, 0],
    [0, 0, 0, 1, 0, 1, 0, 0, 7, 0, 1, 0, 0, 5],
    [2, 0, 0, 1, 0, 0, 0, 7, 0, 1, 0, 3, 1, 2],
    [0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 1, 0, 0],
    [0, 0, 1, 0, 0, 4, 0, 1, 0, 0, 0, 0, 8, 1],
    [1, 0, 0, 0, 0, 0, 0, 0, 3, 1, 0, 0, 0, 0],
    [0, 1, 12, 0, 1, 0, 4, 0, 1, 0, 8, 0, 0, 20],
    [0, 2, 1, 4, 1, 0, 0, 5, 2, 0, 1, 0, 20, 0],
]
SKIEN = [
    [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 4, 0, 0],
    [0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 3, 0, 0, 0],
    [0, 0, 0, 0, 0, 6, 1, 0, 1, 0, 0, 1, 0, 6, 1],
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
    [0, 0, 0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 5],
    [0, 1, 6, 0, 2, 0, 14, 0, 1, 0, 1, 0, 0, 1, 5],
    [0, 4, 1, 0, 0, 14, 0, 0, 1, 0, 1, 7, 0, 0, 2],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 1, 1],
    [0, 0, 1, 0, 1, 1, 1, 0, 0, 6, 0, 1, 0, 1, 5],
    [1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 2, 0, 0],
    [0, 0, 0, 0, 0, 1, 1, 4, 0, 0, 0, 0, 0, 0, 1],
    [1, 3, 1, 0, 0, 0, 7, 0, 1, 0, 0, 0, 1, 17, 3],
    [4, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0],
    [0, 0, 6, 0, 0, 1, 0, 1, 1, 0, 0, 17, 0, 0, 22],
    [0, 0, 1, 0, 5, 5, 2, 1, 5, 0, 1, 3, 0, 22, 0],
]
_HAUGESUND_K3_K5 = [
    "000000001001001",
    "001101000000111",
    "010111000010111",
    "011010011000011",
    "001101000000111",
    "011010010010001",
    "000000000100101",
    "000101001010011",
    "100100010101111",
    "000000101001001",
    "001001010000111",
    "100000001100001",
    "011010101010011",
    "011110011010101",
    "111111111111111",
]
RECORDED = {
    ("haugesund", 3): (True, _HAUGESUND_K3_K5),
    ("haugesund", 5): (True, _HAUGESUND_K3_K5),
    ("haugesund", 10): (
        True,
        [
            "000000001001001",
            "001101000000111",
            "010111000010010",
            "011010011000010",
            "001100000000110",
            "011000010010000",
            "000000000100101",
            "000101001010010",
            "100100010101110",
            "000000101001001",
            "001001010000110",
            "100000001100001",
            "010010101010000",
            "011110011010000",
            "110000100101000",
        ],
    ),
    ("skien", 3): (
        False,
        [
            "0001000001010000",
            "0000010000010000",
            "0000001010010010",
            "1000000000001001",
            "0000010010000000",
            "0100100010100100",
            "0010000010100010",
            "0000000000000110",
            "0010111000010100",
            "1000000000001001",
            "0000011000000010",
            "1110000010001000",
            "0001000001010000",
            "0000010110000000",
            "0010001100100000",
            "0001000001000000",
        ],
    ),
}


def _network_table(name: str) -> pd.DataFrame:
    matrix = {"haugesund": HAUGESUND, "skien": SKIEN}[name]
    names = [f"s{i:02d}" for i in range(len(matrix))]
    return pd.DataFrame(matrix, index=names, columns=names)


@pytest.mark.parametrize(("name", "k"), list(RECORDED))
def test_network_tables_hide_what_they_always_hid(name, k):
    table = _network_table(name)
    linked = [(n, n) for n in table.index]
    result = suppress_small(table, k=k, allow_zero=True, linked=linked)
    kinds_shown, rows = RECORDED[(name, k)]
    assert result.kinds_shown is kinds_shown
    assert ["".join(str(int(v)) for v in row) for row in result.hidden.to_numpy()] == rows


def test_haugesund_network_table_pins_no_cell():
    table = _network_table("haugesund")
    names = list(table.index)
    result = suppress_small(table, k=5, allow_zero=True, linked=[(n, n) for n in names])
    full = table.copy()
    full["total"] = full.sum(axis=1)
    full.loc["total"] = full.sum(axis=0)
    ranges = _integer_range(
        full.to_numpy(),
        result.hidden.to_numpy(),
        result.primary.to_numpy(),
        5,
        True,
        linked=[(i, i) for i in range(len(names))],
    )
    assert all(lo < hi for lo, hi in ranges), ranges


def test_the_audit_of_a_table_is_computed_once_and_not_shared_mutably():
    from bti_workbench.privacy import suppression

    table = _network_table("haugesund")
    linked = [(n, n) for n in table.index]
    first = suppress_small(table, k=5, allow_zero=True, linked=linked)
    before = suppression._hidden_once.cache_info().hits
    values = first.values.fillna(0).to_numpy(dtype="int64")
    values[:-1, :-1] = table.to_numpy()
    values[:-1, -1] = table.sum(axis=1)
    values[-1, :] = values[:-1, :].sum(axis=0)
    links = [(i, i) for i in range(len(table))]
    hidden, kinds_shown = suppression._hide(values, 5, True, False, links)
    assert suppression._hidden_once.cache_info().hits == before + 1
    assert kinds_shown and (hidden == first.hidden.to_numpy()).all()
    hidden[:] = False  # a caller changing its answer …
    again = suppress_small(table, k=5, allow_zero=True, linked=linked)
    assert again.hidden.to_numpy().sum() == 99  # … changes nothing for the next one
    other_k = suppress_small(table, k=10, allow_zero=True, linked=linked)
    assert other_k.hidden.to_numpy().sum() == 74  # k is part of the key


# --------------------------------------------------------------------------------------------
# The audit against its definition, round after round


def _reference_first_pinned(truth, hidden, lower, upper, links):
    """The first hidden cell (row by row) whose smallest and largest whole-number values
    are its true value, by one integer programme per end: the audit's definition."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    equations = _extended_equations(truth.shape)
    for r, c in links:
        extra = np.zeros(truth.size)
        extra[r * truth.shape[1] + truth.shape[1] - 1] = 1
        extra[(truth.shape[0] - 1) * truth.shape[1] + c] = -1
        equations = np.vstack([equations, extra])
    flat = hidden.ravel()
    known = truth.ravel().astype(float)
    a = equations[:, flat]
    b = -equations[:, ~flat] @ known[~flat]
    low = lower.ravel()[flat]
    high = np.minimum(upper.ravel()[flat], 10 * known.sum() + 10)
    for j, position in enumerate(np.flatnonzero(flat)):
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(flat.sum())
            c[j] = sign
            res = milp(
                c,
                constraints=LinearConstraint(a, b, b),
                integrality=np.ones(flat.sum()),
                bounds=Bounds(low, high),
            )
            assert res.status == 0, res.message
            ends.append(round(sign * res.fun))
        if ends[0] == ends[1] == known[position]:
            return divmod(int(position), truth.shape[1])
    return None


# Seed 3 draws a network of small counts only: nothing there can be pinned.
@pytest.mark.parametrize("seed", [s for s in range(16) if s != 3])
def test_the_audit_finds_the_first_pinned_cell_round_after_round(seed):
    from bti_workbench.privacy.suppression import _Reader

    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 7))
    if seed % 2:  # a network table: symmetric, totals linked
        n = int(rng.integers(3, 6))
        inner = _symmetric(n, list(rng.integers(0, 15, n * (n - 1) // 2))).to_numpy()
        links = [(i, i) for i in range(n)]
    else:
        inner = rng.integers(0, 12, size=(int(rng.integers(2, 5)), int(rng.integers(2, 5))))
        links = []
    truth = np.zeros((inner.shape[0] + 1, inner.shape[1] + 1), dtype=np.int64)
    truth[:-1, :-1] = inner
    truth[:-1, -1] = inner.sum(axis=1)
    truth[-1, :] = truth[:-1, :].sum(axis=0)
    primary = (truth < k) & (truth != 0)
    hidden = primary.copy()
    reader = _Reader(truth, False, links)
    upper = np.where(primary, float(k - 1), np.inf)
    pinned = 0
    for round_ in range(4):  # rounds hide more cells, as secondary suppression does
        hidden |= rng.random(truth.shape) < 0.2 * (round_ > 0)
        lower = np.where(primary, 1.0, np.where(hidden & (truth >= k), float(k), 0.0))
        expected = _reference_first_pinned(truth, hidden, lower, upper, links)
        assert reader.first_pinned(hidden, lower, upper) == expected
        pinned += expected is not None
    assert pinned  # every seed here meets a pinned cell in some round


# --------------------------------------------------------------------------------------------
# Cells forced hidden (``hide``) and bounds known from elsewhere (``at_most``)


def _with_totals(table: pd.DataFrame) -> pd.DataFrame:
    full = table.copy()
    full["total"] = full.sum(axis=1)
    full.loc["total"] = full.sum(axis=0)
    return full


def test_a_forced_cell_hides_as_a_protecting_cell_with_partners_in_its_row_and_column():
    table = pd.DataFrame([[12, 20, 15], [30, 9, 11], [8, 14, 25]], columns=["a", "b", "c"])
    assert not suppress_small(table).hidden.to_numpy().any()  # nothing small
    hide = pd.DataFrame(False, index=table.index, columns=table.columns)
    hide.loc[1, "b"] = True
    result = suppress_small(table, hide=hide)
    assert result.formatted("nb").loc[1, "b"] == "×"  # not "<5": 9 is not small
    assert not result.primary.to_numpy().any() and result.secondary.loc[1, "b"]
    hidden = result.hidden.to_numpy()
    # Its row and its column each hide another body cell: neither total gives the 9 back …
    assert hidden[1, :3].sum() >= 2 and hidden[:3, 1].sum() >= 2
    assert _recoverable(hidden) == []
    # … and no hidden cell is pinned by the sums and the display's bounds ("×" ≥ 5) either.
    ranges = _integer_range(
        _with_totals(table).to_numpy(), hidden, result.primary.to_numpy(), 5, False
    )
    assert ranges and all(lo < hi for lo, hi in ranges), ranges
    assert (result.values.to_numpy()[~hidden] == _with_totals(table).to_numpy()[~hidden]).all()


def test_a_total_can_be_forced_hidden_and_is_protected():
    table = pd.DataFrame([[12, 20], [30, 9]], index=["x", "y"], columns=["a", "b"])
    hide = pd.DataFrame(False, index=["x", "y", "total"], columns=["a", "b", "total"])
    hide.loc["x", "total"] = True
    result = suppress_small(table, hide=hide)
    hidden = result.hidden.to_numpy()
    assert result.formatted("en").loc["x", "total"] == "×"
    assert hidden[0, :2].any()  # else x's cells would add up to it
    assert _recoverable(hidden) == []
    series = pd.Series([12, 20, 30], index=["p", "q", "r"], name="n")
    one_way = suppress_small(series, hide=pd.Series(False, index=["p", "q", "r", "total"]))
    assert not one_way.hidden.to_numpy().any()  # an all-False mask hides nothing
    forced = pd.Series([False, False, False, True], index=["p", "q", "r", "total"])
    one_way = suppress_small(series, hide=forced)
    assert one_way.hidden.iloc[:, 0].sum() >= 2 and bool(one_way.hidden.loc["total"].iloc[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables, st.integers(2, 6), st.booleans(), st.randoms(use_true_random=False))
def test_forced_cells_are_hidden_and_nothing_hidden_is_pinned(rows, k, allow_zero, rnd):
    table = pd.DataFrame(rows)
    mask = np.array([[rnd.random() < 0.25 for _ in row] for row in rows])
    hide = pd.DataFrame(mask, index=table.index, columns=table.columns)
    result = suppress_small(table, k=k, allow_zero=allow_zero, hide=hide)
    hidden = result.hidden.to_numpy()
    truth = _with_totals(table).to_numpy()
    assert hidden[:-1, :-1][mask].all()
    # Forced cells are never marked small unless they are; the small cells stay "<k".
    assert (result.primary.to_numpy() == ((truth < k) & ((truth != 0) | (not allow_zero)))).all()
    assert _recoverable(hidden) == []
    ranges = _integer_range(
        truth, hidden, result.primary.to_numpy(), k, allow_zero, kinds_shown=result.kinds_shown
    )
    assert all(lo < hi or (not result.kinds_shown and hi == 0) for lo, hi in ranges), ranges


def test_the_cache_tells_masks_apart():
    from bti_workbench.privacy import suppression

    table = pd.DataFrame([[12, 20, 15], [30, 9, 11], [8, 14, 25]])
    first = pd.DataFrame(False, index=table.index, columns=table.columns)
    second = first.copy()
    first.loc[0, 0] = True
    second.loc[2, 2] = True
    plain = suppress_small(table, k=5)
    info = suppression._hidden_once.cache_info()
    one = suppress_small(table, k=5, hide=first)
    two = suppress_small(table, k=5, hide=second)
    assert suppression._hidden_once.cache_info().misses == info.misses + 2  # two audits
    assert bool(one.hidden.loc[0, 0]) and not bool(one.hidden.loc[2, 2])
    assert bool(two.hidden.loc[2, 2]) and not bool(two.hidden.loc[0, 0])
    assert not plain.hidden.to_numpy().any()  # the unmasked answer was not overwritten
    again = suppress_small(table, k=5, hide=first)
    assert suppression._hidden_once.cache_info().hits == info.hits + 1
    assert again.hidden.equals(one.hidden)
    bounds = pd.DataFrame(99.0, index=table.index, columns=table.columns)
    suppress_small(table, k=5, hide=first, at_most=bounds)
    assert suppression._hidden_once.cache_info().misses == info.misses + 3  # bounds too


# Hidden cells of a few tables, recorded from the implementation before ``hide`` existed.
BEFORE_HIDE = {
    "a": ([[12, 3, 20], [9, 14, 2], [30, 7, 11]], 5, False, ["0110", "0110", "0000", "0000"]),
    "b": (
        [[0, 6, 8, 1], [7, 0, 13, 22], [4, 9, 16, 5]],
        5,
        True,
        ["01111", "10010", "11111", "11000"],
    ),
    "c": ([[2, 8, 2, 2]], 2, False, ["00000", "00000"]),
    "d": ([[25, 4], [1, 40], [6, 6], [10, 3]], 3, False, ["000", "110", "110", "000", "000"]),
}


@pytest.mark.parametrize("name", list(BEFORE_HIDE))
def test_without_a_mask_the_result_is_what_it_was(name):
    rows, k, allow_zero, expected = BEFORE_HIDE[name]
    table = pd.DataFrame(rows)
    no_mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    for kwargs in ({}, {"hide": None}, {"hide": no_mask}, {"at_most": None}):
        result = suppress_small(table, k=k, allow_zero=allow_zero, **kwargs)
        assert result.kinds_shown
        assert ["".join(str(int(v)) for v in row) for row in result.hidden.to_numpy()] == expected
    series = suppress_small(pd.Series([7, 2, 11, 0, 9], name="n"), hide=pd.Series([False] * 5))
    assert "".join(str(int(v)) for v in series.hidden.to_numpy().ravel()) == "010100"


def test_bounds_known_from_elsewhere_keep_a_forced_cell_from_being_pinned():
    # One service's open cases per level, and everyone's: 2 8 2 2 of 2 9 5 2 (k = 2). The
    # 8 must hide (9 − 8 = 1). Hidden with the 2 beside it, "×" says that 2 is at least 2
    # and everyone's 2 says it is at most 2: the reader pins it, then the 8, then the 1.
    table = pd.DataFrame([[2, 8, 2, 2]], columns=[0, 1, 2, 3])
    everyone = _with_totals(pd.DataFrame([[2, 9, 5, 2]], columns=[0, 1, 2, 3]))
    hide = pd.DataFrame([[False, True, False, False]], columns=[0, 1, 2, 3])
    truth = _with_totals(table).to_numpy()
    blind = suppress_small(table, k=2, hide=hide)
    ranges = _integer_range(
        truth,
        blind.hidden.to_numpy(),
        blind.primary.to_numpy(),
        2,
        False,
        kinds_shown=blind.kinds_shown,
        at_most=everyone.to_numpy(),
    )
    assert any(lo == hi for lo, hi in ranges)  # the leak the bounds close
    result = suppress_small(table, k=2, hide=hide, at_most=everyone)
    assert bool(result.hidden.loc[0, 1])
    ranges = _integer_range(
        truth,
        result.hidden.to_numpy(),
        result.primary.to_numpy(),
        2,
        False,
        kinds_shown=result.kinds_shown,
        at_most=everyone.to_numpy(),
    )
    assert ranges and all(lo < hi for lo, hi in ranges), ranges


def test_masks_and_bounds_are_checked():
    table = pd.DataFrame([[12, 20], [30, 9]], index=["x", "y"], columns=["a", "b"])
    with pytest.raises(ValueError, match="hide's rows"):
        suppress_small(table, hide=pd.DataFrame(False, index=["x", "z"], columns=["a", "b"]))
    with pytest.raises(ValueError, match="booleans"):
        suppress_small(table, hide=pd.DataFrame(1, index=table.index, columns=table.columns))
    with pytest.raises(ValueError, match="DataFrame for a two-way"):
        suppress_small(table, hide=pd.Series([True, False]))
    with pytest.raises(ValueError, match="below a count"):
        suppress_small(table, at_most=pd.DataFrame(10, index=table.index, columns=table.columns))
    with pytest.raises(ValueError, match="at_most's columns"):
        suppress_small(table, at_most=pd.DataFrame(99, index=table.index, columns=["a", "c"]))
