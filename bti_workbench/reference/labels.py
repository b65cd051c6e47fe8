"""One catalogue of user-facing text in Norwegian bokmål (default) and English.

Notebooks, reports, the CLI's tables and dashboards all read their labels here. The catalogue joins
``resources/labels.csv`` with the names held by the other shipped catalogues (services,
survey items, contract columns), so each text is written once.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from bti_workbench._util.resources import contracts_spec, resource

__all__ = ["LANGUAGES", "catalogue", "label"]

#: The languages of the catalogue: Norwegian bokmål (the default) and English.
LANGUAGES = ("nb", "en")


@cache
def catalogue() -> pd.DataFrame:
    """The whole catalogue: index ``key``, columns ``nb`` and ``en``.

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
    parts.append(
        pd.DataFrame(
            {
                "key": "service." + services["id"],
                "nb": services["name_nb"],
                "en": services["name_en"],
            }
        )
    )
    items = pd.read_csv(resource("survey_items.csv"), dtype=str, keep_default_na=False)
    parts.append(
        pd.DataFrame(
            {"key": "item." + items["item"], "nb": items["text_nb"], "en": items["text_en"]}
        )
    )
    for kind, spec in contracts_spec().items():
        parts.append(
            pd.DataFrame(
                [{"key": f"contract.{kind}", "nb": spec["title_nb"], "en": spec["title_en"]}]
                + [
                    {"key": f"column.{kind}.{name}", "nb": col["label_nb"], "en": col["label_en"]}
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
    lang : {"nb", "en"}
        Norwegian bokmål (default) or English.
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
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}; use one of {LANGUAGES}")
    text = catalogue().loc[key, lang]
    return text.format(**values) if values else text
