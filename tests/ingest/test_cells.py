"""Cell parsers: numbers as Norwegian and English spreadsheets write them."""

from __future__ import annotations

import pytest

from bti_workbench.ingest.cells import parse_int, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("1\u202f234,5", 1234.5),
        ("\u22122", -2.0),
        ("2,25", 2.25),
        ("2.25", 2.25),
    ],
)
def test_number_spellings(text, value):
    assert parse_number(text) == value


def test_whole_numbers_tolerate_float_noise():
    assert parse_int(2.0000000001) == 2 and parse_int("3,0") == 3
    with pytest.raises(ValueError, match="not a whole number"):
        parse_int("2,5")
