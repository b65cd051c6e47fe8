"""The catalogue of services a municipality has, shipped as data."""

from __future__ import annotations

from functools import cache

import pandas as pd

from bti_workbench._util.numbers import format_number, format_share
from bti_workbench._util.resources import resource
from bti_workbench.reference.labels import label

__all__ = ["SCOPES", "SECTORS", "service_catalogue", "service_ids", "services_overview"]

#: The sectors a service belongs to (``sector`` in the catalogue), in display order.
SECTORS = ("upbringing", "health", "welfare", "specialist_state", "administration")
#: Who runs a service (``scope`` in the catalogue).
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

    See Also
    --------
    service_ids : Only the ids.
    services_overview : A municipality's services as a labelled table.

    Examples
    --------
    >>> service_catalogue().loc["ppt", "scope"]
    'intermunicipal'
    """
    return _catalogue().copy()


def service_ids() -> tuple[str, ...]:
    """The ids of all catalogued services.

    Returns
    -------
    tuple of str
        In catalogue order.

    See Also
    --------
    service_catalogue : The whole catalogue.

    Examples
    --------
    >>> "child_welfare" in service_ids()
    True
    """
    return tuple(_catalogue().index)


def services_overview(
    services: pd.DataFrame, lang: str = "nb", hours_per_fte: float = 37.5
) -> pd.DataFrame:
    """A municipality's services as a labelled table for people to read.

    Parameters
    ----------
    services : pandas.DataFrame
        Columns ``service, staff_fte, bti_share`` (or index ``service``).
    lang : {"nb", "en"}
        The language of the headers and names.
    hours_per_fte : float
        Working hours per week of one FTE.

    Returns
    -------
    pandas.DataFrame
        Service, sector, scope, staff (FTE), BTI share and BTI hours per week, under
        labelled headers.

    See Also
    --------
    service_catalogue : The names, sectors and scopes.

    Examples
    --------
    >>> t = services_overview(pd.DataFrame({"service": ["ppt"], "staff_fte": [2.0],
    ...                                     "bti_share": [0.2]}), "en")
    >>> t.iloc[0, [0, 2, 4]].tolist()
    ['Educational-psychological service (PPT)', 'Intermunicipal', '20 %']
    """
    frame = services.set_index("service") if "service" in services.columns else services
    rows = frame.join(_catalogue(), how="left")
    return pd.DataFrame(
        {
            label("ui.service", lang): [label(f"service.{s}", lang) for s in rows.index],
            label("ui.sector", lang): [label(f"sector.{s}", lang) for s in rows["sector"]],
            label("ui.scope", lang): [label(f"scope.{s}", lang) for s in rows["scope"]],
            label("ui.staff_fte", lang): [format_number(v, lang, 1) for v in rows["staff_fte"]],
            label("ui.bti_share", lang): [format_share(v, lang) for v in rows["bti_share"]],
            label("ui.bti_hours", lang): [
                format_number(v, lang, 1)
                for v in rows["staff_fte"] * rows["bti_share"] * hours_per_fte
            ],
        }
    ).reset_index(drop=True)
