"""Measures with their own evaluation dates (``evaluate_by``), and the 70-day fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.indicators import indicator_table
from bti_workbench.evaluation.measures import (
    evaluation_date_note,
    evaluations_overdue,
    measures_owner_and_evaluation,
)
from bti_workbench.evaluation.proportions import IndicatorCount
from bti_workbench.evaluation.summary import indicator_display
from bti_workbench.reference.labels import label
from tests.evaluation.test_indicators import H1, _random_log, _replicate, ev, frame


def _dated(log: pd.DataFrame, dates: dict[tuple[str, str], str]) -> pd.DataFrame:
    """``log`` with ``evaluate_by`` on the measure rows named by (case, day added)."""
    out = log.copy()
    out["evaluate_by"] = pd.NaT
    for (case, added), due in dates.items():
        row = (
            (out["case_id"] == case)
            & (out["event"] == "measure_added")
            & (out["event_time"].dt.normalize() == pd.Timestamp(added))
        )
        assert row.sum() == 1
        out.loc[row, "evaluate_by"] = pd.Timestamp(due)
    out["evaluate_by"] = out["evaluate_by"].astype("datetime64[ns]")
    return out


DATED_LOG = _dated(
    frame(
        *[ev(c, "2017-12-01", "log_opened") for c in "abcde"],
        ev("a", "2018-01-10", "measure_added"),
        ev("a", "2018-02-20", "measure_evaluated"),  # after its own date (10 Feb)
        ev("b", "2018-01-10", "measure_added"),
        ev("b", "2018-04-15", "measure_evaluated"),  # before its own date (30 April)
        ev("c", "2018-01-10", "measure_added"),  # no date of its own: 70 days, 21 March
        ev("d", "2018-03-01", "measure_added"),  # due 15 July, after the period
        ev("e", "2018-01-10", "measure_added"),  # due on the period's last day, never done
    ),
    {
        ("a", "2018-01-10"): "2018-02-10",
        ("b", "2018-01-10"): "2018-04-30",
        ("d", "2018-03-01"): "2018-07-15",
        ("e", "2018-01-10"): "2018-06-30",
    },
)


def test_evaluations_overdue_by_their_own_dates():
    # Due in H1: a (10 Feb), b (30 Apr), c (21 Mar, assumed), e (30 Jun); d in July.
    # Overdue with the log open: a (evaluated 20 Feb), c, e = 3 of 4.
    assert evaluations_overdue(DATED_LOG, H1) == IndicatorCount(3, 4)
    # Without the column every deadline is 70 days after the measure: a, b, c and e due
    # 21 March, d 10 May. In time: a (20 Feb). Overdue: b (15 Apr), c, d, e = 4 of 5.
    old = DATED_LOG.drop(columns="evaluate_by")
    assert evaluations_overdue(old, H1) == IndicatorCount(4, 5)


def test_measures_owner_and_evaluation_by_their_own_dates():
    # Added in H1: a, b, c, d, e. Outcome known by 30 June: evaluated a, b; deadline passed
    # c (21 Mar) and e (30 Jun, the end of its day is the period end); d waits until July.
    # Evaluated with an owner: a, b = 2 of 4.
    assert measures_owner_and_evaluation(DATED_LOG, H1) == IndicatorCount(2, 4)
    # With the 70-day assumption d's deadline (10 May) has passed too: 2 of 5.
    old = DATED_LOG.drop(columns="evaluate_by")
    assert measures_owner_and_evaluation(old, H1) == IndicatorCount(2, 5)


def test_the_note_says_when_the_deadline_was_assumed():
    assert evaluation_date_note(np.array([False, False])) is None
    assert evaluation_date_note(np.array([], dtype=bool)) is None
    partly = evaluation_date_note(np.array([True, False]), 70)
    assert partly.key == "ind.note.evaluation_days_partly" and partly.fields == {"days": 70}
    assert evaluation_date_note(np.array([True]), 50).fields == {"days": 50}
    assert evaluation_date_note(np.array([True])).key == "ind.note.evaluation_days_assumed"

    def notes(log: pd.DataFrame) -> dict[str, str]:
        table = indicator_table(log, period=H1)
        return {name: note.key for name, note in table.notes.items()}

    # c has no date of its own, and it is counted by both rows: "some".
    partly_key = "ind.note.evaluation_days_partly"
    assert notes(DATED_LOG) == {
        "measures_owner_and_evaluation": partly_key,
        "evaluations_overdue": partly_key,
    }
    # Every measure dated: no note. No column (an older export): "none has a date".
    all_dated = DATED_LOG.assign(
        evaluate_by=DATED_LOG["evaluate_by"]
        .fillna(pd.Timestamp("2018-03-21"))
        .where(DATED_LOG["event"] == "measure_added")
    )
    assert notes(all_dated) == {}
    assumed = "ind.note.evaluation_days_assumed"
    old = DATED_LOG.drop(columns="evaluate_by")
    assert notes(old) == {"measures_owner_and_evaluation": assumed, "evaluations_overdue": assumed}
    # The counts of the table are those of the functions.
    table = indicator_table(old, period=H1)
    assert table.raw.loc["evaluations_overdue"].tolist() == [4, 5]


def test_the_note_follows_the_definition_for_the_reader():
    old = _replicate(DATED_LOG.drop(columns="evaluate_by"), 5)
    table = indicator_table(old, period=H1)
    for lang in ("nb", "en"):
        shown = indicator_display(table, lang).set_index(label("rep.col.indicator", lang))
        definition = shown.loc[label("ind.evaluations_overdue", lang)].iloc[-1]
        assert definition.startswith(label("ind.evaluations_overdue.definition", lang))
        assert definition.endswith(label("ind.note.evaluation_days_assumed", lang, days=70))
        consent = shown.loc[label("ind.consent_present", lang)].iloc[-1]
        assert consent == label("ind.consent_present.definition", lang)


def _slow_overdue(log: pd.DataFrame, period, days: int) -> tuple[int, int]:
    """Case by case, with each measure's own date where it has one."""
    start, last = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    overdue = due = 0
    for _, case in log.sort_values("event_time", kind="stable").groupby("case_id"):
        closed = case.loc[case["event"] == "log_closed", "event_time"]
        closed = closed.max() if len(closed) else pd.Timestamp.max
        stack, matched = [], []
        for t, event, planned in zip(
            case["event_time"], case["event"], case["evaluate_by"], strict=True
        ):
            if event == "measure_added":
                stack.append([t, None, planned])
                matched.append(stack[-1])
            elif event == "measure_evaluated" and stack:
                stack.pop()[1] = t
        for added, evaluated, planned in matched:
            deadline = added.normalize() + pd.Timedelta(days=days)
            if not pd.isna(planned):
                deadline = planned
            if not start <= deadline <= last:
                continue
            in_time = evaluated is not None and evaluated.normalize() <= deadline
            open_then = closed >= deadline + pd.Timedelta(days=1)
            due += in_time or open_then
            overdue += (not in_time) and open_then
    return overdue, due


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_own_dates_agree_with_a_case_by_case_count(seed):
    log = _random_log(seed).drop_duplicates(["case_id", "event_time"])
    rng = np.random.default_rng(seed)
    measure = (log["event"] == "measure_added").to_numpy()
    offsets = pd.to_timedelta(rng.integers(7, 120, len(log)), unit="D")
    dated = measure & (rng.random(len(log)) < 0.7)
    log["evaluate_by"] = (log["event_time"].dt.normalize() + offsets).where(dated)
    assert log["evaluate_by"].notna().any() and (measure & ~dated).any()
    for period in [("2018-03-01", "2018-06-30"), ("2018-07-01", "2019-06-30")]:
        assert tuple(evaluations_overdue(log, period)) == _slow_overdue(log, period, 70)
