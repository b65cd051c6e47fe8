"""A calibration base that is not a valid scenario gets the message loading it gives, before
anything is calibrated (a YAML tag, a ``!!set``, a list where a mapping belongs)."""

from __future__ import annotations

import pytest

from bti_workbench.errors import ScenarioError
from bti_workbench.simulation.calibration import calibrated_scenario, estimate_parameters
from bti_workbench.simulation.scenario.parse import load_scenario
from tests.simulation.calibration.helpers import TROMSO

WARM = "warm_start: {0: 110, 1: 110, 2: 45, 3: 12}"


@pytest.fixture(scope="module")
def small_cal():
    import pandas as pd

    log = pd.DataFrame(
        {
            "case_id": ["a", "a", "b", "b"],
            "event_time": pd.to_datetime(["2020-01-06", "2020-01-13", "2020-01-06", "2020-01-20"]),
            "event": ["concern_raised", "level0_decision"] * 2,
            "level": [0] * 4,
            "service": ["school"] * 4,
            "age_band": ["6-15"] * 4,
        }
    )
    return estimate_parameters(log, "5401")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("name: tromso", "name: !!python/object/apply:os.system ['echo hi']"),
        (WARM, "warm_start: !!set {0, 1}"),
        (WARM, "warm_start: [3, 3, 1, 0]"),
        ("horizon_weeks: 260", "horizon_weeks: '260 weeks'"),
    ],
    ids=["python tag", "set tag", "list", "text"],
)
def test_a_bad_base_is_refused_as_loading_it_is(tmp_path, small_cal, old, new):
    text = TROMSO.read_text(encoding="utf-8")
    assert old in text
    base = tmp_path / "base.yaml"
    base.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ScenarioError) as loading:
        load_scenario(base)
    with pytest.raises(ScenarioError) as calibrating:
        calibrated_scenario(small_cal, base)
    assert str(calibrating.value) == str(loading.value)
    assert str(calibrating.value).startswith("base.yaml: ")
