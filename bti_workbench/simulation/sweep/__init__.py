"""Sweeps on Dask: one template, many municipalities, options and parameter values; and the
national comparison of what a sweep says.

:func:`plan_sweep` (:mod:`.plan`) lists the tasks, :func:`run_sweep` (:mod:`.run`) runs them
on Dask into a folder that :func:`read_sweep` (:mod:`.files`) reads back, :func:`sweep_means`
and :func:`option_effects` (:mod:`.analysis`) summarise it and :mod:`.national` compares
municipalities of every size."""

from bti_workbench.simulation.sweep.analysis import option_effects, sweep_means
from bti_workbench.simulation.sweep.files import read_sweep, sweep_folder
from bti_workbench.simulation.sweep.national import (
    SIZE_BINS,
    by_size,
    cap_bite,
    cap_display,
    cap_figure,
    metric_label,
    municipalities_display,
    payoff_display,
    payoff_figure,
    size_class,
    size_classes_display,
    size_figure,
    team_payoff,
)
from bti_workbench.simulation.sweep.plan import (
    Sweep,
    parse_grid,
    parse_municipalities,
    plan_sweep,
    task_seed,
)
from bti_workbench.simulation.sweep.run import SweepReport, open_client, run_sweep

__all__ = [
    "SIZE_BINS",
    "Sweep",
    "SweepReport",
    "by_size",
    "cap_bite",
    "cap_display",
    "cap_figure",
    "metric_label",
    "municipalities_display",
    "open_client",
    "option_effects",
    "parse_grid",
    "parse_municipalities",
    "payoff_display",
    "payoff_figure",
    "plan_sweep",
    "read_sweep",
    "run_sweep",
    "size_class",
    "size_classes_display",
    "size_figure",
    "sweep_folder",
    "sweep_means",
    "task_seed",
    "team_payoff",
]
