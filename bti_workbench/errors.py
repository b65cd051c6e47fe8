"""Every error the workbench shows a user: each names the file, row, column or key at fault.

They all derive from :class:`ValueError`, so ``except ValueError`` catches any of them; the
command line prints the message and exits with 1, without a traceback. No message ever
repeats a value that may identify a person.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ContractError",
    "IdentifierError",
    "PopulationFileError",
    "Problem",
    "ScenarioError",
    "ServeError",
    "StoreError",
    "SweepError",
    "TextDecodeError",
    "YamlFileError",
]

#: At most this many problems are listed in a :class:`ContractError`'s message.
MAX_LISTED = 200


@dataclass(frozen=True)
class Problem:
    """One problem in a file: where it is and what is wrong (never the value itself)."""

    source: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.source]
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


class IdentifierError(ValueError):
    """A table holds, or seems to hold, a direct identifier.

    The message names the file, the column and how many rows; it never repeats a value.
    """


class PopulationFileError(ValueError):
    """An SSB file could not be read; the message names the file and, where known, the line."""


class TextDecodeError(ValueError):
    """The bytes are neither UTF-8/16 nor Windows-1252; ``line`` is where it went wrong."""

    def __init__(self, line: int):
        super().__init__(f"line {line}")
        self.line = line


class ScenarioError(ValueError):
    """A scenario file is wrong; the message names the file and the key."""


class StoreError(ValueError):
    """An import the store refuses (a re-import, a missing municipality …) or a missing store."""


class SweepError(ValueError):
    """A sweep cannot be planned or resumed; the message says which part is wrong."""


class ServeError(ValueError):
    """A serving configuration that is refused. The message never holds a secret."""


class YamlFileError(ValueError):
    """A YAML file or value cannot be read: its encoding, its syntax, a tag, or its depth.

    The message starts with the file name (or the option that gave the value) and says the
    line and column; it never repeats the text that was there.
    """
