"""The plain data of a checked scenario: frozen dataclasses, no reading and no checking.

:func:`~bti_workbench.simulation.scenario.parse.parse_scenario` builds these from a scenario
document (:mod:`~bti_workbench.simulation.scenario.document`); the engines read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from bti_workbench.reference.municipality import Municipality

__all__ = [
    "DISTRIBUTIONS",
    "WEEKS_PER_YEAR",
    "Arrivals",
    "Costs",
    "Duration",
    "Level",
    "Meeting",
    "Resources",
    "Scenario",
    "ServiceResource",
]

#: The duration distributions a level can have (``levels.N.duration.distribution``).
DISTRIBUTIONS = ("exponential", "erlang", "lognormal")
#: Weeks in a year for rates per year (concerns, costs): 52, the ISO weeks of a usual year.
WEEKS_PER_YEAR = 52.0


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
    #: Things the user should know about the file, as catalogue keys and their values.
    notices: tuple[tuple[str, dict], ...] = ()

    def notice_texts(self, lang: str = "nb") -> list[str]:
        """The notices as sentences in ``lang`` (``nb`` or ``en``).

        Examples
        --------
        >>> import yaml
        >>> from bti_workbench import data_dir
        >>> from bti_workbench.simulation.scenario.parse import parse_scenario
        >>> path = data_dir() / "scenarios" / "validation_jackson.yaml"
        >>> doc = yaml.safe_load(path.read_text(encoding="utf-8")) | {"time_step_weeks": 0.25}
        >>> parse_scenario(doc, "old.yaml", path.parent).notice_texts("en")[0][:47]
        'old.yaml: time_step_weeks no longer has effect:'
        """
        from bti_workbench.reference.labels import label

        return [label(key, lang, **values) for key, values in self.notices]

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
        >>> from bti_workbench import data_dir
        >>> from bti_workbench.simulation.scenario.parse import load_scenario
        >>> s = load_scenario(data_dir() / "scenarios" / "tromso.yaml").with_horizon(520)
        >>> weekly = s.arrivals.weekly
        >>> weekly.shape[0], bool((weekly[:52] == weekly[52:104]).all())
        (520, True)
        """
        return replace(self, horizon_weeks=int(weeks), arrivals=self.arrivals.over(int(weeks)))

    @property
    def label(self) -> str:
        """Scenario name with its options, e.g. ``tromso + trial_cap_one_log``."""
        return " + ".join((self.name, *self.options))
