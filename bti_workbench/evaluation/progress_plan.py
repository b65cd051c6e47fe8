"""The progress plan (framdriftsplan): status of each activity on a given day, and a Gantt chart.

A plan is a table of *when / what / who / deadline / responsible* (contract ``progress-plan``,
read with :func:`bti_workbench.ingest.readers.read_progress_plan`). :func:`plan_status`
tells, for a given ``today``, which activities were done on time or late, which are late,
open or cancelled, and by how many days; :func:`plan_summary` counts them per responsible
role and phase; :func:`gantt_figure` draws the plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.numbers import format_number, month_tickformat
from bti_workbench.reference.labels import label

__all__ = [
    "STATES",
    "gantt_figure",
    "plan_display",
    "plan_start",
    "plan_status",
    "plan_summary",
]

#: The status of an activity on a given day, in display order.
STATES = ("done_on_time", "done_late", "late", "open", "cancelled")

_COLOURS = {
    "done_on_time": "#2ca02c",
    "done_late": "#bcbd22",
    "late": "#d62728",
    "open": "#1f77b4",
    "cancelled": "#c7c7c7",
}
# Month words as Norwegian (bokmål and nynorsk) and English plans write them.
_MONTHS = {
    1: ("jan", "januar", "january"),
    2: ("feb", "febr", "februar", "february"),
    3: ("mar", "mars", "march"),
    4: ("apr", "april"),
    5: ("mai", "may"),
    6: ("jun", "juni", "june"),
    7: ("jul", "juli", "july"),
    8: ("aug", "august"),
    9: ("sep", "sept", "september"),
    10: ("okt", "oct", "oktober", "october"),
    11: ("nov", "november"),
    12: ("des", "dec", "desember", "december"),
}
_MONTH_WORDS = {word: month for month, words in _MONTHS.items() for word in words}
_WORD = re.compile(r"[a-zæøå]+")
_WEEK = re.compile(r"\b(?:uke|veke|week|wk|u)\.?\s*(\d{1,2})\b")
_FALLBACK = pd.Timedelta(days=14)


def _day(value: object) -> pd.Timestamp:
    day = pd.Timestamp(value)
    if pd.isna(day):
        raise ValueError("today must be a date")
    return day.normalize()


def plan_start(when: object, deadline: object) -> pd.Timestamp:
    """The planned start of an activity, from the plan's *when* wording and its deadline.

    The first month named (``"JAN/FEB"`` → January, ``"Februar–mars"`` → February) gives the
    first day of that month, in the latest year that is not after the deadline (so ``"DES"``
    before a January deadline is December of the year before). A week (``"Uke 10"``) gives
    the Monday of that ISO week. Anything else falls back to 14 days before the deadline.

    Parameters
    ----------
    when : str
        The plan's *when* column (``når``).
    deadline : date-like

    Returns
    -------
    pandas.Timestamp

    Examples
    --------
    >>> plan_start("JAN/FEB", "2018-02-28").date()
    datetime.date(2018, 1, 1)
    >>> plan_start("DES", "2019-01-10").date()
    datetime.date(2018, 12, 1)
    >>> plan_start("Uke 10", "2018-03-09").date()
    datetime.date(2018, 3, 5)
    >>> plan_start("", "2018-03-09").date()
    datetime.date(2018, 2, 23)
    """
    deadline = _day(deadline)
    text = "" if when is None or pd.isna(when) else str(when).lower()
    for word in _WORD.findall(text):
        month = _MONTH_WORDS.get(word)
        if month is not None:
            start = pd.Timestamp(deadline.year, month, 1)
            return start if start <= deadline else pd.Timestamp(deadline.year - 1, month, 1)
    week = _WEEK.search(text)
    if week and 1 <= int(week.group(1)) <= 53:
        for year in (deadline.year, deadline.year - 1):
            try:
                start = pd.Timestamp.fromisocalendar(year, int(week.group(1)), 1)
            except ValueError:  # week 53 in a year with 52
                continue
            if start <= deadline:
                return start
    return deadline - _FALLBACK


def plan_status(plan: pd.DataFrame, today: object) -> pd.DataFrame:
    """The status of every activity on ``today``, and how many days late it is or was.

    ``state`` is one of :data:`STATES`:

    * ``done_on_time`` — done on or before the deadline;
    * ``done_late`` — done after the deadline;
    * ``late`` — still planned and the deadline has passed (the deadline day itself is not
      late);
    * ``open`` — still planned, deadline today or ahead;
    * ``cancelled``.

    ``days_late`` is the days from the deadline to the done date (0 when on time) for done
    activities, to ``today`` for late ones, 0 for open ones, and ``<NA>`` for cancelled ones.

    The plan is judged as it stood on ``today``: an activity whose done date is after
    ``today`` was not done yet, so it counts as late or open. (A cancellation has no date; it
    counts whatever ``today`` is.)

    Parameters
    ----------
    plan : pandas.DataFrame
        A validated progress plan (:func:`bti_workbench.ingest.readers.read_progress_plan`).
    today : date-like
        The day to judge the plan on.

    Returns
    -------
    pandas.DataFrame
        The plan's rows in order with ``start`` (:func:`plan_start`), ``state`` and
        ``days_late`` added.

    Examples
    --------
    >>> plan = pd.DataFrame({
    ...     "activity": ["A1", "A2", "A3"], "when": ["JAN", "FEB", "MARS"],
    ...     "deadline": pd.to_datetime(["2018-01-20", "2018-02-20", "2018-03-20"]),
    ...     "status": ["done", "planned", "planned"],
    ...     "done_date": pd.to_datetime(["2018-01-25", None, None])})
    >>> s = plan_status(plan, "2018-03-01")
    >>> s["state"].tolist(), s["days_late"].tolist()
    (['done_late', 'late', 'open'], [5, 9, 0])
    """
    missing = {"activity", "when", "deadline", "status", "done_date"} - set(plan.columns)
    if missing:
        raise ValueError(f"the plan needs the columns {sorted(missing)}")
    today = _day(today)
    out = plan.copy()
    deadline = pd.to_datetime(out["deadline"]).dt.normalize()
    done_date = pd.to_datetime(out["done_date"]).dt.normalize()
    status = out["status"].astype(str)
    unknown = sorted(set(status) - {"planned", "done", "cancelled"})
    if unknown:
        raise ValueError(f"unknown status {unknown}; use planned, done or cancelled")
    if (status.eq("done") & done_date.isna()).any():
        raise ValueError("an activity with status done needs a done_date")
    if deadline.isna().any():
        raise ValueError("every activity needs a deadline")
    out["start"] = [plan_start(w, d) for w, d in zip(out["when"], deadline, strict=True)]
    done = status.eq("done") & (done_date <= today)
    state = np.select(
        [
            status.eq("cancelled"),
            done & (done_date <= deadline),
            done,
            deadline < today,
        ],
        ["cancelled", "done_on_time", "done_late", "late"],
        default="open",
    )
    days = pd.Series(0, index=out.index, dtype="Int64")
    days[done] = (done_date[done] - deadline[done]).dt.days.clip(lower=0).astype("Int64")
    late = state == "late"
    days[late] = (today - deadline[late]).dt.days.astype("Int64")
    days[state == "cancelled"] = pd.NA
    out["state"] = state
    out["days_late"] = days
    return out


def plan_summary(
    plan: pd.DataFrame, today: object, by: Sequence[str] = ("responsible", "phase")
) -> pd.DataFrame:
    """Activities per status, by responsible role and phase.

    The counts are *not* passed through :func:`bti_workbench.privacy.suppress_small`, by
    choice: they count activities of a plan that is published row by row (the plan table,
    and the Gantt chart, show every activity with its status), not people or cases. Hiding a
    small count here would hide nothing a reader cannot read off the plan itself. The
    ``responsible`` column holds roles, never names (see the contract).

    Parameters
    ----------
    plan : pandas.DataFrame
        A validated progress plan.
    today : date-like
    by : sequence of str, default ("responsible", "phase")
        Plan columns to group by; ``()`` gives one row for the whole plan.

    Returns
    -------
    pandas.DataFrame
        One row per group; a column per state of :data:`STATES` (zeros included), ``total``
        and ``days_late`` (the sum over late and done-late activities).

    Examples
    --------
    >>> plan = pd.DataFrame({
    ...     "activity": ["A1", "A2", "A3"], "when": ["JAN", "FEB", "MARS"],
    ...     "deadline": pd.to_datetime(["2018-01-20", "2018-02-20", "2018-03-20"]),
    ...     "status": ["done", "planned", "planned"],
    ...     "done_date": pd.to_datetime(["2018-01-25", None, None]),
    ...     "responsible": ["Prosjektleder", "Prosjektleder", "Rektor"], "phase": [2, 2, 3]})
    >>> plan_summary(plan, "2018-03-01", by=["responsible"])[["done_late", "late", "total"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                   done_late  late  total
    responsible
    Prosjektleder          1     1      2
    Rektor                 0     0      1
    """
    by = list(by)
    missing = [c for c in by if c not in plan.columns]
    if missing:
        raise ValueError(f"cannot group by {missing}: not plan columns")
    status = plan_status(plan, today)
    if by:
        counts = pd.crosstab([status[c] for c in by], status["state"])
    else:
        counts = status["state"].value_counts().to_frame().T.rename(index={"count": "all"})
    counts = counts.reindex(columns=list(STATES), fill_value=0).astype("int64")
    counts.columns.name = None
    counts["total"] = counts.sum(axis=1)
    late = status["state"].isin(["late", "done_late"])
    if by:
        lateness = status[late].groupby(by)["days_late"].sum()
        counts["days_late"] = lateness.reindex(counts.index, fill_value=0).astype("int64")
    else:
        counts["days_late"] = int(status.loc[late, "days_late"].sum())
    return counts


def plan_display(summary: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """The counts of :func:`plan_summary` as a reader sees them.

    The groups become columns named from the catalogue (a phase by its name), the states
    and totals get their names in ``lang``, and numbers are written as ``lang`` writes them.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`plan_summary`, grouped by any plan columns (or none).
    lang : {"nb", "en"}

    Returns
    -------
    pandas.DataFrame
        Text cells, no index.

    Examples
    --------
    >>> plan = pd.DataFrame({
    ...     "activity": ["A1", "A2", "A3"], "when": ["JAN", "FEB", "MARS"],
    ...     "deadline": pd.to_datetime(["2018-01-20", "2018-02-20", "2018-03-20"]),
    ...     "status": ["done", "planned", "planned"],
    ...     "done_date": pd.to_datetime(["2018-01-25", None, None]),
    ...     "responsible": ["Prosjektleder", "Prosjektleder", "Rektor"], "phase": [2, 2, 3]})
    >>> table = plan_display(plan_summary(plan, "2018-03-01", by=["phase", "responsible"]), "en")
    >>> table.columns.tolist()[:4]
    ['Phase', 'Responsible', 'Done on time', 'Done after the deadline']
    >>> table.iloc[0, :2].tolist(), table.iloc[0, -2:].tolist()
    (['Phase 2: implementation in the units', 'Prosjektleder'], ['2', '14'])
    """
    groups = [name for name in summary.index.names if name is not None]
    out = pd.DataFrame(index=range(len(summary)))
    for name in groups:
        values = summary.index.get_level_values(name)
        out[label(f"column.progress_plan.{name}", lang)] = [
            _phase_name(v, lang) if name == "phase" else ("" if pd.isna(v) else str(v))
            for v in values
        ]
    columns = {state: f"plan.state.{state}" for state in STATES}
    columns |= {"total": "rep.total", "days_late": "tab.ev.plan.days_late"}
    for column, key in columns.items():
        if column in summary.columns:
            out[label(key, lang)] = [format_number(v, lang) for v in summary[column]]
    return out


def _phase_name(phase: object, lang: str) -> str:
    if pd.isna(phase):
        return label("plan.phase.none", lang)
    return label(f"plan.phase.{int(phase)}", lang)


def _short(text: object, width: int = 48) -> str:
    text = "" if text is None or pd.isna(text) else " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def gantt_figure(plan: pd.DataFrame, today: object, lang: str = "nb") -> go.Figure:
    """Gantt chart of the plan: one bar per activity, coloured by its status on ``today``.

    Each bar runs from the planned start (:func:`plan_start`) to the deadline; activities are
    grouped by phase (in order of start within a phase), done activities carry a mark on the
    done date, and a vertical line marks ``today``.

    Parameters
    ----------
    plan : pandas.DataFrame
        A validated progress plan.
    today : date-like
    lang : {"nb", "en"}

    Examples
    --------
    >>> plan = pd.DataFrame({
    ...     "activity": ["A1", "A2"], "when": ["JAN", "FEB/MARS"], "what": ["Kick-off", "Møte"],
    ...     "deadline": pd.to_datetime(["2018-01-20", "2018-03-20"]),
    ...     "status": ["done", "planned"], "done_date": pd.to_datetime(["2018-01-18", None]),
    ...     "phase": [2, 2]})
    >>> fig = gantt_figure(plan, "2018-03-01", "en")
    >>> [trace.name for trace in fig.data if trace.showlegend is not False]
    ['Done on time', 'Open (deadline ahead)', 'Done date']
    """
    today = _day(today)
    status = plan_status(plan, today)
    phase = status["phase"] if "phase" in status.columns else pd.Series(np.nan, status.index)
    status = status.assign(_phase=phase.astype("Float64"))
    status = status.sort_values(["_phase", "start", "deadline"], na_position="last", kind="stable")
    what = status["what"] if "what" in status.columns else pd.Series("", index=status.index)
    names = [f"{a} {_short(w)}".strip() for a, w in zip(status["activity"], what, strict=True)]
    phases = [_phase_name(p, lang) for p in status["_phase"]]
    status = status.assign(_y0=phases, _y1=names)
    hover = _hover(status, lang)
    fig = go.Figure()
    # An invisible first trace fixes the order of the rows: phases, then start within a phase.
    fig.add_trace(
        go.Scatter(
            x=status["start"].dt.strftime("%Y-%m-%d").tolist(),
            y=[phases, names],
            mode="markers",
            marker={"opacity": 0},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    for state in STATES:
        rows = status["state"] == state
        if not rows.any():
            continue
        part = status[rows]
        fig.add_trace(
            go.Bar(
                base=part["start"].dt.strftime("%Y-%m-%d").tolist(),
                # Bar lengths on a date axis are in milliseconds; a deadline day counts whole.
                x=((part["deadline"] - part["start"]).dt.days + 1) * 86_400_000,
                y=[part["_y0"].tolist(), part["_y1"].tolist()],
                orientation="h",
                name=label(f"plan.state.{state}", lang),
                marker_color=_COLOURS[state],
                hovertext=hover[rows].tolist(),
                hoverinfo="text",
            )
        )
    finished = status["state"].isin(["done_on_time", "done_late"])
    done = status[finished]
    if len(done):
        fig.add_trace(
            go.Scatter(
                x=done["done_date"].dt.strftime("%Y-%m-%d").tolist(),
                y=[done["_y0"].tolist(), done["_y1"].tolist()],
                mode="markers",
                name=label("plan.done_date", lang),
                marker={"symbol": "diamond", "color": "#333333", "size": 8},
                hovertext=hover[finished].tolist(),
                hoverinfo="text",
            )
        )
    span = _time_span(status, today)
    _mark_today(fig, today, span, lang)
    fig.update_layout(
        title=label("plan.figure_title", lang),
        barmode="overlay",
        xaxis={
            "type": "date",
            "title": label("plan.date_axis", lang),
            "range": span,
            "tickformat": month_tickformat(lang),
        },
        yaxis={"autorange": "reversed", "automargin": True, "title": None},
        legend={"orientation": "h", "y": -0.12},
        margin={"l": 10, "r": 10, "t": 60, "b": 60},
        height=160 + 28 * len(status),
    )
    return fig


def _time_span(status: pd.DataFrame, today: pd.Timestamp) -> list[str]:
    """The days the chart spans: the plan's, with ``today`` when it is near (else the bars
    of a plan long finished would shrink to a sliver beside years of empty axis)."""
    ends = pd.concat([status["deadline"], status["done_date"]]).dropna()
    first, last = status["start"].min(), ends.max()
    margin = pd.Timedelta(days=max(7, (last - first).days // 20))
    if first - pd.Timedelta(days=60) <= today <= last + pd.Timedelta(days=60):
        first, last = min(first, today), max(last, today)
    return [(first - margin).strftime("%Y-%m-%d"), (last + margin).strftime("%Y-%m-%d")]


def _mark_today(fig: go.Figure, today: pd.Timestamp, span: list[str], lang: str) -> None:
    """A dashed line on ``today`` when the chart spans it; else its date at the near edge."""
    text = f"{label('plan.today', lang)} {today.strftime('%d.%m.%Y')}"
    start, end = (pd.Timestamp(x) for x in span)
    if start <= today <= end:
        day = today.strftime("%Y-%m-%d")
        fig.add_shape(
            type="line", x0=day, x1=day, y0=0, y1=1, xref="x", yref="paper",
            line={"color": "#000000", "dash": "dash", "width": 1.5},
        )  # fmt: skip
        fig.add_annotation(
            x=day, y=1, xref="x", yref="paper", yanchor="bottom", showarrow=False, text=text
        )  # fmt: skip
        return
    after = today > end
    fig.add_annotation(
        x=1 if after else 0, y=1, xref="paper", yref="paper", yanchor="bottom",
        xanchor="right" if after else "left", showarrow=False,
        text=f"{text} →" if after else f"← {text}",
    )  # fmt: skip


def _hover(status: pd.DataFrame, lang: str) -> pd.Series:
    """Hover text per activity: what, who, responsible, dates, status."""

    def column(name: str) -> str:
        return label(f"column.progress_plan.{name}", lang)

    def date(value: object) -> str:
        return "" if pd.isna(value) else pd.Timestamp(value).strftime("%d.%m.%Y")

    texts = []
    for row in status.itertuples(index=False):
        lines = [f"<b>{row.activity}</b> {_short(getattr(row, 'what', ''), 80)}"]
        for name in ("who", "responsible"):
            value = getattr(row, name, None)
            if value is not None and pd.notna(value):
                lines.append(f"{column(name)}: {_short(value, 80)}")
        deadline = date(row.deadline)
        wording = getattr(row, "deadline_text", None)
        if wording is not None and pd.notna(wording) and str(wording).strip():
            deadline += f" ({_short(wording, 40)})"
        lines.append(f"{label('plan.start', lang)}: {date(row.start)}")
        lines.append(f"{column('deadline')}: {deadline}")
        if row.state in ("done_on_time", "done_late"):
            lines.append(f"{column('done_date')}: {date(row.done_date)}")
        state = label(f"plan.state.{row.state}", lang)
        if pd.notna(row.days_late) and row.days_late > 0:
            state += f", {label('plan.days_late', lang, days=int(row.days_late))}"
        lines.append(state)
        texts.append("<br>".join(lines))
    return pd.Series(texts, index=status.index)
