"""Closed-form queueing results the simulation engines are checked against.

Erlang C for one M/M/c level and Jackson's theorem for a network of M/M/c levels: the
traffic equations give each level's arrival rate, and each level then behaves as an
independent M/M/c queue. These are references for validation, not a model of BTI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MMc", "erlang_c", "jackson_levels", "mmc", "traffic_rates"]


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival must wait in an M/M/c queue (Erlang C).

    Parameters
    ----------
    servers : int
        Number of servers (slots), c ≥ 1.
    offered_load : float
        a = λ/μ in erlangs; must be below ``servers`` for a stable queue.

    Returns
    -------
    float

    Examples
    --------
    >>> round(erlang_c(3, 2.0), 4)
    0.4444
    """
    if servers < 1:
        raise ValueError("servers must be at least 1")
    if not 0 <= offered_load < servers:
        raise ValueError(f"offered load {offered_load} needs fewer than {servers} erlangs")
    blocking = 1.0  # Erlang B by the stable recursion B(k) = a B(k-1) / (k + a B(k-1))
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    return servers * blocking / (servers - offered_load * (1 - blocking))


@dataclass(frozen=True)
class MMc:
    """Stationary measures of an M/M/c queue (time in the unit of the rates).

    Attributes
    ----------
    utilisation : float
        ρ = λ / (c μ).
    p_wait : float
        Probability an arrival waits (Erlang C).
    mean_wait : float
        Mean time waiting for a server, Wq.
    mean_waiting : float
        Mean number waiting, Lq = λ Wq.
    mean_in_system : float
        Mean number waiting or in service, L = Lq + λ/μ.
    """

    utilisation: float
    p_wait: float
    mean_wait: float
    mean_waiting: float
    mean_in_system: float


def mmc(arrival_rate: float, mean_service: float, servers: int) -> MMc:
    """Stationary M/M/c measures from the arrival rate, mean service time and servers.

    Examples
    --------
    >>> q = mmc(arrival_rate=2.0, mean_service=1.0, servers=3)
    >>> round(q.mean_wait, 4), round(q.mean_in_system, 4)
    (0.4444, 2.8889)
    """
    offered = arrival_rate * mean_service
    p_wait = erlang_c(servers, offered)
    mean_wait = p_wait * mean_service / (servers - offered)
    waiting = arrival_rate * mean_wait
    return MMc(offered / servers, p_wait, mean_wait, waiting, waiting + offered)


def traffic_rates(external: np.ndarray, routing: np.ndarray) -> np.ndarray:
    """Solve Jackson's traffic equations λ = γ + Pᵀλ.

    Parameters
    ----------
    external : array of shape (n,)
        External arrival rate γ into each level.
    routing : array of shape (n, n)
        ``routing[i, j]`` is the probability a case leaving level i goes to level j; the rest
        of each row leaves the network.

    Examples
    --------
    >>> traffic_rates(np.array([1.0, 0.0]), np.array([[0.0, 0.5], [0.0, 0.0]])).tolist()
    [1.0, 0.5]
    """
    routing = np.asarray(routing, dtype=float)
    if (routing < 0).any() or (routing.sum(axis=1) > 1 + 1e-12).any():
        raise ValueError("routing probabilities must be non-negative and sum to at most 1")
    return np.linalg.solve(np.eye(len(external)) - routing.T, np.asarray(external, dtype=float))


def jackson_levels(
    external: np.ndarray, routing: np.ndarray, mean_service: np.ndarray, servers: np.ndarray
) -> list[MMc]:
    """Stationary measures per level of an open Jackson network of M/M/c levels.

    Examples
    --------
    >>> levels = jackson_levels([21, 0, 0, 0],
    ...                         [[0, .45, 0, 0], [0, 0, .25, 0], [0, .15, 0, .2], [0, 0, .3, 0]],
    ...                         [2, 12, 16, 26], [60, 200, 80, 40])
    >>> [round(q.mean_in_system, 1) for q in levels]
    [42.0, 118.1, 41.9, 13.6]
    """
    rates = traffic_rates(np.asarray(external, dtype=float), np.asarray(routing, dtype=float))
    return [
        mmc(float(lam), float(s), int(c))
        for lam, s, c in zip(rates, mean_service, servers, strict=True)
    ]
