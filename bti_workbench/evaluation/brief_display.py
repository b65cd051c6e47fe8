"""The one-page brief as a reader sees it: texts, tables and the trend, in one language.

:func:`brief_display` turns a :class:`~bti_workbench.evaluation.brief.Brief` into text in
``lang`` (catalogue keys ``brief.*``, numbers by :mod:`bti_workbench._util.numbers`), and
:func:`trend_figure` draws the new logs per month. Everything here formats figures that have
already passed the suppression gate: hidden counts arrive as marks (``<5``, ``×``) and stay
marks; a hidden share reads as a word, never a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.figures import OKABE_ITO, TEMPLATE
from bti_workbench._util.numbers import (
    figure_separators,
    format_number,
    format_share,
    month_tickformat,
)
from bti_workbench.evaluation.brief import NEW_LOGS, Brief, Decision
from bti_workbench.privacy import SuppressedTable
from bti_workbench.reference.labels import label

__all__ = ["BriefDisplay", "brief_display", "trend_figure"]

#: Activities of the plan named in a sentence; the rest are counted.
_NAMED_ACTIVITIES = 3


@dataclass(frozen=True, eq=False)
class BriefDisplay:
    """The brief as a reader of one language sees it: texts and tables from the catalogue.

    Attributes
    ----------
    title : dict
        Fields of the catalogue row ``brief.title`` (municipality, period).
    notes : list of str
        Plain sentences above the headline: synthetic data, hidden figures, a period
        before go-live.
    headline : pandas.DataFrame
        What, figure, 95 % interval and its basis (counts), text only.
    change_heading : dict
        Fields of ``brief.change.heading`` (the previous period).
    change : pandas.DataFrame or None
        What, previous period, this period, change with its interval; None without a
        comparison.
    change_note : str
        Why there is no comparison, or what the change column means.
    decisions : dict
        Fields of ``brief.decisions``: ``items``, a Markdown bullet list of what the rules
        found (or that nothing did).
    method : dict
        Fields of ``brief.method``: the threshold, the targets, the day the plan was judged.
    """

    title: dict[str, str]
    notes: list[str]
    headline: pd.DataFrame
    change_heading: dict[str, str]
    change: pd.DataFrame | None
    change_note: str
    decisions: dict[str, str]
    method: dict[str, object]


def _date(day: pd.Timestamp) -> str:
    return f"{pd.Timestamp(day):%d.%m.%Y}"


def _span(period: tuple[pd.Timestamp, pd.Timestamp]) -> str:
    return f"{_date(period[0])}–{_date(period[1])}"


def _name(figure: str, lang: str) -> str:
    return label(f"brief.name.{figure}", lang)


def _interval(low: float, high: float, lang: str) -> str:
    """``76–83 %``: a share's interval in per cent."""
    return f"{format_number(100 * low, lang)}–{format_share(high, lang)}"


def _headline_rows(brief: Brief, lang: str) -> list[dict[str, str]]:
    hidden = label("brief.hidden", lang)
    total = float(brief.changes.loc[NEW_LOGS, "current"])
    rows = [
        {
            "what": _name(NEW_LOGS, lang),
            "figure": hidden if np.isnan(total) else format_number(total, lang),
            "ci": "–",
            "basis": label("brief.basis.new_logs", lang),
        }
    ]
    table = brief.indicators
    for name, row in table.values.iterrows():
        counts = [
            table.marks.loc[name, c] if table.hidden.loc[name, c] else format_number(row[c], lang)
            for c in ("numerator", "denominator")
        ]
        shown = not np.isnan(row["share"])
        rows.append(
            {
                "what": _name(str(name), lang),
                "figure": format_share(row["share"], lang) if shown else hidden,
                "ci": _interval(row["ci_low"], row["ci_high"], lang) if shown else "–",
                "basis": label("brief.basis.share", lang, part=counts[0], whole=counts[1]),
            }
        )
    return rows


def _headline(brief: Brief, lang: str) -> pd.DataFrame:
    columns = {
        "what": label("rep.col.what", lang),
        "figure": label("rep.col.figure", lang),
        "ci": label("rep.col.ci", lang),
        "basis": label("brief.col.basis", lang),
    }
    return pd.DataFrame(_headline_rows(brief, lang)).rename(columns=columns)


def _change_value(row: pd.Series, column: str, lang: str) -> str:
    value = row[column]
    if np.isnan(value):
        return label("brief.hidden", lang)
    return format_number(value, lang) if row["kind"] == "count" else format_share(value, lang)


def _change_text(row: pd.Series, lang: str) -> str:
    """``+5 %-poeng (−2 til +12)`` for a share, ``+20 % (−8 til +52 %)`` for new logs."""
    if np.isnan(row["change"]):
        return "–"
    if row["kind"] == "count":
        high = "∞" if np.isinf(row["high"]) else format_share(row["high"], lang, sign=True)
        return label(
            "brief.change.relative",
            lang,
            change=format_share(row["change"], lang, sign=True),
            low=format_share(row["low"], lang, sign=True),
            high=high,
        )
    return label(
        "brief.change.points",
        lang,
        change=format_number(100 * row["change"], lang, sign=True),
        low=format_number(100 * row["low"], lang, sign=True),
        high=format_number(100 * row["high"], lang, sign=True),
    )


def _change(brief: Brief, lang: str) -> pd.DataFrame | None:
    if brief.comparison != "comparable":
        return None
    rows = []
    for name, row in brief.changes.iterrows():
        rows.append(
            {
                label("rep.col.what", lang): _name(str(name), lang),
                label("brief.col.previous", lang): _change_value(row, "previous", lang),
                label("brief.col.current", lang): _change_value(row, "current", lang),
                label("brief.col.change", lang): _change_text(row, lang),
            }
        )
    return pd.DataFrame(rows)


def _change_note(brief: Brief, lang: str) -> str:
    fields = {"previous": _span(brief.previous)}
    if brief.comparison == "no_data":
        return label("brief.change.no_data", lang, **fields)
    if brief.comparison == "before_go_live":
        return label("brief.change.before_go_live", lang, go_live=_date(brief.go_live), **fields)
    return label("brief.change.note", lang)


def _notes(brief: Brief, lang: str) -> list[str]:
    notes = []
    if brief.synthetic:
        notes.append(label("app.synthetic_banner", lang))
    if brief.go_live is not None and brief.period[0] < brief.go_live:
        notes.append(label("brief.note.before_go_live", lang, go_live=_date(brief.go_live)))
    hidden = brief.hidden_figures
    if hidden == brief.figures:
        notes.append(label("brief.note.all_hidden", lang, k=brief.k))
    elif hidden:
        notes.append(label("brief.note.hidden", lang, n=hidden, of=brief.figures, k=brief.k))
    return notes


def _decision_text(decision: Decision, lang: str) -> str:
    """The sentence of one finding, with its numbers in ``lang``."""
    v = decision.values
    if decision.rule == "plan_late":
        activities = v["activities"]
        named = "; ".join(
            label("brief.decision.activity", lang, activity=a, what=_short(w), deadline=_date(d))
            for a, w, d in activities[:_NAMED_ACTIVITIES]
        )
        rest = len(activities) - _NAMED_ACTIVITIES
        if rest > 0:
            named += " " + label("brief.decision.more", lang, n=rest)
        key = "brief.decision.plan_late.one" if v["n"] == 1 else "brief.decision.plan_late"
        return label(key, lang, n=v["n"], activities=named)
    name = _name(decision.figure, lang)
    if decision.rule == "target":
        return label(
            f"brief.decision.target.{v['better']}",
            lang,
            name=name,
            share=format_share(v["share"], lang),
            interval=_interval(v["low"], v["high"], lang),
            target=format_share(v["target"], lang),
            action=label(f"brief.action.{decision.figure}", lang),
        )
    row = pd.Series({**v, "kind": "count" if decision.rule == "fewer_logs" else "share"})
    fields = {
        "name": name,
        "before": _change_value(row, "previous", lang),
        "now": _change_value(row, "current", lang),
        "change": _change_text(row, lang),
    }
    if decision.rule == "fewer_logs":
        return label("brief.decision.fewer_logs", lang, **fields)
    action = label(f"brief.action.{decision.figure}", lang)
    return label(f"brief.decision.worse.{v['better']}", lang, action=action, **fields)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _decisions(brief: Brief, lang: str) -> dict[str, str]:
    lines = [f"- {_decision_text(d, lang)}" for d in brief.decisions]
    if not lines:
        lines.append(f"- {label('brief.decision.none', lang)}")
    if brief.unchecked:
        lines.append(f"- {label('brief.decision.unchecked', lang, n=brief.unchecked, k=brief.k)}")
    return {"items": "\n".join(lines)}


def _method(brief: Brief, lang: str) -> dict[str, object]:
    targets = "; ".join(
        label(
            f"brief.target.{t.better}",
            lang,
            name=_name(name, lang),
            target=format_share(t.value, lang),
        )
        for name, t in brief.targets.items()
    )
    return {"k": brief.k, "targets": targets or "–", "as_of": _date(brief.as_of)}


def brief_display(brief: Brief, lang: str = "nb") -> BriefDisplay:
    """The brief's texts and tables in ``lang`` (catalogue keys ``brief.*``).

    Parameters
    ----------
    brief : Brief
        From :func:`build_brief`.
    lang : str, default "nb"
        One of :func:`bti_workbench.reference.labels.languages`.

    Returns
    -------
    BriefDisplay
        Numbers written as ``lang`` writes them (:mod:`bti_workbench._util.numbers`),
        hidden counts as their marks (``<5``, ``×``) and hidden shares as a word, never
        a number.
    """
    place = brief.municipality
    return BriefDisplay(
        title={
            "place": place.name,
            "number": place.kommunenummer,
            "period": _span(brief.period),
        },
        notes=_notes(brief, lang),
        headline=_headline(brief, lang),
        change_heading={"previous": _span(brief.previous)},
        change=_change(brief, lang),
        change_note=_change_note(brief, lang),
        decisions=_decisions(brief, lang),
        method=_method(brief, lang),
    )


# --------------------------------------------------------------------------------------------
# The trend


def _bars(table: SuppressedTable, name: str, colour: str, lang: str) -> list[go.Bar | go.Scatter]:
    """Shown months as bars; hidden months as their mark (``<5``, ``×``) on the axis."""
    body = table.values.drop(index="total").iloc[:, 0]
    hidden = table.hidden.drop(index="total").iloc[:, 0].to_numpy(dtype=bool)
    marks = table.formatted(lang).drop(index="total").iloc[:, 0]
    months = pd.DatetimeIndex(body.index).to_period("M").to_timestamp()
    shown = body.astype("Float64").astype(float).where(~hidden)
    hover = label("brief.trend.hover", lang)
    traces: list[go.Bar | go.Scatter] = [
        go.Bar(
            x=months,
            y=shown,
            name=name,
            marker_color=colour,
            hovertemplate=hover + "<extra></extra>",
            xperiod="M1",
            xperiodalignment="middle",
        )
    ]
    if hidden.any():
        traces.append(
            go.Scatter(
                x=months[hidden],
                y=np.zeros(int(hidden.sum())),
                mode="text",
                text=marks[hidden].tolist(),
                textposition="top center",
                textfont={"color": colour, "size": 11},
                showlegend=False,
                hoverinfo="skip",
                xperiod="M1",
                xperiodalignment="middle",
            )
        )
    return traces


def trend_figure(brief: Brief, lang: str = "nb") -> go.Figure:
    """New baton logs per month in the previous period and this one: a small bar chart.

    Hidden months are gaps with their mark (``<5`` or ``×``) at the foot; the go-live date
    is a dashed line where it falls inside. 230 pixels high and 680 wide, to fit a printed
    A4 page.

    Parameters
    ----------
    brief : Brief
    lang : str, default "nb"

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = go.Figure()
    if brief.previous_new_logs is not None:
        for trace in _bars(
            brief.previous_new_logs, label("brief.trend.previous", lang), OKABE_ITO[7], lang
        ):
            fig.add_trace(trace)
    for trace in _bars(brief.new_logs, label("brief.trend.current", lang), OKABE_ITO[4], lang):
        fig.add_trace(trace)
    start = brief.previous[0] if brief.previous_new_logs is not None else brief.period[0]
    if brief.go_live is not None and start <= brief.go_live <= brief.period[1]:
        fig.add_vline(x=brief.go_live, line_dash="dash", line_color="#444444", line_width=1)
        fig.add_annotation(
            x=brief.go_live,
            y=1,
            yref="paper",
            text=label("brief.trend.go_live", lang),
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 10},
        )
    notes = []
    tables = [t for t in (brief.previous_new_logs, brief.new_logs) if t is not None]
    months_hidden = sum(int(t.hidden.drop(index="total").to_numpy().sum()) for t in tables)
    months_all = sum(len(t.values) - 1 for t in tables)
    if months_hidden == months_all:
        notes.append(label("brief.trend.all_hidden", lang, k=brief.k))
    elif months_hidden:
        notes.append(label("brief.trend.some_hidden", lang, k=brief.k))
    if notes:
        fig.add_annotation(
            x=0.5,
            y=0.5 if months_hidden == months_all else 1.0,
            xref="paper",
            yref="paper",
            text=notes[0],
            showarrow=False,
            yanchor="middle" if months_hidden == months_all else "bottom",
            font={"size": 11, "color": "#444444"},
        )
    fig.update_layout(
        template=TEMPLATE,
        height=230,
        width=680,
        margin={"l": 45, "r": 10, "t": 28, "b": 30},
        barmode="overlay",
        bargap=0.25,
        separators=figure_separators(lang),
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12, "font": {"size": 11}},
        yaxis={"title": {"text": label("brief.trend.y", lang), "font": {"size": 11}}},
        xaxis={
            "tickformat": month_tickformat(lang),
            "dtick": "M1",
            "ticklabelmode": "period",
            "tickfont": {"size": 10},
        },
    )
    fig.update_yaxes(rangemode="tozero")
    if months_hidden == months_all:  # nothing to read off an axis
        fig.update_yaxes(range=[0, brief.k], showticklabels=False, showgrid=False)
    return fig
