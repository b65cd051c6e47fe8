"""The `fast` engine: a vectorised stochastic simulation of all replications at once.

Time advances in steps of ``scenario.time_step_weeks``. Each step, for every replication at
once: new concerns arrive (Poisson, by class, seasonality included); cases whose time at a
level is up are routed (up, down, child welfare, closed); cases entering level 2 or 3 draw
their partner service; and waiting cases are admitted where slots and hours allow, by the
rules in :mod:`bti_workbench.simulation.model`. A case's duration is drawn when it starts at a
level and its completion is written into a calendar of future steps, so any duration
distribution is exact up to rounding to the step. The step loop itself is
:class:`~bti_workbench.simulation.engines._fast_steps.FastRun`; this module runs it and
assembles its arrays into the output schema (:mod:`bti_workbench.simulation.output`).

Within one service and level, waiting cases are admitted oldest first (those waiting since
an earlier step before those that arrived this step) and, within that, in proportion to
their classes. The mean wait does not depend on that order (the conservation law for
work-conserving queues); the ``ciw`` engine serves strictly first come, first served.

Random streams are separate for arrivals, routing, partners and each level's durations, so
the same seed gives the same numbers and options compared with the same seed share their
arrivals (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bti_workbench.simulation.engines._fast_steps import FastRun
from bti_workbench.simulation.model import Model, compile_model
from bti_workbench.simulation.output import FlowArrays, FlowResult, RunArrays
from bti_workbench.simulation.scenario.types import Scenario

__all__ = ["flow_arrays_many", "simulate_fast", "simulate_fast_many"]


def simulate_fast(
    scenario: Scenario,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> FlowResult:
    """Run ``replications`` of a scenario at once.

    Parameters
    ----------
    scenario : Scenario
        The scenario to run.
    replications : int
        How many independent replications (at least 1).
    seed : int
        The same seed gives the same numbers.
    progress : callable, optional
        Called as ``progress(weeks_done, weeks)`` after each simulated week.

    Returns
    -------
    FlowResult

    See Also
    --------
    simulate_fast_many : several scenarios of one structure in one pass.
    bti_workbench.simulation.engines.ciw.simulate_ciw : the individual-level reference engine.

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
    """Run several scenarios that share their structure in one pass, each with its seed.

    The scenarios are stacked as blocks of ``replications`` columns; each block draws from
    its own seed's streams exactly as it would alone, so result ``i`` equals
    ``simulate_fast(scenarios[i], replications, seeds[i])`` number for number. What may
    differ between them: arrival rates, baton-holder slots, hours and the warm start (a
    template applied to several municipalities). One pass costs little more than one run
    for small scenarios, whose time goes to the steps rather than the cases.

    Parameters
    ----------
    scenarios : list of Scenario
        Scenarios of one structure.
    replications : int
        Replications of each scenario (at least 1).
    seeds : list of int
        One seed per scenario.
    progress : callable, optional
        Called as ``progress(weeks_done, weeks)`` after each simulated week.

    Returns
    -------
    list of FlowResult
        One per scenario, in order.

    Raises
    ------
    ValueError
        When the scenarios differ in structure (classes, services, levels, routing, partner
        mix, hours per case, horizon or time step), or the seeds do not match them.

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
    models, run = _run_many(scenarios, replications, seeds, progress)
    return [FlowResult.from_arrays(a) for a in _blocks(run, models, replications)]


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
        Scenarios of one structure.
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
    models, run = _run_many(scenarios, replications, seeds, None)
    return [a.flow_arrays() for a in _blocks(run, models, replications)]


#: Model fields that scenarios run in one pass must share.
_SHARED = (
    "classes",
    "services",
    "baton",
    "level_slots",
    "shares",
    "durations",
    "baton_hours",
    "charge",
    "partner_mix",
    "partner_hours",
)


def _same_structure(first: Model, other: Model) -> bool:
    for name in _SHARED:
        a, b = getattr(first, name), getattr(other, name)
        same = np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
        if not same:
            return False
    return True


def _run_many(
    scenarios: list[Scenario],
    replications: int,
    seeds: list[int],
    progress: Callable[[int, int], None] | None,
) -> tuple[list[Model], FastRun]:
    """Check the scenarios share one structure, then run them as blocks of one run."""
    if replications < 1:
        raise ValueError("replications must be at least 1")
    if not scenarios or len(seeds) != len(scenarios):
        raise ValueError("give one seed per scenario")
    first = scenarios[0]
    models = [compile_model(s) for s in scenarios]
    for scenario, model in zip(scenarios[1:], models[1:], strict=True):
        if (
            scenario.horizon_weeks != first.horizon_weeks
            or scenario.time_step_weeks != first.time_step_weeks
            or not _same_structure(models[0], model)
        ):
            raise ValueError(f"{scenario.label} differs in structure from {first.label}")
    run = FastRun(models, first, replications, [int(s) for s in seeds])
    run.run(progress)
    return models, run


def _blocks(run: FastRun, models: list[Model], replications: int) -> list[RunArrays]:
    """What the run counted for each scenario: its block of replication columns."""
    return [
        _block_arrays(run, model, slice(b * replications, (b + 1) * replications))
        for b, model in enumerate(models)
    ]


def _block_arrays(run: FastRun, model: Model, cols: slice) -> RunArrays:
    """What the run counted for one block of replication columns."""
    return RunArrays(
        levels={k: v[cols] for k, v in run.out.items()},
        services=model.services,
        slots=model.slots,
        hours=model.hours,
        logs=run.out_services["logs"][cols],
        demanded=run.out_services["hours"][cols],
        waiting=run.out_services["waiting"][cols],
        closed=run.closed[cols],
        reported=run.reported[cols],
    )
