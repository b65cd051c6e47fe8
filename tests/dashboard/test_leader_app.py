"""The leaders' dashboard: pages built from plain functions, served by `make demo` and
`bti serve`, seen in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._language import ENGLISH
from tests.dashboard._browser import (
    RequestLog,
    axe_violations,
    free_port,
    launch,
    serve_dashboard,
    stop,
    wait_for,
    wait_until_drawn,
)

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "bti_workbench" / "dashboard" / "leader_app.py"
SCREENSHOTS = REPO / "build" / "screenshots"  # docs/screenshots are chosen by hand


def _served_texts(url: str) -> str:
    """Pull the served Bokeh document as a client would and join its texts."""
    import panel.models

    for module in pkgutil.iter_modules(panel.models.__path__):
        importlib.import_module(f"panel.models.{module.name}")
    from bokeh.client import pull_session

    with pull_session(url=url) as session:
        return "\n".join(str(getattr(m, "text", "")) for m in session.document.models)


@pytest.fixture
def app_module(demo_store, monkeypatch):
    monkeypatch.setenv("BTI_STORE", str(demo_store))
    spec = importlib.util.spec_from_file_location("leader_app_under_test", APP)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # pn.cache looks the module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def quiet_panel(monkeypatch, tmp_path) -> dict[str, list]:
    """Record what an import would start: servable(), pn.extension and the default store."""
    import panel as pn
    from panel.template.base import BaseTemplate
    from panel.viewable import Viewable

    from bti_workbench.synthetic import stores

    calls: dict[str, list] = {"servable": [], "extension": [], "default_store": []}
    for kind in (Viewable, BaseTemplate):
        monkeypatch.setattr(kind, "servable", lambda self, *a, **k: calls["servable"].append(self))
    monkeypatch.setattr(pn, "extension", lambda *a, **k: calls["extension"].append(a))
    monkeypatch.setattr(stores, "default_store", lambda: calls["default_store"].append(1))
    monkeypatch.setenv("BTI_STORE", str(tmp_path / "never.duckdb"))
    return calls


def test_importing_the_app_starts_nothing_and_builds_no_store(quiet_panel, monkeypatch, tmp_path):
    monkeypatch.delitem(sys.modules, "bti_workbench.dashboard.leader_app", raising=False)
    module = importlib.import_module("bti_workbench.dashboard.leader_app")
    assert callable(module.app)
    assert quiet_panel == {"servable": [], "extension": [], "default_store": []}
    assert not (tmp_path / "never.duckdb").exists()


def test_bokeh_server_run_marks_the_app_servable(quiet_panel, monkeypatch, demo_store):
    monkeypatch.setenv("BTI_STORE", str(demo_store))
    name = "bokeh_app_under_test"  # Bokeh's code runner names the module bokeh_app_<id>
    spec = importlib.util.spec_from_file_location(name, APP)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # pn.cache looks the module up
    spec.loader.exec_module(module)
    assert len(quiet_panel["servable"]) == 1 and len(quiet_panel["extension"]) == 1
    assert quiet_panel["default_store"] == []


def test_doctest_collection_of_the_dashboard_starts_nothing(tmp_path):
    store = tmp_path / "never.duckdb"
    env = {**os.environ, "BTI_STORE": str(store)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--doctest-modules",
         "--collect-only", str(APP)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: no doctest in the file
    assert "error" not in done.stdout.lower() and not store.exists()


def test_session_keeps_choices_per_municipality(app_module):
    session = app_module.Session()
    kept = session.choices("load", "4228")
    kept["scenario"] = "sirdal"
    assert session.choices("load", "4228")["scenario"] == "sirdal"
    assert "scenario" not in session.choices("load", "3807")  # another place starts afresh


def test_cards_escape_what_they_show(app_module):
    from bti_workbench.dashboard.status import Card

    shown = app_module._card_html(Card("x", "Logger <i>", "<5", "note & more", True), "nb")
    assert "&lt;5" in shown and "<i>" not in shown and "&amp; more" in shown


def test_downloads_hold_the_table_as_shown(app_module):
    import openpyxl
    import pandas as pd

    frame = pd.DataFrame({"Tjeneste": ["Skole", "PPT"], "Felles saker": ["12", "<5"]})
    row = app_module._download(frame, "samarbeid", "nb")
    csv, excel = (button.callback() for button in row.objects)
    text = csv.read().decode("utf-8-sig")
    assert text.splitlines() == ["Tjeneste;Felles saker", "Skole;12", "PPT;<5"]
    sheet = openpyxl.load_workbook(excel).active
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["Tjeneste", "Felles saker"],
        ["Skole", "12"],
        ["PPT", "<5"],
    ]


def test_the_app_opens_on_the_largest_municipality_unless_told(app_module, monkeypatch):
    places = {"4228": "Sirdal (4228)", "3807": "Skien (3807)", "1106": "Haugesund (1106)"}
    monkeypatch.delenv("BTI_MUNICIPALITY", raising=False)
    assert app_module._opening(places) == "3807"
    monkeypatch.setenv("BTI_MUNICIPALITY", "4228")
    assert app_module._opening(places) == "4228"


@pytest.mark.server
def test_make_demo_serves_the_dashboard():
    port = free_port()
    log = REPO / "build" / f"make-demo-{port}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "-s", "demo", f"PORT={port}"],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        response = wait_for(f"http://127.0.0.1:{port}/", proc, log)
        assert response.status == 200
        assert response.url.endswith("/leader_app")  # the root leads to the dashboard
        html = response.read().decode("utf-8")
        assert "<title>BTI-arbeidsbenk / BTI workbench</title>" in html
        texts = _served_texts(f"http://127.0.0.1:{port}/leader_app")
        assert "Skien (3807)" in texts  # the demo opens where the numbers show
    finally:
        stop(proc)


# --------------------------------------------------------------------------------------------
# In the browser: what a leader reads

TABS = {
    "nb": ("Status", "Belastning", "Samarbeid", "Evaluering", "Plan"),
    "en": ("Status", "Load", "Collaboration", "Evaluation", "Plan"),
}


# Bokeh draws every component in its own shadow root, out of innerText's reach: walk them.
_DEEP_TEXT = """main => {
  const out = [];
  const walk = node => {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentElement;
      if (node.textContent.trim() && parent && parent.checkVisibility()
          && !['SCRIPT', 'STYLE'].includes(parent.tagName)) out.push(node.textContent.trim());
      return;
    }
    if (node.shadowRoot) walk(node.shadowRoot);
    for (const child of node.childNodes) walk(child);
  };
  walk(main);
  return out.join('\\n');
}"""


def _main_text(page) -> str:
    """Every text a reader sees in the main area (tabs, titles, cards, tables, notes)."""
    return page.locator("#main").evaluate(_DEEP_TEXT)


def _open_tab(page, name: str) -> None:
    page.locator(".bk-tab", has_text=name).first.click()
    wait_until_drawn(page)


def _select(page, label_text: str):
    """The <select> whose label reads ``label_text`` (Bokeh draws each in a shadow root)."""
    return page.locator(".bk-input-group", has_text=label_text).locator("select").first


def _slider_titles(page) -> list[str]:
    return [t.strip() for t in page.locator(".bk-slider-title").all_inner_texts()]


def _check_page(page, lang: str, tab: str, place: str, found: dict) -> None:
    """What every page must show a reader: the place in the title, labelled table rows,
    notes as sentences, no English in bokmål, and no serious accessibility fault."""
    text = _main_text(page)
    titles = page.locator("#main h2").all_inner_texts()
    assert any(place in t for t in titles), (lang, tab, titles)
    for cells in page.locator("#main table.dataframe tbody tr").evaluate_all(
        "rows => rows.map(r => r.cells[0] ? r.cells[0].innerText.trim() : '')"
    ):
        assert cells and not cells.replace(",", "").replace(" ", "").isdigit(), (tab, cells)
    for item in page.locator("#main li").all_inner_texts():
        assert len(item.strip()) > 1, (lang, tab, item)
    assert "NaN" not in text and "nan" not in text.split(), (lang, tab)
    if lang == "nb":
        english = sorted(set(ENGLISH.findall(text)))
        assert english == [], (tab, english)
    found[f"{lang}/{tab}"] = [str(v) for v in axe_violations(page)]


@pytest.mark.server
def test_browser_what_a_leader_sees(demo_store):
    """Every page in both languages, the Load page's scenario switch, the drop-out choice and
    the language switch, as a leader meets them (Debian's chromium, 1366 × 768)."""
    from playwright.sync_api import sync_playwright

    found: dict[str, list] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve_dashboard(demo_store, "3807") as url, sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        log = RequestLog(page)
        page.goto(url)
        page.wait_for_selector(".bti-card", timeout=180_000)
        wait_until_drawn(page)
        # Status: the service filter shows its choice and narrows the page to it.
        service = _select(page, "Tjeneste")
        assert service.locator("option:checked").inner_text() == "Alle tjenester"
        assert "Alle saker i kommunen." in _main_text(page)
        service.select_option(label="Skole (inkl. SFO)")
        wait_until_drawn(page)
        assert "Tjeneste: Skole (inkl. SFO)." in _main_text(page)
        service.select_option(label="Alle tjenester")
        wait_until_drawn(page)
        for lang in ("nb", "en"):
            if lang == "en":
                page.get_by_text("English", exact=True).click()
                wait_until_drawn(page)
            for tab in TABS[lang]:
                _open_tab(page, tab)
                _check_page(page, lang, tab, "Skien (3807)", found)
                page.screenshot(path=str(SCREENSHOTS / f"{tab.lower()}_{lang}.png"))
        # The language switch keeps the tab: back to bokmål on Plan, still on Plan.
        page.get_by_text("Norsk", exact=True).click()
        wait_until_drawn(page)
        active = page.locator(".bk-tab.bk-active").inner_text()
        assert active == "Plan"

        # Sirdal: its own scenario, with its own capacities; the template with its own.
        _select(page, "Kommune").select_option(label="Sirdal (4228)")
        wait_until_drawn(page)
        _open_tab(page, "Belastning")
        titles = page.locator("#main h2").all_inner_texts()
        assert any("Sirdal (4228)" in t for t in titles), titles
        assert "Viser Sirdals eget scenario" in _main_text(page)
        sliders = _slider_titles(page)
        assert "Maks logger per stafettholder: 1" in sliders, sliders
        assert "PPT-timer per uke til BTI: 3" in sliders, sliders
        assert "Barnevernstimer per uke til BTI: 5" in sliders, sliders
        scenario = _select(page, "Scenario")
        assert scenario.locator("option").all_inner_texts() == [
            "Kommunens eget scenario",
            "Nasjonal mal per 1 000 barn",
        ]  # never another municipality's file, never the validation network
        scenario.select_option(label="Nasjonal mal per 1 000 barn")
        wait_until_drawn(page)
        assert "Viser den nasjonale malen" in _main_text(page)
        assert "Maks logger per stafettholder: 3" in _slider_titles(page)
        # A moved slider answers with a new load chart, and only the figures grey.
        page.locator(".noUi-handle").nth(1).focus()
        page.keyboard.press("ArrowRight")
        wait_until_drawn(page)
        assert "Gjennomsnittlig tid på nivå 1 (uker): 17" in _slider_titles(page)
        # The language switch keeps the scenario and the slider.
        page.get_by_text("English", exact=True).click()
        wait_until_drawn(page)
        assert page.locator(".bk-tab.bk-active").inner_text() == "Load"
        assert "Mean stay at level 1 (weeks): 17" in _slider_titles(page)
        assert "Shows the national template" in _main_text(page)
        page.get_by_text("Norsk", exact=True).click()
        wait_until_drawn(page)

        # Collaboration in Haugesund: the drop-out picker carries ids and shows names.
        _select(page, "Kommune").select_option(label="Haugesund (1106)")
        wait_until_drawn(page)
        _open_tab(page, "Samarbeid")
        dropped = _select(page, "Hva om en tjeneste faller ut?")
        dropped.select_option(label="Barnevern")
        wait_until_drawn(page)
        text = _main_text(page)
        assert "Hva om en tjeneste faller ut? Barnevern" in text
        assert dropped.locator("option:checked").inner_text() == "Barnevern"
        page.screenshot(path=str(SCREENSHOTS / "collaboration_dropout_nb.png"))
        browser.close()
    assert found == {key: [] for key in found}, found
    assert log.external() == [], log.external()
    assert log.errors == [], log.errors


def test_a_new_import_shows_without_a_restart(app_module, tmp_path, monkeypatch):
    """Shared results are keyed by the store's latest import: the next page sees it."""
    from bti_workbench.ingest.store import import_files
    from bti_workbench.synthetic.demo import write_demo

    store = tmp_path / "store.duckdb"
    for code in ("4228", "1106"):
        write_demo(tmp_path / code, code, seed=1)
    import_files(store, [tmp_path / "4228" / "event_log.csv"], "event-log", "4228")
    monkeypatch.setenv("BTI_STORE", str(store))
    before = app_module._current("4228")
    assert list(app_module._places(str(store), app_module.store_version(store))) == ["4228"]
    import_files(store, [tmp_path / "1106" / "event_log.csv"], "event-log", "1106")
    places = app_module._places(str(store), app_module.store_version(store))
    assert list(places) == ["1106", "4228"]  # the new municipality is in the picker
    assert app_module._current("4228") is not before  # read again, not served stale
