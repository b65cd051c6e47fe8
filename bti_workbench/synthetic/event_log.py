"""Synthetic event logs whose cases follow a scenario exactly, for recovery tests and demos.

:func:`event_log_from_scenario` goes the other way from calibration: a seeded synthetic log
whose cases follow a scenario's arrivals, durations and routing exactly, so that
:func:`~bti_workbench.simulation.calibration.estimate.estimate_parameters` can be checked to
recover the scenario's numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from bti_workbench.eventlog import event_rank
from bti_workbench.simulation.calibration.stays import OPEN, OUTCOMES
from bti_workbench.simulation.calibration.write import scenario_mapping
from bti_workbench.simulation.model import Model, compile_model
from bti_workbench.simulation.scenario.parse import parse_scenario
from bti_workbench.simulation.scenario.types import WEEKS_PER_YEAR, Scenario

__all__ = ["event_log_from_scenario"]

_MINUTES_PER_WEEK = 7 * 24 * 60
_UP, _DOWN, _CW, _CLOSED = range(len(OUTCOMES))


def event_log_from_scenario(
    scenario: str | Path | dict,
    *,
    weeks: int,
    seed: int,
    start: str | pd.Timestamp = "2019-01-07",
) -> pd.DataFrame:
    """A synthetic event log whose cases follow a scenario's arrivals, stays and routing.

    New concerns arrive as Poisson counts per week, age band and source service at the
    scenario's rates, seasonality included (the ISO week of each calendar week picks the
    season), at a uniform moment in the week. Each case then stays at a level for a
    duration drawn from the level's distribution and moves on by the level's ``next``
    shares, exactly as in the model, until it closes, is reported to child welfare or the
    log ends (``weeks`` after ``start``). No resources: nobody waits.

    Events, in the contract's columns: ``concern_raised`` (by the source service);
    ``level0_decision`` at the end of every level-0 stay; going up from level 0 the first
    time ``level_changed``, ``consent_given`` (parent) and ``log_opened`` (the baton-holder
    service); ``level_changed`` for every move; ``report_to_child_welfare`` and/or
    ``log_closed`` at the end; ``meeting_held`` at the scenario's meeting intervals with the
    baton holder and the case's partner service. Times are rounded to the minute (a stay
    lasts at least one); the age band is the one at the concern. Warm-start cases are not
    generated: the log starts empty.

    Parameters
    ----------
    scenario : str, pathlib.Path or dict
        A scenario with ``arrivals.per_1000_per_year`` (a plain Poisson rate has no age
        bands or services to log).
    weeks : int
        Length of the log.
    seed : int
        Same seed, same log.
    start : str or pandas.Timestamp
        First day of the log.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id, event_time, event, level, service, role, actor_id, age_band``,
        sorted by time (events of one case at the same minute in
        :data:`~bti_workbench.eventlog.EVENT_ORDER`); pseudonyms ``C…`` (cases), ``A…``
        (staff), ``P…`` (parents).

    See Also
    --------
    bti_workbench.simulation.calibration.estimate.estimate_parameters : reads such a log.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> log = event_log_from_scenario(data_dir() / "scenarios" / "sirdal.yaml", weeks=52,
    ...                               seed=1)
    >>> log["event"].iloc[0], log.columns.tolist()[:3]
    ('concern_raised', ['case_id', 'event_time', 'event'])
    """
    doc, folder, source = scenario_mapping(scenario)
    parsed = parse_scenario(doc, source, folder)
    if "per_1000_per_year" not in (doc.get("arrivals") or {}):
        raise ValueError(
            f"{source}: an event log needs arrivals.per_1000_per_year (age bands and services)"
        )
    weeks = int(weeks)
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    start = pd.Timestamp(start).normalize()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    rng_arrivals, rng_route, rng_partner, rng_people, *rng_levels = streams
    model = compile_model(parsed)
    table = parsed.arrivals.table.reset_index(drop=True)
    arrival, row = _arrivals(doc, source, folder, table, start, weeks, rng_arrivals)
    klass = np.array([model.classes.index(h) for h in table["baton_holder"]], dtype=np.int64)[row]
    stays = _stays(parsed, model, arrival, weeks, rng_route, rng_levels)
    actors = _actors(parsed, model, table, row, klass, stays, rng_partner, rng_people)
    events = _events(parsed, stays, actors, len(arrival), weeks, rng_people)
    return _frame(events, actors.case_ids, table["age_band"].to_numpy(dtype=object)[row], start)


# --- the steps of event_log_from_scenario -------------------------------------------------


class _Stays(NamedTuple):
    """One entry per stay (times in minutes from the start)."""

    case: np.ndarray  # the case's number
    level: np.ndarray
    entry: np.ndarray
    exit: np.ndarray  # OPEN while open at the end of the log
    outcome: np.ndarray  # a position in OUTCOMES, or OPEN
    log_open: np.ndarray  # the case's log was open when the stay began
    first: np.ndarray  # the case's first stay
    concern: np.ndarray  # per case: the minute of its concern


class _Actors(NamedTuple):
    """Who acts for each case and stay, and the pseudonyms of cases and parents."""

    services: list[str]  # every service named, in the order of the codes below
    partner_names: list[str]  # the model's partner services
    source: np.ndarray  # per case: code of the service that raised the concern
    holder_service: np.ndarray  # per case: code of the service holding the baton
    noticer: np.ndarray  # per case: the actor who raised the concern
    holder: np.ndarray  # per case: the baton holder
    partner: np.ndarray  # per stay: the partner service (-1 for none)
    partner_actor: np.ndarray  # per stay: the partner's actor
    case_ids: np.ndarray
    parents: np.ndarray


def _arrivals(
    doc: dict,
    source: str,
    folder: Path,
    table: pd.DataFrame,
    start: pd.Timestamp,
    weeks: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """New concerns: Poisson per calendar week and (band, source), seasonality by ISO week.

    Returns the arrival times in weeks from ``start``, sorted, and each one's row of the
    arrivals table.
    """
    names, factors = _source_seasons(doc, source, folder)
    season_spec = doc["arrivals"].get("seasonality") or {}
    first_week = int(season_spec.get("start_week", 1))
    iso = pd.DatetimeIndex(start + pd.to_timedelta(7 * np.arange(weeks), unit="D"))
    position = (iso.isocalendar().week.to_numpy(np.int64) - first_week) % 52
    columns = [names.index(s) for s in table["source"]]
    rate = factors[position][:, columns] * (table["per_year"].to_numpy() / WEEKS_PER_YEAR)
    drawn = rng.poisson(rate)
    week_of, row_of = np.nonzero(drawn)
    count = drawn[week_of, row_of]
    arrival = np.repeat(week_of, count) + rng.random(int(count.sum()))
    row = np.repeat(row_of, count)
    order = np.argsort(arrival, kind="stable")
    return arrival[order], row[order]


def _stays(
    parsed: Scenario,
    model: Model,
    arrival: np.ndarray,
    weeks: int,
    rng_route: np.random.Generator,
    rng_levels: list[np.random.Generator],
) -> _Stays:
    """Paths through the levels, all cases at once, one stay per round."""
    n = len(arrival)
    horizon = weeks * _MINUTES_PER_WEEK
    cumulative = np.cumsum(model.shares, axis=1)
    cumulative[:, -1] = 1.0
    level = np.zeros(n, dtype=np.int64)
    now = arrival.copy()
    now_min = np.floor(arrival * _MINUTES_PER_WEEK).astype(np.int64)
    concern_min = now_min.copy()
    log_open = np.zeros(n, dtype=bool)
    active = np.arange(n)
    parts: list[tuple[np.ndarray, ...]] = []
    first_round = True
    while active.size:
        here = level[active]
        stay = np.empty(len(active))
        for lv in range(4):
            mask = here == lv
            if mask.any():
                stay[mask] = parsed.levels[lv].duration.sample(rng_levels[lv], int(mask.sum()))
        end = now[active] + stay
        end_min = np.maximum(
            np.floor(end * _MINUTES_PER_WEEK).astype(np.int64), now_min[active] + 1
        )
        u = rng_route.random(len(active))
        outcome = np.minimum((u[:, None] >= cumulative[here]).sum(axis=1), _CLOSED)
        outcome = np.where(end_min >= horizon, OPEN, outcome)
        parts.append(
            (
                active,
                here,
                now_min[active],
                np.where(outcome == OPEN, OPEN, end_min),
                outcome,
                log_open[active].copy(),
                np.full(len(active), first_round),
            )
        )
        log_open[active[(outcome == _UP) & (here == 0)]] = True
        moving = (outcome == _UP) | (outcome == _DOWN)
        level[active[moving]] += np.where(outcome[moving] == _UP, 1, -1)
        now[active], now_min[active] = end, end_min
        active = active[moving]
        first_round = False
    columns = (np.concatenate(p) for p in zip(*parts, strict=True))
    return _Stays(*columns, concern=concern_min)


def _actors(
    parsed: Scenario,
    model: Model,
    table: pd.DataFrame,
    row: np.ndarray,
    klass: np.ndarray,
    stays: _Stays,
    rng_partner: np.random.Generator,
    rng_people: np.random.Generator,
) -> _Actors:
    """Staff of the source at the first level 0, the baton holder after that, partners."""
    sources = table["source"].tolist()
    partner_names = list(model.services)
    services = list(dict.fromkeys([*sources, *model.classes, *partner_names]))
    pools = _pools(parsed, services, rng_people)
    source = np.array([services.index(s) for s in sources], dtype=np.int64)[row]
    holder_service = np.array([services.index(c) for c in model.classes])[klass]
    noticer = _pick(pools, services, source, rng_people)
    holder = _pick(pools, services, holder_service, rng_people)
    # Partners for stays at levels 2 and 3, drawn from the level's mix for the class.
    partner = np.full(len(stays.case), -1, dtype=np.int64)
    for level_number in (2, 3):
        for c in range(len(model.classes)):
            mask = (stays.level == level_number) & (klass[stays.case] == c)
            if mask.any():
                mix = model.partner_mix[level_number, c]
                drawn = rng_partner.choice(len(mix), size=int(mask.sum()), p=mix / mix.sum())
                partner[mask] = np.where(drawn == model.none, -1, drawn)
    partner_actor = _pick(pools, partner_names, partner, rng_people)
    n = len(row)
    numbers = rng_people.permutation(n) + 1
    width = max(6, len(str(n)))
    return _Actors(
        services=services,
        partner_names=partner_names,
        source=source,
        holder_service=holder_service,
        noticer=noticer,
        holder=holder,
        partner=partner,
        partner_actor=partner_actor,
        case_ids=np.array([f"C{x:0{width}d}" for x in numbers], dtype=object),
        parents=np.array([f"P{x:0{width}d}" for x in numbers], dtype=object),
    )


class _Blocks:
    """Events collected block by block: (case, minute, event, level, service, role, actor)."""

    def __init__(self) -> None:
        self.blocks: list[tuple[np.ndarray, ...]] = []

    def emit(self, cases, minute, event, level_after, service, role, actor) -> None:
        size = len(cases)
        self.blocks.append(
            (
                cases,
                minute,
                np.full(size, event, dtype=object),
                np.broadcast_to(level_after, size).astype(np.int64),
                service,
                np.full(size, role, dtype=object),
                actor,
            )
        )

    def columns(self) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate(column) for column in zip(*self.blocks, strict=True))


def _events(
    parsed: Scenario,
    stays: _Stays,
    actors: _Actors,
    n: int,
    weeks: int,
    rng_people: np.random.Generator,
) -> tuple[np.ndarray, ...]:
    """Every event of every case, before the log's end, in the order of the log."""
    blocks = _Blocks()
    service_array = np.array(actors.services, dtype=object)
    blocks.emit(
        np.arange(n),
        stays.concern,
        "concern_raised",
        0,
        service_array[actors.source],
        "baton_holder",
        actors.noticer,
    )
    _exit_events(blocks, stays, actors)
    if parsed.resources is not None:
        _meeting_events(blocks, parsed, stays, actors, weeks * _MINUTES_PER_WEEK)
    case, minute, event, *rest = blocks.columns()
    keep = minute < weeks * _MINUTES_PER_WEEK
    order = np.lexsort((event_rank(event[keep]), case[keep], minute[keep]))
    pick = np.flatnonzero(keep)[order]
    return tuple(column[pick] for column in (case, minute, event, *rest))


def _exit_events(blocks: _Blocks, stays: _Stays, actors: _Actors) -> None:
    """The events at the end of each stay: decision, report, level change, consent, log."""
    s, lv, outcome, was_open = stays.case, stays.level, stays.outcome, stays.log_open
    service_array = np.array(actors.services, dtype=object)
    at_source = (lv == 0) & stays.first
    stay_service = service_array[np.where(at_source, actors.source[s], actors.holder_service[s])]
    stay_actor = np.where(at_source, actors.noticer[s], actors.holder[s])
    baton_service = service_array[actors.holder_service[s]]
    baton_actor = actors.holder[s]
    ended = outcome >= 0
    moving = (outcome == _UP) | (outcome == _DOWN)
    opening = (outcome == _UP) & (lv == 0) & ~was_open
    moves = (
        # event, which stays, level after, service, role, actor
        ("level0_decision", ended & (lv == 0), lv, stay_service, "baton_holder", stay_actor),
        ("report_to_child_welfare", outcome == _CW, lv, stay_service, "baton_holder", stay_actor),
        (
            "level_changed",
            moving,
            lv + np.where(outcome == _UP, 1, -1),
            baton_service,
            "baton_holder",
            baton_actor,
        ),
        ("consent_given", opening, lv + 1, baton_service, "parent", actors.parents[s]),
        ("log_opened", opening, lv + 1, baton_service, "baton_holder", baton_actor),
        (
            "log_closed",
            ((outcome == _CLOSED) | (outcome == _CW)) & ((lv > 0) | was_open),
            lv,
            baton_service,
            "baton_holder",
            baton_actor,
        ),
    )
    for event, m, after, service, role, actor in moves:
        blocks.emit(s[m], stays.exit[m], event, after[m], service[m], role, actor[m])


def _meeting_events(
    blocks: _Blocks, parsed: Scenario, stays: _Stays, actors: _Actors, horizon: int
) -> None:
    """Meetings at each level's interval: the baton holder, and the partner if any."""
    s, lv = stays.case, stays.level
    service_array = np.array(actors.services, dtype=object)
    baton_service = service_array[actors.holder_service[s]]
    baton_actor = actors.holder[s]
    stop_at = np.where(stays.outcome >= 0, stays.exit, horizon)
    for level_number, meeting in parsed.resources.meetings.items():
        every = meeting.every_weeks * _MINUTES_PER_WEEK
        stays_here = np.flatnonzero(lv == level_number)
        stop = stop_at[stays_here]
        times = np.maximum(
            np.ceil((stop - stays.entry[stays_here]) / every).astype(np.int64) - 1, 0
        )
        index = np.repeat(stays_here, times)
        nth = np.arange(len(index)) - np.repeat(np.cumsum(times) - times, times) + 1
        minute = stays.entry[index] + np.floor(nth * every).astype(np.int64)
        keep = minute < stop_at[index]
        index, minute = index[keep], minute[keep]
        blocks.emit(
            s[index],
            minute,
            "meeting_held",
            lv[index],
            baton_service[index],
            "baton_holder",
            baton_actor[index],
        )
        joined = actors.partner[index] >= 0
        index, minute = index[joined], minute[joined]
        blocks.emit(
            s[index],
            minute,
            "meeting_held",
            lv[index],
            np.array(actors.partner_names, dtype=object)[actors.partner[index]],
            "participant",
            actors.partner_actor[index],
        )


def _frame(
    events: tuple[np.ndarray, ...], case_ids: np.ndarray, bands: np.ndarray, start: pd.Timestamp
) -> pd.DataFrame:
    """The events as a log in the contract's columns."""
    case, minute, event, level_after, service, role, actor = events
    return pd.DataFrame(
        {
            "case_id": case_ids[case],
            "event_time": np.datetime64(start, "ns") + minute.astype("timedelta64[m]"),
            "event": event,
            "level": level_after.astype(np.int64),
            "service": service,
            "role": role,
            "actor_id": actor,
            "age_band": bands[case],
        }
    )


def _source_seasons(doc: dict, source: str, folder: Path) -> tuple[list[str], np.ndarray]:
    """Per source service, the weekly multiplier of its yearly rate over 52 weeks.

    The scenario sums arrivals into baton-holder classes; read once more without that
    mapping (and without resources), each source is its own class, so its yearly pattern
    divided by its mean is its seasonal factor.
    """
    spec = doc["arrivals"]
    arrivals = {"per_1000_per_year": spec["per_1000_per_year"]}
    if spec.get("seasonality") is not None:
        arrivals["seasonality"] = spec["seasonality"]
    sub = {"name": "sources", "horizon_weeks": 52, "arrivals": arrivals, "levels": doc["levels"]}
    for key in ("municipality", "population_file"):
        if key in doc:
            sub[key] = doc[key]
    parsed = parse_scenario(sub, source, folder).arrivals
    totals = parsed.table.groupby("source")["per_year"].sum()
    yearly = parsed.yearly if parsed.yearly is not None else parsed.weekly[:52]
    factors = np.ones_like(yearly)
    for j, name in enumerate(parsed.classes):
        if totals[name] > 0:
            factors[:, j] = yearly[:, j] * WEEKS_PER_YEAR / totals[name]
    return list(parsed.classes), factors


def _pools(scenario: Scenario, services: list[str], rng: np.random.Generator) -> dict:
    """Pseudonymous actors per service: its baton holders, else its staff, else three."""
    sizes = {}
    for name in services:
        size = 0
        if scenario.resources is not None:
            try:
                size = scenario.resources.service(name).baton_holders
            except KeyError:
                size = 0
        staffing = scenario.municipality.services if scenario.municipality else pd.DataFrame()
        if not size and name in staffing.index:
            size = round(float(staffing.loc[name, "staff_fte"]))
        sizes[name] = int(min(max(size, 1) if size else 3, 5000))
    numbers = rng.permutation(sum(sizes.values())) + 1
    width = max(5, len(str(len(numbers))))
    pools, at = {}, 0
    for name, size in sizes.items():
        pools[name] = np.array([f"A{n:0{width}d}" for n in numbers[at : at + size]], dtype=object)
        at += size
    return pools


def _pick(
    pools: dict, names: list[str], services: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One actor per row from the pool of the row's service (empty where it is -1)."""
    out = np.full(len(services), "", dtype=object)
    for s in np.unique(services[services >= 0]):
        mask = services == s
        pool = pools[names[s]]
        out[mask] = pool[rng.integers(len(pool), size=int(mask.sum()))]
    return out
