"""The two engines that run one model: ``fast`` (numpy, all replications at once) and
``ciw`` (individual cases on the Ciw discrete-event library). Both return a
:class:`~bti_workbench.simulation.output.FlowResult`."""

from bti_workbench.simulation.engines.ciw import simulate_ciw
from bti_workbench.simulation.engines.fast import (
    flow_arrays_many,
    simulate_fast,
    simulate_fast_many,
)

__all__ = [
    "flow_arrays_many",
    "simulate_ciw",
    "simulate_fast",
    "simulate_fast_many",
]
