"""The brief (``notebooks/05_brief.ipynb``) run with papermill on the demo store: one figure,
plain bokmål without English, and English when asked; rendered, it opens offline."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from bti_workbench.reference.labels import label
from bti_workbench.reports import render_report
from tests._language import ENGLISH

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05_brief.ipynb"


def _run(tmp_path: Path, store: Path, **parameters: object) -> nbformat.NotebookNode:
    out = tmp_path / f"brief_{parameters['municipality']}_{parameters['lang']}.ipynb"
    pm.execute_notebook(
        str(NOTEBOOK),
        str(out),
        parameters={"store": str(store), **parameters},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOK.parent),
    )
    return nbformat.read(out, as_version=4)


def _figure_texts(page: str) -> list[str]:
    """The strings a reader sees in a plotly figure: trace names and texts, hover texts,
    annotations and axis titles (not plotly.js itself)."""
    decoder = json.JSONDecoder()
    texts = []
    for call in page.split("Plotly.newPlot(")[1:]:
        rest = call[call.index(",") + 1 :].lstrip()
        traces, end = decoder.raw_decode(rest)
        layout, _ = decoder.raw_decode(rest[end:].lstrip(", \n"))
        for trace in traces:
            texts += [trace.get("name", ""), trace.get("hovertemplate", "")]
            texts += [str(t) for t in trace.get("text", None) or []]
        texts += [a.get("text", "") for a in layout.get("annotations", [])]
        for axis in ("xaxis", "yaxis"):
            texts.append(layout.get(axis, {}).get("title", {}).get("text", ""))
    return [re.sub(r"%\{[^}]*\}|<[^>]+>", " ", t) for t in texts]


def _visible(notebook: nbformat.NotebookNode) -> tuple[str, int]:
    """What a reader of the report sees, as text, and how many figures."""
    parts, figures = [], 0
    for cell in notebook.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            assert output["output_type"] not in ("stream", "error"), output
            data = output.get("data", {})
            if "text/html" in data:
                page = data["text/html"]
                if "Plotly.newPlot(" in page:
                    figures += 1
                    parts += _figure_texts(page)
                    continue
                page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
                parts.append(html.unescape(re.sub(r"<[^>]+>", " ", page)))
            elif "text/markdown" in data:
                parts.append(data["text/markdown"])
            elif "text/plain" in data:
                parts.append(data["text/plain"])
    return "\n".join(parts), figures


@pytest.fixture(scope="module")
def sirdal(demo_store, tmp_path_factory):
    """The default municipality, small: most counts are hidden."""
    return _visible(
        _run(tmp_path_factory.mktemp("brief"), demo_store, municipality="4228", lang="nb")
    )


def test_the_bokmal_brief_has_one_figure_and_no_english(sirdal):
    text, figures = sirdal
    assert figures == 1
    assert ENGLISH.findall(text) == []
    assert "Sirdal (4228)" in text and "01.12.2019–31.05.2020" in text
    for key in ("brief.headline.heading", "brief.trend.heading"):
        assert label(key, "nb").lstrip("# ") in text
    assert "Dette bør besluttes eller følges opp" in text
    assert label("brief.trend.y", "nb") in text  # the figure's own words are checked too
    assert "NaN" not in text and "None" not in text and "True" not in text


def test_a_small_municipality_says_plainly_that_figures_are_hidden(sirdal):
    text, _ = sirdal
    # Not an empty page: the new logs are shown, and the rest is said to be hidden and why.
    assert "Nye stafettlogger" in text and "skjult" in text
    assert re.search(r"\d av 5 tall er skjult fordi de bygger på færre enn 5 barn", text)
    assert "Velg en lengre periode" in text
    assert "Kontroller som ikke kunne gjøres fordi tallene bak er skjult" in text


def test_skien_says_why_it_has_no_comparison(demo_store, tmp_path):
    text, figures = _visible(_run(tmp_path, demo_store, municipality="3807", lang="nb"))
    assert figures == 1
    assert ENGLISH.findall(text) == []
    assert "Ingen sammenligning" in text and "01.09.2019" in text  # go-live in the period before
    assert re.search(r"\d+\s%\s+\d+–\d+\s%", text)  # shares with their intervals


def test_the_english_brief_compares_with_the_period_before(demo_store, tmp_path):
    text, figures = _visible(_run(tmp_path, demo_store, municipality="1106", lang="en"))
    assert figures == 1
    for phrase in (
        "Haugesund (1106)",
        "Headline figures",
        "Change from the previous period (01.07.2019–31.12.2019)",
        "Concerns decided within 14 days",
        "What needs a decision or follow-up",
        "points (",
    ):
        assert phrase in text, phrase
    assert "skjult" not in text and "Hovedtall" not in text
    assert ENGLISH.findall(text)  # the word check of the bokmål tests sees this text


def test_the_rendered_brief_opens_offline(demo_store, tmp_path):
    out = render_report(
        NOTEBOOK,
        {"store": str(demo_store), "municipality": "1106", "lang": "nb"},
        tmp_path / "b.html",
    )
    page = out.read_text(encoding="utf-8")
    assert page.count('class="plotly-graph-div"') == 1
    assert "<script src=" not in page and '<link rel="stylesheet" href="http' not in page
    assert "@page { size: A4" in page  # the print layout travels with the page
    assert "build_brief(" not in page  # no code
