"""A sweep's folder: ``sweep.json``, one Parquet file per task, ``failed.json``; reading it back.

Each finished task is written, whole or not at all, as one Parquet file
``OUT/results/task-NNNNN.parquet`` (one partition per task), so a sweep that stops part-way is
resumed by running it again: finished tasks are skipped. A task that fails is listed with its
municipality, option and settings in ``OUT/failed.json``. ``OUT/sweep.json`` records the
workbench's version, the engine and its version; a folder written by another engine or engine
version is refused, never resumed, so one folder never mixes their numbers.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from bti_workbench._util.atomic import write_atomically
from bti_workbench.errors import SweepError, Text
from bti_workbench.simulation.sweep.plan import RECORDED_ONLY, TASK_COLUMNS, Sweep

__all__ = [
    "claim_folder",
    "finished_tasks",
    "read_sweep",
    "sweep_folder",
    "write_failures",
    "write_task",
]


def sweep_folder(root: str | Path, sweep: Sweep) -> Path:
    """A folder under ``root`` named for the sweep's settings, so a rerun with the same
    settings resumes it and other settings get their own.

    The engine's version is one of the settings (a new one gets a new folder); the
    workbench's version is not (:data:`~bti_workbench.simulation.sweep.plan.RECORDED_ONLY`).

    Parameters
    ----------
    root : str or pathlib.Path
        The folder to put it in.
    sweep : Sweep
        From :func:`~bti_workbench.simulation.sweep.plan.plan_sweep`.

    Returns
    -------
    pathlib.Path
        ``root / "<template stem>-<12 hex digits of the sweep's settings>"``.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.reference.municipality import load_municipalities
    >>> from bti_workbench.simulation.sweep.plan import plan_sweep
    >>> plan = plan_sweep(data_dir() / "scenarios" / "national_per_1000.yaml",
    ...                   load_municipalities(["4228"]), replications=2)
    >>> sweep_folder("build", plan).name.startswith("national_per_1000-")
    True
    """
    identity = {k: v for k, v in sweep.spec().items() if k not in RECORDED_ONLY}
    text = json.dumps(identity, sort_keys=True, default=str).encode("utf-8")
    return Path(root) / f"{sweep.template.stem}-{hashlib.sha256(text).hexdigest()[:12]}"


def claim_folder(out: Path, spec: dict) -> None:
    """Write ``sweep.json``, or check that the sweep already in ``out`` is this one.

    Parameters
    ----------
    out : pathlib.Path
        The sweep's folder; made with its ``results`` folder if missing.
    spec : dict
        :meth:`~bti_workbench.simulation.sweep.plan.Sweep.spec` of the sweep.

    Raises
    ------
    SweepError
        When ``out`` holds another sweep, a sweep written by another engine or engine version
        (or by a workbench too old to record it), or an unreadable ``sweep.json``.
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    path = out / "sweep.json"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SweepError(
                key="err.sweep.not_json", path=path, line=str(exc.lineno), column=str(exc.colno)
            ) from exc
        except (OSError, ValueError) as exc:
            raise SweepError(key="err.sweep.not_description_reason", path=path, reason=exc) from exc
        if not isinstance(old, dict):
            raise SweepError(key="err.sweep.not_description", path=path)
        _check_same_engine(out, old, spec)
        differs = [key for key in spec if key not in RECORDED_ONLY and old.get(key) != spec[key]]
        if differs:
            raise SweepError(key="err.sweep.different", out=out, differs=tuple(differs))
        return
    text = json.dumps(spec, indent=2, ensure_ascii=False)
    write_atomically(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


def _written_with(spec: dict) -> Text:
    """``engine ENGINE version VERSION (workbench VERSION)`` of a sweep's description."""
    workbench = spec.get("workbench_version")
    return Text(
        "err.sweep.written_with",
        {
            "engine": str(spec.get("engine")),
            "version": str(spec.get("engine_version")),
            "workbench": Text("err.sweep.version_unknown") if workbench is None else str(workbench),
        },
    )


def _check_same_engine(out: Path, old: dict, spec: dict) -> None:
    """Refuse to resume a folder written by another engine or engine version."""
    if "engine_version" not in old:
        raise SweepError(key="err.sweep.older", out=out, now=_written_with(spec))
    if (old.get("engine"), old["engine_version"]) != (spec["engine"], spec["engine_version"]):
        raise SweepError(
            key="err.sweep.other_engine", out=out, then=_written_with(old), now=_written_with(spec)
        )


def finished_tasks(out: Path) -> set[int]:
    """Numbers of the tasks whose results are in ``out`` (what a resumed sweep skips)."""
    numbers = set()
    for path in (out / "results").glob("task-*.parquet"):
        stem = path.stem.removeprefix("task-")
        if stem.isdigit():
            numbers.add(int(stem))
    return numbers


def write_task(out: Path, task: int, frame: pd.DataFrame) -> None:
    """Write one task's results as ``results/task-NNNNN.parquet``, whole or not at all."""
    target = out / "results" / f"task-{task:05d}.parquet"
    write_atomically(target, lambda p: frame.to_parquet(p, index=False))


def write_failures(out: Path, failed: pd.DataFrame) -> None:
    """Write ``failed.json`` (the failed tasks), or remove it when none failed."""
    path = out / "failed.json"
    if failed.empty:
        path.unlink(missing_ok=True)
        return
    text = failed.sort_values("task").to_json(orient="records", indent=2, force_ascii=False)
    write_atomically(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


def read_sweep(out: str | Path) -> pd.DataFrame:
    """All finished tasks of a sweep, one row per task and replication.

    Parameters
    ----------
    out : str or pathlib.Path
        The sweep's folder, as given to :func:`~bti_workbench.simulation.sweep.run.run_sweep`.

    Returns
    -------
    pandas.DataFrame
        Columns: :data:`~bti_workbench.simulation.sweep.plan.TASK_COLUMNS`, the summary
        metrics of :func:`bti_workbench.simulation.analysis.summarise` and a ``param.KEY``
        column per grid setting. A metric a task does not have (a service only one option
        adds) is missing there. ``attrs["spec"]`` holds ``sweep.json``.

    Raises
    ------
    SweepError
        When ``out`` holds no sweep.

    See Also
    --------
    bti_workbench.simulation.sweep.analysis.sweep_means : means per task.
    bti_workbench.simulation.sweep.analysis.option_effects : paired option differences.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    out = Path(out)
    spec_path = out / "sweep.json"
    if not spec_path.is_file():
        raise SweepError(key="err.sweep.no_sweep", out=out)
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    files = sorted(str(p) for p in (out / "results").glob("task-*.parquet"))
    if not files:
        frame = pd.DataFrame(columns=list(TASK_COLUMNS))
    else:
        fragments = ds.dataset(files, format="parquet")
        schema = pa.unify_schemas(
            [f.physical_schema for f in fragments.get_fragments()], promote_options="permissive"
        )
        frame = ds.dataset(files, format="parquet", schema=schema).to_table().to_pandas()
        order = [*TASK_COLUMNS, *(c for c in frame.columns if c not in TASK_COLUMNS)]
        frame = frame[order].sort_values(["task", "replication"], ignore_index=True)
    frame.attrs["spec"] = spec
    return frame
