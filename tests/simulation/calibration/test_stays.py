"""Reading a log as the model sees a case: hand-made cases, the demo's case flow, bad logs."""

from __future__ import annotations

import math

import pytest

from bti_workbench.evaluation.caseflow import level_transitions
from bti_workbench.ingest.readers import read
from bti_workbench.simulation.calibration import estimate_parameters
from tests.simulation.calibration.helpers import HAND_PERIOD, HAND_POPULATION, _hand_log


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
