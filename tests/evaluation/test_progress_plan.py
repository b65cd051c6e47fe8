"""The progress plan: status on a fixed day, summary counts and the Gantt chart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bti_workbench.evaluation.progress_plan import (
    STATES,
    gantt_figure,
    plan_start,
    plan_status,
    plan_summary,
)
from bti_workbench.ingest.readers import read_progress_plan
from bti_workbench.reference.labels import label

SIRDAL = Path(__file__).resolve().parents[2] / "data" / "progress_plan" / "sirdal_2018_h1.csv"
TODAY = pd.Timestamp(2018, 4, 10)


@pytest.fixture
def plan() -> pd.DataFrame:
    """Seven activities judged on 10 April 2018 (states and days late worked out by hand)."""
    rows = [
        # activity, when, deadline, status, done_date, responsible, phase
        ("A1", "JAN", "2018-01-31", "done", "2018-01-31", "Prosjektleder", 1),  # on the day
        ("A2", "JAN/FEB", "2018-02-28", "done", "2018-03-05", "Prosjektleder", 1),  # 5 days
        ("A3", "MARS", "2018-03-31", "planned", None, "Superbrukerne", 2),  # late 10 days
        ("A4", "APRIL", "2018-04-10", "planned", None, "Superbrukerne", 2),  # deadline today
        ("A5", "Uke 17", "2018-04-27", "planned", None, "Prosjektleder", 2),  # open
        ("A6", "FEB", "2018-02-15", "cancelled", None, "Superbrukerne", 3),
        ("A7", "MARS/APRIL", "2018-04-06", "done", "2018-04-20", "Prosjektleder", 3),  # after
        # today: not done yet on 10 April, so late by 4 days
    ]
    frame = pd.DataFrame(
        rows,
        columns=["activity", "when", "deadline", "status", "done_date", "responsible", "phase"],
    )
    frame["deadline"] = pd.to_datetime(frame["deadline"])
    frame["done_date"] = pd.to_datetime(frame["done_date"])
    frame["what"] = [f"Aktivitet {i}" for i in range(1, 8)]
    frame["who"] = "Prosjektgruppa"
    frame["deadline_text"] = None
    return frame


def test_status_on_a_fixed_day(plan):
    status = plan_status(plan, TODAY).set_index("activity")
    assert status["state"].to_dict() == {
        "A1": "done_on_time",
        "A2": "done_late",
        "A3": "late",
        "A4": "open",
        "A5": "open",
        "A6": "cancelled",
        "A7": "late",
    }
    # A2: 28 Feb -> 5 Mar = 5 days; A3: 31 Mar -> 10 Apr = 10; A7: 6 Apr -> 10 Apr = 4.
    assert status["days_late"].tolist() == [0, 5, 10, 0, 0, pd.NA, 4]
    # Later, A7 is done (14 days after its deadline) and A4 and A5 are late.
    later = plan_status(plan, "2018-05-02").set_index("activity")
    assert later.loc["A7", "state"] == "done_late" and later.loc["A7", "days_late"] == 14
    assert later.loc["A4", "days_late"] == 22 and later.loc["A5", "days_late"] == 5
    # The plan's own columns come through unchanged.
    assert list(status.index) == [f"A{i}" for i in range(1, 8)]
    assert status["responsible"].iloc[0] == "Prosjektleder"


def test_planned_start_from_the_when_wording(plan):
    status = plan_status(plan, TODAY).set_index("activity")
    assert status["start"].dt.strftime("%Y-%m-%d").to_dict() == {
        "A1": "2018-01-01",
        "A2": "2018-01-01",
        "A3": "2018-03-01",
        "A4": "2018-04-01",
        "A5": "2018-04-23",  # Monday of ISO week 17, 2018
        "A6": "2018-02-01",
        "A7": "2018-03-01",
    }


@pytest.mark.parametrize(
    ("when", "deadline", "start"),
    [
        ("FEB/MARS", "2018-03-31", "2018-02-01"),
        ("Februar–mars", "2018-03-31", "2018-02-01"),
        ("juni", "2018-06-15", "2018-06-01"),
        ("SEPT/OKT", "2018-10-31", "2018-09-01"),
        ("DES/JAN", "2019-01-15", "2018-12-01"),  # the month before the deadline's year
        ("Uke 1", "2019-01-04", "2018-12-31"),  # ISO week 1 of 2019 starts on 31 Dec 2018
        ("Høsten", "2018-10-20", "2018-10-06"),  # no month: 14 days before the deadline
        (None, "2018-10-20", "2018-10-06"),
    ],
)
def test_plan_start_parses_month_words(when, deadline, start):
    assert plan_start(when, deadline) == pd.Timestamp(start)


def test_summary_counts_by_responsible_and_phase(plan):
    summary = plan_summary(plan, TODAY)
    assert list(summary.columns) == [*STATES, "total", "days_late"]
    # Prosjektleder: A1 (phase 1, on time), A2 (1, done late), A5 (2, open), A7 (3, late).
    # Superbrukerne: A3 (2, late), A4 (2, open), A6 (3, cancelled).
    expected = {
        ("Prosjektleder", 1): [1, 1, 0, 0, 0, 2, 5],
        ("Prosjektleder", 2): [0, 0, 0, 1, 0, 1, 0],
        ("Prosjektleder", 3): [0, 0, 1, 0, 0, 1, 4],
        ("Superbrukerne", 2): [0, 0, 1, 1, 0, 2, 10],
        ("Superbrukerne", 3): [0, 0, 0, 0, 1, 1, 0],
    }
    assert {key: row.tolist() for key, row in summary.iterrows()} == expected
    overall = plan_summary(plan, TODAY, by=())
    assert overall.iloc[0].tolist() == [1, 1, 2, 2, 1, 7, 19]
    by_phase = plan_summary(plan, TODAY, by=["phase"])
    assert by_phase["total"].to_dict() == {1: 2, 2: 3, 3: 2}
    # Counts of activities, not people: counts of 1 are shown, not suppressed.
    assert summary.loc[("Superbrukerne", 3), "cancelled"] == 1


def test_bad_plans_are_refused(plan):
    broken = plan.assign(done_date=pd.NaT)
    with pytest.raises(ValueError, match="done_date"):
        plan_status(broken, TODAY)
    with pytest.raises(ValueError, match="unknown status"):
        plan_status(plan.assign(status="postponed"), TODAY)
    with pytest.raises(ValueError, match="not plan columns"):
        plan_summary(plan, TODAY, by=["owner"])


def test_gantt_bars_run_from_start_to_deadline_coloured_by_status(plan):
    fig = gantt_figure(plan, TODAY, "en")
    bars = [t for t in fig.data if t.type == "bar"]
    assert sorted(t.name for t in bars) == sorted(label(f"plan.state.{s}", "en") for s in STATES)
    assert sum(len(t.base) for t in bars) == len(plan)  # one bar per activity
    late = next(t for t in bars if t.name == label("plan.state.late", "en"))
    # Late: A3 (1 to 31 March) and A7 (1 March to 6 April), by phase then start.
    assert list(late.y[1]) == ["A3 Aktivitet 3", "A7 Aktivitet 7"]
    assert list(late.base) == ["2018-03-01", "2018-03-01"]
    day = 86_400_000
    assert list(late.x) == [31 * day, 37 * day]  # through the end of the deadline day
    assert list(late.y[0]) == [label("plan.phase.2", "en"), label("plan.phase.3", "en")]
    assert late.marker.color != next(t for t in bars if t.name.startswith("Open")).marker.color
    # Done marks only for what was done by today.
    done = next(t for t in fig.data if t.name == label("plan.done_date", "en"))
    assert list(done.x) == ["2018-01-31", "2018-03-05"]


def test_gantt_rows_are_grouped_by_phase_and_has_a_today_line(plan):
    fig = gantt_figure(plan, TODAY, "nb")
    order = fig.data[0]  # the invisible trace that fixes the row order
    assert list(order.y[0]) == [label(f"plan.phase.{p}", "nb") for p in (1, 1, 2, 2, 2, 3, 3)]
    assert [name.split()[0] for name in order.y[1]] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
    line = fig.layout.shapes[0]
    assert (line.x0, line.x1, line.yref) == ("2018-04-10", "2018-04-10", "paper")
    assert fig.layout.annotations[0].text == f"{label('plan.today', 'nb')} 10.04.2018"
    assert fig.layout.title.text == label("plan.figure_title", "nb")
    hover = next(t for t in fig.data if t.name == label("plan.state.late", "nb")).hovertext[0]
    assert label("plan.days_late", "nb", days=10) in hover


def test_sirdal_plan(tmp_path):
    plan = read_progress_plan(SIRDAL)
    status = plan_status(plan, "2018-04-01")
    # Every "when" of the shipped plan names a month: every start is the first of a month.
    assert (status["start"].dt.day == 1).all()
    assert (status["start"] <= status["deadline"]).all()
    # Nothing is reported done; deadlines up to 31 March have passed on 1 April.
    assert status["state"].value_counts().to_dict() == {"late": 8, "open": 8}
    fig = gantt_figure(plan, "2018-04-01", "nb")
    assert sum(len(t.base) for t in fig.data if t.type == "bar") == len(plan) == 16
    fig.write_html(tmp_path / "gantt.html", include_plotlyjs=False)
    assert (tmp_path / "gantt.html").stat().st_size > 1000
