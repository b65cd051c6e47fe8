"""The simulation figures read a run's arrays; their numbers equal those of the long tables."""

from __future__ import annotations

import numpy as np

from bti_workbench import data_dir
from bti_workbench.simulation.analysis import bands, warmup_weeks
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.figures import simulated_cases_figure, utilisation_heatmap
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
