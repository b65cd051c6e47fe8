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
                "options": ["extra_coordinator_20pct", "no_bti+intermunicipal_team"],
            },
            [
                "from the file `sirdal.yaml` – the own scenario file of Sirdal (4228)",
                "As today",
                "BTI coordinator in a 20 % post",
                "Without BTI + Intermunicipal PPT and child welfare team",
                "Cost per year",
            ],
        ),
        (
            {"scenario": "tromso", "replications": 40, "options": ["trial_cap_one_log"]},
            [
                "fra filen `tromso.yaml` – den egne scenariofilen til Tromsø (5401)",
                "Dagens organisering",
                "Én stafettlogg per stafettholder",
                "Ventetid",
            ],
        ),
        (
            {
                "scenario": "tromso",
                "municipality": "1106",
                "replications": 30,
                "options": ["intermunicipal_team"],
            },
            [
                "en annen kommunes scenariofil, brukt på befolkningen i Haugesund (1106)",
                "Interkommunalt team for PPT og barnevern",
            ],
        ),
    ],
)
def test_escalation_load_runs_for_sirdal_and_tromso(tmp_path, parameters, expected):
    _run(tmp_path, "01_escalation_load.ipynb", parameters)
    import json

    cells = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))["cells"]
    shown = json.dumps([cell.get("outputs", []) for cell in cells], ensure_ascii=False)
    for snippet in expected:
        assert snippet in shown, snippet
    for option in parameters["options"]:  # options by their names, never by their ids
        for part in option.split("+"):
            assert part not in shown, part


def test_collaboration_map_runs_with_parameters(tmp_path):
    from bti_workbench.synthetic import write_demo

    demo = tmp_path / "tromso"
    write_demo(demo, "5401", seed=2)  # files instead of a store: a demo folder
    text = _run(
        tmp_path,
        "02_collaboration_map.ipynb",
        {
            "files": [str(demo)],
            "municipality": "5401",
            "lang": "en",
            "k": 3,
            "period": "2018-01-01..2020-06-30",
            "periods": ["2018-01-01..2018-12-31", "2019-07-01..2020-06-30"],
        },
    )
    assert "Tromsø (5401)" in text and "Gould" in text and "Betweenness" in text
    assert "Shared cases 01.01.2018–31.12.2018" in text and "p-value" in text
    assert "[before suppression]" not in text and "[after suppression]" not in text


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (
            {"municipality": "4228", "period": "2018-01-01..2018-06-30", "lang": "nb"},
            ["1. Hovedtall", "Rekkevidde", "Syntetiske demodata", "regnes tilbake): 4228"],
        ),
        (
            {"municipality": "1106", "period": "2019-01-01..2019-12-31", "lang": "en", "k": 3},
            [
                "1. Headline figures",
                "Reach",
                "Level-0 decision within 14 days",
                "Callaway and Sant",
                "Average over all months after go-live",
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
    assert "From Ibestad (256 children) to Haugesund (10,240)." in text
    assert "4 runs: 4 computed now, 0 already finished, 0 failed." in text
    assert "One parameter at a time" in text and "Partial rank correlation" in text
    assert "One baton log per baton holder" in text and "As today" in text
    # Without the team among the options its section says why it is empty.
    assert "This section compares" in text and "Intermunicipal PPT and child welfare team" in text
    assert text.count("Plotly.newPlot") == 5  # sizes ×2, the cap, the tornado, the PRCC
    again = _run(tmp_path, "04_national_comparison.ipynb", parameters)
    assert "4 runs: 0 computed now, 4 already finished, 0 failed." in again
