"""Running a sweep on Dask: batches of tasks, each written as it finishes.

Tasks run on ``dask.distributed``: an in-process ``LocalCluster`` by default, or an existing
cluster by its scheduler address. Tasks of one option and grid point go to a worker together,
and with the fast engine run in one pass, each with its own seed; each task's rows are
summarised per replication (:func:`bti_workbench.simulation.analysis.summarise`) and written
to the sweep's folder (:mod:`~bti_workbench.simulation.sweep.files`) as they finish, so a
sweep that stops part-way resumes where it stopped. A task that fails is reported with its
municipality, option and settings; the others finish.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bti_workbench.errors import SweepError
from bti_workbench.reference.municipality import Municipality
from bti_workbench.simulation.analysis import summarise
from bti_workbench.simulation.engines.compiled import ENGINE_THREADS_ENV
from bti_workbench.simulation.engines.fast import flow_arrays_many
from bti_workbench.simulation.run import simulate
from bti_workbench.simulation.scenario import parse_scenario
from bti_workbench.simulation.scenario.document import option_parts
from bti_workbench.simulation.sweep.files import (
    claim_folder,
    finished_tasks,
    write_failures,
    write_task,
)
from bti_workbench.simulation.sweep.plan import TASK_COLUMNS, Sweep

__all__ = ["MMAP_THRESHOLD", "SweepReport", "open_client", "run_sweep"]

_FAILED_COLUMNS = ["task", "kommunenummer", "municipality", "option", "settings", "error"]


@dataclass(frozen=True)
class SweepReport:
    """What a run of :func:`run_sweep` did.

    Attributes
    ----------
    out : pathlib.Path
        The sweep's folder.
    total, skipped, computed : int
        Tasks in the sweep, already finished before this run, and run now.
    failed : pandas.DataFrame
        The tasks that failed: ``task, kommunenummer, municipality, option, settings,
        error``.
    """

    out: Path
    total: int
    skipped: int
    computed: int
    failed: pd.DataFrame

    @property
    def complete(self) -> bool:
        """True when every task has its results."""
        return self.failed.empty


def _run_batch(
    document: tuple[dict, str, dict],
    base: str,
    option: str,
    point: dict,
    cells: list[tuple[Municipality, int, dict]],
    replications: int,
    warmup: int,
    engine: str,
) -> list[tuple[int, pd.DataFrame | None, str]]:
    """Cells of one option and grid point: ``(municipality, seed, meta)`` each.

    Runs on a Dask worker; it needs nothing from the client but its arguments (and, for a
    template that names an organisation file, that file at the same path). With the fast
    engine the cells run in one pass
    (:func:`~bti_workbench.simulation.engines.fast.flow_arrays_many`), each with its own seed,
    so each equals its own run. Returns per cell its task number, its
    summary (or None) and the error of a cell that failed.
    """
    doc, source, changes = document
    parsed, out = [], []
    for municipality, seed, meta in cells:
        try:
            scenario = parse_scenario(
                doc, source, Path(base), option_parts(option), changes, municipality
            )
        except Exception as exc:  # reported with the cell's parameters; the others run
            out.append((meta["task"], None, _error_text(exc)))
        else:
            parsed.append((scenario, seed, meta))
    if not parsed:
        return out
    scenarios = [p[0] for p in parsed]
    if engine == "fast":
        runs = flow_arrays_many(scenarios, replications, [p[1] for p in parsed])
    else:
        runs = [simulate(sc, replications, seed, engine) for sc, seed, _ in parsed]
    for (scenario, _, meta), run in zip(parsed, runs, strict=True):
        table = summarise(run, scenario, warmup).reset_index()
        for column, value in reversed(list(meta.items())):
            table.insert(0, column, value)
        for name, value in point.items():
            table[f"param.{name}"] = value
        out.append((meta["task"], table, ""))
    return out


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}".strip()


def _batches(todo: pd.DataFrame, max_cells: int, max_children: int) -> list[pd.DataFrame]:
    """Cells of one option and grid point, by size: up to ``max_cells`` municipalities and
    about ``max_children`` children a batch, so large municipalities run alone; the
    largest batches come first (they take longest)."""
    batches = []
    for _, group in todo.groupby(["option", "point"], sort=False):
        group = group.sort_values(["children", "task"], ascending=[False, True])
        current, children = [], 0
        for row in group.itertuples(index=False):
            if current and (len(current) >= max_cells or children + row.children > max_children):
                batches.append(current)
                current, children = [], 0
            current.append(row)
            children += row.children
        if current:
            batches.append(current)
    batches.sort(key=lambda rows: -sum(r.children for r in rows) - 2_000 * len(rows))
    return [pd.DataFrame(rows) for rows in batches]


def open_client(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: connected to ``scheduler``, or to a new LocalCluster of ``workers``
    single-threaded processes (default: the CPUs, at most 8). ``client.close()`` also
    closes a LocalCluster it started.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    workers : int, optional
        Worker processes of a new LocalCluster (without ``scheduler``).

    Returns
    -------
    distributed.Client

    Raises
    ------
    SweepError
        When the scheduler cannot be reached.
    """
    from distributed import Client

    if scheduler:
        try:
            return Client(scheduler, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise SweepError(key="err.sweep.scheduler", scheduler=scheduler, reason=exc) from exc
    import dask

    warnings.filterwarnings("ignore", category=UserWarning, module="distributed.diskutils")
    # With its dashboard off, the scheduler still tries port 8787 for its HTTP endpoints and
    # warns when another program holds it, then takes a free port: nothing for a user to do.
    warnings.filterwarnings("ignore", message="Port .* is already in use", category=UserWarning)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}):
        return Client(
            n_workers=workers or max(1, min(os.cpu_count() or 1, 8)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # failed tasks are reported by run_sweep
        )


#: Arrays up to this many bytes come from the heap on Dask's workers (``MALLOC_MMAP_THRESHOLD_``).
# Dask's workers return freed memory to the system eagerly (MALLOC_TRIM_THRESHOLD_), which
# also turns off glibc's adaptive mmap threshold: every array above 128 KiB is then mapped
# and unmapped, and a run's arrays spend their time in page faults (measured 2.7× slower
# with the earlier step engine). Arrays up to 64 MiB come from the heap instead.
MMAP_THRESHOLD = 64 * 2**20


def _worker_environ() -> dict:
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.setdefault("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD)
    # One worker per core: each runs its replications on one thread.
    environ.setdefault(ENGINE_THREADS_ENV, 1)
    # A busy disk makes Dask warn that creating its scratch folder "is taking a surprisingly
    # long time": a note for cluster operators, not for someone running a sweep.
    environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning:distributed.diskutils")
    return environ


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client=None,
    progress: Callable[[int, int], None] | None = None,
    batch_cells: int = 16,
    batch_children: int = 20_000,
) -> SweepReport:
    """Run the tasks of a sweep that have no results in ``out`` yet.

    Parameters
    ----------
    sweep : Sweep
        From :func:`~bti_workbench.simulation.sweep.plan.plan_sweep`.
    out : str or pathlib.Path
        Folder for ``sweep.json``, ``results/task-NNNNN.parquet`` and ``failed.json``.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``); its workers need
        ``bti_workbench`` installed. Without it, a LocalCluster of ``workers`` processes
        (default: the CPUs, at most 8) runs in the background and is closed at the end.
    client : distributed.Client, optional
        A client to use as it is (not closed).
    progress : callable, optional
        Called with (tasks done, tasks to do) as tasks finish.
    batch_cells, batch_children : int
        Tasks of one option and grid point go to a worker together, up to this many
        municipalities and about this many children: small municipalities share one pass
        of the engine (each with its own seed, so with the same numbers as alone).

    Returns
    -------
    SweepReport
        With the failed tasks (municipality, option, settings and error), if any.

    Raises
    ------
    SweepError
        When ``out`` holds a different sweep, or the scheduler cannot be reached.

    See Also
    --------
    bti_workbench.simulation.sweep.files.read_sweep : the results, read back.
    """
    out = Path(out)
    claim_folder(out, sweep.spec())
    todo = sweep.tasks[~sweep.tasks["task"].isin(finished_tasks(out))]
    failures = []
    if len(todo):
        own = client is None
        dask = open_client(scheduler, workers) if own else client
        try:
            futures = _submit(dask, sweep, todo, batch_cells, batch_children)
            failures = _collect(dask, futures, sweep, todo, out, progress)
        finally:
            if own:
                dask.close()
    failed = pd.DataFrame(failures, columns=_FAILED_COLUMNS)
    write_failures(out, failed)
    return SweepReport(out, len(sweep.tasks), len(sweep.tasks) - len(todo), len(todo), failed)


def _submit(dask, sweep: Sweep, todo: pd.DataFrame, batch_cells: int, batch_children: int) -> dict:
    """Submit the tasks to do in batches; future → its batch of task rows."""
    by_knr = {m.kommunenummer: m for m in sweep.municipalities}
    futures = {}
    for batch in _batches(todo, batch_cells, batch_children):
        first = batch.iloc[0]
        cells = [
            (by_knr[row.kommunenummer], int(row.seed), _meta(row))
            for row in batch.itertuples(index=False)
        ]
        future = dask.submit(
            _run_batch,
            sweep.documents[first["option"], int(first["point"])],
            str(sweep.template.parent),
            first["option"],
            sweep.points[int(first["point"])],
            cells,
            sweep.replications,
            sweep.warmup,
            sweep.engine,
            pure=False,
        )
        futures[future] = batch
    return futures


def _collect(
    dask,
    futures: dict,
    sweep: Sweep,
    todo: pd.DataFrame,
    out: Path,
    progress: Callable[[int, int], None] | None,
) -> list[tuple]:
    """Write each task's results as its batch finishes; the failures, for ``failed.json``.

    Anything that stops the loop (an interrupt) cancels the batches not yet finished.
    """
    from distributed import as_completed

    failures = []
    done = 0
    rows = todo.set_index("task")
    try:
        for future in as_completed(list(futures)):
            batch = futures.pop(future)
            if future.status == "error":
                error = _error_text(future.exception())
                results = [(int(t), None, error) for t in batch["task"]]
            else:
                results = future.result()
            for task, frame, error in results:
                if frame is None:
                    row = rows.loc[task]
                    point = sweep.points[int(row["point"])]
                    failures.append(_failure(task, row, point, error))
                    continue
                write_task(out, task, frame)
            future.release()
            done += len(batch)
            if progress is not None:
                progress(done, len(todo))
    except BaseException:
        dask.cancel(list(futures))
        raise
    return failures


def _meta(row) -> dict:
    meta = {c: getattr(row, c) for c in TASK_COLUMNS[:-1]}
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in meta.items()}


def _failure(task: int, row: pd.Series, point: dict, error: str) -> tuple:
    settings = ", ".join(f"{k}={v}" for k, v in point.items())
    return (int(task), row["kommunenummer"], row["municipality"], row["option"], settings, error)
