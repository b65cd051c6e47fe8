"""Mapping profiles: a log tool's own export read through a data contract.

A profile is a short YAML file saying how one tool's export differs from a contract: its
headers, its codes (Norwegian event names, ``Nivå 2`` for level 2), its date format and its
decimal mark. :func:`apply_profile` maps the cells as read before the usual cell parsing, so
the rows come out exactly as from a contract file; :func:`suggest_profile` writes a starting
profile. The profiles in ``resources/profiles/`` are illustrative shapes only: a real tool's
exact columns and codes must be confirmed with the municipality. See ``docs/profiles.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from bti_workbench._util.resources import resource
from bti_workbench._util.text import normalise_name
from bti_workbench.errors import ContractError, Problem, Text
from bti_workbench.ingest.contracts import (
    KINDS,
    column_specs,
    contract_key,
    header_mapping,
    normalise_header,
)
from bti_workbench.ingest.files import (
    RawTable,
    cell_text,
    read_raw,
    read_yaml,
    refuse_identifiers,
    text_cells,
)
from bti_workbench.privacy import free_text_warnings, has_fodselsnummer, identifier_columns
from bti_workbench.reference.labels import catalogue, label
from bti_workbench.reference.services import service_ids

__all__ = [
    "PROFILES",
    "Profile",
    "apply_profile",
    "load_profile",
    "shipped_profiles",
    "suggest_profile",
]

#: The folder of the shipped (illustrative) profiles.
PROFILES = resource("profiles")

_TOP_KEYS = ("kind", "about", "columns", "values", "dates", "decimal", "ignore")
_CODE_TYPES = ("enum", "int", "service")
_LIKERT = {"type": "int", "min": 1, "max": 5}  # survey items
_MAX_CODES = 60  # more distinct values than this is not a code column
_DIRECTIVES = {"d": "day", "m": "month", "Y": "year", "y": "year2", "H": "hour", "M": "minute"}
_DIRECTIVES |= {"S": "second", "I": "hour12", "p": "ampm", "%": "percent"}
_TIMES = ("%H:%M", "%H:%M:%S", "")
# Date formats a suggestion tries, in order (day first, as Norwegian exports write dates).
_DATE_GUESSES = [
    f"{day} {time}".strip() for day in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y") for time in _TIMES
] + ["%d.%m.%Y %H.%M", "%d.%m.%y", "%Y-%m-%dT%H:%M:%S", "%d-%m-%Y"]
_SEPARATORS = " \u00a0\u202f\u2009"
_NUMBER = {
    ",": re.compile(rf"[+\-\u2212]?(?:\d{{1,3}}(?:[{_SEPARATORS}.]\d{{3}})+|\d+)(?:,\d+)?"),
    ".": re.compile(rf"[+\-\u2212]?(?:\d{{1,3}}(?:[{_SEPARATORS},]\d{{3}})+|\d+)(?:\.\d+)?"),
}
_CONTRACT_DATE = (
    r"\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d)?)?|\d{1,2}\.\d{1,2}\.\d{4}(?: \d{1,2}[:.]\d\d)?"
)
_NUMBERISH = r"\s*[+\-\u2212]?\d[\d\s.,\u00a0\u202f\u2009]*"


@dataclass(frozen=True)
class Profile:
    """How one tool's export maps onto a contract (plain data; see :func:`load_profile`).

    Attributes
    ----------
    kind : str
        The contract, as the CLI names it (``event-log`` …).
    columns : dict
        The export's header → the contract column (canonical English name).
    values : dict
        Contract column → {the export's code → the contract's code, service id or number}.
    date_formats : tuple of str
        ``strftime`` formats of the export's dates, tried in order; empty: the contract's own.
    decimal : str or None
        The export's decimal mark, ``","`` or ``"."``; None: the contract's own reading.
    ignore : tuple of str
        Headers of columns to leave out.
    about, source : str
        What the profile is for; its file name, used in messages.
    """

    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str | int]] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    decimal: str | None = None
    ignore: tuple[str, ...] = ()
    about: str = ""
    source: str = "profile"

    @property
    def headers(self) -> tuple[str, ...]:
        """Every export header the profile names (mapped or ignored)."""
        return (*self.columns, *self.ignore)


def shipped_profiles() -> dict[str, Path]:
    """The profiles shipped with the workbench, by name.

    Returns
    -------
    dict
        Name (the file's stem) → path. Illustrative shapes: confirm a real tool's columns and
        codes with the municipality.

    Examples
    --------
    >>> "stafettlogg-eksempel" in shipped_profiles()
    True
    """
    return {path.stem: path for path in sorted(PROFILES.glob("*.yaml"))}


def load_profile(path: str | Path) -> Profile:
    """Read and check a mapping profile.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML file, or the name of a shipped profile (see :func:`shipped_profiles`).

    Returns
    -------
    Profile
        The profile, every target checked against the contract.

    Raises
    ------
    ContractError
        Naming the profile file and the key path of every problem (not UTF-8, not YAML, too
        deep, an unknown key, kind or target, a bad date format …); never repeating a value.

    Examples
    --------
    >>> profile = load_profile("stafettlogg-eksempel")
    >>> profile.kind, profile.values["level"]["Nivå 2"]
    ('event-log', 2)
    """
    path = Path(path)
    shipped = shipped_profiles()
    if not path.exists() and str(path) == path.name and path.stem in shipped:
        path = shipped[path.stem]  # a bare name; a name with a folder is never looked up
    return _parse(read_yaml(path), path.name)


def _problem(name: str, where: str, message: Text) -> Problem:
    """A problem of the profile file ``name`` at key ``where`` (none: the whole file)."""
    return Problem.keyed(name, None, None, message, entry=where or None)


def _t(key: str, **fields: object) -> Text:
    """A profile message of the catalogue (``err.profile.<key>``)."""
    return Text(f"err.profile.{key}", fields)


# --- checking the document --------------------------------------------------------------------


def _shown(key: object, position: int) -> str:
    """A user's key as a key path shows it: quoted, or by position when it may identify."""
    text = str(key)
    if len(text) <= 60 and text.isprintable() and "@" not in text and not has_fodselsnummer(text):
        return text if re.fullmatch(r"[a-z][a-z0-9_]*", text) else _quoted(text)
    return f"#{position}"


def _canonical(kind_key: str, text: object) -> str | None:
    """The contract column a target names (its English name or any accepted header)."""
    return header_mapping(kind_key).get(normalise_header(text)) if isinstance(text, str) else None


def _spec(kind_key: str, column: str) -> dict:
    return column_specs(kind_key).get(column, _LIKERT)


def _parse(doc: object, name: str) -> Profile:
    """A checked :class:`Profile` from the YAML document, or every problem in it."""
    if not isinstance(doc, dict):
        raise ContractError([_problem(name, "", _t("top"))])
    unknown = [_shown(k, i) for i, k in enumerate(doc, start=1) if k not in _TOP_KEYS]
    problems = [_problem(name, k, _t("unknown_key", keys=", ".join(_TOP_KEYS))) for k in unknown]
    kind = doc.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        problems.append(_problem(name, "kind", _t("kind", kinds=", ".join(KINDS))))
        raise ContractError(problems)
    kind_key = KINDS[kind]
    about = doc.get("about") or ""
    if not isinstance(about, str):
        problems.append(_problem(name, "about", _t("about")))
    columns = _parse_columns(doc.get("columns") or {}, kind, name, problems)
    ignore = _parse_ignore(doc.get("ignore") or [], name, problems)
    if set(map(normalise_header, columns)) & set(map(normalise_header, ignore)):
        problems.append(_problem(name, "ignore", _t("mapped_and_ignored")))
    values = _parse_values(doc.get("values") or {}, kind_key, name, problems)
    formats = _parse_dates(doc.get("dates") or {}, name, problems)
    decimal = doc.get("decimal")
    if decimal not in (None, ",", "."):
        problems.append(_problem(name, "decimal", _t("decimal")))
    if problems:
        raise ContractError(problems)
    return Profile(kind, columns, values, formats, decimal, tuple(ignore), about.strip(), name)


def _header_problem(header: object, seen: dict[str, int], position: int) -> Text | None:
    """What is wrong with an export header in a profile, if anything (``seen`` is updated)."""
    if not isinstance(header, str) or not normalise_header(header):
        return _t("header_text")
    if identifier_columns([header]) or has_fodselsnummer(header):
        return _t("header_identifier")
    norm = normalise_header(header)
    if norm in seen:
        return _t("header_twice", entry=str(seen[norm]))
    seen[norm] = position
    return None


def _parse_columns(columns: object, kind: str, name: str, problems: list[Problem]) -> dict:
    if not isinstance(columns, dict):
        problems.append(_problem(name, "columns", _t("columns")))
        return {}
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    taken: dict[str, int] = {}
    for position, (header, target) in enumerate(columns.items(), start=1):
        where = f"columns.{_shown(header, position)}"
        message = _header_problem(header, seen, position)
        canonical = _canonical(KINDS[kind], target)
        if message is None and target is None:
            message = _t("column_null")
        elif message is None and canonical is None:
            message = _t("not_a_column", kind=kind, columns=", ".join(column_specs(kind)))
        elif message is None and canonical in taken:
            message = _t("column_twice", entry=str(taken[canonical]))
        if message is not None:
            problems.append(_problem(name, where, message))
            continue
        taken[canonical] = position
        out[header] = canonical
    return out


def _parse_ignore(ignore: object, name: str, problems: list[Problem]) -> list[str]:
    if not isinstance(ignore, list):
        problems.append(_problem(name, "ignore", _t("ignore")))
        return []
    seen: dict[str, int] = {}
    found = [(i, h, _header_problem(h, seen, i)) for i, h in enumerate(ignore, start=1)]
    problems += [_problem(name, f"ignore.#{i}", message) for i, _, message in found if message]
    return [header for _, header, message in found if message is None]


def _parse_values(values: object, kind_key: str, name: str, problems: list[Problem]) -> dict:
    if not isinstance(values, dict):
        problems.append(_problem(name, "values", _t("values")))
        return {}
    out: dict[str, dict[str, str | int]] = {}
    for position, (column, codes) in enumerate(values.items(), start=1):
        where = f"values.{_shown(column, position)}"
        canonical = _canonical(kind_key, column)
        kind = _spec(kind_key, canonical)["type"] if canonical else None
        if canonical is None:
            message = _t("values_not_a_column", kind=kind_key.replace("_", "-"))
        elif kind not in _CODE_TYPES:
            message = _t("values_type", type=kind)
        elif canonical in out:
            message = _t("values_twice")
        elif not isinstance(codes, dict) or not codes:
            message = _t("codes")
        else:
            out[canonical] = _parse_codes(codes, _spec(kind_key, canonical), where, name, problems)
            continue
        problems.append(_problem(name, where, message))
    return out


def _parse_codes(
    codes: dict, spec: dict, where: str, name: str, problems: list[Problem]
) -> dict[str, str | int]:
    out: dict[str, str | int] = {}
    seen: dict[str, int] = {}
    for position, (code, target) in enumerate(codes.items(), start=1):
        at = f"{where}.{_shown(code, position)}"
        text = str(code).strip()
        value, message = _parse_target(spec, target)
        if isinstance(code, bool) or not isinstance(code, str | int) or not text:
            message = _t("code_quotes")
        elif has_fodselsnummer(text):
            message = _t("code_fodselsnummer")
        elif text.casefold() in seen:
            message = _t("code_twice", entry=str(seen[text.casefold()]))
        if message is not None:
            problems.append(_problem(name, at, message))
            continue
        seen[text.casefold()] = position
        out[text] = value
    return out


def _parse_target(spec: dict, target: object) -> tuple[str | int | None, Text | None]:
    """The contract value a code maps to, or a message that never repeats it."""
    kind = spec["type"]
    if target is None:
        return None, _t("target_null")
    if kind == "enum":
        if isinstance(target, str) and target in spec["values"]:
            return target, None
        return None, _t("target_enum", values=", ".join(spec["values"]))
    if kind == "service":
        if isinstance(target, str) and target in service_ids():
            return target, None
        return None, _t("target_service")
    number = target if isinstance(target, int) and not isinstance(target, bool) else None
    if isinstance(target, str) and re.fullmatch(r"[+-]?\d{1,9}", target.strip()):
        number = int(target)
    lo, hi = spec.get("min"), spec.get("max")
    if number is None or (lo is not None and number < lo) or (hi is not None and number > hi):
        if lo is not None and hi is not None:
            return None, _t("target_between", lo=str(lo), hi=str(hi))
        return None, _t("target_number")
    return number, None


def _parse_dates(dates: object, name: str, problems: list[Problem]) -> tuple[str, ...]:
    formats = dates.get("format") if isinstance(dates, dict) and set(dates) <= {"format"} else 0
    formats = [] if formats is None else [formats] if isinstance(formats, str) else formats
    if not isinstance(formats, list):
        problems.append(_problem(name, "dates", _t("dates")))
        return ()
    for position, fmt in enumerate(formats, start=1):
        message = _format_problem(fmt)
        if message is not None:
            problems.append(_problem(name, f"dates.format.#{position}", message))
    return tuple(formats)


def _format_problem(fmt: object) -> Text | None:
    """What is wrong with a date format, if anything."""
    if not isinstance(fmt, str) or not fmt.strip():
        return _t("format_text")
    directives = re.findall(r"%(.?)", fmt)
    if set(directives) - set(_DIRECTIVES):
        return _t("format_directive")
    if not ({"d", "m"} <= set(directives) and {"Y", "y"} & set(directives)):
        return _t("format_parts")
    if "I" in directives and "p" not in directives:
        return _t("format_clock")
    try:
        dt.datetime.strptime(dt.datetime(2003, 11, 27, 13, 45, 56).strftime(fmt), fmt)
    except (ValueError, re.error):
        return _t("format_round_trip")
    return None


class _Readable(Text):
    """Date formats (field ``formats``) in messages: ``%d.%m.%Y`` → ``dd.mm.yyyy``, or-joined."""

    def render(self, lang: str = "en") -> str:
        names = {d: Text(f"err.read.date.{n}").render(lang) for d, n in _DIRECTIVES.items()}
        shown = [re.sub(r"%(.)", lambda m: names[m[1]], f) for f in self.fields["formats"]]
        join = lambda a, b: Text(self.key, {"first": a, "second": b}).render(lang)  # noqa: E731
        return functools.reduce(join, shown)


# --- applying a profile -----------------------------------------------------------------------


def apply_profile(raw: RawTable, profile: Profile) -> RawTable:
    """The cells of an export under the contract's headers and codes, ready for parsing.

    Mapped headers become the contract's column names, ignored columns are left out, others
    pass through (a contract's own header, a column the contract gained later). Codes, dates
    and numbers are mapped; a cell already holding a contract value passes through.

    Parameters
    ----------
    raw : RawTable
        The cells as read (see :func:`bti_workbench.ingest.files.read_raw`).
    profile : Profile
        A checked profile (see :func:`load_profile`) of the file's kind.

    Returns
    -------
    RawTable
        The same rows; mapped cells hold the contract's text (``2``, ``2018-01-25``, ``2.5``).

    Raises
    ------
    ContractError
        Naming file, row and the export's header of each code not in the profile's map, date
        not in its format and number not written with its decimal mark; values never shown.

    See Also
    --------
    bti_workbench.ingest.readers.read : Applies a profile right after reading the cells.
    """
    kind_key = contract_key(profile.kind)
    renames = {normalise_header(h): target for h, target in profile.columns.items()}
    ignored = {normalise_header(h) for h in profile.ignore}
    headers: list[str] = []
    columns: dict[int, pd.Series] = {}
    problems: list[Problem] = []
    for position, header in enumerate(raw.headers):
        norm = normalise_header(header)
        if header and norm in ignored:
            continue
        target = renames.get(norm) if header else None
        canonical = target or header_mapping(kind_key).get(norm)
        values = raw.cells[position]
        if canonical is not None:
            values, found = _convert(values, canonical, _spec(kind_key, canonical), profile)
            problems += [Problem.keyed(raw.source, int(row), header, text) for row, text in found]
        columns[len(headers)] = values
        headers.append(target or header)
    if problems:
        raise ContractError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    cells = pd.DataFrame(columns, index=raw.cells.index)
    return dataclasses.replace(raw, headers=headers, cells=cells)


def _convert(
    values: pd.Series, column: str, spec: dict, profile: Profile
) -> tuple[pd.Series, list[tuple[int, Text]]]:
    """One column's codes, dates and numbers in the contract's form, and the cells that fail."""
    dates = spec["type"] in ("date", "datetime") and bool(profile.date_formats)
    numbers = spec["type"] in ("int", "float") and profile.decimal is not None
    if column not in profile.values and not dates and not numbers:
        return values, []
    out = values.astype(object)
    found: list[tuple[int, Text]] = []
    if column in profile.values:
        bad = _map_codes(out, spec, profile.values[column])
        found += [(row, _t("cell_code", column=column)) for row in bad]
    if dates:
        readable = _Readable("err.read.date_or", {"formats": profile.date_formats})
        message = _t("cell_date", formats=readable)
        found += [(row, message) for row in _dates(out, values, profile.date_formats)]
    elif numbers:
        failed = {row for row, _ in found}
        message = _t("cell_number", mark=profile.decimal)
        found += [(r, message) for r in _numbers(out, profile.decimal) if r not in failed]
    if isinstance(values.dtype, pd.StringDtype):
        out = out.astype(values.dtype)
    return out, found


def _map_codes(values: pd.Series, spec: dict, codes: dict[str, str | int]) -> list[int]:
    """Map codes in place; the rows of cells neither in the map nor a contract value.

    Each distinct cell is looked at once (a column holds few codes); whole numbers pass to the
    number parser, which checks them.
    """
    lookup = {code.casefold(): str(target) for code, target in codes.items()}
    kind = spec["type"]
    allowed = set(spec["values"] if kind == "enum" else service_ids() if kind == "service" else ())
    positions, uniques = pd.factorize(values)
    mapped, fails = [], []
    for unique in uniques:
        text = cell_text(unique)
        target = lookup.get(text.casefold())
        mapped.append(unique if target is None else target)
        own = text in allowed if allowed else re.fullmatch(_NUMBERISH, text) is not None
        fails.append(target is None and not own)
    present = positions >= 0
    values.iloc[present.nonzero()[0]] = np.array(mapped, dtype=object)[positions[present]]
    failed = np.array([*fails, False])[positions]  # -1 (an empty cell) takes the last
    return [int(row) for row in values.index[failed]]


def _dates(values: pd.Series, cells: pd.Series, formats: tuple[str, ...]) -> list[int]:
    """The text ``cells`` in one of ``formats`` written into ``values`` as yyyy-mm-dd HH:MM:SS."""
    remaining = text_cells(cells)
    for fmt in formats:
        if remaining.empty:
            break
        stamps = pd.to_datetime(remaining, format=fmt, errors="coerce")
        good = stamps.dropna()
        values.loc[good.index] = good.dt.strftime("%Y-%m-%d %H:%M:%S")
        remaining = remaining[stamps.isna()]
    own = remaining.str.fullmatch(_CONTRACT_DATE).astype(bool)  # the cell parser reads these
    return [int(row) for row in remaining.index[~own]]


def _numbers(values: pd.Series, decimal: str) -> list[int]:
    """Text numbers with ``decimal`` as their mark rewritten plainly (``1234.5``), in place."""
    text = text_cells(values)
    fits = text.str.fullmatch(_NUMBER[decimal]).astype(bool)
    groups = f"[{_SEPARATORS}{'.' if decimal == ',' else ','}]"
    plain = text[fits].str.replace(groups, "", regex=True).str.replace("\u2212", "-")
    values.loc[plain.index] = plain.str.replace(",", ".") if decimal == "," else plain
    return [int(row) for row in text.index[~fits]]


# --- suggesting a profile ---------------------------------------------------------------------


def suggest_profile(
    path: str | Path, kind: str, lang: str = "nb", profile: Profile | str | Path | None = None
) -> str:
    """A starting profile (YAML text) from an export's headers and code values.

    Each header gets the contract column it names (or a guess from its words, marked
    ``guessed``), or ``null``. Each enum, service and short whole-number column lists its
    distinct values: mapped when they match the contract (or, marked ``guessed``, a name in
    the label catalogue), else ``null``. Date format and decimal mark are guessed from the
    cells. No value of a pseudonym, free-text or unmapped column is ever written, nor one
    that looks like an identifier.

    Parameters
    ----------
    path : str or pathlib.Path
        The export (CSV or XLSX).
    kind : str
        The contract it is for (``event-log`` …).
    lang : {"nb", "en"}
        The language of the comments.
    profile : Profile or path, optional
        A profile to start from: its columns, codes, dates and decimal mark are kept, and
        only what it lacks is suggested.

    Returns
    -------
    str
        The profile; :func:`load_profile` refuses it until every ``null`` is filled in.

    Raises
    ------
    ContractError
        When the file cannot be read or has no header row.
    IdentifierError
        When the file holds, or seems to hold, direct identifiers.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_demo(folder, "4228", seed=1)
    >>> text = suggest_profile(f"{folder}/event_log.csv", "event-log", lang="en")
    >>> lines = text.splitlines()
    >>> lines[5], lines[lines.index("dates:") + 1].startswith('  format: ["%Y-%m-%d %H:%M"')
    ('  "case_id": case_id', True)
    """
    path, kind = Path(path), kind.replace("_", "-")
    if kind not in KINDS:
        raise ContractError([_problem(path.name, "", _t("load_kind", kinds=", ".join(KINDS)))])
    start = load_profile(profile) if isinstance(profile, str | Path) else profile
    if start is not None and start.kind != kind:
        message = _t("other_kind", profile=start.kind, kind=kind)
        raise ContractError([_problem(start.source, "", message)])
    start = start or Profile(kind)
    raw = read_raw(path, KINDS[kind], headers=start.headers, guess_header=True)
    refuse_identifiers(raw)
    targets = _suggest_columns(raw, KINDS[kind], start)
    lines = [
        f"# {label('profile.suggest.header', lang, kind=kind)}",
        f"# {label('profile.suggest.confirm', lang)}",
        f"kind: {kind}",
        "about: " + _quoted(start.about or label("profile.suggest.about", lang)),
        "columns:",
    ]
    for header, target, note in targets:
        comment = f"  # {label(f'profile.suggest.{note}', lang)}" if note else ""
        lines.append(f"  {_quoted(header)}: {target or 'null'}{comment}")
    lines += _values_lines(raw, targets, KINDS[kind], start, lang)
    lines += _dates_lines(raw, targets, KINDS[kind], start, lang)
    lines += _decimal_lines(raw, targets, KINDS[kind], start, lang)
    ignored = f"ignore: {_quoted(list(start.ignore))}"
    return "\n".join([*lines, f"{ignored}  # {label('profile.suggest.ignore', lang)}", ""])


def _quoted(value: object) -> str:
    """A YAML scalar or flow list (JSON is YAML); æøå kept."""
    return json.dumps(value, ensure_ascii=False)


def _scalar(value: object) -> str:
    """A target as YAML: a number or a plain code bare, anything else quoted, None as null."""
    if value is None:
        return "null"
    if isinstance(value, int) or re.fullmatch(r"[a-z][a-z0-9_]*", str(value)):
        return str(value)
    return _quoted(value)


def _suggest_columns(raw: RawTable, kind_key: str, start: Profile) -> list[tuple]:
    """(header, contract column or None, note) for each header; ignored headers left out.

    The profile's and the contract's own headers first, then guesses from the words in a
    header, then from its values (the one free column they all read as).
    """
    mapping = header_mapping(kind_key)
    given = mapping | {normalise_header(h): t for h, t in start.columns.items()}
    ignored = {normalise_header(h) for h in start.ignore}
    headers = [h for h in dict.fromkeys(raw.headers) if normalise_header(h) not in ignored]
    chosen: dict[str, str] = {}
    for header in headers:
        target = given.get(normalise_header(header))
        if target is not None and target not in chosen.values():
            chosen[header] = target
    out: list[tuple] = []
    for header in headers:
        if header in chosen:
            out.append((header, chosen[header], None))
            continue
        taken = set(chosen.values())
        guess = _guess_column(normalise_header(header), mapping, taken)
        guess = guess or _guess_from_values(raw.cells[raw.headers.index(header)], kind_key, taken)
        chosen |= {header: guess} if guess else {}
        out.append((header, guess, "guessed" if guess else "unknown_column"))
    return out


def _guess_column(norm: str, mapping: dict[str, str], taken: set[str]) -> str | None:
    """The column whose longest accepted header (four letters or more) is in ``norm``."""
    hits = [(len(a), target) for a, target in mapping.items() if len(a) >= 4 and a in norm]
    longest = max((n for n, _ in hits), default=0)
    targets = {target for n, target in hits if n == longest}
    target = targets.pop() if len(targets) == 1 else None
    return None if target in taken else target


def _guess_from_values(values: pd.Series, kind_key: str, taken: set[str]) -> str | None:
    """The one free enum, date or time column that every text cell reads as (required first)."""
    text = pd.Series(text_cells(values).unique()[:500], dtype=object)
    fits = []
    for column, spec in column_specs(kind_key).items():
        if column in taken or text.empty:
            continue
        if spec["type"] in ("date", "datetime") and _date_formats(text) is not None:
            fits.append(column)
        elif spec["type"] == "enum" and len(text) <= _MAX_CODES:
            known = all(_guess_code(v, column, spec)[0] is not None for v in text)
            fits += [column] if known else []
    required = [c for c in fits if not column_specs(kind_key)[c].get("may_be_absent")]
    return (required or fits)[0] if len(required or fits) == 1 else None


def _date_formats(text: pd.Series) -> list[str] | None:
    """The guessed formats (in order) that together read every cell, or None."""
    formats = []
    for fmt in _DATE_GUESSES:
        read = pd.to_datetime(text, format=fmt, errors="coerce").notna()
        if read.any():
            formats.append(fmt)
            text = text[~read]
        if text.empty:
            return formats
    return None


def _values_lines(raw: RawTable, targets: list, kind_key: str, start: Profile, lang: str) -> list:
    """The ``values:`` block: each code column's distinct, safe values with their codes."""
    lines = ["values:"]
    for header, column, _ in targets:
        spec = _spec(kind_key, column) if column else {}
        short = spec.get("type") == "int" and spec.get("max", 99) - spec.get("min", 0) <= 20
        if not (short or spec.get("type") in ("enum", "service")):
            continue
        found = raw.cells[raw.headers.index(header)].dropna().map(cell_text)
        distinct = sorted({v for v in found if v}, key=str.casefold)
        if len(distinct) > _MAX_CODES:
            lines.append(
                f"  # {column}: {label('profile.suggest.too_many', lang, n=len(distinct))}"
            )
            continue
        safe = _safe_codes(distinct)
        entries = {code: (value, False) for code, value in start.values.get(column, {}).items()}
        known = {code.casefold() for code in entries}
        entries |= {c: _guess_code(c, column, spec) for c in safe if c.casefold() not in known}
        if spec["type"] == "int" and all(str(v) == c for c, (v, _) in entries.items()):
            continue  # plain numbers: no map needed
        lines.append(f"  {column}:  # {_one_of(spec, lang)}")
        for code, (value, guessed) in entries.items():
            note = "guessed" if guessed else "fill_in" if value is None else None
            comment = f"  # {label(f'profile.suggest.{note}', lang)}" if note else ""
            lines.append(f"    {_quoted(code)}: {_scalar(value)}{comment}")
        if len(safe) < len(distinct):
            left = label("profile.suggest.left_out", lang, n=len(distinct) - len(safe))
            lines.append(f"    # {left}")
    return lines if len(lines) > 1 else ["values: {}"]


def _one_of(spec: dict, lang: str) -> str:
    if spec["type"] == "enum":
        return label("profile.suggest.one_of", lang, values=", ".join(spec["values"]))
    if spec["type"] == "service":
        return label("profile.suggest.service", lang)
    return label("profile.suggest.whole_number", lang, lo=spec.get("min"), hi=spec.get("max"))


def _safe_codes(distinct: list[str]) -> list[str]:
    """The values that may be written into a profile: short codes, nothing like a person's."""
    frame = pd.DataFrame({"value": distinct}, dtype=object)
    flagged = {w.row for w in free_text_warnings(frame, "values", ["value"])}
    return [
        value
        for position, value in enumerate(distinct, start=1)
        if position not in flagged and not _looks_like_identifier(value)
    ]


def _looks_like_identifier(text: str) -> bool:
    """Too long, free text, an e-mail, a number of five digits or more, or a pseudonym."""
    digits = sum(ch.isdigit() for ch in text)
    pseudonym = " " not in text and digits >= 3 and any(ch.isalpha() for ch in text)
    if has_fodselsnummer(text) or "@" in text or not text.isprintable():
        return True
    return len(text) > 60 or len(text.split()) > 6 or digits >= 5 or pseudonym


def _guess_code(code: str, column: str, spec: dict) -> tuple[str | int | None, bool]:
    """(contract value, guessed) for an export's code; (None, False) when nothing fits."""
    kind = spec["type"]
    lo, hi = spec.get("min", 0), spec.get("max", 0)
    if code in (spec["values"] if kind == "enum" else service_ids() if kind == "service" else ()):
        return code, False
    if kind == "int" and re.fullmatch(r"[+-]?\d{1,9}", code) and lo <= int(code) <= hi:
        return int(code), False
    norm = normalise_name(code)
    for value, names in _names(column, spec).items():
        if norm in names:
            return value, True
    numbers = re.findall(r"\d+", code)
    if kind == "int" and len(numbers) == 1 and lo <= int(numbers[0]) <= hi:
        return int(numbers[0]), True
    return None, False


def _names(column: str, spec: dict) -> dict[str | int, set[str]]:
    """Each contract value → its names in the label catalogue (nb and en), normalised."""
    kind = spec["type"]
    if kind == "enum":
        keys = {
            v: [f"{column}.{v}", f"{column}.{v}.short", f"{column}.{v}.name"]
            for v in spec["values"]
        }
    elif kind == "service":
        keys = {v: [f"service.{v}", f"service.{v}.short"] for v in service_ids()}
    else:
        numbers = range(spec.get("min", 0), spec.get("max", 0) + 1)
        keys = {n: [f"{column}.{n}.short", f"{column}.{n}.name"] for n in numbers}
    table = catalogue()
    names: dict[str | int, set[str]] = {}
    for value, candidates in keys.items():
        texts = [str(value)] + [t for k in candidates if k in table.index for t in table.loc[k]]
        names[value] = {normalise_name(t) for t in texts}
    return names


def _text_of(raw: RawTable, targets: list, kind_key: str, types: tuple[str, ...]) -> pd.Series:
    """The distinct text cells of the mapped columns of the given types."""
    parts = [
        text_cells(raw.cells[raw.headers.index(header)])
        for header, target, _ in targets
        if target and _spec(kind_key, target)["type"] in types
    ]
    cells = pd.concat(parts) if parts else pd.Series(dtype=object)
    return pd.Series(cells.unique(), dtype=object)


def _dates_lines(raw: RawTable, targets: list, kind_key: str, start: Profile, lang: str) -> list:
    """The ``dates:`` block: the formats that read every date cell, or null."""
    text = _text_of(raw, targets, kind_key, ("date", "datetime"))
    formats = list(start.date_formats) or (_date_formats(text) if not text.empty else None)
    if formats:
        return ["dates:", f"  format: {_quoted(formats)}"]
    note = "no_dates" if text.empty else "no_date_format"
    return ["dates:", f"  format: null  # {label(f'profile.suggest.{note}', lang)}"]


def _decimal_lines(raw: RawTable, targets: list, kind_key: str, start: Profile, lang: str) -> list:
    """``decimal:`` the mark the numbers show (a separator not followed by three digits)."""
    text = _text_of(raw, targets, kind_key, ("int", "float"))
    ends = text.str.extract(r"([.,])(\d+)$").dropna() if not text.empty else None
    marks = {m for m, digits in ([] if ends is None else ends.to_numpy()) if len(digits) != 3}
    marks = {start.decimal} if start.decimal else marks
    if len(marks) == 1:
        return [f"decimal: {_quoted(marks.pop())}"]
    note = "mixed_decimal" if marks else "no_decimal"
    return [f"decimal: null  # {label(f'profile.suggest.{note}', lang)}"]
