"""Readers for the data contracts: CSV or XLSX in, a validated frame out.

Each ``read_<kind>(path)`` reads a file as users have it (Norwegian or English headers,
``;``/``,``/tab, UTF-8 or Windows-1252, dd.mm.yyyy dates, decimal commas, blank or title
rows above the header), refuses direct identifiers, parses and validates every cell against
the contract and returns the frame — or raises :class:`~bti_workbench.errors.ContractError`
listing every problem with file, row and column. Values are never echoed in messages.
Nothing is written.

:func:`read` is a short sequence of steps, each in its own module: the raw file → table
(:mod:`~bti_workbench.ingest.files`), the cell parsers (:mod:`~bti_workbench.ingest.cells`)
and the row checks (:mod:`~bti_workbench.ingest.rows`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from bti_workbench._util.resources import contracts_spec
from bti_workbench.errors import ContractError, Problem, Text
from bti_workbench.ingest.cells import parse_cells
from bti_workbench.ingest.contracts import (
    KINDS,
    column_specs,
    contract_key,
    header_mapping,
    normalise_header,
)
from bti_workbench.ingest.files import RawTable, read_raw, refuse_identifiers
from bti_workbench.ingest.profiles import Profile, apply_profile, load_profile
from bti_workbench.ingest.rows import (
    check_duplicates,
    check_event_order,
    check_items_answered,
    check_schema,
)
from bti_workbench.privacy import free_text_warnings

__all__ = [
    "read",
    "read_collaboration_survey",
    "read_event_log",
    "read_organisation",
    "read_progress_plan",
    "read_report_form_1",
    "read_report_form_2",
    "read_staff_survey",
]


def read(path: str | Path, kind: str, profile: Profile | str | Path | None = None) -> pd.DataFrame:
    """Read and validate a file of any contract kind.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV or XLSX (the organisation contract also takes YAML).
    kind : str
        One of ``event-log, report-form-1, report-form-2, staff-survey,
        collaboration-survey, organisation, progress-plan``.
    profile : Profile, str or pathlib.Path, optional
        A mapping profile (or its file, or a shipped profile's name) for a tool's own export:
        its headers, codes, dates and decimal mark are mapped to the contract before the
        cells are parsed. See :mod:`~bti_workbench.ingest.profiles`.

    Returns
    -------
    pandas.DataFrame
        Canonical (English) column names, typed; ``attrs`` holds ``source``, ``kind``,
        ``synthetic`` (true when the file says it is synthetic), ``profile`` (the profile's
        file name, or None) and ``warnings``: free text that looks like a name with an
        address, an e-mail address or a phone number, as problems naming file, row and column
        (:func:`bti_workbench.privacy.free_text_warnings`; a warning, not a refusal).

    Raises
    ------
    ContractError
        Listing every problem with file, row and column; values are never shown. A bad
        profile, or one for another kind, is named by its file and key.
    IdentifierError
        When the file holds, or seems to hold, direct identifiers (looked for in the file as
        exported, before a profile renames or leaves out a column).

    See Also
    --------
    read_event_log, read_staff_survey : The reader of one kind (one per kind).
    bti_workbench.ingest.store.import_files : Read files and keep them in the store.

    Examples
    --------
    >>> import tempfile
    >>> from bti_workbench.synthetic.demo import write_demo
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_demo(folder, "4228", seed=1)
    >>> log = read(f"{folder}/event_log.csv", "event-log")
    >>> log.attrs["synthetic"], list(log.columns[:3])
    (True, ['case_id', 'event_time', 'event'])
    """
    path = Path(path)
    kind_key = _kind_key(kind, path)
    mapping = _profile(profile, kind_key)
    raw = read_raw(path, kind_key, headers=mapping.headers if mapping else ())
    refuse_identifiers(raw)  # a profile can neither rename nor leave out an identifier
    if mapping is not None:
        _refuse_unmapped_headers(raw, mapping, kind_key)  # the columns first, then the codes
        raw = apply_profile(raw, mapping)
    chosen, problems = _map_headers(raw, kind_key, mapping is not None)
    if problems:
        raise ContractError(problems)
    frame, problems, failed = parse_cells(raw, chosen, kind_key)
    problems += _check_rows(frame, raw, kind_key, failed)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        raise ContractError(problems)
    headers = {name: raw.headers[position] for position, name in chosen.items()}
    warnings = free_text_warnings(frame, raw.source, kind=kind_key, headers=headers)
    frame = _contract_order(frame, kind_key)
    frame.attrs.update(
        source=path.name,
        kind=kind_key,
        synthetic=raw.synthetic,
        profile=mapping.source if mapping else None,
        warnings=warnings,
    )
    return frame


def _kind_key(kind: str, path: Path) -> str:
    """The contract's key for ``kind`` (``event-log`` → ``event_log``); refuses unknown kinds."""
    try:
        return contract_key(kind)
    except KeyError:
        message = Text("err.read.unknown_kind", {"kind": kind, "kinds": ", ".join(KINDS)})
        raise ContractError([Problem.keyed(path.name, None, None, message)]) from None


def _profile(profile: Profile | str | Path | None, kind_key: str) -> Profile | None:
    """The profile to read with (loaded from its file); refuses a profile of another kind."""
    if profile is None:
        return None
    chosen = profile if isinstance(profile, Profile) else load_profile(profile)
    if KINDS[chosen.kind] != kind_key:
        kind = kind_key.replace("_", "-")
        message = Text("err.read.profile_kind", {"profile": chosen.kind, "kind": kind})
        raise ContractError([Problem.keyed(chosen.source, None, None, message)])
    return chosen


def _refuse_unmapped_headers(raw: RawTable, profile: Profile, kind_key: str) -> None:
    """The header problems an export has under its profile, before any cell is converted: a
    profile that does not fit the export says which columns, not thousands of cells."""
    renames = {normalise_header(h): target for h, target in profile.columns.items()}
    ignored = {normalise_header(h) for h in profile.ignore}
    headers = [
        renames.get(normalise_header(h)) or h
        for h in raw.headers
        if not (h and normalise_header(h) in ignored)
    ]
    _, problems = _map_headers(dataclasses.replace(raw, headers=headers), kind_key, True)
    if problems:
        raise ContractError(problems)


def _map_headers(
    raw: RawTable, kind_key: str, profiled: bool = False
) -> tuple[dict[int, str], list[Problem]]:
    mapping = header_mapping(kind_key)
    specs = column_specs(kind_key)
    kind = kind_key.replace("_", "-")
    unknown = Text(
        "err.read.unknown_column_profiled" if profiled else "err.read.unknown_column",
        {"kind": kind},
    )
    problems: list[Problem] = []
    chosen: dict[int, str] = {}
    seen: dict[str, str] = {}
    for position, header in enumerate(raw.headers):
        if not header:
            problems.append(
                Problem.keyed(
                    raw.source, None, f"#{position + 1}", Text("err.read.column_no_header")
                )
            )
            continue
        canonical = mapping.get(normalise_header(header))
        if canonical is None:
            problems.append(Problem.keyed(raw.source, None, header, unknown))
        elif canonical in seen:
            same = Text("err.read.same_column", {"header": seen[canonical], "column": canonical})
            problems.append(Problem.keyed(raw.source, None, header, same))
        else:
            chosen[position] = canonical
            seen[canonical] = header
    for name, spec in specs.items():
        if name not in seen and not spec.get("may_be_absent", False):  # added to it later
            missing = Text("err.read.missing_column", {"header": spec["nb"]})
            problems.append(Problem.keyed(raw.source, None, name, missing))
    return chosen, problems


def _check_rows(
    frame: pd.DataFrame, raw: RawTable, kind_key: str, failed: set[tuple[int, str]]
) -> list[Problem]:
    """The row checks of the contract; the event order only for a log without other problems."""
    problems: list[Problem] = []
    if contracts_spec()[kind_key].get("items"):
        problems += check_items_answered(frame, raw)
    problems += check_schema(frame, raw, kind_key, failed)
    problems += check_duplicates(frame, raw, kind_key)
    if kind_key == "event_log" and not problems:
        problems += check_event_order(frame, raw)
    return problems


def _contract_order(frame: pd.DataFrame, kind_key: str) -> pd.DataFrame:
    """Columns in the contract's order (survey items after), numbered from 0."""
    ordered = [c for c in column_specs(kind_key) if c in frame.columns]
    ordered += [c for c in frame.columns if c not in ordered]
    return frame[ordered].reset_index(drop=True)


def _reader(kind: str) -> Callable[..., pd.DataFrame]:
    def reader(path: str | Path, profile: Profile | str | Path | None = None) -> pd.DataFrame:
        return read(path, kind, profile)

    key = KINDS[kind]
    reader.__name__ = f"read_{key}"
    reader.__doc__ = (
        f"Read and validate a {kind} file (CSV or XLSX"
        f"{', or YAML' if key == 'organisation' else ''}).\n\n"
        "See :func:`read` for the parameters, the result and the errors, and\n"
        f"``docs/data-contracts.md`` for the columns.\n"
    )
    return reader


read_event_log = _reader("event-log")
read_report_form_1 = _reader("report-form-1")
read_report_form_2 = _reader("report-form-2")
read_staff_survey = _reader("staff-survey")
read_collaboration_survey = _reader("collaboration-survey")
read_organisation = _reader("organisation")
read_progress_plan = _reader("progress-plan")
