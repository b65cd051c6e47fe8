"""Kaplan–Meier curves for waiting times in BTI, with censoring and small-number protection.

Two questions from the logs: how long from a concern to the level-0 decision (Tromsø's
14-day target), and how long a baton log stays open. Cases still waiting at the period end
are *censored*, not dropped: :func:`time_to_level0_decision` and :func:`time_to_closing`
give one duration per concern or log with an event flag, :func:`km_table` estimates the
curve with statsmodels' ``SurvfuncRight`` and makes it publishable, and :func:`km_figure`
draws it.

How a curve is made publishable (see :func:`km_table`):

* **Cut** where fewer than ``k`` are at risk: a step when 1–4 people are at risk gives them
  away, so those rows are not shown at all.
* **Steps of at least k events.** The curve is shown only at grid days where at least ``k``
  events have gathered since the last shown value (or none at all), so no change of the curve
  stands for fewer than ``k`` people.
* **Counts through the gate.** Events per grid interval pass
  :func:`bti_workbench.privacy.suppress_small`; the events of each step form one table whose
  total (what the change of the curve tells) is its margin, so no hidden count follows from
  the curve.
* **At risk only where the curve is shown.** The number still followed after a day is
  published only on the days that close a step, and only when the people censored since
  the last published number are none or at least ``k``: the drop between two published
  numbers is then the steps' events (known from the curve) plus censored people who are
  not few, and gives back no hidden count.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

from bti_workbench.evaluation.eventarrays import DAY, EventLogLike, PeriodLike, indicator_arguments
from bti_workbench.privacy import DEFAULT_K, suppress_small
from bti_workbench.reference.labels import label

__all__ = ["KMTable", "km_figure", "km_table", "time_to_closing", "time_to_level0_decision"]

_COLOURS = ("#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b")
_DEFAULT_GRID = {"level0_decision": 7.0, "closing": 30.0}
_HIDDEN_MARK = "×"  # a count hidden so that no other one can be worked out
_CURVE = ["at_risk", "events", "survival", "ci_low", "ci_high"]
_SUMMARY = [
    "n",
    "median",
    "median_ci_low",
    "median_ci_high",
    "target_share",
    "target_ci_low",
    "target_ci_high",
]


@indicator_arguments
def time_to_level0_decision(event_log: EventLogLike, period: PeriodLike) -> pd.DataFrame:
    """Days from each concern raised in the period to its level-0 decision, censored.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log.
    period : (start, end)
        Dates, both inclusive: concerns raised in it, followed up to its last day.

    Returns
    -------
    pandas.DataFrame
        One row per concern: ``duration`` (calendar days from the concern's date to the
        decision's date) and ``event`` (True when decided by the period end; otherwise the
        duration runs to the period's last day and the row is censored). No identifiers.
        ``attrs["outcome"]`` is ``"level0_decision"``.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "event": ["concern_raised", "level0_decision", "concern_raised"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-01-12", "2018-01-20"])})
    >>> time_to_level0_decision(log, ("2018-01-01", "2018-01-31")).values.tolist()
    [[10.0, True], [11.0, False]]
    """
    log, (s, e) = event_log, period  # EventArrays and Window (see indicator_arguments)
    c = log.concerns
    sec, decided = c["sec"].to_numpy(), c["decided"].to_numpy()
    raised = (sec >= s) & (sec < e)
    event = decided < e
    end = np.where(event, decided // DAY, e // DAY - 1)
    out = pd.DataFrame({"duration": (end - sec // DAY).astype(float), "event": event})
    out = out[raised].reset_index(drop=True)
    out.attrs["outcome"] = "level0_decision"
    return out


@indicator_arguments
def time_to_closing(event_log: EventLogLike, period: PeriodLike) -> pd.DataFrame:
    """Days from each log opened in the period to its closing, censored, with its top level.

    Parameters
    ----------
    event_log : pandas.DataFrame
        A validated event log (needs ``level``).
    period : (start, end)
        Dates, both inclusive: logs opened in it, followed up to its last day.

    Returns
    -------
    pandas.DataFrame
        One row per log: ``duration`` (calendar days from opening to closing, or to the
        period's last day when still open: censored), ``event`` (closed by the period end)
        and ``level``, the highest level the log reached by its closing or the period end
        (strata 1, 2, 3). ``attrs["outcome"]`` is ``"closing"``.

    Notes
    -----
    The highest level is known only at the end, and a log that stays open longer has more
    time to move up: compare the strata as descriptions, not as effects of the level.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "a", "b"], "level": [1, 2, 2, 1],
    ...     "event": ["log_opened", "level_changed", "log_closed", "log_opened"],
    ...     "event_time": pd.to_datetime(["2018-01-02", "2018-02-01", "2018-03-01",
    ...                                   "2018-01-10"])})
    >>> time_to_closing(log, ("2018-01-01", "2018-06-30")).values.tolist()
    [[58.0, True, 2], [171.0, False, 1]]
    """
    log, (s, e) = event_log, period  # EventArrays and Window (see indicator_arguments)
    opened, closed = log.logs
    case = np.flatnonzero((opened >= s) & (opened < e))
    event = closed[case] < e
    end = np.where(event, closed[case] // DAY, e // DAY - 1)
    rows = log.in_log(log.case, log.sec) & (log.sec < e)
    top = pd.Series(log.level[rows]).groupby(log.case[rows]).max()
    level = top.reindex(case).to_numpy()
    out = pd.DataFrame(
        {
            "duration": (end - opened[case] // DAY).astype(float),
            "event": event,
            "level": level.astype(np.int64),
        }
    )
    out.attrs["outcome"] = "closing"
    return out


@dataclass(frozen=True)
class KMTable:
    """A Kaplan–Meier table ready to publish.

    Attributes
    ----------
    curve : pandas.DataFrame
        Index (``stratum``, ``day``); columns ``at_risk`` (number still waiting and followed
        after the day, the ones at risk for what comes next), ``events`` (in the grid interval
        ending that day), ``survival`` and its pointwise interval ``ci_low``, ``ci_high``.
        Rows with fewer than ``k`` at risk at the start of the day are cut; hidden counts are
        NaN; the survival, and with it ``at_risk``, is NaN on days inside a step (see
        :func:`km_table`).
    hidden : pandas.DataFrame
        ``at_risk`` and ``events``: True where the count is hidden.
    marks : pandas.DataFrame
        What a hidden count shows instead (``<k`` or ``×``).
    summary : pandas.DataFrame
        Index ``stratum``: ``n``, the median days with its interval, and the share with the
        event within ``target_days`` (1 − S(target)) with its interval; NaN where hidden or
        not estimable.
    k, grid_days, target_days, confidence : numbers
    outcome : str
        ``"level0_decision"``, ``"closing"`` or ``""``.
    by : str or None
        The stratifying column.
    """

    curve: pd.DataFrame
    hidden: pd.DataFrame
    marks: pd.DataFrame
    summary: pd.DataFrame
    k: int
    grid_days: float
    target_days: float
    confidence: float
    outcome: str
    by: str | None

    def formatted(self, lang: str = "nb", digits: int = 1) -> pd.DataFrame:
        """Text for a table: counts (marks where hidden), survival in per cent with interval."""
        dec = "," if lang == "nb" else "."

        def pct(v: float) -> str:
            return f"{100 * v:.{digits}f}".replace(".", dec)

        out = pd.DataFrame(index=self.curve.index)
        for column in ("at_risk", "events"):
            values = self.curve[column]
            out[column] = [
                mark if hide else f"{int(v)}"
                for v, hide, mark in zip(
                    values, self.hidden[column], self.marks[column], strict=True
                )
            ]
        shown = self.curve["survival"].notna()
        out["survival"] = np.where(shown, [f"{pct(v)} %" for v in self.curve["survival"]], "")
        out["ci"] = np.where(
            shown,
            [
                f"{pct(lo)}–{pct(hi)}"
                for lo, hi in zip(self.curve["ci_low"], self.curve["ci_high"], strict=True)
            ],
            "",
        )
        return out

    def stratum_name(self, stratum: object, lang: str = "nb") -> str:
        """A display name for a stratum (``Alle``/``All``, ``Høyeste nivå 2`` …)."""
        if self.by is None:
            return label("ind.km.all", lang)
        if self.by == "level":
            return label("ind.km.level", lang, level=stratum)
        return f"{self.by} {stratum}"


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _loglog_interval(surv: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise interval on the log(−log S) scale (stays inside 0–1, as in Stata)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.exp(z * se / (surv * np.abs(np.log(surv))))
        low, high = surv**scale, surv ** (1 / scale)
    inside = (surv > 0) & (surv < 1) & np.isfinite(scale)
    low = np.where(inside, low, surv)
    high = np.where(inside, high, surv)
    return low, high


def _fit(duration: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """statsmodels' Kaplan–Meier: event times, survival and Greenwood standard errors."""
    if not event.any():
        empty = np.zeros(0)
        return empty, empty, empty
    fit = SurvfuncRight(duration, event.astype(int))
    se = np.nan_to_num(np.asarray(fit.surv_prob_se, dtype=float), nan=0.0)
    return np.asarray(fit.surv_times, float), np.asarray(fit.surv_prob, float), se


def _curve_median(times: np.ndarray, surv: np.ndarray) -> float:
    """The median of a Kaplan–Meier curve, NaN when the curve does not fall below one half.

    The first event time where the curve is below one half; where it is exactly one half
    between two event times, the middle of that stretch (the convention of R's ``survfit``
    and SAS's ``LIFETEST``; statsmodels' ``quantile`` takes the later time instead).
    """
    half = np.isclose(surv, 0.5, rtol=0.0, atol=1e-12)
    below = np.flatnonzero((surv < 0.5) & ~half)
    if not len(below):
        return np.nan
    j = below[0]
    if j > 0 and half[j - 1]:  # the curve falls only at event times: one at exactly 0.5
        return float((times[j - 1] + times[j]) / 2)
    return float(times[j])


def _median(
    duration: np.ndarray, event: np.ndarray, alpha: float, k: int
) -> tuple[float, float, float]:
    """Median and its interval (cloglog, Brookmeyer–Crowley), hidden where < k are at risk.

    The interval inverts the pointwise log(−log) test of S(t) = 1/2 (SAS's method, as
    statsmodels' ``quantile_ci``): from the first event time where the curve's pointwise
    interval reaches down to one half to the first where it lies wholly below. An upper
    limit the data never reach is NaN, as is a limit with fewer than ``k`` at risk.
    """
    if not event.any():
        return np.nan, np.nan, np.nan
    fit = SurvfuncRight(duration, event.astype(int))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        median = _curve_median(np.asarray(fit.surv_times, float), np.asarray(fit.surv_prob))
        low, high = (float(v) for v in fit.quantile_ci(0.5, alpha=alpha, method="cloglog"))

    def shown(t: float) -> float:
        if not np.isfinite(t) or np.count_nonzero(duration >= t) < k:
            return np.nan
        return t

    return shown(median), shown(low), shown(high)


def _steps(events: np.ndarray, k: int) -> list[tuple[int, int, bool]]:
    """Split grid rows into steps ``(first, last, closed)`` of 0 or at least ``k`` events.

    A step closes at the first row where its events reach ``k`` (or at once when it has
    none); rows left at the end with 1 to k − 1 events form an open step.
    """
    steps, first, total = [], 0, 0
    for j, n in enumerate(events):
        total += int(n)
        if total == 0 or total >= k:
            steps.append((first, j, True))
            first, total = j + 1, 0
    if first < len(events):
        steps.append((first, len(events) - 1, False))
    return steps


def _published_at_risk(censored: np.ndarray, closes: np.ndarray, k: int) -> np.ndarray:
    """Rows whose at-risk number may be shown, given the cumulative censored counts.

    A reader who has two shown numbers (or ``n`` and the first) and the curve's step totals
    gets the people censored in between. So a number is shown only on a row that closes a
    step and when the censored since the last shown number (``n`` before the first) are 0
    or at least ``k``; otherwise it is hidden and the censored add up to the next row.
    """
    shown = np.zeros(len(closes), dtype=bool)
    last = 0  # censored up to the last shown number; none before the start (n)
    for j in np.flatnonzero(closes):
        between = int(censored[j]) - last
        if between == 0 or between >= k:
            shown[j], last = True, int(censored[j])
    return shown


def _stratum_curve(
    duration: np.ndarray,
    event: np.ndarray,
    grid: np.ndarray,
    k: int,
    z: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    order = np.sort(duration)
    entering = len(duration) - np.searchsorted(order, grid, side="left")  # duration ≥ day
    at_risk = len(duration) - np.searchsorted(order, grid, side="right")  # duration > day
    cumulative = np.searchsorted(np.sort(duration[event]), grid, side="right")
    censored = np.searchsorted(np.sort(duration[~event]), grid, side="right")
    events = np.diff(cumulative, prepend=0)
    keep = entering >= k  # a prefix: ``entering`` never grows
    grid, at_risk, events = grid[keep], at_risk[keep], events[keep]
    cumulative, censored = cumulative[keep], censored[keep]
    times, surv, se = _fit(duration, event)
    idx = np.searchsorted(times, grid, side="right") - 1
    s = np.where(idx >= 0, surv[np.maximum(idx, 0)] if len(surv) else 1.0, 1.0)
    s_se = np.where(idx >= 0, se[np.maximum(idx, 0)] if len(se) else 0.0, 0.0)
    low, high = _loglog_interval(s, s_se, z)
    curve = pd.DataFrame(
        {
            "at_risk": at_risk.astype(float),
            "events": events.astype(float),
            "survival": s,
            "ci_low": low,
            "ci_high": high,
            "cumulative": cumulative,
        },
        index=pd.Index(grid, name="day"),
    )
    hidden = pd.DataFrame(False, index=curve.index, columns=["at_risk", "events"])
    marks = pd.DataFrame("", index=curve.index, columns=["at_risk", "events"])
    if curve.empty:
        return curve, hidden, marks
    survival_shown = np.zeros(len(curve), dtype=bool)
    for first, last, closed in _steps(events, k):
        rows = curve.index[first : last + 1]
        step = suppress_small(pd.Series(events[first : last + 1], index=rows), k, allow_zero=True)
        is_hidden = step.hidden.iloc[:-1, 0].to_numpy()  # without the margin row
        hidden.loc[rows, "events"] = is_hidden
        marks.loc[rows, "events"] = np.where(
            is_hidden, step.formatted("en").iloc[:-1, 0].to_numpy(), ""
        )
        survival_shown[last] = closed
    # At risk: only where the curve is shown and the censored in between are not few; the
    # rest is "×". What is left passes the gate (after the day only the last row can be < k).
    candidate = _published_at_risk(censored, survival_shown, k)
    at_risk_hidden = ~candidate
    at_risk_marks = np.full(len(curve), _HIDDEN_MARK, dtype=object)
    if candidate.any():
        rows = curve.index[candidate]
        gate = suppress_small(pd.Series(at_risk[candidate], index=rows), k, margins=False)
        at_risk_hidden[candidate] = gate.hidden.iloc[:, 0].to_numpy()
        at_risk_marks[candidate] = gate.formatted("en").iloc[:, 0].to_numpy()
    hidden["at_risk"] = at_risk_hidden
    marks["at_risk"] = np.where(at_risk_hidden, at_risk_marks, "")
    curve.loc[at_risk_hidden, "at_risk"] = np.nan
    curve.loc[hidden["events"].to_numpy(), "events"] = np.nan
    curve.loc[~survival_shown, ["survival", "ci_low", "ci_high"]] = np.nan
    return curve, hidden, marks


def km_table(
    durations: pd.DataFrame,
    *,
    by: str | None = None,
    k: int = DEFAULT_K,
    grid_days: float | None = None,
    target_days: float = 14,
    confidence: float = 0.95,
) -> KMTable:
    """Kaplan–Meier estimates on a coarse grid, ready to publish.

    The curve is statsmodels' ``SurvfuncRight`` (Kaplan–Meier with right censoring) read on
    grid days 0, ``grid_days``, 2 × ``grid_days`` … (and ``target_days``), with a pointwise
    interval on the log(−log) scale from Greenwood's variance. Small numbers are protected:

    * Rows where fewer than ``k`` are at risk are cut (a step from 1–4 people gives them
      away); the curve simply ends there.
    * The survival is shown only at the grid days that close a *step*: a run of grid
      intervals with no event, or with at least ``k`` events together. On the days inside a
      step it is NaN (a change in the curve would count fewer than ``k`` people), and after
      the last closed step the curve stops.
    * ``events`` per interval pass :func:`suppress_small` step by step, with the step's
      total as the margin, zeros shown.
    * ``at_risk`` (still waiting after the day) is shown only on the days where the survival
      is, and only when the people censored since the last shown number (or since the start,
      against ``n``) are none or at least ``k``: the drop between two shown numbers is the
      events of the steps between plus those censored, so a small censored count would
      follow from it. Elsewhere it is NaN, marked ``×``; the shown numbers pass
      :func:`suppress_small`. A hidden count can therefore not be worked out from the table.

    The summary gives per stratum ``n`` (hidden below ``k``), the median (the first day the
    curve is below one half, or the middle of a stretch where it is exactly one half, as in R
    and SAS) with a Brookmeyer–Crowley interval (the pointwise log(−log) test inverted, as in
    SAS; NaN where not reached or fewer than ``k`` at risk),
    and 1 − S(``target_days``), the share with the event within the target (e.g. decided
    within 14 days), with its interval; shown only when the target day closes a step and at
    least ``k`` events came by then.

    Parameters
    ----------
    durations : pandas.DataFrame
        Columns ``duration`` (days, ≥ 0) and ``event`` (bool), e.g. from
        :func:`time_to_level0_decision` or :func:`time_to_closing`.
    by : str, optional
        A column to stratify on (``"level"`` for closing).
    k : int, default 5
    grid_days : float, optional
        Grid step; by default 7 (weekly) for the level-0 question and 30 for closing, from
        ``durations.attrs["outcome"]``, else 7.
    target_days : float, default 14
    confidence : float, default 0.95

    Returns
    -------
    KMTable
        Empty (no rows, the same columns) when ``durations`` has no rows.

    Examples
    --------
    >>> d = pd.DataFrame({"duration": [3.0] * 6 + [10.0] * 6 + [30.0] * 8,
    ...                   "event": [True] * 12 + [False] * 8})
    >>> t = km_table(d, grid_days=7)
    >>> t.curve["survival"].round(3).tolist()
    [1.0, 0.7, 0.4, 0.4, 0.4]
    >>> t.curve["at_risk"].tolist()  # still waiting after days 0, 7, 14, 21 and 28
    [20.0, 14.0, 8.0, 8.0, 8.0]
    >>> round(float(t.summary.loc["all", "target_share"]), 3)
    0.6
    """
    missing = {"duration", "event"} - set(durations.columns)
    if missing:
        raise ValueError(f"durations needs the columns {sorted(missing)}")
    if by is not None and by not in durations.columns:
        raise ValueError(f"durations has no column {by!r} to stratify on")
    duration = pd.to_numeric(durations["duration"]).to_numpy(dtype=float)
    if np.isnan(duration).any() or (duration < 0).any():
        raise ValueError("durations must be non-negative numbers")
    event = durations["event"].astype(bool).to_numpy()
    outcome = str(durations.attrs.get("outcome", ""))
    grid_days = float(grid_days or _DEFAULT_GRID.get(outcome, 7.0))
    if grid_days <= 0:
        raise ValueError("grid_days must be positive")
    z = _z(confidence)
    strata = (
        pd.Series(["all"] * len(duration)) if by is None else durations[by].reset_index(drop=True)
    )
    curves, hiddens, marks, summary = [], [], [], {}
    for stratum in sorted(strata.unique()):
        rows = (strata == stratum).to_numpy()
        d, ev = duration[rows], event[rows]
        grid = np.arange(0.0, d.max() + grid_days, grid_days)
        grid = np.unique(
            np.r_[grid[grid <= d.max()], [target_days] if target_days <= d.max() else []]
        )
        curve, hidden, mark = _stratum_curve(d, ev, grid, k, z)
        median = _median(d, ev, 1 - confidence, k)
        target = np.nan, np.nan, np.nan
        if target_days in curve.index:
            row = curve.loc[target_days]
            if pd.notna(row["survival"]) and row["cumulative"] >= k:
                target = 1 - row["survival"], 1 - row["ci_high"], 1 - row["ci_low"]
        n = float(len(d)) if len(d) >= k else np.nan
        summary[stratum] = [n, *median, *target]
        key = pd.MultiIndex.from_product([[stratum], curve.index], names=["stratum", "day"])
        curves.append(curve.drop(columns="cumulative").set_axis(key))
        hiddens.append(hidden.set_axis(key))
        marks.append(mark.set_axis(key))
    summary_frame = pd.DataFrame.from_dict(summary, orient="index", columns=_SUMMARY)
    summary_frame = summary_frame.astype(float)
    summary_frame.index.name = "stratum"
    if not curves:  # no durations: an empty table with the right columns
        empty = pd.MultiIndex.from_arrays([[], np.zeros(0)], names=["stratum", "day"])
        curves = [pd.DataFrame({c: np.zeros(0) for c in _CURVE}, index=empty)]
        hiddens = [pd.DataFrame({c: np.zeros(0, bool) for c in _CURVE[:2]}, index=empty)]
        marks = [pd.DataFrame({c: np.zeros(0, object) for c in _CURVE[:2]}, index=empty)]
    return KMTable(
        curve=pd.concat(curves),
        hidden=pd.concat(hiddens),
        marks=pd.concat(marks),
        summary=summary_frame,
        k=k,
        grid_days=grid_days,
        target_days=float(target_days),
        confidence=confidence,
        outcome=outcome,
        by=by,
    )


def km_figure(table: KMTable, lang: str = "nb", target_days: float | None = 14) -> go.Figure:
    """Step curves of a :class:`KMTable` with their intervals and the target line.

    Only what the table shows is drawn: each curve starts at 1 on day 0, steps at the days
    that close a step, and ends where the table cuts it. A table with no durations gives an
    empty figure noting ``n = 0``.

    Parameters
    ----------
    table : KMTable
    lang : {"nb", "en"}
    target_days : float or None, default 14
        A dashed vertical line at the target (Tromsø's 14 days); None for no line.

    Examples
    --------
    >>> d = pd.DataFrame({"duration": [3.0] * 6 + [10.0] * 6 + [30.0] * 8,
    ...                   "event": [True] * 12 + [False] * 8})
    >>> fig = km_figure(km_table(d, grid_days=7), "en")
    >>> [round(float(y), 3) for y in fig.data[-1].y]
    [1.0, 0.7, 0.4, 0.4, 0.4]
    """
    outcome = table.outcome if table.outcome in _DEFAULT_GRID else ""
    suffix = f".{outcome}" if outcome else ""
    fig = go.Figure()
    strata = table.curve.index.get_level_values("stratum").unique()
    for i, stratum in enumerate(strata):
        rows = table.curve.xs(stratum, level="stratum")
        rows = rows[rows["survival"].notna()]
        days = rows.index.to_numpy(dtype=float)
        surv = rows["survival"].to_numpy()
        low, high = rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy()
        if len(days) == 0 or days[0] > 0:
            days, surv = np.r_[0.0, days], np.r_[1.0, surv]
            low, high = np.r_[1.0, low], np.r_[1.0, high]
        colour = _COLOURS[i % len(_COLOURS)]
        name = table.stratum_name(stratum, lang)
        common = {"x": days, "line_shape": "hv", "legendgroup": name, "hoverinfo": "skip"}
        fig.add_trace(
            go.Scatter(y=high, mode="lines", line={"width": 0}, showlegend=False, **common)
        )
        fig.add_trace(
            go.Scatter(
                y=low,
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor=_rgba(colour, 0.18),
                showlegend=False,
                **common,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=days,
                y=surv,
                mode="lines",
                line_shape="hv",
                line={"color": colour, "width": 2},
                name=name,
                legendgroup=name,
                hovertemplate="%{x}: %{y:.1%}<extra>" + name + "</extra>",
            )
        )
    if not len(strata):
        fig.add_annotation(
            text="n = 0",
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            showarrow=False,
            font={"size": 16, "color": "#555"},
        )
    if target_days is not None:
        fig.add_vline(
            x=target_days,
            line_dash="dash",
            line_color="#444",
            annotation_text=label("ind.km.target", lang, days=f"{target_days:g}"),
            annotation_position="top right",
        )
    fig.update_layout(
        title=label(f"ind.km.title{suffix}", lang),
        xaxis_title=label("ind.km.x", lang),
        yaxis_title=label(f"ind.km.y{suffix}", lang),
        yaxis={"range": [0, 1.02], "tickformat": ".0%"},
        margin={"l": 50, "r": 10, "t": 50, "b": 70},
        height=400,
    )
    fig.add_annotation(
        text=label("ind.km.note", lang, k=table.k),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.22,
        showarrow=False,
        font={"size": 11, "color": "#555"},
        xanchor="left",
    )
    return fig


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
