"""The identifier guard: fødselsnummer and D-numbers, identifier columns, property tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bti_workbench.errors import IdentifierError
from bti_workbench.privacy import (
    check_no_identifiers,
    find_fodselsnummer,
    identifier_columns,
    is_fodselsnummer,
)

# An independent formulation of the mod-11 rule: a valid number makes both weighted sums,
# check digit included with weight 1, divisible by 11.
_W1 = np.array([3, 7, 6, 1, 8, 9, 4, 5, 2, 1])
_W2 = np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1])


def _complete(prefix: str) -> str | None:
    """Find the two check digits for a 9-digit prefix, or None when none exist."""
    for k1 in range(10):
        digits = np.array([int(c) for c in prefix + str(k1)])
        if (digits @ _W1) % 11:
            continue
        for k2 in range(10):
            full = np.append(digits, k2)
            if (full @ _W2) % 11 == 0:
                return prefix + str(k1) + str(k2)
    return None


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2039, 12, 31))


@st.composite
def fodselsnummer(draw, d_number=False):
    born = draw(births)
    day = born.day + (40 if d_number else 0)
    individual = draw(st.integers(0, 999))
    prefix = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
    number = _complete(prefix)
    if number is None:
        from hypothesis import assume

        assume(False)
    return number


def test_known_numbers():
    assert is_fodselsnummer("01010750160")
    assert not is_fodselsnummer("01010750161")  # wrong second check digit
    assert not is_fodselsnummer("32010750160")  # no 32nd day
    assert not is_fodselsnummer("0101075016")  # ten digits


@given(fodselsnummer())
def test_valid_numbers_are_found(number):
    assert is_fodselsnummer(number)


@given(fodselsnummer(d_number=True))
def test_valid_d_numbers_are_found(number):
    assert is_fodselsnummer(number)


@given(fodselsnummer(), st.integers(0, 10), st.integers(1, 9))
def test_any_single_digit_error_is_rejected(number, position, shift):
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    assert not is_fodselsnummer("".join(digits))


@given(
    st.one_of(
        st.text(alphabet="0123456789", min_size=11, max_size=11),
        fodselsnummer(),
        fodselsnummer(d_number=True),
    )
)
def test_agrees_with_independent_rule(candidate):
    expected = _complete(candidate[:9]) == candidate and _date_ok(candidate)
    assert is_fodselsnummer(candidate) == expected


def _date_ok(number: str) -> bool:
    day, month = int(number[:2]), int(number[2:4])
    day -= 40 if day > 40 else 0
    month -= 80 if month > 80 else (40 if month > 40 else 0)
    try:
        dt.date(2000, month, day)  # a leap year: 29 February is a valid birth date
    except ValueError:
        return False
    return True


@given(fodselsnummer(), st.sampled_from(["{}", "fnr: {}", "{} (mor)", "x{}x"]))
def test_found_inside_text(number, template):
    frame = pd.DataFrame({"note": ["ok", template.format(number)]})
    assert find_fodselsnummer(frame) == {"note": 1}


def test_found_in_spaced_and_numeric_forms():
    frame = pd.DataFrame(
        {
            "spaced": ["010107 50160", "x"],
            "as_number": [1010750160, 5],  # Excel dropped the leading zero
            "as_float": [1010750160.0, 1.5],
            "plain": ["C001", "20180101"],
        }
    )
    assert find_fodselsnummer(frame) == {"spaced": 1, "as_number": 1, "as_float": 1}


def test_guard_message_names_file_column_and_rows_never_the_value():
    frame = pd.DataFrame({"actor_id": ["A1", "01010750160", "01010750160"], "x": [1, 2, 3]})
    with pytest.raises(IdentifierError) as err:
        check_no_identifiers(frame, "logg.csv")
    message = str(err.value)
    assert "logg.csv" in message and "'actor_id': 2 rows" in message
    assert "01010750160" not in message


@pytest.mark.parametrize(
    "column",
    [
        "navn",
        "Barnets navn",
        "Fornavn",
        "etternavn",
        "fødselsnummer",
        "Personnummer",
        "Fødselsnr",
        "Telefonnr",
        "Mobilnummer",
        "Epostadresse",
        "Gateadresse",
        "Hjemmeadresse",
        "FNR",
        "adresse",
        "Telefon",
        "e-post",
        "E-mail",
        "email",
        "name",
        "date_of_birth",
        "mobil",
    ],
)
def test_identifier_columns_are_refused(column):
    with pytest.raises(IdentifierError, match=f"'{column}' looks like a direct identifier"):
        check_no_identifiers(pd.DataFrame({column: ["x"]}), "f.csv")


def test_identity_number_as_a_header_is_not_echoed():
    frame = pd.DataFrame({"case_id": ["C1"], "01010750160": ["x"]})
    with pytest.raises(IdentifierError) as err:
        check_no_identifiers(frame, "f.csv")
    assert "column #2" in str(err.value) and "01010750160" not in str(err.value)


def test_ordinary_columns_pass():
    names = [
        "case_id",
        "kommunenavn",
        "tjeneste",
        "hendelse",
        "aktør_id",
        "unit",
        "enhet",
        "respondent_service",
        "stilling",
        "title",
    ]
    assert identifier_columns(names) == []
