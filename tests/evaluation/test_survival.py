"""Kaplan–Meier tables: hand-computed curves, censoring, recovery of known rates, protection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.indicators import level0_decision_14d
from bti_workbench.evaluation.survival import (
    km_figure,
    km_table,
    time_to_closing,
    time_to_level0_decision,
)
from bti_workbench.ingest.readers import read
from tests.evaluation.test_indicators import LEVEL0_LOG, Q1, ev, frame

# Eight durations, "+" censored: 2, 3+, 4, 4, 6, 7+, 8, 9+.
TINY = pd.DataFrame(
    {
        "duration": [2.0, 3, 4, 4, 6, 7, 8, 9],
        "event": [True, False, True, True, True, False, True, False],
    }
)
# Kaplan–Meier product by hand:
#   t = 2: 8 at risk, 1 event → S = 7/8             = 0.875
#   t = 4: 6 at risk, 2 events → S = 0.875 × 4/6    = 0.583333
#   t = 6: 4 at risk, 1 event → S = 0.583333 × 3/4  = 0.4375
#   t = 8: 2 at risk, 1 event → S = 0.4375 × 1/2    = 0.21875
# Greenwood at t = 4: S² (1/(8·7) + 2/(6·4)) = 0.340278 × 0.101190 = 0.034433 → se 0.185561.


def test_km_curve_matches_the_hand_product():
    t = km_table(TINY, k=2, grid_days=1, target_days=4)
    curve = t.curve.xs("all", level="stratum")
    # At risk at the start of the day (duration ≥ day): 8 8 8 7 6 4 4 3 2 | 1 (day 9, below
    # k = 2: cut). Published: still followed after the day (duration > day), 8 8 7 6 4 4 3 2 1,
    # only where the curve is shown (days 0, 1, 4, 5, 8) and the censored since the last shown
    # number are 0 or ≥ 2: days 0 and 1 (none censored), not 4 and 5 (the 3+ alone), day 8
    # (3+ and 7+) would be but shows 1 < k. Censored by day: 0 0 0 1 1 1 1 2 2.
    np.testing.assert_array_equal(curve["at_risk"], [8, 8] + [np.nan] * 7)
    marks = t.marks.xs("all", level="stratum")["at_risk"]
    assert marks.tolist() == ["", ""] + ["×"] * 6 + ["<2"]
    # Events per day 0 0 1 0 2 0 1 0 1; below k = 2 hidden (the 1s), and the 2 on day 4 with
    # them, since its step's change (3) is known from the curve.
    nan = np.nan
    np.testing.assert_array_equal(curve["events"], [0, 0, nan, 0, nan, 0, nan, 0, nan])
    # Steps of 0 or ≥ 2 events: day 0, day 1, days 2–4 (1 + 0 + 2), day 5, days 6–8 (1 + 0 + 1).
    expected = [1.0, 1.0, np.nan, np.nan, 0.583333, 0.583333, np.nan, np.nan, 0.21875]
    np.testing.assert_allclose(curve["survival"], expected, atol=1e-6)
    # Pointwise interval on the log(−log) scale: S^exp(±z·se / (S·|log S|)).
    s, se, z = 0.583333, 0.185561, 1.959964
    scale = np.exp(z * se / (s * abs(np.log(s))))
    assert curve.loc[4.0, "ci_low"] == pytest.approx(s**scale, abs=1e-5)
    assert curve.loc[4.0, "ci_high"] == pytest.approx(s ** (1 / scale), abs=1e-5)
    summary = t.summary.loc["all"]
    assert summary["target_share"] == pytest.approx(1 - 0.583333, abs=1e-6)  # 1 − S(4)
    assert summary["median"] == 6.0  # the first time S ≤ 0.5
    assert summary["n"] == 8


def test_km_table_cuts_where_fewer_than_k_are_at_risk_and_hides_small_steps():
    t = km_table(TINY, k=5, grid_days=1, target_days=4)
    curve = t.curve.xs("all", level="stratum")
    # At risk ≥ 5 only on days 0–4; the first 3 events (days 2–4) are below k = 5: no step
    # is closed after day 1, so the curve shows 1 on days 0 and 1 and nothing else.
    assert list(curve.index) == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert curve["survival"].tolist()[:2] == [1.0, 1.0]
    assert curve["survival"].iloc[2:].isna().all()
    text = t.formatted("en")
    assert text["at_risk"].tolist() == ["8", "8", "×", "×", "×"]
    assert text["events"].tolist() == ["0", "0", "<5", "0", "<5"]
    assert text["survival"].tolist() == ["100.0 %", "100.0 %", "", "", ""]
    assert np.isnan(t.summary.loc["all", "target_share"])  # 3 events by day 4: fewer than k


def test_step_totals_do_not_reveal_a_hidden_count():
    # 6 events at day 3, 2 at day 10, 6 at day 17, 20 censored at day 40; weekly grid.
    d = pd.DataFrame(
        {
            "duration": [3.0] * 6 + [10.0] * 2 + [17.0] * 6 + [40.0] * 20,
            "event": [True] * 14 + [False] * 20,
        }
    )
    t = km_table(d, grid_days=7, target_days=7)
    curve = t.curve.xs("all", level="stratum")
    # Steps: day 0 (0 events), day 7 (6), days 14–21 (2 + 6 = 8), then 0-event days.
    assert np.isnan(curve.loc[14.0, "survival"])
    assert curve.loc[21.0, "survival"] == pytest.approx(20 / 34)  # no censoring before day 40
    # The 2 at day 14 are hidden, and so are the 6 at day 21: with the step's change (8)
    # known from the curve, showing 6 would give the 2 away.
    assert t.hidden.loc[("all", 14.0), "events"] and t.hidden.loc[("all", 21.0), "events"]
    assert t.formatted("en").loc[("all", 14.0), "events"] == "<5"


def _leaks(durations: pd.DataFrame, t) -> list[str]:
    """What a reader could work out from consecutive published at-risk numbers.

    Between two published numbers (``n`` before the first) the drop is the events of the rows
    between plus the people censored there. The shown events and the curve's step totals are
    known, so the censored are known: a leak when they are 1 to k − 1, or when they are 0 and
    a single events cell between is hidden (the drop minus the shown events gives it back).
    """
    found = []
    for stratum, curve in t.curve.groupby(level="stratum"):
        rows = durations if t.by is None else durations[durations[t.by] == stratum]
        d, ev = rows["duration"].to_numpy(), rows["event"].to_numpy()
        hidden = t.hidden.loc[curve.index]
        assert curve.loc[curve["at_risk"].notna(), "survival"].notna().all()
        previous_day, previous = -np.inf, float(len(d))
        for (_, day), row in curve.iterrows():
            if hidden.loc[(stratum, day), "at_risk"]:
                continue
            between = (d > previous_day) & (d <= day)
            censored = int((between & ~ev).sum())
            assert previous - row["at_risk"] == int(between.sum())  # what the reader sees
            cells = curve.loc[(stratum, previous_day) : (stratum, day)]
            cells = cells[cells.index.get_level_values("day") > previous_day]
            hidden_cells = hidden.loc[cells.index, "events"]
            if 0 < censored < t.k:
                found.append(f"{censored} censored before day {day}")
            if censored == 0 and hidden_cells.sum() == 1:
                found.append(f"a hidden events cell before day {day}")
            previous_day, previous = day, row["at_risk"]
    return found


def test_at_risk_is_shown_only_where_it_gives_back_no_hidden_count():
    # The reviewer's case: 2 events on day 3, 6 on day 10, 12 censored on day 30; weekly grid.
    d = pd.DataFrame(
        {"duration": [3] * 2 + [10] * 6 + [30] * 12, "event": [True] * 8 + [False] * 12}
    )
    t = km_table(d, grid_days=7)
    text = t.formatted("en").xs("all", level="stratum")
    # Steps: day 0 (0 events), days 7–14 (2 + 6), day 21 (0), day 28 (0). Showing 18 still
    # waiting after day 7 beside 20 after day 0 would give the 2 events of week 1 away.
    assert text["events"].tolist() == ["0", "<5", "×", "0", "0"]
    assert text["at_risk"].tolist() == ["20", "×", "12", "12", "12"]
    assert t.hidden.loc[("all", 7.0), "at_risk"]
    assert _leaks(d, t) == []


def test_few_censored_between_shown_rows_hide_the_at_risk_number():
    # 6 events on day 3, 2 censored on day 5, 6 events on day 10, 3 censored on day 12 and 10
    # on day 30 (n = 27); weekly grid, every row closes a step (0 or 6 events).
    # Still followed after day 0, 7, 14, 21, 28: 27, 19, 10, 10, 10; censored by then 0, 2, 5.
    # Day 7: 27 − 19 − 6 events = the 2 censored → hidden. Day 14: 27 − 10 − 12 = 5 censored
    # since day 0 → shown; days 21 and 28: none censored since → shown.
    d = pd.DataFrame(
        {
            "duration": [3] * 6 + [5] * 2 + [10] * 6 + [12] * 3 + [30] * 10,
            "event": [True] * 6 + [False] * 2 + [True] * 6 + [False] * 13,
        }
    )
    t = km_table(d, grid_days=7)
    curve = t.curve.xs("all", level="stratum")
    np.testing.assert_array_equal(curve["at_risk"], [27, np.nan, 10, 10, 10])
    assert curve["survival"].notna().all()
    assert t.formatted("en").loc[("all", 7.0), "at_risk"] == "×"
    assert _leaks(d, t) == []
    # Without the 3 censored on day 12 the 2 stay alone: no number after day 0 is shown.
    fewer = d[d["duration"] != 12]
    assert km_table(fewer, grid_days=7).curve["at_risk"].notna().tolist() == [True] + [False] * 4


@pytest.mark.parametrize("seed", range(6))
def test_no_published_at_risk_gives_back_a_hidden_count(seed):
    # Small random samples (whole days, a third censored, two strata) on daily and weekly grids.
    rng = np.random.default_rng(seed)
    n = 60
    d = pd.DataFrame(
        {
            "duration": np.floor(rng.exponential(12.0, n)),
            "event": rng.random(n) > 0.33,
            "level": rng.integers(1, 3, n),
        }
    )
    for grid in (1, 7):
        t = km_table(d, by="level", grid_days=grid)
        assert _leaks(d, t) == []


def test_an_empty_period_gives_an_empty_table_and_figure():
    d = time_to_level0_decision(LEVEL0_LOG, ("2030-01-01", "2030-03-31"))
    assert len(d) == 0
    t = km_table(d)
    assert t.curve.empty and t.summary.empty
    assert list(t.curve.columns) == ["at_risk", "events", "survival", "ci_low", "ci_high"]
    assert t.curve.index.names == ["stratum", "day"]
    assert list(t.hidden.columns) == ["at_risk", "events"] and t.marks.empty
    assert list(t.summary.columns) == [
        "n",
        "median",
        "median_ci_low",
        "median_ci_high",
        "target_share",
        "target_ci_low",
        "target_ci_high",
    ]
    assert list(t.formatted("en").columns) == ["at_risk", "events", "survival", "ci"]
    assert t.grid_days == 7  # still the level-0 default
    fig = km_figure(t, "en")
    assert len(fig.data) == 0
    assert "n = 0" in [a.text for a in fig.layout.annotations]
    closing = km_table(
        time_to_closing(LEVEL0_LOG.assign(level=0), ("2030-01-01", "2030-03-31")), by="level"
    )
    assert closing.curve.empty and closing.summary.empty


def test_time_to_level0_decision_censors_at_the_period_end():
    d = time_to_level0_decision(LEVEL0_LOG, Q1)
    got = sorted(zip(d["duration"], d["event"], strict=True))
    # By hand (concern date → decision date, or → 31 March when undecided by then):
    #   a 14 ✓, b 15 ✓, c 80 (10 Jan → 31 Mar), d 6, e 3 ✓, f 11 (decided 2 Apr: censored),
    #   h 14, i first 85 (its concern was never decided), i second 4 ✓; g is before Q1.
    expected = [
        (3.0, True),
        (4.0, True),
        (6.0, False),
        (11.0, False),
        (14.0, False),
        (14.0, True),
        (15.0, True),
        (80.0, False),
        (85.0, False),
    ]
    assert got == expected
    assert d.attrs["outcome"] == "level0_decision"
    assert "case_id" not in d.columns


def test_time_to_closing_with_the_highest_level():
    log = frame(
        ev("a", "2018-01-10", "log_opened", level=1),
        ev("a", "2018-02-01", "level_changed", level=2),
        ev("a", "2018-03-01", "log_closed", level=2),  # 50 days, closed, level 2
        ev("b", "2018-02-01", "log_opened", level=1),
        ev("b", "2018-07-15", "level_changed", level=3),  # after the period: still level 1
        ev("c", "2017-12-01", "log_opened", level=1),  # opened before the period
        ev("d", "2018-06-30 09:00", "log_opened", level=1),
        ev("d", "2018-06-30 15:00", "log_closed", level=1),  # same day: 0 days
        ev("e", "2018-03-01", "log_opened", level=1),
        ev("e", "2018-07-02", "log_closed", level=1),  # closed after the end: censored
    )
    d = time_to_closing(log, ("2018-01-01", "2018-06-30"))
    got = sorted(zip(d["duration"], d["event"], d["level"], strict=True))
    # a: 10 Jan → 1 Mar = 21 + 28 + 1 = 50; b: 1 Feb → 30 Jun = 27 + 31 + 30 + 31 + 30 = 149;
    # d: 0; e: 1 Mar → 30 Jun = 30 + 30 + 31 + 30 = 121.
    assert got == [(0.0, True, 1), (50.0, True, 2), (121.0, False, 1), (149.0, False, 1)]
    t = km_table(d, by="level", k=2, grid_days=30)
    assert list(t.summary.index) == [1, 2]
    assert np.isnan(t.summary.loc[2, "n"])  # a single log at level 2: below k


def test_km_recovers_a_known_waiting_time_distribution():
    # 3000 concerns spread over 2018; decision after X ~ exponential(mean 10 days), on the
    # calendar date floor(X) days later; censored at 31 December when undecided.
    # Truth: P(decided within 14 days) = P(X < 15) = 1 − exp(−1.5) = 0.776870,
    # S(d) = P(floor(X) > d) = exp(−(d + 1)/10).
    rng = np.random.default_rng(20180101)
    n = 3000
    start = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    wait = np.floor(rng.exponential(10.0, n))
    decided = start + pd.to_timedelta(wait, unit="D") + pd.Timedelta(hours=10)
    cases = [f"c{i}" for i in range(n)]
    log = pd.DataFrame(
        {
            "case_id": cases + cases,
            "event_time": list(start + pd.Timedelta(hours=9)) + list(decided),
            "event": ["concern_raised"] * n + ["level0_decision"] * n,
        }
    )
    period = ("2018-01-01", "2018-12-31")
    d = time_to_level0_decision(log, period)
    assert (~d["event"]).sum() > 20  # some censoring happened
    t = km_table(d)
    share = t.summary.loc["all"]
    truth = 1 - np.exp(-1.5)
    assert share["target_ci_low"] < truth < share["target_ci_high"]
    assert share["target_share"] == pytest.approx(truth, abs=0.03)
    curve = t.curve.xs("all", level="stratum").dropna(subset=["survival"])
    true_s = np.exp(-(curve.index.to_numpy() + 1) / 10)
    inside = (curve["ci_low"] <= true_s) & (true_s <= curve["ci_high"])
    assert inside.mean() >= 0.8
    # The median of floor(X) is 6 (S(5) = 0.549, S(6) = 0.497): within the interval.
    assert share["median_ci_low"] <= 6 <= share["median_ci_high"]
    # The indicator, which drops the still-waiting, agrees with the censored estimate.
    count = level0_decision_14d(log, period)
    assert count.numerator / count.denominator == pytest.approx(truth, abs=0.03)


def test_km_figure_draws_what_the_table_shows():
    t = km_table(TINY, k=2, grid_days=1, target_days=4)
    fig = km_figure(t, "en", target_days=14)
    line = fig.data[-1]
    assert list(line.x) == [0.0, 1.0, 4.0, 5.0, 8.0]
    np.testing.assert_allclose(line.y, [1.0, 1.0, 0.583333, 0.583333, 0.21875], atol=1e-6)
    assert line.line.shape == "hv"
    assert fig.layout.shapes[0].x0 == 14  # the target line
    assert fig.layout.annotations[0].text == "Target: 14 days"
    nb = km_figure(km_table(time_to_level0_decision(LEVEL0_LOG, Q1), k=2), "nb")
    assert nb.layout.title.text == "Tid fra bekymring til beslutning på nivå 0"


def test_km_on_the_demo(demo_dir):
    log = read(demo_dir / "event_log.csv", "event-log")
    decisions = km_table(time_to_level0_decision(log, ("2018-01-08", "2020-06-30")))
    share = decisions.summary.loc["all", "target_share"]
    assert 0.5 < share < 0.95  # the demo's decisions: lognormal, median 9 days
    assert (decisions.curve["at_risk"].dropna() >= 5).all()
    closing = km_table(time_to_closing(log, ("2018-01-08", "2020-06-30")), by="level")
    assert set(closing.summary.index) <= {1, 2, 3}
    fig = km_figure(closing, "en", target_days=None)
    # Strata with fewer than k logs (n hidden) have no curve and are not drawn.
    assert len(fig.data) == 3 * int(closing.summary["n"].notna().sum())


def test_km_table_refuses_bad_durations():
    with pytest.raises(ValueError, match="non-negative"):
        km_table(pd.DataFrame({"duration": [-1.0, 2.0], "event": [True, False]}))
    with pytest.raises(ValueError, match="columns"):
        km_table(pd.DataFrame({"time": [1.0]}))
    with pytest.raises(ValueError, match="stratify"):
        km_table(TINY, by="level")


def test_the_km_summary_reads_as_a_table_for_people():
    from bti_workbench.evaluation import km_display

    rng = np.random.default_rng(3)
    waits = pd.DataFrame(
        {
            "duration": rng.integers(1, 40, 60).astype(float),
            "event": rng.random(60) < 0.9,
            "level": np.repeat([1, 2, 3], [40, 16, 4]),
        }
    )
    km = km_table(waits, by="level", k=5, grid_days=1, target_days=14)
    shown = km_display(km, "nb")
    assert list(shown.columns) == [
        "Gruppe",
        "Saker",
        "Median dager (95 % KI)",
        "Innen 14 dager (95 % KI)",
    ]
    assert shown.iloc[0, 0] == "Høyeste nivå 1" and shown.iloc[2, 1] == "<5"
    assert not shown.isna().any().any() and "nan" not in shown.to_string().lower()
    first = km.summary.iloc[0]
    low, high = int(first["median_ci_low"]), int(first["median_ci_high"])
    assert shown.iloc[0, 2] == f"{int(first['median'])} ({low}–{high})"
    english = km_display(km, "en", target=False)
    assert list(english.columns) == ["Group", "Cases", "Median days (95 % CI)"]
