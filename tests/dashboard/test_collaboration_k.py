"""The collaboration page and its map for every allowed small-cell threshold.

``bti serve --k 3`` (or 10) must give a page as complete as the default ``k = 5``: counts
are drawn from numbers and written from the suppressed table's own texts, never parsed
back from ``<k`` or ``×``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bti_workbench._util.numbers import format_number
from bti_workbench.dashboard import collaboration_view
from bti_workbench.network import adjacency_heatmap, network_map, service_graph
from bti_workbench.network.publish import suppressed_edges, suppressed_load
from bti_workbench.reference.labels import label

KS = (3, 5, 10)


@pytest.fixture(scope="module")
def log(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log

    return read_event_log(large_demo_dir / "event_log.csv")


def _is_count_text(text: str, k: int, lang: str) -> bool:
    """A text the page may show for a count: a hidden mark, or a number of at least k."""
    marks = {label("suppression.primary", lang, k=k), label("suppression.secondary", lang)}
    digits = text.replace("\u00a0", "").replace(" ", "").replace(",", "")
    return text in marks or (digits.isdigit() and int(digits) >= k)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("k", KS)
def test_the_map_draws_numbers_and_writes_texts_for_every_k(log, k, lang):
    graph = service_graph(log)
    fig = network_map(graph, k, lang)
    edges = suppressed_edges(graph, k, lang)
    # One invisible point per tie carries its hover text: the hidden mark or the count.
    (middles,) = [t for t in fig.data if t.mode == "markers"]
    assert len(middles.hovertext) == len(edges)
    for hover, row in zip(middles.hovertext, edges.itertuples(index=False), strict=True):
        shared = row.shown if row.suppressed else format_number(int(row.count), lang)
        assert hover.endswith(label("net.hover.shared", lang, shared=shared))
        assert _is_count_text(shared, k, lang)
    # Visible ties are drawn as wide as their count says; hidden ones thin and dotted.
    lines = [t for t in fig.data if t.mode == "lines"]
    solid = [t for t in lines if t.line.dash is None]
    assert len(solid) == int((edges["suppressed"] == "").sum())
    dotted = [t for t in lines if t.line.dash == "dot"]
    assert len(dotted) == int((edges["suppressed"] != "").any())
    # Node sizes follow the loads' numbers; a hidden load gets the smallest marker, and
    # every hover text writes the load as the table shows it.
    load = suppressed_load(graph, k)
    shown = load.formatted(lang)["load"]
    by_name = {f"<b>{label(f'service.{n}', lang)}</b>": n for n in graph}
    nodes = [t for t in fig.data if t.mode == "markers+text"]
    for trace in nodes:
        for size, hover in zip(trace.marker.size, trace.hovertext, strict=True):
            service = by_name[hover.split("<br>")[0]]
            count = load.values.loc[service, "load"]
            assert size == (8 if load.hidden.loc[service, "load"] else 8 + 2 * int(count) ** 0.5)
            text = (
                shown[service] if load.hidden.loc[service, "load"] else format_number(count, lang)
            )
            assert label("net.hover.load", lang, load=text) in hover
    assert sum(len(t.x) for t in nodes) == graph.number_of_nodes()
    heatmap = adjacency_heatmap(graph, k, lang)
    assert all(_is_count_text(t, k, lang) or t == "0" for row in heatmap.data[0].text for t in row)


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("k", KS)
def test_collaboration_view_works_for_every_k(log, k, lang):
    view = collaboration_view(log, k=k, lang=lang)
    assert [t for t in view.network.data if t.mode == "markers+text"]
    shared = view.missing[label("dash.col.shared_cases", lang)]
    assert len(shared) and all(_is_count_text(t, k, lang) or t == "0" for t in shared)
    assert label("suppression.note", lang, k=k) in view.notes
    figures = view.drop_out.iloc[:2, 1].tolist()  # open cases; cases losing a tie
    assert _is_count_text(figures[0], k, lang)
    assert _is_count_text(figures[1].split(" (")[0], k, lang)


def test_each_k_has_its_own_map(log):
    maps = {k: collaboration_view(log, k=k, lang="en").network for k in KS}
    assert len({id(m) for m in maps.values()}) == len(KS)
    texts = {
        k: {h for t in m.data if t.mode == "markers" for h in t.hovertext} for k, m in maps.items()
    }
    assert any("<3" in h for h in texts[3]) and not any("<5" in h for h in texts[3])
    assert any("<10" in h for h in texts[10])


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_map_with_every_tie_hidden_says_so_in_a_sentence(lang):
    def log(cases: int) -> pd.DataFrame:
        return pd.DataFrame({
            "case_id": [f"C{i}" for i in range(cases) for _ in range(2)],
            "event_time": pd.Timestamp("2018-02-01"), "event": "meeting_held", "level": 2,
            "service": ["school", "ppt"] * cases, "role": ["baton_holder", "participant"] * cases,
        })  # fmt: skip

    sentence = label("dash.net.all_hidden", lang, k=5)
    assert collaboration_view(log(3), k=5, lang=lang).notes.startswith(sentence)
    assert sentence not in collaboration_view(log(6), k=5, lang=lang).notes
