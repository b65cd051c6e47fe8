"""Scenario and option files a user got wrong: deep, UTF-16, tagged, or an option name with a
path in it. Each ends in a :class:`ScenarioError` naming the file; no file outside the
options folder is ever read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bti_workbench.errors import ScenarioError
from bti_workbench.simulation.scenario import document
from bti_workbench.simulation.scenario.document import (
    apply_options,
    check_options,
    option_description,
    option_name,
    read_document,
)
from bti_workbench.simulation.scenario.parse import load_scenario

SCENARIOS = Path(__file__).resolve().parents[3] / "data" / "scenarios"
JACKSON = SCENARIOS / "validation_jackson.yaml"
SIRDAL = SCENARIOS / "sirdal.yaml"
SECRET = "12345678901"


def test_a_scenario_saved_as_utf16_with_a_bom_reads_as_the_utf8_file(tmp_path):
    path = tmp_path / "jackson.yaml"
    path.write_bytes(JACKSON.read_text(encoding="utf-8").encode("utf-16"))
    assert read_document(path) == read_document(JACKSON)
    assert load_scenario(path).horizon_weeks == load_scenario(JACKSON).horizon_weeks


def test_a_scenario_saved_as_utf16_without_a_bom_is_refused_by_name(tmp_path):
    path = tmp_path / "jackson.yaml"
    path.write_bytes(JACKSON.read_text(encoding="utf-8").encode("utf-16-le"))
    with pytest.raises(ScenarioError, match=r"^jackson\.yaml: holds NUL characters"):
        load_scenario(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 10_000, "nested more than"),
        (f"name: !!python/object/apply:os.system ['{SECRET}']", "YAML tag"),
        (f"name: x\nwarm_start: !!set {{{SECRET}}}", "YAML tag"),
        (f"name: x\n\tlevels: {SECRET}", "not valid YAML"),
    ],
)
def test_a_bad_scenario_file_is_a_scenario_error_naming_it_without_the_text(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith("bad.yaml: line ")
    assert words in str(caught.value) and SECRET not in str(caught.value)


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """An options folder, and beside it an option file that must never be read."""
    folder = tmp_path / "data" / "options"
    folder.mkdir(parents=True)
    (folder / "cap_one.yaml").write_text("changes: {resources: {max_logs: 1}}\n", "utf-8")
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: EVIL\ndescription: EVIL\nchanges: {resources: {max_logs: 9}}\n")
    monkeypatch.setattr(document, "_options_dir", lambda: folder)
    return evil


def test_an_option_name_with_a_path_never_reads_a_file_outside_the_folder(outside):
    names = [
        "../../evil",
        str(outside.with_suffix("")),
        "..\\..\\evil",
        "cap_one/../../../evil",
        "cap_one+../../evil",
    ]
    for name in names:
        with pytest.raises(ScenarioError) as caught:
            apply_options({"resources": {"max_logs": 3}}, [name], "t.yaml")
        message = str(caught.value)
        assert message.startswith("t.yaml: options: unknown option (name not repeated); known:")
        assert "evil" not in message and "cap_one" in message
        assert option_name(name) != "EVIL"
        with pytest.raises(ScenarioError):
            option_description(name)
    assert apply_options({"resources": {"max_logs": 3}}, ["cap_one"], "t.yaml") == {
        "resources": {"max_logs": 1}
    }


def test_an_unknown_name_is_repeated_only_when_it_looks_like_an_option_id(outside):
    with pytest.raises(ScenarioError, match=r"^--option: unknown option 'cap_two'; known: "):
        check_options(["cap_two"], None, "--option")
    for name in (SECRET, f"id_{SECRET}", "Kari Nordmann", "/etc/passwd"):
        with pytest.raises(ScenarioError) as caught:
            check_options(["cap_one", name], None, "--option")
        assert name not in str(caught.value)
        assert "(name not repeated)" in str(caught.value)


def test_the_scenarios_own_options_are_known_whatever_their_names(outside):
    doc = {"options": {"ekstra ppt/timer": {"changes": {}}}}
    check_options(["ekstra ppt/timer", "cap_one", "baseline"], doc, "--option")
