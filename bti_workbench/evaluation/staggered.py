"""Difference in differences when municipalities go live at different times.

With staggered adoption the usual two-way fixed-effects regression compares late adopters
with early adopters that are already treated; when the effect grows with time since go-live
those comparisons enter with the wrong sign and the estimate is biased, even negative
(Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020). :func:`att_gt` implements the
estimator of Callaway & Sant'Anna (2021) for a balanced panel without covariates under
unconditional parallel trends:

* the group-time effect ``ATT(g, t)`` of units first treated in period ``g``, at period ``t``,
  is a 2 × 2 difference in differences of means between group ``g`` and a control group,
  from a base period ``b`` to ``t``;
* controls are the never-treated units (``control="never"``, the default) or the units not yet
  treated by ``max(t, b)`` (``control="not_yet"``, more controls, parallel trends assumed
  for later adopters too);
* base period ``"varying"`` (default, as in the R package ``did``): after go-live ``b = g − 1``;
  before go-live ``b = t − 1``, so the pre-period estimates are month-on-month placebo
  effects. ``"universal"``: ``b = g − 1`` throughout, so the event study is read like a
  regression event study with ``e = −1`` as the reference (fixed at 0);
* aggregations weight groups by their size: ``simple`` (every post-treatment cell weighted by
  its group's size), ``group`` (each group's average effect, then groups by size; the
  summary Callaway & Sant'Anna recommend) and ``dynamic`` (event time ``e = t − g``,
  averaged over ``e ≥ 0``);
* inference by a multiplier bootstrap over units (Rademacher weights on the influence
  functions, which includes the estimation of the group-size weights), so a municipality is
  the cluster. Standard errors are the bootstrap's interquartile range / 1.349 (as in
  ``did``); each group mean's influence function is scaled by ``sqrt(n_g / (n_g − 1))`` so a
  single cell's variance is the unbiased (Welch) one. Pointwise intervals, and uniform
  (sup-t) bands that cover all event times (or all cells) at once.

Limits: no covariates, no anticipation periods, balanced panels only. The intervals rest on
normal approximations: with 10–15 municipalities per group the uniform band over some 35
event times covers about 85 % instead of 95 % (the pointwise intervals about 94 %); with 30
per group about 95 %. Below :data:`FEW_CLUSTERS` municipalities in all, a warning says so.

The outcome is typically a rate per municipality and month (logs opened per 1 000 children);
the estimates are averages over municipalities, not counts, but a group of one municipality
shows that municipality's own change: check ``n_treated`` before publishing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import statsmodels.api as sm
from scipy import stats

from bti_workbench._util.figures import add_notes
from bti_workbench._util.numbers import figure_separators
from bti_workbench.evaluation.panel import BalancedPanel, balanced_panel
from bti_workbench.reference.labels import label

__all__ = [
    "FEW_CLUSTERS",
    "StaggeredResult",
    "TwfeResult",
    "att_gt",
    "event_study_figure",
    "twfe",
]

#: Fewer units (municipalities) than this gives a warning: cluster inference is fragile.
FEW_CLUSTERS = 10
_Z_IQR = float(stats.norm.ppf(0.75) - stats.norm.ppf(0.25))


@dataclass(frozen=True)
class StaggeredResult:
    """Callaway & Sant'Anna estimates with bootstrap inference.

    Attributes
    ----------
    group_time : pandas.DataFrame
        One row per ``(group, period)`` cell: ``group`` and ``period`` (as in the panel),
        ``event_time``, ``base_period``, ``att, se, ci_low, ci_high, p_value``, uniform
        ``band_low, band_high`` over all cells, ``n_treated, n_control`` and ``post``.
    event_time : pandas.DataFrame
        Index ``event_time`` (periods since go-live): the same estimate columns and bands,
        ``n_groups, n_treated, n_control``. With the universal base ``e = −1`` is the
        reference, fixed at 0 without an interval.
    by_group : pandas.DataFrame
        Index ``group``: each group's average effect after go-live, ``n_treated``.
    overall : pandas.DataFrame
        Index ``simple``, ``group``, ``dynamic`` (see the module notes), with ``n_treated,
        n_control``.
    control : {"never", "not_yet"}
    base_period : {"varying", "universal"}
    n_units : int
        Units used (after dropping those treated from the first period).
    n_never : int
        Never-treated units among them.
    n_boot : int
    seed : int
    confidence : float
    critical_value : float
        Sup-t critical value of the event-study band.
    warning_codes : tuple
        ``(label key, fields)`` pairs; read them with :meth:`messages`.
    """

    group_time: pd.DataFrame
    event_time: pd.DataFrame
    by_group: pd.DataFrame
    overall: pd.DataFrame
    control: str
    base_period: str
    n_units: int
    n_never: int
    n_boot: int
    seed: int
    confidence: float
    critical_value: float
    warning_codes: tuple[tuple[str, dict], ...] = field(default=())

    @property
    def warnings(self) -> list[str]:
        """The warnings in English."""
        return self.messages("en")

    def messages(self, lang: str = "nb") -> list[str]:
        """The warnings as plain sentences in ``lang``."""
        return [label(key, lang, **values) for key, values in self.warning_codes]


def _scale(n: int, n_group: int) -> float:
    """Influence-function scale of a group mean: ``n / n_g``, times ``sqrt(n_g / (n_g − 1))``.

    The second factor makes the bootstrap variance of a mean the unbiased one (``s² / n_g``,
    as in Welch's two-sample test), which matters with the few municipalities per group of
    a real roll-out. A group of one unit keeps the plain factor.
    """
    return n / n_group * (np.sqrt(n_group / (n_group - 1)) if n_group > 1 else 1.0)


def _weighted(
    infl: np.ndarray, att: np.ndarray, idx: list[int], groups: np.ndarray, first: np.ndarray
) -> tuple[float, np.ndarray]:
    """An average of cells ``idx`` weighted by group size, with its influence function.

    The weights ``pg_k / Σ pg`` are estimated (``pg`` is the share of units in the cell's
    group), and their own influence function is added as in Callaway & Sant'Anna (2021).
    """
    member = np.stack([first == groups[j] for j in idx], axis=1).astype(float)  # n × K
    pg = member.mean(axis=0)
    total = pg.sum()
    w = pg / total
    estimate = float(w @ att[idx])
    centred = member - pg  # influence function of each pg
    w_infl = centred / total - np.outer(centred.sum(axis=1), pg) / total**2
    return estimate, infl[:, idx] @ w + w_infl @ att[idx]


def _summary(
    estimate: np.ndarray, boot: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    q75, q25 = np.percentile(boot, [75, 25], axis=0)
    se = (q75 - q25) / _Z_IQR
    p = 2 * stats.norm.sf(np.abs(estimate) / np.where(se > 0, se, np.nan))
    return se, estimate - z * se, estimate + z * se, p


def _sup_t(boot: np.ndarray, se: np.ndarray, confidence: float) -> float:
    ok = np.isfinite(se) & (se > 1e-12)
    if not ok.any():
        return np.nan
    return float(np.quantile(np.max(np.abs(boot[:, ok] / se[ok]), axis=1), confidence))


def att_gt(
    panel: pd.DataFrame,
    first_treated: dict | pd.Series,
    *,
    unit: str = "unit",
    period: str = "period",
    outcome: str = "outcome",
    control: str = "never",
    base_period: str = "varying",
    n_boot: int = 999,
    seed: int = 0,
    confidence: float = 0.95,
) -> StaggeredResult:
    """Group-time effects, event study and overall effect (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    panel : pandas.DataFrame
        Long and balanced: one row per unit (municipality) and period (month) with columns
        ``unit``, ``period`` and ``outcome``. Periods may be monthly :class:`pandas.Period`,
        timestamps or integers; effects are indexed by their position (``e`` in periods).
    first_treated : dict or pandas.Series
        Unit → first treated period (go-live). ``None``/``NaT``/``NaN``: never treated. With
        monthly periods a go-live date counts from its month; with integer periods a value
        between two periods counts from the next one. A go-live after the last period means
        never treated within the panel; units live from the first period have no period
        before and are dropped (both are reported in the warnings).
    unit, period, outcome : str
        Column names.
    control : {"never", "not_yet"}, default "never"
        Never-treated units, or units not yet treated at ``max(t, b)`` (never-treated included).
    base_period : {"varying", "universal"}, default "varying"
        See the module notes.
    n_boot : int, default 999
        Multiplier bootstrap draws.
    seed : int, default 0
        Seed of the bootstrap; the point estimates do not depend on it.
    confidence : float, default 0.95

    Returns
    -------
    StaggeredResult

    Examples
    --------
    Two treated units going live in period 2 and two never treated; the effect is 3 from
    go-live, 4 the period after:

    >>> rows = []
    >>> for u, g, level in [("a", 2, 0), ("b", 2, 5), ("c", None, 1), ("d", None, 2)]:
    ...     for t in range(4):
    ...         effect = {2: 3.0, 3: 4.0}.get(t, 0.0) if g else 0.0
    ...         rows.append({"unit": u, "period": t, "outcome": level + t + effect})
    >>> fit = att_gt(pd.DataFrame(rows), {"a": 2, "b": 2, "c": None, "d": None}, n_boot=99)
    >>> fit.event_time["att"].round(6).to_dict()
    {-1: 0.0, 0: 3.0, 1: 4.0}
    """
    _check_options(control, base_period, confidence, n_boot)
    data = balanced_panel(panel, first_treated, unit, period, outcome)
    groups = _treated_groups(data, control)
    cells = _group_time_cells(data, groups, control, base_period)
    aggregations = _aggregations(cells, groups, data.first)
    inference = _bootstrap(cells, aggregations, n_boot, seed, confidence)
    group_time = _group_time_table(data, cells, inference)
    event_time, critical_value = _event_time_table(
        cells, aggregations, inference, base_period, data.first
    )
    by_group = _aggregation_table("group", "group", cells, aggregations, inference, data.first)
    by_group = by_group.drop(columns="n_control")
    by_group.index = pd.Index([data.periods[int(g)] for g in by_group.index], name="group")
    overall = _aggregation_table(
        "overall", "aggregation", cells, aggregations, inference, data.first
    )
    _no_interval_from_single_units(group_time, event_time, overall, by_group)
    return StaggeredResult(
        group_time=group_time,
        event_time=event_time,
        by_group=by_group,
        overall=overall,
        control=control,
        base_period=base_period,
        n_units=len(data.first),
        n_never=int(np.isinf(data.first).sum()),
        n_boot=n_boot,
        seed=seed,
        confidence=confidence,
        critical_value=critical_value,
        warning_codes=_warning_codes(data, groups, cells.skipped),
    )


def _check_options(control: str, base_period: str, confidence: float, n_boot: int) -> None:
    if control not in ("never", "not_yet"):
        raise ValueError('control must be "never" or "not_yet"')
    if base_period not in ("varying", "universal"):
        raise ValueError('base_period must be "varying" or "universal"')
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    if n_boot < 99:
        raise ValueError("n_boot must be at least 99")


def _treated_groups(data: BalancedPanel, control: str) -> np.ndarray:
    """The first treated positions of the groups, after checking there is someone to compare."""
    never = np.isinf(data.first)
    groups = np.unique(data.first[~never])
    if len(groups) == 0:
        raise ValueError("no unit is treated within the panel")
    if control == "never" and not never.any():
        raise ValueError(
            'no never-treated unit to compare with: use control="not_yet" '
            "(later adopters as controls)"
        )
    return groups


@dataclass(frozen=True)
class _Cells:
    """The group-time cells: one 2 × 2 difference in differences each."""

    group: np.ndarray  # first treated position of the cell's group
    period: np.ndarray  # position t
    event: np.ndarray  # t − g
    base: np.ndarray  # position b
    att: np.ndarray
    n_treated: list[int]
    controls: list[np.ndarray]  # bool per unit
    infl: np.ndarray  # units × cells influence functions
    skipped: int  # cells without controls

    @property
    def post(self) -> np.ndarray:
        return self.event >= 0


def _base(g: int, t: int, base_period: str) -> int | None:
    """The base period of cell ``(g, t)``, or None when the cell has none."""
    if base_period == "universal":
        return None if t == g - 1 else g - 1
    b = g - 1 if t >= g else t - 1
    return None if b < 0 else b


def _group_time_cells(
    data: BalancedPanel, groups: np.ndarray, control: str, base_period: str
) -> _Cells:
    y, first = data.y, data.first
    n, n_periods = y.shape
    never = np.isinf(first)
    cells, columns, skipped = [], [], 0
    for g in groups:
        treated = first == g
        for t in range(n_periods):
            b = _base(int(g), t, base_period)
            if b is None:
                continue
            not_yet = (first > max(t, b)) & (first != g)
            controls = never if control == "never" else never | not_yet
            if not controls.any():
                skipped += 1
                continue
            diff = y[:, t] - y[:, b]
            m_g, m_c = diff[treated].mean(), diff[controls].mean()
            infl = treated * (diff - m_g) * _scale(n, treated.sum()) - controls * (
                diff - m_c
            ) * _scale(n, controls.sum())
            cells.append((g, t, t - g, b, m_g - m_c, int(treated.sum()), controls))
            columns.append(infl)
    if not cells:
        raise ValueError("no group-time effect could be estimated (no controls)")
    return _Cells(
        group=np.array([c[0] for c in cells]),
        period=np.array([c[1] for c in cells]),
        event=np.array([c[2] for c in cells]),
        base=np.array([c[3] for c in cells]),
        att=np.array([c[4] for c in cells]),
        n_treated=[c[5] for c in cells],
        controls=[c[6] for c in cells],
        infl=np.column_stack(columns),
        skipped=skipped,
    )


class _Aggregate(NamedTuple):
    """One aggregation of cells: kind, key, estimate, influence function, cells used."""

    kind: str  # "event", "group" or "overall"
    key: object
    estimate: float
    infl: np.ndarray
    cells: list[int]


def _aggregations(cells: _Cells, groups: np.ndarray, first: np.ndarray) -> list[_Aggregate]:
    """Event-time, group and overall averages, each with its influence function."""
    infl, att, cell_group, post = cells.infl, cells.att, cells.group, cells.post
    rows: list[_Aggregate] = []
    for e in np.unique(cells.event):
        idx = list(np.flatnonzero(cells.event == e))
        est, f = _weighted(infl, att, idx, cell_group, first)
        rows.append(_Aggregate("event", int(e), est, f, idx))
    for g in groups:
        idx = list(np.flatnonzero((cell_group == g) & post))
        if idx:
            rows.append(
                _Aggregate("group", g, float(att[idx].mean()), infl[:, idx].mean(axis=1), idx)
            )
    post_idx = list(np.flatnonzero(post))
    if not post_idx:
        raise ValueError("no period after go-live could be estimated")
    est, f = _weighted(infl, att, post_idx, cell_group, first)
    rows.append(_Aggregate("overall", "simple", est, f, post_idx))
    by_group = [r for r in rows if r.kind == "group"]
    group_att = np.array([r.estimate for r in by_group])
    group_infl = np.column_stack([r.infl for r in by_group])
    group_id = np.array([r.key for r in by_group])
    est, f = _weighted(group_infl, group_att, list(range(len(by_group))), group_id, first)
    rows.append(_Aggregate("overall", "group", est, f, post_idx))
    dynamic = [r for r in rows if r.kind == "event" and r.key >= 0]
    rows.append(
        _Aggregate(
            "overall",
            "dynamic",
            float(np.mean([r.estimate for r in dynamic])),
            np.mean([r.infl for r in dynamic], axis=0),
            post_idx,
        )
    )
    return rows


@dataclass(frozen=True)
class _Inference:
    """Estimates of the cells then the aggregations, with their bootstrap draws and summaries."""

    estimate: np.ndarray
    boot: np.ndarray  # draws × estimates
    se: np.ndarray
    low: np.ndarray
    high: np.ndarray
    p: np.ndarray
    confidence: float


def _bootstrap(
    cells: _Cells, aggregations: list[_Aggregate], n_boot: int, seed: int, confidence: float
) -> _Inference:
    """One multiplier bootstrap (Rademacher weights per unit) for every estimate at once."""
    rng = np.random.default_rng(seed)
    multipliers = rng.choice(np.array([-1.0, 1.0]), size=(n_boot, cells.infl.shape[0]))
    all_infl = np.column_stack([cells.infl, *[r.infl for r in aggregations]])
    estimate = np.concatenate([cells.att, [r.estimate for r in aggregations]])
    boot = multipliers @ all_infl / cells.infl.shape[0]
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    se, low, high, p = _summary(estimate, boot, z)
    return _Inference(estimate, boot, se, low, high, p, confidence)


def _group_time_table(data: BalancedPanel, cells: _Cells, inference: _Inference) -> pd.DataFrame:
    k = len(cells.att)
    se = inference.se[:k]
    crit = _sup_t(inference.boot[:, :k], se, inference.confidence)
    return pd.DataFrame(
        {
            "group": [data.periods[int(g)] for g in cells.group],
            "period": [data.periods[t] for t in cells.period],
            "event_time": cells.event.astype(int),
            "base_period": [data.periods[b] for b in cells.base],
            "att": cells.att,
            "se": se,
            "ci_low": inference.low[:k],
            "ci_high": inference.high[:k],
            "p_value": inference.p[:k],
            "band_low": cells.att - crit * se,
            "band_high": cells.att + crit * se,
            "n_treated": cells.n_treated,
            "n_control": [int(c.sum()) for c in cells.controls],
            "post": cells.post,
        }
    )


def _units_in(cells: _Cells, first: np.ndarray, idx: list[int]) -> tuple[int, int]:
    """Treated and control units behind the cells ``idx``."""
    treated = np.isin(first, cells.group[idx])
    controls = np.any([cells.controls[j] for j in idx], axis=0)
    return int(treated.sum()), int(controls.sum())


def _positions(cells: _Cells, aggregations: list[_Aggregate], kind: str) -> list[int]:
    """Where the aggregations of one kind sit among the estimates (cells first)."""
    k = len(cells.att)
    return [k + i for i, r in enumerate(aggregations) if r.kind == kind]


def _aggregation_table(
    kind: str,
    index_name: str,
    cells: _Cells,
    aggregations: list[_Aggregate],
    inference: _Inference,
    first: np.ndarray,
) -> pd.DataFrame:
    positions = _positions(cells, aggregations, kind)
    rows = [r for r in aggregations if r.kind == kind]
    counts = [_units_in(cells, first, r.cells) for r in rows]
    return pd.DataFrame(
        {
            "att": inference.estimate[positions],
            "se": inference.se[positions],
            "ci_low": inference.low[positions],
            "ci_high": inference.high[positions],
            "p_value": inference.p[positions],
            "n_treated": [c[0] for c in counts],
            "n_control": [c[1] for c in counts],
        },
        index=pd.Index([r.key for r in rows], name=index_name),
    )


def _event_time_table(
    cells: _Cells,
    aggregations: list[_Aggregate],
    inference: _Inference,
    base_period: str,
    first: np.ndarray,
) -> tuple[pd.DataFrame, float]:
    """The event study with its sup-t band, and the band's critical value."""
    table = _aggregation_table("event", "event_time", cells, aggregations, inference, first)
    positions = _positions(cells, aggregations, "event")
    crit = _sup_t(inference.boot[:, positions], inference.se[positions], inference.confidence)
    table.insert(5, "band_low", table["att"] - crit * table["se"])
    table.insert(6, "band_high", table["att"] + crit * table["se"])
    n_groups = [len(set(cells.group[r.cells])) for r in aggregations if r.kind == "event"]
    table.insert(7, "n_groups", n_groups)
    if base_period == "universal":
        reference = pd.DataFrame(
            {c: [0.0] if c == "att" else [np.nan] for c in table.columns},
            index=pd.Index([-1], name="event_time"),
        )
        reference[["n_groups", "n_treated", "n_control"]] = 0
        table = pd.concat([table.astype(float), reference]).sort_index()
        table.index.name = "event_time"
    for column in ("n_groups", "n_treated", "n_control"):
        table[column] = table[column].astype(int)
    return table, crit


def _no_interval_from_single_units(*tables: pd.DataFrame) -> None:
    """Blank the intervals of estimates from one treated or one control unit (in place).

    With one unit the bootstrap has no spread to draw on: its zero standard error would read
    as certainty. Such estimates keep their point, not an interval.
    """
    for table in tables:
        few = table["n_treated"] < 2
        if "n_control" in table:
            few |= table["n_control"] < 2
        for column in ("se", "ci_low", "ci_high", "p_value", "band_low", "band_high"):
            if column in table:
                table.loc[few, column] = np.nan


def _warning_codes(
    data: BalancedPanel, groups: np.ndarray, skipped: int
) -> tuple[tuple[str, dict], ...]:
    n, first = len(data.first), data.first
    codes: list[tuple[str, dict]] = []
    if n < FEW_CLUSTERS:
        codes.append(("did.warn.few_clusters", {"n": n, "m": FEW_CLUSTERS}))
    singles = int(sum((first == g).sum() == 1 for g in groups))
    if singles:
        codes.append(("did.warn.single_unit_groups", {"n": singles}))
    if data.n_always:
        codes.append(("did.warn.always_treated", {"n": data.n_always}))
    if data.n_late:
        codes.append(("did.warn.treated_after_panel", {"n": data.n_late}))
    if skipped:
        codes.append(("did.warn.no_controls", {"n": skipped}))
    return tuple(codes)


@dataclass(frozen=True)
class TwfeResult:
    """The two-way fixed-effects estimate, for contrast with :func:`att_gt` only.

    Attributes
    ----------
    estimate, se, ci_low, ci_high, p_value : float
        ``β`` of ``y_it = α_i + λ_t + β D_it + ε_it`` with errors clustered by unit.
    n_units : int
    weights : pandas.DataFrame
        The weight TWFE puts on each treated ``(group, period)`` cell's effect (de Chaisemartin
        & D'Haultfœuille 2020): ``β = Σ weight · ATT(g, t)`` under parallel trends. They sum
        to one; negative weights mean already-treated units serve as controls.
    negative_weight_sum : float
        Sum of the negative weights (0 when none).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    n_units: int
    weights: pd.DataFrame
    negative_weight_sum: float


def twfe(
    panel: pd.DataFrame,
    first_treated: dict | pd.Series,
    *,
    unit: str = "unit",
    period: str = "period",
    outcome: str = "outcome",
    confidence: float = 0.95,
) -> TwfeResult:
    """The naive two-way fixed-effects DiD, to show how far it is from :func:`att_gt`.

    Same input as :func:`att_gt` (units treated from the first period are dropped there too,
    so both use the same units). Errors are clustered by unit (CR1).

    Examples
    --------
    >>> rows = [{"unit": u, "period": t, "outcome": t + (2.0 if u == "a" and t >= 2 else 0.0)}
    ...         for u in "abc" for t in range(4)]
    >>> round(twfe(pd.DataFrame(rows), {"a": 2, "b": None, "c": None}).estimate, 6)
    2.0
    """
    data = balanced_panel(panel, first_treated, unit, period, outcome)
    y, first = data.y, data.first
    n, n_periods = y.shape
    d = (np.arange(n_periods)[None, :] >= first[:, None]).astype(float)
    if d.all() or not d.any():
        raise ValueError("TWFE needs both treated and untreated unit-periods")
    unit_idx = np.repeat(np.arange(n), n_periods)
    time_idx = np.tile(np.arange(n_periods), n)
    x = np.column_stack(
        [
            d.ravel(),
            np.ones(n * n_periods),
            (unit_idx[:, None] == np.arange(1, n)[None, :]).astype(float),
            (time_idx[:, None] == np.arange(1, n_periods)[None, :]).astype(float),
        ]
    )
    fit = sm.OLS(y.ravel(), x).fit(cov_type="cluster", cov_kwds={"groups": unit_idx}, use_t=True)
    estimate = float(fit.params[0])
    se = float(np.sqrt(max(float(np.asarray(fit.cov_params())[0, 0]), 0.0)))
    crit = float(stats.t.ppf(0.5 + confidence / 2, n - 1))  # statsmodels: G − 1 df
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = float(2 * stats.t.sf(abs(estimate) / se, n - 1)) if se > 0 else np.nan
    # Residualised treatment of the balanced panel: D − row mean − column mean + grand mean.
    d_tilde = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    w = np.where(d == 1, d_tilde, 0.0) / (d_tilde * d).sum()
    cells = pd.DataFrame(
        {
            "group": np.repeat(first, n_periods),
            "t": time_idx,
            "weight": w.ravel(),
            "treated": d.ravel() == 1,
        }
    )
    cells = cells[cells["treated"]].groupby(["group", "t"], as_index=False)["weight"].sum()
    weights = pd.DataFrame(
        {
            "group": [data.periods[int(g)] for g in cells["group"]],
            "period": [data.periods[int(t)] for t in cells["t"]],
            "event_time": (cells["t"] - cells["group"]).astype(int).to_numpy(),
            "weight": cells["weight"].to_numpy(),
        }
    )
    return TwfeResult(
        estimate=estimate,
        se=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        p_value=p_value,
        n_units=n,
        weights=weights,
        negative_weight_sum=float(weights["weight"].clip(upper=0).sum()),
    )


def event_study_figure(
    result: StaggeredResult, lang: str = "nb", twfe_result: TwfeResult | None = None
) -> go.Figure:
    """Event study: effect by periods since go-live, pointwise intervals and uniform band.

    Before go-live (``e < 0``) in grey: placebo estimates that should hover around 0 under
    parallel trends. A TWFE estimate can be drawn as a horizontal line for contrast.

    Examples
    --------
    >>> rows = [{"unit": u, "period": t, "outcome": float(t + (u in "ab") * (t >= 2) * 3 + i)}
    ...         for i, u in enumerate("abcd") for t in range(4)]
    >>> fit = att_gt(pd.DataFrame(rows), {"a": 2, "b": 2, "c": None, "d": None}, n_boot=99)
    >>> [trace.name for trace in event_study_figure(fit, "en").data][:2]
    ['Uniform 95 % band', 'Before go-live']
    """
    table = result.event_time
    level = round(100 * result.confidence)
    e = table.index.to_numpy()
    fig = go.Figure()
    band = table["band_low"].notna().to_numpy()
    fig.add_trace(
        go.Scatter(
            x=list(e[band]) + list(e[band][::-1]),
            y=list(table["band_high"][band]) + list(table["band_low"][band][::-1]),
            fill="toself",
            fillcolor="rgba(31,119,180,0.12)",
            line={"width": 0},
            hoverinfo="skip",
            name=label("did.band", lang, level=level),
        )
    )
    for after, key, colour in ((False, "did.pre", "#7f7f7f"), (True, "did.post", "#1f77b4")):
        part = table[(table.index >= 0) == after]
        fig.add_trace(
            go.Scatter(
                x=part.index,
                y=part["att"],
                mode="markers",
                name=label(key, lang),
                marker={"color": colour, "size": 8},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["ci_high"] - part["att"]).fillna(0),
                    "arrayminus": (part["att"] - part["ci_low"]).fillna(0),
                    "color": colour,
                },
                customdata=np.column_stack([part["n_groups"], part["n_treated"]]),
                hovertemplate=(
                    "e = %{x}: %{y:.3f}<br>" + label("did.hover_units", lang) + "<extra></extra>"
                ),
            )
        )
    if twfe_result is not None:
        fig.add_trace(
            go.Scatter(
                x=[0, e.max()],
                y=[twfe_result.estimate] * 2,
                mode="lines",
                name=label("did.twfe", lang),
                line={"color": "#d62728", "dash": "dash"},
            )
        )
    fig.add_hline(y=0, line={"color": "#4c4c4c", "width": 1})
    fig.add_vline(x=-0.5, line={"color": "#7f7f7f", "dash": "dot"})
    notes = [
        label(
            "did.note",
            lang,
            control=label(f"did.control.{result.control}", lang),
            n=result.n_units,
            level=level,
        ),
        *result.messages(lang),
    ]
    add_notes(fig, notes, y=-0.2)
    fig.update_layout(
        title=label("did.title", lang),
        xaxis_title=label("did.event_time", lang),
        yaxis_title=label("did.effect", lang),
        separators=figure_separators(lang),
        margin={"l": 50, "r": 10, "t": 60, "b": 70 + 16 * len(notes)},
        height=420 + 16 * len(notes),
    )
    return fig
