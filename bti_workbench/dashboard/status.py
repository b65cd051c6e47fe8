"""The dashboard's status page: where the municipality stands today, as cards and trends.

Every count on the page passes :func:`bti_workbench.privacy.suppress_small` (shares through
:func:`bti_workbench.evaluation.proportions.proportion_table`) before it becomes text: a hidden
count reads ``<k`` or ``×`` and is not drawn. The open cases of every month end and of
``today`` are one table, suppressed once, so the cards and the trend lines agree on what is
hidden and no shown figure gives a hidden one back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bti_workbench._util.figures import TEMPLATE
from bti_workbench.evaluation.eventarrays import event_arrays
from bti_workbench.evaluation.indicators import (
    dropped_batons,
    open_cases_by_level,
    parents_participating,
)
from bti_workbench.evaluation.proportions import proportion_table
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.evaluation.survival import km_table, time_to_level0_decision
from bti_workbench.evaluation.timeseries import monthly_counts
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small
from bti_workbench.reference.labels import label

__all__ = ["Card", "StatusView", "status_view"]

_LEVEL_COLOURS = ("#9ecae1", "#4292c6", "#2171b5", "#08306b")


@dataclass(frozen=True)
class Card:
    """One figure on the status page.

    Attributes
    ----------
    key : str
        ``open_level_0`` … ``open_level_3``, ``new_logs``, ``dropped_batons``,
        ``parents_participating`` or ``level0_decision``.
    title : str
    value : str
        What the card shows: a count, or ``<k`` / ``×`` when the count is hidden (never the
        number), or ``–`` when a median cannot be shown.
    note : str
        What the value counts, over which days, and its denominator where it has one.
    hidden : bool
        True when the value is hidden.
    flag : str
        ``"ok"`` or ``"alert"`` against a target (the 14 days), else ``""``.
    """

    key: str
    title: str
    value: str
    note: str
    hidden: bool = False
    flag: str = ""


@dataclass(frozen=True, eq=False)
class StatusView:
    """The status page of one municipality.

    Attributes
    ----------
    heading : str
        ``"Sirdal (4228)"``.
    today : pandas.Timestamp
        The day the cards describe.
    period : (pandas.Timestamp, pandas.Timestamp)
        The days the trends, the dropped batons, the parents' participation and the median
        cover: from the evaluation period's start to ``today``.
    cards : tuple of Card
    trends : plotly.graph_objects.Figure
        New logs per month and open cases per level at each month end (and ``today``);
        hidden counts are not drawn.
    open_cases : SuppressedTable
        Open cases per level (columns 0–3) at each month end and ``today`` (rows).
    new_logs : SuppressedTable
        Logs opened per calendar month (the first and the last month may be partial).
    k : int
    notes : str
        The suppression rule in words.
    banner : str
        The synthetic-data banner, or ``""`` for real data.
    """

    heading: str
    today: pd.Timestamp
    period: tuple[pd.Timestamp, pd.Timestamp]
    cards: tuple[Card, ...]
    trends: go.Figure
    open_cases: SuppressedTable
    new_logs: SuppressedTable
    k: int
    notes: str
    banner: str

    def card(self, key: str) -> Card:
        """The card with this ``key``."""
        for card in self.cards:
            if card.key == key:
                return card
        raise KeyError(key)


def _date(day: pd.Timestamp) -> str:
    return f"{day:%d.%m.%Y}"


def _month_ends(start: pd.Timestamp, today: pd.Timestamp) -> pd.DatetimeIndex:
    """Month ends from ``start`` up to ``today``, then ``today`` itself."""
    ends = pd.date_range(start, today, freq="ME")
    ends = ends[ends < today].append(pd.DatetimeIndex([today]))
    return pd.DatetimeIndex(ends, name="day")


def _proportion_card(
    key: str, title: str, count: tuple[int, int], note_key: str, k: int, lang: str, **fields
) -> Card:
    table = proportion_table(
        pd.DataFrame([count], columns=["numerator", "denominator"], index=[key]), k=k
    )
    text = table.formatted(lang).loc[key]
    note = label(note_key, lang, denominator=text["denominator"], **fields)
    if text["share"]:
        note += f" ({text['share']})"
    return Card(key, title, text["numerator"], note, bool(table.hidden.loc[key, "numerator"]))


def _decision_card(log, window, k: int, target_days: int, lang: str) -> Card:
    km = km_table(time_to_level0_decision(log, window), k=k, target_days=target_days)
    summary = km.summary.iloc[0] if len(km.summary) else pd.Series(dtype=float)
    median = float(summary.get("median", np.nan))
    title = label("dash.card.decision", lang)
    if np.isnan(median):
        note = label("dash.card.decision.hidden", lang, k=k, days=target_days)
        return Card("level0_decision", title, "–", note, hidden=True)
    note = label("dash.card.decision.note", lang, days=target_days)
    share = float(summary.get("target_share", np.nan))
    if not np.isnan(share):
        share_text = f"{100 * share:.0f} %"
        note += " " + label("dash.card.decision.share", lang, share=share_text, days=target_days)
    value = f"{median:.0f} {label('rep.days', lang)}"
    flag = "ok" if median <= target_days else "alert"
    return Card("level0_decision", title, value, note, flag=flag)


def _trends(open_cases: SuppressedTable, new_logs: SuppressedTable, lang: str) -> go.Figure:
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=(label("dash.trend.new_logs", lang), label("dash.trend.open", lang)),
    )
    months = new_logs.values.drop(index="total").iloc[:, 0]
    fig.add_trace(
        go.Bar(
            x=[pd.Period(m, "M").to_timestamp() for m in months.index],
            y=months.astype("Float64").astype(float),
            name=label("dash.trend.new_logs_short", lang),
            marker_color="#6c757d",
            xperiod="M1",
            xperiodalignment="middle",
            hovertemplate="%{x|%m.%Y}: %{y}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    body = open_cases.values.drop(index="total").drop(columns="total")
    for level in body.columns:
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(body.index),
                y=body[level].astype("Float64").astype(float),
                mode="lines+markers",
                connectgaps=False,
                name=label(f"level.{level}.short", lang),
                line={"color": _LEVEL_COLOURS[int(level) % len(_LEVEL_COLOURS)]},
            ),
            row=2,
            col=1,
        )
    hidden = int(open_cases.hidden.drop(index="total").drop(columns="total").to_numpy().sum())
    hidden += int(new_logs.hidden.drop(index="total").to_numpy().sum())
    fig.update_layout(
        title=label("dash.trend.title", lang),
        template=TEMPLATE,
        height=580,
        margin={"l": 50, "r": 10, "t": 80, "b": 110},
        legend={"orientation": "h", "y": -0.07, "yanchor": "top", "x": 0},
    )
    fig.update_yaxes(title_text=label("rep.cases", lang), rangemode="tozero")
    if hidden:
        fig.add_annotation(
            text=label("dash.trend.hidden", lang, n=hidden, k=open_cases.k),
            xref="paper",
            yref="paper",
            x=0,
            y=-0.16,
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font={"size": 11},
        )
    return fig


def status_view(
    data: EvaluationData,
    *,
    today: object = None,
    k: int = DEFAULT_K,
    lang: str = "nb",
    dropped_after_days: int = 42,
    target_days: int = 14,
) -> StatusView:
    """Where a municipality stands on ``today``: cards and monthly trends, all suppressed.

    Cards:

    * open cases per level on ``today`` (level 0: concerns being clarified; levels 1–3:
      active baton logs), as :func:`bti_workbench.evaluation.cases_by_level` counts them;
    * logs opened this calendar month, up to ``today``;
    * dropped batons on ``today`` (open logs without follow-up for ``dropped_after_days``),
      over the logs that could have dropped
      (:func:`~bti_workbench.evaluation.indicators.dropped_batons`);
    * parents participating: logs with a meeting since the period's start that a parent
      attended, over logs with a meeting;
    * the median days from concern to level-0 decision (Kaplan–Meier, so concerns still
      waiting count as censored) against the ``target_days`` target.

    With ``today`` the evaluation period's end, the last three agree with
    :func:`bti_workbench.evaluation.indicator_table` for the same period.

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.
    today : date-like, optional
        The day to describe; default the day of the last event in the log. The trends run
        from the evaluation period's start to it.
    k : int, default 5
        Suppression threshold, set by the operator, never by a viewer.
    lang : {"nb", "en"}
    dropped_after_days : int, default 42
    target_days : int, default 14
        Tromsø's target from concern to level-0 decision.

    Returns
    -------
    StatusView

    Raises
    ------
    ValueError
        When the log is empty or ``today`` comes before the evaluation period's start.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> from bti_workbench.evaluation import load_evaluation
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_demo(folder, "4228", seed=1)
    ...     data = load_evaluation("4228", "2018-09-01..2020-06-30", files=[folder])
    >>> view = status_view(data, lang="en")
    >>> view.card("open_level_1").title, view.card("open_level_1").value
    ('Active logs at level 1', '<5')
    """
    log = data.event_log
    start, today = _window(data, today)
    window = (start, today)
    prepared = event_arrays(log)
    open_cases = suppress_small(open_cases_by_level(prepared, _month_ends(start, today)), k=k)
    counts = _new_log_counts(log, start, today)
    new_logs = suppress_small(counts.rename("new_logs"), k=k)
    cards = [
        *_open_case_cards(open_cases, today, lang),
        _new_logs_card(new_logs, counts.index[-1], max(start, today.replace(day=1)), today, lang),
        *_indicator_cards(prepared, window, k, lang, dropped_after_days, target_days),
    ]
    place = data.municipality
    return StatusView(
        heading=f"{place.name} ({place.kommunenummer})",
        today=today,
        period=window,
        cards=tuple(cards),
        trends=_trends(open_cases, new_logs, lang),
        open_cases=open_cases,
        new_logs=new_logs,
        k=k,
        notes=label("suppression.note", lang, k=k),
        banner=label("app.synthetic_banner", lang) if data.synthetic else "",
    )


def _window(data: EvaluationData, today: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The evaluation period's start and ``today`` (default: the day of the last event)."""
    log = data.event_log
    if len(log) == 0:
        raise ValueError("the event log is empty")
    last = pd.Timestamp(log["event_time"].max()).normalize()
    today = last if today is None else pd.Timestamp(today).normalize()
    start = pd.Timestamp(data.period[0]).normalize()
    if today < start:
        raise ValueError(
            f"today ({today:%Y-%m-%d}) comes before the period's start ({start:%Y-%m-%d})"
        )
    return start, today


def _new_log_counts(log: pd.DataFrame, start: pd.Timestamp, today: pd.Timestamp) -> pd.Series:
    """Logs opened per calendar month from ``start`` to ``today``, months as text."""
    times = log["event_time"]
    in_window = log[(times >= start) & (times < today + pd.Timedelta(days=1))]
    if len(in_window):
        counts = monthly_counts(in_window, "log_opened", start=start, end=today)
    else:
        months = pd.period_range(start, today, freq="M", name="month")
        counts = pd.Series(0, index=months, dtype="int64")
    counts.index = counts.index.astype(str)
    return counts


def _open_case_cards(open_cases: SuppressedTable, today: pd.Timestamp, lang: str) -> list[Card]:
    """A card per level: the open cases on ``today``, as suppressed."""
    shown = open_cases.formatted(lang)
    cards = []
    for level in range(4):
        key = "dash.card.open_level0" if level == 0 else "dash.card.open_level"
        cards.append(
            Card(
                f"open_level_{level}",
                label(key, lang, level=level),
                shown.loc[today, level],
                label("dash.card.on_day", lang, date=_date(today)),
                bool(open_cases.hidden.loc[today, level]),
            )
        )
    return cards


def _new_logs_card(
    new_logs: SuppressedTable,
    this_month: str,
    month_start: pd.Timestamp,
    today: pd.Timestamp,
    lang: str,
) -> Card:
    """The logs opened this calendar month up to ``today``, as suppressed."""
    return Card(
        "new_logs",
        label("dash.card.new_logs", lang),
        new_logs.formatted(lang).loc[this_month].iloc[0],
        label("dash.card.between", lang, start=_date(month_start), end=_date(today)),
        bool(new_logs.hidden.loc[this_month].iloc[0]),
    )


def _indicator_cards(
    prepared: pd.DataFrame,
    window: tuple[pd.Timestamp, pd.Timestamp],
    k: int,
    lang: str,
    dropped_after_days: int,
    target_days: int,
) -> list[Card]:
    """Dropped batons, parents participating and the days to a level-0 decision."""
    start, today = window
    dropped = _proportion_card(
        "dropped_batons",
        label("ind.dropped_batons", lang),
        tuple(dropped_batons(prepared, window, dropped_after_days)),
        "dash.card.dropped.note",
        k,
        lang,
        days=dropped_after_days,
        date=_date(today),
    )
    parents = _proportion_card(
        "parents_participating",
        label("ind.parents_participating", lang),
        tuple(parents_participating(prepared, window)),
        "dash.card.parents.note",
        k,
        lang,
        start=_date(start),
        end=_date(today),
    )
    return [dropped, parents, _decision_card(prepared, window, k, target_days, lang)]
