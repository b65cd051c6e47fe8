"""Text as Norwegian users have it: decoding files, normalising names."""

from __future__ import annotations

import re
import unicodedata

from bti_workbench.errors import TextDecodeError

__all__: list[str] = []


def decode_text(raw: bytes) -> str:
    """Decode with a BOM if there is one, else UTF-8, else Windows-1252 (a superset of the
    printable ISO-8859-1 that SSB and Excel write)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TextDecodeError(raw[: exc.start].count(b"\n") + 1) from exc


def normalise_name(name: object) -> str:
    """Lower case, æ→ae, ø→o, å→aa, é→e, anything else but letters and digits → ``_``."""
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    for src, dst in (("æ", "ae"), ("ø", "o"), ("å", "aa"), ("é", "e")):
        text = text.replace(src, dst)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")
