"""Network figures."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest

from bti_workbench._util.figures import SECTOR_COLOURS
from bti_workbench.network import service_graph
from bti_workbench.reference.labels import label
from bti_workbench.reference.services import SECTORS, service_catalogue


def test_the_map_is_the_same_for_the_same_input(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.figures import network_map

    log = read_event_log(large_demo_dir / "event_log.csv")
    first = network_map(service_graph(log), lang="en").to_json()
    again = network_map(service_graph(log.sample(frac=1.0, random_state=3)), lang="en").to_json()
    assert first == again


# --------------------------------------------------------------------------------------------
# Readability: names, legend and hover texts in the chosen language; no overlapping names

#: Widths of the map on the collaboration page: a 1366 px screen less the sidebar (260 px)
#: and padding, a 1920 px screen, and a narrow window.
WIDTHS = (1050, 1600, 700)


def _demo_graph(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log

    return service_graph(read_event_log(large_demo_dir / "event_log.csv"))


def _every_service_graph() -> nx.Graph:
    """All catalogued services, many ties: the most crowded map there can be."""
    catalogue = service_catalogue()
    graph = nx.Graph()
    for i, service in enumerate(catalogue.index):
        graph.add_node(service, sector=catalogue.loc[service, "sector"], load=3 + 7 * (i % 4))
    for i, (a, b) in enumerate(itertools.combinations(sorted(catalogue.index), 2)):
        if i % 3 == 0:
            graph.add_edge(a, b, weight=1 + i % 17)
    return graph


def _name_boxes(fig, width: int) -> list[tuple[str, float, float, float, float]]:
    """Where each node's name lands, in pixels (left, bottom, right, top; y upwards).

    Estimated the way plotly places ``textposition``: beside the marker, on the side named.
    Text is taken as 0.6 em a character (the browser's sans-serif measures 0.41–0.48) and
    1.3 em high, so a pass here leaves room to spare.
    """
    height, margin = fig.layout.height, fig.layout.margin
    (x0, x1), (y0, y1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    sx = (width - margin.l - margin.r) / (x1 - x0)
    sy = (height - margin.t - margin.b) / (y1 - y0)
    boxes = []
    for trace in fig.data:
        if trace.mode != "markers+text":
            continue
        font = trace.textfont.size
        sizes = trace.marker.size
        for i, text in enumerate(trace.text):
            px, py = margin.l + (trace.x[i] - x0) * sx, margin.b + (trace.y[i] - y0) * sy
            w, h, r = 0.6 * font * len(text), 1.3 * font, sizes[i] / 2 + 2
            vertical, horizontal = trace.textposition[i].split()
            left = {"right": px + r, "left": px - r - w, "center": px - w / 2}[horizontal]
            bottom = {"top": py + r, "bottom": py - r - h, "middle": py - h / 2}[vertical]
            if vertical != "middle" and horizontal != "center":  # plotly's corners sit closer
                left += -0.3 * r if horizontal == "right" else 0.3 * r
                bottom += -0.3 * r if vertical == "top" else 0.3 * r
            boxes.append((text, left, bottom, left + w, bottom + h))
    return boxes


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_names_neither_overlap_nor_leave_the_figure(large_demo_dir, lang, width):
    from bti_workbench.network.figures import network_map

    for graph in (_demo_graph(large_demo_dir), _every_service_graph()):
        fig = network_map(graph, lang=lang)
        boxes = _name_boxes(fig, width)
        assert len(boxes) == graph.number_of_nodes()
        for a, b in itertools.combinations(boxes, 2):
            apart = a[3] <= b[1] or b[3] <= a[1] or a[4] <= b[2] or b[4] <= a[2]
            assert apart, (width, a, b)
        for text, left, bottom, right, top in boxes:
            inside = left >= 0 and right <= width and bottom >= 0 and top <= fig.layout.height
            assert inside, (width, text)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_legend_names_sectors_in_the_language_and_their_colours(large_demo_dir, lang):
    from bti_workbench.network.figures import network_map

    graph = _demo_graph(large_demo_dir)
    fig = network_map(graph, lang=lang)
    sectors = {graph.nodes[n]["sector"] for n in graph}
    in_legend = [t for t in fig.data if t.showlegend is not False]
    expected = [s for s in SECTORS if s in sectors]
    assert [t.name for t in in_legend] == [label(f"sector.{s}", lang) for s in expected]
    assert [t.marker.color for t in in_legend] == [SECTOR_COLOURS[s] for s in expected]
    assert fig.layout.legend.title.text == label("ui.sector", lang)
    if lang == "nb":  # no sector id, no English label
        names = " ".join(t.name for t in in_legend)
        assert not any(s in names for s in SECTORS) and "/" not in names.replace("/stat", "")
    names = {label(f"service.{n}.short", lang) for n in graph}
    assert {text for t in in_legend for text in t.text} == names


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_hover_texts_are_in_the_language(large_demo_dir, lang):
    from bti_workbench.network.figures import network_map

    fig = network_map(_demo_graph(large_demo_dir), lang=lang)
    hovers = [h for t in fig.data if t.hovertext is not None for h in t.hovertext]
    assert hovers
    words = {
        "nb": ("Åpne saker", "Felles saker", "Mellomliggende sentralitet", "Sektor"),
        "en": ("Open cases", "Shared cases", "Betweenness centrality", "Sector"),
    }
    for word in words[lang]:
        assert any(word in h for h in hovers), word
    if lang == "nb":
        english = ("load", "betweenness", "community", "Shared", "Open cases")
        assert not any(w in h for h in hovers for w in english)


def test_every_service_has_a_short_name():
    for service in service_catalogue().index:
        for lang in ("nb", "en"):
            short = label(f"service.{service}.short", lang)
            assert 0 < len(short) <= len(label(f"service.{service}", lang))
            assert len(short) <= 18
