"""The one period parser: every form a period is given in, and the errors."""

import datetime

import numpy as np
import pandas as pd
import pytest

from bti_workbench._util.periods import in_period, parse_period, period_bounds

FIRST, LAST = pd.Timestamp("2018-01-01"), pd.Timestamp("2018-06-30")


@pytest.mark.parametrize(
    "period",
    [
        "2018-01-01..2018-06-30",
        " 2018-01-01 .. 2018-06-30 ",
        ("2018-01-01", "2018-06-30"),
        ["2018-01-01", "2018-06-30"],
        (datetime.date(2018, 1, 1), datetime.datetime(2018, 6, 30, 17, 45)),
        (np.datetime64("2018-01-01"), pd.Timestamp("2018-06-30 12:00")),
        (pd.Timestamp("2018-01-01 08:00", tz="Europe/Oslo"), "2018-06-30T23:59"),
        pd.Series(["2018-01-01", "2018-06-30"]),
    ],
)
def test_every_form_gives_the_first_and_last_day(period):
    assert parse_period(period) == (FIRST, LAST)


def test_one_day_and_open_ends():
    assert parse_period("2018-01-01..2018-01-01") == (FIRST, FIRST)
    assert parse_period((pd.Timestamp.min, pd.Timestamp.max)) == (
        pd.Timestamp.min,
        pd.Timestamp.max,
    )
    assert period_bounds((pd.Timestamp.min, pd.Timestamp.max))[1] == pd.Timestamp.max


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2018-06-30..2018-01-01", "the end comes before the start"),
        (("2020-02-01", "2020-01-01"), "the last day is before the first"),
        ("2018-01-01 2018-06-30", "no '..' between the two dates"),
        ("2018-01-01..", "the last day is missing"),
        ("..2018-06-30", "the first day is missing"),
        (("2018-01-01", None), "the last day is missing"),
        ("2018-13-01..2018-06-30", "the first day '2018-13-01' is not a date"),
        (("2018-01-01", "2018-02-01", "2018-03-01"), "3 values where two dates belong"),
        (None, "give two dates"),
        (20180101, "give two dates"),
    ],
)
def test_errors_name_what_is_wrong(period, message):
    with pytest.raises(ValueError, match=message) as info:
        parse_period(period)
    assert str(info.value).startswith("period ")


def test_the_name_heads_the_message():
    with pytest.raises(ValueError, match=r"^--period '2018-06-30\.\.2018-01-01': the end"):
        parse_period("2018-06-30..2018-01-01", name="--period")


def test_bounds_are_half_open_whole_days():
    assert period_bounds("2018-01-01..2018-06-30") == (FIRST, pd.Timestamp("2018-07-01"))
    times = pd.Series(
        pd.to_datetime(
            ["2017-12-31 23:59", "2018-01-01 00:00", "2018-06-30 23:59", "2018-07-01 00:00"]
        )
    )
    assert in_period(times, ("2018-01-01 12:00", "2018-06-30")).tolist() == [
        False,
        True,
        True,
        False,
    ]
    assert in_period(times, None).all()
    assert in_period(pd.Series([], dtype="datetime64[ns]"), "2018-01-01..2018-01-02").size == 0
