"""The `fast` engine against Jackson-network theory, and its reproducibility."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from bti_workbench.simulation.analysis import mser5
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.queueing import jackson_levels
from bti_workbench.simulation.scenario.parse import load_scenario
from tests._checks import assert_littles_law

JACKSON = Path(__file__).resolve().parents[3] / "data" / "scenarios" / "validation_jackson.yaml"


@pytest.fixture(scope="module")
def jackson_run():
    scenario = load_scenario(JACKSON)
    return scenario, simulate_fast(scenario, replications=200, seed=2024)


def _stationary(scenario):
    """The validation network run long enough to leave its slow warm-up well behind.

    Started empty, level 3 is still filling after two years: over weeks 104–260 the
    transient sits about 2 % below steady state (both engines agree on it). So stationary
    means are read from 15-year runs, from week 260 on.
    """
    return scenario.with_horizon(780)


#: The first week read as stationary in a 780-week run of the validation network.
STEADY_FROM = 260


def _check_against_theory(scenario, result, z: float):
    """Each level's mean number in the system, weeks 260–780, against Jackson theory: inside
    the ``z`` interval over replications."""
    assert_littles_law(result)
    theory = jackson_levels(
        [scenario.arrivals_per_week, 0, 0, 0],
        scenario.routing(),
        [lv.duration.mean_weeks for lv in scenario.levels],
        [lv.slots for lv in scenario.levels],
    )
    levels = result.levels[result.levels["week"] > STEADY_FROM]
    in_system = levels.assign(n=levels["active"] + levels["waiting"])
    for level, queue in enumerate(theory):
        per_rep = in_system[in_system["level"] == level].groupby("replication")["n"].mean()
        half = z * per_rep.std(ddof=1) / np.sqrt(len(per_rep))
        assert abs(per_rep.mean() - queue.mean_in_system) <= half, (level, per_rep.mean(), half)
        # And the run really is past its warm-up by then.
        path = in_system[in_system["level"] == level].groupby("week")["n"].mean()
        assert mser5(path.to_numpy()) < len(path) / 2


def test_stationary_means_match_jackson_theory():
    """Four levels checked at once: each 95 % interval widened to keep the family at 95 %
    (Bonferroni, z = 2.50). 400 replications: at 200 the four levels of seed 2024 sat 1.5
    to 2.9 σ above theory together (one high count of arrivals feeds them all); at 400, and
    at seeds 7 and 99, every level is within 1.9 σ."""
    scenario = _stationary(load_scenario(JACKSON))
    result = simulate_fast(scenario, replications=400, seed=2024)
    _check_against_theory(scenario, result, stats.norm.ppf(1 - 0.05 / 4 / 2))


def test_slots_are_respected_and_counts_whole(jackson_run):
    scenario, result = jackson_run
    slots = pd.Series([lv.slots for lv in scenario.levels])
    assert (result.levels["active"] <= result.levels["level"].map(slots)).all()
    assert (result.levels[["active", "waiting"]] >= 0).all().all()
    # Someone waits only when every slot of the level is taken.
    waits = result.levels[result.levels["waiting"] > 0]
    assert (waits["active"] == waits["level"].map(slots)).all()


def test_everything_that_arrived_is_somewhere(jackson_run):
    scenario, result = jackson_run
    last = result.levels[result.levels["week"] == scenario.horizon_weeks]
    open_cases = (last["active"] + last["waiting"]).groupby(last["replication"]).sum()
    left = result.exits.set_index("replication")[["closed", "child_welfare"]].sum(axis=1)
    arrived = open_cases + left
    expected = scenario.arrivals_per_week * scenario.horizon_weeks
    # Poisson arrivals: the mean over replications is within a few standard errors.
    assert abs(arrived.mean() - expected) < 4 * np.sqrt(expected / len(arrived))


def test_same_seed_same_numbers():
    scenario = load_scenario(JACKSON)
    a = simulate_fast(scenario, replications=3, seed=7)
    b = simulate_fast(scenario, replications=3, seed=7)
    c = simulate_fast(scenario, replications=3, seed=8)
    pd.testing.assert_frame_equal(a.levels, b.levels)
    assert not a.levels.equals(c.levels)


def _single_level(tmp_path, utilisation: float, servers: int = 5, mean: float = 1.0, **extra):
    """One M/M/c level (level 0); the other levels are never reached."""
    rate = utilisation * servers / mean
    quiet = {"duration": {"distribution": "exponential", "mean_weeks": 1}}
    doc = {
        "name": "mmc",
        "horizon_weeks": 400,
        "arrivals": {"poisson_per_week": rate},
        "levels": {
            0: {"duration": {"distribution": "exponential", "mean_weeks": mean}, "slots": servers},
            1: quiet,
            2: quiet,
            3: quiet,
        },
        **extra,
    }
    path = tmp_path / f"mmc_{utilisation}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return load_scenario(path), rate


@pytest.mark.parametrize("engine", ["fast", "ciw"])
@pytest.mark.parametrize("utilisation", [0.5, 0.7, 0.9])
def test_single_level_matches_erlang_c(tmp_path, utilisation, engine):
    """Theory inside the 95 % confidence interval of 30 replications, for each of the twelve
    checks here (2 engines × 3 utilisations × 2 measures). Twelve 95 % intervals would fail
    a correct engine in about half of all seeds, so each is widened to keep the family at
    95 % (Bonferroni: 1 − 0.05 / 12, z = 2.87). The seed is the suite's usual 2024."""
    from bti_workbench.simulation.queueing import mmc
    from bti_workbench.simulation.run import simulate

    scenario, rate = _single_level(tmp_path, utilisation)
    result = simulate(scenario, replications=30, seed=2024, engine=engine)
    assert_littles_law(result)
    queue = result.queues[(result.queues["level"] == 0) & (result.queues["week"] > 50)]
    per_rep = queue.groupby("replication")[["entered", "waited", "wait_weeks"]].sum()
    theory = mmc(rate, 1.0, 5)
    for estimate, expected in (
        (per_rep["wait_weeks"] / per_rep["entered"], theory.mean_wait),
        (per_rep["waited"] / per_rep["entered"], theory.p_wait),
    ):
        z = stats.norm.ppf(1 - 0.05 / 12 / 2)
        half = z * estimate.std(ddof=1) / np.sqrt(len(estimate))
        assert estimate.mean() - half <= expected <= estimate.mean() + half


def test_ciw_engine_matches_jackson_theory_too():
    from bti_workbench.simulation.engines.ciw import simulate_ciw

    scenario = _stationary(load_scenario(JACKSON))
    result = simulate_ciw(scenario, replications=20, seed=2024)
    _check_against_theory(scenario, result, stats.norm.ppf(1 - 0.05 / 4 / 2))


def test_both_engines_start_from_the_warm_start():
    import dataclasses

    from bti_workbench.simulation.engines.ciw import simulate_ciw

    # Level 0 and level 3 start above their slots (60 and 40): the rest wait, in both engines.
    scenario = dataclasses.replace(load_scenario(JACKSON), warm_start=(120, 30, 12, 80))
    scenario = scenario.with_horizon(10)
    weeks_one = []
    for result in (simulate_fast(scenario, 20, 1), simulate_ciw(scenario, 20, 1)):
        first = result.levels[result.levels["week"] == 1]
        weeks_one.append(first.groupby("level")[["active", "waiting"]].mean())
    fast, ciw = weeks_one
    for table in weeks_one:
        assert table.loc[3, "active"] == 40 and table.loc[0, "active"] == 60
        assert table.loc[3, "waiting"] > 30  # 80 warm cases, 40 slots, a few leave in week 1
        assert (table.loc[[1, 2], "active"] >= 0.8 * np.array([30, 12])).all()
    assert (fast - ciw).abs().max().max() < 6
    cases = simulate_ciw(scenario, 1, 3).cases
    assert cases["warm"].sum() == 120 + 30 + 12 + 80
    assert cases.loc[cases["warm"], "concern_week"].isna().all()


def test_more_slots_never_lengthen_the_mean_wait():
    import dataclasses

    scenario = load_scenario(JACKSON)
    waits = []
    for slots in (44, 48, 52, 60):
        first = dataclasses.replace(scenario.levels[0], slots=slots)
        changed = dataclasses.replace(scenario, levels=(first, *scenario.levels[1:]))
        result = simulate_fast(changed, replications=30, seed=99)  # common random numbers
        queue = result.queues[(result.queues["level"] == 0) & (result.queues["week"] > 26)]
        waits.append(queue["wait_weeks"].sum() / queue["entered"].sum())
    assert all(a >= b for a, b in itertools.pairwise(waits)), waits
    assert waits[0] > waits[-1]


# --- several scenarios in one pass ------------------------------------------------------------

NATIONAL = Path(__file__).resolve().parents[3] / "data" / "scenarios" / "national_per_1000.yaml"


@pytest.mark.parametrize("option", [(), ("trial_cap_one_log",), ("extra_coordinator_20pct",)])
def test_many_scenarios_in_one_pass_equal_each_run_alone(option):
    from bti_workbench.reference.municipality import load_municipalities
    from bti_workbench.simulation.analysis import summarise
    from bti_workbench.simulation.engines.fast import flow_arrays_many, simulate_fast_many

    # Ibestad's warm start leaves level 3 empty, Tromsø's does not: the keys differ.
    places = load_municipalities(["5413", "4228", "1106", "5401"])
    scenarios = [load_scenario(NATIONAL, option, municipality=m) for m in places]
    seeds = [21, 5, 21, 9]  # a seed may repeat: each block has its own streams anyway
    together = simulate_fast_many(scenarios, 6, seeds)
    arrays = flow_arrays_many(scenarios, 6, seeds)
    for scenario, seed, result, cube in zip(scenarios, seeds, together, arrays, strict=True):
        alone = simulate_fast(scenario, 6, seed)
        for table in ("levels", "queues", "services", "exits"):
            pd.testing.assert_frame_equal(
                getattr(result, table), getattr(alone, table), check_exact=True
            )
        pd.testing.assert_frame_equal(
            summarise(cube, scenario, 52), summarise(alone, scenario, 52), check_exact=True
        )


def test_one_pass_with_level_slots_equals_runs_alone():
    from bti_workbench.simulation.engines.fast import simulate_fast_many

    s = load_scenario(JACKSON)
    together = simulate_fast_many([s, s.with_horizon(s.horizon_weeks)], 4, [1, 2])
    for seed, result in zip([1, 2], together, strict=True):
        pd.testing.assert_frame_equal(result.levels, simulate_fast(s, 4, seed).levels)


def test_scenarios_of_any_structure_run_together_as_alone():
    from bti_workbench.reference.municipality import load_municipalities
    from bti_workbench.simulation.engines.fast import simulate_fast_many

    (place,) = load_municipalities(["4228"])
    plain = load_scenario(NATIONAL, municipality=place)
    coordinator = load_scenario(NATIONAL, ("extra_coordinator_20pct",), municipality=place)
    jackson = load_scenario(JACKSON)
    together = simulate_fast_many([plain, coordinator, jackson], 3, [1, 2, 3])
    for scenario, seed, result in zip(
        (plain, coordinator, jackson), [1, 2, 3], together, strict=True
    ):
        pd.testing.assert_frame_equal(result.queues, simulate_fast(scenario, 3, seed).queues)
    with pytest.raises(ValueError, match="one seed per scenario"):
        simulate_fast_many([plain, plain], 2, [1])
