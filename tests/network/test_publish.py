"""Publishing networks: suppression, files and the command line."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from bti_workbench.network import service_graph


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
    assert "ties, density" in result.output and "Survey against cases" in result.output
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
        app,
        ["network", str(log), "--survey", str(survey), "--out", str(out), "--lang", "en", *args],
    )
    assert result.exit_code == 1
    assert "error:" in result.output and message in result.output, result.output
    assert not out.exists()


@pytest.mark.parametrize("k", [3, 5, 10])
def test_edges_keep_numbers_and_texts_apart_for_every_k(large_demo_dir, k):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.publish import (
        _publishable_graph,
        published_edges,
        suppressed_adjacency,
        suppressed_edges,
    )

    graph = service_graph(read_event_log(large_demo_dir / "event_log.csv"))
    edges = suppressed_edges(graph, k, "nb")
    hidden = edges["suppressed"] != ""
    assert edges["count"].isna().eq(hidden).all()  # a number exactly where it is shown
    assert set(edges.loc[hidden, "shown"]) <= {f"<{k}", "×"}
    assert edges.loc[~hidden, "shown"].tolist() == [str(c) for c in edges.loc[~hidden, "count"]]
    assert (edges.loc[~hidden, "count"] >= k).all()
    files = published_edges(graph, k, "nb")
    assert files["weight"].tolist() == edges["shown"].tolist()
    # The table's numbers are hidden on both sides of the diagonal.
    table = suppressed_adjacency(graph, k)
    nodes = sorted(graph)
    assert table.values.loc[nodes, nodes].isna().eq(table.hidden.loc[nodes, nodes]).all().all()
    # Graph files take the numbers (visible) or 1 (hidden), never a text read back.
    out = _publishable_graph(graph, k, "en")
    for row in suppressed_edges(graph, k, "en").itertuples(index=False):
        data = out[row.source][row.target]
        assert data["weight"] == (1.0 if row.suppressed else float(row.count))
        assert data["weight_shown"] == row.shown


@pytest.mark.parametrize("k", [3, 5, 10])
def test_loads_keep_numbers_and_texts_apart_for_every_k(large_demo_dir, k):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.publish import published_metrics, suppressed_load

    graph = service_graph(read_event_log(large_demo_dir / "event_log.csv"))
    load = suppressed_load(graph, k)
    assert load.values["load"].isna().eq(load.hidden["load"]).all()
    shown = load.formatted("en")["load"]
    assert set(shown[load.hidden["load"]]) <= {f"<{k}", "×"}
    metrics = published_metrics(graph, k, "en")
    assert metrics["load [after suppression]"].tolist() == shown.loc[metrics.index].tolist()
