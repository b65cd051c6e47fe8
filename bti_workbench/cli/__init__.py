"""The ``bti`` command line: the Typer app and its commands, one module per command group.

=========================  ==================================================================
:mod:`~.data`              ``population``, ``validate``, ``demo-data``, ``demo-store``,
                           ``import``, ``store status|history|remove``
:mod:`~.simulate`          ``simulate``, ``compare``, ``calibrate``
:mod:`~.network`           ``network``
:mod:`~.serve`             ``serve``
:mod:`~.sweep`             ``sweep``
:mod:`~.report`            ``report load|collaboration|evaluation|national|brief``
=========================  ==================================================================

The order below is the order of ``bti --help``.
"""

from __future__ import annotations

import typer

from bti_workbench.cli import data, network, report, serve, simulate, sweep
from bti_workbench.cli._help import PlainHelpGroup

__all__ = ["app"]

#: The ``bti`` command (``[project.scripts]`` in pyproject.toml points here).
app = typer.Typer(
    cls=PlainHelpGroup,
    help="BTI workbench: planning and evaluation for Bedre tverrfaglig innsats.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command()(data.population)
app.command("demo-data")(data.demo_data)
app.command("demo-store")(data.demo_store)
app.command()(data.validate)
app.command()(simulate.simulate)
app.command()(simulate.compare)
app.command()(network.network)
app.command("import")(data.import_)
app.command()(simulate.calibrate)
app.command()(serve.serve)
app.command()(sweep.sweep)

_store_app = typer.Typer(
    cls=PlainHelpGroup, help="The embedded store (DuckDB).", no_args_is_help=True
)
_store_app.command("status")(data.store_status)
_store_app.command("history")(data.store_history)
_store_app.command("remove")(data.store_remove)
app.add_typer(_store_app, name="store")

_report_app = typer.Typer(
    cls=PlainHelpGroup, help="Reports rendered from the notebooks.", no_args_is_help=True
)
_report_app.command("load")(report.report_load)
_report_app.command("collaboration")(report.report_collaboration)
_report_app.command("evaluation")(report.report_evaluation)
_report_app.command("national")(report.report_national)
_report_app.command("brief")(report.report_brief)
app.add_typer(_report_app, name="report")
