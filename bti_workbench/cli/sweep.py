"""``bti sweep``: a scenario template over municipalities × options × grid points on Dask.

The docstring of the command is its ``--help`` text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bti_workbench._util.numbers import format_number
from bti_workbench.cli._common import (
    Lang,
    fail,
    fail_with,
    output_folder,
    parse_options,
    progress,
    tell,
)
from bti_workbench.reference.labels import label
from bti_workbench.simulation.scenario.document import BASELINE

if TYPE_CHECKING:
    import pandas as pd

    from bti_workbench.simulation.sweep import Sweep, SweepReport

__all__ = ["sweep"]

#: Failed tasks printed one by one; the rest are counted (all are in ``failed.json``).
FAILED_SHOWN = 20


def sweep(
    template: Annotated[
        Path, typer.Argument(help="Scenario or template YAML, e.g. national_per_1000.yaml.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the results (resumed if it exists).")],
    municipalities: Annotated[
        str, typer.Option(help="all, a list such as 4228,5401, or a file of kommunenummer.")
    ] = "all",
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-o",
            help="Options: repeatable, a,b lists two, a+b combines two; baseline is the template.",
        ),
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option(help="PARAM=v1,v2 with a dotted key (repeatable; the cross product)."),
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=1, help="Replications (at least 1).")
    ] = 100,
    seed: Annotated[int, typer.Option(help="Sweep seed; each municipality's is derived.")] = 1,
    warmup: Annotated[
        int, typer.Option(help="Weeks left out of every cell (the same for all).")
    ] = 104,
    population_file: Annotated[
        Path | None,
        typer.Option(help="SSB 07459 file (default: data/municipalities.csv, 15 municipalities)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler, tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes, at least 1 (default: one per CPU).")
    ] = None,
    engine: Annotated[str, typer.Option(help="fast or ciw.")] = "fast",
    lang: Lang = "nb",
) -> None:
    """Run a template over municipalities × options × grid points on Dask, resumably."""
    from bti_workbench.errors import ScenarioError, SweepError
    from bti_workbench.simulation.run import ENGINES
    from bti_workbench.simulation.sweep.plan import (
        parse_grid,
        parse_municipalities,
        plan_sweep,
    )

    if engine not in ENGINES:
        fail(label("cli.sweep.engine", lang, engine=engine, engines=", ".join(ENGINES)), lang)
    output_folder(out, "--out", files=("results/", "sweep.json", "failed.json"), lang=lang)
    names = parse_options(option or [BASELINE], template, lang=lang)
    try:
        chosen = parse_municipalities(municipalities, population_file)
        planned = plan_sweep(
            template,
            chosen,
            names,
            parse_grid(grid or []),
            replications=replications,
            seed=seed,
            warmup=warmup,
            engine=engine,
        )
    except (SweepError, ScenarioError) as exc:
        fail_with(exc, lang)
    _print_plan(template, planned, len(chosen), lang)
    report = _run_with_progress(planned, out, scheduler, workers, lang)
    done = label(
        "cli.sweep.done",
        lang,
        computed=format_number(report.computed, lang),
        skipped=format_number(report.skipped, lang),
        failed=format_number(len(report.failed), lang),
        folder=out / "results",
    )
    tell([done])
    if not report.failed.empty:
        _print_failed(report.failed, out, template, lang)
        fail(label("cli.sweep.retry", lang), lang)


def _print_plan(template: Path, planned: Sweep, municipalities: int, lang: str) -> None:
    """The sweep's size and settings, on stderr before anything runs."""
    plan = label(
        "cli.sweep.plan",
        lang,
        file=template.name,
        municipalities=format_number(municipalities, lang),
        options=format_number(len(planned.options), lang),
        points=format_number(len(planned.points), lang),
        tasks=format_number(len(planned.tasks), lang),
        replications=format_number(planned.replications, lang),
        seed=planned.seed,
        warmup=format_number(planned.warmup, lang),
    )
    tell([plan])


def _run_with_progress(
    planned: Sweep, out: Path, scheduler: str | None, workers: int | None, lang: str
) -> SweepReport:
    """Run the planned tasks with a progress bar; an error or Ctrl-C ends the command."""
    from bti_workbench.errors import SweepError
    from bti_workbench.simulation.sweep.run import run_sweep

    try:
        with progress(len(planned.tasks), label("cli.sweep.progress", lang)) as bar:
            seen = [0]

            def tick(done: int, _todo: int) -> None:
                bar.update(done - seen[0])
                seen[0] = done

            return run_sweep(planned, out, scheduler=scheduler, workers=workers, progress=tick)
    except SweepError as exc:
        fail_with(exc, lang)
    except OSError as exc:  # e.g. a full disk: finished tasks are whole and kept
        text = label("cli.sweep.cannot_write", lang, folder=out.name, reason=exc.strerror)
        fail(f"--out {text}", lang)
    except KeyboardInterrupt:
        fail(label("cli.sweep.interrupted", lang, folder=out), lang)


def _print_failed(failed: pd.DataFrame, out: Path, template: Path, lang: str) -> None:
    """The first failed tasks with their errors (options by the names a reader sees), and
    how many more ``failed.json`` lists."""
    from bti_workbench.simulation.scenario.document import option_name, read_document

    doc = read_document(template)
    for row in failed.head(FAILED_SHOWN).itertuples(index=False):
        settings = f" [{row.settings}]" if row.settings else ""
        option = option_name(row.option, lang, doc)
        line = label(
            "cli.sweep.failed",
            lang,
            task=row.task,
            kommunenummer=row.kommunenummer,
            municipality=row.municipality,
            option=f"{option}{settings}",
            error=row.error,
        )
        tell([line])
    if len(failed) > FAILED_SHOWN:
        more = format_number(len(failed) - FAILED_SHOWN, lang)
        tell([label("cli.sweep.more", lang, more=more, file=out / "failed.json")])
