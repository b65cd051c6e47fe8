"""Which scenario runs for a municipality: named, its own file, or a template applied to it."""

from __future__ import annotations

import re
import shutil

import pytest

from bti_workbench import data_dir
from bti_workbench.errors import ScenarioError
from bti_workbench.simulation import ScenarioChoice, choose_scenario, municipality_scenarios
from bti_workbench.simulation.scenario import CHOICE_KINDS
from bti_workbench.simulation.scenario.parse import load_scenario

SCENARIOS = data_dir() / "scenarios"


def test_a_municipality_alone_gets_its_own_file_first():
    choice = choose_scenario("", "4228")
    assert choice == ScenarioChoice("sirdal", SCENARIOS / "sirdal.yaml", "own", "4228", {})
    assert choose_scenario(municipality="5401").name == "tromso"


def test_a_municipality_without_a_file_gets_the_national_template_applied():
    choice = choose_scenario("", "3807")
    assert (choice.name, choice.kind, choice.overrides) == (
        "national_per_1000",
        "template",
        {"municipality": "3807"},
    )
    assert load_scenario(choice.path, (), choice.overrides).municipality.name == "Skien"


def test_a_named_scenario_runs_as_it_is_or_applied_to_another_municipality():
    own = choose_scenario("tromso")
    assert (own.kind, own.municipality, own.overrides) == ("own", "5401", {})
    assert choose_scenario("tromso", "5401") == own
    applied = choose_scenario("tromso", "1106")
    assert (applied.kind, applied.overrides) == ("applied", {"municipality": "1106"})
    assert choose_scenario("national_per_1000", "301").overrides == {"municipality": "0301"}
    assert {choice.kind for choice in (own, applied)} <= set(CHOICE_KINDS)


def test_neither_given_is_refused_with_what_to_give():
    with pytest.raises(ScenarioError, match=r"give a scenario .* or a municipality"):
        choose_scenario("", "")
    with pytest.raises(ScenarioError, match="give a scenario"):
        choose_scenario("  ", None)


def test_an_unknown_scenario_names_the_ones_there_and_reads_nothing_outside():
    with pytest.raises(ScenarioError, match="the scenarios are: national_per_1000, sirdal"):
        choose_scenario("bodo")
    with pytest.raises(ScenarioError, match=re.escape("no scenario '../scenarios/tromso'")):
        choose_scenario("../scenarios/tromso")


def test_a_folder_with_no_file_for_the_municipality_says_so(tmp_path):
    shutil.copy(SCENARIOS / "sirdal.yaml", tmp_path / "sirdal.yaml")
    assert list(municipality_scenarios("4228", tmp_path)) == ["sirdal"]
    with pytest.raises(ScenarioError, match=r"no scenario in .* runs for municipality 3807"):
        choose_scenario("", "3807", tmp_path)


def test_the_dashboard_still_offers_the_same_functions():
    from bti_workbench import dashboard
    from bti_workbench.dashboard import load

    assert dashboard.municipality_scenarios is load.municipality_scenarios
    assert municipality_scenarios is load.municipality_scenarios
    assert dashboard.ScenarioChoice is ScenarioChoice is load.ScenarioChoice
