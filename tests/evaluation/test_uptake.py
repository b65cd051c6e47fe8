"""Reach, adoption and penetration: hand-counted scenarios from the log and the report forms."""

from __future__ import annotations

import pandas as pd
import pytest

from bti_workbench.evaluation.proportions import IndicatorCount
from bti_workbench.evaluation.uptake import adoption, penetration, reach
from tests.evaluation.test_indicators import H1, Q1, ev, frame

REACH_LOG = frame(
    ev("a", "2017-12-01", "log_opened"),
    ev("a", "2018-01-01 10:00", "log_closed"),  # closes on the first day: open in the period
    ev("b", "2017-11-01", "log_opened"),
    ev("b", "2017-12-31 16:00", "log_closed"),  # closed the day before: not reached
    ev("c", "2018-03-31 15:00", "log_opened"),  # opened on the last day: reached
    ev("d", "2018-04-01 08:00", "log_opened"),  # the day after: not reached
    ev("e", "2018-02-01", "concern_raised", level=0),  # level 0 only, no log
    ev("f", "2017-06-01", "log_opened"),  # open throughout
)


def test_reach_counts_children_with_a_log_open_in_the_period():
    # Hand count: a (closes on day 1), c (opens on the last day), f (open throughout) = 3.
    # Denominator: ages 0–23 of a table with ages 0–25 at 10 persons each = 24 × 10 = 240.
    population = pd.DataFrame(
        {"kommunenummer": "4228", "age": range(26), "persons": 10, "source": "test"}
    )
    assert reach(REACH_LOG, Q1, population) == IndicatorCount(3, 240)
    by_age = pd.Series(10, index=range(26))
    assert reach(REACH_LOG, Q1, by_age) == IndicatorCount(3, 240)


def test_reach_refuses_a_population_smaller_than_the_children_reached():
    with pytest.raises(ValueError, match="population"):
        reach(REACH_LOG, Q1, pd.Series([1, 1], index=[0, 1]))


RF1 = pd.DataFrame(
    {
        "municipality": "4228",
        "unit": ["u1", "u1", "u2", "u3"],
        "service": "school",
        "superuser_id": ["s1", "s2", "s3", "s4"],
        "report_date": pd.to_datetime(["2017-12-01", "2018-03-01", "2018-03-01", "2018-09-01"]),
        "staff_in_unit": 10,
        "staff_trained": [2, 4, 3, 5],
    }
)


def _rf2_row(unit, holder, start, end, opened=0, active=(0, 0, 0), municipality="4228"):
    return {
        "municipality": municipality,
        "unit": unit,
        "service": "school",
        "baton_holder_id": holder,
        "period_start": pd.Timestamp(start),
        "period_end": pd.Timestamp(end),
        "logs_opened": opened,
        "active_level_1": active[0],
        "active_level_2": active[1],
        "active_level_3": active[2],
    }


RF2 = pd.DataFrame(
    [
        _rf2_row("u1", "h1", "2018-01-01", "2018-01-31", opened=1),  # active
        _rf2_row("u1", "h2", "2018-02-01", "2018-02-28"),  # nothing open: not active
        _rf2_row("u2", "h3", "2018-03-01", "2018-03-31", active=(0, 1, 0)),  # active
        _rf2_row("u2", "h3", "2018-04-01", "2018-04-30", active=(1, 0, 0)),  # same holder
        _rf2_row("u9", "h4", "2018-01-01", "2018-01-31", opened=2),  # unit not in form 1
        _rf2_row("u3", "h5", "2018-07-01", "2018-07-31", opened=1),  # after the period
        _rf2_row("u3", "h6", "2017-12-01", "2017-12-31", opened=1),  # before the period
        _rf2_row("u1", "h7", "2017-12-15", "2018-01-14", opened=1),  # overlaps the start
        _rf2_row("u1", "h8", "2018-01-01", "2018-01-31", opened=1, municipality="9999"),
    ]
)


def test_adoption_counts_report_form_1_units_with_a_log():
    # Units of form 1: u1, u2, u3 = 3. With an active row in the period: u1 (h1, h7), u2 (h3).
    # u9 is not in form 1, u3's rows are outside the period, h8's u1 is another municipality.
    assert adoption(RF1, RF2, H1) == IndicatorCount(2, 3)


def test_penetration_counts_active_holders_per_trained_staff():
    # Holders: h1, h3, h7 = 3. Trained: u1's latest report on or before 30 June (4, not 2),
    # u2 (3), u3's only report, after the period (5): 4 + 3 + 5 = 12.
    assert penetration(RF1, RF2, H1) == IndicatorCount(3, 12)


def test_penetration_refuses_more_holders_than_trained_staff():
    few = RF1.assign(staff_trained=[0, 1, 0, 1])  # 1 + 0 + 1 = 2 trained, 3 holders
    with pytest.raises(ValueError, match="more active baton holders than trained staff"):
        penetration(few, RF2, H1)
