"""Checks shared by the simulation tests."""

from __future__ import annotations

from bti_workbench.simulation.analysis import littles_law


def assert_littles_law(result, tolerance=0.03):
    """L = λW on every level of every replication (small levels to within one case)."""
    both = littles_law(result)
    big = both["L"] > 5
    gap = (both["L"] - both["lambda_W"]).abs()
    assert (gap[big] <= tolerance * both["L"][big]).all(), both[big][
        gap[big] > tolerance * both["L"][big]
    ]
    assert (gap[~big] <= 1.0).all(), both[~big][gap[~big] > 1.0]
