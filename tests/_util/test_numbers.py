"""One number format per language: bokmål ``8 252 439 kr`` and ``2,6 uker``, English
``NOK 8,252,439`` and ``2.6 weeks``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench._util import numbers
from bti_workbench._util.numbers import (
    MINUS,
    NO_BREAK_SPACE,
    figure_separators,
    format_nok,
    format_number,
    format_share,
    format_weeks,
)
from bti_workbench.reference.labels import catalogue, label


def _spaced(text: str) -> str:
    return text.replace(NO_BREAK_SPACE, " ")


@pytest.mark.parametrize(
    ("value", "digits", "nb", "en"),
    [
        (8252439.4, 0, "8 252 439", "8,252,439"),
        (1234.5678, 2, "1 234,57", "1,234.57"),
        (999.96, 1, "1 000,0", "1,000.0"),
        (-160000, 0, f"{MINUS}160 000", f"{MINUS}160,000"),
        (0.004, 2, "0,00", "0.00"),
        (12, 0, "12", "12"),
    ],
)
def test_numbers_in_each_language(value, digits, nb, en):
    assert _spaced(format_number(value, "nb", digits)) == nb
    assert format_number(value, "en", digits) == en


def test_bokmal_groups_with_a_no_break_space_and_never_a_comma_or_point():
    text = format_number(1234567.891, "nb", 2)
    assert text == f"1{NO_BREAK_SPACE}234{NO_BREAK_SPACE}567,89"
    assert "." not in text and text.count(",") == 1


def test_signs_for_differences():
    assert format_number(2.5, "nb", 1, sign=True) == "+2,5"
    assert format_number(-2.5, "en", 1, sign=True) == f"{MINUS}2.5"
    assert "-" not in format_number(-2.5, "nb", 1)  # the minus sign, not the hyphen
    # A value that rounds to zero has no sign either way.
    assert format_number(-0.04, "nb", 1, sign=True) == "0,0"
    assert format_number(0.04, "en", 1, sign=True) == "0.0"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, np.float32("nan")])
def test_missing_values_show_a_dash(missing):
    for shown in (format_number, format_nok, format_weeks, format_share):
        assert shown(missing, "nb") == "–"


def test_numpy_and_pandas_numbers_format_like_floats():
    assert format_number(np.int64(8252439), "en") == "8,252,439"
    assert format_number(np.float32(2.5), "nb", 1) == "2,5"
    assert format_number(pd.Series([3.25]).iloc[0], "en", 2) == "3.25"


def test_kroner_weeks_and_shares():
    assert _spaced(format_nok(8252439, "nb")) == "8 252 439 kr"
    assert format_nok(8252439, "en") == "NOK 8,252,439"
    assert format_weeks(2.62, "nb") == "2,6 uker"
    assert format_weeks(2.62, "en") == "2.6 weeks"
    assert format_weeks(1, "nb", 0) == "1 uke" and format_weeks(1.0, "en") == "1.0 week"
    assert format_weeks(1.04, "en", 0) == "1 week" and format_weeks(2, "nb", 0) == "2 uker"
    assert format_share(0.125, "nb", 1) == "12,5 %" and format_share(0.125, "en", 1) == "12.5 %"
    assert format_share(-0.031, "nb", 1, sign=True) == f"{MINUS}3,1 %"


def test_the_units_are_the_catalogues():
    # The bottom layer reads the catalogue's unit rows itself; the texts must be the same.
    keys = [key for key in catalogue().index if key.startswith("unit.")]
    assert {"unit.nok", "unit.weeks", "unit.week", "unit.percent"} <= set(keys)
    for key in keys:
        for lang in ("nb", "en"):
            assert numbers._units()[key][lang] == label(key, lang)


def test_figure_separators_match_the_tables():
    assert figure_separators("nb") == "," + NO_BREAK_SPACE
    assert figure_separators("en") == ".,"
    for lang in ("nb", "en"):
        decimal, thousands = figure_separators(lang)
        assert format_number(1234.5, lang, 1) == f"1{thousands}234{decimal}5"


def test_an_unknown_language_fails_loudly():
    with pytest.raises(KeyError, match="unknown language"):
        format_number(1, "sv")
    with pytest.raises(KeyError, match="unknown language"):
        figure_separators("de")
