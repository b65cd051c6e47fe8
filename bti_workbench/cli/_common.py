"""What every command group of the ``bti`` command line shares: errors, options, progress."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import pandas as pd
import typer

from bti_workbench._util import periods
from bti_workbench.ingest.store import DEFAULT_STORE
from bti_workbench.reference.municipality import as_kommunenummer

__all__ = [
    "DEFAULT_STORE",
    "STORE_HELP",
    "Lang",
    "check_options",
    "fail",
    "kommunenummer",
    "output_file",
    "output_folder",
    "parse_period",
    "plural",
    "problem_count",
    "progress",
    "tell",
]

#: Help text of every ``--store`` option.
STORE_HELP = "The store (DuckDB file)."


#: The ``--lang`` option: labels in Norwegian Bokmål (``nb``) or English (``en``).
def _language(value: str) -> str:
    """The ``--lang`` option checked against the catalogue's languages (exit 1 otherwise)."""
    from bti_workbench.reference.labels import LANGUAGES

    if value not in LANGUAGES:
        fail(f"error: --lang must be one of {', '.join(LANGUAGES)} (or set BTI_LANG)")
    return value


Lang = Annotated[
    str,
    typer.Option(
        help="nb or en (default: $BTI_LANG, else nb).", envvar="BTI_LANG", callback=_language
    ),
]


def fail(message: str) -> NoReturn:
    """Print ``message`` on stderr and leave the command with exit status 1.

    Parameters
    ----------
    message : str
        The whole line to print, usually starting ``error:``.

    Raises
    ------
    typer.Exit
        Always, with exit code 1.
    """
    typer.echo(message, err=True)
    raise typer.Exit(1)


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, with an ``s`` unless the count is one.

    Parameters
    ----------
    count : int
        How many.
    noun : str
        The singular noun.

    Returns
    -------
    str
        For example ``"1 file"`` or ``"3 files"``.

    Examples
    --------
    >>> plural(1, "problem"), plural(2, "problem")
    ('1 problem', '2 problems')
    """
    return f"{count} {noun}{'s' if count != 1 else ''}"


def problem_count(exc: Exception) -> int:
    """How many problems a contract or identifier error lists (one if it keeps no list).

    Parameters
    ----------
    exc : Exception
        A :class:`~bti_workbench.ingest.readers.ContractError`, an
        :class:`~bti_workbench.errors.IdentifierError` or another error.

    Returns
    -------
    int
        The length of ``exc.problems``, or 1.
    """
    problems = getattr(exc, "problems", None)
    return len(problems) if problems else 1


def tell(lines: list[str]) -> None:
    """Print notices for the user on stderr, one per line (nothing when there are none).

    Parameters
    ----------
    lines : list of str
        Sentences already in the user's language.
    """
    for line in lines:
        typer.echo(line, err=True)


def progress(length: int, text: str):
    """A progress bar on stderr for long runs (hidden when stderr is not a terminal).

    Parameters
    ----------
    length : int
        The number of steps the bar counts to.
    text : str
        The label in front of the bar.

    Returns
    -------
    contextlib.AbstractContextManager
        Typer's progress bar; call ``update(steps)`` on it.
    """
    if not sys.stderr.isatty():  # click would still print the label once: a stray word
        return contextlib.nullcontext(_Silent())
    return typer.progressbar(length=length, label=text, file=sys.stderr, show_pos=True)


class _Silent:
    """A progress bar that shows nothing (stderr is a file or a pipe)."""

    def update(self, steps: int) -> None:
        """Count nothing."""


def parse_period(text: str | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The ``--period FIRST..LAST`` option as two days; a usage error ends the command.

    Parameters
    ----------
    text : str or None
        The option's value, e.g. ``2018-01-01..2018-06-30``; empty or None for no period.

    Returns
    -------
    tuple of pandas.Timestamp, or None
        The first and the last day, or None when no period was given.

    See Also
    --------
    bti_workbench._util.periods.parse_period : The one period parser.
    """
    if not text:
        return None
    try:
        return periods.parse_period(text, name="--period")
    except ValueError as exc:
        fail(f"error: {exc}")


#: What ``--municipality`` accepts: one to four digits (``301`` is Oslo's ``0301``).


def kommunenummer(value: str | None, flag: str = "--municipality") -> str | None:
    """The ``--municipality`` option as a four-digit kommunenummer; anything else ends the
    command without repeating the value (an eleven-digit value may be a fødselsnummer).

    Parameters
    ----------
    value : str or None
        The option's value as given; None when the option was not given.
    flag : str
        The option's name in the message.

    Returns
    -------
    str or None
        Four digits, zero-padded (``"301"`` → ``"0301"``), or None for None.

    Examples
    --------
    >>> kommunenummer(" 4228"), kommunenummer("301"), kommunenummer(None)
    ('4228', '0301', None)
    """
    if value is None:
        return None
    code = as_kommunenummer(value)
    if code is None:
        fail(f"error: {flag} must be a four-digit kommunenummer")
    return code


def _kind(path: Path, flag: str) -> str | None:
    """``"folder"``, ``"file"`` or None (nothing there) for ``path``; a path that cannot be
    looked at ends the command."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        fail(f"error: {flag} {path.name}: cannot use this path ({exc.strerror})")
    return "folder" if stat.S_ISDIR(mode) else "file"


def _check_writable_folder(folder: Path, path: Path, flag: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"error: {flag} {path.name}: cannot write in the folder {folder.name or folder}")


def _check_parents(path: Path, flag: str, *, made: bool) -> None:
    """End the command when the nearest existing folder above ``path`` is a file, cannot be
    written, or (``made=False``) is not ``path``'s own folder."""
    for parent in path.absolute().parents:
        kind = _kind(parent, flag)
        if kind is None:
            if not made:
                fail(f"error: {flag} {path.name}: the folder {parent.name} does not exist")
            continue
        if kind == "file":
            fail(f"error: {flag} {path.name}: {parent.name} is a file, not a folder")
        _check_writable_folder(parent, path, flag)
        return


def output_file(
    path: Path, flag: str = "--out", *, beside: Sequence[Path] = (), made: bool = True
) -> None:
    """End the command unless ``path`` (and the files written ``beside`` it) can be written
    as files: none is a folder, and the folder above is a folder that can be written.

    Run it before any work, so that a wrong ``--out`` changes nothing. The message names the
    option and the file's name, and says what was expected.

    Parameters
    ----------
    path : pathlib.Path
        The file to write.
    flag : str
        The option that gave it.
    beside : sequence of pathlib.Path
        Other files the command writes with it (e.g. ``NAME.json`` beside ``NAME.parquet``).
    made : bool, default True
        Whether missing folders above ``path`` are made; with False the folder must exist.
    """
    for target in (path, *beside):
        if _kind(target, flag) == "folder":
            fail(f"error: {flag} {target.name}: is a folder; give the name of a file")
    _check_parents(path, flag, made=made)


def output_folder(path: Path, flag: str = "--out", *, files: Sequence[str] = ()) -> None:
    """End the command unless ``path`` can be used as a folder to write ``files`` into.

    Parameters
    ----------
    path : pathlib.Path
        The folder (made if missing).
    flag : str
        The option that gave it.
    files : sequence of str
        Names the command writes in the folder; ``NAME/`` for a folder inside it.
    """
    kind = _kind(path, flag)
    if kind == "file":
        fail(f"error: {flag} {path.name}: is a file; give a folder")
    if kind is None:
        _check_parents(path, flag, made=True)
    else:
        _check_writable_folder(path, path, flag)
    for name in files:
        inside = path / name.rstrip("/")
        expected = "folder" if name.endswith("/") else "file"
        found = _kind(inside, flag)
        if found is not None and found != expected:
            fail(
                f"error: {flag} {path.name}: {inside.name} inside it is a {found}, not a {expected}"
            )


def check_options(scenario: Path, names: Sequence[str], flag: str) -> None:
    """End the command when an option in ``names`` is not one the scenario can use.

    Only names of the scenario's own options and of the files in
    ``data/scenarios/options/`` are accepted (a name with a path in it never reads a
    file); an unknown name is repeated only when it looks like an option's id.

    Parameters
    ----------
    scenario : pathlib.Path
        The scenario file (its own ``options:`` count).
    names : sequence of str
        The options as given (``a+b`` combines, ``baseline`` is the scenario as it is).
    flag : str
        The option's name in the message: ``--option`` or ``--options``.
    """
    from bti_workbench.errors import ScenarioError
    from bti_workbench.simulation.scenario.document import check_options as check
    from bti_workbench.simulation.scenario.document import read_document

    try:
        check(names, read_document(scenario), flag)
    except ScenarioError as exc:
        fail(f"error: {exc}")
