"""The leaders' dashboard: pages built from plain functions, served by `make demo` and
`bti serve`, seen in a real browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "bti_workbench" / "dashboard" / "leader_app.py"
SCREENSHOTS = REPO / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"no answer from {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


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


def _texts(obj) -> str:
    """Every text a Panel layout holds, recursively."""
    value = getattr(obj, "object", None)
    parts = [value.to_string() if hasattr(value, "to_string") else str(value or "")]
    for child in getattr(obj, "objects", []) or []:
        parts.append(_texts(child))
    return "\n".join(parts)


def test_pages_show_the_store_in_either_language(app_module):
    status = app_module.status_page("nb", "4228")
    text = _texts(status)
    assert "Sirdal (4228)" in text and "Syntetiske demodata" in text
    assert "<div class='bti-value'><5</div>" in text  # Sirdal is small: a card reads "<5"
    english = _texts(app_module.status_page("en", "4228"))
    assert "Synthetic demo data" in english and "Active logs at level 1" in english
    plan = app_module.plan_page("en", "1106")
    assert plan.objects[0].object.layout.title.text  # the Gantt chart
    evaluation = _texts(app_module.evaluation_page("nb", "1106"))
    assert "Rekkevidde" in evaluation


@pytest.mark.server
def test_make_demo_serves_the_dashboard():
    port = _free_port()
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
        response = _wait_for(f"http://127.0.0.1:{port}/", proc, log)
        assert response.status == 200
        assert response.url.endswith("/leader_app")  # the root leads to the dashboard
        html = response.read().decode("utf-8")
        assert "<title>BTI-arbeidsbenk / BTI workbench</title>" in html
        texts = _served_texts(f"http://127.0.0.1:{port}/leader_app")
        assert "Sirdal (4228)" in texts
    finally:
        _stop(proc)


def _chromium() -> str | None:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None and os.environ.get("BTI_REQUIRE_BROWSER"):
        pytest.fail("BTI_REQUIRE_BROWSER is set but Debian's chromium is not installed")
    return path


_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# A plot being drawn has no data yet: null until it has.
_PLOT_DATA = "el => el.data ? JSON.stringify(el.data.map(t => [t.x, t.y])) : null"


def _plot_data(page, title: str, timeout: float = 120) -> str:
    """The data of the plot whose text holds ``title``, once it is drawn."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        charts = page.locator(".js-plotly-plot", has_text=title)
        if charts.count():
            try:
                data = charts.first.evaluate(_PLOT_DATA, timeout=5_000)
            except Exception:  # re-drawn while read: try again
                data = None
            if data:
                return data
        page.wait_for_timeout(500)
    pytest.fail(f"no drawn plot with {title!r} within {timeout} s")


@pytest.mark.server
def test_browser_every_page_slider_language_and_small_cells(demo_store):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (set BTI_REQUIRE_BROWSER to make this a failure)")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    log = REPO / "build" / f"serve-{port}.log"
    log.parent.mkdir(exist_ok=True)
    env = {**os.environ, "BTI_MUNICIPALITY": "4228"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bti_workbench.cli",
                "serve",
                "--store",
                str(demo_store),
                "--port",
                str(port),
                "--address",
                "127.0.0.1",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/leader_app", proc, log)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=_CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            # A served app must work without the internet: nothing may be fetched from outside.
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto(f"http://127.0.0.1:{port}/leader_app")
            page.wait_for_selector(".bti-card", timeout=120_000)
            assert page.locator("h2", has_text="Sirdal (4228)").count() == 1
            values = page.locator(".bti-value").all_inner_texts()
            assert "<5" in values  # a suppressed count reads "<5", never the number
            page.screenshot(path=str(SCREENSHOTS / "status_nb.png"))
            for tab, shot in (
                ("Samarbeid", "collaboration_nb.png"),
                ("Evaluering", "evaluation_nb.png"),
                ("Plan", "plan_nb.png"),
                ("Belastning", "load_nb.png"),
            ):
                page.locator(".bk-tab", has_text=tab).first.click()
                page.wait_for_selector(".js-plotly-plot", timeout=120_000)
                page.wait_for_timeout(1500)
                page.screenshot(path=str(SCREENSHOTS / shot))
            # Moving a slider answers with a new load chart.
            before = _plot_data(page, "Saker per nivå")
            handle = page.locator(".noUi-handle").nth(1)  # mean stay at level 1
            handle.focus()
            for _ in range(6):
                handle.press("ArrowRight")
            handle.dispatch_event("mouseup")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                page.wait_for_timeout(1000)
                after = _plot_data(page, "Saker per nivå")
                if after != before:
                    break
            assert after != before, "the load chart did not change when a slider moved"
            # The language toggle changes every label.
            page.get_by_text("English", exact=True).click()
            page.wait_for_selector(".bk-tab:has-text('Collaboration')", timeout=60_000)
            assert page.locator(".bk-tab", has_text="Samarbeid").count() == 0
            page.locator(".bk-tab", has_text="Status").first.click()
            page.wait_for_selector("text=Synthetic demo data – no real people", timeout=60_000)
            page.screenshot(path=str(SCREENSHOTS / "status_en.png"))
            browser.close()
        assert errors == []
    finally:
        _stop(proc)
