"""Network figures."""

from __future__ import annotations

from bti_workbench.network import service_graph


def test_the_map_is_the_same_for_the_same_input(large_demo_dir):
    from bti_workbench.ingest.readers import read_event_log
    from bti_workbench.network.figures import network_map

    log = read_event_log(large_demo_dir / "event_log.csv")
    first = network_map(service_graph(log), lang="en").to_json()
    again = network_map(service_graph(log.sample(frac=1.0, random_state=3)), lang="en").to_json()
    assert first == again
