"""The reader's file and header problems in the user's language (``err.read.*``).

Each bad file is validated on the command line in bokmål and in English: the bokmål output
holds no English word (only the user's own headers and the contract's column ids), the
English keeps the message it always had, no line is over 100 characters, and it exits 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import ContractError, explain
from bti_workbench.ingest.readers import read
from tests._language import ENGLISH

runner = CliRunner()

PROFILE = (
    "kind: event-log\ncolumns:\n  Registrert: event_time\n"
    'dates:\n  format: ["%d.%m.%Y %H:%M", "%d.%m.%Y"]\n'
)
HEADER = "Registrert;case_id;event;level;service;role;actor_id;age_band\n"

#: name → (file name, content, kind, extra arguments, expected nb text, expected en text).
CASES: dict[str, tuple[str, bytes, str, tuple[str, ...], str, str]] = {
    "unknown_column": (
        "x.csv",
        b"sak_idx;tidspunkt;hendelse\nA1;01.02.2020;x\n",
        "event-log",
        (),
        "x.csv, kolonne 'sak_idx': ukjent kolonne for typen event-log; se docs/data-contracts.md",
        "x.csv, column 'sak_idx': unknown column for event-log; see docs/data-contracts.md",
    ),
    "missing_column": (
        "x.csv",
        b"sak_idx;tidspunkt;hendelse\nA1;01.02.2020;x\n",
        "event-log",
        (),
        "x.csv, kolonne 'case_id': kolonnen mangler (norsk overskrift: 'sak_id')",
        "x.csv, column 'case_id': missing column (Norwegian header: 'sak_id')",
    ),
    "same_column": (
        "x.csv",
        b"sak_id;tidspunkt;hendelse;case_id\nA1;01.02.2020;x;A2\n",
        "event-log",
        (),
        "x.csv, kolonne 'case_id': samme kolonne som 'sak_id' (begge betyr case_id)",
        "x.csv, column 'case_id': same column as 'sak_id' (both mean case_id)",
    ),
    "values_without_header": (
        "x.csv",
        b"sak_id;;hendelse\nA1;01.02.2020;x\n",
        "event-log",
        (),
        "x.csv, kolonne '#2': verdier i en kolonne uten overskrift",
        "x.csv, column '#2': values in a column without a header",
    ),
    "column_without_header": (
        "org.yaml",
        b"groups:\n  - '': a\n    members:\n      - unit: x\n",
        "organisation",
        (),
        "kolonne '#1': kolonne uten overskrift",
        "column '#1': column without a header",
    ),
    "width": (
        "x.csv",
        b"sak_id,tidspunkt,hendelse\nA1,01.02.2020,x,1\n",
        "event-log",
        (),
        "x.csv, rad 2: 4 felt der overskriften har 3; brukes skilletegnet ','",
        "x.csv, row 2: 4 fields where the header has 3; is the separator ','",
    ),
    "decode": (
        "x.csv",
        b"\xff\xfe\x00\xd8",
        "event-log",
        (),
        "x.csv: teksten kan ikke leses: lagre filen som CSV i UTF-8",
        "x.csv: cannot decode the text: save the file as UTF-8",
    ),
    "xlsx": (
        "x.xlsx",
        b"not a workbook",
        "event-log",
        (),
        "x.xlsx: ikke en XLSX-arbeidsbok som kan leses",
        "x.xlsx: not a readable XLSX workbook",
    ),
    "empty": (
        "x.csv",
        b"",
        "event-log",
        (),
        "x.csv: fant ingen overskriftsrad i de første 50 radene",
        "x.csv: no header row found in the first 50 rows",
    ),
    "groups": (
        "org.yaml",
        b"groups: 3\n",
        "organisation",
        (),
        "org.yaml: forventet en liste 'groups' øverst",
        "org.yaml: expected a top-level 'groups' list",
    ),
    "members": (
        "org.yaml",
        b"groups:\n  - name: a\n",
        "organisation",
        (),
        "org.yaml, rad 1, kolonne 'members': gruppe 1 trenger en liste 'members'",
        "org.yaml, row 1, column 'members': group 1 needs a 'members' list",
    ),
    "member": (
        "org.yaml",
        b"groups:\n  - name: a\n    members: [3]\n",
        "organisation",
        (),
        "org.yaml, rad 1: et medlem må være en tabell (nøkkel: verdi)",
        "org.yaml, row 1: a member must be a mapping",
    ),
    "profile_kind": (
        "x.csv",
        HEADER.encode(),
        "report-form-1",
        ("--profile", "p.yaml"),
        "p.yaml: er en profil for event-log, ikke for report-form-1",
        "p.yaml: is a profile for event-log, not for report-form-1",
    ),
    "profile_unknown_column": (
        "x.csv",
        (
            HEADER.replace("\n", ";farge\n") + "x;A1;concern_raised;0;school;lead;x1;6-12;blå\n"
        ).encode(),
        "event-log",
        ("--profile", "p.yaml"),
        "kolonne 'farge': ukjent kolonne for typen event-log; koble den i profilen, eller før den",
        "column 'farge': unknown column for event-log; map it in the profile, or list it under",
    ),
    "profile_dates": (
        "x.csv",
        (HEADER + "bad;A1;concern_raised;0;school;lead;x1;6-12\n").encode(),
        "event-log",
        ("--profile", "p.yaml"),
        "ikke en dato i profilens format (dd.mm.åååå tt:mm eller dd.mm.åååå)",
        "not a date in the profile's format (dd.mm.yyyy HH:MM or dd.mm.yyyy)",
    ),
}


def _validate(folder: Path, case: str, lang: str) -> str:
    name, content, kind, extra, *_ = CASES[case]
    (folder / name).write_bytes(content)
    (folder / "p.yaml").write_text(PROFILE, encoding="utf-8")
    args = ["validate", str(folder / name), "--kind", kind, *extra, "--lang", lang]
    args = [str(folder / a) if a == "p.yaml" else a for a in args]
    result = runner.invoke(app, args, env={"COLUMNS": "100"})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.splitlines()
    assert max(map(len, lines)) <= 100, result.output
    assert "Traceback" not in result.output
    # the folder (pytest-of-root …) is not part of the message
    return " ".join(line.strip() for line in lines).replace(str(folder), "")


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_is_named_in_bokmal_without_english(tmp_path, case):
    output = _validate(tmp_path, case, "nb")
    assert CASES[case][4] in output, output
    assert not ENGLISH.findall(output), output


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_file_is_named_in_english_as_before(tmp_path, case):
    output = _validate(tmp_path, case, "en")
    assert CASES[case][5] in output, output


def test_the_english_message_stays_the_library_s_str(tmp_path):
    """``str(exc)`` stays English; :func:`explain` says it in bokmål."""
    path = tmp_path / "x.csv"
    path.write_bytes(CASES["unknown_column"][1])
    with pytest.raises(ContractError) as caught:
        read(path, "event-log")
    assert (
        "unknown column for event-log; see docs/data-contracts.md for the accepted headers"
        in str(caught.value)
    )
    assert "(bti validate FILE --kind event-log --suggest-profile)" in str(caught.value)
    nb = explain(caught.value, "nb")
    assert "(bti validate FIL --kind event-log --suggest-profile)" in nb
    assert "kolonnen mangler (norsk overskrift: 'sak_id')" in nb


def test_an_unknown_kind_is_said_in_the_user_s_language(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"a;b\n1;2\n")
    for lang, text in (
        ("nb", "ukjent type 'case-log'; bruk en av event-log"),
        ("en", "unknown kind 'case-log'; use one of event-log"),
    ):
        result = runner.invoke(app, ["validate", str(path), "--kind", "case-log", "--lang", lang])
        assert result.exit_code == 1 and text in result.output, result.output
