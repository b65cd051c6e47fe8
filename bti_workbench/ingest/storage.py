"""The store's file: its schema, one writer at a time, all-or-nothing writes and migration.

Every write works on a copy of the store and replaces the store only when its transaction has
committed and the copy is on disk. So a write that fails, a full disk or a ``kill -9`` leaves
the store byte for byte as it was. A copy left by a killed writer is removed the next time
the store is opened (when no writer holds the lock) and is never read as data.

A store written by an earlier version is migrated to :data:`SCHEMA_VERSION` the first time it
is opened, by the same copy-and-replace: the old file stays until the migrated one is in place.

This module knows files and tables, not contracts' meaning: :mod:`~bti_workbench.ingest.store`
decides what is written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import duckdb

from bti_workbench._util.resources import contracts_spec
from bti_workbench.errors import StoreError, Text
from bti_workbench.ingest.contracts import KINDS, column_specs, item_catalogue

__all__ = ["SCHEMA_VERSION", "connect", "table_columns", "write"]

T = TypeVar("T")

#: The schema this version writes. 1: the first store (import log with a unique sha256).
#: 2: the import log keeps lineage (update, supersede, removal); ``store_meta`` holds the version.
SCHEMA_VERSION = 2

_SQL_TYPES = {
    "pseudonym": "VARCHAR",
    "code": "VARCHAR",
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "service": "VARCHAR",
    "kommunenummer": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "TIMESTAMP",
    "datetime": "TIMESTAMP",
}
_IMPORT_LOG = {
    "import_id": "BIGINT PRIMARY KEY",
    "file_name": "VARCHAR NOT NULL",
    "sha256": "VARCHAR NOT NULL",
    "kind": "VARCHAR NOT NULL",
    "rows": "BIGINT NOT NULL",
    "municipality": "VARCHAR",
    "imported_at": "TIMESTAMP NOT NULL",
    "synthetic": "BOOLEAN NOT NULL",
    # schema 2: what the import did, and what became of it
    "action": "VARCHAR NOT NULL DEFAULT 'import'",
    "added": "BIGINT",
    "updated": "BIGINT",
    "unchanged": "BIGINT",
    "disappeared": "BIGINT",
    "pruned": "BIGINT",
    "superseded_by": "BIGINT",
    "removed_at": "TIMESTAMP",
    "removed_rows": "BIGINT",
}


def table_columns(key: str) -> dict[str, str]:
    """Column → SQL type of a kind's table: contract columns, items, municipality, import.

    Parameters
    ----------
    key : str
        The contract's key (``event_log``).

    Returns
    -------
    dict
        In the table's order.
    """
    columns = {name: _SQL_TYPES[spec["type"]] for name, spec in column_specs(key).items()}
    if contracts_spec()[key].get("items"):
        columns.update(dict.fromkeys(item_catalogue().index, "BIGINT"))
    columns.setdefault("municipality", "VARCHAR")
    columns["import_id"] = "BIGINT"
    return columns


def _lock_path(store: Path) -> Path:
    return store.with_name(store.name + ".lock")


def _leftovers(store: Path) -> list[Path]:
    return list(store.parent.glob(f".{store.name}.*.tmp*"))


def _remove_leftovers(store: Path) -> None:
    for stale in _leftovers(store):
        stale.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(store: Path) -> Iterator[None]:
    """One writer at a time: an exclusive lock on a file beside the store."""
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        lock = open(_lock_path(store), "w")  # noqa: SIM115 - held for the block
    except OSError as exc:
        raise StoreError(key="err.storage.beside", store=store.name, reason=_reason(exc)) from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _remove_leftovers(store)  # a writer killed mid-write: never used, removed
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _tidy_when_idle(store: Path) -> None:
    """Remove a killed writer's copy, but only when no writer holds the lock now."""
    if not _leftovers(store):
        return
    with contextlib.suppress(OSError), open(_lock_path(store), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a writer is at work; its copy is not a leftover
        try:
            _remove_leftovers(store)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _reason(exc: BaseException) -> Text:
    """A short reason for an I/O failure, without paths or values."""
    number = getattr(exc, "errno", None)
    text = str(exc).lower()
    if number in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "no space" in text:
        return Text("err.reason.disk_full")
    if number in (errno.EACCES, errno.EPERM, errno.EROFS) or "permission" in text:
        return Text("err.reason.permission")
    return Text("err.reason.not_written")


def _open(path: Path, *, read_only: bool, shown: str) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        text = str(exc)
        if "not a valid DuckDB database" in text or "Invalid Input" in text or "magic" in text:
            raise StoreError(key="err.storage.not_a_store", store=shown) from None
        if "lock" in text.lower():
            raise StoreError(key="err.storage.locked", store=shown) from None
        raise StoreError(key="err.storage.cannot_open", store=shown, reason=_reason(exc)) from None


def _schema_version(con: duckdb.DuckDBPyConnection) -> int:
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "import_log" not in tables:
        return 0  # empty: nothing written yet
    if "store_meta" not in tables:
        return 1
    found = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
    return int(found[0]) if found else 1


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    columns = ", ".join(f'"{name}" {sql}' for name, sql in _IMPORT_LOG.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS import_log ({columns})")
    con.execute(
        "CREATE TABLE IF NOT EXISTS go_live (municipality VARCHAR PRIMARY KEY, "
        "go_live DATE NOT NULL, import_id BIGINT)"
    )
    for key in KINDS.values():
        wanted = table_columns(key)
        columns = ", ".join(f'"{name}" {sql}' for name, sql in wanted.items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {key} ({columns})")
        # A contract that gained optional columns: older tables gain them too (as NULL).
        have = {c[0] for c in con.execute(f"DESCRIBE {key}").fetchall()}
        for name, sql in wanted.items():
            if name not in have:
                con.execute(f'ALTER TABLE {key} ADD COLUMN "{name}" {sql}')
    con.execute(
        "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )


def _migrate_import_log(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 → 2: the import log without the unique sha256, with the lineage columns."""
    old = [c[0] for c in con.execute("DESCRIBE import_log").fetchall()]
    con.execute("ALTER TABLE import_log RENAME TO import_log_v1")
    _create_schema(con)
    shared = ", ".join(f'"{c}"' for c in old)
    con.execute(f"INSERT INTO import_log ({shared}) SELECT {shared} FROM import_log_v1")
    con.execute("UPDATE import_log SET action = 'import', added = rows")
    con.execute("DROP TABLE import_log_v1")


def _outdated(con: duckdb.DuckDBPyConnection, shown: str) -> bool:
    """True when the store is older than this version or lacks a contract's columns."""
    version = _schema_version(con)
    if version > SCHEMA_VERSION:
        raise StoreError(key="err.storage.newer", store=shown, version=str(version))
    if version < SCHEMA_VERSION:
        return True
    found: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns()"
    ).fetchall():
        found.setdefault(table, set()).add(column)
    return any(set(table_columns(key)) - found.get(key, set()) for key in KINDS.values())


def _needs_work(store: Path) -> bool:
    con = _open(store, read_only=True, shown=store.name)
    try:
        return _outdated(con, store.name)
    finally:
        con.close()


def _bring_up_to_date(con: duckdb.DuckDBPyConnection) -> None:
    """The migration: schema 1's import log first, then any table a contract added to."""
    if _schema_version(con) == 1:
        _migrate_import_log(con)
    _create_schema(con)


def _migrate(store: Path) -> None:
    """Bring an older store to this version's schema, all or nothing, once."""
    with _locked(store):
        if _needs_work(store):  # another process may have migrated it meanwhile
            _write_copy(store, _bring_up_to_date, migrating=True)


@contextlib.contextmanager
def connect(store: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to an existing store, migrated first when it is older.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.

    Yields
    ------
    duckdb.DuckDBPyConnection
        Closed when the block ends.

    Raises
    ------
    StoreError
        No store at the path, a file that is not a store, or one from a newer version.
    """
    store = Path(store)
    if store.is_dir():
        raise StoreError(key="err.storage.folder", store=store.name)
    if not store.exists():
        raise StoreError(key="err.storage.missing", store=str(store))
    _tidy_when_idle(store)
    con = _open(store, read_only=True, shown=store.name)
    try:
        if _outdated(con, store.name):
            con.close()
            _migrate(store)
            con = _open(store, read_only=True, shown=store.name)
        yield con
    finally:
        con.close()


def write(
    store: str | Path, work: Callable[[duckdb.DuckDBPyConnection], T], *, compact: bool = False
) -> T:
    """Run ``work`` in one transaction on a copy of the store; replace the store on commit.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file (created with its folder when missing; migrated when older).
    work : callable
        Called with a connection inside ``BEGIN``; what it returns is returned. Anything it
        raises rolls everything back and leaves the store as it was.
    compact : bool, default False
        Write the result into a fresh file. DuckDB leaves deleted rows' bytes in the file
        until their blocks are reused; a write that deletes rows (a removal, an update) sets
        this so the removed data are gone from the file, not only from every query.

    Returns
    -------
    object
        What ``work`` returned.

    Raises
    ------
    StoreError
        The store cannot be written (a full disk, no permission); it is unchanged.

    See Also
    --------
    connect : Read the store.
    """
    store = Path(store)
    if store.is_dir():
        raise StoreError(key="err.storage.folder", store=store.name)
    with _locked(store):
        if store.exists() and _needs_work(store):
            _write_copy(store, _bring_up_to_date, migrating=True)
        return _write_copy(store, work, migrating=False, compact=compact)


def _write_copy(
    store: Path,
    work: Callable[[duckdb.DuckDBPyConnection], T],
    migrating: bool,
    compact: bool = False,
) -> T:
    temp = _temp_beside(store)
    fresh = _temp_beside(store) if compact else None
    try:
        _copy_or_fresh(store, temp)
        result = _transaction(temp, work, migrating, store.name)
        if fresh is not None:
            _copy_database(temp, fresh)
        _replace(fresh or temp, store)
        return result
    except (OSError, duckdb.IOException) as exc:
        raise StoreError(
            key="err.storage.not_written", store=store.name, reason=_reason(exc)
        ) from None
    finally:
        for path in (temp, fresh):
            if path is not None:
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".wal").unlink(missing_ok=True)


def _temp_beside(store: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{store.name}.", suffix=".tmp", dir=store.parent)
    os.close(handle)
    return Path(name)


def _copy_database(source: Path, target: Path) -> None:
    """Every table of ``source`` into a new file ``target``, without the deleted rows' bytes."""
    target.unlink()  # duckdb creates the file itself
    con = duckdb.connect()
    try:
        con.execute("ATTACH '" + str(source).replace("'", "''") + "' AS old (READ_ONLY)")
        con.execute("ATTACH '" + str(target).replace("'", "''") + "' AS new")
        con.execute("COPY FROM DATABASE old TO new")
        con.execute("DETACH new")
    finally:
        con.close()


def _copy_or_fresh(store: Path, temp: Path) -> None:
    if store.exists():
        shutil.copyfile(store, temp)
    else:
        temp.unlink()  # duckdb creates the file itself


def _transaction(
    temp: Path, work: Callable[[duckdb.DuckDBPyConnection], T], migrating: bool, shown: str
) -> T:
    con = _open(temp, read_only=False, shown=shown)
    try:
        con.execute("BEGIN TRANSACTION")
        if not migrating:
            _create_schema(con)
        result = work(con)
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        return result
    finally:
        con.close()


def _replace(temp: Path, store: Path) -> None:
    """Put the written copy in the store's place; the rename survives a power cut."""
    with temp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(temp, store)
    folder = os.open(store.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
