"""Notebooks run top to bottom under papermill with other parameters too.

(`make test` also runs every notebook in place with `pytest --nbval-lax`.)
"""

from __future__ import annotations

from pathlib import Path

import papermill as pm
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _run(tmp_path, notebook: str, parameters: dict) -> str:
    """Run a notebook under papermill; its output as text."""
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / notebook),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
    )
    text = out.read_text(encoding="utf-8")
    assert '"status": "failed"' not in text
    return text


@pytest.mark.parametrize(
    "parameters",
    [{"municipality": "1106", "lang": "en", "seed": 3}, {"municipality": "5413", "k": 3}],
)
def test_getting_started_runs_with_parameters(tmp_path, parameters):
    text = _run(tmp_path, "00_getting_started.ipynb", parameters)
    if parameters.get("lang") == "en":
        assert "Haugesund (1106)" in text and "0–23 years in total" in text
    else:
        assert "Ibestad (5413)" in text and "0–23 år i alt" in text
        assert "×" in text  # small cells are protected at k = 3 too


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (
            {
                "scenario": "sirdal",
                "lang": "en",
                "replications": 40,
                "seed": 2,
                "options": ["extra_coordinator_20pct", "no_bti"],
            },
            ["sirdal: Sirdal (4228)", "As today", "extra_coordinator_20pct", "Cost per year"],
        ),
        (
            {"scenario": "tromso", "replications": 40, "options": ["trial_cap_one_log"]},
            ["tromso: Tromsø (5401)", "Dagens organisering", "trial_cap_one_log", "Ventetid"],
        ),
        (
            {
                "scenario": "tromso",
                "municipality": "1106",
                "replications": 30,
                "options": ["intermunicipal_team"],
            },
            ["tromso: Haugesund (1106)", "intermunicipal_team"],
        ),
    ],
)
def test_escalation_load_runs_for_sirdal_and_tromso(tmp_path, parameters, expected):
    text = _run(tmp_path, "01_escalation_load.ipynb", parameters)
    for snippet in expected:
        assert snippet in text, snippet


def test_collaboration_map_runs_with_parameters(tmp_path):
    text = _run(
        tmp_path,
        "02_collaboration_map.ipynb",
        {
            "municipality": "5401",
            "seed": 2,
            "lang": "en",
            "k": 3,
            "periods": ["2018-01-01..2018-12-31", "2019-07-01..2020-06-30"],
        },
    )
    assert "Gould" in text and "[before suppression]" in text and "[after suppression]" in text


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (
            {"municipality": "4228", "period": "2018-01-01..2018-06-30", "lang": "nb"},
            ["Rekkevidde", "Syntetiske demodata", "regnes tilbake): 4228"],
        ),
        (
            {"municipality": "1106", "period": "2019-01-01..2019-12-31", "lang": "en", "k": 3},
            [
                "Reach",
                "Level-0 decision within 14 days",
                "Callaway and Sant",
                "simple",
                "Unread logs",
                "Child or young person participating",
            ],
        ),
    ],
)
def test_pilot_evaluation_runs_for_two_municipalities(tmp_path, demo_store, parameters, expected):
    text = _run(tmp_path, "03_pilot_evaluation.ipynb", {"store": str(demo_store), **parameters})
    for phrase in expected:
        assert phrase in text, phrase


def test_national_comparison_runs_for_chosen_municipalities_and_resumes(tmp_path):
    parameters = {
        "municipalities": "5413,1106",
        "population_file": "data/raw/ssb/07459_population_by_age_2022.csv",
        "options": ["baseline", "trial_cap_one_log"],
        "replications": 6,
        "lang": "en",
        "out": str(tmp_path / "sweeps"),
        "lhs_samples": 14,
        "sensitivity_municipality": "5413",
    }
    text = _run(tmp_path, "04_national_comparison.ipynb", parameters)
    assert "From Ibestad (256 children) to Haugesund (10240)" in text
    assert "4 tasks: 4 computed now, 0 already finished, 0 failed" in text
    assert "One parameter at a time" in text and "Partial rank correlation" in text
    again = _run(tmp_path, "04_national_comparison.ipynb", parameters)
    assert "4 tasks: 0 computed now, 4 already finished, 0 failed" in again
