"""Messages from a report run made safe to print: nothing that looks like an identifier.

A failing cell's message may quote the data it failed on. Before it is printed,
:func:`safe_message` removes what could identify someone (a fødselsnummer or D-number, any
run of eight or more digits such as a phone number, an e-mail address, a pseudonym-like mix of
letters and digits) and cuts the message to a readable length. A message that still holds a
fødselsnummer after that is replaced as a whole.
"""

from __future__ import annotations

import re

from bti_workbench.privacy import has_fodselsnummer

__all__ = ["MAX_MESSAGE", "REMOVED", "failure_message", "safe_message"]

#: What takes the place of a removed part.
REMOVED = "[…]"
#: A printed message is cut to this many characters.
MAX_MESSAGE = 300

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Eight or more digits, optionally grouped by single spaces: 01010750160, 010107 50160,
# +47 912 34 567. Dates (2018-09-01) and kommunenummer (4228) stay.
_DIGITS = re.compile(r"\+?\d(?:[ \u00a0\u202f]?\d){7,}")
# A word of five or more letters and digits with at least one of each, like a pseudonym
# (C14e0a1, Add9732); a lowercase word with a short number (float64, sha256) stays.
_MIXED = re.compile(r"\b(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{5,}\b")
_WORD_NUMBER = re.compile(r"[a-z]+\d{1,3}")
_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def safe_message(text: object, *, limit: int = MAX_MESSAGE) -> str:
    """A message without anything that looks like an identifier, on one line, cut short.

    Parameters
    ----------
    text : object
        The message (an exception's, or any text).
    limit : int, default MAX_MESSAGE
        At most this many characters are kept; a cut message ends with ``…``.

    Returns
    -------
    str
        The message with identifier-like parts replaced by :data:`REMOVED`.

    Examples
    --------
    >>> safe_message("no row for 01010750160 (case C14e0a1) in float64 column, 2018-09-01")
    'no row for […] (case […]) in float64 column, 2018-09-01'
    >>> safe_message("write to kari@example.no or call +47 912 34 567")
    'write to […] or call […]'
    >>> len(safe_message("x" * 1000))
    300
    """
    flat = _CONTROL.sub("", str(text))
    flat = "; ".join(line.strip() for line in flat.splitlines() if line.strip())
    flat = _EMAIL.sub(REMOVED, flat)
    flat = _DIGITS.sub(REMOVED, flat)
    flat = _MIXED.sub(lambda m: m[0] if _WORD_NUMBER.fullmatch(m[0]) else REMOVED, flat)
    if has_fodselsnummer(flat):  # written in a way the patterns above do not catch
        flat = REMOVED
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def failure_message(cell: object, kind: str, message: object, lang: str = "en") -> str:
    """The line that says where a report failed and why, safe to print.

    Parameters
    ----------
    cell : object
        The failing cell's execution count.
    kind : str
        The exception's name (``ValueError``).
    message : object
        The exception's message; passed through :func:`safe_message`. It is the program's
        own text (English), quoted after the catalogue's words.
    lang : str, default "en"
        The language of the words around it.

    Returns
    -------
    str
        For example ``the report failed in cell 14 (ValueError): max() arg is an empty sequence``.

    Examples
    --------
    >>> failure_message(14, "KeyError", "'C14e0a1'")
    "the report failed in cell 14 (KeyError): '[…]'"
    """
    from bti_workbench.reference.labels import label

    shown = safe_message(message)
    where = label("rep.failed_in_cell", lang, cell=cell, kind=safe_message(kind, limit=60))
    return f"{where}: {shown}" if shown else where
