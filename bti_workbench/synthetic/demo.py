"""Synthetic demo data: every contract for one municipality, consistent with each other.

An individual-level case process drives everything: concerns arrive from the municipality's
children, are decided at level 0, open a baton log at level 1, bring in a second service at
level 2 and more at level 3, move up and down, hand the baton over, sometimes drop it, renew
consent, and close. Report forms are aggregated from that log; staff and collaboration
surveys and the progress plan are drawn to match. Same seed, same bytes. Every file says
that it is synthetic.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bti_workbench._util.resources import data_dir
from bti_workbench.ingest.contracts import column_specs, item_catalogue
from bti_workbench.reference.municipality import Municipality, load_municipality
from bti_workbench.reference.population import age_band
from bti_workbench.reference.services import service_catalogue

__all__ = [
    "DEMO_FILES",
    "DEMO_STORE",
    "DemoAssumptions",
    "generate_demo",
    "write_demo",
    "write_demo_store",
]

SYNTHETIC_NOTE = "SYNTETISKE DATA / SYNTHETIC DATA – no real people"

#: File name → contract kind (None: a plain table for the dashboard).
DEMO_FILES: dict[str, str | None] = {
    "event_log.csv": "event-log",
    "report_form_1.csv": "report-form-1",
    "report_form_2.csv": "report-form-2",
    "staff_survey.csv": "staff-survey",
    "collaboration_survey.csv": "collaboration-survey",
    "organisation.csv": "organisation",
    "progress_plan.csv": "progress-plan",
    "population.csv": None,
    "services.csv": None,
}


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
_BARRIERS = (
    "Lite tid til å oppdatere loggen",
    "Usikkerhet om samtykke",
    "Vanskelig å få tak i PPT",
    "Foreldrene ønsket ikke logg",
    "Uklart hvem som har stafettpinnen",
    "Teknisk trøbbel med innlogging",
)
_SURVEY_SERVICES = (
    "kindergarten",
    "school",
    "health_station",
    "school_health",
    "ppt",
    "child_welfare",
    "mental_health",
    "nav",
)


def _choice(rng: np.random.Generator, weights: dict[str, float]) -> str:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]


class _Ids:
    """Pseudonyms that are unique within a run and drawn from the seeded stream."""

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self._used: set[str] = set()

    def new(self, prefix: str) -> str:
        while True:
            candidate = f"{prefix}{int(self._rng.integers(16**6)):06x}"
            if candidate not in self._used:
                self._used.add(candidate)
                return candidate


@dataclass
class _Staff:
    """Baton holders and participants per service, each in a unit."""

    actors: dict[str, list[tuple[str, str]]]  # service → [(actor_id, unit)]
    units: dict[str, list[str]]

    def pick(self, rng: np.random.Generator, service: str) -> tuple[str, str]:
        pool = self.actors[service]
        return pool[int(rng.integers(len(pool)))]


def _staff(municipality: Municipality, ids: _Ids) -> _Staff:
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
    return _Staff(actors, units)


@dataclass
class _Case:
    case_id: str
    age0: int  # -1 for pregnancy
    t0: pd.Timestamp
    parent_id: str
    young_id: str
    parent_propensity: float


class _CaseProcess:
    """Runs one case through the levels and records its events and intervals."""

    def __init__(self, rng, ids, staff, assumptions: DemoAssumptions, end: pd.Timestamp):
        self.rng, self.ids, self.staff, self.a, self.end = rng, ids, staff, assumptions, end
        self.go_live = pd.Timestamp(assumptions.go_live)
        self.events: list[tuple] = []
        self.holding: list[tuple] = []  # (case, actor, service, unit, start, stop)
        self.levels: list[tuple] = []  # (case, level, start, stop)
        self.meetings: list[tuple] = []  # (case, time, holder actor, parent attended)
        self._seq = 0

    def _time(self, base: pd.Timestamp, days: float) -> pd.Timestamp:
        """A working-day clock time (5-minute steps), never before ``base + days``."""
        target = base + pd.Timedelta(days=float(days))
        t = target.normalize()
        while t.weekday() >= 5:
            t += pd.Timedelta(days=1)
        minutes = int(self.rng.integers(8 * 60, 15 * 60 + 30)) // 5 * 5
        result = max(t + pd.Timedelta(minutes=minutes), target.ceil("5min"))
        # A late-evening target can round into a weekend: move on to the next working day.
        return result if result.weekday() < 5 else self._time(result, 0)

    def _age(self, case: _Case, t: pd.Timestamp) -> int:
        return case.age0 + int((t - case.t0).days // 365.25) if case.age0 >= 0 else -1

    def _band(self, case: _Case, t: pd.Timestamp) -> str:
        if case.age0 < 0:
            return "prenatal"
        return age_band(min(self._age(case, t), 23)) or "20-23"

    def _emit(self, case, t, event, level, service, role, actor):
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
                    self._seq,
                )
            )

    def run(self, case: _Case, source: str) -> None:
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
            self._emit(
                case, self._time(t, 1), "measure_added", level, service, "baton_holder", holder
            )
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


def _event_log(process: _CaseProcess) -> pd.DataFrame:
    cols = ["case_id", "event_time", "event", "level", "service", "role", "actor_id", "age_band"]
    frame = pd.DataFrame(process.events, columns=[*cols, "seq"])
    frame = frame.sort_values(["event_time", "seq"]).drop(columns="seq")
    return frame.drop_duplicates(
        subset=["case_id", "event_time", "event", "service", "role", "actor_id"]
    ).reset_index(drop=True)


def _monthly(frame: pd.DataFrame, key: str, time: str) -> dict[tuple, pd.DataFrame]:
    """Split rows by (key, calendar month of ``time``) once, for cheap look-ups."""
    if frame.empty:
        return {}
    months = frame[time].dt.to_period("M")
    return {k: g for k, g in frame.groupby([frame[key], months], sort=False)}


def _report_form_2(
    log: pd.DataFrame, process: _CaseProcess, kommunenummer: str, rng, a: DemoAssumptions
) -> pd.DataFrame:
    holding = pd.DataFrame(
        process.holding, columns=["case_id", "actor_id", "service", "unit", "start", "stop"]
    )
    levels = pd.DataFrame(process.levels, columns=["case_id", "level", "start", "stop"])
    opened = log[log["event"] == "log_opened"].groupby("case_id")["event_time"].min()
    meetings = _monthly(
        pd.DataFrame(process.meetings, columns=["case_id", "time", "actor_id", "parent"]),
        "actor_id",
        "time",
    )
    given = log.loc[log["event"] == "consent_given", ["case_id", "event_time"]]
    given = given.merge(holding[["case_id", "actor_id", "start", "stop"]], on="case_id")
    given = given[(given["start"] <= given["event_time"]) & (given["event_time"] <= given["stop"])]
    given = given.drop_duplicates(["case_id", "event_time"], keep="last")  # the new holder
    consents = _monthly(given, "actor_id", "event_time")
    opened_by = _monthly(log[log["event"] == "log_opened"], "actor_id", "event_time")
    entries_by = _monthly(log[log["event"] == "entry_added"], "actor_id", "event_time")
    empty = pd.DataFrame({"case_id": [], "parent": []})
    rows = []
    months = pd.period_range(pd.Timestamp(a.start), pd.Timestamp(a.end), freq="M")
    for month in months:
        p0, p1 = month.start_time, month.end_time.normalize()
        p1_end = p1 + pd.Timedelta(days=1)
        active = holding[(holding["start"] < p1_end) & (holding["stop"] >= p0)]
        active = active[active["case_id"].isin(opened.index)]
        active = active[active["case_id"].map(opened) < p1_end]
        at_month_end = levels[(levels["start"] < p1_end) & (levels["stop"] >= p1_end)]
        level_of = dict(zip(at_month_end["case_id"], at_month_end["level"], strict=True))
        for (actor, service, unit), held in active.groupby(["actor_id", "service", "unit"]):
            at_end = set(held.loc[held["stop"] >= p1_end, "case_id"]) & set(level_of)
            by_level = pd.Series([level_of[c] for c in at_end], dtype="int64").value_counts()
            m = meetings.get((actor, month), empty)
            parents = set(m.loc[m["parent"].astype(bool), "case_id"]) & at_end
            n_opened = len(opened_by.get((actor, month), ()))
            n_consents = len(consents.get((actor, month), ()))
            entries = len(entries_by.get((actor, month), ()))
            hours = round((1.5 * len(m) + 0.25 * entries + 0.5 * n_opened) * 2) / 2
            useful = int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.1, 0.25, 0.35, 0.25]))
            rows.append(
                {
                    "municipality": kommunenummer,
                    "unit": unit,
                    "service": service,
                    "baton_holder_id": actor,
                    "period_start": p0,
                    "period_end": p1,
                    "logs_opened": n_opened,
                    "active_level_1": int(by_level.get(1, 0)),
                    "active_level_2": int(by_level.get(2, 0)),
                    "active_level_3": int(by_level.get(3, 0)),
                    "parents_participating": len(parents),
                    "consents_given": n_consents,
                    "meetings_held": len(m),
                    "hours_used": hours,
                    "usefulness": pd.NA if rng.random() < 0.1 else useful,
                    "barriers": _BARRIERS[int(rng.integers(len(_BARRIERS)))]
                    if rng.random() < 0.25
                    else "",
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("report-form-2")))


def _report_form_1(municipality: Municipality, staff: _Staff, ids: _Ids, rng) -> pd.DataFrame:
    rows = []
    for service in ("kindergarten", "health_station", "school", "school_health"):
        if service not in staff.units:
            continue
        units = staff.units[service]
        per_unit = max(1, round(municipality.services.loc[service, "staff_fte"] / len(units)))
        for unit in units:
            trained = int(rng.binomial(per_unit, 0.8))
            rows.append(
                {
                    "municipality": municipality.kommunenummer,
                    "unit": unit,
                    "service": service,
                    "superuser_id": ids.new("S"),
                    "report_date": pd.Timestamp(2018, 3, 1),
                    "staff_in_unit": per_unit,
                    "staff_trained": trained,
                    "meetings_held": int(rng.integers(1, 4)),
                    "case_discussed": bool(rng.random() < 0.9),
                    "action_guide_reviewed": bool(rng.random() < 0.85),
                    "fictional_log_created": bool(rng.random() < 0.6),
                    "barriers": _BARRIERS[int(rng.integers(len(_BARRIERS)))]
                    if rng.random() < 0.4
                    else "",
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("report-form-1")))


def _staff_survey(municipality: Municipality, ids: _Ids, rng, a: DemoAssumptions) -> pd.DataFrame:
    items = list(item_catalogue().index)
    base = dict(zip(items, rng.normal(0.0, 0.4, len(items)), strict=True))
    rows = []
    for wave, day, shift in (
        ("baseline", dt.date(2017, 11, 15), 0.0),
        ("follow_up", dt.date(2019, 5, 15), a.survey_improvement),
    ):
        for service in _SURVEY_SERVICES:
            if service not in municipality.services.index:
                continue
            n = max(2, round(municipality.services.loc[service, "staff_fte"] * 0.5))
            for _ in range(n):
                person = rng.normal(0, 0.6)
                row = {
                    "respondent_id": ids.new("R"),
                    "municipality": municipality.kommunenummer,
                    "wave": wave,
                    "date": pd.Timestamp(day) + pd.Timedelta(days=int(rng.integers(0, 14))),
                    "service": service,
                    "role": "leader" if rng.random() < 0.1 else "staff",
                }
                for item in items:
                    latent = 3.1 + base[item] + shift + person + rng.normal(0, 0.7)
                    row[item] = (
                        pd.NA if rng.random() < 0.04 else int(np.clip(np.rint(latent), 1, 5))
                    )
                rows.append(row)
    return pd.DataFrame(rows, columns=[*column_specs("staff-survey"), *items])


def _collaboration_survey(log: pd.DataFrame, municipality: Municipality, rng) -> pd.DataFrame:
    shared = log[log["role"].isin(["baton_holder", "participant"])]
    pairs = shared.groupby("case_id")["service"].agg(lambda s: sorted(set(s)))
    counts: dict[tuple[str, str], int] = {}
    for services in pairs:
        for i, x in enumerate(services):
            for y in services[i + 1 :]:
                counts[(x, y)] = counts.get((x, y), 0) + 1
    responding = [s for s in _SURVEY_SERVICES if s in municipality.services.index]
    rows = []
    frequencies = ["never", "yearly", "quarterly", "monthly", "weekly"]
    for x in responding:
        for y in responding:
            if x == y:
                continue
            n = counts.get(tuple(sorted((x, y))), 0)
            step = int(np.clip(np.floor(np.log1p(n) * 1.2 + rng.normal(0.8, 0.7)), 0, 4))
            trust = int(np.clip(np.rint(rng.normal(2.6 + 0.15 * step, 0.6)), 1, 4))
            value = int(np.clip(np.rint(rng.normal(2.5 + 0.2 * step, 0.6)), 1, 4))
            rows.append(
                {
                    "municipality": municipality.kommunenummer,
                    "date": pd.Timestamp(2019, 5, 20),
                    "respondent_service": x,
                    "partner_service": y,
                    "frequency": frequencies[step],
                    "trust": trust,
                    "value": value,
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("collaboration-survey")))


def _organisation(municipality: Municipality) -> pd.DataFrame:
    path = data_dir() / "organisation" / "sirdal.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows = []
    for group in doc["groups"]:
        for member in group["members"]:
            if member["service"] not in municipality.services.index and member["service"] not in (
                "public_health",
                "administration",
            ):
                continue
            title = member["title"]
            if municipality.kommunenummer != "4228":
                title = title.replace("Sirdal", municipality.name)
                title = title.replace("Sinnes skule", "skole 1").replace("Tonstad skule", "skole 2")
                title = title.replace("Øvre Sirdal barnehage", "barnehage 1")
                title = title.replace("Tonstad barnehage", "barnehage 2")
            rows.append(
                {
                    "group": group["group"],
                    "kind": group["kind"],
                    "meetings_per_year": float(group["meetings_per_year"]),
                    "hours_per_meeting": float(group["hours_per_meeting"]),
                    "service": member["service"],
                    "title": title,
                }
            )
    return pd.DataFrame(rows, columns=list(column_specs("organisation")))


def _progress_plan(rng) -> pd.DataFrame:
    from bti_workbench.ingest.readers import read_progress_plan

    plan = read_progress_plan(data_dir() / "progress_plan" / "sirdal_2018_h1.csv")
    as_of = pd.Timestamp(2018, 7, 1)
    status, done = [], []
    for deadline in plan["deadline"]:
        draw = rng.random()
        if deadline < as_of and draw < 0.85:
            status.append("done")
            done.append(deadline + pd.Timedelta(days=int(np.clip(rng.normal(2, 8), -20, 30))))
        elif draw > 0.97:
            status.append("cancelled")
            done.append(pd.NaT)
        else:
            status.append("planned")
            done.append(pd.NaT)
    return plan.assign(status=status, done_date=done)


def generate_demo(
    municipality: Municipality, seed: int, assumptions: DemoAssumptions | None = None
) -> dict[str, pd.DataFrame]:
    """Generate every contract for a municipality from one seeded case process.

    Parameters
    ----------
    municipality : Municipality
    seed : int
        The same seed gives the same tables.
    assumptions : DemoAssumptions, optional

    Returns
    -------
    dict
        File name (see :data:`DEMO_FILES`) → table.

    Examples
    --------
    >>> tables = generate_demo(load_municipality("4228"), seed=1)
    >>> sorted(tables)[:2]
    ['collaboration_survey.csv', 'event_log.csv']
    """
    a = assumptions or DemoAssumptions()
    rng = np.random.default_rng(seed)
    ids = _Ids(rng)
    staff = _staff(municipality, ids)
    end = pd.Timestamp(a.end) + pd.Timedelta(hours=23, minutes=59)
    process = _CaseProcess(rng, ids, staff, a, end)
    for t0, age in _arrivals(rng, municipality, a):
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
    log = _event_log(process)
    population = (
        municipality.population.rename("persons")
        .reset_index()
        .assign(
            kommunenummer=municipality.kommunenummer,
            kommunenavn=municipality.name,
            source=municipality.population_source,
        )[["kommunenummer", "kommunenavn", "age", "persons", "source"]]
    )
    return {
        "event_log.csv": log,
        "report_form_1.csv": _report_form_1(municipality, staff, ids, rng),
        "report_form_2.csv": _report_form_2(log, process, municipality.kommunenummer, rng, a),
        "staff_survey.csv": _staff_survey(municipality, ids, rng, a),
        "collaboration_survey.csv": _collaboration_survey(log, municipality, rng),
        "organisation.csv": _organisation(municipality),
        "progress_plan.csv": _progress_plan(rng),
        "population.csv": population,
        "services.csv": municipality.services.reset_index(),
    }


def _to_csv(frame: pd.DataFrame, path: Path, header_note: str) -> None:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            values = out[column]
            with_time = bool((values.dropna() != values.dropna().dt.normalize()).any())
            fmt = "%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"
            out[column] = values.dt.strftime(fmt)
        elif pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "ja", False: "nei"})
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(f"# {header_note}\n")
        out.to_csv(fh, index=False, lineterminator="\n", float_format="%.2f")


def write_demo(
    out: str | Path,
    kommunenummer: str | int = "4228",
    seed: int = 1,
    population_file: str | Path | None = None,
    go_live: str | dt.date | None = None,
) -> list[Path]:
    """Write the demo files for a municipality into ``out``, all or nothing.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to write (created if needed; files of the same names are replaced).
    kommunenummer : str or int
    seed : int
    population_file : str or pathlib.Path, optional
        SSB 07459 file; defaults to ``data/municipalities.csv``.
    go_live : str or datetime.date, optional
        When BTI goes live in all units (before it, only the trial keeps logs); defaults to
        :attr:`DemoAssumptions.go_live`. Recorded in ``manifest.json``.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> files = write_demo(tempfile.mkdtemp(), "4228", seed=1)
    >>> sorted(path.name for path in files)[:2]
    ['collaboration_survey.csv', 'event_log.csv']
    """
    municipality = load_municipality(kommunenummer, population_file)
    assumptions = DemoAssumptions()
    if go_live is not None:
        assumptions = dataclasses.replace(assumptions, go_live=pd.Timestamp(go_live).date())
    tables = generate_demo(municipality, seed, assumptions)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    note = (
        f"{SYNTHETIC_NOTE}. bti demo-data --municipality {municipality.kommunenummer} "
        f"--seed {seed} ({municipality.name})"
    )
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        for name, frame in tables.items():
            _to_csv(frame, staging / name, note)
        manifest = {
            "synthetic": True,
            "note": SYNTHETIC_NOTE,
            "municipality": municipality.kommunenummer,
            "name": municipality.name,
            "seed": seed,
            "go_live": assumptions.go_live.isoformat(),
            "population_source": municipality.population_source,
            "population_exact": municipality.population_exact,
            "files": {name: kind for name, kind in DEMO_FILES.items()},
            "rows": {name: len(frame) for name, frame in tables.items()},
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written = []
        for path in sorted(staging.iterdir()):
            os.replace(path, out / path.name)
            written.append(out / path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


#: The demo store: municipalities with their seeds and go-live dates (staggered on purpose).
DEMO_STORE = (("4228", 1, "2018-09-01"), ("1106", 7, "2019-03-01"), ("3807", 3, "2019-09-01"))


def write_demo_store(
    path: str | Path, municipalities: tuple[tuple[str, int, str], ...] = DEMO_STORE
) -> Path:
    """Write demo data for several municipalities and import it into a new store at ``path``.

    The store is built beside ``path`` and moved into place when complete, so running it again
    replaces the demo store whole. Use a path of its own (``data/store/demo.duckdb``), never a
    store with real imports.

    Parameters
    ----------
    path : str or pathlib.Path
    municipalities : sequence of (kommunenummer, seed, go-live)
        Defaults to :data:`DEMO_STORE`: Sirdal live 1 September 2018, Haugesund 1 March 2019,
        Skien 1 September 2019.

    Returns
    -------
    pathlib.Path
    """
    from bti_workbench.ingest.store import import_files

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".demo-store-", dir=path.parent) as folder:
        folders = []
        for kommunenummer, seed, go_live in municipalities:
            target = Path(folder) / kommunenummer
            write_demo(target, kommunenummer, seed, go_live=go_live)
            folders.append(target)
        built = Path(folder) / "store.duckdb"
        import_files(built, folders)
        os.replace(built, path)
    return path
