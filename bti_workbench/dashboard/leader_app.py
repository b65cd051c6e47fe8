"""The leaders' dashboard: Status, Load, Collaboration, Evaluation and Plan.

Serve with ``bti serve`` (``make demo`` does it on the demo store). Read-only: the data come
from the store (``$BTI_STORE``; default ``data/store/bti.duckdb``, else the demo store) and
the scenario files in ``data/scenarios``. The small-cell threshold is ``$BTI_SUPPRESSION_K``
(default 5): set by whoever serves the app, never by the viewer. Every figure and table comes
from the plain functions of :mod:`bti_workbench.dashboard`; this file only lays them out.

Importing this module does nothing: no store is built, no environment variable read, nothing
served. Bokeh's server runs the file as a script under a module name starting ``bokeh_app_``
(one run per session); only then does it call :func:`app` and ``servable()``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pandas as pd
import panel as pn

from bti_workbench._util.resources import data_dir
from bti_workbench.dashboard.collaboration import collaboration_view, periods
from bti_workbench.dashboard.evaluation import evaluation_view
from bti_workbench.dashboard.load import SLIDERS, load_view, overrides_from_sliders, slider_values
from bti_workbench.dashboard.progress_plan import plan_view
from bti_workbench.dashboard.status import Card, status_view
from bti_workbench.evaluation.sources import EvaluationData, load_evaluation
from bti_workbench.ingest.store import store_status
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.reference.labels import label
from bti_workbench.reference.municipality import load_municipality
from bti_workbench.simulation.scenario.document import available_options, read_document
from bti_workbench.synthetic.stores import default_store

__all__ = [
    "BOKEH_APP_PREFIX",
    "PAGES",
    "app",
    "collaboration_page",
    "evaluation_page",
    "load_page",
    "plan_page",
    "status_page",
]

#: The prefix of the module name under which Bokeh's server runs an app file
#: (``bokeh/application/handlers/code_runner.py``).
BOKEH_APP_PREFIX = "bokeh_app_"


def _store() -> str:
    """The store the dashboard reads: ``$BTI_STORE``, else the default (or demo) store."""
    return str(Path(os.environ.get("BTI_STORE") or default_store()))


def _k() -> int:
    """The small-cell threshold: ``$BTI_SUPPRESSION_K``, set by whoever serves the app."""
    return int(os.environ.get("BTI_SUPPRESSION_K", DEFAULT_K))


def _scenarios() -> dict[str, Path]:
    """Scenario name → file, for every municipality scenario in ``data/scenarios``."""
    found = {p.stem: p for p in sorted((data_dir() / "scenarios").glob("*.yaml"))}
    found.pop("validation_jackson", None)  # a test network, not a municipality
    return found


@pn.cache
def _places(store: str) -> dict[str, str]:
    """Kommunenummer → "Name (number)" for every municipality with an event log."""
    listed = store_status(store).tables.loc["event-log", "municipalities"]
    codes = [c.strip() for c in str(listed).split(",") if c.strip()]
    return {c: f"{load_municipality(c).name} ({c})" for c in codes}


@pn.cache(max_items=8)
def _data(store: str, municipality: str) -> EvaluationData:
    """One municipality's data over its whole export, read once per server process."""
    data = load_evaluation(municipality, (pd.Timestamp.min, pd.Timestamp.max), store=store)
    times = data.event_log["event_time"]
    span = (times.min().normalize(), times.max().normalize())
    return dataclasses.replace(data, period=span)


def _card(card: Card) -> pn.Column:
    """A status card: title, value (``<k`` when suppressed) and note."""
    return pn.Column(
        pn.pane.Markdown(f"**{card.title}**", margin=(0, 5)),
        pn.pane.Markdown(
            f"<div class='bti-value'>{card.value}</div>",
            styles={"font-size": "1.6em"},
            margin=(0, 5),
        ),
        pn.pane.Markdown(card.note, styles={"font-size": "0.85em"}, margin=(0, 5)),
        styles={"border": "1px solid #c8d3df", "border-radius": "6px", "padding": "6px"},
        css_classes=["bti-card"],
        width=250,
        sizing_mode="fixed",
    )


def _notes(notes: list[str]) -> pn.pane.Markdown:
    """Notes under a page as a bullet list."""
    return pn.pane.Markdown("\n".join(f"- {n}" for n in notes), styles={"font-size": "0.9em"})


def status_page(lang: str, municipality: str) -> pn.Column:
    """The Status page: cards and monthly trends (:func:`~bti_workbench.dashboard.status_view`)."""
    view = status_view(_data(_store(), municipality), k=_k(), lang=lang)
    return pn.Column(
        pn.pane.Markdown(f"## {view.heading}" + (f"\n\n**{view.banner}**" if view.banner else "")),
        pn.FlexBox(*[_card(c) for c in view.cards]),
        pn.pane.Plotly(view.trends),
        _notes(view.notes),
    )


def load_page(lang: str, municipality: str) -> pn.Column:
    """The Load page: a scenario, its options and sliders, answered by
    :func:`~bti_workbench.dashboard.load_view` when a slider is let go."""
    scenarios = _scenarios()
    scenario = pn.widgets.Select(
        name=label("dash.load.scenario", lang), options=list(scenarios), value="tromso"
    )
    options = pn.widgets.MultiChoice(
        name=label("dash.load.options", lang),
        options=available_options(read_document(scenarios["tromso"])),
    )
    defaults = slider_values(scenarios["tromso"])
    sliders = {}
    for spec in SLIDERS:
        widget = pn.widgets.FloatSlider if spec.kind == "scale" else pn.widgets.IntSlider
        value = defaults.get(spec.name, spec.default)
        value = spec.default if value is None else value
        sliders[spec.name] = widget(
            name=label(spec.label, lang),
            start=spec.min,
            end=spec.max,
            step=spec.step,
            value=type(spec.step)(value) if spec.kind != "scale" else float(value),
        )

    shown = {"scenario": scenario.value}

    def answer(scenario_name: str, chosen: list[str], *values: float) -> pn.Column:
        path = scenarios[scenario_name]
        moved = dict(zip(sliders, values, strict=True))
        if scenario_name != shown["scenario"]:
            # Another scenario starts from its own figures, never the previous one's sliders.
            shown["scenario"] = scenario_name
            moved = slider_values(path, tuple(chosen))
            for name, own in moved.items():
                if own is not None:
                    sliders[name].value = type(sliders[name].value)(own)
        view = load_view(
            path,
            options=tuple(chosen),
            overrides=overrides_from_sliders(moved, path, tuple(chosen)),
            replications=200,
            seed=1,
            lang=lang,
        )
        return pn.Column(
            pn.pane.Markdown(f"## {view.heading}\n\n{view.description}"),
            pn.Row(pn.pane.Plotly(view.cases_by_level), pn.pane.Plotly(view.utilisation)),
            pn.Row(pn.pane.Plotly(view.waits), pn.pane.Plotly(view.costs)),
            pn.widgets.Tabulator(view.options, disabled=True, show_index=False, pagination=None),
            pn.pane.Markdown(view.note, styles={"font-size": "0.9em"}),
        )

    throttled = [w.param.value_throttled for w in sliders.values()]
    result = pn.panel(
        pn.bind(answer, scenario, options, *throttled), loading_indicator=True, defer_load=False
    )
    return pn.Row(
        pn.Column(scenario, options, *sliders.values(), width=300, sizing_mode="fixed"),
        result,
    )


def collaboration_page(lang: str, municipality: str) -> pn.Column:
    """The Collaboration page: the service network of a period, with a service left out."""
    data = _data(_store(), municipality)
    choices = periods(data.event_log, lang=lang)
    period = pn.widgets.Select(name=label("dash.net.period", lang), options=list(choices))
    first = collaboration_view(data.event_log, k=_k(), lang=lang)
    dropped = pn.widgets.Select(
        name=label("dash.net.drop", lang), options=["", *first.services], value=""
    )

    def answer(chosen: str, service: str) -> pn.Column:
        view = collaboration_view(
            data.event_log,
            period=choices[chosen],
            k=_k(),
            lang=lang,
            dropped_service=service or None,
        )
        parts = [pn.pane.Plotly(view.network)]
        parts.append(pn.pane.Markdown(f"### {label('dash.net.missing', lang)}"))
        parts.append(pn.pane.DataFrame(view.missing, index=False))
        if view.drop_out is not None:
            parts.append(pn.pane.Markdown(f"### {label('dash.net.drop', lang)}"))
            parts.append(pn.pane.DataFrame(view.drop_out, index=False))
        parts.append(_notes(view.notes))
        return pn.Column(*parts)

    return pn.Column(
        pn.Row(period, dropped), pn.panel(pn.bind(answer, period, dropped), loading_indicator=True)
    )


def evaluation_page(lang: str, municipality: str) -> pn.Column:
    """The Evaluation page: staff surveys before and after, and the indicators."""
    view = evaluation_view(_data(_store(), municipality), k=_k(), lang=lang)
    parts = []
    if view.survey is not None:
        parts += [pn.pane.Plotly(view.survey), pn.pane.DataFrame(view.survey_table, index=False)]
    parts += [
        pn.pane.Markdown(f"### {label('dash.eval.indicators', lang)}"),
        pn.pane.DataFrame(view.indicators, index=False),
        _notes(view.notes),
    ]
    return pn.Column(*parts)


def plan_page(lang: str, municipality: str) -> pn.Column:
    """The Plan page: the progress plan as a Gantt chart and a summary."""
    view = plan_view(_data(_store(), municipality), lang=lang)
    return pn.Column(
        pn.pane.Plotly(view.gantt),
        pn.pane.DataFrame(view.summary, index=True),
        _notes(view.notes),
    )


#: The pages in tab order: name (``dash.page.<name>`` labels it) → page function.
PAGES = {
    "status": status_page,
    "load": load_page,
    "collaboration": collaboration_page,
    "evaluation": evaluation_page,
    "plan": plan_page,
}


def app() -> pn.template.BootstrapTemplate:
    """One session's page: language and municipality in the sidebar, a tab per page."""
    places = _places(_store())
    # Each language is named in itself, so a reader of either finds the switch.
    language = pn.widgets.RadioButtonGroup(
        options={label("ui.language_name", "nb"): "nb", label("ui.language_name", "en"): "en"},
        value="nb",
    )
    chosen = os.environ.get("BTI_MUNICIPALITY", "4228")
    municipality = pn.widgets.Select(
        options={name: code for code, name in places.items()},
        value=chosen if chosen in places else next(iter(places)),
    )

    def tabs(lang: str, place: str) -> pn.Tabs:
        # Lazy: a page is computed when its tab is first shown, not when the app opens.
        return pn.Tabs(
            *[
                (
                    label(f"dash.page.{name}", lang),
                    pn.param.ParamFunction(
                        pn.bind(page, lang, place), lazy=True, loading_indicator=True
                    ),
                )
                for name, page in PAGES.items()
            ],
            dynamic=True,
        )

    def sidebar_title(lang: str) -> str:
        return f"**{label('ui.language', lang)}**"

    return pn.template.BootstrapTemplate(
        title=f"{label('app.title', 'nb')} / {label('app.title', 'en')}",
        sidebar=[
            pn.pane.Markdown(pn.bind(sidebar_title, language)),
            language,
            pn.pane.Markdown(
                pn.bind(lambda lang: f"**{label('ui.municipality', lang)}**", language)
            ),
            municipality,
        ],
        main=[pn.panel(pn.bind(tabs, language, municipality))],
        header_background="#1f4e79",
    )


def _serve() -> None:
    """Load Panel's extensions and mark this session's page servable (Bokeh's server only)."""
    pn.extension("plotly", "tabulator", sizing_mode="stretch_width")
    app().servable()


if __name__.startswith(BOKEH_APP_PREFIX):
    _serve()
