"""Which code made a run's numbers: the workbench's version and each engine's version.

Every output of a run records :func:`provenance`: the ``.json`` beside ``bti simulate``'s
results and a sweep folder's ``sweep.json``. A sweep refuses to resume a folder written by
another engine or engine version, so one folder never mixes numbers from two engines.
"""

from __future__ import annotations

from bti_workbench._util.version import WORKBENCH_VERSION

__all__ = ["ENGINE_VERSIONS", "provenance"]

#: Each engine's version. **Bump an engine's number whenever a change can alter any number it
#: produces for the same scenario, seed and replications**, wherever that change is: the
#: engine's own module, the model both engines run (``model.py``), the output schema
#: (``output.py``) or the summary of a run (``analysis.summarise``, which sweeps store). A
#: change to the shared model bumps both. A refactoring that keeps every number does not.
#: Sweep folders written with another number are then refused instead of resumed.
ENGINE_VERSIONS: dict[str, int] = {"fast": 2, "ciw": 1}


def provenance(engine: str) -> dict[str, str | int | None]:
    """What made a run's numbers, as recorded beside its results.

    Parameters
    ----------
    engine : str
        The engine that ran (or is to run): ``"fast"`` or ``"ciw"``.

    Returns
    -------
    dict
        ``workbench_version`` (``bti_workbench.__version__``), ``engine`` and
        ``engine_version`` (:data:`ENGINE_VERSIONS`; None for an engine this workbench does
        not have, whose run then fails where it runs, with the engines it has).

    See Also
    --------
    bti_workbench.simulation.run.write_results : Records it in ``NAME.json``.
    bti_workbench.simulation.sweep.plan.Sweep.spec : Records it in ``sweep.json``.

    Examples
    --------
    >>> sorted(provenance("fast"))
    ['engine', 'engine_version', 'workbench_version']
    >>> provenance("bogus")["engine_version"] is None
    True
    """
    return {
        "workbench_version": WORKBENCH_VERSION,
        "engine": engine,
        "engine_version": ENGINE_VERSIONS.get(engine),
    }
