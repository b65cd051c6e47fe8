"""What every command group of the ``bti`` command line shares: errors, options, progress."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import pandas as pd
import typer

from bti_workbench._util import periods
from bti_workbench.errors import Text, os_reason
from bti_workbench.ingest.store import DEFAULT_STORE
from bti_workbench.privacy.identifiers import has_fodselsnummer
from bti_workbench.reference.municipality import as_kommunenummer

__all__ = [
    "DEFAULT_STORE",
    "STORE_HELP",
    "WIDTH",
    "Lang",
    "check_options",
    "error_text",
    "fail",
    "fail_with",
    "kommunenummer",
    "output_file",
    "output_folder",
    "parse_options",
    "parse_period",
    "plural",
    "problem_count",
    "progress",
    "tell",
    "wrap",
]

#: Help text of every ``--store`` option.
STORE_HELP = "The store (DuckDB file)."


#: The ``--lang`` option: labels in Norwegian Bokmål (``nb``) or English (``en``).
def _language(value: str) -> str:
    """The ``--lang`` option checked against the catalogue's languages (exit 1 otherwise)."""
    from bti_workbench.reference.labels import languages

    if value not in languages():
        fail(f"error: --lang must be one of {', '.join(languages())} (or set BTI_LANG)")
    return value


Lang = Annotated[
    str,
    typer.Option(
        help="nb or en (default: $BTI_LANG, else nb).", envvar="BTI_LANG", callback=_language
    ),
]


#: Every line the command line prints fits this many columns.
WIDTH = 100
#: The prefixes an error message may already carry; :func:`fail` writes the catalogue's.
_PREFIXES = ("error: ", "error:", "ERROR ", "feil: ")


def wrap(text: str, indent: str = "  ") -> str:
    """``text`` with each line longer than :data:`WIDTH` broken at spaces.

    A broken line's continuation is indented by its own leading spaces and ``indent``; words
    are never split (a very long path stays whole). Numbers keep their no-break spaces.

    Parameters
    ----------
    text : str
        One or more lines.
    indent : str, default "  "
        What a continuation line adds to the line's own indentation.

    Returns
    -------
    str

    Examples
    --------
    >>> print(wrap("word " * 30))  # doctest: +NORMALIZE_WHITESPACE
    word word word word word word word word word word word word word word word word word word
    word word word word word word word word word word word word
    """
    lines = []
    for line in text.splitlines() or [""]:
        if len(line) <= WIDTH:
            lines.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        lines.append(
            textwrap.fill(
                line.strip(" "),
                WIDTH,
                initial_indent=lead,
                subsequent_indent=lead + indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def error_text(message: str, lang: str | None = None) -> str:
    """``message`` as an error line: the catalogue's prefix (``feil:``/``error:``), wrapped.

    Parameters
    ----------
    message : str
        The message, with or without an ``error:`` prefix (it is replaced). Its first line
        follows the prefix; further lines (problems) keep their own indentation.
    lang : str, optional
        The message's language. None for a message not yet from the catalogue (English):
        the prefix then is English too, so a line never mixes languages.

    Returns
    -------
    str
    """
    from bti_workbench.reference.labels import label

    for prefix in _PREFIXES:
        if message.startswith(prefix):
            message = message[len(prefix) :]
            break
    return wrap(label("err.prefix", lang or "en", message=message.lstrip()))


def fail(message: str, lang: str | None = None) -> NoReturn:
    """Print ``message`` as an error on stderr and leave the command with exit status 1.

    Parameters
    ----------
    message : str
        The message; a leading ``error:`` is replaced by the catalogue's prefix in ``lang``
        (see :func:`error_text`).
    lang : str, optional
        The message's language (the command's ``--lang``); None for an English message.

    Raises
    ------
    typer.Exit
        Always, with exit code 1.
    """
    typer.echo(error_text(message, lang), err=True)
    raise typer.Exit(1)


def fail_with(exc: BaseException, lang: str) -> NoReturn:
    """End the command with a library error: in ``lang`` when the catalogue has its message
    (:func:`~bti_workbench.errors.explain`), else in English under the English prefix, so that
    a line never mixes languages.

    Parameters
    ----------
    exc : BaseException
        The error; its message never holds a value from the user's data.
    lang : str
        The command's ``--lang``.

    Raises
    ------
    typer.Exit
        Always, with exit code 1.
    """
    from bti_workbench.errors import explain

    text = explain(exc, lang)
    fail(text, lang if text != str(exc) else None)


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
        Sentences already in the user's language; each is wrapped to :data:`WIDTH`.
    """
    for line in lines:
        typer.echo(wrap(line), err=True)


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


def parse_period(
    text: str | None, *, lang: str | None = None, flag: str = "--period"
) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The ``--period FIRST..LAST`` option as two days; a usage error ends the command.

    The message names the option and what is wrong, in ``lang``; it repeats the value as
    typed unless the value holds what looks like a fødselsnummer.

    Parameters
    ----------
    text : str or None
        The option's value, e.g. ``2018-01-01..2018-06-30``; empty or None for no period.
    lang : str, optional
        The language of the message (the command's ``--lang``); None: English.
    flag : str, default "--period"
        The option's name in the message, as typed.

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
        return periods.parse_period(text, name=flag)
    except ValueError:
        shown = flag if has_fodselsnummer(text) else f"{flag} {text!r}"
        _refuse(_period_problem(text, shown), lang)


def _period_problem(text: str, shown: str) -> Text:
    """What :func:`~bti_workbench._util.periods.parse_period` refused in ``text``, as a
    catalogue text: no ``..``, a day missing or not a date, or the end before the start."""
    first, separator, last = text.partition("..")
    if not separator:
        return Text("err.period.no_separator", {"period": shown})
    for which, part in (("err.period.first", first), ("err.period.last", last)):
        fields = {"period": shown, "which": Text(which)}
        try:
            day = pd.Timestamp(part.strip()) if part.strip() else pd.NaT
        except (TypeError, ValueError):
            return Text("err.period.not_a_date", fields)
        if pd.isna(day):
            return Text("err.period.missing", fields)
    return Text("err.period.reversed", {"period": shown})


def _refuse(text: Text, lang: str | None) -> NoReturn:
    """End the command with a catalogue text in ``lang`` (None: English)."""
    fail(text.render(lang or "en"), lang)


def kommunenummer(
    value: str | None, flag: str = "--municipality", *, lang: str | None = None
) -> str | None:
    """The ``--municipality`` option as a four-digit kommunenummer; anything else ends the
    command without repeating the value (an eleven-digit value may be a fødselsnummer).

    Parameters
    ----------
    value : str or None
        The option's value as given; None when the option was not given.
    flag : str
        The option's name in the message.
    lang : str, optional
        The language of the message (the command's ``--lang``); None: English.

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
        _refuse(Text("err.manifest.kommunenummer", {"where": flag}), lang)
    return code


#: Why a path cannot be used, in the catalogue's words (others keep the system's English).


def _kind(path: Path, flag: str, lang: str | None = None) -> str | None:
    """``"folder"``, ``"file"`` or None (nothing there) for ``path``; a path that cannot be
    looked at ends the command."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        reason = os_reason(exc)
        fields = {"flag": flag, "name": path.name, "reason": reason}
        _refuse(Text("err.cli.path_unusable", fields), lang)
    return "folder" if stat.S_ISDIR(mode) else "file"


def _check_writable_folder(folder: Path, path: Path, flag: str, lang: str | None = None) -> None:
    """End the command when ``folder`` (where ``path`` goes) cannot be written."""
    if not os.access(folder, os.W_OK | os.X_OK):
        fields = {"flag": flag, "name": path.name, "folder": folder.name or str(folder)}
        _refuse(Text("err.cli.folder_not_writable", fields), lang)


def _check_parents(path: Path, flag: str, *, made: bool, lang: str | None = None) -> None:
    """End the command when the nearest existing folder above ``path`` is a file, cannot be
    written, or (``made=False``) is not ``path``'s own folder."""
    for parent in path.absolute().parents:
        kind = _kind(parent, flag, lang)
        if kind is None:
            if not made:
                fields = {"flag": flag, "name": path.name, "folder": parent.name}
                _refuse(Text("err.cli.no_folder", fields), lang)
            continue
        if kind == "file":
            fields = {"flag": flag, "name": path.name, "parent": parent.name}
            _refuse(Text("err.cli.parent_is_file", fields), lang)
        _check_writable_folder(parent, path, flag, lang)
        return


def output_file(
    path: Path,
    flag: str = "--out",
    *,
    beside: Sequence[Path] = (),
    made: bool = True,
    lang: str | None = None,
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
    lang : str, optional
        The language of the message (the command's ``--lang``); None: English.
    """
    for target in (path, *beside):
        if _kind(target, flag, lang) == "folder":
            _refuse(Text("err.cli.is_folder", {"flag": flag, "name": target.name}), lang)
    _check_parents(path, flag, made=made, lang=lang)


def output_folder(
    path: Path, flag: str = "--out", *, files: Sequence[str] = (), lang: str | None = None
) -> None:
    """End the command unless ``path`` can be used as a folder to write ``files`` into.

    Parameters
    ----------
    path : pathlib.Path
        The folder (made if missing).
    flag : str
        The option that gave it.
    files : sequence of str
        Names the command writes in the folder; ``NAME/`` for a folder inside it.
    lang : str, optional
        The language of the message (the command's ``--lang``); None: English.
    """
    kind = _kind(path, flag, lang)
    if kind == "file":
        _refuse(Text("err.cli.is_file", {"flag": flag, "name": path.name}), lang)
    if kind is None:
        _check_parents(path, flag, made=True, lang=lang)
    else:
        _check_writable_folder(path, path, flag, lang)
    for name in files:
        inside = path / name.rstrip("/")
        expected = "folder" if name.endswith("/") else "file"
        found = _kind(inside, flag, lang)
        if found is not None and found != expected:
            fields = {
                "flag": flag,
                "name": path.name,
                "inside": inside.name,
                "found": Text(f"err.cli.a_{found}"),
                "expected": Text(f"err.cli.a_{expected}"),
            }
            _refuse(Text("err.cli.inside", fields), lang)


def check_options(
    scenario: Path, names: Sequence[str], flag: str, *, lang: str | None = None
) -> None:
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
        The option's name in the message, as typed: ``--option``.
    lang : str, optional
        The language of the message; None: English.
    """
    from bti_workbench.errors import ScenarioError
    from bti_workbench.simulation.scenario.document import check_options as check
    from bti_workbench.simulation.scenario.document import read_document

    try:
        check(names, read_document(scenario), flag)
    except ScenarioError as exc:
        fail_with(exc, lang)


#: Joins the options in one ``--option`` value that are compared or run side by side.
_LIST_SEPARATOR = ","


def parse_options(
    values: Sequence[str] | None,
    scenario: Path | None = None,
    *,
    lang: str = "nb",
    flag: str = "--option",
) -> list[str]:
    """The ``--option/-o`` values of a command as option names, each checked; a wrong one
    ends the command (exit 1) with a message that names ``flag`` and the known options.

    The one reading of ``--option`` for ``simulate``, ``compare`` and ``sweep``: the option is
    repeatable, each value may be a comma list, and ``a+b`` is one name that applies ``a``
    and then ``b`` (a combination, compared as one option). Spaces around names are dropped,
    and a name given twice counts once.

    Parameters
    ----------
    values : sequence of str or None
        The option's values as typed (``["a", "b,c", "a+d"]``); None when it was not given.
    scenario : pathlib.Path, optional
        The scenario or template; when given, every part of every name must be one of its
        options (:func:`check_options`).
    lang : str, default "nb"
        The language of the messages.
    flag : str, default "--option"
        The option's name in the messages.

    Returns
    -------
    list of str
        The names in the order given, each once: option ids, ``a+b`` combinations, or
        ``"baseline"`` (the scenario as it is). Empty when nothing was given.

    See Also
    --------
    bti_workbench.simulation.scenario.document.option_parts : The parts of ``a+b``.
    check_options : The check against the scenario's options.

    Examples
    --------
    >>> parse_options(["no_bti", "trial_cap_one_log, no_bti+intermunicipal_team", "no_bti"])
    ['no_bti', 'trial_cap_one_log', 'no_bti+intermunicipal_team']
    >>> parse_options(None)
    []
    """
    from bti_workbench.simulation.scenario.document import BASELINE, OPTION_SEPARATOR

    names = []
    for value in values or ():
        pieces = [piece.strip() for piece in value.split(_LIST_SEPARATOR)]
        if not any(pieces):
            _refuse_options("cli.opt.empty", scenario, lang, flag)
        for piece in filter(None, pieces):
            parts = [part.strip() for part in piece.split(OPTION_SEPARATOR)]
            if not all(parts):
                _refuse_options("cli.opt.combination", scenario, lang, flag)
            if len(parts) > 1 and BASELINE in parts:
                _refuse_options("cli.opt.baseline", scenario, lang, flag)
            if len(set(parts)) != len(parts):
                _refuse_options("cli.opt.twice", scenario, lang, flag)
            names.append(OPTION_SEPARATOR.join(parts))
    names = list(dict.fromkeys(names))
    if scenario is not None:
        check_options(scenario, names, flag, lang=lang)
    return names


def _refuse_options(key: str, scenario: Path | None, lang: str, flag: str) -> NoReturn:
    """End the command with the catalogue's message ``key`` for ``flag``, and the options the
    scenario knows when there is a scenario to ask."""
    from bti_workbench.errors import ScenarioError
    from bti_workbench.reference.labels import label
    from bti_workbench.simulation.scenario.document import available_options, read_document

    message = label(key, lang, flag=flag)
    if scenario is not None:
        try:
            known = ", ".join(available_options(read_document(scenario)))
        except ScenarioError as exc:
            fail_with(exc, lang)
        message = f"{message} {label('cli.opt.known', lang, known=known)}"
    fail(message, lang)
