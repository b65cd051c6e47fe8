"""``bti network``: map collaboration between services from the cases.

The docstring of the command is its ``--help`` text.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bti_workbench._util.numbers import format_number
from bti_workbench._util.periods import in_period
from bti_workbench.cli._common import Lang, fail, fail_with, output_folder, parse_period
from bti_workbench.errors import ContractError, IdentifierError
from bti_workbench.reference.labels import label

if TYPE_CHECKING:
    import networkx as nx
    import pandas as pd

__all__ = ["network"]

#: What :func:`~bti_workbench.network.publish.write_network` writes into ``--out``.
_NETWORK_FILES = ("edges.csv", "metrics.csv", "graph.gexf", "graph.graphml")


def network(
    event_log: Annotated[Path, typer.Argument(help="Pseudonymised event log (CSV or XLSX).")],
    out: Annotated[Path, typer.Option(help="Folder for edges.csv, metrics.csv, graph files.")],
    survey: Annotated[Path | None, typer.Option(help="Collaboration survey.")] = None,
    organisation: Annotated[Path | None, typer.Option(help="Organisation contract.")] = None,
    period: Annotated[
        str | None, typer.Option(help="Dates to keep, e.g. 2018-01-01..2018-06-30.")
    ] = None,
    k: Annotated[int, typer.Option(min=2, help="Small-cell threshold (at least 2).")] = 5,
    lang: Lang = "nb",
) -> None:
    """Map collaboration between services from the cases; write suppressed results."""
    from bti_workbench.network import service_graph
    from bti_workbench.network.publish import published_metrics, write_network
    from bti_workbench.network.questions import missing_links

    output_folder(out, "--out", files=_NETWORK_FILES, lang=lang)
    chosen = parse_period(period, lang=lang)
    log, perceived, org = _read_inputs(event_log, survey, organisation, lang)
    if not in_period(log["event_time"], chosen).any():
        fail(label("cli.net.no_events", lang, file=event_log.name, period=period), lang)
    graph = service_graph(log, chosen)
    if graph.number_of_nodes() == 0:
        fail(label("cli.net.nothing_to_map", lang, file=event_log.name), lang)
    metrics = published_metrics(graph, k, lang)
    missing = missing_links(graph)
    try:
        written = write_network(graph, out, k, lang)
    except OSError as exc:  # e.g. a full disk: each file is whole or as it was
        fail(label("cli.net.cannot_write", lang, file=out.name, reason=exc.strerror), lang)
    _print_shape(graph, f"{event_log.name}{f' {period}' if period else ''}", lang)
    _print_between_and_gaps(metrics, missing, lang)
    _print_comparisons(graph, perceived, org, lang)
    for path in written:
        typer.echo(label("cli.wrote", lang, path=path))


def _read_inputs(
    event_log: Path, survey: Path | None, organisation: Path | None, lang: str
) -> tuple[pd.DataFrame, nx.Graph | None, nx.Graph | None]:
    """The event log, and the survey's and the organisation's graphs where given."""
    from bti_workbench.ingest.readers import (
        read_collaboration_survey,
        read_event_log,
        read_organisation,
    )
    from bti_workbench.network import organisation_graph, survey_graph

    try:
        log = read_event_log(event_log)
        perceived = survey_graph(read_collaboration_survey(survey)) if survey else None
        org = organisation_graph(read_organisation(organisation)) if organisation else None
    except (ContractError, IdentifierError) as exc:
        fail_with(exc, lang)
    return log, perceived, org


def _print_shape(graph: nx.Graph, title: str, lang: str) -> None:
    """Services, ties, density and degree centralisation, before suppression."""
    import networkx as nx

    from bti_workbench.network import degree_centralisation

    line = label(
        "cli.net.shape",
        lang,
        title=title,
        services=format_number(graph.number_of_nodes(), lang),
        ties=format_number(graph.number_of_edges(), lang),
        density=format_number(nx.density(graph), lang, 2),
        centralisation=format_number(degree_centralisation(graph), lang, 2),
    )
    for part in textwrap.wrap(line, 100):
        typer.echo(part)


def _print_between_and_gaps(metrics: pd.DataFrame, missing: pd.DataFrame, lang: str) -> None:
    """The three services most between others, and the expected ties the cases lack: one
    service or tie a line, so nothing runs past 100 columns."""
    column = "betweenness [before suppression]"
    top = metrics.sort_values(column, ascending=False).head(3)
    typer.echo(label("cli.net.between", lang))
    for service, value in top[column].items():
        typer.echo(f"  {label(f'service.{service}', lang)} {format_number(value, lang, 2)}")
    gaps = missing[missing["missing"]]
    lacking, expected = (format_number(len(ties), lang) for ties in (gaps, missing))
    typer.echo(label("cli.net.missing", lang, missing=lacking, expected=expected))
    for a, b in zip(gaps["service_a"], gaps["service_b"], strict=True):
        typer.echo(f"  {label(f'service.{a}', lang)} – {label(f'service.{b}', lang)}")


def _print_comparisons(
    graph: nx.Graph, perceived: nx.Graph | None, org: nx.Graph | None, lang: str
) -> None:
    """The survey's ties against the cases' ties, and the organisation's shared groups."""
    from bti_workbench.network.questions import perceived_vs_enacted

    if perceived is not None:
        compared = perceived_vs_enacted(perceived, graph)["status"].value_counts()
        both, perceived_only, enacted = (
            format_number(compared.get(status, 0), lang)
            for status in ("both", "perceived only", "enacted only")
        )
        typer.echo(
            label("cli.net.survey", lang, both=both, perceived=perceived_only, enacted=enacted)
        )
    if org is not None:
        pairs = format_number(org.number_of_edges(), lang)
        typer.echo(label("cli.net.organisation", lang, pairs=pairs))
