"""Network metrics against networkx and hand-worked values."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from bti_workbench.network import (
    betweenness,
    brokerage,
    communities,
    core_periphery,
    degree_centralisation,
    metrics_table,
    service_graph,
    weighted_degree,
)


def test_metrics_match_networkx_and_hand_values():
    g = nx.Graph()
    g.add_edge("a", "b", weight=3)
    g.add_edge("a", "c", weight=1)
    g.add_edge("a", "d", weight=2)
    g.add_edge("c", "d", weight=5)
    # Degrees 3, 1, 2, 2: Freeman = ((3-1) + (3-2) + (3-2)) / ((4-1)(4-2)) = 4 / 6.
    assert degree_centralisation(g) == pytest.approx(4 / 6)
    assert nx.density(g) == pytest.approx(4 / 6)
    assert weighted_degree(g) == {"a": 6, "b": 3, "c": 6, "d": 7}
    assert betweenness(g, weight=None) == nx.betweenness_centrality(g)
    # Weighted: strong ties are short. a–c (1) is long (distance 1), a–d–c is 0.5 + 0.2.
    assert betweenness(g)["d"] > 0 and betweenness(g)["c"] == 0


def test_brokerage_roles_on_a_hand_worked_example():
    # b brokers five open paths, one of each role (groups: sectors x, y, z).
    g = nx.DiGraph()
    sector = {
        "b": "y",
        "a1": "y",
        "c1": "y",
        "a2": "x",
        "c2": "x",
        "c3": "y",
        "a4": "y",
        "c4": "x",
        "a5": "x",
        "c5": "z",
    }
    nx.set_node_attributes(g, sector, "sector")
    g.add_edges_from([("a1", "b"), ("b", "c1")])  # y y y: coordinator
    g.add_edges_from([("a2", "b"), ("b", "c2")])  # x y x: itinerant
    g.add_edges_from([("b", "c3")])  # a2 (x) → b (y) → c3 (y): gatekeeper
    g.add_edges_from([("a4", "b"), ("b", "c4")])  # a4 (y) → b → c4 (x): representative
    g.add_edges_from([("a5", "b"), ("b", "c5")])  # x y z: liaison
    nx.set_node_attributes(g, sector, "sector")
    # Every predecessor reaches every successor through b (group y). The 4 × 5 pairs by hand:
    # coordinator (y→y→y): a1c1 a1c3 a4c1 a4c3; itinerant (x→y→x): a2c2 a2c4 a5c2 a5c4;
    # gatekeeper (x→y→y): a2c1 a2c3 a5c1 a5c3; representative (y→y→x or z): a1c2 a1c4
    # a1c5 a4c2 a4c4 a4c5; liaison (x→y→z): a2c5 a5c5.
    expected = {
        "coordinator": 4,
        "itinerant": 4,
        "gatekeeper": 4,
        "representative": 6,
        "liaison": 2,
    }
    got = brokerage(g).loc["b"]
    assert {role: int(got[role]) for role in expected} == expected
    # A closed triad is not brokered.
    g.add_edge("a1", "c1")
    assert brokerage(g).loc["b", "coordinator"] == 3


def test_communities_are_seeded_and_find_two_cliques():
    g = nx.barbell_graph(5, 0)
    first, again = communities(g, seed=3), communities(g, seed=3)
    assert first == again
    assert len(set(first.values())) == 2
    assert len({first[n] for n in range(5)}) == 1


def test_core_periphery_separates_a_clique_from_its_tail():
    g = nx.complete_graph(5)
    nx.add_path(g, [4, 5, 6])
    table = core_periphery(g)
    assert table["core"].to_dict() == {
        0: True,
        1: True,
        2: True,
        3: True,
        4: True,
        5: False,
        6: False,
    }
    assert table.loc[6, "core_number"] == 1


def test_metrics_table_on_the_demo_log(demo_dir):
    from bti_workbench.ingest.readers import read_event_log

    log = read_event_log(demo_dir / "event_log.csv")
    g = service_graph(log)
    table = metrics_table(g)
    assert set(table.index) == set(g.nodes)
    assert (table["degree"] == pd.Series(dict(g.degree()))).all()
    assert table["brokerage_total"].ge(0).all()
    assert table.equals(metrics_table(service_graph(log)))  # same input, same numbers
