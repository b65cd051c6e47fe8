"""``bti sweep``: a scenario template over municipalities × options × grid points on Dask.

The docstring of the command is its ``--help`` text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bti_workbench.cli._common import check_options, fail, output_folder, progress
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
    options: Annotated[
        str, typer.Option(help="Comma-separated: baseline (the template as it is), options, a+b.")
    ] = BASELINE,
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
        fail(f"error: unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    output_folder(out, "--out", files=("results/", "sweep.json", "failed.json"))
    names = [o.strip() for o in options.split(",") if o.strip()]
    check_options(template, names, "--options")
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
        fail(f"error: {exc}")
    typer.echo(
        f"{template.name}: {len(chosen)} municipalities × {len(names)} options × "
        f"{len(planned.points)} grid points = {len(planned.tasks)} tasks, {replications} "
        f"replications, seed {seed}, warm-up {warmup} weeks",
        err=True,
    )
    report = _run_with_progress(planned, out, scheduler, workers)
    typer.echo(
        f"{report.computed} tasks computed, {report.skipped} already finished, "
        f"{len(report.failed)} failed; results in {out / 'results'}",
        err=True,
    )
    if not report.failed.empty:
        _print_failed(report.failed, out)
        fail("run the same command again to retry the failed tasks")


def _run_with_progress(
    planned: Sweep, out: Path, scheduler: str | None, workers: int | None
) -> SweepReport:
    """Run the planned tasks with a progress bar; an error or Ctrl-C ends the command."""
    from bti_workbench.errors import SweepError
    from bti_workbench.simulation.sweep.run import run_sweep

    try:
        with progress(len(planned.tasks), "tasks") as bar:
            seen = [0]

            def tick(done: int, _todo: int) -> None:
                bar.update(done - seen[0])
                seen[0] = done

            return run_sweep(planned, out, scheduler=scheduler, workers=workers, progress=tick)
    except SweepError as exc:
        fail(f"error: {exc}")
    except OSError as exc:  # e.g. a full disk: finished tasks are whole and kept
        fail(f"error: --out {out.name}: cannot write ({exc.strerror}); finished tasks are kept")
    except KeyboardInterrupt:
        fail(f"interrupted: finished tasks are kept in {out}; run the same command to resume")


def _print_failed(failed: pd.DataFrame, out: Path) -> None:
    """The first failed tasks with their errors, and how many more ``failed.json`` lists."""
    for row in failed.head(FAILED_SHOWN).itertuples(index=False):
        settings = f" [{row.settings}]" if row.settings else ""
        typer.echo(
            f"failed: task {row.task}: {row.kommunenummer} {row.municipality}, "
            f"{row.option}{settings}: {row.error}",
            err=True,
        )
    if len(failed) > FAILED_SHOWN:
        typer.echo(f"… and {len(failed) - FAILED_SHOWN} more in {out / 'failed.json'}", err=True)
