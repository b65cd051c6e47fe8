"""Where the workbench finds its shipped catalogues and the project's data folder."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import yaml

__all__ = ["contracts_spec", "data_dir", "resource"]

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


def data_dir() -> Path:
    """The project's ``data/`` folder, or ``$BTI_DATA_ROOT`` when set."""
    override = os.environ.get("BTI_DATA_ROOT")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "data"


def resource(name: str) -> Path:
    return RESOURCES / name


@cache
def contracts_spec() -> dict:
    with resource("contracts.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
