"""Synthetic event logs from a scenario: seeded, within the contract, seasonal by service."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bti_workbench.eventlog import order_events
from bti_workbench.ingest.readers import read
from bti_workbench.simulation.calibration import estimate_parameters
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.synthetic import event_log_from_scenario
from tests.simulation.calibration.helpers import SIRDAL, TROMSO


@pytest.fixture(scope="module")
def tromso():
    return load_scenario(TROMSO)


@pytest.fixture(scope="module")
def tromso_log():
    return event_log_from_scenario(TROMSO, weeks=260, seed=1)


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


def test_generated_log_is_in_the_one_event_order(tromso_log):
    """Events of one case at the same minute come in EVENT_ORDER (a level change after the
    consent and the log it comes with)."""
    ordered = order_events(tromso_log)
    by_case = tromso_log.sort_values(["case_id", "event_time"], kind="stable")
    assert ordered.index.equals(by_case.index)
