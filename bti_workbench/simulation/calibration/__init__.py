"""Calibrating a scenario from an event log.

- :mod:`~bti_workbench.simulation.calibration.stays`: how a case's events become stays;
- :mod:`~bti_workbench.simulation.calibration.estimate`: arrivals, mean stays, routing
  (:func:`estimate_parameters`, :class:`Calibration`);
- :mod:`~bti_workbench.simulation.calibration.table`: the published, suppressed
  :func:`calibration_table`;
- :mod:`~bti_workbench.simulation.calibration.write`: :func:`calibrated_scenario` and
  :func:`write_scenario`.

Synthetic logs that follow a scenario are made in :mod:`bti_workbench.synthetic.event_log`.
"""

from bti_workbench.simulation.calibration.estimate import Calibration, estimate_parameters
from bti_workbench.simulation.calibration.stays import OUTCOMES
from bti_workbench.simulation.calibration.table import calibration_table
from bti_workbench.simulation.calibration.write import calibrated_scenario, write_scenario

__all__ = [
    "OUTCOMES",
    "Calibration",
    "calibrated_scenario",
    "calibration_table",
    "estimate_parameters",
    "write_scenario",
]
