"""A scenario with calibrated numbers: built from a base scenario, checked and written.

:func:`calibrated_scenario` writes the estimates of a
:class:`~bti_workbench.simulation.calibration.estimate.Calibration` into a base scenario
(everything else, from resources to costs, stays as the base has it); an estimate the published
:func:`~bti_workbench.simulation.calibration.table.calibration_table` hides is not used, the
base's value stays. :func:`write_scenario` checks a mapping and saves it as YAML.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bti_workbench._util.atomic import write_atomically
from bti_workbench._util.resources import data_dir
from bti_workbench.errors import ScenarioError
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.reference.population import AGE_BANDS
from bti_workbench.simulation.calibration.estimate import Calibration
from bti_workbench.simulation.calibration.stays import OUTCOMES
from bti_workbench.simulation.calibration.table import calibration_table
from bti_workbench.simulation.scenario.document import read_document
from bti_workbench.simulation.scenario.parse import parse_scenario

__all__ = ["calibrated_scenario", "scenario_mapping", "write_scenario"]


def scenario_mapping(scenario: str | Path | dict) -> tuple[dict, Path, str]:
    """A scenario as a mapping of one's own, the folder its paths start from, and its name.

    Parameters
    ----------
    scenario : str, pathlib.Path or dict
        A scenario file (read with
        :func:`~bti_workbench.simulation.scenario.document.read_document`), or a mapping
        (copied; its relative paths start from ``data/scenarios``).

    Returns
    -------
    doc : dict
        The raw document, unchecked; changing it changes nothing else.
    folder : pathlib.Path
        Where the document's relative file paths start.
    source : str
        The file name, or the mapping's ``name``, for messages.

    Raises
    ------
    ScenarioError
        When the file cannot be read or holds no mapping.

    Examples
    --------
    >>> doc, folder, source = scenario_mapping({"name": "mine", "levels": {}})
    >>> source, folder.name
    ('mine', 'scenarios')
    """
    if isinstance(scenario, dict):
        return (
            copy.deepcopy(scenario),
            data_dir() / "scenarios",
            str(scenario.get("name", "scenario")),
        )
    path = Path(scenario)
    return read_document(path), path.parent, path.name


def calibrated_scenario(
    calibration: Calibration,
    base: str | Path | dict,
    *,
    k: int = DEFAULT_K,
    baton_holder: Mapping[str, str] | None = None,
) -> dict:
    """A scenario with the calibrated numbers and everything else from a base scenario.

    Takes ``arrivals.per_1000_per_year`` (or ``arrivals.poisson_per_week`` when the base has
    that), ``levels.N.duration.mean_weeks`` (the duration's distribution and shape stay as
    the base has them), ``levels.N.next`` and ``warm_start`` from the calibration; resources,
    hours, meetings, partners, costs, seasonality and options come from the base. An
    estimate that :func:`~bti_workbench.simulation.calibration.table.calibration_table`
    hides (fewer than ``k`` cases behind it) is not used: the base's value stays. A band
    and source of the base not seen in the log gets 0. ``sources.calibration`` records how
    and from what period the numbers were estimated (no counts, no identifiers) and
    ``sources.calibration_kept_from_base`` what was kept.

    Parameters
    ----------
    calibration : Calibration
        Estimates from :func:`~bti_workbench.simulation.calibration.estimate.estimate_parameters`.
    base : str, pathlib.Path or dict
        A scenario file, or its mapping (relative paths in a mapping are read from
        ``data/scenarios``).
    k : int, default 5
        Suppression threshold.
    baton_holder : mapping, optional
        Extra ``arrivals.baton_holder`` entries (source → service holding the baton), for
        sources in the log whose own service holds no batons in the base.

    Returns
    -------
    dict
        A checked scenario mapping (file paths made absolute); save it with
        :func:`write_scenario`.

    Raises
    ------
    ScenarioError
        When the base is not a valid scenario (the message names it and the key).
    ValueError
        When a source in the log has no baton-holder service in the base.

    See Also
    --------
    bti_workbench.simulation.calibration.table.calibration_table : what may be used.
    write_scenario : saves the result.

    Examples
    --------
    With two cases behind them, the estimates are hidden and the base's values stay:

    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.calibration.estimate import estimate_parameters
    >>> log = pd.DataFrame({
    ...     "case_id": ["a", "a", "b", "b"],
    ...     "event_time": pd.to_datetime(["2020-01-06", "2020-01-13", "2020-01-06",
    ...                                   "2020-01-20"]),
    ...     "event": ["concern_raised", "level0_decision"] * 2,
    ...     "level": [0] * 4, "service": ["school"] * 4, "age_band": ["6-15"] * 4})
    >>> tromso = data_dir() / "scenarios" / "tromso.yaml"
    >>> doc = calibrated_scenario(estimate_parameters(log, "5401"), tromso)
    >>> doc["name"], sorted(doc["levels"][1]["next"])
    ('tromso_calibrated', ['child_welfare', 'down', 'up'])
    """
    doc, folder, source = scenario_mapping(base)
    # The base is checked as a scenario first: a wrong base gets the message `bti simulate`
    # gives for it, never a failure halfway through the calibration.
    parse_scenario(copy.deepcopy(doc), source, folder)
    table = calibration_table(calibration, k, lang="en").set_index("parameter")
    kept: list[str] = []
    arrivals = doc.setdefault("arrivals", {})
    if "poisson_per_week" in arrivals:
        _weekly_rate(arrivals, table, kept)
    else:
        _rates_per_band(arrivals, calibration, table, kept, baton_holder)
        _check_baton_holders(doc, source)
    for lv in range(4):
        _level(doc["levels"][_level_key(doc["levels"], lv)], lv, table, kept)
    doc["warm_start"] = _warm_start(doc, table, kept)
    _describe(doc, calibration, source, k, kept)
    _absolute_paths(doc, folder)
    parse_scenario(doc, f"{doc['name']} (calibrated from {source})", folder)
    return doc


# --- the steps of calibrated_scenario -----------------------------------------------------


def _usable(table: pd.DataFrame, parameter: str) -> bool:
    """Whether the published table shows a finite estimate for ``parameter``."""
    return (
        parameter in table.index
        and bool(table.loc[parameter, "shown"])
        and bool(np.isfinite(table.loc[parameter, "estimate"]))
    )


def _value(table: pd.DataFrame, parameter: str) -> float:
    return float(table.loc[parameter, "estimate"])


def _weekly_rate(arrivals: dict, table: pd.DataFrame, kept: list[str]) -> None:
    """A plain Poisson base gets the weekly rate of all new concerns."""
    if _usable(table, "arrivals.per_week"):
        arrivals["poisson_per_week"] = _round(_value(table, "arrivals.per_week"), 4)
    else:
        kept.append("arrivals.poisson_per_week")


def _rates_per_band(
    arrivals: dict,
    calibration: Calibration,
    table: pd.DataFrame,
    kept: list[str],
    baton_holder: Mapping[str, str] | None,
) -> None:
    """Rates per band and source (the base's, the log's, 0 for the base's unseen ones)."""
    base_rates = arrivals.get("per_1000_per_year") or {}
    pairs = [(str(b), str(s)) for b, by in base_rates.items() for s in (by or {})]
    pairs += [
        pair
        for pair in zip(
            calibration.arrivals["age_band"], calibration.arrivals["source"], strict=True
        )
        if pair not in pairs
    ]
    rates: dict[str, dict[str, float]] = {}
    for band, name in sorted(pairs, key=lambda p: list(AGE_BANDS).index(p[0])):
        key = f"arrivals.per_1000_per_year.{band}.{name}"
        base_value = (base_rates.get(band) or {}).get(name)
        if _usable(table, key):
            rates.setdefault(band, {})[name] = _round(_value(table, key), 3)
        elif key in table.index:
            if base_value is not None:
                rates.setdefault(band, {})[name] = base_value
            kept.append(key if base_value is not None else f"{key} (left out)")
        else:  # in the base, not seen in the log
            rates.setdefault(band, {})[name] = 0.0
    arrivals["per_1000_per_year"] = rates
    mapping = {**(arrivals.get("baton_holder") or {}), **dict(baton_holder or {})}
    used = {name for by in rates.values() for name in by}
    mapping = {s: h for s, h in mapping.items() if s in used}
    if mapping:
        arrivals["baton_holder"] = mapping
    else:
        arrivals.pop("baton_holder", None)


def _check_baton_holders(doc: dict, source: str) -> None:
    """Every source needs a service that holds its batons (when the base has resources)."""
    if doc.get("resources") is None:
        return
    arrivals = doc["arrivals"]
    mapping = arrivals.get("baton_holder") or {}
    used = {name for by in arrivals["per_1000_per_year"].values() for name in by}
    services = doc["resources"].get("services") or {}
    for name in sorted(used):
        holder = mapping.get(name, name)
        if not (services.get(holder) or {}).get("baton_holders"):
            raise ValueError(
                f"{source}: concerns raised by {name} need a service that holds their "
                f"batons: give resources.services.{holder}.baton_holders in the base, "
                f"or pass baton_holder={{'{name}': SERVICE}}"
            )


def _level(spec: dict, lv: int, table: pd.DataFrame, kept: list[str]) -> None:
    """A level's mean stay and routing (``next``) from the estimates, else the base's."""
    key = f"levels.{lv}.duration.mean_weeks"
    if _usable(table, key):
        spec["duration"]["mean_weeks"] = _round(_value(table, key), 3)
    else:
        kept.append(key)
    allowed = [o for o in OUTCOMES[:3] if (lv, o) not in ((0, "down"), (3, "up"))]
    before = dict(spec.get("next") or {})
    routing = {}
    for outcome in allowed:
        key = f"levels.{lv}.next.{outcome}"
        if _usable(table, key):  # rounded down, so the shares never add up to more than 1
            routing[outcome] = math.floor(_value(table, key) * 10_000) / 10_000
        else:
            routing[outcome] = float(before.get(outcome, 0.0))
            kept.append(key)
    if sum(routing.values()) > 1 + 1e-9:  # a mix of estimates and base values
        routing = before
        kept.append(f"levels.{lv}.next")
    spec["next"] = routing


def _warm_start(doc: dict, table: pd.DataFrame, kept: list[str]) -> dict[int, int]:
    """Cases open at each level at the period end, else the base's."""
    base_warm = {str(key).strip(): v for key, v in (doc.get("warm_start") or {}).items()}
    warm = {}
    for lv in range(4):
        key = f"warm_start.{lv}"
        if _usable(table, key):
            warm[lv] = int(_value(table, key))
        else:
            warm[lv] = int(base_warm.get(str(lv), 0))
            kept.append(key)
    return warm


def _describe(doc: dict, calibration: Calibration, source: str, k: int, kept: list[str]) -> None:
    """Name, description and ``sources``: how and from what the numbers were estimated."""
    first, last = calibration.period
    name = str(doc.get("name", "scenario"))
    doc["name"] = f"{name}_calibrated"
    note = (
        "Calibrated by bti_workbench.simulation.calibration from a pseudonymised event log, "
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d} ({calibration.weeks:.1f} weeks): arrivals "
        f"(new concerns per 1 000 children per band over {calibration.population_source}), "
        "levels.N.duration.mean_weeks (Kaplan–Meier mean stay with an exponential tail, "
        "right-censored at the period end; distribution and shape from "
        f"{source}), levels.N.next (shares of "
        "the exits from each level) and warm_start (cases open at the period end). "
        f"Estimates resting on fewer than {k} cases are not used; resources, hours, meetings, "
        f"partners, seasonality and costs are from {source}."
    )
    base_knr = doc.get("municipality")
    if calibration.kommunenummer and base_knr and str(base_knr) != calibration.kommunenummer:
        note += (
            f" Rates were estimated for municipality {calibration.kommunenummer}; the "
            f"scenario's municipality is {base_knr}."
        )
    doc["description"] = (
        f"{str(doc.get('description', '')).strip()} Calibrated from an event log "
        f"({first:%Y-%m-%d} to {last:%Y-%m-%d})."
    ).strip()
    sources = dict(doc.get("sources") or {})
    sources["calibration"] = note
    if kept:
        sources["calibration_kept_from_base"] = ", ".join(kept)
    doc["sources"] = sources


def _level_key(levels: dict, level: int) -> object:
    """The key of ``level`` in a scenario's ``levels`` (written as a number or as text)."""
    for key in levels:
        if str(key).strip() == str(level):
            return key
    raise ScenarioError(f"levels.{level}: missing")


def _round(value: float, digits: int) -> float:
    """A plain float rounded for the YAML file."""
    return float(round(float(value), digits))


def _absolute_paths(doc: dict, folder: Path) -> None:
    """Make the file paths of a scenario absolute, so the mapping works from anywhere."""
    if doc.get("population_file") is not None:
        doc["population_file"] = str((folder / str(doc["population_file"])).resolve())
    costs = doc.get("costs")
    if isinstance(costs, dict) and costs.get("organisation") is not None:
        costs["organisation"] = str((folder / str(costs["organisation"])).resolve())


def _plain(value: object) -> object:
    """Plain Python values for YAML (numpy scalars become numbers)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_scenario(scenario: dict, path: str | Path) -> Path:
    """Check a scenario mapping and write it as YAML, whole or not at all.

    Absolute file paths (as :func:`calibrated_scenario` leaves them) are written relative to
    the new file's folder where possible, so the folder can be moved as a whole.

    Parameters
    ----------
    scenario : dict
        A scenario mapping, e.g. from :func:`calibrated_scenario`.
    path : str or pathlib.Path
        The ``.yaml`` file to write; its folder is created.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    bti_workbench.simulation.scenario.parse.ScenarioError
        When the mapping is not a valid scenario; nothing is written.

    See Also
    --------
    calibrated_scenario : a scenario mapping to write.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> doc = yaml.safe_load((data_dir() / "scenarios" / "validation_jackson.yaml").read_text())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     load_scenario(write_scenario(doc, Path(folder) / "copy.yaml")).horizon_weeks
    260
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = _plain(copy.deepcopy(scenario))
    holders = [(doc, "population_file")]
    if isinstance(doc.get("costs"), dict):
        holders.append((doc["costs"], "organisation"))
    for holder, key in holders:
        value = holder.get(key)
        if value is not None and Path(str(value)).is_absolute():
            with contextlib.suppress(ValueError):  # another drive: it stays absolute
                holder[key] = Path(os.path.relpath(str(value), path.parent.resolve())).as_posix()
    parse_scenario(doc, path.name, path.parent)
    header = (
        "# Written by bti_workbench.simulation.calibration.write.write_scenario. Where the numbers "
        "come from: see `sources`.\n"
    )
    text = header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    write_atomically(path, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return path
