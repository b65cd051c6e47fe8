"""Scenario files: read, checked, and refused with the file and the key named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bti_workbench.simulation.scenario.parse import ScenarioError, load_scenario

JACKSON = Path(__file__).resolve().parents[3] / "data" / "scenarios" / "validation_jackson.yaml"


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
