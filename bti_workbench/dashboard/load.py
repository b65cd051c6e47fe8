"""The dashboard's load page: what a scenario's case flow asks of the services, by option.

:func:`load_view` runs the ``fast`` engine on a scenario file (with organisation options and
slider overrides) and returns the figures a leader reads: open cases per level with P10–P90
bands, service utilisation, waits and cost per year per option, and the options side by side.
Results come from the scenario's assumptions, not from case data, so nothing here is
suppressed (see :mod:`bti_workbench.simulation.figures`).

Runs are cached for every session of a server at once
(:func:`bti_workbench._util.cache.shared_cache`: two sessions asking for the same run at the
same moment share one simulation): the same file (unchanged on disk), options,
overrides, replications and seed give the same :class:`LoadView` object, and switching the
language redraws the figures without simulating again. Treat a returned view as read-only.

:data:`SLIDERS` lists the parameters a leader moves; :func:`overrides_from_sliders` turns
slider positions into the scenario's override format
(:func:`bti_workbench.simulation.scenario.parse.load_scenario`), as dotted settings merged by
the scenario document's one merge (:mod:`bti_workbench.simulation.scenario.document`).

The simulations are :func:`bti_workbench.simulation.run.compare_options`, the same function
``bti compare`` calls, so the page and the command line give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.cache import shared_cache
from bti_workbench._util.figures import TEMPLATE
from bti_workbench._util.numbers import figure_separators
from bti_workbench.errors import ScenarioError
from bti_workbench.reference.labels import label
from bti_workbench.simulation.costs import organisation_cost
from bti_workbench.simulation.figures import (
    options_table,
    simulated_cases_figure,
    utilisation_heatmap,
    waits_by_option,
)
from bti_workbench.simulation.output import FlowResult
from bti_workbench.simulation.run import compare_options
from bti_workbench.simulation.scenario.choices import ScenarioChoice, municipality_scenarios
from bti_workbench.simulation.scenario.document import (
    BASELINE,
    available_options,
    option_description,
    option_name,
    option_names,
    read_document,
    scenario_description,
    scenario_document,
    scenario_name,
    settings_overrides,
)
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.scenario.types import Scenario

__all__ = [
    "SLIDERS",
    "LoadView",
    "ScenarioChoice",
    "Slider",
    "load_view",
    "municipality_scenarios",
    "overrides_from_sliders",
    "slider_values",
]


class Slider(NamedTuple):
    """A scenario parameter a leader moves.

    ``kind`` is ``"set"`` (the value replaces the one at ``path``) or ``"scale"`` (every rate
    under ``path`` is multiplied by the value). The label is ``label(key, lang)``.
    """

    name: str
    label: str
    path: str
    min: float
    max: float
    step: float
    default: float
    kind: str = "set"


#: The sliders of the load page. ``default`` is a typical value; :func:`slider_values` gives
#: a scenario's own.
SLIDERS = (
    Slider(
        "concern_scale",
        "dash.slider.concern_scale",
        "arrivals.per_1000_per_year",
        0.5,
        2.0,
        0.05,
        1.0,
        "scale",
    ),
    Slider(
        "level1_mean_weeks",
        "dash.slider.level1_mean_weeks",
        "levels.1.duration.mean_weeks",
        2,
        52,
        1,
        16,
    ),
    Slider("max_logs", "dash.slider.max_logs", "resources.max_logs", 1, 6, 1, 3),
    Slider(
        "ppt_hours",
        "dash.slider.ppt_hours",
        "resources.services.ppt.hours_per_week",
        3,
        120,
        1,
        30,
    ),
    Slider(
        "child_welfare_hours",
        "dash.slider.child_welfare_hours",
        "resources.services.child_welfare.hours_per_week",
        3,
        120,
        1,
        14,
    ),
)
_BY_NAME = {s.name: s for s in SLIDERS}
_COST_COLOURS = ("#56B4E9", "#0072B2")


@dataclass(frozen=True, eq=False)
class LoadView:
    """The load page for one scenario, its options and overrides.

    Attributes
    ----------
    heading : str
        Municipality and scenario, e.g. ``"Tromsø (5401) – tromso"``.
    description : str
        The scenario's own description.
    cases_by_level : plotly.graph_objects.Figure
        Open cases (active plus waiting) per level and week: median and P10–P90 band across
        replications, with the end of the warm-up marked.
    utilisation : plotly.graph_objects.Figure
        Hours demanded / available per service and four-week period.
    waits : plotly.graph_objects.Figure
        Mean wait to start at levels 1–3, per option.
    costs : plotly.graph_objects.Figure
        Cost per year per option: organisation and case work (mean), P10–P90 of the total.
    options : pandas.DataFrame
        The options side by side (:func:`bti_workbench.simulation.figures.options_table`).
    levels : pandas.DataFrame
        Mean active, waiting and wait per level for the scenario as it is.
    comparison : pandas.DataFrame
        Long format ``option, metric, mean, difference, low, high``.
    available_options : dict
        Option id → description in ``lang``.
    option_names : dict
        Option id → display name in ``lang``, for the option picker (ids as values).
    options_note : str
        How to read a cell of :attr:`options`.
    sliders : dict
        Where each slider of :data:`SLIDERS` stands for the scenario as shown (its own
        figures, overrides included; :func:`slider_values`). A page that switches scenario
        sets its sliders from here, never from the previous scenario's.
    warmup_weeks, replications, seed : int
    note : str
        What the figures are (a simulation) and which weeks they summarise.
    """

    heading: str
    description: str
    cases_by_level: go.Figure
    utilisation: go.Figure
    waits: go.Figure
    costs: go.Figure
    options: pd.DataFrame
    levels: pd.DataFrame
    comparison: pd.DataFrame
    available_options: dict[str, str]
    option_names: dict[str, str]
    options_note: str
    sliders: dict[str, float | None]
    warmup_weeks: int
    replications: int
    seed: int
    note: str


@dataclass(frozen=True, eq=False)
class _Run:
    """What the simulations of one key produced, before any text."""

    scenario: Scenario
    result: FlowResult  # the scenario as it is; levels and services only
    warmup: int
    comparison: pd.DataFrame
    costs: pd.DataFrame  # option, organisation, case_work, total_p10, total_p90
    doc: dict
    sliders: dict[str, float | None]


class _Key(NamedTuple):
    path: str
    modified: int  # st_mtime_ns: an edited file is read again
    options: tuple[str, ...]
    overrides: object  # frozen
    replications: int
    seed: int


# --------------------------------------------------------------------------------------------
# Overrides as hashable values


def _freeze(value: object) -> object:
    """A hashable, order-independent copy of nested dicts and lists (keys keep their type)."""
    if isinstance(value, Mapping):
        items = sorted(((k, _freeze(v)) for k, v in value.items()), key=lambda kv: repr(kv[0]))
        return ("dict", tuple(items))
    if isinstance(value, list | tuple):
        return ("list", tuple(_freeze(v) for v in value))
    return ("value", value)


def _thaw(frozen: object) -> object:
    kind, body = frozen
    if kind == "dict":
        return {k: _thaw(v) for k, v in body}
    if kind == "list":
        return [_thaw(v) for v in body]
    return body


# --------------------------------------------------------------------------------------------
# Sliders


def _service_hours(scenario: Scenario, doc: dict, service: str) -> float | None:
    """A service's BTI hours per week before its ``hours_factor`` (None: not in the scenario)."""
    if scenario.resources is None:
        return None
    try:
        entry = scenario.resources.service(service)
    except KeyError:
        return None
    if entry.hours_per_week is None:
        return None
    raw = ((doc.get("resources") or {}).get("services") or {}).get(service) or {}
    return float(entry.hours_per_week) / float(raw.get("hours_factor", 1.0) or 1.0)


def slider_values(
    scenario_path: str | Path, options: Sequence[str] = (), overrides: dict | None = None
) -> dict[str, float | None]:
    """Where each slider of :data:`SLIDERS` stands for a scenario (its own figures).

    ``None`` where a slider does not apply (a scenario without resources, or without the
    service). The scale of new concerns is always 1.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> values = slider_values(data_dir() / "scenarios" / "sirdal.yaml")
    >>> values["max_logs"], values["ppt_hours"], values["child_welfare_hours"]
    (1.0, 3.0, 5.0)
    """
    scenario = load_scenario(scenario_path, tuple(options), overrides)
    doc, _, _ = scenario_document(scenario_path, tuple(options), overrides)
    resources = doc.get("resources") if scenario.resources is not None else None
    max_logs = None if resources is None else float(resources.get("max_logs", 3))
    return {
        "concern_scale": 1.0,
        "level1_mean_weeks": float(scenario.levels[1].duration.mean_weeks),
        "max_logs": max_logs,
        "ppt_hours": _service_hours(scenario, doc, "ppt"),
        "child_welfare_hours": _service_hours(scenario, doc, "child_welfare"),
    }


def _scaled_arrivals(doc: dict, factor: float) -> dict[str, object]:
    """The scale slider as a dotted setting: every rate of new concerns times ``factor``."""
    arrivals = doc.get("arrivals") or {}
    if "poisson_per_week" in arrivals:
        return {"arrivals.poisson_per_week": round(arrivals["poisson_per_week"] * factor, 6)}
    rates = arrivals.get("per_1000_per_year") or {}
    scaled = {
        band: {source: round(float(rate) * factor, 6) for source, rate in (sources or {}).items()}
        for band, sources in rates.items()
    }
    return {"arrivals.per_1000_per_year": scaled}


def _slider_settings(slider: Slider, value: float, doc: dict | None) -> dict[str, object]:
    """One slider's position as dotted settings (:func:`settings_overrides`)."""
    if slider.kind == "scale":
        if doc is None:
            raise ValueError(f"{slider.name}: scaling the new concerns needs the scenario_path")
        return _scaled_arrivals(doc, float(value))
    if slider.path.startswith("resources.services."):
        service = slider.path.rsplit(".", 1)[0]
        # Hours are given one way: the slider's hours replace fte and bti_share.
        return {slider.path: value, f"{service}.fte": None, f"{service}.bti_share": None}
    return {slider.path: value}


def overrides_from_sliders(
    values: Mapping[str, float],
    scenario_path: str | Path | None = None,
    options: Sequence[str] = (),
    base: Mapping | None = None,
) -> dict:
    """Slider positions as scenario overrides (``load_scenario(path, options, overrides)``).

    Parameters
    ----------
    values : mapping
        Slider name (see :data:`SLIDERS`) → value. Unknown names are refused.
    scenario_path : str or pathlib.Path, optional
        The scenario the sliders move. Needed to scale the new concerns (each rate of the
        file, after ``options``, is multiplied); with it, sliders left at the scenario's own
        figures and sliders that do not apply to it add nothing, so an untouched page gives
        ``{}`` and shares the cached run of the scenario as it is.
    options : sequence of str
        The options applied before the overrides.
    base : mapping, optional
        Overrides the sliders start from, e.g. ``{"municipality": "3807"}`` for a template
        (:attr:`ScenarioChoice.overrides`); not part of the result.

    Returns
    -------
    dict
        Nested changes; a service's hours also remove its ``fte`` and ``bti_share`` (a
        scenario gives hours one way).

    Raises
    ------
    ValueError
        For an unknown slider, a value outside the slider's range, or a scale other than 1
        without ``scenario_path``.

    Examples
    --------
    >>> overrides_from_sliders({"max_logs": 2, "level1_mean_weeks": 20})
    {'resources': {'max_logs': 2}, 'levels': {1: {'duration': {'mean_weeks': 20}}}}
    >>> from bti_workbench import data_dir
    >>> path = data_dir() / "scenarios" / "sirdal.yaml"
    >>> overrides_from_sliders({"max_logs": 1, "concern_scale": 1.0}, path)  # as the file
    {}
    >>> overrides_from_sliders({"concern_scale": 2}, path)["arrivals"]["per_1000_per_year"]["0-5"]
    {'health_station': 30.0, 'kindergarten': 70.0}
    """
    unknown = sorted(set(values) - set(_BY_NAME))
    if unknown:
        raise ValueError(f"unknown sliders {unknown}; known: {sorted(_BY_NAME)}")
    base = dict(base or {})
    current = None
    doc = None
    if scenario_path is not None:
        current = slider_values(scenario_path, options, base or None)
        doc, _, _ = scenario_document(scenario_path, tuple(options), base or None)
    settings: dict[str, object] = {}
    for name, value in values.items():
        slider = _BY_NAME[name]
        if value is None:
            continue
        if not slider.min - 1e-9 <= float(value) <= slider.max + 1e-9:
            raise ValueError(f"{name}: {value} is outside {slider.min:g}–{slider.max:g}")
        if current is not None and (
            current[name] is None or abs(float(value) - current[name]) < 1e-9
        ):
            continue  # as the scenario has it, or not part of it
        if float(slider.step).is_integer() and float(value).is_integer():
            value = int(value)  # whole-number sliders give whole numbers (max_logs: 2, not 2.0)
        settings.update(_slider_settings(slider, value, doc))
    source = Path(scenario_path).name if scenario_path is not None else "sliders"
    return settings_overrides(doc or {}, settings, source)


# --------------------------------------------------------------------------------------------
# Running and caching


def _cost_rows(summaries: dict[str, pd.DataFrame], scenarios: dict[str, Scenario]):
    rows = []
    for name, table in summaries.items():
        if "cost.total" not in table.columns:
            continue
        fixed = float(organisation_cost(scenarios[name])["nok_per_year"].sum())
        total = table["cost.total"]
        rows.append(
            (
                name,
                fixed,
                float(table["cost.case_work"].mean()),
                float(total.quantile(0.1)),
                float(total.quantile(0.9)),
            )
        )
    return pd.DataFrame(
        rows, columns=["option", "organisation", "case_work", "total_p10", "total_p90"]
    )


def _figure_run(result: FlowResult) -> FlowResult:
    """What the figures read of the baseline's run: its arrays (no table built), without the
    rest of the result, so that can be freed."""
    return FlowResult.from_arrays(result.arrays) if result.arrays is not None else result


@shared_cache(maxsize=8)
def _run(key: _Key) -> _Run:
    """Simulate the scenario and each option on common random numbers (one seed).

    This is :func:`bti_workbench.simulation.run.compare_options` on the file with the key's
    overrides (the same numbers as ``bti compare``); the baseline's own result is kept for
    its figures and each run's summary for the costs.
    """
    overrides = _thaw(key.overrides) if key.overrides is not None else None
    scenarios: dict[str, Scenario] = {}
    summaries: dict[str, pd.DataFrame] = {}
    kept: dict[str, FlowResult] = {}

    def keep(name: str, scenario: Scenario, result: FlowResult, summary: pd.DataFrame) -> None:
        scenarios[name], summaries[name] = scenario, summary
        if name == BASELINE:
            kept[name] = _figure_run(result)

    comparison = compare_options(
        key.path,
        key.options,
        key.replications,
        key.seed,
        engine="fast",
        overrides=overrides,
        on_run=keep,
    )
    doc = read_document(key.path)
    return _Run(
        scenario=scenarios[BASELINE],
        result=kept[BASELINE],
        warmup=int(comparison.attrs["warmup_weeks"]),
        comparison=comparison,
        costs=_cost_rows(summaries, scenarios),
        doc=doc,
        sliders=slider_values(key.path, (), overrides),
    )


def _cost_figure(costs: pd.DataFrame, lang: str, doc: dict) -> go.Figure:
    fig = go.Figure()
    names = [option_name(o, lang, doc) for o in costs["option"]]
    money = label("unit.nok", lang, value="%{y:,.0f}")
    parts = (("organisation", "dash.load.organisation"), ("case_work", "dash.load.case_work"))
    for (column, key), colour in zip(parts, _COST_COLOURS, strict=True):
        fig.add_trace(
            go.Bar(
                x=names,
                y=costs[column],
                name=label(key, lang),
                marker_color=colour,
                hovertemplate="%{x}: " + money + "<extra>%{fullData.name}</extra>",
            )
        )
    total = costs["organisation"] + costs["case_work"]
    fig.add_trace(
        go.Scatter(
            x=names,
            y=total,
            mode="markers",
            marker={"color": "#222", "size": 7},
            name=label("dash.load.total_band", lang),
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (costs["total_p90"] - total).clip(lower=0),
                "arrayminus": (total - costs["total_p10"]).clip(lower=0),
            },
            hovertemplate="%{x}: " + money + "<extra></extra>",
        )
    )
    fig.update_layout(
        barmode="stack",
        title=label("sim.cost", lang),
        yaxis_title=label("dash.load.nok_per_year", lang),
        yaxis_tickformat=",.0f",
        template=TEMPLATE,
        separators=figure_separators(lang),
        legend={"orientation": "h", "y": -0.15},
    )
    if costs.empty:
        fig.add_annotation(
            text=label("dash.load.no_costs", lang),
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
        )
    return fig


def _levels_table(comparison: pd.DataFrame, lang: str) -> pd.DataFrame:
    means = comparison[comparison["option"] == BASELINE].set_index("metric")["mean"]
    rows = {}
    for level in range(4):
        rows[label(f"level.{level}.name", lang)] = {
            label("metric.active", lang): means.get(f"active.{level}", np.nan),
            label("metric.waiting", lang): means.get(f"waiting.{level}", np.nan),
            label("metric.wait", lang): means.get(f"wait.{level}", np.nan),
        }
    return pd.DataFrame.from_dict(rows, orient="index").round(2)


@shared_cache(maxsize=32)
def _view(key: _Key, lang: str) -> LoadView:
    run = _run(key)
    scenario = run.scenario
    place = scenario.municipality
    heading = scenario_name(key.path, lang, run.doc)
    if place is not None:
        heading = f"{place.name} ({place.kommunenummer}) – {heading}"
    title = f"{heading}: {label('sim.cases_by_level', lang)}"
    cases = simulated_cases_figure(run.result, lang, title=title)
    if run.warmup:
        cases.add_vline(
            x=run.warmup + 0.5,
            line_dash="dot",
            line_color="#555",
            annotation_text=label("dash.load.warmup", lang),
            annotation_position="top left",
        )
    note = label(
        "dash.load.note",
        lang,
        replications=key.replications,
        seed=key.seed,
        warmup=run.warmup,
        first=run.warmup + 1,
        last=scenario.horizon_weeks,
    )
    table = options_table(run.comparison, lang, doc=run.doc)
    return LoadView(
        heading=heading,
        description=scenario_description(key.path, lang, run.doc),
        cases_by_level=cases,
        utilisation=utilisation_heatmap(run.result, lang),
        waits=waits_by_option(run.comparison, lang, doc=run.doc),
        costs=_cost_figure(run.costs, lang, run.doc),
        options=table,
        levels=_levels_table(run.comparison, lang),
        comparison=run.comparison,
        available_options={
            o: option_description(o, lang, run.doc) for o in available_options(run.doc)
        },
        option_names=option_names(lang, run.doc),
        options_note=str(table.attrs.get("note", "")),
        sliders=dict(run.sliders),
        warmup_weeks=run.warmup,
        replications=key.replications,
        seed=key.seed,
        note=note,
    )


def load_view(
    scenario_path: str | Path,
    *,
    municipality: str | None = None,
    options: Sequence[str] = (),
    overrides: dict | None = None,
    replications: int = 200,
    seed: int = 1,
    lang: str = "nb",
) -> LoadView:
    """Simulate a scenario with the ``fast`` engine and draw the load page.

    The scenario as it is and each option run with the same seed (common random numbers),
    so replication r of each shares its arrivals and the differences are paired. The
    warm-up (MSER-5 on the scenario as it is) is left out of every summary.

    Parameters
    ----------
    scenario_path : str or pathlib.Path
        A scenario file, e.g. ``data/scenarios/tromso.yaml``.
    municipality : str, optional
        Apply the scenario to another municipality's population (kommunenummer); the
        scenario's baton holders, hours and posts stay its own.
    options : sequence of str
        Organisation options to compare with the scenario as it is; ``"a+b"`` combines two.
    overrides : dict, optional
        Changes merged in after the options, e.g. from :func:`overrides_from_sliders`.
    replications : int, default 200
    seed : int, default 1
    lang : {"nb", "en"}

    Returns
    -------
    LoadView
        The same object for the same inputs while the file is unchanged (cached).

    Raises
    ------
    bti_workbench.simulation.scenario.parse.ScenarioError
        For an unknown option or an override that breaks the scenario; nothing runs.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> path = data_dir() / "scenarios" / "sirdal.yaml"
    >>> view = load_view(path, replications=5, lang="en")
    >>> view is load_view(path, replications=5, lang="en")
    True
    >>> len(view.cases_by_level.data)  # a band and a median line per level
    8
    """
    if replications < 2:
        raise ValueError("replications must be at least 2 (the bands and intervals need a spread)")
    path = Path(scenario_path).resolve()
    try:
        modified = path.stat().st_mtime_ns
    except OSError as exc:
        raise ScenarioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    changes = dict(overrides or {})
    if municipality:
        changes["municipality"] = str(municipality).strip().zfill(4)
    key = _Key(
        path=str(path),
        modified=modified,
        options=tuple(options),
        overrides=_freeze(changes) if changes else None,
        replications=int(replications),
        seed=int(seed),
    )
    return _view(key, lang)
