"""Synthetic demo data: reproducible, labelled, consistent and realistic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.evaluation.caseflow import case_paths
from bti_workbench.ingest import rows
from bti_workbench.ingest.contracts import column_specs, item_catalogue
from bti_workbench.ingest.readers import (
    read,
    read_event_log,
    read_organisation,
    read_report_form_2,
    read_staff_survey,
)
from bti_workbench.reference.municipality import load_municipality
from bti_workbench.synthetic.cases import DemoAssumptions
from bti_workbench.synthetic.demo import DEMO_FILES, generate_demo, write_demo


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path):
    runner = CliRunner()
    for name in ("a", "b"):
        result = runner.invoke(
            app,
            ["demo-data", "--municipality", "4228", "--seed", "1", "--out", str(tmp_path / name)],
        )
        assert result.exit_code == 0, result.output
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    write_demo(tmp_path / "c", "4228", seed=2)
    assert _bytes(tmp_path / "c")["event_log.csv"] != _bytes(tmp_path / "a")["event_log.csv"]


def test_every_file_says_synthetic(demo_dir):
    for name in DEMO_FILES:
        first = (demo_dir / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# SYNTETISKE DATA / SYNTHETIC DATA"), name
    manifest = json.loads((demo_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["synthetic"] is True and manifest["seed"] == 1
    assert manifest["municipality"] == "4228" and manifest["name"] == "Sirdal"


def test_report_form_2_is_aggregated_from_the_log(large_demo_dir):
    log = read_event_log(large_demo_dir / "event_log.csv")
    rf2 = read_report_form_2(large_demo_dir / "report_form_2.csv")
    opened = log[log["event"] == "log_opened"]
    assert rf2["logs_opened"].sum() == len(opened)
    holder_meetings = log[(log["event"] == "meeting_held") & (log["role"] == "baton_holder")]
    assert rf2["meetings_held"].sum() == len(holder_meetings)
    assert rf2["consents_given"].sum() == (log["event"] == "consent_given").sum()
    holders = set(log.loc[log["role"] == "baton_holder", "actor_id"])
    assert set(rf2["baton_holder_id"]) <= holders
    assert (rf2["period_end"] >= rf2["period_start"]).all()


def test_case_process_is_realistic(large_demo_dir):
    log = read_event_log(large_demo_dir / "event_log.csv")
    events = log["event"].value_counts()
    for event in (
        "baton_handover",
        "consent_expired",
        "report_to_child_welfare",
        "measure_evaluated",
        "log_closed",
    ):
        assert events.get(event, 0) > 0, event
    # Services join at levels 2–3: meetings there bring in participants of other services.
    participants = log[(log["role"] == "participant") & (log["level"] >= 2)]
    assert participants["service"].nunique() >= 4
    assert log[log["role"] == "parent"]["event"].eq("meeting_held").any()
    # Cases reach every level, most stop at levels 0–1.
    top = log.groupby("case_id")["level"].max().value_counts(normalize=True)
    assert set(top.index) == {0, 1, 2, 3}
    assert top[0] + top[1] > 0.7 and top[3] < top[2] < top[1]
    # Level-0 decisions: most, not all, within Tromsø's 14 days.
    first = log.pivot_table(index="case_id", columns="event", values="event_time", aggfunc="min")
    days = (first["level0_decision"] - first["concern_raised"]).dt.days.dropna()
    assert 0.5 < (days <= 14).mean() < 0.95


def test_each_case_is_in_order(large_demo_dir):
    log = read_event_log(large_demo_dir / "event_log.csv")
    for case_id, events in log.groupby("case_id"):
        closed = events.loc[events["event"] == "log_closed", "event_time"]
        opened = events.loc[events["event"] == "log_opened", "event_time"]
        work = events[
            events["event"].isin(
                [
                    "entry_added",
                    "meeting_held",
                    "measure_added",
                    "measure_evaluated",
                    "baton_handover",
                ]
            )
        ]
        assert closed.empty or (events["event_time"] <= closed.max()).all(), case_id
        if len(work):
            assert len(opened) and (work["event_time"] >= opened.min()).all(), case_id
        first = events["event_time"].min()
        assert (events.loc[events["event"] == "concern_raised", "event_time"] == first).all()
    assert (log["event_time"].dt.day_of_week < 5).all()  # working days only


def test_some_batons_are_dropped(large_demo_dir):
    log = read_event_log(large_demo_dir / "event_log.csv")
    activity = log[
        log["event"].isin(["entry_added", "meeting_held", "measure_evaluated"])
        & (log["role"] == "baton_holder")
    ]
    gaps = activity.sort_values("event_time").groupby("case_id")["event_time"].diff().dt.days
    dropped_cases = activity.loc[gaps > 42, "case_id"].nunique()
    logs = log.loc[log["event"] == "log_opened", "case_id"].nunique()
    assert 0.03 < dropped_cases / logs < 0.4


def test_paths_end_somewhere(large_demo_dir):
    paths = case_paths(read_event_log(large_demo_dir / "event_log.csv"))
    ends = paths.groupby("case_id")["target"].last().value_counts()
    assert set(ends.index) == {"closed", "child_welfare", "open"}


def test_staff_survey_improves_modestly(large_demo_dir):
    survey = read_staff_survey(large_demo_dir / "staff_survey.csv")
    items = list(item_catalogue().index)
    means = survey.groupby("wave")[items].mean()
    change = means.loc["follow_up"] - means.loc["baseline"]
    assert (change > 0).sum() >= len(items) - 1
    assert change.mean() < 1.0
    assert set(survey["wave"]) == {"baseline", "follow_up"}
    # Repeated cross-sections: no respondent answers twice.
    assert survey["respondent_id"].is_unique


def test_organisation_matches_services(demo_dir):
    organisation = read_organisation(demo_dir / "organisation.csv")
    services = pd.read_csv(demo_dir / "services.csv", comment="#")
    assert set(organisation["service"]) - set(services["service"]) <= {
        "public_health",
        "administration",
    }


def test_write_is_all_or_nothing(tmp_path):
    write_demo(tmp_path, "4228", seed=1)
    before = _bytes(tmp_path)
    with pytest.raises(KeyError):
        write_demo(tmp_path, "9999", seed=1)
    assert _bytes(tmp_path) == before
    result = CliRunner().invoke(app, ["demo-data", "-m", "9999", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "9999" in result.output
    assert _bytes(tmp_path) == before


# The Sirdal demo's event log (seed 1) as it was before readings and evaluation dates were
# added: sha256 of ``to_csv(index=False)`` of its 592 rows.
_SIRDAL_LOG_BEFORE = "69e23b5907ecb9f6a0f7e16dbecab75eca9db63471f6ade244cd122bb5cea89a"


def test_new_events_leave_the_earlier_rows_as_they_were():
    """Readings and evaluation dates come from a stream of their own: without them the log
    is byte for byte the one the same seed gave before, and so is every other table."""
    tables = generate_demo(load_municipality("4228"), seed=1)
    log = tables["event_log.csv"]
    before = log[log["event"] != "log_read"].drop(columns="evaluate_by")
    assert len(before) == 592
    digest = hashlib.sha256(before.to_csv(index=False).encode()).hexdigest()
    assert digest == _SIRDAL_LOG_BEFORE


def test_the_demo_shows_readings_and_evaluation_dates(large_demo_dir):
    log = read_event_log(large_demo_dir / "event_log.csv")
    reads = log[log["event"] == "log_read"]
    assert len(reads) > 0 and set(reads["role"]) == {"participant"}
    # A reader attended a meeting of the case before reading.
    met = log[(log["event"] == "meeting_held") & (log["role"] == "participant")]
    first_met = met.groupby(["case_id", "actor_id"])["event_time"].min()
    first_read = reads.groupby(["case_id", "actor_id"])["event_time"].min()
    assert (first_read >= first_met.reindex(first_read.index)).all()
    measures = log[log["event"] == "measure_added"]
    dated = measures["evaluate_by"].notna()
    assert 0.8 < dated.mean() < 1.0  # some measures without a date show the fallback
    days = (measures["evaluate_by"] - measures["event_time"].dt.normalize()).dt.days
    assert set(days[dated]) == {DemoAssumptions().evaluation_days}
    assert log.loc[log["event"] != "measure_added", "evaluate_by"].isna().all()


def test_the_demo_never_lies_after_its_end(large_demo_dir, monkeypatch):
    """Every date of the demo is on or before its fixed end (30 June 2020), so reading it
    "on" that day works, and it keeps working whatever year the tests run in."""
    end = DemoAssumptions().end
    monkeypatch.setattr(rows, "current_day", lambda: end)
    for name, kind in DEMO_FILES.items():
        if kind is None:
            continue
        frame = read(large_demo_dir / name, kind)
        for column, spec in column_specs(kind).items():
            if spec["type"] in ("date", "datetime") and not spec.get("future"):
                assert (frame[column].dropna().dt.date <= end).all(), (name, column)
