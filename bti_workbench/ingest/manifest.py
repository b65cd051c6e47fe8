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
from bti_workbench.errors import StoreError
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


def check_kommunenummer(value: object, where: str) -> str:
    """A four-digit kommunenummer, or an error naming ``where`` (never the value).

    Parameters
    ----------
    value : object
        As given (``"4228"``; a shorter number gains its leading zeros).
    where : str
        What to name in the error: a flag (``--municipality``) or a file and field.

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
        raise StoreError(f"{where} must be a four-digit kommunenummer (the value is not shown)")
    return text


def _load(path: Path) -> dict:
    shown = f"{path.parent.name}/{path.name}"
    try:
        raw = path.read_bytes()
    except OSError:
        raise StoreError(f"{shown}: cannot be read") from None
    if len(raw) > _MAX_BYTES:
        raise StoreError(f"{shown}: larger than a manifest can be (1 MiB)")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        line = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise StoreError(f"{shown}: not valid JSON in UTF-8{line}") from None
    if not isinstance(doc, dict):
        raise StoreError(f"{shown}: must be a JSON object with 'files'")
    return doc


def _files(doc: dict, folder: Path, shown: str) -> list[tuple[Path, str]]:
    entries = doc.get("files")
    if not isinstance(entries, dict) or not entries:
        raise StoreError(f"{shown}: 'files' must map file names to kinds")
    root = folder.resolve()
    out = []
    for number, (name, kind) in enumerate(entries.items(), start=1):
        if kind is None:
            continue  # a file the manifest lists without a contract (a README)
        if kind not in KINDS:
            raise StoreError(
                f"{shown}: files entry {number} has an unknown kind; use one of {', '.join(KINDS)}"
            )
        target = (folder / name).resolve()
        if not target.is_relative_to(root) or target == root:  # JSON keys are text
            raise StoreError(
                f"{shown}: files entry {number} points outside the folder; a manifest names "
                "only files inside its own folder"
            )
        out.append((folder / name, kind))
    return out


def _go_live(doc: dict, shown: str) -> dt.date | None:
    value = doc.get("go_live")
    if value in (None, ""):
        return None
    day = parse_day(value)
    if day is None:
        raise StoreError(f"{shown}: 'go_live' must be a date yyyy-mm-dd")
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
        raise StoreError(
            f"{folder.name}: a folder can be read only when it has a manifest.json "
            "(as `bti demo-data` writes); otherwise give the files and --kind"
        )
    doc = _load(path)
    place = doc.get("municipality")
    synthetic = doc.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise StoreError(f"{shown}: 'synthetic' must be true or false")
    return Manifest(
        folder=folder,
        files=_files(doc, folder, shown),
        municipality=None
        if place in (None, "")
        else check_kommunenummer(place, f"{shown}: 'municipality'"),
        go_live=_go_live(doc, shown),
        synthetic=synthetic,
    )
