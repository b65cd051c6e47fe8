"""Synthetic data: demo data for every contract of one municipality, consistent with each
other, and event logs whose cases follow a scenario exactly."""

from bti_workbench.synthetic.cases import DemoAssumptions
from bti_workbench.synthetic.demo import (
    DEMO_FILES,
    DEMO_STORE,
    generate_demo,
    write_demo,
    write_demo_store,
)
from bti_workbench.synthetic.event_log import event_log_from_scenario
from bti_workbench.synthetic.stores import default_store

__all__ = [
    "DEMO_FILES",
    "DEMO_STORE",
    "DemoAssumptions",
    "default_store",
    "event_log_from_scenario",
    "generate_demo",
    "write_demo",
    "write_demo_store",
]
