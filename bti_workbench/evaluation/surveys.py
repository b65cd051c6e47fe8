"""Staff surveys: the share agreeing per item and wave, and the change between two waves.

The baseline and follow-up surveys (0-punkts- og etterundersøkelse) are repeated cross-sections
of staff answering Likert items 1–5 (``resources/survey_items.csv``). An answer of 4 or 5
counts as agreeing. Every count passes :func:`bti_workbench.privacy.suppress_small` (through
:func:`bti_workbench.evaluation.proportions.proportion_table`) before it is shown: a share whose
numerator or complement is below ``k`` is hidden, and an item with fewer than ``k`` answers in
a wave shows no share and no test.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from bti_workbench._util.numbers import format_number, format_share
from bti_workbench.evaluation.proportions import (
    ProportionTable,
    newcombe_interval,
    proportion_table,
)
from bti_workbench.evaluation.tables import MISSING, format_interval, format_p_value
from bti_workbench.ingest.contracts import column_specs, item_catalogue
from bti_workbench.privacy import DEFAULT_K, suppress_small
from bti_workbench.reference.labels import label

__all__ = [
    "agreement_table",
    "cliffs_delta",
    "cohens_h",
    "minimum_detectable_difference",
    "survey_display",
    "survey_figure",
    "wave_change",
]

_BASE_DIMS = ("item", "wave")
_FILTERS = ("municipality", "service", "role")


def cohens_h(p1: float | np.ndarray, p2: float | np.ndarray) -> float | np.ndarray:
    """Cohen's h for the change from share ``p1`` to share ``p2``.

    ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))``; by Cohen's rule of thumb 0.2 is small,
    0.5 medium and 0.8 large.

    Examples
    --------
    >>> round(float(cohens_h(0.5, 0.75)), 4)
    0.5236
    """
    p1, p2 = np.asarray(p1, dtype=float), np.asarray(p2, dtype=float)
    h = 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1))
    return float(h) if h.ndim == 0 else h


def cliffs_delta(before: Sequence[float], after: Sequence[float]) -> float:
    """Cliff's delta: P(after > before) − P(after < before) over all pairs of answers.

    Equals the rank-biserial correlation of the Mann–Whitney U test, ``2U/(n1 n2) − 1``
    with U counted for ``after``. Positive when answers rose.

    Examples
    --------
    >>> cliffs_delta([1, 2, 3], [2, 3, 4])  # 6 pairs up, 1 down, 2 tied: (6 - 1) / 9
    0.5555555555555556
    """
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    u = stats.mannwhitneyu(y, x, alternative="two-sided").statistic
    return float(2 * u / (len(x) * len(y)) - 1)


def minimum_detectable_difference(
    p1: float,
    n1: int,
    n2: int,
    alpha: float = 0.05,
    power: float = 0.8,
    direction: int = 1,
) -> float:
    """Smallest change in a share that two samples of these sizes detect with ``power``.

    Uses the arcsine (Cohen's h) approximation for a two-sided test at level ``alpha`` on
    two independent samples: the detectable ``h`` is ``(z[1 - alpha/2] + z[power]) *
    sqrt(1/n1 + 1/n2)``, turned back into a change of the share from the baseline ``p1``.
    A smaller true change is more often missed than found. Against the decision "Newcombe's
    interval excludes 0" the power at the MDD is within about two points of ``power``, a
    little lower when the share moves towards 0 or 1 in samples of a few dozen.

    Parameters
    ----------
    p1 : float
        The baseline share.
    n1, n2 : int
        Answers in the baseline and the follow-up.
    alpha : float, default 0.05
    power : float, default 0.8
    direction : {1, -1}
        Look for an increase (1) or a decrease (-1).

    Returns
    -------
    float
        The change in share units (0.1 = 10 percentage points), always positive; ``NaN``
        when no change in that direction is detectable (the share would pass 0 or 1).

    Examples
    --------
    >>> round(minimum_detectable_difference(0.5, 100, 100), 3)
    0.193
    """
    if direction not in (1, -1):
        raise ValueError("direction must be 1 (increase) or -1 (decrease)")
    if not (0 <= p1 <= 1) or n1 <= 0 or n2 <= 0:
        return float("nan")
    if not (0 < alpha < 1 and 0 < power < 1):
        raise ValueError("alpha and power must be between 0 and 1")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    h = z * np.sqrt(1 / n1 + 1 / n2)
    phi = np.arcsin(np.sqrt(p1)) + direction * h / 2
    if not 0 <= phi <= np.pi / 2:
        return float("nan")
    return float(abs(np.sin(phi) ** 2 - p1))


def _as_list(value: object) -> list | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _items(survey: pd.DataFrame, items: object) -> list[str]:
    catalogue = list(item_catalogue().index)
    if items is None:
        chosen = [i for i in catalogue if i in survey.columns]
    else:
        chosen = _as_list(items) or []
        unknown = [i for i in chosen if i not in catalogue]
        if unknown:
            raise ValueError(f"unknown survey items {unknown}; see item_catalogue()")
        absent = [i for i in chosen if i not in survey.columns]
        if absent:
            raise ValueError(f"the survey has no column for the items {absent}")
    if not chosen:
        raise ValueError("the survey has no item columns")
    return chosen


def _long(
    survey: pd.DataFrame, items: object, filters: dict[str, object], extra: Sequence[str] = ()
) -> pd.DataFrame:
    """Answers in long format: the grouping columns, ``item`` and ``answer`` (1–5)."""
    frame = survey
    for column, wanted in filters.items():
        values = _as_list(wanted)
        if values is None:
            continue
        if column not in frame.columns:
            raise ValueError(f"the survey has no column {column!r} to filter on")
        frame = frame[frame[column].isin(values)]
    chosen = _items(survey, items)
    keep = [c for c in dict.fromkeys(["respondent_id", "wave", *extra]) if c in frame.columns]
    answers = frame[keep + chosen].melt(id_vars=keep, var_name="item", value_name="answer")
    answers["answer"] = pd.to_numeric(answers["answer"], errors="coerce").astype(float)
    answers = answers.dropna(subset=["answer"])
    if not answers["answer"].isin([1, 2, 3, 4, 5]).all():
        raise ValueError("survey answers must be whole numbers 1–5 (blank when unanswered)")
    return answers


def _catalogue_order(index: pd.Index) -> np.ndarray:
    """Positions that sort items as the catalogue and waves as the contract list them."""
    frame = index.to_frame(index=False).astype(str)
    ranks = {
        "item": {v: i for i, v in enumerate(item_catalogue().index)},
        "wave": {v: i for i, v in enumerate(column_specs("staff-survey")["wave"]["values"])},
    }
    for column in frame.columns:
        if column in ranks:
            order = ranks[column]
            frame[column] = [f"{order.get(v, len(order)):04d}{v}" for v in frame[column]]
    return np.lexsort([frame[c].to_numpy() for c in reversed(frame.columns)])


def _protect_breakdown(table: ProportionTable, by: list[str], k: int) -> ProportionTable:
    """Secondary suppression across the groups of one item and wave.

    The item × wave totals are published too (by the table without breakdown). Within each
    item and wave, the groups' agree / disagree counts form a two-way table whose margins are
    those totals; it goes through ``suppress_small`` so that no hidden group can be worked
    out by subtracting the visible ones from the total.
    """
    base = [d for d in _BASE_DIMS if d in by]
    raw = table.raw
    values, hidden, marks = table.values.copy(), table.hidden.copy(), table.marks.copy()
    for _, block in raw.groupby(level=base, sort=False):
        if len(block) < 2:
            continue
        cells = pd.DataFrame(
            {
                "yes": block["numerator"].to_numpy(),
                "no": (block["denominator"] - block["numerator"]).to_numpy(),
            }
        )
        result = suppress_small(cells, k, margins=True)
        shown = result.formatted("en")
        total = result.values.columns[-1]
        for position, name in enumerate(block.index):
            row_hidden = result.hidden.loc[position]
            if row_hidden["yes"]:
                hidden.loc[name, "numerator"] = True
                marks.loc[name, "numerator"] = shown.loc[position, "yes"]
            if row_hidden[total]:
                hidden.loc[name, "denominator"] = True
                marks.loc[name, "denominator"] = shown.loc[position, total]
            if row_hidden[["yes", "no"]].any():
                values.loc[name, ["share", "ci_low", "ci_high"]] = np.nan
    values = values.mask(hidden.reindex(columns=values.columns, fill_value=False))
    return replace(table, values=values, hidden=hidden, marks=marks)


def agreement_table(
    survey: pd.DataFrame,
    *,
    by: Sequence[str] = ("item", "wave"),
    items: str | Sequence[str] | None = None,
    k: int = DEFAULT_K,
    confidence: float = 0.95,
    agree_from: int = 4,
    waves: str | Sequence[str] | None = None,
    municipality: str | Sequence[str] | None = None,
    service: str | Sequence[str] | None = None,
    role: str | Sequence[str] | None = None,
) -> ProportionTable:
    """Share agreeing per item and wave among those who answered, with Wilson intervals.

    Parameters
    ----------
    survey : pandas.DataFrame
        A staff survey (:func:`bti_workbench.ingest.readers.read_staff_survey`): one row per
        respondent and wave, one Likert 1–5 column per item, blank when unanswered.
    by : sequence of str, default ("item", "wave")
        Grouping; must hold ``item`` and may add survey columns such as ``service`` or
        ``role``. With a breakdown beyond item and wave, the groups of each item and wave are
        also protected against subtraction from the item × wave total.
    items : str or sequence of str, optional
        Item ids (``item_catalogue()``); default every item the survey has.
    k : int, default 5
        Suppression threshold (see :func:`bti_workbench.privacy.suppress_small`).
    confidence : float, default 0.95
    agree_from : int, default 4
        The lowest answer that counts as agreeing (4: "agree" and "strongly agree").
    waves, municipality, service, role : str or sequence of str, optional
        Keep only these values.

    Returns
    -------
    ProportionTable
        Indexed by ``by``; ``numerator`` = answers agreeing, ``denominator`` = answers.
        ``formatted(lang)`` gives the table as text with ``<k`` and ``×`` marks.

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [f"R{i}" for i in range(20)],
    ...     "wave": ["baseline"] * 10 + ["follow_up"] * 10,
    ...     "know_what_to_do": [4, 5, 2, 1, 3, 4, 2, 2, 5, 3] + [5, 4, 4, 5, 2, 3, 4, 4, 1, 5]})
    >>> t = agreement_table(survey, k=3)
    >>> t.values["share"].tolist()  # 4 of 10 agree at baseline, 7 of 10 at follow-up
    [0.4, 0.7]
    """
    by = list(by)
    if "item" not in by:
        raise ValueError("by must include 'item' (shares are per item)")
    filters = {"wave": waves, "municipality": municipality, "service": service, "role": role}
    extra = [c for c in by if c != "item"]
    missing = [c for c in extra if c not in survey.columns]
    if missing:
        raise ValueError(f"cannot group by {missing}: not survey columns")
    answers = _long(survey, items, filters, extra)
    answers["agree"] = (answers["answer"] >= agree_from).astype("int64")
    counts = answers.groupby(by, sort=False)["agree"].agg(["sum", "count"])
    counts.columns = ["numerator", "denominator"]
    counts = counts.iloc[_catalogue_order(counts.index)]
    table = proportion_table(counts, k=k, confidence=confidence)
    if [c for c in by if c not in _BASE_DIMS]:
        table = _protect_breakdown(table, by, k)
    return table


def _rank_test(before: np.ndarray, after: np.ndarray) -> tuple[float, float, float]:
    """Mann–Whitney U (for ``after``), two-sided p-value and Cliff's delta."""
    result = stats.mannwhitneyu(after, before, alternative="two-sided")
    delta = 2 * result.statistic / (len(before) * len(after)) - 1
    return float(result.statistic), float(result.pvalue), float(delta)


def _paired_test(differences: np.ndarray) -> tuple[float, float, float]:
    """Wilcoxon signed-rank (zero differences dropped) and the matched-pairs rank-biserial r.

    r = (T+ − T−) / (T+ + T−) over the ranks of the non-zero |differences| (Kerby 2014).
    """
    nonzero = differences[differences != 0]
    if len(nonzero) == 0:
        return 0.0, 1.0, 0.0  # nobody changed their answer
    ranks = stats.rankdata(np.abs(nonzero))
    plus, minus = ranks[nonzero > 0].sum(), ranks[nonzero < 0].sum()
    result = stats.wilcoxon(nonzero, zero_method="wilcox", alternative="two-sided")
    return float(result.statistic), float(result.pvalue), float((plus - minus) / (plus + minus))


def _number(value: float, lang: str, digits: int = 1) -> str:
    return format_number(value, lang, digits)


def wave_change(
    survey: pd.DataFrame,
    items: str | Sequence[str] | None = None,
    *,
    before: str = "baseline",
    after: str = "follow_up",
    k: int = DEFAULT_K,
    alpha: float = 0.05,
    power: float = 0.8,
    agree_from: int = 4,
    lang: str = "nb",
    municipality: str | Sequence[str] | None = None,
    service: str | Sequence[str] | None = None,
    role: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Change per item between two waves: shares, a rank test, effect sizes and the MDD.

    For each item:

    * the share agreeing in each wave with its Wilson interval, and the change
      ``share_after − share_before`` with Newcombe's hybrid score interval;
    * Cohen's h for the change of the share;
    * a rank test on the full 1–5 answers: Mann–Whitney U for independent cross-sections,
      with Cliff's delta (the rank-biserial r) as effect size. If the same respondent ids
      answered both waves, ``design`` says ``paired``, ``note`` says so, and the test is the
      Wilcoxon signed-rank test on those respondents' paired answers, with the matched-pairs
      rank-biserial r;
    * the minimum detectable difference (:func:`minimum_detectable_difference`) for these
      sample sizes, at ``alpha`` and ``power``, from the baseline share, in the direction of
      the observed change. When ``|change|`` is smaller, ``underpowered`` is true and
      ``note`` warns that the sample is too small to detect a change of this size.

    The share intervals and the MDD treat the waves as independent samples; with the same
    respondents in both waves the Newcombe interval is then conservative (too wide).

    Privacy: the counts pass ``suppress_small`` through :func:`agreement_table`. Where a wave's
    share is hidden (agreeing or not agreeing below ``k``) the shares, the change, Cohen's h
    and the MDD are hidden, since they would give the count back. Where a wave has fewer than
    ``k`` answers (or fewer than ``k`` paired respondents), the rank test is hidden too.

    Parameters
    ----------
    survey : pandas.DataFrame
        A staff survey (:func:`bti_workbench.ingest.readers.read_staff_survey`).
    items : str or sequence of str, optional
        Item ids; default every item the survey has.
    before, after : str
        The two waves to compare.
    k : int, default 5
        Suppression threshold.
    alpha : float, default 0.05
        Test level; intervals have confidence ``1 − alpha``.
    power : float, default 0.8
        Power for the minimum detectable difference.
    agree_from : int, default 4
    lang : {"nb", "en"}
        Language of ``note``.
    municipality, service, role : str or sequence of str, optional
        Keep only these respondents.

    Returns
    -------
    pandas.DataFrame
        Index ``item``; columns ``before, after, n_before, n_after, share_before,
        ci_low_before, ci_high_before, share_after, ci_low_after, ci_high_after, change,
        change_low, change_high, cohens_h, mdd, underpowered, design, n_paired, test,
        statistic, p_value, rank_effect, note``. Hidden values are ``NaN`` (``<NA>`` for
        ``n_paired`` and ``underpowered``).

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [f"R{i}" for i in range(20)],
    ...     "wave": ["baseline"] * 10 + ["follow_up"] * 10,
    ...     "know_what_to_do": [4, 5, 2, 1, 3, 4, 2, 2, 5, 3] + [5, 4, 4, 5, 2, 3, 4, 4, 1, 5]})
    >>> t = wave_change(survey, k=3, lang="en")
    >>> round(float(t.loc["know_what_to_do", "change"]), 2), t.loc["know_what_to_do", "test"]
    (0.3, 'mann_whitney')
    >>> bool(t.loc["know_what_to_do", "underpowered"])  # 10 + 10 answers: MDD about 0.58
    True
    """
    if before == after:
        raise ValueError("before and after must be different waves")
    present = set(survey["wave"].dropna().astype(str))
    absent = [w for w in (before, after) if w not in present]
    if absent:
        raise ValueError(f"the survey has no wave {absent}; it has {sorted(present)}")
    filters = {"municipality": municipality, "service": service, "role": role}
    chosen = _items(survey, items)
    shares = agreement_table(
        survey,
        items=chosen,
        k=k,
        confidence=1 - alpha,
        agree_from=agree_from,
        waves=[before, after],
        **filters,
    )
    answers = _long(survey, chosen, {"wave": [before, after], **filters})
    ids = {w: set(answers.loc[answers["wave"] == w, "respondent_id"]) for w in (before, after)}
    paired = bool(ids[before] & ids[after])

    rows = []
    for item in chosen:
        rows.append(
            _item_change(
                item, answers[answers["item"] == item], shares, before, after, paired, 1 - alpha
            )
        )
    out = pd.DataFrame(rows).set_index("item")
    if paired:
        n_shown = suppress_small(out["n_paired"].astype("int64"), k, margins=False, allow_zero=True)
        out["n_paired"] = n_shown.values.iloc[:, 0].reindex(out.index).astype("Int64")
    else:
        out["n_paired"] = pd.array([pd.NA] * len(out), dtype="Int64")

    # Direction of the MDD: that of the observed change (an increase when there is none).
    mdd = [
        minimum_detectable_difference(
            row.share_before, int(row.n_before), int(row.n_after), alpha, power, direction=d
        )
        if pd.notna(row.change)
        else np.nan
        for row, d in zip(
            out.itertuples(), np.where(out["change"] < 0, -1, 1).tolist(), strict=True
        )
    ]
    out["mdd"] = mdd
    out["underpowered"] = pd.array(
        [
            pd.NA if pd.isna(c) else bool(pd.isna(m) or abs(c) < m)
            for c, m in zip(out["change"], out["mdd"], strict=True)
        ],
        dtype="boolean",
    )
    hide_test = out["n_before"].isna() | out["n_after"].isna()
    if paired:
        hide_test |= out["n_paired"].fillna(0).to_numpy() == 0
    out.loc[hide_test, ["statistic", "p_value", "rank_effect"]] = np.nan
    out["note"] = [_note(row, paired, k, power, lang) for row in out.itertuples()]
    out = out[_CHANGE_COLUMNS]
    out.attrs.update(confidence=1 - alpha, power=power, k=k)
    return out


_CHANGE_COLUMNS = [
    "before",
    "after",
    "n_before",
    "n_after",
    "share_before",
    "ci_low_before",
    "ci_high_before",
    "share_after",
    "ci_low_after",
    "ci_high_after",
    "change",
    "change_low",
    "change_high",
    "cohens_h",
    "mdd",
    "underpowered",
    "design",
    "n_paired",
    "test",
    "statistic",
    "p_value",
    "rank_effect",
    "note",
]


def _item_change(
    item: str,
    answers: pd.DataFrame,
    shares: ProportionTable,
    before: str,
    after: str,
    paired: bool,
    confidence: float,
) -> dict[str, object]:
    """Every figure for one item, before masking the ones a hidden count would give away."""
    row: dict[str, object] = {"item": item, "before": before, "after": after}
    raw = {}
    for suffix, wave in (("before", before), ("after", after)):
        key = (item, wave)
        present = key in shares.values.index
        shown = shares.values.loc[key] if present else None
        row[f"n_{suffix}"] = float(shown["denominator"]) if present else np.nan
        for column in ("share", "ci_low", "ci_high"):
            row[f"{column}_{suffix}"] = float(shown[column]) if present else np.nan
        raw[suffix] = (
            shares.raw.loc[key] if present else pd.Series({"numerator": 0, "denominator": 0})
        )
    both_shown = pd.notna(row["share_before"]) and pd.notna(row["share_after"])
    if both_shown:
        d, low, high = newcombe_interval(
            raw["before"]["numerator"],
            raw["before"]["denominator"],
            raw["after"]["numerator"],
            raw["after"]["denominator"],
            confidence,
        )
        h = cohens_h(row["share_before"], row["share_after"])
    else:
        d = low = high = h = np.nan
    row.update(change=d, change_low=low, change_high=high, cohens_h=h)

    x = answers.loc[answers["wave"] == before, ["respondent_id", "answer"]]
    y = answers.loc[answers["wave"] == after, ["respondent_id", "answer"]]
    if paired:
        both = x.merge(y, on="respondent_id", suffixes=("_b", "_a"))
        row.update(design="paired", test="wilcoxon", n_paired=len(both))
        diffs = (both["answer_a"] - both["answer_b"]).to_numpy(dtype=float)
        stat, p, effect = _paired_test(diffs) if len(diffs) else (np.nan,) * 3
    else:
        row.update(design="independent", test="mann_whitney", n_paired=0)
        if len(x) and len(y):
            stat, p, effect = _rank_test(x["answer"].to_numpy(), y["answer"].to_numpy())
        else:
            stat = p = effect = np.nan
    row.update(statistic=stat, p_value=p, rank_effect=effect)
    return row


def _is_true(value: object) -> bool:
    return value is not pd.NA and not pd.isna(value) and bool(value)


def _note(row: object, paired: bool, k: int, power: float, lang: str) -> str:
    notes = []
    if pd.isna(row.share_before) or pd.isna(row.share_after):
        notes.append(label("survey.hidden", lang, k=k))
    if paired and pd.notna(row.n_paired) and row.n_paired > 0:
        notes.append(label("survey.paired", lang, n=int(row.n_paired)))
    elif paired:
        notes.append(label("survey.paired_few", lang, k=k))
    if _is_true(row.underpowered):
        mdd = "–" if pd.isna(row.mdd) else _number(100 * row.mdd, lang)
        notes.append(label("survey.too_small", lang, mdd=mdd, power=round(100 * power)))
    return " ".join(notes)


def survey_figure(change_table: pd.DataFrame, lang: str = "nb") -> go.Figure:
    """Dot-and-interval chart of the share agreeing before and after, per item.

    Parameters
    ----------
    change_table : pandas.DataFrame
        The result of :func:`wave_change`. Hidden shares are not drawn; their item is
        marked with the suppression note. Items the sample is too small for are marked ``†``.
    lang : {"nb", "en"}

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [f"R{i}" for i in range(20)],
    ...     "wave": ["baseline"] * 10 + ["follow_up"] * 10,
    ...     "know_what_to_do": [4, 5, 2, 1, 3, 4, 2, 2, 5, 3] + [5, 4, 4, 5, 2, 3, 4, 4, 1, 5]})
    >>> fig = survey_figure(wave_change(survey, k=3), "en")
    >>> [trace.name for trace in fig.data], [round(v) for v in fig.data[1].x]
    (['Baseline', 'Follow-up'], [70])
    """
    table = change_table
    positions = np.arange(len(table))[::-1].astype(float)  # first item on top
    ticks = []
    for item, row in table.iterrows():
        text = label(f"item.{item}", lang)
        if pd.isna(row["share_before"]) or pd.isna(row["share_after"]):
            text += f" ({label('survey.hidden_short', lang)})"
        elif _is_true(row["underpowered"]):
            text += " †"
        ticks.append(text)
    fig = go.Figure()
    colours = ("#7f7f7f", "#1f77b4")
    for offset, suffix, colour in ((0.15, "before", colours[0]), (-0.15, "after", colours[1])):
        wave = str(table[suffix].iloc[0]) if len(table) else suffix
        share = 100 * table[f"share_{suffix}"].to_numpy(dtype=float)
        low = 100 * table[f"ci_low_{suffix}"].to_numpy(dtype=float)
        high = 100 * table[f"ci_high_{suffix}"].to_numpy(dtype=float)
        keep = ~np.isnan(share)
        fig.add_trace(
            go.Scatter(
                x=share[keep],
                y=positions[keep] + offset,
                mode="markers",
                name=label(f"wave.{wave}", lang),
                marker={"color": colour, "size": 10},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (high - share)[keep],
                    "arrayminus": (share - low)[keep],
                    "thickness": 1.5,
                    "width": 4,
                },
                customdata=np.stack([low[keep], high[keep]], axis=1),
                text=[t for t, k in zip(ticks, keep, strict=True) if k],
                hovertemplate="%{text}<br>%{x:.0f} % (%{customdata[0]:.0f}–%{customdata[1]:.0f})"
                "<extra>%{fullData.name}</extra>",
            )
        )
    level = _number(100 * table.attrs.get("confidence", 0.95), lang, digits=0)
    notes = [label("survey.interval_note", lang, level=level)]
    if table[["share_before", "share_after"]].isna().any(axis=None):
        notes.append(label("survey.hidden", lang, k=table.attrs.get("k", DEFAULT_K)))
    if any(_is_true(v) for v in table["underpowered"]):
        notes.append("† " + label("survey.too_small_short", lang))
    fig.update_layout(
        title=label("survey.figure_title", lang),
        xaxis={"title": label("survey.share_axis", lang), "range": [0, 101], "ticksuffix": " %"},
        yaxis={
            "tickvals": positions.tolist(),
            "ticktext": ticks,
            "automargin": True,
            "range": [-0.6, len(table) - 0.4],
        },
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={"l": 10, "r": 10, "t": 80, "b": 70 + 16 * len(notes)},
        height=150 + 16 * len(notes) + 45 * max(len(table), 1),
        annotations=[
            {
                "text": "<br>".join(notes),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "xanchor": "left",
                "y": 0,
                "yanchor": "top",
                "yshift": -50,
                "showarrow": False,
                "align": "left",
                "font": {"size": 11},
            }
        ],
    )
    return fig


def survey_display(
    change_table: pd.DataFrame, lang: str = "nb", *, agreement: ProportionTable | None = None
) -> pd.DataFrame:
    """The change per item between two waves as a reader sees it.

    Parameters
    ----------
    change_table : pandas.DataFrame
        The result of :func:`wave_change`.
    lang : {"nb", "en"}
    agreement : ProportionTable, optional
        The :func:`agreement_table` of the same survey and ``k``: each wave's cell then shows
        how many agreed out of how many answered (``<5`` or ``×`` where hidden); without it,
        the number of answers.

    Returns
    -------
    pandas.DataFrame
        One row per item, no index: the item's text, the share agreeing in each wave, the
        change in percentage points with its interval, Cohen's h, the p-value of the rank
        test, the minimum detectable change and a note, under headers in ``lang``. What is
        hidden or cannot be estimated shows as ``–`` or a mark, never NaN.

    See Also
    --------
    survey_figure : The same shares as a chart.

    Examples
    --------
    >>> survey = pd.DataFrame({
    ...     "respondent_id": [f"R{i}" for i in range(20)],
    ...     "wave": ["baseline"] * 10 + ["follow_up"] * 10,
    ...     "know_what_to_do": [4, 5, 2, 1, 3, 4, 2, 2, 5, 3] + [5, 4, 4, 5, 2, 3, 4, 4, 1, 5]})
    >>> table = survey_display(wave_change(survey, k=3), "en",
    ...                        agreement=agreement_table(survey, k=3))
    >>> table.iloc[0, 1:4].tolist()
    ['40 % (4 of 10)', '70 % (7 of 10)', '+30.0 (−11.8 to 60.1)']
    """
    table = change_table
    level = format_number(100 * table.attrs.get("confidence", 0.95), lang)
    k = table.attrs.get("k", DEFAULT_K)
    tests = table["test"].dropna()
    test = label(f"tab.ev.test.{tests.iloc[0]}", lang) if len(tests) else MISSING
    rows = []
    for item, row in table.iterrows():
        cells = {label("tab.ev.survey.item", lang): label(f"item.{item}", lang)}
        for suffix in ("before", "after"):
            wave = label(f"wave.{row[suffix]}", lang)
            heading = label("tab.ev.survey.share", lang, wave=wave)
            cells[heading] = _wave_cell(row, suffix, agreement, lang)
        points = [100 * row[c] for c in ("change", "change_low", "change_high")]
        change = format_number(points[0], lang, 1, sign=True)
        if change != MISSING:
            change += f" ({format_interval(points[1], points[2], lang, 1)})"
        cells[label("tab.ev.survey.change", lang, level=level)] = change
        cells[label("tab.ev.survey.cohens_h", lang)] = format_number(row["cohens_h"], lang, 2)
        cells[label("tab.ev.survey.p_value", lang, test=test)] = format_p_value(
            row["p_value"], lang
        )
        cells[label("tab.ev.survey.mdd", lang)] = format_number(100 * row["mdd"], lang, 1)
        cells[label("tab.ev.note", lang)] = _short_note(row, k, lang)
        rows.append(cells)
    return pd.DataFrame(rows)


def _wave_cell(row: pd.Series, suffix: str, agreement: ProportionTable | None, lang: str) -> str:
    """``38 % (10 of 26)``: the share agreeing in one wave, with its counts or answers."""
    share = row[f"share_{suffix}"]
    shown = format_share(share, lang) if pd.notna(share) else ""
    key = (row.name, row[suffix])
    if agreement is not None and key in agreement.values.index:
        numerator, denominator = (
            agreement.marks.loc[key, c]
            if agreement.hidden.loc[key, c]
            else format_number(agreement.values.loc[key, c], lang)
            for c in ("numerator", "denominator")
        )
        counts = label("tab.ev.of", lang, numerator=numerator, denominator=denominator)
    elif pd.notna(row[f"n_{suffix}"]):
        counts = label("tab.ev.answers", lang, n=format_number(row[f"n_{suffix}"], lang))
    else:
        return shown or label("survey.hidden_short", lang)
    return f"{shown} ({counts})" if shown else counts


def _short_note(row: pd.Series, k: int, lang: str) -> str:
    """Why a row is hidden, paired or too small a sample, in a few words each."""
    notes = []
    if pd.isna(row["share_before"]) or pd.isna(row["share_after"]):
        notes.append(label("survey.hidden", lang, k=k))
    if row["design"] == "paired":
        if pd.notna(row["n_paired"]) and row["n_paired"] > 0:
            notes.append(label("survey.paired", lang, n=int(row["n_paired"])))
        else:
            notes.append(label("survey.paired_few", lang, k=k))
    if _is_true(row["underpowered"]):
        notes.append(label("survey.too_small_short", lang))
    return " ".join(notes)
