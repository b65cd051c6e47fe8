"""Bad input on the command line (issue 17's adversarial review): every class ends with exit
code 1 and one line naming the file or the option, no traceback, no echoed value, and the
outputs exactly as they were.

- an output path that is a file where a folder is expected, or the other way round;
- YAML nested very deep or saved as UTF-16 (scenarios, ``--base``, ``--set``, ``--grid``);
- a YAML tag in ``calibrate --base`` (the message ``simulate`` gives for the same file);
- a municipality given as an identity number;
- an option name with a path in it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "data" / "scenarios"
SIRDAL = SCENARIOS / "sirdal.yaml"
JACKSON = SCENARIOS / "validation_jackson.yaml"
NATIONAL = SCENARIOS / "national_per_1000.yaml"
DEMO = REPO / "data" / "demo"
STORE = REPO / "data" / "store" / "demo.duckdb"
SSB = REPO / "data" / "raw" / "ssb" / "07459_population_by_age_2022.csv"
#: An identity number (fødselsnummer-shaped); no output may ever show it.
FNR = "12345678901"


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def _refused(root: Path, args: list[object], *named: str, absent: tuple[str, ...] = ()) -> str:
    """Run ``bti args`` and check the refusal; the output (stdout and stderr)."""
    before = _tree(root)
    result = CliRunner(env={"BTI_LANG": "en"}).invoke(app, [str(a) for a in args])
    output = result.output
    assert result.exit_code == 1, output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # not a crash
    assert "Traceback" not in output
    assert output.startswith("error: "), output
    for word in named:
        assert word in output, output
    for value in absent:
        assert value not in output, output
    assert _tree(root) == before, "the outputs changed"
    return output


# --- 1. output paths ----------------------------------------------------------------------


@pytest.fixture
def outs(tmp_path):
    """A folder where files are expected, a file where folders are, and results to keep."""
    (tmp_path / "results.parquet").mkdir()
    (tmp_path / "blocker").write_text("keep me", encoding="utf-8")
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "r.parquet").write_bytes(b"old results")
    (tmp_path / "run" / "r.json").mkdir()  # a file simulate writes beside r.parquet
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "edges.csv").mkdir()
    (tmp_path / "sweep").mkdir()
    (tmp_path / "sweep" / "results").write_text("not a folder", encoding="utf-8")
    return tmp_path


def _output_cases(t: Path) -> list[tuple[list[object], tuple[str, ...]]]:
    cal = ["calibrate", "-m", "4228", "--base", SIRDAL, "--files", DEMO]
    sweep = ["sweep", NATIONAL, "--municipalities", "4228", "-r", "1", "--warmup", "10"]
    report = ["report", "evaluation", "-m", "4228", "--store", STORE]
    sim = ["simulate", SIRDAL, "-r", "2"]
    net = ["network", DEMO / "event_log.csv"]
    return [
        ([*sim, "--out", t / "results.parquet"], ("--out results.parquet", "folder")),
        ([*sim, "--out", t / "blocker" / "r.parquet"], ("blocker", "not a folder")),
        ([*sim, "--out", t / "run" / "r.parquet"], ("r.json", "folder")),
        ([*cal, "--out", t / "results.parquet"], ("--out results.parquet", "folder")),
        ([*cal, "--out", t / "blocker" / "new" / "x.yaml"], ("blocker", "not a folder")),
        ([*net, "--out", t / "blocker"], ("--out blocker", "give a folder")),
        ([*net, "--out", t / "net"], ("edges.csv", "not a file")),
        ([*sweep, "--out", t / "blocker"], ("--out blocker", "give a folder")),
        ([*sweep, "--out", t / "sweep"], ("results", "not a folder")),
        (["demo-data", "--out", t / "blocker"], ("--out blocker", "give a folder")),
        ([*report, "--out", t / "results.parquet"], ("--out results.parquet", "folder")),
        ([*report, "--keep-notebook", t / "none" / "nb.ipynb"], ("--keep-notebook", "none")),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(12))
def test_an_output_path_of_the_wrong_kind_is_named_and_nothing_is_written(outs, case):
    args, named = _output_cases(outs)[case]
    _refused(outs, args, *named)


# --- 2. YAML nested deep or saved as UTF-16 -----------------------------------------------


@pytest.fixture
def yamls(tmp_path):
    (tmp_path / "deep.yaml").write_text("[" * 10_000, encoding="utf-8")
    text = JACKSON.read_text(encoding="utf-8")
    (tmp_path / "bom16.yaml").write_bytes(text.encode("utf-16"))
    (tmp_path / "nobom16.yaml").write_bytes(text.encode("utf-16-le"))
    return tmp_path


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["simulate", "{t}/deep.yaml"], ("deep.yaml", "line 1", "nested more than")),
        (["simulate", "{t}/nobom16.yaml"], ("nobom16.yaml", "save it as UTF-8")),
        (["compare", "{t}/deep.yaml", "--option", "no_bti"], ("deep.yaml", "nested")),
        (
            ["calibrate", "-m", "4228", "--base", "{t}/deep.yaml", "--files", DEMO],
            ("deep.yaml", "nested"),
        ),
        (
            ["calibrate", "-m", "4228", "--base", "{t}/nobom16.yaml", "--files", DEMO],
            ("nobom16.yaml", "save it as UTF-8"),
        ),
        (["simulate", SIRDAL, "--set", "resources.max_logs=" + "[" * 10_000], ("--set",)),
        (
            ["sweep", "{t}/deep.yaml", "--municipalities", "4228", "--out", "{t}/sw"],
            ("deep.yaml", "nested"),
        ),
        (
            ["sweep", NATIONAL, "--out", "{t}/sw", "--grid", "resources.max_logs=" + "[" * 9999],
            ("--grid resources.max_logs", "nested"),
        ),
    ],
)
def test_deep_or_utf16_yaml_is_named_without_a_traceback(yamls, args, named):
    args = [str(a).replace("{t}", str(yamls)) for a in args]
    _refused(yamls, [*args, "--out", yamls / "out.yaml"] if "calibrate" in args else args, *named)


def test_a_scenario_saved_as_utf16_with_a_bom_runs(yamls):
    result = CliRunner(env={"BTI_LANG": "en"}).invoke(
        app, ["simulate", str(yamls / "bom16.yaml"), "-r", "2"]
    )
    assert result.exit_code == 0, result.output


def test_deep_yaml_in_a_subprocess_prints_one_line_and_no_traceback(yamls):
    done = subprocess.run(
        [sys.executable, "-m", "bti_workbench.cli", "simulate", str(yamls / "deep.yaml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip().splitlines() == [
        "error: deep.yaml: line 1, column 33: nested more than 32 levels deep"
    ]


# --- 3. a YAML tag in calibrate --base ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['echo PWNED']",
        "name: !!python/name:os.system PWNED",
        SIRDAL.read_text(encoding="utf-8").replace("warm_start:", "warm_start: !!set {PWNED}\nx:"),
    ],
    ids=["python tag", "python name", "set"],
)
def test_a_yaml_tag_in_calibrate_base_gets_the_message_simulate_gives(tmp_path, text, capfd):
    base = tmp_path / "tagged.yaml"
    base.write_text(text, encoding="utf-8")
    simulating = _refused(tmp_path, ["simulate", base], "tagged.yaml", "YAML tag")
    calibrating = _refused(
        tmp_path,
        ["calibrate", "-m", "4228", "--base", base, "--out", tmp_path / "c.yaml", "--files", DEMO],
        "tagged.yaml",
        "YAML tag",
        absent=("PWNED", "os.system"),
    )
    assert calibrating == simulating
    assert "PWNED" not in capfd.readouterr().out  # nothing ran


# --- 4. a municipality given as an identity number ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["population", SSB],
        ["calibrate", "--base", SIRDAL, "--out", "{t}/c.yaml", "--files", DEMO],
        ["calibrate", "--base", SIRDAL, "--out", "{t}/c.yaml", "--store", STORE],
        ["simulate", SIRDAL, "-r", "2"],
        ["demo-data", "--out", "{t}/demo"],
        ["report", "evaluation", "--store", STORE, "--out", "{t}/r.html"],
    ],
    ids=["population", "calibrate files", "calibrate store", "simulate", "demo-data", "report"],
)
@pytest.mark.parametrize("value", [FNR, f" {FNR} ", "42286", "4228a", "", "٤٢٢٨"])
def test_a_municipality_that_is_not_a_kommunenummer_is_refused_unrepeated(tmp_path, args, value):
    args = [str(a).replace("{t}", str(tmp_path)) for a in args]
    absent = (value.strip(),) if value.strip() else ()
    _refused(
        tmp_path,
        [*args, "-m", value],
        "--municipality must be a four-digit kommunenummer",
        absent=absent,
    )


def test_a_short_kommunenummer_is_padded(tmp_path):
    result = CliRunner(env={"BTI_LANG": "en"}).invoke(app, ["population", str(SSB), "-m", " 4228 "])
    assert result.exit_code == 0 and result.output.startswith("4228 Sirdal"), result.output


# --- 5. an option name with a path in it --------------------------------------------------


@pytest.fixture
def evil(tmp_path):
    """An option file outside the options folder; were it read, max_logs would be 9."""
    path = tmp_path / "evil_option.yaml"
    path.write_text("description: x\nchanges: {resources: {max_logs: 9}}\n", encoding="utf-8")
    return path


def _escapes(evil: Path) -> list[str]:
    up = "../" * len(Path(SCENARIOS / "options").resolve().parts)
    return [f"{up}{str(evil.with_suffix('')).lstrip('/')}", str(evil.with_suffix(""))]


@pytest.mark.parametrize("which", [0, 1], ids=["relative", "absolute"])
@pytest.mark.parametrize(
    ("command", "flag"),
    [
        (["simulate", SIRDAL, "-r", "2", "--option"], "--option"),
        (["compare", SIRDAL, "-r", "2", "--option"], "--option"),
        (["sweep", NATIONAL, "--out", "{t}/sw", "-o"], "--option"),
    ],
)
def test_an_option_name_with_a_path_reads_nothing_outside_the_folder(
    tmp_path, evil, command, flag, which
):
    name = _escapes(evil)[which]
    args = [str(a).replace("{t}", str(tmp_path)) for a in command]
    output = _refused(
        tmp_path,
        [*args, name],
        f"error: {flag}: unknown option (name not repeated); known: ",
        "trial_cap_one_log",
        absent=("evil", name),
    )
    assert output.count("error: ") == 1  # one message, wrapped to 100 columns
    assert max(len(line) for line in output.splitlines()) <= 100
