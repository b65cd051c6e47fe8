"""What each section of the evaluation report can show, and why a section is absent.

A store need not hold every kind of file, nor a go-live date, nor more than one municipality.
The functions here give a report section what it needs, or the catalogue key of the sentence
that says why the section is absent (``label(key, lang, k=k, …)``), so the report says why
instead of failing:

* :func:`absent_sections`: report forms, staff survey and progress plan;
* :func:`its_input`: the interrupted time series around the municipality's go-live;
* :func:`staggered_comparison`: the comparison across municipalities that went live at
  different times.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from bti_workbench.evaluation.sources import (
    EvaluationData,
    monthly_panel,
    publishable_panel,
    whole_months,
)
from bti_workbench.evaluation.staggered import StaggeredResult, TwfeResult, att_gt, twfe
from bti_workbench.evaluation.timeseries import _MIN_FIT_POINTS
from bti_workbench.ingest.contracts import column_specs
from bti_workbench.privacy import DEFAULT_K

__all__ = [
    "ItsInput",
    "StaggeredComparison",
    "absent_sections",
    "its_input",
    "staggered_comparison",
    "survey_waves",
]


def absent_sections(data: EvaluationData) -> dict[str, str]:
    """The sections the data cannot fill, each with the key of the sentence saying why.

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.

    Returns
    -------
    dict
        Some of ``report_forms`` (adoption and penetration need report forms 1 and 2),
        ``survey`` (no staff survey, or one with a single wave) and ``plan`` (no progress
        plan), each → a catalogue key.

    Examples
    --------
    >>> empty = pd.DataFrame()
    >>> data = EvaluationData(None, None, empty, empty, empty, empty, empty, pd.Series(),
    ...                       {}, empty, False)
    >>> absent_sections(data)
    {'report_forms': 'rep.absent.report_forms', 'survey': 'rep.absent.survey', 'plan': 'rep.no_plan'}
    """  # noqa: E501
    absent = {}
    if not len(data.report_form_1) or not len(data.report_form_2):
        absent["report_forms"] = "rep.absent.report_forms"
    if not len(data.staff_survey):
        absent["survey"] = "rep.absent.survey"
    elif data.staff_survey["wave"].nunique() < 2:
        absent["survey"] = "rep.no_survey"
    if not len(data.progress_plan):
        absent["plan"] = "rep.no_plan"
    return absent


def survey_waves(staff_survey: pd.DataFrame) -> tuple[str, str]:
    """The first and the last wave a staff survey has, in the contract's order.

    Parameters
    ----------
    staff_survey : pandas.DataFrame
        A staff survey with at least two waves (see :func:`absent_sections`).

    Returns
    -------
    (str, str)
        The waves to compare with :func:`bti_workbench.evaluation.wave_change`.

    Examples
    --------
    >>> survey_waves(pd.DataFrame({"wave": ["follow_up_2", "baseline", "follow_up"]}))
    ('baseline', 'follow_up_2')
    """
    order = list(column_specs("staff-survey")["wave"]["values"])
    present = set(staff_survey["wave"].dropna().astype(str))
    waves = [wave for wave in order if wave in present]
    if len(waves) < 2:
        raise ValueError("the staff survey has fewer than two waves")
    return waves[0], waves[-1]


@dataclass(frozen=True)
class ItsInput:
    """What the interrupted time series needs, or why it is absent.

    Attributes
    ----------
    series : pandas.Series or None
        New logs in each whole month of the export.
    go_live : pandas.Timestamp or None
        The municipality's go-live date.
    absent : str or None
        The catalogue key of the sentence saying why the section is absent (its fields:
        ``n``, ``before``, ``after``), or None when it can be shown.
    fields : dict
        The values for the sentence's fields.
    """

    series: pd.Series | None
    go_live: pd.Timestamp | None
    absent: str | None
    fields: dict[str, int] = field(default_factory=dict)


def its_input(data: EvaluationData) -> ItsInput:
    """The monthly new logs and the go-live date, when a time series can be fitted.

    It cannot without a go-live date for the municipality (``rep.no_go_live``), nor with
    fewer than three whole months on either side of it (``rep.its_too_short``).

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.

    Returns
    -------
    ItsInput
    """
    when = data.go_live.get(data.municipality.kommunenummer)
    if when is None or pd.isna(when):
        return ItsInput(None, None, "rep.no_go_live")
    when = pd.Timestamp(when)
    series = whole_months(data.event_log)
    before = int((series.index < pd.Period(when, "M")).sum())
    after = len(series) - before
    if min(before, after) < _MIN_FIT_POINTS:
        fields = {"n": _MIN_FIT_POINTS, "before": before, "after": after}
        return ItsInput(None, when, "rep.its_too_short", fields)
    return ItsInput(series, when, None)


@dataclass(frozen=True)
class StaggeredComparison:
    """The comparison across municipalities, or why it is absent.

    Attributes
    ----------
    result : StaggeredResult or None
        Callaway and Sant'Anna's estimates.
    naive : TwfeResult or None
        The two-way fixed-effects estimate, for contrast.
    withheld : list of str
        Municipalities left out because a month's count is below ``k``.
    absent : str or None
        The catalogue key of the sentence saying why the section is absent, or None.
    """

    result: StaggeredResult | None
    naive: TwfeResult | None
    withheld: list[str]
    absent: str | None


def staggered_comparison(
    data: EvaluationData, *, k: int = DEFAULT_K, n_boot: int = 499, seed: int = 1
) -> StaggeredComparison:
    """Compare the municipalities that went live at different times, when the data allow.

    Monthly new logs per 1 000 children of every municipality with an event log and a go-live
    date, over the whole months common to their logs, without municipalities with a month
    below ``k`` (:func:`bti_workbench.evaluation.publishable_panel`); later starters are the
    controls (``control="not_yet"``).

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.
    k : int, default 5
        Suppression threshold.
    n_boot : int, default 499
        Bootstrap draws of :func:`bti_workbench.evaluation.att_gt`.
    seed : int, default 1

    Returns
    -------
    StaggeredComparison
        With a result, or ``absent``: ``rep.no_staggered.one_municipality`` (one event log),
        ``rep.no_staggered.no_go_live`` (fewer than two go-live dates),
        ``rep.no_staggered`` (all in the same month), ``rep.no_staggered.no_overlap`` (no
        whole month common to the logs), ``rep.no_staggered.withheld`` (fewer than two left
        after small counts) or ``rep.no_staggered.not_estimable`` (nobody went live inside
        the common months, or nobody was left to compare with).
    """
    logs = data.event_logs
    if len(logs) < 2:
        return StaggeredComparison(None, None, [], "rep.no_staggered.one_municipality")
    known = {m: pd.Timestamp(d) for m, d in data.go_live.items() if m in logs and pd.notna(d)}
    absent = _why_not(known, few="rep.no_staggered.no_go_live")
    if absent:
        return StaggeredComparison(None, None, [], absent)
    panel = monthly_panel({m: logs[m] for m in known})
    if panel.empty:
        return StaggeredComparison(None, None, [], "rep.no_staggered.no_overlap")
    panel, withheld = publishable_panel(panel, k)
    known = {m: d for m, d in known.items() if m not in withheld}
    absent = _why_not(known, few="rep.no_staggered.withheld")
    if absent:
        return StaggeredComparison(None, None, withheld, absent)
    groups = {m: pd.Period(d, "M") for m, d in known.items()}
    try:
        result = att_gt(panel, groups, control="not_yet", n_boot=n_boot, seed=seed)
        naive = twfe(panel, groups)
    except ValueError:  # nobody treated inside the common months, or no one left to compare
        return StaggeredComparison(None, None, withheld, "rep.no_staggered.not_estimable")
    return StaggeredComparison(result, naive, withheld, None)


def _why_not(known: dict[str, pd.Timestamp], *, few: str) -> str | None:
    """Why these go-live dates cannot be compared: too few (``few``), or all in one month."""
    if len(known) < 2:
        return few
    if len({pd.Period(d, "M") for d in known.values()}) < 2:
        return "rep.no_staggered"
    return None
