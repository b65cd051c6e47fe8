"""Bands, warm-up detection (MSER-5) and replication advice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bti_workbench.simulation.analysis import bands, mser5, replications_needed, summarise


def test_bands_order_and_shape():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "replication": np.repeat(np.arange(50), 4),
            "week": np.tile([1, 1, 2, 2], 50),
            "level": np.tile([0, 1, 0, 1], 50),
            "active": rng.poisson(20, 200),
        }
    )
    out = bands(frame)
    assert len(out) == 4
    assert (out["p10"] <= out["p50"]).all() and (out["p50"] <= out["p90"]).all()


def test_mser5_finds_the_transient_and_leaves_a_stationary_series_alone():
    rng = np.random.default_rng(1)
    stationary = rng.normal(5, 1, 500)
    assert mser5(stationary) <= 50
    warm = np.concatenate([np.linspace(0, 10, 100), 10 + rng.normal(0, 1, 400)])
    assert 80 <= mser5(warm) <= 130


def test_mser5_on_the_jackson_run_finds_a_warm_up_from_empty():
    from pathlib import Path

    from bti_workbench.simulation.engines.fast import simulate_fast
    from bti_workbench.simulation.scenario.parse import load_scenario

    scenario = load_scenario(
        Path(__file__).resolve().parents[2] / "data" / "scenarios" / "validation_jackson.yaml"
    )
    result = simulate_fast(scenario, replications=20, seed=5)
    level3 = result.levels[result.levels["level"] == 3]
    mean_path = (level3["active"] + level3["waiting"]).groupby(level3["week"]).mean()
    assert 10 <= mser5(mean_path.to_numpy()) <= 130  # starts empty; level 3 fills slowly


def test_replications_needed_reaches_the_target_width():
    rng = np.random.default_rng(7)
    draws = rng.normal(0, 1, 10)
    pilot = 100 + 8 * (draws - draws.mean()) / draws.std(ddof=1)  # a pilot whose spread is 8
    n = replications_needed(pilot, half_width=2.0)
    widths = []
    for _ in range(200):
        sample = rng.normal(100, 8, n)
        widths.append(stats.t.ppf(0.975, n - 1) * sample.std(ddof=1) / np.sqrt(n))
    assert np.median(widths) == pytest.approx(2.0, rel=0.25)
    with pytest.raises(ValueError, match="at least two"):
        replications_needed(np.array([1.0]), 1.0)


def test_summarise_reads_the_tables_in_any_row_order():
    from dataclasses import replace

    from bti_workbench.simulation.run import simulate
    from bti_workbench.simulation.scenario.parse import load_scenario

    scenario = load_scenario(Path(__file__).resolve().parents[2] / "data/scenarios/sirdal.yaml")
    result = simulate(scenario, 4, 2)
    shuffled = replace(
        result,
        levels=result.levels.sample(frac=1, random_state=1),
        queues=result.queues.sample(frac=1, random_state=2),
        services=result.services.sample(frac=1, random_state=3),
    )
    pd.testing.assert_frame_equal(
        summarise(shuffled, scenario, 30), summarise(result, scenario, 30), check_exact=True
    )
    with pytest.raises(ValueError, match="one row per replication"):
        summarise(replace(result, levels=result.levels.iloc[1:]), scenario, 30)
