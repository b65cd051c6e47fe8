"""The one order of events at the same timestamp: the contract's codes, and results that do not
depend on the order of a file's rows (case flow, indicators, calibration, networks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation import cases_by_level, indicator_table
from bti_workbench.evaluation.caseflow import case_paths, flow_table
from bti_workbench.eventlog import EVENT_ORDER, event_rank, order_events
from bti_workbench.ingest.contracts import column_specs
from bti_workbench.ingest.readers import read
from bti_workbench.network import drop_out, handover_graph, service_graph
from bti_workbench.simulation.calibration import calibration_table, estimate_parameters

POPULATION = {"0-5": 1000, "6-15": 2000, "16-19": 500, "20-23": 500}
PERIOD = ("2020-01-06", "2020-03-29")


def _log(rows: list[tuple]) -> pd.DataFrame:
    log = pd.DataFrame(rows, columns=["case_id", "event_time", "event", "level"])
    return log.assign(
        event_time=pd.to_datetime(log["event_time"]),
        service="school",
        role="baton_holder",
        actor_id="A001",
        age_band="6-15",
    )


# A case goes up to level 1, and on 3 February a report to child welfare and a move to level 2
# are stamped with the same minute; the log stays open at level 2.
_REPORT_AND_CHANGE = [
    ("A", "2020-01-06 09:00", "concern_raised", 0),
    ("A", "2020-01-13 09:00", "level0_decision", 0),
    ("A", "2020-01-13 09:00", "level_changed", 1),
    ("A", "2020-01-13 09:00", "log_opened", 1),
    ("A", "2020-02-03 10:30", "level_changed", 2),
    ("A", "2020-02-03 10:30", "report_to_child_welfare", 2),
    ("A", "2020-02-17 10:00", "meeting_held", 2),
]


def _swap_last_tie(rows: list[tuple], first: int) -> list[tuple]:
    """The same rows with rows ``first`` and ``first + 1`` (one timestamp) swapped."""
    rows = list(rows)
    rows[first], rows[first + 1] = rows[first + 1], rows[first]
    return rows


@pytest.fixture(params=["change first", "report first"])
def report_and_change(request) -> pd.DataFrame:
    rows = _REPORT_AND_CHANGE
    return _log(rows if request.param == "change first" else _swap_last_tie(rows, 4))


def test_the_order_covers_exactly_the_contracts_event_codes():
    codes = column_specs("event-log")["event"]["values"]
    assert sorted(EVENT_ORDER) == sorted(codes)
    assert len(set(EVENT_ORDER)) == len(EVENT_ORDER)


def test_a_report_comes_before_a_level_change_and_the_closing_last():
    rank = dict(zip(EVENT_ORDER, event_rank(list(EVENT_ORDER)).tolist(), strict=True))
    assert rank["concern_raised"] < rank["level0_decision"] < rank["report_to_child_welfare"]
    assert rank["report_to_child_welfare"] < rank["level_changed"]
    assert (
        rank["consent_given"] < rank["level_changed"] and rank["log_opened"] < rank["level_changed"]
    )
    assert max(rank.values()) == rank["log_closed"]
    assert event_rank(["not_a_code"]).tolist() == [len(EVENT_ORDER)]


def test_a_reading_comes_after_what_it_reads_and_before_the_closing():
    rank = dict(zip(EVENT_ORDER, event_rank(list(EVENT_ORDER)).tolist(), strict=True))
    assert rank["entry_added"] < rank["log_read"] and rank["meeting_held"] < rank["log_read"]
    assert rank["log_read"] < rank["log_closed"]


def test_order_events_ignores_the_file_order(report_and_change):
    ordered = order_events(report_and_change)
    assert ordered["event"].tolist() == [
        "concern_raised",
        "level0_decision",
        "log_opened",
        "level_changed",
        "report_to_child_welfare",
        "level_changed",
        "meeting_held",
    ]


def test_case_path_goes_on_after_a_report_with_a_level_change(report_and_change):
    """The report comes first; the level change in the same minute is BTI's answer to it, so
    the case goes on at level 2 and is still open, whichever row the file has first."""
    steps = case_paths(report_and_change)[["source", "target"]].values.tolist()
    assert steps == [["concern", "0"], ["0", "1"], ["1", "2"], ["2", "open"]]


def test_calibration_reads_the_report_as_followed_by_a_level_change(report_and_change):
    cal = estimate_parameters(report_and_change, POPULATION, period=PERIOD)
    assert cal.diagnostics["reports_then_level_change"] == 1
    shares = cal.transitions.set_index(["level", "outcome"])["count"]
    assert shares[(1, "up")] == 1 and shares[(1, "child_welfare")] == 0
    assert cal.open_at_end == (0, 0, 1, 0)


def test_a_log_closed_with_a_meeting_in_the_same_minute_is_closed():
    rows = [
        ("B", "2020-01-06 09:00", "concern_raised", 0),
        ("B", "2020-01-13 09:00", "level_changed", 1),
        ("B", "2020-01-13 09:00", "log_opened", 1),
        ("B", "2020-02-03 12:00", "log_closed", 1),
        ("B", "2020-02-03 12:00", "meeting_held", 1),
    ]
    for log in (_log(rows), _log(_swap_last_tie(rows, 3))):
        assert case_paths(log)["target"].iloc[-1] == "closed"


def _results(log: pd.DataFrame, population: object, period: tuple[str, str]) -> dict:
    cal = estimate_parameters(log, population, period=period)
    return {
        "paths": case_paths(log).sort_values(["case_id", "step"]).reset_index(drop=True),
        "flow": flow_table(log).formatted("en"),
        "levels": cases_by_level(log, period=period).formatted("en"),
        "indicators": indicator_table(log, period=period).values,
        "transitions": cal.transitions,
        "durations": cal.durations,
        "calibration": calibration_table(cal, lang="en"),
    }


def _assert_same(first: dict, second: dict) -> None:
    for key, value in first.items():
        pd.testing.assert_frame_equal(value, second[key], obj=key)


def test_either_file_order_gives_the_same_results(report_and_change):
    other = report_and_change.iloc[::-1]
    _assert_same(
        _results(report_and_change, POPULATION, PERIOD), _results(other, POPULATION, PERIOD)
    )


def test_a_shuffled_demo_log_gives_the_same_results(demo_dir):
    """Rows of the demo's event log in a random order: case flow, monthly levels, indicators
    and calibration are as from the file."""
    log = read(demo_dir / "event_log.csv", "event-log")
    shuffled = log.iloc[np.random.default_rng(1).permutation(len(log))]
    period = ("2018-01-01", "2018-12-31")
    _assert_same(_results(log, "4228", period), _results(shuffled, "4228", period))


def test_a_handover_in_the_minute_the_log_opens_is_counted_in_either_file_order():
    """The kindergarten opens the log and hands the baton to the school in the same minute: the
    handover graph has that edge whichever row the file writes first."""
    rows = [
        ("H", "2020-01-06 09:00", "log_opened", 1, "kindergarten"),
        ("H", "2020-01-06 09:00", "baton_handover", 1, "school"),
    ]
    log = pd.DataFrame(rows, columns=["case_id", "event_time", "event", "level", "service"])
    log = log.assign(event_time=pd.to_datetime(log["event_time"]), role="baton_holder")
    for ordered in (log, log.iloc[::-1]):
        edges = sorted(handover_graph(ordered).edges(data="weight"))
        assert edges == [("kindergarten", "school", 1)]


def test_the_drop_out_question_reads_a_shuffled_demo_log_alike(large_demo_dir):
    """What a service's drop-out costs does not depend on the order of the rows."""
    log = read(large_demo_dir / "event_log.csv", "event-log")
    shuffled = log.iloc[np.random.default_rng(2).permutation(len(log))]
    graph = service_graph(log)
    answers = [drop_out(log, graph, service) for service in ("ppt", "child_welfare", "school")]
    assert any(answer["cases_at_levels_2_3"] for answer in answers)
    assert answers == [drop_out(shuffled, graph, s) for s in ("ppt", "child_welfare", "school")]
