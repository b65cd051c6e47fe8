"""Row checks: dates after the day of the import, and a measure's planned evaluation date."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import ContractError
from bti_workbench.ingest import rows
from bti_workbench.ingest.contracts import column_specs
from bti_workbench.ingest.readers import read

FILES = {
    "event-log": "event_log.csv",
    "report-form-1": "report_form_1.csv",
    "report-form-2": "report_form_2.csv",
    "staff-survey": "staff_survey.csv",
    "collaboration-survey": "collaboration_survey.csv",
    "progress-plan": "progress_plan.csv",
}
# Every column that records when something happened: none may lie after the import.
PAST_COLUMNS = [
    ("event-log", "event_time"),
    ("report-form-1", "report_date"),
    ("report-form-2", "period_start"),
    ("report-form-2", "period_end"),
    ("staff-survey", "date"),
    ("collaboration-survey", "date"),
    ("progress-plan", "done_date"),
]


def _table(demo_dir: Path, kind: str) -> tuple[list[str], list[list[str]]]:
    lines = (demo_dir / FILES[kind]).read_text(encoding="utf-8").splitlines()
    table = list(csv.reader([line for line in lines if not line.startswith("#")]))
    return table[0], table[1:]


def _write(path: Path, header: list[str], body: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _first_filled(header: list[str], body: list[list[str]], column: str) -> int:
    return next(i for i, r in enumerate(body) if r[header.index(column)])


def test_only_deadlines_and_planned_dates_may_lie_in_the_future():
    """The contract marks which dates may be later than the import; every other date or
    time column is checked (so a date column added later is checked unless marked)."""
    future = set()
    checked = set()
    for kind in (*FILES, "organisation"):
        for name, spec in column_specs(kind).items():
            if spec["type"] in ("date", "datetime"):
                (future if spec.get("future") else checked).add((kind, name))
    assert future == {("event-log", "evaluate_by"), ("progress-plan", "deadline")}
    assert checked == set(PAST_COLUMNS)


@pytest.mark.parametrize(("kind", "column"), PAST_COLUMNS)
def test_a_date_after_today_is_refused_without_showing_it(demo_dir, tmp_path, kind, column):
    header, body = _table(demo_dir, kind)
    i = _first_filled(header, body, column)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    value = f"{tomorrow:%d.%m.%Y}" + (" 09:17" if column == "event_time" else "")
    body[i][header.index(column)] = value
    if column == "period_start":  # keep the period's end after its start
        body[i][header.index("period_end")] = f"{tomorrow + dt.timedelta(days=30):%d.%m.%Y}"
    path = _write(tmp_path / "later.csv", header, body)
    with pytest.raises(ContractError) as info:
        read(path, kind)
    expected = (
        f"later.csv, row {i + 2}, column '{column}': is after the day of the import; "
        "a date in the future is refused"
    )
    assert expected in str(info.value)
    result = CliRunner(env={"BTI_LANG": "en"}).invoke(app, ["validate", str(path), "--kind", kind])
    assert result.exit_code == 1
    assert expected in " ".join(result.output.split())  # wrapped at 100 columns
    assert value not in result.output and f"{tomorrow:%d.%m.%Y}" not in result.output
    assert "Traceback" not in result.output


def test_today_itself_is_accepted_and_the_day_is_injectable(demo_dir, tmp_path, monkeypatch):
    header, body = _table(demo_dir, "event-log")
    i_time = header.index("event_time")
    last = max(range(len(body)), key=lambda i: body[i][i_time])
    body[last][i_time] = f"{dt.date.today():%Y-%m-%d} 23:59"  # later today: fine
    path = _write(tmp_path / "today.csv", header, body)
    assert len(read(path, "event-log")) == len(body)
    # Read the demo "on" the day before its last event: that day's events are refused.
    _, body = _table(demo_dir, "event-log")
    last = dt.date.fromisoformat(max(r[i_time] for r in body)[:10])
    monkeypatch.setattr(rows, "current_day", lambda: last - dt.timedelta(days=1))
    with pytest.raises(ContractError) as info:
        read(demo_dir / "event_log.csv", "event-log")
    late = [r for r in body if r[i_time].startswith(last.isoformat())]
    problems = info.value.problems
    assert len(late) > 0 and len(problems) == len(late)
    assert {p.column for p in problems} == {"event_time"}
    monkeypatch.setattr(rows, "current_day", lambda: last)
    assert len(read(demo_dir / "event_log.csv", "event-log")) == len(body)


def test_deadlines_and_evaluation_dates_may_lie_in_the_future(demo_dir, tmp_path):
    header, body = _table(demo_dir, "progress-plan")
    body[0][header.index("deadline")] = "01.01.2099"
    body[0][header.index("status")] = "planned"
    body[0][header.index("done_date")] = ""
    plan = read(_write(tmp_path / "plan.csv", header, body), "progress-plan")
    assert plan.loc[0, "deadline"].year == 2099
    header, body = _table(demo_dir, "event-log")
    i = next(i for i, r in enumerate(body) if r[header.index("event")] == "measure_added")
    body[i][header.index("evaluate_by")] = "2099-01-01"
    log = read(_write(tmp_path / "log.csv", header, body), "event-log")
    assert log.loc[i, "evaluate_by"].year == 2099


def test_an_evaluation_date_belongs_to_a_measure_and_comes_after_it(demo_dir, tmp_path):
    header, body = _table(demo_dir, "event-log")
    event, when, due = (header.index(c) for c in ("event", "event_time", "evaluate_by"))
    measure = next(i for i, r in enumerate(body) if r[event] == "measure_added")
    other = next(i for i, r in enumerate(body) if r[event] == "meeting_held")
    body[measure][due] = "2000-01-01"  # before the measure
    body[other][due] = body[other][when][:10]  # on a meeting
    path = _write(tmp_path / "due.csv", header, body)
    with pytest.raises(ContractError) as info:
        read(path, "event-log")
    text = str(info.value)
    assert (
        f"due.csv, row {measure + 2}, column 'evaluate_by': is before the day the measure "
        "was added" in text
    )
    assert (
        f"due.csv, row {other + 2}, column 'evaluate_by': is given on a row that is not "
        "measure_added" in text
    )
    assert "2000-01-01" not in text
