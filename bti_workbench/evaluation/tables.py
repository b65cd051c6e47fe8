"""Tables for people from the time series and the comparison across municipalities.

The models' own frames (:attr:`ItsResult.coefficients`, :attr:`StaggeredResult.overall`) hold
ids as index (``level_change``, ``simple``), floats and NaN. The functions here turn them into
what a reader of the report sees: the rows named from the catalogue, numbers in the
language's format (:mod:`bti_workbench._util.numbers`), p-values as ``<0,001`` or ``0,03``,
and ``–`` where nothing can be estimated, never NaN.
"""

from __future__ import annotations

import math

import pandas as pd

from bti_workbench._util.numbers import format_number, format_share
from bti_workbench.evaluation.staggered import StaggeredResult, TwfeResult
from bti_workbench.evaluation.timeseries import ItsResult
from bti_workbench.reference.labels import label

__all__ = ["format_interval", "format_p_value", "its_display", "staggered_display"]

#: What a cell shows where nothing can be estimated.
MISSING = "–"


def format_p_value(value: object, lang: str = "nb") -> str:
    """A p-value as a reader writes it: ``<0,001``, ``0,004``, ``0,03``, ``0,58``.

    Two decimals, three below 0.01, and ``<0,001`` below that (a p-value of exactly 0 from
    a test is never shown as 0).

    Parameters
    ----------
    value : float or None
        The p-value; None and NaN show as ``–``.
    lang : {"nb", "en"}

    Returns
    -------
    str

    See Also
    --------
    bti_workbench._util.numbers.format_number : The decimal mark of ``lang``.

    Examples
    --------
    >>> format_p_value(0.0, "nb"), format_p_value(0.0342, "nb"), format_p_value(0.0042, "en")
    ('<0,001', '0,03', '0.004')
    >>> format_p_value(float("nan"))
    '–'
    """
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(p):
        return MISSING
    if p < 0.001:
        return "<" + format_number(0.001, lang, 3)
    return format_number(p, lang, 3 if p < 0.01 else 2)


def format_interval(low: object, high: object, lang: str = "nb", digits: int = 2) -> str:
    """An interval as ``1,38 til 3,24`` (``1.38 to 3.24``); ``–`` when a bound is missing.

    Words rather than a dash keep a negative bound readable (``−0,32 til 0,16``).

    Examples
    --------
    >>> format_interval(-0.317, 0.156, "en", 1), format_interval(None, 2, "nb")
    ('−0.3 to 0.2', '–')
    """
    bounds = [format_number(v, lang, digits) for v in (low, high)]
    if MISSING in bounds:
        return MISSING
    return label("tab.ev.range", lang, low=bounds[0], high=bounds[1])


def its_display(result: ItsResult, lang: str = "nb") -> pd.DataFrame:
    """The jump at go-live and the change in monthly trend, as a reader sees them.

    Only these two effects are shown: with a month hidden, the baseline coefficients together
    with the visible months could give the hidden months back (see
    :func:`bti_workbench.evaluation.its_table`).

    Parameters
    ----------
    result : ItsResult
        From :func:`bti_workbench.evaluation.segmented_regression`.
    lang : {"nb", "en"}

    Returns
    -------
    pandas.DataFrame
        One row per effect, no index: what, the estimate (a rate ratio for Poisson, with the
        change in per cent), its interval and p-value, under headers in ``lang``.

    Examples
    --------
    >>> from bti_workbench.evaluation import segmented_regression
    >>> months = pd.period_range("2018-01", periods=16, freq="M")
    >>> y = pd.Series([10, 12, 11, 9, 12, 10, 11, 13, 20, 22, 19, 21, 23, 20, 22, 21], months)
    >>> table = its_display(segmented_regression(y, "2018-09"), "en")
    >>> table.columns.tolist()
    ['What', 'Estimate', 'Change in per cent', '95 % CI', 'p-value']
    >>> table.iloc[0, 0]
    'Jump at go-live (rate ratio)'
    """
    ratio = result.family == "poisson"
    level = f"{format_number(100 * result.confidence, lang)}"
    rows = []
    for term in ("level_change", "slope_change"):
        row = result.coefficients.loc[term]
        name = label(f"tab.ev.its.{term}" + (".ratio" if ratio else ""), lang)
        if ratio:
            estimate, low, high = row["ratio"], row["ratio_low"], row["ratio_high"]
        else:
            estimate, low, high = row["estimate"], row["ci_low"], row["ci_high"]
        cells = {
            label("rep.col.what", lang): name,
            label("tab.ev.estimate", lang): format_number(estimate, lang, 2),
        }
        if ratio:
            cells[label("tab.ev.its.percent", lang)] = format_share(estimate - 1, lang, sign=True)
        cells[label("tab.ev.ci", lang, level=level)] = format_interval(low, high, lang)
        cells[label("tab.ev.p_value", lang)] = format_p_value(row["p_value"], lang)
        rows.append(cells)
    return pd.DataFrame(rows)


def staggered_display(
    result: StaggeredResult, lang: str = "nb", *, twfe_result: TwfeResult | None = None
) -> pd.DataFrame:
    """The average effects of going live across municipalities, as a reader sees them.

    Parameters
    ----------
    result : StaggeredResult
        From :func:`bti_workbench.evaluation.att_gt` (new logs per 1 000 children per month,
        as :func:`bti_workbench.evaluation.staggered_comparison` builds it).
    lang : {"nb", "en"}
    twfe_result : TwfeResult, optional
        The two-way fixed-effects estimate, added as a last row for contrast.

    Returns
    -------
    pandas.DataFrame
        One row per average (over all months after go-live, over the go-live groups, over
        the time since go-live), no index: the effect, its interval, p-value, and the
        municipalities live and compared with. An estimate resting on a single municipality
        has no interval and says so.

    Examples
    --------
    >>> from bti_workbench.evaluation import att_gt
    >>> rows = [{"unit": u, "period": t, "outcome": t + (2.0 if u in "ab" and t >= 2 else 0.0)}
    ...         for u in "abcdef" for t in range(5)]
    >>> live = {"a": 2, "b": 2, "c": 3, "d": None, "e": None, "f": None}
    >>> table = staggered_display(att_gt(pd.DataFrame(rows), live, n_boot=99), "en")
    >>> table.iloc[0, [0, 4, 5]].tolist(), table.shape
    (['Average over all months after go-live', '3', '3'], (3, 6))
    """
    level = format_number(100 * result.confidence, lang)
    what = label("rep.col.what", lang)
    effect = label("tab.ev.did.effect", lang)
    interval = label("tab.ev.ci", lang, level=level)
    p_value = label("tab.ev.p_value", lang)
    live, control = label("tab.ev.did.treated", lang), label("tab.ev.did.control", lang)
    rows = []
    for name, row in result.overall.iterrows():
        single = row["n_treated"] < 2 or row["n_control"] < 2
        rows.append(
            {
                what: label(f"tab.ev.did.{name}", lang),
                effect: format_number(row["att"], lang, 2),
                interval: label("tab.ev.did.single", lang)
                if single and pd.isna(row["ci_low"])
                else format_interval(row["ci_low"], row["ci_high"], lang),
                p_value: format_p_value(row["p_value"], lang),
                live: format_number(row["n_treated"], lang),
                control: format_number(row["n_control"], lang),
            }
        )
    if twfe_result is not None:
        # The same units as the estimates above: resting on one municipality, its clustered
        # standard error has no spread to draw on, so it gets no interval either.
        few = ((result.overall["n_treated"] < 2) | (result.overall["n_control"] < 2)).any()
        rows.append(
            {
                what: label("did.twfe", lang),
                effect: format_number(twfe_result.estimate, lang, 2),
                interval: label("tab.ev.did.single", lang)
                if few
                else format_interval(twfe_result.ci_low, twfe_result.ci_high, lang),
                p_value: MISSING if few else format_p_value(twfe_result.p_value, lang),
                live: MISSING,
                control: MISSING,
            }
        )
    return pd.DataFrame(rows)
