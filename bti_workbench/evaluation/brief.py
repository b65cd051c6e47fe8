"""The one-page brief for the chief executive or the council (``bti report brief``).

Ibestad's council asked for regular reporting to the political level. The brief answers four
questions for one municipality and one period, in plain words:

1. **Where do we stand?** New baton logs in the period, and the shares of
   :data:`BRIEF_INDICATORS` (from :func:`~bti_workbench.evaluation.indicator_table`), each
   share with its Wilson 95 % interval.
2. **How did it go month by month?** New logs per calendar month, the period and the one
   before it (:func:`~bti_workbench.evaluation.brief_display.trend_figure`); a hidden
   month is a gap marked ``<k`` or ``×``.
3. **What changed against the previous period of equal length?** (:func:`previous_period`:
   the same number of calendar months just before, or the same number of days when the
   period is not whole months.) The difference of each share with Newcombe's interval, and
   the relative change in new logs with the score interval of the ratio of two Poisson rates
   (see :func:`rate_ratio`). There is no comparison when the data do not cover the whole
   previous period (``"no_data"``), or when it began before the municipality's go-live
   (``"before_go_live"``): before go-live the logs were a trial, not the model in use.
4. **What needs a decision?** The rules below, each a short sentence from the catalogue.

This module computes the brief as plain data (:class:`Brief`, :func:`build_brief`);
:mod:`bti_workbench.evaluation.brief_display` writes it in a language.

Decision rules
--------------
A rule looks only at figures that are shown: a hidden count (below ``k``, or hidden to
protect one) neither fires a rule nor silences it, and the brief says how many checks could
not be made. The rules, in the order the brief lists them:

* ``target`` — a share with a target in ``targets`` whose whole 95 % Wilson interval lies on
  the wrong side of it (below an "at least" target, above an "at most" one). The defaults
  (:data:`TARGETS`): at least 50 % of concerns decided at level 0 within 14 days (Tromsø's
  14-day target read as the median wait, as the dashboard's status page flags it), and at
  most 20 % of participants leaving the log unread for 14 days (the workbench's choice of
  "many unread logs": BTI sets no figure; pass your own).
* ``worse`` — a share of :data:`BRIEF_INDICATORS` that changed for the worse against a
  comparable previous period, with the whole Newcombe interval of the difference on the bad
  side of 0 (below it where higher is better, above it where lower is better:
  :data:`BETTER`).
* ``fewer_logs`` — fewer new logs than in a comparable previous period, with the whole
  interval of the rate ratio below 1: the units may be dropping the model.
* ``plan_late`` — activities of the progress plan whose deadline had passed, not done, as
  the plan stood at the period's end (or today, if earlier):
  :func:`~bti_workbench.evaluation.plan_status` state ``late``. Plan rows are activities,
  not people, and are published row by row (see
  :func:`~bti_workbench.evaluation.plan_summary`), so they are not suppressed.

When no rule fires the brief says so. Every count in the brief passed
:func:`bti_workbench.privacy.suppress_small`: the shares through
:func:`~bti_workbench.evaluation.proportions.proportion_table`, the new logs per period as
one table of months and their total (the previous period's table apart; the sum over both
periods is never shown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from bti_workbench.evaluation.indicators import indicator_table
from bti_workbench.evaluation.progress_plan import plan_status
from bti_workbench.evaluation.proportions import (
    ProportionTable,
    newcombe_interval,
    wilson_interval,
)
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small
from bti_workbench.reference.municipality import Municipality

__all__ = [
    "BETTER",
    "BRIEF_INDICATORS",
    "COMPARISONS",
    "NEW_LOGS",
    "RULES",
    "TARGETS",
    "Brief",
    "Decision",
    "Target",
    "brief_period",
    "build_brief",
    "new_logs",
    "previous_period",
    "rate_ratio",
]

#: The shares of the brief, in order (ids of :data:`~bti_workbench.evaluation.INDICATORS`);
#: ``unread_logs`` only where the export records readings of the log.
BRIEF_INDICATORS = (
    "level0_decision_14d",
    "parents_participating",
    "young_person_participating",
    "unread_logs",
)
#: Which way each share of the brief is better.
BETTER = {
    "level0_decision_14d": "higher",
    "parents_participating": "higher",
    "young_person_participating": "higher",
    "unread_logs": "lower",
}
#: What a comparison with the previous period can be.
COMPARISONS = ("comparable", "no_data", "before_go_live")
#: The decision rules, in the order the brief lists what they find.
RULES = ("target", "worse", "fewer_logs", "plan_late")
#: The row of the new logs in :attr:`Brief.changes`.
NEW_LOGS = "new_logs"
_DAY = pd.Timedelta(days=1)


class Target(NamedTuple):
    """A target for a share: at least ``value`` (``better="higher"``) or at most it."""

    value: float
    better: str


#: The default targets of the ``target`` rule (see the module's notes): shares 0–1.
TARGETS: Mapping[str, Target] = {
    "level0_decision_14d": Target(0.5, "higher"),
    "unread_logs": Target(0.2, "lower"),
}


class Decision(NamedTuple):
    """What one rule found: the rule, the figure it is about and the numbers of its sentence.

    Attributes
    ----------
    rule : str
        One of :data:`RULES`.
    figure : str
        An id of :data:`BRIEF_INDICATORS`, ``"new_logs"``, or ``"plan"``.
    values : Mapping
        Shown numbers only (shares 0–1, counts, dates) and, for ``plan_late``, the late
        activities as ``(activity, what, deadline)`` tuples.
    """

    rule: str
    figure: str
    values: Mapping[str, object]


@dataclass(frozen=True, eq=False)
class Brief:
    """One municipality's brief: plain data, every count already through the gate.

    Attributes
    ----------
    municipality : Municipality
    period, previous : (pandas.Timestamp, pandas.Timestamp)
        The period of the brief and the one of equal length just before it (days included).
    comparison : str
        One of :data:`COMPARISONS`.
    go_live : pandas.Timestamp or None
        The municipality's go-live date, where the data know it.
    k : int
        Suppression threshold.
    indicators : ProportionTable
        The shares of :data:`BRIEF_INDICATORS` in the period (those the export allows).
    previous_indicators : ProportionTable or None
        The same rows for the previous period; None unless ``comparison`` is comparable.
    new_logs : SuppressedTable
        New logs per month of the period (rows: each month's first day in the period) and
        their ``total``.
    previous_new_logs : SuppressedTable or None
        The same for the previous period, where the data cover it (for the trend, even
        before go-live); None otherwise.
    changes : pandas.DataFrame
        Index ``new_logs`` then the indicator ids; columns ``kind`` (``count`` or
        ``share``), ``previous``, ``current``, ``change``, ``low``, ``high``. ``change``
        is the difference of shares (−1 to 1) or the relative change of the rate of new
        logs (ratio − 1); NaN wherever a count behind it is hidden or there is no
        comparison.
    decisions : tuple of Decision
        What the rules found, in the order of :data:`RULES`.
    unchecked : int
        Checks a rule could not make because the figure behind it is hidden.
    targets : Mapping of str to Target
    as_of : pandas.Timestamp
        The day the progress plan was judged on.
    synthetic : bool
        True when the data are synthetic.
    """

    municipality: Municipality
    period: tuple[pd.Timestamp, pd.Timestamp]
    previous: tuple[pd.Timestamp, pd.Timestamp]
    comparison: str
    go_live: pd.Timestamp | None
    k: int
    indicators: ProportionTable
    previous_indicators: ProportionTable | None
    new_logs: SuppressedTable
    previous_new_logs: SuppressedTable | None
    changes: pd.DataFrame
    decisions: tuple[Decision, ...]
    unchecked: int
    targets: Mapping[str, Target] = field(default_factory=lambda: dict(TARGETS))
    as_of: pd.Timestamp | None = None
    synthetic: bool = False

    @property
    def hidden_figures(self) -> int:
        """How many of the headline figures (new logs and the shares) are hidden."""
        hidden = int(bool(self.new_logs.hidden.loc["total"].iloc[0]))
        return hidden + int(self.indicators.hidden.any(axis=1).sum())

    @property
    def figures(self) -> int:
        """How many headline figures the brief has (new logs and the shares)."""
        return 1 + len(self.indicators.values)


# --------------------------------------------------------------------------------------------
# Periods


def _month_end(day: pd.Timestamp) -> pd.Timestamp:
    return day.to_period("M").end_time.normalize()


def _first_whole_month(first_day: pd.Timestamp) -> pd.Timestamp:
    """The first day of the first whole month from ``first_day`` on."""
    first_day = first_day.normalize()
    return first_day if first_day.day == 1 else _month_end(first_day) + _DAY


def brief_period(
    last_day: object, months: int = 6, first_day: object = None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The last ``months`` whole calendar months up to ``last_day``.

    Parameters
    ----------
    last_day : date-like
        The last day the data hold (the event log's last day). Its month counts only when
        it is the month's last day.
    months : int, default 6
    first_day : date-like, optional
        The first day the data hold: the period starts no earlier than the first whole
        month from it.

    Returns
    -------
    (pandas.Timestamp, pandas.Timestamp)
        The first and the last day, both included.

    Raises
    ------
    ValueError
        When ``months`` is below 1 or the data hold no whole month.

    Examples
    --------
    >>> [f"{d:%Y-%m-%d}" for d in brief_period("2020-06-29")]
    ['2019-12-01', '2020-05-31']
    >>> [f"{d:%Y-%m-%d}" for d in brief_period("2020-06-30", 6, "2020-02-10")]
    ['2020-03-01', '2020-06-30']
    """
    if months < 1:
        raise ValueError("months must be at least 1")
    last = pd.Timestamp(last_day).normalize()
    end = last if last == _month_end(last) else last.replace(day=1) - _DAY
    start = (end.to_period("M") - (months - 1)).start_time
    if first_day is not None:
        start = max(start, _first_whole_month(pd.Timestamp(first_day)))
    if start > end:
        raise ValueError("the data hold no whole calendar month")
    return start, end


def _whole_months(period: tuple[pd.Timestamp, pd.Timestamp]) -> int | None:
    """The number of calendar months of a period of whole months, else None."""
    start, end = period
    if start.day != 1 or end != _month_end(end):
        return None
    return (end.to_period("M") - start.to_period("M")).n + 1


def previous_period(period: tuple[object, object]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period of equal length just before ``period``.

    Whole calendar months give the same number of months before; any other period the same
    number of days.

    Examples
    --------
    >>> [f"{d:%Y-%m-%d}" for d in previous_period(("2020-01-01", "2020-06-30"))]
    ['2019-07-01', '2019-12-31']
    >>> [f"{d:%Y-%m-%d}" for d in previous_period(("2020-01-10", "2020-01-19"))]
    ['2019-12-31', '2020-01-09']
    """
    start, end = (pd.Timestamp(day).normalize() for day in period)
    before = start - _DAY
    months = _whole_months((start, end))
    if months is not None:
        return (before.to_period("M") - (months - 1)).start_time, before
    return before - (end - start), before


def _comparison(
    previous: tuple[pd.Timestamp, pd.Timestamp],
    first_day: pd.Timestamp,
    go_live: pd.Timestamp | None,
) -> str:
    if previous[0] < first_day.normalize():
        return "no_data"
    if go_live is not None and previous[0] < go_live:
        return "before_go_live"
    return "comparable"


# --------------------------------------------------------------------------------------------
# Counts and intervals


def new_logs(
    event_log: pd.DataFrame, period: tuple[object, object], k: int = DEFAULT_K
) -> SuppressedTable:
    """New baton logs in each calendar month of a period, and their total, suppressed.

    A month counts the cases with a ``log_opened`` on its days inside the period (a case
    once per month, as :func:`~bti_workbench.evaluation.monthly_counts` counts).

    Parameters
    ----------
    event_log : pandas.DataFrame
    period : (start, end)
        Dates, both days included.
    k : int, default 5

    Returns
    -------
    SuppressedTable
        Rows: the first day in the period of each month, and ``total``; one column ``n``.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": [f"c{i}" for i in range(9)], "event": "log_opened",
    ...     "event_time": pd.to_datetime(["2020-01-05"] * 6 + ["2020-02-03"] * 3)})
    >>> new_logs(log, ("2020-01-01", "2020-02-29")).formatted("en")["n"].tolist()  # 6 = 9 − 3
    ['×', '<5', '9']
    """
    start, end = (pd.Timestamp(day).normalize() for day in period)
    opened = event_log[event_log["event"] == "log_opened"]
    times = pd.to_datetime(opened["event_time"])
    inside = (times >= start) & (times < end + _DAY)
    months = times[inside].dt.to_period("M")
    pairs = pd.DataFrame({"case": opened.loc[inside, "case_id"].to_numpy(), "month": months})
    counts = pairs.drop_duplicates().groupby("month").size()
    every = pd.period_range(start, end, freq="M")
    counts = counts.reindex(every, fill_value=0).astype("int64")
    index = [max(start, month.start_time) for month in every]
    series = pd.Series(counts.to_numpy(), index=pd.DatetimeIndex(index, name="month"), name="n")
    return suppress_small(series, k)


def rate_ratio(
    previous: int, current: int, previous_days: float = 1.0, current_days: float = 1.0
) -> tuple[float, float, float]:
    """The ratio of two Poisson rates, current over previous, with its 95 % interval.

    Given the total, the current count is binomial with share
    ``r·t₂ / (r·t₂ + t₁)``; the Wilson interval of that share, turned back into a ratio,
    is the score interval of the ratio (the conditional method).

    Parameters
    ----------
    previous, current : int
        Counts of the previous and the current period.
    previous_days, current_days : float, default 1
        The lengths of the periods (exposure): the ratio is of counts per day.

    Returns
    -------
    (ratio, low, high)
        NaN when both counts are 0; the high bound is infinite when ``previous`` is 0.

    Examples
    --------
    >>> [round(v, 3) for v in rate_ratio(40, 60)]
    [1.5, 1.008, 2.232]
    """
    total = previous + current
    if total == 0:
        return (np.nan, np.nan, np.nan)
    exposure = previous_days / current_days
    low, high = (float(v) for v in wilson_interval(current, total))

    def odds(share: float) -> float:
        return np.inf if share >= 1 else share / (1 - share) * exposure

    ratio = np.inf if previous == 0 else current / previous * exposure
    return float(ratio), odds(low), odds(high)


def _days(period: tuple[pd.Timestamp, pd.Timestamp]) -> int:
    return (period[1] - period[0]).days + 1


def _total(table: SuppressedTable | None) -> float:
    """A period's total of new logs, NaN when hidden or absent."""
    if table is None or bool(table.hidden.loc["total"].iloc[0]):
        return np.nan
    return float(table.values.loc["total"].iloc[0])


def _changes(
    current: ProportionTable,
    previous: ProportionTable | None,
    logs: tuple[SuppressedTable | None, SuppressedTable],
    periods: tuple[tuple[pd.Timestamp, pd.Timestamp], tuple[pd.Timestamp, pd.Timestamp]],
) -> pd.DataFrame:
    """The change table of :class:`Brief` (NaN where hidden or not comparable)."""
    rows = {}
    before, now = _total(logs[0]), _total(logs[1])
    ratio = low = high = np.nan
    if not (np.isnan(before) or np.isnan(now)):
        ratio, low, high = rate_ratio(int(before), int(now), *(_days(p) for p in periods))
    rows[NEW_LOGS] = ("count", before, now, ratio - 1, low - 1, high - 1)
    for name in current.values.index:
        now_share = float(current.values.loc[name, "share"])
        before_share = change = low = high = np.nan
        if previous is not None and name in previous.values.index:
            before_share = float(previous.values.loc[name, "share"])
            if not (np.isnan(before_share) or np.isnan(now_share)):
                old, new = previous.raw.loc[name], current.raw.loc[name]
                change, low, high = newcombe_interval(
                    old["numerator"], old["denominator"], new["numerator"], new["denominator"]
                )
        rows[name] = ("share", before_share, now_share, change, low, high)
    columns = ["kind", "previous", "current", "change", "low", "high"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=columns)


# --------------------------------------------------------------------------------------------
# The rules


def _target_rule(
    table: ProportionTable, targets: Mapping[str, Target]
) -> tuple[list[Decision], int]:
    """``target``: a shown share whose whole interval lies on the wrong side of its target."""
    found, unchecked = [], 0
    for name, target in targets.items():
        if name not in table.values.index:
            continue
        row = table.values.loc[name]
        if np.isnan(row["share"]):
            unchecked += int(bool(table.hidden.loc[name].any()))
            continue
        if target.better == "higher":
            wrong = row["ci_high"] < target.value
        else:
            wrong = row["ci_low"] > target.value
        if wrong:
            values = {
                "share": row["share"],
                "low": row["ci_low"],
                "high": row["ci_high"],
                "target": target.value,
                "better": target.better,
            }
            found.append(Decision("target", name, values))
    return found, unchecked


def _change_rules(changes: pd.DataFrame, comparable: bool) -> tuple[list[Decision], int]:
    """``worse`` (shares) and ``fewer_logs``: changes whose whole interval is on the bad side."""
    if not comparable:
        return [], 0
    worse, fewer, unchecked = [], [], 0
    for name, row in changes.iterrows():
        if np.isnan(row["change"]):
            unchecked += 1
            continue
        values = {c: row[c] for c in ("previous", "current", "change", "low", "high")}
        if row["kind"] == "count":
            if row["high"] < 0:
                fewer.append(Decision("fewer_logs", str(name), values))
            continue
        better = BETTER.get(str(name), "higher")
        if (better == "higher" and row["high"] < 0) or (better == "lower" and row["low"] > 0):
            worse.append(Decision("worse", str(name), {**values, "better": better}))
    return worse + fewer, unchecked


def _plan_rule(plan: pd.DataFrame, as_of: pd.Timestamp) -> list[Decision]:
    """``plan_late``: activities past their deadline and not done on ``as_of``."""
    if plan is None or not len(plan):
        return []
    status = plan_status(plan, as_of)
    late = status[status["state"] == "late"].sort_values("deadline")
    if not len(late):
        return []
    activities = tuple(
        (str(row["activity"]), str(row["what"]), pd.Timestamp(row["deadline"]))
        for _, row in late.iterrows()
    )
    return [Decision("plan_late", "plan", {"n": len(late), "activities": activities})]


# --------------------------------------------------------------------------------------------
# The brief


def build_brief(
    data: EvaluationData,
    *,
    k: int = DEFAULT_K,
    months: int | None = None,
    targets: Mapping[str, Target] | None = None,
    as_of: object = None,
) -> Brief:
    """The brief of one municipality: headline, trend, change and what needs a decision.

    Parameters
    ----------
    data : EvaluationData
        From :func:`~bti_workbench.evaluation.load_evaluation`.
    k : int, default 5
        Suppression threshold.
    months : int, optional
        Cover the last ``months`` whole calendar months of ``data.period``
        (:func:`brief_period`); by default ``data.period`` as it is.
    targets : Mapping of str to Target, optional
        Targets of the ``target`` rule; by default :data:`TARGETS`.
    as_of : date-like, optional
        The day to judge the progress plan on; by default the period's end, or today when
        that is earlier.

    Returns
    -------
    Brief

    Raises
    ------
    ValueError
        When the event log is empty or (with ``months``) holds no whole month.
    """
    log = data.event_log
    if not len(log):
        raise ValueError("the event log is empty")
    first_day = pd.Timestamp(pd.to_datetime(log["event_time"]).min()).normalize()
    period = tuple(pd.Timestamp(d).normalize() for d in data.period)
    if months is not None:
        period = brief_period(period[1], months, max(first_day, period[0]))
    previous = previous_period(period)
    code = data.municipality.kommunenummer
    go_live = data.go_live.get(code) if code in data.go_live.index else None
    go_live = None if go_live is None or pd.isna(go_live) else pd.Timestamp(go_live)
    comparison = _comparison(previous, first_day, go_live)
    targets = dict(TARGETS if targets is None else targets)

    current_table = _indicators(log, period, k)
    previous_table = _indicators(log, previous, k) if comparison == "comparable" else None
    logs = new_logs(log, period, k)
    previous_logs = new_logs(log, previous, k) if comparison != "no_data" else None
    compared_logs = previous_logs if comparison == "comparable" else None
    changes = _changes(current_table, previous_table, (compared_logs, logs), (previous, period))

    day = period[1] if as_of is None else pd.Timestamp(as_of).normalize()
    if as_of is None:
        day = min(day, pd.Timestamp.today().normalize())
    targeted, unchecked_targets = _target_rule(current_table, targets)
    changed, unchecked_changes = _change_rules(changes, comparison == "comparable")
    decisions = (*targeted, *changed, *_plan_rule(data.progress_plan, day))
    return Brief(
        municipality=data.municipality,
        period=period,
        previous=previous,
        comparison=comparison,
        go_live=go_live,
        k=k,
        indicators=current_table,
        previous_indicators=previous_table,
        new_logs=logs,
        previous_new_logs=previous_logs,
        changes=changes,
        decisions=decisions,
        unchecked=unchecked_targets + unchecked_changes,
        targets=targets,
        as_of=day,
        synthetic=data.synthetic,
    )


def _indicators(
    log: pd.DataFrame, period: tuple[pd.Timestamp, pd.Timestamp], k: int
) -> ProportionTable:
    """The rows of :data:`BRIEF_INDICATORS` the export allows, suppressed."""
    table = indicator_table(log, period=period, k=k)
    rows = [name for name in BRIEF_INDICATORS if name in table.values.index]
    return ProportionTable(
        table.values.loc[rows],
        table.hidden.loc[rows],
        table.marks.loc[rows],
        table.raw.loc[rows],
        table.k,
        {name: note for name, note in table.notes.items() if name in rows},
    )
