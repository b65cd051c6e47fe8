"""`bti report evaluation` on an ordinary store: defaults, refusals before any notebook runs,
and a failing cell's own message.

One notebook run (a store with one event log and no go-live date) serves every assertion on a
rendered page; everything else stops before papermill.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import papermill as pm
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.evaluation import data_period
from bti_workbench.ingest.readers import read
from bti_workbench.ingest.store import import_files
from bti_workbench.reference.labels import label

runner = CliRunner()
FNR = "01010750160"  # a valid fødselsnummer by its check digits: never to be printed back


@pytest.fixture(scope="module")
def log_only(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a researcher has after `bti import event_log.csv -m 4228` without --go-live."""
    store = tmp_path_factory.mktemp("log_only") / "store.duckdb"
    import_files(store, [demo_dir / "event_log.csv"], kind="event-log", municipality="4228")
    return store


@pytest.fixture(scope="module")
def report(log_only: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The report for that store, in Norwegian, without --period: its output and its text."""
    out = tmp_path_factory.mktemp("report") / "r.html"
    args = ["report", "evaluation", "-m", "4228", "--store", str(log_only), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return {"output": result.output, "page": page, "text": text}


def test_a_store_without_go_live_renders_and_says_why_sections_are_absent(report):
    text = report["text"]
    for key in (
        "rep.no_staggered.one_municipality",  # the comparison across municipalities
        "rep.no_go_live",  # the interrupted time series
        "rep.absent.report_forms",
        "rep.absent.survey",
        "rep.no_plan",
    ):
        assert label(key, "nb") in text, key
    assert "max() arg" not in text and "Traceback" not in report["output"]
    assert "Rekkevidde" in text  # the sections the event log can fill are there


def test_the_period_defaults_to_all_the_store_holds(report, log_only, demo_dir):
    times = read(demo_dir / "event_log.csv", "event-log")["event_time"]
    first, last = times.min().normalize(), times.max().normalize()
    assert data_period(log_only, "4228") == (first, last)
    assert f"for {first:%Y-%m-%d}..{last:%Y-%m-%d}" in report["output"]
    assert f"{first:%d.%m.%Y}–{last:%d.%m.%Y}" in report["text"]  # the report's own header


def test_no_pseudonym_from_the_store_reaches_the_page(report, demo_dir):
    log = read(demo_dir / "event_log.csv", "event-log")
    words = set(re.findall(r"[A-Za-z0-9_.\-]+", report["text"]))
    assert not words & (set(log["case_id"]) | set(log["actor_id"]))


@pytest.fixture
def no_notebook(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail the test if a notebook starts; the list records any attempt."""
    started: list[str] = []

    def refuse(*args: object, **kwargs: object) -> None:
        started.append("notebook")
        raise AssertionError("a notebook ran")

    monkeypatch.setattr(pm, "execute_notebook", refuse)
    monkeypatch.setattr("bti_workbench.reports.render.render_report", refuse)
    return started


@pytest.mark.parametrize(
    ("options", "option", "value"),
    [
        (["-m", "5401"], "--municipality", "5401"),
        (["-m", FNR], "--municipality", FNR),
        (["-m", "4228", "--period", "2019-01-01..2018-01-01"], "--period", "2019-01-01"),
        (["-m", "4228", "--period", f"{FNR}..2018-12-31"], "--period", FNR),
        (["-m", "4228", "--period", "2030-01-01..2030-06-30"], "--period", "2030-01-01"),
        (["-m", "4228", "--go-live", "4228=notadate"], "--go-live", "notadate"),
        (["-m", "4228", "--go-live", "4228=2018-09-01,5401=2019-01-01"], "--go-live", "5401"),
        (["-m", "4228", "--go-live", f"{FNR}=2018-09-01"], "--go-live", FNR),
    ],
)
def test_a_bad_request_is_refused_before_any_notebook_runs(
    log_only, tmp_path, no_notebook, options, option, value
):
    out = tmp_path / "r.html"
    args = ["report", "evaluation", "--store", str(log_only), "--out", str(out), *options]
    for lang, prefix in (("en", "error"), ("nb", "feil")):
        result = runner.invoke(app, [*args, "--lang", lang])
        assert result.exit_code == 1, result.output
        assert f"{prefix}: {option}" in result.output
        assert value not in result.output
        assert "Traceback" not in result.output
        assert isinstance(result.exception, SystemExit)  # a clean exit, nothing raised
    assert no_notebook == [] and not out.exists()


def test_a_municipality_not_in_the_files_is_refused_too(demo_dir, tmp_path, no_notebook):
    out = tmp_path / "r.html"
    args = ["report", "evaluation", "--files", str(demo_dir), "-m", "1106", "--out", str(out)]
    result = runner.invoke(app, [*args, "--lang", "en"])
    assert result.exit_code == 1
    assert "error: --municipality: the files hold no event log" in result.output
    assert "1106" not in result.output and "Traceback" not in result.output
    assert no_notebook == [] and not out.exists()


def test_a_failing_cell_prints_its_own_message_without_identifiers(log_only, tmp_path, monkeypatch):
    def fail_in_cell(*args: object, **kwargs: object) -> None:
        raise pm.PapermillExecutionError(
            cell_index=20,
            exec_count=14,
            source="monthly_panel(...)",
            ename="ValueError",
            evalue=f"max() arg is an empty sequence (case C14e0a1, person {FNR})",
            traceback=["Traceback (most recent call last):", "  File 'cell', line 1"],
        )

    monkeypatch.setattr(pm, "execute_notebook", fail_in_cell)
    out = tmp_path / "r.html"
    args = ["report", "evaluation", "-m", "4228", "--store", str(log_only), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert (
        "feil: rapporten stoppet i celle 14 (ValueError): max() arg is an empty sequence"
        in result.output
    )
    assert FNR not in result.output and "C14e0a1" not in result.output
    assert "Traceback" not in result.output and not out.exists()
