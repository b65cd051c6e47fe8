"""Every error the workbench shows a user: each names the file, row, column or key at fault.

They all derive from :class:`ValueError`, so ``except ValueError`` catches any of them; the
command line prints the message and exits with 1, without a traceback. No message ever
repeats a value that may identify a person.
"""

from __future__ import annotations

import csv
import errno
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

__all__ = [
    "ContractError",
    "IdentifierError",
    "PopulationFileError",
    "Problem",
    "RequestError",
    "ScenarioError",
    "ServeError",
    "StoreError",
    "SweepError",
    "Text",
    "TextDecodeError",
    "YamlFileError",
    "explain",
    "os_reason",
]

#: At most this many problems are listed in a :class:`ContractError`'s message.
MAX_LISTED = 200


#: The catalogue rows an error may use: this bottom layer reads ``labels.csv`` itself (as
#: :mod:`bti_workbench._util.numbers` does), since it may not import the reference layer.
_PREFIXES = ("err.", "privacy.")


@cache
def _texts() -> dict[str, dict[str, str]]:
    """Key → {language: text} of the catalogue's error rows (``err.*``, ``privacy.*``)."""
    from bti_workbench._util.resources import resource

    with resource("labels.csv").open(encoding="utf-8", newline="") as fh:
        return {row["key"]: row for row in csv.DictReader(fh) if row["key"].startswith(_PREFIXES)}


def _label(key: str, lang: str, **fields: object) -> str:
    """:func:`bti_workbench.reference.labels.label` for the error rows (empty cell: the first
    language's text)."""
    row = _texts()[key]
    languages = [name for name in row if name != "key"]
    if lang not in languages:
        raise KeyError(f"unknown language {lang!r}; use one of {tuple(languages)}")
    text = row[lang] or row[languages[0]]
    return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Text:
    """A sentence of the label catalogue not yet put in a language: its key and its fields.

    A field may itself be a :class:`Text`, or a tuple of them (written as a list with
    commas), or an error (its message as :func:`explain` gives it); a whole number (not a
    bool) is written with the language's digit grouping.

    Examples
    --------
    >>> Text("err.store.prune_without_update").render("en")
    '--prune works only with --update'
    """

    key: str
    fields: Mapping[str, object] = field(default_factory=dict, compare=False)

    def render(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (a language of the catalogue).

        Parameters
        ----------
        lang : str
            ``"nb"``, ``"en"`` or another column of ``labels.csv``.

        Returns
        -------
        str
        """
        return _label(self.key, lang, **{k: _field(v, lang) for k, v in self.fields.items()})


def _field(value: object, lang: str) -> object:
    """One field of a :class:`Text` as it is written in ``lang``."""
    if isinstance(value, Text):
        return value.render(lang)
    if isinstance(value, BaseException):
        return explain(value, lang)
    if isinstance(value, tuple):
        return ", ".join(str(_field(v, lang)) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        from bti_workbench._util.numbers import format_number

        return format_number(value, lang)
    if isinstance(value, float):  # as typed (``:g``), with the language's decimal mark
        from bti_workbench._util.numbers import figure_separators

        return f"{value:g}".replace(".", figure_separators(lang)[0])
    return value


#: The operating system's refusals the catalogue says in words (others keep the system's).
_OS_REASONS = {
    errno.ENOENT: "err.reason.no_such_file",
    errno.EACCES: "err.reason.no_access",
    errno.EPERM: "err.reason.no_access",
    errno.EISDIR: "err.reason.is_folder",
    errno.ENAMETOOLONG: "err.reason.name_too_long",
    errno.ELOOP: "err.reason.links",
}


def os_reason(exc: OSError) -> Text | str:
    """Why the operating system refused: a catalogue text, or the system's own words.

    Parameters
    ----------
    exc : OSError
        The refusal.

    Returns
    -------
    Text or str
        A :class:`Text` for the common refusals, else ``exc.strerror``.

    Examples
    --------
    >>> os_reason(PermissionError(errno.EACCES, "Permission denied")).render("nb")
    'ingen tilgang'
    """
    key = _OS_REASONS.get(exc.errno) if exc.errno is not None else None
    return Text(key) if key else str(exc.strerror or exc)


def explain(exc: BaseException, lang: str = "en") -> str:
    """An error's message in ``lang``: from the catalogue when the error carries a key.

    Errors of this module keep their English message as ``str(exc)`` for library users;
    the command line and the dashboard show ``explain(exc, lang)``. An error without a
    catalogue key (or of another module) shows its own message.

    Parameters
    ----------
    exc : BaseException
        The error.
    lang : str, default "en"
        A language of the catalogue.

    Returns
    -------
    str
        The message, possibly of several lines (one per problem of a ContractError).

    Examples
    --------
    >>> explain(StoreError(key="err.store.prune_without_update"), "nb")
    '--prune virker bare sammen med --update'
    >>> explain(ValueError("plain"), "nb")
    'plain'
    """
    text = getattr(exc, "text", None)
    return text(lang) if callable(text) else str(exc)


@dataclass(frozen=True)
class Problem:
    """One problem in a file: where it is and what is wrong (never the value itself).

    ``message`` is the English text. A problem made with :meth:`keyed` also keeps its
    catalogue key and fields, so :meth:`text` can say it in the user's language; ``entry``
    names a key inside a file the user wrote (e.g. ``columns.Dato`` of a mapping profile).
    """

    source: str
    row: int | None
    column: str | None
    message: str
    key: str | None = None
    fields: Mapping[str, object] = field(default_factory=dict, compare=False)
    entry: str | None = None

    @classmethod
    def keyed(
        cls,
        source: str,
        row: int | None,
        column: str | None,
        text: Text,
        /,
        *,
        entry: str | None = None,
    ) -> Problem:
        """A problem whose message is a catalogue text.

        Parameters
        ----------
        source, row, column : str, int or None, str or None
            Where the problem is.
        text : Text
            The message: a key of ``labels.csv`` (``err.*``) and its fields.
        entry : str, optional
            A key inside the file (a profile's ``columns.Dato``).

        Returns
        -------
        Problem
            With ``message`` in English.
        """
        return cls(source, row, column, text.render("en"), text.key, text.fields, entry)

    def text(self, lang: str = "en") -> str:
        """The problem in ``lang``: where it is, then what is wrong.

        Parameters
        ----------
        lang : str, default "en"
            A language of the catalogue; a problem without a key keeps its English message.

        Returns
        -------
        str
        """
        where = [self.source]
        if self.entry is not None:
            where.append(_label("err.where.entry", lang, entry=self.entry))
        if self.row is not None:
            where.append(_label("err.where.row", lang, row=self.row))
        if self.column is not None:
            where.append(_label("err.where.column", lang, column=self.column))
        message = Text(self.key, self.fields).render(lang) if self.key else self.message
        return f"{', '.join(where)}: {message}"

    def __str__(self) -> str:
        where = [self.source]
        if self.entry is not None:
            where.append(f"key {self.entry}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}"


class ContractError(ValueError):
    """A file does not meet its contract. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = [str(p) for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            shown.append(f"… and {len(problems) - MAX_LISTED} more problems")
        super().__init__("\n".join(shown))

    def text(self, lang: str = "en") -> str:
        """Every problem (at most :data:`MAX_LISTED`) in ``lang``, one per line.

        Parameters
        ----------
        lang : str, default "en"
            A language of the catalogue.

        Returns
        -------
        str
        """
        shown = [p.text(lang) for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            more = len(self.problems) - MAX_LISTED
            shown.append(Text("err.more_problems", {"count": more}).render(lang))
        return "\n".join(shown)


class _KeyedError(ValueError):
    """An error whose message may come from the catalogue: a key and its fields.

    ``str(exc)`` is the English message; :meth:`text` says it in another language.
    """

    def __init__(self, message: str | None = None, *, key: str | None = None, **fields: object):
        self.key = key
        self.fields = fields
        if message is None:
            if key is None:
                raise TypeError("give a message or a catalogue key")
            message = Text(key, fields).render("en")
        super().__init__(message)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (English when the error has no catalogue key).

        Parameters
        ----------
        lang : str, default "en"
            A language of the catalogue.

        Returns
        -------
        str
        """
        return Text(self.key, self.fields).render(lang) if self.key else str(self)


class IdentifierError(_KeyedError):
    """A table holds, or seems to hold, a direct identifier.

    The message names the file, the column and how many rows; it never repeats a value.
    """


class PopulationFileError(_KeyedError):
    """An SSB file could not be read; the message names the file and, where known, the line."""


class TextDecodeError(ValueError):
    """The bytes are neither UTF-8/16 nor Windows-1252; ``line`` is where it went wrong."""

    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


class RequestError(_KeyedError):
    """A request for an analysis that the data cannot answer: a municipality, period or
    go-live date that is wrong or outside the data. The message names the parameter, never
    a value that could identify someone.
    """


class ScenarioError(_KeyedError):
    """A scenario file is wrong; the message names the file and the key.

    ``ScenarioError("message")`` keeps an English message; ``ScenarioError(key="err.…",
    **fields)`` takes it from the catalogue, so :func:`explain` can say it in another language.
    """


class StoreError(_KeyedError):
    """An import the store refuses (a re-import, a missing municipality …) or a missing store."""


class SweepError(_KeyedError):
    """A sweep cannot be planned or resumed; the message says which part is wrong.

    Made with a message (English) or with a catalogue ``key=`` and its fields, as
    :class:`ScenarioError`.
    """


class ServeError(ValueError):
    """A serving configuration that is refused. The message never holds a secret."""


class YamlFileError(ValueError):
    """A YAML file or value cannot be read: its encoding, its syntax, a tag, or its depth.

    The message starts with the file name (or the option that gave the value) and says the
    line and column; it never repeats the text that was there.
    """
