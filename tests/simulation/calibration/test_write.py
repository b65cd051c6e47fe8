"""The calibrated scenario: what is taken from the log, what from the base, and the file."""

from __future__ import annotations

import pytest
import yaml

from bti_workbench.errors import ScenarioError
from bti_workbench.simulation.calibration import (
    calibrated_scenario,
    calibration_table,
    estimate_parameters,
    write_scenario,
)
from bti_workbench.simulation.run import simulate
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.synthetic import event_log_from_scenario
from tests.simulation.calibration.helpers import FIVE_YEARS, SCENARIOS, SIRDAL, TROMSO


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
