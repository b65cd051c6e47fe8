"""The ``manifest.json`` of a data folder (as ``bti demo-data`` writes it), read as input.

A manifest is input like any file: its municipality must be a kommunenummer, its go-live a
date, its kinds known, and every file it names must lie inside its folder. A manifest that
breaks any of these is refused with its file named and the value never shown.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from bti_workbench._util.periods import parse_day
from bti_workbench.errors import StoreError, Text
from bti_workbench.ingest.contracts import KINDS
from bti_workbench.reference.municipality import as_kommunenummer

__all__ = ["Manifest", "check_kommunenummer", "read_manifest"]

_MAX_BYTES = 1 << 20


@dataclass(frozen=True)
class Manifest:
    """What a data folder's manifest says, checked.

    Attributes
    ----------
    folder : pathlib.Path
        The folder it describes.
    files : list of (pathlib.Path, str)
        Each file (inside ``folder``) with its kind as the CLI names it.
    municipality : str or None
        Kommunenummer for files without a municipality column.
    go_live : datetime.date or None
        The municipality's go-live date.
    synthetic : bool
        True when the folder holds synthetic data.
    """

    folder: Path
    files: list[tuple[Path, str]] = field(default_factory=list)
    municipality: str | None = None
    go_live: dt.date | None = None
    synthetic: bool = False


def check_kommunenummer(value: object, where: str | Text) -> str:
    """A four-digit kommunenummer, or an error naming ``where`` (never the value).

    Parameters
    ----------
    value : object
        As given (``"4228"``; a shorter number gains its leading zeros).
    where : str or Text
        What to name in the error: a flag (``--municipality``) or a file and field (a
        :class:`~bti_workbench.errors.Text` when it holds words).

    Returns
    -------
    str
        Four digits.

    Raises
    ------
    StoreError
        Anything else, an identity number included; the value is not shown.

    Examples
    --------
    >>> check_kommunenummer("301", "--municipality")
    '0301'
    """
    text = as_kommunenummer(value)
    if text is None:
        raise StoreError(key="err.manifest.kommunenummer", where=where)
    return text


def _load(path: Path) -> dict:
    shown = f"{path.parent.name}/{path.name}"
    try:
        raw = path.read_bytes()
    except OSError:
        raise StoreError(key="err.manifest.unreadable", file=shown) from None
    if len(raw) > _MAX_BYTES:
        raise StoreError(key="err.manifest.too_large", file=shown)
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise StoreError(
                key="err.manifest.not_json_line", file=shown, line=str(exc.lineno)
            ) from None
        raise StoreError(key="err.manifest.not_json", file=shown) from None
    if not isinstance(doc, dict):
        raise StoreError(key="err.manifest.not_object", file=shown)
    return doc


def _files(doc: dict, folder: Path, shown: str) -> list[tuple[Path, str]]:
    entries = doc.get("files")
    if not isinstance(entries, dict) or not entries:
        raise StoreError(key="err.manifest.files", file=shown)
    root = folder.resolve()
    out = []
    for number, (name, kind) in enumerate(entries.items(), start=1):
        if kind is None:
            continue  # a file the manifest lists without a contract (a README)
        if kind not in KINDS:
            raise StoreError(
                key="err.manifest.unknown_kind", file=shown, number=number, kinds=", ".join(KINDS)
            )
        target = (folder / name).resolve()
        if not target.is_relative_to(root) or target == root:  # JSON keys are text
            raise StoreError(key="err.manifest.outside", file=shown, number=number)
        out.append((folder / name, kind))
    return out


def _go_live(doc: dict, shown: str) -> dt.date | None:
    value = doc.get("go_live")
    if value in (None, ""):
        return None
    day = parse_day(value)
    if day is None:
        raise StoreError(key="err.manifest.go_live", file=shown)
    return day.date()


def read_manifest(folder: str | Path) -> Manifest:
    """Read and check a data folder's ``manifest.json``.

    Parameters
    ----------
    folder : str or pathlib.Path
        A folder as ``bti demo-data`` writes it.

    Returns
    -------
    Manifest
        Its files (inside the folder), municipality, go-live and synthetic flag.

    Raises
    ------
    StoreError
        No manifest, not JSON, an unknown kind, a file outside the folder, a municipality that
        is not a kommunenummer, a go-live that is not a date. The value is never shown.

    See Also
    --------
    bti_workbench.ingest.store.import_files : Imports a folder through its manifest.
    """
    folder = Path(folder)
    path = folder / "manifest.json"
    shown = f"{folder.name}/manifest.json"
    if not path.is_file():
        raise StoreError(key="err.manifest.missing", folder=folder.name)
    doc = _load(path)
    place = doc.get("municipality")
    synthetic = doc.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise StoreError(key="err.manifest.synthetic", file=shown)
    return Manifest(
        folder=folder,
        files=_files(doc, folder, shown),
        municipality=None
        if place in (None, "")
        else check_kommunenummer(place, f"{shown}: 'municipality'"),
        go_live=_go_live(doc, shown),
        synthetic=synthetic,
    )
