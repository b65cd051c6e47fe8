"""Evaluating pilots: indicators with denominators, survival curves, staff surveys, time
series around go-live, staggered adoption, the progress plan and how cases move between
levels. Everything shown passes
:func:`bti_workbench.privacy.suppress_small`."""

from bti_workbench.evaluation.brief import Brief, build_brief
from bti_workbench.evaluation.brief_display import BriefDisplay, brief_display, trend_figure
from bti_workbench.evaluation.caseflow import (
    FLOW_STATES,
    case_flow_sankey,
    case_paths,
    flow_table,
    flow_table_text,
    level_transitions,
)
from bti_workbench.evaluation.indicators import (
    INDICATORS,
    cases_by_level,
    dropped_batons_by_month,
    indicator_table,
)
from bti_workbench.evaluation.progress_plan import (
    gantt_figure,
    plan_display,
    plan_status,
    plan_summary,
)
from bti_workbench.evaluation.proportions import (
    IndicatorCount,
    ProportionTable,
    newcombe_interval,
    proportion_table,
    wilson_interval,
)
from bti_workbench.evaluation.sections import (
    absent_sections,
    its_input,
    staggered_comparison,
    survey_waves,
)
from bti_workbench.evaluation.sources import (
    EvaluationData,
    check_request,
    data_period,
    load_evaluation,
    monthly_panel,
    publishable_panel,
    whole_months,
)
from bti_workbench.evaluation.staggered import att_gt, event_study_figure, twfe
from bti_workbench.evaluation.summary import (
    cases_by_level_figure,
    cases_table,
    caveats,
    headline_table,
    indicator_display,
    km_display,
    place_fields,
    sources_table,
)
from bti_workbench.evaluation.surveys import (
    agreement_table,
    survey_display,
    survey_figure,
    wave_change,
)
from bti_workbench.evaluation.survival import (
    km_figure,
    km_table,
    time_to_closing,
    time_to_level0_decision,
)
from bti_workbench.evaluation.tables import format_p_value, its_display, staggered_display
from bti_workbench.evaluation.timeseries import (
    its_figure,
    its_table,
    monthly_counts,
    segmented_regression,
)

__all__ = [
    "FLOW_STATES",
    "INDICATORS",
    "Brief",
    "BriefDisplay",
    "EvaluationData",
    "IndicatorCount",
    "ProportionTable",
    "absent_sections",
    "agreement_table",
    "att_gt",
    "brief_display",
    "build_brief",
    "case_flow_sankey",
    "case_paths",
    "cases_by_level",
    "cases_by_level_figure",
    "cases_table",
    "caveats",
    "check_request",
    "data_period",
    "dropped_batons_by_month",
    "event_study_figure",
    "flow_table",
    "flow_table_text",
    "format_p_value",
    "gantt_figure",
    "headline_table",
    "indicator_display",
    "indicator_table",
    "its_display",
    "its_figure",
    "its_input",
    "its_table",
    "km_display",
    "km_figure",
    "km_table",
    "level_transitions",
    "load_evaluation",
    "monthly_counts",
    "monthly_panel",
    "newcombe_interval",
    "place_fields",
    "plan_display",
    "plan_status",
    "plan_summary",
    "proportion_table",
    "publishable_panel",
    "segmented_regression",
    "sources_table",
    "staggered_comparison",
    "staggered_display",
    "survey_display",
    "survey_figure",
    "survey_waves",
    "time_to_closing",
    "time_to_level0_decision",
    "trend_figure",
    "twfe",
    "wave_change",
    "whole_months",
    "wilson_interval",
]
