"""Estimating a scenario's case flow from an event log.

:func:`estimate_parameters` reads the stays of a pseudonymised event log
(:mod:`~bti_workbench.simulation.calibration.stays` says how a case is read) and estimates
what a scenario needs: arrivals, mean stays, routing and the cases open at the end.

New concerns are counted by the age band of the event (``prenatal`` counts as ``0-5``, the
youngest band the model has) and by the **source**: the service of the ``concern_raised`` row.
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

Privacy: a :class:`Calibration` holds raw counts; publish it only through
:func:`~bti_workbench.simulation.calibration.table.calibration_table`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from bti_workbench._util.periods import parse_period
from bti_workbench.evaluation.proportions import wilson_interval
from bti_workbench.reference.municipality import Municipality, load_municipality
from bti_workbench.reference.population import AGE_BANDS, band_totals
from bti_workbench.simulation.calibration.stays import (
    OUTCOMES,
    prepare_event_log,
    read_stays,
)
from bti_workbench.simulation.scenario.types import WEEKS_PER_YEAR

__all__ = ["Calibration", "estimate_parameters", "poisson_interval"]

_Z = float(stats.norm.ppf(0.975))
#: Stays at risk needed to trust the product-limit curve; beyond, the tail is exponential.
_TAIL_AT_RISK = 20
_NS_PER_WEEK = 7 * 86_400 * 10**9
_CW, _CLOSED = OUTCOMES.index("child_welfare"), OUTCOMES.index("closed")
_ARRIVAL_COLUMNS = [
    "age_band",
    "source",
    "children",
    "concerns",
    "person_years",
    "per_1000_per_year",
    "ci_low",
    "ci_high",
]


@dataclass(frozen=True)
class Calibration:
    """Scenario parameters estimated from an event log, with the counts behind them.

    The tables hold raw counts for computation; publish them only through
    :func:`~bti_workbench.simulation.calibration.table.calibration_table`.

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


def _period(frame: pd.DataFrame, period: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The period asked for, or the days of the log's first and last event."""
    if period is None:
        return frame["event_time"].min().normalize(), frame["event_time"].max().normalize()
    return parse_period(period)


# --- estimators ---------------------------------------------------------------------------


def poisson_interval(count: np.ndarray, exposure: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact (Garwood) 95 % interval for a rate ``count / exposure``.

    Parameters
    ----------
    count : array-like of int
        Events.
    exposure : array-like of float
        Time at risk (person-years, weeks …), in the unit of the rate.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits of the rate; the lower is 0 where nothing happened.

    Examples
    --------
    >>> low, high = poisson_interval(np.array([0, 10]), np.array([1.0, 1.0]))
    >>> [round(float(x), 3) for x in (*low, *high)]
    [0.0, 4.795, 3.689, 18.39]
    """
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
    """Children per age band, where they came from, and the kommunenummer (if any)."""
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

    :mod:`~bti_workbench.simulation.calibration.stays` says how cases are read (events at
    one timestamp in :data:`~bti_workbench.eventlog.EVENT_ORDER`); everything matches the
    simulation model's semantics and the scenario keys (``arrivals.per_1000_per_year``,
    ``levels.N.duration.mean_weeks``, ``levels.N.next``, ``warm_start``).

    Parameters
    ----------
    event_log : pandas.DataFrame
        A pseudonymised event log (:func:`bti_workbench.ingest.readers.read_event_log`); the
        columns ``case_id, event_time, event, level, service, age_band`` are used.
    population : Municipality, pandas.Series, mapping or str
        Children per age band (``0-5`` … ``20-23``), or by single year 0–23, or a
        municipality (object or kommunenummer) whose 2022 bands are used.
    period : (first day, last day) or str, optional
        Both included (``"2019-01-01..2023-12-31"`` also works, see
        :func:`~bti_workbench._util.periods.parse_period`). Default: the days of the first
        and the last event. Use whole years when arrivals are seasonal: rates are averages
        over the period.

    Returns
    -------
    Calibration
        Raw estimates with counts; publish them with
        :func:`~bti_workbench.simulation.calibration.table.calibration_table`.

    Raises
    ------
    ValueError
        For a log without the needed columns, unknown event codes or levels, or a wrong
        period. Messages never repeat an identifier.

    See Also
    --------
    bti_workbench.simulation.calibration.table.calibration_table : the published view.
    bti_workbench.simulation.calibration.write.calibrated_scenario : a scenario from it.

    Examples
    --------
    Two children raise a concern at school and are decided at level 0 one and two weeks later:

    >>> log = pd.DataFrame({
    ...     "case_id": ["a", "a", "b", "b"],
    ...     "event_time": pd.to_datetime(["2020-01-06", "2020-01-13", "2020-01-06",
    ...                                   "2020-01-20"]),
    ...     "event": ["concern_raised", "level0_decision"] * 2,
    ...     "level": [0] * 4, "service": ["school"] * 4, "age_band": ["6-15"] * 4})
    >>> cal = estimate_parameters(log, "4228", period=("2020-01-06", "2020-02-02"))
    >>> cal.weeks, list(cal.durations.index), cal.share(0, "closed")
    (4.0, [0, 1, 2, 3], 1.0)
    """
    frame = prepare_event_log(event_log)
    first, last = _period(frame, period)
    window = _Window(first.value, (last + pd.Timedelta(days=1)).value)
    children, population_source, knr = _children(population)
    stays = read_stays(frame)
    diagnostics = {**stays.diagnostics, "cases": int(frame["case_id"].nunique())}
    new = frame.iloc[stays.concerns]
    bands = _in_window(new, window)["age_band"].astype(str)
    diagnostics["prenatal_as_0_5"] = int((bands == "prenatal").sum())
    seen = _observe(stays.table, window)
    exits = _exit_counts(stays.table, seen)
    return Calibration(
        period=(first, last),
        weeks=window.weeks,
        arrivals=_arrivals(new, window, children),
        durations=_durations(stays.table, seen, window),
        transitions=_transitions(exits),
        child_welfare=_child_welfare(stays.table, seen, exits),
        open_at_end=_open_at_end(stays.table, window),
        population_source=population_source,
        kommunenummer=knr,
        diagnostics=diagnostics,
        method=_METHOD,
    )


# --- the steps of estimate_parameters -----------------------------------------------------


class _Window(NamedTuple):
    """The period as times in ns: ``start`` included, ``stop`` (the day after) excluded."""

    start: int
    stop: int

    @property
    def weeks(self) -> float:
        return float((self.stop - self.start) / _NS_PER_WEEK)


class _Seen(NamedTuple):
    """What the period shows of each stay (times in ns)."""

    seen_from: np.ndarray  # entering the level, or the period start if later
    seen_to: np.ndarray  # leaving it, or the period end if earlier or still open
    event: np.ndarray  # the stay ended in the period
    overlaps: np.ndarray  # the stay was at risk in the period (or ended in it)


def _in_window(rows: pd.DataFrame, window: _Window) -> pd.DataFrame:
    """The rows whose ``event_time`` is in the period."""
    times = rows["event_time"].to_numpy().view(np.int64)
    return rows[(times >= window.start) & (times < window.stop)]


def _arrivals(concerns: pd.DataFrame, window: _Window, children: pd.Series) -> pd.DataFrame:
    """New concerns raised in the period per age band and source, as rates per 1 000."""
    new = _in_window(concerns, window)
    bands = new["age_band"].astype(str)
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
    counts["person_years"] = counts["children"] * window.weeks / WEEKS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        thousands = counts["person_years"].to_numpy(float) / 1000
        counts["per_1000_per_year"] = counts["concerns"] / thousands
        low, high = poisson_interval(counts["concerns"].to_numpy(), thousands)
    counts["ci_low"], counts["ci_high"] = low, high
    return counts[_ARRIVAL_COLUMNS].reset_index(drop=True)


def _observe(stays: pd.DataFrame, window: _Window) -> _Seen:
    """Stays overlapping the period, right-censored at its end, entered late at its start."""
    entry, exit_ = stays["entry"].to_numpy(), stays["exit"].to_numpy()
    ended = exit_ >= 0
    seen_from = np.maximum(entry, window.start)
    seen_to = np.where(ended, np.minimum(exit_, window.stop), window.stop)
    event = ended & (exit_ >= window.start) & (exit_ < window.stop)
    overlaps = (entry < window.stop) & (event | (seen_to > seen_from))
    return _Seen(seen_from, seen_to, event, overlaps)


def _duration_row(stays: pd.DataFrame, seen: _Seen, here: np.ndarray, window: _Window) -> dict:
    """Mean stay of the stays selected by ``here`` (Kaplan–Meier and exponential)."""
    entry, exit_ = stays["entry"].to_numpy(), stays["exit"].to_numpy()
    week = float(_NS_PER_WEEK)
    km = here & stays["known"].to_numpy()
    stop = (seen.seen_to[km] - entry[km]) / week
    start = (seen.seen_from[km] - entry[km]) / week
    fit = _mean_stay(stop, start, seen.event[km])
    exposure = float(((seen.seen_to[here] - seen.seen_from[here]) / week).sum())
    exits = int(seen.event[here].sum())
    rate_low, rate_high = poisson_interval(np.array([exits]), np.array([exposure]))
    done = km & seen.event
    return {
        "stays": int(km.sum()),
        "completed": int(done.sum()),
        "censored": int((km & ~seen.event).sum()),
        "delayed_entry": int((km & (entry < window.start)).sum()),
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


def _durations(stays: pd.DataFrame, seen: _Seen, window: _Window) -> pd.DataFrame:
    """One row of stay estimates per level (index ``level``)."""
    levels = stays["level"].to_numpy()
    rows = [
        {"level": lv, **_duration_row(stays, seen, seen.overlaps & (levels == lv), window)}
        for lv in range(4)
    ]
    return pd.DataFrame(rows).set_index("level")


def _exit_counts(stays: pd.DataFrame, seen: _Seen) -> np.ndarray:
    """(4, 4) counts of the stays ended in the period, by level and outcome."""
    outcome, levels = stays["outcome"].to_numpy(), stays["level"].to_numpy()
    matrix = np.zeros((4, 4), dtype=np.int64)
    np.add.at(matrix, (levels[seen.event], outcome[seen.event]), 1)
    return matrix


def _transitions(matrix: np.ndarray) -> pd.DataFrame:
    """Routing: the share of each level's exits per outcome, with Wilson intervals."""
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
    return transitions


def _child_welfare(stays: pd.DataFrame, seen: _Seen, matrix: np.ndarray) -> pd.DataFrame:
    """Child welfare: observed among the cases that ended, and as the routing implies."""
    outcome = stays["outcome"].to_numpy()
    final = seen.event & np.isin(outcome, [_CW, _CLOSED])
    reported, ended_cases = int((outcome[final] == _CW).sum()), int(final.sum())
    obs_low, obs_high = wilson_interval(reported, ended_cases)
    model, model_low, model_high = _model_child_welfare(matrix)
    return pd.DataFrame(
        {
            "count": [reported, math.nan],
            "denominator": [ended_cases, math.nan],
            "share": [reported / ended_cases if ended_cases else math.nan, model],
            "ci_low": [float(obs_low), model_low],
            "ci_high": [float(obs_high), model_high],
        },
        index=pd.Index(["observed", "model"], name="estimate"),
    )


def _open_at_end(stays: pd.DataFrame, window: _Window) -> tuple[int, int, int, int]:
    """Cases open at each level at the end of the period."""
    entry, exit_ = stays["entry"].to_numpy(), stays["exit"].to_numpy()
    levels = stays["level"].to_numpy()
    still_open = (entry < window.stop) & ((exit_ < 0) | (exit_ >= window.stop))
    return tuple(int((still_open & (levels == lv)).sum()) for lv in range(4))  # type: ignore[return-value]
