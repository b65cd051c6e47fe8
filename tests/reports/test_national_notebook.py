"""Notebook 04 (`bti report national`) in bokmål: its six figures, tables for people, no English.

The notebook runs under papermill with small settings (two municipalities, few replications
and Latin hypercube samples); what a reader of the rendered report sees is every display
output of the cells that are not hidden: Markdown, tables, the figures' texts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from tests._language import ENGLISH

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "04_national_comparison.ipynb"
_HIDDEN = {"parameters", "injected-parameters", "remove"}
_NEW_PLOT = re.compile(r'Plotly\.newPlot\(\s*"[^"]+",\s*')
_NOT_A_TABLE_VALUE = re.compile(r"\b(NaN|nan|None|True|False|inf)\b")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The display outputs a reader sees, of a small bokmål run."""
    work = tmp_path_factory.mktemp("national")
    out = work / "out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={
            "municipalities": "5413,1106",
            "replications": 4,
            "lhs_samples": 12,
            "sensitivity_municipality": "5413",
            "lang": "nb",
            "out": str(work / "sweeps"),
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    node = nbformat.read(out, as_version=4)
    shown = []
    for cell in node.cells:
        if cell.cell_type != "code" or _HIDDEN & set(cell.metadata.get("tags", [])):
            continue
        shown += cell.get("outputs", [])
    return shown


def _strings(value: object, skip: frozenset = frozenset({"template"})) -> list[str]:
    """Every string in a figure's JSON (titles, names, texts, hover templates)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() if key not in skip for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _figures(html: str) -> list[list[str]]:
    """The strings of each plotly figure in an HTML output: its data and its layout."""
    decoder = json.JSONDecoder()
    figures = []
    for match in _NEW_PLOT.finditer(html):
        data, end = decoder.raw_decode(html, match.end())
        rest = html[end:].lstrip().removeprefix(",").lstrip()
        layout, _ = decoder.raw_decode(rest)
        figures.append(_strings(data) + _strings(layout))
    return figures


def _text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _html(outputs: list[dict]) -> list[str]:
    return ["".join(o["data"]["text/html"]) for o in outputs if "text/html" in o.get("data", {})]


def test_six_figures_with_bokmal_texts(outputs):
    figures = [figure for html in _html(outputs) for figure in _figures(html)]
    assert len(figures) == 6
    for strings in figures:
        words = ENGLISH.findall(" ".join(strings))
        assert not words, words
    options = {name for strings in figures for name in strings}
    assert "Én stafettlogg per stafettholder" in options  # option names, not ids
    assert "Dagens organisering" in options
    assert "Nivå 1: andel som går opp ett nivå" in options  # parameters by their names


def test_no_english_and_nothing_printed(outputs):
    assert not [o for o in outputs if o["output_type"] == "stream" and o["name"] == "stdout"]
    assert not [o for o in outputs if o["output_type"] == "error"]
    texts = []
    for output in outputs:
        data = output.get("data", {})
        texts.append("".join(data.get("text/markdown", "")))
        texts.append("".join(data.get("text/plain", "")))
        texts.append(_text("".join(data.get("text/html", ""))))
    text = "\n".join(texts)
    assert not ENGLISH.findall(text), sorted(set(ENGLISH.findall(text)))
    assert "## 6. Hvilke forutsetninger styrer belastningen" in text
    assert "Fra Ibestad (256 barn og unge) til Haugesund (10\u00a0240 barn og unge)." in text
    assert "8 beregninger: 8 kjørt nå, 0 ferdige fra før, 0 feilet." in text


def test_tables_are_for_people(outputs):
    tables = [html for html in _html(outputs) if "<table" in html]
    # municipalities, options, the cap and the payoff by size, the two sensitivity tables
    assert len(tables) == 6
    for html in tables:
        text = _text(html)
        assert not _NOT_A_TABLE_VALUE.search(text), text
        assert "row_heading" not in html  # no index column
        assert not re.search(r"\d\.\d", text), text  # bokmål decimals are commas
        assert not ENGLISH.findall(text), text
    every = " ".join(_text(html) for html in tables)
    assert "Interkommunalt team for PPT og barnevern" in every
    assert "Kommunenummer" in every and "Størrelse" in every
    assert "Utslag, høy minus lav (95 % KI)" in every
    assert re.search(r"\d kr\b", every)  # kroner in bokmål
