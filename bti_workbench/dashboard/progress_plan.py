"""The dashboard's plan page: the progress plan as a Gantt chart and its status on a day.

The counts are of activities in a plan that is shown row by row, not of people, so they are
not suppressed (see :func:`bti_workbench.evaluation.progress_plan.plan_summary`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from bti_workbench.evaluation.progress_plan import STATES, gantt_figure, plan_summary
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.reference.labels import label

__all__ = ["PlanView", "plan_view"]


@dataclass(frozen=True, eq=False)
class PlanView:
    """The plan page of one municipality.

    Attributes
    ----------
    today : pandas.Timestamp
        The day the plan is judged on.
    gantt : plotly.graph_objects.Figure or None
        One bar per activity, coloured by its status on ``today``; None without a plan.
    summary : pandas.DataFrame or None
        Activities per status by responsible role and phase, with the days late summed.
    totals : pandas.DataFrame or None
        The same for the whole plan, one row.
    notes : str
        Why there is no plan, else ``""``.
    """

    today: pd.Timestamp
    gantt: go.Figure | None
    summary: pd.DataFrame | None
    totals: pd.DataFrame | None
    notes: str


def _display(counts: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Localised headers, phase names and state names."""
    out = counts.reset_index()
    if "phase" in out.columns:
        out["phase"] = [
            label("plan.phase.none", lang) if pd.isna(p) else label(f"plan.phase.{int(p)}", lang)
            for p in out["phase"]
        ]
    names = {state: label(f"plan.state.{state}", lang) for state in STATES}
    names |= {"total": label("rep.total", lang), "days_late": label("dash.plan.days_late", lang)}
    for column in ("responsible", "phase"):
        names[column] = label(f"column.progress_plan.{column}", lang)
    return out.drop(columns="index", errors="ignore").rename(columns=names)


def plan_view(data: EvaluationData, *, today: object = None, lang: str = "nb") -> PlanView:
    """The progress plan as it stood on ``today``: Gantt chart and status counts.

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.
    today : date-like, optional
        Default: today's date, or the evaluation period's end if that comes first (the plan
        as it stood then).
    lang : {"nb", "en"}

    Returns
    -------
    PlanView
        Without a plan, the figure and tables are None and ``notes`` says so.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> from bti_workbench.evaluation import load_evaluation
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_demo(folder, "4228", seed=1)
    ...     data = load_evaluation("4228", "2018-09-01..2020-06-30", files=[folder])
    >>> view = plan_view(data, today="2018-06-30", lang="en")
    >>> int(view.totals["Total"].iloc[0]) == len(data.progress_plan)
    True
    """
    if today is None:
        today = min(pd.Timestamp.today().normalize(), pd.Timestamp(data.period[1]).normalize())
    today = pd.Timestamp(today).normalize()
    plan = data.progress_plan
    if plan is None or len(plan) == 0:
        return PlanView(today, None, None, None, label("rep.no_plan", lang))
    by = [c for c in ("responsible", "phase") if c in plan.columns]
    return PlanView(
        today=today,
        gantt=gantt_figure(plan, today, lang),
        summary=_display(plan_summary(plan, today, by=by), lang),
        totals=_display(plan_summary(plan, today, by=()), lang),
        notes="",
    )
