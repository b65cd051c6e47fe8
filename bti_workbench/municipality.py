"""A municipality: its children by single year of age and its services."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bti_workbench._resources import data_dir
from bti_workbench.population import AGE_BANDS, band_totals, read_municipalities, read_ssb_07459
from bti_workbench.services import service_ids

__all__ = ["Municipality", "default_services", "load_municipality"]

_AGES = pd.RangeIndex(0, 24, name="age")


def default_services(population: pd.Series, norms: str | Path | None = None) -> pd.DataFrame:
    """Staff FTE and BTI time share per service from staffing norms.

    Parameters
    ----------
    population : pandas.Series
        Persons by single year of age 0–23.
    norms : str or pathlib.Path, optional
        A norms file; defaults to ``data/staffing_norms.csv`` (stated assumptions).

    Returns
    -------
    pandas.DataFrame
        Index ``service``; columns ``staff_fte`` and ``bti_share``.

    Examples
    --------
    >>> pop = pd.Series(20, index=pd.RangeIndex(0, 24, name="age"))
    >>> float(default_services(pop).loc["school", "staff_fte"])
    18.18
    """
    path = Path(norms) if norms is not None else data_dir() / "staffing_norms.csv"
    table = pd.read_csv(path, comment="#")
    rows = []
    for norm in table.itertuples(index=False):
        children = float(population.loc[norm.age_from : norm.age_to].sum())
        fte = max(children / norm.children_per_fte, norm.min_fte)
        rows.append((norm.service, round(fte, 2), float(norm.bti_share)))
    frame = pd.DataFrame(rows, columns=["service", "staff_fte", "bti_share"]).set_index("service")
    unknown = set(frame.index) - set(service_ids())
    if unknown:
        raise ValueError(f"{path.name}: services not in the catalogue: {sorted(unknown)}")
    return frame


@dataclass(frozen=True)
class Municipality:
    """A municipality as the workbench models it.

    Attributes
    ----------
    kommunenummer : str
        Four-digit municipality number.
    name : str
    population : pandas.Series
        Persons by single year of age 0–23 (index ``age``).
    services : pandas.DataFrame
        Index ``service`` (catalogue id); columns ``staff_fte`` and ``bti_share``.
    population_source : str
        Where the population came from, stated in every report.
    population_exact : bool
        False when band totals were spread evenly over single years.
    """

    kommunenummer: str
    name: str
    population: pd.Series = field(repr=False)
    services: pd.DataFrame = field(repr=False)
    population_source: str = ""
    population_exact: bool = True

    def __post_init__(self) -> None:
        if not (len(self.kommunenummer) == 4 and self.kommunenummer.isdigit()):
            raise ValueError(f"kommunenummer must be four digits, not {self.kommunenummer!r}")
        if list(self.population.index) != list(_AGES):
            raise ValueError("population must be indexed by single year of age 0–23")
        missing = {"staff_fte", "bti_share"} - set(self.services.columns)
        if missing:
            raise ValueError(f"services need the columns {sorted(missing)}")
        unknown = set(self.services.index) - set(service_ids())
        if unknown:
            raise ValueError(f"services not in the catalogue: {sorted(unknown)}")

    @property
    def children(self) -> int:
        """Children and young people aged 0–23."""
        return int(self.population.sum())

    def children_by_band(self) -> pd.Series:
        """Persons per BTI age band.

        Examples
        --------
        >>> load_municipality("4228").children_by_band().tolist()
        [107, 245, 86, 96]
        """
        return band_totals(self.population)

    def bti_hours_per_week(self, hours_per_fte: float = 37.5) -> pd.Series:
        """Hours per week each service has for BTI work (FTE × share × hours per FTE)."""
        hours = self.services["staff_fte"] * self.services["bti_share"] * hours_per_fte
        return hours.rename("bti_hours_per_week")


def _spread_bands(row: pd.Series) -> pd.Series:
    """Spread band totals over single years as evenly as whole persons allow."""
    values = np.zeros(len(_AGES), dtype=np.int64)
    for band, (lo, hi) in AGE_BANDS.items():
        total = int(row[f"age_{band.replace('-', '_')}"])
        width = hi - lo + 1
        share = np.full(width, total // width, dtype=np.int64)
        share[: total % width] += 1
        values[lo : hi + 1] = share
    return pd.Series(values, index=_AGES, name="persons")


def load_municipality(
    kommunenummer: str | int,
    population_file: str | Path | None = None,
    *,
    year: int | None = None,
    services: pd.DataFrame | None = None,
) -> Municipality:
    """Load a municipality with its population and (default or given) services.

    Parameters
    ----------
    kommunenummer : str or int
        For example ``"4228"`` (Sirdal).
    population_file : str or pathlib.Path, optional
        An SSB 07459 file (exact single years). Without it, ``data/municipalities.csv`` is
        used and its 2022 band totals are spread evenly over the single years of each band.
    year : int, optional
        The year to take from an SSB file (default: the latest in the file).
    services : pandas.DataFrame, optional
        Own staffing (index service; ``staff_fte``, ``bti_share``); defaults to
        :func:`default_services`.

    Raises
    ------
    KeyError
        When the municipality is not found.

    Examples
    --------
    >>> sirdal = load_municipality("4228")
    >>> sirdal.name, sirdal.children
    ('Sirdal', 534)
    """
    knr = f"{int(kommunenummer):04d}"
    if population_file is not None:
        tidy = read_ssb_07459(population_file)
        rows = tidy[tidy["kommunenummer"] == knr]
        if rows.empty:
            raise KeyError(f"municipality {knr} is not in {Path(population_file).name}")
        chosen = int(rows["year"].max()) if year is None else int(year)
        rows = rows[(rows["year"] == chosen) & (rows["age"] <= 23)]
        if rows.empty:
            raise KeyError(f"{Path(population_file).name} has no {chosen} figures for {knr}")
        population = rows.set_index("age")["persons"].reindex(_AGES).fillna(0).astype("int64")
        name = str(rows["kommunenavn"].iloc[0])
        source = f"SSB 07459 ({chosen}), {Path(population_file).name}"
    else:
        table = read_municipalities().set_index("kommunenummer")
        if knr not in table.index:
            raise KeyError(
                f"municipality {knr} is not in data/municipalities.csv; "
                "pass an SSB 07459 file with population_file="
            )
        row = table.loc[knr]
        population = _spread_bands(row)
        name = str(row["name"])
        source = str(row["source"])
    population = population.rename("persons")
    staffing = services if services is not None else default_services(population)
    return Municipality(knr, name, population, staffing, source, population_file is not None)
