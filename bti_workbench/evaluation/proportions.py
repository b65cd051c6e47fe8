"""Proportions with honest intervals, published through the one suppression gate.

Every indicator of the evaluation is a count of something over a count of the units it could
have happened to. :func:`wilson_interval` and :func:`newcombe_interval` give the intervals;
:func:`proportion_table` passes numerators and denominators through
:func:`bti_workbench.privacy.suppress_small` (per row, as the two-cell table *yes / no* whose
total is the denominator) and hides the share and interval whenever a count is hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from bti_workbench.privacy import DEFAULT_K, suppress_small

__all__ = [
    "IndicatorCount",
    "IndicatorNote",
    "ProportionTable",
    "count_masks",
    "newcombe_interval",
    "proportion_table",
    "wilson_interval",
]

_COLUMNS = ["numerator", "denominator", "share", "ci_low", "ci_high"]


class IndicatorCount(NamedTuple):
    """Numerator and denominator of one indicator, before suppression."""

    numerator: int
    denominator: int


def count_masks(mask: np.ndarray, denominator: np.ndarray | None = None) -> IndicatorCount:
    """An indicator's count from boolean masks: ``mask & denominator`` over ``denominator``.

    Parameters
    ----------
    mask : numpy.ndarray of bool
        True where the numerator's condition holds.
    denominator : numpy.ndarray of bool, optional
        True for the units counted; by default every unit.

    Returns
    -------
    IndicatorCount

    Examples
    --------
    >>> count_masks(np.array([True, True, False]), np.array([True, False, True]))
    IndicatorCount(numerator=1, denominator=2)
    """
    denominator = np.ones(len(mask), dtype=bool) if denominator is None else denominator
    return IndicatorCount(int(np.count_nonzero(mask & denominator)), int(denominator.sum()))


class IndicatorNote(NamedTuple):
    """What a reader must know about one indicator's row: a label key and its fields.

    Attributes
    ----------
    key : str
        A key of the label catalogue (``bti_workbench/resources/labels.csv``).
    fields : Mapping
        The label's ``{placeholders}``; never a count from case data.
    """

    key: str
    fields: Mapping[str, object] = {}


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(
    numerator: float | np.ndarray, denominator: float | np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    numerator, denominator : float or array
        Successes and trials (``0 <= numerator <= denominator``). A zero denominator gives NaN.
    confidence : float, default 0.95

    Returns
    -------
    (low, high) : tuple of numpy arrays

    Examples
    --------
    >>> low, high = wilson_interval(8, 10)
    >>> round(float(low), 4), round(float(high), 4)
    (0.4902, 0.9433)
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("need 0 <= numerator <= denominator")
    z = _z(confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        low, high = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    # Exact bounds at the edges (the formula gives them up to rounding).
    low = np.where(x == 0, 0.0, low)
    high = np.where(x == n, 1.0, high)
    low = np.where(n == 0, np.nan, low)
    high = np.where(n == 0, np.nan, high)
    return low, high


def newcombe_interval(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Newcombe's hybrid score interval for the difference ``p2 - p1`` of two proportions.

    Newcombe (1998), method 10: it combines the two Wilson intervals and keeps good coverage
    where the Wald interval fails (small samples, shares near 0 or 1).

    Returns
    -------
    (difference, low, high)

    Examples
    --------
    >>> d, low, high = newcombe_interval(56, 70, 48, 80)  # Newcombe (1998), example (a)
    >>> round(-d, 4), round(-high, 4), round(-low, 4)
    (0.2, 0.0524, 0.3339)
    """
    if n1 <= 0 or n2 <= 0:
        return (np.nan, np.nan, np.nan)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = (float(v) for v in wilson_interval(x1, n1, confidence))
    l2, u2 = (float(v) for v in wilson_interval(x2, n2, confidence))
    d = p2 - p1
    low = d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return float(d), float(low), float(high)


@dataclass(frozen=True)
class ProportionTable:
    """Indicators after suppression.

    Attributes
    ----------
    values : pandas.DataFrame
        ``numerator, denominator, share, ci_low, ci_high``; hidden values are ``NaN``.
    hidden : pandas.DataFrame
        ``numerator`` and ``denominator``: True where the count is hidden.
    marks : pandas.DataFrame
        What a hidden count shows instead (``<k`` or ``×``), empty where shown.
    raw : pandas.DataFrame
        The counts before suppression, for computation only; never show it.
    k : int
    notes : Mapping of str to IndicatorNote
        Row → what a reader must know about it (an assumption it rests on); most rows have
        none.
    """

    values: pd.DataFrame
    hidden: pd.DataFrame
    marks: pd.DataFrame
    raw: pd.DataFrame
    k: int
    notes: Mapping[str, IndicatorNote] = field(default_factory=dict)

    def formatted(self, lang: str = "nb", digits: int = 1) -> pd.DataFrame:
        """Text for a table: counts, shares in per cent with the interval, marks for hidden."""
        dec = "," if lang == "nb" else "."
        rows = []
        for name, row in self.values.iterrows():
            counts = {
                c: self.marks.loc[name, c] if self.hidden.loc[name, c] else f"{int(row[c])}"
                for c in ("numerator", "denominator")
            }
            if pd.isna(row["share"]):
                share = interval = "–" if not self.hidden.loc[name].any() else ""
            else:
                share = f"{100 * row['share']:.{digits}f} %".replace(".", dec)
                interval = (
                    f"{100 * row['ci_low']:.{digits}f}–{100 * row['ci_high']:.{digits}f}"
                ).replace(".", dec)
            rows.append({**counts, "share": share, "ci": interval})
        return pd.DataFrame(rows, index=self.values.index)


def proportion_table(
    counts: pd.DataFrame,
    k: int = DEFAULT_K,
    confidence: float = 0.95,
    *,
    hide: pd.DataFrame | None = None,
    notes: Mapping[str, IndicatorNote] | None = None,
) -> ProportionTable:
    """Shares with Wilson intervals, every count passed through ``suppress_small``.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per indicator with whole-number columns ``numerator`` and ``denominator``.
    k : int, default 5
        Suppression threshold. A row's numerator and complement (denominator − numerator) are
        a two-cell table whose total is the denominator: when either is below ``k`` both hide,
        and so do the share and the interval (they would give the count back).
    confidence : float, default 0.95
    hide : pandas.DataFrame of bool, optional
        Counts to hide whatever their size, for a reason outside the table (e.g. the same
        indicator for all services minus this one would leave 1 to k − 1 cases): rows of
        ``counts`` (all or some), columns ``numerator`` and/or ``denominator``; missing rows
        and columns hide nothing. Passed to :func:`~bti_workbench.privacy.suppress_small`
        as its ``hide`` (the numerator is the cell *yes*, the denominator the total), so a
        forced count shows as ``×``, another count of its row hides with it, and so do the
        share and the interval.
    notes : Mapping of str to IndicatorNote, optional
        Row → a note for the reader (kept as :attr:`ProportionTable.notes`).

    Returns
    -------
    ProportionTable

    Raises
    ------
    ValueError
        When a column is missing, a count is negative or above its denominator, or ``hide``
        names other rows or columns or holds other than booleans.

    Examples
    --------
    >>> t = pd.DataFrame({"numerator": [30, 3], "denominator": [40, 40]}, index=["a", "b"])
    >>> p = proportion_table(t)
    >>> p.formatted("en").loc["b", "numerator"], p.formatted("en").loc["a", "share"]
    ('<5', '75.0 %')
    >>> forced = pd.DataFrame({"numerator": [True, False]}, index=["a", "b"])
    >>> proportion_table(t, hide=forced).formatted("en").loc["a"].tolist()  # "no" (10) hides too
    ['×', '40', '', '']
    """
    missing = {"numerator", "denominator"} - set(counts.columns)
    if missing:
        raise ValueError(f"counts needs the columns {sorted(missing)}")
    raw = counts[["numerator", "denominator"]].astype("int64")
    if (raw["numerator"] > raw["denominator"]).any() or (raw < 0).to_numpy().any():
        raise ValueError("need 0 <= numerator <= denominator in every row")
    low, high = wilson_interval(raw["numerator"], raw["denominator"], confidence)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = raw["numerator"] / raw["denominator"].replace(0, np.nan)
    values = pd.DataFrame(
        {
            "numerator": raw["numerator"].astype(float),
            "denominator": raw["denominator"].astype(float),
            "share": share.astype(float),
            "ci_low": low,
            "ci_high": high,
        },
        index=raw.index,
    )
    forced = _forced(hide, raw.index)
    hidden = pd.DataFrame(False, index=raw.index, columns=["numerator", "denominator"])
    marks = pd.DataFrame("", index=raw.index, columns=["numerator", "denominator"])
    for name, row in raw.iterrows():
        cells = pd.Series({"yes": row["numerator"], "no": row["denominator"] - row["numerator"]})
        mask = None
        if forced.loc[name].any():
            mask = pd.Series(
                {
                    "yes": forced.loc[name, "numerator"],
                    "no": False,
                    "total": forced.loc[name, "denominator"],
                }
            )
        table = suppress_small(cells, k, hide=mask)
        shown = table.formatted("en").iloc[:, 0]
        for column, cell in (("numerator", "yes"), ("denominator", "total")):
            if bool(table.hidden.loc[cell].iloc[0]):
                hidden.loc[name, column] = True
                marks.loc[name, column] = shown[cell]
        if bool(table.hidden.to_numpy().any()):
            values.loc[name, ["share", "ci_low", "ci_high"]] = np.nan
    values = values.mask(hidden.reindex(columns=_COLUMNS, fill_value=False))
    kept = {name: note for name, note in (notes or {}).items() if name in raw.index}
    return ProportionTable(values[_COLUMNS], hidden, marks, raw, k, kept)


def _forced(hide: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame:
    """The counts ``hide`` forces hidden: ``numerator`` and ``denominator`` per row."""
    columns = ["numerator", "denominator"]
    if hide is None:
        return pd.DataFrame(False, index=index, columns=columns)
    extra_rows = set(hide.index) - set(index)
    extra_columns = set(hide.columns) - set(columns)
    if extra_rows or extra_columns or not hide.index.is_unique:
        raise ValueError(
            f"hide names rows or columns proportion_table does not have: "
            f"{sorted(map(str, extra_rows | extra_columns))}"
        )
    if not all(pd.api.types.is_bool_dtype(d) for d in hide.dtypes) or hide.isna().any().any():
        raise ValueError("hide must hold booleans (True: hide the count)")
    return hide.reindex(index=index, columns=columns, fill_value=False).astype(bool)
