"""The scenario's resource checks, the sweep folder's and the population file's errors on the
command line in bokmål and English: exit status 1, no traceback, the message from the
catalogue in the chosen language, every line within 100 columns (issue 18, point 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import PopulationFileError, ScenarioError, SweepError, explain
from bti_workbench.reference.municipality import load_municipality
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.sweep.files import claim_folder
from tests._language import ENGLISH

REPO = Path(__file__).resolve().parents[2]
SIRDAL = REPO / "data" / "scenarios" / "sirdal.yaml"
NATIONAL = REPO / "data" / "scenarios" / "national_per_1000.yaml"

runner = CliRunner()


def _scenario(folder: Path, name: str, old: str, new: str) -> Path:
    """Sirdal's scenario with one line changed, beside it (its organisation file resolves)."""
    text = SIRDAL.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = folder / name
    organisation = f"{SIRDAL.parent.parent}/organisation/"
    text = text.replace(old, new).replace("../organisation/", organisation)
    path.write_text(text, encoding="utf-8")
    return path


def _adults_only(folder: Path) -> Path:
    """An SSB 07459 file whose only row for Sirdal (4228) is an adult's: no figures 0–23."""
    path = folder / "voksne.csv"
    lines = [
        '"07459: Population, by region, age, contents and year"',
        "",
        '"region";"age";"Persons 2022"',
        '"K-4228 Sirdal";"30 years";12',
        '"K-3001 Halden";"0 years";266',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _sweep_folder(folder: Path, description: str) -> Path:
    """A sweep folder whose ``sweep.json`` holds ``description``."""
    out = folder / "sw"
    out.mkdir()
    (out / "sweep.json").write_text(description, encoding="utf-8")
    return out


def _commands(folder: Path) -> dict[str, tuple[list[str], str, str]]:
    """Name → (arguments, a phrase of the bokmål message, the same in English)."""
    sweep = ["sweep", str(NATIONAL), "--municipalities", "4228", "-r", "2"]
    school = "    school: {baton_holders: 20}"
    ppt = "    ppt: {hours_per_week: 3,"
    adults = str(_adults_only(folder))
    return {
        "holders_both": (
            [
                "simulate",
                str(
                    _scenario(
                        folder, "begge.yaml", school, school[:-1] + ", baton_holders_per_1000: 3}"
                    )
                ),
                "-r",
                "2",
            ],
            "oppgi baton_holders eller baton_holders_per_1000, ikke begge",
            "give baton_holders or baton_holders_per_1000, not both",
        ),
        "case_cannot_start": (
            [
                "simulate",
                str(_scenario(folder, "lite.yaml", ppt, "    ppt: {hours_per_week: 0.5,")),
                "-r",
                "2",
            ],
            "timer i uka, men én sak på nivå 2 trenger",
            "0.5 hours a week, but one level-2 case needs",
        ),
        "no_figures_simulate": (
            ["simulate", str(SIRDAL), "-m", "4228", "--population-file", adults, "-r", "2"],
            "--population-file: voksne.csv har ingen tall for 2022 for kommune 4228",
            "--population-file: voksne.csv has no 2022 figures for 4228",
        ),
        "no_figures_sweep": (
            [*sweep, "--population-file", adults, "--out", str(folder / "o")],
            "--population-file: voksne.csv har ingen tall for 2022 for kommune 4228",
            "--population-file: voksne.csv has no 2022 figures for 4228",
        ),
        "not_description": (
            [*sweep, "--out", str(_sweep_folder(folder, "[1]"))],
            "sweep.json: ikke en beskrivelse av en kjøring",
            "sweep.json: not a sweep description",
        ),
        "older": (
            [*sweep, "--out", str(_sweep_folder(folder / "x", "{}"))],
            "ble skrevet av en eldre versjon av verktøyet",
            "was written by an older workbench",
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "holders_both",
        "case_cannot_start",
        "no_figures_simulate",
        "no_figures_sweep",
        "not_description",
        "older",
    ],
)
def test_error_in_the_chosen_language(name: str, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    arguments, nb_phrase, en_phrase = _commands(tmp_path)[name]
    for lang, prefix, phrase in (("nb", "feil: ", nb_phrase), ("en", "error: ", en_phrase)):
        result = runner.invoke(app, [*arguments, "--lang", lang])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        output = result.output.replace(str(tmp_path), "")
        # A sweep prints its plan first; the error is the last paragraph.
        error = output[output.index(prefix) :]
        assert phrase in " ".join(error.split()), output
        assert max(len(line) for line in output.splitlines()) <= 100, output
        if lang == "nb":
            assert ENGLISH.findall(error) == [], error


def test_library_messages_stay_english_and_say_it_in_bokmal(tmp_path: Path) -> None:
    path = _scenario(
        tmp_path, "sum.yaml", '"*": {ppt: 0.50}', '"*": {ppt: 0.7, child_welfare: 0.6}'
    )
    with pytest.raises(ScenarioError) as shares:
        load_scenario(path)
    assert str(shares.value) == "sum.yaml: resources.partners.2.*: shares sum to 1.3, more than 1"
    assert explain(shares.value, "nb").startswith(
        "sum.yaml: resources.partners.2.*: andelene summerer seg til 1"
    )
    with pytest.raises(PopulationFileError) as figures:
        load_municipality("4228", _adults_only(tmp_path))
    assert isinstance(figures.value, ValueError)
    assert str(figures.value) == "voksne.csv has no 2022 figures for 4228"
    assert explain(figures.value, "nb") == "voksne.csv har ingen tall for 2022 for kommune 4228"
    out = tmp_path / "sw"
    spec = {"engine": "fast", "engine_version": 2, "workbench_version": "0.1.0"}
    claim_folder(out, spec)
    with pytest.raises(SweepError) as other:
        claim_folder(out, {**spec, "engine_version": 3})
    assert str(other.value) == (
        f"{out} was written with engine fast version 2 (workbench 0.1.0), but this is engine "
        "fast version 3 (workbench 0.1.0); one folder must not mix their numbers: choose a new "
        "--out folder"
    )
    assert explain(other.value, "nb").startswith(
        f"{out} ble skrevet med motor fast versjon 2 (verktøyet 0.1.0), men dette er motor fast "
        "versjon 3"
    )
    (out / "sweep.json").write_text(json.dumps({"engine": "fast"})[:-1], encoding="utf-8")
    with pytest.raises(SweepError) as broken:
        claim_folder(out, spec)
    assert explain(broken.value, "nb").endswith("(ugyldig JSON på linje 1, kolonne 18)")
