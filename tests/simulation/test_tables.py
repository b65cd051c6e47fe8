"""Tables for people from a scenario and its runs: catalogue names, formatted numbers, no NaN."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from bti_workbench import data_dir
from bti_workbench._util.numbers import format_nok
from bti_workbench.reference.labels import label, languages
from bti_workbench.simulation import (
    load_scenario,
    organisation_cost,
    seasonal_period,
    simulate,
    summarise,
    warmup_weeks,
)
from bti_workbench.simulation.scenario.types import ServiceResource
from bti_workbench.simulation.tables import (
    _basis,
    arrivals_display,
    levels_display,
    options_display,
    organisation_cost_display,
    per_case_display,
    service_load_display,
    services_display,
    sources_display,
)
from tests._language import ENGLISH

SCENARIOS = data_dir() / "scenarios"
_RAW = {"nan", "NaN", "None", "True", "False", "<NA>", "inf"}


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple]:
    """Tromsø and the national template applied to Skien: scenario, run, warm-up, summary."""
    found = {}
    for name, overrides in (("tromso", None), ("national_per_1000", {"municipality": "3807"})):
        scenario = load_scenario(SCENARIOS / f"{name}.yaml", (), overrides)
        result = simulate(scenario, 4, 1)
        warmup = warmup_weeks(result.levels, seasonal_period(scenario))
        found[name] = (scenario, result, warmup, summarise(result, scenario, warmup))
    return found


def _tables(run: tuple, lang: str) -> list[pd.DataFrame]:
    scenario, result, warmup, summary = run
    cases = simulate(scenario, 1, 1, engine="ciw").cases
    case_work = summary["cost.case_work"].mean()
    return [
        arrivals_display(scenario, lang),
        services_display(scenario, lang),
        sources_display(scenario, lang),
        levels_display(summary, lang),
        service_load_display(result, warmup, lang),
        organisation_cost_display(organisation_cost(scenario), lang, case_work),
        per_case_display(cases, lang),
        options_display(["trial_cap_one_log", "no_bti+intermunicipal_team"], lang),
    ]


@pytest.mark.parametrize("name", ["tromso", "national_per_1000"])
def test_every_table_is_text_for_people_in_bokmal(runs, name):
    for table in _tables(runs[name], "nb"):
        assert len(table) > 0
        assert list(table.index) == list(range(len(table)))  # nothing to read in the index
        cells = table.to_numpy().ravel().tolist() + list(table.columns)
        assert all(isinstance(cell, str) for cell in cells), table
        assert not _RAW & set(cells), table
        text = " ".join(cells)
        assert not ENGLISH.findall(text), (ENGLISH.findall(text), table)
        assert "_" not in text.replace("_*.txt", ""), table  # no ids such as school_health


def test_headers_follow_the_language(runs):
    for nb, en in zip(_tables(runs["tromso"], "nb"), _tables(runs["tromso"], "en"), strict=True):
        assert list(nb.columns) != list(en.columns)
        assert nb.shape == en.shape
    assert set(languages()) >= {"nb", "en"}


def test_level_0_has_no_wait_and_the_others_do(runs):
    table = levels_display(runs["tromso"][3], "nb")
    assert table.iloc[0, 3] == "–"
    assert all(value != "–" for value in table.iloc[1:, 3])
    assert table.iloc[:, 0].tolist() == [label(f"level.{n}.name", "nb") for n in range(4)]


def test_the_cost_total_is_the_groups_posts_and_case_work():
    scenario = load_scenario(SCENARIOS / "sirdal.yaml")
    costs = organisation_cost(scenario)
    table = organisation_cost_display(costs, "nb", 1000.0)
    assert table.iloc[-1, -1] == format_nok(costs["nok_per_year"].sum() + 1000.0, "nb")
    assert table.iloc[:3, 0].tolist() == ["Driftsstyre", "Referansegruppe", "Styringsgruppe"]
    assert table.iloc[3, 2] == "–"  # a post has no hours a year
    assert len(organisation_cost_display(costs, "en")) == len(costs) + 1  # no case-work row


@pytest.mark.parametrize(
    ("written", "nb", "en"),
    [
        (
            "staffing norms: 22.27 FTE × 0.03 BTI share × 37.5 h",
            "bemanningsnorm: 22,27 årsverk × 0,03 til BTI × 37,5 t",
            "staffing norm: 22.27 FTE × 0.03 for BTI × 37.5 h",
        ),
        (
            "2.5 h per 1 000 children × 14881 (at least 2 h) × 1.25",
            "2,5 t per 1 000 barn og unge × 14\u00a0881 (minst 2 t) × 1,25",
            "2.5 h per 1 000 children × 14,881 (at least 2 h) × 1.25",
        ),
        ("1.5 FTE × 0.1 BTI share × 37.5 h", "1,5 årsverk × 0,1 til BTI × 37,5 t", None),
        ("stated in the scenario", "oppgitt i scenariofilen", "stated in the scenario file"),
        ("unlimited", "ubegrenset", "unlimited"),
        ("something new", "something new", "something new"),  # an unknown form: as written
    ],
)
def test_the_basis_of_the_hours_reads_in_each_language(written, nb, en):
    resource = ServiceResource("ppt", 0, 1, 3.0, hours_basis=written)
    assert _basis(resource, "nb") == nb
    if en is not None:
        assert _basis(resource, "en") == en


def test_a_source_is_translated_only_while_the_file_says_exactly_that():
    scenario = load_scenario(SCENARIOS / "sirdal.yaml")
    text = scenario.sources["assumptions"]
    assert sources_display(scenario, "en").iloc[-1, 1] == text
    assert sources_display(scenario, "nb").iloc[-1, 1].startswith("Alt som er merket")
    edited = replace(scenario, sources={"assumptions": text + " Edited."})
    assert sources_display(edited, "nb").iloc[0, 1] == text + " Edited."
    assert sources_display(edited, "nb").iloc[0, 0] == "Forutsetninger"


def test_per_case_without_logs_or_cases_shows_dashes():
    cases = pd.DataFrame(
        {
            "warm": [True],
            "wait_for_baton_holder_weeks": [None],
            "weeks_to_level2": [None],
            "outcome": ["open"],
        }
    )
    assert per_case_display(cases, "nb").iloc[:, 1].tolist() == ["0", "–", "–", "–"]


def test_options_use_the_scenario_s_own_names_and_refuse_unknown_ones():
    doc = {"options": {"ekstra_helsesykepleier": {"description": "Én til.", "changes": {}}}}
    table = options_display(["ekstra_helsesykepleier"], "nb", doc=doc)
    assert table.iloc[0].tolist() == ["Ekstra helsesykepleier", "Én til."]
    with pytest.raises(ValueError, match="nope"):
        options_display(["nope"], "nb")
