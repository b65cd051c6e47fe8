"""Calibration from an event log: recovery of known parameters, censoring, hand-made logs,
suppression of the published table and the calibrated scenario file."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from bti_workbench._util.resources import data_dir
from bti_workbench.evaluation.caseflow import level_transitions
from bti_workbench.ingest.readers import read
from bti_workbench.reference.municipality import load_municipality
from bti_workbench.simulation.calibration.estimate import (
    calibrated_scenario,
    calibration_table,
    estimate_parameters,
    event_log_from_scenario,
    write_scenario,
)
from bti_workbench.simulation.run import simulate
from bti_workbench.simulation.scenario.parse import ScenarioError, load_scenario

SCENARIOS = data_dir() / "scenarios"
TROMSO, SIRDAL = SCENARIOS / "tromso.yaml", SCENARIOS / "sirdal.yaml"
# 260 weeks from Monday 7 January 2019 end on Sunday 31 December 2023.
FIVE_YEARS = ("2019-01-07", "2023-12-31")
Z95 = 1.959964


def _z(estimate: float, low: float, high: float, truth: float) -> float:
    """Distance from the truth in standard errors read off the 95 % interval."""
    return abs(estimate - truth) / ((high - low) / (2 * Z95))


def _absorbed_in_child_welfare(scenario) -> float:
    """P(a new concern ends with a report), from the scenario: B = (I − Q)⁻¹ r, row 0."""
    cw = np.array([lv.child_welfare for lv in scenario.levels])
    return float(np.linalg.solve(np.eye(4) - scenario.routing(), cw)[0])


@pytest.fixture(scope="module")
def tromso():
    return load_scenario(TROMSO)


@pytest.fixture(scope="module")
def tromso_log():
    return event_log_from_scenario(TROMSO, weeks=260, seed=1)


@pytest.fixture(scope="module")
def tromso_cal(tromso_log):
    return estimate_parameters(tromso_log, load_municipality("5401"), period=FIVE_YEARS)


# --- recovery -------------------------------------------------------------------------------


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


# --- the generator --------------------------------------------------------------------------


def test_same_seed_same_log():
    first = event_log_from_scenario(SIRDAL, weeks=104, seed=4)
    again = event_log_from_scenario(SIRDAL, weeks=104, seed=4)
    other = event_log_from_scenario(SIRDAL, weeks=104, seed=5)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_generated_log_meets_the_contract(tmp_path, tromso_log):
    """Written as users would export it (dates with minutes), it reads back through the
    contract loader and gives the same estimates."""
    log = tromso_log[tromso_log["event_time"] < "2020-01-06"]
    path = tmp_path / "event_log.csv"
    log.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M")
    back = read(path, "event-log")
    assert len(back) == len(log)
    period = ("2019-01-07", "2020-01-05")
    ours = estimate_parameters(log, "5401", period=period)
    theirs = estimate_parameters(back, "5401", period=period)
    pd.testing.assert_frame_equal(ours.transitions, theirs.transitions)
    pd.testing.assert_frame_equal(ours.durations, theirs.durations)
    assert set(log["case_id"].str[0]) == {"C"} and set(log["actor_id"].str[0]) <= {"A", "P"}


def test_generated_log_follows_seasonality_and_services(tromso_log, tromso):
    """Tromsø's schools, kindergartens, school health and youth clubs close in ISO weeks
    27–32 (30 such weeks in five years) with a fifth of the usual concerns, the yearly total
    kept: 0.2 × 52/47.2 of the mean weekly rate then. NAV and mental health do not close.
    The counts in those weeks are Poisson around what the scenario says (within 4 SD)."""
    raised = tromso_log[tromso_log["event"] == "concern_raised"]
    closed = raised["event_time"].dt.isocalendar().week.between(27, 32)
    table = tromso.arrivals.table
    seasonal = {"kindergarten", "school", "school_health", "leisure"}
    for services, factor in ((seasonal, 0.2 * 52 / 47.2), ({"nav", "mental_health"}, 1.0)):
        expected = table.loc[table["source"].isin(services), "per_year"].sum() / 52 * factor * 30
        observed = (raised["service"].isin(services) & closed).sum()
        assert abs(observed - expected) < 4 * math.sqrt(expected), (services, observed, expected)
    assert set(raised["service"]) == set(table["source"])


# --- reading logs: hand-made cases ---------------------------------------------------------


def _hand_log() -> pd.DataFrame:
    rows = [
        # A: concern, up after 1 week, log closed 2 weeks later.
        ("A", "2020-01-06", "concern_raised", 0, "kindergarten", "0-5"),
        ("A", "2020-01-13", "level0_decision", 0, "kindergarten", "0-5"),
        ("A", "2020-01-13", "level_changed", 1, "kindergarten", "0-5"),
        ("A", "2020-01-13", "log_opened", 1, "kindergarten", "0-5"),
        ("A", "2020-01-27", "log_closed", 1, "kindergarten", "0-5"),
        # B: reported to child welfare at its level-0 decision after 2 weeks.
        ("B", "2020-01-06", "concern_raised", 0, "school", "6-15"),
        ("B", "2020-01-20", "level0_decision", 0, "school", "6-15"),
        ("B", "2020-01-20", "report_to_child_welfare", 0, "school", "6-15"),
        # C: up after 1 week, up again after 2, still open at level 2.
        ("C", "2020-01-13", "concern_raised", 0, "school", "6-15"),
        ("C", "2020-01-20", "level0_decision", 0, "school", "6-15"),
        ("C", "2020-01-20", "level_changed", 1, "school", "6-15"),
        ("C", "2020-02-03", "level_changed", 2, "school", "6-15"),
        ("C", "2020-02-10", "meeting_held", 2, "ppt", "6-15"),
        # D: a concern in pregnancy, still at level 0 at the end.
        ("D", "2020-01-20", "concern_raised", 0, "health_station", "prenatal"),
        # E: closed at level 0 after 1 week; a second concern while open is no new case.
        ("E", "2020-01-27", "concern_raised", 0, "school", "6-15"),
        ("E", "2020-01-29", "concern_raised", 0, "school", "6-15"),
        ("E", "2020-02-03", "level0_decision", 0, "school", "6-15"),
        # F: already at level 1 when the export began; closed in the period.
        ("F", "2019-12-30", "log_opened", 1, "school", "6-15"),
        ("F", "2020-01-13", "log_closed", 1, "school", "6-15"),
        # G: a concern after the period.
        ("G", "2020-02-20", "concern_raised", 0, "school", "6-15"),
    ]
    log = pd.DataFrame(
        rows, columns=["case_id", "event_time", "event", "level", "service", "age_band"]
    )
    log["event_time"] = pd.to_datetime(log["event_time"])
    return log


HAND_POPULATION = {"0-5": 1000, "6-15": 2000, "16-19": 500, "20-23": 500}
HAND_PERIOD = ("2020-01-06", "2020-02-16")  # six weeks


def test_hand_made_log_reads_as_the_model_would():
    cal = estimate_parameters(_hand_log(), HAND_POPULATION, period=HAND_PERIOD)
    assert cal.weeks == 6.0
    # Arrivals: A, B, C, D (pregnancy, counted as 0-5), E; G is after the period and E's
    # second concern is on an open case. School 6-15: 3 / (2000 × 6/52) × 1000 = 13.0;
    # kindergarten and health station 0-5: 1 / (1000 × 6/52) × 1000 = 8.667.
    rates = cal.arrivals.set_index(["age_band", "source"])["per_1000_per_year"]
    assert rates.to_dict() == pytest.approx(
        {
            ("0-5", "health_station"): 52 / 6,
            ("0-5", "kindergarten"): 52 / 6,
            ("6-15", "school"): 13.0,
        }
    )
    assert cal.diagnostics["prenatal_as_0_5"] == 1
    assert cal.diagnostics["concerns_on_open_cases"] == 1
    assert cal.diagnostics["opened_before_export"] == 1
    # Level 0: A 1 w (up), B 2 w (report), C 1 w (up), E 1 w (closed), D open 4 w.
    # Fewer than 20 at risk: the mean is the exponential MLE, 9 weeks / 4 ended = 2.25;
    # the naive mean of the ended ones is 5 / 4 = 1.25.
    d = cal.durations
    assert d.loc[0, ["stays", "completed", "censored"]].tolist() == [5, 4, 1]
    assert d.loc[0, "mean_weeks"] == pytest.approx(2.25)
    assert d.loc[0, "naive_mean_weeks"] == pytest.approx(1.25)
    # Level 1: A 2 w (closed), C 2 w (up): 4 / 2 = 2. F has no known start: it counts for
    # routing and the exponential MLE of all stays, seen 1 week from the period start:
    # (2 + 2 + 1) / 3 = 5/3.
    assert d.loc[1, ["stays", "completed", "exits"]].tolist() == [2, 2, 3]
    assert d.loc[1, "mean_weeks"] == pytest.approx(2.0)
    assert d.loc[1, "exponential_mean_weeks"] == pytest.approx(5 / 3)
    # Level 2: C open for 2 weeks, nothing ended: no mean.
    assert d.loc[2, "exposure_weeks"] == pytest.approx(2.0)
    assert math.isnan(d.loc[2, "mean_weeks"])
    shares = cal.transitions.set_index(["level", "outcome"])["share"]
    assert shares[0].to_dict() == pytest.approx({"up": 0.5, "child_welfare": 0.25, "closed": 0.25})
    assert shares[1].to_dict() == pytest.approx(
        {"up": 1 / 3, "down": 0.0, "child_welfare": 0.0, "closed": 2 / 3}
    )
    assert cal.share(0, "down") == 0.0
    # Ended in the period: A, E, F closed, B reported: 1 / 4. Open at the end: D (0), C (2).
    assert cal.child_welfare.loc["observed", ["count", "denominator"]].tolist() == [1, 4]
    assert math.isnan(cal.child_welfare.loc["model", "share"])  # levels 2–3: no exits
    assert cal.open_at_end == (1, 0, 1, 0)


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


def test_reading_agrees_with_the_case_flow_of_the_demo(demo_dir):
    """Over the whole export, exits by level and outcome are the case-flow table's moves."""
    log = read(demo_dir / "event_log.csv", "event-log")
    cal = estimate_parameters(log, "4228")
    flow = level_transitions(log)
    target = {"up": 1, "down": -1}
    for row in cal.transitions.itertuples(index=False):
        column = str(row.level + target[row.outcome]) if row.outcome in target else row.outcome
        assert row.count == flow.loc[str(row.level), column], (row.level, row.outcome)
    assert cal.arrivals["concerns"].sum() == flow.loc["concern", "0"]


def test_bad_logs_are_refused_without_identifiers():
    log = _hand_log()
    with pytest.raises(ValueError, match="lacks the columns age_band"):
        estimate_parameters(log.drop(columns="age_band"), HAND_POPULATION)
    odd = log.assign(event=log["event"].replace("log_closed", "closed_by_Ola"))
    with pytest.raises(ValueError, match="unknown event codes") as info:
        estimate_parameters(odd, HAND_POPULATION)
    assert not any(case in str(info.value).split() for case in log["case_id"])
    with pytest.raises(ValueError, match="level must be"):
        estimate_parameters(log.assign(level=log["level"] + 3), HAND_POPULATION)
    with pytest.raises(ValueError, match="last day is before"):
        estimate_parameters(log, HAND_POPULATION, period=("2020-02-01", "2020-01-01"))


# --- the published table ---------------------------------------------------------------------


def test_table_hides_estimates_resting_on_few_cases():
    cal = estimate_parameters(_hand_log(), HAND_POPULATION, period=HAND_PERIOD)
    table = calibration_table(cal, k=5, lang="en").set_index("parameter")
    # Counts of 1–4 (and the cells that would give them away) show no number, only a mark.
    hidden = table[~table["shown"]]
    assert hidden[["count", "estimate", "ci_low", "ci_high"]].isna().all().all()
    assert set(hidden["mark"]) == {"<5", "×"}
    for prefix in (
        "arrivals.per_1000_per_year",
        "levels.0.",
        "levels.1.",
        "child_welfare",
        "warm_start",
    ):
        assert not table.loc[table.index.str.startswith(prefix), "shown"].any(), prefix
    # What is shown rests on no case (levels 2–3: no exits, no share) or on at least 5.
    shown = table[table["shown"]]
    assert ((shown["count"] == 0) | (shown["count"] >= 5)).all()
    assert shown.loc[shown["count"] == 0, "estimate"].isna().all()
    assert table.loc["arrivals.per_week", ["count", "estimate"]].tolist() == [5, 5 / 6]
    # Population-based bases (person-years) are not case data and stay.
    assert table.loc["arrivals.per_1000_per_year.6-15.school", "basis"] == pytest.approx(
        2000 * 6 / 52
    )


def test_table_shows_what_rests_on_enough_cases(tromso_cal):
    table = calibration_table(tromso_cal, k=5, lang="nb").set_index("parameter")
    assert table["shown"].all()
    row = table.loc["levels.1.next.up"]
    assert row["estimate"] == pytest.approx(row["count"] / row["basis"])
    assert row["label"].startswith("Nivå 1")
    assert table.loc["arrivals.per_week", "estimate"] == pytest.approx(
        tromso_cal.arrivals["concerns"].sum() / 260
    )


def test_model_child_welfare_share_is_hidden_with_any_exit_count(tromso_cal, tromso_log):
    """The share the routing implies is a smooth function of every exit count: shown beside
    a hidden one it could pin that count down. Tromsø's first year: the observed share rests
    on enough cases and is shown, but levels 2–3 have few exits, so the model share is not."""
    first_year = estimate_parameters(
        tromso_log, load_municipality("5401"), period=("2019-01-07", "2019-12-29")
    )
    assert np.isfinite(first_year.child_welfare.loc["model", "share"])  # something to hide
    table = calibration_table(first_year, k=5, lang="en").set_index("parameter")
    exits = table[table.index.str.contains(".next.")]
    assert not exits["shown"].all()
    assert table.loc["child_welfare.observed", "shown"]
    model = table.loc["child_welfare.model"]
    assert not model["shown"] and model["mark"] == "×"
    assert model[["estimate", "ci_low", "ci_high"]].isna().all()
    # Five years: every exit count shown, and so is the model share.
    full = calibration_table(tromso_cal, k=5, lang="en").set_index("parameter")
    assert full.loc["child_welfare.model", "shown"]
    assert full.loc["child_welfare.model", "estimate"] == pytest.approx(
        tromso_cal.child_welfare.loc["model", "share"]
    )


# --- the calibrated scenario -----------------------------------------------------------------


def test_calibrated_tromso_loads_and_simulates(tmp_path, tromso_cal, tromso_log):
    doc = calibrated_scenario(tromso_cal, TROMSO)
    path = write_scenario(doc, tmp_path / "tromso_calibrated.yaml")
    scenario = load_scenario(path)
    table = calibration_table(tromso_cal).set_index("parameter")
    arrivals = scenario.arrivals.table.set_index(["age_band", "source"])["per_1000_per_year"]
    assert arrivals[("6-15", "school")] == pytest.approx(
        table.loc["arrivals.per_1000_per_year.6-15.school", "estimate"], abs=5e-4
    )
    for lv in scenario.levels:
        assert lv.duration.mean_weeks == pytest.approx(
            tromso_cal.durations.loc[lv.number, "mean_weeks"], abs=5e-4
        )
        assert lv.duration.distribution == "lognormal"  # kept from the base
        assert lv.child_welfare == pytest.approx(  # written rounded down to 4 decimals
            tromso_cal.share(lv.number, "child_welfare"), abs=1e-4
        )
    assert scenario.warm_start == tromso_cal.open_at_end
    assert scenario.resources.service("school").baton_holders == 200  # from the base
    text = path.read_text(encoding="utf-8")
    assert "2019-01-07 to 2023-12-31" in scenario.sources["calibration"]
    ids = set(tromso_log["case_id"]) | set(tromso_log["actor_id"])
    assert not any(token.strip("'\",:") in ids for token in text.split())
    result = simulate(scenario.with_horizon(52), replications=2, seed=1)
    assert result.levels["active"].sum() > 0


def test_small_counts_keep_the_base_values(tmp_path):
    """Sirdal: five years of a small municipality; estimates on fewer than 5 cases keep the
    base's values, the note lists them, and the relative organisation file still resolves
    from another folder."""
    log = event_log_from_scenario(SIRDAL, weeks=260, seed=5)
    cal = estimate_parameters(log, "4228", period=FIVE_YEARS)
    doc = calibrated_scenario(cal, SIRDAL, k=5)
    base = yaml.safe_load(SIRDAL.read_text(encoding="utf-8"))
    table = calibration_table(cal, k=5).set_index("parameter")
    kept = doc["sources"]["calibration_kept_from_base"].split(", ")
    hidden = table.index[~table["shown"]]
    assert len(hidden) > 0
    for parameter in hidden:
        if parameter.startswith("child_welfare") or parameter.endswith(".closed"):
            continue  # not scenario keys
        assert parameter in kept
        parts = parameter.split(".")
        if parts[0] == "levels" and parts[2] == "next":
            assert doc["levels"][int(parts[1])]["next"].get(parts[3], 0) == base["levels"][
                int(parts[1])
            ]["next"].get(parts[3], 0)
        elif parts[0] == "levels":
            assert (
                doc["levels"][int(parts[1])]["duration"]["mean_weeks"]
                == base["levels"][int(parts[1])]["duration"]["mean_weeks"]
            )
    path = write_scenario(doc, tmp_path / "elsewhere" / "sirdal_calibrated.yaml")
    scenario = load_scenario(path)
    assert scenario.costs.organisation_source == "sirdal.yaml"
    simulate(scenario.with_horizon(26), replications=2, seed=1)


def test_a_new_source_needs_a_baton_holder():
    """A log with concerns from GPs: the base has no GP baton holders. The error says how to
    map them; mapped to the health station, the scenario loads with the GPs' rate."""
    doc = yaml.safe_load(SIRDAL.read_text(encoding="utf-8"))
    doc["arrivals"]["per_1000_per_year"]["20-23"]["gp"] = 40
    doc["arrivals"]["baton_holder"]["gp"] = "health_station"
    doc["costs"].pop("organisation")
    log = event_log_from_scenario(doc, weeks=260, seed=2)
    cal = estimate_parameters(log, "4228", period=FIVE_YEARS)
    with pytest.raises(ValueError, match=r"baton_holder=\{'gp'"):
        calibrated_scenario(cal, SIRDAL)
    mapped = calibrated_scenario(cal, SIRDAL, baton_holder={"gp": "health_station"})
    assert mapped["arrivals"]["baton_holder"]["gp"] == "health_station"
    assert mapped["arrivals"]["per_1000_per_year"]["20-23"]["gp"] > 20


def test_write_scenario_refuses_a_broken_mapping(tmp_path):
    doc = yaml.safe_load(TROMSO.read_text(encoding="utf-8"))
    doc["levels"][1]["next"]["up"] = 0.99
    target = tmp_path / "broken.yaml"
    with pytest.raises(ScenarioError, match=r"levels\.1\.next"):
        write_scenario(doc, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_plain_poisson_base_gets_the_weekly_rate(tmp_path, tromso_cal):
    """The validation scenario has one Poisson rate and per-level slots: the calibration
    gives it the weekly rate of all concerns and keeps the slots."""
    doc = calibrated_scenario(tromso_cal, SCENARIOS / "validation_jackson.yaml")
    scenario = load_scenario(write_scenario(doc, tmp_path / "jackson.yaml"))
    concerns = tromso_cal.arrivals["concerns"].sum()
    assert doc["arrivals"]["poisson_per_week"] == pytest.approx(concerns / 260, abs=5e-5)
    assert [lv.slots for lv in scenario.levels] == [60, 200, 80, 40]
    assert scenario.levels[2].duration.distribution == "exponential"
