"""Random numbers for the compiled engine: small counter-based streams (SplitMix64).

A stream is one 64-bit state kept in an array cell. A draw adds the golden-ratio increment to
the state and mixes the result with SplitMix64's finaliser (Steele, Lea and Flood, 2014, the
generator that seeds the xoshiro family; it passes TestU01's BigCrush). A new stream's state
is a mix of a key and a label, so every replication, every class's arrivals and every case
has a stream of its own, and a case draws the same numbers whatever happens to other cases
(common random numbers between options).

All functions are compiled with numba and called from the engine's kernel
(:mod:`bti_workbench.simulation.engines._kernel`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = [
    "ERLANG",
    "EXPONENTIAL",
    "LOGNORMAL",
    "duration",
    "exponential",
    "normal",
    "quantile",
    "substream",
    "uniform",
]

#: Codes of the duration distributions, in the order of
#: :data:`bti_workbench.simulation.scenario.types.DISTRIBUTIONS`.
EXPONENTIAL, ERLANG, LOGNORMAL = 0, 1, 2

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53: 53 random bits to a float in [0, 1)
_S12 = np.uint64(12)
_TWO52 = 4503599627370496.0
_TO_UNIT52 = 1.0 / _TWO52
# AS 241's polynomials, highest power first.
_CENTRAL_TOP = (
    2509.0809287301226727,
    33430.575583588128105,
    67265.770927008700853,
    45921.953931549871457,
    13731.693765509461125,
    1971.5909503065514427,
    133.14166789178437745,
    3.387132872796366608,
)
_CENTRAL_BOTTOM = (
    5226.495278852545925,
    28729.085735721942674,
    39307.89580009271061,
    21213.794301586595867,
    5394.1960214247511077,
    687.1870074920579083,
    42.313330701600911252,
    1.0,
)
_NEAR_TOP = (
    7.7454501427834140764e-4,
    0.0227238449892691845833,
    0.24178072517745061177,
    1.27045825245236838258,
    3.64784832476320460504,
    5.7694972214606914055,
    4.6303378461565452959,
    1.42343711074968357734,
)
_NEAR_BOTTOM = (
    1.05075007164441684324e-9,
    5.475938084995344946e-4,
    0.0151986665636164571966,
    0.14810397642748007459,
    0.68976733498510000455,
    1.6763848301838038494,
    2.05319162663775882187,
    1.0,
)
_FAR_TOP = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    0.0012426609473880784386,
    0.026532189526576123093,
    0.29656057182850489123,
    1.7848265399172913358,
    5.4637849111641143699,
    6.6579046435011037772,
)
_FAR_BOTTOM = (
    2.04426310338993978564e-15,
    1.4215117583164458887e-7,
    1.8463183175100546818e-5,
    7.868691311456132591e-4,
    0.0148753612908506148525,
    0.13692988092273580531,
    0.59983220655588793769,
    1.0,
)


@nb.njit(cache=True, inline="always", _nrt=False)
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@nb.njit(cache=True, inline="always", _nrt=False)
def substream(key: np.uint64, label: np.int64, index: np.int64) -> np.uint64:
    """The starting state of stream ``(label, index)`` under ``key`` (a replication's)."""
    inner = _mix(np.uint64(label) * _GOLDEN + np.uint64(index))
    return _mix(key ^ inner)


@nb.njit(cache=True, inline="always", _nrt=False)
def _advance(states: np.ndarray, i: np.int64) -> np.uint64:
    s = states[i] + _GOLDEN
    states[i] = s
    return s


@nb.njit(cache=True, inline="always", _nrt=False)
def uniform(states: np.ndarray, i: np.int64) -> float:
    """A uniform draw in [0, 1) from stream ``states[i]`` (which it advances)."""
    return float(_mix(_advance(states, i)) >> _S11) * _TO_UNIT


@nb.njit(cache=True, inline="always", _nrt=False)
def exponential(states: np.ndarray, i: np.int64) -> float:
    """An exponential draw of mean 1 from stream ``states[i]``."""
    return -np.log1p(-uniform(states, i))


@nb.njit(cache=True, _nrt=False)
def duration(states: np.ndarray, i: np.int64, code: np.int64, a: float, b: float) -> float:
    """A stay in weeks from stream ``states[i]``.

    ``code`` is :data:`EXPONENTIAL` (mean ``a``), :data:`ERLANG` (mean ``a``, ``b`` phases)
    or :data:`LOGNORMAL` (``a`` and ``b`` the mean and σ of the logarithm).
    """
    if code == EXPONENTIAL:
        return a * exponential(states, i)
    if code == ERLANG:
        k = np.int64(b)
        total = 0.0
        for _ in range(k):
            total += exponential(states, i)
        return total * a / k
    return np.exp(a + b * normal(states, i))


@nb.njit(cache=True, inline="always", _nrt=False)
def normal(states: np.ndarray, i: np.int64) -> float:
    """A standard normal draw from stream ``states[i]``, by inversion of one uniform.

    The uniform is ``(k + 0.5) / 2**52`` for 52 random bits ``k``, so it is never 0 or 1
    and its complement is exact.
    """
    k = float(_mix(_advance(states, i)) >> _S12)
    p = (k + 0.5) * _TO_UNIT52
    return quantile(p - 0.5, p if p < 0.5 else (_TWO52 - k - 0.5) * _TO_UNIT52)


@nb.njit(cache=True, inline="always", _nrt=False)
def quantile(q: float, tail: float) -> float:
    """The standard normal quantile of ``p = 0.5 + q``; ``tail`` is ``min(p, 1 - p)``.

    Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988), accurate to about
    1e-16: a rational function of ``q`` in the centre, of ``sqrt(-log(tail))`` in the tails.
    """
    if abs(q) <= 0.425:
        return q * _rational(0.180625 - q * q, _CENTRAL_TOP, _CENTRAL_BOTTOM)
    r = np.sqrt(-np.log(tail))
    if r <= 5.0:
        value = _rational(r - 1.6, _NEAR_TOP, _NEAR_BOTTOM)
    else:
        value = _rational(r - 5.0, _FAR_TOP, _FAR_BOTTOM)
    return -value if q < 0 else value


@nb.njit(cache=True, inline="always", _nrt=False)
def _rational(r: float, top: tuple, bottom: tuple) -> float:
    """``top(r) / bottom(r)``, polynomials given highest power first (Horner's rule)."""
    numerator = 0.0
    for c in top:
        numerator = numerator * r + c
    denominator = 0.0
    for c in bottom:
        denominator = denominator * r + c
    return numerator / denominator
