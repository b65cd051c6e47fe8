"""The readers: every contract's loader, with good files and the bad input a new user brings."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import ContractError, IdentifierError
from bti_workbench.ingest.contracts import (
    KINDS,
    column_specs,
    contract_key,
)
from bti_workbench.ingest.readers import (
    read,
    read_event_log,
    read_organisation,
    read_progress_plan,
)
from bti_workbench.reference.labels import label

REPO = Path(__file__).resolve().parents[2]
FILES = {
    "event-log": "event_log.csv",
    "report-form-1": "report_form_1.csv",
    "report-form-2": "report_form_2.csv",
    "staff-survey": "staff_survey.csv",
    "collaboration-survey": "collaboration_survey.csv",
    "organisation": "organisation.csv",
    "progress-plan": "progress_plan.csv",
}
# A column of each kind that takes a number with bounds, and a value outside them.
OUT_OF_RANGE = {
    "event-log": ("level", "5", "must be between 0 and 3"),
    "report-form-1": ("staff_in_unit", "-1", "must be at least 0"),
    "report-form-2": ("usefulness", "7", "must be between 1 and 5"),
    "staff-survey": ("know_what_to_do", "6", "must be between 1 and 5"),
    "collaboration-survey": ("trust", "5", "must be between 1 and 4"),
    "organisation": ("hours_per_meeting", "-2", "must be at least 0"),
    "progress-plan": ("phase", "6", "must be between 1 and 5"),
}
DATE_COLUMN = {
    "event-log": "event_time",
    "report-form-1": "report_date",
    "report-form-2": "period_start",
    "staff-survey": "date",
    "collaboration-survey": "date",
    "progress-plan": "deadline",
}
TEXT_COLUMN = {  # a column where a careless user might paste an identity number
    "event-log": "actor_id",
    "report-form-1": "barriers",
    "report-form-2": "barriers",
    "staff-survey": "respondent_id",
    "collaboration-survey": "partner_service",
    "organisation": "title",
    "progress-plan": "who",
}


def _table(demo_dir: Path, kind: str) -> tuple[list[str], list[list[str]]]:
    lines = (demo_dir / FILES[kind]).read_text(encoding="utf-8").splitlines()
    rows = list(csv.reader([line for line in lines if not line.startswith("#")]))
    return rows[0], rows[1:]


def _write(
    path: Path, header: list[str], rows: list[list[str]], sep: str = ",", encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _norwegian(header: list[str], kind: str) -> list[str]:
    specs = column_specs(kind)
    return [specs[h]["nb"] if h in specs else h for h in header]


def _validate(path: Path, kind: str):
    return CliRunner(env={"BTI_LANG": "en"}).invoke(app, ["validate", str(path), "--kind", kind])


@pytest.mark.parametrize("kind", list(KINDS))
def test_demo_file_validates(demo_dir, kind):
    frame = read(demo_dir / FILES[kind], kind)
    assert len(frame) > 0
    assert frame.attrs["synthetic"] is True
    result = _validate(demo_dir / FILES[kind], kind)
    assert result.exit_code == 0, result.output
    name = label(f"contract.{contract_key(kind)}", "en").split(" (")[0]  # e.g. "Event log"
    flat = " ".join(result.output.split())  # a long path wraps the line at 100 columns
    assert flat.startswith(f"OK {demo_dir / FILES[kind]} ({name}): {len(frame)} rows")


def test_validate_demo_folder(demo_dir):
    result = CliRunner(env={"BTI_LANG": "en"}).invoke(app, ["validate", str(demo_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count("OK ") == len(KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_norwegian_headers_semicolons_windows_1252(demo_dir, tmp_path, kind):
    header, rows = _table(demo_dir, kind)
    expected = read(demo_dir / FILES[kind], kind)
    path = _write(tmp_path / "nb.csv", _norwegian(header, kind), rows, sep=";", encoding="cp1252")
    got = read(path, kind)
    pd.testing.assert_frame_equal(got, expected)


@pytest.mark.parametrize("kind", list(KINDS))
def test_excel_with_blank_leading_rows_and_title(demo_dir, tmp_path, kind):
    header, rows = _table(demo_dir, kind)
    expected = read(demo_dir / FILES[kind], kind)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])
    sheet.append(["Eksport fra fagsystem"])
    sheet.append([])
    sheet.append(_norwegian(header, kind))
    dates = {c for c, s in column_specs(kind).items() if s["type"] in ("date", "datetime")}
    numbers = {c for c, s in column_specs(kind).items() if s["type"] in ("int", "float")}
    for row in rows:
        cells: list[object] = []
        for name, value in zip(header, row, strict=True):
            if value and name in dates:
                cells.append(dt.datetime.fromisoformat(value))  # real Excel dates
            elif value and (name in numbers or name.startswith(("know", "role_", "trust_"))):
                cells.append(float(value) if "." in value else int(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    path = tmp_path / "export.xlsx"
    book.save(path)
    got = read(path, kind)
    pd.testing.assert_frame_equal(got.drop(columns=[], errors="ignore"), expected, check_dtype=True)


def test_norwegian_dates_and_decimal_commas(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "report-form-2")
    i_start, i_end, i_hours = (
        header.index(c) for c in ("period_start", "period_end", "hours_used")
    )
    for row in rows:
        for i in (i_start, i_end):
            y, m, d = row[i].split("-")
            row[i] = f"{d}.{m}.{y}"
        row[i_hours] = row[i_hours].replace(".", ",")
    path = _write(tmp_path / "rf2.csv", _norwegian(header, "report-form-2"), rows, sep=";")
    pd.testing.assert_frame_equal(
        read(path, "report-form-2"), read(demo_dir / "report_form_2.csv", "report-form-2")
    )


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kind", list(OUT_OF_RANGE))
def test_value_out_of_range(demo_dir, tmp_path, kind):
    column, value, message = OUT_OF_RANGE[kind]
    header, rows = _table(demo_dir, kind)
    rows[2][header.index(column)] = value
    path = _write(tmp_path / "bad.csv", header, rows)
    result = _validate(path, kind)
    assert result.exit_code == 1
    assert f"bad.csv, row 4, column '{column}': {message}" in result.output


@pytest.mark.parametrize("kind", list(DATE_COLUMN))
def test_impossible_date(demo_dir, tmp_path, kind):
    column = DATE_COLUMN[kind]
    header, rows = _table(demo_dir, kind)
    rows[0][header.index(column)] = "31.02.2018"
    path = _write(tmp_path / "bad.csv", _norwegian(header, kind), rows, sep=";")
    nb = column_specs(kind)[column]["nb"]
    result = _validate(path, kind)
    assert result.exit_code == 1
    assert f"bad.csv, row 2, column '{nb}': not a valid calendar date" in result.output


@pytest.mark.parametrize("kind", list(KINDS))
def test_duplicated_row(demo_dir, tmp_path, kind):
    header, rows = _table(demo_dir, kind)
    rows.insert(3, list(rows[1]))
    path = _write(tmp_path / "dup.csv", header, rows)
    result = _validate(path, kind)
    assert result.exit_code == 1
    assert "dup.csv, row 5: repeats row 3" in result.output


@pytest.mark.parametrize("kind", list(KINDS))
def test_unknown_and_missing_columns(demo_dir, tmp_path, kind):
    header, rows = _table(demo_dir, kind)
    dropped = header[1]
    header = [h for h in header if h != dropped] + ["kommentar"]
    rows = [
        [v for h, v in zip(_table(demo_dir, kind)[0], r, strict=True) if h != dropped] + ["x"]
        for r in rows
    ]
    path = _write(tmp_path / "cols.csv", header, rows)
    result = _validate(path, kind)
    assert result.exit_code == 1
    assert "cols.csv, column 'kommentar': unknown column" in result.output
    nb = column_specs(kind)[dropped]["nb"]
    assert (
        f"cols.csv, column '{dropped}': missing column (Norwegian header: '{nb}')" in result.output
    )


@pytest.mark.parametrize("kind", list(TEXT_COLUMN))
def test_fodselsnummer_hidden_in_a_column(demo_dir, tmp_path, kind):
    column = TEXT_COLUMN[kind]
    header, rows = _table(demo_dir, kind)
    rows[1][header.index(column)] = "01010750160"
    rows[2][header.index(column)] = "mor 010107 50160"
    path = _write(tmp_path / "fnr.csv", header, rows)
    with pytest.raises(IdentifierError) as err:
        read(path, kind)
    assert f"column '{column}': 2 rows" in str(err.value)
    result = _validate(path, kind)
    assert result.exit_code == 1
    assert "fnr.csv" in result.output and column in result.output
    assert "01010750160" not in result.output and "50160" not in result.output


def test_identifier_column_refused(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    path = _write(tmp_path / "navn.csv", [*header, "Barnets navn"], [[*r, "x"] for r in rows])
    result = _validate(path, "event-log")
    assert result.exit_code == 1
    assert "navn.csv: column 'Barnets navn' looks like a direct identifier" in result.output


def test_wrong_encoding(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    path = _write(tmp_path / "enc.csv", header, rows)
    data = path.read_bytes().split(b"\n")
    data[6] = data[6] + b"\x81\x8d"  # undefined in both UTF-8 and Windows-1252
    path.write_bytes(b"\n".join(data))
    result = _validate(path, "event-log")
    assert result.exit_code == 1
    assert "enc.csv, row 7: cannot decode the text" in result.output


def test_commas_with_decimal_commas(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "report-form-2")
    lines = [",".join(header)] + [",".join(r) for r in rows]
    lines[3] = lines[3].replace(".50,", ",50,").replace(".00,", ",00,")
    path = tmp_path / "komma.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _validate(path, "report-form-2")
    assert result.exit_code == 1
    assert "komma.csv, row 4: 17 fields where the header has 16" in result.output


def test_semicolons_and_tabs_are_both_read(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    expected = read_event_log(demo_dir / "event_log.csv")
    for sep in (";", "\t"):
        path = _write(tmp_path / f"sep{ord(sep)}.csv", header, rows, sep=sep)
        pd.testing.assert_frame_equal(read_event_log(path), expected)


def test_no_header_found(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("a;b;c\n1;2;3\n", encoding="utf-8")
    result = _validate(path, "event-log")
    assert result.exit_code == 1
    assert "empty.csv: no header row found" in result.output


def test_unsupported_type_and_unknown_kind(tmp_path):
    path = tmp_path / "x.ods"
    path.write_bytes(b"")
    with pytest.raises(ContractError, match=r"unsupported file type '\.ods'"):
        read(path, "event-log")
    result = _validate(path, "case-log")
    assert result.exit_code == 1 and "unknown kind 'case-log'" in result.output


def test_validate_writes_nothing(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    rows[0][header.index("level")] = "5"
    path = _write(tmp_path / "bad.csv", header, rows)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir())
    original = path.read_bytes()
    assert _validate(path, "event-log").exit_code == 1
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.iterdir()) == before
    assert path.read_bytes() == original


# ----------------------------------------------------------------------------- shipped data


def test_sirdal_organisation_yaml():
    organisation = read_organisation(REPO / "data" / "organisation" / "sirdal.yaml")
    groups = organisation.groupby("group")["service"].size().to_dict()
    assert groups == {"driftsstyre": 3, "referansegruppe": 15, "styringsgruppe": 4}
    board = organisation[organisation["group"] == "driftsstyre"]
    assert set(board["service"]) == {"kindergarten", "school", "health_station"}
    assert board["kind"].unique().tolist() == ["operations_board"]
    reference = organisation[organisation["group"] == "referansegruppe"]
    assert {"ppt", "child_welfare", "bup", "nav"} <= set(reference["service"])
    assert (reference["meetings_per_year"] == 2).all()


def test_sirdal_progress_plan():
    plan = read_progress_plan(REPO / "data" / "progress_plan" / "sirdal_2018_h1.csv")
    assert len(plan) == 16
    week10 = plan[plan["deadline_text"] == "Uke 10"].iloc[0]
    assert week10["deadline"] == pd.Timestamp(2018, 3, 9)
    assert plan["deadline"].between(pd.Timestamp(2018, 1, 1), pd.Timestamp(2018, 6, 30)).all()
    assert plan["what"].str.contains("Kun 1 stafettlogg per stafettholder").any()


def test_organisation_groups_must_agree(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "gruppe;type;møter_per_år;timer_per_møte;tjeneste;stilling\n"
        "driftsstyre;operations_board;10;1,5;school;Enhetsleder skole\n"
        "driftsstyre;operations_board;12;1,5;kindergarten;Enhetsleder barnehage\n",
        encoding="utf-8",
    )
    result = _validate(path, "organisation")
    assert result.exit_code == 1
    assert (
        "org.csv, row 2, column 'møter_per_år': differs between rows of the same group"
        in result.output
    )


# ----------------------------------------------------------------------------- odd shapes


def test_repeated_header_is_named_not_a_crash(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    path = _write(tmp_path / "twice.csv", [*header, "level"], [[*r, r[3]] for r in rows])
    result = _validate(path, "event-log")
    assert result.exit_code == 1
    assert "twice.csv, column 'level': same column as 'level'" in result.output
    assert "Traceback" not in result.output


def test_trailing_empty_columns_from_excel_csv(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    path = _write(tmp_path / "trail.csv", [*header, "", ""], [[*r, "", ""] for r in rows], ";")
    pd.testing.assert_frame_equal(read_event_log(path), read_event_log(demo_dir / "event_log.csv"))


def _excel(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_excel_unnamed_columns(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    expected = read_event_log(demo_dir / "event_log.csv")
    blank_first = _excel(tmp_path / "a.xlsx", [[None, *header], *[[None, *r] for r in rows]])
    got = read_event_log(blank_first)
    pd.testing.assert_frame_equal(got.astype({"level": "Int64"}), expected)
    with_data = _excel(tmp_path / "b.xlsx", [[None, *header], *[["note", *r] for r in rows]])
    result = _validate(with_data, "event-log")
    assert result.exit_code == 1
    assert "b.xlsx, first sheet, column 'A': values in a column without a header" in result.output


def test_excel_with_a_wrong_dimension_tag(demo_dir, tmp_path):
    import zipfile

    header, rows = _table(demo_dir, "report-form-1")
    source = _excel(tmp_path / "ok.xlsx", [header, *rows])
    broken = tmp_path / "dim.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', data)
            zout.writestr(item, data)
    assert len(read(broken, "report-form-1")) == len(rows)


def test_many_unknown_columns_are_named(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    extra = [f"extra_{i}" for i in range(10)]
    path = _write(tmp_path / "wide.csv", header + extra, [r + ["x"] * 10 for r in rows])
    result = _validate(path, "event-log")
    assert result.exit_code == 1
    assert result.output.count("unknown column") == 10


def test_header_only_file(demo_dir, tmp_path):
    header, _ = _table(demo_dir, "event-log")
    path = _write(tmp_path / "empty.csv", header, [])
    result = _validate(path, "event-log")
    assert result.exit_code == 1 and "empty.csv: no data rows below the header" in result.output


def test_identity_number_in_a_title_line(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    path = _write(tmp_path / "title.csv", header, rows)
    path.write_text("Eksport for 01010750160\n" + path.read_text(encoding="utf-8"), "utf-8")
    result = _validate(path, "event-log")
    assert result.exit_code == 1 and "(lines above the header)" in result.output
    assert "01010750160" not in result.output


def test_identity_number_without_leading_zero_in_text(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "report-form-2")
    rows[0][header.index("barriers")] = "1010750160"
    path = _write(tmp_path / "fnr10.csv", header, rows)
    with pytest.raises(IdentifierError, match="column 'barriers': 1 row"):
        read(path, "report-form-2")


def test_organisation_with_an_empty_group_cell(tmp_path):
    path = tmp_path / "org.csv"
    path.write_text(
        "gruppe;type;møter_per_år;timer_per_møte;tjeneste;stilling\n"
        ";operations_board;10;1,5;school;Enhetsleder skole\n"
        "driftsstyre;operations_board;10;1,5;kindergarten;Enhetsleder barnehage\n",
        encoding="utf-8",
    )
    result = _validate(path, "organisation")
    assert result.exit_code == 1
    assert "org.csv, row 2, column 'gruppe': is empty, but the column is required" in result.output
    assert "differs between rows" not in result.output


def test_validate_never_prints_a_small_number_of_cases(demo_dir, tmp_path):
    header, rows = _table(demo_dir, "event-log")
    first_cases = list(dict.fromkeys(r[0] for r in rows))[:3]
    path = _write(tmp_path / "few.csv", header, [r for r in rows if r[0] in first_cases])
    result = _validate(path, "event-log")
    assert result.exit_code == 0 and ", <5 cases" in " ".join(result.output.split())
    many = _validate(demo_dir / "event_log.csv", "event-log")
    cases = read_event_log(demo_dir / "event_log.csv")["case_id"].nunique()
    assert f", {cases} cases" in " ".join(many.output.split())


def test_organisation_yaml_keys_are_checked(tmp_path):
    path = tmp_path / "org.yaml"
    path.write_text(
        "groups:\n  - group: driftsstyre\n    kind: operations_board\n    meetings_per_year: 10\n"
        "    hours_per_meeting: 1.5\n    members:\n"
        "      - {service: school, title: Enhetsleder skole, navn: Kari}\n",
        encoding="utf-8",
    )
    with pytest.raises(IdentifierError, match="'navn' looks like a direct identifier"):
        read_organisation(path)
    path.write_text(path.read_text("utf-8").replace("navn: Kari", "rom: 12"), "utf-8")
    result = _validate(path, "organisation")
    assert result.exit_code == 1 and "column 'rom': unknown column" in result.output
    path.write_text(path.read_text("utf-8").replace("rom: 12", 'note: "01010750160"'), "utf-8")
    with pytest.raises(IdentifierError, match="column 'note': 1 row"):
        read_organisation(path)


@pytest.mark.parametrize("quoted", [True, False])
@pytest.mark.parametrize("size", [200_000, 17 * 1024 * 1024])
def test_a_cell_over_the_field_limit_is_named_not_a_crash(demo_dir, tmp_path, quoted, size):
    """Over the csv module's 128 KiB limit (and over even the raised limit): a clean error."""
    from bti_workbench.ingest.files import MAX_CELL_CHARS

    header, rows = _table(demo_dir, "report-form-1")
    secret = "Z" * size
    rows[2][header.index("barriers")] = secret
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    body = text.getvalue()
    if quoted:  # a quote forces the exact (csv module) path
        body = body.replace(secret, f'"{secret}"')
    path = tmp_path / "long.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ContractError) as caught:
        read(path, "report-form-1")
    message = str(caught.value)
    assert message.startswith("long.csv, row 4")
    if size < 16 * 1024 * 1024:
        assert "column 'barriers'" in message
        assert f"{MAX_CELL_CHARS:,}".replace(",", " ") in message
    assert "ZZZZ" not in message
    result = _validate(path, "report-form-1")
    assert result.exit_code == 1 and "long.csv" in result.output
    assert "Traceback" not in result.output and "ZZZZ" not in result.output
