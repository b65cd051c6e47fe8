"""A long panel of municipalities and months as a balanced matrix, for the DiD estimators.

:func:`balanced_panel` checks that every unit has an outcome in every period and a go-live
entry, and turns go-live dates into positions among the periods; both
:func:`~bti_workbench.evaluation.staggered.att_gt` and
:func:`~bti_workbench.evaluation.staggered.twfe` read the result, so they use the same units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["BalancedPanel", "balanced_panel"]


@dataclass(frozen=True)
class BalancedPanel:
    """A balanced panel as a matrix, with each unit's first treated period as a position.

    Attributes
    ----------
    y : numpy.ndarray
        Outcomes, units × periods.
    periods, units : pandas.Index
        The periods (sorted) and the units kept.
    first : numpy.ndarray
        Position of each unit's first treated period; ``inf``: never treated.
    n_always : int
        Units dropped because they are treated from the first period on.
    n_late : int
        Units first treated after the last period (kept as never treated).
    """

    y: np.ndarray  # units × periods
    periods: pd.Index
    units: pd.Index
    first: np.ndarray  # position of the first treated period; inf = never treated
    n_always: int  # units dropped: treated from the first period on
    n_late: int  # units first treated after the last period (kept as never treated)


def _position(periods: pd.Index, value: object) -> float:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return np.inf
    if isinstance(periods, pd.PeriodIndex):
        value = pd.Period(value, freq=periods.freq)
    elif isinstance(periods, pd.DatetimeIndex):
        value = pd.Timestamp(value)
    pos = int(periods.searchsorted(value, side="left"))
    return np.inf if pos >= len(periods) else float(pos)


def balanced_panel(
    panel: pd.DataFrame,
    first_treated: dict | pd.Series,
    unit: str,
    period: str,
    outcome: str,
) -> BalancedPanel:
    """The long panel as a :class:`BalancedPanel`, checked for balance and go-live dates.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per unit and period.
    first_treated : dict or pandas.Series
        Unit → first treated period (go-live); ``None``/``NaT``/``NaN``: never treated.
    unit, period, outcome : str
        Column names.

    Returns
    -------
    BalancedPanel
        Without the units treated from the first period on (counted in ``n_always``).

    Raises
    ------
    ValueError
        When a column is missing, a cell is duplicated or empty, or a unit has no go-live.

    See Also
    --------
    bti_workbench.evaluation.staggered.att_gt : the estimator that reads it.

    Examples
    --------
    >>> rows = pd.DataFrame({"unit": list("aabb"), "period": [0, 1, 0, 1], "outcome": 1.0})
    >>> data = balanced_panel(rows, {"a": 1, "b": None}, "unit", "period", "outcome")
    >>> data.y.shape, data.first.tolist()
    ((2, 2), [1.0, inf])
    """
    missing = {unit, period, outcome} - set(panel.columns)
    if missing:
        raise ValueError(f"the panel needs the columns {sorted(missing)}")
    if panel[[unit, period]].duplicated().any():
        raise ValueError("the panel has more than one row for some unit and period")
    wide = panel.pivot(index=unit, columns=period, values=outcome).sort_index(axis=1)
    values = wide.to_numpy(dtype=float)
    if np.isnan(values).any():
        n_bad = int(np.isnan(values).any(axis=1).sum())
        raise ValueError(
            f"the panel must be balanced with an outcome in every cell: {n_bad} units lack "
            "some periods or outcomes"
        )
    mapping = pd.Series(first_treated, dtype=object)
    absent = ~wide.index.isin(mapping.index)
    if absent.any():
        raise ValueError(f"first_treated has no entry for {int(absent.sum())} units of the panel")
    periods = wide.columns
    first = np.array([_position(periods, mapping[u]) for u in wide.index])
    n_late = int(
        sum(
            np.isinf(f) and not (mapping[u] is None or pd.isna(mapping[u]))
            for u, f in zip(wide.index, first, strict=True)
        )
    )
    always = first == 0
    return BalancedPanel(
        y=values[~always],
        periods=periods,
        units=wide.index[~always],
        first=first[~always],
        n_always=int(always.sum()),
        n_late=n_late,
    )
