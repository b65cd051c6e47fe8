"""The sorted event arrays and the decorator that builds them once for every indicator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.eventarrays import (
    DAY,
    EventArrays,
    Window,
    event_arrays,
    event_code,
    indicator_arguments,
    window,
)
from bti_workbench.evaluation.indicators import consent_present, indicator_table
from bti_workbench.eventlog import EVENT_ORDER
from tests.evaluation.test_indicators import LEVEL0_LOG, Q1, ev, frame


def test_ties_at_one_timestamp_follow_the_one_event_order():
    log = frame(
        ev("a", "2018-03-01 10:00", "log_closed"),
        ev("a", "2018-03-01 10:00", "level_changed", level=2),
        ev("a", "2018-03-01 10:00", "report_to_child_welfare"),
        ev("a", "2018-03-01 10:00", "level0_decision", level=0),
        ev("a", "2018-03-01 10:00", "concern_raised", level=0),
    )
    names = [EVENT_ORDER[code] for code in event_arrays(log).event]
    assert names == [
        "concern_raised",
        "level0_decision",
        "report_to_child_welfare",
        "level_changed",
        "log_closed",
    ]
    assert [event_code(n) for n in names] == sorted(event_code(n) for n in names)


def test_periods_become_windows_of_whole_days():
    assert window(("1970-01-02", "1970-01-02")) == Window(DAY, 2 * DAY)
    assert window("1970-01-01 18:00..1970-01-03") == Window(0, 3 * DAY)
    same = Window(5, 10)
    assert window(same) is same
    with pytest.raises(ValueError, match="the end comes before the start"):
        window(("1970-01-03", "1970-01-01"))


def test_the_decorator_builds_the_arrays_once_and_passes_them_through():
    arrays = event_arrays(LEVEL0_LOG)
    assert event_arrays(arrays) is arrays
    seen = []

    @indicator_arguments
    def probe(event_log, period=None, *, days=1):
        seen.append((event_log, period, days))
        return event_log.n_cases

    assert probe(LEVEL0_LOG, Q1, days=3) == arrays.n_cases
    assert isinstance(seen[-1][0], EventArrays) and isinstance(seen[-1][1], Window)
    probe(arrays, seen[-1][1])
    assert seen[-1][0] is arrays
    probe(event_log=arrays)
    assert seen[-1][1] is None  # an optional period stays None


def test_indicators_take_frames_arrays_and_text_periods_alike():
    arrays = event_arrays(LEVEL0_LOG)
    expected = consent_present(LEVEL0_LOG, Q1)
    assert consent_present(arrays, Q1) == expected
    assert consent_present(LEVEL0_LOG, "2018-01-01..2018-03-31") == expected
    assert consent_present(arrays, window(Q1)) == expected
    with pytest.raises(ValueError, match="period"):
        consent_present(LEVEL0_LOG, None)
    table = indicator_table(arrays, period="2018-01-01..2018-03-31").raw
    pd.testing.assert_frame_equal(table, indicator_table(LEVEL0_LOG, period=Q1).raw)
    assert np.array_equal(arrays.event, event_arrays(LEVEL0_LOG).event)
