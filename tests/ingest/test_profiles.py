"""Mapping profiles: a tool's own export (its headers, codes, dates and decimal mark) read
through a profile gives exactly the rows of the contract file."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from bti_workbench.errors import ContractError, IdentifierError
from bti_workbench.ingest.contracts import column_specs
from bti_workbench.ingest.profiles import (
    Profile,
    apply_profile,
    load_profile,
    shipped_profiles,
    suggest_profile,
)
from bti_workbench.ingest.readers import read

FILES = {"event-log": "event_log.csv", "report-form-1": "report_form_1.csv"}
FILES |= {"report-form-2": "report_form_2.csv"}

# The stafettlogg example as a tool would write it: written out here, not derived from the
# profile, so the test also checks what the shipped profile says.
STAFETT_HEADERS = {
    "case_id": "Saksreferanse",
    "event_time": "Registrert",
    "event": "Hendelsestype",
    "level": "BTI-nivå",
    "service": "Tjenesteområde",
    "role": "Rolle i saken",
    "actor_id": "Bruker-ID",
    "age_band": "Alderstrinn",
}
STAFETT_EVENTS = {
    "concern_raised": "Bekymring meldt",
    "level0_decision": "Beslutning på nivå 0",
    "log_opened": "Stafettlogg opprettet",
    "consent_given": "Samtykke gitt",
    "consent_expired": "Samtykke utløpt",
    "level_changed": "Nivå endret",
    "meeting_held": "Møte holdt",
    "measure_added": "Tiltak lagt inn",
    "measure_evaluated": "Tiltak evaluert",
    "baton_handover": "Stafettpinnen overlevert",
    "entry_added": "Innførsel i loggen",
    "report_to_child_welfare": "Bekymringsmelding til barnevernet",
    "log_closed": "Stafettlogg avsluttet",
}
STAFETT_CODES = {
    "event": STAFETT_EVENTS,
    "level": {str(n): f"Nivå {n}" for n in range(4)},
    "service": {"school": "Skole", "school_health": "Skolehelsetjeneste", "ppt": "PPT"},
    "role": {"baton_holder": "Stafettholder", "participant": "Deltaker", "parent": "Foresatt"},
    "age_band": {"prenatal": "Gravid", "0-5": "0–5 år", "6-15": "6–15 år", "16-19": "16–19 år"},
}


def _contract_rows(demo_dir: Path, kind: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = (demo_dir / FILES[kind]).read_text(encoding="utf-8").splitlines()
    rows = list(csv.DictReader([line for line in lines if not line.startswith("#")]))
    return list(rows[0]), rows


def _set_cells(path: Path, changes: dict[tuple[int, str], str]) -> None:
    """Change cells of a semicolon CSV: (row as the user sees it, header) → new text."""
    rows = list(csv.reader(path.read_bytes().decode("cp1252").splitlines(), delimiter=";"))
    for (row, header), value in changes.items():
        rows[row - 1][rows[0].index(header)] = value
    _write_csv(path, rows[0], rows[1:])


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1252"))  # as Excel saves "CSV (semikolon)"
    return path


def _norwegian_date(value: str, kind: str) -> str:
    """dd.mm.yyyy HH:MM, or dd.mm.yyyy for a date or a time at midnight."""
    if not value:
        return value
    stamp = pd.Timestamp(value)
    with_time = kind == "datetime" and stamp != stamp.normalize()
    return stamp.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def _stafett_export(demo_dir: Path, path: Path) -> Path:
    """The demo event log as the illustrative Stafettloggen-like export writes it."""
    header, rows = _contract_rows(demo_dir, "event-log")
    specs = column_specs("event-log")
    out = []
    for row in rows:
        cells = [
            _norwegian_date(value, specs[name]["type"])
            if specs.get(name, {}).get("type") in ("date", "datetime")
            else STAFETT_CODES.get(name, {}).get(value, value)  # others pass through
            for name, value in row.items()
        ]
        out.append([*cells, "01.06.2024"])
    tool_header = [STAFETT_HEADERS.get(name, name) for name in header]
    return _write_csv(path, [*tool_header, "Eksportert"], out)


def test_tool_export_reads_as_the_contract_file(demo_dir, tmp_path):
    """The issue's profile test: own headers, Norwegian event and level names, dd.mm.yyyy."""
    path = _stafett_export(demo_dir, tmp_path / "stafettlogg-eksport.csv")
    text = path.read_bytes().decode("cp1252")
    assert "Bekymring meldt" in text and "Nivå 2" in text and "event_time" not in text
    expected = read(demo_dir / "event_log.csv", "event-log")
    got = read(path, "event-log", profile="stafettlogg-eksempel")
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["profile"] == "stafettlogg-eksempel.yaml"
    with pytest.raises(ContractError, match="no header row found"):
        read(path, "event-log")  # without the profile no header is known


def test_spreadsheet_export_with_real_dates(demo_dir, tmp_path):
    """XLSX: dates as spreadsheet dates pass untouched, codes as text are mapped."""
    csv_path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    lines = csv_path.read_bytes().decode("cp1252").splitlines()
    rows = list(csv.reader(lines, delimiter=";"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Eksport fra loggverktøyet"])
    sheet.append(rows[0])
    time_at = rows[0].index("Registrert")
    for row in rows[1:]:
        stamp = pd.to_datetime(row[time_at], dayfirst=True)
        sheet.append([stamp.to_pydatetime() if i == time_at else c for i, c in enumerate(row)])
    book.save(tmp_path / "eksport.xlsx")
    got = read(tmp_path / "eksport.xlsx", "event-log", profile="stafettlogg-eksempel")
    expected = read(demo_dir / "event_log.csv", "event-log")
    pd.testing.assert_frame_equal(got, expected)


def _inverse(profile: Profile) -> dict[str, dict[str, str]]:
    """Contract value → the profile's (first) code for it, per column."""
    inverse: dict[str, dict[str, str]] = {}
    for column, codes in profile.values.items():
        for code, value in codes.items():
            inverse.setdefault(column, {}).setdefault(str(value), code)
    return inverse


def _format_for(profile: Profile, value: str, kind: str) -> str:
    stamp = pd.Timestamp(value)
    timed = kind == "datetime" and stamp != stamp.normalize()
    usable = [f for f in profile.date_formats if ("%H" in f) == timed] or profile.date_formats
    return stamp.strftime(usable[0])


def _export_for(profile: Profile, demo_dir: Path, path: Path) -> Path:
    """The demo file of the profile's kind written with its headers, codes, dates and decimal."""
    header, rows = _contract_rows(demo_dir, profile.kind)
    specs = column_specs(profile.kind)
    to_tool = {target: tool for tool, target in profile.columns.items()}
    inverse = _inverse(profile)
    out = []
    for row in rows:
        cells = []
        for name, value in row.items():
            kind = specs.get(name, {}).get("type")
            if value and kind in ("date", "datetime") and profile.date_formats:
                value = _format_for(profile, value, kind)
            elif value and kind == "float" and profile.decimal == ",":
                value = value.replace(".", ",")
            cells.append(inverse.get(name, {}).get(value, value))
        out.append(cells + [""] * len(profile.ignore))
    return _write_csv(path, [to_tool.get(h, h) for h in header] + list(profile.ignore), out)


@pytest.mark.parametrize("name", sorted(shipped_profiles()))
def test_every_shipped_profile_reads_its_shape(demo_dir, tmp_path, name):
    profile = load_profile(name)
    assert "confirm" in profile.about.lower()  # each says plainly it is illustrative
    text = shipped_profiles()[name].read_text(encoding="utf-8")
    assert "ILLUSTRATIVE EXAMPLE" in text and "must be confirmed with" in " ".join(text.split())
    path = _export_for(profile, demo_dir, tmp_path / f"{name}.csv")
    expected = read(demo_dir / FILES[profile.kind], profile.kind)
    pd.testing.assert_frame_equal(read(path, profile.kind, profile), expected)


def test_report_form_2_decimal_comma_and_answer_texts(demo_dir, tmp_path):
    """A decimal comma with thousands points, and usefulness written as answer texts."""
    profile = load_profile("rapportskjema-2-eksempel")
    path = _export_for(profile, demo_dir, tmp_path / "skjema.csv")
    text = path.read_bytes().decode("cp1252")
    assert "5 – svært nyttig" in text and ";0,50;" in text
    edited = text.replace(";0,50;", ";1.234,50;", 1)
    path.write_bytes(edited.encode("cp1252"))
    got = read(path, "report-form-2", profile)
    row = got.index[got["hours_used"] == 1234.5]
    assert len(row) == 1  # "1.234,50" with a decimal comma is 1234.5, not 1.2345
    point = load_profile("rapportskjema-2-eksempel")
    point = Profile(**{**point.__dict__, "decimal": "."})
    with pytest.raises(ContractError) as caught:
        read(path, "report-form-2", point)
    assert "not a number written with the profile's decimal mark '.'" in str(caught.value)
    assert "1.234,50" not in str(caught.value)


def test_an_unmapped_code_names_file_row_and_column_not_the_value(demo_dir, tmp_path):
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    _set_cells(path, {(4, "Hendelsestype"): "Hemmelig hendelse Q7", (6, "BTI-nivå"): "Nivå null"})
    with pytest.raises(ContractError) as caught:
        read(path, "event-log", "stafettlogg-eksempel")
    assert str(caught.value).splitlines() == [
        "eksport.csv, row 4, column 'Hendelsestype': value not in the profile's map for event",
        "eksport.csv, row 6, column 'BTI-nivå': value not in the profile's map for level",
    ]


def test_a_date_outside_the_profile_format_is_named(demo_dir, tmp_path):
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    _set_cells(path, {(3, "Registrert"): "2018/31/01 10:45"})
    with pytest.raises(ContractError) as caught:
        read(path, "event-log", "stafettlogg-eksempel")
    assert str(caught.value) == (
        "eksport.csv, row 3, column 'Registrert': not a date in the profile's format "
        "(dd.mm.yyyy HH:MM or dd.mm.yyyy)"
    )
    _set_cells(path, {(3, "Registrert"): "2018-01-25 10:45"})  # the contract's own form
    assert read(path, "event-log", "stafettlogg-eksempel")["event_time"].notna().all()


def test_a_profile_cannot_hide_an_identifier(demo_dir, tmp_path):
    """An ignored column is still looked at; a profile cannot map an identifier column."""
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    text = path.read_bytes().decode("cp1252").replace(";Eksportert", ";Barnets navn", 1)
    path.write_bytes(text.encode("cp1252"))
    profile = load_profile("stafettlogg-eksempel")
    with pytest.raises(IdentifierError, match="'Barnets navn' looks like a direct identifier"):
        read(path, "event-log", Profile(**{**profile.__dict__, "ignore": ("Eksportert",)}))
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: event-log\nignore: [Barnets navn]\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"bad.yaml, key ignore.#1: signals a direct"):
        load_profile(bad)


def test_a_profile_of_another_kind_is_refused(demo_dir):
    with pytest.raises(ContractError) as caught:
        read(demo_dir / "report_form_2.csv", "report-form-2", "stafettlogg-eksempel")
    assert str(caught.value) == (
        "stafettlogg-eksempel.yaml: is a profile for event-log, not for report-form-2"
    )


def test_contract_headers_and_codes_pass_through(demo_dir):
    """A contract file read with a profile is read the same (new codes and columns too)."""
    expected = read(demo_dir / "event_log.csv", "event-log")
    pd.testing.assert_frame_equal(
        read(demo_dir / "event_log.csv", "event-log", "stafettlogg-eksempel"), expected
    )


BAD_PROFILES = {
    "target.yaml": (
        b"kind: event-log\ncolumns:\n  Sak: cse_id_Q7\n",
        'target.yaml, key columns."Sak": is not a column of event-log',
    ),
    "yaml.yaml": (b"kind: event-log\ncolumns: {Sak: case_id_Q7\n", "yaml.yaml: line 3"),
    "utf16.yaml": (
        "kind: event-log\ncolumns: {Sak: cse_id_Q7}\n".encode("utf-16-le"),
        "utf16.yaml: holds NUL characters",
    ),
    "deep.yaml": (
        b"kind: event-log\nvalues: " + b"[" * 5000 + b"Q7",
        "deep.yaml: line 2, column 40: nested more than",
    ),
    "tag.yaml": (b"kind: !!python/object/apply:os.system [Q7]\n", "tag.yaml: line 1"),
    "list.yaml": (b"- kind: event-log\n- Q7\n", "list.yaml: expected a mapping"),
    "kind.yaml": (b"kind: Q7-log\n", "kind.yaml, key kind: must be one of event-log"),
    "codes.yaml": (
        b"kind: event-log\nvalues:\n  actor_id: {A1: Q7}\n",
        "codes.yaml, key values.actor_id: codes are mapped only in enum",
    ),
    "code.yaml": (
        b"kind: event-log\nvalues:\n  event: {Bekymring: concern_Q7}\n",
        'code.yaml, key values.event."Bekymring": is not a code of the column',
    ),
    "level.yaml": (
        "kind: event-log\nvalues:\n  level: {Nivå 7: 7, Nivå 1: Q7}\n".encode(),
        'level.yaml, key values.level."Nivå 7": must be a whole number from 0 to 3',
    ),
    "date.yaml": (
        b"kind: event-log\ndates: {format: '%d.%m %Q7'}\n",
        "date.yaml, key dates.format.#1: uses a directive",
    ),
    "decimal.yaml": (b"kind: event-log\ndecimal: 'Q7'\n", "decimal.yaml, key decimal: must be"),
    "fnr.yaml": (
        b"kind: event-log\ncolumns: {'01010750160': case_id}\n",
        "fnr.yaml, key columns.#1: signals a direct identifier",
    ),
    "missing.yaml": (None, "missing.yaml: file not found"),
}


@pytest.mark.parametrize("name", sorted(BAD_PROFILES))
def test_a_bad_profile_names_its_file_and_key_never_the_value(tmp_path, demo_dir, name):
    content, expected = BAD_PROFILES[name]
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    for profile_of in (load_profile, lambda p: read(demo_dir / "event_log.csv", "event-log", p)):
        with pytest.raises(ContractError) as caught:
            profile_of(path)
        message = str(caught.value)
        assert message.startswith(name) and expected in message, message
        assert "Q7" not in message and "01010750160" not in message
        assert "Traceback" not in message


def test_nulls_are_named_until_filled_in(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        'kind: event-log\ncolumns:\n  "Sak": null\nvalues:\n  event:\n    "Møte": null\n',
        encoding="utf-8",
    )
    with pytest.raises(ContractError) as caught:
        load_profile(path)
    assert str(caught.value).splitlines() == [
        'p.yaml, key columns."Sak": no contract column given (null): give one, or list the '
        "header under ignore",
        'p.yaml, key values.event."Møte": no contract value given (null): fill it in, or '
        "remove the line",
    ]


def _fill(
    text: str, columns: dict[str, str], codes: dict[str, dict[str, object]], ignore: tuple = ()
) -> str:
    """The suggested profile with its nulls filled in (every null must be one of these)."""
    doc = yaml.safe_load(text)
    doc["columns"] = {h: t for h, t in doc["columns"].items() if h not in ignore}
    doc["ignore"] = [*doc["ignore"], *ignore]
    for header, target in doc["columns"].items():
        doc["columns"][header] = target or columns[header]
    for column, entries in doc["values"].items():
        for code, value in entries.items():
            entries[code] = value if value is not None else codes[column][code]
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def test_suggest_fill_and_read_an_event_log(demo_dir, tmp_path):
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    text = suggest_profile(path, "event-log", lang="en")
    lines = text.splitlines()
    assert lines[0].startswith("# A suggested mapping profile for event-log")
    assert "must be confirmed with the municipality" in lines[1]
    suggested = yaml.safe_load(text)
    assert suggested["columns"]["Saksreferanse"] is None  # pseudonyms: nothing to go by
    assert suggested["columns"]["Hendelsestype"] == "event"  # from the header's words
    assert suggested["columns"]["Registrert"] == "event_time"  # from its values
    assert suggested["columns"]["Alderstrinn"] == "age_band"  # from its values
    assert suggested["values"]["event"]["Bekymring meldt"] == "concern_raised"
    assert suggested["values"]["level"]["Nivå 2"] == 2
    assert suggested["dates"]["format"] == ["%d.%m.%Y %H:%M", "%d.%m.%Y"]
    log = read(demo_dir / "event_log.csv", "event-log")
    for pseudonym in {*log["case_id"], *log["actor_id"]}:
        assert pseudonym not in text  # no value of a pseudonym column is ever written
    filled = tmp_path / "filled.yaml"
    columns = {"Saksreferanse": "case_id", "Bruker-ID": "actor_id"}
    filled.write_text(_fill(text, columns, {}, ignore=("Eksportert",)), encoding="utf-8")
    pd.testing.assert_frame_equal(read(path, "event-log", filled), log)


def test_suggest_fill_and_read_report_form_1(demo_dir, tmp_path):
    """report-form-1 with question headers, Norwegian service names and one name of its own."""
    header, rows = _contract_rows(demo_dir, "report-form-1")
    tool = {
        "municipality": "Kommune",
        "unit": "Enhet (kode)",
        "service": "Tjenesteområde",
        "superuser_id": "Superbruker",
        "report_date": "Rapportdato",
        "staff_in_unit": "Antall ansatte",
        "staff_trained": "Ansatte som har fått opplæring",
    }
    names = {"kindergarten": "Barnehage", "health_station": "Helsestasjon", "school": "Oppvekst"}
    out = []
    for row in rows:
        row = row | {"service": names.get(row["service"], row["service"])}
        out.append(
            list((row | {"report_date": _norwegian_date(row["report_date"], "date")}).values())
        )
    path = _write_csv(tmp_path / "skjema1.csv", [tool.get(h, h) for h in header], out)
    text = suggest_profile(path, "report-form-1", lang="nb")
    suggested = yaml.safe_load(text)
    assert text.startswith("# Forslag til kartleggingsprofil for report-form-1")
    assert suggested["columns"]["Tjenesteområde"] == "service"
    assert suggested["columns"]["Superbruker"] is None
    assert suggested["values"]["service"]["Barnehage"] == "kindergarten"  # a catalogue name
    assert suggested["values"]["service"]["Oppvekst"] is None  # not one: left to fill in
    assert suggested["dates"]["format"] == ["%d.%m.%Y"]
    for row in rows:  # no pseudonym, no free text
        assert row["superuser_id"] not in text
        assert not row["barriers"] or row["barriers"] not in text
    columns = {tool[c]: c for c in ("municipality", "unit", "superuser_id", "staff_in_unit")}
    columns |= {tool["staff_trained"]: "staff_trained"}
    filled = tmp_path / "profil.yaml"
    filled.write_text(_fill(text, columns, {"service": {"Oppvekst": "school"}}), encoding="utf-8")
    expected = read(demo_dir / "report_form_1.csv", "report-form-1")
    pd.testing.assert_frame_equal(read(path, "report-form-1", filled), expected)


def test_suggest_writes_no_identifier_like_value(demo_dir, tmp_path):
    """Values that look like contact details or pseudonyms stay out of a code column's list."""
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    role = "Rolle i saken"
    changes = {(3, role): "kari.nordmann@example.no", (4, role): "Ola Nordmann, Storgata 12"}
    _set_cells(path, changes | {(5, role): "Ab12345"})
    text = suggest_profile(path, "event-log", lang="en")
    assert "kari" not in text and "Nordmann" not in text and "Ab12345" not in text
    assert "3 values left out: they look like identifiers or free text" in text


def test_suggest_starts_from_a_profile(demo_dir, tmp_path):
    """With a profile, its mappings are kept and only a new code is left to fill in."""
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    _set_cells(path, {(3, "Hendelsestype"): "Undring meldt"})
    text = suggest_profile(path, "event-log", lang="en", profile="stafettlogg-eksempel")
    suggested = yaml.safe_load(text)
    assert suggested["columns"]["Saksreferanse"] == "case_id"
    assert suggested["values"]["event"]["Undring meldt"] is None
    assert suggested["values"]["event"]["Bekymring meldt"] == "concern_raised"
    assert suggested["ignore"] == ["Eksportert"]


def test_apply_profile_keeps_rows_and_unknown_columns():
    from bti_workbench.ingest.files import RawTable

    cells = pd.DataFrame(
        {0: ["Nivå 2", "3", None], 1: ["x", "y", "z"]},
        index=pd.Index([2, 3, 5], name="row"),
        dtype="string",
    )
    raw = RawTable("f.csv", ["BTI-nivå", "Merknad"], cells, False, text_only=True)
    profile = Profile("event-log", {"BTI-nivå": "level"}, {"level": {"Nivå 2": 2}})
    mapped = apply_profile(raw, profile)
    assert mapped.headers == ["level", "Merknad"]
    assert mapped.cells[0].tolist() == ["2", "3", pd.NA]
    assert mapped.cells.index.tolist() == [2, 3, 5] and mapped.cells[0].dtype == "string"


def test_a_profile_that_does_not_fit_names_the_columns_not_every_cell(demo_dir, tmp_path):
    # An export whose case column the profile does not know: the columns are named first,
    # instead of a problem for every code in every row.
    path = _stafett_export(demo_dir, tmp_path / "eksport.csv")
    text = path.read_bytes().replace("Saksreferanse".encode("cp1252"), b"Saksnr", 1)
    path.write_bytes(text)
    with pytest.raises(ContractError) as caught:
        read(path, "event-log", profile="stafettlogg-eksempel")
    problems = caught.value.problems
    assert len(problems) == 2
    assert {p.column for p in problems} == {"Saksnr", "case_id"}
    assert all(p.row is None for p in problems)
