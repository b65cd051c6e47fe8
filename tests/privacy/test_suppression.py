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
    truth, hidden, primary, k, allow_zero, one_way=False, kinds_shown=True, linked=()
):
    """Smallest and largest integer value each hidden cell can take, by integer programming.

    The reader's knowledge: every visible count, the published sums, ``<k`` cells in
    [0 (1 with allow_zero), k - 1], protecting cells at least k (or 0 if they are zero).
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
