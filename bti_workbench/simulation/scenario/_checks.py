"""Checking helpers for scenario documents: each failure names the file and the key."""

from __future__ import annotations

import math

from bti_workbench.errors import ScenarioError
from bti_workbench.reference.municipality import Municipality
from bti_workbench.reference.services import service_ids

__all__: list[str] = []  # private helpers of the scenario package


def _fail(source: str, key: str, message: str) -> None:
    raise ScenarioError(f"{source}: {key}: {message}")


def _number(
    source: str, key: str, value: object, *, low: float, integer: bool = False, strict: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(source, key, "must be a (finite) number")
    if integer and not float(value).is_integer():
        _fail(source, key, "must be a whole number")
    if value < low or (strict and value == low):
        _fail(source, key, f"must be {'greater than' if strict else 'at least'} {low}")
    return value


def _share(source: str, key: str, value: object) -> float:
    share = float(_number(source, key, value, low=0))
    if share > 1:
        _fail(source, key, "a share must be between 0 and 1")
    return share


def _mapping(source: str, key: str, value: object, allowed: set[str] | None = None) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _fail(source, key, "must be a mapping")
    if allowed is not None:
        _unknown(source, f"{key}." if key else "", value, allowed)
    return value


def _unknown(source: str, prefix: str, given: dict, allowed: set[str]) -> None:
    extra = sorted(str(k) for k in set(given) - allowed)
    if extra:
        _fail(
            source, f"{prefix}{extra[0]}", f"unknown key; use one of {', '.join(sorted(allowed))}"
        )


def _service(source: str, key: str, value: object) -> str:
    if not isinstance(value, str) or value not in set(service_ids()):
        _fail(source, key, "not a service in the catalogue (see `bti_workbench.service_catalogue`)")
    return str(value)


def _levels_once(source: str, key: str, spec: dict, allowed: range) -> dict[int, object]:
    """A mapping keyed by level, each level once (``1`` and ``"1"`` are the same level)."""
    out: dict[int, object] = {}
    for k, v in spec.items():
        level = _level_number(source, f"{key}.{k}", k, allowed)
        if level in out:
            _fail(source, f"{key}.{k}", f"level {level} is given twice")
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
        _fail(source, key, f"levels here are {', '.join(map(str, allowed))}")
    return number


def _children(source: str, key: str, municipality: Municipality | None) -> int:
    """Children and young people 0–23 that a per-1 000 figure is applied to."""
    if municipality is None:
        _fail(source, key, "a figure per 1 000 children needs a municipality (kommunenummer)")
    return municipality.children


def _per_children(rate: float, children: int) -> int:
    """Whole persons from a rate per 1 000 children: rounded half up, at least one if any."""
    if rate <= 0:
        return 0
    return max(1, math.floor(rate * children / 1000 + 0.5))
