"""Scenarios: the YAML document (read, merged with options and settings), checked into types.

- :mod:`~.types`: the plain frozen dataclasses (:class:`Scenario` and its parts);
- :mod:`~.document`: the raw document: read, merge (one ``null`` rule), options, settings;
- :mod:`~.parse`: checking a document and building a :class:`Scenario`.
"""

from bti_workbench.simulation.scenario.document import (
    BASELINE,
    apply_options,
    available_options,
    describe_option,
    merge,
    option_parts,
    read_document,
    scenario_document,
    settings_overrides,
)
from bti_workbench.simulation.scenario.parse import load_scenario, parse_scenario
from bti_workbench.simulation.scenario.types import DISTRIBUTIONS, WEEKS_PER_YEAR, Scenario

__all__ = [
    "BASELINE",
    "DISTRIBUTIONS",
    "WEEKS_PER_YEAR",
    "Scenario",
    "apply_options",
    "available_options",
    "describe_option",
    "load_scenario",
    "merge",
    "option_parts",
    "parse_scenario",
    "read_document",
    "scenario_document",
    "settings_overrides",
]
