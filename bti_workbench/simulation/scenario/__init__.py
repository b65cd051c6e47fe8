"""Scenarios: the YAML document (read, merged with options and settings), checked into types.

- :mod:`~.types`: the plain frozen dataclasses (:class:`Scenario` and its parts);
- :mod:`~.document`: the raw document: read, merge (one ``null`` rule), options, settings;
- :mod:`~.parse`: checking a document and building a :class:`Scenario`;
- :mod:`~.choices`: which file runs for a municipality (its own, or a template applied).
"""

from bti_workbench.simulation.scenario.choices import (
    CHOICE_KINDS,
    ScenarioChoice,
    choose_scenario,
    municipality_scenarios,
)
from bti_workbench.simulation.scenario.document import (
    BASELINE,
    apply_options,
    available_options,
    describe_option,
    merge,
    option_name,
    option_parts,
    read_document,
    scenario_description,
    scenario_document,
    scenario_name,
    settings_overrides,
)
from bti_workbench.simulation.scenario.parse import load_scenario, parse_scenario
from bti_workbench.simulation.scenario.types import DISTRIBUTIONS, WEEKS_PER_YEAR, Scenario

__all__ = [
    "BASELINE",
    "CHOICE_KINDS",
    "DISTRIBUTIONS",
    "WEEKS_PER_YEAR",
    "Scenario",
    "ScenarioChoice",
    "apply_options",
    "available_options",
    "choose_scenario",
    "describe_option",
    "load_scenario",
    "merge",
    "municipality_scenarios",
    "option_name",
    "option_parts",
    "parse_scenario",
    "read_document",
    "scenario_description",
    "scenario_document",
    "scenario_name",
    "settings_overrides",
]
