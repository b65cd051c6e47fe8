"""Error messages of the command line in the user's language (issue 18, item 6).

Each class of refusal is run in bokmål and in English: exit status 1, no traceback, the
message from the catalogue in the chosen language, the file, row, column or option named,
every line within 100 columns, no English word in the bokmål output and never a value that
looks like a fødselsnummer.

- output paths (``--out``, ``--keep-notebook``), ``--municipality`` and ``--period``
  (:mod:`bti_workbench.cli._common`);
- the identifier guard (:mod:`bti_workbench.privacy.identifiers`);
- cells and rows that break the contract (:mod:`bti_workbench.ingest.cells`,
  :mod:`bti_workbench.ingest.rows`);
- an SSB 07459 file that cannot be read (:mod:`bti_workbench.reference.population`).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.ingest import rows
from bti_workbench.ingest.contracts import schema
from bti_workbench.ingest.store import KINDS
from tests._language import ENGLISH

REPO = Path(__file__).resolve().parents[2]
#: Sirdal's demo event log, written for this run (a fresh clone has no data/demo/).
DEMO_LOG = Path()
SCENARIO = REPO / "data" / "scenarios" / "national_per_1000.yaml"
#: A valid (synthetic) fødselsnummer: no output may show it, whole or in part.
FNR = "01010750160"
PREFIX = {"nb": "feil: ", "en": "error: "}


@pytest.fixture(autouse=True, scope="module")
def _demo_log(demo_dir: Path) -> None:
    """Point :data:`DEMO_LOG` at the session's demo data (read when each case runs)."""
    global DEMO_LOG
    DEMO_LOG = demo_dir / "event_log.csv"


def _refused(lang: str, args: list[object], *, typed: tuple[str, ...] = ()) -> str:
    """Run ``bti args`` in ``lang`` and check the refusal; the output, lines joined.

    ``typed`` are values the user typed (names of files, headers): the only text of the
    bokmål output that may hold an English word.
    """
    env = {"BTI_LANG": lang, "COLUMNS": "100"}
    result = CliRunner(env=env).invoke(app, [str(a) for a in args])
    output = result.output
    assert result.exit_code == 1, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a crash
    assert "Traceback" not in output
    assert output.startswith(PREFIX[lang]), output
    assert PREFIX["en" if lang == "nb" else "nb"] not in output, output
    assert all(len(line) <= 100 for line in output.splitlines()), output
    assert FNR not in output and FNR[-5:] not in output, output
    if lang == "nb":
        shown = re.sub(r"/[^\s:,]*", "", output)  # paths the user gave
        for value in typed:
            shown = shown.replace(value, "")
        assert not ENGLISH.findall(shown), (ENGLISH.findall(shown), output)
    return " ".join(output.split())  # a wrapped line reads as one


def _says(output: str, *parts: str) -> None:
    for part in parts:
        assert part in output, (part, output)


# --- 1. output paths, --municipality and --period ---------------------------------------------


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A folder with a file ``afile`` and a folder ``adir`` in it."""
    root = tmp_path / "sted"
    root.mkdir()
    (root / "afile").write_text("x", encoding="utf-8")
    (root / "adir").mkdir()
    return root


IS_FILE = {
    "nb": "--out afile: er en fil; oppgi en mappe",
    "en": "--out afile: is a file; give a folder",
}
OUTPUTS = {
    "parent_is_file": (
        lambda p: ["simulate", SCENARIO, "--out", p / "afile" / "x.parquet"],
        {"nb": "--out x.parquet: afile er en fil, ikke en mappe",
         "en": "--out x.parquet: afile is a file, not a folder"},
    ),
    "is_folder": (
        lambda p: ["simulate", SCENARIO, "--out", p / "adir"],
        {"nb": "--out adir: er en mappe; oppgi navnet på en fil",
         "en": "--out adir: is a folder; give the name of a file"},
    ),
    "is_file": (
        lambda p: ["demo-data", "--out", p / "afile"],
        IS_FILE,
    ),
    "inside": (
        lambda p: ["demo-data", "--out", _with_folder(p / "demo", "event_log.csv")],
        {"nb": "--out demo: event_log.csv inni den er en mappe, ikke en fil",
         "en": "--out demo: event_log.csv inside it is a folder, not a file"},
    ),
    "no_folder": (
        lambda p: ["report", "load", "-m", "4228", "--out", p / "r.html",
                   "--keep-notebook", p / "mangler" / "k.ipynb"],
        {"nb": "--keep-notebook k.ipynb: mappen mangler finnes ikke",
         "en": "--keep-notebook k.ipynb: the folder mangler does not exist"},
    ),
    "name_too_long": (
        lambda p: ["simulate", SCENARIO, "--out", p / ("x" * 300) / "y.parquet"],
        {"nb": "--out y.parquet: kan ikke bruke denne stien (navnet er for langt)",
         "en": "--out y.parquet: cannot use this path (File name too long)"},
    ),
    "sweep": (
        lambda p: ["sweep", SCENARIO, "--out", p / "afile"],
        IS_FILE,
    ),
    "network": (
        lambda p: ["network", DEMO_LOG, "--out", p / "afile"],
        IS_FILE,
    ),
}  # fmt: skip


def _with_folder(folder: Path, name: str) -> Path:
    """``folder`` with a folder called ``name`` inside, where a command writes a file."""
    (folder / name).mkdir(parents=True)
    return folder


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("case", list(OUTPUTS))
def test_an_output_path_is_refused_in_the_user_s_language(place, case, lang):
    args, expected = OUTPUTS[case]
    output = _refused(lang, args(place), typed=("event_log.csv",))
    _says(output, expected[lang])


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_folder_that_cannot_be_written_is_named(place, lang, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    output = _refused(lang, ["demo-data", "--out", place / "ny"])
    expected = {"nb": "--out ny: kan ikke skrive i mappen sted", "en": "--out ny: cannot write in"}
    _says(output, expected[lang])
    assert not (place / "ny").exists()


MUNICIPALITY = {
    "nb": "--municipality må være et firesifret kommunenummer (verdien vises ikke)",
    "en": "--municipality must be a four-digit kommunenummer (the value is not shown)",
}


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize(
    "args",
    [
        ["simulate", SCENARIO, "-m", FNR],
        ["calibrate", "--base", SCENARIO, "-m", FNR, "--out", "x.yaml"],
        ["report", "brief", "-m", FNR],
    ],
    ids=["simulate", "calibrate", "report"],
)
def test_a_municipality_that_is_not_a_kommunenummer_is_refused(args, lang):
    _says(_refused(lang, args), MUNICIPALITY[lang])


def test_the_report_s_list_of_municipalities_names_its_option():
    output = _refused("nb", ["report", "national", "--municipalities", f"4228,{FNR}"])
    _says(output, "--municipalities må være et firesifret kommunenummer")


PERIODS = {
    "2018-01-01": {
        "nb": "--period '2018-01-01': ingen '..' mellom de to datoene",
        "en": "--period '2018-01-01': no '..' between the two dates",
    },
    "2018-13-01..2018-06-30": {
        "nb": "--period '2018-13-01..2018-06-30': første dag er ikke en dato (skriv åååå-mm-dd)",
        "en": "--period '2018-13-01..2018-06-30': the first day is not a date (write yyyy-mm-dd)",
    },
    "2018-01-01..": {
        "nb": "--period '2018-01-01..': siste dag mangler",
        "en": "--period '2018-01-01..': the last day is missing",
    },
    "2018-06-30..2018-01-01": {
        "nb": "--period '2018-06-30..2018-01-01': slutten kommer før starten",
        "en": "--period '2018-06-30..2018-01-01': the end comes before the start",
    },
    f"{FNR}..2018-01-01": {
        "nb": "--period: første dag er ikke en dato",
        "en": "--period: the first day is not a date",
    },
}


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("period", list(PERIODS))
def test_a_wrong_period_says_what_is_wrong(tmp_path, period, lang):
    args = ["network", DEMO_LOG, "--out", tmp_path / "nett", "--period", period]
    _says(_refused(lang, args), PERIODS[period][lang])
    assert not (tmp_path / "nett").exists()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_calibrate_s_period_is_read_the_same_way(tmp_path, lang):
    args = ["calibrate", "--base", SCENARIO, "-m", "4228", "--out", tmp_path / "k.yaml"]
    output = _refused(lang, [*args, "--period", "2018-01-01 2018-06-30"])
    _says(output, PERIODS["2018-01-01"][lang].replace("'2018-01-01'", "'2018-01-01 2018-06-30'"))


# --- 2. and 3. a file the import refuses: identifiers, cells and rows --------------------------


def _log(path: Path, change) -> Path:
    """The demo event log's first ten rows, changed by ``change(header, rows)``, as CSV."""
    with DEMO_LOG.open(encoding="utf-8", newline="") as fh:
        table = [r for r in csv.reader(fh) if r and not r[0].startswith("#")]
    header, body = table[0], [list(r) for r in table[1:11]]
    change(header, body)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return path


def _fnr_in_a_cell(header: list[str], body: list[list[str]]) -> None:
    body[2][header.index("actor_id")] = FNR


def _bad_cells(header: list[str], body: list[list[str]]) -> None:
    at = header.index
    body[1][at("level")] = "to"
    body[3][at("event_time")] = "2031-05-01 10:00"
    body[4][at("event_time")] = "2018/05/01"
    body[5][at("event_time")] = "31.02.2018"
    body[6][at("level")] = "2,5"
    body[7][at("level")] = "7"
    body[8] = list(body[0])


IMPORTS = {
    "fnr_value": (
        _fnr_in_a_cell,
        {
            "nb": [
                "fnr.csv: fant noe som ser ut som et fødselsnummer eller D-nummer "
                "(kolonne 'actor_id': 1 rad (rad 4)). Verdiene vises ikke."
            ],
            "en": [
                "fnr.csv: found what looks like a fødselsnummer or D-number "
                "(column 'actor_id': 1 row (row 4)). The values are not shown."
            ],
        },
    ),
    "identifier_column": (
        lambda header, body: (header.append("Barnets navn"), [r.append("x") for r in body]),
        {
            "nb": ["fnr.csv: kolonne 'Barnets navn' ser ut som en direkte identifikator"],
            "en": ["fnr.csv: column 'Barnets navn' looks like a direct identifier"],
        },
    ),
    "identifier_header": (
        lambda header, body: (header.append(FNR), [r.append("x") for r in body]),
        {
            "nb": ["fnr.csv: overskriften i kolonne #10 ser ut som et fødselsnummer"],
            "en": ["fnr.csv: the header of column #10 looks like a fødselsnummer"],
        },
    ),
    "cells": (
        _bad_cells,
        {
            "nb": [
                "fnr.csv, rad 3, kolonne 'level': ikke et tall",
                "fnr.csv, rad 5, kolonne 'event_time': er etter importdagen; "
                "en dato i fremtiden avvises",
                "fnr.csv, rad 6, kolonne 'event_time': ikke en dato: bruk dd.mm.åååå "
                "(eller åååå-mm-dd)",
                "fnr.csv, rad 7, kolonne 'event_time': ikke en dato som finnes i kalenderen",
                "fnr.csv, rad 8, kolonne 'level': ikke et helt tall",
                "fnr.csv, rad 9, kolonne 'level': må være mellom 0 og 3",
                "fnr.csv, rad 10: gjentar rad 2 (samme case_id, event_time, event, service, role, "
                "actor_id)",
            ],
            "en": [
                "fnr.csv, row 3, column 'level': not a number",
                "fnr.csv, row 5, column 'event_time': is after the day of the import; "
                "a date in the future is refused",
                "fnr.csv, row 6, column 'event_time': not a date: use dd.mm.yyyy (or yyyy-mm-dd)",
                "fnr.csv, row 7, column 'event_time': not a valid calendar date",
                "fnr.csv, row 8, column 'level': not a whole number",
                "fnr.csv, row 9, column 'level': must be between 0 and 3",
                "fnr.csv, row 10: repeats row 2 (same case_id, event_time, event, service, role, "
                "actor_id)",
            ],
        },
    ),
}


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("command", ["validate", "import"])
@pytest.mark.parametrize("case", list(IMPORTS))
def test_a_refused_file_is_explained_in_the_user_s_language(tmp_path, case, command, lang):
    change, expected = IMPORTS[case]
    path = _log(tmp_path / "fnr.csv", change)
    args = [command, path, "--kind", "event-log"]
    if command == "import":
        args += ["--store", tmp_path / "lager.duckdb"]
    typed = ("fnr.csv", "case_id", "event_time", "actor_id", "service", "role", "Barnets navn")
    _says(_refused(lang, args, typed=typed), *expected[lang])


def test_a_cell_s_problem_keeps_its_english_message_for_library_users(tmp_path):
    from bti_workbench.errors import ContractError
    from bti_workbench.ingest.readers import read

    with pytest.raises(ContractError) as caught:
        read(_log(tmp_path / "celler.csv", _bad_cells), "event-log")
    assert "celler.csv, row 3, column 'level': not a number" in str(caught.value).splitlines()
    assert all(problem.key for problem in caught.value.problems)


def test_every_rule_across_columns_has_a_catalogue_text():
    """A new rule in the contracts needs its row in ``labels.csv`` (``err.row.rule.*``)."""
    from bti_workbench.errors import Text

    names = {
        str(check.name).split(":", 1)[1]
        for kind in KINDS
        for check in schema(kind.replace("-", "_")).checks
        if ":" in str(check.name)
    }
    assert names, "no rules across columns found"
    assert names <= set(rows._RULES), names - set(rows._RULES)
    for name in names:
        assert Text(rows._RULES[name]).render("en") == name
        assert not ENGLISH.findall(Text(rows._RULES[name]).render("nb"))


# --- 4. an SSB file that cannot be read --------------------------------------------------------

SSB = {
    "count": (
        '"region";"alder";"Personer 2022"\n"4228 Sirdal";"7 år";12\n"4228 Sirdal";"8 år";tolv\n',
        {
            "nb": "ssb.csv, linje 3, kolonne 'Personer 2022': ikke et antall personer",
            "en": "ssb.csv, line 3, column 'Personer 2022': not a count of persons",
        },
    ),
    "header": (
        "hei;verden\n1;2\n",
        {
            "nb": "ssb.csv: ingen overskriftslinje som begynner med 'region'",
            "en": "ssb.csv: no header line starting with 'region'",
        },
    ),
    "age": (
        '"region";"alder";"Personer 2022"\n"4228 Sirdal";"sju";12\n',
        {
            "nb": "ssb.csv, linje 2, kolonne 'alder': ikke en alder som '7 år'",
            "en": "ssb.csv, line 2, column 'alder': not an age such as '7 years'",
        },
    ),
    "json": (
        '{"class": "dataset",\n "id": [}',
        {"nb": "ssb.csv, linje 2: ugyldig JSON", "en": "ssb.csv, line 2: invalid JSON"},
    ),
}


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("case", list(SSB))
def test_a_broken_ssb_file_is_named_with_its_line(tmp_path, case, lang):
    text, expected = SSB[case]
    path = tmp_path / "ssb.csv"
    path.write_text(text, encoding="utf-8")
    _says(_refused(lang, ["population", path], typed=("Personer",)), expected[lang])
    args = ["simulate", SCENARIO, "-m", "4228", "--population-file", path]
    _says(_refused(lang, args, typed=("Personer",)), f"--population-file: {expected[lang]}")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_missing_ssb_file_says_why_in_the_user_s_language(tmp_path, lang):
    output = _refused(lang, ["population", tmp_path / "borte.csv"])
    expected = {
        "nb": "borte.csv: kan ikke lese filen (filen eller mappen finnes ikke)",
        "en": "borte.csv: cannot read the file (No such file or directory)",
    }
    _says(output, expected[lang])
