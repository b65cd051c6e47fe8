"""Scenario files: read, checked, and refused with the file and the key named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from bti_workbench.errors import ScenarioError
from bti_workbench.simulation.costs import organisation_cost
from bti_workbench.simulation.scenario.parse import load_scenario

SCENARIOS = Path(__file__).resolve().parents[3] / "data" / "scenarios"
TROMSO = SCENARIOS / "tromso.yaml"
SIRDAL = SCENARIOS / "sirdal.yaml"
JACKSON = SCENARIOS / "validation_jackson.yaml"


def test_validation_scenario_is_as_specified():
    s = load_scenario(JACKSON)
    assert s.arrivals_per_week == 21 and s.horizon_weeks == 260
    assert [lv.duration.mean_weeks for lv in s.levels] == [2, 12, 16, 26]
    assert {lv.duration.distribution for lv in s.levels} == {"exponential"}
    assert [lv.slots for lv in s.levels] == [60, 200, 80, 40]
    routing = s.routing()
    assert routing[0, 1] == 0.45 and routing[1, 2] == 0.25 and routing[2, 1] == 0.15
    assert routing[2, 3] == 0.20 and routing[3, 2] == 0.30
    assert [round(lv.closed, 2) for lv in s.levels] == [0.55, 0.75, 0.65, 0.70]


def _broken(tmp_path, change) -> Path:
    doc = yaml.safe_load(JACKSON.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["levels"][2]["next"].update(up=0.9),
            "levels.2.next: probabilities sum to 1.05",
        ),
        (
            lambda d: d["levels"][1]["duration"].update(mean_weeks=-3),
            "levels.1.duration.mean_weeks: must be greater than 0",
        ),
        (lambda d: d.update(colour="blue"), "colour: unknown key"),
        (lambda d: d["levels"][0].update(slot=3), "levels.0.slot: unknown key"),
        (
            lambda d: d["levels"][3]["next"].update(up=0.1),
            "levels.3.next.up: level 3 is the highest",
        ),
        (
            lambda d: d["levels"][0]["duration"].update(distribution="weibull"),
            "levels.0.duration.distribution: must be one of",
        ),
        (
            lambda d: d["levels"][0]["duration"].update(distribution="erlang"),
            "levels.0.duration.shape: must be a \\(finite\\) number",
        ),
        (lambda d: d.pop("horizon_weeks"), "horizon_weeks: missing"),
    ],
)
def test_bad_scenarios_name_file_and_key(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=f"^broken.yaml: {message}"):
        load_scenario(_broken(tmp_path, change))


# --- the shipped scenarios -------------------------------------------------------------------


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


def test_sirdal_organisation_cost_is_groups_plus_posts():
    table = organisation_cost(load_scenario(SIRDAL)).set_index("item")
    # Operations board 10 × 3 × 1.5 h, reference group 2 × 15 × 3 h, steering group 2 × 4 × 2 h.
    assert table.loc["driftsstyre", "hours_per_year"] == 45
    assert table.loc["referansegruppe", "hours_per_year"] == 90
    assert table.loc["styringsgruppe", "hours_per_year"] == 16
    assert table.loc["driftsstyre", "nok_per_year"] == 45 * 470
    assert table.loc["project_leader", "nok_per_year"] == 160000


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
    ],
)
def test_bad_tromso_variants_name_file_and_key(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=f"^bad.yaml: {message}"):
        load_scenario(_write(tmp_path, change))


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
def test_more_bad_tromso_variants_name_file_and_key(tmp_path, change, message):
    with pytest.raises(ScenarioError, match=f"^bad.yaml: {message}"):
        load_scenario(_write(tmp_path, change))
