"""Fixtures of the calibration tests: Tromsø's scenario, five years of its log, the estimates."""

from __future__ import annotations

import pytest

from bti_workbench.reference.municipality import load_municipality
from bti_workbench.simulation.calibration import estimate_parameters
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.synthetic import event_log_from_scenario
from tests.simulation.calibration.helpers import FIVE_YEARS, TROMSO


@pytest.fixture(scope="module")
def tromso():
    return load_scenario(TROMSO)


@pytest.fixture(scope="module")
def tromso_log():
    return event_log_from_scenario(TROMSO, weeks=260, seed=1)


@pytest.fixture(scope="module")
def tromso_cal(tromso_log):
    return estimate_parameters(tromso_log, load_municipality("5401"), period=FIVE_YEARS)
