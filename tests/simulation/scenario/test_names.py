"""What a reader sees of options and scenarios: names and descriptions in bokmål and English."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bti_workbench.errors import ScenarioError
from bti_workbench.reference.labels import label
from bti_workbench.simulation.scenario import document
from bti_workbench.simulation.scenario.document import (
    available_options,
    option_description,
    option_name,
    option_names,
    read_document,
    scenario_description,
    scenario_name,
)
from bti_workbench.simulation.scenario.parse import load_scenario

SCENARIOS = Path(__file__).resolve().parents[3] / "data" / "scenarios"
SHIPPED_OPTIONS = sorted(p.stem for p in (SCENARIOS / "options").glob("*.yaml"))
SHIPPED_SCENARIOS = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
LANGS = ("nb", "en")


@pytest.mark.parametrize("option", SHIPPED_OPTIONS)
def test_every_shipped_option_has_a_name_and_description_in_both_languages(option):
    names = {lang: option_name(option, lang) for lang in LANGS}
    texts = {lang: option_description(option, lang) for lang in LANGS}
    assert names["nb"] == label(f"option.{option}.name", "nb")
    assert texts["en"] == label(f"option.{option}.description", "en")
    for lang in LANGS:
        assert option not in names[lang] and "_" not in names[lang]
        assert len(texts[lang]) > 40 and option not in texts[lang]
    assert texts["nb"] != texts["en"]


@pytest.mark.parametrize("stem", SHIPPED_SCENARIOS)
def test_every_shipped_scenario_has_a_name_and_description_in_both_languages(stem):
    path = SCENARIOS / f"{stem}.yaml"
    for lang in LANGS:
        assert scenario_name(path, lang) == label(f"scenario.{stem}.name", lang)
        assert scenario_description(path, lang) == label(f"scenario.{stem}.description", lang)
        assert scenario_description(stem, lang) == scenario_description(path, lang)
        assert "_" not in scenario_name(stem, lang)
    assert scenario_description(stem, "nb") != scenario_description(stem, "en")


def test_the_bokmal_texts_use_the_domains_words():
    assert option_name("trial_cap_one_log") == "Én stafettlogg per stafettholder"
    assert "stafettholder" in option_description("extra_coordinator_20pct")
    assert "barnevern" in option_description("intermunicipal_team")
    assert "helsesykepleiere" in scenario_description("sirdal")
    assert "Without BTI" not in option_description("no_bti", "nb")


def test_a_combination_reads_as_its_parts_and_the_baseline_as_today():
    for lang in LANGS:
        both = option_name("no_bti+intermunicipal_team", lang)
        assert both == f"{option_name('no_bti', lang)} + {option_name('intermunicipal_team', lang)}"
        assert option_name("baseline", lang) == label("sim.baseline", lang)
        text = option_description("no_bti+trial_cap_one_log", lang)
        assert text.startswith(f"{option_name('no_bti', lang)}: ")
        assert f"{option_name('trial_cap_one_log', lang)}: " in text
    assert option_description("baseline") == ""


def test_option_names_cover_the_picker_with_ids_as_keys():
    doc = read_document(SCENARIOS / "tromso.yaml")
    names = option_names("nb", doc)
    assert list(names) == available_options(doc)
    assert names["no_bti"] == "Uten BTI"


def test_a_scenarios_own_option_shows_what_its_author_wrote(tmp_path):
    doc = {
        "options": {
            "ekstra_helsesykepleier": {
                "description": "En helsesykepleier til i skolehelsetjenesten.",
                "changes": {"horizon_weeks": 52},
            },
            # An own option with a shipped id: the scenario's own text, not the catalogue's.
            "no_bti": {"name": "Vår variant", "description": "Egen.", "changes": {}},
        }
    }
    assert option_name("ekstra_helsesykepleier", "en", doc) == "Ekstra helsesykepleier"
    assert option_description("ekstra_helsesykepleier", "en", doc).startswith("En helse")
    assert option_name("no_bti", "en", doc) == "Vår variant"
    assert option_description("no_bti", "nb", doc) == "Egen."
    assert option_name("no_bti", "en") == "Without BTI"
    # ``name`` is a key an option may have: the scenario still loads with it.
    path = tmp_path / "own.yaml"
    scenario = read_document(SCENARIOS / "validation_jackson.yaml") | doc
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    assert load_scenario(path, ("no_bti",)).options == ("no_bti",)


def test_an_option_file_of_ones_own_shows_its_name_and_description(tmp_path, monkeypatch):
    folder = tmp_path / "options"
    folder.mkdir()
    (folder / "ekstra_ppt.yaml").write_text(
        "name: Ekstra PPT-timer\ndescription: Fem timer til.\nchanges: {}\n", encoding="utf-8"
    )
    (folder / "uten_navn.yaml").write_text("changes: {}\n", encoding="utf-8")
    monkeypatch.setattr(document, "_options_dir", lambda: folder)
    assert option_name("ekstra_ppt", "en") == "Ekstra PPT-timer"
    assert option_description("ekstra_ppt", "en") == "Fem timer til."
    assert option_name("uten_navn") == "Uten navn"
    assert option_description("uten_navn") == ""


def test_an_unknown_option_has_a_readable_name_but_no_description():
    assert option_name("no_such_option") == "No such option"
    with pytest.raises(ScenarioError, match="unknown option 'no_such_option'"):
        option_description("no_such_option")


def test_a_scenario_of_ones_own_shows_its_file(tmp_path):
    path = tmp_path / "bodo.yaml"
    path.write_text("name: bodo_2024\ndescription: Bodø slik vi ser det.\n", encoding="utf-8")
    assert scenario_name(path, "en") == "Bodo 2024"
    assert scenario_description(path, "en") == "Bodø slik vi ser det."
    assert scenario_name("elsewhere") == "Elsewhere" and scenario_description("elsewhere") == ""


def test_an_unknown_language_fails_loudly():
    with pytest.raises(KeyError, match="unknown language"):
        option_name("no_bti", "sv")
    with pytest.raises(KeyError, match="unknown language"):
        scenario_description("tromso", "de")
