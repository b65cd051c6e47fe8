"""Staff surveys: shares agreeing, change between waves, the MDD and the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bti_workbench.evaluation.proportions import (
    newcombe_interval,
    proportion_table,
    wilson_interval,
)
from bti_workbench.evaluation.surveys import (
    agreement_table,
    cliffs_delta,
    cohens_h,
    minimum_detectable_difference,
    survey_figure,
    wave_change,
)
from bti_workbench.ingest.readers import read_staff_survey
from bti_workbench.reference.labels import label


def _survey(waves: dict[str, dict[str, list]], ids: dict[str, list[str]] | None = None):
    """A survey frame from {wave: {item: answers}} (None for unanswered)."""
    frames = []
    for wave, items in waves.items():
        n = len(next(iter(items.values())))
        respondent = ids[wave] if ids else [f"{wave[:1]}{i}" for i in range(n)]
        frame = pd.DataFrame({"respondent_id": respondent, "wave": wave, **items})
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    for column in out.columns[2:]:
        out[column] = out[column].astype("Int64")
    return out


def _random_survey(seed: int, n1: int, n2: int, p1: float, p2: float) -> pd.DataFrame:
    """Answers 4–5 with probability p, else 1–3; two independent waves."""
    rng = np.random.default_rng(seed)

    def answers(n: int, p: float) -> list[int]:
        agree = rng.random(n) < p
        return np.where(agree, rng.integers(4, 6, n), rng.integers(1, 4, n)).tolist()

    return _survey(
        {
            "baseline": {"role_clarity": answers(n1, p1)},
            "follow_up": {"role_clarity": answers(n2, p2)},
        }
    )


# --- Wilson and Newcombe against the published worked examples -----------------------------


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    # Newcombe (1998), Stat Med 17:857, Table I, method 3 (score interval without correction).
    [
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_newcombe_1998_single_proportion(x, n, low, high):
    lo, hi = wilson_interval(x, n)
    assert (round(float(lo), 4), round(float(hi), 4)) == (low, high)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    # Newcombe (1998), Stat Med 17:873, Table II, method 10, for p1 - p2 of the examples (a)-(h).
    [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (6, 7, 2, 7, 0.0582, 0.8062),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0),
        (10, 10, 0, 10, 0.6075, 1.0),
    ],
)
def test_newcombe_matches_newcombe_1998_differences(x1, n1, x2, n2, low, high):
    # newcombe_interval gives p2 - p1 of its arguments: pass the paper's second group first.
    d, lo, hi = newcombe_interval(x2, n2, x1, n1)
    assert round(d, 4) == round(x1 / n1 - x2 / n2, 4)
    assert (round(lo, 4), round(hi, 4)) == (low, high)


# --- shares agreeing ----------------------------------------------------------------------


def test_hand_made_survey_gives_hand_computed_shares():
    survey = _survey(
        {
            # know_what_to_do: 4, 5, 5, 4, 4, 4 agree (6); 1, 2, 3, 3 do not (4); one blank.
            # role_clarity: 5 agree of 10 answers.
            "baseline": {
                "know_what_to_do": [4, 5, 5, 4, 4, 4, 1, 2, 3, 3, None],
                "role_clarity": [5, 5, 4, 4, 4, 1, 1, 2, 2, 3, 3],
            },
            # know_what_to_do: 9 agree (4 or 5) of 12; role_clarity: 3 agree of 12.
            "follow_up": {
                "know_what_to_do": [5, 5, 5, 4, 4, 4, 4, 5, 4, 1, 2, 3],
                "role_clarity": [4, 4, 5, 1, 1, 1, 2, 2, 2, 3, 3, 3],
            },
        }
    )
    table = agreement_table(survey, k=3)
    values = table.values
    # Catalogue order of items, contract order of waves.
    assert list(values.index) == [
        ("know_what_to_do", "baseline"),
        ("know_what_to_do", "follow_up"),
        ("role_clarity", "baseline"),
        ("role_clarity", "follow_up"),
    ]
    assert values["numerator"].tolist() == [6, 9, 5, 3]
    assert values["denominator"].tolist() == [10, 12, 11, 12]  # the blank is not counted
    assert values["share"].tolist() == pytest.approx([0.6, 0.75, 5 / 11, 0.25])
    low, high = wilson_interval(6, 10)
    assert values["ci_low"].iloc[0] == pytest.approx(float(low))
    assert values["ci_high"].iloc[0] == pytest.approx(float(high))
    # Everything shown: no count below 3 (the complement of 9 of 12 is 3).
    assert not table.hidden.to_numpy().any()
    assert table.formatted("nb").loc[("know_what_to_do", "follow_up"), "share"] == "75,0 %"


def test_agree_from_and_filters():
    survey = _survey({"baseline": {"trust_services": [5, 5, 5, 4, 4, 4, 3, 3, 3, 1, 1, 1]}}).assign(
        service=["school"] * 6 + ["kindergarten"] * 6
    )
    # Only 5 counts as agreeing: 3 of 12.
    strict = agreement_table(survey, k=3, agree_from=5)
    assert strict.values["numerator"].tolist() == [3]
    # School only: 6 answers, all agreeing (4 or 5), so "not agreeing" is 0 < k: hidden.
    school = agreement_table(survey, k=3, service="school")
    assert school.values["denominator"].tolist() == [6]
    assert np.isnan(school.values["share"].iloc[0])


def test_small_groups_are_suppressed():
    survey = _survey(
        {
            "baseline": {"know_action_guide": [4, 4, 1, None, None, None, None]},
            "follow_up": {"know_action_guide": [4, 4, 4, 4, 4, 4, 1, 1, 1, 2, 2, 2, 3, 3]},
        }
    )
    table = agreement_table(survey, k=5)
    base = ("know_action_guide", "baseline")
    # Three answers at baseline: numerator, denominator and share all hidden.
    assert table.hidden.loc[base].all()
    assert table.values.loc[base].isna().all()
    assert table.formatted("en").loc[base, "denominator"] in ("<5", "×")
    # Follow-up: 6 agree, 8 do not: shown.
    assert table.values.loc[("know_action_guide", "follow_up"), "share"] == pytest.approx(6 / 14)
    # No share and no test for the item.
    change = wave_change(survey, k=5, lang="en")
    row = change.loc["know_action_guide"]
    assert np.isnan(row["n_before"]) and np.isnan(row["share_before"])
    assert np.isnan(row["change"]) and np.isnan(row["mdd"]) and pd.isna(row["underpowered"])
    assert np.isnan(row["statistic"]) and np.isnan(row["p_value"]) and np.isnan(row["rank_effect"])
    assert label("survey.hidden", "en", k=5) in row["note"]


def test_share_hidden_but_rank_test_shown_when_only_a_split_is_small():
    # 20 answers each; baseline has 2 agreeing (< 5): share hidden, answers (20) are not.
    survey = _survey(
        {
            "baseline": {"log_useful": [4, 5] + [1, 2, 3] * 6},
            "follow_up": {"log_useful": [4, 5] * 6 + [1, 2, 3, 3, 2, 1, 2, 3]},
        }
    )
    row = wave_change(survey, k=5).loc["log_useful"]
    assert row["n_before"] == 20 and np.isnan(row["share_before"])
    assert np.isnan(row["change"]) and np.isnan(row["cohens_h"]) and np.isnan(row["mdd"])
    assert 0 <= row["p_value"] <= 1


def test_breakdown_cannot_be_worked_back_from_the_item_total():
    # School 12 answers (7 agree, 5 not), kindergarten 10 (5 and 5), health station 3 (2 and
    # 1). On their own, school and kindergarten would be shown; then the item total (25
    # answers, 14 agree) minus them would give the health station back (3 answers, 2 agree).
    answers = [4] * 7 + [1] * 5 + [5] * 5 + [2] * 5 + [4, 4, 1]
    services = ["school"] * 12 + ["kindergarten"] * 10 + ["health_station"] * 3
    survey = _survey({"baseline": {"know_whom_to_contact": answers}}).assign(service=services)
    total = agreement_table(survey, k=5)
    assert total.values["denominator"].tolist() == [25]
    assert total.values["numerator"].tolist() == [14]
    alone = proportion_table(agreement_table(survey, by=("item", "service"), k=5).raw, k=5)
    assert alone.hidden.sum().sum() == 2  # only the health station, row by row
    broken = agreement_table(survey, by=("item", "wave", "service"), k=5)
    hidden = broken.hidden.droplevel(["item", "wave"])
    assert hidden.loc["health_station"].all()
    # Another service is hidden too, in numerator and denominator, and so is its share.
    others = hidden.drop("health_station")
    assert others["numerator"].any() and others["denominator"].any()
    values = broken.values.droplevel(["item", "wave"])
    assert values["share"].notna().sum() == 1
    assert values["denominator"].notna().sum() == 1


# --- change between waves -----------------------------------------------------------------


def test_mann_whitney_and_cliffs_delta_match_scipy_and_brute_force():
    survey = _random_survey(seed=3, n1=40, n2=35, p1=0.35, p2=0.6)
    survey.loc[[2, 50], "role_clarity"] = pd.NA  # blanks are left out of the test
    row = wave_change(survey, "role_clarity").loc["role_clarity"]
    before = survey.loc[survey["wave"] == "baseline", "role_clarity"].dropna().to_numpy(float)
    after = survey.loc[survey["wave"] == "follow_up", "role_clarity"].dropna().to_numpy(float)
    expected = stats.mannwhitneyu(after, before, alternative="two-sided")
    assert row["test"] == "mann_whitney" and row["design"] == "independent"
    assert row["statistic"] == pytest.approx(expected.statistic)
    assert row["p_value"] == pytest.approx(expected.pvalue)
    higher = (after[:, None] > before[None, :]).sum()
    lower = (after[:, None] < before[None, :]).sum()
    delta = (higher - lower) / (len(after) * len(before))
    assert row["rank_effect"] == pytest.approx(delta)
    assert cliffs_delta(before, after) == pytest.approx(delta)
    assert row["n_before"] == 39 and row["n_after"] == 34


def test_cliffs_delta_and_cohens_h_by_hand():
    # before [1, 2, 3], after [2, 3, 4]: of 9 pairs, after is higher in 6, lower in 1 (2 vs 3).
    assert cliffs_delta([1, 2, 3], [2, 3, 4]) == pytest.approx(5 / 9)
    # h = 2 asin(sqrt(0.75)) - 2 asin(sqrt(0.5)) = 2 (pi/3 - pi/4) = pi/6.
    assert cohens_h(0.5, 0.75) == pytest.approx(np.pi / 6)


def test_paired_design_uses_wilcoxon_on_the_same_respondents():
    ids = [f"R{i}" for i in range(12)]
    before = [2, 3, 1, 4, 2, 3, 3, 2, 1, 4, 5, 2]
    after = [4, 4, 3, 4, 3, 5, 2, 4, 3, 5, 5, 4]
    survey = _survey(
        {"baseline": {"trust_services": before}, "follow_up": {"trust_services": after}},
        ids={"baseline": ids, "follow_up": ids},
    )
    table = wave_change(survey, k=5, lang="en")
    row = table.loc["trust_services"]
    assert row["design"] == "paired" and row["test"] == "wilcoxon"
    assert row["n_paired"] == 12
    d = np.array(after) - np.array(before)
    expected = stats.wilcoxon(d[d != 0])
    assert row["statistic"] == pytest.approx(expected.statistic)
    assert row["p_value"] == pytest.approx(expected.pvalue)
    # Differences 2,1,2,0,1,2,-1,2,2,1,0,2: non-zero |d| ranks: the three 1s and the -1
    # share ranks 1-4 (2.5 each), the six 2s ranks 5-10 (7.5 each). T- = 2.5, T+ = 52.5,
    # r = (52.5 - 2.5) / 55.
    assert row["rank_effect"] == pytest.approx(50 / 55)
    assert label("survey.paired", "en", n=12) in row["note"]


def test_paired_with_too_few_shared_respondents_shows_no_test():
    ids_before = [f"R{i}" for i in range(10)]
    ids_after = ["R0", "R1"] + [f"S{i}" for i in range(8)]  # two answered both waves
    survey = _survey(
        {
            "baseline": {"role_clarity": [1, 2, 3, 4, 5] * 2},
            "follow_up": {"role_clarity": [5, 4, 4, 4, 4, 1, 2, 3, 3, 2]},
        },
        ids={"baseline": ids_before, "follow_up": ids_after},
    )
    row = wave_change(survey, k=5, lang="nb").loc["role_clarity"]
    assert row["design"] == "paired"
    assert pd.isna(row["n_paired"])  # 2 < k: hidden
    assert np.isnan(row["p_value"])
    assert label("survey.paired_few", "nb", k=5) in row["note"]


def test_change_recovers_known_shares():
    # True shares 0.40 -> 0.60 (h = 2 asin(sqrt .6) - 2 asin(sqrt .4) = 0.4027), n = 2000 each.
    survey = _random_survey(seed=11, n1=2000, n2=2000, p1=0.40, p2=0.60)
    row = wave_change(survey).loc["role_clarity"]
    assert row["share_before"] == pytest.approx(0.40, abs=0.03)
    assert row["share_after"] == pytest.approx(0.60, abs=0.03)
    assert row["change_low"] < 0.20 < row["change_high"]
    assert row["cohens_h"] == pytest.approx(cohens_h(0.4, 0.6), abs=0.06)
    assert row["p_value"] < 1e-6 and row["rank_effect"] > 0
    assert not bool(row["underpowered"])
    assert row["note"] == ""


def test_mdd_detects_the_change_in_about_power_of_runs():
    # At p2 = p1 + MDD, a seeded simulation finds the change (Newcombe interval without 0)
    # in about `power` of the runs; at half the MDD it mostly does not.
    rng = np.random.default_rng(2024)
    runs = 2000
    for p1, n1, n2, power in [(0.40, 120, 100, 0.8), (0.30, 60, 60, 0.9)]:
        mdd = minimum_detectable_difference(p1, n1, n2, alpha=0.05, power=power)
        rates = []
        for change in (mdd, mdd / 2):
            x1 = rng.binomial(n1, p1, runs)
            x2 = rng.binomial(n2, p1 + change, runs)
            found = [newcombe_interval(a, n1, b, n2)[1] > 0 for a, b in zip(x1, x2, strict=True)]
            rates.append(np.mean(found))
        assert rates[0] == pytest.approx(power, abs=0.04)
        assert rates[1] < 0.55


def test_mdd_edges():
    # Hand: h = (1.95996 + 0.84162) * sqrt(2 / 100) = 0.39621; p2 = sin^2(pi/4 + 0.19811).
    assert minimum_detectable_difference(0.5, 100, 100) == pytest.approx(
        np.sin(np.pi / 4 + 0.39621 / 2) ** 2 - 0.5, abs=1e-4
    )
    # Symmetric around one half.
    assert minimum_detectable_difference(0.3, 50, 70, direction=-1) == pytest.approx(
        minimum_detectable_difference(0.7, 50, 70, direction=1)
    )
    # More answers, smaller MDD.
    assert minimum_detectable_difference(0.3, 400, 400) < minimum_detectable_difference(
        0.3, 100, 100
    )
    # Nothing detectable above a share of 0.98 with 10 answers each.
    assert np.isnan(minimum_detectable_difference(0.98, 10, 10))


def test_warning_when_change_is_below_the_mdd():
    survey = _random_survey(seed=5, n1=30, n2=30, p1=0.45, p2=0.55)
    for lang in ("nb", "en"):
        row = wave_change(survey, lang=lang).loc["role_clarity"]
        assert abs(row["change"]) < row["mdd"]
        assert bool(row["underpowered"])
        assert label("survey.too_small_short", lang).rstrip(".") in row["note"]
    assert "too small to detect a change of this size" in row["note"]


def test_bad_input_errors_do_not_echo_identifiers():
    survey = _survey(
        {"baseline": {"role_clarity": [1, 2, 7]}}, ids={"baseline": ["Px1", "Px2", "Px3"]}
    )
    with pytest.raises(ValueError, match="1–5") as error:
        agreement_table(survey)
    assert "Px" not in str(error.value)
    good = _random_survey(seed=1, n1=10, n2=10, p1=0.5, p2=0.5)
    with pytest.raises(ValueError, match="follow_up_2"):
        wave_change(good, after="follow_up_2")
    with pytest.raises(ValueError, match="unknown survey items"):
        wave_change(good, "no_such_item")
    with pytest.raises(ValueError, match="item"):
        agreement_table(good, by=("wave",))


# --- the demo survey and the figure -------------------------------------------------------


def test_demo_survey_gives_a_full_table(demo_dir):
    survey = read_staff_survey(demo_dir / "staff_survey.csv")
    table = agreement_table(survey)
    items = 8  # the catalogue
    assert len(table.values) == items * 2
    assert set(table.values.index.get_level_values("wave")) == {"baseline", "follow_up"}
    assert not table.hidden["denominator"].any()  # every item has at least k answers per wave
    assert table.values["share"].notna().sum() >= items  # most shares are shown
    change = wave_change(survey, lang="nb")
    assert len(change) == items
    assert (change["design"] == "independent").all()
    assert change["p_value"].between(0, 1).all()
    assert change["rank_effect"].between(-1, 1).all()
    shown = change["change"].notna()
    assert shown.sum() >= items // 2
    # The demo survey improves between the waves (DemoAssumptions.survey_improvement).
    assert (change.loc[shown, "change"] > 0).mean() > 0.5
    assert change.loc[shown, "mdd"].gt(0).all()
    formatted = table.formatted("en")
    assert formatted["denominator"].str.fullmatch(r"\d+").all()


def test_survey_figure_draws_shown_shares_with_their_intervals():
    survey = _random_survey(seed=8, n1=60, n2=60, p1=0.3, p2=0.6)
    extra = pd.Series([1, 2] * 60, dtype="Int64")  # nobody agrees: share hidden
    survey["know_what_to_do"] = extra.to_numpy()
    change = wave_change(survey, ["role_clarity", "know_what_to_do"], lang="en")
    fig = survey_figure(change, "en")
    assert [t.name for t in fig.data] == [
        label("wave.baseline", "en"),
        label("wave.follow_up", "en"),
    ]
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0].startswith(label("item.role_clarity", "en"))
    assert ticks[1] == f"{label('item.know_what_to_do', 'en')} (hidden)"
    after = fig.data[1]
    assert len(after.x) == 1  # the hidden item is not drawn
    row = change.loc["role_clarity"]
    assert after.x[0] == pytest.approx(100 * row["share_after"])
    assert after.error_x.array[0] == pytest.approx(
        100 * (row["ci_high_after"] - row["share_after"])
    )
    assert after.error_x.arrayminus[0] == pytest.approx(
        100 * (row["share_after"] - row["ci_low_after"])
    )
    nb = survey_figure(change, "nb")
    assert nb.layout.title.text == label("survey.figure_title", "nb")
    assert nb.layout.yaxis.ticktext[0].startswith(label("item.role_clarity", "nb"))
