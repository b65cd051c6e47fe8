"""The embedded store: validated imports into one DuckDB file, atomically, with an import log.

A store holds one table per contract kind (the contract's columns, plus ``municipality`` where
the contract has none and ``import_id``), the import log (file name, sha256, kind, rows, time,
and the lineage: which import an update superseded, which import was removed) and the go-live
date of each municipality. Files are validated with the contracts and the privacy guard before
the store is touched; each file is then written all or nothing
(:func:`bti_workbench.ingest.storage.write`). The same file (by content) is never imported
twice, and a later export that overlaps an earlier one is refused unless it is imported as an
update (:mod:`~bti_workbench.ingest.snapshots`). Raw files are only read.

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

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from bti_workbench._util.periods import parse_day, period_bounds
from bti_workbench._util.resources import contracts_spec
from bti_workbench.errors import Problem, StoreError, Text
from bti_workbench.ingest.contracts import KINDS, column_specs, contract_key, item_catalogue
from bti_workbench.ingest.manifest import check_kommunenummer, read_manifest
from bti_workbench.ingest.profiles import Profile
from bti_workbench.ingest.readers import read
from bti_workbench.ingest.snapshots import merge_snapshot, overlapping_rows, unique_key
from bti_workbench.ingest.storage import connect, write

__all__ = [
    "DEFAULT_STORE",
    "ImportRecord",
    "RemovalRecord",
    "SkippedFile",
    "StoreStatus",
    "go_live_dates",
    "import_files",
    "read_table",
    "remove_import",
    "store_history",
    "store_status",
    "store_version",
]

#: The default store, relative to the working directory.
DEFAULT_STORE = Path("data/store/bti.duckdb")

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
    """One file imported: what the import log says of it.

    ``action`` is ``import`` or ``update``. For an update, ``added``, ``updated``,
    ``unchanged``, ``disappeared`` and ``pruned`` count its rows and ``superseded`` names the
    imports it replaced; a plain import has ``added == rows``. ``warnings`` are the reader's
    free-text warnings (file, row, column; never a value), shown to the user and not stored.
    ``go_live`` is (the date before, the new one) when the import set or changed it.
    """

    import_id: int
    file_name: str
    sha256: str
    kind: str
    rows: int
    municipality: str | None
    imported_at: dt.datetime
    synthetic: bool
    action: str = "import"
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    disappeared: int = 0
    pruned: int = 0
    superseded: tuple[int, ...] = field(default_factory=tuple)
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    go_live: tuple[dt.date | None, dt.date] | None = None


@dataclass(frozen=True)
class SkippedFile:
    """A file not imported: its bytes are the store's current data, as import ``import_id``
    (of ``kind``, imported at ``imported_at`` from the file then named ``imported_as``)."""

    file_name: str
    import_id: int
    imported_as: str
    imported_at: dt.datetime
    kind: str


@dataclass(frozen=True)
class RemovalRecord:
    """An import removed: its id, kind, file, how many rows went with it, and the imports it
    had superseded (an update's removal does not bring their rows back)."""

    import_id: int
    kind: str
    file_name: str
    rows: int
    removed_at: dt.datetime
    superseded: tuple[int, ...] = ()


@dataclass(frozen=True)
class StoreStatus:
    """What a store holds.

    Attributes
    ----------
    imports : pandas.DataFrame
        The import log, one row per file.
    tables : pandas.DataFrame
        Per kind: ``rows``, ``files``, ``municipalities``, ``first`` and ``last`` date, and
        ``mixed`` (true when synthetic and real files both hold rows of it).
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
        raise StoreError(key="err.store.unknown_kind", kind=kind, kinds=", ".join(KINDS)) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Job:
    """One file to import, with what its folder's manifest says (if it came from one)."""

    path: Path
    kind: str
    municipality: str | None = None
    go_live: dt.date | None = None
    synthetic: bool = False
    from_folder: bool = False


def _expand(paths: Iterable[str | Path], kind: str | None) -> list[_Job]:
    """Files to import with their kind; a folder with a manifest expands to its files."""
    jobs: list[_Job] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            manifest = read_manifest(entry)
            jobs += [
                _Job(path, k, manifest.municipality, manifest.go_live, manifest.synthetic, True)
                for path, k in manifest.files
                if kind is None or kind == k
            ]
            continue
        if not entry.is_file():
            raise StoreError(key="err.store.file_not_found", file=entry.name)
        file_kind = kind or _KIND_OF_STEM.get(entry.stem)
        if file_kind is None:
            raise StoreError(key="err.store.give_kind", file=entry.name, kinds=", ".join(KINDS))
        jobs.append(_Job(entry, file_kind))
    for job in jobs:
        _table(job.kind)
        if not job.path.is_file():
            raise StoreError(key="err.store.file_not_found", file=job.path.name)
    return jobs


def _imports_of(store: Path, sha: str) -> list[tuple]:
    """The import log's rows for a file's content: (id, name, time, kind, current)."""
    if not store.exists():
        return []
    with connect(store) as con:
        return con.execute(
            "SELECT import_id, file_name, imported_at, kind, "
            "removed_at IS NULL AND superseded_by IS NULL FROM import_log WHERE sha256 = ?",
            [sha],
        ).fetchall()


def _current_copy(
    imports: list[tuple], path: Path, update: bool, from_folder: bool, skip: bool
) -> SkippedFile | None:
    """The earlier import when the file is already the store's current data (skip it);
    None when it is not; a repeat that is neither skipped nor an update is refused."""
    current = [row for row in imports if row[4]]
    if not current:
        return None
    import_id, name, when, kind, _ = current[0]
    if update or from_folder or skip:  # the same export again, or a folder finished before
        return SkippedFile(path.name, int(import_id), name, when, kind)
    when = f"{when:%Y-%m-%d %H:%M}"
    raise StoreError(key="err.store.already_imported", file=path.name, name=name, when=when)


def _place(frame: pd.DataFrame, given: str | None, path: Path, kind: str) -> tuple[str, list[str]]:
    """The municipality recorded for the file, and every municipality its rows cover."""
    if "municipality" in frame.columns:
        found = sorted(str(m) for m in frame["municipality"].dropna().unique())
        for number, place in enumerate(found, start=1):
            where = {"file": path.name, "number": number}
            check_kommunenummer(place, Text("err.where.municipality_value", where))
        return (found[0] if len(found) == 1 else given or ""), found
    if not given:
        raise StoreError(key="err.store.no_municipality", file=path.name, kind=kind)
    return given, [given]


# ---- writing ------------------------------------------------------------------------------


def _log_import(con: duckdb.DuckDBPyConnection, record: dict) -> int:
    import_id = con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM import_log").fetchone()[0]
    con.execute(
        "INSERT INTO import_log (import_id, file_name, sha256, kind, rows, municipality, "
        "imported_at, synthetic, action) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            import_id,
            *(
                record[k]
                for k in (
                    "file_name",
                    "sha256",
                    "kind",
                    "rows",
                    "municipality",
                    "imported_at",
                    "synthetic",
                    "action",
                )
            ),
        ],
    )
    return int(import_id)


def _incoming(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, place: str, import_id: int):
    data = frame.copy()
    if "municipality" not in data.columns:
        data["municipality"] = place
    data["import_id"] = import_id
    con.register("incoming", data)


def _refuse_overlap(con: duckdb.DuckDBPyConnection, key: str, name: str) -> None:
    """Refuse rows already in the store under the contract's unique key (a re-export)."""
    overlap = overlapping_rows(con, key)
    if overlap:
        columns = ", ".join(unique_key(key))
        raise StoreError(key="err.store.overlap", file=name, rows=int(overlap), columns=columns)


def _refuse_older_snapshot(
    con: duckdb.DuckDBPyConnection, key: str, places: list[str], name: str
) -> None:
    """Refuse to prune with an export that ends before what the store holds (an older one)."""
    time = _TIME_COLUMN.get(key)
    if time is None:
        return
    marks = ", ".join("?" * len(places))
    newest_stored, newest_incoming = con.execute(
        f'SELECT (SELECT max("{time}") FROM {key} WHERE municipality IN ({marks})), '
        f'(SELECT max("{time}") FROM incoming)',
        places,
    ).fetchone()
    if None not in (newest_stored, newest_incoming) and newest_incoming < newest_stored:
        raise StoreError(key="err.store.older_export", file=name, column=time)


def _write_file(
    store: Path,
    frame: pd.DataFrame,
    record: dict,
    places: list[str],
    go_live: dt.date | None,
    prune: bool,
) -> ImportRecord:
    """Write one validated file in one transaction: a plain import, or an update."""
    key = _table(record["kind"])

    def work(con: duckdb.DuckDBPyConnection) -> ImportRecord:
        current = con.execute(
            "SELECT count(*) FROM import_log WHERE sha256 = ? AND removed_at IS NULL "
            "AND superseded_by IS NULL",
            [record["sha256"]],
        ).fetchone()[0]
        if current and record["action"] == "import":
            raise StoreError(key="err.store.already_imported_now", file=record["file_name"])
        import_id = _log_import(con, record)
        _incoming(con, frame, record["municipality"], import_id)
        if record["action"] == "update":
            if prune:
                _refuse_older_snapshot(con, key, places, record["file_name"])
            counts = merge_snapshot(con, key, places, import_id, prune=prune)
            _record_update(con, import_id, counts)
            extra = {
                k: getattr(counts, k)
                for k in ("added", "updated", "unchanged", "disappeared", "pruned", "superseded")
            }
        else:
            _refuse_overlap(con, key, record["file_name"])
            columns = ", ".join(
                f'"{c}"' for c in con.execute("DESCRIBE incoming").df()["column_name"]
            )
            con.execute(f"INSERT INTO {key} ({columns}) SELECT {columns} FROM incoming")
            con.execute("UPDATE import_log SET added = rows WHERE import_id = ?", [import_id])
            extra = {"added": len(frame)}
        con.unregister("incoming")
        if go_live is not None and record["municipality"]:
            extra["go_live"] = _record_go_live(con, record["municipality"], go_live, import_id)
        warnings = tuple(frame.attrs.get("warnings", ()))
        return ImportRecord(import_id=import_id, **record, **extra, warnings=warnings)

    return write(store, work, compact=record["action"] == "update")


def _record_go_live(
    con: duckdb.DuckDBPyConnection, place: str, go_live: dt.date, import_id: int
) -> tuple[dt.date | None, dt.date] | None:
    """The go-live date, kept by the import that first gave it (a folder gives it per file).

    Returns (the date before, the new one) when it was set or changed, else None.
    """
    known = con.execute("SELECT go_live FROM go_live WHERE municipality = ?", [place]).fetchone()
    if known is not None and known[0] == go_live:
        return None
    con.execute("INSERT OR REPLACE INTO go_live VALUES (?, ?, ?)", [place, go_live, import_id])
    return (None if known is None else known[0]), go_live


def _record_update(con: duckdb.DuckDBPyConnection, import_id: int, counts) -> None:
    con.execute(
        "UPDATE import_log SET added = ?, updated = ?, unchanged = ?, disappeared = ?, "
        "pruned = ? WHERE import_id = ?",
        [
            counts.added,
            counts.updated,
            counts.unchanged,
            counts.disappeared,
            counts.pruned,
            import_id,
        ],
    )
    for old in counts.superseded:
        con.execute(
            "UPDATE import_log SET superseded_by = ? WHERE import_id = ? AND removed_at IS NULL "
            "AND superseded_by IS NULL",
            [import_id, old],
        )


def import_files(
    store: str | Path,
    paths: Sequence[str | Path],
    kind: str | None = None,
    municipality: str | None = None,
    go_live: str | dt.date | None = None,
    on_imported: Callable[[ImportRecord], None] | None = None,
    *,
    on_skipped: Callable[[SkippedFile], None] | None = None,
    skip_imported: bool = False,
    update: bool = False,
    prune: bool = False,
    profile: Profile | str | Path | None = None,
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
    on_skipped : callable, optional
        Called with a :class:`SkippedFile` when a file is skipped because its content is the
        store's current data: a demo folder's, an ``update``'s, or any with ``skip_imported``.
    skip_imported : bool, default False
        Skip such a file, as a folder's, instead of refusing it with :class:`StoreError` (so
        the command line treats a file and a folder given twice alike).
    update : bool, default False
        Each file is a later export of its kind: it replaces what the store holds for its kind
        and municipalities (rows kept once, changed rows updated, new rows added; rows the
        export no longer holds are counted and kept). The same file again changes nothing.
    prune : bool, default False
        With ``update``: remove the rows the export no longer holds.
    profile : Profile or path, optional
        A mapping profile for a tool's own export (its headers, codes, dates and decimal
        mark); see :func:`bti_workbench.ingest.profiles.load_profile`.

    Returns
    -------
    list of ImportRecord
        One per file written, in order (a file that is already the current data is skipped).

    Raises
    ------
    bti_workbench.errors.ContractError, bti_workbench.errors.IdentifierError
        A file breaks its contract or holds identifiers; nothing of it is written.
    StoreError
        A file already in the store (by content), rows already in the store under the
        contract's unique key without ``update``, a municipality missing or not a
        kommunenummer, a manifest that breaks its rules, or a store that cannot be written.
        Files before it in ``paths`` stay imported; nothing of it or after it is written.
        Files of a demo folder already imported are skipped, so a folder whose import stopped
        part-way can be imported again to finish it.

    See Also
    --------
    bti_workbench.ingest.readers.read : Validates each file first.
    remove_import : Take an import out again.
    store_history : The lineage of every import.
    """
    store = Path(store)
    if prune and not update:
        raise StoreError(key="err.store.prune_without_update")
    given = (
        None if municipality in (None, "") else check_kommunenummer(municipality, "--municipality")
    )
    go_live_date = _go_live_date(go_live)
    records: list[ImportRecord] = []
    for job in _expand(paths, kind):
        sha = _sha256(job.path)
        found = _imports_of(store, sha)
        skipped = _current_copy(found, job.path, update, job.from_folder, skip_imported)
        if skipped is not None:
            if on_skipped is not None:
                on_skipped(skipped)
            continue
        frame = read(job.path, job.kind, profile=profile)
        place, places = _place(frame, given or job.municipality, job.path, job.kind)
        record = {
            "file_name": job.path.name,
            "sha256": sha,
            "kind": job.kind,
            "rows": len(frame),
            "municipality": place or None,
            "imported_at": dt.datetime.now().replace(microsecond=0),
            "synthetic": bool(frame.attrs.get("synthetic") or job.synthetic),
            "action": "update" if update else "import",
        }
        records.append(
            _write_file(store, frame, record, places, go_live_date or job.go_live, prune)
        )
        if on_imported is not None:
            on_imported(records[-1])
    return records


def _go_live_date(go_live: str | dt.date | None) -> dt.date | None:
    """The go-live as a day: a date, or text ``yyyy-mm-dd`` / ``dd.mm.yyyy`` (never guessed)."""
    if go_live in (None, ""):
        return None
    if isinstance(go_live, dt.date):
        return go_live
    day = parse_day(go_live)
    if day is None:
        raise StoreError(key="err.store.go_live")
    return day.date()


def remove_import(store: str | Path, import_id: int) -> RemovalRecord:
    """Take an import's rows out of the store, atomically; the import log keeps the removal.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.
    import_id : int
        As ``bti store history`` lists it.

    Returns
    -------
    RemovalRecord
        What was removed.

    Raises
    ------
    StoreError
        No such import, or one removed before; the store is unchanged.

    See Also
    --------
    store_history : Every import with what became of it.
    import_files : With ``update``, a later export replaces an earlier one instead.
    """
    store = Path(store)
    with connect(store):
        pass  # the store exists, is a store, and is up to date

    def work(con: duckdb.DuckDBPyConnection) -> RemovalRecord:
        found = con.execute(
            "SELECT kind, file_name, removed_at FROM import_log WHERE import_id = ?", [import_id]
        ).fetchone()
        if found is None:
            raise StoreError(key="err.store.no_import", store=store.name, id=str(import_id))
        kind, file_name, removed = found
        if removed is not None:
            day, number = f"{removed:%Y-%m-%d}", str(import_id)
            raise StoreError(key="err.store.removed_before", store=store.name, id=number, day=day)
        key = _table(kind)
        rows = con.execute(f"SELECT count(*) FROM {key} WHERE import_id = ?", [import_id])
        count = int(rows.fetchone()[0])
        con.execute(f"DELETE FROM {key} WHERE import_id = ?", [import_id])
        con.execute("DELETE FROM go_live WHERE import_id = ?", [import_id])
        when = dt.datetime.now().replace(microsecond=0)
        con.execute(
            "UPDATE import_log SET removed_at = ?, removed_rows = ? WHERE import_id = ?",
            [when, count, import_id],
        )
        earlier = con.execute(
            "SELECT import_id FROM import_log WHERE superseded_by = ? ORDER BY 1", [import_id]
        ).fetchall()
        return RemovalRecord(
            int(import_id), kind, file_name, count, when, tuple(int(r[0]) for r in earlier)
        )

    return write(store, work, compact=True)


def store_history(store: str | Path) -> pd.DataFrame:
    """Every import in order, with what it did and what became of it.

    Parameters
    ----------
    store : str or pathlib.Path
        The DuckDB file.

    Returns
    -------
    pandas.DataFrame
        One row per import: ``import_id, imported_at, action, kind, municipality, file_name,
        sha256, rows, added, updated, unchanged, disappeared, pruned, synthetic, superseded_by,
        removed_at, removed_rows, held`` (``held``: the rows it holds in the store now).

    See Also
    --------
    remove_import : Take one out.
    store_status : What the store holds, by kind.
    """
    with connect(store) as con:
        log = con.execute("SELECT * FROM import_log ORDER BY import_id").df()
        held = pd.concat(
            [
                con.execute(f"SELECT import_id, count(*) AS held FROM {key} GROUP BY 1").df()
                for key in KINDS.values()
            ]
        )
    log = log.merge(held, on="import_id", how="left")
    log["held"] = log["held"].fillna(0).astype(int)
    columns = [
        "import_id",
        "imported_at",
        "action",
        "kind",
        "municipality",
        "file_name",
        "sha256",
        "rows",
        "added",
        "updated",
        "unchanged",
        "disappeared",
        "pruned",
        "synthetic",
        "superseded_by",
        "removed_at",
        "removed_rows",
        "held",
    ]
    return log[columns]


# ---- reading -------------------------------------------------------------------------------


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
    with connect(store) as con:
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
    with connect(store) as con:
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
    with connect(store) as con:
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
    with connect(store) as con:
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
            kinds_of_data = con.execute(
                f"SELECT count(DISTINCT l.synthetic) FROM {key} t "
                "JOIN import_log l USING (import_id)"
            ).fetchone()[0]
            rows.append(
                {
                    "kind": kind,
                    "rows": count,
                    "files": files,
                    "municipalities": places or "",
                    "first": first,
                    "last": last,
                    "mixed": kinds_of_data > 1,
                }
            )
        go_live = con.execute("SELECT municipality, go_live FROM go_live ORDER BY 1").df()
    tables = pd.DataFrame(rows).set_index("kind")
    series = pd.Series(
        pd.to_datetime(go_live["go_live"]).to_numpy(), index=go_live["municipality"], name="go_live"
    )
    return StoreStatus(imports=imports, tables=tables, go_live=series)
