"""Interrupted time series: counts per month, segmented regression, suppressed publication."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.timeseries import (
    its_figure,
    its_table,
    monthly_counts,
    segmented_regression,
)
from bti_workbench.ingest.readers import read

MONTHS = pd.period_range("2017-01", periods=48, freq="M")
GO_LIVE = "2019-01"  # month 24 of MONTHS
B = (np.log(20), 0.005, 0.3, 0.01)  # baseline level, trend, level change, slope change


def _poisson_series(
    seed: int,
    b: tuple[float, float, float, float] = B,
    seasonal: np.ndarray | None = None,
    exposure: np.ndarray | None = None,
    overdispersion: float | None = None,
) -> pd.Series:
    """Poisson (or gamma-Poisson) counts from the segmented model with known coefficients."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(MONTHS))
    post = t >= 24
    log_mu = b[0] + b[1] * t + b[2] * post + b[3] * (t - 24) * post
    if seasonal is not None:
        log_mu = log_mu + seasonal[MONTHS.month - 1]
    mu = np.exp(log_mu) * (exposure if exposure is not None else 1.0)
    if overdispersion is not None:  # negative binomial: variance mu + mu² / size
        mu = rng.gamma(overdispersion, mu / overdispersion)
    return pd.Series(rng.poisson(mu), index=MONTHS)


def _covers(fit, term: str, value: float) -> bool:
    row = fit.coefficients.loc[term]
    return bool(row["ci_low"] <= value <= row["ci_high"])


def test_monthly_counts_counts_distinct_cases_per_month():
    log = pd.DataFrame(
        {
            "case_id": ["a", "a", "b", "c", "c", "d"],
            "event_time": pd.to_datetime(
                ["2019-01-03", "2019-01-20", "2019-01-09", "2019-03-02", "2019-03-02", "2019-04-30"]
            ),
            "event": ["log_opened"] * 3 + ["meeting_held"] * 2 + ["concern_raised"],
        }
    )
    # Logs opened: January a (twice, counted once) and b = 2, none in February or March;
    # the log runs to April, so April is a zero month too.
    opened = monthly_counts(log)
    assert opened.to_dict() == {
        pd.Period("2019-01", "M"): 2,
        pd.Period("2019-02", "M"): 0,
        pd.Period("2019-03", "M"): 0,
        pd.Period("2019-04", "M"): 0,
    }
    assert opened.index.name == "month" and opened.dtype == "int64"
    # Two meeting rows (two participants) of one case in March: one case.
    meetings = monthly_counts(log, "meeting_held", start="2018-12", end="2019-03")
    assert meetings.tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match="unknown event"):
        monthly_counts(log, "log_opend")
    with pytest.raises(ValueError, match="before start"):
        monthly_counts(log, start="2019-05", end="2019-01")


def test_monthly_counts_on_the_demo(large_demo_dir):
    log = read(large_demo_dir / "event_log.csv", "event-log")
    counts = monthly_counts(log)
    opened = log[log["event"] == "log_opened"]
    pairs = {
        (c, t.to_period("M")) for c, t in zip(opened["case_id"], opened["event_time"], strict=True)
    }
    assert counts.sum() == len(pairs)
    assert counts.index[0] == log["event_time"].min().to_period("M")
    assert counts.index[-1] == log["event_time"].max().to_period("M")
    assert (counts.index[1:] - counts.index[:-1] == counts.index.freq).all()
    fit = segmented_regression(counts, "2019-07")
    assert fit.n_pre + fit.n_post == len(counts) and fit.n_post == 12
    table = its_table(fit)
    assert table["count"].dropna().sum() <= counts.sum()


def test_poisson_recovers_level_and_slope_change():
    runs = 200
    fits = [segmented_regression(_poisson_series(seed), GO_LIVE) for seed in range(runs)]
    level = np.mean([_covers(f, "level_change", B[2]) for f in fits])
    slope = np.mean([_covers(f, "slope_change", B[3]) for f in fits])
    # Nominal 95 %; 200 runs have a binomial standard error of 1.5 points.
    assert 0.90 <= level <= 0.99
    assert 0.90 <= slope <= 0.99
    estimates = np.array([f.coefficients["estimate"].to_numpy() for f in fits])
    # Mean of 200 estimates: the level change has an sd of about 0.08 per fit.
    assert estimates.mean(axis=0) == pytest.approx(B, abs=0.02)
    first = fits[0]
    assert first.n_pre == 24 and first.n_post == 24
    ratio = first.coefficients.loc["level_change", ["ratio", "ratio_low", "ratio_high"]]
    expected = np.exp(first.coefficients.loc["level_change", ["estimate", "ci_low", "ci_high"]])
    assert first.relative_level_change.to_numpy() == pytest.approx(ratio.to_numpy() - 1)
    assert ratio.to_numpy() == pytest.approx(expected.to_numpy())


def test_no_effect_intervals_cover_zero():
    null = (np.log(15), 0.01, 0.0, 0.0)
    fits = [segmented_regression(_poisson_series(s, null), GO_LIVE) for s in range(200)]
    assert np.mean([_covers(f, "level_change", 0.0) for f in fits]) >= 0.90
    assert np.mean([_covers(f, "slope_change", 0.0) for f in fits]) >= 0.90
    assert np.mean([f.level_change["p_value"] < 0.05 for f in fits]) <= 0.10
    # Without an effect the fitted and counterfactual lines coincide within the interval.
    effect = fits[0].lines
    assert ((effect["effect_low"] <= 0) & (effect["effect_high"] >= 0)).mean() >= 0.9


def test_overdispersion_widens_the_intervals():
    # Gamma-Poisson counts with size 8: variance mu + mu²/8, about 3.5 times mu at mu ≈ 20.
    fits = [
        segmented_regression(_poisson_series(s, overdispersion=8.0), GO_LIVE) for s in range(100)
    ]
    assert np.median([f.dispersion for f in fits]) > 2.0
    scaled = np.mean([_covers(f, "level_change", B[2]) for f in fits])
    # The same intervals without the dispersion scale (plain Poisson) cover far less.
    naive = []
    for f in fits:
        row = f.coefficients.loc["level_change"]
        half = (row["ci_high"] - row["estimate"]) / np.sqrt(f.dispersion)
        naive.append(abs(row["estimate"] - B[2]) <= half)
    assert scaled >= 0.88
    assert np.mean(naive) <= 0.80


def test_seasonal_terms_recover_the_effect_and_the_season():
    # A summer dip (July −0.6) and a Christmas dip (December −0.3), January the reference.
    season = np.zeros(12)
    season[6], season[11], season[7] = -0.6, -0.3, -0.2
    fits = [
        segmented_regression(_poisson_series(s, seasonal=season), GO_LIVE, seasonal=True)
        for s in range(100)
    ]
    assert np.mean([_covers(f, "level_change", B[2]) for f in fits]) >= 0.88
    assert np.mean([_covers(f, "slope_change", B[3]) for f in fits]) >= 0.88
    months = [f"month_{m}" for m in range(2, 13)]
    mean = np.mean([f.coefficients.loc[months, "estimate"].to_numpy() for f in fits], axis=0)
    assert mean == pytest.approx(season[1:], abs=0.05)
    # Eleven month terms leave correlated residuals behind even without autocorrelation; the
    # Ljung–Box check is calibrated for them and does not cry wolf (nominal 5 %).
    flag = "its.warn.autocorrelation"
    assert np.mean([any(k == flag for k, _ in f.warning_codes) for f in fits]) <= 0.12
    with pytest.raises(ValueError, match="24 months"):
        segmented_regression(_poisson_series(0)[12:32], GO_LIVE, seasonal=True)


def test_exposure_gives_a_rate_model():
    # Children 0–23 growing from 8 000 to about 9 000; 2.5 logs per 1 000 children a month.
    exposure = np.linspace(8.0, 9.0, len(MONTHS))  # in thousands
    b = (np.log(2.5), 0.0, 0.25, 0.0)
    series = _poisson_series(1, b, exposure=exposure)
    per_1000 = pd.Series(exposure, index=MONTHS)
    fit = segmented_regression(series, GO_LIVE, exposure=per_1000)
    assert fit.rate
    assert _covers(fit, "level_change", 0.25)
    assert fit.lines["observed"].to_numpy() == pytest.approx(series.to_numpy() / exposure)
    # The lines are rates: the fitted rate before go-live is flat near 2.5.
    assert fit.lines.loc[~fit.lines["post"], "fitted"].to_numpy() == pytest.approx(2.5, rel=0.15)
    # A scalar exposure only rescales: the effect estimates do not move.
    plain = segmented_regression(series, GO_LIVE)
    scaled = segmented_regression(series, GO_LIVE, exposure=1000.0)
    cols = ["level_change", "slope_change", "baseline_trend"]
    assert scaled.coefficients.loc[cols, "estimate"].to_numpy() == pytest.approx(
        plain.coefficients.loc[cols, "estimate"].to_numpy()
    )
    with pytest.raises(ValueError, match="positive"):
        segmented_regression(series, GO_LIVE, exposure=np.zeros(len(MONTHS)))


def test_ols_newey_west_matches_a_hand_computation():
    rng = np.random.default_rng(3)
    t = np.arange(30.0)
    post = (t >= 15).astype(float)
    y = 5 + 0.1 * t + 2 * post + 0.2 * (t - 15) * post + rng.normal(0, 1, 30)
    series = pd.Series(y, index=pd.period_range("2020-01", periods=30, freq="M"))
    fit = segmented_regression(series, "2021-04", family="ols", maxlags=0)
    x = np.column_stack([np.ones(30), t, post, (t - 15) * post])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    # With no lags Newey–West is White's HC0, times n / (n − k) for the small-sample correction.
    resid = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    cov = bread @ (x.T * resid**2) @ x @ bread * 30 / (30 - 4)
    assert fit.coefficients["estimate"].to_numpy() == pytest.approx(beta)
    assert fit.coefficients["se"].to_numpy() == pytest.approx(np.sqrt(np.diag(cov)))
    assert fit.relative_level_change is None
    assert fit.lines["counterfactual"].to_numpy() == pytest.approx(x[:, :2] @ beta[:2])


def test_ols_recovers_effects_and_flags_autocorrelation():
    def series(seed: int, rho: float) -> pd.Series:
        rng = np.random.default_rng(seed)
        noise = np.zeros(48)
        shocks = rng.normal(0, 1, 48)
        for i in range(48):
            noise[i] = (rho * noise[i - 1] if i else 0.0) + shocks[i]
        t = np.arange(48)
        post = t >= 24
        return pd.Series(10 + 0.05 * t + 2 * post + 0.1 * (t - 24) * post + noise, index=MONTHS)

    white = [segmented_regression(series(s, 0.0), GO_LIVE, family="ols") for s in range(100)]
    # Newey–West intervals run somewhat narrow in 48 months (about 88 % for 95 %).
    assert np.mean([_covers(f, "level_change", 2.0) for f in white]) >= 0.80
    assert np.mean([f.level_change["estimate"] for f in white]) == pytest.approx(2.0, abs=0.15)
    flag = "its.warn.autocorrelation"
    assert np.mean([any(k == flag for k, _ in f.warning_codes) for f in white]) <= 0.15
    strong = [segmented_regression(series(s, 0.8), GO_LIVE, family="ols") for s in range(100)]
    assert np.mean([any(k == flag for k, _ in f.warning_codes) for f in strong]) >= 0.85
    assert "Ljung–Box" in next(m for f in strong for m in f.warnings if "Ljung" in m)


def test_short_series_warn_and_too_short_series_fail():
    counts = _poisson_series(4)
    short = counts["2018-07":"2019-05"]  # 6 months before, 5 from go-live
    fit = segmented_regression(short, GO_LIVE)
    codes = dict(fit.warning_codes)
    assert codes["its.warn.few_pre"] == {"n": 6, "m": 8}
    assert codes["its.warn.few_post"] == {"n": 5, "m": 8}
    assert any("6 months before go-live" in m for m in fit.warnings)
    assert any("6 måneder før oppstart" in m for m in fit.messages("nb"))
    long = segmented_regression(counts, GO_LIVE)
    assert not any(k.startswith("its.warn.few") for k, _ in long.warning_codes)
    with pytest.raises(ValueError, match="at least 3 months"):
        segmented_regression(counts["2018-11":"2019-06"], GO_LIVE)
    with pytest.raises(ValueError, match="whole non-negative"):
        segmented_regression(counts + 0.5, GO_LIVE)
    with pytest.raises(ValueError, match="family"):
        segmented_regression(counts, GO_LIVE, family="logit")


def test_a_dropped_transition_month_keeps_calendar_time():
    counts = _poisson_series(5)
    gap = counts.drop(pd.Period(GO_LIVE, "M"))
    fit = segmented_regression(gap, GO_LIVE)
    full = segmented_regression(counts, GO_LIVE)
    assert fit.n_post == full.n_post - 1
    # Month 25 is one month past go-live either way: the post slope is counted from go-live.
    x_gap = fit.lines.loc["2019-02", "fitted"]
    b = fit.coefficients["estimate"]
    assert x_gap == pytest.approx(
        np.exp(
            b["baseline_level"] + 25 * b["baseline_trend"] + b["level_change"] + b["slope_change"]
        )
    )


def test_its_table_hides_small_counts():
    # Before go-live: 9 8 3 10 9 11 → 3 is below 5; the segment total (50) is published by the
    # fit, so a second cell hides (the smallest other, 8). From go-live: 14 15 13 2 16 15 →
    # 2 hides, and 13 protects it.
    months = pd.period_range("2018-01", periods=12, freq="M")
    y = pd.Series([9, 8, 3, 10, 9, 11, 14, 15, 13, 2, 16, 15], index=months)
    fit = segmented_regression(y, "2018-07")
    table = its_table(fit, lang="en")
    assert table["shown"].tolist() == [
        "9",
        "×",
        "<5",
        "10",
        "9",
        "11",
        "14",
        "15",
        "×",
        "<5",
        "16",
        "15",
    ]
    hidden = table["count"].isna()
    assert hidden.tolist() == [s in ("<5", "×") for s in table["shown"]]
    assert table["observed"][hidden].isna().all()
    assert (table.loc[~hidden, "count"] == y[~hidden.to_numpy()]).all()
    # Each side hides none or at least two months, so its total does not give one back.
    for side in (False, True):
        assert hidden[table["post"] == side].sum() != 1
    # With a month hidden the model lines are withheld: they would pin it (score equations).
    assert table.attrs["lines_withheld"] and table["fitted"].isna().all()
    assert table["counterfactual"].isna().all() and table["effect"].isna().all()
    # With nothing hidden they are published to three significant digits.
    full = segmented_regression(y.clip(lower=8), "2018-07")
    published = its_table(full)
    assert not published.attrs["lines_withheld"]
    assert published["fitted"].iloc[0] == float(f"{full.lines['fitted'].iloc[0]:.3g}")
    assert its_table(fit, lang="nb")["shown"].iloc[1] == "×"
    # k = 3: the 3 is shown, the 2 and its protector (13) stay hidden.
    lower = its_table(fit, k=3)
    assert lower["count"].isna().sum() == 2 and lower.loc[lower["count"].isna(), "post"].all()
    tiny = pd.Series(
        [1, 0, 1, 0, 5, 6, 7, 8], index=pd.period_range("2018-01", periods=8, freq="M")
    )
    with pytest.raises(ValueError, match="before go-live add up to fewer than 5"):
        its_table(segmented_regression(tiny, "2018-05"))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_its_figure_draws_only_published_counts(lang):
    months = pd.period_range("2018-01", periods=12, freq="M")
    y = pd.Series([9, 8, 3, 10, 9, 11, 14, 15, 13, 2, 16, 15], index=months)
    fit = segmented_regression(y, "2018-07")
    fig = its_figure(fit, lang)
    observed = fig.data[0]
    table = its_table(fit, lang=lang)
    shown = table["count"].notna().to_numpy()
    assert list(observed.y) == table["count"][shown].astype(float).tolist()
    assert len(observed.x) == 8
    for trace in fig.data:  # no hidden count appears anywhere
        if trace.y is not None and trace.name == observed.name:
            assert 3 not in list(trace.y) and 2 not in list(trace.y)
    lines = [t for t in fig.data if t.mode == "lines" and t.x is not None and len(t.x)]
    assert lines == []  # withheld: a month is hidden
    assert pd.Timestamp(fig.layout.shapes[0].x0) == pd.Timestamp("2018-07-01")
    texts = " ".join(a.text for a in fig.layout.annotations)
    assert ("4 months" in texts) if lang == "en" else ("4 måneder" in texts)
    assert ("not shown" in texts) if lang == "en" else ("vises ikke" in texts)
    full = its_figure(segmented_regression(y.clip(lower=8), "2018-07"), lang)
    dashed = [t for t in full.data if t.line is not None and t.line.dash == "dash"]
    assert len(dashed) == 1 and pd.Timestamp(dashed[0].x[0]) == pd.Timestamp("2018-06-01")
    assert fig.layout.title.text == (
        "Interrupted time series around go-live"
        if lang == "en"
        else "Avbrutt tidsserie rundt oppstart"
    )
