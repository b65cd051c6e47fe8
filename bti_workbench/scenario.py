"""Scenarios: the case flow across levels 0–3 that the simulation engines run.

A scenario is a YAML file in ``data/scenarios/``. This module reads and checks it; every
problem names the file and the key (``levels.2.next``) and nothing runs until it is right.

The part implemented so far covers the flow itself: arrivals (a plain Poisson rate per week),
per-level duration distributions, baton-holder slots, routing up, down or to child welfare
(the rest closes) and a warm start. Resources in hours, seasonality, costs and organisation
options are the simulation issue's next steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

__all__ = [
    "DISTRIBUTIONS",
    "Duration",
    "Level",
    "Scenario",
    "ScenarioError",
    "load_scenario",
]

DISTRIBUTIONS = ("exponential", "erlang", "lognormal")
_TOP_KEYS = {
    "name",
    "description",
    "horizon_weeks",
    "time_step_weeks",
    "arrivals",
    "levels",
    "warm_start",
    "sources",
}
_LEVEL_KEYS = {"duration", "slots", "next", "note"}
_DURATION_KEYS = {"distribution", "mean_weeks", "shape"}
_NEXT_KEYS = {"up", "down", "child_welfare"}


class ScenarioError(ValueError):
    """A scenario file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Duration:
    """How long a case stays at a level, in weeks.

    ``shape`` is k for Erlang-k and σ of the logarithm for lognormal; unused for exponential.
    """

    distribution: str
    mean_weeks: float
    shape: float | None = None

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` durations (weeks).

        Examples
        --------
        >>> d = Duration("erlang", 12.0, 3)
        >>> float(d.sample(np.random.default_rng(1), 200_000).mean().round(1))
        12.0
        """
        if self.distribution == "exponential":
            return rng.exponential(self.mean_weeks, size)
        if self.distribution == "erlang":
            k = int(self.shape)
            return rng.gamma(k, self.mean_weeks / k, size)
        sigma = float(self.shape)
        mu = np.log(self.mean_weeks) - sigma**2 / 2
        return rng.lognormal(mu, sigma, size)


@dataclass(frozen=True)
class Level:
    """One level of the flow: its duration, slots and where cases go next."""

    number: int
    duration: Duration
    slots: int | None  # None: unlimited
    up: float = 0.0
    down: float = 0.0
    child_welfare: float = 0.0

    @property
    def closed(self) -> float:
        """Share that closes after the level (what the routing leaves)."""
        return max(0.0, 1.0 - self.up - self.down - self.child_welfare)


@dataclass(frozen=True)
class Scenario:
    """A checked scenario."""

    name: str
    horizon_weeks: int
    time_step_weeks: float
    arrivals_per_week: float
    levels: tuple[Level, ...]
    warm_start: tuple[int, ...] = (0, 0, 0, 0)
    description: str = ""
    source: str = ""
    sources: dict = field(default_factory=dict)

    def routing(self) -> np.ndarray:
        """Matrix of routing probabilities between levels (rows from, columns to)."""
        matrix = np.zeros((4, 4))
        for lv in self.levels:
            if lv.number < 3:
                matrix[lv.number, lv.number + 1] = lv.up
            if lv.number > 0:
                matrix[lv.number, lv.number - 1] = lv.down
        return matrix


def _fail(source: str, key: str, message: str) -> None:
    raise ScenarioError(f"{source}: {key}: {message}")


def _number(
    source: str, key: str, value: object, *, low: float, integer: bool = False, strict: bool = False
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(source, key, "must be a number")
    if integer and not float(value).is_integer():
        _fail(source, key, "must be a whole number")
    if value < low or (strict and value == low):
        _fail(source, key, f"must be {'greater than' if strict else 'at least'} {low}")
    return value


def _unknown(source: str, prefix: str, given: dict, allowed: set[str]) -> None:
    extra = sorted(str(k) for k in set(given) - allowed)
    if extra:
        _fail(
            source, f"{prefix}{extra[0]}", f"unknown key; use one of {', '.join(sorted(allowed))}"
        )


def _duration(source: str, key: str, spec: object) -> Duration:
    if not isinstance(spec, dict):
        _fail(source, key, "must be a mapping with distribution and mean_weeks")
    _unknown(source, f"{key}.", spec, _DURATION_KEYS)
    kind = spec.get("distribution")
    if kind not in DISTRIBUTIONS:
        _fail(source, f"{key}.distribution", f"must be one of {', '.join(DISTRIBUTIONS)}")
    mean = _number(source, f"{key}.mean_weeks", spec.get("mean_weeks"), low=0, strict=True)
    shape = spec.get("shape")
    if kind == "erlang":
        shape = _number(source, f"{key}.shape", shape, low=1, integer=True)
    elif kind == "lognormal":
        shape = _number(source, f"{key}.shape", shape, low=0, strict=True)
    elif shape is not None:
        _fail(source, f"{key}.shape", "an exponential duration takes no shape")
    return Duration(kind, float(mean), None if shape is None else float(shape))


def _level(source: str, number: int, spec: object) -> Level:
    key = f"levels.{number}"
    if not isinstance(spec, dict):
        _fail(source, key, "must be a mapping")
    _unknown(source, f"{key}.", spec, _LEVEL_KEYS)
    duration = _duration(source, f"{key}.duration", spec.get("duration"))
    slots = spec.get("slots")
    if slots is not None:
        slots = int(_number(source, f"{key}.slots", slots, low=1, integer=True))
    routing = spec.get("next") or {}
    if not isinstance(routing, dict):
        _fail(source, f"{key}.next", "must be a mapping of up, down and child_welfare")
    _unknown(source, f"{key}.next.", routing, _NEXT_KEYS)
    shares = {k: float(_number(source, f"{key}.next.{k}", v, low=0)) for k, v in routing.items()}
    if number == 3 and shares.get("up"):
        _fail(source, f"{key}.next.up", "level 3 is the highest level")
    if number == 0 and shares.get("down"):
        _fail(source, f"{key}.next.down", "level 0 is the lowest level")
    total = sum(shares.values())
    if total > 1 + 1e-9:
        _fail(source, f"{key}.next", f"probabilities sum to {total:g}, more than 1")
    return Level(number, duration, slots, **shares)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML scenario, e.g. ``data/scenarios/validation_jackson.yaml``.

    Raises
    ------
    ScenarioError
        Naming the file and the key; nothing runs.

    Examples
    --------
    >>> from bti_workbench._resources import data_dir
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> s.horizon_weeks, [lv.slots for lv in s.levels]
    (260, [60, 200, 80, 40])
    """
    path = Path(path)
    source = path.name
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{source}: cannot read the file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise ScenarioError(f"{source}: expected a mapping at the top")
    _unknown(source, "", doc, _TOP_KEYS)
    for required in ("name", "horizon_weeks", "arrivals", "levels"):
        if required not in doc:
            _fail(source, required, "missing")
    horizon = int(_number(source, "horizon_weeks", doc["horizon_weeks"], low=1, integer=True))
    step = float(
        _number(source, "time_step_weeks", doc.get("time_step_weeks", 1.0), low=0, strict=True)
    )
    arrivals = doc["arrivals"]
    if not isinstance(arrivals, dict) or set(arrivals) != {"poisson_per_week"}:
        _fail(source, "arrivals", "give poisson_per_week (rates by age band come later)")
    rate = float(_number(source, "arrivals.poisson_per_week", arrivals["poisson_per_week"], low=0))
    levels_spec = doc["levels"]
    if not isinstance(levels_spec, dict) or sorted(levels_spec) != [0, 1, 2, 3]:
        _fail(source, "levels", "must give levels 0, 1, 2 and 3")
    levels = tuple(_level(source, n, levels_spec[n]) for n in range(4))
    warm = doc.get("warm_start") or {}
    if not isinstance(warm, dict) or not set(warm) <= {0, 1, 2, 3}:
        _fail(source, "warm_start", "must map levels 0–3 to open cases at week 0")
    warm_start = tuple(
        int(_number(source, f"warm_start.{n}", warm.get(n, 0), low=0, integer=True))
        for n in range(4)
    )
    return Scenario(
        name=str(doc["name"]),
        horizon_weeks=horizon,
        time_step_weeks=step,
        arrivals_per_week=rate,
        levels=levels,
        warm_start=warm_start,
        description=str(doc.get("description", "")),
        source=source,
        sources=dict(doc.get("sources") or {}),
    )
