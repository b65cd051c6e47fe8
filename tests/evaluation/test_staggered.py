"""Staggered-adoption difference in differences: Callaway & Sant'Anna against the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.staggered import att_gt, event_study_figure, twfe

GROUPS = (4, 10, 16)


def _simulate(
    seed: int,
    *,
    groups: tuple[int, ...] = GROUPS,
    n_per: int = 15,
    n_never: int = 10,
    periods: int = 20,
    sd: float = 1.0,
    slope: float = 0.4,
    shift: tuple[float, ...] = (1.0, 0.5, 0.0),
) -> tuple[pd.DataFrame, dict, np.ndarray, np.ndarray]:
    """A balanced panel with parallel trends and dynamic, group-specific effects.

    ``y_it = α_i + λ_t + τ_it + ε_it`` with ``τ_it = shift_g + slope · (t − g)`` from go-live
    on: early adopters gain more, and every effect grows with time since go-live, the case
    in which TWFE uses already-treated units as controls and is biased downwards.
    Returns the panel, the first-treated mapping, the true ``τ`` (units × periods) and each
    unit's first period (``inf`` = never).
    """
    rng = np.random.default_rng(seed)
    first = np.repeat([*groups, np.inf], [n_per] * len(groups) + [n_never]).astype(float)
    n, t = len(first), np.arange(periods)
    e = t[None, :] - first[:, None]
    group_shift = np.array([*shift, 0.0])[np.searchsorted(groups, first)]
    tau = np.where(e >= 0, group_shift[:, None] + slope * np.clip(e, 0, None), 0.0)
    y = (
        rng.normal(10, 2, n)[:, None]
        + np.cumsum(rng.normal(0.2, 0.5, periods))[None, :]
        + tau
        + rng.normal(0, sd, (n, periods))
    )
    units = [f"m{i:03d}" for i in range(n)]
    panel = pd.DataFrame(
        {"unit": np.repeat(units, periods), "period": np.tile(t, n), "outcome": y.ravel()}
    )
    mapping = {u: (None if np.isinf(g) else int(g)) for u, g in zip(units, first, strict=True)}
    return panel, mapping, tau, first


def _true_cell(tau: np.ndarray, first: np.ndarray, g: int, t: int) -> float:
    return float(tau[first == g][0, t])


def _true_event(tau: np.ndarray, first: np.ndarray, e: int) -> float:
    """θ(e): the cells ``(g, g + e)`` inside the panel, weighted by group size."""
    periods = tau.shape[1]
    cells = [(g, g + e) for g in GROUPS if 0 <= g + e < periods]
    sizes = np.array([(first == g).sum() for g, _ in cells], dtype=float)
    values = np.array([_true_cell(tau, first, g, t) for g, t in cells])
    return float(sizes @ values / sizes.sum())


def _two_by_two(panel: pd.DataFrame, mapping: dict, g: int, t: int, b: int, controls) -> float:
    """ATT(g, t) straight from the definition: a DiD of four means, computed with pandas."""
    wide = panel.pivot(index="unit", columns="period", values="outcome")
    treated = [u for u, f in mapping.items() if f == g]
    change = wide[t] - wide[b]
    return float(change[treated].mean() - change[controls].mean())


def test_hand_made_panel_matches_hand_computation():
    # Units a, b go live in period 2; c, d never do.
    #          t=0 t=1 t=2
    #   a       1   2   6
    #   b       3   3   8
    #   c       2   3   4
    #   d       0   2   2
    # ATT(2,2), base 1: treated (6-2 + 8-3)/2 = 4.5, controls (4-3 + 2-2)/2 = 0.5 → 4.0
    # ATT(2,1), varying base 0: treated (2-1 + 3-3)/2 = 0.5, controls (3-2 + 2-0)/2 = 1.5 → -1.0
    # ATT(2,0), universal base 1: treated (1-2 + 3-3)/2 = -0.5, controls (2-3 + 0-2)/2 = -1.5
    #   → 1.0, and e = -1 is the reference (0).
    # TWFE (one cohort): period 2 minus the mean of periods 0-1, treated minus controls:
    #   (7 - 2.25) - (3 - 1.75) = 3.5.
    values = {"a": [1, 2, 6], "b": [3, 3, 8], "c": [2, 3, 4], "d": [0, 2, 2]}
    panel = pd.DataFrame(
        [
            {"unit": u, "period": t, "outcome": float(v)}
            for u, row in values.items()
            for t, v in enumerate(row)
        ]
    )
    mapping = {"a": 2, "b": 2, "c": None, "d": np.nan}
    varying = att_gt(panel, mapping, n_boot=99)
    cells = varying.group_time.set_index("period")["att"]
    assert cells.to_dict() == pytest.approx({1: -1.0, 2: 4.0})
    assert varying.event_time["att"].to_dict() == pytest.approx({-1: -1.0, 0: 4.0})
    assert varying.overall["att"].to_numpy() == pytest.approx([4.0, 4.0, 4.0])
    universal = att_gt(panel, mapping, base_period="universal", n_boot=99)
    assert universal.event_time["att"].to_dict() == pytest.approx({-2: 1.0, -1: 0.0, 0: 4.0})
    assert np.isnan(universal.event_time.loc[-1, "se"])
    assert twfe(panel, mapping).estimate == pytest.approx(3.5)
    assert [key for key, _ in varying.warning_codes] == ["did.warn.few_clusters"]
    assert "4 municipalities" in varying.warnings[0]


def test_recovers_group_time_and_event_time_effects_where_twfe_is_biased():
    # 30 municipalities per group: with 10-15 the normal-theory band over all 69 cells is
    # too narrow in a quarter of the draws (see test_no_effect_intervals_cover_zero).
    panel, mapping, tau, first = _simulate(3, n_per=30, n_never=20)
    fit = att_gt(panel, mapping, n_boot=999, seed=1)
    cells = fit.group_time
    truth = np.array(
        [_true_cell(tau, first, g, t) for g, t in zip(cells["group"], cells["period"], strict=True)]
    )
    # Every ATT(g, t), after and before go-live (truth 0), lies in the uniform band.
    assert ((cells["band_low"] <= truth) & (truth <= cells["band_high"])).all()
    # The band is uniform: wider than the pointwise interval.
    assert ((cells["band_high"] - cells["band_low"]) > (cells["ci_high"] - cells["ci_low"])).all()
    events = fit.event_time
    after = events[events.index >= 0]
    theta = np.array([_true_event(tau, first, int(e)) for e in after.index])
    assert ((after["band_low"] <= theta) & (theta <= after["band_high"])).all()
    before = events[events.index < 0]
    assert ((before["band_low"] <= 0) & (before["band_high"] >= 0)).all()
    # Overall effect, simple aggregation: post cells weighted by group size.
    post = cells[cells["post"]]
    true_simple = float(np.average(truth[cells["post"]], weights=post["n_treated"]))
    simple = fit.overall.loc["simple"]
    assert simple["ci_low"] <= true_simple <= simple["ci_high"]
    naive = twfe(panel, mapping)
    cs_error = abs(simple["att"] - true_simple)
    twfe_error = abs(naive.estimate - true_simple)
    # CS errs by noise (se ≈ 0.25); TWFE is biased by about -2 (negative weights on the
    # growing effects of early adopters).
    assert twfe_error > 1.5
    assert twfe_error > 3 * cs_error
    assert naive.estimate < simple["ci_low"]
    assert naive.negative_weight_sum < 0


def test_noiseless_panel_is_recovered_exactly_and_twfe_is_its_weighted_sum():
    panel, mapping, tau, first = _simulate(4, sd=0.0)
    for control in ("never", "not_yet"):
        for base in ("varying", "universal"):
            fit = att_gt(panel, mapping, control=control, base_period=base, n_boot=99)
            cells = fit.group_time
            truth = [
                _true_cell(tau, first, g, t)
                for g, t in zip(cells["group"], cells["period"], strict=True)
            ]
            assert cells["att"].to_numpy() == pytest.approx(truth, abs=1e-9)
            for e, row in fit.event_time.iterrows():
                expected = _true_event(tau, first, e) if e >= 0 else 0.0
                assert row["att"] == pytest.approx(expected, abs=1e-9)
    naive = twfe(panel, mapping)
    weights = naive.weights
    assert weights["weight"].sum() == pytest.approx(1.0)
    implied = sum(
        w * _true_cell(tau, first, g, t)
        for g, t, w in zip(weights["group"], weights["period"], weights["weight"], strict=True)
    )
    assert naive.estimate == pytest.approx(implied, abs=1e-9)
    # Long-exposed cells of the early adopters get negative weight.
    negative = weights[weights["weight"] < 0]
    assert len(negative) > 0 and (negative["group"] == GROUPS[0]).all()
    assert naive.negative_weight_sum == pytest.approx(negative["weight"].sum())


@pytest.mark.parametrize("base", ["varying", "universal"])
def test_group_time_estimates_equal_the_two_by_two_means(base):
    panel, mapping, _, _ = _simulate(5)
    never = [u for u, f in mapping.items() if f is None]
    fit = att_gt(panel, mapping, base_period=base, n_boot=99)
    cells = fit.group_time.set_index(["group", "period"])
    for g, t in [(4, 2), (4, 4), (10, 15), (16, 19), (16, 3)]:
        b = g - 1 if (t >= g or base == "universal") else t - 1
        assert cells.loc[(g, t), "base_period"] == b
        expected = _two_by_two(panel, mapping, g, t, b, never)
        assert cells.loc[(g, t), "att"] == pytest.approx(expected, abs=1e-10)
        assert cells.loc[(g, t), "n_treated"] == 15 and cells.loc[(g, t), "n_control"] == 10
    # Not yet treated: ATT(4, 6) compares with units not live by period 6 (groups 10 and 16
    # and the never-treated): 40 units.
    later = att_gt(panel, mapping, control="not_yet", base_period=base, n_boot=99)
    row = later.group_time.set_index(["group", "period"]).loc[(4, 6)]
    controls = [u for u, f in mapping.items() if f is None or f > 6]
    assert row["att"] == pytest.approx(_two_by_two(panel, mapping, 4, 6, 3, controls))
    assert row["n_control"] == 40


def test_not_yet_treated_controls_agree_where_they_should():
    panel, mapping, tau, first = _simulate(7, n_per=30, n_never=20)
    never = att_gt(panel, mapping, n_boot=999, seed=2)
    later = att_gt(panel, mapping, control="not_yet", n_boot=999, seed=2)
    a = never.group_time.set_index(["group", "period"])
    b = later.group_time.set_index(["group", "period"])
    assert a.index.equals(b.index)
    # Where no other group is still untreated at max(t, b), the control sets coincide.
    same = [
        (g, t)
        for g, t in a.index
        if not any(h != g and h > max(t, a.loc[(g, t), "base_period"]) for h in GROUPS)
    ]
    assert len(same) > 10
    assert b.loc[same, "att"].to_numpy() == pytest.approx(a.loc[same, "att"].to_numpy())
    assert (b.loc[same, "n_control"] == 20).all()
    # Elsewhere the extra controls change the estimate, not what it estimates.
    others = a.index.difference(pd.MultiIndex.from_tuples(same))
    assert (b.loc[others, "n_control"] > 20).all()
    assert not np.allclose(b.loc[others, "att"], a.loc[others, "att"])
    truth = np.array([_true_cell(tau, first, g, t) for g, t in b.index])
    assert ((b["band_low"] <= truth) & (truth <= b["band_high"])).all()
    # More controls, smaller standard errors on average; both cover the same truth.
    assert b.loc[others, "se"].mean() < a.loc[others, "se"].mean()
    post = a[a["post"]]
    true_simple = np.average(truth[a["post"].to_numpy()], weights=post["n_treated"])
    for fit in (never, later):
        row = fit.overall.loc["simple"]
        assert row["ci_low"] <= true_simple <= row["ci_high"]


def test_without_never_treated_units_only_not_yet_works():
    panel, mapping, tau, first = _simulate(8, n_per=30, n_never=0)
    with pytest.raises(ValueError, match="not_yet"):
        att_gt(panel, mapping)
    fit = att_gt(panel, mapping, control="not_yet", n_boot=499)
    cells = fit.group_time
    # From period 16 on no one is left untreated: the last group has no post cells, and
    # the others stop at period 15.
    assert cells[cells["post"]]["period"].max() == 15
    assert 16 not in set(cells[cells["post"]]["group"])
    # Cells without controls: groups 4 and 10 at periods 16-19 (4 + 4), and group 16 from
    # period 10 on (10 cells: before its go-live, groups 4 and 10 are already live).
    skipped = dict(fit.warning_codes)["did.warn.no_controls"]["n"]
    assert skipped == 4 + 4 + 10
    truth = np.array(
        [_true_cell(tau, first, g, t) for g, t in zip(cells["group"], cells["period"], strict=True)]
    )
    assert ((cells["band_low"] <= truth) & (truth <= cells["band_high"])).all()


def test_no_effect_intervals_cover_zero():
    runs, overall, band, pointwise_all = 80, 0, 0, 0
    for seed in range(runs):
        panel, mapping, _, _ = _simulate(100 + seed, slope=0.0, shift=(0.0, 0.0, 0.0))
        fit = att_gt(panel, mapping, n_boot=499, seed=seed)
        row = fit.overall.loc["group"]
        overall += row["ci_low"] <= 0 <= row["ci_high"]
        events = fit.event_time
        band += bool(((events["band_low"] <= 0) & (events["band_high"] >= 0)).all())
        pointwise_all += bool(((events["ci_low"] <= 0) & (events["ci_high"] >= 0)).all())
    # Nominal 95 %: 80 runs give a standard error of 2.4 points.
    assert overall / runs >= 0.88
    # The uniform band covers all 35 event times at once far more often than 35 pointwise
    # intervals do (0.95^35 ≈ 0.17 if independent). It falls somewhat short of 95 % with
    # 10–15 municipalities per group (normal tails, estimated standard errors).
    assert band / runs >= 0.75
    assert pointwise_all / runs <= 0.45
    assert band - pointwise_all >= 0.3 * runs


def test_bootstrap_is_seeded_and_counts_units():
    panel, mapping, _, _ = _simulate(8)
    a = att_gt(panel, mapping, n_boot=199, seed=11)
    b = att_gt(panel, mapping, n_boot=199, seed=11)
    c = att_gt(panel, mapping, n_boot=199, seed=12)
    pd.testing.assert_frame_equal(a.event_time, b.event_time)
    assert a.event_time["att"].equals(c.event_time["att"])
    assert not np.allclose(a.event_time["se"], c.event_time["se"])
    events = a.event_time
    # e = 0 rests on all three groups (45 treated units); e = 12 only on the first group,
    # whose go-live (4) is early enough to be seen 12 periods later.
    assert events.loc[0, ["n_groups", "n_treated", "n_control"]].tolist() == [3, 45, 10]
    assert events.loc[12, ["n_groups", "n_treated"]].tolist() == [1, 15]
    assert a.overall["n_treated"].tolist() == [45, 45, 45]
    assert a.by_group["n_treated"].tolist() == [15, 15, 15]
    assert a.n_units == 55 and a.n_never == 10
    assert a.warning_codes == ()


def test_monthly_periods_and_plain_warnings():
    panel, mapping, _, _ = _simulate(9, n_per=2, n_never=2, groups=(4, 10), shift=(1.0, 0.5))
    months = pd.period_range("2019-01", periods=20, freq="M")
    panel["period"] = months[panel["period"].to_numpy()]
    dates = {
        u: (None if g is None else months[g].to_timestamp() + pd.Timedelta(days=14))
        for u, g in mapping.items()
    }
    units = sorted(dates)
    dates[units[0]] = pd.Timestamp("2018-06-01")  # live before the panel starts: dropped
    dates[units[-1]] = pd.Timestamp("2021-03-01")  # live after it ends: never treated here
    fit = att_gt(panel, dates, n_boot=199)
    assert list(fit.by_group.index) == [months[4], months[10]]
    assert fit.group_time["event_time"].dtype.kind == "i"
    codes = dict(fit.warning_codes)
    assert codes["did.warn.few_clusters"] == {"n": 5, "m": 10}
    assert codes["did.warn.always_treated"] == {"n": 1}
    assert codes["did.warn.treated_after_panel"] == {"n": 1}
    assert codes["did.warn.single_unit_groups"] == {"n": 1}
    assert fit.n_never == 2
    nb = fit.messages("nb")
    assert any("5 kommuner" in m for m in nb)
    assert all("m00" not in m for m in nb + fit.warnings)


def test_invalid_panels_are_refused_without_naming_units():
    panel, mapping, _, _ = _simulate(10)
    with pytest.raises(ValueError, match="balanced") as info:
        att_gt(panel.iloc[1:], mapping)
    assert "m0" not in str(info.value)
    partial = dict(list(mapping.items())[1:])
    with pytest.raises(ValueError, match="no entry for 1 units") as info:
        att_gt(panel, partial)
    assert "m0" not in str(info.value)
    with pytest.raises(ValueError, match="control"):
        att_gt(panel, mapping, control="everyone")
    with pytest.raises(ValueError, match="no unit is treated"):
        att_gt(panel, dict.fromkeys(mapping))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_event_study_figure(lang):
    panel, mapping, _, _ = _simulate(11)
    fit = att_gt(panel, mapping, base_period="universal", n_boot=199)
    fig = event_study_figure(fit, lang, twfe_result=twfe(panel, mapping))
    names = [trace.name for trace in fig.data]
    before, after = fig.data[1], fig.data[2]
    assert len(before.x) == int((fit.event_time.index < 0).sum())
    assert list(after.y) == pytest.approx(fit.event_time.loc[0:, "att"].tolist())
    assert list(after.error_y.array) == pytest.approx(
        (fit.event_time.loc[0:, "ci_high"] - fit.event_time.loc[0:, "att"]).tolist()
    )
    expected = "Uniform 95 % band" if lang == "en" else "Samtidig 95 %-bånd"
    assert names[0] == expected
    assert names[-1].startswith("TWFE")
    title = fig.layout.title.text
    assert title == (
        "Effect by time since go-live" if lang == "en" else "Effekt etter tid siden oppstart"
    )
