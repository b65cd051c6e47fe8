"""The dashboard's evaluation page: staff surveys before and after, and the indicators.

The survey shares come from :func:`bti_workbench.evaluation.wave_change` and
:func:`bti_workbench.evaluation.agreement_table` (both through the suppression gate), the
indicators from :func:`bti_workbench.evaluation.indicator_table` shown by
:func:`bti_workbench.evaluation.summary.indicator_display`: every count with its denominator,
``<k`` or ``×`` where hidden, and a share only where both counts are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from bti_workbench.evaluation.indicators import indicator_table
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.evaluation.summary import indicator_display
from bti_workbench.evaluation.surveys import agreement_table, survey_figure, wave_change
from bti_workbench.privacy import DEFAULT_K
from bti_workbench.reference.labels import label

__all__ = ["EvaluationView", "evaluation_view"]


@dataclass(frozen=True, eq=False)
class EvaluationView:
    """The evaluation page of one municipality and period.

    Attributes
    ----------
    period : (pandas.Timestamp, pandas.Timestamp)
    waves : (str, str) or None
        The two survey waves compared; None without a survey of two waves.
    survey : plotly.graph_objects.Figure or None
        Share agreeing per item before and after, with intervals.
    survey_table : pandas.DataFrame or None
        Per item: answers and share agreeing in each wave, the change with its interval,
        and the note (hidden, paired, too small a sample).
    indicators : pandas.DataFrame
        Indicator, numerator, denominator, share, interval, definition.
    notes : str
        What is missing, and the suppression rule.
    """

    period: tuple[pd.Timestamp, pd.Timestamp]
    waves: tuple[str, str] | None
    survey: go.Figure | None
    survey_table: pd.DataFrame | None
    indicators: pd.DataFrame
    notes: str


def _points(value: float, lang: str, digits: int = 1) -> str:
    from bti_workbench._util.numbers import format_number

    return format_number(100 * value, lang, digits, sign=True)


def _change_text(row: pd.Series, lang: str) -> str:
    if pd.isna(row["change"]):
        return ""
    interval = f"{_points(row['change_low'], lang)} – {_points(row['change_high'], lang)}"
    return f"{_points(row['change'], lang)} ({interval}) {label('dash.eval.points', lang)}"


def _survey_table(
    survey: pd.DataFrame, change: pd.DataFrame, before: str, after: str, k: int, lang: str
) -> pd.DataFrame:
    shares = agreement_table(survey, items=list(change.index), k=k, waves=[before, after])
    text = shares.formatted(lang)
    rows = []
    for item, row in change.iterrows():
        out = {label("dash.col.item", lang): label(f"item.{item}", lang)}
        for wave in (before, after):
            name = label(f"wave.{wave}", lang)
            if (item, wave) in text.index:
                cell = text.loc[(item, wave)]
                share = f"{cell['share']} ({cell['ci']})" if cell["share"] else ""
                answers = cell["denominator"]
            else:
                share = answers = ""
            out[label("dash.col.answers", lang, wave=name)] = answers
            out[label("dash.col.agree", lang, wave=name)] = share
        out[label("dash.col.change", lang)] = _change_text(row, lang)
        out[label("dash.col.note", lang)] = row["note"]
        rows.append(out)
    return pd.DataFrame(rows)


def _waves(survey: pd.DataFrame, before: str, after: str | None) -> tuple[str, str] | None:
    present = list(dict.fromkeys(survey["wave"].dropna().astype(str))) if len(survey) else []
    if before not in present:
        return None
    later = [w for w in present if w != before]
    if after is None:
        return (before, later[-1]) if later else None
    return (before, after) if after in later else None


def evaluation_view(
    data: EvaluationData,
    *,
    k: int = DEFAULT_K,
    lang: str = "nb",
    before: str = "baseline",
    after: str | None = None,
) -> EvaluationView:
    """Staff survey items before and after, and the indicator table, for ``data.period``.

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.
    k : int, default 5
        Suppression threshold, set by the operator, never by a viewer.
    lang : {"nb", "en"}
    before : str, default "baseline"
        The survey wave to compare from.
    after : str, optional
        The wave to compare with; default the last other wave in the survey.

    Returns
    -------
    EvaluationView
        Without a survey holding both waves, ``survey`` and ``survey_table`` are None and
        ``notes`` says so.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> from bti_workbench.evaluation import load_evaluation
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = write_demo(folder, "4228", seed=1)
    ...     data = load_evaluation("4228", "2018-09-01..2020-06-30", files=[folder])
    >>> view = evaluation_view(data, lang="en")
    >>> view.waves, list(view.indicators.columns[:3])
    (('baseline', 'follow_up'), ['Indicator', 'Numerator', 'Denominator'])
    """
    notes = []
    waves = _waves(data.staff_survey, before, after)
    survey = table = None
    if waves is None:
        notes.append(label("rep.no_survey", lang))
    else:
        change = wave_change(data.staff_survey, before=waves[0], after=waves[1], k=k, lang=lang)
        survey = survey_figure(change, lang)
        table = _survey_table(data.staff_survey, change, waves[0], waves[1], k, lang)
    indicators = indicator_table(
        data.event_log,
        period=data.period,
        population=data.municipality.population,
        report_form_1=data.report_form_1 if len(data.report_form_1) else None,
        report_form_2=data.report_form_2 if len(data.report_form_2) else None,
        k=k,
    )
    notes.append(label("suppression.note", lang, k=k))
    return EvaluationView(
        period=tuple(pd.Timestamp(x) for x in data.period),
        waves=waves,
        survey=survey,
        survey_table=table,
        indicators=indicator_display(indicators, lang),
        notes=" ".join(notes),
    )
