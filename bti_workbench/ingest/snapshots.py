"""A later export replacing the earlier one: rows matched under the contract's unique key.

A log tool's monthly export holds every earlier row again. Imported as an update, it replaces
what the store holds for its kind and municipalities: a row with the same key and the same
fields is kept once, a row with the same key and other fields is updated, a new key is added,
and a key the export no longer holds has *disappeared*: it is counted and kept, or removed
when pruning. These functions work on an open transaction (see
:func:`bti_workbench.ingest.storage.write`); the incoming rows are a registered view named
``incoming`` with the table's columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from bti_workbench._util.resources import contracts_spec

__all__ = ["SnapshotCounts", "merge_snapshot", "overlapping_rows", "unique_key"]


@dataclass(frozen=True)
class SnapshotCounts:
    """What an update did to the rows of its kind and municipalities.

    Attributes
    ----------
    added, updated, unchanged : int
        Rows of the export: new keys, known keys with other fields, known rows.
    disappeared : int
        Rows the store held that the export no longer holds.
    pruned : int
        Of those, the rows removed (all of them when pruning, else 0).
    superseded : tuple of int
        The imports whose rows the export replaced (in part or whole).
    """

    added: int
    updated: int
    unchanged: int
    disappeared: int
    pruned: int
    superseded: tuple[int, ...]


def unique_key(key: str) -> list[str]:
    """The columns that identify a row of a kind in the store: the contract's, and the place.

    Parameters
    ----------
    key : str
        The contract's key (``event_log``).

    Returns
    -------
    list of str
        The contract's ``unique`` columns, then ``municipality`` if not among them.

    Examples
    --------
    >>> unique_key("report_form_1")
    ['unit', 'report_date', 'municipality']
    """
    unique = [*contracts_spec()[key]["unique"]]
    return unique if "municipality" in unique else [*unique, "municipality"]


def _same(columns: list[str], left: str = "i", right: str = "s") -> str:
    return " AND ".join(f'{left}."{c}" IS NOT DISTINCT FROM {right}."{c}"' for c in columns)


def overlapping_rows(con: duckdb.DuckDBPyConnection, key: str) -> int:
    """Rows of ``incoming`` whose key the store already holds (any import).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Inside the import's transaction, with ``incoming`` registered.
    key : str
        The contract's key.

    Returns
    -------
    int
        How many.
    """
    on = _same(unique_key(key))
    return con.execute(
        f"SELECT count(*) FROM incoming i WHERE EXISTS (SELECT 1 FROM {key} s WHERE {on})"
    ).fetchone()[0]


def _scope(places: list[str]) -> tuple[str, list[str]]:
    return f"s.municipality IN ({', '.join('?' * len(places))})", list(places)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> int:
    return int(con.execute(sql, params).fetchone()[0])


def _counts(
    con: duckdb.DuckDBPyConnection, key: str, places: list[str], columns: list[str]
) -> tuple[int, int, int, int]:
    scope, params = _scope(places)
    by_key, by_row = _same(unique_key(key)), _same(columns)
    matched = _count(
        con,
        f"SELECT count(*) FROM incoming i WHERE EXISTS "
        f"(SELECT 1 FROM {key} s WHERE {scope} AND {by_key})",
        params,
    )
    unchanged = _count(
        con,
        f"SELECT count(*) FROM incoming i WHERE EXISTS "
        f"(SELECT 1 FROM {key} s WHERE {scope} AND {by_row})",
        params,
    )
    total = _count(con, "SELECT count(*) FROM incoming", [])
    disappeared = _count(
        con,
        f"SELECT count(*) FROM {key} s WHERE {scope} AND NOT EXISTS "
        f"(SELECT 1 FROM incoming i WHERE {by_key})",
        params,
    )
    return total - matched, matched - unchanged, unchanged, disappeared


def merge_snapshot(
    con: duckdb.DuckDBPyConnection,
    key: str,
    places: list[str],
    import_id: int,
    *,
    prune: bool = False,
) -> SnapshotCounts:
    """Replace the store's rows of a kind and its municipalities with the ``incoming`` export.

    Every row of the export ends up in the store once, under ``import_id``; rows the export no
    longer holds keep their import (or go, when ``prune``).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Inside the import's transaction, with ``incoming`` registered (the table's columns,
        ``import_id`` set).
    key : str
        The contract's key.
    places : list of str
        The municipalities the export covers: only their rows are compared and replaced.
    import_id : int
        The update's import.
    prune : bool, default False
        Remove the rows that disappeared.

    Returns
    -------
    SnapshotCounts
        Added, updated, unchanged, disappeared and pruned rows, and the imports superseded.

    See Also
    --------
    overlapping_rows : What a plain import refuses.
    """
    columns = [c[0] for c in con.execute("DESCRIBE incoming").fetchall() if c[0] != "import_id"]
    added, updated, unchanged, disappeared = _counts(con, key, places, columns)
    scope, params = _scope(places)
    superseded = tuple(
        int(r[0])
        for r in con.execute(
            f"SELECT DISTINCT import_id FROM {key} s WHERE {scope} ORDER BY 1", params
        ).fetchall()
    )
    if prune:
        con.execute(f"DELETE FROM {key} s WHERE {scope}", params)
    else:
        con.execute(
            f"DELETE FROM {key} s WHERE {scope} AND EXISTS "
            f"(SELECT 1 FROM incoming i WHERE {_same(unique_key(key))})",
            params,
        )
    listed = ", ".join(f'"{c}"' for c in [*columns, "import_id"])
    con.execute(f"INSERT INTO {key} ({listed}) SELECT {listed} FROM incoming")
    return SnapshotCounts(
        added=added,
        updated=updated,
        unchanged=unchanged,
        disappeared=disappeared,
        pruned=disappeared if prune else 0,
        superseded=tuple(i for i in superseded if i != import_id),
    )
