"""``bti report evaluation``: the pilot evaluation notebook, run and rendered as HTML.

The docstring of the command is its ``--help`` text. The request (municipality, period,
go-live dates) is checked against the data before the notebook runs; a failure inside the
notebook prints the failing cell's own message, without anything that looks like an
identifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bti_workbench.cli._common import (
    DEFAULT_STORE,
    STORE_HELP,
    Lang,
    fail,
    kommunenummer,
    output_file,
)

__all__ = ["report_evaluation"]

#: The options the request's checks name in their messages.
_OPTION_NAMES = {"municipality": "--municipality", "period": "--period", "go_live": "--go-live"}


def report_evaluation(
    municipality: Annotated[str, typer.Option("--municipality", "-m", help="Kommunenummer.")],
    period: Annotated[
        str | None,
        typer.Option(
            help="The period the indicators cover: 2018-01-01..2018-06-30. Default: everything "
            "the store (or --files) holds for the municipality."
        ),
    ] = None,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
    files: Annotated[
        list[Path] | None,
        typer.Option(
            "--files", help="Read these files (or demo folders) instead of a store; repeatable."
        ),
    ] = None,
    go_live: Annotated[
        str | None,
        typer.Option(help="Go-live date(s): 2018-09-01, or 4228=2018-09-01,1106=2019-03-01."),
    ] = None,
    lang: Lang = "nb",
    k: Annotated[int, typer.Option(help="Suppression threshold (cells below k are hidden).")] = 5,
    keep_notebook: Annotated[
        Path | None, typer.Option(help="Also keep the executed notebook (with code) here.")
    ] = None,
) -> None:
    """Run notebooks/03_pilot_evaluation.ipynb for a municipality and render it as HTML."""
    municipality = kommunenummer(municipality)
    output_file(out, "--out")
    if keep_notebook is not None:
        output_file(keep_notebook, "--keep-notebook", made=False)
    import papermill as pm

    from bti_workbench.reports.messages import failure_message
    from bti_workbench.reports.render import REPORTS, notebook_path, render_report

    if lang not in ("nb", "en"):
        fail("error: --lang must be nb or en")
    if k < 2:
        fail("error: --k must be at least 2")
    if files:
        missing = [f.name for f in files if not f.exists()]
        if missing:
            fail(f"error: not found: {', '.join(missing)}")
    elif not store.exists():
        fail(f"error: {store}: no store here yet; import files with `bti import` or use --files")
    code, chosen = _checked_request(municipality, period, store, files or [], go_live or "")
    parameters = {
        "store": "" if files else str(store.resolve()),
        "files": [str(f.resolve()) for f in files or []],
        "municipality": code,
        "period": chosen,
        "go_live": go_live or "",
        "lang": lang,
        "k": k,
    }
    typer.echo(f"running {REPORTS['evaluation']} for {chosen} …", err=True)
    try:
        render_report(
            notebook_path(REPORTS["evaluation"]), parameters, out, keep_notebook=keep_notebook
        )
    except pm.PapermillExecutionError as exc:
        # The cell's message may quote data: it is printed without identifier-like parts.
        fail(
            f"error: {failure_message(exc.exec_count, exc.ename, exc.evalue)}\n"
            "(run it again with --keep-notebook FILE to read the whole cell)"
        )
    typer.echo(f"wrote {out}")


def _checked_request(
    municipality: str, period: str | None, store: Path, files: list[Path], go_live: str
) -> tuple[str, str]:
    """The kommunenummer and the period (``FIRST..LAST``), or a usage error naming the option."""
    import duckdb

    from bti_workbench.evaluation.sources import check_request
    from bti_workbench.reports.messages import safe_message

    try:
        request = check_request(
            municipality,
            period or None,
            store=None if files else store,
            files=files,
            go_live=go_live,
            names=_OPTION_NAMES,
        )
    except (ValueError, duckdb.Error) as exc:
        fail(f"error: {safe_message(exc)}")
    first, last = request.period
    return request.municipality.kommunenummer, f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
