"""Scenarios: the YAML document (read, merged with options and settings) and its parsed types."""

from bti_workbench.simulation.scenario.document import (
    apply_options,
    available_options,
    describe_option,
    merge,
    settings_overrides,
)
from bti_workbench.simulation.scenario.parse import (
    DISTRIBUTIONS,
    Scenario,
    load_scenario,
    parse_scenario,
    scenario_document,
)

__all__ = [
    "DISTRIBUTIONS",
    "Scenario",
    "apply_options",
    "available_options",
    "describe_option",
    "load_scenario",
    "merge",
    "parse_scenario",
    "scenario_document",
    "settings_overrides",
]
