"""The evaluation request's, the scenario checks' and the sweep's errors on the command line in
bokmål and English: exit status 1, no traceback, the message from the catalogue in the chosen
language, every line within 100 columns (issue 18, point 6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import RequestError, ScenarioError, SweepError, explain
from bti_workbench.evaluation.sources import parse_go_live
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.sweep.plan import parse_grid, parse_municipalities
from tests._language import ENGLISH

REPO = Path(__file__).resolve().parents[2]
SIRDAL = REPO / "data" / "scenarios" / "sirdal.yaml"
NATIONAL = REPO / "data" / "scenarios" / "national_per_1000.yaml"

runner = CliRunner()


def _bad_scenario(folder: Path) -> Path:
    """Sirdal's scenario with a top-level key it does not know."""
    path = folder / "uten_farge.yaml"
    path.write_text(SIRDAL.read_text(encoding="utf-8") + "\ncolour: blue\n", encoding="utf-8")
    return path


def _commands(folder: Path, demo_store: Path) -> dict[str, tuple[list[str], str, str]]:
    """Name → (arguments, a phrase of the bokmål message, the same in English)."""
    store = ["--store", str(demo_store)]
    sweep = ["sweep", str(NATIONAL), "--municipalities", "4228", "--out", str(folder / "sw")]
    return {
        "period_outside": (
            ["report", "evaluation", "-m", "4228", *store, "--period", "2010-01-01..2010-12-31"],
            "--period: perioden ligger utenfor dataene, som går fra",
            "--period: the period lies outside the data, which run from",
        ),
        "period_form": (
            ["report", "evaluation", "-m", "4228", *store, "--period", "2019-01-01"],
            "--period: mangler '..' mellom de to datoene",
            "--period: no '..' between the two dates",
        ),
        "not_in_reference": (
            ["report", "brief", "-m", "9999", *store],
            "--municipality: ingen kommune har dette nummeret i referansetabellen",
            "--municipality: no municipality has this number in the reference table",
        ),
        "go_live": (
            ["report", "evaluation", "-m", "4228", *store, "--go-live", "4228=2018-09-01,x"],
            "--go-live: oppføring 2 mangler '='",
            "--go-live: entry 2 has no '='",
        ),
        "scenario_key": (
            ["simulate", str(_bad_scenario(folder)), "-r", "2"],
            "uten_farge.yaml: colour: ukjent nøkkel; bruk en av",
            "uten_farge.yaml: colour: unknown key; use one of",
        ),
        "scenario_setting": (
            ["simulate", str(SIRDAL), "-r", "2", "--set", "levels.1.next.up=3"],
            "sirdal.yaml (med egne endringer): levels.1.next.up: en andel må være mellom 0 og 1",
            "sirdal.yaml (with overrides): levels.1.next.up: a share must be between 0 and 1",
        ),
        "grid_form": (
            [*sweep, "--grid", "foo"],
            "--grid 'foo': skriv PARAM=v1,v2",
            "--grid 'foo': write PARAM=v1,v2",
        ),
        "grid_twice": (
            [*sweep, "--grid", "arrivals.scale=1,1"],
            "--grid arrivals.scale: en verdi er oppgitt to ganger",
            "--grid arrivals.scale: a value is given twice",
        ),
        "sweep_municipality": (
            ["sweep", str(NATIONAL), "--municipalities", "4228,9999", "--out", str(folder / "s")],
            "--municipalities: kommune 9999 finnes ikke i data/municipalities.csv",
            "--municipalities: municipality 9999 is not in data/municipalities.csv",
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "period_outside",
        "period_form",
        "not_in_reference",
        "go_live",
        "scenario_key",
        "scenario_setting",
        "grid_form",
        "grid_twice",
        "sweep_municipality",
    ],
)
def test_error_in_the_chosen_language(name: str, tmp_path: Path, demo_store: Path) -> None:
    arguments, nb_phrase, en_phrase = _commands(tmp_path, demo_store)[name]
    for lang, prefix, phrase in (("nb", "feil: ", nb_phrase), ("en", "error: ", en_phrase)):
        result = runner.invoke(app, [*arguments, "--lang", lang])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        output = result.output.replace(str(tmp_path), "")
        assert output.startswith(prefix), output
        assert phrase in " ".join(output.split()), output
        lines = output.splitlines()
        assert max(len(line) for line in lines) <= 100, lines
        if lang == "nb":
            assert ENGLISH.findall(output.replace("colour", "")) == [], output


def test_library_messages_stay_english_and_say_it_in_bokmal() -> None:
    with pytest.raises(RequestError) as request:
        parse_go_live("4228=notadate", "4228", name="--go-live")
    assert str(request.value) == (
        "--go-live: entry 1: the date cannot be read; write KOMMUNENUMMER=yyyy-mm-dd"
    )
    assert isinstance(request.value, ValueError)
    assert explain(request.value, "nb") == (
        "--go-live: oppføring 1: datoen kan ikke leses; skriv KOMMUNENUMMER=åååå-mm-dd"
    )
    with pytest.raises(ScenarioError) as scenario:
        load_scenario(SIRDAL, settings={"levels.1.x": 3})
    assert str(scenario.value) == (
        "sirdal.yaml (with overrides): levels.1.x: unknown key; use one of duration, next, note, "
        "slots"
    )
    assert explain(scenario.value, "nb").startswith(
        "sirdal.yaml (med egne endringer): levels.1.x: ukjent nøkkel"
    )
    with pytest.raises(SweepError) as sweep:
        parse_grid(["resources.max_logs=[1]"])
    assert str(sweep.value) == "--grid resources.max_logs: '[1]' is not a single value"
    assert explain(sweep.value, "nb") == "--grid resources.max_logs: '[1]' er ikke én enkelt verdi"
    with pytest.raises(SweepError) as twice:
        parse_municipalities("4228,4228")
    assert explain(twice.value, "en") == str(twice.value)


def test_plain_messages_keep_working() -> None:
    assert str(ScenarioError("x.yaml: plain")) == "x.yaml: plain"
    assert explain(SweepError("plain"), "nb") == "plain"
