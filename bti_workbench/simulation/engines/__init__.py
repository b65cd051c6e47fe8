"""The two engines that run one model: ``fast`` (compiled with numba) and
``ciw`` (individual cases on the Ciw discrete-event library). Both return a
:class:`~bti_workbench.simulation.output.FlowResult`; :mod:`.versions` says which version of
each made a run's numbers."""

from bti_workbench.simulation.engines.ciw import simulate_ciw
from bti_workbench.simulation.engines.fast import (
    flow_arrays_many,
    simulate_fast,
    simulate_fast_many,
)
from bti_workbench.simulation.engines.versions import ENGINE_VERSIONS, provenance

__all__ = [
    "ENGINE_VERSIONS",
    "flow_arrays_many",
    "provenance",
    "simulate_ciw",
    "simulate_fast",
    "simulate_fast_many",
]
