"""Estimation: recovery of known parameters, censoring, delayed entry, the Kaplan–Meier mean."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bti_workbench.simulation.calibration import estimate_parameters
from tests.simulation.calibration.helpers import HAND_POPULATION, _absorbed_in_child_welfare, _z


def _recovery(cal, scenario) -> pd.DataFrame:
    """Every estimated parameter beside its true value."""
    rows = []
    arrivals = cal.arrivals.set_index(["age_band", "source"])
    for row in scenario.arrivals.table.itertuples(index=False):
        got = arrivals.loc[(row.age_band, row.source)]
        rows.append(
            (
                f"rate {row.age_band} {row.source}",
                row.per_1000_per_year,
                got["per_1000_per_year"],
                got["ci_low"],
                got["ci_high"],
                got["concerns"],
            )
        )
    moves = cal.transitions.set_index(["level", "outcome"])
    for lv in scenario.levels:
        got = cal.durations.loc[lv.number]
        rows.append(
            (
                f"mean stay {lv.number}",
                lv.duration.mean_weeks,
                got["mean_weeks"],
                got["ci_low"],
                got["ci_high"],
                got["completed"],
            )
        )
        for outcome in ("up", "down", "child_welfare"):
            if (lv.number, outcome) in moves.index:
                got = moves.loc[(lv.number, outcome)]
                rows.append(
                    (
                        f"{outcome} from {lv.number}",
                        getattr(lv, outcome),
                        got["share"],
                        got["ci_low"],
                        got["ci_high"],
                        got["exits"],
                    )
                )
    got = cal.child_welfare.loc["model"]
    rows.append(
        (
            "child welfare share",
            _absorbed_in_child_welfare(scenario),
            got["share"],
            got["ci_low"],
            got["ci_high"],
            cal.child_welfare.loc["observed", "denominator"],
        )
    )
    frame = pd.DataFrame(rows, columns=["parameter", "truth", "estimate", "low", "high", "n"])
    frame["z"] = [_z(r.estimate, r.low, r.high, r.truth) for r in frame.itertuples()]
    frame["inside"] = (frame["low"] <= frame["truth"]) & (frame["truth"] <= frame["high"])
    frame["relative_error"] = (frame["estimate"] - frame["truth"]).abs() / frame["truth"]
    return frame


def test_recovers_tromso_from_five_years_of_its_own_log(tromso_cal, tromso):
    """25 parameters (10 arrival rates, 4 mean stays, 10 routing shares, the child-welfare
    share) from about 5 200 concerns. Each lies within 4 standard errors of the truth (the
    error its own count allows: a rate from n concerns has a relative SE of 1/√n, a share p
    from n exits √(p(1−p)/n)), and at least 80 % of the 95 % intervals hold the truth
    (expected 95 %; fewer than 20 of 25 has probability below 1 %)."""
    table = _recovery(tromso_cal, tromso)
    assert len(table) == 25
    assert (table["z"] < 4).all(), table.sort_values("z").tail(3)
    assert table["inside"].mean() >= 0.8, table[~table["inside"]]
    # The rates rest on ≥ 50 concerns each: within 4/√n relative error.
    rates = table[table["parameter"].str.startswith("rate")]
    assert (rates["relative_error"] < 4 / np.sqrt(rates["n"])).all()


def test_observed_child_welfare_share_is_close_to_the_model(tromso_cal, tromso):
    truth = _absorbed_in_child_welfare(tromso)  # 0.0348
    observed = tromso_cal.child_welfare.loc["observed"]
    assert observed["denominator"] > 4500
    assert _z(observed["share"], observed["ci_low"], observed["ci_high"], truth) < 4


def test_censoring_does_not_bias_mean_stays(tromso_log, tromso):
    """One year from the start: many stays at levels 1–2 are still open at the end. The naive
    mean of the completed stays favours the short ones (about 0.75 of the truth at level 1,
    0.6 at level 2); the Kaplan–Meier mean stays within 3 standard errors of the truth."""
    cal = estimate_parameters(tromso_log, "5401", period=("2019-01-07", "2020-01-05"))
    truth = pd.Series([lv.duration.mean_weeks for lv in tromso.levels])
    d = cal.durations
    assert (d.loc[[1, 2], "censored"] > 0.05 * d.loc[[1, 2], "stays"]).all()
    for lv in (0, 1, 2):
        assert _z(d.loc[lv, "mean_weeks"], d.loc[lv, "ci_low"], d.loc[lv, "ci_high"], truth[lv]) < 3
    assert (d.loc[[1, 2], "naive_mean_weeks"] < 0.85 * truth[[1, 2]]).all()
    assert (d.loc[[1, 2], "naive_mean_weeks"] < d.loc[[1, 2], "mean_weeks"]).all()


def test_a_later_window_uses_delayed_entry(tromso_log, tromso):
    """Three years after two of start-up: stays begun before the window enter late; the
    means still hold, and arrivals count only concerns raised in the window."""
    cal = estimate_parameters(tromso_log, "5401", period=("2021-01-04", "2023-12-31"))
    d = cal.durations
    assert (d["delayed_entry"] > 0).all()
    for lv in tromso.levels:
        row = d.loc[lv.number]
        assert _z(row["mean_weeks"], row["ci_low"], row["ci_high"], lv.duration.mean_weeks) < 3
    raised = tromso_log[
        (tromso_log["event"] == "concern_raised")
        & (tromso_log["event_time"] >= "2021-01-04")
        & (tromso_log["event_time"] < "2024-01-01")
    ]
    assert cal.arrivals["concerns"].sum() == len(raised)


def test_kaplan_meier_mean_with_exponential_tail_by_hand():
    """24 concerns at level 0 on 6 January 2020: 10 decided after 1 week, 10 after 2, 4 still
    open when the period ends after 3 weeks.

    Product-limit curve: t = 1: 24 at risk, 10 end, S = 14/24; t = 2: 14 at risk (< 20), so
    the curve is trusted up to t* = 1 and goes on exponentially. Past t*: 10 ended, weeks at
    risk 10 × 1 + 4 × 2 = 18, tail mean θ = 1.8. Mean = 1 + 14/24 × 1.8 = 2.05.
    Variance: A₁ = 14/24 × 1.8 = 1.05; 1.05² × 10 / (24 × 14) = 0.0328125, plus the tail's
    (14/24)² × 1.8² / 10 = 0.1102500: SE = √0.1430625 = 0.378236, 95 %: 2.05 ∓ 1.959964 SE
    = 1.308671–2.791329.
    Median: 1 + 1.8 ln(2 × 14/24) = 1.277474. Exponential MLE: 42 weeks / 20 = 2.1; naive: 1.5.
    """
    rows = []
    for i in range(24):
        rows.append((f"K{i}", "2020-01-06", "concern_raised"))
        if i < 20:
            rows.append((f"K{i}", "2020-01-13" if i < 10 else "2020-01-20", "level0_decision"))
    log = pd.DataFrame(rows, columns=["case_id", "event_time", "event"])
    log = log.assign(
        event_time=pd.to_datetime(log["event_time"]), level=0, service="school", age_band="6-15"
    )
    d = estimate_parameters(log, HAND_POPULATION, period=("2020-01-06", "2020-01-26"))
    row = d.durations.loc[0]
    assert row["mean_weeks"] == pytest.approx(2.05)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx([1.308671, 2.791329], abs=1e-6)
    assert row["median_weeks"] == pytest.approx(1 + 1.8 * math.log(28 / 24))
    assert row[["tail_share", "tail_from_weeks"]].tolist() == pytest.approx([14 / 24, 1.0])
    assert row["exponential_mean_weeks"] == pytest.approx(2.1)
    assert row["naive_mean_weeks"] == pytest.approx(1.5)
