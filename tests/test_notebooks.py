"""Notebooks run top to bottom under papermill with other parameters too.

(`make test` also runs every notebook in place with `pytest --nbval-lax`.)
"""

from __future__ import annotations

from pathlib import Path

import papermill as pm
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@pytest.mark.parametrize(
    "parameters",
    [{"municipality": "1106", "lang": "en", "seed": 3}, {"municipality": "5413", "k": 3}],
)
def test_getting_started_runs_with_parameters(tmp_path, parameters):
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / "00_getting_started.ipynb"),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
    )
    text = out.read_text(encoding="utf-8")
    assert '"status": "failed"' not in text
    if parameters.get("lang") == "en":
        assert "Haugesund (1106)" in text and "0–23 years in total" in text
    else:
        assert "Ibestad (5413)" in text and "0–23 år i alt" in text
        assert "×" in text  # small cells are protected at k = 3 too
