"""`bti report NAME` for every report, as a reader meets it: the page opens offline with its
figures drawn, reads in bokmål only, and prints to a PDF with its pages.

Each report is rendered once (module fixtures, small settings on the demo data) and every
assertion reads that page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from tests._language import ENGLISH

runner = CliRunner()

#: Figures each report holds on the demo data with the settings below (counted by hand in the
#: rendered pages and in the notebooks' figure calls).
FIGURES = {"load": 3, "collaboration": 3, "evaluation": 7, "national": 6, "brief": 1}


def _ids() -> set[str]:
    """Ids a reader must never see in place of a name: services, survey items, options,
    indicators and parameters with an underscore in them."""
    from bti_workbench._util.resources import data_dir, resource
    from bti_workbench.reference.labels import catalogue

    services = pd.read_csv(resource("services.csv"), dtype=str)["id"]
    items = pd.read_csv(resource("survey_items.csv"), dtype=str)["item"]
    options = [path.stem for path in (data_dir() / "scenarios" / "options").glob("*.yaml")]
    keys = [key.split(".")[1] for key in catalogue().index if key.startswith(("ind.", "metric."))]
    return {name for name in [*services, *items, *options, *keys] if "_" in name}


_IDS = _ids()


def _arguments(name: str, store: Path, sweeps: Path) -> list[str]:
    """Small, fast settings on the demo data for each report."""
    return {
        "load": ["-m", "4228", "-o", "no_bti", "-r", "20"],
        "collaboration": ["-m", "3807", "--store", str(store)],
        "evaluation": ["-m", "3807", "--store", str(store)],
        "national": [
            "--municipalities", "5413,4228", "-o", "trial_cap_one_log,intermunicipal_team",
            "-r", "4",
            "--sweeps", str(sweeps),
        ],
        "brief": ["-m", "3807", "--store", str(store)],
    }[name]  # fmt: skip


def _visible_text(page: str) -> str:
    """What a reader sees: the page without scripts, styles and tags."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def pages(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Every report in bokmål as HTML: the command's output and the page."""
    folder = tmp_path_factory.mktemp("reports")
    rendered = {}
    for name in FIGURES:
        out = folder / f"{name}.html"
        args = ["report", name, *_arguments(name, demo_store, folder / "sweeps")]
        result = runner.invoke(app, [*args, "--out", str(out), "--lang", "nb"])
        assert result.exit_code == 0, (name, result.output)
        rendered[name] = {"output": result.output, "page": out.read_text(encoding="utf-8")}
    return rendered


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_page_holds_its_figures_with_plotly_inlined_once(pages, name):
    page = pages[name]["page"]
    assert page.count('class="plotly-graph-div"') == FIGURES[name]
    assert len(re.findall(r"plotly\.js v\d+\.\d+\.\d+", page)) == 1  # the library, once


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_page_fetches_nothing_from_the_internet(pages, name):
    tags = re.findall(
        r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*>", pages[name]["page"]
    )
    for tag in tags:
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", tag, re.I), tag
    assert not re.search(r"@import|url\(\s*[\"']?(?:https?:)?//", pages[name]["page"])


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_bokmal_page_holds_no_english_no_ids_and_no_nan(pages, name):
    text = _visible_text(pages[name]["page"])
    assert ENGLISH.findall(text) == []
    assert not re.search(r"\b(NaN|nan|None|True|False)\b", text)
    words = set(re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", text))
    assert not words & _IDS, words & _IDS


def test_the_command_says_what_it_runs_and_writes_in_bokmal(pages):
    output = pages["evaluation"]["output"]
    assert "Kjører «Evaluering av utprøvingen» for 2018-01-01.." in output
    assert "skrev " in output and ENGLISH.findall(re.sub(r"/\S+", "", output)) == []


def _pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


@pytest.mark.parametrize(
    ("name", "pages_at_least", "pages_at_most"),
    [("brief", 1, 1), ("evaluation", 9, 40)],  # the evaluation: each of 9 sections on a new page
)
def test_the_pdf_is_a_pdf_with_its_pages(demo_store, tmp_path, name, pages_at_least, pages_at_most):
    out = tmp_path / f"{name}.pdf"
    args = ["report", name, *_arguments(name, demo_store, tmp_path), "--format", "pdf"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert pages_at_least <= _pdf_pages(data) <= pages_at_most


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load"], "--municipality, --scenario"),
        (["load", "--scenario", "atlantis"], "--scenario"),
        (["load", "-m", "4228", "-o", "no_such_option"], "--option"),
        (["load", "-m", "4228", "--format", "docx"], "--format"),
        (["national", "--municipalities", "5413,12345678901"], "--municipalities"),
        (["brief", "-m", "4228", "--store", "no/such/store.duckdb"], "store.duckdb"),
    ],
)
def test_a_wrong_request_stops_before_any_notebook_runs(monkeypatch, tmp_path, args, message):
    import bti_workbench.reports.render as render

    def refuse(*_args, **_kwargs):
        raise AssertionError("a notebook ran")

    monkeypatch.setattr(render, "render_report", refuse)
    result = runner.invoke(app, ["report", *args, "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert "12345678901" not in result.output
    assert not (tmp_path / "r.html").exists()
