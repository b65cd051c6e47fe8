"""``bti serve``, ``bti calibrate`` and the errors of ``bti simulate`` in bokmål and English,
every line within 100 columns (issue 18)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.cli import serve as serve_module
from bti_workbench.dashboard import serve as dashboard_serve
from bti_workbench.errors import ScenarioError, explain
from bti_workbench.simulation.scenario.document import available_options, check_options
from tests._language import ENGLISH

REPO = Path(__file__).resolve().parents[2]
SIRDAL = REPO / "data" / "scenarios" / "sirdal.yaml"
NATIONAL = REPO / "data" / "scenarios" / "national_per_1000.yaml"
SECRET = "a-cookie-secret-of-forty-characters-0123"

runner = CliRunner()


def _lines(text: str, *hide: object) -> list[str]:
    """The lines of ``text`` with the paths in ``hide`` taken out (a temporary folder's name
    holds ``pytest-of-root``, an English word)."""
    for part in hide:
        text = text.replace(str(part), "")
    return text.splitlines()


def _fits_and_reads(lines: list[str], lang: str) -> None:
    assert lines
    assert max(len(line) for line in lines) <= 100, lines
    if lang == "nb":
        assert [line for line in lines if ENGLISH.search(line)] == []


# --- bti serve --------------------------------------------------------------------------------


def test_start_lines_in_both_languages() -> None:
    command = ["python", "-m", "panel", "serve", "leader_app.py", "--port", "5006"]
    nb = serve_module.start_lines("leader_app", "127.0.0.1", 5006, "uten innlogging", 5, command)
    assert nb == [
        "serverer /leader_app på 127.0.0.1:5006 (uten innlogging; k=5)",
        "kjører python -m panel serve leader_app.py --port 5006",
    ]
    en = serve_module.start_lines("leader_app", "127.0.0.1", 5006, "no login", 5, command, "en")
    assert en[0] == "serving /leader_app on 127.0.0.1:5006 (no login; k=5)"
    assert en[1].startswith("running python -m panel serve")


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """What `bti serve` would exec, recorded instead of replacing the test process."""
    calls: list[list[str]] = []
    monkeypatch.setattr(dashboard_serve, "exec_server", lambda c, _e: calls.append(list(c)))
    return calls


def test_serve_says_what_it_starts_in_bokmaal_and_english_within_100_columns(
    executed: list, tmp_path: Path
) -> None:
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"kari": "first pass phrase", "ola": "second pass phrase"}))
    users.chmod(0o644)  # readable by others: a warning
    arguments = ["serve", "--basic-auth", str(users), "--allow-user", "kari"]
    arguments += ["--address", "0.0.0.0", "--insecure", "--allow-websocket-origin", "h:5006"]
    environment = {"BTI_COOKIE_SECRET": SECRET, "PANEL_OAUTH_PROVIDER": "github"}
    said = {}
    for lang in ("nb", "en"):
        result = runner.invoke(app, [*arguments, "--lang", lang], env=environment)
        assert result.exit_code == 0, result.output
        said[lang] = _lines(result.output, users.parent)
        _fits_and_reads(said[lang], lang)
        assert SECRET not in result.output and "pass phrase" not in result.output
    assert len(executed) == 2
    nb = "\n".join(said["nb"])
    assert "merk: ser bort fra PANEL_OAUTH_PROVIDER" in nb
    assert "advarsel: andre brukere på denne maskinen kan lese users.json" in nb
    assert "advarsel: --insecure: kan nås uten innlogging" in nb
    expected = "(innlogging med passord, 2 brukere, 1 tillatt bruker; k=5)"
    assert f"serverer /leader_app på 0.0.0.0:5006 {expected}" in nb
    assert "kjører " in nb
    en = "\n".join(said["en"])
    assert "serving /leader_app on 0.0.0.0:5006 (basic auth, 2 users, 1 allowed user; k=5)" in en
    assert "note: ignoring PANEL_OAUTH_PROVIDER" in en and "warning: --insecure" in en


def test_serve_refuses_a_missing_store_in_the_users_language(
    executed: list, tmp_path: Path
) -> None:
    missing = ["serve", "--store", str(tmp_path / "none.duckdb")]
    nb = runner.invoke(app, [*missing, "--lang", "nb"])
    assert nb.exit_code == 1 and nb.output.startswith("feil: ")
    assert "her finnes ikke noe lager" in " ".join(nb.output.split())
    _fits_and_reads(_lines(nb.output, tmp_path), "nb")
    en = runner.invoke(app, [*missing, "--lang", "en"])
    assert en.exit_code == 1 and en.output.startswith("error: ")
    assert "no store here" in " ".join(en.output.split())
    assert executed == []


# --- bti calibrate ----------------------------------------------------------------------------


def test_calibrate_reads_in_bokmaal_and_english_within_100_columns(
    tmp_path: Path, demo_store: Path
) -> None:
    out = tmp_path / "c.yaml"
    arguments = ["calibrate", "-m", "4228", "--period", "2018-09-01..2020-06-30"]
    arguments += ["--base", str(SIRDAL), "--store", str(demo_store), "--out", str(out)]
    said = {}
    for lang in ("nb", "en"):
        result = runner.invoke(app, [*arguments, "--lang", lang])
        assert result.exit_code == 0, result.output
        said[lang] = _lines(result.output, out)
        _fits_and_reads(said[lang], lang)
        said[f"{lang} text"] = " ".join(result.output.split())
    nb, en = said["nb"], said["en"]
    assert nb[0].startswith("Anslag fra hendelsesloggen")
    assert said["nb text"].endswith(f"skrev {out} (kjør det med bti simulate {out})")
    assert said["en text"].endswith(f"wrote {out} (load it with bti simulate {out})")
    # Numbers in each language's format: a decimal comma in bokmål, a point in English.
    estimates = [line for line in nb if re.search(r"\(\d", line)]
    assert estimates and all(re.search(r"\d,\d", line) for line in estimates)
    assert not any(re.search(r"\d\.\d", line) for line in estimates)
    assert all(re.search(r"\d\.\d", line) for line in en if re.search(r"\(\d", line))
    # The same estimates, one a line, in both languages, hidden ones marked.
    hidden = [[line for line in lines if line.endswith(("<5", "×"))] for lines in (nb, en)]
    assert hidden[0] and len(hidden[0]) == len(hidden[1])


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (0.04912, "nb", "0,0491"),
        (25.44, "nb", "25,4"),
        (0.55, "en", "0.550"),
        (1234.5, "nb", "1\u00a0234"),
        (0.0, "nb", "0"),
    ],
)
def test_estimates_have_three_significant_digits_in_the_language(value, lang, text) -> None:
    from bti_workbench.cli.simulate import _significant

    assert _significant(value, lang) == text


# --- bti simulate's errors --------------------------------------------------------------------

_ERRORS = [
    (["simulate", str(SIRDAL), "--engine", "warp"], "ukjent motor warp", "unknown engine warp"),
    (["simulate", str(SIRDAL), "-r", "2", "--warmup", "400"], "--warmup må være fra 0 til",
     "--warmup must be from 0 to"),
    (["compare", str(SIRDAL), "-o", "no_bti", "-r", "2", "--warmup", "400"],
     "--warmup må være fra 0 til", "--warmup must be from 0 to"),
    (["simulate", str(SIRDAL), "--population-file", "x.csv"],
     "--population-file hører sammen med --municipality",
     "--population-file goes with --municipality"),
    (["simulate", str(NATIONAL), "-m", "9999", "-r", "2"], "oppgi en SSB 07459-fil med",
     "pass an SSB 07459 file with"),
    (["simulate", str(SIRDAL), "--set", "levels.1"], "--set: skriv NØKKEL=VERDI",
     "--set: write KEY=VALUE"),
    (["simulate", str(SIRDAL), "--set", "resources.max_logs.cap=2"],
     "resources.max_logs er en verdi, ikke en tabell",
     "resources.max_logs is a value, not a mapping"),
]  # fmt: skip
_ERROR_IDS = ["engine", "warmup", "compare-warmup", "population", "municipality", "set", "setting"]


@pytest.mark.parametrize(("arguments", "nb", "en"), _ERRORS, ids=_ERROR_IDS)
def test_simulate_errors_in_bokmaal_and_english(arguments, nb, en) -> None:
    for lang, expected, prefix in (("nb", nb, "feil: "), ("en", en, "error: ")):
        result = runner.invoke(app, [*arguments, "--lang", lang])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(prefix), result.output
        assert expected in " ".join(result.output.split()), result.output
        _fits_and_reads(result.output.splitlines(), lang)


def test_the_unknown_option_message_in_bokmaal_and_english() -> None:
    known = available_options()
    for name, quoted in (("cap_two", "'cap_two'"), ("../../etc/x", "(navnet gjentas ikke)")):
        with pytest.raises(ScenarioError) as caught:
            check_options([name], None, "--option")
        nb = explain(caught.value, "nb")
        assert nb.startswith(f"--option: ukjent alternativ {quoted}; kjente: ")
        assert nb.endswith(", ".join(known)) and "../" not in nb
        assert ENGLISH.findall(nb.replace(", ".join(known), "")) == []
        # The library's message stays English, and is what the catalogue says in English.
        assert str(caught.value) == explain(caught.value, "en")
        assert str(caught.value).startswith("--option: unknown option ")


def test_the_unknown_option_on_the_command_line_in_bokmaal() -> None:
    result = runner.invoke(app, ["simulate", str(SIRDAL), "-o", "cap_two", "--lang", "nb"])
    assert result.exit_code == 1
    assert result.output.startswith("feil: --option: ukjent alternativ 'cap_two'; kjente: ")
