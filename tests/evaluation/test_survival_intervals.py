"""The median of a Kaplan–Meier table and its interval, against independent computations.

lifelines is not installed here, so the reference is written out below in plain numpy the
way R's ``survfit`` reads a median and its interval off the curve: the median is the first
time the curve is at or below one half (the middle of a stretch where it is exactly one
half), and its interval runs from the first time the lower pointwise limit (log(−log),
Greenwood) is at or below one half to the first time the upper one is. ``km_table`` inverts
the pointwise test instead (statsmodels' ``quantile_ci``, SAS's method); the two must agree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bti_workbench.evaluation.survival import km_table

Z = stats.norm.ppf(0.975)


def reference_km(duration: np.ndarray, event: np.ndarray) -> pd.DataFrame:
    """Kaplan–Meier by the product formula, Greenwood's variance, log(−log) limits."""
    rows, surv, greenwood = [], 1.0, 0.0
    for t in np.unique(duration[event]):
        at_risk = int(np.sum(duration >= t))
        died = int(np.sum((duration == t) & event))
        surv *= 1 - died / at_risk
        greenwood += died / (at_risk * (at_risk - died)) if at_risk > died else np.inf
        se = surv * np.sqrt(greenwood) if surv > 0 and np.isfinite(greenwood) else 0.0
        if 0 < surv < 1 and np.isfinite(se):
            scale = np.exp(Z * se / (surv * abs(np.log(surv))))
            low, high = surv**scale, surv ** (1 / scale)
        else:
            low = high = surv
        rows.append((t, surv, low, high))
    return pd.DataFrame(rows, columns=["time", "surv", "low", "high"])


def reference_median(duration: np.ndarray, event: np.ndarray) -> tuple[float, float, float]:
    """Median and its interval as R's ``survfit`` reads them; inf where not reached."""
    km = reference_km(duration, event)

    def first_at_or_below_half(column: str) -> float:
        hits = np.flatnonzero(km[column].to_numpy() <= 0.5)
        return float(km["time"].iloc[hits[0]]) if len(hits) else np.inf

    half = np.flatnonzero(np.abs(km["surv"].to_numpy() - 0.5) < 1e-12)
    if len(half) and half[0] + 1 < len(km):
        median = float((km["time"].iloc[half[0]] + km["time"].iloc[half[0] + 1]) / 2)
    else:
        median = first_at_or_below_half("surv")
    return median, first_at_or_below_half("low"), first_at_or_below_half("high")


def test_median_interval_of_a_hand_worked_example():
    # 2, 3+, 4, 4, 6, 7+, 8, 9+ ("+" censored). Kaplan–Meier and Greenwood by hand:
    #   t = 2: S = 7/8 = 0.875,           Σ d/(n(n−d)) = 1/56            → se 0.116927
    #   t = 4: S = 0.875 · 4/6 = 0.583333, Σ += 2/24 → 0.101190           → se 0.185561
    #   t = 6: S = 0.583333 · 3/4 = 0.4375, Σ += 1/12 → 0.184524          → se 0.187934
    #   t = 8: S = 0.4375 · 1/2 = 0.21875, Σ += 1/2 → 0.684524            → se 0.180985
    # log(−log) limits S^exp(±1.959964 · se / (S |log S|)):
    #   t = 2: lower 0.875^7.1085 = 0.387 ≤ 1/2 → the interval starts at day 2;
    #   upper limits 0.981 (2), 0.844 (4), 0.742 (6), 0.593 (8): never ≤ 1/2 → not reached.
    # The median is day 6, the first day S ≤ 1/2 (4 at risk there).
    d = pd.DataFrame(
        {
            "duration": [2.0, 3, 4, 4, 6, 7, 8, 9],
            "event": [True, False, True, True, True, False, True, False],
        }
    )
    summary = km_table(d, k=2, grid_days=1).summary.loc["all"]
    assert summary["median"] == 6.0
    assert summary["median_ci_low"] == 2.0
    assert np.isnan(summary["median_ci_high"])  # not reached: shown as unknown
    km = reference_km(d["duration"].to_numpy(), d["event"].to_numpy())
    np.testing.assert_allclose(km["low"].iloc[0], 0.387, atol=5e-4)
    np.testing.assert_allclose(km["high"], [0.981, 0.844, 0.742, 0.593], atol=5e-4)
    # With k = 5 only 4 are at risk at day 6: the median is hidden, as is its interval's end.
    hidden = km_table(d, k=5, grid_days=1).summary.loc["all"]
    assert np.isnan(hidden["median"]) and hidden["median_ci_low"] == 2.0


def test_a_curve_exactly_at_one_half_takes_the_middle_of_the_stretch():
    # Six events at days 1–6: S = 3/6 exactly on [3, 4). R's survfit gives 3.5 (so does SAS);
    # statsmodels' own quantile would give 4 and "the first day S ≤ 1/2" 3.
    d = pd.DataFrame({"duration": [1.0, 2, 3, 4, 5, 6], "event": True})
    assert km_table(d, k=2, grid_days=1).summary.loc["all", "median"] == 3.5
    assert reference_median(d["duration"].to_numpy(), d["event"].to_numpy())[0] == 3.5


@pytest.mark.parametrize("seed", range(40))
def test_median_and_interval_agree_with_the_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 250))
    scale = rng.uniform(5, 20)
    if seed % 2:  # whole days, many ties, as in the event logs
        wait, follow = np.floor(rng.exponential(scale, n)), np.floor(rng.uniform(3, 60, n))
    else:
        wait, follow = np.round(rng.exponential(scale, n), 2), np.round(rng.uniform(3, 60, n), 2)
    duration, event = np.minimum(wait, follow), wait <= follow
    summary = km_table(pd.DataFrame({"duration": duration, "event": event}), k=2).summary
    got = summary.loc["all", ["median", "median_ci_low", "median_ci_high"]].to_numpy(float)
    want = np.array(reference_median(duration, event))
    for value, expected in zip(got, want, strict=True):
        if np.isnan(value):  # hidden: not reached, or fewer than k = 2 at risk there
            assert np.isinf(expected) or np.sum(duration >= expected) < 2
        else:
            assert value == pytest.approx(expected, abs=1e-9)
    assert not np.isnan(got[0])  # the medians of these samples are all reached and shown


def test_share_within_the_target_and_its_interval_agree_with_the_reference():
    rng = np.random.default_rng(14)
    wait, follow = np.floor(rng.lognormal(2.2, 0.6, 400)), np.floor(rng.uniform(10, 90, 400))
    duration, event = np.minimum(wait, follow), wait <= follow
    summary = km_table(pd.DataFrame({"duration": duration, "event": event})).summary.loc["all"]
    km = reference_km(duration, event)
    at_14 = km[km["time"] <= 14].iloc[-1]  # the curve on day 14: its last step by then
    assert summary["target_share"] == pytest.approx(1 - at_14["surv"], abs=1e-12)
    assert summary["target_ci_low"] == pytest.approx(1 - at_14["high"], abs=1e-9)
    assert summary["target_ci_high"] == pytest.approx(1 - at_14["low"], abs=1e-9)
