"""Calibrating a scenario from an event log, and event logs generated from a scenario."""

from bti_workbench.simulation.calibration.estimate import (
    OUTCOMES,
    Calibration,
    calibrated_scenario,
    calibration_table,
    estimate_parameters,
    event_log_from_scenario,
    write_scenario,
)

__all__ = [
    "OUTCOMES",
    "Calibration",
    "calibrated_scenario",
    "calibration_table",
    "estimate_parameters",
    "event_log_from_scenario",
    "write_scenario",
]
