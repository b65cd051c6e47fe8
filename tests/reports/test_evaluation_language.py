"""The evaluation report in bokmål holds no English, and its tables are for people.

Both reports are rendered from the demo store: Skien (3807) in bokmål, with every section
filled (survey, time series, the comparison across municipalities, the plan), and Haugesund
(1106) in English. What a reader sees is the page without its scripts, styles and tags.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from bti_workbench.reference.labels import label
from bti_workbench.reports import REPORTS, notebook_path, render_report
from tests._language import ENGLISH

# Ids of the library's frames that must never reach a reader: items, terms, states, columns.
IDS = re.compile(
    r"\b(know_what_to_do|know_whom_to_contact|trust_services|log_useful|level_change|"
    r"slope_change|baseline_trend|done_on_time|done_late|days_late|n_before|n_after|"
    r"change_low|change_high|cohens_h|p_value|mdd|underpowered|ratio_low|n_treated|n_control|"
    r"follow_up)\b"
)
# Index and column names that are English words: never in bokmål.
NAMES = re.compile(
    r"\b(simple|dynamic|aggregation|responsible|phase|term|item|wave|baseline|cancelled|"
    r"event-log|staff-survey|progress-plan)\b"
)
RAW = re.compile(r"\b(NaN|nan|None|True|False|NaT)\b|<NA>")


def visible_text(page: str) -> str:
    """What a reader of the HTML sees: no script, style or tag; entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture(scope="module")
def pages(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("evaluation_language")
    notebook = notebook_path(REPORTS["evaluation"])
    rendered = {}
    for lang, place in (("nb", "3807"), ("en", "1106")):
        parameters = {"store": str(demo_store), "municipality": place, "lang": lang, "k": 5}
        target = render_report(notebook, parameters, out / f"{lang}.html")
        rendered[lang] = visible_text(target.read_text(encoding="utf-8"))
    return rendered


def test_the_bokmal_report_holds_no_english_and_no_raw_values(pages):
    text = pages["nb"]
    assert ENGLISH.findall(text) == []
    assert RAW.findall(text) == []
    assert IDS.findall(text) == []
    assert NAMES.findall(text) == []
    # Every section heading is the catalogue's bokmål, one language at a time.
    for key in ("nb03.headline", "nb03.surveys", "nb03.its", "nb03.staggered", "nb03.plan"):
        heading = label(key, "nb", k=5).splitlines()[0].lstrip("# ")
        assert heading in text, heading
    assert "Hovedtall" in text and "Headline" not in text


def test_the_bokmal_tables_have_catalogue_headers_and_norwegian_numbers(pages):
    text = pages["nb"]
    headers = [
        label("tab.ev.survey.item", "nb"),
        label("tab.ev.survey.share", "nb", wave=label("wave.baseline", "nb")),
        label("tab.ev.survey.change", "nb", level="95"),
        label("tab.ev.survey.p_value", "nb", test=label("tab.ev.test.mann_whitney", "nb")),
        label("tab.ev.its.level_change.ratio", "nb"),
        label("tab.ev.did.effect", "nb"),
        label("plan.state.done_on_time", "nb"),
        label("tab.ev.plan.days_late", "nb"),
        label("tab.ev.month_end", "nb"),
        label("contract.event_log", "nb"),
    ]
    for header in headers:
        assert header in text, header
    assert label("item.know_what_to_do", "nb") in text
    assert "<0,001" in text  # p-values as a reader writes them
    assert re.search(r"\d+,\d+ til \d+,\d+", text)  # intervals with a decimal comma
    assert not re.search(r"\b0\.\d\d\b", text)  # no decimal point
    assert re.search(r"\d \d{3}\b", text)  # 1 234 (the no-break space reads as a space)


def test_the_english_report_reads_in_english(pages):
    text = pages["en"]
    for phrase in (
        "1. Headline figures",
        "5. Staff surveys before and after",
        "Jump at go-live (rate ratio)",
        "Baseline: share agreeing",
        "I know what to do when I am worried about a child",
        "Average over all months after go-live",
        "Days past the deadline (sum)",
        "Methods and caveats",
    ):
        assert phrase in text, phrase
    assert RAW.findall(text) == []
    assert IDS.findall(text) == []
    for bokmal in ("Hovedtall", "Spørsmål", "andel enige", "Metoder og forbehold"):
        assert bokmal not in text, bokmal
