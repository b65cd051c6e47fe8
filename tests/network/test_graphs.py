"""Collaboration graphs: projections from a hand-written log checked edge by edge."""

from __future__ import annotations

import pandas as pd
import pytest

from bti_workbench.ingest.readers import read_organisation
from bti_workbench.network import (
    handover_graph,
    organisation_graph,
    partner_scores,
    reciprocity,
    service_graph,
    survey_graph,
)


def test_service_graph_from_a_hand_written_log_edge_by_edge(log):
    g = service_graph(log)
    expected = {
        # pair: (shared cases, shared meetings, cases by level 0..3)
        ("kindergarten", "ppt"): (1, 1, (0, 0, 1, 0)),
        ("kindergarten", "school"): (1, 0, (0, 0, 1, 0)),  # C1: school takes over at level 2
        ("ppt", "school"): (2, 1, (0, 0, 1, 1)),
        ("child_welfare", "ppt"): (1, 1, (0, 0, 0, 1)),
        ("child_welfare", "school"): (1, 1, (0, 0, 0, 1)),
        ("school", "school_health"): (1, 0, (0, 1, 0, 0)),
    }
    got = {tuple(sorted((a, b))): d for a, b, d in g.edges(data=True)}
    assert set(got) == set(expected)
    for pair, (cases, meetings, by_level) in expected.items():
        data = got[pair]
        assert data["shared_cases"] == data["weight"] == cases, pair
        assert data["shared_meetings"] == meetings, pair
        assert tuple(data[f"cases_level_{n}"] for n in range(4)) == by_level, pair
    # Parents never make a service tie; load = open cases (C2 is closed).
    assert g.nodes["school"]["load"] == 2 and g.nodes["child_welfare"]["load"] == 0
    assert g.nodes["ppt"]["sector"] == "upbringing" and g.nodes["ppt"]["scope"] == "intermunicipal"


def test_a_period_keeps_only_its_events(log):
    g = service_graph(log, period=("2018-01-01", "2018-02-28"))
    assert sorted(g.edges()) == [("kindergarten", "ppt")]


def test_handover_graph_passes_the_baton_from_the_previous_holder(log):
    g = handover_graph(log)
    assert list(g.edges(data="weight")) == [("kindergarten", "school", 1)]


def test_organisation_graph_links_co_members():
    org = read_organisation("data/organisation/sirdal.yaml")
    g = organisation_graph(org)
    # The operations board: kindergarten, school and health station; all three also sit in
    # the reference and steering groups (health station via "Enhetsleder helse").
    assert g["kindergarten"]["school"]["groups"] == [
        "driftsstyre",
        "referansegruppe",
        "styringsgruppe",
    ]
    assert g["kindergarten"]["school"]["weight"] == 3
    assert g["ppt"]["nav"]["groups"] == ["referansegruppe"]
    assert not g.has_edge("administration", "ppt")


def test_survey_graph_reciprocity_and_partner_scores():
    survey = pd.DataFrame(
        {
            "respondent_service": ["school", "ppt", "school", "nav", "health_station"],
            "partner_service": ["ppt", "school", "nav", "school", "school"],
            "frequency": ["weekly", "monthly", "never", "yearly", "quarterly"],
            "trust": [4, 3, 1, 2, 4],
            "value": [3, 4, 1, 2, 3],
        }
    )
    g = survey_graph(survey)
    assert sorted(g.edges()) == [
        ("health_station", "school"),
        ("nav", "school"),
        ("ppt", "school"),
        ("school", "ppt"),
    ]
    assert reciprocity(g) == pytest.approx(2 / 4)
    scores = partner_scores(g)
    assert scores.loc["school", "trust"] == pytest.approx((3 + 2 + 4) / 3)
    assert scores.loc["school", "value"] == pytest.approx((4 + 2 + 3) / 3)
    assert scores.loc["school", "raters"] == 3
