"""Simulating case flows across levels 0–3: scenarios, two engines, option comparisons,
their analysis, costs, sensitivity, calibration and sweeps.

For one scenario: :func:`load_scenario` → :func:`simulate` → :func:`summarise`. For options:
:func:`compare_options` (a scenario file and option names) → :func:`options_table`.
:mod:`~bti_workbench.simulation.sweep` runs many scenarios on Dask.
"""

from bti_workbench.simulation.analysis import (
    bands,
    littles_law,
    mser5,
    paired_differences,
    replications_needed,
    seasonal_period,
    summarise,
    warmup_weeks,
)
from bti_workbench.simulation.costs import case_work_cost, organisation_cost
from bti_workbench.simulation.figures import (
    options_table,
    simulated_cases_figure,
    utilisation_heatmap,
    waits_by_option,
)
from bti_workbench.simulation.output import FlowArrays, FlowResult, flow_arrays
from bti_workbench.simulation.queueing import erlang_c, jackson_levels, mmc
from bti_workbench.simulation.run import ENGINES, compare_options, simulate, write_results
from bti_workbench.simulation.scenario import (
    BASELINE,
    Scenario,
    apply_options,
    available_options,
    describe_option,
    load_scenario,
)
from bti_workbench.simulation.sensitivity import (
    Parameter,
    lhs_points,
    oat_points,
    rank_correlations,
    rank_figure,
    tornado,
    tornado_figure,
)

__all__ = [
    "BASELINE",
    "ENGINES",
    "FlowArrays",
    "FlowResult",
    "Parameter",
    "Scenario",
    "apply_options",
    "available_options",
    "bands",
    "case_work_cost",
    "compare_options",
    "describe_option",
    "erlang_c",
    "flow_arrays",
    "jackson_levels",
    "lhs_points",
    "littles_law",
    "load_scenario",
    "mmc",
    "mser5",
    "oat_points",
    "options_table",
    "organisation_cost",
    "paired_differences",
    "rank_correlations",
    "rank_figure",
    "replications_needed",
    "seasonal_period",
    "simulate",
    "simulated_cases_figure",
    "summarise",
    "tornado",
    "tornado_figure",
    "utilisation_heatmap",
    "waits_by_option",
    "warmup_weeks",
    "write_results",
]
