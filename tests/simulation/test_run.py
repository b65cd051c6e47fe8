"""Running scenarios: reproducibility, common random numbers and paired comparisons."""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bti_workbench
from bti_workbench.simulation.analysis import paired_differences, summarise
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.engines.versions import ENGINE_VERSIONS
from bti_workbench.simulation.run import compare_options, simulate, write_results
from bti_workbench.simulation.scenario.parse import load_scenario

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "data" / "scenarios"
TROMSO = SCENARIOS / "tromso.yaml"
SIRDAL = SCENARIOS / "sirdal.yaml"


@pytest.mark.parametrize("engine", ["fast", "ciw"])
def test_same_seed_same_numbers(engine):
    scenario = load_scenario(SIRDAL)
    a, b, c = (simulate(scenario, 3, seed, engine) for seed in (4, 4, 5))
    pd.testing.assert_frame_equal(a.levels, b.levels)
    pd.testing.assert_frame_equal(a.services, b.services)
    assert not a.levels.equals(c.levels)


def test_more_ppt_hours_never_lengthen_the_wait_under_common_random_numbers(tmp_path):
    waits = []
    for hours in (26, 30, 40, 60):
        scenario = load_scenario(
            TROMSO, (), {"resources": {"services": {"ppt": {"hours_per_week": hours}}}}
        )
        table = summarise(simulate_fast(scenario, 40, 8), scenario, 52)
        waits.append(table["wait.2"].mean())
    assert all(a >= b for a, b in itertools.pairwise(waits)), waits
    assert waits[0] > 2 * waits[-1]


def test_common_random_numbers_narrow_the_comparison():
    table = compare_options(TROMSO, ["trial_cap_one_log"], replications=40, seed=3)
    paired = table[(table["option"] == "trial_cap_one_log") & (table["metric"] == "active.0")]
    # Level 0 is not affected by the cap: with shared arrivals the difference is near zero
    # and its interval is far narrower than the spread between replications.
    base = summarise(simulate_fast(load_scenario(TROMSO), 40, 3), load_scenario(TROMSO), 0)
    spread = base["active.0"].std()
    width = float(paired["high"].iloc[0] - paired["low"].iloc[0])
    assert width < 0.25 * spread
    assert (
        paired["low"].iloc[0] <= 0 <= paired["high"].iloc[0]
        or abs(paired["difference"].iloc[0]) < 0.5
    )


def test_paired_differences_match_a_paired_t_test():
    from scipy import stats

    rng = np.random.default_rng(0)
    base = pd.DataFrame({"x": rng.normal(10, 2, 30)})
    other = base + rng.normal(0.5, 0.3, (30, 1))
    row = paired_differences(base, other).loc["x"]
    test = stats.ttest_rel(other["x"], base["x"])
    ci = test.confidence_interval()
    assert row["low"] == pytest.approx(ci.low) and row["high"] == pytest.approx(ci.high)


def test_ciw_options_share_their_arrivals():
    base = simulate(load_scenario(TROMSO), 1, 5, "ciw").cases
    capped = simulate(load_scenario(TROMSO, ("trial_cap_one_log",)), 1, 5, "ciw").cases
    times = [
        c.loc[~c["warm"], ["class", "concern_week"]].sort_values("concern_week")
        for c in (base, capped)
    ]
    pd.testing.assert_frame_equal(times[0].reset_index(drop=True), times[1].reset_index(drop=True))


@pytest.mark.parametrize("engine", ["fast", "ciw"])
def test_the_json_beside_the_results_says_which_code_made_them(engine, tmp_path):
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    scenario = load_scenario(SIRDAL)
    written = write_results(
        simulate(scenario, 2, 3, engine), tmp_path / "run.parquet", scenario, seed=3, warmup=10
    )
    meta = json.loads(written[-1].read_text(encoding="utf-8"))
    assert written[-1] == tmp_path / "run.json"
    assert meta["workbench_version"] == project["version"] == bti_workbench.__version__
    assert meta["engine"] == engine
    assert meta["engine_version"] == ENGINE_VERSIONS[engine]
    assert isinstance(meta["engine_version"], int) and meta["engine_version"] >= 1
