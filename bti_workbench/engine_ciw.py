"""The `ciw` engine: an individual-level discrete-event simulation built on Ciw.

It runs the same scenario as the `fast` engine and returns the same result schema, so the
two can be compared case for case in distribution. It serves as an independent reference and,
later, for per-case detail. Each level is a Ciw node with the level's slots as servers;
reports to child welfare go through an extra pass-through node so they can be counted.

Scope so far: the flow through levels (durations, slots, routing). A scenario must start
empty (Ciw has no initial customers); use the fast engine for a warm start.
"""

from __future__ import annotations

import math

import ciw
import numpy as np
import pandas as pd

from bti_workbench.engine_fast import FlowResult
from bti_workbench.scenario import Duration, Scenario

__all__ = ["simulate_ciw"]


def _distribution(duration: Duration) -> ciw.dists.Distribution:
    if duration.distribution == "exponential":
        return ciw.dists.Exponential(1.0 / duration.mean_weeks)
    if duration.distribution == "erlang":
        k = int(duration.shape)
        return ciw.dists.Erlang(k / duration.mean_weeks, k)
    sigma = float(duration.shape)
    return ciw.dists.Lognormal(math.log(duration.mean_weeks) - sigma**2 / 2, sigma)


def _network(scenario: Scenario) -> ciw.Network:
    n = len(scenario.levels)
    routing = np.zeros((n + 1, n + 1))
    routing[:n, :n] = scenario.routing()
    for lv in scenario.levels:
        routing[lv.number, n] = lv.child_welfare  # the pass-through node counts reports
    arrivals = [ciw.dists.Exponential(scenario.arrivals_per_week)] + [None] * n
    services = [_distribution(lv.duration) for lv in scenario.levels]
    services.append(ciw.dists.Deterministic(0.0))
    servers = [lv.slots if lv.slots is not None else float("inf") for lv in scenario.levels]
    servers.append(float("inf"))
    return ciw.create_network(
        arrival_distributions=arrivals,
        service_distributions=services,
        number_of_servers=servers,
        routing=routing.tolist(),
    )


def _overlap(start: np.ndarray, stop: np.ndarray, weeks: int) -> np.ndarray:
    """Time each interval [start, stop) spends in each week 0..weeks-1, summed."""
    edges = np.arange(weeks + 1, dtype=float)
    lo = np.maximum(start[:, None], edges[None, :-1])
    hi = np.minimum(stop[:, None], edges[None, 1:])
    return np.clip(hi - lo, 0, None).sum(axis=0)


def _one_run(scenario: Scenario, seed: int) -> tuple[np.ndarray, ...]:
    ciw.seed(seed)
    simulation = ciw.Simulation(_network(scenario))
    horizon = float(scenario.horizon_weeks)
    simulation.simulate_until_max_time(horizon)
    n = len(scenario.levels)
    records = pd.DataFrame(simulation.get_all_records())
    present = [
        (node.id_number, i.arrival_date, i.service_start_date or math.inf)
        for node in simulation.nodes[1:-1]
        for i in node.all_individuals
    ]
    times = np.arange(1, scenario.horizon_weeks + 1, dtype=float)
    weeks = scenario.horizon_weeks
    active = np.zeros((weeks, n), dtype=np.int64)
    waiting = np.zeros((weeks, n), dtype=np.int64)
    entered = np.zeros((weeks, n), dtype=np.int64)
    waited = np.zeros((weeks, n), dtype=np.int64)
    wait_weeks = np.zeros((weeks, n))
    for level in range(n):
        done = records[records["node"] == level + 1] if len(records) else records
        open_now = [(a, s) for node, a, s in present if node == level + 1]
        arrival = np.concatenate([done["arrival_date"].to_numpy(float), [a for a, _ in open_now]])
        begin = np.concatenate(
            [done["service_start_date"].to_numpy(float), [s for _, s in open_now]]
        )
        leave = np.concatenate([done["exit_date"].to_numpy(float), [math.inf] * len(open_now)])
        # How many had arrived, started and left by the end of each week.
        arrived, started, left = (
            np.searchsorted(np.sort(x), times, "right") for x in (arrival, begin, leave)
        )
        waiting[:, level] = arrived - started
        active[:, level] = started - left
        week_of = np.floor(arrival).astype(int)
        inside = week_of < weeks
        np.add.at(entered[:, level], week_of[inside], 1)
        np.add.at(waited[:, level], week_of[inside & (begin > arrival)], 1)
        wait_weeks[:, level] = _overlap(arrival, np.minimum(begin, horizon), weeks)
    exits = records[(records["exit_date"] <= horizon)] if len(records) else records
    closed = int(((exits["destination"] == -1) & (exits["node"] <= n)).sum()) if len(exits) else 0
    reported = int((exits["node"] == n + 1).sum()) if len(exits) else 0
    return active, waiting, entered, waited, wait_weeks, closed, reported


def simulate_ciw(scenario: Scenario, replications: int, seed: int) -> FlowResult:
    """Run ``replications`` of a scenario in Ciw, one after another.

    Returns the same :class:`~bti_workbench.engine_fast.FlowResult` schema as the fast engine.

    Examples
    --------
    >>> from bti_workbench._resources import data_dir
    >>> from bti_workbench.scenario import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> simulate_ciw(s, replications=1, seed=1).levels.shape
    (1040, 5)
    """
    if any(scenario.warm_start):
        raise ValueError(
            f"{scenario.source}: the ciw engine starts empty; run a warm start with the fast engine"
        )
    seeds = np.random.SeedSequence(seed).generate_state(replications)
    runs = [_one_run(scenario, int(s)) for s in seeds]
    n = len(scenario.levels)
    index = pd.MultiIndex.from_product(
        [range(replications), range(1, scenario.horizon_weeks + 1), range(n)],
        names=["replication", "week", "level"],
    )
    stack = [np.stack([run[i] for run in runs]).reshape(-1) for i in range(5)]
    levels = pd.DataFrame({"active": stack[0], "waiting": stack[1]}, index=index).reset_index()
    queues = pd.DataFrame(
        {"entered": stack[2], "waited": stack[3], "wait_weeks": stack[4]}, index=index
    ).reset_index()
    exits = pd.DataFrame(
        {
            "replication": range(replications),
            "closed": [run[5] for run in runs],
            "child_welfare": [run[6] for run in runs],
        }
    )
    return FlowResult(levels=levels, exits=exits, queues=queues)
