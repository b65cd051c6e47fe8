"""Numbers as a reader of each language writes them: one formatter for every table, card and
figure.

Norwegian bokmål (``nb``) groups thousands with a no-break space (U+00A0) and writes a decimal
comma: ``8 252 439 kr``, ``2,6 uker``. The no-break space keeps a number on one line, and it
is the digit-grouping symbol of the Norwegian locale, so a number copied into a spreadsheet
set to Norwegian reads as a number. English groups with commas and writes a decimal point:
``NOK 8,252,439``, ``2.6 weeks``. Negative numbers take the minus sign (U+2212) in both.

Plotly formats hover texts and axes itself; give a figure the same separators with
``fig.update_layout(separators=figure_separators(lang))``, and a ``hovertemplate`` such as
``%{y:,.1f}`` then writes ``1 234,5`` in bokmål.

The units (``kr``, ``uker``, ``%``) come from the label catalogue's ``unit.*`` rows
(``resources/labels.csv``), read here directly because this bottom layer may not import
:mod:`bti_workbench.reference.labels`; the texts are the same.

These format values for display only: nothing reads a formatted text back into a number.
"""

from __future__ import annotations

import csv
import math
from functools import cache

from bti_workbench._util.resources import resource

__all__ = [
    "MINUS",
    "NO_BREAK_SPACE",
    "figure_separators",
    "format_nok",
    "format_number",
    "format_share",
    "format_weeks",
    "month_tickformat",
]

#: The thousands separator of bokmål numbers.
NO_BREAK_SPACE = "\u00a0"
#: The sign of a negative number, in both languages (not the hyphen).
MINUS = "\u2212"
#: What a missing value shows.
_MISSING = "–"
#: Decimal mark and thousands separator per language.
_SEPARATORS = {"nb": "," + NO_BREAK_SPACE, "en": ".,"}


def _check(lang: str) -> None:
    if lang not in _units()["unit.nok"]:
        raise KeyError(f"unknown language {lang!r}; use one of {tuple(_units()['unit.nok'])}")


def _separators(lang: str) -> str:
    """Decimal mark and thousands separator; a language added to the catalogue (such as
    nynorsk) writes numbers as bokmål does."""
    _check(lang)
    return _SEPARATORS.get(lang, _SEPARATORS["nb"])


@cache
def _units() -> dict[str, dict[str, str]]:
    """The catalogue's ``unit.*`` rows: key → {language: text}, empty cells as bokmål."""
    with resource("labels.csv").open(encoding="utf-8", newline="") as fh:
        return {
            row["key"]: {lang: text or row["nb"] for lang, text in row.items() if lang != "key"}
            for row in csv.DictReader(fh)
            if row["key"].startswith("unit.")
        }


def _with_unit(key: str, lang: str, number: str) -> str:
    return _units()[key][lang].format(value=number)


def _as_float(value: object) -> float | None:
    """The value as a float, or None when it is missing (None, NaN, pandas' NA)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def figure_separators(lang: str = "nb") -> str:
    """The ``separators`` layout attribute of a plotly figure in ``lang``.

    Plotly reads the decimal mark, then the thousands separator.

    Parameters
    ----------
    lang : {"nb", "en"}

    Returns
    -------
    str
        Two characters: ``",\\u00a0"`` for bokmål, ``".,"`` for English.

    Raises
    ------
    KeyError
        For an unknown language.

    See Also
    --------
    format_number : The same separators in a table or a card.

    Examples
    --------
    >>> figure_separators("nb") == ",\\u00a0", figure_separators("en")
    (True, '.,')
    """
    return _separators(lang)


def format_number(value: object, lang: str = "nb", digits: int = 0, *, sign: bool = False) -> str:
    """A number with the thousands separator and decimal mark of ``lang``.

    Parameters
    ----------
    value : float or None
        The number; ``None`` and NaN show as ``–``.
    lang : {"nb", "en"}
        Norwegian bokmål (default) or English.
    digits : int, default 0
        Decimals.
    sign : bool, default False
        Write ``+`` before a positive number (for a difference). A number that rounds to zero
        has no sign.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        For an unknown language.

    See Also
    --------
    format_nok, format_weeks, format_share : The number with its unit.
    figure_separators : The same separators for a plotly figure.

    Examples
    --------
    >>> format_number(8252439.4, "nb").replace("\\u00a0", " ")
    '8 252 439'
    >>> format_number(8252439.4, "en")
    '8,252,439'
    >>> format_number(-1234.56, "nb", 1).replace("\\u00a0", " ")
    '−1 234,6'
    >>> format_number(0.25, "en", 2, sign=True), format_number(-0.001, "nb", 2, sign=True)
    ('+0.25', '0,00')
    >>> format_number(float("nan"))
    '–'
    """
    _check(lang)
    value = _as_float(value)
    if value is None:
        return _MISSING
    if math.isinf(value):
        return f"{MINUS}∞" if value < 0 else "∞"
    text = f"{abs(value):,.{digits}f}"
    rounded_zero = float(text.replace(",", "")) == 0
    if _separators(lang) != ".,":
        text = text.replace(",", NO_BREAK_SPACE).replace(".", ",")
    if rounded_zero:
        return text
    if value < 0:
        return MINUS + text
    return "+" + text if sign else text


def format_nok(value: object, lang: str = "nb", digits: int = 0, *, sign: bool = False) -> str:
    """An amount of Norwegian kroner: ``8 252 439 kr`` in bokmål, ``NOK 8,252,439`` in English.

    Parameters
    ----------
    value : float or None
        Kroner; ``None`` and NaN show as ``–``.
    lang : {"nb", "en"}
    digits : int, default 0
        Decimals (øre are rarely worth showing).
    sign : bool, default False
        Write ``+`` before a positive amount (for a difference).

    Returns
    -------
    str

    See Also
    --------
    format_number : The number alone.

    Examples
    --------
    >>> format_nok(8252439, "nb").replace("\\u00a0", " ")
    '8 252 439 kr'
    >>> format_nok(8252439, "en")
    'NOK 8,252,439'
    >>> format_nok(-160000, "en", sign=True)
    'NOK −160,000'
    """
    number = format_number(value, lang, digits, sign=sign)
    return number if number == _MISSING else _with_unit("unit.nok", lang, number)


def format_weeks(value: object, lang: str = "nb", digits: int = 1, *, sign: bool = False) -> str:
    """A duration in weeks: ``2,6 uker`` in bokmål, ``2.6 weeks`` in English.

    The singular is used for exactly one week (``1 uke``), as the number is written.

    Parameters
    ----------
    value : float or None
        Weeks; ``None`` and NaN show as ``–``.
    lang : {"nb", "en"}
    digits : int, default 1
        Decimals.
    sign : bool, default False
        Write ``+`` before a positive duration (for a difference).

    Returns
    -------
    str

    See Also
    --------
    format_number : The number alone.

    Examples
    --------
    >>> format_weeks(2.62, "nb"), format_weeks(2.62, "en")
    ('2,6 uker', '2.6 weeks')
    >>> format_weeks(1, "nb", 0), format_weeks(-0.5, "en", sign=True)
    ('1 uke', '−0.5 weeks')
    """
    number = format_number(value, lang, digits, sign=sign)
    if number == _MISSING:
        return number
    one = number.lstrip("+") == format_number(1, lang, digits)
    return _with_unit("unit.week" if one else "unit.weeks", lang, number)


def format_share(value: object, lang: str = "nb", digits: int = 0, *, sign: bool = False) -> str:
    """A share (0–1) in per cent: ``12,5 %`` in bokmål, ``12.5 %`` in English.

    Parameters
    ----------
    value : float or None
        The share as a fraction (0.125 is 12.5 %); ``None`` and NaN show as ``–``.
    lang : {"nb", "en"}
    digits : int, default 0
        Decimals of the per cent.
    sign : bool, default False
        Write ``+`` before a positive share (for a change in percentage points, give the
        difference of two shares).

    Returns
    -------
    str

    See Also
    --------
    format_number : The number alone.

    Examples
    --------
    >>> format_share(0.125, "nb", 1), format_share(0.125, "en", 1)
    ('12,5 %', '12.5 %')
    >>> format_share(0.93)
    '93 %'
    """
    share = _as_float(value)
    if share is None:
        return _MISSING
    return _with_unit("unit.percent", lang, format_number(100 * share, lang, digits, sign=sign))


def month_tickformat(lang: str = "nb") -> str:
    """The ``tickformat`` of a plotly date axis by month in ``lang``.

    Plotly names months in English only (``Jan``, ``May``), so bokmål gets them as numbers.

    Parameters
    ----------
    lang : {"nb", "en"}

    Returns
    -------
    str
        ``"%m.%Y"`` (``05.2018``) for bokmål, ``"%b %Y"`` (``May 2018``) for English.

    Raises
    ------
    KeyError
        For an unknown language.

    See Also
    --------
    figure_separators : The number separators of a figure in ``lang``.

    Examples
    --------
    >>> month_tickformat("nb"), month_tickformat("en")
    ('%m.%Y', '%b %Y')
    """
    _check(lang)
    return "%b %Y" if lang == "en" else "%m.%Y"
