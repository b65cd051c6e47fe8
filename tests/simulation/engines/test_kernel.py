"""The compiled kernel's random streams and guarantees: the right distributions, the same
numbers however the work is split, and common random numbers between options."""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from bti_workbench import data_dir
from bti_workbench.simulation.engines import fast
from bti_workbench.simulation.engines._streams import (
    ERLANG,
    EXPONENTIAL,
    LOGNORMAL,
    duration,
    normal,
    quantile,
    substream,
    uniform,
)
from bti_workbench.simulation.engines.compiled import ENGINE_THREADS_ENV, engine_threads
from bti_workbench.simulation.scenario.parse import load_scenario

TROMSO = data_dir() / "scenarios" / "tromso.yaml"
N = 200_000


@nb.njit
def _draws(kind: int, n: int, a: float, b: float) -> np.ndarray:
    states = np.zeros(1, np.uint64)
    states[0] = substream(np.uint64(2024), 3, 4)
    out = np.empty(n)
    for i in range(n):
        if kind == 0:
            out[i] = uniform(states, 0)
        elif kind == 1:
            out[i] = normal(states, 0)
        else:
            out[i] = duration(states, 0, kind - 2, a, b)
    return out


def test_uniforms_are_uniform_and_streams_differ():
    u = _draws(0, N, 0, 0)
    assert u.min() >= 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 0.01
    # Successive draws are uncorrelated.
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4 / np.sqrt(N)


def test_the_normal_inverts_the_distribution_function_to_machine_precision():
    """AS 241 against scipy's ndtri over the whole range, tails included."""

    x = _draws(1, N, 0, 0)
    assert stats.kstest(x, "norm").pvalue > 0.01
    assert abs(x.mean()) < 4 / np.sqrt(N) and abs(x.std() - 1) < 0.01
    # The inversion itself, at probabilities from 1e-300 to 1 - 1e-16.
    p = np.concatenate([np.logspace(-300, -1, 400), np.linspace(0.01, 0.99, 2001)])
    p = np.concatenate([p, 1 - p[(p < 0.5) & (p > 1e-15)]])
    mine = np.array([quantile(v - 0.5, min(v, 1 - v)) for v in p])
    exact = special.ndtri(p)
    ok = np.isfinite(exact)
    assert np.max(np.abs(mine[ok] - exact[ok]) / np.maximum(1, np.abs(exact[ok]))) < 1e-14


@pytest.mark.parametrize(
    ("code", "a", "b", "reference"),
    [
        (EXPONENTIAL, 6.0, 1.0, stats.expon(scale=6.0)),
        (ERLANG, 12.0, 3.0, stats.gamma(3, scale=4.0)),
        (
            LOGNORMAL,
            np.log(16.0) - 0.7**2 / 2,
            0.7,
            stats.lognorm(0.7, scale=np.exp(np.log(16.0) - 0.7**2 / 2)),
        ),
    ],
)
def test_stays_follow_their_distribution(code, a, b, reference):
    x = _draws(2 + code, N, a, b)
    assert stats.kstest(x, reference.cdf).pvalue > 0.01
    assert x.mean() == pytest.approx(
        reference.mean(), rel=4 * reference.std() / reference.mean() / np.sqrt(N) + 1e-3
    )


def test_the_same_numbers_on_one_thread_or_many(monkeypatch):
    scenario = load_scenario(TROMSO)
    monkeypatch.setenv(ENGINE_THREADS_ENV, "1")
    assert engine_threads() == 1
    one = fast.simulate_fast(scenario, 60, 5)
    monkeypatch.setenv(ENGINE_THREADS_ENV, "3")
    assert engine_threads() == 3
    many = fast.simulate_fast(scenario, 60, 5)
    for table in ("levels", "queues", "services", "exits"):
        pd.testing.assert_frame_equal(getattr(one, table), getattr(many, table), check_exact=True)


def test_a_replication_that_runs_out_of_case_records_runs_again_with_the_same_numbers(
    monkeypatch,
):
    scenario = load_scenario(TROMSO, ("trial_cap_one_log",))
    usual = fast.simulate_fast(scenario, 4, 9)
    monkeypatch.setattr(fast, "_pool_size", lambda model, weeks: 16)
    cramped = fast.simulate_fast(scenario, 4, 9)
    pd.testing.assert_frame_equal(usual.levels, cramped.levels, check_exact=True)
    pd.testing.assert_frame_equal(usual.services, cramped.services, check_exact=True)


def test_replications_do_not_depend_on_how_many_run():
    scenario = load_scenario(TROMSO)
    few, more = fast.simulate_fast(scenario, 3, 11), fast.simulate_fast(scenario, 40, 11)
    first = more.queues[more.queues["replication"] < 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(few.queues, first, check_exact=True)


def test_an_option_that_changes_nothing_changes_no_number():
    base = fast.simulate_fast(load_scenario(TROMSO), 20, 3)
    costs_only = load_scenario(TROMSO, settings={"costs.hourly_rate_nok": 999})
    again = fast.simulate_fast(costs_only, 20, 3)
    for table in ("levels", "queues", "services", "exits"):
        pd.testing.assert_frame_equal(getattr(base, table), getattr(again, table), check_exact=True)


def test_each_case_keeps_its_draws_whatever_the_option():
    """Common random numbers case by case: the trial cap changes who waits for a baton
    holder, but not one concern's arrival or stay at level 0 (with no way back down to
    level 0, so that level sees new concerns only)."""
    one_way = {"levels.1.next.down": 0}
    base = fast.simulate_fast(load_scenario(TROMSO, settings=one_way), 20, 3)
    capped = load_scenario(TROMSO, ("trial_cap_one_log",), settings=one_way)
    capped = fast.simulate_fast(capped, 20, 3)
    level0 = [(t[t["level"] == 0].reset_index(drop=True)) for t in (base.queues, capped.queues)]
    pd.testing.assert_frame_equal(*level0, check_exact=True)
    level1 = [t[t["level"] == 1]["waited"].sum() for t in (base.queues, capped.queues)]
    assert level1[1] > level1[0]


@pytest.mark.parametrize(("per_day", "days"), [(64.0, 8192), (2.0, 64), (0.25, 64)])
def test_the_calendar_gives_back_ends_in_time_order(per_day, days):
    """Against heapq: ends booked as a simulation books them (each later than now, some
    beyond a whole round of the calendar, some at once), taken back earliest first."""
    import heapq

    from bti_workbench.simulation.engines import _kernel

    model_rules = fast._rules(fast.compile_model(load_scenario(TROMSO)), 52)
    rules = model_rules._replace(per_day=np.array([per_day]))
    state = _kernel.new_state(600, 0, 1, 52, days)
    _kernel._reset(state)
    rng = np.random.default_rng(7)
    reference, now, case = [], 0.0, 0
    for _ in range(3000):
        if reference and rng.random() < 0.5:
            assert _kernel._earliest(state, rules) == reference[0][0]
            taken = _kernel._pop(state, rules)
            time = reference[0][0]  # among equal ends, any may come first
            reference.remove((time, taken))
            heapq.heapify(reference)
            assert time >= now
            now = time
            state.free[state.n[1]] = taken
            state.n[1] += 1
        elif state.n[1]:
            state.n[1] -= 1
            case = int(state.free[state.n[1]])
            end = now + rng.choice([rng.exponential(3.0), rng.exponential(400.0), 0.0])
            _kernel._push(state, rules, end, case)
            heapq.heappush(reference, (end, case))
    assert _kernel._earliest(state, rules) == (reference[0][0] if reference else np.inf)


def test_the_kernel_names_the_streams_it_was_compiled_with():
    """numba's cache checks the kernel's own file only; a change to the random streams must
    change the kernel's file as well, or a cached kernel would keep drawing the old way."""
    import hashlib
    from pathlib import Path

    from bti_workbench.simulation.engines import _kernel, _streams

    digest = hashlib.sha256(Path(_streams.__file__).read_bytes()).hexdigest()[:16]
    assert digest == _kernel.STREAMS_DIGEST
