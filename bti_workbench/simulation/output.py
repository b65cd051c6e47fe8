"""What a simulation run produces: the one output schema both engines write.

Arrays first: an engine counts a run week by week in arrays (:class:`RunArrays`) and returns
them as a :class:`FlowResult`, whose long tables (one row per replication, week and level or
service) are built from the arrays only when they are first read.
:func:`~bti_workbench.simulation.analysis.summarise` reads the arrays directly
(:class:`FlowArrays`, from :func:`flow_arrays`), so a run that is only summarised never builds
a table. The conversions between arrays and tables live here too, so the engines, the
analysis and the costs all import this module and none of them imports another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "LEVEL_MEASURES",
    "QUEUE_MEASURES",
    "FlowArrays",
    "FlowResult",
    "RunArrays",
    "flow_arrays",
    "level_frames",
    "service_frame",
]

#: Columns of :attr:`FlowResult.levels` after ``replication, week, level``: cases at the end
#: of each week.
LEVEL_MEASURES = ("active", "waiting")

#: Columns of :attr:`FlowResult.queues` after ``replication, week, level``: flows over each week.
QUEUE_MEASURES = ("entered", "waited", "wait_weeks", "stay_weeks")


class _Table:
    """A table of a :class:`FlowResult`: the one it was given, or else built from its arrays
    the first time it is read (and kept)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, result: FlowResult | None, owner: type | None = None) -> pd.DataFrame:
        if result is None:
            return None  # the field's default: no table given, build it from the arrays
        table = result.__dict__.get(self.name)
        if table is None:
            table = result.__dict__[self.name] = result._table(self.name)
        return table

    def __set__(self, result: FlowResult, table: pd.DataFrame | None) -> None:
        result.__dict__[self.name] = table


@dataclass(frozen=True)
class FlowResult:
    """What a simulation run produced, in the same schema for both engines.

    An engine gives its arrays (:meth:`from_arrays`) and each table is built from them when
    it is first read; a result made from tables (or changed with :func:`dataclasses.replace`)
    has tables only, and :func:`flow_arrays` reads its figures from them.

    Attributes
    ----------
    levels : pandas.DataFrame
        Long format: ``replication, week, level, active, waiting`` (counts at the end of each
        week; ``active`` is being worked on at the level, ``waiting`` waits to start there:
        for a baton holder at level 1, for a partner service at levels 2–3).
    exits : pandas.DataFrame
        ``replication, closed, child_welfare``: cases that left over the whole horizon.
    queues : pandas.DataFrame
        Per ``replication, week, level``: ``entered`` (cases that came to the level),
        ``waited`` (of those, how many could not start the same moment), ``wait_weeks`` (the
        time all waiting cases spent waiting that week) and ``stay_weeks`` (the time at the
        level of the cases that started there that week, cut at the horizon).
        Mean wait = Σ wait_weeks / Σ entered.
    services : pandas.DataFrame
        Per ``replication, week, service`` at the end of the week: ``logs`` (baton-holder
        slots in use), ``slots``, ``hours_demanded`` (hours per week the open cases need),
        ``hours_available``, ``utilisation`` and ``waiting`` (cases waiting for the service).
    cases : pandas.DataFrame or None
        Per-case detail (``ciw`` engine only).
    engine : str
        The engine that ran: ``fast`` or ``ciw``.
    arrays : RunArrays or None
        What the engine counted, the tables' source; None for a result made from tables.

    See Also
    --------
    FlowArrays : the weekly figures summarise reads.
    flow_arrays : a result's FlowArrays.
    """

    levels: pd.DataFrame = _Table()
    exits: pd.DataFrame = _Table()
    queues: pd.DataFrame = _Table()
    services: pd.DataFrame = _Table()
    cases: pd.DataFrame | None = None
    engine: str = "fast"
    arrays: RunArrays | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_arrays(
        cls, arrays: RunArrays, cases: pd.DataFrame | None = None, engine: str = "fast"
    ) -> FlowResult:
        """A result whose tables are built from ``arrays`` when they are first read.

        Parameters
        ----------
        arrays : RunArrays
            What the engine counted.
        cases : pandas.DataFrame, optional
            Per-case detail.
        engine : str
            The engine that ran.

        Returns
        -------
        FlowResult
        """
        result = cls(cases=cases, engine=engine)
        object.__setattr__(result, "arrays", arrays)
        return result

    def _table(self, name: str) -> pd.DataFrame:
        """Build one of the tables from the arrays."""
        arrays = self.arrays
        if arrays is None:
            raise ValueError(f"this FlowResult has neither a {name} table nor arrays")
        if name in ("levels", "queues"):
            levels, queues = level_frames(arrays.levels)
            for key, table in (("levels", levels), ("queues", queues)):
                if self.__dict__.get(key) is None:
                    self.__dict__[key] = table
            return self.__dict__[name]
        if name == "services":
            return service_frame(
                arrays.services,
                arrays.slots,
                arrays.hours,
                arrays.logs,
                arrays.demanded,
                arrays.waiting,
            )
        return pd.DataFrame(
            {
                "replication": np.arange(len(arrays.closed)),
                "closed": arrays.closed,
                "child_welfare": arrays.reported,
            }
        )


@dataclass(frozen=True)
class RunArrays:
    """What an engine counted in a run, week by week: the source of a :class:`FlowResult`.

    Attributes
    ----------
    levels : mapping of str to numpy.ndarray
        :data:`LEVEL_MEASURES` and :data:`QUEUE_MEASURES`, each (replications, weeks, 4).
    services : tuple of str
        The service names, in the model's order (the order of the last axes below).
    slots, hours : numpy.ndarray
        (services,): baton-holder slots and hours available per week, ``inf`` if unlimited.
    logs, demanded, waiting : numpy.ndarray
        (replications, weeks, services): slots in use, hours demanded and cases waiting at
        the end of each week.
    closed, reported : numpy.ndarray
        (replications,): cases closed and reported to child welfare over the horizon.

    See Also
    --------
    FlowResult.from_arrays : a result from these arrays.
    """

    levels: Mapping[str, np.ndarray]
    services: tuple[str, ...]
    slots: np.ndarray
    hours: np.ndarray
    logs: np.ndarray
    demanded: np.ndarray
    waiting: np.ndarray
    closed: np.ndarray
    reported: np.ndarray

    def flow_arrays(self) -> FlowArrays:
        """The figures :func:`~bti_workbench.simulation.analysis.summarise` reads, services
        sorted by name (as :func:`flow_arrays` gives them from the tables)."""
        order = np.argsort(np.array(self.services, dtype=object), kind="stable")
        demanded = np.ascontiguousarray(self.demanded[:, :, order])
        hours = np.where(np.isfinite(self.hours), self.hours, np.nan)[order]
        replications, weeks = self.levels["active"].shape[:2]
        return FlowArrays(
            np.arange(replications),
            np.arange(1, weeks + 1),
            *(
                np.ascontiguousarray(self.levels[k])
                for k in ("active", "waiting", "wait_weeks", "entered")
            ),
            tuple(self.services[i] for i in order),
            demanded,
            np.ascontiguousarray(np.broadcast_to(hours, demanded.shape)),
        )


@dataclass(frozen=True)
class FlowArrays:
    """A run's weekly figures as arrays, what
    :func:`~bti_workbench.simulation.analysis.summarise` works on.

    Attributes
    ----------
    replications, weeks : numpy.ndarray
        The replication numbers and the weeks (from 1), in order.
    active, waiting, wait_weeks, entered : numpy.ndarray
        (replications, weeks, 4): as the columns of :class:`FlowResult` of the same names.
    services : tuple of str
        The service names, sorted.
    demanded, available : numpy.ndarray
        (replications, weeks, services): hours per week demanded and available, ``available``
        NaN where a service's hours are unlimited.

    See Also
    --------
    flow_arrays : the arrays of a :class:`FlowResult`.
    """

    replications: np.ndarray
    weeks: np.ndarray
    active: np.ndarray
    waiting: np.ndarray
    wait_weeks: np.ndarray
    entered: np.ndarray
    services: tuple[str, ...]
    demanded: np.ndarray
    available: np.ndarray


def level_frames(arrays: Mapping[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``levels`` and ``queues`` tables of a :class:`FlowResult` from weekly arrays.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        :data:`LEVEL_MEASURES` and :data:`QUEUE_MEASURES`, each (replications, weeks, 4).

    Returns
    -------
    levels, queues : pandas.DataFrame
        In (replication, week, level) order, weeks from 1.

    See Also
    --------
    service_frame : the ``services`` table.

    Examples
    --------
    >>> arrays = {k: np.zeros((2, 3, 4), np.int64) for k in LEVEL_MEASURES + QUEUE_MEASURES}
    >>> levels, queues = level_frames(arrays)
    >>> levels.shape, queues.columns.tolist()[3:]
    ((24, 5), ['entered', 'waited', 'wait_weeks', 'stay_weeks'])
    """
    replications, weeks, _ = arrays["active"].shape
    index = pd.MultiIndex.from_product(
        [range(replications), range(1, weeks + 1), range(4)],
        names=["replication", "week", "level"],
    )
    levels = pd.DataFrame({k: arrays[k].ravel() for k in LEVEL_MEASURES}, index=index)
    queues = pd.DataFrame({k: arrays[k].ravel() for k in QUEUE_MEASURES}, index=index)
    return levels.reset_index(), queues.reset_index()


def service_frame(
    services: Sequence[str],
    slots: np.ndarray,
    hours: np.ndarray,
    logs: np.ndarray,
    demanded: np.ndarray,
    waiting: np.ndarray,
) -> pd.DataFrame:
    """The ``services`` table of a :class:`FlowResult` from weekly arrays.

    Parameters
    ----------
    services : sequence of str
        The service names, in the order of the arrays' last axis.
    slots, hours : numpy.ndarray
        (services,): baton-holder slots and hours available per week, ``inf`` if unlimited.
    logs, demanded, waiting : numpy.ndarray
        (replications, weeks, services): slots in use, hours demanded and cases waiting at
        the end of each week.

    Returns
    -------
    pandas.DataFrame
        ``replication, week, service, logs, slots, hours_demanded, hours_available,
        utilisation, waiting``; unlimited slots and hours are NaN.

    See Also
    --------
    level_frames : the ``levels`` and ``queues`` tables.
    """
    replications, weeks = logs.shape[:2]
    index = pd.MultiIndex.from_product(
        [range(replications), range(1, weeks + 1), list(services)],
        names=["replication", "week", "service"],
    )
    available = np.broadcast_to(hours, logs.shape).ravel()
    slots = np.broadcast_to(slots, logs.shape).ravel()
    demanded = demanded.ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        utilisation = np.where(np.isfinite(available), demanded / available, np.nan)
    frame = pd.DataFrame(
        {
            "logs": logs.ravel().astype(np.int64),
            "slots": np.where(np.isfinite(slots), slots, np.nan),
            "hours_demanded": demanded,
            "hours_available": np.where(np.isfinite(available), available, np.nan),
            "utilisation": utilisation,
            "waiting": waiting.ravel().astype(np.int64),
        },
        index=index,
    ).reset_index()
    return frame if len(services) else frame.iloc[0:0]


def _cube(
    frame: pd.DataFrame, inner: str, inner_values: Iterable, columns: list[str]
) -> list[np.ndarray]:
    """Columns of a long frame as (replications, weeks, inner) arrays; the frame must hold
    every combination once. Frames in (replication, week) order with the inner values in a
    fixed order (as the engines write them) are reshaped; others are placed row by row."""
    rep = frame["replication"].to_numpy()
    week = frame["week"].to_numpy()
    reps, weeks = np.sort(pd.unique(rep)), np.sort(pd.unique(week))
    inner_values = list(inner_values)
    codes, uniques = pd.factorize(frame[inner], sort=False)
    position = {v: k for k, v in enumerate(inner_values)}
    if len(uniques) != len(inner_values) or any(v not in position for v in uniques):
        raise ValueError(f"expected the {inner} values {inner_values}")
    where = np.array([position[v] for v in uniques], dtype=np.int64)
    shape = (len(reps), len(weeks), len(inner_values))
    size = int(np.prod(shape))
    if len(frame) != size:
        raise ValueError(f"expected one row per replication, week and {inner}")
    ordered = (
        size > 0
        and np.array_equal(rep, np.repeat(reps, shape[1] * shape[2]))
        and np.array_equal(week, np.tile(np.repeat(weeks, shape[2]), shape[0]))
        and np.array_equal(codes, np.tile(np.arange(shape[2]), shape[0] * shape[1]))
    )
    if ordered:
        order = np.argsort(where)  # the frame's inner order → inner_values' order
        return [frame[c].to_numpy().reshape(shape)[:, :, order].copy() for c in columns]
    flat = (np.searchsorted(reps, rep) * shape[1] + np.searchsorted(weeks, week)) * shape[
        2
    ] + where[codes]
    if len(pd.unique(flat)) != len(frame):
        raise ValueError(f"expected one row per replication, week and {inner}")
    out = []
    for column in columns:
        cube = np.empty(size, dtype=frame[column].to_numpy().dtype)
        cube[flat] = frame[column].to_numpy()
        out.append(cube.reshape(shape))
    return out


def flow_arrays(result: FlowResult) -> FlowArrays:
    """The weekly figures of a :class:`FlowResult` (either engine) as arrays.

    Read from the engine's arrays when the result has them, else from its tables, in any
    row order.

    Parameters
    ----------
    result : FlowResult
        Without arrays, its tables must hold one row per replication, week and level (or
        service).

    Returns
    -------
    FlowArrays

    Raises
    ------
    ValueError
        When a table misses a row or holds one twice.

    See Also
    --------
    level_frames, service_frame : the other way, arrays to tables.
    """
    if result.arrays is not None:
        return result.arrays.flow_arrays()
    levels = result.levels
    active, waiting = _cube(levels, "level", range(4), ["active", "waiting"])
    wait_weeks, entered = _cube(result.queues, "level", range(4), ["wait_weeks", "entered"])
    services = tuple(sorted(result.services["service"].unique()))
    if services:
        demanded, available = _cube(
            result.services, "service", services, ["hours_demanded", "hours_available"]
        )
    else:
        demanded = available = np.zeros((*active.shape[:2], 0))
    return FlowArrays(
        np.sort(pd.unique(levels["replication"].to_numpy())),
        np.sort(pd.unique(levels["week"].to_numpy())),
        active,
        waiting,
        wait_weeks,
        entered,
        services,
        demanded,
        available,
    )
