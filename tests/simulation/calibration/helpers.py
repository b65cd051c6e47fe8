"""Shared by the calibration tests: scenarios, a hand-made log and error measures."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bti_workbench._util.resources import data_dir

__all__ = [
    "FIVE_YEARS",
    "HAND_PERIOD",
    "HAND_POPULATION",
    "SCENARIOS",
    "SIRDAL",
    "TROMSO",
    "Z95",
    "_absorbed_in_child_welfare",
    "_hand_log",
    "_z",
]

SCENARIOS = data_dir() / "scenarios"
TROMSO, SIRDAL = SCENARIOS / "tromso.yaml", SCENARIOS / "sirdal.yaml"
# 260 weeks from Monday 7 January 2019 end on Sunday 31 December 2023.
FIVE_YEARS = ("2019-01-07", "2023-12-31")
Z95 = 1.959964


def _z(estimate: float, low: float, high: float, truth: float) -> float:
    """Distance from the truth in standard errors read off the 95 % interval."""
    return abs(estimate - truth) / ((high - low) / (2 * Z95))


def _absorbed_in_child_welfare(scenario) -> float:
    """P(a new concern ends with a report), from the scenario: B = (I − Q)⁻¹ r, row 0."""
    cw = np.array([lv.child_welfare for lv in scenario.levels])
    return float(np.linalg.solve(np.eye(4) - scenario.routing(), cw)[0])


def _hand_log() -> pd.DataFrame:
    rows = [
        # A: concern, up after 1 week, log closed 2 weeks later.
        ("A", "2020-01-06", "concern_raised", 0, "kindergarten", "0-5"),
        ("A", "2020-01-13", "level0_decision", 0, "kindergarten", "0-5"),
        ("A", "2020-01-13", "level_changed", 1, "kindergarten", "0-5"),
        ("A", "2020-01-13", "log_opened", 1, "kindergarten", "0-5"),
        ("A", "2020-01-27", "log_closed", 1, "kindergarten", "0-5"),
        # B: reported to child welfare at its level-0 decision after 2 weeks.
        ("B", "2020-01-06", "concern_raised", 0, "school", "6-15"),
        ("B", "2020-01-20", "level0_decision", 0, "school", "6-15"),
        ("B", "2020-01-20", "report_to_child_welfare", 0, "school", "6-15"),
        # C: up after 1 week, up again after 2, still open at level 2.
        ("C", "2020-01-13", "concern_raised", 0, "school", "6-15"),
        ("C", "2020-01-20", "level0_decision", 0, "school", "6-15"),
        ("C", "2020-01-20", "level_changed", 1, "school", "6-15"),
        ("C", "2020-02-03", "level_changed", 2, "school", "6-15"),
        ("C", "2020-02-10", "meeting_held", 2, "ppt", "6-15"),
        # D: a concern in pregnancy, still at level 0 at the end.
        ("D", "2020-01-20", "concern_raised", 0, "health_station", "prenatal"),
        # E: closed at level 0 after 1 week; a second concern while open is no new case.
        ("E", "2020-01-27", "concern_raised", 0, "school", "6-15"),
        ("E", "2020-01-29", "concern_raised", 0, "school", "6-15"),
        ("E", "2020-02-03", "level0_decision", 0, "school", "6-15"),
        # F: already at level 1 when the export began; closed in the period.
        ("F", "2019-12-30", "log_opened", 1, "school", "6-15"),
        ("F", "2020-01-13", "log_closed", 1, "school", "6-15"),
        # G: a concern after the period.
        ("G", "2020-02-20", "concern_raised", 0, "school", "6-15"),
    ]
    log = pd.DataFrame(
        rows, columns=["case_id", "event_time", "event", "level", "service", "age_band"]
    )
    log["event_time"] = pd.to_datetime(log["event_time"])
    return log


HAND_POPULATION = {"0-5": 1000, "6-15": 2000, "16-19": 500, "20-23": 500}
HAND_PERIOD = ("2020-01-06", "2020-02-16")  # six weeks
