"""Tables for people: the display functions of the evaluation report, on hand-made frames.

Each table must read as its language writes: names and headers from the catalogue, numbers
with the language's separators, p-values as ``<0,001``, hidden cells as marks, and never
NaN, None, True/False or an id.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation import (
    cases_table,
    format_p_value,
    its_display,
    plan_display,
    proportion_table,
    segmented_regression,
    sources_table,
    staggered_display,
    survey_display,
)
from bti_workbench.evaluation.staggered import StaggeredResult, TwfeResult
from bti_workbench.privacy import suppress_small
from bti_workbench.reference.labels import label
from tests._language import ENGLISH

RAW = re.compile(r"\b(NaN|nan|None|True|False|NaT)\b|<NA>|\b[a-z]+_[a-z_]+\b")


def _cells(table: pd.DataFrame) -> list[str]:
    """Every header and cell, each of which must be text."""
    cells = [*table.columns, *table.to_numpy().ravel().tolist()]
    assert all(isinstance(c, str) for c in cells), [type(c) for c in cells]
    return cells


def _readable(table: pd.DataFrame, lang: str) -> None:
    assert isinstance(table.index, pd.RangeIndex)
    text = " | ".join(_cells(table))
    assert RAW.findall(text) == [], RAW.findall(text)
    if lang == "nb":
        assert ENGLISH.findall(text) == [], ENGLISH.findall(text)


@pytest.mark.parametrize(
    ("value", "nb", "en"),
    [
        (0.0, "<0,001", "<0.001"),
        (0.00093, "<0,001", "<0.001"),
        (0.0042, "0,004", "0.004"),
        (0.0342, "0,03", "0.03"),
        (0.5, "0,50", "0.50"),
        (float("nan"), "–", "–"),
        (None, "–", "–"),
    ],
)
def test_p_values_read_as_people_write_them(value, nb, en):
    assert format_p_value(value, "nb") == nb
    assert format_p_value(value, "en") == en


def _change_frame(design: str = "independent") -> pd.DataFrame:
    """Two items as :func:`wave_change` returns them: one shown, one hidden."""
    paired = design == "paired"
    frame = pd.DataFrame(
        {
            "before": ["baseline", "baseline"],
            "after": ["follow_up", "follow_up"],
            "n_before": [26.0, 30.0],
            "n_after": [30.0, 29.0],
            "share_before": [10 / 26, np.nan],
            "ci_low_before": [0.22, np.nan],
            "ci_high_before": [0.57, np.nan],
            "share_after": [0.3, np.nan],
            "ci_low_after": [0.17, np.nan],
            "ci_high_after": [0.48, np.nan],
            "change": [-0.0846, np.nan],
            "change_low": [-0.317, np.nan],
            "change_high": [0.156, np.nan],
            "cohens_h": [-0.179, np.nan],
            "mdd": [0.301, np.nan],
            "underpowered": pd.array([True, pd.NA], dtype="boolean"),
            "design": [design, design],
            "n_paired": pd.array([12, pd.NA] if paired else [pd.NA, pd.NA], dtype="Int64"),
            "test": ["wilcoxon" if paired else "mann_whitney"] * 2,
            "statistic": [300.0, 210.0],
            "p_value": [0.583, 0.0004],
            "rank_effect": [-0.1, 0.3],
            "note": ["", ""],
        },
        index=pd.Index(["know_what_to_do", "trust_services"], name="item"),
    )
    frame.attrs.update(confidence=0.95, power=0.8, k=5)
    return frame


def _agreement():
    counts = pd.DataFrame(
        {"numerator": [10, 9, 3, 6], "denominator": [26, 30, 30, 29]},
        index=pd.MultiIndex.from_product(
            [["know_what_to_do", "trust_services"], ["baseline", "follow_up"]],
            names=["item", "wave"],
        ),
    )
    return proportion_table(counts, k=5)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_survey_table_names_items_and_hides_what_is_hidden(lang):
    table = survey_display(_change_frame(), lang, agreement=_agreement())
    _readable(table, lang)
    of = label("tab.ev.of", lang, numerator="{n}", denominator="{d}")
    first, hidden = table.iloc[0].tolist(), table.iloc[1].tolist()
    assert first[0] == label("item.know_what_to_do", lang)
    assert first[1] == "38 % (" + of.format(n="10", d="26") + ")"
    assert first[3] == ("−8,5 (−31,7 til 15,6)" if lang == "nb" else "−8.5 (−31.7 to 15.6)")
    assert first[5] == ("0,58" if lang == "nb" else "0.58")
    assert first[-1] == label("survey.too_small_short", lang)
    assert hidden[0] == label("item.trust_services", lang)
    assert hidden[1] == of.format(n="<5", d="30")  # the count hidden, no share
    assert hidden[3] == hidden[4] == hidden[6] == "–"
    assert hidden[5] == ("<0,001" if lang == "nb" else "<0.001")
    assert hidden[-1] == label("survey.hidden", lang, k=5)
    test = label("tab.ev.test.mann_whitney", lang)
    assert table.columns[0] == label("tab.ev.survey.item", lang)
    assert label("tab.ev.survey.p_value", lang, test=test) in table.columns


def test_the_survey_table_without_counts_says_how_many_answered():
    table = survey_display(_change_frame("paired"), "nb")
    _readable(table, "nb")
    assert table.iloc[0, 1] == "38 % (26 svar)"
    assert table.iloc[1, 1] == "30 svar"
    assert label("survey.paired", "nb", n=12) in table.iloc[0, -1]
    assert label("survey.paired_few", "nb", k=5) in table.iloc[1, -1]
    assert "p-verdi (Wilcoxon)" in table.columns


def _its_result():
    months = pd.period_range("2018-01", periods=16, freq="M")
    counts = [10, 12, 11, 9, 12, 10, 11, 13, 20, 22, 19, 21, 23, 20, 22, 21]
    return pd.Series(counts, index=months)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_time_series_table_shows_rate_ratios_with_names(lang):
    result = segmented_regression(_its_result(), "2018-09")
    table = its_display(result, lang)
    _readable(table, lang)
    assert table.iloc[:, 0].tolist() == [
        label("tab.ev.its.level_change.ratio", lang),
        label("tab.ev.its.slope_change.ratio", lang),
    ]
    ratio = result.coefficients.loc["level_change", "ratio"]
    decimal = "," if lang == "nb" else "."
    assert table.iloc[0, 1] == f"{ratio:.2f}".replace(".", decimal)
    assert table.iloc[0, 2].startswith("+") and table.iloc[0, 2].endswith(" %")
    assert label("tab.ev.ci", lang, level="95") in table.columns


def test_the_time_series_table_of_a_linear_fit_has_no_ratios():
    result = segmented_regression(_its_result(), "2018-09", family="ols")
    table = its_display(result, "nb")
    _readable(table, "nb")
    assert table.iloc[0, 0] == label("tab.ev.its.level_change", "nb")
    assert label("tab.ev.its.percent", "nb") not in table.columns


def test_the_time_series_warnings_write_numbers_in_the_language():
    result = replace(
        segmented_regression(_its_result(), "2018-09"),
        warning_codes=(("its.warn.autocorrelation", {"p": 0.0123, "dw": 1.234}),),
    )
    assert "p = 0,012" in result.messages("nb")[0] and "1,23" in result.messages("nb")[0]
    assert "p = 0.012" in result.messages("en")[0]


def _staggered(n_treated: list[int]) -> StaggeredResult:
    overall = pd.DataFrame(
        {
            "att": [0.792, 0.61, 1.2],
            "se": [np.nan, 0.2, 0.3],
            "ci_low": [np.nan, 0.21, 0.6],
            "ci_high": [np.nan, 1.01, 1.8],
            "p_value": [np.nan, 0.002, 0.00001],
            "n_treated": n_treated,
            "n_control": [3, 3, 3],
        },
        index=pd.Index(["simple", "group", "dynamic"], name="aggregation"),
    )
    empty = pd.DataFrame()
    return StaggeredResult(
        empty, empty, empty, overall, "not_yet", "varying", 6, 0, 99, 1, 0.95, 2.5
    )


def test_the_staggered_table_names_its_averages_and_blanks_single_units():
    twfe = TwfeResult(1.36, 0.4, 0.56, 2.16, 0.0007, 6, pd.DataFrame(), 0.0)
    table = staggered_display(_staggered([1, 3, 3]), "nb", twfe_result=twfe)
    _readable(table, "nb")
    assert table.iloc[:, 0].tolist() == [
        label("tab.ev.did.simple", "nb"),
        label("tab.ev.did.group", "nb"),
        label("tab.ev.did.dynamic", "nb"),
        label("did.twfe", "nb"),
    ]
    assert table.iloc[0, 1:4].tolist() == ["0,79", label("tab.ev.did.single", "nb"), "–"]
    assert table.iloc[1, 1:4].tolist() == ["0,61", "0,21 til 1,01", "0,002"]
    assert table.iloc[2, 3] == "<0,001"
    # The two-way estimate rests on the same units: one treated unit, no interval either.
    assert table.iloc[3, 2:].tolist() == [label("tab.ev.did.single", "nb"), "–", "–", "–"]
    enough = staggered_display(_staggered([2, 3, 3]), "en", twfe_result=twfe)
    _readable(enough, "en")
    assert enough.iloc[3, 1:4].tolist() == ["1.36", "0.56 to 2.16", "<0.001"]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_plan_table_names_phases_states_and_groups(lang):
    summary = pd.DataFrame(
        {
            "done_on_time": [2, 0],
            "done_late": [1, 0],
            "late": [0, 1],
            "open": [0, 0],
            "cancelled": [0, 1],
            "total": [3, 2],
            "days_late": [23, 1234],
        },
        index=pd.MultiIndex.from_tuples(
            [(2, "Prosjektleder"), (np.nan, "Rektor")], names=["phase", "responsible"]
        ),
    )
    table = plan_display(summary, lang)
    _readable(table, lang)
    assert table.columns.tolist()[:3] == [
        label("column.progress_plan.phase", lang),
        label("column.progress_plan.responsible", lang),
        label("plan.state.done_on_time", lang),
    ]
    assert table.iloc[:, 0].tolist() == [
        label("plan.phase.2", lang),
        label("plan.phase.none", lang),
    ]
    assert table.iloc[1, -1] == ("1\u00a0234" if lang == "nb" else "1,234")


def test_the_cases_table_has_a_month_column_and_marks():
    counts = pd.DataFrame(
        {0: [12, 30, 7], 1: [1040, 2, 9]},
        index=pd.to_datetime(["2019-01-31", "2019-02-28", "2019-03-31"]),
    )
    table = cases_table(suppress_small(counts, k=5), "nb")
    _readable(table, "nb")
    assert table.columns.tolist() == ["Månedsslutt", "Nivå 0", "Nivå 1", "I alt"]
    assert table.iloc[0].tolist() == ["31.01.2019", "12", "1\u00a0040", "1\u00a0052"]
    assert table.iloc[1, 2] == "<5"


def test_the_sources_table_names_kinds_from_the_catalogue():
    imports = pd.DataFrame(
        {
            "municipality": ["4228", None, "1106"],
            "kind": ["event-log", "progress-plan", "event-log"],
            "file_name": ["event_log.csv", "plan.csv", "other.csv"],
            "rows": [12532, 16, 5],
            "imported_at": ["2024-03-01 09:30:00"] * 3,
            "sha256": ["a" * 64, "b" * 64, "c" * 64],
        }
    )
    table = sources_table(imports, "4228", "nb")
    assert table.iloc[:, 0].tolist() == [label("contract.event_log", "nb"), "Framdriftsplan"]
    assert table.iloc[0, 2:].tolist() == ["12\u00a0532", "01.03.2024 09:30", "a" * 12 + "…"]
    assert table.columns[-1] == label("tab.ev.checksum", "nb")
