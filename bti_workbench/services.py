"""The catalogue of services a municipality has, shipped as data."""

from __future__ import annotations

from functools import cache

import pandas as pd

from bti_workbench._resources import resource

__all__ = ["SCOPES", "SECTORS", "service_catalogue", "service_ids"]

SECTORS = ("upbringing", "health", "welfare", "specialist_state", "administration")
SCOPES = ("municipal", "intermunicipal", "specialist", "state")


@cache
def _catalogue() -> pd.DataFrame:
    frame = pd.read_csv(resource("services.csv"), dtype=str, keep_default_na=False)
    bad_sector = set(frame["sector"]) - set(SECTORS)
    bad_scope = set(frame["scope"]) - set(SCOPES)
    if bad_sector or bad_scope:
        raise ValueError(f"services.csv: unknown sector {bad_sector} or scope {bad_scope}")
    return frame.set_index("id")


def service_catalogue() -> pd.DataFrame:
    """The service catalogue.

    Returns
    -------
    pandas.DataFrame
        Index ``id``; columns ``name_nb, name_en, sector, scope, baton_holder_nb,
        baton_holder_en`` (the role that typically holds the baton; empty when the service
        rarely does).

    Examples
    --------
    >>> service_catalogue().loc["ppt", "scope"]
    'intermunicipal'
    """
    return _catalogue().copy()


def service_ids() -> tuple[str, ...]:
    """The ids of all catalogued services.

    Examples
    --------
    >>> "child_welfare" in service_ids()
    True
    """
    return tuple(_catalogue().index)
