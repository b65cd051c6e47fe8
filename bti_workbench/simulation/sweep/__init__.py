"""Sweeps on Dask: one template, many municipalities, options and parameter values; and the
national comparison of what a sweep says."""

from bti_workbench.simulation.sweep.national import (
    SIZE_BINS,
    by_size,
    cap_bite,
    cap_figure,
    payoff_figure,
    size_class,
    size_figure,
    team_payoff,
)
from bti_workbench.simulation.sweep.run import (
    BASELINE,
    Sweep,
    SweepReport,
    open_client,
    option_effects,
    parse_grid,
    parse_municipalities,
    plan_sweep,
    read_sweep,
    run_sweep,
    sweep_folder,
    sweep_means,
    task_seed,
)

__all__ = [
    "BASELINE",
    "SIZE_BINS",
    "Sweep",
    "SweepReport",
    "by_size",
    "cap_bite",
    "cap_figure",
    "open_client",
    "option_effects",
    "parse_grid",
    "parse_municipalities",
    "payoff_figure",
    "plan_sweep",
    "read_sweep",
    "run_sweep",
    "size_class",
    "size_figure",
    "sweep_folder",
    "sweep_means",
    "task_seed",
    "team_payoff",
]
