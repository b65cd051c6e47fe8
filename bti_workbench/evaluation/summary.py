"""Tables and text for the evaluation report and dashboard, in Norwegian or English.

Everything here formats results that have already passed the suppression gate: hidden counts
arrive as marks (``<5``, ``×``) and stay marks.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bti_workbench._util.numbers import (
    figure_separators,
    format_number,
    format_share,
    month_tickformat,
)
from bti_workbench.evaluation.proportions import ProportionTable
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.evaluation.survival import KMTable
from bti_workbench.privacy import SuppressedTable
from bti_workbench.reference.labels import label

__all__ = [
    "HEADLINE",
    "cases_by_level_figure",
    "cases_table",
    "caveats",
    "headline_table",
    "indicator_display",
    "km_display",
    "place_fields",
    "sources_table",
]

#: Indicators in the headline, in order.
HEADLINE = (
    "reach",
    "level0_decision_14d",
    "consent_present",
    "parents_participating",
    "young_person_participating",
    "dropped_batons",
    "handover_gaps",
    "unread_logs",
)


def _columns(lang: str) -> dict[str, str]:
    return {
        "indicator": label("rep.col.indicator", lang),
        "numerator": label("rep.col.numerator", lang),
        "denominator": label("rep.col.denominator", lang),
        "share": label("rep.col.share", lang),
        "ci": label("rep.col.ci", lang),
        "definition": label("rep.col.definition", lang),
    }


def _proportion_text(table: ProportionTable, lang: str) -> pd.DataFrame:
    """``table.formatted(lang)`` with the shown counts written as ``lang`` writes numbers
    (``10 240``, ``10,240``); hidden counts keep their marks."""
    text = table.formatted(lang)
    for column in ("numerator", "denominator"):
        shown = ~table.hidden[column].reindex(text.index, fill_value=False).astype(bool)
        values = table.values.loc[shown[shown].index, column]
        text.loc[shown[shown].index, column] = [format_number(v, lang) for v in values]
    return text


def _suppressed_text(table: SuppressedTable, lang: str) -> pd.DataFrame:
    """``table.formatted(lang)`` with the shown counts written as ``lang`` writes numbers."""
    text = table.formatted(lang)
    numbers = table.values.map(lambda v: format_number(v, lang))
    return text.where(table.hidden.reindex_like(text).fillna(True).astype(bool), numbers)


def indicator_display(
    table: ProportionTable, lang: str = "nb", *, definitions: bool = True
) -> pd.DataFrame:
    """The indicator table as a reader sees it: names, counts or marks, share, CI, definition.

    A row's note (an assumption it rests on, :attr:`ProportionTable.notes`) follows its
    definition.

    Examples
    --------
    >>> from bti_workbench.evaluation.proportions import proportion_table
    >>> t = proportion_table(pd.DataFrame({"numerator": [30], "denominator": [40]},
    ...                                   index=pd.Index(["consent_present"], name="indicator")))
    >>> indicator_display(t, "en", definitions=False).iloc[0].tolist()
    ['Consent at opening', '30', '40', '75.0 %', '59.8–85.8']
    """
    text = _proportion_text(table, lang)
    out = pd.DataFrame(
        {
            "indicator": [label(f"ind.{i}", lang) for i in text.index],
            "numerator": text["numerator"].to_numpy(),
            "denominator": text["denominator"].to_numpy(),
            "share": text["share"].to_numpy(),
            "ci": text["ci"].to_numpy(),
        }
    )
    if definitions:
        out["definition"] = [_definition(table, i, lang) for i in text.index]
    return out.rename(columns=_columns(lang))


def _definition(table: ProportionTable, name: str, lang: str) -> str:
    """An indicator's definition, and its note where the table has one."""
    text = label(f"ind.{name}.definition", lang)
    note = table.notes.get(name)
    if note is not None:
        text += " " + label(note.key, lang, **note.fields)
    return text


def _days(value: float, lang: str) -> str:
    return "" if pd.isna(value) else f"{value:.0f} " + label("rep.days", lang)


def km_display(km: KMTable, lang: str = "nb", *, target: bool = True) -> pd.DataFrame:
    """A Kaplan–Meier summary as a reader sees it: the group, the cases, the median days and
    (with ``target``) the share within the target, each with its interval, in ``lang``.

    Counts below ``k`` show as ``<k``; what cannot be estimated (a median the curve never
    reaches, a share hidden with its counts) shows as ``–``, never NaN.

    Parameters
    ----------
    km : KMTable
        From :func:`bti_workbench.evaluation.km_table`.
    lang : {"nb", "en"}
    target : bool, default True
        Show the share within ``km.target_days`` (the decision's 14 days; not for closing).

    Returns
    -------
    pandas.DataFrame
        Text cells under headers in ``lang``, one row per stratum, no index.

    See Also
    --------
    headline_table : The median decision time among the first figures.

    Examples
    --------
    >>> import pandas as pd
    >>> from bti_workbench.evaluation import km_table
    >>> waits = pd.DataFrame({"duration": [3.0, 5, 8, 9, 12, 20, 30], "event": [True] * 7})
    >>> km_display(km_table(waits, k=5), "nb").iloc[0].tolist()[:2]
    ['Alle saker', '7']
    """
    rows = []
    for stratum, row in km.summary.iterrows():
        rows.append(
            {
                label("rep.km.group", lang): _stratum_name(stratum, lang),
                label("rep.km.n", lang): _count(row["n"], km.k, lang),
                label("rep.km.median", lang): _with_interval(
                    row["median"], row["median_ci_low"], row["median_ci_high"], lang
                ),
            }
        )
        if target:
            share = [row[c] for c in ("target_share", "target_ci_low", "target_ci_high")]
            heading = label("rep.km.within", lang, days=int(km.target_days))
            rows[-1][heading] = (
                "–"
                if pd.isna(share[0])
                else f"{format_share(share[0], lang)} ({_range(share[1:], lang)})"
            )
    return pd.DataFrame(rows)


def _stratum_name(stratum: object, lang: str) -> str:
    if str(stratum) == "all":
        return label("rep.km.all", lang)
    return label("ind.km.level", lang, level=int(stratum))  # as the curve's legend names it


def _count(value: float, k: int, lang: str) -> str:
    return f"<{k}" if pd.isna(value) else format_number(value, lang)


def _with_interval(value: float, low: float, high: float, lang: str) -> str:
    if pd.isna(value):
        return "–"
    if pd.isna(low) or pd.isna(high):
        return format_number(value, lang)
    return f"{format_number(value, lang)} ({format_number(low, lang)}–{format_number(high, lang)})"


def _range(bounds: list[float], lang: str) -> str:
    low, high = bounds
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{format_number(100 * low, lang)}–{format_share(high, lang)}"


def headline_table(
    indicators: ProportionTable,
    decision: KMTable | None = None,
    cases: SuppressedTable | None = None,
    lang: str = "nb",
) -> pd.DataFrame:
    """The few figures a project group reads first.

    Parameters
    ----------
    indicators : ProportionTable
        From :func:`bti_workbench.evaluation.indicator_table`.
    decision : KMTable, optional
        Time from concern to level-0 decision (median days against the 14-day target).
    cases : SuppressedTable, optional
        Open cases by level at each month end; the last month is shown.
    lang : {"nb", "en"}

    Returns
    -------
    pandas.DataFrame
        Columns ``what`` and ``figure`` (text, marks where hidden) with localised headers.
    """
    rows: list[tuple[str, str]] = []
    text = _proportion_text(indicators, lang)
    for name in HEADLINE:
        if name not in text.index:
            continue
        row = text.loc[name]
        if row["share"]:
            figure = f"{row['share']} ({row['numerator']} / {row['denominator']})"
        else:
            figure = f"{row['numerator']} / {row['denominator']}"
        rows.append((label(f"ind.{name}", lang), figure))
    if decision is not None and len(decision.summary):
        summary = decision.summary.iloc[0]
        median = summary.get("median", np.nan)
        shown = _days(median, lang) or label("rep.hidden", lang)
        rows.append((label("rep.median_decision", lang, days=int(decision.target_days)), shown))
    if cases is not None:
        body = _suppressed_text(cases, lang)
        months = [i for i in body.index if str(i) != "total"]
        if months:
            last = months[-1]
            for level in [c for c in body.columns if str(c) != "total"]:
                rows.append(
                    (
                        label(
                            "rep.open_at", lang, level=level, date=f"{pd.Timestamp(last):%d.%m.%Y}"
                        ),
                        body.loc[last, level],
                    )
                )
    return pd.DataFrame(rows, columns=[label("rep.col.what", lang), label("rep.col.figure", lang)])


def cases_by_level_figure(table: SuppressedTable, lang: str = "nb") -> go.Figure:
    """Open cases per level at each month end; hidden months are gaps, never numbers."""
    values = table.values.drop(index="total", errors="ignore").drop(
        columns="total", errors="ignore"
    )
    fig = go.Figure()
    colours = ("#9ecae1", "#4292c6", "#2171b5", "#08306b")
    for position, level in enumerate(values.columns):
        series = values[level].astype("Float64").astype(float)
        fig.add_trace(
            go.Scatter(
                x=pd.to_datetime(values.index),
                y=series,
                mode="lines+markers",
                connectgaps=False,
                name=label(f"level.{level}.short", lang),
                line={"color": colours[position % len(colours)]},
            )
        )
    hidden = int(table.hidden.drop(index="total", errors="ignore").to_numpy().sum())
    fig.update_layout(
        title=label("ind.cases_by_level", lang),
        yaxis_title=label("rep.cases", lang),
        xaxis={"tickformat": month_tickformat(lang)},
        separators=figure_separators(lang),
        height=380,
        margin={"l": 50, "r": 10, "t": 50, "b": 70},
    )
    if hidden:
        fig.add_annotation(
            x=0,
            y=-0.22,
            xref="paper",
            yref="paper",
            showarrow=False,
            xanchor="left",
            text=label("rep.gaps_hidden", lang, n=hidden, k=table.k),
            font={"size": 11},
        )
    return fig


def cases_table(table: SuppressedTable, lang: str = "nb") -> pd.DataFrame:
    """Open cases by level at month ends as text: marks where hidden, the month's total last.

    The column totals of the suppressed table (sums of monthly stocks) mean nothing to a reader
    and are left out; they stay protected in the table itself.

    Returns
    -------
    pandas.DataFrame
        A column with the month's last day, one per level and the total, no index.

    Examples
    --------
    >>> from bti_workbench.privacy import suppress_small
    >>> counts = pd.DataFrame({0: [12, 30], 1: [1040, 9]},
    ...                       index=pd.to_datetime(["2019-01-31", "2019-02-28"]))
    >>> cases_table(suppress_small(counts, k=5), "en").iloc[0].tolist()
    ['31.01.2019', '12', '1,040', '1,052']
    """
    text = _suppressed_text(table, lang).drop(index="total", errors="ignore")
    names = {c: label(f"level.{c}.short", lang) for c in text.columns if str(c) != "total"}
    text = text.rename(columns={**names, "total": label("rep.total", lang)})
    text.insert(
        0, label("tab.ev.month_end", lang), [f"{pd.Timestamp(i):%d.%m.%Y}" for i in text.index]
    )
    return text.reset_index(drop=True)


def place_fields(data: EvaluationData, lang: str = "nb") -> dict[str, str]:
    """What the report's first line says: the municipality, its number, the period and how
    many children and young people 0–23 live there (SSB), written as ``lang`` writes them.

    Parameters
    ----------
    data : EvaluationData
        From :func:`bti_workbench.evaluation.load_evaluation`.
    lang : {"nb", "en"}

    Returns
    -------
    dict
        ``name``, ``number``, ``start``, ``end`` (dd.mm.yyyy) and ``children``.
    """
    start, end = data.period
    place = data.municipality
    return {
        "name": place.name,
        "number": place.kommunenummer,
        "start": f"{pd.Timestamp(start):%d.%m.%Y}",
        "end": f"{pd.Timestamp(end):%d.%m.%Y}",
        "children": format_number(place.children, lang),
    }


def sources_table(imports: pd.DataFrame, municipality: str, lang: str = "nb") -> pd.DataFrame:
    """The files an evaluation rests on: kind, file, rows, imported, sha256 (first 12).

    Examples
    --------
    >>> imports = pd.DataFrame({"municipality": ["4228"], "kind": ["event-log"],
    ...     "file_name": ["event_log.csv"], "rows": [12532],
    ...     "imported_at": ["2024-03-01 09:30:00"], "sha256": ["2bad3d7b136b" + "0" * 52]})
    >>> row = sources_table(imports, "4228", "en").iloc[0].tolist()
    >>> row[:3]
    ['Event log (pseudonymised baton-log export)', 'event_log.csv', '12,532']
    >>> row[3:]
    ['2024-03-01 09:30', '2bad3d7b136b…']
    """
    mine = imports[imports["municipality"].isna() | (imports["municipality"] == municipality)]
    when = "%Y-%m-%d %H:%M" if lang == "en" else "%d.%m.%Y %H:%M"
    return pd.DataFrame(
        {
            label("rep.col.kind", lang): [
                label(f"contract.{kind.replace('-', '_')}", lang) for kind in mine["kind"]
            ],
            label("rep.col.file", lang): mine["file_name"].to_numpy(),
            label("rep.col.rows", lang): [format_number(n, lang) for n in mine["rows"]],
            label("rep.col.imported", lang): pd.to_datetime(mine["imported_at"])
            .dt.strftime(when)
            .to_numpy(),
            label("tab.ev.checksum", lang): [s[:12] + "…" for s in mine["sha256"]],
        }
    )


def caveats(
    *,
    k: int,
    synthetic: bool,
    hidden_indicators: int,
    underpowered_items: int,
    its_messages: list[str] = (),
    staggered_messages: list[str] = (),
    lang: str = "nb",
    left_out: Collection[str] = (),
) -> str:
    """The methods-and-caveats section as Markdown, with what applies to this report.

    ``left_out`` names the methods of sections the report does not show (``surveys``,
    ``its``, ``staggered``, ``plan``): they are not described.

    Examples
    --------
    >>> "«<5»" in caveats(k=5, synthetic=True, hidden_indicators=2, underpowered_items=0,
    ...                    lang="en")
    True
    >>> "Callaway" in caveats(k=5, synthetic=False, hidden_indicators=0, underpowered_items=0,
    ...                       lang="en", left_out=["staggered"])
    False
    """
    parts = [f"### {label('rep.methods', lang)}", ""]
    parts += [f"- {label(f'rep.method.{m}', lang)}" for m in _METHODS if m not in left_out]
    parts += ["", f"### {label('rep.caveats', lang)}", ""]
    if synthetic:
        parts.append(f"- **{label('rep.caveat.synthetic', lang)}**")
    parts.append(f"- {label('rep.caveat.suppression', lang, k=k, n=hidden_indicators)}")
    if underpowered_items:
        parts.append(f"- {label('rep.caveat.underpowered', lang, n=underpowered_items)}")
    parts += [f"- {m}" for m in [*its_messages, *staggered_messages]]
    parts += [f"- {label(f'rep.caveat.{c}', lang)}" for c in _STANDING_CAVEATS]
    return "\n".join(parts)


_METHODS = ("indicators", "km", "surveys", "its", "staggered", "plan")
_STANDING_CAVEATS = ("pseudonyms", "export", "causal")
