"""Synthetic demo data: every contract for one municipality, consistent with each other."""

from bti_workbench.synthetic.demo import (
    DEMO_FILES,
    DEMO_STORE,
    DemoAssumptions,
    generate_demo,
    write_demo,
    write_demo_store,
)

__all__ = [
    "DEMO_FILES",
    "DEMO_STORE",
    "DemoAssumptions",
    "generate_demo",
    "write_demo",
    "write_demo_store",
]
