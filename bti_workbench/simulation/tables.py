"""Tables for people from a scenario and its simulations (the load report and notebooks), and
the numbers its prose quotes.

Each ``*_display`` function returns a frame to show as it is (``show_table``): headers and
names from the label catalogue in the language asked for, never an id; numbers as text in that
language's format (:mod:`bti_workbench._util.numbers`); ``–`` where there is nothing to show,
never ``NaN``, ``None``, ``True`` or ``False``; a plain 0, 1, … index with nothing to read.
Simulation results come from a scenario's assumptions, not from case data, so nothing here is
subject to small-cell suppression (see :mod:`bti_workbench.simulation.figures`).

Each ``*_fields`` function gives the values a passage of prose quotes (``show_text(key, lang,
**fields)``), already written as the language writes numbers.

What a scenario file's author wrote (its ``sources``) is shown as written, unless the
catalogue holds a translation of exactly that text (a ``tab.load.text.*`` row whose English
column is the text): an edited file then shows its own words, never a stale translation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from bti_workbench._util.numbers import format_nok, format_number, format_share, format_weeks
from bti_workbench.reference.labels import catalogue, label
from bti_workbench.simulation.analysis import replications_needed
from bti_workbench.simulation.figures import option_labels
from bti_workbench.simulation.output import FlowResult
from bti_workbench.simulation.scenario.document import BASELINE, option_description
from bti_workbench.simulation.scenario.types import WEEKS_PER_YEAR, Scenario, ServiceResource

__all__ = [
    "arrivals_display",
    "busiest_fields",
    "cost_fields",
    "levels_display",
    "options_display",
    "organisation_cost_display",
    "per_case_display",
    "run_fields",
    "scenario_fields",
    "service_load_display",
    "services_display",
    "sources_display",
]

#: What a missing value shows.
_MISSING = "–"
#: The ways :mod:`~bti_workbench.simulation.scenario._resources` writes a service's
#: ``hours_basis`` (its own plain ``:g`` numbers, not a displayed text), each with the
#: catalogue row that says it in a reader's language.
_NUMBER = r"[0-9.e+-]+"
_BASES = (
    (
        "tab.load.basis.norms",
        rf"staffing norms: (?P<fte>{_NUMBER}) FTE × (?P<share>{_NUMBER}) BTI share × "
        rf"(?P<hours>{_NUMBER}) h",
    ),
    (
        "tab.load.basis.fte",
        rf"(?P<fte>{_NUMBER}) FTE × (?P<share>{_NUMBER}) BTI share × (?P<hours>{_NUMBER}) h",
    ),
    (
        "tab.load.basis.per_1000",
        rf"(?P<rate>{_NUMBER}) h per 1 000 children × (?P<children>{_NUMBER}) "
        rf"\(at least (?P<floor>{_NUMBER}) h\)",
    ),
    ("tab.load.basis.stated", "stated in the scenario"),
    ("tab.load.basis.unlimited", "unlimited"),
)
_FACTOR = re.compile(rf"(?P<basis>.*) × (?P<factor>{_NUMBER})")


def _known(key: str) -> bool:
    return key in catalogue().index


def _name(prefix: str, identifier: str, lang: str) -> str:
    """The catalogue's name ``prefix.identifier``, else the id as words (a file's own name)."""
    key = f"{prefix}.{identifier}"
    if _known(key):
        return label(key, lang)
    words = str(identifier).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _translations() -> dict[str, str]:
    """Text as a scenario file writes it (the ``en`` column) → its ``tab.load.text.*`` key."""
    table = catalogue()
    rows = table[table.index.str.startswith("tab.load.text.")]
    return {str(text).strip(): key for key, text in rows["en"].items()}


def _as_written(text: object, lang: str, translations: Mapping[str, str]) -> str:
    """A file's text in ``lang`` when the catalogue translates exactly it, else as written."""
    key = translations.get(str(text).strip())
    return label(key, lang) if key is not None else str(text)


def _plain(number: str, lang: str) -> str:
    """A number as :mod:`~bti_workbench.simulation.scenario._resources` wrote it (``:g``), in
    ``lang``'s format with the decimals it was written with (at most three)."""
    decimals = len(number.partition(".")[2]) if "e" not in number else 2
    return format_number(float(number), lang, min(decimals, 3))


def _basis_words(text: str, lang: str) -> str | None:
    for key, pattern in _BASES:
        found = re.fullmatch(pattern, text)
        if found is not None:
            fields = {name: _plain(value, lang) for name, value in found.groupdict().items()}
            return label(key, lang, **fields)
    return None


def _basis(resource: ServiceResource, lang: str) -> str:
    """How a service's BTI hours were found, in ``lang`` (as written if not a known form)."""
    text = resource.hours_basis.strip()
    words = _basis_words(text, lang)
    scaled = _FACTOR.fullmatch(text) if words is None else None
    if scaled is not None and (inner := _basis_words(scaled["basis"], lang)) is not None:
        factor = _plain(scaled["factor"], lang)
        words = label("tab.load.basis.factor", lang, basis=inner, factor=factor)
    return words or text or _MISSING


def arrivals_display(scenario: Scenario, lang: str = "nb") -> pd.DataFrame:
    """New concerns a year by age band and the service that raises them.

    Parameters
    ----------
    scenario : Scenario
        A scenario with concerns per 1 000 children (a plain Poisson rate gives no rows).
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Age band, service raising the concern, children, concerns per 1 000 a year, the
        service whose staff hold the baton and concerns a year, with a total row.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> table = arrivals_display(s, "nb")
    >>> table.iloc[0].tolist()
    ['0–5 år', 'Helsestasjon', '107', '15,0', 'Helsestasjon', '1,6']
    >>> table.iloc[-1, [0, -1]].tolist()
    ['I alt', '24,4']
    """
    columns = [
        label(key, lang)
        for key in (
            "ui.age_band",
            "tab.load.source_service",
            "tab.load.children",
            "tab.load.rate",
            "tab.load.baton_from",
            "tab.load.per_year",
        )
    ]
    rows = [
        [
            label("tab.load.age_years", lang, band=str(row.age_band).replace("-", "–")),
            _name("service", row.source, lang),
            format_number(row.children, lang),
            format_number(row.per_1000_per_year, lang, 1),
            _name("service", row.baton_holder, lang),
            format_number(row.per_year, lang, 1),
        ]
        for row in scenario.arrivals.table.itertuples(index=False)
    ]
    if rows:
        total = scenario.arrivals.table["per_year"].sum()
        rows.append([label("ui.total", lang), "", "", "", "", format_number(total, lang, 1)])
    return pd.DataFrame(rows, columns=columns)


def services_display(scenario: Scenario, lang: str = "nb") -> pd.DataFrame:
    """The services of a scenario: baton holders, logs they hold at once, BTI hours and why.

    Parameters
    ----------
    scenario : Scenario
        A scenario with ``resources`` (none gives no rows).
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Service, baton holders, logs at once (baton holders × most logs each), BTI hours a
        week and how those hours were found; ``–`` for a service holding no batons.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> services_display(s, "nb").iloc[0].tolist()[:4]
    ['Skole (inkl. SFO)', '20', '20', '25,1']
    >>> services_display(s, "nb").iloc[0, 4]
    'bemanningsnorm: 22,27 årsverk × 0,03 til BTI × 37,5 t'
    >>> services_display(s, "en").iloc[3].tolist()
    ['Educational-psychological service (PPT)', '–', '–', '3.0', 'stated in the scenario file']
    """
    columns = [
        label(key, lang)
        for key in (
            "ui.service",
            "tab.load.baton_holders",
            "tab.load.slots",
            "ui.bti_hours",
            "tab.load.basis",
        )
    ]
    services = scenario.resources.services if scenario.resources is not None else ()
    rows = [
        [
            _name("service", entry.service, lang),
            format_number(entry.baton_holders, lang) if entry.baton_holders else _MISSING,
            format_number(entry.slots, lang) if entry.slots else _MISSING,
            format_number(entry.hours_per_week, lang, 1)
            if entry.hours_per_week is not None
            else label("tab.load.unlimited", lang),
            _basis(entry, lang),
        ]
        for entry in services
    ]
    return pd.DataFrame(rows, columns=columns)


def sources_display(scenario: Scenario, lang: str = "nb") -> pd.DataFrame:
    """Where a scenario's figures come from, and what is assumed, topic by topic.

    Parameters
    ----------
    scenario : Scenario
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Topic (``tab.load.source.<key>``, else the key as words) and the source or
        assumption as the file writes it, or the catalogue's translation of exactly that text.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> sources_display(s, "nb").iloc[-1, 0]
    'Forutsetninger'
    """
    columns = [label("tab.load.topic", lang), label("tab.load.source_text", lang)]
    translations = _translations()
    rows = [
        [_name("tab.load.source", key, lang), _as_written(text, lang, translations)]
        for key, text in scenario.sources.items()
    ]
    return pd.DataFrame(rows, columns=columns)


def levels_display(summary: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """Cases by level: active, waiting and the wait to start, means over replications.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per replication (:func:`~bti_workbench.simulation.analysis.summarise`).
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        A row per level 0–3; the wait is ``–`` where the summary has none (level 0: a
        concern is looked at at once).

    Examples
    --------
    >>> summary = pd.DataFrame({"active.0": [2.0, 4.0], "waiting.0": [0.0, 0.0],
    ...                         "active.1": [10.0, 12.0], "waiting.1": [1.0, 2.0],
    ...                         "wait.1": [0.5, 0.7]})
    >>> levels_display(summary, "en").values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['Level 0 – identification', '3.0', '0.0', '–'],
     ['Level 1 – measures within one service', '11.0', '1.5', '0.6']]
    """
    columns = [
        label(key, lang)
        for key in ("tab.load.level", "metric.active", "metric.waiting", "metric.wait")
    ]

    def mean(metric: str) -> float | None:
        return float(summary[metric].mean()) if metric in summary else None

    rows = [
        [
            label(f"level.{level}.name", lang),
            format_number(mean(f"active.{level}"), lang, 1),
            format_number(mean(f"waiting.{level}"), lang, 1),
            format_number(mean(f"wait.{level}"), lang, 1),
        ]
        for level in range(4)
        if f"active.{level}" in summary
    ]
    return pd.DataFrame(rows, columns=columns)


def service_load_display(result: FlowResult, warmup: int = 0, lang: str = "nb") -> pd.DataFrame:
    """What each service carries: open logs, hours needed and had, cases waiting.

    Parameters
    ----------
    result : FlowResult
        A run (:func:`~bti_workbench.simulation.run.simulate`).
    warmup : int, default 0
        Weeks up to this one are left out.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        A row per service, means over replications and weeks: open logs, logs it can hold
        at once (``–`` without baton holders), BTI hours needed and available a week,
        utilisation (needed / available; ``–`` with no limit) and cases waiting.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> from bti_workbench.simulation.engines.fast import simulate_fast
    >>> s = load_scenario(data_dir() / "scenarios" / "sirdal.yaml")
    >>> table = service_load_display(simulate_fast(s, 5, 1), 10, "nb")
    >>> list(table.columns)[:3], table.iloc[3, 0]
    (['Tjeneste', 'Åpne logger', 'Logger samtidig'], 'Pedagogisk-psykologisk tjeneste (PPT)')
    """
    services = result.services[result.services["week"] > warmup]
    means = services.groupby("service", sort=False)[
        ["logs", "slots", "hours_demanded", "hours_available", "utilisation", "waiting"]
    ].mean()
    columns = [
        label(key, lang)
        for key in (
            "ui.service",
            "tab.load.logs",
            "tab.load.slots",
            "tab.load.hours_needed",
            "tab.load.hours_available",
            "metric.utilisation",
            "tab.load.waiting",
        )
    ]
    rows = []
    for service, row in means.iterrows():
        limited = bool(np.isfinite(row["hours_available"]))
        rows.append(
            [
                _name("service", service, lang),
                format_number(row["logs"], lang, 1),
                format_number(row["slots"], lang) if row["slots"] > 0 else _MISSING,
                format_number(row["hours_demanded"], lang, 1),
                format_number(row["hours_available"], lang, 1)
                if limited
                else label("tab.load.unlimited", lang),
                format_number(row["utilisation"], lang, 2) if limited else _MISSING,
                format_number(row["waiting"], lang, 1),
            ]
        )
    return pd.DataFrame(rows, columns=columns)


def organisation_cost_display(
    costs: pd.DataFrame, lang: str = "nb", case_work: float | None = None
) -> pd.DataFrame:
    """What the organisation costs a year: groups, posts, case work and the total.

    Parameters
    ----------
    costs : pandas.DataFrame
        ``item, kind, hours_per_year, nok_per_year``
        (:func:`~bti_workbench.simulation.costs.organisation_cost`).
    lang : str, default "nb"
    case_work : float, optional
        The case work's NOK a year (mean over replications, ``cost.case_work`` of
        :func:`~bti_workbench.simulation.analysis.summarise`); a row of its own when given.

    Returns
    -------
    pandas.DataFrame
        Group or post (a post's name from ``tab.load.post.<id>``, a group's as the file
        names it), its kind, hours a year (``–`` for a post) and kroner a year, then the
        total.

    Examples
    --------
    >>> costs = pd.DataFrame({"item": ["driftsstyre", "project_leader"],
    ...                       "kind": ["group", "post"], "hours_per_year": [45.0, None],
    ...                       "nok_per_year": [21150.0, 160000.0]})
    >>> [[c.replace("\u00a0", " ") for c in row]
    ...  for row in organisation_cost_display(costs, "nb", 52000.4).values.tolist()]
    ... # doctest: +NORMALIZE_WHITESPACE
    [['Driftsstyre', 'Møtegruppe', '45', '21 150 kr'],
     ['Prosjektleder', 'Stilling', '–', '160 000 kr'],
     ['Saksarbeid (simulert, gjennomsnitt)', 'Saker', '–', '52 000 kr'],
     ['I alt', '', '', '233 150 kr']]
    """
    columns = [
        label(key, lang)
        for key in ("tab.load.item", "tab.load.kind", "tab.load.hours_per_year", "sim.cost")
    ]
    rows = [
        [
            _name("tab.load.post" if row.kind == "post" else "tab.load.group", row.item, lang),
            label(f"tab.load.kind.{row.kind}", lang),
            format_number(row.hours_per_year, lang),
            format_nok(row.nok_per_year, lang),
        ]
        for row in costs.itertuples(index=False)
    ]
    total = float(costs["nok_per_year"].sum())
    if case_work is not None and np.isfinite(case_work):
        rows.append(
            [
                label("tab.load.case_work", lang),
                label("tab.load.kind.cases", lang),
                _MISSING,
                format_nok(case_work, lang),
            ]
        )
        total += float(case_work)
    rows.append([label("ui.total", lang), "", "", format_nok(total, lang)])
    return pd.DataFrame(rows, columns=columns)


def per_case_display(cases: pd.DataFrame, lang: str = "nb") -> pd.DataFrame:
    """Case by case (the ``ciw`` engine): new cases, waits for a baton holder, time to level 2.

    Parameters
    ----------
    cases : pandas.DataFrame
        Per-case detail (``FlowResult.cases`` of the ``ciw`` engine): ``warm``,
        ``wait_for_baton_holder_weeks``, ``weeks_to_level2`` and ``outcome``. Cases open at
        the start (``warm``) are left out.
    lang : str, default "nb"

    Returns
    -------
    pandas.DataFrame
        Result and value: new cases, the share of new logs that waited for a free baton
        holder, the median time from concern to level 2 (of those who got there) and the
        share reported to child welfare.

    Examples
    --------
    >>> cases = pd.DataFrame({"warm": [True, False, False, False],
    ...                       "wait_for_baton_holder_weeks": [1.0, 0.0, 2.0, None],
    ...                       "weeks_to_level2": [3.0, 4.0, None, None],
    ...                       "outcome": ["closed", "child_welfare", "open", "closed"]})
    >>> per_case_display(cases, "en").values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['New cases in the run', '3'],
     ['New logs that waited for a baton holder', '50.0 %'],
     ['Median time from concern to level 2 (those who got there)', '4.0 weeks'],
     ['Reported to child welfare', '33.3 %']]
    """
    new = cases[~cases["warm"].astype(bool)]
    waits = new["wait_for_baton_holder_weeks"]
    logs = int(waits.notna().sum())
    waited = (waits > 0).sum() / logs if logs else None
    to_level2 = new["weeks_to_level2"].median() if len(new) else None
    reported = (new["outcome"] == "child_welfare").mean() if len(new) else None
    rows = [
        ["tab.load.case.new", format_number(len(new), lang)],
        ["tab.load.case.waited", format_share(waited, lang, 1)],
        ["tab.load.case.to_level2", format_weeks(to_level2, lang)],
        ["tab.load.case.child_welfare", format_share(reported, lang, 1)],
    ]
    return pd.DataFrame(
        [[label(key, lang), value] for key, value in rows],
        columns=[label("sim.measure", lang), label("tab.load.value", lang)],
    )


def options_display(
    options: Sequence[str], lang: str = "nb", *, doc: Mapping | None = None, baseline: str = ""
) -> pd.DataFrame:
    """The options compared, each with what it changes, in words.

    Parameters
    ----------
    options : sequence of str
        Option ids, ``"a+b"`` for a combination.
    lang : str, default "nb"
    doc : mapping, optional
        The scenario document, for the scenario's own options.
    baseline : str, optional
        What the baseline (``"baseline"`` among ``options``) is, in words.

    Returns
    -------
    pandas.DataFrame
        Option (its name, as :func:`~bti_workbench.simulation.figures.options_table`
        names its column) and what it changes
        (:func:`~bti_workbench.simulation.scenario.document.option_description`).

    Raises
    ------
    ScenarioError
        For an option that neither the scenario nor ``data/scenarios/options/`` defines.

    Examples
    --------
    >>> table = options_display(["no_bti", "trial_cap_one_log+intermunicipal_team"], "en")
    >>> table.iloc[:, 0].tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['Without BTI',
     'One baton log per baton holder + Intermunicipal PPT and child welfare team']
    """
    names = option_labels(list(options), lang, doc)
    rows = [
        [name, baseline if option == BASELINE else option_description(option, lang, doc)]
        for name, option in zip(names, options, strict=True)
    ]
    return pd.DataFrame(rows, columns=[label("sim.option", lang), label("tab.load.changes", lang)])


# --- the numbers the prose quotes ---------------------------------------------------------------


def scenario_fields(scenario: Scenario, lang: str = "nb") -> dict[str, str]:
    """The municipality a scenario runs for, its children, horizon and concerns a year.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a municipality.
    lang : str, default "nb"

    Returns
    -------
    dict
        ``place``, ``code``, ``children``, ``weeks`` and ``concerns`` (expected new concerns
        a year), as text.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> s = load_scenario(data_dir() / "scenarios" / "tromso.yaml")
    >>> {k: v.replace("\u00a0", " ") for k, v in scenario_fields(s, "nb").items()}
    {'place': 'Tromsø', 'code': '5401', 'children': '21 426', 'weeks': '260', 'concerns': '1 026'}
    """
    place = scenario.municipality
    return {
        "place": place.name if place is not None else _MISSING,
        "code": place.kommunenummer if place is not None else _MISSING,
        "children": format_number(place.children if place is not None else None, lang),
        "weeks": format_number(scenario.horizon_weeks, lang),
        "concerns": format_number(scenario.arrivals_per_week * WEEKS_PER_YEAR, lang),
    }


def run_fields(
    summary: pd.DataFrame, warmup: int, horizon_weeks: int, lang: str = "nb"
) -> dict[str, str]:
    """A run's warm-up, the weeks its tables cover, and the replications they would need.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per replication (:func:`~bti_workbench.simulation.analysis.summarise`).
    warmup : int
        Weeks left out at the start.
    horizon_weeks : int
        The scenario's horizon.
    lang : str, default "nb"

    Returns
    -------
    dict
        ``warmup``, ``first`` and ``last`` (the weeks after the warm-up), ``replications``
        (this run's) and ``needed``: the replications for a 95 % interval of ±5 % on the mean
        of active cases at level 2
        (:func:`~bti_workbench.simulation.analysis.replications_needed`).

    Examples
    --------
    >>> summary = pd.DataFrame({"active.2": [30.0, 34.0, 32.0, 36.0]})
    >>> run_fields(summary, 52, 1040, "nb")["last"].replace("\u00a0", " ")
    '1 040'
    >>> run_fields(summary, 52, 1040, "en")["needed"]  # t with 3 degrees of freedom: 3.18
    '25'
    """
    active = summary["active.2"]
    needed = replications_needed(active, 0.05 * active.mean())
    return {
        "warmup": format_number(warmup, lang),
        "first": format_number(warmup + 1, lang),
        "last": format_number(horizon_weeks, lang),
        "replications": format_number(len(summary), lang),
        "needed": format_number(needed, lang),
    }


def busiest_fields(summary: pd.DataFrame, lang: str = "nb") -> dict[str, str]:
    """The service with the highest mean utilisation, and that utilisation.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per replication, with ``utilisation.<service>`` columns.
    lang : str, default "nb"

    Returns
    -------
    dict
        ``service`` (its name) and ``utilisation`` (hours needed / available).

    Examples
    --------
    >>> summary = pd.DataFrame({"utilisation.ppt": [0.8, 0.9], "utilisation.school": [0.1, 0.2]})
    >>> busiest_fields(summary, "nb")
    {'service': 'Pedagogisk-psykologisk tjeneste (PPT)', 'utilisation': '0,85'}
    """
    means = summary.filter(like="utilisation.").mean()
    service = str(means.idxmax()).partition(".")[2]
    return {
        "service": _name("service", service, lang),
        "utilisation": format_number(means.max(), lang, 2),
    }


def cost_fields(costs: pd.DataFrame, case_work: float, lang: str = "nb") -> dict[str, str]:
    """The organisation's cost a year, the case work's, and both together, in kroner.

    Parameters
    ----------
    costs : pandas.DataFrame
        :func:`~bti_workbench.simulation.costs.organisation_cost`.
    case_work : float
        NOK a year of case work (mean over replications).
    lang : str, default "nb"

    Returns
    -------
    dict
        ``organisation``, ``case_work`` and ``total``.

    Examples
    --------
    >>> costs = pd.DataFrame({"nok_per_year": [21150.0, 160000.0]})
    >>> cost_fields(costs, 52000.0, "en")
    {'organisation': 'NOK 181,150', 'case_work': 'NOK 52,000', 'total': 'NOK 233,150'}
    """
    organisation = float(costs["nok_per_year"].sum())
    return {
        "organisation": format_nok(organisation, lang),
        "case_work": format_nok(case_work, lang),
        "total": format_nok(organisation + case_work, lang),
    }
