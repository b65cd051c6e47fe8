"""The embedded store: atomic imports into a real DuckDB file, refusals, and what users see."""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import ContractError, StoreError
from bti_workbench.ingest import storage as storage_module
from bti_workbench.ingest.readers import read
from bti_workbench.ingest.store import import_files, read_table, store_status

runner = CliRunner(env={"BTI_LANG": "en"})


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder_state(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture()
def filled_store(tmp_path: Path, demo_dir: Path) -> Path:
    """A store with Sirdal's demo event log and report form 1."""
    path = tmp_path / "store" / "bti.duckdb"
    import_files(path, [demo_dir / "event_log.csv"], "event-log", "4228", go_live="2018-09-01")
    import_files(path, [demo_dir / "report_form_1.csv"], "report-form-1")
    return path


def test_import_round_trip_keeps_every_row_and_type(filled_store: Path, demo_dir: Path) -> None:
    original = read(demo_dir / "event_log.csv", "event-log")
    stored = read_table(filled_store, "event-log")
    assert list(stored["municipality"].unique()) == ["4228"]
    pd.testing.assert_frame_equal(
        stored.drop(columns="municipality"), original, check_dtype=True, check_like=False
    )
    status = store_status(filled_store)
    assert status.tables.loc["event-log", "rows"] == len(original)
    assert status.tables.loc["report-form-1", "municipalities"] == "4228"
    log = status.imports
    assert list(log["kind"]) == ["event-log", "report-form-1"]
    assert log.loc[0, "sha256"] == _digest(demo_dir / "event_log.csv")
    assert log.loc[0, "rows"] == len(original) and bool(log.loc[0, "synthetic"])
    assert status.go_live["4228"] == pd.Timestamp("2018-09-01")


def test_period_and_municipality_filters(filled_store: Path) -> None:
    june = read_table(filled_store, "event-log", period=("2018-06-01", "2018-06-30"))
    assert june["event_time"].min() >= pd.Timestamp("2018-06-01")
    assert june["event_time"].max() < pd.Timestamp("2018-07-01")
    assert len(read_table(filled_store, "event-log", municipality="1106")) == 0


def test_reimport_is_refused_and_leaves_the_store_byte_identical(
    filled_store: Path, demo_dir: Path, tmp_path: Path
) -> None:
    before = _folder_state(filled_store.parent)
    with pytest.raises(StoreError, match="already imported"):
        import_files(filled_store, [demo_dir / "event_log.csv"], "event-log", "4228")
    renamed = tmp_path / "same_content_other_name.csv"
    shutil.copyfile(demo_dir / "event_log.csv", renamed)
    with pytest.raises(StoreError, match="already imported"):
        import_files(filled_store, [renamed], "event-log", "4228")
    assert _folder_state(filled_store.parent) == before


def test_a_failing_file_leaves_the_store_byte_identical(
    filled_store: Path, demo_dir: Path, tmp_path: Path
) -> None:
    text = (demo_dir / "report_form_2.csv").read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace(",", ",,", 1)  # one field too many on a row
    bad = tmp_path / "rf2_bad.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    raw_before = _digest(bad)
    before = _folder_state(filled_store.parent)
    with pytest.raises(ContractError) as err:
        import_files(filled_store, [bad], "report-form-2")
    assert "rf2_bad.csv" in str(err.value) and "row 4" in str(err.value)
    assert _folder_state(filled_store.parent) == before
    assert _digest(bad) == raw_before  # raw files are never modified


def test_a_crash_while_writing_leaves_the_store_as_it_was(
    filled_store: Path, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _folder_state(filled_store.parent)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(storage_module.os, "replace", crash)
    with pytest.raises(StoreError, match=r"not written, .*the store is as it was"):
        import_files(filled_store, [demo_dir / "staff_survey.csv"], "staff-survey")
    assert _folder_state(filled_store.parent) == before  # no temp file left either
    monkeypatch.undo()
    records = import_files(filled_store, [demo_dir / "staff_survey.csv"], "staff-survey")
    assert records[0].rows == len(read(demo_dir / "staff_survey.csv", "staff-survey"))


def test_files_without_a_municipality_need_one(tmp_path: Path, demo_dir: Path) -> None:
    with pytest.raises(StoreError, match="--municipality"):
        import_files(tmp_path / "s.duckdb", [demo_dir / "event_log.csv"], "event-log")
    assert not (tmp_path / "s.duckdb").exists()


def test_demo_folder_import_and_two_municipalities(
    tmp_path: Path, demo_dir: Path, large_demo_dir: Path
) -> None:
    path = tmp_path / "s.duckdb"
    records = import_files(path, [demo_dir, large_demo_dir])
    assert {r.municipality for r in records} == {"4228", "1106"}
    assert len(records) == 14
    status = store_status(path)
    assert status.tables.loc["staff-survey", "municipalities"] == "1106, 4228"
    assert set(status.go_live.index) == {"4228", "1106"}


def _import_in_process(args: tuple[str, str, str]) -> int:
    path, file, kind = args
    return import_files(path, [file], kind)[0].import_id


def test_concurrent_imports_both_land(tmp_path: Path, demo_dir: Path) -> None:
    path = str(tmp_path / "s.duckdb")
    jobs = [
        (path, str(demo_dir / "staff_survey.csv"), "staff-survey"),
        (path, str(demo_dir / "report_form_2.csv"), "report-form-2"),
    ]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        ids = pool.map(_import_in_process, jobs)
    assert sorted(ids) == [1, 2]
    assert set(store_status(path).imports["kind"]) == {"staff-survey", "report-form-2"}


# ---------------------------------------------------------------- the command line, bad input

_HEADER = "sak_id;tidspunkt;hendelse;nivå;tjeneste;rolle;aktør_id;aldersgruppe"
_GOOD = [
    "C1;10.01.2018;concern_raised;0;school;baton_holder;A1;6-15",
    "C1;15.01.2018;level0_decision;0;school;baton_holder;A1;6-15",
    "C1;15.01.2018;log_opened;1;school;baton_holder;A1;6-15",
    "C1;20.03.2018;log_closed;1;school;baton_holder;A1;6-15",
]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def _cli_import(store: Path, file: Path, *extra: str):
    return runner.invoke(
        app,
        ["import", str(file), "--kind", "event-log", "--store", str(store), "-m", "4228", *extra],
    )


def test_what_a_new_user_exports_is_accepted(tmp_path: Path) -> None:
    # Excel's "CSV (semicolon)" in Windows-1252, blank and title rows above the header,
    # dd.mm.yyyy dates, Norwegian headers with æøå.
    file = _write(
        tmp_path / "eksport.csv",
        ["Stafettlogg eksport", "", _HEADER, *_GOOD],
        encoding="cp1252",
    )
    store = tmp_path / "s.duckdb"
    result = _cli_import(store, file)
    assert result.exit_code == 0, result.output
    assert "4 rows" in result.output
    status = runner.invoke(app, ["store", "status", "--store", str(store)])
    assert status.exit_code == 0
    assert "Event log" in status.output and "4228" in status.output
    history = runner.invoke(app, ["store", "history", "--store", str(store)])
    assert history.exit_code == 0 and "eksport.csv" in history.output


@pytest.mark.parametrize(
    ("lines", "where"),
    [
        (
            [_HEADER.replace("aldersgruppe", "aldersgruppe;farge"), *(r + ";x" for r in _GOOD)],
            "column 'farge': unknown column",
        ),
        (
            [_HEADER.replace(";aldersgruppe", ""), *(r.rsplit(";", 1)[0] for r in _GOOD)],
            "column 'age_band': missing column",
        ),
        ([_HEADER, *_GOOD, _GOOD[1]], "row 6: repeats row 3"),
        (
            [_HEADER, *_GOOD[:2], _GOOD[2].replace("15.01", "05.01"), _GOOD[3]],
            "row 4, column 'tidspunkt'",
        ),
        (
            [_HEADER, *_GOOD[:3], _GOOD[3].replace("20.03", "12.01")],
            "row 5, column 'tidspunkt': log_closed is dated before the log was opened (row 4)",
        ),
        (
            [_HEADER, _GOOD[0], _GOOD[1].replace("15.01.2018", "2018-13-40")],
            "row 3, column 'tidspunkt'",
        ),
        (
            [_HEADER, *_GOOD[:2], _GOOD[2].replace(";1;", ";1,5;")],
            "row 4, column 'nivå': not a whole number",
        ),
    ],
    ids=[
        "unknown-column",
        "missing-column",
        "duplicate",
        "out-of-order",
        "closed-before-opened",
        "bad-date",
        "decimal-level",
    ],
)
def test_bad_input_names_file_row_column_and_leaves_the_store_untouched(
    tmp_path: Path, filled_store: Path, lines: list[str], where: str
) -> None:
    file = _write(tmp_path / "eksport.csv", lines)
    before = _folder_state(filled_store.parent)
    result = _cli_import(filled_store, file)
    assert result.exit_code == 1
    assert "eksport.csv" in result.output and where in result.output, result.output
    assert _folder_state(filled_store.parent) == before


def test_a_fodselsnummer_is_named_by_place_never_shown(tmp_path: Path, filled_store: Path) -> None:
    fnr = "01010750160"  # a valid test number
    lines = [_HEADER, *_GOOD[:3], _GOOD[3].replace("A1;", f"{fnr};")]
    file = _write(tmp_path / "eksport.csv", lines)
    before = _folder_state(filled_store.parent)
    result = _cli_import(filled_store, file)
    assert result.exit_code == 1
    assert "eksport.csv" in result.output and "aktør_id" in result.output
    assert "row 5" in result.output
    assert fnr not in result.output
    assert _folder_state(filled_store.parent) == before


def test_reimport_on_the_command_line_is_skipped_and_says_why(tmp_path: Path) -> None:
    file = _write(tmp_path / "eksport.csv", [_HEADER, *_GOOD])
    store = tmp_path / "s.duckdb"
    assert _cli_import(store, file).exit_code == 0
    before = _digest(store)
    again = _cli_import(store, file)
    flat = " ".join(again.output.split())
    assert again.exit_code == 0, again.output  # skipped is not failed: the same as a folder
    assert "skipped eksport.csv: identical content was imported on " in flat
    assert "as import 1" in flat
    assert "0 imported, 1 skipped, 0 failed" in flat
    assert "Nothing failed" in flat
    assert _digest(store) == before


def test_status_of_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["store", "status", "--store", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1 and "bti import" in result.output


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2018-01-25 24:00", "not a valid calendar date"),
        ("25.01.2018 10:60", "not a valid calendar date"),
        ("01.03.0218", "the year is outside"),
        ("2318-03-01", "the year is outside"),
    ],
)
def test_bad_times_are_refused_on_the_fast_and_the_slow_path(
    tmp_path: Path, cell: str, message: str
) -> None:
    row = f"C1;{cell};concern_raised;0;school;baton_holder;A1;6-15"
    fast = _write(tmp_path / "fast.csv", [_HEADER, row])
    slow = _write(tmp_path / "slow.csv", [_HEADER, row.replace("school", '"school"')])
    for file in (fast, slow):  # quotes send the file down the exact, cell-by-cell path
        with pytest.raises(ContractError, match=message):
            read(file, "event-log")


def test_fast_and_slow_paths_read_the_same_values(tmp_path: Path) -> None:
    rows = [
        "C1;1.2.2018 9:05;concern_raised;0;school;baton_holder;A1;6-15",
        "C1;2018-02-03;level0_decision; 1 ;school;baton_holder;A1;6-15",
    ]
    fast = read(_write(tmp_path / "fast.csv", [_HEADER, *rows]), "event-log")
    quoted = [r.replace("A1", '"A1"') for r in rows]
    slow = read(_write(tmp_path / "slow.csv", [_HEADER, *quoted]), "event-log")
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["event_time"].tolist() == [
        pd.Timestamp("2018-02-01 09:05"),
        pd.Timestamp("2018-02-03"),
    ]


def test_a_case_open_before_the_export_is_not_out_of_order(tmp_path: Path) -> None:
    rows = [  # the log opened before the export; a new concern comes later
        "C1;05.02.2018;entry_added;1;school;baton_holder;A1;6-15",
        "C1;01.03.2018 10:45;concern_raised;1;school;baton_holder;A1;6-15",
        "C1;01.03.2018;level0_decision;1;school;baton_holder;A1;6-15",  # date only, same day
    ]
    assert len(read(_write(tmp_path / "x.csv", [_HEADER, *rows]), "event-log")) == 3


def test_an_overlapping_reexport_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = _write(tmp_path / "jan.csv", [_HEADER, *_GOOD[:2]])
    assert _cli_import(store, first).exit_code == 0
    before = _digest(store)
    overlapping = _write(tmp_path / "jan_mar.csv", [_HEADER, *_GOOD])  # other bytes, same rows
    result = _cli_import(store, overlapping)
    assert result.exit_code == 1
    assert "2 rows are already in the store" in result.output
    assert _digest(store) == before
    later = _write(tmp_path / "feb_mar.csv", [_HEADER, *_GOOD[2:]])
    assert _cli_import(store, later).exit_code == 0


def test_a_demo_folder_that_stopped_part_way_can_be_finished(
    tmp_path: Path, demo_dir: Path
) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)
    survey = folder / "staff_survey.csv"
    good = survey.read_bytes()
    survey.write_bytes(good.replace(b"follow_up", b"later", 1))
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["import", str(folder), "--store", str(store)])
    assert result.exit_code == 1
    assert "staff_survey.csv" in result.output
    assert "3 imported, 0 skipped, 1 failed" in result.output
    assert "the files before it are imported" in " ".join(result.output.split())
    survey.write_bytes(good)
    again = runner.invoke(app, ["import", str(folder), "--store", str(store)])
    assert again.exit_code == 0, again.output
    assert set(store_status(store).imports["kind"]) == {
        "event-log",
        "report-form-1",
        "report-form-2",
        "staff-survey",
        "collaboration-survey",
        "organisation",
        "progress-plan",
    }


def test_evaluation_from_files_keeps_each_folder_s_municipality(
    demo_dir: Path, large_demo_dir: Path
) -> None:
    from bti_workbench.evaluation.sources import load_evaluation

    data = load_evaluation("4228", "2018-09-01..2019-08-31", files=[demo_dir, large_demo_dir])
    assert sorted(data.event_logs) == ["1106", "4228"]
    assert len(data.event_log) == len(read(demo_dir / "event_log.csv", "event-log"))
    with pytest.raises(ValueError, match="after the last event of"):
        load_evaluation("4228", "2018-09-01..2030-12-31", files=[demo_dir])
