"""Checking a request for an evaluation before anything runs: municipality, period, go-live."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bti_workbench.evaluation import check_request, data_period, load_evaluation
from bti_workbench.evaluation.sources import parse_go_live
from bti_workbench.ingest.readers import read
from bti_workbench.ingest.store import import_files

FNR = "01010750160"  # a valid (synthetic-range) fødselsnummer: must never be printed back
OPTIONS = {"municipality": "--municipality", "period": "--period", "go_live": "--go-live"}


@pytest.fixture(scope="module")
def log_only(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sirdal's event log alone, imported without a go-live date."""
    store = tmp_path_factory.mktemp("log_only") / "store.duckdb"
    import_files(store, [demo_dir / "event_log.csv"], municipality="4228")
    return store


@pytest.fixture(scope="module")
def with_forms(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sirdal's event log and both report forms."""
    store = tmp_path_factory.mktemp("with_forms") / "store.duckdb"
    files = ["event_log.csv", "report_form_1.csv", "report_form_2.csv"]
    import_files(store, [demo_dir / f for f in files], municipality="4228")
    return store


def test_the_default_period_is_the_span_of_the_event_log(log_only, demo_dir):
    times = read(demo_dir / "event_log.csv", "event-log")["event_time"]
    expected = (times.min().normalize(), times.max().normalize())
    assert data_period(log_only, "4228") == expected
    assert check_request("4228", store=log_only).period == expected
    assert load_evaluation("4228", store=log_only).period == expected
    assert load_evaluation("4228", "", store=log_only).period == expected


def test_the_default_period_starts_with_the_first_report_and_ends_with_the_log(
    with_forms, demo_dir
):
    # The report dates may start it; the event log ends it (past the log's last day, open
    # logs would look dropped and open cases would repeat its last month).
    log = read(demo_dir / "event_log.csv", "event-log")["event_time"]
    form_1 = read(demo_dir / "report_form_1.csv", "report-form-1")["report_date"]
    form_2 = read(demo_dir / "report_form_2.csv", "report-form-2")
    days = pd.concat([log, form_1, form_2["period_start"], form_2["period_end"]]).dropna()
    expected = (days.min().normalize(), log.max().normalize())
    assert data_period(with_forms, "4228") == expected
    # …and the default period passes the check that the period ends within the export.
    assert load_evaluation("4228", store=with_forms).period == expected


def test_the_default_period_from_files_is_the_same(log_only, demo_dir):
    from_files = check_request("4228", files=[demo_dir / "event_log.csv"])
    assert from_files.period == data_period(log_only, "4228")
    assert from_files.municipalities == ("4228",)


def test_a_given_period_is_kept_and_an_open_one_too(log_only):
    chosen = check_request("4228", "2018-09-01..2019-08-31", store=log_only).period
    assert chosen == (pd.Timestamp("2018-09-01"), pd.Timestamp("2019-08-31"))
    open_ends = (pd.Timestamp.min, pd.Timestamp.max)
    assert check_request("4228", open_ends, store=log_only).period == open_ends


@pytest.mark.parametrize(
    ("kwargs", "expected", "value"),
    [
        ({"municipality": "5401"}, "--municipality: the store holds no event log", "5401"),
        ({"municipality": FNR}, "--municipality: not a kommunenummer", FNR),
        ({"municipality": "9999"}, "--municipality: no municipality has this number", "9999"),
        ({"period": "2019-01-01..2018-01-01"}, "--period: the end comes before", "2019-01-01"),
        ({"period": f"{FNR}..2018-01-01"}, "--period: the first day is not a date", FNR),
        ({"period": "2030-01-01..2030-06-30"}, "--period: the period ends more than", "2030"),
        ({"period": "2010-01-01..2010-06-30"}, "--period: the period lies outside", "2010"),
        ({"go_live": "4228=notadate"}, "--go-live: entry 1: the date cannot be read", "notadate"),
        ({"go_live": "notadate"}, "--go-live: the date cannot be read", "notadate"),
        ({"go_live": f"{FNR}=2018-09-01"}, "--go-live: entry 1: the municipality is not", FNR),
        ({"go_live": "4228=2018-09-01,1106=2019-03-01"}, "--go-live: entry 2 names a", "1106"),
        ({"go_live": "2018-09-01;1106"}, "--go-live: the date cannot be read", "1106"),
    ],
)
def test_a_bad_request_names_the_option_and_never_the_value(log_only, kwargs, expected, value):
    request = {"municipality": "4228", **kwargs}
    with pytest.raises(ValueError) as caught:
        check_request(request.pop("municipality"), store=log_only, names=OPTIONS, **request)
    message = str(caught.value)
    assert message.startswith(expected), message
    assert value not in message


def test_the_notebook_s_own_names_are_used_without_the_command_line(log_only):
    with pytest.raises(ValueError, match=r"^go_live: entry 1: the date cannot be read"):
        load_evaluation("4228", store=log_only, go_live="4228=2018-13-45")
    with pytest.raises(ValueError, match=r"^municipality: the store holds no event log"):
        load_evaluation("1106", store=log_only)


def test_go_live_dates_are_read_per_municipality():
    assert parse_go_live(" 4228 = 2018-09-01 , 301=2019-03-01", "4228") == {
        "4228": pd.Timestamp("2018-09-01"),
        "0301": pd.Timestamp("2019-03-01"),
    }
    assert parse_go_live("01.09.2018", "1106") == {"1106": pd.Timestamp("2018-09-01")}
    assert parse_go_live("", "4228") == {}
    with pytest.raises(ValueError, match="entry 2: the same municipality as an earlier entry"):
        parse_go_live("4228=2018-09-01,4228=2018-10-01", "4228")
    with pytest.raises(ValueError, match="entry 2 has no '='"):
        parse_go_live("4228=2018-09-01,2018-10-01", "4228")
