"""The load report's notebook (01): its prose, tables and figures in the language asked for,
and the scenario it picks from a municipality alone."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import papermill as pm
import pytest

from tests._language import ENGLISH

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_escalation_load.ipynb"
#: What a table for people never holds in a cell.
_RAW = {"nan", "NaN", "None", "True", "False", "<NA>"}
_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
_SCRIPT = re.compile(r"<script.*?</script>", re.S)


def _run(tmp_path: Path, **parameters: object) -> list[dict]:
    """Run the notebook with small settings; the outputs of its cells, in order."""
    out = tmp_path / f"load_{len(list(tmp_path.iterdir()))}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"replications": 8, "options": ["trial_cap_one_log"], **parameters},
        kernel_name="python3",
        progress_bar=False,
    )
    cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    return [output for cell in cells for output in cell.get("outputs", [])]


def _html(outputs: list[dict]) -> list[str]:
    return ["".join(o.get("data", {}).get("text/html", "")) for o in outputs if "data" in o]


def _visible(outputs: list[dict]) -> str:
    """What a reader sees: Markdown without its marks, HTML without its scripts (plotly.js
    and the figures' data), the plain text of displayed outputs, and anything printed."""
    parts = []
    for output in outputs:
        data = output.get("data", {})
        parts.append(re.sub(r"[*`]", "", "".join(data.get("text/markdown", ""))))
        page = _SCRIPT.sub(" ", "".join(data.get("text/html", "")))
        parts.append(html.unescape(re.sub(r"<[^>]+>", " ", page)))
        if "text/html" not in data and "text/markdown" not in data:
            parts.append("".join(data.get("text/plain", "")))
        parts.append("".join(output.get("text", "")))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def bokmal(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """The bokmål report for Tromsø's own file and for Skien (the national template)."""
    tmp = tmp_path_factory.mktemp("load_nb")
    return {
        "tromso": _run(tmp, scenario="tromso", lang="nb"),
        "3807": _run(tmp, scenario="", municipality="3807", lang="nb"),
    }


@pytest.mark.parametrize("case", ["tromso", "3807"])
def test_the_bokmal_report_holds_no_english(bokmal, case):
    text = _visible(bokmal[case])
    assert "Eskaleringslast" in text and "Hva tallene betyr" in text
    assert not ENGLISH.findall(text), sorted(set(ENGLISH.findall(text)))
    assert not any(output.get("name") == "stdout" for output in bokmal[case])  # no print


@pytest.mark.parametrize("case", ["tromso", "3807"])
def test_the_report_holds_its_three_figures(bokmal, case):
    pages = _html(bokmal[case])
    figures = sum(page.count('class="plotly-graph-div"') for page in pages)
    assert figures == 3  # cases by level, utilisation, waits by option
    assert sum("Plotly.newPlot" in page for page in pages) == 3
    assert not any(o.get("data", {}).get("application/vnd.plotly.v1+json") for o in bokmal[case])


@pytest.mark.parametrize("case", ["tromso", "3807"])
def test_tables_hold_no_nan_ids_or_booleans(bokmal, case):
    tables = [page for page in _html(bokmal[case]) if "<table" in page]
    assert len(tables) >= 9  # arrivals, services, sources, levels, load, costs, options ×2, cases
    cells = {
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for t in tables for c in _CELL.findall(t)
    }
    assert not cells & _RAW
    assert not {cell for cell in cells if re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", cell)}  # no ids
    assert "Nivå 0 – identifisering" in cells and "I alt" in cells


def test_a_municipality_alone_runs_the_national_template_applied_to_it(bokmal):
    text = _visible(bokmal["3807"])
    assert "Nasjonal mal per 1 000 barn, fra filen national_per_1000.yaml" in text
    assert "brukt på befolkningen i Skien (3807)" in text
    assert "Skien (3807) har 14\u00a0881 barn og unge" in text


def test_a_municipality_with_its_own_file_runs_it_in_english(tmp_path):
    text = _visible(_run(tmp_path, scenario="", municipality="4228", lang="en"))
    assert "Scenario: Sirdal, from the file sirdal.yaml – the own scenario file of Sirdal" in text
    for phrase in (
        "Cases by level, week by week",
        "Who carries the load",
        "What the organisation costs",
        "One baton log per baton holder",
        "As today",
        "Operations board",
        "What the figures mean",
    ):
        assert phrase in text, phrase


def test_neither_scenario_nor_municipality_fails_saying_what_to_give(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as failed:
        _run(tmp_path, scenario="", municipality="")
    assert failed.value.ename == "ScenarioError"
    assert "give a scenario" in failed.value.evalue and "or a municipality" in failed.value.evalue
