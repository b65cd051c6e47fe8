"""Closed-form references for validating the simulation: Erlang C and Jackson networks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bti_workbench.simulation.queueing import erlang_c, jackson_levels, mmc, traffic_rates


def _erlang_c_direct(c: int, a: float) -> float:
    """The textbook sum, computed independently of the recursion."""
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)


@given(st.integers(1, 40), st.floats(0.01, 0.99))
def test_erlang_c_matches_the_textbook_sum(servers, utilisation):
    load = servers * utilisation
    assert erlang_c(servers, load) == pytest.approx(_erlang_c_direct(servers, load), rel=1e-9)


def test_single_server_is_mm1():
    q = mmc(arrival_rate=0.7, mean_service=1.0, servers=1)
    assert q.p_wait == pytest.approx(0.7)
    assert q.mean_wait == pytest.approx(0.7 / (1 - 0.7))
    assert q.mean_in_system == pytest.approx(0.7 / (1 - 0.7))


@pytest.mark.parametrize("utilisation", [0.5, 0.7, 0.9])
def test_littles_law_holds(utilisation):
    servers, mean_service = 5, 3.0
    arrival = utilisation * servers / mean_service
    q = mmc(arrival, mean_service, servers)
    assert q.mean_in_system == pytest.approx(arrival * (q.mean_wait + mean_service))
    assert q.utilisation == pytest.approx(utilisation)


def test_unstable_load_is_refused():
    with pytest.raises(ValueError, match="fewer than 3 erlangs"):
        erlang_c(3, 3.0)


def test_traffic_equations_balance():
    routing = np.array([[0, 0.45, 0, 0], [0, 0, 0.25, 0], [0, 0.15, 0, 0.2], [0, 0, 0.3, 0]])
    external = np.array([21.0, 0, 0, 0])
    rates = traffic_rates(external, routing)
    assert rates == pytest.approx(external + routing.T @ rates)
    # Everything that enters leaves: external inflow equals the flow out of the network.
    leaving = rates * (1 - routing.sum(axis=1))
    assert leaving.sum() == pytest.approx(external.sum())


def test_validation_network_levels():
    routing = [[0, 0.45, 0, 0], [0, 0, 0.25, 0], [0, 0.15, 0, 0.2], [0, 0, 0.3, 0]]
    levels = jackson_levels([21, 0, 0, 0], routing, [2, 12, 16, 26], [60, 200, 80, 40])
    rates = traffic_rates(np.array([21.0, 0, 0, 0]), np.array(routing))
    for q, rate, service in zip(levels, rates, [2, 12, 16, 26], strict=True):
        assert q.mean_in_system >= rate * service  # at least those in service
    assert levels[0].utilisation == pytest.approx(0.7)
    assert levels[1].mean_in_system == pytest.approx(9.45 / (1 - 0.0375 / 0.94) * 12, rel=1e-9)
