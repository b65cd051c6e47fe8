"""The `fast` engine: a vectorised stochastic simulation of all replications at once.

Time advances in steps of ``scenario.time_step_weeks``. Each step, per replication and level:
new concerns arrive at level 0 (Poisson), cases whose time is up leave their slot and are
routed (multinomial: up, down, child welfare, closed), and waiting cases take free slots in
arrival order. A case's duration is drawn when it takes a slot and its completion is written
into a calendar of future steps, so any duration distribution is exact up to rounding to the
step. Random streams are separate for arrivals, routing and each level's durations, so the
same seed gives the same numbers.

Implemented so far: the flow of cases through levels with slots (enough to validate against
Jackson-network theory). Hours, meetings, seasonality, costs and options come next.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bti_workbench.scenario import Scenario

__all__ = ["FlowResult", "simulate_fast"]


@dataclass(frozen=True)
class FlowResult:
    """Weekly counts per replication and level.

    Attributes
    ----------
    levels : pandas.DataFrame
        Long format: ``replication, week, level, active, waiting`` (counts at the end of each
        week; ``active`` holds a slot, ``waiting`` waits for one).
    exits : pandas.DataFrame
        ``replication, closed, child_welfare``: cases that left over the whole horizon.
    queues : pandas.DataFrame
        Per ``replication, week, level``: ``entered`` (cases that joined the level's queue),
        ``waited`` (of those, how many found no free slot) and ``wait_weeks`` (the time all
        waiting cases spent waiting that week). Mean wait = Σ wait_weeks / Σ entered.
    """

    levels: pd.DataFrame
    exits: pd.DataFrame
    queues: pd.DataFrame


def _steps_per_week(scenario: Scenario) -> int:
    per_week = 1.0 / scenario.time_step_weeks
    if abs(per_week - round(per_week)) > 1e-9:
        raise ValueError(
            f"{scenario.source}: time_step_weeks must divide a week (1, 0.5, 0.1, 0.05 …)"
        )
    return round(per_week)


def simulate_fast(scenario: Scenario, replications: int, seed: int) -> FlowResult:
    """Run ``replications`` of a scenario at once.

    Parameters
    ----------
    scenario : Scenario
    replications : int
    seed : int
        The same seed gives the same numbers.

    Returns
    -------
    FlowResult

    Examples
    --------
    >>> from bti_workbench._resources import data_dir
    >>> from bti_workbench.scenario import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> result = simulate_fast(s, replications=2, seed=1)
    >>> result.levels.columns.tolist()
    ['replication', 'week', 'level', 'active', 'waiting']
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    per_week = _steps_per_week(scenario)
    steps = scenario.horizon_weeks * per_week
    dt = scenario.time_step_weeks
    n_levels = len(scenario.levels)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2 + n_levels)]
    arrivals_rng, routing_rng, duration_rngs = streams[0], streams[1], streams[2:]

    slots = np.array(
        [lv.slots if lv.slots is not None else np.iinfo(np.int64).max for lv in scenario.levels],
        dtype=np.int64,
    )
    shares = np.array([[lv.up, lv.down, lv.child_welfare, lv.closed] for lv in scenario.levels])
    calendar = np.zeros((n_levels, replications, steps + 1), dtype=np.int32)
    busy = np.zeros((replications, n_levels), dtype=np.int64)
    waiting = np.tile(np.array(scenario.warm_start, dtype=np.int64), (replications, 1))
    closed = np.zeros(replications, dtype=np.int64)
    reported = np.zeros(replications, dtype=np.int64)
    active_weekly = np.zeros((replications, scenario.horizon_weeks, n_levels), dtype=np.int64)
    waiting_weekly = np.zeros_like(active_weekly)
    entered_weekly = np.zeros_like(active_weekly)
    waited_weekly = np.zeros_like(active_weekly)
    wait_weekly = np.zeros(active_weekly.shape)
    rep_index = np.arange(replications)

    def start(t: int) -> np.ndarray:
        free = slots[None, :] - busy
        starting = np.minimum(waiting, free)
        waiting[:] -= starting
        busy[:] += starting
        for level in range(n_levels):
            counts = starting[:, level]
            total = int(counts.sum())
            if not total:
                continue
            durations = scenario.levels[level].duration.sample(duration_rngs[level], total)
            done = t + np.maximum(1, np.rint(durations / dt).astype(np.int64))
            inside = done <= steps
            np.add.at(calendar[level], (np.repeat(rep_index, counts)[inside], done[inside]), 1)
        return starting

    start(0)
    for t in range(1, steps + 1):
        queued_before = waiting.copy()
        waiting[:, 0] += arrivals_rng.poisson(scenario.arrivals_per_week * dt, replications)
        finished = calendar[:, :, t].T.astype(np.int64)
        busy -= finished
        for level in range(n_levels):
            if not finished[:, level].any():
                continue
            moves = routing_rng.multinomial(finished[:, level], shares[level])
            if level + 1 < n_levels:
                waiting[:, level + 1] += moves[:, 0]
            if level > 0:
                waiting[:, level - 1] += moves[:, 1]
            reported += moves[:, 2]
            closed += moves[:, 3]
        new = waiting - queued_before
        starting = start(t)
        # First come, first served: newcomers start only after those already waiting.
        started_new = np.clip(starting - queued_before, 0, new)
        week = (t - 1) // per_week
        entered_weekly[:, week] += new
        waited_weekly[:, week] += new - started_new
        wait_weekly[:, week] += waiting * dt
        if t % per_week == 0:
            active_weekly[:, week] = busy
            waiting_weekly[:, week] = waiting

    index = pd.MultiIndex.from_product(
        [range(replications), range(1, scenario.horizon_weeks + 1), range(n_levels)],
        names=["replication", "week", "level"],
    )
    levels = pd.DataFrame(
        {"active": active_weekly.ravel(), "waiting": waiting_weekly.ravel()}, index=index
    ).reset_index()
    exits = pd.DataFrame({"replication": rep_index, "closed": closed, "child_welfare": reported})
    queues = pd.DataFrame(
        {
            "entered": entered_weekly.ravel(),
            "waited": waited_weekly.ravel(),
            "wait_weeks": wait_weekly.ravel(),
        },
        index=index,
    ).reset_index()
    return FlowResult(levels=levels, exits=exits, queues=queues)
