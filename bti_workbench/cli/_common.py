"""What every command group of the ``bti`` command line shares: errors, options, progress."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import pandas as pd
import typer

from bti_workbench._util import periods
from bti_workbench.ingest.store import DEFAULT_STORE

__all__ = [
    "DEFAULT_STORE",
    "STORE_HELP",
    "Lang",
    "fail",
    "parse_period",
    "plural",
    "problem_count",
    "progress",
    "tell",
]

#: Help text of every ``--store`` option.
STORE_HELP = "The store (DuckDB file)."

#: The ``--lang`` option: labels in Norwegian Bokmål (``nb``) or English (``en``).
Lang = Annotated[str, typer.Option(help="nb or en.")]


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
    return typer.progressbar(length=length, label=text, file=sys.stderr, show_pos=True)


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
