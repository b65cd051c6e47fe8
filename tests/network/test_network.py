"""Collaboration graphs: projections checked edge by edge, metrics against hand values."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from bti_workbench.ingest.readers import read_organisation
from bti_workbench.network import (
    betweenness,
    brokerage,
    communities,
    core_periphery,
    degree_centralisation,
    handover_graph,
    metrics_table,
    organisation_graph,
    partner_scores,
    reciprocity,
    service_graph,
    survey_graph,
    weighted_degree,
)

ROWS = [
    # case, time, event, level, service, role
    ("C1", "2018-01-02", "log_opened", 1, "kindergarten", "baton_holder"),
    ("C1", "2018-02-01", "meeting_held", 2, "kindergarten", "baton_holder"),
    ("C1", "2018-02-01", "meeting_held", 2, "ppt", "participant"),
    ("C1", "2018-02-01", "meeting_held", 2, "kindergarten", "parent"),
    ("C1", "2018-04-01", "baton_handover", 2, "school", "baton_holder"),
    ("C2", "2018-01-05", "log_opened", 1, "school", "baton_holder"),
    ("C2", "2018-03-01", "meeting_held", 3, "school", "baton_holder"),
    ("C2", "2018-03-01", "meeting_held", 3, "ppt", "participant"),
    ("C2", "2018-03-01", "meeting_held", 3, "child_welfare", "participant"),
    ("C2", "2018-05-01", "log_closed", 3, "school", "baton_holder"),
    ("C3", "2018-06-01", "log_opened", 1, "school", "baton_holder"),
    ("C3", "2018-06-20", "entry_added", 1, "school_health", "participant"),
]


@pytest.fixture
def log():
    frame = pd.DataFrame(
        ROWS, columns=["case_id", "event_time", "event", "level", "service", "role"]
    )
    frame["event_time"] = pd.to_datetime(frame["event_time"])
    return frame


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


# --- the questions --------------------------------------------------------------------------


def test_missing_expected_links_are_the_pairs_the_cases_lack(log):
    from bti_workbench.network.questions import missing_links

    expected = pd.DataFrame(
        {
            "service_a": ["school", "kindergarten", "nav"],
            "service_b": ["ppt", "health_station", "mental_health"],
            "reason": ["r1", "r2", "r3"],
        }
    )
    table = missing_links(service_graph(log), expected).set_index(["service_a", "service_b"])
    assert table.loc[("school", "ppt"), "shared_cases"] == 2
    assert not table.loc[("school", "ppt"), "missing"]
    assert table.loc[("kindergarten", "health_station"), "missing"]
    assert table.loc[("nav", "mental_health"), "missing"]


def test_the_shipped_expected_links_name_catalogue_services():
    from bti_workbench.network.questions import expected_links

    table = expected_links()
    assert len(table) >= 5 and table["reason"].notna().all()


def _cross_sector_log():
    rows = [
        ("C4", "2018-01-01", "log_opened", 1, "school", "baton_holder"),
        ("C4", "2018-02-01", "meeting_held", 3, "school", "baton_holder"),
        ("C4", "2018-02-01", "meeting_held", 3, "child_welfare", "participant"),
        ("C5", "2018-01-01", "log_opened", 1, "school", "baton_holder"),
        ("C5", "2018-02-01", "meeting_held", 3, "ppt", "participant"),
        ("C5", "2018-02-01", "meeting_held", 3, "child_welfare", "participant"),
        ("C5", "2018-02-01", "meeting_held", 3, "school_health", "participant"),
        ("C6", "2018-01-01", "log_opened", 1, "school", "baton_holder"),
        ("C6", "2018-02-01", "meeting_held", 2, "child_welfare", "participant"),
        ("C6", "2018-03-01", "log_closed", 2, "school", "baton_holder"),
    ]
    frame = pd.DataFrame(
        rows, columns=["case_id", "event_time", "event", "level", "service", "role"]
    )
    frame["event_time"] = pd.to_datetime(frame["event_time"])
    return frame


def test_drop_out_counts_cases_losing_their_only_cross_sector_tie():
    from bti_workbench.network.questions import drop_out

    log = _cross_sector_log()
    g = service_graph(log)
    # C4 (school + child welfare) loses its only tie between sectors; C5 keeps school health;
    # C6 is closed.
    result = drop_out(log, g, "child_welfare")
    assert result["cases_at_levels_2_3"] == 2
    assert result["cases_losing_cross_sector_tie"] == 1
    assert drop_out(log, g, "school_health")["cases_losing_cross_sector_tie"] == 0
    # A star around the school falls apart without it.
    star = nx.Graph([("school", "ppt"), ("school", "nav"), ("school", "child_welfare")])
    apart = drop_out(log, star, "school")
    assert (apart["components_before"], apart["components_after"]) == (1, 3)
    assert apart["isolated_after"] == ["child_welfare", "nav", "ppt"]


def _null_log(rng, cases=300, change=0.0):
    """Cases in two half-years; each pair of services joins a case with fixed chances
    (plus ``change`` for school–ppt in the second half)."""
    chances = {"ppt": 0.3, "school_health": 0.25, "child_welfare": 0.15, "nav": 0.1}
    rows = []
    for i in range(cases):
        second = rng.random() < 0.5
        start = pd.Timestamp("2018-07-01" if second else "2018-01-01") + pd.Timedelta(
            days=int(rng.integers(0, 150))
        )
        case = f"C{i}"
        rows.append((case, start, "log_opened", 1, "school", "baton_holder"))
        for service, p in chances.items():
            p = p + (change if second and service == "ppt" else 0.0)
            if rng.random() < p:
                rows.append(
                    (case, start + pd.Timedelta(days=7), "meeting_held", 2, service, "participant")
                )
    return pd.DataFrame(
        rows, columns=["case_id", "event_time", "event", "level", "service", "role"]
    )


def test_period_change_p_values_are_uniform_under_the_null():
    from scipy import stats

    from bti_workbench.network.questions import period_change

    rng = np.random.default_rng(7)
    p_values = []
    for i in range(25):
        table = period_change(
            _null_log(rng),
            ("2018-01-01", "2018-06-30"),
            ("2018-07-01", "2018-12-31"),
            permutations=199,
            seed=i,
        )
        # Pairs seen in few cases have a coarse, discrete null (their p-values lean high,
        # which is conservative); the shape is checked on pairs with 20 or more cases.
        enough = table[table["first"] + table["second"] >= 20]
        p_values += enough["p_value"].tolist()
    p_values = np.array(p_values)
    assert len(p_values) > 80
    # Roughly uniform: not rejected by Kolmogorov–Smirnov, and about 5 % below 0.05.
    assert stats.kstest(p_values, "uniform").pvalue > 0.01
    assert 0.01 <= (p_values < 0.05).mean() <= 0.12


def test_period_change_finds_a_real_change():
    from bti_workbench.network.questions import period_change

    log = _null_log(np.random.default_rng(3), cases=400, change=0.35)
    table = period_change(log, ("2018-01-01", "2018-06-30"), ("2018-07-01", "2018-12-31"), seed=1)
    row = table.set_index(["service_a", "service_b"]).loc[("ppt", "school")]
    assert row["change_per_100"] > 20 and row["p_value"] < 0.01


def test_period_change_refuses_an_empty_period(log):
    from bti_workbench.network.questions import period_change

    with pytest.raises(ValueError, match="a period has no cases"):
        period_change(log, ("2019-01-01", "2019-06-30"), ("2018-01-01", "2018-12-31"))


# --- publishing: suppression, files, the command line ---------------------------------------


def test_published_edges_hide_small_counts_symmetrically_and_protect_totals(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.publish import published_edges, suppressed_adjacency

    g = service_graph(read_event_log(large_demo_dir / "event_log.csv"))
    table = suppressed_adjacency(g)
    nodes = sorted(g)
    hidden = table.hidden.loc[nodes, nodes]
    assert (hidden == hidden.T).all().all()
    raw = table.values.loc[nodes, nodes]
    assert (hidden | (raw >= 5) | (raw == 0)).all().all()  # every small count is hidden
    edges = published_edges(g)
    shown = edges[edges["suppressed"] == ""]
    assert shown["weight"].astype(int).ge(5).all()
    assert set(edges.loc[edges["suppressed"] == "primary", "weight"]) <= {"<5"}
    # No visible number equals a hidden small count's neighbour total minus the rest:
    # every service with a hidden tie either has its total hidden or a second hidden tie.
    total = table.formatted("en").iloc[: len(nodes), -1]
    for node in nodes:
        row_hidden = int(hidden.loc[node].sum())
        assert row_hidden != 1 or total[node] in {"<5", "×"}, node


def test_metrics_say_whether_computed_before_or_after_suppression(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.publish import published_metrics

    metrics = published_metrics(service_graph(read_event_log(large_demo_dir / "event_log.csv")))
    counted = [c for c in metrics.columns if c not in ("sector", "scope")]
    assert all(c.endswith(("[before suppression]", "[after suppression]")) for c in counted)
    load = metrics["load [after suppression]"]
    assert all(v in {"<5", "×"} or int(v) >= 5 or int(v) == 0 for v in load)


def test_cli_network_writes_files_that_gephi_reads(tmp_path, large_demo_dir):
    from typer.testing import CliRunner

    from bti_workbench.cli import app

    out = tmp_path / "net"
    result = CliRunner().invoke(
        app,
        [
            "network",
            str(large_demo_dir / "event_log.csv"),
            "--survey",
            str(large_demo_dir / "collaboration_survey.csv"),
            "--organisation",
            str(large_demo_dir / "organisation.csv"),
            "--out",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ties, density" in result.output and "survey vs cases" in result.output
    edges = pd.read_csv(out / "edges.csv", dtype=str, keep_default_na=False)
    assert list(edges.columns) == ["source", "target", "weight", "suppressed"]
    gexf, graphml = nx.read_gexf(out / "graph.gexf"), nx.read_graphml(out / "graph.graphml")
    assert gexf.number_of_edges() == graphml.number_of_edges() == len(edges)
    hidden = edges[edges["suppressed"] != ""]
    for a, b in zip(hidden["source"], hidden["target"], strict=True):
        assert graphml[a][b]["weight_shown"] in {"<5", "×"}  # never the count
    metrics = pd.read_csv(out / "metrics.csv")
    assert len(metrics) == gexf.number_of_nodes()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        ("service", "column 'service': not a service id of the catalogue"),
        ("partner", "not a service id of the catalogue"),
        ("period", "no events in 2030-01-01..2030-06-30"),
    ],
)
def test_cli_network_bad_input_writes_nothing(tmp_path, large_demo_dir, make, message):
    from typer.testing import CliRunner

    from bti_workbench.cli import app

    log = large_demo_dir / "event_log.csv"
    survey = large_demo_dir / "collaboration_survey.csv"
    args = []
    if make == "service":
        text = log.read_text(encoding="utf-8").replace(",ppt,", ",pp_t,", 1)
        log = tmp_path / "bad_log.csv"
        log.write_text(text, encoding="utf-8")
    elif make == "partner":
        text = survey.read_text(encoding="utf-8").splitlines()
        text[2] = text[2].replace("kindergarten", "daycare", 1)
        survey = tmp_path / "bad_survey.csv"
        survey.write_text("\n".join(text) + "\n", encoding="utf-8")
    else:
        args = ["--period", "2030-01-01..2030-06-30"]
    out = tmp_path / "net"
    result = CliRunner().invoke(
        app, ["network", str(log), "--survey", str(survey), "--out", str(out), *args]
    )
    assert result.exit_code == 1
    assert "error:" in result.output and message in result.output, result.output
    assert not out.exists()


def test_qap_correlation_tells_alike_from_relabelled_networks():
    from bti_workbench.network.questions import qap_correlation

    rng = np.random.default_rng(4)
    g = nx.gnp_random_graph(14, 0.4, seed=2)
    for a, b in g.edges:
        g[a][b]["weight"] = int(rng.integers(1, 30))
    noisy = g.copy()
    for a, b in noisy.edges:
        noisy[a][b]["weight"] += int(rng.integers(0, 5))
    alike = qap_correlation(g, noisy, permutations=499)
    assert alike["correlation"] > 0.8 and alike["p_value"] < 0.01
    shuffled = nx.relabel_nodes(g, dict(zip(g, rng.permutation(len(g)).tolist(), strict=True)))
    unrelated = qap_correlation(g, shuffled, permutations=499)
    assert unrelated["p_value"] > alike["p_value"]
    # A service present in one period only takes part with no ties in the other.
    smaller = g.subgraph(range(10)).copy()
    partial = qap_correlation(smaller, g, permutations=99)
    assert partial["services"] == 14 and 0 < partial["correlation"] <= 1


def test_the_map_is_the_same_for_the_same_input(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.figures import network_map

    log = read_event_log(large_demo_dir / "event_log.csv")
    first = network_map(service_graph(log), lang="en").to_json()
    again = network_map(service_graph(log.sample(frac=1.0, random_state=3)), lang="en").to_json()
    assert first == again
