"""The store under bad input and hard stops: clear errors, nothing lost, nothing left behind.

Each bad-input class of issue 17 that reaches the store: the manifest of a data folder, a file
that is not a store, a full disk, ``kill -9`` during an import and an update, and a store
written by an earlier version (migrated when opened).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import StoreError
from bti_workbench.ingest.storage import SCHEMA_VERSION, connect
from bti_workbench.ingest.store import (
    import_files,
    read_table,
    remove_import,
    store_history,
    store_status,
)

runner = CliRunner(env={"BTI_LANG": "en"})
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stores"
IDENTITY = "01010112345"  # the shape of a fødselsnummer: must never be echoed


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _state(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture()
def folder(demo_dir: Path, tmp_path: Path) -> Path:
    """A copy of Sirdal's demo folder whose manifest a test may spoil."""
    return Path(shutil.copytree(demo_dir, tmp_path / "demo"))


def _spoil(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.update(changes)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _import_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", *args])
    return result.exit_code, result.output


def _assert_refused(code: int, output: str, *named: str) -> None:
    assert code == 1, output
    assert "Traceback" not in output
    assert IDENTITY not in output
    for name in named:
        assert name in output, output


# ---- the manifest ----------------------------------------------------------------------------


def test_a_manifest_municipality_that_is_an_identity_number_is_refused_unshown(
    folder: Path, tmp_path: Path
) -> None:
    _spoil(folder, municipality=IDENTITY)
    store = tmp_path / "bti.duckdb"
    code, output = _import_cli(str(folder), "--store", str(store))
    _assert_refused(code, output, "manifest.json", "kommunenummer")
    assert not store.exists()
    result = runner.invoke(app, ["validate", str(folder)])  # the same guard as the import
    _assert_refused(result.exit_code, result.output, "manifest.json")


def test_a_manifest_path_that_leaves_the_folder_is_refused(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.csv"
    shutil.copyfile(folder / "event_log.csv", outside)
    store = tmp_path / "bti.duckdb"
    for name in ["../outside.csv", str(outside)]:
        _spoil(folder, files={name: "event-log"})
        code, output = _import_cli(str(folder), "--store", str(store))
        _assert_refused(code, output, "manifest.json", "outside the folder")
        assert "outside.csv" not in output
        code, output = runner.invoke(app, ["validate", str(folder)]).exit_code, ""
        assert code == 1
    (folder / "link.csv").symlink_to(outside)
    _spoil(folder, files={"link.csv": "event-log"})
    code, output = _import_cli(str(folder), "--store", str(store))
    _assert_refused(code, output, "outside the folder")
    assert not store.exists()


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"files": "event_log.csv"}',
        '{"files": {"event_log.csv": "bogus-kind"}}',
        '{"files": {"event_log.csv": "event-log"}, "go_live": "' + IDENTITY + '"}',
        '{"files": {"event_log.csv": "event-log"}, "synthetic": "yes"}',
        "[" * 100_000,
    ],
    ids=["broken", "list", "files-text", "kind", "go-live", "synthetic", "deep"],
)
def test_a_malformed_manifest_is_a_clear_error(folder: Path, tmp_path: Path, text: str) -> None:
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    store = tmp_path / "bti.duckdb"
    code, output = _import_cli(str(folder), "--store", str(store))
    _assert_refused(code, output, "manifest.json")
    assert not store.exists()
    result = runner.invoke(app, ["validate", str(folder)])
    _assert_refused(result.exit_code, result.output, "manifest.json")


def test_a_municipality_option_that_is_an_identity_number_is_refused(
    demo_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "bti.duckdb"
    code, output = _import_cli(
        str(demo_dir / "event_log.csv"),
        "--kind",
        "event-log",
        "-m",
        IDENTITY,
        "--store",
        str(store),
    )
    _assert_refused(code, output, "--municipality")
    with pytest.raises(StoreError, match="--municipality must be a four-digit") as caught:
        import_files(store, [demo_dir / "event_log.csv"], "event-log", IDENTITY)
    assert IDENTITY not in str(caught.value)
    assert not store.exists()


# ---- the store file --------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"not a database\n" * 100, b"", b"\x00" * 8192])
def test_a_file_that_is_not_a_store_is_named_and_left_alone(
    demo_dir: Path, tmp_path: Path, content: bytes
) -> None:
    store = tmp_path / "notes.duckdb"
    store.write_bytes(content)
    for args in (
        ["store", "status", "--store", str(store)],
        ["store", "history", "--store", str(store)],
        ["store", "remove", "1", "--store", str(store)],
        ["import", str(demo_dir / "event_log.csv"), "-m", "4228", "--store", str(store)],
    ):
        result = runner.invoke(app, args)
        _assert_refused(result.exit_code, result.output, "notes.duckdb")
        assert store.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_folder_given_as_the_store_is_a_clear_error(tmp_path: Path, demo_dir: Path) -> None:
    for args in (
        ["store", "status", "--store", str(tmp_path)],
        ["import", str(demo_dir / "event_log.csv"), "-m", "4228", "--store", str(tmp_path)],
    ):
        result = runner.invoke(app, args)
        _assert_refused(result.exit_code, result.output, "is a folder")


def test_a_full_disk_leaves_the_store_as_it_was(demo_dir: Path, tmp_path: Path) -> None:
    # A real write failure: the file-size limit stops the copy mid-write (EFBIG), as a full
    # disk stops it with ENOSPC; both go the same way.
    store = tmp_path / "store" / "bti.duckdb"
    import_files(store, [demo_dir / "report_form_1.csv"], "report-form-1")
    before = _state(store.parent)
    limit = store.stat().st_size // 2
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
        from bti_workbench.cli import app
        sys.argv = ["bti", "import", {str(demo_dir / "event_log.csv")!r}, "-m", "4228",
                    "--store", {str(store)!r}]
        app()
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=_env()
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "bti.duckdb: not written, the disk is full; the store is as it was" in result.stderr
    assert _state(store.parent) == before


def _env() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[2])
    return {
        **os.environ,
        "BTI_LANG": "en",
        "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


# ---- kill -9 ---------------------------------------------------------------------------------

_KILLED = """
import sys, time
from pathlib import Path
from bti_workbench.ingest import storage
from bti_workbench.ingest.store import import_files

def stop_here(*args, **kwargs):
    Path(sys.argv[1]).write_text("at the rename")
    time.sleep(600)

storage._replace = stop_here  # the copy is written and committed: the worst moment
import_files(sys.argv[2], [sys.argv[3]], "event-log", "4228", update=sys.argv[4] == "update")
"""


@pytest.mark.parametrize("how", ["import", "update"])
def test_kill_9_leaves_the_store_as_it_was_and_no_copy_behind(
    demo_dir: Path, tmp_path: Path, how: str
) -> None:
    store = tmp_path / "store" / "bti.duckdb"
    log = pd.read_csv(demo_dir / "event_log.csv", comment="#", dtype=str)
    first = tmp_path / "first.csv"
    log.iloc[:200].to_csv(first, index=False)
    import_files(store, [first], "event-log", "4228")
    before, rows = _digest(store), read_table(store, "event-log")
    later = tmp_path / "later.csv"
    (log if how == "update" else log.iloc[200:]).to_csv(later, index=False)
    marker = tmp_path / "marker"
    process = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(marker), str(store), str(later), how], env=_env()
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the import never reached the rename"
    leftovers = [p for p in store.parent.iterdir() if p.name.startswith(".bti.duckdb.")]
    assert leftovers and max(p.stat().st_size for p in leftovers) > 0
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _digest(store) == before
    # The next open removes the killed writer's copy; it never counts as data.
    status = store_status(store)
    assert int(status.tables.loc["event-log", "rows"]) == len(rows)
    assert not [p for p in store.parent.iterdir() if p.name.startswith(".bti.duckdb.")]
    pd.testing.assert_frame_equal(read_table(store, "event-log"), rows)
    assert len(store_history(store)) == 1


# ---- a store from an earlier version ---------------------------------------------------------


@pytest.fixture()
def old_store(tmp_path: Path) -> Path:
    path = tmp_path / "old.duckdb"
    with gzip.open(FIXTURES / "store_v1.duckdb.gz") as src, path.open("wb") as out:
        shutil.copyfileobj(src, out)
    return path


def _version(path: Path) -> int:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "store_meta" not in tables:
            return 1
        return int(con.execute("SELECT value FROM store_meta").fetchone()[0])


def test_a_store_from_the_first_version_is_migrated_when_opened(old_store: Path) -> None:
    assert _version(old_store) == 1
    status = store_status(old_store)  # reading migrates it
    assert _version(old_store) == SCHEMA_VERSION
    assert int(status.tables.loc["event-log", "rows"]) == 1035
    assert status.go_live.index.tolist() == ["4228"]
    history = store_history(old_store)
    assert list(history["import_id"]) == list(range(1, 8))
    assert (history["action"] == "import").all()
    assert (history["added"] == history["rows"]).all()
    assert (history["held"] == history["rows"]).all()
    # and it works as a store of this version: an update, a removal, the same file refused
    log = read_table(old_store, "event-log")
    assert len(log) == 1035
    event_id = int(history.loc[history["kind"] == "event-log", "import_id"].iloc[0])
    remove_import(old_store, event_id)
    assert read_table(old_store, "event-log").empty


def test_a_failed_migration_leaves_the_old_file(
    old_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bti_workbench.ingest import storage

    before = _digest(old_store)

    def broken(con: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "_bring_up_to_date", broken)
    with (
        pytest.raises(StoreError, match="the disk is full; the store is as it was"),
        connect(old_store),
    ):
        pass
    assert _digest(old_store) == before
    assert not [p for p in old_store.parent.iterdir() if p.name.startswith(".old.duckdb.")]


def test_a_store_from_a_newer_version_is_refused(old_store: Path) -> None:
    import duckdb

    store_status(old_store)
    with duckdb.connect(str(old_store)) as con:
        con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    result = runner.invoke(app, ["store", "status", "--store", str(old_store)])
    _assert_refused(result.exit_code, result.output, "old.duckdb", "newer version")
