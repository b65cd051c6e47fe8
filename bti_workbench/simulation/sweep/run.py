"""Scenario sweeps: one template, many municipalities, options and parameter values, on Dask.

A sweep is the cross product of municipalities × options × grid points. Each cell is one
*task*: the template applied to the municipality (:func:`~bti_workbench.load_scenario` with
``municipality=``), with the option and the grid point's settings, run with ``replications``
replications and summarised per replication (:func:`bti_workbench.simulation.analysis.summarise`).

Tasks run on ``dask.distributed``: an in-process ``LocalCluster`` by default, or an existing
cluster by its scheduler address. Each finished task is written, whole or not at all, as one
Parquet file ``OUT/results/task-NNNNN.parquet`` (one partition per task), so a sweep that
stops part-way is resumed by running it again: finished tasks are skipped. A task that fails
is reported with its municipality, option and settings in ``OUT/failed.json``; the others
finish.

Seeds: a task's seed is derived from the sweep's seed and the kommunenummer
(:func:`task_seed`). Options and grid points of one municipality share it, so their
differences are paired (common random numbers), and the cell equals
``bti simulate TEMPLATE --municipality K --option O --set P=V --seed <task seed>
--warmup W -r R`` number for number.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bti_workbench._util.atomic import write_atomically
from bti_workbench.errors import SweepError
from bti_workbench.reference.municipality import Municipality, load_municipalities
from bti_workbench.simulation.scenario.parse import parse_scenario, scenario_document

__all__ = [
    "BASELINE",
    "Sweep",
    "SweepError",
    "SweepReport",
    "open_client",
    "option_effects",
    "parse_grid",
    "parse_municipalities",
    "plan_sweep",
    "read_sweep",
    "run_sweep",
    "sweep_folder",
    "sweep_means",
    "task_seed",
]

BASELINE = "baseline"
_FORMAT = 1
_TASK_COLUMNS = [
    "task",
    "kommunenummer",
    "municipality",
    "children",
    "option",
    "point",
    "seed",
    "replication",
]


@dataclass(frozen=True)
class Sweep:
    """A planned sweep.

    Attributes
    ----------
    template : pathlib.Path
    municipalities : tuple of Municipality
    options : tuple of str
        ``"baseline"`` (the template as it is), an option, or options joined by ``+``.
    points : tuple of dict
        Grid points: dotted settings, e.g. ``{"resources.max_logs": 1}``; ``({},)`` for none.
    replications, seed, warmup, engine
    tasks : pandas.DataFrame
        One row per task: ``task, kommunenummer, municipality, children, option, point,
        seed``.
    """

    template: Path
    municipalities: tuple[Municipality, ...] = field(repr=False)
    options: tuple[str, ...]
    points: tuple[dict, ...]
    replications: int
    seed: int
    warmup: int
    engine: str = "fast"
    tasks: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    documents: dict = field(default_factory=dict, repr=False)  # (option, point) → document

    def spec(self) -> dict:
        """What identifies the sweep's results (written to ``OUT/sweep.json``)."""
        text = self.template.read_bytes()
        return {
            "format": _FORMAT,
            "template": self.template.name,
            "template_sha256": hashlib.sha256(text).hexdigest(),
            "municipalities": [m.kommunenummer for m in self.municipalities],
            "population_sha256": _population_digest(self.municipalities),
            "options": list(self.options),
            "points": [_jsonable(p) for p in self.points],
            "replications": self.replications,
            "seed": self.seed,
            "warmup_weeks": self.warmup,
            "engine": self.engine,
            "synthetic": True,
        }


@dataclass(frozen=True)
class SweepReport:
    """What a run of :func:`run_sweep` did."""

    out: Path
    total: int
    skipped: int
    computed: int
    failed: pd.DataFrame

    @property
    def complete(self) -> bool:
        """True when every task has its results."""
        return self.failed.empty


def _population_digest(municipalities: Sequence[Municipality]) -> str:
    """One hash of every municipality's children by age and staffing: the sweep's inputs."""
    digest = hashlib.sha256()
    for m in municipalities:
        digest.update(m.kommunenummer.encode())
        digest.update(m.population.to_numpy(dtype="int64").tobytes())
        digest.update(m.services.to_csv().encode())
    return digest.hexdigest()


def _jsonable(point: dict) -> dict:
    return json.loads(json.dumps(point, default=str))


def task_seed(seed: int, kommunenummer: str) -> int:
    """The seed of a municipality's tasks in a sweep with seed ``seed``.

    Derived with :class:`numpy.random.SeedSequence` from both, so municipalities get
    independent streams; pass it to ``bti simulate --seed`` to repeat a cell.

    Examples
    --------
    >>> task_seed(1, "4228") == task_seed(1, "4228") != task_seed(1, "5401")
    True
    """
    state = np.random.SeedSequence([int(seed), int(kommunenummer)]).generate_state(1)
    return int(state[0])


def parse_grid(items: Sequence[str]) -> tuple[dict, ...]:
    """Grid points from ``PARAM=v1,v2`` strings: the cross product, in the order given.

    Values are read as YAML scalars (``3`` is a number, ``true`` a boolean).

    Examples
    --------
    >>> points = parse_grid(["resources.max_logs=1,3", "arrivals.scale=0.8,1.2"])
    >>> len(points), points[1]
    (4, {'resources.max_logs': 1, 'arrivals.scale': 1.2})
    >>> parse_grid([])
    ({},)
    """
    axes: list[tuple[str, list]] = []
    for item in items:
        name, sep, values = str(item).partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise SweepError(f"--grid {item!r}: write PARAM=v1,v2 (a dotted key and values)")
        if name in dict(axes):
            raise SweepError(f"--grid {name}: given twice")
        parsed = []
        for text in values.split(","):
            try:
                value = yaml.safe_load(text.strip())
            except yaml.YAMLError as exc:
                raise SweepError(f"--grid {name}: {text.strip()!r} is not a value") from exc
            if isinstance(value, dict | list) or value is None:
                raise SweepError(f"--grid {name}: {text.strip()!r} is not a single value")
            parsed.append(value)
        if len(set(map(repr, parsed))) != len(parsed):
            raise SweepError(f"--grid {name}: a value is given twice")
        axes.append((name, parsed))
    names = [name for name, _ in axes]
    return tuple(
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(v for _, v in axes))
    )


def parse_municipalities(
    text: str, population_file: str | Path | None = None
) -> tuple[Municipality, ...]:
    """Municipalities from ``all``, a comma list (``4228,5401``) or a file of numbers.

    A file is a CSV with a ``kommunenummer`` column, or one number per line (``#`` starts a
    comment). ``all`` is every municipality in the population source.

    Examples
    --------
    >>> [m.name for m in parse_municipalities("5413, 4228")]
    ['Ibestad', 'Sirdal']
    """
    text = str(text).strip()
    if text == "all":
        numbers = None
    else:
        path = Path(text)
        if path.is_file():
            numbers = _numbers_from_file(path)
        else:
            numbers = [part.strip() for part in text.split(",") if part.strip()]
        bad = [n for n in numbers if not (n.isdigit() and len(n) <= 4)]
        if bad or not numbers:
            where = f"{path.name}: " if path.is_file() else ""
            raise SweepError(
                f"--municipalities: {where}give all, kommunenummer such as 4228,5401 or a file"
            )
        numbers = [f"{int(n):04d}" for n in numbers]
        if len(set(numbers)) != len(numbers):
            raise SweepError("--municipalities: a municipality is given twice")
    try:
        return tuple(load_municipalities(numbers, population_file))
    except KeyError as exc:
        raise SweepError(f"--municipalities: {exc.args[0]}") from exc
    except (OSError, ValueError) as exc:
        raise SweepError(f"--population-file: {exc}") from exc


def _numbers_from_file(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig")
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and "kommunenummer" in lines[0].split(","):
        frame = pd.read_csv(path, dtype=str, comment="#")
        return [str(v).strip() for v in frame["kommunenummer"].dropna()]
    return lines


def _option_parts(name: str) -> tuple[str, ...]:
    return () if name == BASELINE else tuple(p for p in name.split("+") if p)


def plan_sweep(
    template: str | Path,
    municipalities: Sequence[Municipality],
    options: Sequence[str] = (BASELINE,),
    points: Sequence[dict] = ({},),
    *,
    replications: int = 100,
    seed: int = 1,
    warmup: int = 104,
    engine: str = "fast",
) -> Sweep:
    """Plan a sweep: check the template with every option and grid point, list the tasks.

    Raises
    ------
    ScenarioError
        When the template, an option or a setting is wrong (before anything runs).
    SweepError
        For an empty or repeated axis, or a warm-up as long as the horizon.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> from bti_workbench.reference.municipality import load_municipalities
    >>> sweep = plan_sweep(data_dir() / "scenarios" / "national_per_1000.yaml",
    ...                    load_municipalities(["5413", "4228"]),
    ...                    ["baseline", "trial_cap_one_log"], replications=5)
    >>> len(sweep.tasks), sweep.tasks["option"].tolist()
    (4, ['baseline', 'trial_cap_one_log', 'baseline', 'trial_cap_one_log'])
    """
    template = Path(template).resolve()
    options = tuple(str(o).strip() for o in options)
    if not municipalities:
        raise SweepError("no municipalities to sweep")
    if not options or not all(options):
        raise SweepError("--options: give at least one option (baseline for the template)")
    for axis, values in (
        ("--options", options),
        ("--municipalities", [m.kommunenummer for m in municipalities]),
    ):
        if len(set(values)) != len(values):
            raise SweepError(f"{axis}: a value is given twice")
    if replications < 1:
        raise SweepError("--replications: at least 1")
    points = tuple(dict(p) for p in points) or ({},)
    # Checked on the largest municipality: a template that is wrong is wrong there too, while
    # too few hours in a small municipality is a property of its cells (reported as failed).
    largest = max(municipalities, key=lambda m: m.children)
    documents = {}
    for option in options:
        for number, point in enumerate(points):
            doc, source, changes = scenario_document(
                template, _option_parts(option), settings=point
            )
            scenario = parse_scenario(
                doc, source, template.parent, _option_parts(option), changes, largest
            )
            if not 0 <= warmup < scenario.horizon_weeks:
                raise SweepError(f"--warmup must be from 0 to {scenario.horizon_weeks - 1} weeks")
            documents[option, number] = (doc, source, changes)
    rows = []
    for m in municipalities:
        for option in options:
            for point in range(len(points)):
                rows.append(
                    (
                        m.kommunenummer,
                        m.name,
                        m.children,
                        option,
                        point,
                        task_seed(seed, m.kommunenummer),
                    )
                )
    tasks = pd.DataFrame(
        rows, columns=["kommunenummer", "municipality", "children", "option", "point", "seed"]
    )
    tasks.insert(0, "task", np.arange(len(tasks)))
    return Sweep(
        template,
        tuple(municipalities),
        options,
        points,
        int(replications),
        int(seed),
        int(warmup),
        engine,
        tasks,
        documents,
    )


# --- running ------------------------------------------------------------------------------


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
    engine the cells run in one pass (:func:`~bti_workbench.simulation.engines.fast.flow_arrays_many`),
    each with its own seed, so each equals its own run. Returns per cell its task number,
    its summary (or None) and the error of a cell that failed.
    """
    from bti_workbench.simulation.analysis import summarise
    from bti_workbench.simulation.engines.fast import flow_arrays_many
    from bti_workbench.simulation.run import simulate

    doc, source, changes = document
    parsed, out = [], []
    for municipality, seed, meta in cells:
        try:
            scenario = parse_scenario(
                doc, source, Path(base), _option_parts(option), changes, municipality
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


def _claim(out: Path, spec: dict) -> None:
    """Write ``sweep.json``, or check that the sweep already in ``out`` is this one."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "results").mkdir(exist_ok=True)
    path = out / "sweep.json"
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{path}: not a sweep description ({exc})") from exc
        differs = [key for key in spec if old.get(key) != spec[key]]
        if differs:
            raise SweepError(
                f"{out} holds a different sweep ({', '.join(differs)} differ); "
                "give another --out or remove the folder"
            )
        return
    text = json.dumps(spec, indent=2, ensure_ascii=False)
    write_atomically(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


def _finished(out: Path) -> set[int]:
    numbers = set()
    for path in (out / "results").glob("task-*.parquet"):
        stem = path.stem.removeprefix("task-")
        if stem.isdigit():
            numbers.add(int(stem))
    return numbers


def open_client(scheduler: str | None = None, workers: int | None = None):
    """A Dask client: connected to ``scheduler``, or to a new LocalCluster of ``workers``
    single-threaded processes (default: the CPUs, at most 8). ``client.close()`` also
    closes a LocalCluster it started.

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
            raise SweepError(f"--scheduler {scheduler}: cannot connect ({exc})") from exc
    import dask

    with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}):
        return Client(
            n_workers=workers or max(1, min(os.cpu_count() or 1, 8)),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.CRITICAL,  # failed tasks are reported by run_sweep
        )


# Dask's workers return freed memory to the system eagerly (MALLOC_TRIM_THRESHOLD_), which
# also turns off glibc's adaptive mmap threshold: every array above 128 KiB is then mapped
# and unmapped, and the engine's per-step arrays spend most of their time in page faults
# (2.7× slower, measured). Arrays up to 64 MiB come from the heap instead.
MMAP_THRESHOLD = 64 * 2**20


def _worker_environ() -> dict:
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.setdefault("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD)
    return environ


def sweep_folder(root: str | Path, sweep: Sweep) -> Path:
    """A folder under ``root`` named for the sweep's settings, so a rerun with the same
    settings resumes it and other settings get their own.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> from bti_workbench.reference.municipality import load_municipalities
    >>> plan = plan_sweep(data_dir() / "scenarios" / "national_per_1000.yaml",
    ...                   load_municipalities(["4228"]), replications=2)
    >>> sweep_folder("build", plan).name.startswith("national_per_1000-")
    True
    """
    text = json.dumps(sweep.spec(), sort_keys=True, default=str).encode("utf-8")
    return Path(root) / f"{sweep.template.stem}-{hashlib.sha256(text).hexdigest()[:12]}"


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
        From :func:`plan_sweep`.
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
    """
    from distributed import as_completed

    out = Path(out)
    _claim(out, sweep.spec())
    finished = _finished(out)
    todo = sweep.tasks[~sweep.tasks["task"].isin(finished)]
    by_knr = {m.kommunenummer: m for m in sweep.municipalities}
    failures = []
    if len(todo):
        own = client is None
        dask = open_client(scheduler, workers) if own else client
        try:
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
                        target = out / "results" / f"task-{task:05d}.parquet"
                        write_atomically(target, lambda p, f=frame: f.to_parquet(p, index=False))
                    future.release()
                    done += len(batch)
                    if progress is not None:
                        progress(done, len(todo))
            except BaseException:
                dask.cancel(list(futures))
                raise
        finally:
            if own:
                dask.close()
    failed = pd.DataFrame(
        failures,
        columns=["task", "kommunenummer", "municipality", "option", "settings", "error"],
    )
    _write_failures(out, failed)
    return SweepReport(out, len(sweep.tasks), len(sweep.tasks) - len(todo), len(todo), failed)


def _meta(row) -> dict:
    meta = {c: getattr(row, c) for c in _TASK_COLUMNS[:-1]}
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in meta.items()}


def _failure(task: int, row: pd.Series, point: dict, error: str) -> tuple:
    settings = ", ".join(f"{k}={v}" for k, v in point.items())
    return (int(task), row["kommunenummer"], row["municipality"], row["option"], settings, error)


def _write_failures(out: Path, failed: pd.DataFrame) -> None:
    path = out / "failed.json"
    if failed.empty:
        path.unlink(missing_ok=True)
        return
    text = failed.sort_values("task").to_json(orient="records", indent=2, force_ascii=False)
    write_atomically(path, lambda p: Path(p).write_text(text, encoding="utf-8"))


# --- reading ------------------------------------------------------------------------------


def read_sweep(out: str | Path) -> pd.DataFrame:
    """All finished tasks of a sweep, one row per task and replication.

    Columns: ``task, kommunenummer, municipality, children, option, point, seed,
    replication``, the summary metrics of :func:`bti_workbench.simulation.analysis.summarise` and a
    ``param.KEY`` column per grid setting. A metric a task does not have (a service only
    one option adds) is missing there. ``attrs["spec"]`` holds ``sweep.json``.

    Raises
    ------
    SweepError
        When ``out`` holds no sweep.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    out = Path(out)
    spec_path = out / "sweep.json"
    if not spec_path.is_file():
        raise SweepError(f"{out}: no sweep.json; not a sweep folder")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    files = sorted(str(p) for p in (out / "results").glob("task-*.parquet"))
    if not files:
        frame = pd.DataFrame(columns=_TASK_COLUMNS)
    else:
        fragments = ds.dataset(files, format="parquet")
        schema = pa.unify_schemas(
            [f.physical_schema for f in fragments.get_fragments()], promote_options="permissive"
        )
        frame = ds.dataset(files, format="parquet", schema=schema).to_table().to_pandas()
        order = _TASK_COLUMNS + [c for c in frame.columns if c not in _TASK_COLUMNS]
        frame = frame[order].sort_values(["task", "replication"], ignore_index=True)
    frame.attrs["spec"] = spec
    return frame


def _metrics(results: pd.DataFrame) -> list[str]:
    skip = set(_TASK_COLUMNS)
    return [c for c in results.columns if c not in skip and not c.startswith("param.")]


def sweep_means(results: pd.DataFrame, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean of each metric per task with a 95 % t interval across replications.

    Returns a long table: the task columns, the ``param.*`` columns, ``metric, mean, low,
    high, replications`` and ``per_1000`` (the mean per 1 000 children for case counts,
    ``active.L`` and ``waiting.L``; empty for other metrics).

    Examples
    --------
    >>> frame = pd.DataFrame({"task": 0, "kommunenummer": "4228", "municipality": "Sirdal",
    ...     "children": 500, "option": "baseline", "point": 0, "seed": 7,
    ...     "replication": [0, 1, 2], "active.1": [2.0, 3.0, 4.0]})
    >>> sweep_means(frame)[["metric", "mean", "per_1000"]].values.tolist()
    [['active.1', 3.0, 6.0]]
    """
    from scipy import stats

    metrics = list(metrics) if metrics is not None else _metrics(results)
    keys = [c for c in _TASK_COLUMNS if c != "replication"]
    keys += [c for c in results.columns if c.startswith("param.")]
    long = results.melt(id_vars=[*keys, "replication"], value_vars=metrics, var_name="metric")
    grouped = long.dropna(subset=["value"]).groupby([*keys, "metric"], sort=False)["value"]
    table = grouped.agg(["mean", "std", "count"]).reset_index()
    t = stats.t.ppf(0.975, (table["count"] - 1).clip(lower=1))
    half = np.where(table["count"] > 1, t * table["std"] / np.sqrt(table["count"]), np.nan)
    table["low"] = table["mean"] - half
    table["high"] = table["mean"] + half
    counts = table["metric"].str.match(r"^(active|waiting)\.\d$")
    table["per_1000"] = np.where(counts, table["mean"] / table["children"] * 1000, np.nan)
    table = table.rename(columns={"count": "replications"}).drop(columns="std")
    return table.sort_values(["task", "metric"], ignore_index=True)


def option_effects(results: pd.DataFrame, metric: str, base: str = BASELINE) -> pd.DataFrame:
    """Paired difference of a metric between each option and ``base``, per municipality.

    Replication r of every option of a municipality shares its seed (common random
    numbers), so differences are taken replication by replication with a 95 % t interval.

    Returns
    -------
    pandas.DataFrame
        ``kommunenummer, municipality, children, point, option, base, difference, low, high,
        pairs``.
    """
    from scipy import stats

    if base not in set(results["option"]):
        raise SweepError(f"option {base!r} is not in the sweep")
    keys = ["kommunenummer", "municipality", "children", "point", "replication"]
    wide = results.pivot_table(index=keys, columns="option", values=metric, aggfunc="first")
    rows = []
    for option in [o for o in wide.columns if o != base]:
        diff = (wide[option] - wide[base]).dropna().rename("d").reset_index()
        stats_ = diff.groupby(keys[:-1])["d"].agg(["mean", "std", "count"]).reset_index()
        t = stats.t.ppf(0.975, (stats_["count"] - 1).clip(lower=1))
        half = np.where(stats_["count"] > 1, t * stats_["std"] / np.sqrt(stats_["count"]), np.nan)
        stats_["low"], stats_["high"] = stats_["mean"] - half, stats_["mean"] + half
        stats_["option"], stats_["base"] = option, base
        rows.append(stats_)
    if not rows:
        return pd.DataFrame(
            columns=[*keys[:-1], "option", "base", "difference", "low", "high", "pairs"]
        )
    table = pd.concat(rows, ignore_index=True).rename(
        columns={"mean": "difference", "count": "pairs"}
    )
    columns = [*keys[:-1], "option", "base", "difference", "low", "high", "pairs"]
    return table[columns].sort_values(["option", "children", "point"], ignore_index=True)
