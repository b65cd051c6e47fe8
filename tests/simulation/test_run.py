"""Scenarios with resources and options: both engines, theory, Little's law, CRN, the CLI."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.simulation.analysis import paired_differences, summarise
from bti_workbench.simulation.costs import organisation_cost
from bti_workbench.simulation.engines.ciw import simulate_ciw
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.queueing import mmc
from bti_workbench.simulation.run import compare_options, simulate
from bti_workbench.simulation.scenario.parse import ScenarioError, load_scenario
from tests._checks import assert_littles_law

SCENARIOS = Path(__file__).resolve().parents[2] / "data" / "scenarios"
TROMSO = SCENARIOS / "tromso.yaml"
SIRDAL = SCENARIOS / "sirdal.yaml"
OPTIONS = ["trial_cap_one_log", "extra_coordinator_20pct", "intermunicipal_team", "no_bti"]


# --- the shipped scenarios and options ----------------------------------------------------


@pytest.mark.parametrize("path", [TROMSO, SIRDAL])
def test_shipped_scenarios_state_their_sources(path):
    s = load_scenario(path)
    assert s.municipality is not None and s.resources is not None and s.costs is not None
    assert {"population", "assumptions"} <= set(s.sources)
    text = path.read_text(encoding="utf-8")
    assert "ASSUMPTION" in text and "seed" in text
    # Concerns per year follow from the population: rates per 1 000 × children in the band.
    table = s.arrivals.table
    assert np.allclose(table["per_year"], table["per_1000_per_year"] * table["children"] / 1000)
    assert s.arrivals.weekly.sum(axis=1).mean() * 52 == pytest.approx(
        table["per_year"].sum(), rel=0.01
    )


def test_seasonality_dips_in_summer_and_keeps_the_yearly_total():
    s = load_scenario(TROMSO)
    school = s.arrivals.classes.index("school")
    weekly = s.arrivals.yearly[:, school]
    summer, rest = weekly[26:32], np.r_[weekly[:26], weekly[32:]]
    assert summer.max() == pytest.approx(0.2 * rest.min())
    assert weekly.sum() == pytest.approx(
        s.arrivals.table.query("source == 'school'")["per_year"].sum()
    )
    # The health station does not close.
    station = s.arrivals.yearly[:, s.arrivals.classes.index("health_station")]
    assert np.ptp(station) == 0


@pytest.mark.parametrize("path", [TROMSO, SIRDAL])
@pytest.mark.parametrize("option", OPTIONS)
def test_every_option_applies_to_every_shipped_scenario(path, option):
    base, changed = load_scenario(path), load_scenario(path, (option,))
    assert changed.options == (option,)
    if option == "trial_cap_one_log":
        assert all(r.max_logs == 1 for r in changed.resources.services)
    elif option == "extra_coordinator_20pct":
        coordinator = changed.resources.service("bti_coordinator")
        assert coordinator.hours_per_week == pytest.approx(0.2 * 37.5)
        assert changed.resources.lead == {3: "bti_coordinator"}
        assert changed.costs.posts["bti_coordinator"] == (0.2, 800000.0)
    elif option == "intermunicipal_team":
        for name in ("ppt", "child_welfare"):
            before, after = base.resources.service(name), changed.resources.service(name)
            assert after.hours_per_week == pytest.approx(1.25 * before.hours_per_week)
            assert after.travel_hours_per_meeting == 1.5
    else:
        assert changed.levels[0].duration.mean_weeks > base.levels[0].duration.mean_weeks
        assert changed.levels[0].child_welfare > base.levels[0].child_welfare
        assert changed.costs.posts == {} and organisation_cost(changed)["nok_per_year"].sum() == 0


def test_options_are_small_yaml_diffs_users_can_write(tmp_path):
    doc = yaml.safe_load(SIRDAL.read_text(encoding="utf-8"))
    doc["options"] = {
        "more_ppt": {
            "description": "Twice the PPT hours",
            "changes": {"resources": {"services": {"ppt": {"hours_per_week": 6}}}},
        },
        "no_posts": {"description": "Drop the posts", "changes": {"costs": {"posts": None}}},
    }
    doc["costs"]["organisation"] = str((SCENARIOS / doc["costs"]["organisation"]).resolve())
    path = tmp_path / "own.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    s = load_scenario(path, ("more_ppt", "no_posts"))
    assert s.resources.service("ppt").hours_per_week == 6
    assert s.resources.service("ppt").travel_hours_per_meeting == 1.5  # kept: mappings merge
    assert s.costs.posts == {}


def test_sirdal_organisation_cost_is_groups_plus_posts():
    table = organisation_cost(load_scenario(SIRDAL)).set_index("item")
    # Operations board 10 × 3 × 1.5 h, reference group 2 × 15 × 3 h, steering group 2 × 4 × 2 h.
    assert table.loc["driftsstyre", "hours_per_year"] == 45
    assert table.loc["referansegruppe", "hours_per_year"] == 90
    assert table.loc["styringsgruppe", "hours_per_year"] == 16
    assert table.loc["driftsstyre", "nok_per_year"] == 45 * 470
    assert table.loc["project_leader", "nok_per_year"] == 160000


# --- bad input: one clear error naming file and key; nothing runs --------------------------


def _write(tmp_path, change, base=TROMSO) -> Path:
    doc = yaml.safe_load(base.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(municipality="9999"), "municipality: municipality 9999 is not in"),
        (lambda d: d["levels"][1]["next"].update(up=0.99), "levels.1.next: probabilities sum to"),
        (
            lambda d: d["levels"][2]["duration"].update(mean_weeks=-1),
            "levels.2.duration.mean_weeks: must be greater than 0",
        ),
        (lambda d: d["resources"].update(staff=3), "resources.staff: unknown key"),
        (
            lambda d: d["resources"]["services"]["ppt"].update(hours_per_weak=3),
            "resources.services.ppt.hours_per_weak: unknown key",
        ),
        (
            lambda d: d["resources"]["partners"][2]["*"].update(ppt=0.9),
            r"resources.partners.2.\*: shares sum to",
        ),
        (
            lambda d: d["resources"]["services"]["ppt"].update(hours_per_week=1),
            "resources.services.ppt.hours_per_week: 1 hours a week, but one level-2 case needs",
        ),
        (
            lambda d: d["arrivals"]["per_1000_per_year"].update({"0-9": {"school": 3}}),
            "arrivals.per_1000_per_year.0-9: age bands are",
        ),
        (
            lambda d: d["arrivals"]["per_1000_per_year"]["0-5"].update(daycare=3),
            "arrivals.per_1000_per_year.0-5.daycare: not a service",
        ),
        (
            lambda d: d["arrivals"]["seasonality"].update(closed_weeks="27-60"),
            "arrivals.seasonality.closed_weeks: '27-60': ISO weeks run from 1 to 53",
        ),
        (
            lambda d: d["resources"]["services"].pop("nav"),
            "resources.services.nav: holds batons for new concerns",
        ),
        (lambda d: d.update(time_step_weeks=0.3), "time_step_weeks: must divide a week"),
    ],
)
def test_bad_scenarios_name_file_and_key(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=f"^bad.yaml: {message}"):
        load_scenario(_write(tmp_path, change))


def test_unknown_option_is_refused_with_the_known_ones():
    with pytest.raises(
        ScenarioError, match=r"^tromso.yaml: options: unknown option 'cap_two'; known: "
    ):
        load_scenario(TROMSO, ("cap_two",))


def test_an_option_that_breaks_the_scenario_is_named(tmp_path):
    doc = yaml.safe_load(TROMSO.read_text(encoding="utf-8"))
    doc["options"] = {
        "half_ppt": {"changes": {"resources": {"services": {"ppt": {"hours_per_week": 0.5}}}}}
    }
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"^t.yaml \(with half_ppt\): resources.services.ppt"):
        load_scenario(path, ("half_ppt",))


def test_cli_refuses_a_bad_scenario_and_writes_nothing(tmp_path):
    out = tmp_path / "run" / "results.parquet"
    for args in (
        ["simulate", str(TROMSO), "--option", "cap_two", "--out", str(out)],
        [
            "simulate",
            str(_write(tmp_path, lambda d: d.update(municipality="9999"))),
            "--out",
            str(out),
        ],
        ["simulate", str(TROMSO), "--engine", "warp", "--out", str(out)],
        ["compare", str(TROMSO), "--options", "trial_cap_one_log,cap_two"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1, result.output
        assert "error:" in result.output
    assert not out.parent.exists()


# --- the hours gate is a queue: theory and both engines ------------------------------------


def _ppt_queue(tmp_path, hours: float) -> Path:
    """Every concern goes 0 → 1 → 2; at level 2 PPT is needed, 1 hour a case-week."""
    doc = {
        "name": "ppt_queue",
        "municipality": "5401",
        "horizon_weeks": 520,
        "time_step_weeks": 0.1,
        "arrivals": {"per_1000_per_year": {"6-15": {"school": 20}}},
        "levels": {
            0: {"duration": {"distribution": "exponential", "mean_weeks": 1}, "next": {"up": 1.0}},
            1: {"duration": {"distribution": "exponential", "mean_weeks": 1}, "next": {"up": 1.0}},
            2: {"duration": {"distribution": "exponential", "mean_weeks": 10}},
            3: {"duration": {"distribution": "exponential", "mean_weeks": 1}},
        },
        "resources": {
            "services": {"school": {"baton_holders": 1000}, "ppt": {"hours_per_week": hours}},
            "hours_per_case_week": {"partner": {2: 1.0}},
            "partners": {2: {"*": {"ppt": 1.0}}},
        },
    }
    path = tmp_path / "ppt.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["fast", "ciw"])
def test_service_hours_gate_is_an_erlang_c_queue(tmp_path, engine):
    # Poisson arrivals pass two infinite-server stages (still Poisson) and meet PPT with
    # 40 hours: 40 cases at once, each 10 weeks: an M/M/40 queue.
    scenario = load_scenario(_ppt_queue(tmp_path, 40))
    rate = scenario.arrivals_per_week
    theory = mmc(rate, 10.0, 40)
    result = simulate(scenario, replications=24 if engine == "ciw" else 100, seed=5, engine=engine)
    assert_littles_law(result)
    queue = result.queues[(result.queues["level"] == 2) & (result.queues["week"] > 104)]
    per_rep = queue.groupby("replication")[["entered", "waited", "wait_weeks"]].sum()
    for estimate, expected in (
        (per_rep["wait_weeks"] / per_rep["entered"], theory.mean_wait),
        (per_rep["waited"] / per_rep["entered"], theory.p_wait),
    ):
        half = 1.96 * estimate.std(ddof=1) / np.sqrt(len(estimate))
        assert abs(estimate.mean() - expected) <= half + 0.05 * expected, (
            estimate.mean(),
            expected,
        )
    busy = result.services[(result.services["service"] == "ppt")]
    assert (busy["hours_demanded"] <= 40 + 1e-9).all()


# --- Little's law on every level of every run ----------------------------------------------


@pytest.mark.parametrize("options", [(), *[(o,) for o in OPTIONS]])
def test_littles_law_holds_on_every_level_fast(options):
    scenario = load_scenario(TROMSO, options)
    assert_littles_law(simulate_fast(scenario, 20, 3), 0.02)


@pytest.mark.parametrize("path", [TROMSO, SIRDAL, SCENARIOS / "validation_jackson.yaml"])
def test_littles_law_holds_on_every_level_ciw(path):
    scenario = load_scenario(path)
    assert_littles_law(simulate_ciw(scenario, 3, 3), 0.03)


# --- fast and ciw: one model, two engines ---------------------------------------------------


@pytest.fixture(scope="module")
def tromso_binding():
    """Tromsø with the trial cap: baton holders of the health station, NAV and school
    health, and the hours of PPT, child welfare and BUP, all bind."""
    scenario = load_scenario(TROMSO, ("trial_cap_one_log",))
    runs = simulate_fast(scenario, 400, 21), simulate_ciw(scenario, 100, 22)
    for run in runs:
        assert_littles_law(run)
    fast, ciw = (summarise(run, scenario, 52) for run in runs)
    return scenario, fast, ciw


def test_capacities_bind_in_the_agreement_scenario(tromso_binding):
    _, fast, ciw = tromso_binding
    for table in (fast, ciw):
        assert table["waiting.1"].mean() > 50  # new logs waiting for a baton holder
        assert table["utilisation.ppt"].mean() > 0.6
        assert table["wait.3"].mean() > 1  # level-3 cases waiting for a partner


def test_fast_and_ciw_agree_on_tromso(tromso_binding):
    _, fast, ciw = tromso_binding
    for level in range(4):
        a, b = fast[f"active.{level}"].mean(), ciw[f"active.{level}"].mean()
        assert a == pytest.approx(b, rel=0.05), (level, a, b)
    for level in (1, 2, 3):
        a, b = fast[f"wait.{level}"], ciw[f"wait.{level}"]
        se = np.hypot(a.std() / np.sqrt(len(a)), b.std() / np.sqrt(len(b)))
        gap = abs(a.mean() - b.mean())
        if 1.96 * b.std() / np.sqrt(len(b)) <= 0.025 * b.mean():
            # Precise enough to hold the engines to 5 % outright.
            assert gap <= 0.05 * b.mean(), (level, a.mean(), b.mean())
        else:
            # Too noisy for that (waits of a few days, or a handful of servers): the
            # difference must not be significantly (99 %) beyond 5 %.
            assert gap <= 0.05 * b.mean() + 2.58 * se, (level, a.mean(), b.mean(), se)


def test_fast_and_ciw_agree_on_the_level_one_wait_within_five_percent(tromso_binding):
    _, fast, ciw = tromso_binding
    a, b = fast["wait.1"].mean(), ciw["wait.1"].mean()
    assert a == pytest.approx(b, rel=0.05)


# --- reproducibility and common random numbers --------------------------------------------


@pytest.mark.parametrize("engine", ["fast", "ciw"])
def test_same_seed_same_numbers(engine):
    scenario = load_scenario(SIRDAL)
    a, b, c = (simulate(scenario, 3, seed, engine) for seed in (4, 4, 5))
    pd.testing.assert_frame_equal(a.levels, b.levels)
    pd.testing.assert_frame_equal(a.services, b.services)
    assert not a.levels.equals(c.levels)


def test_more_ppt_hours_never_lengthen_the_wait_under_common_random_numbers(tmp_path):
    waits = []
    for hours in (26, 30, 40, 60):
        scenario = load_scenario(
            TROMSO, (), {"resources": {"services": {"ppt": {"hours_per_week": hours}}}}
        )
        table = summarise(simulate_fast(scenario, 40, 8), scenario, 52)
        waits.append(table["wait.2"].mean())
    assert all(a >= b for a, b in itertools.pairwise(waits)), waits
    assert waits[0] > 2 * waits[-1]


def test_common_random_numbers_narrow_the_comparison():
    table = compare_options(TROMSO, ["trial_cap_one_log"], replications=40, seed=3)
    paired = table[(table["option"] == "trial_cap_one_log") & (table["metric"] == "active.0")]
    # Level 0 is not affected by the cap: with shared arrivals the difference is near zero
    # and its interval is far narrower than the spread between replications.
    base = summarise(simulate_fast(load_scenario(TROMSO), 40, 3), load_scenario(TROMSO), 0)
    spread = base["active.0"].std()
    width = float(paired["high"].iloc[0] - paired["low"].iloc[0])
    assert width < 0.25 * spread
    assert (
        paired["low"].iloc[0] <= 0 <= paired["high"].iloc[0]
        or abs(paired["difference"].iloc[0]) < 0.5
    )


def test_paired_differences_match_a_paired_t_test():
    from scipy import stats

    rng = np.random.default_rng(0)
    base = pd.DataFrame({"x": rng.normal(10, 2, 30)})
    other = base + rng.normal(0.5, 0.3, (30, 1))
    row = paired_differences(base, other).loc["x"]
    test = stats.ttest_rel(other["x"], base["x"])
    ci = test.confidence_interval()
    assert row["low"] == pytest.approx(ci.low) and row["high"] == pytest.approx(ci.high)


# --- the command line -----------------------------------------------------------------------


def test_cli_simulate_writes_long_format_parquet(tmp_path):
    out = tmp_path / "results.parquet"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            str(TROMSO),
            "--option",
            "trial_cap_one_log",
            "-r",
            "5",
            "--seed",
            "3",
            "--out",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    levels = pd.read_parquet(out)
    assert list(levels.columns) == ["replication", "week", "level", "active", "waiting"]
    assert len(levels) == 5 * 260 * 4
    services = pd.read_parquet(tmp_path / "results.services.parquet")
    assert {"hours_demanded", "hours_available", "utilisation"} <= set(services.columns)
    summary = pd.read_parquet(tmp_path / "results.summary.parquet")
    assert "cost.total" in summary.columns and len(summary) == 5
    assert "Level 1" in result.output and "cost per year" in result.output
    # The same run again gives the same numbers.
    again = simulate_fast(load_scenario(TROMSO, ("trial_cap_one_log",)), 5, 3)
    pd.testing.assert_frame_equal(levels, again.levels)


def test_cli_ciw_writes_per_case_detail(tmp_path):
    out = tmp_path / "sirdal.parquet"
    result = CliRunner().invoke(
        app, ["simulate", str(SIRDAL), "-r", "2", "--engine", "ciw", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    cases = pd.read_parquet(tmp_path / "sirdal.cases.parquet")
    assert {"wait_for_baton_holder_weeks", "weeks_to_level2", "outcome"} <= set(cases.columns)
    assert set(cases["outcome"]) <= {"closed", "child_welfare", "open"}


def test_cli_compare_prints_options_side_by_side():
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(SIRDAL),
            "--options",
            "extra_coordinator_20pct,no_bti",
            "-r",
            "10",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith(" ") and "baseline" in line)
    assert "extra_coordinator_20pct" in header and "no_bti" in header
    cost = next(line for line in lines if line.startswith("Cost per year"))
    assert "[" in cost  # a confidence interval for each option


def test_ciw_options_share_their_arrivals():
    base = simulate(load_scenario(TROMSO), 1, 5, "ciw").cases
    capped = simulate(load_scenario(TROMSO, ("trial_cap_one_log",)), 1, 5, "ciw").cases
    times = [
        c.loc[~c["warm"], ["class", "concern_week"]].sort_values("concern_week")
        for c in (base, capped)
    ]
    pd.testing.assert_frame_equal(times[0].reset_index(drop=True), times[1].reset_index(drop=True))


def test_cli_refuses_a_warm_up_as_long_as_the_run(tmp_path):
    for args in (
        ["simulate", str(SIRDAL), "-r", "2", "--warmup", "260"],
        ["compare", str(SIRDAL), "--options", "no_bti", "-r", "2", "--warmup", "300"],
        ["compare", str(SIRDAL), "--options", ""],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1 and "error:" in result.output, result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["resources"]["services"]["nav"].update(hours_per_week=0.5),
            "resources.services.nav.hours_per_week: 0.5 hours a week, but one new log needs 1",
        ),
        (
            lambda d: d["levels"][3]["duration"].update(mean_weeks=float("inf")),
            "levels.3.duration.mean_weeks: must be a \\(finite\\) number",
        ),
        (
            lambda d: d["arrivals"]["seasonality"].update(closed_weeks="1-52", closed_factor=0),
            "arrivals.seasonality.closed_factor: with every week closed",
        ),
        (
            lambda d: (
                d["resources"]["lead"].update({3: ["ppt"]})
                if "lead" in d["resources"]
                else d["resources"].update(lead={3: ["ppt"]})
            ),
            "resources.lead.3: the lead service must be",
        ),
        (
            lambda d: d["arrivals"]["seasonality"].update(services=["ppt"]),
            "arrivals.seasonality.services.0: ppt raises no concerns",
        ),
        (lambda d: d["warm_start"].update({"1": 4}), "warm_start.1: level 1 is given twice"),
        (lambda d: d.update(sources=["a"]), "sources: must be a mapping"),
    ],
)
def test_more_bad_scenarios_name_file_and_key(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=f"^bad.yaml: {message}"):
        load_scenario(_write(tmp_path, change))


def test_an_option_without_a_section_to_remove_from_is_harmless(tmp_path):
    doc = yaml.safe_load(TROMSO.read_text(encoding="utf-8"))
    doc.pop("costs")
    path = tmp_path / "nocost.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert load_scenario(path, ("no_bti",)).costs is None
