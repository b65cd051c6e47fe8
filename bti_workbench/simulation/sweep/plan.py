"""Planning a sweep: the template checked with every option and grid point, and the tasks.

A sweep is the cross product of municipalities × options × grid points. Each cell is one
*task*: the template applied to the municipality (:func:`~bti_workbench.load_scenario` with
``municipality=``), with the option and the grid point's settings. :func:`plan_sweep` lists
them, with each municipality's seed (:func:`task_seed`);
:mod:`~bti_workbench.simulation.sweep.run` runs them.

Seeds: a task's seed is derived from the sweep's seed and the kommunenummer. Options and grid
points of one municipality share it, so their differences are paired (common random
numbers), and the cell equals ``bti simulate TEMPLATE --municipality K --option O --set P=V
--seed <task seed> --warmup W -r R`` number for number.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bti_workbench._util.text import decode_text
from bti_workbench._util.yamlfile import load_yaml
from bti_workbench.errors import SweepError, TextDecodeError, YamlFileError
from bti_workbench.reference.municipality import Municipality, load_municipalities
from bti_workbench.simulation.engines.versions import provenance
from bti_workbench.simulation.scenario import parse_scenario, scenario_document
from bti_workbench.simulation.scenario.document import BASELINE, option_parts

__all__ = [
    "RECORDED_ONLY",
    "TASK_COLUMNS",
    "Sweep",
    "parse_grid",
    "parse_municipalities",
    "plan_sweep",
    "task_seed",
]


#: Columns that identify a row of a sweep's results: the task and its replication.
TASK_COLUMNS = (
    "task",
    "kommunenummer",
    "municipality",
    "children",
    "option",
    "point",
    "seed",
    "replication",
)

#: Keys of ``sweep.json`` that are recorded but do not identify the sweep: a folder written by
#: another workbench version is resumed when everything else, the engine's version included,
#: is the same (:data:`~bti_workbench.simulation.engines.versions.ENGINE_VERSIONS` changes
#: whenever the numbers do).
RECORDED_ONLY = ("workbench_version",)

_FORMAT = 2  # the version of sweep.json; 2 records the workbench's and the engine's versions


@dataclass(frozen=True)
class Sweep:
    """A planned sweep.

    Attributes
    ----------
    template : pathlib.Path
        The scenario or template YAML, resolved.
    municipalities : tuple of Municipality
        The municipalities to run it for.
    options : tuple of str
        ``"baseline"`` (the template as it is), an option, or options joined by ``+``.
    points : tuple of dict
        Grid points: dotted settings, e.g. ``{"resources.max_logs": 1}``; ``({},)`` for none.
    replications, seed, warmup : int
        Replications per task, the sweep's seed and the weeks left out of the summaries.
    engine : str
        ``fast`` or ``ciw``.
    tasks : pandas.DataFrame
        One row per task: ``task, kommunenummer, municipality, children, option, point,
        seed``.
    documents : dict
        ``(option, point number)`` → the checked ``(document, source, changes)``.
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
        """What identifies the sweep's results and which code made them (``OUT/sweep.json``)."""
        text = self.template.read_bytes()
        return {
            "format": _FORMAT,
            **provenance(self.engine),
            "template": self.template.name,
            "template_sha256": hashlib.sha256(text).hexdigest(),
            "municipalities": [m.kommunenummer for m in self.municipalities],
            "population_sha256": _population_digest(self.municipalities),
            "options": list(self.options),
            "points": [_jsonable(p) for p in self.points],
            "replications": self.replications,
            "seed": self.seed,
            "warmup_weeks": self.warmup,
            "synthetic": True,
        }


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

    Parameters
    ----------
    seed : int
        The sweep's seed.
    kommunenummer : str
        The municipality's number, e.g. ``"4228"``.

    Returns
    -------
    int

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

    Parameters
    ----------
    items : sequence of str
        ``PARAM=v1,v2`` each: a dotted setting and its values.

    Returns
    -------
    tuple of dict
        One ``{PARAM: value}`` per grid point; ``({},)`` without items.

    Raises
    ------
    SweepError
        For an item that is not ``PARAM=v1,v2``, or a name or value given twice.

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
            raise SweepError(key="err.sweep.grid_form", item=repr(item))
        if name in dict(axes):
            raise SweepError(key="err.sweep.grid_twice", name=name)
        parsed = []
        for text in values.split(","):
            try:
                value = load_yaml(text.strip(), source=f"--grid {name}")
            except YamlFileError as exc:
                raise SweepError(str(exc)) from None
            if isinstance(value, dict | list) or value is None:
                raise SweepError(key="err.sweep.grid_single", name=name, value=repr(text.strip()))
            parsed.append(value)
        if len(set(map(repr, parsed))) != len(parsed):
            raise SweepError(key="err.sweep.grid_value_twice", name=name)
        axes.append((name, parsed))
    names = [name for name, _ in axes]
    return tuple(
        dict(zip(names, combo, strict=True)) for combo in itertools.product(*(v for _, v in axes))
    )


def parse_municipalities(
    text: str | Sequence[str | int], population_file: str | Path | None = None
) -> tuple[Municipality, ...]:
    """Municipalities from ``all``, a comma list (``4228,5401``), a list or a file of numbers.

    A file is a CSV with a ``kommunenummer`` column, or one number per line (``#`` starts a
    comment). ``all`` is every municipality in the population source.

    Parameters
    ----------
    text : str, int or sequence
        ``all``, kommunenummer separated by commas, one number, a list of them
        (``["4228", 5401]``), or the path of a file.
    population_file : str or pathlib.Path, optional
        An SSB 07459 file; the shipped one by default.

    Returns
    -------
    tuple of Municipality

    Raises
    ------
    SweepError
        For a number that is not a kommunenummer, one given twice or not in the population
        source, or a population file that cannot be read.

    Examples
    --------
    >>> [m.name for m in parse_municipalities("5413, 4228")]
    ['Ibestad', 'Sirdal']
    >>> [m.name for m in parse_municipalities(["5413", 4228])]
    ['Ibestad', 'Sirdal']
    >>> [m.name for m in parse_municipalities(4228)]
    ['Sirdal']
    """
    if isinstance(text, Sequence | set) and not isinstance(text, str):
        text = ",".join(str(part) for part in text)
    text = str(text).strip()
    if text == "all":
        numbers = None
    else:
        path = Path(text)
        try:
            is_file = path.is_file()
        except OSError:  # a list too long for a file name
            is_file = False
        if is_file:
            numbers = _numbers_from_file(path)
        else:
            numbers = [part.strip() for part in text.split(",") if part.strip()]
        bad = [n for n in numbers if not (n.isdigit() and len(n) <= 4)]
        if bad or not numbers:
            where = f"{path.name}: " if is_file else ""
            raise SweepError(key="err.sweep.municipalities_form", where=where)
        numbers = [f"{int(n):04d}" for n in numbers]
        if len(set(numbers)) != len(numbers):
            raise SweepError(key="err.sweep.municipality_twice")
    try:
        return tuple(load_municipalities(numbers, population_file))
    except KeyError as exc:
        raise _not_found(str(exc.args[0]), population_file) from exc
    except (OSError, ValueError) as exc:
        if callable(getattr(exc, "text", None)):  # in the user's language
            raise SweepError(key="err.sweep.population_file", reason=exc) from exc
        raise SweepError(f"--population-file: {exc}") from exc


#: What the reference layer says of a municipality it does not know (with its file's name).
_NOT_FOUND = re.compile(r"municipality (?P<knr>\d{4}) is not in (?P<file>\S+)")


def _not_found(message: str, population_file: str | Path | None) -> SweepError:
    """``--municipalities``: a municipality the population source does not know, naming the
    ``--population-file`` option (the reference layer's message names a library argument)."""
    found = _NOT_FOUND.fullmatch(message.partition(";")[0])
    if found is None:
        return SweepError(f"--municipalities: {message}")
    if population_file is None:
        return SweepError(key="err.sweep.not_in_table", knr=found["knr"])
    return SweepError(key="err.sweep.not_in_file", knr=found["knr"], file=found["file"])


def _numbers_from_file(path: Path) -> list[str]:
    try:
        text = decode_text(path.read_bytes())
    except OSError as exc:
        raise SweepError(key="err.sweep.unreadable", file=path.name, reason=exc.strerror) from None
    except (TextDecodeError, UnicodeDecodeError):
        raise SweepError(key="err.sweep.not_text", file=path.name) from None
    lines = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and "kommunenummer" in lines[0].split(","):
        frame = pd.read_csv(io.StringIO(text), dtype=str, comment="#")
        return [str(v).strip() for v in frame["kommunenummer"].dropna()]
    return lines


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

    Parameters
    ----------
    template : str or pathlib.Path
        The scenario or template YAML.
    municipalities : sequence of Municipality
        From :func:`parse_municipalities` or
        :func:`~bti_workbench.reference.municipality.load_municipalities`.
    options : sequence of str
        :data:`BASELINE`, options, or options joined by ``+``.
    points : sequence of dict
        Grid points (:func:`parse_grid`); ``({},)`` for none.
    replications, seed, warmup : int
        Replications per task, the sweep's seed (:func:`task_seed`) and the weeks left out
        of the summaries.
    engine : str
        ``fast`` or ``ciw``.

    Returns
    -------
    Sweep
        With one row per task in ``tasks``.

    Raises
    ------
    ScenarioError
        When the template, an option or a setting is wrong (before anything runs).
    SweepError
        For an empty or repeated axis, or a warm-up as long as the horizon.

    See Also
    --------
    bti_workbench.simulation.sweep.run.run_sweep : runs the planned tasks.

    Examples
    --------
    >>> from bti_workbench import data_dir
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
        raise SweepError(key="err.sweep.no_municipalities")
    if not options or not all(options):
        raise SweepError(key="err.sweep.no_option")
    for axis, values in (
        ("--option", options),
        ("--municipalities", [m.kommunenummer for m in municipalities]),
    ):
        if len(set(values)) != len(values):
            raise SweepError(key="err.sweep.value_twice", axis=axis)
    if replications < 1:
        raise SweepError(key="err.sweep.replications")
    points = tuple(dict(p) for p in points) or ({},)
    # Checked on the largest municipality: a template that is wrong is wrong there too, while
    # too few hours in a small municipality is a property of its cells (reported as failed).
    largest = max(municipalities, key=lambda m: m.children)
    documents = {}
    for option in options:
        for number, point in enumerate(points):
            doc, source, changes = scenario_document(template, option_parts(option), settings=point)
            scenario = parse_scenario(
                doc, source, template.parent, option_parts(option), changes, largest
            )
            if not 0 <= warmup < scenario.horizon_weeks:
                last = str(scenario.horizon_weeks - 1)
                raise SweepError(key="err.sweep.warmup", last=last)
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
