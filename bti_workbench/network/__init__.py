"""Collaboration networks between services: graphs from the cases, the organisation and a
survey, their metrics, the questions asked of them, and what may be published of them."""

from bti_workbench.network.figures import adjacency_heatmap, network_map, sector_layout
from bti_workbench.network.graphs import (
    handover_graph,
    organisation_graph,
    service_graph,
    survey_graph,
)
from bti_workbench.network.metrics import (
    betweenness,
    brokerage,
    communities,
    core_periphery,
    degree_centralisation,
    metrics_table,
    partner_scores,
    reciprocity,
    weighted_degree,
)
from bti_workbench.network.publish import (
    published_edges,
    published_metrics,
    published_period_change,
    suppressed_adjacency,
    write_network,
)
from bti_workbench.network.questions import (
    drop_out,
    expected_links,
    missing_links,
    perceived_vs_enacted,
    period_change,
    qap_correlation,
)

__all__ = [
    "adjacency_heatmap",
    "betweenness",
    "brokerage",
    "communities",
    "core_periphery",
    "degree_centralisation",
    "drop_out",
    "expected_links",
    "handover_graph",
    "metrics_table",
    "missing_links",
    "network_map",
    "organisation_graph",
    "partner_scores",
    "perceived_vs_enacted",
    "period_change",
    "published_edges",
    "published_metrics",
    "published_period_change",
    "qap_correlation",
    "reciprocity",
    "sector_layout",
    "service_graph",
    "suppressed_adjacency",
    "survey_graph",
    "weighted_degree",
    "write_network",
]
