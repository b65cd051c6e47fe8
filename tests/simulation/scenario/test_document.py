"""Organisation options: named YAML overlays merged into a scenario document."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bti_workbench.errors import ScenarioError
from bti_workbench.simulation.costs import organisation_cost
from bti_workbench.simulation.scenario.parse import load_scenario

SCENARIOS = Path(__file__).resolve().parents[3] / "data" / "scenarios"
TROMSO = SCENARIOS / "tromso.yaml"
SIRDAL = SCENARIOS / "sirdal.yaml"
OPTIONS = ["trial_cap_one_log", "extra_coordinator_20pct", "intermunicipal_team", "no_bti"]


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


def test_an_option_without_a_section_to_remove_from_is_harmless(tmp_path):
    doc = yaml.safe_load(TROMSO.read_text(encoding="utf-8"))
    doc.pop("costs")
    path = tmp_path / "nocost.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert load_scenario(path, ("no_bti",)).costs is None
