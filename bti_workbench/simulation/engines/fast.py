"""The `fast` engine: every case simulated in continuous time, compiled with numba.

Each replication is a discrete-event simulation of the rules in
:mod:`bti_workbench.simulation.model`, run by the compiled kernel in
:mod:`~bti_workbench.simulation.engines._kernel`: concerns arrive as a Poisson process whose
rate changes week by week, a case's stay is drawn when it starts and it leaves at exactly
that time, and a waiting case starts the moment its resources free up. Within a service and
level, waiting cases start first come, first served, as in the ``ciw`` engine.

Replications run in parallel threads (the kernel releases the GIL), each from a key drawn
from the seed, so the same seed gives the same numbers however many threads run and however
the replications are grouped: a replication run in a batch of several scenarios
(:func:`simulate_fast_many`) equals the same replication run alone. Each class's arrivals
and each case draw from streams of their own, so options compared with the same seed share
their concerns and each case's stays, routing and partners (common random numbers).

The first call in a process loads the compiled kernel from numba's cache on disk, or
compiles it (about half a minute) when there is none: see
:mod:`~bti_workbench.simulation.engines.compiled`; :func:`warm_up` pays that before users come.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bti_workbench.simulation.engines._kernel import Out, Rules, new_state, run_replications
from bti_workbench.simulation.engines._streams import ERLANG, EXPONENTIAL, LOGNORMAL
from bti_workbench.simulation.engines.compiled import engine_threads
from bti_workbench.simulation.model import Model, compile_model
from bti_workbench.simulation.output import FlowArrays, FlowResult, RunArrays
from bti_workbench.simulation.scenario.parse import parse_scenario
from bti_workbench.simulation.scenario.types import Duration, Scenario

__all__ = ["flow_arrays_many", "simulate_fast", "simulate_fast_many", "warm_up"]


def simulate_fast(
    scenario: Scenario,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> FlowResult:
    """Run ``replications`` of a scenario.

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    replications : int
        How many independent replications (at least 1).
    seed : int
        The same seed gives the same numbers.
    progress : callable, optional
        Called as ``progress(replications_done, replications)`` as groups of replications
        finish.

    Returns
    -------
    FlowResult

    See Also
    --------
    simulate_fast_many : several scenarios in one call.
    bti_workbench.simulation.engines.ciw.simulate_ciw : the reference engine, built on Ciw.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> result = simulate_fast(s, replications=2, seed=1)
    >>> result.levels.columns.tolist()
    ['replication', 'week', 'level', 'active', 'waiting']
    """
    return simulate_fast_many([scenario], replications, [seed], progress)[0]


def simulate_fast_many(
    scenarios: list[Scenario],
    replications: int,
    seeds: list[int],
    progress: Callable[[int, int], None] | None = None,
) -> list[FlowResult]:
    """Run several scenarios in one call, each with its seed.

    Result ``i`` equals ``simulate_fast(scenarios[i], replications, seeds[i])`` number for
    number: what a sweep of many municipalities and options uses to keep both threads busy.

    Parameters
    ----------
    scenarios : list of Scenario
        The scenarios to run.
    replications : int
        Replications of each scenario (at least 1).
    seeds : list of int
        One seed per scenario.
    progress : callable, optional
        Called as ``progress(replications_done, replications_in_all)``.

    Returns
    -------
    list of FlowResult
        One per scenario, in order.

    Raises
    ------
    ValueError
        When ``replications`` is below 1 or the seeds do not match the scenarios.

    See Also
    --------
    simulate_fast : one scenario.
    flow_arrays_many : the same run, the weekly figures as arrays only.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.reference.municipality import load_municipalities
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> path = data_dir() / "scenarios" / "national_per_1000.yaml"
    >>> places = load_municipalities(["5413", "4228"])
    >>> both = simulate_fast_many([load_scenario(path, municipality=m) for m in places], 3, [7, 8])
    >>> alone = simulate_fast(load_scenario(path, municipality=places[1]), 3, 8)
    >>> both[1].levels.equals(alone.levels)
    True
    """
    return [FlowResult.from_arrays(a) for a in _run_many(scenarios, replications, seeds, progress)]


def flow_arrays_many(
    scenarios: list[Scenario], replications: int, seeds: list[int]
) -> list[FlowArrays]:
    """As :func:`simulate_fast_many`, but the weekly figures as arrays only.

    What a sweep needs: :func:`~bti_workbench.simulation.analysis.summarise` gives the same
    numbers from these arrays as from the :class:`~bti_workbench.simulation.output.FlowResult`,
    without the long tables being built.

    Parameters
    ----------
    scenarios : list of Scenario
        The scenarios to run.
    replications : int
        Replications of each scenario (at least 1).
    seeds : list of int
        One seed per scenario.

    Returns
    -------
    list of FlowArrays
        One per scenario, in order.

    See Also
    --------
    simulate_fast_many : the same run as long tables.
    bti_workbench.simulation.output.flow_arrays : the arrays of a FlowResult.
    """
    return [a.flow_arrays() for a in _run_many(scenarios, replications, seeds, None)]


def warm_up() -> float:
    """Load (or compile) the fast engine's kernel now; the seconds it took.

    Returns
    -------
    float
        Seconds spent: well under a second when numba's disk cache holds the kernel, about
        half a minute when it has to compile.

    See Also
    --------
    simulate_fast : the engine it prepares.
    bti_workbench.simulation.engines.compiled : where the compiled code is kept.

    Examples
    --------
    >>> warm_up() >= 0
    True
    """
    began = time.perf_counter()
    scenario = parse_scenario(_WARM_UP, "warm-up", Path(__file__).parent)
    simulate_fast(scenario, replications=1, seed=0)
    return time.perf_counter() - began


#: The smallest scenario: every scenario runs the same compiled code, so this one loads it.
_WARM_UP = {
    "name": "warm_up",
    "horizon_weeks": 2,
    "arrivals": {"poisson_per_week": 1.0},
    "levels": {
        level: {"duration": {"distribution": "exponential", "mean_weeks": 1.0}}
        for level in range(4)
    },
}


def _run_many(
    scenarios: list[Scenario],
    replications: int,
    seeds: list[int],
    progress: Callable[[int, int], None] | None,
) -> list[RunArrays]:
    """Compile each scenario, run all replications on the engine's threads, split by scenario."""
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if not scenarios or len(seeds) != len(scenarios):
        raise ValueError("give one seed per scenario")
    jobs = [
        _Job(compile_model(s), s.horizon_weeks, replications, int(k))
        for s, k in zip(scenarios, seeds, strict=True)
    ]
    chunks = [(job, lo) for job in jobs for lo in range(0, replications, _CHUNK)]
    done = 0
    with ThreadPoolExecutor(max_workers=min(engine_threads(), len(chunks))) as pool:
        for finished in pool.map(lambda chunk: chunk[0].run(chunk[1]), chunks):
            done += finished
            if progress is not None:
                progress(done, replications * len(jobs))
    return [job.arrays() for job in jobs]


#: Replications a thread runs before it reports progress and takes the next group.
_CHUNK = 25

_DISTRIBUTION_CODES = {"exponential": EXPONENTIAL, "erlang": ERLANG, "lognormal": LOGNORMAL}


class _Job:
    """One scenario's replications: its rules for the kernel and the arrays it fills."""

    def __init__(self, model: Model, weeks: int, replications: int, seed: int) -> None:
        self.model, self.weeks, self.R = model, weeks, replications
        self.rules = _rules(model, weeks)
        self.keys = np.random.SeedSequence(seed).generate_state(replications, np.uint64)
        self.capacity = _pool_size(model, weeks)
        self.days = _calendar_days(float(self.rules.per_day[0]))
        n_services = len(model.services)
        levels, services = (replications, weeks, 4), (replications, weeks, n_services)
        self.out = Out(
            *(np.zeros(levels, np.int64) for _ in range(4)),
            np.zeros(levels),
            np.zeros(levels),
            *(np.zeros(services) for _ in range(3)),
        )
        self.exits = np.zeros((replications, 2), np.int64)

    def run(self, first: int) -> int:
        """Run replications ``first`` to ``first + _CHUNK`` (releasing the GIL); how many.

        A replication that runs out of case records runs again with twice as many."""
        part = slice(first, min(first + _CHUNK, self.R))
        outs = Out(*(a[part] for a in self.out))
        keys, exits = self.keys[part], self.exits[part]
        capacity, done = self.capacity, 0
        while done < len(keys):
            state = new_state(
                capacity,
                len(self.model.services),
                len(self.model.classes),
                self.weeks,
                self.days,
            )
            done = run_replications(self.rules, outs, keys, state, exits, done)
            capacity *= 2
        return len(keys)

    def arrays(self) -> RunArrays:
        """What the replications counted, in the output schema."""
        out, model = self.out, self.model
        return RunArrays(
            levels={
                "active": out.active,
                "waiting": out.waiting,
                "entered": out.entered,
                "waited": out.waited,
                "wait_weeks": out.wait_weeks,
                "stay_weeks": out.stay_weeks,
            },
            services=model.services,
            slots=model.slots,
            hours=model.hours,
            logs=out.logs,
            demanded=out.hours,
            waiting=out.service_waiting,
            closed=self.exits[:, 0].copy(),
            reported=self.exits[:, 1].copy(),
        )


def _duration_parameters(d: Duration) -> tuple[int, float, float]:
    """Kernel code and parameters of a stay's distribution."""
    code = _DISTRIBUTION_CODES[d.distribution]
    if code == LOGNORMAL:
        sigma = float(d.shape)
        return code, float(np.log(d.mean_weeks) - sigma**2 / 2), sigma
    return code, float(d.mean_weeks), float(d.shape or 1)


def _rules(model: Model, weeks: int) -> Rules:
    """The model's arrays as the kernel reads them."""
    durations = [_duration_parameters(d) for d in model.durations]
    return Rules(
        baton=model.baton.astype(np.int64),
        level_slots=model.level_slots.astype(float),
        route_cum=np.ascontiguousarray(np.cumsum(model.shares, axis=1)[:, :3]),
        dur_code=np.array([d[0] for d in durations], np.int64),
        dur_a=np.array([d[1] for d in durations]),
        dur_b=np.array([d[2] for d in durations]),
        baton_hours=model.baton_hours.astype(float),
        charge=model.charge.astype(np.int64),
        mix_cum=np.ascontiguousarray(np.cumsum(model.partner_mix, axis=2)[:, :, :-1]),
        partner_hours=np.ascontiguousarray(model.partner_hours, dtype=float),
        weekly=np.ascontiguousarray(model.weekly[:weeks], dtype=float),
        slots_cap=model.slots.astype(float),
        hours_cap=model.hours.astype(float),
        warm=model.warm.astype(np.int64),
        per_day=np.array([_days_per_week(model, weeks)]),
    )


def _days_per_week(model: Model, weeks: int) -> float:
    """The calendar's buckets per week: about two for each new concern a week, so a bucket
    holds one end of a stay or none, and the kernel walks few empty ones."""
    per_week = float(model.weekly[:weeks].sum(axis=1).mean()) if weeks else 0.0
    return float(np.clip(2.0 * per_week, 0.25, 256.0))


def _calendar_days(per_day: float) -> int:
    """Buckets in the calendar: a power of two covering at least 128 weeks (ends further
    ahead wait in their bucket for the next round), at most 65 536."""
    return int(min(2**16, 2 ** np.ceil(np.log2(max(64.0, 128.0 * per_day)))))


def _pool_size(model: Model, weeks: int) -> int:
    """Case records to start with (a replication that needs more runs again with twice as
    many): about twice the cases open at once if nobody waited, never more than the
    horizon's expected concerns, plus, where concerns are drawn ahead, those going up from
    level 0."""
    peak = float(model.weekly[:weeks].sum(axis=1).max(initial=0.0))
    stays = sum(d.mean_weeks for d in model.durations)
    expected = float(model.weekly[:weeks].sum())
    open_at_once = min(2.0 * peak * stays, 1.2 * expected)
    ahead = 0.0 if np.isfinite(model.level_slots[0]) else 1.1 * expected * model.shares[0, 0]
    return int(model.warm.sum()) + int(open_at_once + ahead) + 1024
