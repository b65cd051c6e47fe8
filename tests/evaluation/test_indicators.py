"""Evaluation indicators: hand-counted scenarios, boundaries, suppression and the demo data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.indicators import (
    INDICATORS,
    cases_by_level,
    consent_expired_not_renewed,
    consent_present,
    dropped_batons,
    dropped_batons_by_month,
    handover_gaps,
    indicator_table,
    level0_decision_14d,
    parents_participating,
    young_person_participating,
)
from bti_workbench.evaluation.measures import evaluations_overdue, measures_owner_and_evaluation
from bti_workbench.evaluation.proportions import IndicatorCount
from bti_workbench.ingest.readers import read
from bti_workbench.reference.labels import label

Q1 = ("2018-01-01", "2018-03-31")
H1 = ("2018-01-01", "2018-06-30")


def ev(case, when, event, role="baton_holder", actor="h1", level=1):
    return (case, pd.Timestamp(when), event, level, role, actor)


def frame(*rows) -> pd.DataFrame:
    """An event log from rows, shuffled so no test leans on the input order."""
    columns = ["case_id", "event_time", "event", "level", "role", "actor_id"]
    return pd.DataFrame(list(rows), columns=columns).sample(frac=1, random_state=3)


# --------------------------------------------------------------------------------------------
# Consent and participation


def test_consent_present_at_opening():
    log = frame(
        ev("a", "2018-01-10 08:00", "log_opened"),
        ev("a", "2018-01-10 09:00", "consent_given", "parent", "p"),  # later the same day: ok
        ev("b", "2017-01-05", "consent_given", "parent", "p"),
        ev("b", "2018-01-05", "consent_expired", "parent", "p"),  # expired before opening
        ev("b", "2018-01-20", "log_opened"),
        ev("c", "2017-01-05", "consent_given", "parent", "p"),
        ev("c", "2018-01-05", "consent_expired", "parent", "p"),
        ev("c", "2018-01-15", "consent_given", "parent", "p"),  # renewed before opening
        ev("c", "2018-01-20", "log_opened"),
        ev("d", "2018-02-01", "log_opened"),
        ev("d", "2018-02-02", "consent_given", "parent", "p"),  # the day after: too late
        ev("e", "2018-04-01", "log_opened"),  # opened after the period
        ev("f", "2017-12-01", "consent_given", "parent", "p"),
        ev("f", "2017-12-01", "log_opened"),  # opened before the period
        ev("g", "2018-03-01 10:00", "consent_expired", "parent", "p"),
        ev("g", "2018-03-01 10:00", "consent_given", "parent", "p"),  # renewal wins a tie
        ev("g", "2018-03-31", "log_opened"),
    )
    # Opened in Q1: a, b, c, d, g = 5; with consent: a, c, g = 3.
    assert consent_present(log, Q1) == IndicatorCount(3, 5)


def test_consent_expired_not_renewed():
    log = frame(
        *[ev(c, "2017-01-01", "log_opened") for c in "abcdef"],
        ev("a", "2018-02-01", "consent_expired", "parent", "p"),
        ev("a", "2018-02-10", "consent_given", "parent", "p"),  # renewed
        ev("b", "2018-03-01", "consent_expired", "parent", "p"),  # never renewed
        ev("c", "2018-03-01", "consent_expired", "parent", "p"),
        ev("c", "2018-03-05", "log_closed"),
        ev("c", "2018-03-10", "consent_given", "parent", "p"),  # after the log closed
        ev("d", "2018-06-20", "consent_expired", "parent", "p"),
        ev("d", "2018-07-05", "consent_given", "parent", "p"),  # after the period end
        ev("e", "2018-01-10", "consent_expired", "parent", "p"),
        ev("e", "2018-01-20", "consent_given", "parent", "p"),
        ev("e", "2018-05-01", "consent_expired", "parent", "p"),  # expired again, not renewed
        ev("f", "2017-12-31", "consent_expired", "parent", "p"),  # before the period
        ev("g", "2018-02-01", "consent_expired", "parent", "p"),  # no log at all
    )
    # Logs with an expiry in H1: a, b, c, d, e = 5 (e once); not renewed: b, c, d, e = 4.
    assert consent_expired_not_renewed(log, H1) == IndicatorCount(4, 5)


def test_parents_participating():
    log = frame(
        *[ev(c, "2017-12-01", "log_opened") for c in "abcde"],
        ev("a", "2018-01-15", "meeting_held"),
        ev("a", "2018-01-15", "meeting_held", "parent", "p"),  # a parent attended
        ev("b", "2018-02-01", "meeting_held"),
        ev("b", "2018-02-01", "meeting_held", "participant", "x"),
        ev("c", "2017-12-20", "meeting_held", "parent", "p"),  # parent, but before Q1
        ev("c", "2018-03-01", "meeting_held"),
        ev("d", "2018-03-10", "meeting_held", "young_person", "y"),  # not a parent
        ev("e", "2018-04-01", "meeting_held", "parent", "p"),  # after Q1
        ev("f", "2018-01-10", "meeting_held", "parent", "p"),  # no log: not counted
    )
    # Logs with a Q1 meeting: a, b, c, d = 4; with a parent there: a = 1.
    assert parents_participating(log, Q1) == IndicatorCount(1, 4)


def test_young_person_participating_beside_the_parents():
    rows = [
        (*ev("a", "2018-01-15", "meeting_held"), "16-19"),
        (*ev("a", "2018-01-15", "meeting_held", "young_person", "u"), "16-19"),  # attended
        (*ev("b", "2018-02-01", "meeting_held"), "6-15"),  # without the child
        (*ev("c", "2018-03-01", "meeting_held"), "0-5"),  # under school age: left out …
        (*ev("c", "2018-03-01", "meeting_held", "young_person", "u"), "0-5"),  # … even so
        (*ev("d", "2018-02-10", "meeting_held"), "prenatal"),
        (*ev("d", "2018-02-10", "meeting_held", "young_person", "u"), "prenatal"),  # pregnant
        (*ev("e", "2017-12-20", "meeting_held", "young_person", "u"), "16-19"),  # before Q1
        (*ev("e", "2018-03-05", "meeting_held"), "16-19"),
        (*ev("f", "2018-04-01", "meeting_held", "young_person", "u"), "16-19"),  # after Q1
        (*ev("g", "2018-01-10", "meeting_held", "young_person", "u"), "16-19"),  # no log
        (*ev("h", "2018-02-01", "meeting_held", "parent", "p"), "6-15"),  # a parent only
        (*ev("i", "2018-01-20", "meeting_held", "young_person", "u"), "0-5"),  # too young
        (*ev("i", "2018-03-20", "meeting_held"), "6-15"),  # then of school age
    ]
    opened = [(*ev(c, "2017-12-01", "log_opened"), "6-15") for c in "abcdefhi"]
    columns = ["case_id", "event_time", "event", "level", "role", "actor_id", "age_band"]
    log = pd.DataFrame(opened + rows, columns=columns).sample(frac=1, random_state=3)
    # Logs with a Q1 meeting of a child of school age or a pregnancy: a, b, d, e, h, i = 6;
    # the child, young person or pregnant woman there: a, d = 2.
    assert young_person_participating(log, Q1) == IndicatorCount(2, 6)
    # Parents, on the same meetings (every age): a, b, c, d, e, h, i = 7; with a parent: h.
    assert parents_participating(log, Q1) == IndicatorCount(1, 7)
    # Without age bands every meeting counts: c joins, and c's and i's meetings with the
    # child under school age count too: a, c, d, i = 4 of 7.
    no_bands = log.drop(columns="age_band")
    assert young_person_participating(no_bands, Q1) == IndicatorCount(4, 7)


# --------------------------------------------------------------------------------------------
# Measures

MEASURE_LOG = frame(
    *[ev(c, "2017-12-01", "log_opened") for c in "abcdefghi"],
    ev("a", "2018-01-10", "measure_added"),
    ev("a", "2018-02-20", "measure_evaluated"),
    # b: two measures, two evaluations; last in, first out: 03-01 → m(01-20), 03-05 → m(01-05).
    ev("b", "2018-01-05", "measure_added"),
    ev("b", "2018-01-20", "measure_added", actor="h2"),
    ev("b", "2018-03-01", "measure_evaluated"),
    ev("b", "2018-03-05", "measure_evaluated", actor="h2"),
    ev("c", "2018-02-01", "measure_added", actor=" "),  # no owner named
    ev("c", "2018-03-01", "measure_evaluated"),
    ev("d", "2018-06-20", "measure_added"),  # young, log open: outcome not known yet
    ev("e", "2018-02-01", "measure_added"),
    ev("e", "2018-02-15", "log_closed"),  # closed without an evaluation
    ev("f", "2018-03-01", "measure_added"),  # never evaluated, log open
    ev("g", "2017-12-15", "measure_added"),  # added before the period
    ev("h", "2018-01-01", "measure_added"),
    ev("h", "2018-03-20", "measure_evaluated"),  # evaluated, but after its 70 days
    ev("i", "2018-04-21", "measure_added"),  # due 30 June, the period's last day
)


def test_measures_owner_and_evaluation():
    # Added in H1: a, b×2, c, d, e, f, h, i (g before). Known by 30 June: all but d
    # (evaluated: a, b×2, c, h; log closed: e; 70 days passed: f, i) = 8.
    # Owner and evaluated: a, b×2, h = 4 (c has no owner).
    assert measures_owner_and_evaluation(MEASURE_LOG, H1) == IndicatorCount(4, 8)


def test_evaluations_overdue_by_hand():
    # Due (added + 70 days) in H1: a 03-21, b 03-16 and 03-31, c 04-12, e 04-12, f 05-10,
    # g 02-23, h 03-12, i 06-30 (d falls due in August).
    # In time: a, b, b, c. Log closed before the deadline without evaluation: e (left out).
    # Overdue with the log open: f, g, h (evaluated 8 days late), i = 4 of 8.
    assert evaluations_overdue(MEASURE_LOG, H1) == IndicatorCount(4, 8)
    # A shorter deadline: 50 days. Due in H1: a 03-01, b 02-24 and 03-11, c 03-23, e 03-23,
    # f 04-20, g 02-03, h 02-20, i 06-10. In time: a (02-20), b's second (03-01), c (03-01).
    # e left out (closed 02-15). Overdue: b's first (03-05 > 02-24), f, g, h, i = 5 of 8.
    assert evaluations_overdue(MEASURE_LOG, H1, evaluation_days=50) == IndicatorCount(5, 8)


def test_measures_match_evaluations_last_in_first_out():
    # Two measures, then one evaluation: it belongs to the later measure (due 12 April,
    # after Q1); the earlier one (due 16 March, in Q1) has none and is overdue: 1 of 1.
    # Matched first in, first out it would be in time: 0 of 1.
    log = frame(
        ev("a", "2017-12-01", "log_opened"),
        ev("a", "2018-01-05", "measure_added"),
        ev("a", "2018-02-01", "measure_added"),
        ev("a", "2018-02-20", "measure_evaluated"),
    )
    assert evaluations_overdue(log, Q1) == IndicatorCount(1, 1)


# --------------------------------------------------------------------------------------------
# Level-0 decisions

LEVEL0_LOG = frame(
    ev("a", "2018-01-02 10:00", "concern_raised", level=0),
    ev("a", "2018-01-16 16:00", "level0_decision", level=0),  # day 14: within
    ev("b", "2018-01-02", "concern_raised", level=0),
    ev("b", "2018-01-17", "level0_decision", level=0),  # day 15: late
    ev("c", "2018-01-10", "concern_raised", level=0),  # never decided
    ev("d", "2018-03-25", "concern_raised", level=0),  # waiting, 14 days not passed
    ev("e", "2018-03-25", "concern_raised", level=0),
    ev("e", "2018-03-28", "level0_decision", level=0),  # decided by the end: counts
    ev("f", "2018-03-20", "concern_raised", level=0),
    ev("f", "2018-04-02", "level0_decision", level=0),  # decided after the period end
    ev("g", "2017-12-30", "concern_raised", level=0),  # raised before the period
    ev("g", "2018-01-05", "level0_decision", level=0),
    ev("h", "2018-03-17", "concern_raised", level=0),  # day 14 is 31 March: passed
    ev("i", "2018-01-05", "concern_raised", level=0),  # undecided when the next comes
    ev("i", "2018-02-01", "concern_raised", level=0),
    ev("i", "2018-02-05", "level0_decision", level=0),  # belongs to the second concern
)


def test_level0_decision_within_14_days():
    # Counted: a, b, c, e, h, i(1st), i(2nd) = 7 (d, f still within their 14 days, g before).
    # Within 14 days: a (day 14), e (day 3), i's second (day 4) = 3.
    assert level0_decision_14d(LEVEL0_LOG, Q1) == IndicatorCount(3, 7)
    # With a 3-day target every window of a Q1 concern has passed by 31 March (the latest,
    # 25 March, ends 28 March): counted a, b, c, d, e, f, h, i, i = 9; within 3 days: e = 1.
    assert level0_decision_14d(LEVEL0_LOG, Q1, days=3) == IndicatorCount(1, 9)


# --------------------------------------------------------------------------------------------
# Dropped batons and handovers

DROPPED_LOG = frame(
    *[ev(c, "2018-01-10", "log_opened") for c in "abdefghi"],
    ev("a", "2018-05-18", "entry_added"),  # 43 days before 30 June: dropped
    ev("b", "2018-05-19", "entry_added"),  # 42 days: not yet
    ev("c", "2018-05-20", "log_opened"),  # opened 41 days before the end
    ev("j", "2018-05-19", "log_opened"),  # opened 42 days before: not "more than 42"
    ev("d", "2018-03-01", "entry_added"),
    ev("d", "2018-04-01", "log_closed"),  # closed
    ev("e", "2018-03-01", "entry_added"),
    ev("e", "2018-06-01", "consent_given", "parent", "p"),  # consent is not follow-up
    ev("f", "2018-06-15", "meeting_held", "participant", "x"),  # a meeting is activity
    ev("g", "2018-06-01", "measure_added"),  # the holder's measure is activity
    ev("h", "2018-07-05", "entry_added"),  # after the period end: does not count
    ev("i", "2018-07-01", "log_closed"),  # closed after the end: open at the end
)


def test_dropped_batons_at_the_period_end():
    # Open on 30 June and opened > 42 days before: a, b, e, f, g, h, i = 7 (c, j too new, d
    # closed). Last activity more than 42 days before: a (05-18), e (03-01), h, i (01-10) = 4.
    assert dropped_batons(DROPPED_LOG, H1) == IndicatorCount(4, 7)
    # N = 30 days (before 31 May): b (05-19) is dropped too; c (41 days) and j (42) now count
    # in the denominator, both dropped as nothing happened since opening.
    assert dropped_batons(DROPPED_LOG, H1, dropped_after_days=30) == IndicatorCount(7, 9)


def test_dropped_batons_by_month_end():
    # Month ends, by hand:
    # Jan 31: nobody opened more than 42 days before (10 Jan) → 0 / 0.
    # Feb 28: a b d e f g h i (8), none has acted since opening → 8 / 8.
    # Mar 31: 8 logs (d closes 1 April); d and e acted 1 March → 6 / 8.
    # Apr 30: d closed → 7; e's last act 1 March is 60 days back → 7 / 7.
    # May 31: 7 (c, j opened in May); a, b acted mid-May → 5 / 7.
    # Jun 30: as dropped_batons → 4 / 7.
    table = dropped_batons_by_month(DROPPED_LOG, H1)
    assert table.raw["numerator"].tolist() == [0, 8, 6, 7, 5, 4]
    assert table.raw["denominator"].tolist() == [0, 8, 8, 7, 7, 7]
    assert table.values.index[-1] == pd.Timestamp("2018-06-30")
    # Through the gate: 4 of 7 shows "<5" and no share.
    shown = table.formatted("en").loc[pd.Timestamp("2018-06-30")]
    assert shown["numerator"] == "<5" and shown["share"] == ""


def test_handover_gaps():
    log = frame(
        *[ev(c, "2017-12-01", "log_opened") for c in "abcdefgh"],
        ev("a", "2018-01-10", "baton_handover", actor="h2"),
        ev("a", "2018-01-24 18:00", "entry_added", actor="h2"),  # day 14: followed up
        ev("b", "2018-01-10", "baton_handover", actor="h3"),
        ev("b", "2018-01-25", "entry_added", actor="h3"),  # day 15: a gap
        ev("c", "2018-01-10", "baton_handover", actor="h4"),
        ev("c", "2018-01-12", "entry_added", actor="h1"),  # the old holder, not the new
        ev("d", "2018-03-20", "baton_handover", actor="h5"),  # 14 days not passed by 31 March
        ev("e", "2018-02-01", "baton_handover", actor="h6"),
        ev("e", "2018-02-05", "log_closed", actor="h6"),  # closed: nothing to follow up
        ev("f", "2018-02-01", "baton_handover", actor="h7"),
        ev("f", "2018-02-03", "meeting_held", actor="h7"),  # a meeting: followed up
        ev("g", "2017-12-20", "baton_handover", actor="h8"),  # before the period
        ev("h", "2018-03-17", "baton_handover", actor="h9"),  # day 14 is 31 March: passed
    )
    # Counted: a, b, c, f, h = 5; gaps: b, c, h = 3.
    assert handover_gaps(log, Q1) == IndicatorCount(3, 5)


# --------------------------------------------------------------------------------------------
# Cases by level

LEVEL_LOG = frame(
    ev("a", "2018-01-05", "concern_raised", level=0),
    ev("a", "2018-01-10", "level0_decision", level=0),
    ev("a", "2018-01-10", "level_changed", level=1),
    ev("a", "2018-01-10", "log_opened", level=1),
    ev("a", "2018-02-15", "level_changed", level=2),
    ev("a", "2018-03-20", "log_closed", level=2),
    ev("b", "2018-01-20", "concern_raised", level=0),  # never decided: level 0 throughout
    ev("c", "2018-01-05", "concern_raised", level=0),
    ev("c", "2018-01-12", "level0_decision", level=0),  # decided, not up: gone
    ev("d", "2018-01-25", "concern_raised", level=0),
    ev("d", "2018-02-10", "level0_decision", level=0),  # gone for two days …
    ev("d", "2018-02-12", "level_changed", level=1),  # … then up to level 1
    ev("d", "2018-02-12", "log_opened", level=1),
    ev("e", "2017-12-01", "log_opened", level=1),  # open since before the export window
    ev("e", "2018-03-01", "level_changed", level=3),
    ev("e", "2018-03-10", "concern_raised", level=0),  # new worry, log open: stays at 3
    ev("f", "2018-03-31 23:00", "concern_raised", level=0),  # the last hour of March
    ev("g", "2018-04-01 00:00", "concern_raised", level=0),  # April
)
# By hand, at each month end (level 0, 1, 2, 3):
#   Jan: 0 = b, d; 1 = a, e           → 2, 2, 0, 0
#   Feb: 0 = b;    1 = d, e; 2 = a    → 1, 2, 1, 0
#   Mar: 0 = b, f; 1 = d;    3 = e    → 2, 1, 0, 1
HAND_LEVELS = [[2, 2, 0, 0], [1, 2, 1, 0], [2, 1, 0, 1]]


def _replicate(log: pd.DataFrame, times: int) -> pd.DataFrame:
    return pd.concat([log.assign(case_id=log["case_id"] + f"-{i}") for i in range(times)])


def test_cases_by_level_at_month_ends():
    # Five copies of every case: counts × 5, all ≥ 5 or 0, so nothing is hidden.
    table = cases_by_level(_replicate(LEVEL_LOG, 5), period=Q1, allow_zero=True)
    counts = table.values.drop(index="total", columns="total").astype(int)
    assert counts.to_numpy().tolist() == (5 * np.array(HAND_LEVELS)).tolist()
    assert list(counts.index) == list(pd.to_datetime(["2018-01-31", "2018-02-28", "2018-03-31"]))
    assert table.values.loc[pd.Timestamp("2018-03-31"), "total"] == 20


def test_cases_by_level_suppresses_small_counts():
    table = cases_by_level(LEVEL_LOG, period=Q1)
    text = table.formatted("en")
    assert text.loc[pd.Timestamp("2018-01-31"), 0] == "<5"
    assert table.hidden.drop(index="total", columns="total").to_numpy().all()


def test_cases_by_level_default_span_leaves_out_an_unfinished_month():
    # The export runs from 1 Dec 2017 to 1 April 2018: December to March are whole months.
    table = cases_by_level(LEVEL_LOG, k=2, allow_zero=True)
    months = table.values.index.drop("total")
    assert list(months) == list(
        pd.to_datetime(["2017-12-31", "2018-01-31", "2018-02-28", "2018-03-31"])
    )


# --------------------------------------------------------------------------------------------
# Checks against slow, obvious implementations on random logs


def _random_log(seed: int, n_cases: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    events = ["entry_added", "meeting_held", "measure_added", "measure_evaluated", "log_closed"]
    rows = []
    for c in range(n_cases):
        t = pd.Timestamp("2018-01-01") + pd.Timedelta(days=int(rng.integers(0, 200)))
        rows.append(ev(f"c{c}", t, "log_opened"))
        for _ in range(int(rng.integers(0, 12))):
            t += pd.Timedelta(days=float(rng.exponential(25)))
            event = str(rng.choice(events, p=[0.35, 0.2, 0.2, 0.2, 0.05]))
            role = "baton_holder" if rng.random() < 0.9 else "parent"
            rows.append(ev(f"c{c}", t.round("min"), event, role))
            if event == "log_closed":
                break
    return frame(*rows)


def _slow_dropped(log: pd.DataFrame, last_day: pd.Timestamp, n: int) -> tuple[int, int]:
    end = last_day + pd.Timedelta(days=1)
    dropped = at_risk = 0
    for _, case in log.sort_values("event_time").groupby("case_id"):
        opened = case.loc[case["event"] == "log_opened", "event_time"].min()
        closed = case.loc[case["event"] == "log_closed", "event_time"]
        if opened >= end or (len(closed) and closed.max() < end):
            continue
        if (last_day - opened.normalize()).days <= n:
            continue
        at_risk += 1
        acts = case[
            (case["event_time"] < end)
            & (
                case["event"].isin(["log_opened", "entry_added", "meeting_held"])
                | (case["event"].isin(["measure_added", "measure_evaluated"]))
                & (case["role"] == "baton_holder")
            )
        ]
        dropped += (last_day - acts["event_time"].max().normalize()).days > n
    return dropped, at_risk


def _slow_overdue(log: pd.DataFrame, period, days: int) -> tuple[int, int]:
    start, last = pd.Timestamp(period[0]), pd.Timestamp(period[1])
    overdue = due = 0
    for _, case in log.sort_values("event_time", kind="stable").groupby("case_id"):
        closed = case.loc[case["event"] == "log_closed", "event_time"]
        closed = closed.max() if len(closed) else pd.Timestamp.max
        stack, matched = [], []
        for t, event in zip(case["event_time"], case["event"], strict=True):
            if event == "measure_added":
                stack.append([t, None])
                matched.append(stack[-1])
            elif event == "measure_evaluated" and stack:
                stack.pop()[1] = t
        for added, evaluated in matched:
            deadline = added.normalize() + pd.Timedelta(days=days)
            if not start <= deadline <= last:
                continue
            in_time = evaluated is not None and evaluated.normalize() <= deadline
            open_then = closed >= deadline + pd.Timedelta(days=1)
            due += in_time or open_then
            overdue += (not in_time) and open_then
    return overdue, due


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_indicators_agree_with_a_case_by_case_count(seed):
    log = _random_log(seed)
    # Same-time measure and evaluation rows would make the order ambiguous; keep them apart.
    log = log.drop_duplicates(["case_id", "event_time"])
    for last_day in pd.to_datetime(["2018-03-31", "2018-06-30", "2018-09-30", "2019-01-31"]):
        got = dropped_batons(log, ("2018-01-01", last_day))
        assert tuple(got) == _slow_dropped(log, last_day, 42)
    for period in [("2018-03-01", "2018-06-30"), ("2018-07-01", "2019-06-30")]:
        assert tuple(evaluations_overdue(log, period)) == _slow_overdue(log, period, 70)


# --------------------------------------------------------------------------------------------
# The table

REACH_AND_FORMS = ("reach", "adoption", "penetration")


def test_indicator_table_leaves_out_rows_without_inputs_and_suppresses():
    table = indicator_table(LEVEL0_LOG, period=Q1)
    assert "reach" not in table.values.index and "adoption" not in table.values.index
    # No log_read row at all: the export does not record readings, so no "unread logs".
    left_out = (*REACH_AND_FORMS, "unread_logs")
    assert list(table.values.index) == [i for i in INDICATORS if i not in left_out]
    assert table.raw.loc["level0_decision_14d"].tolist() == [3, 7]
    text = table.formatted("en")
    # 3 of 7: the numerator shows "<5", the share and interval are hidden.
    assert text.loc["level0_decision_14d", "numerator"] == "<5"
    assert text.loc["level0_decision_14d", "share"] == ""
    assert np.isnan(table.values.loc["level0_decision_14d", "share"])


def test_indicator_table_shows_shares_with_wilson_intervals():
    # 40 copies of the level-0 scenario: 120 of 280 decided within 14 days.
    log = _replicate(LEVEL0_LOG, 40)
    table = indicator_table(log, period=Q1, k=5)
    row = table.values.loc["level0_decision_14d"]
    assert (row["numerator"], row["denominator"]) == (120, 280)
    assert row["share"] == pytest.approx(120 / 280)
    # Wilson 95 %: centre (p + z²/2n)/(1 + z²/n), half-width z√(p(1−p)/n + z²/4n²)/(1 + z²/n),
    # with p = 0.428571, n = 280, z = 1.959964: centre 0.429538 ± 0.057579 = 0.371959–0.487117.
    assert row["ci_low"] == pytest.approx(0.371959, abs=1e-5)
    assert row["ci_high"] == pytest.approx(0.487117, abs=1e-5)
    assert table.formatted("nb").loc["level0_decision_14d", "share"] == "42,9 %"


def test_indicator_table_on_the_demo(demo_dir):
    log = read(demo_dir / "event_log.csv", "event-log")
    rf1 = read(demo_dir / "report_form_1.csv", "report-form-1")
    rf2 = read(demo_dir / "report_form_2.csv", "report-form-2")
    population = pd.read_csv(demo_dir / "population.csv", comment="#")
    table = indicator_table(
        log,
        period=("2019-01-01", "2019-12-31"),
        population=population,
        report_form_1=rf1,
        report_form_2=rf2,
    )
    assert list(table.values.index) == list(INDICATORS)
    raw = table.raw
    assert (raw["denominator"] > 0).all()
    assert (raw["numerator"] <= raw["denominator"]).all()
    # The demo gives every opened log a consent on the day it opens.
    assert raw.loc["consent_present", "numerator"] == raw.loc["consent_present", "denominator"]
    # Hidden counts never leak through the share.
    hidden = table.hidden.any(axis=1)
    assert table.values.loc[hidden, "share"].isna().all()
    for indicator in INDICATORS:
        for lang in ("nb", "en"):
            assert label(f"ind.{indicator}", lang)
            assert label(f"ind.{indicator}.definition", lang)
    levels = cases_by_level(log)
    assert list(levels.values.columns) == [0, 1, 2, 3, "total"]
    by_month = dropped_batons_by_month(log).values.index
    assert by_month[0] == pd.Timestamp("2018-01-31") and by_month[-1] <= pd.Timestamp("2020-06-30")


def test_bad_inputs_are_refused_without_echoing_identifiers():
    log = frame(ev("secret-case-42", "2018-01-05", "no_such_event"))
    with pytest.raises(ValueError) as info:
        consent_present(log, Q1)
    assert "secret-case-42" not in str(info.value)
    with pytest.raises(ValueError, match="period"):
        consent_present(LEVEL0_LOG, ("2018-03-01", "2018-01-01"))
    with pytest.raises(ValueError, match="level"):
        cases_by_level(LEVEL0_LOG.drop(columns="level"))
