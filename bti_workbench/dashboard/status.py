"""The dashboard's status page: where the municipality stands, as cards and trends.

Every count on the page passes :func:`bti_workbench.privacy.suppress_small` (shares through
:func:`bti_workbench.evaluation.proportions.proportion_table`) before it becomes text: a hidden
count reads ``<k`` or ``×`` and is not drawn. The open cases of every month end and of
``today`` are one table, suppressed once, so the cards and the trend lines agree on what is
hidden and no shown figure gives a hidden one back.

Every rate and median comes with its 95 % interval, shown only where the counts behind it
are: the median days to a level-0 decision with its Brookmeyer–Crowley interval and the share
decided within the target with its pointwise log(−log) interval (both from
:func:`bti_workbench.evaluation.survival.km_table`), the shares of dropped batons and of logs
with parents taking part with Wilson intervals (from
:func:`~bti_workbench.evaluation.proportions.proportion_table`). A card's flag follows the
interval, not the point: ``"ok"`` when the whole interval is on the good side of the target,
``"alert"`` when it is wholly on the bad side, ``"uncertain"`` when it holds the target.

The page can be narrowed to a period and to one service (:func:`status_services` lists the
services for a picker); the trends mark the municipality's go-live. A reader who sees a
service's page and the page of all services can subtract them, so a service's count is hidden
(``×``) wherever the other services' cases in it (all − this service) number 1 to k − 1, and
the cells that would give it back hide with it (the ``hide`` of ``suppress_small``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from bti_workbench._util.figures import LEVEL_COLOURS, TEMPLATE
from bti_workbench._util.numbers import (
    figure_separators,
    format_number,
    format_share,
    month_tickformat,
)
from bti_workbench.dashboard._differencing import Counts, Forced, forced_cells
from bti_workbench.evaluation.eventarrays import event_arrays
from bti_workbench.evaluation.indicators import (
    dropped_batons,
    open_cases_by_level,
    parents_participating,
    young_person_participating,
)
from bti_workbench.evaluation.log_reading import READ_DAYS, reads_exported, unread_logs
from bti_workbench.evaluation.proportions import proportion_table
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.evaluation.survival import km_table, time_to_level0_decision
from bti_workbench.evaluation.timeseries import monthly_counts
from bti_workbench.eventlog import order_events
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small
from bti_workbench.reference.labels import label

__all__ = ["FLAGS", "Card", "StatusView", "status_services", "status_view"]

#: What a card's ``flag`` can be, besides ``""`` (no target, or no interval shown).
FLAGS = ("ok", "alert", "uncertain")
#: The events that name a case's baton holder: the one who raises the concern holds it at
#: level 0, then the one who opens the log, then each new holder at a handover.
_HOLDER_EVENTS = ("concern_raised", "log_opened", "baton_handover")
#: The columns of :attr:`~bti_workbench.evaluation.survival.KMTable.summary` a card reads.
_MEDIAN_CI = ("median_ci_low", "median_ci_high")
_TARGET_SHARE = ("target_share", "target_ci_low", "target_ci_high")
_BAR_COLOUR = "#6c757d"
_GO_LIVE_COLOUR = "#444444"


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
        Against a target, from the 95 % interval: ``"ok"`` (the whole interval on the good
        side), ``"alert"`` (wholly on the bad side) or ``"uncertain"`` (it holds the
        target); ``""`` without a target or without a shown interval.
    interval : str
        The estimate with its 95 % interval, as a reader of ``lang`` writes numbers:
        ``9 (8–11) dager`` for the median, ``62 % (48–74 %)`` for a share; an upper limit
        that cannot be shown reads ``…``. ``""`` for plain counts and wherever the counts
        behind the estimate are hidden.
    """

    key: str
    title: str
    value: str
    note: str
    hidden: bool = False
    flag: str = ""
    interval: str = ""


@dataclass(frozen=True, eq=False)
class StatusView:
    """The status page of one municipality.

    Attributes
    ----------
    heading : str
        ``"Sirdal (4228)"``.
    today : pandas.Timestamp
        The day the cards describe: the period's last day.
    period : (pandas.Timestamp, pandas.Timestamp)
        The days the trends, the dropped batons, the parents' participation and the median
        cover, both included.
    cards : tuple of Card
    trends : plotly.graph_objects.Figure
        New logs per month and open cases per level at each month end (and ``today``);
        hidden counts are not drawn; the go-live is a dashed line when it lies in the period.
    open_cases : SuppressedTable
        Open cases per level (columns 0–3) at each month end and ``today`` (rows).
    new_logs : SuppressedTable
        Logs opened per calendar month (the first and the last month may be partial).
    k : int
    notes : str
        The suppression rule, what the intervals are and the flag rule, in words.
    banner : str
        The synthetic-data banner, or ``""`` for real data.
    service : str or None
        The service id the cases are narrowed to, or None for all cases.
    scope : str
        The period and the cases shown, in one or two sentences.
    go_live : pandas.Timestamp or None
        The municipality's go-live, None when unknown.
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
    service: str | None
    scope: str
    go_live: pd.Timestamp | None

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


def _flag(low: float, high: float, target: float | None, better: str) -> str:
    """The flag of an interval against a target (see :data:`FLAGS`).

    ``better`` is ``"lower"`` (days to a decision, dropped batons: at or below the target is
    good) or ``"higher"`` (parents taking part: at or above it is good). A limit that is not
    shown (NaN) is unknown: it can neither clear the target nor miss it.
    """
    if target is None or (np.isnan(low) and np.isnan(high)):
        return ""
    if better == "lower":
        ok, alert = high <= target, low > target
    else:
        ok, alert = low >= target, high < target
    return "ok" if ok else "alert" if alert else "uncertain"


def _days(value: float, lang: str) -> str:
    """Whole days as a whole number, a midpoint median (``9,5``) with one decimal."""
    return format_number(value, lang, 0 if float(value).is_integer() else 1)


def _share_interval(share: float, low: float, high: float, lang: str) -> str:
    """``62 % (48–74 %)``."""
    return (
        f"{format_share(share, lang)} ({format_number(100 * low, lang)}–{format_share(high, lang)})"
    )


def _counts_of(
    log: pd.DataFrame, window: tuple[pd.Timestamp, pd.Timestamp], dropped_after_days: int
) -> Counts:
    """The counts of ``log`` over ``window``, as the page shows them."""
    start, today = window
    prepared = event_arrays(log)
    return Counts(
        open_cases=open_cases_by_level(prepared, _month_ends(start, today)),
        new_logs=_new_log_counts(log, start, today).rename("new_logs"),
        dropped=tuple(dropped_batons(prepared, window, dropped_after_days)),
        parents=tuple(parents_participating(prepared, window)),
        waits=time_to_level0_decision(prepared, window),
        young=tuple(young_person_participating(prepared, window)),
        unread=tuple(unread_logs(prepared, window)) if reads_exported(prepared) else None,
    )


def _proportion_card(
    key: str,
    title: str,
    count: tuple[int, int],
    note_key: str,
    k: int,
    lang: str,
    target: float | None,
    better: str,
    hide: pd.DataFrame | None = None,
    **fields,
) -> Card:
    table = proportion_table(
        pd.DataFrame([count], columns=["numerator", "denominator"], index=[key]), k=k, hide=hide
    )
    text = table.formatted(lang).loc[key]
    note = label(note_key, lang, denominator=text["denominator"], **fields)
    if text["share"]:
        note += f" ({text['share']})"
    share, low, high = table.values.loc[key, ["share", "ci_low", "ci_high"]]
    interval, flag = "", ""
    if pd.notna(share):  # NaN whenever a count behind it is hidden (or nothing to share)
        interval = _share_interval(share, low, high, lang)
        flag = _flag(low, high, target, better)
    hidden = bool(table.hidden.loc[key, "numerator"])
    return Card(key, title, text["numerator"], note, hidden, flag, interval)


def _decision_card(
    waits: pd.DataFrame, k: int, target_days: int, lang: str, forced: bool = False
) -> Card:
    """The median days to a level-0 decision;
    not shown when ``forced`` (:class:`~bti_workbench.dashboard._differencing.Forced`)."""
    title = label("dash.card.decision", lang)
    if forced:
        note = label("dash.card.decision.service_hidden", lang, k=k, days=target_days)
        return Card("level0_decision", title, "–", note, hidden=True)
    km = km_table(waits, k=k, target_days=target_days)
    summary = km.summary.iloc[0] if len(km.summary) else pd.Series(dtype=float)
    median, low, high = (float(summary.get(c, np.nan)) for c in ("median", *_MEDIAN_CI))
    if np.isnan(median):
        note = label("dash.card.decision.hidden", lang, k=k, days=target_days)
        return Card("level0_decision", title, "–", note, hidden=True)
    note = label("dash.card.decision.note", lang, days=target_days)
    share, share_low, share_high = (float(summary.get(c, np.nan)) for c in _TARGET_SHARE)
    if not np.isnan(share):
        share_text = _share_interval(share, share_low, share_high, lang)
        note += " " + label("dash.card.decision.share", lang, share=share_text, days=target_days)
    unit = label("rep.days", lang)
    upper = "…" if np.isnan(high) else _days(high, lang)
    if np.isnan(high):
        note += " " + label("dash.card.decision.open_high", lang, k=k)
    interval = f"{_days(median, lang)} ({_days(low, lang)}–{upper}) {unit}"
    value = f"{_days(median, lang)} {unit}"
    flag = _flag(low, high, target_days, "lower")
    return Card("level0_decision", title, value, note, flag=flag, interval=interval)


def _trends(
    open_cases: SuppressedTable,
    new_logs: SuppressedTable,
    lang: str,
    go_live: pd.Timestamp | None,
) -> go.Figure:
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
            marker_color=_BAR_COLOUR,
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
                line={"color": LEVEL_COLOURS[int(level) % len(LEVEL_COLOURS)]},
            ),
            row=2,
            col=1,
        )
    hidden = int(open_cases.hidden.drop(index="total").drop(columns="total").to_numpy().sum())
    hidden += int(new_logs.hidden.drop(index="total").to_numpy().sum())
    fig.update_layout(
        title=label("dash.trend.title", lang),
        template=TEMPLATE,
        separators=figure_separators(lang),
        height=580,
        margin={"l": 50, "r": 10, "t": 80, "b": 110},
        legend={"orientation": "h", "y": -0.07, "yanchor": "top", "x": 0},
    )
    fig.update_yaxes(title_text=label("rep.cases", lang), rangemode="tozero")
    fig.update_xaxes(tickformat=month_tickformat(lang))
    if go_live is not None:
        _mark_go_live(fig, go_live, lang)
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


def _mark_go_live(fig: go.Figure, go_live: pd.Timestamp, lang: str) -> None:
    """A dashed vertical line at the go-live on both subplots, each with its label."""
    text = label("dash.trend.go_live", lang)
    for axis in ("", "2"):
        fig.add_shape(
            type="line",
            x0=go_live,
            x1=go_live,
            xref=f"x{axis}",
            y0=0,
            y1=1,
            yref=f"y{axis} domain",
            line={"color": _GO_LIVE_COLOUR, "width": 1.5, "dash": "dash"},
        )
        fig.add_annotation(
            x=go_live,
            xref=f"x{axis}",
            y=1,
            yref=f"y{axis} domain",
            text=text,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            xshift=3,
            font={"size": 11, "color": _GO_LIVE_COLOUR},
        )


def status_view(
    data: EvaluationData,
    *,
    today: object = None,
    period: tuple[object, object] | None = None,
    service: str | None = None,
    k: int = DEFAULT_K,
    lang: str = "nb",
    dropped_after_days: int = 42,
    target_days: int = 14,
    dropped_target: float | None = None,
    parents_target: float | None = None,
) -> StatusView:
    """Where a municipality stands on ``today``: cards and monthly trends, all suppressed.

    Cards:

    * open cases per level on ``today`` (level 0: concerns being clarified; levels 1–3:
      active baton logs), as :func:`bti_workbench.evaluation.cases_by_level` counts them;
    * logs opened this calendar month, up to ``today``;
    * dropped batons on ``today`` (open logs without follow-up for ``dropped_after_days``),
      over the logs that could have dropped
      (:func:`~bti_workbench.evaluation.indicators.dropped_batons`), with the share and
      its Wilson interval;
    * parents participating: logs with a meeting in the period that a parent attended, over
      logs with a meeting, with the share and its Wilson interval;
    * the median days from concern to level-0 decision (Kaplan–Meier, so concerns still
      waiting count as censored) with its Brookmeyer–Crowley interval, against the
      ``target_days`` target; its note gives the share decided within the target with its
      pointwise interval.

    With ``today`` the evaluation period's end, the last three agree with
    :func:`bti_workbench.evaluation.indicator_table` for the same period.

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.
    today : date-like, optional
        The day to describe, the period's last day; by default the period's end when a
        period is given, else the day of the last event in the log.
    period : (start, end), optional
        Date-likes, both days included; either may be None. The trends, the dropped batons,
        the parents' participation and the median cover it, and the cards describe its last
        day. Default: from the evaluation period's start (not before the first event) to
        ``today``.
    service : str, optional
        A service id (the log's ``service`` column, :func:`status_services` lists them):
        only the cases whose baton that service held at some time in the period, each with
        its whole history. The holder is named by the concern (level 0), the log's opening
        and each handover (events with the role ``baton_holder``): a case counts for the
        service when it held the baton as the period began or took it during the period, so
        a case handed over counts for both services. Default: every case.
    k : int, default 5
        Suppression threshold, set by the operator, never by a viewer. The counts of a
        narrowed page are suppressed as they stand, and also against the page of every
        case for the same period: a count (a total, a share's numerator, denominator or
        its "no") whose difference from the same count for every case is 1 to k − 1 is
        hidden as ``×``, with the cells that would give it back; the median is not shown
        when the other services raised 1 to k − 1 of the period's concerns.
    lang : {"nb", "en"}
    dropped_after_days : int, default 42
    target_days : int, default 14
        Tromsø's target from concern to level-0 decision: the median is flagged against it.
    dropped_target, parents_target : float, optional
        Targets for the shares (0–1): dropped batons at most ``dropped_target``, parents
        taking part in at least ``parents_target`` of the logs with a meeting. Without one
        (the default: BTI sets none) the card has no flag.

    Returns
    -------
    StatusView

    Raises
    ------
    ValueError
        When the log is empty, ``today`` comes before the period's start, ``today`` and the
        period's end disagree, or the log has no ``service`` and ``role`` to narrow by.

    See Also
    --------
    status_services : The services to narrow the page to, for a picker.
    bti_workbench.evaluation.survival.km_table : The median and the share with intervals.
    bti_workbench.evaluation.proportions.proportion_table : Shares with Wilson intervals.

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
    start, today = _window(data, today, period)
    window = (start, today)
    log = data.event_log
    counts = everyone = _counts_of(log, window, dropped_after_days)
    forced = Forced()
    if service is not None:
        counts = _counts_of(log[_held_by(log, service, window)], window, dropped_after_days)
        forced = forced_cells(everyone, counts, k)
    open_cases = suppress_small(
        counts.open_cases, k=k, hide=forced.open_cases, at_most=forced.open_bounds
    )
    new_logs = suppress_small(
        counts.new_logs, k=k, hide=forced.new_logs, at_most=forced.new_logs_bounds
    )
    targets = {"dropped": dropped_target, "parents": parents_target}
    this_month = counts.new_logs.index[-1]
    cards = [
        *_open_case_cards(open_cases, today, lang),
        _new_logs_card(new_logs, this_month, max(start, today.replace(day=1)), today, lang),
        *_indicator_cards(
            counts, forced, window, k, lang, dropped_after_days, target_days, targets
        ),
    ]
    place = data.municipality
    go_live = _go_live(data, window)
    return StatusView(
        heading=f"{place.name} ({place.kommunenummer})",
        today=today,
        period=window,
        cards=tuple(cards),
        trends=_trends(open_cases, new_logs, lang, go_live),
        open_cases=open_cases,
        new_logs=new_logs,
        k=k,
        notes=_notes(k, target_days, lang, service is not None),
        banner=label("app.synthetic_banner", lang) if data.synthetic else "",
        service=service,
        scope=_scope(window, service, lang),
        go_live=go_live,
    )


def status_services(data: EvaluationData, lang: str = "nb") -> dict[str, str | None]:
    """The services a status page can be narrowed to, for a picker: label → id.

    The first entry is every case (``"Alle tjenester"`` → None); then each service that held
    a baton in the log (named on a concern, a log's opening or a handover), by its name in
    ``lang``, sorted by name. A widget carries the ids and shows the labels.

    Parameters
    ----------
    data : EvaluationData
    lang : {"nb", "en"}

    Returns
    -------
    dict
        Display name → service id (None for every case), in display order.

    See Also
    --------
    status_view : Its ``service`` takes the ids.
    """
    log = data.event_log
    if not {"service", "role"} <= set(log.columns):
        return {label("dash.status.all_services", lang): None}
    holders = log[(log["role"] == "baton_holder") & log["event"].isin(_HOLDER_EVENTS)]
    ids = pd.unique(holders["service"].dropna().astype(str))
    named = sorted((label(f"service.{sid}", lang), sid) for sid in ids)
    return {label("dash.status.all_services", lang): None, **dict(named)}


def _window(
    data: EvaluationData, today: object, period: tuple[object, object] | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period's first and last day (``today``), from the arguments and the log."""
    log = data.event_log
    if len(log) == 0:
        raise ValueError("the event log is empty")
    times = log["event_time"]
    first, last = pd.Timestamp(times.min()).normalize(), pd.Timestamp(times.max()).normalize()
    start, end = period if period is not None else (None, None)
    if end is not None:
        end = pd.Timestamp(end).normalize()
        if today is not None and pd.Timestamp(today).normalize() != end:
            raise ValueError(
                f"today ({pd.Timestamp(today):%Y-%m-%d}) is not the period's end "
                f"({end:%Y-%m-%d}); give one of them"
            )
        today = end
    today = last if today is None else pd.Timestamp(today).normalize()
    start = pd.Timestamp(data.period[0] if start is None else start).normalize()
    start = max(start, first)
    if today < start:
        raise ValueError(
            f"today ({today:%Y-%m-%d}) comes before the period's start ({start:%Y-%m-%d})"
        )
    return start, today


def _held_by(
    log: pd.DataFrame, service: str, window: tuple[pd.Timestamp, pd.Timestamp]
) -> pd.Series:
    """The rows of the cases whose baton ``service`` held at some time in ``window``.

    A case's holder is named on its concern, its log's opening and each handover (role
    ``baton_holder``) and holds the baton until the next one is named: the service held it
    in the window when it was the holder as the window began or was named in it.
    """
    if not {"service", "role"} <= set(log.columns):
        raise ValueError("narrowing to a service needs the log's service and role columns")
    start, today = window
    named = log[(log["role"] == "baton_holder") & log["event"].isin(_HOLDER_EVENTS)]
    named = order_events(named)
    times = named["event_time"]
    during = named[(times >= start) & (times < today + pd.Timedelta(days=1))]
    before = named[times < start].groupby("case_id", sort=False).tail(1)  # holder at the start
    held = pd.concat([during, before])
    cases = held.loc[held["service"] == service, "case_id"].unique()
    return log["case_id"].isin(cases)


def _go_live(
    data: EvaluationData, window: tuple[pd.Timestamp, pd.Timestamp]
) -> pd.Timestamp | None:
    """The municipality's go-live when it is known and lies in the window, else None."""
    day = data.go_live.get(data.municipality.kommunenummer)
    if day is None or pd.isna(day):
        return None
    day = pd.Timestamp(day).normalize()
    return day if window[0] <= day <= window[1] else None


def _notes(k: int, target_days: int, lang: str, narrowed: bool = False) -> str:
    """What a reader needs to read the page: suppression (for one service, against the page
    of all services too), the intervals, the flag rule."""
    parts = [label("suppression.note", lang, k=k)]
    if narrowed:
        parts.append(label("dash.status.service_difference", lang, k=k))
    parts += [
        label("dash.status.intervals", lang, days=target_days),
        label("dash.status.flag_rule", lang),
    ]
    return " ".join(parts)


def _scope(window: tuple[pd.Timestamp, pd.Timestamp], service: str | None, lang: str) -> str:
    """The period and the cases the page shows."""
    period = label("dash.status.period", lang, start=_date(window[0]), end=_date(window[1]))
    if service is None:
        return f"{period} {label('dash.status.scope.all', lang)}"
    name = label(f"service.{service}", lang)
    return f"{period} {label('dash.status.scope.service', lang, service=name)}"


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
    counts: Counts,
    forced: Forced,
    window: tuple[pd.Timestamp, pd.Timestamp],
    k: int,
    lang: str,
    dropped_after_days: int,
    target_days: int,
    targets: dict[str, float | None],
) -> list[Card]:
    """Dropped batons, unread logs (when the export records readings), parents and the young
    person taking part, and the days to a level-0 decision."""
    start, today = window
    dropped = _proportion_card(
        "dropped_batons",
        label("ind.dropped_batons", lang),
        counts.dropped,
        "dash.card.dropped.note",
        k,
        lang,
        targets["dropped"],
        "lower",
        hide=forced.dropped,
        days=dropped_after_days,
        date=_date(today),
    )
    parents = _proportion_card(
        "parents_participating",
        label("ind.parents_participating", lang),
        counts.parents,
        "dash.card.parents.note",
        k,
        lang,
        targets["parents"],
        "higher",
        hide=forced.parents,
        start=_date(start),
        end=_date(today),
    )
    young = _proportion_card(
        "young_person_participating",
        label("ind.young_person_participating", lang),
        counts.young,
        "dash.card.young.note",
        k,
        lang,
        targets.get("young"),
        "higher",
        hide=forced.young,
        start=_date(start),
        end=_date(today),
    )
    decision = _decision_card(counts.waits, k, target_days, lang, forced.decision)
    if counts.unread is None:  # an export without readings: no card rather than all unread
        return [dropped, parents, young, decision]
    unread = _proportion_card(
        "unread_logs",
        label("ind.unread_logs", lang),
        counts.unread,
        "dash.card.unread.note",
        k,
        lang,
        targets.get("unread"),
        "lower",
        hide=forced.unread,
        start=_date(start),
        end=_date(today),
        days=READ_DAYS,
    )
    return [dropped, unread, parents, young, decision]
