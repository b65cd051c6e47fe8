"""Comparing municipalities of every size: what a sweep of a template says, and its figures.

The questions regional centres ask, answered from
:func:`~bti_workbench.simulation.sweep.files.read_sweep`:

* :func:`by_size` — a metric per municipality and option against the number of children;
* :func:`cap_bite` — where one log per baton holder (the trial cap) makes cases wait for a
  log: the paired difference from the baseline, and whether it exceeds a threshold;
* :func:`team_payoff` — what an intermunicipal team costs per week of waiting it saves at
  levels 2–3, and where that is below a stated value of a week of waiting.

All figures come from simulations of stated assumptions (synthetic), not from case data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bti_workbench._util.figures import OKABE_ITO, TEMPLATE
from bti_workbench._util.numbers import figure_separators, format_nok, format_number, format_weeks
from bti_workbench.reference.labels import label
from bti_workbench.simulation.figures import option_labels
from bti_workbench.simulation.scenario.document import BASELINE
from bti_workbench.simulation.sweep.analysis import option_effects, sweep_means

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from bti_workbench.reference.municipality import Municipality

__all__ = [
    "SIZE_BINS",
    "by_size",
    "cap_bite",
    "cap_display",
    "cap_figure",
    "metric_label",
    "municipalities_display",
    "payoff_display",
    "payoff_figure",
    "size_class",
    "size_classes_display",
    "size_figure",
    "team_payoff",
]

#: Size classes by children and young people 0–23: class edges (the upper edge is exclusive).
SIZE_BINS = (0, 500, 2_000, 10_000, 50_000, np.inf)
#: Colours of the options in a figure: Okabe and Ito's without the yellow (too pale on white).
_OPTION_COLOURS = tuple(colour for colour in OKABE_ITO if colour != "#F0E442")
#: Marker colours: where an effect is sure and matters (vermillion), sure and good (bluish
#: green), neither (grey) and the cap's effect below the threshold (blue).
_BAD, _GOOD, _NEUTRAL, _BELOW = "#D55E00", "#009E73", "#7F7F7F", "#0072B2"


def size_class(children: pd.Series | np.ndarray, lang: str = "nb") -> pd.Categorical:
    """The size class of each municipality by its children and young people (0–23).

    Examples
    --------
    >>> list(size_class(pd.Series([45, 534, 21426]), "en"))
    ['under 500', '500–1 999', '10 000–49 999']
    """
    names = [label(f"national.size.{i}", lang) for i in range(len(SIZE_BINS) - 1)]
    return pd.cut(pd.Series(children), SIZE_BINS, right=False, labels=names).array


def by_size(results: pd.DataFrame, metric: str, lang: str = "nb") -> pd.DataFrame:
    """A metric's mean (95 % interval) per municipality and option, with the size class.

    Case counts (``active.L``, ``waiting.L``) are also given per 1 000 children.
    """
    means = sweep_means(results, [metric])
    means["size"] = size_class(means["children"], lang)
    return means.sort_values(["option", "children"], ignore_index=True)


def cap_bite(
    results: pd.DataFrame,
    option: str = "trial_cap_one_log",
    metric: str = "wait.1",
    threshold: float = 1.0,
) -> pd.DataFrame:
    """Where the cap bites: its paired effect on the wait for a log, per municipality.

    ``bites`` is True where the lower end of the 95 % interval of the extra wait exceeds
    ``threshold`` weeks: the cap surely adds more than that.

    Returns
    -------
    pandas.DataFrame
        :func:`~bti_workbench.simulation.sweep.analysis.option_effects` rows for ``option``
        and ``bites``.
    """
    effects = option_effects(results, metric)
    effects = effects[effects["option"] == option].copy()
    if effects.empty:
        raise ValueError(f"option {option!r} is not in the sweep")
    effects["bites"] = effects["low"] > threshold
    return effects.reset_index(drop=True)


def team_payoff(
    results: pd.DataFrame,
    option: str = "intermunicipal_team",
    nok_per_waiting_week: float = 5_000.0,
) -> pd.DataFrame:
    """What an option costs per week of waiting it saves at levels 2 and 3.

    Waiting weeks per year are the mean number of cases waiting for a partner at levels 2
    and 3 (``waiting.2 + waiting.3``) times 52. The option pays off where it surely saves
    waiting (the 95 % interval of the change is below zero) and its extra cost per saved
    week is at most ``nok_per_waiting_week`` (a value the user states).

    Returns
    -------
    pandas.DataFrame
        Per municipality: ``kommunenummer, municipality, children, extra_cost_nok,
        saved_weeks, saved_low, saved_high, nok_per_saved_week, pays_off``.
    """
    frame = results.assign(
        waiting_weeks=52 * (results["waiting.2"].fillna(0) + results["waiting.3"].fillna(0))
    )
    cost = option_effects(frame, "cost.total")
    wait = option_effects(frame, "waiting_weeks")
    keys = ["kommunenummer", "municipality", "children", "point"]
    cost = cost[cost["option"] == option].set_index(keys)
    wait = wait[wait["option"] == option].set_index(keys)
    if cost.empty:
        raise ValueError(f"option {option!r} is not in the sweep")
    table = pd.DataFrame(
        {
            "extra_cost_nok": cost["difference"],
            "saved_weeks": -wait["difference"],
            "saved_low": -wait["high"],
            "saved_high": -wait["low"],
        }
    ).reset_index()
    saved = table["saved_weeks"].where(table["saved_low"] > 0)
    table["nok_per_saved_week"] = table["extra_cost_nok"] / saved
    table["pays_off"] = table["nok_per_saved_week"].le(nok_per_waiting_week)
    return table.sort_values("children", ignore_index=True)


def metric_label(metric: str, lang: str = "nb") -> str:
    """The name of a sweep metric such as ``active.3`` or ``wait.1`` for a reader.

    Parameters
    ----------
    metric : str
        ``kind.level``: ``active``, ``waiting``, ``wait`` (a level number) or ``utilisation``
        and ``cost`` (a service or cost item).
    lang : str, default "nb"

    Returns
    -------
    str

    Examples
    --------
    >>> metric_label("active.3", "en")
    'Cases being worked on at level 3'
    """
    kind, _, level = metric.partition(".")
    return label(f"national.metric.{kind}", lang, level=level)


def size_figure(
    table: pd.DataFrame,
    metric: str,
    lang: str = "nb",
    per_1000: bool = False,
    *,
    doc: Mapping | None = None,
) -> go.Figure:
    """Scatter of :func:`by_size`: the metric against children (log scale), one colour per
    option (named as in the catalogue), with 95 % intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`by_size`.
    metric : str
        The metric it holds, for the titles.
    lang : str, default "nb"
    per_1000 : bool, default False
        Show the metric per 1 000 children (case counts only).
    doc : mapping, optional
        The template's document, for the names of its own options.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    column = "per_1000" if per_1000 else "mean"
    options = [o for o in dict.fromkeys(table["option"]) if o == BASELINE]
    options += [o for o in dict.fromkeys(table["option"]) if o != BASELINE]
    names = dict(zip(options, option_labels(options, lang, doc), strict=True))
    for number, option in enumerate(options):
        part = table[table["option"] == option]
        scale = 1000 / part["children"] if per_1000 else 1.0
        name = names[option]
        fig.add_scatter(
            x=part["children"],
            y=part[column],
            mode="markers",
            name=name,
            marker={"color": _OPTION_COLOURS[number % len(_OPTION_COLOURS)]},
            text=part["municipality"],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (part["high"] - part["mean"]) * scale,
                "arrayminus": (part["mean"] - part["low"]) * scale,
                "thickness": 1,
            },
            hovertemplate="%{text}: %{y:.2f}<extra>" + name + "</extra>",
        )
    title = metric_label(metric, lang)
    if per_1000:
        title += label("national.per_1000_suffix", lang)
    fig.update_layout(
        title=title,
        xaxis={"title": label("national.children", lang), "type": "log"},
        yaxis_title=title,
        legend_title=label("sim.option", lang),
        template=TEMPLATE,
        separators=figure_separators(lang),
    )
    return fig


def _by_size(table: pd.DataFrame, y: str, low: str, high: str, colours, hover: str, **extra):
    """Municipalities as markers against their children (log scale), 95 % bars."""
    import plotly.graph_objects as go

    return go.Scatter(
        x=table["children"],
        y=table[y],
        mode="markers",
        marker={"color": colours},
        text=table["municipality"],
        error_y={
            "type": "data",
            "symmetric": False,
            "array": table[high] - table[y],
            "arrayminus": table[y] - table[low],
            "thickness": 1,
        },
        hovertemplate=hover,
        **extra,
    )


def _size_layout(fig, title: str, y_title: str, line: float, lang: str):
    fig.add_hline(y=line, line_dash="dot")
    fig.update_layout(
        title=title,
        xaxis={"title": label("national.children", lang), "type": "log"},
        yaxis_title=y_title,
        showlegend=False,
        template=TEMPLATE,
        separators=figure_separators(lang),
    )
    return fig


def cap_figure(table: pd.DataFrame, threshold: float, lang: str = "nb") -> go.Figure:
    """The cap's extra wait for a log (95 % interval) against children, threshold dotted.

    Vermillion where the cap bites (:func:`cap_bite`), blue elsewhere.
    """
    import plotly.graph_objects as go

    colours = np.where(table["bites"], _BAD, _BELOW)
    hover = "%{text}: %{y:.2f}<extra></extra>"
    fig = go.Figure(_by_size(table, "difference", "low", "high", colours, hover))
    title = label("national.cap_title", lang)
    return _size_layout(fig, title, label("national.extra_wait", lang), threshold, lang)


def payoff_figure(table: pd.DataFrame, lang: str = "nb") -> go.Figure:
    """Weeks of waiting saved per year at levels 2–3 (95 % interval) against children.

    Bluish green where the option pays off at the stated value, vermillion where it surely
    saves waiting but costs more per saved week, grey where it saves nothing surely. The
    hover gives the extra cost per saved week.
    """
    import plotly.graph_objects as go

    colours = np.where(table["pays_off"], _GOOD, np.where(table["saved_low"] > 0, _BAD, _NEUTRAL))
    price = table["nok_per_saved_week"].map(lambda v: format_nok(v, lang))
    hover = (
        "%{text}: %{y:.1f}<br>" + label("national.nok_per_week", lang) + ": %{customdata}"
        "<extra></extra>"
    )
    fig = go.Figure(
        _by_size(table, "saved_weeks", "saved_low", "saved_high", colours, hover, customdata=price)
    )
    title = label("national.payoff_title", lang)
    return _size_layout(fig, title, label("national.saved_weeks", lang), 0, lang)


# --- tables for readers -------------------------------------------------------------------------


def _header(key: str, lang: str, **fields: object) -> str:
    return label(f"tab.nat.{key}", lang, **fields)


def _count(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda value: format_number(value, lang))


def municipalities_display(places: Sequence[Municipality], lang: str = "nb") -> pd.DataFrame:
    """The municipalities of a sweep for a reader, from the smallest to the largest.

    Parameters
    ----------
    places : sequence of Municipality
        From :func:`~bti_workbench.simulation.sweep.plan.parse_municipalities`.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Text columns: name, kommunenummer, children and young people 0–23 and size class,
        headed in ``lang``.

    See Also
    --------
    size_classes_display : The same by size class, for a long list.

    Examples
    --------
    >>> from bti_workbench.simulation.sweep.plan import parse_municipalities
    >>> table = municipalities_display(parse_municipalities("4228,5413"), "en")
    >>> table.iloc[0].tolist()
    ['Ibestad', '5413', '256', 'under 500']
    """
    frame = pd.DataFrame(
        [(m.name, m.kommunenummer, m.children) for m in places],
        columns=["name", "number", "children"],
    ).sort_values(["children", "number"], ignore_index=True)
    return pd.DataFrame(
        {
            _header("municipality", lang): frame["name"],
            _header("kommunenummer", lang): frame["number"],
            _header("children", lang): _count(frame["children"], lang),
            _header("size", lang): pd.Series(size_class(frame["children"], lang)).astype(str),
        }
    )


def size_classes_display(places: Sequence[Municipality], lang: str = "nb") -> pd.DataFrame:
    """How many municipalities and children each size class holds.

    Parameters
    ----------
    places : sequence of Municipality
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        One row per size class (empty classes included): size class, municipalities,
        children and young people 0–23.

    Examples
    --------
    >>> from bti_workbench.simulation.sweep.plan import parse_municipalities
    >>> size_classes_display(parse_municipalities("4228,5413"), "en").iloc[:2, 1].tolist()
    ['1', '1']
    """
    children = pd.Series([m.children for m in places], dtype=float)
    sizes = pd.Series(size_class(children, lang))
    table = children.groupby(sizes, observed=False).agg(["size", "sum"])
    return pd.DataFrame(
        {
            _header("size", lang): table.index.astype(str),
            _header("municipalities", lang): _count(table["size"], lang).to_numpy(),
            _header("children", lang): _count(table["sum"], lang).to_numpy(),
        }
    )


def cap_display(cap: pd.DataFrame, threshold: float, lang: str = "nb") -> pd.DataFrame:
    """Where the trial cap bites, by size class.

    Parameters
    ----------
    cap : pandas.DataFrame
        From :func:`cap_bite`.
    threshold : float
        The threshold given to :func:`cap_bite` (weeks), for the header.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Per size class that has a municipality: municipalities, those where the cap bites,
        the mean extra wait for a log and its range across the municipalities.
    """
    frame = cap.assign(size=size_class(cap["children"], lang))
    table = frame.groupby("size", observed=True).agg(
        municipalities=("municipality", "size"),
        bites=("bites", "sum"),
        mean=("difference", "mean"),
        lowest=("difference", "min"),
        highest=("difference", "max"),
    )
    spread = [
        label("sim.interval", lang, low=format_number(low, lang, 1), high=format_weeks(high, lang))
        for low, high in zip(table["lowest"], table["highest"], strict=True)
    ]
    digits = 0 if float(threshold).is_integer() else 1
    return pd.DataFrame(
        {
            _header("size", lang): table.index.astype(str),
            _header("municipalities", lang): _count(table["municipalities"], lang).to_numpy(),
            _header("cap_bites", lang, threshold=format_weeks(threshold, lang, digits)): _count(
                table["bites"], lang
            ).to_numpy(),
            _header("extra_wait_mean", lang): table["mean"]
            .map(lambda v: format_weeks(v, lang, sign=True))
            .to_numpy(),
            _header("extra_wait_range", lang): spread,
        }
    )


def payoff_display(
    payoff: pd.DataFrame, nok_per_waiting_week: float, lang: str = "nb"
) -> pd.DataFrame:
    """Where an intermunicipal team pays off, by size class.

    Parameters
    ----------
    payoff : pandas.DataFrame
        From :func:`team_payoff`.
    nok_per_waiting_week : float
        The value given to :func:`team_payoff`, for the header.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Per size class that has a municipality: municipalities, those where the team surely
        saves waiting and those where it also pays off, the median extra cost per year and
        the median extra cost per saved week where it saves (``–`` where it saves nowhere).
    """
    frame = payoff.assign(size=size_class(payoff["children"], lang), saves=payoff["saved_low"] > 0)
    table = frame.groupby("size", observed=True).agg(
        municipalities=("municipality", "size"),
        saves=("saves", "sum"),
        pays_off=("pays_off", "sum"),
        cost=("extra_cost_nok", "median"),
        price=("nok_per_saved_week", "median"),
    )
    value = format_nok(nok_per_waiting_week, lang)
    return pd.DataFrame(
        {
            _header("size", lang): table.index.astype(str),
            _header("municipalities", lang): _count(table["municipalities"], lang).to_numpy(),
            _header("saves_waiting", lang): _count(table["saves"], lang).to_numpy(),
            _header("pays_off", lang, value=value): _count(table["pays_off"], lang).to_numpy(),
            _header("extra_cost", lang): table["cost"]
            .map(lambda v: format_nok(v, lang))
            .to_numpy(),
            _header("nok_per_saved_week", lang): table["price"]
            .map(lambda v: format_nok(v, lang))
            .to_numpy(),
        }
    )
