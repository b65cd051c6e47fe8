"""The first served page: built from plain functions, served by `make demo`, seen in a browser."""

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

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboards" / "leader_app.py"
SCREENSHOTS = REPO / "build" / "screenshots"


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
def app_module(demo_dir, monkeypatch):
    monkeypatch.setenv("BTI_DATA_DIR", str(demo_dir))
    spec = importlib.util.spec_from_file_location("leader_app_under_test", APP)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # pn.cache looks the module up
    spec.loader.exec_module(module)
    return module


def test_page_shows_municipality_population_services_and_flow(app_module):
    from bti_workbench.privacy import DEFAULT_K

    for lang, banner in (("nb", "Syntetiske demodata"), ("en", "Synthetic demo data")):
        page = app_module.page(lang)
        texts = "\n".join(str(getattr(p, "object", "")) for p in page.objects)
        assert "Sirdal (4228)" in texts and banner in texts
        population, flow = page.objects[1].objects
        assert list(population.object.data[0].y) == [107, 245, 86, 96]
        links = flow.object.data[0].link.value
        assert len(links) > 0 and min(links) >= DEFAULT_K  # nothing below k is drawn
        cells = page.objects[3].object.to_numpy().ravel().tolist()
        assert "<5" in cells  # Sirdal is small: some transitions are suppressed
        assert all(v in ("<5", "×") or int(v) == 0 or int(v) >= DEFAULT_K for v in cells)
        table = page.objects[-1].value
        assert len(table) == 16 and table.iloc[0, 0] in ("Barnehage", "Kindergarten")


@pytest.mark.server
def test_make_demo_serves_the_page():
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


@pytest.mark.server
def test_browser_renders_and_switches_language(demo_dir):
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (set BTI_REQUIRE_BROWSER to make this a failure)")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    log = REPO / "build" / f"serve-{port}.log"
    log.parent.mkdir(exist_ok=True)
    env = {**os.environ, "BTI_DATA_DIR": str(demo_dir)}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "panel",
                "serve",
                str(APP),
                "--port",
                str(port),
                "--address",
                "127.0.0.1",
                "--allow-websocket-origin",
                f"127.0.0.1:{port}",
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/leader_app", proc, log)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            # A served app must work without the internet: nothing may be fetched from outside.
            page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
            page.goto(f"http://127.0.0.1:{port}/leader_app")
            page.wait_for_selector("text=Sirdal (4228)", timeout=60_000)
            page.wait_for_selector("text=Syntetiske demodata – ingen ekte personer")
            page.wait_for_selector(".js-plotly-plot .sankey", timeout=30_000)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "overview_nb.png"), full_page=True)
            page.get_by_text("English", exact=True).click()
            page.wait_for_selector("text=Synthetic demo data – no real people", timeout=30_000)
            page.wait_for_selector("text=Case flow between levels")
            page.screenshot(path=str(SCREENSHOTS / "overview_en.png"), full_page=True)
            browser.close()
        assert errors == []
    finally:
        _stop(proc)
