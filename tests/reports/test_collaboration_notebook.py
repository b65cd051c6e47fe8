"""The collaboration map as a report: bokmål throughout, figures in the page, tables for people,
the whole of the data by default, and a clear refusal of a period without data."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import papermill as pm
import pytest

from bti_workbench.evaluation.sources import data_period
from bti_workbench.network import load_collaboration
from tests._language import ENGLISH

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_HIDDEN = {"parameters", "injected-parameters", "remove"}
#: What a table for people never holds.
_RAW = re.compile(r"\b(?:NaN|nan|None|True|False|<NA>)\b|suppression\]")


class _Text(HTMLParser):
    """The text of an HTML output, without its style and script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._skip = tag in ("style", "script")

    def handle_endtag(self, tag: str) -> None:
        self._skip = False

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _run(tmp_path: Path, notebook: str, parameters: dict) -> dict:
    out = tmp_path / f"{notebook}.out.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS / notebook),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS),
    )
    return json.loads(out.read_text(encoding="utf-8"))


def _visible(notebook: dict) -> dict[str, list[str]]:
    """What a reader sees: markdown, the text of HTML (tables, notes), plain display text and
    streams of the cells the report keeps; figures are counted apart."""
    seen: dict[str, list[str]] = {"text": [], "tables": [], "figures": []}
    for cell in notebook["cells"]:
        if _HIDDEN & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                seen["text"].append("".join(output["text"]))
            data = output.get("data", {})
            if "text/html" in data:
                page = "".join(data["text/html"])
                if "Plotly.newPlot" in page:
                    seen["figures"].append(page)
                    continue
                parser = _Text()
                parser.feed(page)
                kind = "tables" if "<table" in page else "text"
                seen[kind].append(" | ".join(parser.parts))
            elif "text/markdown" in data:
                seen["text"].append("".join(data["text/markdown"]))
            elif "text/plain" in data:
                seen["text"].append("".join(data["text/plain"]))
    return seen


@pytest.fixture(scope="module")
def bokmal(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("collaboration")
    return _visible(_run(folder, "02_collaboration_map.ipynb", {"store": str(demo_store)}))


def test_the_bokmal_report_holds_no_english(bokmal):
    text = "\n".join(bokmal["text"] + bokmal["tables"])
    assert "Samarbeidskart" in text and "Hvem bygger bro mellom sektorene" in text
    assert ENGLISH.findall(text) == []


def test_the_report_shows_its_figures_and_tables_for_people(bokmal):
    assert len(bokmal["figures"]) == 3  # map, shared cases, case flow
    assert len(bokmal["tables"]) >= 6
    for table in bokmal["tables"]:
        assert not _RAW.search(table), table[:200]
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", table), table[:200]  # no ids
    joined = "\n".join(bokmal["tables"])
    assert "Mellomliggende sentralitet" in joined and "Bindeledd" in joined
    assert "×" in joined and "<" in joined  # small counts hidden, as marks


def test_the_default_period_covers_all_the_data(demo_store, bokmal):
    data = load_collaboration("3807", "", store=demo_store)
    first, last = data_period(demo_store, "3807")
    assert data.period == (first, last)
    assert len(data.in_period) == len(data.event_log)  # no event left out
    assert data.periods[0][0] == first and data.periods[1][1] == last
    heading = next(t for t in bokmal["text"] if "Skien (3807)" in t)
    assert f"{first:%d.%m.%Y}–{last:%d.%m.%Y}" in heading


def test_a_period_without_data_fails_with_a_clear_message(demo_store, tmp_path):
    with pytest.raises(ValueError, match=r"^period: the period lies outside the data"):
        load_collaboration("1106", "2010-01-01..2010-12-31", store=demo_store)
    with pytest.raises(ValueError, match=r"^periods: give two periods"):
        load_collaboration("1106", "", ["2018-01-01..2018-12-31"], store=demo_store)
    with pytest.raises(ValueError, match=r"^periods: no case begins in period 2"):
        load_collaboration(
            "1106", "", ["2018-01-01..2018-12-31", "2016-01-01..2016-12-31"], store=demo_store
        )
    with pytest.raises(pm.PapermillExecutionError, match="the period lies outside the data"):
        _run(
            tmp_path,
            "02_collaboration_map.ipynb",
            {"store": str(demo_store), "period": "2010-01-01..2010-12-31"},
        )


def test_getting_started_in_bokmal_holds_no_english(tmp_path):
    seen = _visible(_run(tmp_path, "00_getting_started.ipynb", {"lang": "nb"}))
    text = "\n".join(seen["text"] + seen["tables"])
    assert "Kom i gang" in text and "0–23 år i alt" in text
    assert ENGLISH.findall(text) == []
    assert len(seen["figures"]) == 2 and len(seen["tables"]) == 3
    for table in seen["tables"]:
        assert not _RAW.search(table), table[:200]
