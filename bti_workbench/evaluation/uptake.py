"""Reach, adoption and penetration: how far BTI has spread, from the log and the report forms.

RE-AIM's *reach* (children with a baton log per child aged 0–23), its *adoption* (units using
the log per unit trained) and Proctor's *penetration* (active baton holders per trained staff
member). Each is a count over a stated denominator (an
:class:`~bti_workbench.evaluation.proportions.IndicatorCount`), gathered with the event-log
indicators by :func:`bti_workbench.evaluation.indicators.indicator_table`. Periods follow the
indicators' conventions: whole days, both included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bti_workbench.evaluation.eventarrays import (
    DAY,
    EventLogLike,
    PeriodLike,
    Window,
    indicator_arguments,
)
from bti_workbench.evaluation.proportions import IndicatorCount

__all__ = ["adoption", "penetration", "reach"]

_PRF2_ACTIVE = ("logs_opened", "active_level_1", "active_level_2", "active_level_3")


def _children_0_23(population: pd.DataFrame | pd.Series) -> int:
    if isinstance(population, pd.DataFrame):
        columns = {str(c).strip().lower(): c for c in population.columns}
        if not {"age", "persons"} <= set(columns):
            raise ValueError("population needs the columns age and persons")
        persons = pd.Series(
            population[columns["persons"]].to_numpy(), index=population[columns["age"]]
        )
    elif isinstance(population, pd.Series):
        persons = population
    else:
        raise TypeError("population must be a DataFrame (age, persons) or a Series by age")
    age = pd.to_numeric(pd.Series(persons.index), errors="coerce").to_numpy()
    keep = (age >= 0) & (age <= 23)
    if not keep.any():
        raise ValueError("population holds no ages 0–23")
    count = pd.to_numeric(pd.Series(persons.to_numpy()[keep]), errors="raise")
    if count.isna().any() or (count < 0).any():
        raise ValueError("population has missing or negative persons")
    return int(count.sum())


@indicator_arguments
def reach(
    event_log: EventLogLike, period: PeriodLike, population: pd.DataFrame | pd.Series
) -> IndicatorCount:
    """Reach: children with a baton log open at some time in the period, per child aged 0–23.

    Numerator: distinct cases (one case is one child) whose log was open on at least one day
    of the period (opened before the period end and not closed before its start).
    Denominator: children aged 0–23 in the population (ages 0 to 23 summed).

    The numerator can hold unborn children (prenatal cases) whom the population does not
    count yet; their share is small, and they are part of BTI's target group, so they stay.

    Parameters
    ----------
    event_log : pandas.DataFrame or EventArrays
        A validated event log (:func:`bti_workbench.ingest.readers.read` with
        ``kind="event-log"``).
    period : (start, end)
        Dates, both days inclusive.
    population : pandas.DataFrame or pandas.Series
        A table with columns ``age`` and ``persons`` (the demo's ``population.csv``, other
        columns ignored), or persons as a Series indexed by age.

    Returns
    -------
    IndicatorCount

    Raises
    ------
    ValueError
        When more children have a log than the population holds (a population from the
        wrong municipality).

    See Also
    --------
    bti_workbench.evaluation.indicators.indicator_table : every indicator of a period.

    Examples
    --------
    >>> log = pd.DataFrame({"case_id": ["a", "a", "b"],
    ...     "event": ["log_opened", "log_closed", "log_opened"],
    ...     "event_time": pd.to_datetime(["2018-01-05", "2018-02-01", "2018-06-01"])})
    >>> reach(log, ("2018-01-01", "2018-03-31"), pd.Series([50, 50], index=[0, 1]))
    IndicatorCount(numerator=1, denominator=100)
    """
    s, e = period
    opened, closed = event_log.logs
    children = int(np.count_nonzero((opened < e) & (closed >= s)))
    persons = _children_0_23(population)
    if children > persons:
        raise ValueError(
            "more children with an open log than children aged 0–23 in the population; "
            "is the population table for the same municipality?"
        )
    return IndicatorCount(children, persons)


def _units_report_form_1(report_form_1: pd.DataFrame, period: Window) -> pd.DataFrame:
    """One row per unit: the report closest to the period end, on or before it if any."""
    missing = {"municipality", "unit", "staff_trained"} - set(report_form_1.columns)
    if missing:
        raise ValueError(f"report form 1 needs the columns {sorted(missing)}")
    rf1 = report_form_1.assign(municipality=report_form_1["municipality"].astype(str))
    if "report_date" not in rf1.columns:
        return rf1.drop_duplicates(["municipality", "unit"], keep="last")
    dates = pd.to_datetime(rf1["report_date"])
    end = pd.Timestamp(period[1] - DAY, unit="s")
    rf1 = rf1.assign(_date=dates, _late=dates > end)
    before = (
        rf1[~rf1["_late"]]
        .sort_values("_date")
        .drop_duplicates(["municipality", "unit"], keep="last")
    )
    after = rf1[rf1["_late"]].sort_values("_date").drop_duplicates(["municipality", "unit"])
    keys = pd.MultiIndex.from_frame(before[["municipality", "unit"]])
    after = after[~pd.MultiIndex.from_frame(after[["municipality", "unit"]]).isin(keys)]
    return pd.concat([before, after]).drop(columns=["_date", "_late"])


def _active_report_form_2(report_form_2: pd.DataFrame, period: Window) -> pd.DataFrame:
    """Report-form-2 rows overlapping the period with an opened or an active log."""
    needed = {"municipality", "unit", "baton_holder_id", "period_start", "period_end"}
    missing = (needed | set(_PRF2_ACTIVE)) - set(report_form_2.columns)
    if missing:
        raise ValueError(f"report form 2 needs the columns {sorted(missing)}")
    start = pd.Timestamp(period[0], unit="s")
    end = pd.Timestamp(period[1] - DAY, unit="s")
    overlaps = (pd.to_datetime(report_form_2["period_start"]) <= end) & (
        pd.to_datetime(report_form_2["period_end"]) >= start
    )
    active = report_form_2[list(_PRF2_ACTIVE)].fillna(0).sum(axis=1) > 0
    rows = report_form_2[overlaps & active]
    return rows.assign(municipality=rows["municipality"].astype(str))


def _in_units(rows: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    keys = pd.MultiIndex.from_frame(units[["municipality", "unit"]])
    return pd.Series(
        pd.MultiIndex.from_frame(rows[["municipality", "unit"]]).isin(keys), index=rows.index
    )


@indicator_arguments
def adoption(
    report_form_1: pd.DataFrame, report_form_2: pd.DataFrame, period: PeriodLike
) -> IndicatorCount:
    """Adoption: units with a baton log in the period, per unit that reported after training.

    Numerator: units of report form 1 with at least one report-form-2 row overlapping the
    period whose ``logs_opened`` or any ``active_level_1..3`` is above zero.
    Denominator: the distinct units of report form 1 (matched on municipality and unit).
    Units that appear only in report form 2 count in neither.

    Parameters
    ----------
    report_form_1 : pandas.DataFrame
        Report form 1: ``municipality, unit, staff_trained`` (and ``report_date``).
    report_form_2 : pandas.DataFrame
        Report form 2: ``municipality, unit, baton_holder_id, period_start, period_end``,
        ``logs_opened`` and ``active_level_1..3``.
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    See Also
    --------
    bti_workbench.evaluation.indicators.indicator_table : every indicator of a period.

    Examples
    --------
    >>> rf1 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "u2"], "staff_trained": 4})
    >>> rf2 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "x"],
    ...     "baton_holder_id": ["h1", "h2"], "period_start": pd.Timestamp("2018-01-01"),
    ...     "period_end": pd.Timestamp("2018-01-31"), "logs_opened": 1, "active_level_1": 0,
    ...     "active_level_2": 0, "active_level_3": 0})
    >>> adoption(rf1, rf2, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=1, denominator=2)
    """
    units = _units_report_form_1(report_form_1, period)
    rows = _active_report_form_2(report_form_2, period)
    rows = rows[_in_units(rows, units)]
    with_log = rows[["municipality", "unit"]].drop_duplicates()
    return IndicatorCount(len(with_log), len(units))


@indicator_arguments
def penetration(
    report_form_1: pd.DataFrame, report_form_2: pd.DataFrame, period: PeriodLike
) -> IndicatorCount:
    """Penetration: active baton holders per trained staff member, in report-form-1 units.

    Numerator: distinct baton holders (``baton_holder_id``) with a report-form-2 row
    overlapping the period with an opened or active log, in a unit of report form 1.
    Denominator: ``staff_trained`` summed over the units of report form 1, one report per
    unit (the latest on or before the period end; else the earliest after it).

    Parameters
    ----------
    report_form_1 : pandas.DataFrame
        Report form 1: ``municipality, unit, staff_trained`` (and ``report_date``).
    report_form_2 : pandas.DataFrame
        Report form 2: ``municipality, unit, baton_holder_id, period_start, period_end``,
        ``logs_opened`` and ``active_level_1..3``.
    period : str or (start, end)
        ``"2018-01-01..2018-06-30"`` or two dates, both days included.

    Returns
    -------
    IndicatorCount
        Numerator and denominator, before suppression.

    Raises
    ------
    ValueError
        When the active baton holders outnumber the trained staff: report form 1 is then
        incomplete or the holders were not trained, and a share above 100 % would mislead.

    See Also
    --------
    bti_workbench.evaluation.indicators.indicator_table : every indicator of a period.

    Examples
    --------
    >>> rf1 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "u2"], "staff_trained": 4})
    >>> rf2 = pd.DataFrame({"municipality": "4228", "unit": ["u1", "u1"],
    ...     "baton_holder_id": ["h1", "h2"], "period_start": pd.Timestamp("2018-01-01"),
    ...     "period_end": pd.Timestamp("2018-01-31"), "logs_opened": [1, 0],
    ...     "active_level_1": [0, 2], "active_level_2": 0, "active_level_3": 0})
    >>> penetration(rf1, rf2, ("2018-01-01", "2018-06-30"))
    IndicatorCount(numerator=2, denominator=8)
    """
    units = _units_report_form_1(report_form_1, period)
    rows = _active_report_form_2(report_form_2, period)
    rows = rows[_in_units(rows, units)]
    holders = rows[["municipality", "baton_holder_id"]].drop_duplicates()
    trained = int(pd.to_numeric(units["staff_trained"]).fillna(0).sum())
    if len(holders) > trained:
        raise ValueError(
            "more active baton holders than trained staff in report form 1: check that report "
            "form 1 covers every unit and counts the baton holders among the trained"
        )
    return IndicatorCount(len(holders), trained)
