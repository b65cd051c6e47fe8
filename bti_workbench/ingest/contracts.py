"""The data contracts: column specs, the one header mapping, and a pandera schema per kind.

Everything is generated from ``resources/contracts.yaml``: the schemas here, the Norwegian
and English headers the loaders accept, and ``docs/data-contracts.md`` (``make docs`` writes it).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import pandera.pandas as pa

from bti_workbench._util.resources import contracts_spec, resource
from bti_workbench._util.text import normalise_name
from bti_workbench.reference.services import service_ids

__all__ = [
    "KINDS",
    "PSEUDONYM_PATTERN",
    "column_specs",
    "contract_key",
    "contract_markdown",
    "header_mapping",
    "item_catalogue",
    "normalise_header",
    "optional_columns",
    "schema",
]

#: Contract kinds as the CLI names them (``--kind event-log``) → internal key.
KINDS: dict[str, str] = {
    "event-log": "event_log",
    "report-form-1": "report_form_1",
    "report-form-2": "report_form_2",
    "staff-survey": "staff_survey",
    "collaboration-survey": "collaboration_survey",
    "organisation": "organisation",
    "progress-plan": "progress_plan",
}

#: A pseudonym: a letter or digit, then up to 39 letters, digits, ``_``, ``.`` or ``-``.
PSEUDONYM_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}"
#: A short code or unit name (up to 80 characters), never a free text about a person.
CODE_PATTERN = r"[0-9A-Za-zÆØÅæøåÉé][0-9A-Za-zÆØÅæøåÉé _.,()/\-]{0,79}"
_DTYPES = {
    "pseudonym": "string",
    "code": "string",
    "text": "string",
    "enum": "string",
    "service": "string",
    "kommunenummer": "string",
    "int": "Int64",
    "float": "Float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "datetime": "datetime64[ns]",
}


def normalise_header(name: object) -> str:
    """Normalise a column header for matching.

    Parameters
    ----------
    name : object
        A header as the user wrote it.

    Returns
    -------
    str
        Lower case, ``æøå`` spelt out, words joined by ``_``.

    See Also
    --------
    header_mapping : Normalised headers → canonical column names.

    Examples
    --------
    >>> normalise_header(" Nivå ")
    'nivaa'
    >>> normalise_header("Aktør-ID")
    'aktor_id'
    """
    return normalise_name(name)


def contract_key(kind: str) -> str:
    """The internal key of a contract kind: ``event-log`` (as the CLI names it) → ``event_log``.

    Parameters
    ----------
    kind : str
        A kind of :data:`KINDS`, as the CLI names it or as its key.

    Returns
    -------
    str
        The key in ``resources/contracts.yaml``.

    Raises
    ------
    KeyError
        For an unknown kind.

    See Also
    --------
    KINDS : Every kind.

    Examples
    --------
    >>> contract_key("report-form-1"), contract_key("staff_survey")
    ('report_form_1', 'staff_survey')
    """
    key = KINDS.get(kind, kind.replace("-", "_"))
    if key not in contracts_spec():
        raise KeyError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    return key


def column_specs(kind: str) -> dict[str, dict]:
    """The column specs of a contract, in order.

    Parameters
    ----------
    kind : str
        A contract kind (see :func:`contract_key`).

    Returns
    -------
    dict
        Canonical column name → spec (``type``, ``nb`` header, ``required``, bounds,
        values, descriptions), as in ``resources/contracts.yaml``.

    See Also
    --------
    schema : The pandera schema built from these specs.

    Examples
    --------
    >>> column_specs("event-log")["level"]["max"]
    3
    """
    return contracts_spec()[contract_key(kind)]["columns"]


def optional_columns(kind: str) -> tuple[str, ...]:
    """The columns a file of this kind may leave out (``may_be_absent`` in the contract).

    Columns added to a contract after files were first exported are optional this way, so
    older files stay valid; an absent column is simply not in the frame that is read.

    Parameters
    ----------
    kind : str
        A contract kind (see :func:`contract_key`).

    Returns
    -------
    tuple of str
        Canonical column names, in the contract's order.

    See Also
    --------
    column_specs : Every column, with its ``may_be_absent`` flag.

    Examples
    --------
    >>> optional_columns("event-log")
    ('evaluate_by',)
    """
    return tuple(n for n, spec in column_specs(kind).items() if spec.get("may_be_absent", False))


@cache
def item_catalogue() -> pd.DataFrame:
    """The staff-survey item catalogue (index ``item``; ``header_nb, construct, text_nb, text_en``).

    Returns
    -------
    pandas.DataFrame
        One row per item, from ``resources/survey_items.csv``.

    See Also
    --------
    header_mapping : Accepts the item ids and Norwegian headers as columns.

    Examples
    --------
    >>> item_catalogue().loc["know_whom_to_contact", "text_en"]
    'I know whom to contact'
    """
    return pd.read_csv(resource("survey_items.csv"), dtype=str).set_index("item")


@cache
def header_mapping(kind: str) -> dict[str, str]:
    """Normalised header (English, Norwegian or alias) → canonical column name.

    For the staff survey, item ids and their Norwegian headers are included.

    Parameters
    ----------
    kind : str
        A contract kind (see :func:`contract_key`).

    Returns
    -------
    dict
        Normalised header → canonical column name; ``å`` may be written ``aa`` or ``a``.

    See Also
    --------
    normalise_header : How headers are normalised.

    Examples
    --------
    >>> header_mapping("event-log")["nivaa"]
    'level'
    """
    key = contract_key(kind)
    mapping: dict[str, str] = {}
    for name, spec in column_specs(key).items():
        for alias in (name, spec["nb"], *spec.get("aliases", [])):
            _register(mapping, alias, name)
    if contracts_spec()[key].get("items"):
        for item, row in item_catalogue().iterrows():
            _register(mapping, item, item)
            _register(mapping, row["header_nb"], item)
    return mapping


def _register(mapping: dict[str, str], alias: str, name: str) -> None:
    # Accept "nivå", "nivaa" and "niva" alike: å is written both ways without the letter.
    mapping[normalise_header(alias)] = name
    mapping[normalise_header(alias.replace("å", "a").replace("Å", "A"))] = name


def _column_checks(spec: dict) -> list[pa.Check]:
    kind = spec["type"]
    checks: list[pa.Check] = []
    if kind == "enum":
        checks.append(pa.Check.isin(spec["values"], name="one_of"))
    elif kind == "service":
        checks.append(pa.Check.isin(service_ids(), name="service"))
    elif kind == "pseudonym":
        checks.append(pa.Check.str_matches(f"^{PSEUDONYM_PATTERN}$", name="pseudonym"))
    elif kind == "code":
        checks.append(pa.Check.str_matches(f"^{CODE_PATTERN}$", name="code"))
    elif kind == "kommunenummer":
        checks.append(pa.Check.str_matches(r"^\d{4}$", name="kommunenummer"))
    if "min" in spec:
        checks.append(pa.Check.ge(spec["min"], name="min"))
    if "max" in spec:
        checks.append(pa.Check.le(spec["max"], name="max"))
    return checks


def _evaluate_by(df: pd.DataFrame) -> pd.Series:
    """The ``evaluate_by`` column, or an empty one when the file leaves it out."""
    if "evaluate_by" in df.columns:
        return df["evaluate_by"]
    return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")


def _row_checks(key: str) -> list[pa.Check]:
    """Rules that span columns. Each returns a boolean per row; the name is the message."""
    rules: dict[str, list[tuple[str, object]]] = {
        "event_log": [
            (
                "evaluate_by:is given on a row that is not measure_added",
                lambda df: _evaluate_by(df).isna() | (df["event"] == "measure_added").fillna(False),
            ),
            (
                "evaluate_by:is before the day the measure was added",
                lambda df: ~(_evaluate_by(df) < df["event_time"].dt.normalize()).fillna(False),
            ),
        ],
        "report_form_1": [
            (
                "staff_trained:cannot exceed the staff in the unit",
                lambda df: ~(df["staff_trained"] > df["staff_in_unit"]).fillna(False),
            ),
        ],
        "report_form_2": [
            (
                "period_end:is before the start of the period",
                lambda df: ~(df["period_end"] < df["period_start"]).fillna(False),
            ),
            (
                "parents_participating:exceeds the number of active logs",
                lambda df: (
                    ~(
                        df["parents_participating"]
                        > df[["active_level_1", "active_level_2", "active_level_3"]].sum(axis=1)
                    ).fillna(False)
                ),
            ),
        ],
        "collaboration_survey": [
            (
                "partner_service:is the same as the responding service",
                lambda df: (df["partner_service"] != df["respondent_service"]).fillna(True),
            ),
        ],
        "progress_plan": [
            (
                "done_date:is required when the status is done",
                lambda df: ~((df["status"] == "done") & df["done_date"].isna()).fillna(False),
            ),
        ],
        "organisation": [
            (
                "kind:differs between rows of the same group",
                lambda df: df.groupby("group", dropna=False)["kind"].transform("nunique") <= 1,
            ),
            (
                "meetings_per_year:differs between rows of the same group",
                lambda df: (
                    df.groupby("group", dropna=False)["meetings_per_year"].transform("nunique") <= 1
                ),
            ),
            (
                "hours_per_meeting:differs between rows of the same group",
                lambda df: (
                    df.groupby("group", dropna=False)["hours_per_meeting"].transform("nunique") <= 1
                ),
            ),
        ],
    }
    return [pa.Check(fn, name=name, element_wise=False) for name, fn in rules.get(key, [])]


@cache
def schema(kind: str) -> pa.DataFrameSchema:
    """The pandera schema of a contract, as applied to the parsed frame.

    Parameters
    ----------
    kind : str
        ``event-log``, ``report-form-1``, ``report-form-2``, ``staff-survey``,
        ``collaboration-survey``, ``organisation`` or ``progress-plan``.

    Returns
    -------
    pandera.DataFrameSchema
        Column types and checks, and the rules across columns (named ``column:message``).

    See Also
    --------
    column_specs : The specs it is built from.
    bti_workbench.ingest.readers.read : Validates every file with it.

    Examples
    --------
    >>> sorted(schema("collaboration-survey").columns)[:3]
    ['date', 'frequency', 'municipality']
    """
    key = contract_key(kind)
    columns = {
        name: pa.Column(
            _DTYPES[spec["type"]],
            checks=_column_checks(spec),
            nullable=not spec.get("required", True) or spec.get("may_be_absent", False),
            required=not spec.get("may_be_absent", False),
        )
        for name, spec in column_specs(key).items()
    }
    if contracts_spec()[key].get("items"):
        for item in item_catalogue().index:
            columns[item] = pa.Column(
                "Int64",
                checks=[pa.Check.ge(1, name="min"), pa.Check.le(5, name="max")],
                nullable=True,
                required=False,
            )
    return pa.DataFrameSchema(
        columns, checks=_row_checks(key), strict=True, name=key, ordered=False
    )


def _type_text(spec: dict, lang: str) -> str:
    kind = spec["type"]
    words = {
        "pseudonym": (
            "pseudonym (bokstaver, sifre, - _ .; ingen mellomrom)",
            "pseudonym (letters, digits, - _ .; no spaces)",
        ),
        "code": (
            "kort kode eller navn på enhet (ikke person)",
            "short code or unit name (not a person)",
        ),
        "text": ("tekst", "text"),
        "enum": ("én av", "one of"),
        "service": ("tjeneste-id", "service id"),
        "kommunenummer": ("fire sifre", "four digits"),
        "int": ("heltall", "whole number"),
        "float": ("tall (desimalkomma tillatt)", "number (decimal comma accepted)"),
        "bool": ("ja/nei", "yes/no"),
        "date": ("dato dd.mm.åååå", "date dd.mm.yyyy"),
        "datetime": ("dato og ev. klokkeslett", "date and optional time"),
    }
    text = words[kind][0 if lang == "nb" else 1]
    if kind == "enum":
        text += " " + ", ".join(f"`{v}`" for v in spec["values"])
    bounds = [b for b in (spec.get("min"), spec.get("max")) if b is not None]
    if len(bounds) == 2:
        text += f" {spec['min']}–{spec['max']}"
    elif "min" in spec:
        text += f" ≥ {spec['min']}"
    return text


def contract_markdown() -> str:
    """``docs/data-contracts.md``, generated from the contract specs.

    Returns
    -------
    str
        The page: an introduction, one section per contract (its columns, and its survey
        items or YAML form where it has them) and the service catalogue.

    See Also
    --------
    column_specs : The columns of one contract.
    item_catalogue : The survey items.

    Examples
    --------
    >>> contract_markdown().splitlines()[0]
    '# Data contracts / Datakontrakter'
    """
    lines = _intro_lines()
    for cli_kind, key in KINDS.items():
        lines += _contract_lines(cli_kind, key)
    lines += _service_lines()
    return "\n".join(lines)


def _intro_lines() -> list[str]:
    """The page's title and what every loader accepts and refuses, in English and Norwegian."""
    return [
        "# Data contracts / Datakontrakter",
        "",
        "<!-- Generated by `make docs`; edit bti_workbench/resources/contracts.yaml instead. -->",
        "",
        "Every loader `bti_workbench.ingest.readers.read_<kind>(path)` "
        "(and `bti validate PATH --kind KIND`)",
        "takes CSV (`;`, `,` or tab; UTF-8 or Windows-1252/ISO-8859-1) or XLSX, with Norwegian",
        "or English headers (matched without regard to case, spaces, hyphens or æøå), dates as",
        "dd.mm.yyyy or yyyy-mm-dd, and decimal commas. Lines starting with `#` and blank or title",
        "rows above the header are skipped. Unknown or missing columns, values out of range and",
        "duplicated rows are errors naming file, row and column; nothing is half-read. A column",
        "marked *may be left out* was added to its contract later: older files without it stay",
        "valid. Dates after the day of the import are refused, except deadlines and planned",
        "dates (marked *future allowed*).",
        "",
        "**Privacy.** Columns whose names signal a direct identifier (name, navn, fødselsnummer,",
        "personnummer, fnr, adresse, telefon, e-post, …) are refused, and so is any file holding a",
        "valid fødselsnummer or D-number in any column. Codes (events, roles, waves …) are the",
        "English ids listed; yes/no columns accept ja/nei.",
        "",
        "Alle lastere tar CSV eller XLSX med norske eller engelske kolonnenavn, datoer som",
        "dd.mm.åååå og desimalkomma. Kolonner som ser ut som direkte identifikatorer, og gyldige",
        "fødselsnumre eller D-numre, avvises. Kolonner merket *kan utelates* kom til senere;",
        "eldre filer uten dem er fortsatt gyldige. Datoer etter importdagen avvises, unntatt",
        "frister og planlagte datoer (merket *framtid tillatt*).",
        "",
    ]


def _contract_lines(cli_kind: str, key: str) -> list[str]:
    """One contract's section: what it is, its loader, its columns (and YAML form, items)."""
    spec = contracts_spec()[key]
    lines = [
        f"## `{cli_kind}` — {spec['title_en']} / {spec['title_nb']}",
        "",
        spec["about_en"],
        "",
        f"*{spec['about_nb']}*",
        "",
        f"Loader: `bti_workbench.ingest.readers.read_{key}(path)`. "
        f"Unique per row: {', '.join(f'`{c}`' for c in spec['unique'])}.",
        "",
        "| column (en) | kolonne (nb) | required | type | description (en) | beskrivelse (nb) |",
        "|---|---|---|---|---|---|",
    ]
    for name, col in spec["columns"].items():
        lines.append(
            f"| `{name}` | `{col['nb']}` | {_required_text(col)} | {_type_text(col, 'en')} | "
            f"{col['desc_en']} | {col['desc_nb']} |"
        )
    if key == "organisation":
        lines += _organisation_yaml_lines()
    if spec.get("items"):
        lines += _item_lines()
    lines.append("")
    return lines


def _required_text(spec: dict) -> str:
    """The *required* cell of a column in the docs: required, optional, may be left out."""
    if spec.get("may_be_absent", False):
        text = "no, may be left out / nei, kan utelates"
    elif spec.get("required", True):
        text = "yes / ja"
    else:
        text = "no / nei"
    if spec.get("future", False):
        text += "; future allowed / framtid tillatt"
    return text


def _organisation_yaml_lines() -> list[str]:
    """The organisation contract written as YAML, with Sirdal's shipped file named."""
    return [
        "",
        "The same contract as YAML (every key of a group or member is a column above; "
        "unknown keys are errors) / samme kontrakt som YAML:",
        "",
        "```yaml",
        'municipality: "4228"',
        'source: "where the organisation is decided"',
        "groups:",
        "  - group: driftsstyre",
        "    kind: operations_board",
        "    meetings_per_year: 10",
        "    hours_per_meeting: 1.5",
        "    members:",
        "      - {service: kindergarten, title: Enhetsleder barnehage}",
        "      - {service: school, title: Enhetsleder skole}",
        "```",
        "",
        "Shipped: `data/organisation/sirdal.yaml` (Sirdal's operating-phase organisation).",
    ]


def _item_lines() -> list[str]:
    """The survey items' table (the optional Likert columns of a survey contract)."""
    lines = [
        "",
        "Item columns (optional, Likert 1–5, blank when unanswered) / spørsmålskolonner:",
        "",
        "| item (en) | kolonne (nb) | construct | text (en) | tekst (nb) |",
        "|---|---|---|---|---|",
    ]
    for item, row in item_catalogue().iterrows():
        lines.append(
            f"| `{item}` | `{row['header_nb']}` | {row['construct']} | "
            f"{row['text_en']} | {row['text_nb']} |"
        )
    return lines


def _service_lines() -> list[str]:
    """The service catalogue: the ids of every ``service`` column."""
    lines = [
        "## Services / tjenester",
        "",
        "Service ids used in every `service` column (from `bti_workbench/resources/services.csv`):",
        "",
        "| id | nb | en | sector | scope | typical baton holder |",
        "|---|---|---|---|---|---|",
    ]
    services = pd.read_csv(resource("services.csv"), dtype=str, keep_default_na=False)
    for row in services.itertuples(index=False):
        lines.append(
            f"| `{row.id}` | {row.name_nb} | {row.name_en} | {row.sector} | {row.scope} | "
            f"{row.baton_holder_en or '—'} |"
        )
    lines.append("")
    return lines
