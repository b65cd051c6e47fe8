"""One way to give several options: ``--option/-o`` on ``simulate``, ``compare`` and ``sweep``.

The option is repeatable, a value may be a comma list, and ``a+b`` is one name that applies
``a`` then ``b`` (one compared option in ``compare`` and ``sweep``); ``--options`` is gone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.cli._common import parse_options
from bti_workbench.reference.labels import label
from bti_workbench.simulation.scenario.document import (
    available_options,
    option_name,
    read_document,
)

SCENARIOS = Path(__file__).resolve().parents[2] / "data" / "scenarios"
SIRDAL = SCENARIOS / "sirdal.yaml"
NATIONAL = SCENARIOS / "national_per_1000.yaml"
FIRST, SECOND = "intermunicipal_team", "extra_coordinator_20pct"
COMBINATION = f"{FIRST}+{SECOND}"
#: One run everywhere below: the same seed, replications and warm-up.
RUN = ["-r", "4", "--seed", "7", "--warmup", "52"]


def _commands(tmp_path: Path) -> list[list[str]]:
    """The three commands that take ``--option``, up to where the option goes."""
    sweep = ["sweep", str(NATIONAL), "--municipalities", "4228", "--out", str(tmp_path / "sw")]
    return [["simulate", str(SIRDAL), "-r", "2"], ["compare", str(SIRDAL), "-r", "2"], sweep]


def _flat(text: str) -> str:
    """``text`` with every run of white space as one space (messages are wrapped at 100)."""
    return " ".join(text.split())


def _refused(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return _flat(result.output)


def test_values_are_read_as_repeats_comma_lists_and_combinations():
    given = ["no_bti", " trial_cap_one_log , no_bti + intermunicipal_team,", "no_bti"]
    assert parse_options(given) == ["no_bti", "trial_cap_one_log", "no_bti+intermunicipal_team"]
    assert parse_options(["baseline,no_bti"], SIRDAL) == ["baseline", "no_bti"]
    assert parse_options(["b+a", "a+b"]) == ["b+a", "a+b"]  # the order of the parts counts
    assert parse_options(None) == [] and parse_options([]) == []


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("", "cli.opt.empty"),
        (" , ", "cli.opt.empty"),
        ("no_bti+", "cli.opt.combination"),
        ("+no_bti", "cli.opt.combination"),
        ("no_bti++trial_cap_one_log", "cli.opt.combination"),
        ("baseline+no_bti", "cli.opt.baseline"),
        ("no_bti+trial_cap_one_log+no_bti", "cli.opt.twice"),
    ],
)
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_malformed_value_names_option_and_lists_the_known_options(tmp_path, value, key, lang):
    known = available_options(read_document(SIRDAL))
    for command in _commands(tmp_path):
        output = _refused([*command, "-o", value, "--lang", lang])
        assert _flat(label(key, lang, flag="--option")) in output, (command[0], output)
        assert _flat(label("cli.opt.known", lang, known=", ".join(known))) in output
    assert not (tmp_path / "sw").exists()


def test_an_unknown_option_names_option_and_the_known_options(tmp_path):
    known = ", ".join(available_options(read_document(SIRDAL)))
    for command in _commands(tmp_path):
        for value in ("cap_two", "no_bti,cap_two", "no_bti+cap_two"):
            output = _refused([*command, "--option", value])
            assert f"--option: ukjent alternativ 'cap_two'; kjente: {known}" in output, output
    assert not (tmp_path / "sw").exists()


def test_options_is_gone_and_the_message_names_option(tmp_path):
    for command in _commands(tmp_path):
        result = CliRunner().invoke(app, [*command, "--options", "no_bti"])
        assert result.exit_code == 2, result.output  # a usage error, before anything runs
        assert "No such option: --options" in result.output
        assert re.search(r"--option(?![\w-])", result.output), result.output
    assert not (tmp_path / "sw").exists()


def test_compare_needs_an_option_other_than_the_baseline():
    for lang in ("nb", "en"):
        args = ["compare", str(SIRDAL), "-o", "baseline", "--lang", lang]
        output = _refused(args)
        assert _flat(label("cli.opt.none", lang, flag="--option")) in output


def _simulated(tmp_path: Path, name: str, options: list[str]) -> tuple[pd.DataFrame, str]:
    """``bti simulate`` of Sirdal with ``options``: its summary table and what it printed."""
    out = tmp_path / name / "run.parquet"
    args = ["simulate", str(SIRDAL), *options, *RUN, "--out", str(out), "--lang", "en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out.with_name("run.summary.parquet")), result.output


def test_simulate_reads_repeats_comma_lists_and_a_plus_b_as_the_same_run(tmp_path):
    forms = {
        "repeated": ["-o", FIRST, "-o", SECOND],
        "comma": ["--option", f"{FIRST},{SECOND}"],
        "plus": ["-o", COMBINATION],
        "plus_and_part": ["-o", COMBINATION, "-o", FIRST],  # a part given twice counts once
    }
    runs = {name: _simulated(tmp_path, name, options) for name, options in forms.items()}
    first, printed = runs["repeated"]
    for summary, output in runs.values():
        pd.testing.assert_frame_equal(summary, first, check_exact=True)
        assert output.splitlines()[0] == printed.splitlines()[0]
    assert printed.startswith(f"Sirdal + {option_name(COMBINATION, 'en')}:")
    for part in (FIRST, SECOND):  # each option changes the numbers
        alone, _ = _simulated(tmp_path, part, ["-o", part])
        assert not alone.equals(first), part


def test_a_plus_b_in_compare_is_one_option_equal_to_simulate_with_both(tmp_path):
    from bti_workbench._util.numbers import format_number
    from bti_workbench.simulation.run import compare_options

    both, _ = _simulated(tmp_path, "both", ["-o", FIRST, "-o", SECOND])
    table = compare_options(SIRDAL, [COMBINATION, "no_bti"], 4, 7, warmup=52)
    means = table[table["option"] == COMBINATION].set_index("metric")["mean"]
    expected = both[means.index].mean()
    pd.testing.assert_series_equal(means, expected, check_names=False, rtol=1e-12)
    # The command line: the combination is one row of each block, by its name.
    args = ["compare", str(SIRDAL), "-o", f"{COMBINATION},no_bti", *RUN, "--lang", "en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("Cost per year (NOK)")
    end = lines.index("", start) if "" in lines[start:] else len(lines)
    # A long name runs over lines of its own, with its value on its last line.
    rows = re.sub(r"\n {3,}", " ", "\n".join(lines[start + 1 : end])).splitlines()
    rows = re.sub(r"([^\d)])\n  (?=\S)", r"\1 ", "\n".join(rows)).splitlines()
    names = [option_name(o, "en") for o in ("baseline", COMBINATION, "no_bti")]
    assert len(rows) == 3  # the baseline and two options
    for row, name in zip(rows, names, strict=True):
        assert " ".join(row.split()).startswith(name), (row, name)
    value = " ".join(rows[1].split()).removeprefix(names[1]).strip()
    assert value.startswith(f"{format_number(expected['cost.total'], 'en')} ("), rows[1]


def test_sweep_takes_a_plus_b_as_one_option_and_reads_in_bokmaal(tmp_path):
    from bti_workbench.simulation.sweep import read_sweep, task_seed
    from tests._language import ENGLISH

    out = tmp_path / "sweep"
    args = ["sweep", str(NATIONAL), "--municipalities", "4228", "-o", f"baseline,{COMBINATION}"]
    args += ["-r", "2", "--warmup", "10", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(app, args)  # bokmål is the default
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("national_per_1000.yaml: kommuner 1 × alternativer 2 ×")
    assert lines and max(len(line) for line in lines) <= 100
    shown = result.stderr.replace(str(out), "").replace("national_per_1000.yaml", "")
    assert ENGLISH.findall(shown) == []
    cells = read_sweep(out)
    assert list(cells["option"].unique()) == ["baseline", COMBINATION]
    # The combined cell is `bti simulate` with both options, number for number.
    target = tmp_path / "cell.parquet"
    seed = str(task_seed(1, "4228"))
    again = ["simulate", str(NATIONAL), "-m", "4228", "-o", FIRST, "-o", SECOND]
    again += ["-r", "2", "--seed", seed, "--warmup", "10", "--out", str(target)]
    assert CliRunner().invoke(app, again).exit_code == 0
    summary = pd.read_parquet(target.with_name("cell.summary.parquet"))
    cell = cells[cells["option"] == COMBINATION][summary.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(cell, summary, check_exact=True)


def test_sweep_prints_failed_tasks_from_the_catalogue(tmp_path, monkeypatch):
    # A run whose tasks all fail, without Dask: every line the command prints is read.
    from bti_workbench.simulation.sweep import run as running
    from tests._language import ENGLISH

    def failing(planned, out, **_kwargs):
        failed = planned.tasks.assign(settings="", error="x")[
            ["task", "kommunenummer", "municipality", "option", "settings", "error"]
        ]
        return running.SweepReport(out, len(failed), 0, 0, failed)

    monkeypatch.setattr(running, "run_sweep", failing)
    monkeypatch.setattr("bti_workbench.cli.sweep.FAILED_SHOWN", 1)
    out = tmp_path / "failing"
    args = ["sweep", str(NATIONAL), "--municipalities", "4228,1106", "-o", "trial_cap_one_log"]
    for lang, failed in (("nb", "mislyktes: oppgave 0: "), ("en", "failed: task 0: ")):
        result = CliRunner().invoke(app, [*args, "--out", str(out), "--lang", lang])
        assert result.exit_code == 1
        lines = result.stderr.replace(str(out), "").replace(NATIONAL.name, "").splitlines()
        assert max(len(line) for line in lines) <= 100, lines
        shown = [line for line in lines if line.startswith(failed)]
        assert len(shown) == 1 and option_name("trial_cap_one_log", lang) in shown[0], lines
        assert label("cli.sweep.more", lang, more=1, file="/failed.json") in lines
        assert _flat(label("cli.sweep.retry", lang)) in _flat(result.stderr)
        if lang == "nb":
            assert ENGLISH.findall("\n".join(lines)) == [], lines
