"""One catalogue of user-facing text in Norwegian bokmål (default) and English.

Notebooks, reports, the CLI's tables and dashboards all read their labels here. The catalogue joins
``resources/labels.csv`` with the names held by the other shipped catalogues (services,
survey items, contract columns), so each text is written once.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from bti_workbench._util.resources import contracts_spec, resource

__all__ = ["catalogue", "label", "languages"]


@cache
def languages() -> tuple[str, ...]:
    """The catalogue's languages: the columns of ``labels.csv`` after ``key``, default first.

    The shipped catalogue holds Norwegian bokmål (``nb``, the default) and English (``en``).
    A third language, such as nynorsk (``nn``), is a new column in ``labels.csv`` (and,
    where wanted, ``name_nn`` in ``services.csv``, ``text_nn`` in ``survey_items.csv`` and
    ``label_nn`` in ``contracts.yaml``): no code changes. An empty cell in it falls back to
    the default language, so a translation can grow row by row.

    Returns
    -------
    tuple of str
        E.g. ``("nb", "en")``.

    See Also
    --------
    label : One text in one of these languages.

    Examples
    --------
    >>> languages()[:2]
    ('nb', 'en')
    """
    with resource("labels.csv").open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    if header[:1] != ["key"] or len(header) < 2:
        raise ValueError("labels.csv must start with the columns key,nb,...")
    return tuple(header[1:])


def _named(frame: pd.DataFrame, key: pd.Series, column: str) -> pd.DataFrame:
    """Catalogue rows from a name table: ``{column}_{lang}`` per language, empty if absent."""
    texts = {
        lang: frame[f"{column}_{lang}"] if f"{column}_{lang}" in frame.columns else ""
        for lang in languages()
    }
    return pd.DataFrame({"key": key, **texts})


@cache
def catalogue() -> pd.DataFrame:
    """The whole catalogue: index ``key``, a column per language (``nb``, ``en``, ...).

    Returns
    -------
    pandas.DataFrame
        ``labels.csv`` joined with the names of services, survey items, contracts and their
        columns (keys ``service.<id>``, ``item.<id>``, ``contract.<kind>``,
        ``column.<kind>.<name>``).

    Raises
    ------
    ValueError
        When a key is defined twice.

    See Also
    --------
    label : One text, with its fields filled in.

    Examples
    --------
    >>> catalogue().loc["level.2.name", "en"]
    'Level 2 – simple collaboration'
    """
    rows = pd.read_csv(resource("labels.csv"), dtype=str, keep_default_na=False)
    parts = [rows]
    services = pd.read_csv(resource("services.csv"), dtype=str, keep_default_na=False)
    parts.append(_named(services, "service." + services["id"], "name"))
    items = pd.read_csv(resource("survey_items.csv"), dtype=str, keep_default_na=False)
    parts.append(_named(items, "item." + items["item"], "text"))
    for kind, spec in contracts_spec().items():
        parts.append(
            pd.DataFrame(
                [
                    {"key": f"contract.{kind}"}
                    | {lang: spec.get(f"title_{lang}", "") for lang in languages()}
                ]
                + [
                    {"key": f"column.{kind}.{name}"}
                    | {lang: col.get(f"label_{lang}", "") for lang in languages()}
                    for name, col in spec["columns"].items()
                ]
            )
        )
    table = pd.concat(parts, ignore_index=True)
    duplicated = table["key"][table["key"].duplicated()].tolist()
    if duplicated:
        raise ValueError(f"label keys defined twice: {duplicated}")
    return table.set_index("key")


def label(key: str, lang: str = "nb", **values: object) -> str:
    """Return the text for ``key`` in ``lang``, with its ``{fields}`` filled in.

    Parameters
    ----------
    key : str
        A catalogue key such as ``"level.0.name"`` or ``"service.ppt"``.
    lang : str
        One of :func:`languages`: ``"nb"`` (Norwegian bokmål, the default) or ``"en"``.
    **values
        Values for the fields, e.g. ``k=5``.

    Returns
    -------
    str
        The text.

    Raises
    ------
    KeyError
        For an unknown key or language, so a missing label is found in tests, not by users.

    See Also
    --------
    catalogue : Every key and its texts.

    Examples
    --------
    >>> label("role.baton_holder")
    'Stafettholder'
    >>> label("suppression.primary", "en", k=5)
    '<5'
    """
    if lang not in languages():
        raise KeyError(f"unknown language {lang!r}; use one of {languages()}")
    text = catalogue().loc[key, lang] or catalogue().loc[key, languages()[0]]
    return text.format(**values) if values else text
