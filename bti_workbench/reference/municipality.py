"""A municipality: its children by single year of age and its services."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from bti_workbench._util.resources import data_dir
from bti_workbench.errors import PopulationFileError
from bti_workbench.reference.population import (
    AGE_BANDS,
    band_totals,
    read_municipalities,
    read_ssb_07459,
)
from bti_workbench.reference.services import service_ids

__all__ = [
    "Municipality",
    "as_kommunenummer",
    "default_services",
    "load_municipalities",
    "load_municipality",
]

_AGES = pd.RangeIndex(0, 24, name="age")


def as_kommunenummer(value: object) -> str | None:
    """A kommunenummer as four digits, or None when ``value`` is not one.

    The one reading of a municipality given by a person (an option, a manifest, a go-live
    entry): one to four ASCII digits, zero-padded. Anything else (an identity number
    included) is None, so callers can refuse it without repeating it.

    Parameters
    ----------
    value : object
        As given: ``"4228"``, ``" 301"``, ``4228``.

    Returns
    -------
    str or None
        Four digits, or None.

    See Also
    --------
    load_municipality : The municipality's figures.

    Examples
    --------
    >>> as_kommunenummer(" 301"), as_kommunenummer(4228), as_kommunenummer("01010112345")
    ('0301', '4228', None)
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    if not (1 <= len(text) <= 4 and text.isascii() and text.isdigit()):
        return None
    return text.zfill(4)


@lru_cache(maxsize=8)
def _norms(path: Path, _mtime: int) -> pd.DataFrame:
    """The norms file, read once per version of it."""
    return pd.read_csv(path, comment="#")


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

    Raises
    ------
    ValueError
        When the norms name a service not in the catalogue.

    See Also
    --------
    load_municipality : Uses these services unless given others.

    Examples
    --------
    >>> pop = pd.Series(20, index=pd.RangeIndex(0, 24, name="age"))
    >>> float(default_services(pop).loc["school", "staff_fte"])
    18.18
    """
    path = Path(norms) if norms is not None else data_dir() / "staffing_norms.csv"
    table = _norms(path.resolve(), path.stat().st_mtime_ns)
    persons = population.to_numpy(dtype=float)
    ages = population.index.to_numpy()
    rows = []
    for norm in table.itertuples(index=False):
        children = float(persons[(ages >= norm.age_from) & (ages <= norm.age_to)].sum())
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

    Returns
    -------
    Municipality
        With its population and services.

    Raises
    ------
    KeyError
        When the municipality is not found.
    bti_workbench.errors.PopulationFileError
        When the SSB file cannot be read, or has no figures for the municipality in ``year``.

    See Also
    --------
    load_municipalities : Many at once.
    bti_workbench.reference.population.read_ssb_07459 : The SSB file read.

    Examples
    --------
    >>> sirdal = load_municipality("4228")
    >>> sirdal.name, sirdal.children
    ('Sirdal', 534)
    """
    knr = f"{int(kommunenummer):04d}"
    if population_file is not None:
        tidy = read_ssb_07459(population_file)
        return _from_ssb(knr, tidy, Path(population_file).name, year, services)
    return _from_table(knr, read_municipalities().set_index("kommunenummer"), services)


def _from_ssb(
    knr: str, tidy: pd.DataFrame, filename: str, year: int | None, services: pd.DataFrame | None
) -> Municipality:
    rows = tidy[tidy["kommunenummer"] == knr]
    if rows.empty:
        raise KeyError(f"municipality {knr} is not in {filename}")
    chosen = int(rows["year"].max()) if year is None else int(year)
    rows = rows[(rows["year"] == chosen) & (rows["age"] <= 23)]
    if rows.empty:
        raise PopulationFileError(
            key="err.population.no_figures", file=filename, year=str(chosen), knr=knr
        )
    population = rows.set_index("age")["persons"].reindex(_AGES).fillna(0).astype("int64")
    name = str(rows["kommunenavn"].iloc[0])
    source = f"SSB 07459 ({chosen}), {filename}"
    return _build(knr, name, population, services, source, exact=True)


def _from_table(knr: str, table: pd.DataFrame, services: pd.DataFrame | None) -> Municipality:
    if knr not in table.index:
        raise KeyError(
            f"municipality {knr} is not in data/municipalities.csv; "
            "pass an SSB 07459 file with population_file="
        )
    row = table.loc[knr]
    return _build(
        knr, str(row["name"]), _spread_bands(row), services, str(row["source"]), exact=False
    )


def _build(
    knr: str,
    name: str,
    population: pd.Series,
    services: pd.DataFrame | None,
    source: str,
    *,
    exact: bool,
) -> Municipality:
    population = population.rename("persons")
    staffing = services if services is not None else default_services(population)
    return Municipality(knr, name, population, staffing, source, exact)


def load_municipalities(
    kommunenummer: list[str] | tuple[str, ...] | None = None,
    population_file: str | Path | None = None,
    *,
    year: int | None = None,
) -> list[Municipality]:
    """Load many municipalities, reading the population file once.

    Parameters
    ----------
    kommunenummer : sequence of str, optional
        Which ones, in this order; ``None`` for every municipality in the source.
    population_file : str or pathlib.Path, optional
        An SSB 07459 file; without it ``data/municipalities.csv``.
    year : int, optional
        The year to take from an SSB file (default: the latest for each municipality).

    Returns
    -------
    list of Municipality
        Each the same as :func:`load_municipality` gives for it.

    Raises
    ------
    KeyError
        Naming the first municipality that is not in the source.
    bti_workbench.errors.PopulationFileError
        When the SSB file cannot be read, or has no figures for a municipality in ``year``.

    See Also
    --------
    load_municipality : One municipality.

    Examples
    --------
    >>> [m.name for m in load_municipalities(["5413", "4228"])]
    ['Ibestad', 'Sirdal']
    >>> len(load_municipalities())
    15
    """
    if population_file is not None:
        tidy = read_ssb_07459(population_file)
        wanted = (
            sorted(tidy["kommunenummer"].unique())
            if kommunenummer is None
            else [f"{int(k):04d}" for k in kommunenummer]
        )
        filename = Path(population_file).name
        by_knr = dict(tuple(tidy.groupby("kommunenummer", sort=False)))
        empty = tidy.iloc[0:0]
        return [_from_ssb(k, by_knr.get(k, empty), filename, year, None) for k in wanted]
    table = read_municipalities().set_index("kommunenummer")
    wanted = (
        list(table.index) if kommunenummer is None else [f"{int(k):04d}" for k in kommunenummer]
    )
    return [_from_table(k, table, None) for k in wanted]
