"""The published calibration table: every count through the one suppression gate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bti_workbench.evaluation.proportions import proportion_table
from bti_workbench.privacy import DEFAULT_K, SuppressedTable, suppress_small
from bti_workbench.reference.labels import label
from bti_workbench.reference.population import AGE_BANDS
from bti_workbench.simulation.calibration.estimate import Calibration, poisson_interval
from bti_workbench.simulation.calibration.stays import OUTCOMES

__all__ = ["calibration_table"]


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
        Estimates from :func:`~bti_workbench.simulation.calibration.estimate.estimate_parameters`.
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

    See Also
    --------
    bti_workbench.privacy.suppress_small : the one suppression gate.
    bti_workbench.simulation.calibration.write.calibrated_scenario : uses what is shown.

    Examples
    --------
    >>> from bti_workbench.simulation.calibration.estimate import estimate_parameters
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
    transitions, transitions_hidden = _transition_rows(calibration, k, lang)
    rows = [
        *_arrival_rows(calibration, k, lang),
        *_duration_rows(calibration, k, lang),
        *transitions,
        *_child_welfare_rows(calibration, k, lang, transitions_hidden),
        *_warm_start_rows(calibration, k, lang),
    ]
    return pd.DataFrame(rows)


# --- the steps of calibration_table -------------------------------------------------------


def _row(
    parameter: str,
    text: str,
    count: object,
    basis: object,
    estimate: object,
    low: object,
    high: object,
    hidden: bool = False,
    mark: str = "",
) -> dict:
    """One row of the table; a hidden estimate keeps its mark and loses its numbers."""
    return {
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


def _cells(table: SuppressedTable, row: object, column: object, lang: str) -> tuple[bool, str]:
    """Whether a cell of a suppressed table is hidden, and its mark."""
    hidden = bool(table.hidden.loc[row, column])
    return hidden, table.formatted(lang).loc[row, column] if hidden else ""


def _arrival_rows(calibration: Calibration, k: int, lang: str) -> list[dict]:
    """Rates per age band × source, and the weekly rate: concerns suppressed as a grid."""
    arrivals = calibration.arrivals
    if not len(arrivals):
        return []
    grid = arrivals.pivot_table(
        index="age_band", columns="source", values="concerns", aggfunc="sum", fill_value=0
    ).reindex(index=list(AGE_BANDS), fill_value=0)
    table = suppress_small(grid, k, allow_zero=True)
    rows = []
    for row in arrivals.itertuples(index=False):
        hidden, mark = _cells(table, row.age_band, row.source, lang)
        band = label(f"age_band.{row.age_band}", lang)
        service = label(f"service.{row.source}", lang)
        rows.append(
            _row(
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
        )
    hidden, mark = _cells(table, "total", "total", lang)
    total = int(arrivals["concerns"].sum())
    low, high = poisson_interval(np.array([total]), np.array([calibration.weeks]))
    rows.append(
        _row(
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
    )
    return rows


def _duration_rows(calibration: Calibration, k: int, lang: str) -> list[dict]:
    """Mean stay per level: completed stays suppressed as a column."""
    durations = calibration.durations
    table = suppress_small(durations["completed"], k)
    rows = []
    for lv, row in durations.iterrows():
        hidden, mark = _cells(table, lv, "completed", lang)
        rows.append(
            _row(
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
        )
    return rows


def _transition_rows(calibration: Calibration, k: int, lang: str) -> tuple[list[dict], bool]:
    """Routing shares: exits by level × outcome suppressed (structural zeros shown).

    Also says whether any cell of the exits table is hidden.
    """
    moves = calibration.transitions
    counts = moves.pivot(index="level", columns="outcome", values="count")
    counts = counts.reindex(columns=list(OUTCOMES)).fillna(0).astype(np.int64)
    table = suppress_small(counts, k, allow_zero=True)
    rows = []
    for row in moves.itertuples(index=False):
        hidden, mark = _cells(table, row.level, row.outcome, lang)
        exits_hidden = bool(table.hidden.loc[row.level, "total"])
        level = label(f"level.{row.level}.short", lang)
        rows.append(
            _row(
                f"levels.{row.level}.next.{row.outcome}",
                label(f"calib.next.{row.outcome}", lang, level=level),
                row.count,
                math.nan if exits_hidden else row.exits,
                row.share,
                row.ci_low,
                row.ci_high,
                hidden or exits_hidden,
                mark or (label("suppression.secondary", lang) if exits_hidden else ""),
            )
        )
    return rows, bool(table.hidden.to_numpy().any())


def _child_welfare_rows(
    calibration: Calibration, k: int, lang: str, transitions_hidden: bool
) -> list[dict]:
    """The observed child-welfare share (a proportion table) and the one the routing implies."""
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
    secondary = label("suppression.secondary", lang)
    rows = []
    for name in ("observed", "model"):
        model_hidden = name == "model" and transitions_hidden and not hidden
        rows.append(
            _row(
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
        )
    return rows


def _warm_start_rows(calibration: Calibration, k: int, lang: str) -> list[dict]:
    """Cases open at each level at the period end: suppressed as a column."""
    still_open = pd.Series(calibration.open_at_end, index=range(4), name="open")
    table = suppress_small(still_open, k)
    rows = []
    for lv, count in still_open.items():
        hidden, mark = _cells(table, lv, "open", lang)
        rows.append(
            _row(
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
        )
    return rows
