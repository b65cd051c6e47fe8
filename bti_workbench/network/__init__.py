"""Collaboration networks between services: graphs from the cases, the organisation and a
survey, and their metrics."""

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

__all__ = [
    "betweenness",
    "brokerage",
    "communities",
    "core_periphery",
    "degree_centralisation",
    "handover_graph",
    "metrics_table",
    "organisation_graph",
    "partner_scores",
    "reciprocity",
    "service_graph",
    "survey_graph",
    "weighted_degree",
]
