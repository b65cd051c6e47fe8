"""The `ciw` engine: an individual-level discrete-event simulation built on Ciw.

It runs the same scenario by the same rules (:mod:`bti_workbench.simulation.model`) as the `fast`
engine and returns the same result schema, plus one row per case (its wait for a baton
holder, its time to level-2 collaboration, how it ended). It is the independent reference:
Ciw schedules the events, samples arrivals, durations and routing, and keeps the records;
this module adds what Ciw has no notion of, the baton-holder slots and service hours that a
case holds across levels. Each level is a Ciw node; reports to child welfare go through an
extra pass-through node so they can be counted. A level with its own ``slots`` uses Ciw's
servers; the others have unlimited servers and a case starts there only when the shared
resources let it (first come, first served within a service and level).

Arrivals with seasonality are a non-homogeneous Poisson process sampled by thinning, on a
stream per class of their own: options compared with the same seed share their arrivals
(common random numbers); durations and routing come from Ciw's shared stream.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable

import ciw
import numpy as np
import pandas as pd

from bti_workbench.simulation.model import PRIORITY, Model, compile_model
from bti_workbench.simulation.output import (
    LEVEL_MEASURES,
    QUEUE_MEASURES,
    FlowResult,
    RunArrays,
)
from bti_workbench.simulation.scenario.types import Duration, Scenario

__all__ = ["simulate_ciw"]

_WARM_ID = 10**9


def _distribution(duration: Duration) -> ciw.dists.Distribution:
    if duration.distribution == "exponential":
        return ciw.dists.Exponential(1.0 / duration.mean_weeks)
    if duration.distribution == "erlang":
        k = int(duration.shape)
        return ciw.dists.Erlang(k / duration.mean_weeks, k)
    sigma = float(duration.shape)
    return ciw.dists.Lognormal(math.log(duration.mean_weeks) - sigma**2 / 2, sigma)


class _WeeklyPoisson(ciw.dists.Distribution):
    """Poisson arrivals whose rate per week changes week by week (thinning).

    Each class draws from a stream of its own, so runs with the same seed (an option and
    its baseline) see the same concerns arrive.
    """

    def __init__(self, weekly: np.ndarray, seed: int) -> None:
        self.weekly = [float(x) for x in weekly]
        self.top = max(self.weekly)
        self.random = random.Random(seed)

    def sample(self, t: float | None = None, ind: object = None) -> float:
        if self.top <= 0:
            return math.inf
        now = t or 0.0
        clock = now
        last = len(self.weekly) - 1
        while True:
            clock += self.random.expovariate(self.top)
            rate = self.weekly[min(int(clock), last)]
            if self.random.random() * self.top < rate:
                return clock - now


class _Gate:
    """Baton-holder slots and service hours shared by the level nodes of one run."""

    def __init__(self, model: Model, rng: np.random.Generator) -> None:
        self.m = model
        self.rng = rng
        n = len(model.services)
        self.slots = np.zeros(n)
        self.hours = np.zeros(n)
        # One queue per service and level entered, served level 3, 2, then 1.
        self.queues = [{level: deque() for level in PRIORITY} for _ in range(n)]
        self.events: list[tuple[float, int, float, float, int]] = []
        self.mix_cum = np.cumsum(model.partner_mix, axis=2)

    def _book(self, now: float, service: int, slots: float, hours: float, waiting: int) -> None:
        if service < 0 or not (slots or hours or waiting):
            return
        self.slots[service] += slots
        self.hours[service] += hours
        self.events.append((now, service, slots, hours, waiting))

    def _fits(self, service: int, level: int) -> bool:
        m = self.m
        if level == 1:
            need = m.baton_hours[1]
            if self.slots[service] + 1 > m.slots[service] + 1e-9:
                return False
        else:
            need = m.partner_hours[level, service]
        return need <= 0 or self.hours[service] + need <= m.hours[service] + 1e-9

    def _grant(self, now: float, service: int, level: int, ind: ciw.Individual) -> None:
        m = self.m
        if level == 1:
            ind.has_baton = True
            self._book(now, service, 1, m.baton_hours[1], 0)
        else:
            self._book(now, service, 0, m.partner_hours[level, service], 0)

    def dispatch(self, now: float, service: int) -> None:
        """Start waiting cases of a service while they fit, in priority then arrival order."""
        for level in PRIORITY:
            queue = self.queues[service][level]
            while queue:
                ind, node = queue[0]
                if not self._fits(service, level):
                    return
                queue.popleft()
                self._book(now, service, 0, 0, -1)
                self._grant(now, service, level, ind)
                node.start(ind)

    def enter(self, now: float, ind: ciw.Individual, level: int, node: _LevelNode) -> bool:
        """A case comes to a level; True if it can start now."""
        m, c = self.m, ind.klass
        came_from = ind.level
        ind.level = level
        if ind.warm:
            return True
        ind.partner = -1
        if level >= 1 and ind.has_baton:
            self._book(now, int(m.charge[level, c]), 0, m.baton_hours[level], 0)
        if not len(m.services) or level == 0 or (level == 1 and came_from == 2):
            return True
        if level == 1:
            service = int(m.baton[c])
            if service < 0:
                return True
        else:
            u = self.rng.random()
            service = int(np.searchsorted(self.mix_cum[level, c], u, side="right"))
            if service >= m.none:
                return True
            ind.partner = service
        self.queues[service][level].append((ind, node))
        self._book(now, service, 0, 0, 1)
        self.dispatch(now, service)
        return False

    def leave(self, now: float, ind: ciw.Individual, level: int, next_level: int | None) -> None:
        """A case leaves a level for ``next_level`` (None: closed or child welfare)."""
        m, c = self.m, ind.klass
        freed = set()
        if ind.partner >= 0:
            self._book(now, ind.partner, 0, -m.partner_hours[level, ind.partner], 0)
            freed.add(ind.partner)
        if level >= 1 and ind.has_baton:
            charged = int(m.charge[level, c])
            self._book(now, charged, 0, -m.baton_hours[level], 0)
            freed.add(charged)
            if next_level is None or next_level == 0:
                ind.has_baton = False
                self._book(now, int(m.baton[c]), -1, 0, 0)
                freed.add(int(m.baton[c]))
        ind.warm = False
        self.freed = freed

    def warm_case(self, now: float, ind: ciw.Individual, level: int, partner: int) -> None:
        """Book the resources of a case open at week 0 (even above capacity)."""
        m, c = self.m, ind.klass
        ind.level, ind.partner, ind.warm = level, -1, True
        if level >= 1 and m.baton[c] >= 0:
            ind.has_baton = True
            self._book(now, int(m.baton[c]), 1, 0, 0)
            self._book(now, int(m.charge[level, c]), 0, m.baton_hours[level], 0)
        if level >= 2 and partner < m.none:
            ind.partner = partner
            self._book(now, partner, 0, m.partner_hours[level, partner], 0)


class _LevelNode(ciw.Node):
    """A level: Ciw's node, with starts gated by the shared resources."""

    def accept(self, next_individual: ciw.Individual, completed: bool = False) -> None:
        ind = next_individual
        level = self.id_number - 1
        if level == 4 or not hasattr(ind, "klass"):
            super().accept(ind, completed)
            return
        gate: _Gate = self.simulation.gate
        if level == 0 and ind.concern is None and ind.id_number <= _WARM_ID:
            ind.concern = self.now
        if not math.isinf(self.c):
            # Ciw's own servers (a level with its own slots): no shared resources here.
            gate.enter(self.now, ind, level, self)
            ind.may_start = True
            super().accept(ind, completed)
            return
        # Join as waiting; the gate starts the case now or when its resources free up.
        ind.may_start = False
        super().accept(ind, completed)
        if gate.enter(self.now, ind, level, self):
            self.start(ind)

    def begin_service_if_possible_accept(self, next_individual: ciw.Individual) -> None:
        ind = next_individual
        if math.isinf(self.c) and not ind.may_start:
            ind.arrival_date = self.now
            ind.service_start_date = False
            ind.service_end_date = math.inf
            return
        super().begin_service_if_possible_accept(ind)
        if ind.service_start_date is not False and ind.service_start_date == self.now:
            self._started(ind)

    def begin_service_if_possible_release(self, next_individual, newly_free_server) -> None:
        waiting = [i for i in self.all_individuals if i.service_start_date is False]
        super().begin_service_if_possible_release(next_individual, newly_free_server)
        for ind in waiting:
            if ind.service_start_date is not False:
                self._started(ind)

    def start(self, ind: ciw.Individual) -> None:
        """Start a waiting case now (its resources have been granted)."""
        ind.may_start = True
        ind.service_start_date = self.now
        ind.service_time = self.get_service_time(ind)
        ind.service_end_date = self.now + ind.service_time
        self.number_in_service += 1
        heapq.heappush(self._ends, (ind.service_end_date, ind.id_number, ind))
        self._started(ind)

    @property
    def _ends(self) -> list:
        """Heap of (end date, id, case) for the cases in service at this node."""
        try:
            return self.__dict__["_end_heap"]
        except KeyError:
            self.__dict__["_end_heap"] = []
            return self.__dict__["_end_heap"]

    def update_next_end_service_without_server(self) -> None:
        """The next end of service, from a heap instead of a scan of every case.

        Ciw scans all cases at a node with unlimited servers after every event; with
        hundreds of open cases per level that dominates the run time.
        """
        if not math.isinf(self.c):
            return
        heap = self._ends
        while heap:
            date, _, ind = heap[0]
            if (
                ind.node == self.id_number
                and ind.exit_date is False
                and ind.service_end_date == date
            ):
                self.possible_next_events["end_service"] = ([ind], date)
                return
            heapq.heappop(heap)

    def _started(self, ind: ciw.Individual) -> None:
        level = self.id_number - 1
        if not hasattr(ind, "klass"):
            return
        if level == 1 and ind.baton_wait is None and ind.concern is not None:
            ind.baton_wait = self.now - ind.arrival_date
        if level == 2 and ind.level2 is None and ind.concern is not None:
            ind.level2 = self.now - ind.concern
        ind.max_level = max(ind.max_level, level)

    def release(self, next_individual, next_node, reroute=False) -> None:
        ind = next_individual
        level = self.id_number - 1
        gate: _Gate = self.simulation.gate
        gate.freed = set()
        if hasattr(ind, "klass") and level < 4:
            target = next_node.id_number - 1 if isinstance(next_node, _LevelNode) else None
            gate.leave(self.now, ind, level, target if target is not None and target < 4 else None)
            if target == 4:
                ind.outcome = "child_welfare"
            elif target is None:
                ind.outcome = "closed"
        freed = gate.freed
        super().release(ind, next_node, reroute)
        for service in sorted(freed):
            gate.dispatch(self.now, service)


class _Individual(ciw.Individual):
    def __init__(self, id_number, customer_class="Customer", priority_class=0, simulation=False):
        super().__init__(id_number, customer_class, priority_class, simulation)
        model: Model = simulation.model
        self.klass = model.classes.index(customer_class)
        self.level = None
        self.partner = -1
        self.has_baton = False
        self.warm = False
        self.may_start = True
        self.concern = None
        self.baton_wait = None
        self.level2 = None
        self.max_level = 0
        self.outcome = "open"


def _network(model: Model, seed: int) -> ciw.Network:
    n = 4
    routing = np.zeros((n + 1, n + 1))
    for level in range(4):
        up, down, reported, _ = model.shares[level]
        if level < 3:
            routing[level, level + 1] = up
        if level > 0:
            routing[level, level - 1] = down
        routing[level, n] = reported
    streams = np.random.SeedSequence(seed).generate_state(len(model.classes))
    arrivals = {
        name: [_WeeklyPoisson(model.weekly[:, c], int(streams[c]))] + [None] * n
        for c, name in enumerate(model.classes)
    }
    services = [_distribution(d) for d in model.durations] + [ciw.dists.Deterministic(0.0)]
    servers = [float(s) if np.isfinite(s) else float("inf") for s in model.level_slots]
    servers = [int(s) if np.isfinite(s) else s for s in servers] + [float("inf")]
    return ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions={name: services for name in model.classes},
        number_of_servers=servers,
        routing={name: routing.tolist() for name in model.classes},
    )


def _overlap(start: np.ndarray, stop: np.ndarray, weeks: int) -> np.ndarray:
    """Time each interval [start, stop) spends in each week 0..weeks-1, summed."""
    out = np.zeros(weeks)
    for lo, hi in zip(start, stop, strict=True):
        if hi <= lo:
            continue
        first, last = int(lo), min(math.ceil(hi) - 1, weeks - 1)
        if first == last:
            out[first] += hi - lo
            continue
        out[first] += first + 1 - lo
        out[first + 1 : last] += 1.0
        if last > first:
            out[last] += hi - last
    return out


def _one_run(model: Model, scenario: Scenario, seed: int, replication: int) -> dict:
    """One replication: its weekly level and service arrays, exits and cases."""
    ciw.seed(seed)
    simulation, gate = _simulation(model, seed)
    horizon = float(scenario.horizon_weeks)
    simulation.simulate_until_max_time(horizon)
    people = [i for node in simulation.nodes[1:] for i in node.all_individuals]
    out = _level_arrays(_visits(simulation, people), scenario.horizon_weeks)
    logs, hours, waiting = _service_arrays(gate, len(model.services), scenario.horizon_weeks)
    cases = _cases(people, replication)
    return {
        **out,
        "logs": logs,
        "hours": hours,
        "service_waiting": waiting,
        "closed": int((cases["outcome"] == "closed").sum()),
        "reported": int((cases["outcome"] == "child_welfare").sum()),
        "cases": cases,
    }


def _simulation(model: Model, seed: int) -> tuple[ciw.Simulation, _Gate]:
    """A Ciw simulation of the model with its gate, the warm-start cases already in."""
    rng = np.random.default_rng(seed)
    simulation = ciw.Simulation.__new__(ciw.Simulation)
    simulation.model = model
    simulation.__init__(_network(model, seed), node_class=_LevelNode, individual_class=_Individual)
    gate = _Gate(model, rng)
    simulation.gate = gate
    gate.freed = set()
    # Warm start: open cases at week 0, by class and partner as the model splits them.
    next_id = _WARM_ID
    for level, c, partner in zip(*model.warm.nonzero(), strict=True):
        for _ in range(int(model.warm[level, c, partner])):
            next_id += 1
            ind = _Individual(next_id, model.classes[c], 0, simulation)
            gate.warm_case(0.0, ind, int(level), int(partner))
            simulation.nodes[int(level) + 1].accept(ind)
    for node in simulation.transitive_nodes:
        node.update_next_event_date()
    return simulation, gate


def _visits(simulation: ciw.Simulation, people: list[ciw.Individual]) -> list[np.ndarray]:
    """Per level, one row per visit: arrival, start, end of service and exit (inf if open)."""
    visits: list[list[tuple[float, float, float, float]]] = [[] for _ in range(4)]
    for ind in people:
        for record in ind.data_records:
            if record.node <= 4 and record.record_type == "service":
                visits[record.node - 1].append(
                    (
                        record.arrival_date,
                        record.service_start_date,
                        record.service_end_date,
                        record.exit_date,
                    )
                )
    for node in simulation.nodes[1:5]:
        for ind in node.all_individuals:
            begin = ind.service_start_date if ind.service_start_date is not False else math.inf
            end = ind.service_end_date if begin < math.inf else math.inf
            visits[node.id_number - 1].append((ind.arrival_date, begin, end, math.inf))
    return [np.array(v, dtype=float).reshape(-1, 4) for v in visits]


def _level_arrays(visits: list[np.ndarray], weeks: int) -> dict[str, np.ndarray]:
    """The weekly level measures, (weeks, 4) each, from each level's visits."""
    horizon = float(weeks)
    times = np.arange(1, weeks + 1, dtype=float)
    out = {k: np.zeros((weeks, 4)) for k in LEVEL_MEASURES + QUEUE_MEASURES}
    for level in range(4):
        arrival, begin, end, leave = visits[level].T
        arrived, started, left = (
            np.searchsorted(np.sort(x), times, "right") for x in (arrival, begin, leave)
        )
        out["waiting"][:, level] = arrived - started
        out["active"][:, level] = started - left
        is_warm = arrival <= 0.0
        week_of = np.floor(arrival).astype(int)
        counted = (week_of < weeks) & ~is_warm
        np.add.at(out["entered"][:, level], week_of[counted], 1)
        np.add.at(out["waited"][:, level], week_of[counted & (begin > arrival)], 1)
        out["wait_weeks"][:, level] = _overlap(arrival, np.minimum(begin, horizon), weeks)
        began = begin < horizon
        start_week = np.floor(begin[began]).astype(int)
        np.add.at(
            out["stay_weeks"][:, level],
            start_week,
            np.minimum(end[began], horizon) - begin[began],
        )
    return out


def _service_arrays(
    gate: _Gate, n_services: int, weeks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slots in use, hours demanded and cases waiting per service at the end of each week,
    (weeks, services) each, from the gate's bookings."""
    times = np.arange(1, weeks + 1, dtype=float)
    logs = np.zeros((weeks, n_services))
    hours = np.zeros((weeks, n_services))
    waiting = np.zeros((weeks, n_services))
    if gate.events:
        events = np.array(gate.events, dtype=float)
        for s in range(n_services):
            rows = events[events[:, 1] == s]
            if not len(rows):
                continue
            upto = np.searchsorted(rows[:, 0], times, "right")
            for target, column in ((logs, 2), (hours, 3), (waiting, 4)):
                running = np.r_[0.0, np.cumsum(rows[:, column])]
                target[:, s] = running[upto]
    return logs, hours, waiting


def _cases(people: list[ciw.Individual], replication: int) -> pd.DataFrame:
    """One row per case of a replication: its class, waits, highest level and outcome."""
    return pd.DataFrame(
        {
            "replication": replication,
            "case": [i.id_number for i in people],
            "class": [i.customer_class for i in people],
            "warm": [i.id_number > _WARM_ID for i in people],
            "concern_week": [np.nan if i.concern is None else i.concern for i in people],
            "wait_for_baton_holder_weeks": [
                np.nan if i.baton_wait is None else i.baton_wait for i in people
            ],
            "weeks_to_level2": [np.nan if i.level2 is None else i.level2 for i in people],
            "highest_level": [i.max_level for i in people],
            "outcome": [i.outcome for i in people],
        }
    )


def simulate_ciw(
    scenario: Scenario,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> FlowResult:
    """Run ``replications`` of a scenario in Ciw, one after another.

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    replications : int
        How many replications (at least 1); each has its own seed drawn from ``seed``.
    seed : int
        The same seed gives the same numbers.
    progress : callable, optional
        Called as ``progress(replications_done, replications)`` after each replication.

    Returns
    -------
    FlowResult
        The same schema as the fast engine's, with ``cases`` filled in and ``engine="ciw"``.

    See Also
    --------
    bti_workbench.simulation.engines.fast.simulate_fast : the compiled engine.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> simulate_ciw(s, replications=1, seed=1).levels.shape
    (1040, 5)
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    model = compile_model(scenario)
    seeds = np.random.SeedSequence(seed).generate_state(replications)
    runs = []
    for i, s in enumerate(seeds):
        runs.append(_one_run(model, scenario, int(s), i))
        if progress is not None:
            progress(i + 1, replications)
    stacked = {k: np.stack([run[k] for run in runs]) for k in LEVEL_MEASURES + QUEUE_MEASURES}
    for k in ("active", "waiting", "entered", "waited"):
        stacked[k] = stacked[k].astype(np.int64)
    arrays = RunArrays(
        levels=stacked,
        services=model.services,
        slots=model.slots,
        hours=model.hours,
        logs=np.stack([run["logs"] for run in runs]),
        demanded=np.stack([run["hours"] for run in runs]),
        waiting=np.stack([run["service_waiting"] for run in runs]),
        closed=np.array([run["closed"] for run in runs], dtype=np.int64),
        reported=np.array([run["reported"] for run in runs], dtype=np.int64),
    )
    cases = pd.concat([run["cases"] for run in runs], ignore_index=True)
    return FlowResult.from_arrays(arrays, cases=cases, engine="ciw")
