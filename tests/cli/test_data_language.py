"""The data commands speak the user's language and fit 100 columns (issue 18).

``validate``, ``import``, ``store status|history|remove``, ``demo-data`` and ``demo-store``
print their headers, messages and the library's errors from the label catalogue: bokmål holds
no English word (tests/_language.py), English keeps its wording. A repeated import is skipped
and explained, with the same exit status for a file and for a folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.cli._common import wrap
from bti_workbench.errors import ContractError, Problem, StoreError, Text, explain
from tests._language import ENGLISH


def _run(args: list[object], lang: str | None = None, env_lang: str = "nb"):
    """``bti args`` (with ``--lang lang`` when given) and BTI_LANG=env_lang."""
    extra = ["--lang", lang] if lang else []
    runner = CliRunner(env={"BTI_LANG": env_lang, "COLUMNS": "100"})
    return runner.invoke(app, [*map(str, args), *extra])


def _bokmal(output: str, *paths: Path) -> None:
    """No English word (paths aside: ``pytest-of-root``) and no line over 100 columns."""
    text = output
    for path in sorted(map(str, paths), key=len, reverse=True):
        text = text.replace(path, "PATH")
    assert ENGLISH.findall(text) == [], output
    _fits(output)


def _fits(output: str) -> None:
    assert max((len(line) for line in output.splitlines()), default=0) <= 100, output


def _flat(output: str) -> str:
    """The output with its wrapping undone."""
    return " ".join(output.split())


@pytest.fixture
def store_with_demo(demo_dir: Path, tmp_path: Path) -> Path:
    store = tmp_path / "s.duckdb"
    assert _run(["import", demo_dir, "--store", store]).exit_code == 0
    return store


def test_validate_in_bokmal_and_english(demo_dir: Path) -> None:
    nb = _run(["validate", demo_dir])
    assert nb.exit_code == 0, nb.output
    _bokmal(nb.output, demo_dir)
    assert "(Hendelseslogg): 622 rader, 71 saker [syntetisk]" in _flat(nb.output)
    en = _run(["validate", demo_dir], lang="en")
    assert "(Event log): 622 rows, 71 cases [synthetic]" in _flat(en.output)
    _fits(en.output)


def test_import_status_history_remove_in_bokmal(demo_dir: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    first = _run(["import", demo_dir, "--store", store])
    assert first.exit_code == 0, first.output
    _bokmal(first.output, demo_dir, tmp_path)
    assert "importerte event_log.csv som Hendelseslogg: 622 rader" in first.output
    assert "7 importert, 0 hoppet over, 0 feilet" in first.output
    for args in (["store", "status"], ["store", "history"], ["store", "remove", "2"]):
        result = _run([*args, "--store", store])
        assert result.exit_code == 0, result.output
        _bokmal(result.output, tmp_path)
    status = _run(["store", "status", "--store", store]).output
    assert "type" in status and "rader" in status and "kommuner" in status
    assert "622" in status and "4228" in status
    history = _run(["store", "history", "--store", store]).output
    assert "fjernet" in history and "i lageret nå" in history


def test_store_status_in_english(store_with_demo: Path) -> None:
    result = _run(["store", "status", "--store", store_with_demo], env_lang="en")
    assert result.exit_code == 0
    assert result.output.splitlines()[1].split()[:2] == ["kind", "rows"]
    assert "import log: 7 imports, 7 not removed" in result.output
    _fits(result.output)


def test_demo_data_and_demo_store_in_bokmal(tmp_path: Path) -> None:
    data = _run(["demo-data", "--out", tmp_path / "demo", "-m", "4228"])
    assert data.exit_code == 0, data.output
    assert data.output.startswith("skrev ")
    _bokmal(data.output, tmp_path)
    store = _run(["demo-store", "--out", tmp_path / "demo.duckdb"])
    assert store.exit_code == 0, store.output
    _bokmal(store.output, tmp_path)
    assert "4228 (oppstart 2018-09-01)" in _flat(store.output)
    english = _run(["demo-data", "--out", tmp_path / "demo", "-m", "4228"], lang="en")
    assert english.output.startswith("wrote ")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_repeated_import_is_skipped_with_its_reason_for_a_file_and_a_folder(
    store_with_demo: Path, demo_dir: Path, tmp_path: Path, lang: str
) -> None:
    renamed = tmp_path / "same_bytes.csv"
    shutil.copyfile(demo_dir / "event_log.csv", renamed)
    folder = _run(["import", demo_dir, "--store", store_with_demo], lang=lang)
    file = _run(["import", demo_dir / "event_log.csv", "--store", store_with_demo], lang=lang)
    other = _run(["import", renamed, "--kind", "event-log", "--store", store_with_demo], lang=lang)
    for result in (folder, file, other):
        assert result.exit_code == 0, result.output  # skipped, not failed: the same status
        _fits(result.output)
    if lang == "nb":
        for result in (folder, file, other):
            _bokmal(result.output, demo_dir, tmp_path)
        assert "hoppet over event_log.csv: identisk innhold ble importert " in _flat(file.output)
        assert "som import 1; ingenting å endre" in _flat(file.output)
        assert _flat(folder.output).count("hoppet over ") == 7
        assert "0 importert, 7 hoppet over, 0 feilet" in _flat(folder.output)
        assert "0 importert, 1 hoppet over, 0 feilet" in _flat(file.output)
        assert "som import 1 (event_log.csv)" in _flat(other.output)  # named as it was then
        assert "Ingen fil feilet" in file.output
    else:
        assert "skipped event_log.csv: identical content was imported on " in _flat(file.output)
        assert "as import 1; nothing to change" in _flat(file.output)
        assert "0 imported, 7 skipped, 0 failed" in _flat(folder.output)
        assert "0 imported, 1 skipped, 0 failed" in _flat(file.output)
        assert "Nothing failed" in file.output


def test_an_import_that_fails_counts_it_and_exits_1(store_with_demo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "event_log.csv"
    bad.write_text("nothing;here\n1;2\n", encoding="utf-8")
    for lang, words in (
        ("nb", ("feil: ", "fant ingen overskriftsrad", "0 importert, 0 hoppet over, 1 feilet")),
        ("en", ("error: ", "no header row found", "0 imported, 0 skipped, 1 failed")),
    ):
        result = _run(["import", bad, "--store", store_with_demo], lang=lang)
        assert result.exit_code == 1
        assert result.output.startswith(words[0]), result.output
        for word in words[1:]:
            assert word in _flat(result.output)
        _fits(result.output)
        if lang == "nb":
            _bokmal(result.output.split("forventet kolonner som")[0], tmp_path)


@pytest.mark.parametrize(
    ("args", "nb", "en"),
    [
        (
            ["store", "status", "--store", "{t}/none.duckdb"],
            "her finnes ikke noe lager ennå; importer filer med `bti import` først",
            "no store here yet; import files with `bti import` first",
        ),
        (
            ["store", "remove", "99", "--store", "{store}"],
            "s.duckdb: ingen import 99; se `bti store history`",
            "s.duckdb: no import 99; see `bti store history`",
        ),
        (
            ["import", "{t}", "--store", "{store}"],
            "en mappe kan bare leses når den har en manifest.json",
            "a folder can be read only when it has a manifest.json",
        ),
        (
            ["validate", "{t}/x.csv"],
            "--kind må oppgis for en fil",
            "--kind is required for a file",
        ),
        (
            ["import", "{t}/x.csv", "--store", "{store}", "--prune"],
            "--prune virker bare sammen med --update",
            "--prune works only with --update",
        ),
        (
            ["import", "{t}/x.csv", "--store", "{store}", "-m", "12345678901"],
            "--municipality må være et firesifret kommunenummer (verdien vises ikke)",
            "--municipality must be a four-digit kommunenummer (the value is not shown)",
        ),
    ],
)
def test_errors_in_bokmal_and_english(
    store_with_demo: Path, tmp_path: Path, args: list[str], nb: str, en: str
) -> None:
    args = [a.replace("{t}", str(tmp_path)).replace("{store}", str(store_with_demo)) for a in args]
    for lang, expected, prefix in (("nb", nb, "feil: "), ("en", en, "error: ")):
        result = _run(args, lang=lang)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(prefix), result.output
        assert expected in _flat(result.output), result.output
        assert "12345678901" not in result.output
        _fits(result.output)
        if lang == "nb":
            _bokmal(result.output, tmp_path)


def test_a_file_without_a_header_is_explained_in_bokmal(tmp_path: Path) -> None:
    path = tmp_path / "tom.csv"
    path.write_text("1;2;3\n4;5;6\n", encoding="utf-8")
    result = _run(["validate", path, "--kind", "event-log"])
    assert result.exit_code == 1
    assert result.output.startswith("feil: ")
    assert "rader under" not in result.output
    assert "tom.csv: fant ingen overskriftsrad i de første 50 radene" in _flat(result.output)
    _fits(result.output)


def test_free_text_warnings_follow_the_language(demo_dir: Path, tmp_path: Path) -> None:
    lines = (demo_dir / "report_form_2.csv").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    columns = lines[header].split(",")
    if "barriers" not in columns:
        pytest.skip("report form 2 has no free-text column 'barriers'")
    cells = lines[header + 1].split(",")
    cells[columns.index("barriers")] = "Ring 912 34 567"
    lines[header + 1] = ",".join(cells)
    path = tmp_path / "rf2.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    nb = _run(["validate", path, "--kind", "report-form-2"])
    en = _run(["validate", path, "--kind", "report-form-2"], lang="en")
    assert nb.exit_code == en.exit_code == 0, nb.output
    assert "advarsel: rf2.csv, rad " in nb.output
    assert "ser ut som et telefonnummer (ikke vist)" in _flat(nb.output)
    assert "912 34 567" not in nb.output + en.output
    assert "warning: rf2.csv, row " in en.output
    assert "looks like a phone number (not shown)" in _flat(en.output)
    _bokmal(nb.output, tmp_path)
    _fits(en.output)


def test_library_errors_keep_english_and_say_it_in_bokmal() -> None:
    error = StoreError(key="err.store.no_import", store="s.duckdb", id="5")
    assert str(error) == "s.duckdb: no import 5; see `bti store history`"
    assert explain(error, "nb") == "s.duckdb: ingen import 5; se `bti store history`"
    problem = Problem.keyed("a.csv", 3, "dato", Text("err.file.no_rows"))
    assert str(problem) == "a.csv, row 3, column 'dato': no data rows below the header"
    assert problem.text("nb") == "a.csv, rad 3, kolonne 'dato': ingen datarader under overskriften"
    many = ContractError([problem] * 201)
    assert explain(many, "nb").splitlines()[-1] == "… og 1 problemer til"
    assert str(many).splitlines()[-1] == "… and 1 more problems"


def test_wrap_breaks_at_words_and_indents() -> None:
    text = "feil: " + " ".join(["ordet"] * 40)
    lines = wrap(text).splitlines()
    assert len(lines) > 1 and all(len(line) <= 100 for line in lines)
    assert all(line.startswith("  ordet") for line in lines[1:])
    assert wrap("kort linje") == "kort linje"
