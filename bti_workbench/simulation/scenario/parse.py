"""Checking a scenario document and building a :class:`~.types.Scenario` from it.

A scenario is a YAML file in ``data/scenarios/``; every key is described in
``data/scenarios/README.md``. :mod:`~bti_workbench.simulation.scenario.document` reads it and
applies organisation options, overrides and settings; this module checks the result. Every
problem names the file and the key (``levels.2.next``) and nothing runs until it is right, so
an option that breaks a scenario is caught the same way as a wrong file.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from bti_workbench.errors import ScenarioError, Text
from bti_workbench.reference.municipality import Municipality, load_municipality
from bti_workbench.reference.population import AGE_BANDS
from bti_workbench.simulation.scenario._checks import (
    _by_level,
    _children,
    _fail,
    _mapping,
    _number,
    _say,
    _service,
    _share,
    _source,
    _unknown,
)
from bti_workbench.simulation.scenario._resources import resources as _check_resources
from bti_workbench.simulation.scenario.document import scenario_document
from bti_workbench.simulation.scenario.types import (
    DISTRIBUTIONS,
    WEEKS_PER_YEAR,
    Arrivals,
    Costs,
    Duration,
    Level,
    Scenario,
)

__all__ = ["load_scenario", "parse_scenario"]

_TOP_KEYS = {
    "name",
    "description",
    "municipality",
    "population_file",
    "horizon_weeks",
    "time_step_weeks",
    "arrivals",
    "levels",
    "warm_start",
    "warm_start_per_1000",
    "resources",
    "costs",
    "options",
    "sources",
}
_LEVEL_KEYS = {"duration", "slots", "next", "note"}
_DURATION_KEYS = {"distribution", "mean_weeks", "shape"}
_NEXT_KEYS = {"up", "down", "child_welfare"}
_ARRIVAL_KEYS = {"poisson_per_week", "per_1000_per_year", "baton_holder", "seasonality", "scale"}
_SEASON_KEYS = {"start_week", "closed_weeks", "closed_factor", "services"}
_COST_KEYS = {"hourly_rate_nok", "organisation", "posts"}
_POST_KEYS = {"fte", "fte_per_1000", "min_fte", "nok_per_fte_year", "note"}


# --- sections -----------------------------------------------------------------------------


def _duration(source: str, key: str, spec: object) -> Duration:
    if not isinstance(spec, dict):
        _fail(source, key, _say("duration_mapping"))
    _unknown(source, f"{key}.", spec, _DURATION_KEYS)
    kind = spec.get("distribution")
    if kind not in DISTRIBUTIONS:
        _fail(source, f"{key}.distribution", _say("one_of", values=", ".join(DISTRIBUTIONS)))
    mean = _number(source, f"{key}.mean_weeks", spec.get("mean_weeks"), low=0, strict=True)
    shape = spec.get("shape")
    if kind == "erlang":
        shape = _number(source, f"{key}.shape", shape, low=1, integer=True)
    elif kind == "lognormal":
        shape = _number(source, f"{key}.shape", shape, low=0, strict=True)
    elif shape is not None:
        _fail(source, f"{key}.shape", _say("exponential_shape"))
    return Duration(kind, float(mean), None if shape is None else float(shape))


def _level(source: str, number: int, spec: object) -> Level:
    key = f"levels.{number}"
    spec = _mapping(source, key, spec, _LEVEL_KEYS)
    duration = _duration(source, f"{key}.duration", spec.get("duration"))
    slots = spec.get("slots")
    if slots is not None:
        slots = int(_number(source, f"{key}.slots", slots, low=1, integer=True))
    routing = _mapping(source, f"{key}.next", spec.get("next"), _NEXT_KEYS)
    shares = {k: _share(source, f"{key}.next.{k}", v) for k, v in routing.items()}
    if number == 3 and shares.get("up"):
        _fail(source, f"{key}.next.up", _say("highest"))
    if number == 0 and shares.get("down"):
        _fail(source, f"{key}.next.down", _say("lowest"))
    total = sum(shares.values())
    if total > 1 + 1e-9:
        _fail(source, f"{key}.next", _say("probabilities", total=float(total)))
    return Level(number, duration, slots, **shares)


def _week_set(source: str, key: str, value: object) -> set[int]:
    weeks: set[int] = set()
    parts = value if isinstance(value, list) else str(value).split(",")
    for part in parts:
        text = str(part).strip()
        lo, _, hi = text.partition("-")
        try:
            first, last = int(lo), int(hi or lo)
        except ValueError:
            _fail(source, key, _say("not_week", text=repr(text)))
        if not 1 <= first <= last <= 53:
            _fail(source, key, _say("iso_weeks", text=repr(text)))
        weeks.update(range(first, last + 1))
    return weeks


def _seasonal_factors(source: str, spec: dict, horizon: int, sources: set[str]) -> dict:
    """Weekly multipliers per source service; the yearly total stays as given."""
    key = "arrivals.seasonality"
    _unknown(source, f"{key}.", spec, _SEASON_KEYS)
    start = int(
        _number(source, f"{key}.start_week", spec.get("start_week", 1), low=1, integer=True)
    )
    if start > 52:
        _fail(source, f"{key}.start_week", _say("iso_week_52"))
    closed = _week_set(source, f"{key}.closed_weeks", spec.get("closed_weeks", ""))
    factor = _share(source, f"{key}.closed_factor", spec.get("closed_factor", 1.0))
    affected = spec.get("services", sorted(sources))
    if not isinstance(affected, list):
        _fail(source, f"{key}.services", _say("service_list"))
    for i, name in enumerate(affected):
        _service(source, f"{key}.services.{i}", name)
        if name not in sources:
            _fail(source, f"{key}.services.{i}", _say("no_concerns", name=name))
    iso_week = (start - 1 + np.arange(horizon)) % 52 + 1
    is_closed = np.isin(iso_week, sorted(closed))
    open_weeks = 52 - len(closed & set(range(1, 53))) * (1 - factor)
    if open_weeks <= 0:
        _fail(
            source,
            f"{key}.closed_factor",
            _say("all_closed"),
        )
    normaliser = 52 / open_weeks
    season = np.where(is_closed, factor, 1.0) * normaliser
    return {name: season for name in affected}


def _arrivals(
    source: str, spec: object, horizon: int, municipality: Municipality | None
) -> Arrivals:
    spec = _mapping(source, "arrivals", spec, _ARRIVAL_KEYS)
    plain = "poisson_per_week" in spec
    if plain == ("per_1000_per_year" in spec):
        _fail(source, "arrivals", _say("arrivals_either"))
    scale = float(_number(source, "arrivals.scale", spec.get("scale", 1.0), low=0))
    if plain:
        if set(spec) - {"scale"} != {"poisson_per_week"}:
            _fail(source, "arrivals", _say("poisson_alone"))
        rate = scale * float(
            _number(source, "arrivals.poisson_per_week", spec["poisson_per_week"], low=0)
        )
        yearly = np.full((52, 1), rate)
        return Arrivals(("all",), np.resize(yearly, (horizon, 1)), pd.DataFrame(), yearly)
    if municipality is None:
        _fail(source, "arrivals.per_1000_per_year", _say("needs_municipality"))
    rates = _mapping(source, "arrivals.per_1000_per_year", spec["per_1000_per_year"])
    baton = _mapping(source, "arrivals.baton_holder", spec.get("baton_holder"))
    children = municipality.children_by_band()
    rows = []
    for band, by_source in rates.items():
        key = f"arrivals.per_1000_per_year.{band}"
        if band not in AGE_BANDS:
            _fail(source, key, _say("age_bands", bands=", ".join(AGE_BANDS)))
        for name, rate in _mapping(source, key, by_source).items():
            _service(source, f"{key}.{name}", name)
            per_1000 = float(_number(source, f"{key}.{name}", rate, low=0))
            holder = baton.get(name, name)
            _service(source, f"arrivals.baton_holder.{name}", holder)
            per_1000 *= scale
            per_year = per_1000 * int(children[band]) / 1000
            rows.append((band, name, int(children[band]), per_1000, holder, per_year))
    if not rows:
        _fail(source, "arrivals.per_1000_per_year", _say("band_and_source"))
    table = pd.DataFrame(
        rows,
        columns=["age_band", "source", "children", "per_1000_per_year", "baton_holder", "per_year"],
    )
    for name in baton:
        if name not in set(table["source"]):
            _fail(source, f"arrivals.baton_holder.{name}", _say("not_source"))
    seasons = {}
    if spec.get("seasonality") is not None:
        season_spec = _mapping(source, "arrivals.seasonality", spec["seasonality"])
        seasons = _seasonal_factors(source, season_spec, 52, set(table["source"]))
    classes = tuple(dict.fromkeys(table["baton_holder"]))
    yearly = np.zeros((52, len(classes)))
    flat = np.ones(52)
    for row in table.itertuples(index=False):
        column = classes.index(row.baton_holder)
        yearly[:, column] += row.per_year / WEEKS_PER_YEAR * seasons.get(row.source, flat)
    return Arrivals(classes, np.resize(yearly, (horizon, len(classes))), table, yearly)


def _costs(
    source: str, spec: object, base: Path, municipality: Municipality | None = None
) -> Costs:
    from bti_workbench.ingest.readers import read_organisation

    spec = _mapping(source, "costs", spec, _COST_KEYS)
    rate = float(_number(source, "costs.hourly_rate_nok", spec.get("hourly_rate_nok"), low=0))
    groups = pd.DataFrame(columns=["group", "meetings_per_year", "people", "hours_per_meeting"])
    organisation = spec.get("organisation")
    origin = ""
    if organisation is not None:
        path = (base / str(organisation)).resolve()
        try:
            members = read_organisation(path)
        except (OSError, ValueError) as exc:
            _fail(source, "costs.organisation", _cannot_read(Path(str(organisation)).name, exc))
        groups = (
            members.groupby("group", sort=False)
            .agg(
                meetings_per_year=("meetings_per_year", "first"),
                people=("title", "size"),
                hours_per_meeting=("hours_per_meeting", "first"),
            )
            .reset_index()
        )
        origin = path.name
    posts = {}
    for name, entry in _mapping(source, "costs.posts", spec.get("posts")).items():
        key = f"costs.posts.{name}"
        entry = _mapping(source, key, entry, _POST_KEYS)
        if "fte_per_1000" in entry:
            if "fte" in entry:
                _fail(source, f"{key}.fte_per_1000", _say("fte_both"))
            per_1000 = float(_number(source, f"{key}.fte_per_1000", entry["fte_per_1000"], low=0))
            floor = float(_number(source, f"{key}.min_fte", entry.get("min_fte", 0), low=0))
            children = _children(source, f"{key}.fte_per_1000", municipality)
            fte = max(per_1000 * children / 1000, floor)
        else:
            if "min_fte" in entry:
                _fail(source, f"{key}.min_fte", _say("goes_with_fte_per_1000"))
            fte = float(_number(source, f"{key}.fte", entry.get("fte"), low=0))
        posts[str(name)] = (
            fte,
            float(_number(source, f"{key}.nok_per_fte_year", entry.get("nok_per_fte_year"), low=0)),
        )
    return Costs(rate, groups, posts, origin)


def _municipality(source: str, doc: dict, base: Path) -> Municipality | None:
    if "municipality" not in doc:
        if "population_file" in doc:
            _fail(source, "population_file", _say("needs_municipality"))
        return None
    knr = str(doc["municipality"]).strip()
    if not (knr.isdigit() and len(knr) <= 4):
        _fail(source, "municipality", _say("kommunenummer"))
    population = doc.get("population_file")
    path = None if population is None else (base / str(population)).resolve()
    try:
        return load_municipality(knr, path)
    except KeyError as exc:
        _fail(source, "municipality", _not_found(str(exc.args[0]), knr, path))
    except (OSError, ValueError) as exc:
        _fail(source, "population_file", exc)


def _not_found(message: str, knr: str, path: Path | None) -> str | Text:
    """The reference layer's "not in the table" message as a catalogue text when it is the
    one the catalogue knows (else as given, in English)."""
    where = "data/municipalities.csv" if path is None else path.name
    knr = f"{int(knr):04d}"
    text = _say("not_in_table" if path is None else "not_in_file", knr=knr, file=where)
    return text if text.render("en") == message else message


def _cannot_read(name: str, exc: BaseException) -> str | Text:
    """``cannot read NAME: REASON``: in the user's language when the reader's error has a
    catalogue key, else in English."""
    if callable(getattr(exc, "text", None)):
        return _say("cannot_read", file=name, reason=exc)
    return f"cannot read {name}: {exc}"


def _warm_start(source: str, doc: dict, municipality: Municipality | None) -> tuple[int, ...]:
    """Open cases by level at week 0: counts, or per 1 000 children rounded half up."""
    if "warm_start_per_1000" in doc:
        key = "warm_start_per_1000"
        if "warm_start" in doc:
            _fail(source, key, _say("warm_both"))
        rates = _by_level(source, key, doc[key], range(4))
        children = _children(source, key, municipality)
        return tuple(
            math.floor(
                float(_number(source, f"{key}.{n}", rates.get(n, 0), low=0)) * children / 1000 + 0.5
            )
            for n in range(4)
        )
    warm = _by_level(source, "warm_start", doc.get("warm_start"), range(4))
    return tuple(
        int(_number(source, f"warm_start.{n}", warm.get(n, 0), low=0, integer=True))
        for n in range(4)
    )


def parse_scenario(
    doc: object,
    source: str,
    base: Path,
    options: tuple[str, ...] = (),
    overrides: dict | None = None,
    municipality: Municipality | None = None,
) -> Scenario:
    """Check a scenario already read into a mapping (options applied).

    Parameters
    ----------
    doc : dict
        The YAML document.
    source : str
        File name used in messages.
    base : pathlib.Path
        Folder that relative paths in the document are relative to.
    options : tuple of str
        Names of the options already applied (recorded on the scenario).
    overrides : dict, optional
        The overrides already merged in (recorded on the scenario).
    municipality : Municipality, optional
        The population and services to apply the scenario to, instead of the document's
        ``municipality`` (how a template with rates per 1 000 children is used anywhere).
    """
    if not isinstance(doc, dict):
        raise ScenarioError(key="err.scenario.top", file=_source(source))
    _unknown(source, "", doc, _TOP_KEYS)
    for required in ("name", "horizon_weeks", "arrivals", "levels"):
        if required not in doc:
            _fail(source, required, _say("missing"))
    horizon = int(_number(source, "horizon_weeks", doc["horizon_weeks"], low=1, integer=True))
    # The engines follow every case in continuous time: a step no longer changes a number.
    notices = ()
    if "time_step_weeks" in doc:
        notices = (("scenario.notice.time_step", {"source": source}),)
    if municipality is None:
        municipality = _municipality(source, doc, base)
    arrivals = _arrivals(source, doc["arrivals"], horizon, municipality)
    levels_spec = _by_level(source, "levels", doc["levels"], range(4))
    if sorted(levels_spec) != [0, 1, 2, 3]:
        _fail(source, "levels", _say("levels_all"))
    by_number = levels_spec
    levels = tuple(_level(source, n, by_number[n]) for n in range(4))
    warm_start = _warm_start(source, doc, municipality)
    resources = None
    if doc.get("resources") is not None:
        resources = _check_resources(source, doc["resources"], arrivals.classes, municipality)
        for lv in levels[1:]:
            if lv.slots is not None:
                _fail(
                    source,
                    f"levels.{lv.number}.slots",
                    _say("slots_with_resources"),
                )
    costs = None if doc.get("costs") is None else _costs(source, doc["costs"], base, municipality)
    return Scenario(
        name=str(doc["name"]),
        horizon_weeks=horizon,
        arrivals=arrivals,
        levels=levels,
        warm_start=warm_start,
        resources=resources,
        costs=costs,
        municipality=municipality,
        options=tuple(options),
        overrides=dict(overrides or {}),
        description=str(doc.get("description", "")).strip(),
        source=source,
        sources=_mapping(source, "sources", doc.get("sources")),
        notices=notices,
    )


def load_scenario(
    path: str | Path,
    options: tuple[str, ...] | list[str] = (),
    overrides: dict | None = None,
    *,
    settings: dict[str, object] | None = None,
    municipality: Municipality | None = None,
) -> Scenario:
    """Read and check a scenario file, with organisation options applied.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML scenario, e.g. ``data/scenarios/tromso.yaml``.
    options : sequence of str
        Organisation options to apply, in order (see
        :mod:`~bti_workbench.simulation.scenario.document`).
    overrides : dict, optional
        Changes merged in after the options, like an unnamed option, e.g.
        ``{"municipality": "1820"}`` or
        ``{"resources": {"services": {"ppt": {"hours_per_week": 40}}}}``.
    settings : dict, optional
        Single values by dotted key, merged in last, e.g.
        ``{"levels.1.duration.mean_weeks": 20}`` (what ``bti simulate --set`` and
        ``bti sweep --grid`` give).
    municipality : Municipality, optional
        Apply the scenario to this municipality instead of its ``municipality`` key (a
        template with rates and staff per 1 000 children works for any municipality).

    Raises
    ------
    ScenarioError
        Naming the file and the key; nothing runs.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> s = load_scenario(data_dir() / "scenarios" / "validation_jackson.yaml")
    >>> s.horizon_weeks, [lv.slots for lv in s.levels]
    (260, [60, 200, 80, 40])
    """
    doc, source, changes = scenario_document(path, options, overrides, settings)
    return parse_scenario(doc, source, Path(path).parent, tuple(options), changes, municipality)
