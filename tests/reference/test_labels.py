"""One catalogue of user-facing text in bokmål and English."""

from __future__ import annotations

import pytest

from bti_workbench import LEVELS, label, level, service_catalogue
from bti_workbench.ingest.contracts import KINDS, column_specs, item_catalogue
from bti_workbench.reference.labels import catalogue


def test_every_label_has_both_languages():
    table = catalogue()
    assert table.index.is_unique
    assert (table["nb"].str.strip() != "").all()
    assert (table["en"].str.strip() != "").all()


def test_bokmal_is_the_default():
    assert label("level.1.name") == "Nivå 1 – tiltak internt"
    assert label("level.1.name", "en") == "Level 1 – measures within one service"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_domain_terms_have_labels(lang):
    for lv in LEVELS:
        assert lv.name(lang) and lv.description(lang)
    for service in service_catalogue().index:
        assert label(f"service.{service}", lang)
    for item in item_catalogue().index:
        assert label(f"item.{item}", lang)
    for kind in KINDS:
        key = KINDS[kind]
        assert label(f"contract.{key}", lang)
        for name, spec in column_specs(kind).items():
            assert label(f"column.{key}.{name}", lang)
            if spec["type"] == "enum" and name in ("event", "role", "wave", "frequency", "status"):
                prefix = {
                    "event": "event",
                    "role": "role",
                    "wave": "wave",
                    "frequency": "frequency",
                    "status": "status",
                }[name]
                for value in spec["values"]:
                    assert label(f"{prefix}.{value}", lang)
            if name == "kind" and key == "organisation":
                for value in spec["values"]:
                    assert label(f"group.{value}", lang)


def test_services_cover_the_domain():
    services = service_catalogue()
    expected = {
        "kindergarten",
        "school",
        "health_station",
        "school_health",
        "ppt",
        "child_welfare",
        "mental_health",
        "nav",
        "leisure",
        "allocation_office",
        "adult_education",
        "refugee_service",
        "gp",
        "bup",
        "police",
        "family_counselling",
    }
    assert expected <= set(services.index)
    assert services.loc["kindergarten", "baton_holder_nb"] == "pedagogisk leder"
    assert services.loc["school", "baton_holder_nb"] == "kontaktlærer"
    assert services.loc["health_station", "baton_holder_nb"] == "helsesykepleier"
    assert services.loc["bup", "scope"] == "specialist"


def test_staff_survey_items_of_the_baseline_surveys():
    items = item_catalogue()
    texts = set(items["text_en"])
    for text in (
        "I know what to do when I am worried about a child",
        "I know whom to contact",
        "I know the action guide",
    ):
        assert text in texts
    assert {"role_clarity", "trust", "training"} <= set(items["construct"])


def test_unknown_key_or_language_fails_loudly():
    with pytest.raises(KeyError):
        label("no.such.key")
    with pytest.raises(KeyError, match="unknown language"):
        label("level.0.name", "sv")
    with pytest.raises(ValueError, match="levels 0–3"):
        level(4)
