"""Case paths and the published flow table, including its protection against flow sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bti_workbench.evaluation.caseflow import FLOW_COLUMNS, FLOW_ROWS, case_paths, flow_table
from tests.privacy.test_suppression import _integer_range

_MOVES = {
    0: ["1", "closed", "child_welfare", "open"],
    1: ["2", "closed", "child_welfare", "open"],
    2: ["1", "3", "closed", "child_welfare", "open"],
    3: ["2", "closed", "open"],
}


@st.composite
def event_logs(draw):
    rows = []
    for case in range(draw(st.integers(1, 30))):
        level, t = 0, pd.Timestamp(2018, 1, 1)
        rows.append((f"C{case}", t, "concern_raised", 0))
        for _ in range(6):
            move = draw(st.sampled_from(_MOVES[level]))
            t += pd.Timedelta(days=10)
            if move == "closed":
                rows.append(
                    (f"C{case}", t, "level0_decision" if level == 0 else "log_closed", level)
                )
                break
            if move == "child_welfare":
                rows.append((f"C{case}", t, "report_to_child_welfare", level))
                break
            if move == "open":
                break
            level = int(move)
            rows.append((f"C{case}", t, "level_changed", level))
    return pd.DataFrame(rows, columns=["case_id", "event_time", "event", "level"])


def test_paths_follow_the_log():
    log = pd.DataFrame(
        {
            "case_id": ["a"] * 6 + ["b"] * 2,
            "event_time": pd.to_datetime(
                [
                    "2018-01-01",
                    "2018-01-05",
                    "2018-01-05",
                    "2018-03-01",
                    "2018-05-01",
                    "2018-05-02",
                    "2018-01-01",
                    "2018-01-09",
                ]
            ),
            "event": [
                "concern_raised",
                "level0_decision",
                "level_changed",
                "level_changed",
                "report_to_child_welfare",
                "log_closed",
                "concern_raised",
                "level0_decision",
            ],
            "level": [0, 0, 1, 2, 2, 2, 0, 0],
        }
    )
    steps = (
        case_paths(log)
        .groupby("case_id")[["source", "target"]]
        .apply(lambda g: list(zip(g["source"], g["target"], strict=True)))
        .to_dict()
    )
    assert steps["a"] == [("concern", "0"), ("0", "1"), ("1", "2"), ("2", "child_welfare")]
    assert steps["b"] == [("concern", "0"), ("0", "closed")]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_logs())
def test_flow_table_cannot_be_solved_through_flow_sums(log):
    result = flow_table(log)
    table = case_paths(log).pipe(lambda p: pd.crosstab(p["source"], p["target"]))
    table = table.reindex(index=list(FLOW_ROWS), columns=list(FLOW_COLUMNS), fill_value=0)
    full = table.copy()
    full["total"] = full.sum(axis=1)
    full.loc["total"] = full.sum(axis=0)
    truth = full.to_numpy()
    hidden = result.hidden.to_numpy()
    assert not ((truth > 0) & (truth < 5) & ~hidden).any()
    # What enters a level leaves it: rows "0".."3" total as their columns do.
    assert (
        full.loc[["0", "1", "2", "3"], "total"].to_numpy()
        == full.loc["total", ["0", "1", "2", "3"]].to_numpy()
    ).all()
    linked = [(FLOW_ROWS.index(s), FLOW_COLUMNS.index(s)) for s in ("0", "1", "2", "3")]
    ranges = _integer_range(
        truth,
        hidden,
        result.primary.to_numpy(),
        5,
        True,
        kinds_shown=result.kinds_shown,
        linked=linked,
    )
    assert all(lo < hi or (not result.kinds_shown and hi == 0) for lo, hi in ranges), ranges
    shown = result.values.fillna(0).to_numpy(dtype=int)
    assert np.array_equal(shown[~hidden], truth[~hidden])
