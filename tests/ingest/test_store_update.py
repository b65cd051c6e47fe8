"""Monthly exports: ``--update`` replaces the earlier snapshot; history and removal keep lineage.

The property tests build cumulative exports from the demo event log (each month holds every
earlier event again, some rows changed, some cases gone) and compare stores by content.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import ContractError, StoreError
from bti_workbench.ingest.store import (
    import_files,
    read_table,
    remove_import,
    store_history,
    store_status,
)

runner = CliRunner(env={"BTI_LANG": "en"})
BANDS = ["0-5", "6-15", "16-19", "20-23"]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """Twelve cases of Sirdal's demo log, as text the way an export holds it."""
    from bti_workbench.synthetic.demo import write_demo

    folder = tmp_path_factory.mktemp("pool")
    write_demo(folder, "4228", seed=1)
    log = pd.read_csv(folder / "event_log.csv", comment="#", dtype=str)
    cases = sorted(log["case_id"].unique())[:12]
    return log[log["case_id"].isin(cases)].reset_index(drop=True)


def _export(pool: pd.DataFrame, month: int, gone: frozenset, changed: frozenset) -> pd.DataFrame:
    """The export at the end of ``month`` (0..5 after the first event): every event so far."""
    times = pd.to_datetime(pool["event_time"])
    cut = times.min() + pd.DateOffset(months=4 * (month + 1))
    out = pool[(times < cut) & ~pool["case_id"].isin(gone)].copy()
    moved = out["case_id"].isin(changed) & out["age_band"].isin(BANDS)
    out.loc[moved, "age_band"] = out.loc[moved, "age_band"].map(
        lambda b: BANDS[(BANDS.index(b) + 1) % len(BANDS)]
    )
    return out


def _write(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def _content(store: Path) -> pd.DataFrame:
    table = read_table(store, "event-log")
    return table.sort_values(list(table.columns)).reset_index(drop=True)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


_snapshot = st.tuples(
    st.integers(0, 5),
    st.frozensets(st.integers(0, 11), max_size=3),
    st.frozensets(st.integers(0, 11), max_size=3),
)
_FAST = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _cases(pool: pd.DataFrame, picks: frozenset) -> frozenset:
    cases = sorted(pool["case_id"].unique())
    return frozenset(cases[i] for i in picks)


@_FAST
@given(snapshots=st.lists(_snapshot, min_size=1, max_size=4))
def test_pruned_updates_in_order_give_the_store_of_the_last_alone(
    pool: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory, snapshots: list
) -> None:
    folder = tmp_path_factory.mktemp("prune")
    snapshots = sorted(snapshots)  # monthly exports in the order they were made
    exports = [_export(pool, m, _cases(pool, g), _cases(pool, c)) for m, g, c in snapshots]
    assume(all(len(export) for export in exports))  # an export with no rows is refused
    in_order, last_alone = folder / "in_order.duckdb", folder / "last.duckdb"
    for number, frame in enumerate(exports):
        path = _write(folder, f"month{number}.csv", frame)
        try:
            import_files(in_order, [path], "event-log", "4228", update=True, prune=True)
        except StoreError as refused:  # the newest case deleted: looks like an older export
            assert "ends before the rows the store holds" in str(refused)
            assume(False)
    import_files(last_alone, [path], "event-log", "4228")
    pd.testing.assert_frame_equal(_content(in_order), _content(last_alone))


@_FAST
@given(months=st.lists(st.integers(0, 5), min_size=1, max_size=4), changed=_snapshot)
def test_cumulative_exports_in_order_give_the_store_of_the_last_alone(
    pool: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory, months: list, changed: tuple
) -> None:
    # Without --prune: exports that keep every earlier row (some changed in the last one).
    folder = tmp_path_factory.mktemp("cumulative")
    months = sorted(months)
    last = len(months) - 1
    in_order, last_alone = folder / "in_order.duckdb", folder / "last.duckdb"
    for number, month in enumerate(months):
        moved = _cases(pool, changed[2]) if number == last else frozenset()
        path = _write(folder, f"month{number}.csv", _export(pool, month, frozenset(), moved))
        import_files(in_order, [path], "event-log", "4228", update=True)
    import_files(last_alone, [path], "event-log", "4228")
    pd.testing.assert_frame_equal(_content(in_order), _content(last_alone))


@_FAST
@given(snapshot=_snapshot)
def test_repeating_an_update_changes_nothing(
    pool: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory, snapshot: tuple
) -> None:
    folder = tmp_path_factory.mktemp("repeat")
    store = folder / "bti.duckdb"
    month, gone, changed = snapshot
    frame = _export(pool, month, _cases(pool, gone), _cases(pool, changed))
    path = _write(folder, "export.csv", frame)
    import_files(store, [path], "event-log", "4228", update=True)
    before, content = _digest(store), _content(store)
    assert import_files(store, [path], "event-log", "4228", update=True) == []  # same file
    assert _digest(store) == before
    again = folder / "export_again.csv"  # the same rows, other bytes (as Excel saves them)
    frame.to_csv(again, index=False, sep=";")
    [record] = import_files(store, [again], "event-log", "4228", update=True)
    assert (record.added, record.updated, record.disappeared) == (0, 0, 0)
    assert record.unchanged == len(frame)
    pd.testing.assert_frame_equal(_content(store), content)


@_FAST
@given(snapshot=_snapshot)
def test_a_refused_update_leaves_the_store_byte_identical(
    pool: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory, snapshot: tuple
) -> None:
    folder = tmp_path_factory.mktemp("refused")
    store = folder / "bti.duckdb"
    month, gone, changed = snapshot
    first = _write(folder, "first.csv", _export(pool, 0, frozenset(), frozenset()))
    import_files(store, [first], "event-log", "4228")
    before = _digest(store)
    later = _export(pool, month, _cases(pool, gone), _cases(pool, changed))
    broken = pd.concat([later, later.iloc[:1]])  # a row twice: the contract refuses the file
    path = _write(folder, "broken.csv", broken)
    with pytest.raises(ContractError):
        import_files(store, [path], "event-log", "4228", update=True)
    assert _digest(store) == before
    assert not list(folder.glob(".bti.duckdb.*"))


def test_an_update_counts_what_changed_and_keeps_what_disappeared(
    pool: pd.DataFrame, tmp_path: Path
) -> None:
    store = tmp_path / "bti.duckdb"
    first = _export(pool, 1, frozenset(), frozenset())
    cases = sorted(first["case_id"].unique())  # one case goes, one changes
    second = _export(pool, 3, frozenset(cases[:1]), frozenset(cases[1:2]))
    [one] = import_files(store, [_write(tmp_path, "a.csv", first)], "event-log", "4228")
    [two] = import_files(
        store, [_write(tmp_path, "b.csv", second)], "event-log", "4228", update=True
    )
    # A hand count from the two frames, under the contract's key.
    key = ["case_id", "event_time", "event", "service", "role", "actor_id"]
    merged = first.merge(second, on=key, how="outer", indicator=True, suffixes=("_1", "_2"))
    both = merged[merged["_merge"] == "both"]
    changed = int((both["age_band_1"].fillna("") != both["age_band_2"].fillna("")).sum())
    assert two.added == int((merged["_merge"] == "right_only").sum())
    assert two.updated == changed > 0
    assert two.unchanged == len(both) - changed
    assert two.disappeared == int((merged["_merge"] == "left_only").sum()) > 0
    assert two.superseded == (one.import_id,)
    assert len(read_table(store, "event-log")) == len(second) + two.disappeared
    history = store_history(store).set_index("import_id")
    assert history.loc[one.import_id, "superseded_by"] == two.import_id
    assert history.loc[one.import_id, "held"] == two.disappeared


def test_an_update_touches_only_its_own_municipalities(demo_dir: Path, tmp_path: Path) -> None:
    form = pd.read_csv(demo_dir / "report_form_1.csv", comment="#", dtype=str)
    other = form.assign(municipality="4227", unit=form["unit"] + " K")
    both = _write(tmp_path, "both.csv", pd.concat([form, other]))
    store = tmp_path / "bti.duckdb"
    import_files(store, [both], "report-form-1")
    later = form.iloc[:-1].assign(staff_trained="1")  # Sirdal's next export: one unit fewer
    [record] = import_files(
        store, [_write(tmp_path, "sirdal.csv", later)], "report-form-1", update=True, prune=True
    )
    changed = int((form.iloc[:-1]["staff_trained"] != "1").sum())
    assert (record.updated, record.unchanged) == (changed, len(later) - changed)
    assert (record.disappeared, record.pruned) == (1, 1)
    table = read_table(store, "report-form-1")
    assert (table["municipality"] == "4227").sum() == len(form)  # the neighbour's untouched
    assert (table["municipality"] == "4228").sum() == len(later)


def test_without_update_an_overlap_says_to_use_it(pool: pd.DataFrame, tmp_path: Path) -> None:
    store = tmp_path / "bti.duckdb"
    import_files(
        store,
        [_write(tmp_path, "a.csv", _export(pool, 1, frozenset(), frozenset()))],
        "event-log",
        "4228",
    )
    later = _write(tmp_path, "b.csv", _export(pool, 4, frozenset(), frozenset()))
    before = _digest(store)
    result = runner.invoke(
        app, ["import", str(later), "--kind", "event-log", "-m", "4228", "--store", str(store)]
    )
    assert result.exit_code == 1
    assert "b.csv" in result.output and "--update" in result.output
    assert _digest(store) == before


def test_removal_is_atomic_and_the_history_keeps_it(demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "bti.duckdb"
    records = import_files(store, [demo_dir], go_live="2018-09-01")
    survey = next(r for r in records if r.kind == "staff-survey")
    log = next(r for r in records if r.kind == "event-log")
    result = runner.invoke(app, ["store", "remove", str(survey.import_id), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert f"removed import {survey.import_id}" in result.output
    assert f"{survey.rows} rows" in result.output
    assert read_table(store, "staff-survey").empty
    assert len(read_table(store, "event-log")) == log.rows  # the others untouched
    history = store_history(store).set_index("import_id")
    assert history.loc[survey.import_id, "removed_rows"] == survey.rows
    assert pd.notna(history.loc[survey.import_id, "removed_at"])
    assert history.loc[survey.import_id, "held"] == 0
    before = _digest(store)
    for bad in [str(survey.import_id), "999"]:  # removed before; never there
        again = runner.invoke(app, ["store", "remove", bad, "--store", str(store)])
        assert again.exit_code == 1 and "Traceback" not in again.output
        assert _digest(store) == before
    shown = runner.invoke(app, ["store", "history", "--store", str(store)])
    assert shown.exit_code == 0
    assert "removed" in shown.output and "staff_survey.csv" in shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 100
    # The file can come back after its removal; a removed go-live goes with its import.
    import_files(store, [demo_dir / "staff_survey.csv"], "staff-survey")
    assert len(read_table(store, "staff-survey")) == survey.rows
    remove_import(store, log.import_id)
    assert store_status(store).go_live.empty


def test_removal_of_a_file_never_imported_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store here yet"):
        remove_import(tmp_path / "none.duckdb", 1)


def test_status_keeps_kind_then_rows_and_fits_100_columns(demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "bti.duckdb"
    import_files(store, [demo_dir])
    other = pd.read_csv(demo_dir / "report_form_1.csv", comment="#", dtype=str)
    for place in ("1106", "3807"):
        import_files(
            store,
            [_write(tmp_path, f"{place}.csv", other.assign(municipality=place))],
            "report-form-1",
        )
    result = runner.invoke(app, ["store", "status", "--store", str(store)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    header = lines[1].split()
    assert header[:2] == ["kind", "rows"]
    # The kind by its name in the catalogue ("Report form 1"), then its rows.
    row = next(line for line in lines if line.strip().startswith("Report form 1"))
    assert re.match(r"\s+Report form 1\s+([\d,]+)\s", row)[1] == f"{3 * len(other):,}"
    assert "1106, 3807, 4228" in result.output  # not run into the period column
    assert max(len(line) for line in lines) <= 100
    assert "Report form 1" in next(line for line in lines if line.rstrip().endswith("*"))
    assert "* synthetic and real files mixed" in result.output


def test_removed_and_pruned_rows_are_gone_from_the_file_not_only_from_queries(
    demo_dir: Path, tmp_path: Path
) -> None:
    form = pd.read_csv(demo_dir / "report_form_1.csv", comment="#", dtype=str)
    marked = form.copy()
    marked.loc[0, "unit"] = "Zqxwvy barnehage"
    marked.loc[1, "unit"] = "Wvyzqx skole"
    store = tmp_path / "bti.duckdb"
    [first] = import_files(store, [_write(tmp_path, "a.csv", marked)], "report-form-1")
    assert b"Zqxwvy" in store.read_bytes()
    later = marked.drop(index=0)  # the first unit is no longer exported
    import_files(
        store, [_write(tmp_path, "b.csv", later)], "report-form-1", update=True, prune=True
    )
    assert b"Zqxwvy" not in store.read_bytes()
    assert b"Wvyzqx" in store.read_bytes()
    [record] = store_history(store).query("superseded_by.isna()")["import_id"].tolist()
    remove_import(store, record)
    assert b"Wvyzqx" not in store.read_bytes()
    assert read_table(store, "report-form-1").empty
    history = store_history(store)
    assert list(history["import_id"]) == [first.import_id, record]  # lineage kept
    import_files(store, [_write(tmp_path, "c.csv", form)], "report-form-1")  # keys still hold
    with pytest.raises(StoreError, match="already in the store"):
        import_files(store, [_write(tmp_path, "d.csv", form.iloc[:2])], "report-form-1")


def test_pruning_with_an_older_export_is_refused(pool: pd.DataFrame, tmp_path: Path) -> None:
    store = tmp_path / "bti.duckdb"
    newer = _write(tmp_path, "april.csv", _export(pool, 4, frozenset(), frozenset()))
    import_files(store, [newer], "event-log", "4228")
    before = _digest(store)
    older = _write(tmp_path, "february.csv", _export(pool, 2, frozenset(), frozenset()))
    args = ["import", str(older), "--kind", "event-log", "-m", "4228", "--store", str(store)]
    result = runner.invoke(app, [*args, "--update", "--prune"])
    assert result.exit_code == 1
    assert "february.csv: ends before the rows the store holds" in result.output
    assert _digest(store) == before


def test_the_go_live_is_read_day_first_and_said_when_set_or_changed(
    pool: pd.DataFrame, tmp_path: Path
) -> None:
    store = tmp_path / "bti.duckdb"
    first = _write(tmp_path, "a.csv", _export(pool, 1, frozenset(), frozenset()))
    args = ["import", str(first), "--kind", "event-log", "-m", "4228", "--store", str(store)]
    result = runner.invoke(app, [*args, "--go-live", "01.09.2018"])
    assert result.exit_code == 0, result.output
    assert "go-live for 4228: 2018-09-01" in result.output
    assert store_status(store).go_live["4228"] == pd.Timestamp("2018-09-01")
    later = _write(tmp_path, "b.csv", _export(pool, 3, frozenset(), frozenset()))
    args[1] = str(later)
    changed = runner.invoke(app, [*args, "--update", "--go-live", "2018-10-01"])
    assert "go-live for 4228: 2018-10-01 (was 2018-09-01)" in changed.output
    for bad in ("09/01/2018", "1.9.18", "2018-02-30"):
        refused = runner.invoke(app, [*args, "--update", "--go-live", bad])
        assert refused.exit_code == 1 and "--go-live must be a date" in refused.output
    assert store_status(store).go_live["4228"] == pd.Timestamp("2018-10-01")


def test_removing_an_update_says_the_earlier_rows_do_not_come_back(
    pool: pd.DataFrame, tmp_path: Path
) -> None:
    store = tmp_path / "bti.duckdb"
    one = _write(tmp_path, "a.csv", _export(pool, 1, frozenset(), frozenset()))
    two = _write(tmp_path, "b.csv", _export(pool, 3, frozenset(), frozenset()))
    three = _write(tmp_path, "c.csv", _export(pool, 5, frozenset(), frozenset()))
    [first] = import_files(store, [one], "event-log", "4228")
    [second] = import_files(store, [two], "event-log", "4228", update=True)
    [third] = import_files(store, [three], "event-log", "4228", update=True)
    history = store_history(store).set_index("import_id")
    assert history.loc[first.import_id, "superseded_by"] == second.import_id  # never rewritten
    assert history.loc[second.import_id, "superseded_by"] == third.import_id
    result = runner.invoke(app, ["store", "remove", str(third.import_id), "--store", str(store)])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())  # wrapped at 100 columns
    assert f"it had replaced import {second.import_id}" in flat
    assert "import that file again with --update --prune" in flat
    again = import_files(store, [two], "event-log", "4228", update=True, prune=True)
    assert len(again) == 1  # the earlier export comes back as the snapshot
    pd.testing.assert_frame_equal(_content(store), _content_of(tmp_path, two))


def _content_of(folder: Path, path: Path) -> pd.DataFrame:
    alone = folder / "alone.duckdb"
    import_files(alone, [path], "event-log", "4228")
    return _content(alone)
