"""Checking helpers for scenario documents: each failure names the file and the key."""

from __future__ import annotations

import math
import re
from typing import NoReturn

from bti_workbench.errors import ScenarioError, Text
from bti_workbench.reference.municipality import Municipality
from bti_workbench.reference.services import service_ids

__all__: list[str] = []  # private helpers of the scenario package


#: What :func:`~bti_workbench.simulation.scenario.document.scenario_document` appends to the
#: file name when options or overrides were applied: ``sirdal.yaml (with no_bti, overrides)``.
_CHANGED = re.compile(r"^(?P<file>.+) \(with (?P<changes>[^()]*)\)$")


def _source(source: str) -> str | Text:
    """The file name of a message as a catalogue text when options or overrides were applied
    (``sirdal.yaml (med overrides)`` in bokmål), else as given."""
    found = _CHANGED.match(source)
    if found is None:
        return source
    changes = tuple(
        Text("err.scenario.overrides") if part == "overrides" else part
        for part in found["changes"].split(", ")
    )
    return Text("err.scenario.source_with", {"file": found["file"], "changes": changes})


def _say(key: str, **fields: object) -> Text:
    """The catalogue's ``err.scenario.check.<key>`` with its fields."""
    return Text(f"err.scenario.check.{key}", fields)


def _fail(source: str, key: str, message: str | Text | BaseException) -> NoReturn:
    """Refuse the scenario: ``SOURCE: KEY: MESSAGE``.

    Parameters
    ----------
    source : str
        The file name as messages show it.
    key : str
        The dotted key at fault (``levels.2.next``).
    message : str, Text or BaseException
        What is wrong: a catalogue text (said in the user's language by
        :func:`~bti_workbench.errors.explain`), an error of another reader (in the user's
        language when it has a catalogue key) or an English sentence.

    Raises
    ------
    ScenarioError
        Always; ``str(exc)`` is the English message.
    """
    keyed = isinstance(message, Text) or callable(getattr(message, "text", None))
    if not keyed:
        raise ScenarioError(f"{source}: {key}: {message}")
    raise ScenarioError(
        f"{source}: {key}: {message.render('en') if isinstance(message, Text) else message}",
        key="err.scenario.at",
        file=_source(source),
        path=key,
        problem=message,
    )


def _number(
    source: str, key: str, value: object, *, low: float, integer: bool = False, strict: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(source, key, _say("number"))
    if integer and not float(value).is_integer():
        _fail(source, key, _say("whole"))
    if value < low or (strict and value == low):
        _fail(source, key, _say("greater" if strict else "at_least", low=str(low)))
    return value


def _share(source: str, key: str, value: object) -> float:
    share = float(_number(source, key, value, low=0))
    if share > 1:
        _fail(source, key, _say("share"))
    return share


def _mapping(source: str, key: str, value: object, allowed: set[str] | None = None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(source, key, _say("mapping"))
    if allowed is not None:
        _unknown(source, f"{key}." if key else "", value, allowed)
    return value


def _unknown(source: str, prefix: str, given: dict, allowed: set[str]) -> None:
    extra = sorted(str(k) for k in set(given) - allowed)
    if extra:
        _fail(source, f"{prefix}{extra[0]}", _say("unknown_key", known=", ".join(sorted(allowed))))


def _service(source: str, key: str, value: object) -> str:
    if not isinstance(value, str) or value not in set(service_ids()):
        _fail(source, key, _say("service"))
    return str(value)


def _levels_once(source: str, key: str, spec: dict, allowed: range) -> dict[int, object]:
    """A mapping keyed by level, each level once (``1`` and ``"1"`` are the same level)."""
    out: dict[int, object] = {}
    for k, v in spec.items():
        level = _level_number(source, f"{key}.{k}", k, allowed)
        if level in out:
            _fail(source, f"{key}.{k}", _say("level_twice", level=str(level)))
        out[level] = v
    return out


def _by_level(source: str, key: str, value: object, allowed: range) -> dict[int, object]:
    """A mapping (or nothing) keyed by level, each level once."""
    return _levels_once(source, key, _mapping(source, key, value), allowed)


def _level_number(source: str, key: str, value: object, allowed: range) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if str(value).strip() != str(number) or number not in allowed:
        _fail(source, key, _say("levels_here", levels=", ".join(map(str, allowed))))
    return number


def _children(source: str, key: str, municipality: Municipality | None) -> int:
    """Children and young people 0–23 that a per-1 000 figure is applied to."""
    if municipality is None:
        _fail(source, key, _say("per_1000_needs"))
    return municipality.children


def _per_children(rate: float, children: int) -> int:
    """Whole persons from a rate per 1 000 children: rounded half up, at least one if any."""
    if rate <= 0:
        return 0
    return max(1, math.floor(rate * children / 1000 + 0.5))
