"""Scenarios: the case flow across levels 0–3 that the simulation engines run.

A scenario is a YAML file in ``data/scenarios/``; every key is described in
``data/scenarios/README.md``. This module reads and checks it; every problem names the file
and the key (``levels.2.next``) and nothing runs until it is right. Organisation options
(:mod:`bti_workbench.simulation.scenario.document`) are applied to the raw file before it is checked, so an option
that breaks a scenario is caught the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bti_workbench.errors import ScenarioError
from bti_workbench.reference.municipality import Municipality, load_municipality
from bti_workbench.reference.population import AGE_BANDS
from bti_workbench.reference.services import service_ids

__all__ = [
    "DISTRIBUTIONS",
    "Arrivals",
    "Costs",
    "Duration",
    "Level",
    "Meeting",
    "Resources",
    "Scenario",
    "ScenarioError",
    "ServiceResource",
    "load_scenario",
    "parse_scenario",
    "scenario_document",
]

DISTRIBUTIONS = ("exponential", "erlang", "lognormal")
WEEKS_PER_YEAR = 52.0
_TOP_KEYS = {
    "name",
    "description",
    "municipality",
    "population_file",
    "horizon_weeks",
    "time_step_weeks",
    "arrivals",
    "levels",
    "warm_start",
    "warm_start_per_1000",
    "resources",
    "costs",
    "options",
    "sources",
}
_LEVEL_KEYS = {"duration", "slots", "next", "note"}
_DURATION_KEYS = {"distribution", "mean_weeks", "shape"}
_NEXT_KEYS = {"up", "down", "child_welfare"}
_ARRIVAL_KEYS = {"poisson_per_week", "per_1000_per_year", "baton_holder", "seasonality", "scale"}
_SEASON_KEYS = {"start_week", "closed_weeks", "closed_factor", "services"}
_RESOURCE_KEYS = {
    "hours_per_fte",
    "max_logs",
    "services",
    "hours_per_case_week",
    "partners",
    "meetings",
    "lead",
}
_SERVICE_KEYS = {
    "baton_holders",
    "baton_holders_per_1000",
    "max_logs",
    "hours_per_week",
    "hours_per_week_per_1000",
    "min_hours_per_week",
    "fte",
    "bti_share",
    "hours_factor",
    "travel_hours_per_meeting",
    "note",
}
_MEETING_KEYS = {"every_weeks", "hours", "services"}
_COST_KEYS = {"hourly_rate_nok", "organisation", "posts"}
_POST_KEYS = {"fte", "fte_per_1000", "min_fte", "nok_per_fte_year", "note"}


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
    """One level of the flow: its duration, optional own slots and where cases go next."""

    number: int
    duration: Duration
    slots: int | None  # None: no per-level limit
    up: float = 0.0
    down: float = 0.0
    child_welfare: float = 0.0

    @property
    def closed(self) -> float:
        """Share that closes after the level (what the routing leaves)."""
        return max(0.0, 1.0 - self.up - self.down - self.child_welfare)


@dataclass(frozen=True)
class Arrivals:
    """New concerns per week, by case class (the service whose staff hold the baton).

    Attributes
    ----------
    classes : tuple of str
        Baton-holder service per class; ``("all",)`` for a plain Poisson rate.
    weekly : numpy.ndarray
        Expected new concerns per simulated week and class, shape (horizon, classes),
        seasonality included.
    table : pandas.DataFrame
        Per age band and source service: children, rate per 1 000 per year, baton holder and
        expected concerns per year (empty for a plain Poisson rate).
    """

    classes: tuple[str, ...]
    weekly: np.ndarray = field(repr=False)
    table: pd.DataFrame = field(repr=False)
    yearly: np.ndarray | None = field(default=None, repr=False)  # 52 weeks from the start

    def over(self, weeks: int) -> Arrivals:
        """The same arrivals over another horizon (the yearly pattern repeats)."""
        from dataclasses import replace

        yearly = self.yearly if self.yearly is not None else self.weekly[:1]
        return replace(self, weekly=np.resize(yearly, (weeks, yearly.shape[1])))


@dataclass(frozen=True)
class ServiceResource:
    """A service's capacity for BTI work.

    ``slots`` (baton holders × maximum active logs each) limits the logs the service can hold
    across levels 1–3; ``hours_per_week`` limits its BTI hours (``None``: no limit).
    """

    service: str
    baton_holders: int
    max_logs: int
    hours_per_week: float | None
    travel_hours_per_meeting: float = 0.0
    hours_basis: str = ""

    @property
    def slots(self) -> int | None:
        """Active logs the service can hold at once (None if it holds no batons)."""
        return self.baton_holders * self.max_logs if self.baton_holders else None


@dataclass(frozen=True)
class Meeting:
    """Coordination meetings for a case at a level."""

    every_weeks: float
    hours: float
    services: int

    @property
    def hours_per_case_week(self) -> float:
        """Meeting hours per participant per case-week."""
        return self.hours / self.every_weeks


@dataclass(frozen=True)
class Resources:
    """Who carries the cases and how many hours they have.

    Attributes
    ----------
    services : tuple of ServiceResource
    baton_hours : tuple of float
        Hours per case-week for the baton holder at levels 0–3 (case work only).
    partner_hours : tuple of float
        Hours per case-week for the partner service at levels 0–3 (case work only).
    partners : dict
        ``{level: {class: {service: share}}}``; the share of cases at the level that need
        each partner service (the rest need none).
    meetings : dict
        ``{level: Meeting}``.
    lead : dict
        ``{level: service}``: a service that carries the baton holder's hours at that level
        (``extra_coordinator_20pct`` gives level 3 to a coordinator).
    """

    services: tuple[ServiceResource, ...]
    baton_hours: tuple[float, float, float, float]
    partner_hours: tuple[float, float, float, float]
    partners: dict
    meetings: dict
    lead: dict

    def service(self, name: str) -> ServiceResource:
        """The resource entry of one service."""
        for entry in self.services:
            if entry.service == name:
                return entry
        raise KeyError(name)


@dataclass(frozen=True)
class Costs:
    """Prices for the organisation and the case work, in NOK.

    ``groups`` has one row per group: ``group, meetings_per_year, people, hours_per_meeting``;
    ``posts`` maps a post to ``(fte, nok_per_fte_year)``.
    """

    hourly_rate_nok: float
    groups: pd.DataFrame = field(repr=False)
    posts: dict = field(default_factory=dict)
    organisation_source: str = ""


@dataclass(frozen=True)
class Scenario:
    """A checked scenario."""

    name: str
    horizon_weeks: int
    time_step_weeks: float
    arrivals: Arrivals
    levels: tuple[Level, ...]
    warm_start: tuple[int, ...] = (0, 0, 0, 0)
    resources: Resources | None = None
    costs: Costs | None = None
    municipality: Municipality | None = field(default=None, repr=False)
    options: tuple[str, ...] = ()
    overrides: dict = field(default_factory=dict)
    description: str = ""
    source: str = ""
    sources: dict = field(default_factory=dict)

    @property
    def arrivals_per_week(self) -> float:
        """Mean new concerns per week over the horizon."""
        return float(self.arrivals.weekly.sum(axis=1).mean())

    def routing(self) -> np.ndarray:
        """Matrix of routing probabilities between levels (rows from, columns to)."""
        matrix = np.zeros((4, 4))
        for lv in self.levels:
            if lv.number < 3:
                matrix[lv.number, lv.number + 1] = lv.up
            if lv.number > 0:
                matrix[lv.number, lv.number - 1] = lv.down
        return matrix

    def with_horizon(self, weeks: int) -> Scenario:
        """The same scenario over ``weeks`` weeks (arrivals keep their yearly pattern).

        Examples
        --------
        >>> from bti_workbench._util.resources import data_dir
        >>> s = load_scenario(data_dir() / "scenarios" / "tromso.yaml").with_horizon(520)
        >>> weekly = s.arrivals.weekly
        >>> weekly.shape[0], bool((weekly[:52] == weekly[52:104]).all())
        (520, True)
        """
        from dataclasses import replace

        return replace(self, horizon_weeks=int(weeks), arrivals=self.arrivals.over(int(weeks)))

    @property
    def label(self) -> str:
        """Scenario name with its options, e.g. ``tromso + trial_cap_one_log``."""
        return " + ".join((self.name, *self.options))


# --- checking helpers ---------------------------------------------------------------------


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


# --- sections -----------------------------------------------------------------------------


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
    spec = _mapping(source, key, spec, _LEVEL_KEYS)
    duration = _duration(source, f"{key}.duration", spec.get("duration"))
    slots = spec.get("slots")
    if slots is not None:
        slots = int(_number(source, f"{key}.slots", slots, low=1, integer=True))
    routing = _mapping(source, f"{key}.next", spec.get("next"), _NEXT_KEYS)
    shares = {k: _share(source, f"{key}.next.{k}", v) for k, v in routing.items()}
    if number == 3 and shares.get("up"):
        _fail(source, f"{key}.next.up", "level 3 is the highest level")
    if number == 0 and shares.get("down"):
        _fail(source, f"{key}.next.down", "level 0 is the lowest level")
    total = sum(shares.values())
    if total > 1 + 1e-9:
        _fail(source, f"{key}.next", f"probabilities sum to {total:g}, more than 1")
    return Level(number, duration, slots, **shares)


def _week_set(source: str, key: str, value: object) -> set[int]:
    weeks: set[int] = set()
    parts = value if isinstance(value, list) else str(value).split(",")
    for part in parts:
        text = str(part).strip()
        lo, _, hi = text.partition("-")
        try:
            first, last = int(lo), int(hi or lo)
        except ValueError:
            _fail(source, key, f"{text!r} is not a week or a range of weeks such as 27-32")
        if not 1 <= first <= last <= 53:
            _fail(source, key, f"{text!r}: ISO weeks run from 1 to 53")
        weeks.update(range(first, last + 1))
    return weeks


def _seasonal_factors(source: str, spec: dict, horizon: int, sources: set[str]) -> dict:
    """Weekly multipliers per source service; the yearly total stays as given."""
    key = "arrivals.seasonality"
    _unknown(source, f"{key}.", spec, _SEASON_KEYS)
    start = int(
        _number(source, f"{key}.start_week", spec.get("start_week", 1), low=1, integer=True)
    )
    if start > 52:
        _fail(source, f"{key}.start_week", "an ISO week from 1 to 52")
    closed = _week_set(source, f"{key}.closed_weeks", spec.get("closed_weeks", ""))
    factor = _share(source, f"{key}.closed_factor", spec.get("closed_factor", 1.0))
    affected = spec.get("services", sorted(sources))
    if not isinstance(affected, list):
        _fail(source, f"{key}.services", "must be a list of source services")
    for i, name in enumerate(affected):
        _service(source, f"{key}.services.{i}", name)
        if name not in sources:
            _fail(source, f"{key}.services.{i}", f"{name} raises no concerns in per_1000_per_year")
    iso_week = (start - 1 + np.arange(horizon)) % 52 + 1
    is_closed = np.isin(iso_week, sorted(closed))
    open_weeks = 52 - len(closed & set(range(1, 53))) * (1 - factor)
    if open_weeks <= 0:
        _fail(
            source,
            f"{key}.closed_factor",
            "with every week closed and a factor of 0 no concern could arrive",
        )
    normaliser = 52 / open_weeks
    season = np.where(is_closed, factor, 1.0) * normaliser
    return {name: season for name in affected}


def _arrivals(
    source: str, spec: object, horizon: int, municipality: Municipality | None
) -> Arrivals:
    spec = _mapping(source, "arrivals", spec, _ARRIVAL_KEYS)
    plain = "poisson_per_week" in spec
    if plain == ("per_1000_per_year" in spec):
        _fail(source, "arrivals", "give either poisson_per_week or per_1000_per_year")
    scale = float(_number(source, "arrivals.scale", spec.get("scale", 1.0), low=0))
    if plain:
        if set(spec) - {"scale"} != {"poisson_per_week"}:
            _fail(source, "arrivals", "poisson_per_week stands alone (no classes or seasons)")
        rate = scale * float(
            _number(source, "arrivals.poisson_per_week", spec["poisson_per_week"], low=0)
        )
        yearly = np.full((52, 1), rate)
        return Arrivals(("all",), np.resize(yearly, (horizon, 1)), pd.DataFrame(), yearly)
    if municipality is None:
        _fail(source, "arrivals.per_1000_per_year", "needs a municipality (kommunenummer)")
    rates = _mapping(source, "arrivals.per_1000_per_year", spec["per_1000_per_year"])
    baton = _mapping(source, "arrivals.baton_holder", spec.get("baton_holder"))
    children = municipality.children_by_band()
    rows = []
    for band, by_source in rates.items():
        key = f"arrivals.per_1000_per_year.{band}"
        if band not in AGE_BANDS:
            _fail(source, key, f"age bands are {', '.join(AGE_BANDS)}")
        for name, rate in _mapping(source, key, by_source).items():
            _service(source, f"{key}.{name}", name)
            per_1000 = float(_number(source, f"{key}.{name}", rate, low=0))
            holder = baton.get(name, name)
            _service(source, f"arrivals.baton_holder.{name}", holder)
            per_1000 *= scale
            per_year = per_1000 * int(children[band]) / 1000
            rows.append((band, name, int(children[band]), per_1000, holder, per_year))
    if not rows:
        _fail(source, "arrivals.per_1000_per_year", "give at least one band and source")
    table = pd.DataFrame(
        rows,
        columns=["age_band", "source", "children", "per_1000_per_year", "baton_holder", "per_year"],
    )
    for name in baton:
        if name not in set(table["source"]):
            _fail(source, f"arrivals.baton_holder.{name}", "not a source in per_1000_per_year")
    seasons = {}
    if spec.get("seasonality") is not None:
        season_spec = _mapping(source, "arrivals.seasonality", spec["seasonality"])
        seasons = _seasonal_factors(source, season_spec, 52, set(table["source"]))
    classes = tuple(dict.fromkeys(table["baton_holder"]))
    yearly = np.zeros((52, len(classes)))
    flat = np.ones(52)
    for row in table.itertuples(index=False):
        column = classes.index(row.baton_holder)
        yearly[:, column] += row.per_year / WEEKS_PER_YEAR * seasons.get(row.source, flat)
    return Arrivals(classes, np.resize(yearly, (horizon, len(classes))), table, yearly)


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


def _baton_holders(source: str, key: str, entry: dict, municipality: Municipality | None) -> int:
    if "baton_holders_per_1000" in entry:
        if "baton_holders" in entry:
            _fail(
                source,
                f"{key}.baton_holders_per_1000",
                "give baton_holders or baton_holders_per_1000, not both",
            )
        rate = float(
            _number(source, f"{key}.baton_holders_per_1000", entry["baton_holders_per_1000"], low=0)
        )
        children = _children(source, f"{key}.baton_holders_per_1000", municipality)
        return _per_children(rate, children)
    value = entry.get("baton_holders", 0)
    return int(_number(source, f"{key}.baton_holders", value, low=0, integer=True))


def _services(
    source: str, spec: dict, defaults: dict, municipality: Municipality | None
) -> tuple[ServiceResource, ...]:
    hours_per_fte = defaults["hours_per_fte"]
    out = []
    for name, entry in spec.items():
        key = f"resources.services.{name}"
        _service(source, key, name)
        entry = _mapping(source, key, entry, _SERVICE_KEYS)
        holders = _baton_holders(source, key, entry, municipality)
        max_logs = int(
            _number(
                source,
                f"{key}.max_logs",
                entry.get("max_logs", defaults["max_logs"]),
                low=1,
                integer=True,
            )
        )
        factor = float(
            _number(source, f"{key}.hours_factor", entry.get("hours_factor", 1.0), low=0)
        )
        travel = float(
            _number(
                source,
                f"{key}.travel_hours_per_meeting",
                entry.get("travel_hours_per_meeting", 0.0),
                low=0,
            )
        )
        given = [k for k in ("hours_per_week", "hours_per_week_per_1000", "fte") if k in entry]
        if len(given) > 1 or ("bti_share" in entry and "fte" not in entry):
            _fail(
                source,
                f"{key}.{given[-1] if given else 'bti_share'}",
                "give hours one way: hours_per_week, hours_per_week_per_1000 "
                "or fte (with bti_share)",
            )
        if "min_hours_per_week" in entry and "hours_per_week_per_1000" not in entry:
            _fail(source, f"{key}.min_hours_per_week", "goes with hours_per_week_per_1000")
        if "hours_per_week_per_1000" in entry:
            per = f"{key}.hours_per_week_per_1000"
            rate = float(_number(source, per, entry["hours_per_week_per_1000"], low=0))
            floor = float(
                _number(
                    source, f"{key}.min_hours_per_week", entry.get("min_hours_per_week", 0), low=0
                )
            )
            children = _children(source, f"{key}.hours_per_week_per_1000", municipality)
            hours = max(rate * children / 1000, floor)
            basis = f"{rate:g} h per 1 000 children × {children} (at least {floor:g} h)"
        elif "hours_per_week" in entry:
            value = entry["hours_per_week"]
            hours = (
                None
                if value is None
                else float(_number(source, f"{key}.hours_per_week", value, low=0))
            )
            basis = "unlimited" if hours is None else "stated in the scenario"
        elif "fte" in entry:
            fte = float(_number(source, f"{key}.fte", entry["fte"], low=0))
            share = _share(source, f"{key}.bti_share", entry.get("bti_share", 1.0))
            hours = fte * share * hours_per_fte
            basis = f"{fte:g} FTE × {share:g} BTI share × {hours_per_fte:g} h"
        else:
            staffing = municipality.services if municipality is not None else pd.DataFrame()
            if name not in staffing.index:
                _fail(
                    source,
                    f"{key}.hours_per_week",
                    "give hours_per_week or fte (no staffing norm for this service)",
                )
            fte = float(staffing.loc[name, "staff_fte"])
            share = float(staffing.loc[name, "bti_share"])
            hours = fte * share * hours_per_fte
            basis = f"staffing norms: {fte:g} FTE × {share:g} BTI share × {hours_per_fte:g} h"
        if hours is not None:
            hours *= factor
            if factor != 1:
                basis += f" × {factor:g}"
        out.append(ServiceResource(name, holders, max_logs, hours, travel, basis))
    return tuple(out)


def _per_level(source: str, key: str, spec: object, levels: range) -> dict[int, float]:
    spec = _by_level(source, key, spec, levels)
    return {k: float(_number(source, f"{key}.{k}", v, low=0)) for k, v in spec.items()}


def _resources(
    source: str, spec: object, classes: tuple[str, ...], municipality: Municipality | None
) -> Resources:
    spec = _mapping(source, "resources", spec, _RESOURCE_KEYS)
    defaults = {
        "hours_per_fte": float(
            _number(
                source,
                "resources.hours_per_fte",
                spec.get("hours_per_fte", 37.5),
                low=0,
                strict=True,
            )
        ),
        "max_logs": spec.get("max_logs", 3),
    }
    _number(source, "resources.max_logs", defaults["max_logs"], low=1, integer=True)
    services = _services(
        source, _mapping(source, "resources.services", spec.get("services")), defaults, municipality
    )
    names = {entry.service: entry for entry in services}
    for name in classes:
        if name not in names or not names[name].baton_holders:
            _fail(
                source,
                f"resources.services.{name}",
                "holds batons for new concerns: give its baton_holders",
            )
    per_case = _mapping(
        source,
        "resources.hours_per_case_week",
        spec.get("hours_per_case_week"),
        {"baton_holder", "partner"},
    )
    baton = _per_level(
        source,
        "resources.hours_per_case_week.baton_holder",
        per_case.get("baton_holder"),
        range(1, 4),
    )
    partner = _per_level(
        source, "resources.hours_per_case_week.partner", per_case.get("partner"), range(2, 4)
    )
    partners: dict[int, dict[str, dict[str, float]]] = {}
    partner_spec = _by_level(source, "resources.partners", spec.get("partners"), range(2, 4))
    for level, by_class in partner_spec.items():
        key = f"resources.partners.{level}"
        mixes = {}
        for klass, mix in _mapping(source, key, by_class).items():
            if klass != "*" and klass not in classes:
                _fail(source, f"{key}.{klass}", "not a baton-holder class of the arrivals (or *)")
            mix = _mapping(source, f"{key}.{klass}", mix)
            for name, share in mix.items():
                if name not in names:
                    _fail(
                        source, f"{key}.{klass}.{name}", "a partner must be in resources.services"
                    )
                _share(source, f"{key}.{klass}.{name}", share)
            total = sum(float(v) for v in mix.values())
            if total > 1 + 1e-9:
                _fail(source, f"{key}.{klass}", f"shares sum to {total:g}, more than 1")
            mixes[klass] = {k: float(v) for k, v in mix.items()}
        partners[level] = mixes
    meetings = {}
    meeting_spec = _by_level(source, "resources.meetings", spec.get("meetings"), range(1, 4))
    for level, entry in meeting_spec.items():
        key = f"resources.meetings.{level}"
        entry = _mapping(source, key, entry, _MEETING_KEYS)
        meetings[level] = Meeting(
            float(
                _number(source, f"{key}.every_weeks", entry.get("every_weeks"), low=0, strict=True)
            ),
            float(_number(source, f"{key}.hours", entry.get("hours"), low=0)),
            int(_number(source, f"{key}.services", entry.get("services", 2), low=1, integer=True)),
        )
    lead = {}
    lead_spec = _by_level(source, "resources.lead", spec.get("lead"), range(2, 4))
    for level, name in lead_spec.items():
        key = f"resources.lead.{level}"
        if not isinstance(name, str) or name not in names:
            _fail(source, key, "the lead service must be in resources.services")
        lead[level] = str(name)
    for level, by_class in partners.items():
        meeting = meetings.get(level)
        for mix in by_class.values():
            for name in mix:
                entry = names[name]
                need = partner.get(level, 0.0)
                if meeting:
                    need += (meeting.hours + entry.travel_hours_per_meeting) / meeting.every_weeks
                if entry.hours_per_week is not None and need > entry.hours_per_week + 1e-9:
                    _fail(
                        source,
                        f"resources.services.{name}.hours_per_week",
                        f"{entry.hours_per_week:g} hours a week, but one level-{level} case needs "
                        f"{need:g} (case work, meetings and travel): no case could ever start",
                    )
    level1 = baton.get(1, 0.0) + (meetings[1].hours_per_case_week if 1 in meetings else 0.0)
    for name in classes:
        entry = names[name]
        if entry.hours_per_week is not None and level1 > entry.hours_per_week + 1e-9:
            _fail(
                source,
                f"resources.services.{name}.hours_per_week",
                f"{entry.hours_per_week:g} hours a week, but one new log needs {level1:g}: "
                "no log could ever open",
            )
    return Resources(
        services=services,
        baton_hours=tuple(baton.get(n, 0.0) for n in range(4)),
        partner_hours=tuple(partner.get(n, 0.0) for n in range(4)),
        partners=partners,
        meetings=meetings,
        lead=lead,
    )


def _costs(
    source: str, spec: object, base: Path, municipality: Municipality | None = None
) -> Costs:
    from bti_workbench.ingest.readers import read_organisation

    spec = _mapping(source, "costs", spec, _COST_KEYS)
    rate = float(_number(source, "costs.hourly_rate_nok", spec.get("hourly_rate_nok"), low=0))
    groups = pd.DataFrame(columns=["group", "meetings_per_year", "people", "hours_per_meeting"])
    organisation = spec.get("organisation")
    origin = ""
    if organisation is not None:
        path = (base / str(organisation)).resolve()
        try:
            members = read_organisation(path)
        except (OSError, ValueError) as exc:
            _fail(
                source, "costs.organisation", f"cannot read {Path(str(organisation)).name}: {exc}"
            )
        groups = (
            members.groupby("group", sort=False)
            .agg(
                meetings_per_year=("meetings_per_year", "first"),
                people=("title", "size"),
                hours_per_meeting=("hours_per_meeting", "first"),
            )
            .reset_index()
        )
        origin = path.name
    posts = {}
    for name, entry in _mapping(source, "costs.posts", spec.get("posts")).items():
        key = f"costs.posts.{name}"
        entry = _mapping(source, key, entry, _POST_KEYS)
        if "fte_per_1000" in entry:
            if "fte" in entry:
                _fail(source, f"{key}.fte_per_1000", "give fte or fte_per_1000, not both")
            per_1000 = float(_number(source, f"{key}.fte_per_1000", entry["fte_per_1000"], low=0))
            floor = float(_number(source, f"{key}.min_fte", entry.get("min_fte", 0), low=0))
            children = _children(source, f"{key}.fte_per_1000", municipality)
            fte = max(per_1000 * children / 1000, floor)
        else:
            if "min_fte" in entry:
                _fail(source, f"{key}.min_fte", "goes with fte_per_1000")
            fte = float(_number(source, f"{key}.fte", entry.get("fte"), low=0))
        posts[str(name)] = (
            fte,
            float(_number(source, f"{key}.nok_per_fte_year", entry.get("nok_per_fte_year"), low=0)),
        )
    return Costs(rate, groups, posts, origin)


def _municipality(source: str, doc: dict, base: Path) -> Municipality | None:
    if "municipality" not in doc:
        if "population_file" in doc:
            _fail(source, "population_file", "needs a municipality (kommunenummer)")
        return None
    knr = str(doc["municipality"]).strip()
    if not (knr.isdigit() and len(knr) <= 4):
        _fail(source, "municipality", "give a four-digit kommunenummer such as 5401")
    population = doc.get("population_file")
    path = None if population is None else (base / str(population)).resolve()
    try:
        return load_municipality(knr, path)
    except KeyError as exc:
        _fail(source, "municipality", str(exc.args[0]))
    except (OSError, ValueError) as exc:
        _fail(source, "population_file", str(exc))


def _warm_start(source: str, doc: dict, municipality: Municipality | None) -> tuple[int, ...]:
    """Open cases by level at week 0: counts, or per 1 000 children rounded half up."""
    if "warm_start_per_1000" in doc:
        key = "warm_start_per_1000"
        if "warm_start" in doc:
            _fail(source, key, "give warm_start or warm_start_per_1000, not both")
        rates = _by_level(source, key, doc[key], range(4))
        children = _children(source, key, municipality)
        return tuple(
            math.floor(
                float(_number(source, f"{key}.{n}", rates.get(n, 0), low=0)) * children / 1000 + 0.5
            )
            for n in range(4)
        )
    warm = _by_level(source, "warm_start", doc.get("warm_start"), range(4))
    return tuple(
        int(_number(source, f"warm_start.{n}", warm.get(n, 0), low=0, integer=True))
        for n in range(4)
    )


def parse_scenario(
    doc: object,
    source: str,
    base: Path,
    options: tuple[str, ...] = (),
    overrides: dict | None = None,
    municipality: Municipality | None = None,
) -> Scenario:
    """Check a scenario already read into a mapping (options applied).

    Parameters
    ----------
    doc : dict
        The YAML document.
    source : str
        File name used in messages.
    base : pathlib.Path
        Folder that relative paths in the document are relative to.
    options : tuple of str
        Names of the options already applied (recorded on the scenario).
    overrides : dict, optional
        The overrides already merged in (recorded on the scenario).
    municipality : Municipality, optional
        The population and services to apply the scenario to, instead of the document's
        ``municipality`` (how a template with rates per 1 000 children is used anywhere).
    """
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
    per_week = 1.0 / step
    if step > 1 or abs(per_week - round(per_week)) > 1e-9:
        _fail(source, "time_step_weeks", "must divide a week: 1, 0.5, 0.25, 0.1, 0.05 …")
    if municipality is None:
        municipality = _municipality(source, doc, base)
    arrivals = _arrivals(source, doc["arrivals"], horizon, municipality)
    levels_spec = _by_level(source, "levels", doc["levels"], range(4))
    if sorted(levels_spec) != [0, 1, 2, 3]:
        _fail(source, "levels", "must give levels 0, 1, 2 and 3")
    by_number = levels_spec
    levels = tuple(_level(source, n, by_number[n]) for n in range(4))
    warm_start = _warm_start(source, doc, municipality)
    resources = None
    if doc.get("resources") is not None:
        resources = _resources(source, doc["resources"], arrivals.classes, municipality)
        for lv in levels[1:]:
            if lv.slots is not None:
                _fail(
                    source,
                    f"levels.{lv.number}.slots",
                    "with resources, logs are limited by the services' baton holders; "
                    "per-level slots apply only to level 0",
                )
    costs = None if doc.get("costs") is None else _costs(source, doc["costs"], base, municipality)
    return Scenario(
        name=str(doc["name"]),
        horizon_weeks=horizon,
        time_step_weeks=step,
        arrivals=arrivals,
        levels=levels,
        warm_start=warm_start,
        resources=resources,
        costs=costs,
        municipality=municipality,
        options=tuple(options),
        overrides=dict(overrides or {}),
        description=str(doc.get("description", "")).strip(),
        source=source,
        sources=_mapping(source, "sources", doc.get("sources")),
    )


def scenario_document(
    path: str | Path,
    options: tuple[str, ...] | list[str] = (),
    overrides: dict | None = None,
    settings: dict[str, object] | None = None,
) -> tuple[dict, str, dict]:
    """Read a scenario file and apply options, overrides and settings, without checking it.

    Returns the document, the name used in messages and the overrides as applied (settings
    included). :func:`load_scenario` is this followed by :func:`parse_scenario`; a sweep
    prepares the document once and parses it on a worker, with the same result.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> doc, source, changes = scenario_document(
    ...     data_dir() / "scenarios" / "sirdal.yaml", settings={"levels.1.next.up": 0.3})
    >>> doc["levels"][1]["next"], source
    ({'up': 0.3, 'down': 0.05, 'child_welfare': 0.02}, 'sirdal.yaml (with overrides)')
    """
    from bti_workbench.simulation.scenario.document import apply_options, merge, settings_overrides

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
    options = tuple(options)
    doc = apply_options(doc, options, source)
    changes = dict(overrides or {})
    if changes:
        doc = merge(doc, changes)
    if settings:
        nested = settings_overrides(doc, settings, source)
        doc = merge(doc, nested)
        changes = merge(changes, nested)
    changed = [*options, *(["overrides"] if changes else [])]
    if changed:
        source = f"{source} (with {', '.join(changed)})"
    return doc, source, changes


def load_scenario(
    path: str | Path,
    options: tuple[str, ...] | list[str] = (),
    overrides: dict | None = None,
    *,
    settings: dict[str, object] | None = None,
    municipality: Municipality | None = None,
) -> Scenario:
    """Read and check a scenario file, with organisation options applied.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML scenario, e.g. ``data/scenarios/tromso.yaml``.
    options : sequence of str
        Organisation options to apply, in order (see :mod:`bti_workbench.simulation.scenario.document`).
    overrides : dict, optional
        Changes merged in after the options, like an unnamed option, e.g.
        ``{"municipality": "1820"}`` or
        ``{"resources": {"services": {"ppt": {"hours_per_week": 40}}}}``.
    settings : dict, optional
        Single values by dotted key, merged in last, e.g.
        ``{"levels.1.duration.mean_weeks": 20}`` (what ``bti simulate --set`` and
        ``bti sweep --grid`` give).
    municipality : Municipality, optional
        Apply the scenario to this municipality instead of its ``municipality`` key (a
        template with rates and staff per 1 000 children works for any municipality).

    Raises
    ------
    ScenarioError
        Naming the file and the key; nothing runs.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> s.horizon_weeks, [lv.slots for lv in s.levels]
    (260, [60, 200, 80, 40])
    """
    doc, source, changes = scenario_document(path, options, overrides, settings)
    return parse_scenario(doc, source, Path(path).parent, tuple(options), changes, municipality)
