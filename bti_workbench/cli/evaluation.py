"""``bti report evaluation``: the pilot evaluation notebook, run and rendered as HTML.

The docstring of the command is its ``--help`` text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bti_workbench.cli._common import DEFAULT_STORE, STORE_HELP, Lang, fail, parse_period

__all__ = ["report_evaluation"]


def report_evaluation(
    municipality: Annotated[str, typer.Option("--municipality", "-m", help="Kommunenummer.")],
    period: Annotated[
        str, typer.Option(help="The period the indicators cover: 2018-01-01..2018-06-30.")
    ],
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
    import papermill as pm

    from bti_workbench.reports.render import REPORTS, notebook_path, render_report

    chosen = parse_period(period)
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
    parameters = {
        "store": "" if files else str(store.resolve()),
        "files": [str(f.resolve()) for f in files or []],
        "municipality": municipality,
        "period": f"{chosen[0]:%Y-%m-%d}..{chosen[1]:%Y-%m-%d}",
        "go_live": go_live or "",
        "lang": lang,
        "k": k,
    }
    typer.echo(f"running {REPORTS['evaluation']} …", err=True)
    try:
        render_report(
            notebook_path(REPORTS["evaluation"]), parameters, out, keep_notebook=keep_notebook
        )
    except pm.PapermillExecutionError as exc:
        # The message of a failing cell may quote data; name the cell and the kind only.
        fail(
            f"error: the report failed in cell {exc.exec_count} ({exc.ename}); run it again "
            "with --keep-notebook FILE to read the cell's message"
        )
    typer.echo(f"wrote {out}")
