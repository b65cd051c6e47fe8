"""The simulation figures read a run's arrays; their numbers equal those of the long tables;
what they show is in the reader's language and number format."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bti_workbench import data_dir
from bti_workbench.reference.labels import label
from bti_workbench.simulation.analysis import bands, warmup_weeks
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.figures import (
    options_table,
    simulated_cases_figure,
    utilisation_heatmap,
    waits_by_option,
)
from bti_workbench.simulation.output import FlowResult
from bti_workbench.simulation.scenario.parse import load_scenario

TROMSO = data_dir() / "scenarios" / "tromso.yaml"


def _run() -> tuple[FlowResult, FlowResult]:
    """A run as the engine returns it (arrays) and the same run as tables only."""
    result = simulate_fast(load_scenario(TROMSO, ("trial_cap_one_log",)), 12, 4)
    tables = FlowResult(
        levels=result.levels, exits=result.exits, queues=result.queues, services=result.services
    )
    assert result.arrays is not None and tables.arrays is None
    return result, tables


def test_the_cases_figure_draws_the_bands_of_the_levels_table():
    result, tables = _run()
    fig = simulated_cases_figure(result, "en")
    levels = result.levels.assign(cases=result.levels["active"] + result.levels["waiting"])
    spread = bands(levels, "cases")
    for level in range(4):
        part = spread[spread["level"] == level]
        band, median = fig.data[2 * level], fig.data[2 * level + 1]
        np.testing.assert_allclose(median.y, part["p50"], rtol=1e-12)
        np.testing.assert_allclose(band.y, np.r_[part["p90"], part["p10"][::-1]], rtol=1e-12)
        assert list(median.x) == part["week"].tolist()
    from_tables = simulated_cases_figure(tables, "en")
    np.testing.assert_allclose(from_tables.data[1].y, fig.data[1].y)


def test_the_heatmap_is_the_mean_utilisation_of_the_services_table_per_period():
    result, tables = _run()
    fig = utilisation_heatmap(result, "en", every=4)
    services = result.services.dropna(subset=["utilisation"])
    expected = (
        services.assign(period=(services["week"] - 1) // 4 * 4 + 1)
        .groupby(["service", "period"])["utilisation"]
        .mean()
        .unstack("period")
    )
    (heat,) = fig.data
    np.testing.assert_allclose(np.asarray(heat.z), expected.to_numpy(), rtol=1e-12)
    assert list(heat.x) == expected.columns.tolist()
    assert len(heat.y) == len(expected) and "Child welfare" in " ".join(heat.y)
    np.testing.assert_allclose(np.asarray(utilisation_heatmap(tables, "en").data[0].z), heat.z)


def test_the_warm_up_is_the_same_from_the_arrays_and_from_the_table():
    result, tables = _run()
    assert warmup_weeks(result, 52) == warmup_weeks(result.levels, 52) == warmup_weeks(tables, 52)
    # Series shorter than 20 weeks keep every week.
    assert warmup_weeks(simulate_fast(load_scenario(TROMSO).with_horizon(10), 2, 1)) == 0


def _comparison() -> pd.DataFrame:
    """A comparison as ``compare_options`` returns it, with an option-only utilisation row."""
    rows = [
        ("baseline", "active.1", 3.018667, None, None, None),
        ("baseline", "wait.1", 2.62, None, None, None),
        ("baseline", "cost.total", 8252439.4, None, None, None),
        ("no_bti+intermunicipal_team", "active.1", 2.15, -0.867, -1.0626, -0.6714),
        ("no_bti+intermunicipal_team", "wait.1", 1.4507, -1.492, -3.158, 0.1744),
        ("no_bti+intermunicipal_team", "cost.total", 130723.9, -8121715.5, -8200000, -8000000),
        ("no_bti+intermunicipal_team", "utilisation.bti_coordinator", 0.0793, None, None, None),
    ]
    return pd.DataFrame(rows, columns=["option", "metric", "mean", "difference", "low", "high"])


def test_the_options_table_reads_like_a_report_in_bokmal():
    table = options_table(_comparison(), "nb")
    both = "Uten BTI + Interkommunalt team for PPT og barnevern"
    assert list(table.columns) == ["Resultat", "Dagens organisering", both]
    # Labelled rows in the first column (a table shown without its index keeps them), in the
    # order counts, waits, utilisation, costs.
    assert table["Resultat"].tolist() == [
        "Aktive saker – Nivå 1",
        "Ventetid (uker) – Nivå 1",
        "Belastning – BTI-koordinator",
        "Kostnad per år (kr)",
    ]
    assert table.index.tolist() == [0, 1, 2, 3]
    nbsp = "\u00a0"
    assert table.iloc[3, 1] == f"8{nbsp}252{nbsp}439"
    assert table.iloc[1].tolist()[1:] == ["2,6", "1,5 (−1,5; −3,2 til +0,2)"]
    assert table.iloc[2].tolist()[1:] == ["–", "0,08"]
    text = " ".join(table.astype(str).to_numpy().ravel())
    assert "no_bti" not in text and "baseline" not in text and "NOK" not in text
    assert table.attrs["note"] == label("sim.table_note", "nb")


def test_the_options_table_in_english_and_for_a_scenarios_own_option():
    table = options_table(_comparison(), "en")
    assert list(table.columns)[:2] == ["Result", "As today"]
    assert table.iloc[3, 2] == "130,724 (−8,121,716; −8,200,000 to −8,000,000)"
    own = _comparison().replace("no_bti+intermunicipal_team", "ekstra_ppt")
    doc = {"options": {"ekstra_ppt": {"name": "Ekstra PPT-timer", "changes": {}}}}
    assert options_table(own, "en", doc=doc).columns[2] == "Ekstra PPT-timer"
    assert options_table(own, "en").columns[2] == "Ekstra ppt"


def test_the_waits_figure_names_the_options_and_speaks_bokmal():
    fig = waits_by_option(_comparison(), "nb")
    names = [bar.name for bar in fig.data]
    assert names == ["Dagens organisering", "Uten BTI + Interkommunalt team for PPT og barnevern"]
    assert fig.layout.separators == ",\u00a0"
    assert "uker" in fig.data[0].hovertemplate and "weeks" not in fig.data[0].hovertemplate
    assert list(fig.data[1].y) == [1.4507]
    assert waits_by_option(_comparison(), "en").layout.separators == ".,"


def test_the_figures_format_numbers_and_hover_in_the_language():
    result, _ = _run()
    for lang, separators, word in (("nb", ",\u00a0", "Uke"), ("en", ".,", "Week")):
        cases = simulated_cases_figure(result, lang)
        heat = utilisation_heatmap(result, lang)
        assert cases.layout.separators == heat.layout.separators == separators
        assert cases.data[1].hovertemplate.startswith(word)
        assert word.lower() in heat.data[0].hovertemplate
    heat = utilisation_heatmap(result, "nb")
    # A short title that fits half a laptop screen; the names set the left margin.
    assert heat.layout.title.text == "Belastning per tjeneste" and heat.layout.yaxis.automargin
    assert "Pedagogisk-psykologisk tjeneste (PPT)" in heat.data[0].y
