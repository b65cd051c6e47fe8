"""The individual-level case process behind the synthetic demo data.

Concerns arrive from the municipality's children, are decided at level 0, open a baton log at
level 1, bring in a second service at level 2 and more at level 3, move up and down, hand the
baton over, sometimes drop it, renew consent, and close. :func:`run_cases` runs every case of
a municipality from one seeded stream; :meth:`CaseProcess.event_log` is the resulting log.

What the event log gained later — participants reading the log (``log_read``) and a measure's
planned evaluation date (``evaluate_by``) — is drawn from a second, separate stream, so the
events drawn before them are the same as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bti_workbench.reference.municipality import Municipality
from bti_workbench.reference.population import age_band
from bti_workbench.reference.services import service_catalogue

__all__ = ["CaseProcess", "DemoAssumptions", "Ids", "Staff", "build_staff", "run_cases"]


@dataclass(frozen=True)
class DemoAssumptions:
    """The stated assumptions of the synthetic case process (not estimates)."""

    start: dt.date = dt.date(2018, 1, 8)
    end: dt.date = dt.date(2020, 6, 30)
    concerns_per_1000_per_year: float = 60.0
    band_weight: dict[str, float] = field(
        default_factory=lambda: {"0-5": 0.9, "6-15": 1.2, "16-19": 1.0, "20-23": 0.6}
    )
    prenatal_share: float = 0.03
    level0_median_days: float = 9.0
    level0_sigma: float = 0.6
    level0_next: dict[str, float] = field(
        default_factory=lambda: {"close": 0.45, "up": 0.47, "child_welfare": 0.08}
    )
    mean_weeks: dict[int, float] = field(default_factory=lambda: {1: 12.0, 2: 20.0, 3: 40.0})
    routing: dict[int, dict[str, float]] = field(
        default_factory=lambda: {
            1: {"up": 0.25, "child_welfare": 0.03, "close": 0.72},
            2: {"up": 0.20, "down": 0.15, "child_welfare": 0.04, "close": 0.61},
            3: {"down": 0.30, "child_welfare": 0.05, "close": 0.65},
        }
    )
    meeting_every_weeks: dict[int, float] = field(default_factory=lambda: {1: 8.0, 2: 4.0, 3: 4.0})
    entry_every_weeks: float = 2.0
    dropped_baton_share: float = 0.12
    handover_share: float = 0.3
    consent_days: int = 365
    consent_renewal_share: float = 0.75
    evaluation_share: float = 0.85
    survey_improvement: float = 0.35
    # Before go-live only the trial units keep logs (Sirdal's spring 2018: one log per baton
    # holder); a concern that would open a log does so with this probability.
    go_live: dt.date = dt.date(2018, 9, 1)
    trial_log_share: float = 0.35
    # Participants who read the log after a meeting they attended, and how soon (mean days).
    read_share: float = 0.8
    read_mean_days: float = 5.0
    # Measures whose planned evaluation date the log records, and that date (days after the
    # measure; the same as the indicators' assumption for measures without one).
    evaluation_date_share: float = 0.9
    evaluation_days: int = 70


_SOURCES = {
    "prenatal": {"health_station": 1.0},
    "0-5": {"kindergarten": 0.6, "health_station": 0.4},
    "6-15": {"school": 0.75, "school_health": 0.18, "leisure": 0.07},
    "16-19": {"school_health": 0.45, "nav": 0.2, "mental_health": 0.2, "leisure": 0.15},
    "20-23": {"nav": 0.5, "mental_health": 0.3, "adult_education": 0.1, "refugee_service": 0.1},
}
_PARTNERS = {
    "kindergarten": {"health_station": 0.4, "ppt": 0.45, "child_welfare": 0.15},
    "health_station": {"kindergarten": 0.5, "gp": 0.2, "child_welfare": 0.3},
    "school": {"ppt": 0.45, "school_health": 0.35, "child_welfare": 0.2},
    "school_health": {"school": 0.5, "mental_health": 0.3, "gp": 0.2},
    "leisure": {"school": 0.5, "police": 0.5},
    "nav": {"mental_health": 0.5, "adult_education": 0.3, "refugee_service": 0.2},
    "mental_health": {"nav": 0.5, "gp": 0.3, "school_health": 0.2},
    "adult_education": {"nav": 0.6, "refugee_service": 0.4},
    "refugee_service": {"nav": 0.5, "adult_education": 0.5},
}
_COMPLEX_PARTNERS = {
    "child_welfare": 0.25,
    "bup": 0.2,
    "ppt": 0.15,
    "mental_health": 0.1,
    "school_health": 0.1,
    "health_station": 0.05,
    "nav": 0.05,
    "police": 0.05,
    "family_counselling": 0.05,
}
# Share of a service's FTE who can hold the baton (pedagogical leaders, contact teachers …).
_HOLDER_SHARE = {"kindergarten": 1 / 3, "school": 0.6}
_CHILDREN_PER_UNIT = {"kindergarten": (1, 5, 50), "school": (6, 15, 150)}


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


class Ids:
    """Pseudonyms that are unique within a run and drawn from the seeded stream."""

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._used: set[str] = set()

    def new(self, prefix: str) -> str:
        """A new pseudonym: ``prefix`` and six hexadecimal digits."""
        while True:
            candidate = f"{prefix}{int(self._rng.integers(16**6)):06x}"
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate


@dataclass
class Staff:
    """Baton holders and participants per service, each in a unit."""

    actors: dict[str, list[tuple[str, str]]]  # service → [(actor_id, unit)]
    units: dict[str, list[str]]

    def pick(self, rng: np.random.Generator, service: str) -> tuple[str, str]:
        """A random actor of ``service`` and the unit they work in."""
        pool = self.actors[service]
        return pool[int(rng.integers(len(pool)))]


def build_staff(municipality: Municipality, ids: Ids) -> Staff:
    """The municipality's baton holders and participants, spread over units of each service.

    Parameters
    ----------
    municipality : Municipality
        Its services' staff (FTE) and its population (the number of kindergartens and
        schools).
    ids : Ids
        Gives each actor a pseudonym.

    Returns
    -------
    Staff
        Actors and units per service.

    See Also
    --------
    run_cases : The case process these actors work in.
    """
    catalogue = service_catalogue()
    actors: dict[str, list[tuple[str, str]]] = {}
    units: dict[str, list[str]] = {}
    for service, row in municipality.services.iterrows():
        name = catalogue.loc[service, "name_nb"]
        if service in _CHILDREN_PER_UNIT:
            lo, hi, per_unit = _CHILDREN_PER_UNIT[service]
            n_units = max(1, round(int(municipality.population.loc[lo:hi].sum()) / per_unit))
        else:
            n_units = 1
        names = [name] if n_units == 1 else [f"{name} {i}" for i in range(1, n_units + 1)]
        units[service] = names
        n_actors = max(1, int(np.ceil(row["staff_fte"] * _HOLDER_SHARE.get(service, 1.0))))
        actors[service] = [(ids.new("A"), names[i % n_units]) for i in range(n_actors)]
    return Staff(actors, units)


@dataclass
class _Case:
    case_id: str
    age0: int  # -1 for pregnancy
    t0: pd.Timestamp
    parent_id: str
    young_id: str
    parent_propensity: float


class CaseProcess:
    """Runs one case through the levels and records its events and intervals.

    ``rng`` draws the case process; ``extras`` (a separate stream) draws what the event log
    gained later: readings of the log and measures' planned evaluation dates.
    """

    def __init__(self, rng, ids, staff, assumptions: DemoAssumptions, end: pd.Timestamp, extras):
        self.rng, self.ids, self.staff, self.a, self.end = rng, ids, staff, assumptions, end
        self.extras = extras
        self.go_live = pd.Timestamp(assumptions.go_live)
        self.events: list[tuple] = []
        self.holding: list[tuple] = []  # (case, actor, service, unit, start, stop)
        self.levels: list[tuple] = []  # (case, level, start, stop)
        self.meetings: list[tuple] = []  # (case, time, holder actor, parent attended)
        self._seq = 0

    def event_log(self) -> pd.DataFrame:
        """The events of every case in time order (ties in the order they happened).

        Returns
        -------
        pandas.DataFrame
            The event-log contract's columns; a repeated event (same case, time, event,
            service, role and actor) is kept once.
        """
        cols = ["case_id", "event_time", "event", "level", "service", "role", "actor_id"]
        frame = pd.DataFrame(self.events, columns=[*cols, "age_band", "evaluate_by", "seq"])
        frame["evaluate_by"] = pd.to_datetime(frame["evaluate_by"]).astype("datetime64[ns]")
        frame = frame.sort_values(["event_time", "seq"]).drop(columns="seq")
        return frame.drop_duplicates(
            subset=["case_id", "event_time", "event", "service", "role", "actor_id"]
        ).reset_index(drop=True)

    def _time(self, base: pd.Timestamp, days: float) -> pd.Timestamp:
        """A working-day clock time (5-minute steps), never before ``base + days``."""
        return _working_time(self.rng, base, days)

    def _age(self, case: _Case, t: pd.Timestamp) -> int:
        return case.age0 + int((t - case.t0).days // 365.25) if case.age0 >= 0 else -1

    def _band(self, case: _Case, t: pd.Timestamp) -> str:
        if case.age0 < 0:
            return "prenatal"
        return age_band(min(self._age(case, t), 23)) or "20-23"

    def _emit(self, case, t, event, level, service, role, actor, evaluate_by=pd.NaT):
        if t <= self.end:
            self._seq += 1
            self.events.append(
                (
                    case.case_id,
                    t,
                    event,
                    level,
                    service,
                    role,
                    actor,
                    self._band(case, t),
                    evaluate_by,
                    self._seq,
                )
            )

    def run(self, case: _Case, source: str) -> None:
        """Run one case from its concern, raised by ``source``, until it closes or time ends."""
        a, rng = self.a, self.rng
        holder, unit = self.staff.pick(rng, source)
        service = source
        t = case.t0
        self._emit(case, t, "concern_raised", 0, service, "baton_holder", holder)
        decided = self._time(t, rng.lognormal(np.log(a.level0_median_days), a.level0_sigma))
        self._emit(case, decided, "level0_decision", 0, service, "baton_holder", holder)
        self.levels.append((case.case_id, 0, t, decided))
        outcome = _choice(rng, a.level0_next)
        if outcome == "up" and decided < self.go_live and rng.random() >= a.trial_log_share:
            outcome = "close"  # handled without a log while BTI is on trial
        if outcome == "child_welfare":
            self._emit(case, decided, "report_to_child_welfare", 0, service, "baton_holder", holder)
        if outcome != "up":
            self.holding.append((case.case_id, holder, service, unit, t, decided))
            return
        self._emit(case, decided, "level_changed", 1, service, "baton_holder", holder)
        self._emit(case, decided, "consent_given", 1, service, "parent", case.parent_id)
        self._emit(case, decided, "log_opened", 1, service, "baton_holder", holder)
        self._follow(case, decided, holder, service, unit)

    def _follow(self, case, t, holder, service, unit):
        a, rng = self.a, self.rng
        level, partners = 1, []
        held_since, consent_at = t, t
        dropped = rng.random() < a.dropped_baton_share
        while True:
            stay = max(14.0, rng.exponential(a.mean_weeks[level] * 7))
            leave = self._time(t, stay)
            gap = None
            if dropped:
                g0 = t + pd.Timedelta(days=float(rng.uniform(0, max(1.0, stay - 50))))
                gap = (g0, g0 + pd.Timedelta(days=float(rng.uniform(50, 90))))
                leave = max(leave, self._time(gap[1], 7))
                dropped = False
            self._add_measure(case, self._time(t, 1), level, service, holder)
            evaluated = self._time(t, rng.uniform(42, 70))
            if rng.random() < a.evaluation_share and evaluated < leave:
                self._emit(
                    case,
                    evaluated,
                    "measure_evaluated",
                    level,
                    service,
                    "baton_holder",
                    holder,
                )
            self._activity(case, t, leave, level, holder, service, partners, gap)
            if consent_at is not None:  # None: expired and never renewed
                consent_at = self._consent(case, consent_at, leave, level, service)
            self.levels.append((case.case_id, level, t, leave))
            if leave > self.end:
                self.holding.append((case.case_id, holder, service, unit, held_since, leave))
                return
            move = _choice(rng, a.routing[level])
            t = leave
            if move in ("close", "child_welfare"):
                if move == "child_welfare":
                    self._emit(
                        case, t, "report_to_child_welfare", level, service, "baton_holder", holder
                    )
                self._emit(
                    case, self._time(t, 0), "log_closed", level, service, "baton_holder", holder
                )
                self.holding.append((case.case_id, holder, service, unit, held_since, t))
                return
            level += 1 if move == "up" else -1
            self._emit(case, t, "level_changed", level, service, "baton_holder", holder)
            if move == "up":
                wanted = 1 if level == 2 else max(2, len(partners) + 1)
                pool = (
                    dict(_PARTNERS.get(service, _COMPLEX_PARTNERS))
                    if level == 2
                    else dict(_COMPLEX_PARTNERS)
                )
                while len(partners) < wanted:
                    pool = {
                        s: w
                        for s, w in pool.items()
                        if s != service and s not in partners and s in self.staff.actors
                    }
                    if not pool:
                        break
                    partners.append(_choice(rng, pool))
            else:
                partners = partners[: max(0, level - 1)]
            # The baton follows the child from kindergarten to school; otherwise it passes
            # now and then to a partner service.
            starts_school = service == "kindergarten" and self._age(case, t) >= 6
            if starts_school or (rng.random() < a.handover_share and partners):
                new_service = "school" if starts_school else partners[0]
                if new_service in partners:
                    partners[partners.index(new_service)] = service
                self.holding.append((case.case_id, holder, service, unit, held_since, t))
                holder, unit = self.staff.pick(rng, new_service)
                service, held_since = new_service, t
                self._emit(
                    case, self._time(t, 2), "baton_handover", level, service, "baton_holder", holder
                )

    def _activity(self, case, start, stop, level, holder, service, partners, gap):
        a, rng = self.a, self.rng
        in_gap = (lambda x: gap[0] <= x <= gap[1]) if gap else (lambda x: False)
        t = start
        while True:
            t = t + pd.Timedelta(days=float(rng.exponential(a.entry_every_weeks * 7)))
            if t >= stop:
                break
            when = self._time(t, 0)
            if when >= stop:
                break
            if not in_gap(t):
                self._emit(case, when, "entry_added", level, service, "baton_holder", holder)
        t = start
        every = a.meeting_every_weeks[level] * 7
        while True:
            t = t + pd.Timedelta(days=float(rng.uniform(0.75, 1.25) * every))
            if t >= stop:
                break
            if in_gap(t):
                continue
            when = self._time(t, 0)
            if when >= stop:  # moved past the stay by a weekend
                break
            self._emit(case, when, "meeting_held", level, service, "baton_holder", holder)
            for partner in partners:
                actor, _ = self.staff.pick(rng, partner)
                self._emit(case, when, "meeting_held", level, partner, "participant", actor)
                self._read(case, when, stop, level, partner, actor)
            parent = rng.random() < case.parent_propensity
            if parent:
                self._emit(case, when, "meeting_held", level, service, "parent", case.parent_id)
            young = case.age0 >= 0 and case.age0 + (when - case.t0).days / 365.25 >= 12
            if young and level >= 2 and rng.random() < 0.5:
                self._emit(
                    case, when, "meeting_held", level, service, "young_person", case.young_id
                )
            if when <= self.end:
                self.meetings.append((case.case_id, when, holder, parent))

    def _add_measure(self, case, added, level, service, holder):
        """A measure, with its planned evaluation date where the log records one."""
        evaluate_by = pd.NaT
        if self.extras.random() < self.a.evaluation_date_share:
            evaluate_by = added.normalize() + pd.Timedelta(days=self.a.evaluation_days)
        self._emit(
            case, added, "measure_added", level, service, "baton_holder", holder, evaluate_by
        )

    def _read(self, case, met, stop, level, service, actor):
        """A participant reads the log some days after a meeting (or never), before ``stop``."""
        x = self.extras
        if x.random() >= self.a.read_share:
            return
        when = _working_time(x, met, x.exponential(self.a.read_mean_days))
        if when < stop:
            self._emit(case, when, "log_read", level, service, "participant", actor)

    def _consent(self, case, consent_at, stop, level, service):
        a, rng = self.a, self.rng
        while (expired := self._time(consent_at, a.consent_days)) < stop:
            self._emit(
                case,
                expired,
                "consent_expired",
                level,
                service,
                "parent",
                case.parent_id,
            )
            if rng.random() >= a.consent_renewal_share:
                return None
            consent_at = self._time(expired, rng.uniform(1, 20))
            if consent_at >= stop:
                return consent_at
            self._emit(case, consent_at, "consent_given", level, service, "parent", case.parent_id)
        return consent_at


def _working_time(rng: np.random.Generator, base: pd.Timestamp, days: float) -> pd.Timestamp:
    """A working-day clock time (5-minute steps) from ``rng``, never before ``base + days``."""
    target = base + pd.Timedelta(days=float(days))
    t = target.normalize()
    while t.weekday() >= 5:
        t += pd.Timedelta(days=1)
    minutes = int(rng.integers(8 * 60, 15 * 60 + 30)) // 5 * 5
    result = max(t + pd.Timedelta(minutes=minutes), target.ceil("5min"))
    # A late-evening target can round into a weekend: move on to the next working day.
    return result if result.weekday() < 5 else _working_time(rng, result, 0)


def _arrivals(
    rng, municipality: Municipality, a: DemoAssumptions
) -> list[tuple[pd.Timestamp, int]]:
    days = (a.end - a.start).days + 1
    ages = np.arange(24)
    weights = np.array(
        [municipality.population.iloc[i] * a.band_weight[age_band(i)] for i in ages], dtype=float
    )
    rate = a.concerns_per_1000_per_year / 1000 * weights.sum() / 365.25 * days
    n = int(rng.poisson(rate))
    offsets = np.sort(rng.integers(0, days, size=n))
    drawn = rng.choice(ages, size=n, p=weights / weights.sum())
    prenatal = rng.random(n) < a.prenatal_share
    start = pd.Timestamp(a.start)
    return [
        (start + pd.Timedelta(days=int(d)), -1 if p else int(g))
        for d, g, p in zip(offsets, drawn, prenatal, strict=True)
    ]


def run_cases(
    municipality: Municipality,
    rng: np.random.Generator,
    ids: Ids,
    staff: Staff,
    assumptions: DemoAssumptions,
    extras: np.random.Generator | None = None,
) -> CaseProcess:
    """Run every case of a municipality through the levels, from one seeded stream.

    Parameters
    ----------
    municipality : Municipality
        Its population gives the arrivals; its services the sources and partners.
    rng : numpy.random.Generator
        The stream every draw comes from (shared with the other demo tables, in order).
    ids : Ids
        The pseudonyms of the run.
    staff : Staff
        The baton holders and participants (see :func:`build_staff`).
    assumptions : DemoAssumptions
        The stated assumptions of the process.
    extras : numpy.random.Generator, optional
        A separate stream for what the event log gained later (readings of the log, planned
        evaluation dates), so ``rng``'s draws, and every event they make, stay as they were.
        By default a stream spawned from ``rng``'s seed sequence.

    Returns
    -------
    CaseProcess
        The events, baton holdings, level stays and meetings of every case.

    See Also
    --------
    CaseProcess.event_log : The event log of the run.
    """
    end = pd.Timestamp(assumptions.end) + pd.Timedelta(hours=23, minutes=59)
    if extras is None:
        extras = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    process = CaseProcess(rng, ids, staff, assumptions, end, extras)
    for t0, age in _arrivals(rng, municipality, assumptions):
        band = "prenatal" if age < 0 else age_band(age)
        source = _choice(rng, {s: w for s, w in _SOURCES[band].items() if s in staff.actors})
        case = _Case(
            ids.new("C"),
            age,
            process._time(t0, 0),
            ids.new("F"),
            ids.new("U"),
            float(rng.beta(4, 1.5)),
        )
        process.run(case, source)
    return process
