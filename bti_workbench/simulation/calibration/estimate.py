"""Calibrating a scenario from an event log, and event logs generated from a scenario.

:func:`estimate_parameters` reads a pseudonymised event log (the ``event-log`` contract) the
way the simulation model sees a case (:mod:`bti_workbench.simulation.model`):

- A **new concern** is a ``concern_raised`` event that starts a case (one raised while the
  case is still open is not a new arrival). It arrives at level 0, counted by the age band
  of the event (``prenatal`` counts as ``0-5``, the youngest band the model has) and by the
  **source**: the service of the ``concern_raised`` row.
- A **stay** at a level runs from entering it (the concern, or a ``level_changed`` to it) to
  the first of: a ``level0_decision`` (at level 0), a ``report_to_child_welfare``, a
  ``log_closed`` or a ``level_changed`` to another level. How it ended is what follows: a
  level change is **up** or **down** (level 0 can only go up, level 3 only down); else a
  report is **child welfare**, which ends the case as in the model (the later
  ``log_closed`` is part of that exit); else the case is **closed**. A report followed by a
  level change did not end the case: the stay ends there and the case moves on.
- A case whose first event is not a concern was already open when the export began: its
  first stay has no known start, so it counts for routing and for the exponential
  estimate, not for the Kaplan–Meier one.

Everything is counted within a **period** (first and last day, both included): concerns
raised in it, and stays overlapping it, right-censored at its end and, when they began
before it, entered late (delayed entry). The **mean stay** is a Kaplan–Meier estimate: the
area under the product-limit curve as far as at least 20 stays are at risk, and beyond that
an exponential tail fitted to the stays seen that long (events ÷ weeks at risk). With long
follow-up the tail is negligible and this is the plain restricted mean, valid for any
duration distribution; with short follow-up it does not cut the tail off, which would bias
the mean low. The exponential MLE of all stays (stays ended ÷ weeks at risk) is reported
beside it (it is biased high for the less variable lognormal or Erlang stays while a
programme starts up), and so is the naive mean of the completed stays, to show what
censoring does to it.

:func:`calibrated_scenario` writes the estimates into a base scenario (everything else, from
resources to costs, stays as the base has it), :func:`write_scenario` saves it, and
:func:`event_log_from_scenario` goes the other way: a seeded synthetic log whose cases follow
a scenario's arrivals, durations and routing exactly, for recovery tests and demos.

Privacy: :func:`calibration_table`, the published view, passes every count through
:func:`bti_workbench.privacy.suppress_small`; an estimate whose count is hidden is flagged and
not shown, and :func:`calibrated_scenario` keeps the base's value for it.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from bti_workbench._util.atomic import write_atomically
from bti_workbench._util.resources import data_dir
from bti_workbench.evaluation.proportions import proportion_table, wilson_interval
from bti_workbench.ingest.contracts import column_specs
from bti_workbench.privacy import DEFAULT_K, suppress_small
from bti_workbench.reference.labels import label
from bti_workbench.reference.municipality import Municipality, load_municipality
from bti_workbench.reference.population import AGE_BANDS, band_totals
from bti_workbench.simulation.model import compile_model
from bti_workbench.simulation.scenario.parse import (
    WEEKS_PER_YEAR,
    Scenario,
    ScenarioError,
    parse_scenario,
)

__all__ = [
    "OUTCOMES",
    "Calibration",
    "calibrated_scenario",
    "calibration_table",
    "estimate_parameters",
    "event_log_from_scenario",
    "write_scenario",
]

#: How a stay at a level ends, in the order of the scenario's ``next`` keys (closed: the rest).
OUTCOMES = ("up", "down", "child_welfare", "closed")

_Z = float(stats.norm.ppf(0.975))
#: Stays at risk needed to trust the product-limit curve; beyond, the tail is exponential.
_TAIL_AT_RISK = 20
_NS_PER_WEEK = 7 * 86_400 * 10**9
_MINUTES_PER_WEEK = 7 * 24 * 60
_NEEDED = ("case_id", "event_time", "event", "level", "service", "age_band")
# Order of events at the same moment in one case: a concern first, a log closed last.
_PRIORITY = {
    "concern_raised": 0,
    "level0_decision": 1,
    "report_to_child_welfare": 2,
    "level_changed": 3,
    "consent_given": 4,
    "log_opened": 5,
    "log_closed": 9,
}
_FIRST, _CONCERN, _DECISION, _REPORT, _CHANGE, _CLOSE = range(6)
_STATE_EVENTS = {
    "concern_raised": _CONCERN,
    "level0_decision": _DECISION,
    "report_to_child_welfare": _REPORT,
    "level_changed": _CHANGE,
    "log_closed": _CLOSE,
}
_UP, _DOWN, _CW, _CLOSED, _OPEN = 0, 1, 2, 3, -1


@dataclass(frozen=True)
class Calibration:
    """Scenario parameters estimated from an event log, with the counts behind them.

    The tables hold raw counts for computation; publish them only through
    :func:`calibration_table`.

    Attributes
    ----------
    period : tuple of pandas.Timestamp
        First and last day of the period, both included.
    weeks : float
        Length of the period in weeks.
    arrivals : pandas.DataFrame
        One row per age band and source service with concerns: ``age_band, source,
        children, concerns, person_years, per_1000_per_year, ci_low, ci_high`` (exact
        Poisson 95 % interval; a year is 52 weeks, as in the model).
    durations : pandas.DataFrame
        Index ``level`` 0–3: ``stays, completed, censored, delayed_entry`` (stays with a known
        start, used by Kaplan–Meier), ``mean_weeks, ci_low, ci_high`` (Kaplan–Meier mean
        with exponential tail, 95 %), ``median_weeks``, ``tail_share`` and
        ``tail_from_weeks`` (the curve's height where the exponential tail takes over, and
        when; a large share means short follow-up), ``exits, exposure_weeks, exponential_mean_weeks,
        exponential_ci_low, exponential_ci_high`` (all stays, exact Poisson interval) and
        ``naive_mean_weeks`` (completed stays only; biased low under censoring).
    transitions : pandas.DataFrame
        Long format: ``level, outcome, count, exits, share, ci_low, ci_high`` (Wilson), with
        the outcomes each level allows.
    child_welfare : pandas.DataFrame
        Index ``observed`` (cases whose exit in the period was a report ÷ cases that exited)
        and ``model`` (the share of new concerns the estimated routing sends to child
        welfare, as the simulation would; delta-method interval on the logit scale):
        ``count, denominator, share, ci_low, ci_high``.
    open_at_end : tuple of int
        Cases open at each level at the end of the period (the scenario's ``warm_start``).
    population_source : str
        Where the children per band came from.
    kommunenummer : str or None
    diagnostics : dict
        Counts of what the reading met: cases, concerns on open cases, prenatal concerns
        counted as 0-5, jumps over a level, cases open before the export began, reports
        followed by a level change.
    method : str
        How the numbers were estimated, in one paragraph.
    """

    period: tuple[pd.Timestamp, pd.Timestamp]
    weeks: float
    arrivals: pd.DataFrame = field(repr=False)
    durations: pd.DataFrame = field(repr=False)
    transitions: pd.DataFrame = field(repr=False)
    child_welfare: pd.DataFrame = field(repr=False)
    open_at_end: tuple[int, int, int, int]
    population_source: str = ""
    kommunenummer: str | None = None
    diagnostics: dict = field(default_factory=dict, repr=False)
    method: str = field(default="", repr=False)

    def share(self, level: int, outcome: str) -> float:
        """Estimated share of the stays at ``level`` that end with ``outcome``.

        0 for an outcome the level does not allow (down from 0, up from 3); NaN when no
        stay at the level ended in the period.
        """
        rows = self.transitions
        hit = rows[(rows["level"] == level) & (rows["outcome"] == outcome)]
        return float(hit["share"].iloc[0]) if len(hit) else 0.0


_METHOD = (
    "Arrivals: concern_raised events that start a case, by age band (prenatal counted as 0-5) "
    "and raising service, per 1 000 children in the band and year of 52 weeks; exact Poisson "
    "95 % intervals. Mean stay per level, from entering the level to the next level change or "
    "exit: area under the Kaplan–Meier curve (right-censored at the period end, delayed entry "
    "for stays begun before it) while at least 20 stays are at risk, exponential tail beyond; "
    "95 % normal interval from the Greenwood-type variance. The "
    "exponential MLE (stays ended ÷ weeks at risk) is reported beside it. Routing: shares of "
    "the exits from each level (up, down, child welfare, closed) with Wilson 95 % intervals; a "
    "report to child welfare ends the case, as in the model."
)


# --- reading the log ----------------------------------------------------------------------


def _period(frame: pd.DataFrame, period: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    if period is None:
        return frame["event_time"].min().normalize(), frame["event_time"].max().normalize()
    try:
        first, last = period  # type: ignore[misc]
        first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "period must be (first day, last day), e.g. ('2019-01-01', '2023-12-31')"
        ) from exc
    if last < first:
        raise ValueError("period: the last day is before the first")
    return first, last


def _prepare(event_log: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _NEEDED if c not in event_log.columns]
    if missing:
        raise ValueError(f"the event log lacks the columns {', '.join(missing)}")
    if event_log.empty:
        raise ValueError("the event log is empty")
    frame = event_log[list(_NEEDED)].copy()
    frame["event_time"] = pd.to_datetime(frame["event_time"]).astype("datetime64[ns]")
    unknown = sorted(
        set(frame["event"].astype(str)) - set(column_specs("event-log")["event"]["values"])
    )
    if unknown:
        raise ValueError(f"unknown event codes: {', '.join(unknown)}")
    if frame[["event_time", "level"]].isna().any().any():
        raise ValueError("event_time and level must be given on every row")
    levels = frame["level"].astype(float)
    if not levels.isin([0, 1, 2, 3]).all():
        raise ValueError("level must be a whole number from 0 to 3")
    frame["level"] = levels.astype(np.int64)
    frame["event"] = frame["event"].astype(str)
    return frame


def _reconstruct(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, dict]:
    """Stays of every case, the rows of the concerns that started one, and diagnostics.

    Returns ``stays`` (``spell, level, entry, exit, outcome, known``; times in ns, exit -1
    while open, outcome -1 while open) and the positions in ``frame`` of the new concerns.
    """
    case = pd.factorize(frame["case_id"])[0]
    time = frame["event_time"].to_numpy("datetime64[ns]").view(np.int64)
    events = frame["event"].to_numpy()
    level = frame["level"].to_numpy()
    position = np.arange(len(frame))
    # A case first seen at anything but a concern was already open when the export began.
    order = np.lexsort((position, [_PRIORITY.get(e, 6) for e in events], time, case))
    first = order[np.r_[True, case[order][1:] != case[order][:-1]]]
    opened_before = first[events[first] != "concern_raised"]
    is_state = np.isin(events, list(_STATE_EVENTS))
    rows = np.flatnonzero(is_state)
    r_case = np.r_[case[rows], case[opened_before]]
    r_time = np.r_[time[rows], time[opened_before]]
    r_code = np.r_[[_STATE_EVENTS[e] for e in events[rows]], np.full(len(opened_before), _FIRST)]
    r_prio = np.r_[[_PRIORITY[e] for e in events[rows]], np.full(len(opened_before), -1)]
    r_level = np.r_[level[rows], level[opened_before]]
    r_pos = np.r_[rows, opened_before]
    r_known = np.r_[np.zeros(len(rows), bool), events[opened_before] == "level_changed"]
    order = np.lexsort((r_pos, r_prio, r_time, r_case))
    diag = dict.fromkeys(
        ("concerns_on_open_cases", "jumps", "opened_before_export", "reports_then_level_change"),
        0,
    )
    diag["opened_before_export"] = len(opened_before)
    stays: list[tuple[int, int, int, int, int, bool]] = []
    concerns: list[int] = []
    spell = -1
    cur = entry = pending_time = pending = None
    known = False
    this_case = None

    def finish(stay_end: int, outcome: int) -> None:
        stays.append((spell, cur, entry, stay_end, outcome, known))

    for i in order.tolist():
        c, t, code, lv = int(r_case[i]), int(r_time[i]), int(r_code[i]), int(r_level[i])
        if c != this_case:
            if cur is not None:
                finish(*((pending_time, pending) if pending is not None else (-1, _OPEN)))
            this_case, cur, pending, pending_time = c, None, None, None
        if code == _FIRST:
            spell += 1
            cur, entry, known = lv, t, bool(r_known[i])
            continue
        if code == _CONCERN:
            if cur is not None and pending is None:
                diag["concerns_on_open_cases"] += 1
                continue
            if cur is not None:
                finish(pending_time, pending)
            spell += 1
            cur, entry, known, pending, pending_time = 0, t, True, None, None
            concerns.append(int(r_pos[i]))
        elif cur is None:
            continue  # after the case ended: a log closed after a report, and the like
        elif code == _CHANGE and lv != cur:
            if pending == _CW:
                diag["reports_then_level_change"] += 1
            diag["jumps"] += abs(lv - cur) > 1
            finish(pending_time if pending is not None else t, _UP if lv > cur else _DOWN)
            cur, entry, known, pending, pending_time = lv, t, True, None, None
        elif code == _DECISION and cur == 0 and pending is None:
            pending, pending_time = _CLOSED, t
        elif code == _REPORT and pending != _CW:
            pending, pending_time = _CW, t if pending is None else pending_time
        elif code == _CLOSE and pending is None:
            pending, pending_time = _CLOSED, t
    if cur is not None:
        finish(*((pending_time, pending) if pending is not None else (-1, _OPEN)))
    table = pd.DataFrame(stays, columns=["spell", "level", "entry", "exit", "outcome", "known"])
    return table, np.array(concerns, dtype=np.int64), diag


# --- estimators ---------------------------------------------------------------------------


def _poisson_interval(count: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95 % interval for a rate ``count / exposure``."""
    count = np.asarray(count, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(count > 0, stats.chi2.ppf(0.025, 2 * count) / 2, 0.0) / exposure
        high = stats.chi2.ppf(0.975, 2 * count + 2) / 2 / exposure
    return low, high


def _mean_stay(stop: np.ndarray, start: np.ndarray, event: np.ndarray) -> dict[str, float]:
    """Mean stay: Kaplan–Meier restricted mean with an exponential tail.

    ``stop`` and ``start`` are durations since entering the level (``start`` > 0 for stays
    observed only from the period start on); a stay is at risk at ``t`` when
    ``start <= t <= stop``. The product-limit curve is used up to ``t*``, the last event
    time with at least :data:`_TAIL_AT_RISK` stays at risk; beyond it the curve goes on with
    the constant hazard of the stays seen past ``t*`` (their events ÷ their weeks at risk).
    With long follow-up ``S(t*)`` is about 0 and this is the plain restricted mean; with
    short follow-up it does not cut the tail off, which biases a restricted mean low.
    Without ``t*`` (too few stays) it is the exponential MLE. The variance is
    ``Σ_j A_j² d_j / (n_j (n_j − d_j))`` with ``A_j`` the area under the curve beyond ``t_j``
    (Klein & Moeschberger, 2003, §4.5), plus ``S(t*)² θ² / d`` for the tail mean ``θ``.
    """
    out = dict.fromkeys(
        ("mean", "low", "high", "median", "tail_share", "tail_from_weeks"), math.nan
    )
    if not event.any():
        return out
    times, deaths = np.unique(stop[event], return_counts=True)
    stops, starts = np.sort(stop), np.sort(start)
    at_risk = (len(stop) - np.searchsorted(stops, times, "left")) - (
        len(start) - np.searchsorted(starts, times, "right")
    )
    reliable = np.flatnonzero(at_risk >= _TAIL_AT_RISK)
    j = int(reliable[-1]) + 1 if len(reliable) else 0  # curve steps used: times[:j]
    survival = np.cumprod(1.0 - deaths[:j] / at_risk[:j])
    t_star = float(times[j - 1]) if j else 0.0
    s_star = float(survival[-1]) if j else 1.0
    beyond = event & (stop > t_star)
    weeks_beyond = float(np.maximum(0.0, stop - np.maximum(start, t_star)).sum())
    if beyond.any():
        theta, tail_events = weeks_beyond / int(beyond.sum()), int(beyond.sum())
    else:  # nothing ended past t*: the hazard of all stays
        theta, tail_events = float((stop - start).sum()) / int(event.sum()), int(event.sum())
    level_before = np.r_[1.0, survival[:-1]] if j else np.zeros(0)
    area = np.r_[level_before * np.diff(np.r_[0.0, times[:j]]), s_star * theta]
    after = np.cumsum(area[::-1])[::-1][1:]  # A_j: area beyond t_j, tail included
    n, d = at_risk[:j], deaths[:j]
    spread = n > d
    variance = float(np.sum(after[spread] ** 2 * d[spread] / (n[spread] * (n - d)[spread])))
    variance += s_star**2 * theta**2 / tail_events
    mean = float(area.sum())
    below = np.flatnonzero(survival <= 0.5)
    # The median: where the curve, or its exponential tail, crosses one half.
    median = float(times[below[0]]) if len(below) else t_star + theta * math.log(2 * s_star)
    out.update(
        mean=mean,
        low=max(0.0, mean - _Z * math.sqrt(variance)),
        high=mean + _Z * math.sqrt(variance),
        median=median,
        tail_share=s_star,
        tail_from_weeks=t_star,
    )
    return out


def _absorption(shares: np.ndarray) -> float:
    """Share of cases starting at level 0 that end with a report to child welfare.

    ``shares`` is (4, 4): up, down, child welfare, closed per level; levels are the
    transient states of an absorbing Markov chain, B = (I − Q)⁻¹ R.
    """
    q = np.zeros((4, 4))
    for lv in range(4):
        if lv < 3:
            q[lv, lv + 1] = shares[lv, 0]
        if lv > 0:
            q[lv, lv - 1] = shares[lv, 1]
    return float(np.linalg.solve(np.eye(4) - q, shares[:, 2])[0])


def _model_child_welfare(counts: np.ndarray) -> tuple[float, float, float]:
    """Absorption share and a delta-method 95 % interval (logit scale) from exit counts.

    ``counts`` is (4, 4) exits per level and outcome; each level's shares are multinomial.
    """
    exits = counts.sum(axis=1)
    if (exits == 0).any():
        return math.nan, math.nan, math.nan
    shares = counts / exits[:, None]
    share = _absorption(shares)
    free = [(lv, o) for lv in range(4) for o in range(3) if counts[lv, o] > 0]
    gradient = np.zeros(len(free))
    for j, (lv, o) in enumerate(free):
        step = 1e-6
        up, down = shares.copy(), shares.copy()
        up[lv, o] += step
        down[lv, o] -= step
        gradient[j] = (_absorption(up) - _absorption(down)) / (2 * step)
    cov = np.zeros((len(free), len(free)))
    for a, (la, oa) in enumerate(free):
        for b, (lb, ob) in enumerate(free):
            if la == lb:
                p_a, p_b = shares[la, oa], shares[lb, ob]
                cov[a, b] = ((p_a if oa == ob else 0.0) - p_a * p_b) / exits[la]
    se = math.sqrt(max(0.0, float(gradient @ cov @ gradient)))
    if not 0 < share < 1:
        return share, share, share
    logit, spread = math.log(share / (1 - share)), _Z * se / (share * (1 - share))
    return share, 1 / (1 + math.exp(-(logit - spread))), 1 / (1 + math.exp(-(logit + spread)))


def _children(population: object) -> tuple[pd.Series, str, str | None]:
    if isinstance(population, str):
        population = load_municipality(population)
    if isinstance(population, Municipality):
        source = f"{population.name} ({population.kommunenummer}): {population.population_source}"
        return population.children_by_band(), source, population.kommunenummer
    series = pd.Series(population, dtype=float) if isinstance(population, Mapping) else population
    if not isinstance(series, pd.Series):
        raise TypeError("population: give a Municipality, a kommunenummer or children by band")
    if set(series.index) <= set(range(24)) and len(series) > len(AGE_BANDS):
        series = band_totals(series)
    unknown = set(map(str, series.index)) - set(AGE_BANDS)
    if unknown:
        raise ValueError(f"population: unknown age bands {sorted(unknown)}; use {list(AGE_BANDS)}")
    return series.rename(index=str).reindex(list(AGE_BANDS), fill_value=0), "given", None


def estimate_parameters(
    event_log: pd.DataFrame,
    population: Municipality | pd.Series | Mapping[str, int] | str,
    *,
    period: tuple[object, object] | None = None,
) -> Calibration:
    """Estimate arrivals, mean stays and routing of the case flow from an event log.

    See the module docstring for how cases are read; everything matches the simulation
    model's semantics and the scenario keys (``arrivals.per_1000_per_year``,
    ``levels.N.duration.mean_weeks``, ``levels.N.next``, ``warm_start``).

    Parameters
    ----------
    event_log : pandas.DataFrame
        A pseudonymised event log (:func:`bti_workbench.ingest.readers.read_event_log`); the columns
        ``case_id, event_time, event, level, service, age_band`` are used.
    population : Municipality, pandas.Series, mapping or str
        Children per age band (``0-5`` … ``20-23``), or by single year 0–23, or a
        municipality (object or kommunenummer) whose 2022 bands are used.
    period : (first day, last day), optional
        Both included. Default: the days of the first and the last event. Use whole years
        when arrivals are seasonal: rates are averages over the period.

    Returns
    -------
    Calibration
        Raw estimates with counts; publish them with :func:`calibration_table`.

    Raises
    ------
    ValueError
        For a log without the needed columns, unknown event codes or levels, or a wrong
        period. Messages never repeat an identifier.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> log = event_log_from_scenario(data_dir() / "scenarios" / "sirdal.yaml", weeks=104,
    ...                               seed=3)
    >>> cal = estimate_parameters(log, "4228", period=("2019-01-07", "2021-01-03"))
    >>> cal.weeks, list(cal.durations.index)
    (104.0, [0, 1, 2, 3])
    """
    frame = _prepare(event_log)
    first, last = _period(frame, period)
    p0, p1 = first.value, (last + pd.Timedelta(days=1)).value
    weeks = (p1 - p0) / _NS_PER_WEEK
    children, population_source, knr = _children(population)
    stays, concern_rows, diag = _reconstruct(frame)
    diag["cases"] = int(frame["case_id"].nunique())

    # Arrivals: new concerns raised in the period.
    new = frame.iloc[concern_rows]
    new = new[(new["event_time"].to_numpy().view(np.int64) >= p0)]
    new = new[new["event_time"].to_numpy().view(np.int64) < p1]
    bands = new["age_band"].astype(str)
    diag["prenatal_as_0_5"] = int((bands == "prenatal").sum())
    counts = (
        pd.DataFrame({"age_band": bands.replace("prenatal", "0-5"), "source": new["service"]})
        .astype(str)
        .value_counts()
        .rename("concerns")
        .reset_index()
    )
    counts["age_band"] = pd.Categorical(counts["age_band"], list(AGE_BANDS), ordered=True)
    counts = counts.sort_values(["age_band", "source"]).reset_index(drop=True)
    counts["age_band"] = counts["age_band"].astype(str)
    counts["children"] = counts["age_band"].map(children).astype(np.int64)
    counts["person_years"] = counts["children"] * weeks / WEEKS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        thousands = counts["person_years"].to_numpy(float) / 1000
        counts["per_1000_per_year"] = counts["concerns"] / thousands
        low, high = _poisson_interval(counts["concerns"].to_numpy(), thousands)
    counts["ci_low"], counts["ci_high"] = low, high
    arrivals = counts[
        [
            "age_band",
            "source",
            "children",
            "concerns",
            "person_years",
            "per_1000_per_year",
            "ci_low",
            "ci_high",
        ]
    ]

    # Stays overlapping the period.
    entry, exit_ = stays["entry"].to_numpy(), stays["exit"].to_numpy()
    ended = exit_ >= 0
    seen_from = np.maximum(entry, p0)
    seen_to = np.where(ended, np.minimum(exit_, p1), p1)
    event = ended & (exit_ >= p0) & (exit_ < p1)
    overlaps = (entry < p1) & (event | (seen_to > seen_from))
    week = float(_NS_PER_WEEK)
    duration_rows = []
    for lv in range(4):
        here = overlaps & (stays["level"].to_numpy() == lv)
        km = here & stays["known"].to_numpy()
        stop = (seen_to[km] - entry[km]) / week
        start = (seen_from[km] - entry[km]) / week
        fit = _mean_stay(stop, start, event[km])
        exposure = float(((seen_to[here] - seen_from[here]) / week).sum())
        exits = int(event[here].sum())
        rate_low, rate_high = _poisson_interval(np.array([exits]), np.array([exposure]))
        done = km & event
        duration_rows.append(
            {
                "level": lv,
                "stays": int(km.sum()),
                "completed": int(done.sum()),
                "censored": int((km & ~event).sum()),
                "delayed_entry": int((km & (entry < p0)).sum()),
                "mean_weeks": fit["mean"],
                "ci_low": fit["low"],
                "ci_high": fit["high"],
                "median_weeks": fit["median"],
                "tail_share": fit["tail_share"],
                "tail_from_weeks": fit["tail_from_weeks"],
                "exits": exits,
                "exposure_weeks": exposure,
                "exponential_mean_weeks": exposure / exits if exits else math.nan,
                "exponential_ci_low": 1 / rate_high[0] if exposure > 0 else math.nan,
                "exponential_ci_high": 1 / rate_low[0] if exits else math.inf,
                "naive_mean_weeks": float(((exit_[done] - entry[done]) / week).mean())
                if done.any()
                else math.nan,
            }
        )
    durations = pd.DataFrame(duration_rows).set_index("level")

    # Routing: how the stays that ended in the period ended.
    outcome = stays["outcome"].to_numpy()
    levels = stays["level"].to_numpy()
    matrix = np.zeros((4, 4), dtype=np.int64)
    np.add.at(matrix, (levels[event], outcome[event]), 1)
    rows = []
    for lv in range(4):
        for o, name in enumerate(OUTCOMES):
            if (lv == 0 and name == "down") or (lv == 3 and name == "up"):
                continue
            rows.append((lv, name, int(matrix[lv, o]), int(matrix[lv].sum())))
    transitions = pd.DataFrame(rows, columns=["level", "outcome", "count", "exits"])
    with np.errstate(divide="ignore", invalid="ignore"):
        transitions["share"] = transitions["count"] / transitions["exits"].replace(0, np.nan)
    low, high = wilson_interval(transitions["count"], transitions["exits"])
    transitions["ci_low"], transitions["ci_high"] = low, high

    # Child welfare: observed among the cases that ended, and as the routing implies.
    final = event & np.isin(outcome, [_CW, _CLOSED])
    reported, ended_cases = int((outcome[final] == _CW).sum()), int(final.sum())
    obs_low, obs_high = wilson_interval(reported, ended_cases)
    model, model_low, model_high = _model_child_welfare(matrix)
    child_welfare = pd.DataFrame(
        {
            "count": [reported, math.nan],
            "denominator": [ended_cases, math.nan],
            "share": [reported / ended_cases if ended_cases else math.nan, model],
            "ci_low": [float(obs_low), model_low],
            "ci_high": [float(obs_high), model_high],
        },
        index=pd.Index(["observed", "model"], name="estimate"),
    )

    still_open = (entry < p1) & (~ended | (exit_ >= p1))
    open_at_end = tuple(int((still_open & (levels == lv)).sum()) for lv in range(4))
    return Calibration(
        period=(first, last),
        weeks=float(weeks),
        arrivals=arrivals.reset_index(drop=True),
        durations=durations,
        transitions=transitions,
        child_welfare=child_welfare,
        open_at_end=open_at_end,  # type: ignore[arg-type]
        population_source=population_source,
        kommunenummer=knr,
        diagnostics=diag,
        method=_METHOD,
    )


# --- the published table ------------------------------------------------------------------


def _cells(table, row: object, column: object, lang: str) -> tuple[bool, str]:
    """Whether a cell of a suppressed table is hidden, and its mark."""
    hidden = bool(table.hidden.loc[row, column])
    return hidden, table.formatted(lang).loc[row, column] if hidden else ""


def calibration_table(
    calibration: Calibration, k: int = DEFAULT_K, lang: str = "nb"
) -> pd.DataFrame:
    """The estimates as they may be published: every count through ``suppress_small``.

    Counts pass the one suppression gate as the tables a reader could put together: concerns
    by age band × source (zeros shown: no child is behind them), completed stays by level,
    exits by level × outcome (structural zeros shown), cases ended with a report
    over cases ended (:func:`~bti_workbench.evaluation.proportions.proportion_table`) and open
    cases by level, each with its totals. An estimate whose count is hidden rests on fewer
    than ``k`` cases (or would give one away): it is flagged (``shown`` false, ``mark``
    ``<k`` or ``×``) and its number, interval and count are left empty. The child-welfare
    share the routing implies rests on every exit count, so it is hidden (``×``) as soon as
    any cell of the exits table is.

    Parameters
    ----------
    calibration : Calibration
    k : int, default 5
        Suppression threshold (at least 2).
    lang : {"nb", "en"}
        Language of the ``label`` column.

    Returns
    -------
    pandas.DataFrame
        ``parameter`` (the scenario key, e.g. ``levels.1.next.up``), ``label``, ``count``
        (the cases behind the estimate: concerns, completed stays, exits with the outcome,
        open cases), ``basis`` (person-years for arrival rates, weeks for the weekly rate,
        weeks at risk for mean stays, exits for shares, cases ended for the observed
        child-welfare share), ``estimate``, ``ci_low``, ``ci_high`` (95 %), ``shown``,
        ``mark``.

    Examples
    --------
    >>> log = pd.DataFrame({
    ...     "case_id": ["a", "a", "b", "b"],
    ...     "event_time": pd.to_datetime(["2020-01-06", "2020-01-13", "2020-01-06",
    ...                                   "2020-01-20"]),
    ...     "event": ["concern_raised", "level0_decision"] * 2,
    ...     "level": [0] * 4, "service": ["school"] * 4, "age_band": ["6-15"] * 4})
    >>> cal = estimate_parameters(log, {"0-5": 100, "6-15": 200, "16-19": 50, "20-23": 50})
    >>> t = calibration_table(cal, lang="en").set_index("parameter")
    >>> row = t.loc["levels.0.duration.mean_weeks"]  # two stays: hidden, no number
    >>> bool(row["shown"]), bool(np.isnan(row["estimate"])), row["mark"] in ("<5", "×")
    (False, True, True)
    """
    rows: list[dict] = []

    def add(parameter, text, count, basis, estimate, low, high, hidden=False, mark=""):
        rows.append(
            {
                "parameter": parameter,
                "label": text,
                "count": math.nan if hidden else count,
                "basis": basis,
                "estimate": math.nan if hidden else estimate,
                "ci_low": math.nan if hidden else low,
                "ci_high": math.nan if hidden else high,
                "shown": not hidden,
                "mark": mark,
            }
        )

    arrivals = calibration.arrivals
    if len(arrivals):
        grid = arrivals.pivot_table(
            index="age_band", columns="source", values="concerns", aggfunc="sum", fill_value=0
        ).reindex(index=list(AGE_BANDS), fill_value=0)
        table = suppress_small(grid, k, allow_zero=True)
        for row in arrivals.itertuples(index=False):
            hidden, mark = _cells(table, row.age_band, row.source, lang)
            band, service = (
                label(f"age_band.{row.age_band}", lang),
                label(f"service.{row.source}", lang),
            )
            add(
                f"arrivals.per_1000_per_year.{row.age_band}.{row.source}",
                label("calib.arrivals", lang, band=band, service=service),
                row.concerns,
                row.person_years,
                row.per_1000_per_year,
                row.ci_low,
                row.ci_high,
                hidden,
                mark,
            )
        hidden, mark = _cells(table, "total", "total", lang)
        total = int(arrivals["concerns"].sum())
        low, high = _poisson_interval(np.array([total]), np.array([calibration.weeks]))
        add(
            "arrivals.per_week",
            label("calib.per_week", lang),
            total,
            calibration.weeks,
            total / calibration.weeks,
            float(low[0]),
            float(high[0]),
            hidden,
            mark,
        )

    durations = calibration.durations
    table = suppress_small(durations["completed"], k)
    for lv, row in durations.iterrows():
        hidden, mark = _cells(table, lv, "completed", lang)
        add(
            f"levels.{lv}.duration.mean_weeks",
            label("calib.duration", lang, level=label(f"level.{lv}.short", lang)),
            row["completed"],
            row["exposure_weeks"],
            row["mean_weeks"],
            row["ci_low"],
            row["ci_high"],
            hidden,
            mark,
        )

    moves = calibration.transitions
    counts = moves.pivot(index="level", columns="outcome", values="count")
    counts = counts.reindex(columns=list(OUTCOMES)).fillna(0).astype(np.int64)
    table = moves_table = suppress_small(counts, k, allow_zero=True)
    for row in moves.itertuples(index=False):
        hidden, mark = _cells(table, row.level, row.outcome, lang)
        exits_hidden = bool(table.hidden.loc[row.level, "total"])
        add(
            f"levels.{row.level}.next.{row.outcome}",
            label(f"calib.next.{row.outcome}", lang, level=label(f"level.{row.level}.short", lang)),
            row.count,
            math.nan if exits_hidden else row.exits,
            row.share,
            row.ci_low,
            row.ci_high,
            hidden or exits_hidden,
            mark or (label("suppression.secondary", lang) if exits_hidden else ""),
        )

    cw = calibration.child_welfare
    observed = proportion_table(
        pd.DataFrame(
            {
                "numerator": [int(cw.loc["observed", "count"])],
                "denominator": [int(cw.loc["observed", "denominator"])],
            },
            index=["observed"],
        ),
        k,
    )
    hidden = bool(observed.hidden.loc["observed"].any()) or pd.isna(
        observed.values.loc["observed", "share"]
    )
    mark = (
        observed.marks.loc["observed", "numerator"] or observed.marks.loc["observed", "denominator"]
    )
    # The model share is a smooth function of every transition count: with one of them
    # hidden, it could pin that count down, so it is hidden too ("×").
    transitions_hidden = bool(moves_table.hidden.to_numpy().any())
    secondary = label("suppression.secondary", lang)
    for name in ("observed", "model"):
        model_hidden = name == "model" and transitions_hidden and not hidden
        add(
            f"child_welfare.{name}",
            label(f"calib.child_welfare.{name}", lang),
            cw.loc[name, "count"],
            cw.loc[name, "denominator"],
            cw.loc[name, "share"],
            cw.loc[name, "ci_low"],
            cw.loc[name, "ci_high"],
            hidden or model_hidden,
            secondary if model_hidden else mark,
        )

    still_open = pd.Series(calibration.open_at_end, index=range(4), name="open")
    table = suppress_small(still_open, k)
    for lv, count in still_open.items():
        hidden, mark = _cells(table, lv, "open", lang)
        add(
            f"warm_start.{lv}",
            label("calib.warm_start", lang, level=label(f"level.{lv}.short", lang)),
            count,
            math.nan,
            count,
            math.nan,
            math.nan,
            hidden,
            mark,
        )
    return pd.DataFrame(rows)


# --- scenarios ----------------------------------------------------------------------------


def _read_doc(scenario: str | Path | dict) -> tuple[dict, Path, str]:
    """The raw scenario mapping, the folder its relative paths start from, and its name."""
    if isinstance(scenario, dict):
        return (
            copy.deepcopy(scenario),
            data_dir() / "scenarios",
            str(scenario.get("name", "scenario")),
        )
    path = Path(scenario)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path.name}: cannot read the file ({exc.strerror})") from exc
    if not isinstance(doc, dict):
        raise ScenarioError(f"{path.name}: expected a mapping at the top")
    return doc, path.parent, path.name


def _level_key(levels: dict, level: int) -> object:
    for key in levels:
        if str(key).strip() == str(level):
            return key
    raise ScenarioError(f"levels.{level}: missing")


def _round(value: float, digits: int) -> float:
    return float(round(float(value), digits))


def _absolute_paths(doc: dict, folder: Path) -> None:
    """Make the file paths of a scenario absolute, so the mapping works from anywhere."""
    if doc.get("population_file") is not None:
        doc["population_file"] = str((folder / str(doc["population_file"])).resolve())
    costs = doc.get("costs")
    if isinstance(costs, dict) and costs.get("organisation") is not None:
        costs["organisation"] = str((folder / str(costs["organisation"])).resolve())


def calibrated_scenario(
    calibration: Calibration,
    base: str | Path | dict,
    *,
    k: int = DEFAULT_K,
    baton_holder: Mapping[str, str] | None = None,
) -> dict:
    """A scenario with the calibrated numbers and everything else from a base scenario.

    Takes ``arrivals.per_1000_per_year`` (or ``arrivals.poisson_per_week`` when the base has
    that), ``levels.N.duration.mean_weeks`` (the duration's distribution and shape stay as
    the base has them), ``levels.N.next`` and ``warm_start`` from the calibration; resources,
    hours, meetings, partners, costs, seasonality and options come from the base. An
    estimate that :func:`calibration_table` hides (fewer than ``k`` cases behind it) is not
    used: the base's value stays. A band and source of the base not seen in the log gets 0.
    ``sources.calibration`` records how and from what period the numbers were estimated
    (no counts, no identifiers) and ``sources.calibration_kept_from_base`` what was kept.

    Parameters
    ----------
    calibration : Calibration
    base : str, pathlib.Path or dict
        A scenario file, or its mapping (relative paths in a mapping are read from
        ``data/scenarios``).
    k : int, default 5
        Suppression threshold.
    baton_holder : mapping, optional
        Extra ``arrivals.baton_holder`` entries (source → service holding the baton), for
        sources in the log whose own service holds no batons in the base.

    Returns
    -------
    dict
        A checked scenario mapping (file paths made absolute); save it with
        :func:`write_scenario`.

    Raises
    ------
    ValueError
        When a source in the log has no baton-holder service in the base.

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> tromso = data_dir() / "scenarios" / "tromso.yaml"
    >>> log = event_log_from_scenario(tromso, weeks=104, seed=3)
    >>> doc = calibrated_scenario(estimate_parameters(log, "5401"), tromso)
    >>> doc["name"], sorted(doc["levels"][1]["next"])
    ('tromso_calibrated', ['child_welfare', 'down', 'up'])
    """
    doc, folder, source = _read_doc(base)
    table = calibration_table(calibration, k, lang="en").set_index("parameter")

    def usable(parameter: str) -> bool:
        return (
            parameter in table.index
            and bool(table.loc[parameter, "shown"])
            and bool(np.isfinite(table.loc[parameter, "estimate"]))
        )

    def value(parameter: str) -> float:
        return float(table.loc[parameter, "estimate"])

    kept: list[str] = []
    arrivals = doc.setdefault("arrivals", {})
    if "poisson_per_week" in arrivals:
        if usable("arrivals.per_week"):
            arrivals["poisson_per_week"] = _round(value("arrivals.per_week"), 4)
        else:
            kept.append("arrivals.poisson_per_week")
    else:
        base_rates = arrivals.get("per_1000_per_year") or {}
        pairs = [(str(b), str(s)) for b, by in base_rates.items() for s in (by or {})]
        pairs += [
            pair
            for pair in zip(
                calibration.arrivals["age_band"], calibration.arrivals["source"], strict=True
            )
            if pair not in pairs
        ]
        rates: dict[str, dict[str, float]] = {}
        for band, name in sorted(pairs, key=lambda p: list(AGE_BANDS).index(p[0])):
            key = f"arrivals.per_1000_per_year.{band}.{name}"
            base_value = (base_rates.get(band) or {}).get(name)
            if usable(key):
                rates.setdefault(band, {})[name] = _round(value(key), 3)
            elif key in table.index:
                if base_value is not None:
                    rates.setdefault(band, {})[name] = base_value
                kept.append(key if base_value is not None else f"{key} (left out)")
            else:  # in the base, not seen in the log
                rates.setdefault(band, {})[name] = 0.0
        arrivals["per_1000_per_year"] = rates
        mapping = {**(arrivals.get("baton_holder") or {}), **dict(baton_holder or {})}
        used = {name for by in rates.values() for name in by}
        mapping = {s: h for s, h in mapping.items() if s in used}
        if mapping:
            arrivals["baton_holder"] = mapping
        else:
            arrivals.pop("baton_holder", None)
        services = ((doc.get("resources") or {}).get("services")) or {}
        if doc.get("resources") is not None:
            for name in sorted(used):
                holder = mapping.get(name, name)
                if not (services.get(holder) or {}).get("baton_holders"):
                    raise ValueError(
                        f"{source}: concerns raised by {name} need a service that holds their "
                        f"batons: give resources.services.{holder}.baton_holders in the base, "
                        f"or pass baton_holder={{'{name}': SERVICE}}"
                    )

    levels = doc["levels"]
    for lv in range(4):
        spec = levels[_level_key(levels, lv)]
        key = f"levels.{lv}.duration.mean_weeks"
        if usable(key):
            spec["duration"]["mean_weeks"] = _round(value(key), 3)
        else:
            kept.append(key)
        allowed = [o for o in OUTCOMES[:3] if (lv, o) not in ((0, "down"), (3, "up"))]
        before = dict(spec.get("next") or {})
        routing = {}
        for outcome in allowed:
            key = f"levels.{lv}.next.{outcome}"
            if usable(key):  # rounded down, so the shares never add up to more than 1
                routing[outcome] = math.floor(value(key) * 10_000) / 10_000
            else:
                routing[outcome] = float(before.get(outcome, 0.0))
                kept.append(key)
        if sum(routing.values()) > 1 + 1e-9:  # a mix of estimates and base values
            routing = before
            kept.append(f"levels.{lv}.next")
        spec["next"] = routing

    base_warm = {str(key).strip(): v for key, v in (doc.get("warm_start") or {}).items()}
    warm = {}
    for lv in range(4):
        key = f"warm_start.{lv}"
        if usable(key):
            warm[lv] = int(value(key))
        else:
            warm[lv] = int(base_warm.get(str(lv), 0))
            kept.append(key)
    doc["warm_start"] = warm

    first, last = calibration.period
    name = str(doc.get("name", "scenario"))
    doc["name"] = f"{name}_calibrated"
    note = (
        f"Calibrated by bti_workbench.simulation.calibration.estimate from a pseudonymised event log, "
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d} ({calibration.weeks:.1f} weeks): arrivals "
        f"(new concerns per 1 000 children per band over {calibration.population_source}), "
        "levels.N.duration.mean_weeks (Kaplan–Meier mean stay with an exponential tail, "
        "right-censored at the period end; distribution and shape from "
        f"{source}), levels.N.next (shares of "
        "the exits from each level) and warm_start (cases open at the period end). "
        f"Estimates resting on fewer than {k} cases are not used; resources, hours, meetings, "
        f"partners, seasonality and costs are from {source}."
    )
    base_knr = doc.get("municipality")
    if calibration.kommunenummer and base_knr and str(base_knr) != calibration.kommunenummer:
        note += (
            f" Rates were estimated for municipality {calibration.kommunenummer}; the "
            f"scenario's municipality is {base_knr}."
        )
    doc["description"] = (
        f"{str(doc.get('description', '')).strip()} Calibrated from an event log "
        f"({first:%Y-%m-%d} to {last:%Y-%m-%d})."
    ).strip()
    sources = dict(doc.get("sources") or {})
    sources["calibration"] = note
    if kept:
        sources["calibration_kept_from_base"] = ", ".join(kept)
    doc["sources"] = sources
    _absolute_paths(doc, folder)
    parse_scenario(doc, f"{doc['name']} (calibrated from {source})", folder)
    return doc


def _plain(value: object) -> object:
    """Plain Python values for YAML (numpy scalars become numbers)."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_scenario(scenario: dict, path: str | Path) -> Path:
    """Check a scenario mapping and write it as YAML, whole or not at all.

    Absolute file paths (as :func:`calibrated_scenario` leaves them) are written relative to
    the new file's folder where possible, so the folder can be moved as a whole.

    Parameters
    ----------
    scenario : dict
    path : str or pathlib.Path
        The ``.yaml`` file to write; its folder is created.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    bti_workbench.simulation.scenario.parse.ScenarioError
        When the mapping is not a valid scenario; nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench._util.resources import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> doc = yaml.safe_load((data_dir() / "scenarios" / "validation_jackson.yaml").read_text())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     load_scenario(write_scenario(doc, Path(folder) / "copy.yaml")).horizon_weeks
    260
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = _plain(copy.deepcopy(scenario))
    holders = [(doc, "population_file")]
    if isinstance(doc.get("costs"), dict):
        holders.append((doc["costs"], "organisation"))
    for holder, key in holders:
        value = holder.get(key)
        if value is not None and Path(str(value)).is_absolute():
            with contextlib.suppress(ValueError):  # another drive: it stays absolute
                holder[key] = Path(os.path.relpath(str(value), path.parent.resolve())).as_posix()
    parse_scenario(doc, path.name, path.parent)
    header = (
        "# Written by bti_workbench.simulation.calibration.estimate.write_scenario. Where the numbers come from: "
        "see `sources`.\n"
    )
    text = header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    write_atomically(path, lambda p: Path(p).write_text(text, encoding="utf-8"))
    return path


# --- event logs from a scenario -----------------------------------------------------------


def _source_seasons(doc: dict, source: str, folder: Path) -> tuple[list[str], np.ndarray]:
    """Per source service, the weekly multiplier of its yearly rate over 52 weeks.

    The scenario sums arrivals into baton-holder classes; read once more without that
    mapping (and without resources), each source is its own class, so its yearly pattern
    divided by its mean is its seasonal factor.
    """
    spec = doc["arrivals"]
    arrivals = {"per_1000_per_year": spec["per_1000_per_year"]}
    if spec.get("seasonality") is not None:
        arrivals["seasonality"] = spec["seasonality"]
    sub = {"name": "sources", "horizon_weeks": 52, "arrivals": arrivals, "levels": doc["levels"]}
    for key in ("municipality", "population_file"):
        if key in doc:
            sub[key] = doc[key]
    parsed = parse_scenario(sub, source, folder).arrivals
    totals = parsed.table.groupby("source")["per_year"].sum()
    yearly = parsed.yearly if parsed.yearly is not None else parsed.weekly[:52]
    factors = np.ones_like(yearly)
    for j, name in enumerate(parsed.classes):
        if totals[name] > 0:
            factors[:, j] = yearly[:, j] * WEEKS_PER_YEAR / totals[name]
    return list(parsed.classes), factors


def _pools(scenario: Scenario, services: list[str], rng: np.random.Generator) -> dict:
    """Pseudonymous actors per service: its baton holders, else its staff, else three."""
    sizes = {}
    for name in services:
        size = 0
        if scenario.resources is not None:
            try:
                size = scenario.resources.service(name).baton_holders
            except KeyError:
                size = 0
        staffing = scenario.municipality.services if scenario.municipality else pd.DataFrame()
        if not size and name in staffing.index:
            size = round(float(staffing.loc[name, "staff_fte"]))
        sizes[name] = int(min(max(size, 1) if size else 3, 5000))
    numbers = rng.permutation(sum(sizes.values())) + 1
    width = max(5, len(str(len(numbers))))
    pools, at = {}, 0
    for name, size in sizes.items():
        pools[name] = np.array([f"A{n:0{width}d}" for n in numbers[at : at + size]], dtype=object)
        at += size
    return pools


def _pick(pools: dict, names: list[str], services: np.ndarray, rng) -> np.ndarray:
    """One actor per row from the pool of the row's service (empty where it is -1)."""
    out = np.full(len(services), "", dtype=object)
    for s in np.unique(services[services >= 0]):
        mask = services == s
        pool = pools[names[s]]
        out[mask] = pool[rng.integers(len(pool), size=int(mask.sum()))]
    return out


def event_log_from_scenario(
    scenario: str | Path | dict,
    *,
    weeks: int,
    seed: int,
    start: str | pd.Timestamp = "2019-01-07",
) -> pd.DataFrame:
    """A synthetic event log whose cases follow a scenario's arrivals, stays and routing.

    New concerns arrive as Poisson counts per week, age band and source service at the
    scenario's rates, seasonality included (the ISO week of each calendar week picks the
    season), at a uniform moment in the week. Each case then stays at a level for a
    duration drawn from the level's distribution and moves on by the level's ``next``
    shares, exactly as in the model, until it closes, is reported to child welfare or the
    log ends (``weeks`` after ``start``). No resources: nobody waits.

    Events, in the contract's columns: ``concern_raised`` (by the source service);
    ``level0_decision`` at the end of every level-0 stay; going up from level 0 the first
    time ``level_changed``, ``consent_given`` (parent) and ``log_opened`` (the baton-holder
    service); ``level_changed`` for every move; ``report_to_child_welfare`` and/or
    ``log_closed`` at the end; ``meeting_held`` at the scenario's meeting intervals with the
    baton holder and the case's partner service. Times are rounded to the minute (a stay
    lasts at least one); the age band is the one at the concern. Warm-start cases are not
    generated: the log starts empty.

    Parameters
    ----------
    scenario : str, pathlib.Path or dict
        A scenario with ``arrivals.per_1000_per_year`` (a plain Poisson rate has no age
        bands or services to log).
    weeks : int
        Length of the log.
    seed : int
        Same seed, same log.
    start : str or pandas.Timestamp
        First day of the log.

    Returns
    -------
    pandas.DataFrame
        Columns ``case_id, event_time, event, level, service, role, actor_id, age_band``,
        sorted by time; pseudonyms ``C…`` (cases), ``A…`` (staff), ``P…`` (parents).

    Examples
    --------
    >>> from bti_workbench._util.resources import data_dir
    >>> log = event_log_from_scenario(data_dir() / "scenarios" / "sirdal.yaml", weeks=52,
    ...                               seed=1)
    >>> log["event"].iloc[0], log.columns.tolist()[:3]
    ('concern_raised', ['case_id', 'event_time', 'event'])
    """
    doc, folder, source = _read_doc(scenario)
    parsed = parse_scenario(doc, source, folder)
    if "per_1000_per_year" not in (doc.get("arrivals") or {}):
        raise ValueError(
            f"{source}: an event log needs arrivals.per_1000_per_year (age bands and services)"
        )
    weeks = int(weeks)
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    start = pd.Timestamp(start).normalize()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    rng_arrivals, rng_route, rng_partner, rng_people, *rng_levels = streams
    model = compile_model(parsed)
    table = parsed.arrivals.table.reset_index(drop=True)

    # Arrivals: Poisson per calendar week and (band, source), seasonality by ISO week.
    names, factors = _source_seasons(doc, source, folder)
    season_spec = doc["arrivals"].get("seasonality") or {}
    first_week = int(season_spec.get("start_week", 1))
    iso = pd.DatetimeIndex(start + pd.to_timedelta(7 * np.arange(weeks), unit="D"))
    position = (iso.isocalendar().week.to_numpy(np.int64) - first_week) % 52
    columns = [names.index(s) for s in table["source"]]
    rate = factors[position][:, columns] * (table["per_year"].to_numpy() / WEEKS_PER_YEAR)
    drawn = rng_arrivals.poisson(rate)
    week_of, row_of = np.nonzero(drawn)
    count = drawn[week_of, row_of]
    arrival = np.repeat(week_of, count) + rng_arrivals.random(int(count.sum()))
    row = np.repeat(row_of, count)
    order = np.argsort(arrival, kind="stable")
    arrival, row = arrival[order], row[order]
    n = len(arrival)
    klass = np.array([model.classes.index(h) for h in table["baton_holder"]], dtype=np.int64)[row]

    # Paths through the levels, all cases at once, one stay per round.
    horizon = weeks * _MINUTES_PER_WEEK
    cumulative = np.cumsum(model.shares, axis=1)
    cumulative[:, -1] = 1.0
    level = np.zeros(n, dtype=np.int64)
    now = arrival.copy()
    now_min = np.floor(arrival * _MINUTES_PER_WEEK).astype(np.int64)
    concern_min = now_min.copy()
    log_open = np.zeros(n, dtype=bool)
    active = np.arange(n)
    parts: list[tuple[np.ndarray, ...]] = []
    first_round = True
    while active.size:
        here = level[active]
        stay = np.empty(len(active))
        for lv in range(4):
            mask = here == lv
            if mask.any():
                stay[mask] = parsed.levels[lv].duration.sample(rng_levels[lv], int(mask.sum()))
        end = now[active] + stay
        end_min = np.maximum(
            np.floor(end * _MINUTES_PER_WEEK).astype(np.int64), now_min[active] + 1
        )
        u = rng_route.random(len(active))
        outcome = np.minimum((u[:, None] >= cumulative[here]).sum(axis=1), _CLOSED)
        outcome = np.where(end_min >= horizon, _OPEN, outcome)
        parts.append(
            (
                active,
                here,
                now_min[active],
                np.where(outcome == _OPEN, -1, end_min),
                outcome,
                log_open[active].copy(),
                np.full(len(active), first_round),
            )
        )
        log_open[active[(outcome == _UP) & (here == 0)]] = True
        moving = (outcome == _UP) | (outcome == _DOWN)
        level[active[moving]] += np.where(outcome[moving] == _UP, 1, -1)
        now[active], now_min[active] = end, end_min
        active = active[moving]
        first_round = False
    spell, lv, entry, exit_, outcome, was_open, first = (
        np.concatenate(p) for p in zip(*parts, strict=True)
    )

    # Who acts: staff of the source at the first level 0, the baton holder after that.
    sources = table["source"].tolist()
    partner_names = list(model.services)
    needed = list(dict.fromkeys([*sources, *model.classes, *partner_names]))
    pools = _pools(parsed, needed, rng_people)
    service_names = needed
    src_service = np.array([service_names.index(s) for s in sources], dtype=np.int64)[row]
    cls_service = np.array([service_names.index(c) for c in model.classes])[klass]
    noticer = _pick(pools, service_names, src_service, rng_people)
    holder = _pick(pools, service_names, cls_service, rng_people)
    # Partners for stays at levels 2 and 3, drawn from the level's mix for the class.
    partner = np.full(len(spell), -1, dtype=np.int64)
    for level_number in (2, 3):
        for c in range(len(model.classes)):
            mask = (lv == level_number) & (klass[spell] == c)
            if mask.any():
                mix = model.partner_mix[level_number, c]
                drawn_partner = rng_partner.choice(
                    len(mix), size=int(mask.sum()), p=mix / mix.sum()
                )
                partner[mask] = np.where(drawn_partner == model.none, -1, drawn_partner)
    partner_actor = _pick(pools, partner_names, partner, rng_people)

    # Events: (case, minute, rank, event, level, service, role, actor); rank orders events
    # of one case at the same minute.
    numbers = rng_people.permutation(n) + 1
    width = max(6, len(str(n)))
    case_ids = np.array([f"C{x:0{width}d}" for x in numbers], dtype=object)
    parents = np.array([f"P{x:0{width}d}" for x in numbers], dtype=object)
    service_array = np.array(service_names, dtype=object)
    at_source = (lv == 0) & first
    stay_service = service_array[np.where(at_source, src_service[spell], cls_service[spell])]
    stay_actor = np.where(at_source, noticer[spell], holder[spell])
    baton_service = service_array[cls_service[spell]]
    baton_actor = holder[spell]
    blocks: list[tuple[np.ndarray, ...]] = []

    def emit(cases, minute, rank, event, level_after, service, role, actor) -> None:
        size = len(cases)
        blocks.append(
            (
                cases,
                minute,
                np.full(size, rank, dtype=np.int64),
                np.full(size, event, dtype=object),
                np.broadcast_to(level_after, size).astype(np.int64),
                service,
                np.full(size, role, dtype=object),
                actor,
            )
        )

    emit(
        np.arange(n),
        concern_min,
        0,
        "concern_raised",
        0,
        service_array[src_service],
        "baton_holder",
        noticer,
    )
    ended = outcome >= 0
    moves = {
        # rank, event, which stays, level after, service, role, actor
        1: ("level0_decision", ended & (lv == 0), lv, stay_service, "baton_holder", stay_actor),
        2: (
            "report_to_child_welfare",
            outcome == _CW,
            lv,
            stay_service,
            "baton_holder",
            stay_actor,
        ),
        3: (
            "level_changed",
            (outcome == _UP) | (outcome == _DOWN),
            lv + np.where(outcome == _UP, 1, -1),
            baton_service,
            "baton_holder",
            baton_actor,
        ),
        4: (
            "consent_given",
            (outcome == _UP) & (lv == 0) & ~was_open,
            lv + 1,
            baton_service,
            "parent",
            parents[spell],
        ),
        5: (
            "log_opened",
            (outcome == _UP) & (lv == 0) & ~was_open,
            lv + 1,
            baton_service,
            "baton_holder",
            baton_actor,
        ),
        9: (
            "log_closed",
            ((outcome == _CLOSED) | (outcome == _CW)) & ((lv > 0) | was_open),
            lv,
            baton_service,
            "baton_holder",
            baton_actor,
        ),
    }
    for rank, (event, m, after, service, role, actor) in moves.items():
        emit(spell[m], exit_[m], rank, event, after[m], service[m], role, actor[m])
    if parsed.resources is not None:
        for level_number, meeting in parsed.resources.meetings.items():
            every = meeting.every_weeks * _MINUTES_PER_WEEK
            stays_here = np.flatnonzero(lv == level_number)
            stop = np.where(ended, exit_, horizon)[stays_here]
            times = np.maximum(np.ceil((stop - entry[stays_here]) / every).astype(np.int64) - 1, 0)
            index = np.repeat(stays_here, times)
            nth = np.arange(len(index)) - np.repeat(np.cumsum(times) - times, times) + 1
            minute = entry[index] + np.floor(nth * every).astype(np.int64)
            keep = minute < np.where(ended, exit_, horizon)[index]
            index, minute = index[keep], minute[keep]
            emit(
                spell[index],
                minute,
                6,
                "meeting_held",
                lv[index],
                baton_service[index],
                "baton_holder",
                baton_actor[index],
            )
            joined = partner[index] >= 0
            index, minute = index[joined], minute[joined]
            emit(
                spell[index],
                minute,
                6,
                "meeting_held",
                lv[index],
                np.array(partner_names, dtype=object)[partner[index]],
                "participant",
                partner_actor[index],
            )
    s, minute, rank, event, level_after, service, role, actor = (
        np.concatenate(column) for column in zip(*blocks, strict=True)
    )
    keep = minute < horizon
    order = np.lexsort((rank[keep], s[keep], minute[keep]))
    pick = np.flatnonzero(keep)[order]
    bands = table["age_band"].to_numpy(dtype=object)[row]
    return pd.DataFrame(
        {
            "case_id": case_ids[s[pick]],
            "event_time": np.datetime64(start, "ns") + minute[pick].astype("timedelta64[m]"),
            "event": event[pick],
            "level": level_after[pick].astype(np.int64),
            "service": service[pick],
            "role": role[pick],
            "actor_id": actor[pick],
            "age_band": bands[s[pick]],
        }
    )
