"""``--help`` as a person reads it: a short word for what an option takes, no type names.

Typer shows each parameter's Python type (``<list[Path]>``, ``<int range> [x>=2]``,
``<bool>`` for a flag). :class:`PlainHelpGroup` shows ``PATH``, ``N``, ``TEXT`` or nothing
for a flag; bounds a value must keep are in the option's own help text and still checked.
"""

from __future__ import annotations

from collections.abc import Callable

from typer.core import TyperGroup

__all__ = ["PlainHelpGroup"]

_WORDS = {"int": "N", "float": "NUMBER", "str": "TEXT", "Path": "PATH", "datetime": "DATE"}


def _word(param) -> str | None:
    """What the parameter takes, in one word (``...`` when it takes several); None for a
    flag, which takes nothing."""
    if getattr(param, "is_flag", False):
        return None
    desc = param.type_descriptor
    if desc.is_choice:
        word = "|".join(str(c) for c in desc.choices or ())
    elif desc.is_path:
        word = "PATH"
    elif desc.is_ranged:
        word = "N" if desc.ranged_type_name == "int" else "NUMBER"
    else:
        bare = param.bare_type()
        bare = bare.removeprefix("list[").removesuffix("]")
        word = _WORDS.get(bare, "TEXT")
    several = desc.is_list or param.nargs != 1 or getattr(param, "multiple", False)
    return f"{word}..." if several else word


def _plain(params: list) -> list:
    """Each parameter shows its word, and no bounds as ``[x>=2]`` (its help says them)."""
    for param in params:
        if hasattr(param, "type_descriptor"):
            word = _word(param)
            param.display_type_rich = lambda ctx, word=word: word
            param._get_number_range_help_str = lambda: None
    return params


def _plain_params(get_params: Callable) -> Callable:
    def get(ctx) -> list:
        return _plain(get_params(ctx))

    return get


class PlainHelpGroup(TyperGroup):
    """The ``bti`` group: every command's help names what each option takes in plain words."""

    def get_params(self, ctx) -> list:
        """The group's parameters, with plain words for what they take."""
        return _plain(super().get_params(ctx))

    def get_command(self, ctx, cmd_name: str):
        """A command whose parameters (``--help`` included) show plain words."""
        command = super().get_command(ctx, cmd_name)
        if command is not None and not isinstance(command, PlainHelpGroup):
            command.get_params = _plain_params(command.get_params)
        return command
