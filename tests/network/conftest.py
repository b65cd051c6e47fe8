"""A hand-written event log shared by the graph and question tests."""

from __future__ import annotations

import pandas as pd
import pytest

ROWS = [
    # case, time, event, level, service, role
    ("C1", "2018-01-02", "log_opened", 1, "kindergarten", "baton_holder"),
    ("C1", "2018-02-01", "meeting_held", 2, "kindergarten", "baton_holder"),
    ("C1", "2018-02-01", "meeting_held", 2, "ppt", "participant"),
    ("C1", "2018-02-01", "meeting_held", 2, "kindergarten", "parent"),
    ("C1", "2018-04-01", "baton_handover", 2, "school", "baton_holder"),
    ("C2", "2018-01-05", "log_opened", 1, "school", "baton_holder"),
    ("C2", "2018-03-01", "meeting_held", 3, "school", "baton_holder"),
    ("C2", "2018-03-01", "meeting_held", 3, "ppt", "participant"),
    ("C2", "2018-03-01", "meeting_held", 3, "child_welfare", "participant"),
    ("C2", "2018-05-01", "log_closed", 3, "school", "baton_holder"),
    ("C3", "2018-06-01", "log_opened", 1, "school", "baton_holder"),
    ("C3", "2018-06-20", "entry_added", 1, "school_health", "participant"),
]


@pytest.fixture
def log():
    frame = pd.DataFrame(
        ROWS, columns=["case_id", "event_time", "event", "level", "service", "role"]
    )
    frame["event_time"] = pd.to_datetime(frame["event_time"])
    return frame
