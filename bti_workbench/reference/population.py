"""Population of children and young people from Statistics Norway (SSB) table 07459.

Reads the table as users download it from the statbank (CSV in ISO-8859-1 or UTF-8, CRLF or
LF, with or without the title line, ``;`` or tab separated, one column per year) and as the
SSB API serves it (JSON-stat2). The result is always one tidy frame with the columns
``year, kommunenummer, kommunenavn, age, persons``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd

from bti_workbench._util.resources import data_dir
from bti_workbench._util.text import decode_text
from bti_workbench.errors import PopulationFileError, TextDecodeError, os_reason

__all__ = [
    "AGE_BANDS",
    "age_band",
    "band_totals",
    "by_band",
    "read_municipalities",
    "read_ssb_07459",
]

#: The BTI age bands (inclusive bounds) used across the workbench.
AGE_BANDS: dict[str, tuple[int, int]] = {
    "0-5": (0, 5),
    "6-15": (6, 15),
    "16-19": (16, 19),
    "20-23": (20, 23),
}

_REGION = re.compile(r"^\s*(?:K-)?(\d{4})\s+(.+?)\s*$")
_AGE = re.compile(r"^\s*(\d{1,3})\+?\s*(?:years?|år)?(?:\s+(?:or older|eller eldre))?\s*$", re.I)
_YEAR = re.compile(r"(\d{4})")
_TIDY_COLUMNS = ["year", "kommunenummer", "kommunenavn", "age", "persons"]


def age_band(age: int) -> str | None:
    """Return the BTI age band of an age, or None outside 0–23.

    Parameters
    ----------
    age : int
        Age in whole years.

    Returns
    -------
    str or None
        A key of :data:`AGE_BANDS`.

    See Also
    --------
    band_totals : Persons per band.

    Examples
    --------
    >>> age_band(7)
    '6-15'
    """
    for band, (lo, hi) in AGE_BANDS.items():
        if lo <= age <= hi:
            return band
    return None


def band_totals(persons_by_age: pd.Series) -> pd.Series:
    """Sum persons by single year of age (index = age) into the BTI age bands.

    Parameters
    ----------
    persons_by_age : pandas.Series
        Persons, indexed by single year of age.

    Returns
    -------
    pandas.Series
        Persons per band of :data:`AGE_BANDS`, in their order.

    See Also
    --------
    by_band : The same for a tidy SSB frame.

    Examples
    --------
    >>> band_totals(pd.Series(10, index=range(30))).tolist()
    [60, 100, 40, 40]
    """
    return pd.Series(
        {band: int(persons_by_age.loc[lo:hi].sum()) for band, (lo, hi) in AGE_BANDS.items()},
        name="persons",
    ).rename_axis("age_band")


def _decode(raw: bytes, source: str) -> str:
    try:
        return decode_text(raw)
    except TextDecodeError as exc:
        raise PopulationFileError(
            key="err.population.encoding", file=source, line=str(exc.line)
        ) from exc


#: Why a file cannot be read, in the catalogue's words (others keep the system's English).
def _parse_age(label: str) -> int | None:
    match = _AGE.match(label)
    return int(match.group(1)) if match else None


def _age_from_category(code: str, labels: dict) -> int | None:
    # SSB codes ages "000", "001", … "105+"; fall back on the label ("7 år").
    age = _parse_age(str(code).lstrip("0") or "0")
    return age if age is not None else _parse_age(str(labels.get(code, "")))


def _read_ssb_csv(text: str, source: str) -> pd.DataFrame:
    lines = text.splitlines()
    header_at = None
    for i, line in enumerate(lines[:10]):
        first = re.split(r"[;\t,]", line.lower(), maxsplit=1)[0].strip().strip('"')
        if first == "region":
            header_at = i
            break
    if header_at is None:
        raise PopulationFileError(key="err.population.no_header", file=source)
    header = lines[header_at]
    delimiter = "\t" if header.count("\t") >= header.count(";") else ";"
    if header.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])), delimiter=delimiter)
    rows = list(reader)
    head, body = rows[0], rows[1:]
    names = [name.strip().lower() for name in head]
    age_at = next((j for j, n in enumerate(names) if n in ("age", "alder")), None)
    if age_at is None:
        raise PopulationFileError(key="err.population.no_age", file=source, line=str(header_at + 1))
    year_columns = [(j, _YEAR.search(name)) for j, name in enumerate(head) if _YEAR.search(name)]
    if not year_columns:
        raise PopulationFileError(
            key="err.population.no_year", file=source, line=str(header_at + 1)
        )
    # Any further dimension (sex, …) is summed over, as SSB's own totals are.
    records = []
    for offset, row in enumerate(body):
        line_no = header_at + 2 + offset
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(head):
            raise PopulationFileError(
                key="err.population.fields",
                file=source,
                line=str(line_no),
                count=str(len(row)),
                expected=str(len(head)),
            )
        region = _REGION.match(row[0])
        if region is None:
            continue  # Svalbard, the continental shelf and "unknown" have no municipality number
        age = _parse_age(row[age_at])
        if age is None:
            raise PopulationFileError(
                key="err.population.not_age", file=source, line=str(line_no), column=head[age_at]
            )
        for j, year in year_columns:
            cell = row[j].strip()
            if cell in {"..", ".", ":", "-", ""}:
                persons = pd.NA
            elif cell.isdigit():
                persons = int(cell)
            else:
                raise PopulationFileError(
                    key="err.population.not_count", file=source, line=str(line_no), column=head[j]
                )
            records.append((int(year.group(1)), region.group(1), region.group(2), age, persons))
    if not records:
        raise PopulationFileError(key="err.population.no_rows", file=source)
    return _sum_other_dimensions(pd.DataFrame.from_records(records, columns=_TIDY_COLUMNS))


def _sum_other_dimensions(frame: pd.DataFrame) -> pd.DataFrame:
    """Sum over dimensions other than year, region and age; a missing part makes the sum NA."""
    keys = ["year", "kommunenummer", "kommunenavn", "age"]
    if not frame.duplicated(keys).any():
        return frame
    frame = frame.assign(persons=frame["persons"].astype("Int64"))
    grouped = frame.groupby(keys, as_index=False, sort=False)["persons"]
    summed = grouped.sum(min_count=1)
    complete = grouped.count()["persons"] == grouped.size()["size"]
    summed["persons"] = summed["persons"].where(complete.to_numpy(), pd.NA)
    return summed[_TIDY_COLUMNS]


def _dimension_role(dataset: dict, candidates: tuple[str, ...], role: str) -> str | None:
    roles = dataset.get("role", {}).get(role, [])
    if roles:
        return roles[0]
    for dim in dataset["id"]:
        if dim.lower() in candidates:
            return dim
    return None


def _read_jsonstat2(payload: dict, source: str) -> pd.DataFrame:
    if payload.get("class") != "dataset" or "id" not in payload or "size" not in payload:
        raise PopulationFileError(key="err.population.not_jsonstat", file=source)
    ids, sizes = payload["id"], payload["size"]
    region_dim = _dimension_role(payload, ("region",), "geo")
    time_dim = _dimension_role(payload, ("tid", "time", "year"), "time")
    age_dim = next((d for d in ids if d.lower() in ("alder", "age")), None)
    if not (region_dim and time_dim and age_dim):
        raise PopulationFileError(key="err.population.dimensions", file=source)
    categories = []
    for dim in ids:
        cat = payload["dimension"][dim]["category"]
        index = cat.get("index")
        if isinstance(index, dict):
            codes = sorted(index, key=index.get)
        elif isinstance(index, list):
            codes = list(index)
        else:
            codes = list(cat.get("label", {}))
        categories.append((codes, cat.get("label", {})))
        if len(codes) != sizes[ids.index(dim)]:
            raise PopulationFileError(
                key="err.population.categories",
                file=source,
                dimension=dim,
                count=str(len(codes)),
                size=str(sizes[ids.index(dim)]),
            )
    for dim in ids:
        role = payload.get("role", {})
        if (dim in role.get("metric", []) or dim.lower() == "contentscode") and len(
            categories[ids.index(dim)][0]
        ) > 1:
            raise PopulationFileError(key="err.population.statistic", file=source)
    values = payload.get("value", [])
    total = 1
    for size in sizes:
        total *= size
    if isinstance(values, dict):
        dense: list = [None] * total
        for key, val in values.items():
            dense[int(key)] = val
        values = dense
    if len(values) != total:
        raise PopulationFileError(
            key="err.population.values", file=source, count=str(len(values)), total=str(total)
        )
    index = pd.MultiIndex.from_product([c[0] for c in categories], names=ids)
    frame = pd.Series(values, index=index, dtype="object").rename("persons").reset_index()
    labels = dict(zip(ids, (c[1] for c in categories), strict=True))
    frame["kommunenummer"] = frame[region_dim].astype(str).str.replace("K-", "", regex=False)
    frame["kommunenavn"] = frame[region_dim].map(labels[region_dim]).fillna("")
    frame["kommunenavn"] = frame["kommunenavn"].str.replace(r"^\d{4}\s+", "", regex=True)
    time_codes = categories[ids.index(time_dim)][0]
    if not all(re.fullmatch(r"\d{4}", str(code)) for code in time_codes):
        raise PopulationFileError(key="err.population.years", file=source)
    frame["year"] = frame[time_dim].astype(str).str.extract(_YEAR, expand=False).astype(int)
    age_labels = labels[age_dim]
    frame["age"] = frame[age_dim].map(lambda code: _age_from_category(code, age_labels))
    if frame["age"].isna().any():
        raise PopulationFileError(key="err.population.ages", file=source)
    frame = frame[frame["kommunenummer"].str.fullmatch(r"\d{4}")]
    persons = pd.to_numeric(frame["persons"], errors="coerce")
    bad = persons.notna() & ((persons < 0) | (persons % 1 != 0))
    bad |= persons.isna() & frame["persons"].notna()
    if bad.any():
        raise PopulationFileError(
            key="err.population.not_counts", file=source, count=str(int(bad.sum()))
        )
    frame = frame.assign(persons=persons.astype("Int64"))[_TIDY_COLUMNS]
    # Sum over any further dimension the user selected (sex …).
    return _sum_other_dimensions(frame)


def read_ssb_07459(path: str | Path) -> pd.DataFrame:
    """Read SSB table 07459 (population by region and single year of age).

    Parameters
    ----------
    path : str or pathlib.Path
        A statbank CSV download (``;`` or tab, ISO-8859-1 or UTF-8, with or without title
        line) or a JSON-stat2 file from SSB's API.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, kommunenummer, kommunenavn, age, persons``, one row per municipality,
        year and age. Regions without a municipality number (Svalbard, the continental shelf,
        unknown) are left out. Counts SSB marks as missing are ``<NA>``.

    Raises
    ------
    PopulationFileError
        With the file and line when the file is not table 07459.

    See Also
    --------
    by_band : The result summed over the age bands.
    bti_workbench.reference.municipality.load_municipality : A municipality from this file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "07459.csv"
    >>> _ = path.write_text('"region";"age";"Persons 2022"\\n"K-4228 Sirdal";"0 years";21\\n',
    ...                     encoding="latin-1")
    >>> read_ssb_07459(path).to_dict("records")
    [{'year': 2022, 'kommunenummer': '4228', 'kommunenavn': 'Sirdal', 'age': 0, 'persons': 21}]
    """
    path = Path(path)
    source = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PopulationFileError(
            key="err.population.unreadable", file=source, reason=os_reason(exc)
        ) from exc
    text = _decode(raw, source)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            payload = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise PopulationFileError(
                key="err.population.json", file=source, line=str(exc.lineno)
            ) from exc
        frame = _read_jsonstat2(payload, source)
    else:
        frame = _read_ssb_csv(text, source)
    frame = frame.astype({"year": "int64", "age": "int64", "persons": "Int64"})
    return frame.sort_values(["year", "kommunenummer", "age"]).reset_index(drop=True)


def by_band(population: pd.DataFrame, kommunenummer: str | None = None) -> pd.DataFrame:
    """Sum a tidy population frame over the BTI age bands 0–5, 6–15, 16–19, 20–23.

    Parameters
    ----------
    population : pandas.DataFrame
        Output of :func:`read_ssb_07459`.
    kommunenummer : str, optional
        Keep one municipality.

    Returns
    -------
    pandas.DataFrame
        One row per year and municipality, one column per band and ``total`` (0–23);
        ``<NA>`` where an age in the band is missing in the file.

    See Also
    --------
    read_ssb_07459 : The frame summed here.
    band_totals : The same for one series of persons by age.

    Examples
    --------
    >>> pop = pd.DataFrame({"year": 2022, "kommunenummer": "4228", "kommunenavn": "Sirdal",
    ...                     "age": range(24), "persons": 10})
    >>> by_band(pop)["total"].tolist()
    [240]
    """
    frame = population
    if kommunenummer is not None:
        frame = frame[frame["kommunenummer"] == str(kommunenummer)]
    frame = frame[frame["age"] <= 23].assign(band=lambda f: f["age"].map(age_band))
    keys = ["year", "kommunenummer", "kommunenavn", "band"]
    grouped = frame.assign(persons=frame["persons"].astype("Int64")).groupby(keys)["persons"]
    # A band with a missing age is missing, not smaller: never count a gap as zero.
    sums = grouped.sum(min_count=1).where(grouped.count() == grouped.size())
    table = sums.unstack("band").reindex(columns=list(AGE_BANDS)).astype("Int64")
    table["total"] = table.sum(axis=1, skipna=False).astype("Int64")
    table.columns.name = None
    return table.reset_index()


def read_municipalities(path: str | Path | None = None) -> pd.DataFrame:
    """Read the shipped municipality table (2022 age bands with their source).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Defaults to ``data/municipalities.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kommunenummer, name, year, total, age_0_5, age_6_15, age_16_19, age_20_23,
        source``.

    See Also
    --------
    bti_workbench.reference.municipality.load_municipalities : Municipalities from it.

    Examples
    --------
    >>> m = read_municipalities()
    >>> int(m.set_index("kommunenummer").loc["4228", "age_6_15"])
    245
    """
    path = Path(path) if path is not None else data_dir() / "municipalities.csv"
    return pd.read_csv(path, dtype={"kommunenummer": str}, comment="#")
