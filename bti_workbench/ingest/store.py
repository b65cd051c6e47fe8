"""The embedded store: validated imports into one DuckDB file, atomically, with an import log.

A store holds one table per contract kind (the contract's columns, plus ``municipality`` where
the contract has none and ``import_id``), the import log (file name, sha256, kind, rows, time)
and the go-live date of each municipality. Files are validated with the contracts and the
privacy guard before the store is touched. Each file is then written in one transaction into a
copy of the store, which replaces the store only when that transaction has committed; so a file
that fails leaves the store byte for byte as it was, and a crash mid-import loses nothing. The
same file (by content) is never imported twice. Raw files are only read.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from bti_workbench.synthetic.demo import write_demo
>>> folder = Path(tempfile.mkdtemp())
>>> _ = write_demo(folder / "demo", "4228", seed=1)
>>> records = import_files(folder / "bti.duckdb", [folder / "demo"])
>>> [r.kind for r in records][:2]
['event-log', 'report-form-1']
>>> status = store_status(folder / "bti.duckdb")
>>> int(status.tables.loc["event-log", "rows"]) == records[0].rows
True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from bti_workbench._util.periods import period_bounds
from bti_workbench._util.resources import contracts_spec
from bti_workbench.errors import StoreError
from bti_workbench.ingest.contracts import KINDS, column_specs, contract_key, item_catalogue
from bti_workbench.ingest.readers import read

__all__ = [
    "DEFAULT_STORE",
    "ImportRecord",
    "StoreStatus",
    "go_live_dates",
    "import_files",
    "read_table",
    "store_status",
    "store_version",
]

#: The default store, relative to the working directory.
DEFAULT_STORE = Path("data/store/bti.duckdb")

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
# The column that places a row in time, for period filters.
_TIME_COLUMN = {
    "event_log": "event_time",
    "report_form_1": "report_date",
    "report_form_2": "period_start",
    "staff_survey": "date",
    "collaboration_survey": "date",
    "progress_plan": "deadline",
}
# A file named like a contract's key (``event_log.csv``, as the demo writes them) → its kind.
_KIND_OF_STEM = {key: kind for kind, key in KINDS.items()}


@dataclass(frozen=True)
class ImportRecord:
    """One file imported: what the import log says of it."""

    import_id: int
    file_name: str
    sha256: str
    kind: str
    rows: int
    municipality: str | None
    imported_at: dt.datetime
    synthetic: bool


@dataclass(frozen=True)
class StoreStatus:
    """What a store holds.

    Attributes
    ----------
    imports : pandas.DataFrame
        The import log, one row per file.
    tables : pandas.DataFrame
        Per kind: ``rows``, ``files``, ``municipalities``, ``first`` and ``last`` date.
    go_live : pandas.Series
        Municipality → go-live date.
    """

    imports: pd.DataFrame
    tables: pd.DataFrame
    go_live: pd.Series


def _table(kind: str) -> str:
    try:
        return contract_key(kind)
    except KeyError:
        raise StoreError(f"unknown kind '{kind}'; use one of {', '.join(KINDS)}") from None


def _columns(key: str) -> dict[str, str]:
    """Column → SQL type of a kind's table (contract columns, items, municipality, import)."""
    columns = {name: _SQL_TYPES[spec["type"]] for name, spec in column_specs(key).items()}
    if contracts_spec()[key].get("items"):
        columns.update(dict.fromkeys(item_catalogue().index, "BIGINT"))
    columns.setdefault("municipality", "VARCHAR")
    columns["import_id"] = "BIGINT"
    return columns


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS import_log (import_id BIGINT PRIMARY KEY, "
        "file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL UNIQUE, kind VARCHAR NOT NULL, "
        "rows BIGINT NOT NULL, municipality VARCHAR, imported_at TIMESTAMP NOT NULL, "
        "synthetic BOOLEAN NOT NULL)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS go_live (municipality VARCHAR PRIMARY KEY, "
        "go_live DATE NOT NULL, import_id BIGINT)"
    )
    for key in KINDS.values():
        columns = ", ".join(f'"{name}" {sql}' for name, sql in _columns(key).items())
        con.execute(f"CREATE TABLE IF NOT EXISTS {key} ({columns})")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _expand(paths: Iterable[str | Path], kind: str | None) -> list[tuple[Path, str, dict]]:
    """Files to import with their kind; a folder written by ``bti demo-data`` expands."""
    out: list[tuple[Path, str, dict]] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            manifest_path = entry / "manifest.json"
            if not manifest_path.exists():
                raise StoreError(
                    f"{entry.name}: a folder can be imported only when it has a manifest.json "
                    "(as `bti demo-data` writes); otherwise give the files and --kind"
                )
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            for name, file_kind in manifest.get("files", {}).items():
                if file_kind and (kind is None or kind == file_kind):
                    out.append((entry / name, file_kind, manifest))
            continue
        if not entry.exists():
            raise StoreError(f"{entry.name}: file not found")
        file_kind = kind or _KIND_OF_STEM.get(entry.stem)
        if file_kind is None:
            raise StoreError(f"{entry.name}: give --kind (one of {', '.join(KINDS)})")
        out.append((entry, file_kind, {}))
    return out


@contextlib.contextmanager
def _locked(store: Path) -> Iterator[None]:
    """One writer at a time: an exclusive lock on a file beside the store."""
    store.parent.mkdir(parents=True, exist_ok=True)
    with open(store.with_name(store.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # A writer killed between commit and rename leaves its copy behind: never used, removed.
        for stale in store.parent.glob(f".{store.name}.*.tmp*"):
            stale.unlink(missing_ok=True)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _known_hashes(store: Path) -> dict[str, tuple[str, dt.datetime]]:
    if not store.exists():
        return {}
    with duckdb.connect(str(store), read_only=True) as con:
        rows = con.execute("SELECT sha256, file_name, imported_at FROM import_log").fetchall()
    return {sha: (name, when) for sha, name, when in rows}


def _write_one(
    store: Path,
    frame: pd.DataFrame,
    key: str,
    record: dict,
    go_live: dt.date | None,
) -> int:
    """Write one validated file into a copy of the store; replace the store on commit."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{store.name}.", suffix=".tmp", dir=store.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        if store.exists():
            shutil.copyfile(store, temp)
        else:
            temp.unlink()  # duckdb creates the file itself
        con = duckdb.connect(str(temp))
        try:
            _create_schema(con)
            con.execute("BEGIN TRANSACTION")
            import_id = con.execute(
                "SELECT coalesce(max(import_id), 0) + 1 FROM import_log"
            ).fetchone()[0]
            con.execute(
                "INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    import_id,
                    record["file_name"],
                    record["sha256"],
                    record["kind"],
                    len(frame),
                    record["municipality"],
                    record["imported_at"],
                    record["synthetic"],
                ],
            )
            data = frame.copy()
            if "municipality" not in data.columns:
                data["municipality"] = record["municipality"]
            data["import_id"] = import_id
            con.register("incoming", data)
            _refuse_overlap(con, key, record)
            columns = ", ".join(f'"{c}"' for c in data.columns)
            con.execute(f"INSERT INTO {key} ({columns}) SELECT {columns} FROM incoming")
            con.unregister("incoming")
            if go_live is not None and record["municipality"]:
                con.execute(
                    "INSERT OR REPLACE INTO go_live VALUES (?, ?, ?)",
                    [record["municipality"], go_live, import_id],
                )
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        with temp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(temp, store)
        folder = os.open(store.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power cut
        finally:
            os.close(folder)
        return int(import_id)
    finally:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + ".wal").unlink(missing_ok=True)


def _refuse_overlap(con: duckdb.DuckDBPyConnection, key: str, record: dict) -> None:
    """Refuse rows already in the store under the contract's unique key (a re-export)."""
    unique = [*contracts_spec()[key]["unique"]]
    if "municipality" not in unique:
        unique.append("municipality")
    on = " AND ".join(f'i."{c}" IS NOT DISTINCT FROM s."{c}"' for c in unique)
    overlap = con.execute(
        f"SELECT count(*) FROM incoming i WHERE EXISTS (SELECT 1 FROM {key} s WHERE {on})"
    ).fetchone()[0]
    if overlap:
        raise StoreError(
            f"{record['file_name']}: {overlap} rows are already in the store (same "
            f"{', '.join(unique)}); is it a new export that overlaps an imported one? Export "
            "only the new period, or start a new store"
        )


def import_files(
    store: str | Path,
    paths: Sequence[str | Path],
    kind: str | None = None,
    municipality: str | None = None,
    go_live: str | dt.date | None = None,
    on_imported: Callable[[ImportRecord], None] | None = None,
) -> list[ImportRecord]:
    """Validate files and import each in one transaction; refuse files already imported.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file (created with its folder when missing).
    paths : sequence of paths
        Files (CSV, XLSX; YAML for the organisation) or folders written by ``bti demo-data``
        (their ``manifest.json`` gives kinds, municipality and go-live).
    kind : str, optional
        ``event-log``, ``report-form-1`` … for every file; needed unless a file is named like a
        kind (``event_log.csv``) or comes from a demo folder.
    municipality : str, optional
        Kommunenummer for files without a ``municipality`` column (event logs, progress plans,
        organisations). Files that have the column keep their own.
    go_live : str or datetime.date, optional
        The municipality's go-live date (BTI in use in all units), recorded for the
        evaluation's time series.
    on_imported : callable, optional
        Called with each record as soon as its file is in the store.

    Returns
    -------
    list of ImportRecord
        One per file, in order.

    Raises
    ------
    bti_workbench.errors.ContractError, bti_workbench.errors.IdentifierError
        A file breaks its contract or holds identifiers; nothing of it is written.
    StoreError
        A file already in the store (by content, or rows under the contract's unique key),
        or a municipality missing. Files before it in ``paths`` stay imported; nothing of it
        or after it is written. Files of a demo folder already imported are skipped, so a
        folder whose import stopped part-way can be imported again to finish it.

    See Also
    --------
    bti_workbench.ingest.readers.read : Validates each file first.
    read_table : The rows back, typed.
    store_status : What the store holds.
    """
    store = Path(store)
    go_live_date = None if go_live in (None, "") else pd.Timestamp(go_live).date()
    records: list[ImportRecord] = []
    with _locked(store):
        known = _known_hashes(store)
        for path, file_kind, manifest in _expand(paths, kind):
            key = _table(file_kind)
            sha = _sha256(path)
            if sha in known and manifest:
                continue  # a demo folder imported before (perhaps in part): finish it
            if sha in known:
                name, when = known[sha]
                raise StoreError(
                    f"{path.name}: already imported (as {name} on {when:%Y-%m-%d %H:%M}); "
                    "the store refuses the same file twice"
                )
            frame = read(path, file_kind)
            place = municipality or manifest.get("municipality")
            if "municipality" in frame.columns:
                found = sorted(frame["municipality"].dropna().unique())
                place = found[0] if len(found) == 1 else place
            elif not place:
                raise StoreError(
                    f"{path.name}: {file_kind} files carry no municipality; give --municipality"
                )
            record = {
                "file_name": path.name,
                "sha256": sha,
                "kind": file_kind,
                "municipality": place,
                "imported_at": dt.datetime.now().replace(microsecond=0),
                "synthetic": bool(frame.attrs.get("synthetic") or manifest.get("synthetic")),
            }
            file_go_live = go_live_date or (
                pd.Timestamp(manifest["go_live"]).date() if manifest.get("go_live") else None
            )
            import_id = _write_one(store, frame, key, record, file_go_live)
            known[sha] = (path.name, record["imported_at"])
            records.append(ImportRecord(import_id=import_id, rows=len(frame), **record))
            if on_imported is not None:
                on_imported(records[-1])
    return records


def _connect(store: str | Path) -> duckdb.DuckDBPyConnection:
    store = Path(store)
    if not store.exists():
        raise StoreError(f"{store}: no store here yet; import files with `bti import` first")
    return duckdb.connect(str(store), read_only=True)


def read_table(
    store: str | Path,
    kind: str,
    municipality: str | Iterable[str] | None = None,
    period: tuple[object, object] | None = None,
) -> pd.DataFrame:
    """Read a kind's rows from the store, typed as the contract loaders type them.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.
    kind : str
        ``event-log``, ``staff-survey`` …
    municipality : str or iterable of str, optional
        Keep these municipalities only.
    period : (start, end), optional
        Keep rows whose time (event time, report date, period start, survey date, deadline)
        lies between the two days, both included.

    Returns
    -------
    pandas.DataFrame
        The contract's columns (and ``municipality``), without ``import_id``.

    Raises
    ------
    StoreError
        For an unknown kind or a missing store.

    See Also
    --------
    import_files : How rows get into the store.
    go_live_dates : The go-live dates recorded with them.
    """
    key = _table(kind)
    where, params = [], []
    if municipality is not None:
        places = [municipality] if isinstance(municipality, str) else list(municipality)
        where.append(f"municipality IN ({', '.join('?' * len(places))})")
        params += places
    if period is not None and key in _TIME_COLUMN:
        start, stop = period_bounds(period)
        where.append(f'"{_TIME_COLUMN[key]}" >= ? AND "{_TIME_COLUMN[key]}" < ?')
        params += [start.to_pydatetime(), stop.to_pydatetime()]
    sql = f"SELECT * EXCLUDE (import_id) FROM {key}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    with _connect(store) as con:
        frame = con.execute(sql, params).df()
    return _typed(frame, key)


def _typed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    specs = column_specs(key)
    for name in frame.columns:
        kind = specs.get(name, {"type": "int" if name != "municipality" else "text"})["type"]
        if kind in ("date", "datetime"):
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
        elif kind == "int":
            frame[name] = frame[name].astype("Int64")
        elif kind == "float":
            frame[name] = frame[name].astype("Float64")
        elif kind == "bool":
            frame[name] = frame[name].astype("boolean")
        else:
            frame[name] = frame[name].astype("string")
    if contracts_spec()[key].get("items"):  # items nobody answered in this selection
        empty = [c for c in item_catalogue().index if c in frame and frame[c].isna().all()]
        frame = frame.drop(columns=empty)
    return frame


def go_live_dates(store: str | Path) -> pd.Series:
    """Municipality → go-live date recorded at import (empty when none was given).

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.

    Returns
    -------
    pandas.Series
        Go-live dates, indexed by municipality.

    See Also
    --------
    import_files : Records them (``go_live``).
    """
    with _connect(store) as con:
        frame = con.execute("SELECT municipality, go_live FROM go_live ORDER BY 1").df()
    return pd.Series(
        pd.to_datetime(frame["go_live"]).to_numpy(), index=frame["municipality"], name="go_live"
    )


def store_version(store: str | Path) -> tuple[int, int]:
    """What identifies the store's content now: its latest import and the file's last write.

    A cache keyed by this sees every import (and every other write, which replaces the file)
    without a restart, for the cost of one ``stat`` and one small query.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.

    Returns
    -------
    (int, int)
        The highest ``import_id`` of the import log (0 when empty) and the file's
        modification time in nanoseconds.

    See Also
    --------
    store_status : What the store holds.
    """
    modified = Path(store).stat().st_mtime_ns if Path(store).exists() else 0
    with _connect(store) as con:
        latest = con.execute("SELECT coalesce(max(import_id), 0) FROM import_log").fetchone()
    return int(latest[0]), int(modified)


def store_status(store: str | Path) -> StoreStatus:
    """What the store holds: the import log and, per kind, rows, files, municipalities, dates.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.

    Returns
    -------
    StoreStatus
        The import log, a summary per kind, and the go-live dates.

    See Also
    --------
    read_table : The rows of one kind.
    """
    with _connect(store) as con:
        imports = con.execute("SELECT * FROM import_log ORDER BY import_id").df()
        rows = []
        for kind, key in KINDS.items():
            time = _TIME_COLUMN.get(key)
            span = f'min("{time}"), max("{time}")' if time else "NULL, NULL"
            count, files, places, first, last = con.execute(
                f"SELECT count(*), count(DISTINCT import_id), "
                f"string_agg(DISTINCT municipality, ', ' ORDER BY municipality), {span} "
                f"FROM {key}"
            ).fetchone()
            rows.append(
                {
                    "kind": kind,
                    "rows": count,
                    "files": files,
                    "municipalities": places or "",
                    "first": first,
                    "last": last,
                }
            )
        go_live = con.execute("SELECT municipality, go_live FROM go_live ORDER BY 1").df()
    tables = pd.DataFrame(rows).set_index("kind")
    series = pd.Series(
        pd.to_datetime(go_live["go_live"]).to_numpy(), index=go_live["municipality"], name="go_live"
    )
    return StoreStatus(imports=imports, tables=tables, go_live=series)
