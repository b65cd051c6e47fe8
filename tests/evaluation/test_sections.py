"""Report sections the data cannot fill say why, instead of failing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bti_workbench.evaluation import (
    absent_sections,
    its_input,
    load_evaluation,
    monthly_panel,
    staggered_comparison,
    survey_waves,
)
from bti_workbench.ingest.store import import_files
from bti_workbench.reference.labels import catalogue


@pytest.fixture(scope="module")
def log_only(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sirdal's event log alone, imported without a go-live date."""
    store = tmp_path_factory.mktemp("sections") / "store.duckdb"
    import_files(store, [demo_dir / "event_log.csv"], municipality="4228")
    return store


@pytest.fixture(scope="module")
def two_without_dates(
    demo_dir: Path, large_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Sirdal's and Haugesund's event logs, neither with a go-live date."""
    store = tmp_path_factory.mktemp("two") / "store.duckdb"
    import_files(store, [demo_dir / "event_log.csv"], municipality="4228")
    import_files(store, [large_demo_dir / "event_log.csv"], municipality="1106")
    return store


def test_a_store_with_one_event_log_says_why_each_section_is_absent(log_only):
    data = load_evaluation("4228", store=log_only)
    assert absent_sections(data) == {
        "report_forms": "rep.absent.report_forms",
        "survey": "rep.absent.survey",
        "plan": "rep.no_plan",
    }
    its = its_input(data)
    assert its.absent == "rep.no_go_live" and its.series is None
    comparison = staggered_comparison(data, k=5)
    assert comparison.absent == "rep.no_staggered.one_municipality"
    assert comparison.result is None and comparison.withheld == []
    keys = catalogue().index
    for key in [*absent_sections(data).values(), its.absent, comparison.absent]:
        assert key in keys, key


def test_the_comparison_says_when_no_go_live_date_is_recorded(two_without_dates):
    data = load_evaluation("4228", store=two_without_dates)
    assert staggered_comparison(data).absent == "rep.no_staggered.no_go_live"
    # With a date for one of them only, still too few; with both in one month, the same month.
    one = load_evaluation("4228", store=two_without_dates, go_live="4228=2018-09-01")
    assert staggered_comparison(one).absent == "rep.no_staggered.no_go_live"
    same = load_evaluation(
        "4228", store=two_without_dates, go_live="4228=2018-09-01,1106=2018-09-20"
    )
    assert staggered_comparison(same).absent == "rep.no_staggered"


def test_a_go_live_at_the_edge_of_the_data_is_too_short_for_a_time_series(log_only):
    data = load_evaluation("4228", store=log_only, go_live="2018-02-15")
    its = its_input(data)
    assert its.absent == "rep.its_too_short"
    assert its.fields["n"] == 3 and its.fields["before"] < 3 and its.fields["after"] > 3
    fitted = its_input(load_evaluation("4228", store=log_only, go_live="2018-09-01"))
    assert fitted.absent is None and fitted.go_live == pd.Timestamp("2018-09-01")
    assert len(fitted.series) > 12


def test_the_demo_store_gives_a_comparison(demo_store):
    data = load_evaluation("1106", "2019-01-01..2019-12-31", store=demo_store)
    comparison = staggered_comparison(data, k=3, n_boot=99)
    assert comparison.absent is None
    assert comparison.result is not None and comparison.naive is not None
    assert set(comparison.result.overall.index) >= {"simple"}


def test_small_municipalities_withheld_leave_too_few_to_compare(demo_store):
    data = load_evaluation("4228", "2018-01-01..2018-06-30", store=demo_store)
    comparison = staggered_comparison(data, k=5, n_boot=99)
    assert "4228" in comparison.withheld
    # Haugesund and Skien remain, with different go-live months: they are compared.
    assert comparison.absent is None


def test_monthly_panel_without_logs_or_common_months_is_empty():
    assert monthly_panel({}).empty
    log = pd.DataFrame(
        {
            "case_id": ["a", "b"],
            "event_time": pd.to_datetime(["2018-01-01", "2018-04-01"]),
            "event": ["log_opened", "log_opened"],
        }
    )
    later = log.assign(event_time=log["event_time"] + pd.DateOffset(years=2))
    panel = monthly_panel({"4228": log, "1106": later})
    assert panel.empty and list(panel.columns) == ["unit", "period", "count", "outcome"]
    assert len(monthly_panel({"4228": log, "1106": log})) == 8


def test_survey_waves_are_the_first_and_last_in_the_contract_s_order():
    survey = pd.DataFrame({"wave": ["follow_up", "follow_up_2", "follow_up"]})
    assert survey_waves(survey) == ("follow_up", "follow_up_2")
    with pytest.raises(ValueError, match="fewer than two waves"):
        survey_waves(pd.DataFrame({"wave": ["baseline"]}))
