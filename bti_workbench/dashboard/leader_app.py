"""The leaders' dashboard: Status, Load, Collaboration, Evaluation and Plan.

Serve with ``bti serve`` (``make demo`` does it on the demo store). Read-only: the data come
from the store (``$BTI_STORE``; default ``data/store/bti.duckdb``, else the demo store) and
the scenario files in ``data/scenarios``. The small-cell threshold is ``$BTI_SUPPRESSION_K``
(default 5): set by whoever serves the app, never by the viewer. Every figure and table comes
from the plain functions of :mod:`bti_workbench.dashboard`; this file only lays them out.

Many leaders share one server, so:

- what a page computes (a municipality's data, a simulation, a status page) is cached for
  every session at once, keyed by the store's latest import (a new import shows without a
  restart) and computed once even when many sessions ask at the same moment
  (:func:`bti_workbench._util.cache.shared_cache`);
- the computing runs on worker threads, off the server's event loop, so one leader's
  simulation never freezes another's page, and only the figures being redrawn are greyed;
- each session remembers its choices (tab, scenario, options, sliders, period, service), so
  switching the language keeps them.

Widgets carry ids and show labels: nothing on a page is parsed back from its display text.

Importing this module does nothing: no store is built, no environment variable read, nothing
served. Bokeh's server runs the file as a script under a module name starting ``bokeh_app_``
(one run per session); only then does it call :func:`app` and ``servable()``, from the
imported module, whose caches every session shares.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import io
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import panel as pn
import param
from bokeh.models import CustomJSTickFormatter

from bti_workbench._util.cache import shared_cache
from bti_workbench.dashboard.collaboration import collaboration_view, periods
from bti_workbench.dashboard.evaluation import evaluation_view
from bti_workbench.dashboard.load import (
    SLIDERS,
    ScenarioChoice,
    load_view,
    municipality_scenarios,
    overrides_from_sliders,
    slider_values,
)
from bti_workbench.dashboard.progress_plan import plan_view
from bti_workbench.dashboard.status import Card, StatusView, status_services, status_view
from bti_workbench.evaluation.sources import EvaluationData, load_evaluation
from bti_workbench.ingest.store import store_status, store_version
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.reference.labels import label
from bti_workbench.reference.municipality import load_municipality
from bti_workbench.simulation.scenario.document import (
    option_names,
    read_document,
    scenario_description,
)
from bti_workbench.synthetic.stores import default_store

__all__ = [
    "BOKEH_APP_PREFIX",
    "PAGES",
    "STATIC",
    "PageAccessibility",
    "Session",
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
#: The dashboard's own stylesheet and script (accessibility repairs), served with the app.
STATIC = Path(__file__).resolve().with_name("static")
#: Replications and seed of the load page.
_REPLICATIONS, _SEED = 200, 1
_CONTROLS_WIDTH = 340
#: The service picker's id for every service (no service has it).
_ALL = "all"


@dataclasses.dataclass
class Session:
    """One viewer's choices, kept while the page is rebuilt (a language switch).

    Attributes
    ----------
    tab : int
        The tab shown.
    load, collaboration, status : dict
        The choices on each page, each with the municipality they were made for.
    """

    tab: int = 0
    load: dict = dataclasses.field(default_factory=dict)
    collaboration: dict = dataclasses.field(default_factory=dict)
    status: dict = dataclasses.field(default_factory=dict)

    def choices(self, page: str, place: str) -> dict:
        """The choices made on ``page`` for ``place`` (emptied when the place changes)."""
        kept = getattr(self, page)
        if kept.get("place") != place:
            kept.clear()
            kept["place"] = place
        return kept


# --------------------------------------------------------------------------------------------
# Data, shared by every session


def _store() -> str:
    """The store the dashboard reads: ``$BTI_STORE``, else the default (or demo) store."""
    return str(Path(os.environ.get("BTI_STORE") or default_store()))


def _k() -> int:
    """The small-cell threshold: ``$BTI_SUPPRESSION_K``, set by whoever serves the app."""
    return int(os.environ.get("BTI_SUPPRESSION_K", DEFAULT_K))


@shared_cache(maxsize=4)
def _places(store: str, version: tuple) -> dict[str, str]:
    """Kommunenummer → "Name (number)" for every municipality with an event log."""
    listed = store_status(store).tables.loc["event-log", "municipalities"]
    codes = [c.strip() for c in str(listed).split(",") if c.strip()]
    return {c: f"{load_municipality(c).name} ({c})" for c in codes}


@shared_cache(maxsize=8)
def _data(store: str, version: tuple, municipality: str) -> EvaluationData:
    """One municipality's data over its whole export, read once per import of the store."""
    data = load_evaluation(municipality, (pd.Timestamp.min, pd.Timestamp.max), store=store)
    times = data.event_log["event_time"]
    span = (times.min().normalize(), times.max().normalize())
    return dataclasses.replace(data, period=span)


def _current(municipality: str) -> EvaluationData:
    store = _store()
    return _data(store, store_version(store), municipality)


@shared_cache(maxsize=64)
def _status(
    store: str,
    version: tuple,
    municipality: str,
    k: int,
    lang: str,
    period: tuple | None = None,
    service: str | None = None,
) -> StatusView:
    data = _data(store, version, municipality)
    return status_view(data, period=period, service=service, k=k, lang=lang)


async def _off_loop(function: Callable, *args, **kwargs):
    """Run ``function`` on a worker thread: the server's event loop stays free for others."""
    return await asyncio.to_thread(function, *args, **kwargs)


# --------------------------------------------------------------------------------------------
# Building blocks


def _text(markdown: str, **kwargs) -> pn.pane.Markdown:
    return pn.pane.Markdown(markdown, sizing_mode="stretch_width", **kwargs)


def _notes(notes: str) -> pn.pane.Markdown:
    """The notes under a page, as the sentences they are."""
    return _text(notes, styles={"font-size": "0.9em"}, css_classes=["bti-notes"])


def _plot(figure, height: int | None = None) -> pn.pane.Plotly:
    """A figure that takes the width it is given (never squeezed, never clipped)."""
    figure = figure.update_layout(autosize=True)
    if height is not None:
        figure.update_layout(height=height)
    # No mode bar: its buttons are named in English only, and a leader reads, not edits.
    return pn.pane.Plotly(
        figure, sizing_mode="stretch_width", config={"displayModeBar": False, "responsive": True}
    )


def _download(frame: pd.DataFrame, name: str, lang: str) -> pn.Row:
    """Buttons that download a table exactly as shown (hidden cells as shown) as CSV and Excel."""

    def csv() -> io.BytesIO:
        # UTF-8 with a BOM and semicolons: Excel in a Norwegian locale opens it as it is.
        text = frame.to_csv(index=False, sep=";" if lang == "nb" else ",")
        return io.BytesIO(("\ufeff" + text).encode("utf-8"))

    def excel() -> io.BytesIO:
        out = io.BytesIO()
        frame.to_excel(out, index=False, sheet_name=name[:31] or "table")
        out.seek(0)
        return out

    buttons = [
        pn.widgets.FileDownload(
            callback=fn,
            filename=f"{name}.{ext}",
            label=label(key, lang),
            color="light",
            embed=False,
            width=170,
        )
        for fn, ext, key in (
            (csv, "csv", "dash.download.csv"),
            (excel, "xlsx", "dash.download.xlsx"),
        )
    ]
    return pn.Row(*buttons, css_classes=["bti-downloads"])


_TABLE_STYLE = """
table.dataframe {border-collapse: collapse;}
table.dataframe th, table.dataframe td {text-align: left; padding: 4px 8px; vertical-align: top;}
table.dataframe thead th {border-bottom: 2px solid #1f4e79;}
"""


def _heading(page: str, lang: str, municipality: str) -> pn.pane.Markdown:
    """A page's title: the page and the municipality it shows."""
    name = load_municipality(municipality).name
    return _text(f"## {label(f'dash.page.{page}', lang)} – {name} ({municipality})")


def _table(frame: pd.DataFrame, name: str, lang: str, title: str | None = None) -> pn.Column:
    """A labelled table (no index column, no NaN) with its download buttons; the files are
    named by ``dash.file.<name>`` in ``lang``."""
    shown = frame.reset_index(drop=True).astype(object).where(frame.notna(), "–")
    parts = [] if title is None else [_text(f"### {title}")]
    parts.append(
        pn.pane.DataFrame(
            shown,
            index=False,
            justify="left",
            sizing_mode="stretch_width",
            css_classes=["bti-table"],
            stylesheets=[_TABLE_STYLE],
        )
    )
    parts.append(_download(shown, label(f"dash.file.{name}", lang), lang))
    return pn.Column(*parts, sizing_mode="stretch_width")


_CARD_STYLE = """
.bti-cards {display: flex; flex-wrap: wrap; gap: 10px; margin: 4px 0 12px 0;}
.bti-card {border: 1px solid #5f7186; border-radius: 6px; padding: 8px 10px; width: 250px;
  box-sizing: border-box; background: #fff;}
.bti-card h3 {font-size: 0.95em; font-weight: 700; margin: 0 0 6px 0;}
.bti-card .bti-value {font-size: 1.6em; margin: 2px 0;}
.bti-card .bti-interval {font-size: 0.9em; color: #333;}
.bti-card p {font-size: 0.85em; margin: 4px 0 0 0; color: #222;}
.bti-card.bti-alert {border-left: 6px solid #b35900;}
.bti-card.bti-ok {border-left: 6px solid #00735a;}
.bti-card.bti-uncertain {border-left: 6px dashed #5f7186;}
"""


def _card_html(card: Card, lang: str) -> str:
    """A status card as HTML: title, value (``<k`` when suppressed), interval, flag, note."""
    flag, interval = card.flag, card.interval
    parts = [
        f"<h3>{html.escape(card.title)}</h3>",
        f"<div class='bti-value'>{html.escape(card.value)}</div>",
    ]
    if interval:
        parts.append(f"<div class='bti-interval'>{html.escape(interval)}</div>")
    if flag:
        parts.append(f"<p><strong>{html.escape(label(f'dash.flag.{flag}', lang))}</strong></p>")
    parts.append(f"<p>{html.escape(card.note)}</p>")
    classes = "bti-card" + (f" bti-{flag}" if flag else "")
    return f"<section class='{classes}'>{''.join(parts)}</section>"


def _cards(cards: tuple[Card, ...], lang: str) -> pn.pane.HTML:
    """All the cards of a page in one pane (one model for the browser, not three per card)."""
    body = "".join(_card_html(card, lang) for card in cards)
    return pn.pane.HTML(
        f"<div class='bti-cards'>{body}</div>",
        stylesheets=[_CARD_STYLE],
        sizing_mode="stretch_width",
    )


# --------------------------------------------------------------------------------------------
# Pages


def _hidden_sentence(view: StatusView, lang: str) -> str:
    """One sentence when most cards are hidden: why (a small municipality), not a fault."""
    hidden = sum(card.hidden for card in view.cards)
    if 2 * hidden < len(view.cards):
        return ""
    return label("dash.status.mostly_hidden", lang, place=view.heading, k=view.k)


def status_page(lang: str, municipality: str, session: Session | None = None) -> pn.Column:
    """The Status page: cards and monthly trends (:func:`~bti_workbench.dashboard.status_view`)
    for a period and a service the viewer picks.

    The first page a leader sees: computed in the session's first document (from the shared
    cache, in milliseconds once a session has asked), not after a second round trip.
    """
    session = session or Session()
    kept = session.choices("status", municipality)
    store = _store()
    version = store_version(store)
    data = _data(store, version, municipality)
    first, last = (pd.Timestamp(day).date() for day in data.period)
    bounds = {"start": first, "end": last, "sizing_mode": "fixed", "width": 170}
    since = pn.widgets.DatePicker(
        name=label("ui.from", lang), value=kept.get("since", first), **bounds
    )
    until = pn.widgets.DatePicker(
        name=label("ui.to", lang), value=kept.get("until", last), **bounds
    )
    service = pn.widgets.Select(
        name=label("ui.service", lang),
        # label → id; _ALL for every service (a select shows nothing for None or "")
        options={name: sid or _ALL for name, sid in status_services(data, lang).items()},
        value=kept.get("service", _ALL),
        sizing_mode="fixed",
        width=300,
    )

    def body(start, end, picked: str) -> pn.Column:
        kept.update(since=start, until=end, service=picked)
        if start is None or end is None or start > end:
            return _notes(label("dash.status.bad_period", lang))
        span = (pd.Timestamp(start), pd.Timestamp(end))
        chosen = None if picked == _ALL else picked
        view = _status(store, version, municipality, _k(), lang, span, chosen)
        lead = [view.scope]
        if view.banner:
            lead.insert(0, f"**{view.banner}**")
        why = _hidden_sentence(view, lang)
        if why:
            lead.append(why)
        return pn.Column(
            _text("\n\n".join(lead)),
            _cards(view.cards, lang),
            # The cards paint first; the trends (plotly's heavier drawing) right after.
            pn.panel(pn.bind(_plot, view.trends), defer_load=True, loading_indicator=True),
            _notes(view.notes),
            sizing_mode="stretch_width",
        )

    return pn.Column(
        _text(f"## {load_municipality(municipality).name} ({municipality})"),
        pn.Row(since, until, service),
        pn.panel(pn.bind(body, since, until, service), loading_indicator=True),
        sizing_mode="stretch_width",
    )


def _scenario_options(choices: dict[str, ScenarioChoice], lang: str) -> dict[str, str]:
    """Picker entries: what a leader reads → the scenario's file stem."""
    return {
        label(f"dash.load.choice.{choice.kind}", lang, name=name): name
        for name, choice in choices.items()
    }


def _shows(choice: ScenarioChoice, place: str, lang: str) -> str:
    """Which scenario the page shows, in words."""
    return label(f"dash.load.shows.{choice.kind}", lang, place=place, file=f"{choice.path.name}")


def _slider_format(digits: int, lang: str) -> CustomJSTickFormatter:
    """A slider's number as the reader writes it (``29,8`` in bokmål), in the browser."""
    comma = ".replace('.', ',')" if lang == "nb" else ""
    return CustomJSTickFormatter(code=f"return (+tick.toFixed({digits})).toString(){comma};")


def _sliders(own: dict, kept: dict, lang: str) -> dict[str, pn.widgets.Widget]:
    """The sliders at the scenario's own figures (or where this viewer left them)."""
    widgets = {}
    for spec in SLIDERS:
        value = kept.get(spec.name, own.get(spec.name))
        applies = own.get(spec.name) is not None
        value = spec.default if value is None else value
        if spec.kind == "set" and float(spec.step).is_integer() and float(value).is_integer():
            widget = pn.widgets.IntSlider(value=int(value), step=int(spec.step))
            widget.start, widget.end = int(spec.min), int(spec.max)
        else:
            step = 0.05 if spec.kind == "scale" else 0.5
            widget = pn.widgets.FloatSlider(
                value=float(value),
                step=step,
                format=_slider_format(2 if spec.kind == "scale" else 1, lang),
                start=spec.min,
                end=spec.max,
            )
        widget.name = label(spec.label, lang)
        widget.disabled = not applies
        widget.sizing_mode = "stretch_width"
        widgets[spec.name] = widget
    return widgets


def _load_figures(view) -> pn.Column:
    return pn.Column(
        _plot(view.cases_by_level, height=420),
        _plot(view.utilisation, height=420),
        sizing_mode="stretch_width",
    )


def _load_comparison(view, lang: str) -> pn.Column:
    return pn.Column(
        pn.Row(_plot(view.waits, height=400), _plot(view.costs, height=400)),
        _table(view.options, "options", lang),
        _notes(f"{view.options_note} {view.note}"),
        sizing_mode="stretch_width",
    )


def load_page(lang: str, municipality: str, session: Session | None = None) -> pn.Row:
    """The Load page for the sidebar's municipality: its own scenario file or the national
    template applied to it, options and sliders, answered by
    :func:`~bti_workbench.dashboard.load_view` on a worker thread when a slider is let go."""
    session = session or Session()
    kept = session.choices("load", municipality)
    choices = municipality_scenarios(municipality)
    place = load_municipality(municipality).name
    start = kept.get("scenario") if kept.get("scenario") in choices else next(iter(choices))
    scenario = pn.widgets.Select(
        name=label("dash.load.scenario", lang),
        options=_scenario_options(choices, lang),
        value=start,
        sizing_mode="stretch_width",
    )

    def controls(name: str) -> pn.Row:
        choice = choices[name]
        if kept.get("scenario") != name:  # another scenario starts from its own figures
            kept.clear()
            kept.update(place=municipality, scenario=name)
        base = choice.overrides
        own = slider_values(choice.path, (), base or None)
        sliders = _sliders(own, kept.get("sliders", {}), lang)
        doc = read_document(choice.path)
        options = pn.widgets.MultiChoice(
            name=label("dash.load.options", lang),
            options={name: key for key, name in option_names(lang, doc).items()},
            value=list(kept.get("options", [])),
            sizing_mode="stretch_width",
        )

        def run(chosen: tuple[str, ...], values: tuple[float, ...]):
            moved = dict(zip(sliders, values, strict=True))
            kept.update(sliders=moved, options=list(chosen))
            overrides = overrides_from_sliders(moved, choice.path, chosen, base)
            return load_view(
                choice.path,
                options=chosen,
                overrides=(base | overrides) or None,
                replications=_REPLICATIONS,
                seed=_SEED,
                lang=lang,
            )

        throttled = [w.param.value_throttled for w in sliders.values()]

        async def figures(*values: float) -> pn.Column:
            return _load_figures(await _off_loop(run, (), values))

        async def comparison(chosen: list[str], *values: float) -> pn.Column:
            return _load_comparison(await _off_loop(run, tuple(chosen), values), lang)

        heading = pn.Column(
            _heading("load", lang, municipality),
            _text(f"{_shows(choice, place, lang)} {scenario_description(choice.path, lang)}"),
            sizing_mode="stretch_width",
        )
        left = pn.Column(
            scenario, options, *sliders.values(), width=_CONTROLS_WIDTH, sizing_mode="fixed"
        )
        right = pn.Column(
            heading,
            pn.panel(pn.bind(figures, *throttled), loading_indicator=True),
            pn.panel(pn.bind(comparison, options, *throttled), loading_indicator=True),
            sizing_mode="stretch_width",
        )
        return pn.Row(left, right, sizing_mode="stretch_width")

    return pn.panel(pn.bind(controls, scenario), sizing_mode="stretch_width")


async def collaboration_page(
    lang: str, municipality: str, session: Session | None = None
) -> pn.Column:
    """The Collaboration page: the service network of a period, with a service left out."""
    session = session or Session()
    kept = session.choices("collaboration", municipality)
    data = await _off_loop(_current, municipality)
    spans = periods(data.event_log, lang=lang)
    period = pn.widgets.Select(
        name=label("dash.net.period", lang),
        options={text: (a, b) for text, (a, b) in spans.items()},
        value=kept.get("period", next(iter(spans.values()))),
    )
    first = await _off_loop(
        collaboration_view, data.event_log, period=period.value, k=_k(), lang=lang
    )
    dropped = pn.widgets.Select(
        name=label("dash.net.drop", lang),
        options=first.services,  # label → id
        value=kept.get("dropped", first.dropped_service),
    )
    if dropped.value not in first.services.values():
        dropped.value = first.dropped_service

    def view_of(chosen: tuple, service: str | None):
        try:
            return collaboration_view(
                data.event_log, period=chosen, k=_k(), lang=lang, dropped_service=service
            )
        except ValueError:  # the service has no ties in this period: show the default one
            return collaboration_view(data.event_log, period=chosen, k=_k(), lang=lang)

    async def answer(chosen: tuple, service: str | None) -> pn.Column:
        kept.update(period=chosen, dropped=service)
        view = await _off_loop(view_of, chosen, service)
        if view.dropped_service != dropped.value:
            dropped.options = view.services
            dropped.value = view.dropped_service
        parts = [_plot(view.network, height=640)]
        parts.append(
            _table(
                view.missing,
                "ties",
                lang,
                title=label("dash.net.missing", lang),
            )
        )
        if view.drop_out is not None:
            name = next((t for t, s in view.services.items() if s == view.dropped_service), "")
            parts.append(
                _table(
                    view.drop_out,
                    "drop_out",
                    lang,
                    title=f"{label('dash.net.drop', lang)} {name}",
                )
            )
        parts.append(_notes(view.notes))
        return pn.Column(*parts, sizing_mode="stretch_width")

    return pn.Column(
        _heading("collaboration", lang, municipality),
        pn.Row(period, dropped),
        pn.panel(pn.bind(answer, period, dropped), loading_indicator=True),
        sizing_mode="stretch_width",
    )


async def evaluation_page(
    lang: str, municipality: str, session: Session | None = None
) -> pn.Column:
    """The Evaluation page: staff surveys before and after, and the indicators."""
    data = await _off_loop(_current, municipality)
    view = await _off_loop(evaluation_view, data, k=_k(), lang=lang)
    parts = [_heading("evaluation", lang, municipality)]
    if view.survey is not None:
        parts += [
            _plot(view.survey),
            _table(view.survey_table, "survey", lang),
        ]
    parts += [
        _table(
            view.indicators,
            "indicators",
            lang,
            title=label("dash.eval.indicators", lang),
        ),
        _notes(view.notes),
    ]
    return pn.Column(*parts, sizing_mode="stretch_width")


async def plan_page(lang: str, municipality: str, session: Session | None = None) -> pn.Column:
    """The Plan page: the progress plan as a Gantt chart and a summary."""
    data = await _off_loop(_current, municipality)
    view = await _off_loop(plan_view, data, lang=lang)
    heading = _text(
        f"## {label('dash.page.plan', lang)} – {data.municipality.name} ({municipality})"
    )
    if view.gantt is None:
        return pn.Column(heading, _notes(view.notes), sizing_mode="stretch_width")
    return pn.Column(
        heading,
        _plot(view.gantt),
        _table(view.summary, "progress_plan", lang),
        sizing_mode="stretch_width",
    )


#: The pages in tab order: name (``dash.page.<name>`` labels it) → page function.
PAGES = {
    "status": status_page,
    "load": load_page,
    "collaboration": collaboration_page,
    "evaluation": evaluation_page,
    "plan": plan_page,
}


def _opening(places: dict[str, str]) -> str:
    """The municipality the app opens on: ``$BTI_MUNICIPALITY``, else the largest."""
    chosen = os.environ.get("BTI_MUNICIPALITY", "")
    if chosen in places:
        return chosen
    return max(places, key=lambda code: float(load_municipality(code).population.sum()))


def app() -> pn.template.BootstrapTemplate:
    """One session's page: language and municipality in the sidebar, a tab per page."""
    store = _store()
    places = _places(store, store_version(store))
    session = Session()
    # Each language is named in itself, so a reader of either finds the switch.
    language = pn.widgets.RadioButtonGroup(
        options={label("ui.language_name", "nb"): "nb", label("ui.language_name", "en"): "en"},
        value="nb",
        name=f"{label('ui.language', 'nb')} / {label('ui.language', 'en')}",
    )
    municipality = pn.widgets.Select(
        name=label("ui.municipality", "nb"),
        options={name: code for code, name in places.items()},
        value=_opening(places),
    )
    repairs = PageAccessibility(
        lang="nb",
        sidebar_toggle=label("ui.toggle_sidebar", "nb"),
        height=0,
        width=0,
        margin=0,
        sizing_mode="fixed",
    )

    def relabel(event) -> None:
        municipality.name = label("ui.municipality", event.new)
        repairs.param.update(lang=event.new, sidebar_toggle=label("ui.toggle_sidebar", event.new))

    language.param.watch(relabel, "value")

    def tabs(lang: str, place: str) -> pn.Tabs:
        # Lazy: a page is computed when its tab is first shown, not when the app opens; the
        # tab shown is part of the session's first document.
        shown = pn.Tabs(
            *[
                (
                    label(f"dash.page.{name}", lang),
                    pn.param.ParamFunction(
                        pn.bind(page, lang, place, session),
                        lazy=index != session.tab,  # the tab shown comes with the page
                        loading_indicator=True,
                    ),
                )
                for index, (name, page) in enumerate(PAGES.items())
            ],
            dynamic=True,
            active=session.tab,
            sizing_mode="stretch_width",
        )
        shown.param.watch(lambda event: setattr(session, "tab", event.new), "active")
        return shown

    def sidebar_title(lang: str) -> str:
        return f"**{label('ui.language', lang)}**"

    return pn.template.BootstrapTemplate(
        title=f"{label('app.title', 'nb')} / {label('app.title', 'en')}",
        sidebar=[
            pn.pane.Markdown(pn.bind(sidebar_title, language)),
            language,
            municipality,
            repairs,
        ],
        main=[pn.panel(pn.bind(tabs, language, municipality), sizing_mode="stretch_width")],
        header_background="#1f4e79",
        sidebar_width=260,
    )


class PageAccessibility(pn.custom.JSComponent):
    """What Panel's template and Bokeh's widgets lack for WCAG 2.1 AA, mended in the browser
    (``static/a11y.js``): the page's language, names for slider handles, tabs that the
    keyboard opens, the sidebar's list role and the main landmark."""

    lang = param.String(default="nb", doc="The page's language (``<html lang>``).")
    sidebar_toggle = param.String(default="", doc="The sidebar button's name.")

    _esm = STATIC / "a11y.js"


def _serve() -> None:
    """Load Panel's extensions and mark this session's page servable (Bokeh's server only)."""
    pn.extension("plotly", sizing_mode="stretch_width", raw_css=[(STATIC / "bti.css").read_text()])
    app().servable()


if __name__.startswith(BOKEH_APP_PREFIX):
    # Bokeh runs this file anew for every session; the imported module is the process's own,
    # so its caches (data, status pages) are shared by every session, not rebuilt for each.
    from bti_workbench.dashboard import leader_app as _shared

    _shared._serve()
