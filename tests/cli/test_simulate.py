"""``bti simulate`` and ``bti compare``: result files, option tables, refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.scenario.parse import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "data" / "scenarios"
TROMSO = SCENARIOS / "tromso.yaml"
SIRDAL = SCENARIOS / "sirdal.yaml"


def _write(tmp_path, change, base=TROMSO) -> Path:
    doc = yaml.safe_load(base.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_refuses_a_bad_scenario_and_writes_nothing(tmp_path):
    out = tmp_path / "run" / "results.parquet"
    for args in (
        ["simulate", str(TROMSO), "--option", "cap_two", "--out", str(out)],
        [
            "simulate",
            str(_write(tmp_path, lambda d: d.update(municipality="9999"))),
            "--out",
            str(out),
        ],
        ["simulate", str(TROMSO), "--engine", "warp", "--out", str(out)],
        ["compare", str(TROMSO), "--option", "trial_cap_one_log,cap_two"],
    ):
        result = CliRunner().invoke(app, [*args, "--lang", "en"])
        assert result.exit_code == 1, result.output
        assert "error:" in result.output
    assert not out.parent.exists()


def test_cli_simulate_writes_long_format_parquet(tmp_path):
    out = tmp_path / "results.parquet"
    result = CliRunner().invoke(
        app,
        [
            "simulate",
            str(TROMSO),
            "--option",
            "trial_cap_one_log",
            "-r",
            "5",
            "--seed",
            "3",
            "--out",
            str(out),
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    levels = pd.read_parquet(out)
    assert list(levels.columns) == ["replication", "week", "level", "active", "waiting"]
    assert len(levels) == 5 * 260 * 4
    services = pd.read_parquet(tmp_path / "results.services.parquet")
    assert {"hours_demanded", "hours_available", "utilisation"} <= set(services.columns)
    summary = pd.read_parquet(tmp_path / "results.summary.parquet")
    assert "cost.total" in summary.columns and len(summary) == 5
    assert "Level 1" in result.output and "Cost per year" in result.output
    # The same run again gives the same numbers.
    again = simulate_fast(load_scenario(TROMSO, ("trial_cap_one_log",)), 5, 3)
    pd.testing.assert_frame_equal(levels, again.levels)


def test_cli_ciw_writes_per_case_detail(tmp_path):
    out = tmp_path / "sirdal.parquet"
    result = CliRunner().invoke(
        app, ["simulate", str(SIRDAL), "-r", "2", "--engine", "ciw", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    cases = pd.read_parquet(tmp_path / "sirdal.cases.parquet")
    assert {"wait_for_baton_holder_weeks", "weeks_to_level2", "outcome"} <= set(cases.columns)
    assert set(cases["outcome"]) <= {"closed", "child_welfare", "open"}


def test_cli_compare_prints_each_result_with_every_option_named_within_100_columns():
    from bti_workbench.simulation.run import compare_options
    from bti_workbench.simulation.scenario.document import option_name

    args = ["compare", str(SIRDAL), "--option", "extra_coordinator_20pct,no_bti,baseline"]
    for lang, result_name in (("en", "Cost per year (NOK)"), ("nb", "Kostnad per år (kr)")):
        result = CliRunner().invoke(app, [*args, "-r", "10", "--lang", lang])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert max(len(line) for line in lines) <= 100
        start = lines.index(result_name)
        block = lines[start + 1 : start + 4]  # the baseline once, then each option
        names = [option_name(o, lang) for o in ("baseline", "extra_coordinator_20pct", "no_bti")]
        assert [line.split("  ")[1] for line in block] == names
        assert all("_" not in line for line in lines[1:])  # names, never ids
    # The figures are compare_options' own, in the reader's format.
    table = compare_options(SIRDAL, ["extra_coordinator_20pct", "no_bti"], 10, 1)
    cost = table.set_index(["option", "metric"]).loc[("no_bti", "cost.total")]
    difference = f"{cost['difference']:+,.0f}".replace(",", "\u00a0").replace("-", "\u2212")
    assert difference in block[2], block[2]


def test_cli_refuses_a_warm_up_as_long_as_the_run(tmp_path):
    for args in (
        ["simulate", str(SIRDAL), "-r", "2", "--warmup", "260", "--lang", "en"],
        ["compare", str(SIRDAL), "-o", "no_bti", "-r", "2", "--warmup", "300", "--lang", "en"],
        ["compare", str(SIRDAL), "--option", "", "--lang", "en"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1 and "error:" in result.output, result.output


def test_compare_prints_no_stray_word_when_stderr_is_not_a_terminal(tmp_path):
    # click's progress bar printed its label ("options") once to a pipe or a file.
    import subprocess
    import sys

    from bti_workbench._util.resources import data_dir

    bti = Path(sys.executable).with_name("bti")
    scenario = data_dir() / "scenarios" / "sirdal.yaml"
    args = [str(bti), "compare", str(scenario), "--option", "baseline,trial_cap_one_log"]
    result = subprocess.run([*args, "-r", "2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Én stafettlogg per stafettholder" in result.stdout


def test_simulate_and_compare_read_in_bokmaal_within_100_columns():
    from tests._language import ENGLISH

    runs = (
        ["simulate", str(SIRDAL), "-r", "3", "-o", "no_bti"],
        ["compare", str(SIRDAL), "-o", "no_bti", "-o", "trial_cap_one_log", "-r", "3"],
    )
    for args in runs:
        result = CliRunner().invoke(app, args)  # bokmål is the default
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert max(len(line) for line in lines) <= 100, args[0]
        found = [line for line in lines if ENGLISH.search(line.replace(SIRDAL.name, ""))]
        assert found == [], found


def test_network_reads_in_bokmaal_within_100_columns_and_the_readme_example_finds_ties(
    demo_dir, tmp_path
):
    # The README's example period on the demo data (Sirdal) gives ties, not an empty map.
    from tests._language import ENGLISH

    args = ["network", str(demo_dir / "event_log.csv"), "--out", str(tmp_path / "net")]
    args += ["--survey", str(demo_dir / "collaboration_survey.csv")]
    args += ["--organisation", str(demo_dir / "organisation.csv")]
    result = CliRunner().invoke(app, [*args, "--period", "2019-01-01..2020-06-30", "--k", "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert [line for line in lines if ENGLISH.search(line.replace(str(tmp_path), ""))] == []
    ties = int(lines[0].split(", ")[1].split()[0])
    assert ties > 0
    edges = pd.read_csv(tmp_path / "net" / "edges.csv")
    assert len(edges) > 0


def test_the_language_comes_from_bti_lang_and_errors_name_options_as_typed():
    national = SIRDAL.with_name("national_per_1000.yaml")
    english = CliRunner().invoke(app, ["simulate", str(SIRDAL), "-r", "2"], env={"BTI_LANG": "en"})
    assert english.exit_code == 0 and "replications" in english.output
    chosen = CliRunner().invoke(
        app, ["simulate", str(SIRDAL), "-r", "2", "--lang", "nb"], env={"BTI_LANG": "en"}
    )
    assert "replikasjoner" in chosen.output  # the option wins over the environment
    unknown = CliRunner().invoke(app, ["simulate", str(national), "-m", "9999", "-r", "2"])
    assert unknown.exit_code == 1
    assert "--population-file" in unknown.output and "population_file=" not in unknown.output


def test_an_unknown_language_is_a_clear_error_on_every_command_with_lang():
    for args in (
        ["simulate", str(SIRDAL), "-r", "2", "--lang", "de"],
        ["compare", str(SIRDAL), "--option", "no_bti", "-r", "2", "--lang", "de"],
        ["population", "x.csv", "--lang", "de"],
    ):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1, args
        assert "--lang must be one of nb, en" in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
