"""The browser harness itself (tests/dashboard/_browser.py): axe finds what it must, shadow
roots included, and passes a clean page; the request log sees every request and error;
a missing axe-core skips, or fails under ``$BTI_REQUIRE_BROWSER``. No server: the pages
are served by Playwright's router on a made-up host, so nothing leaves the machine."""

from __future__ import annotations

import pytest

from tests.dashboard._browser import (
    AXE_VERSION,
    DEFAULT_AXE_JS,
    REPO,
    RequestLog,
    Violation,
    axe_js,
    axe_violations,
    launch,
)

HOST = "http://bti-harness.invalid"

CLEAN = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Ren side</title></head>
<body><main>
  <h1>Ren side</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Et tomt bilde">
  <label for="kommune">Kommune</label>
  <select id="kommune"><option>Sirdal (4228)</option><option>Skien (3807)</option></select>
  <p style="color:#1f4e79;background:#ffffff">Mørk blå på hvitt</p>
</main></body></html>"""

# The same page with three faults: an image without alt text (image-alt, critical), grey
# on white at 1.6:1 (color-contrast, serious), and, inside a shadow root as Bokeh draws
# every widget, a select without a label (select-name, critical).
BROKEN = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Feil side</title></head>
<body><main>
  <h1>Feil side</h1>
  <img id="uten-alt" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <p id="blek" style="color:#cccccc;background:#ffffff">Lys grå på hvitt</p>
  <div id="vert"></div>
  <script>
    const root = document.getElementById("vert").attachShadow({mode: "open"});
    root.innerHTML = '<select id="input"><option>Sirdal (4228)</option></select>';
  </script>
</main></body></html>"""

# Loads a missing picture and logs an error; the request log must see both.
NOISY = """<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>Støy</title></head>
<body><main><h1>Støy</h1><img src="/finnes-ikke.png" alt="Mangler">
<script>console.error("noe gikk galt"); console.log("bare info");</script>
</main></body></html>"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page whose requests to :data:`HOST` Playwright answers; any other request fails."""
    context = browser.new_context()
    pages = {"/clean.html": CLEAN, "/broken.html": BROKEN, "/noisy.html": NOISY}

    def answer(route):
        path = route.request.url.removeprefix(HOST)
        if path in pages:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=pages[path])
        else:
            route.fulfill(status=404, content_type="text/plain", body="not found")

    context.route(f"{HOST}/**", answer)
    page = context.new_page()
    yield page
    context.close()


def test_axe_passes_a_clean_page(page):
    page.goto(f"{HOST}/clean.html")
    assert axe_violations(page, impacts=("minor", "moderate", "serious", "critical")) == []


def test_axe_finds_the_faults_of_a_page_and_inside_shadow_roots(page):
    page.goto(f"{HOST}/broken.html")
    found = axe_violations(page)
    assert [(v.id, v.impact) for v in found] == [
        ("color-contrast", "serious"),
        ("image-alt", "critical"),
        ("select-name", "critical"),
    ]
    by_id = {v.id: v for v in found}
    assert by_id["image-alt"].targets == ("#uten-alt",)
    assert by_id["image-alt"].nodes == 1 and "<img" in by_id["image-alt"].html
    assert by_id["color-contrast"].targets == ("#blek",)
    assert "1.6" in by_id["color-contrast"].summary  # axe quotes the measured ratio
    assert by_id["select-name"].targets == ("#vert >> #input",)  # through the shadow root
    assert "select-name" in str(by_id["select-name"])
    # Only the impacts asked for; axe is injected once and can run again.
    critical = axe_violations(page, impacts=("critical",))
    assert [v.id for v in critical] == ["image-alt", "select-name"]
    assert all(isinstance(v, Violation) for v in critical)


def test_request_log_records_every_request_and_error(page):
    log = RequestLog(page)
    page.goto(f"{HOST}/noisy.html")
    page.wait_for_load_state("load")
    assert log.requests == [f"{HOST}/noisy.html", f"{HOST}/finnes-ikke.png"]
    assert "noe gikk galt" in log.errors
    assert any("404" in e for e in log.errors)  # the missing picture
    assert not any("bare info" in e for e in log.errors)
    assert log.external() == log.requests  # a made-up host is not this machine
    local = RequestLog(page)
    local.requests += ["http://127.0.0.1:5006/leader_app", "ws://localhost:5006/ws", "data:,"]
    assert local.external() == []


def test_missing_axe_skips_or_fails_when_required(monkeypatch, tmp_path):
    monkeypatch.setenv("BTI_AXE_JS", str(tmp_path / "axe.min.js"))
    monkeypatch.delenv("BTI_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="axe-core is missing"):
        axe_js()
    monkeypatch.setenv("BTI_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="BTI_REQUIRE_BROWSER is set"):
        axe_js()
    (tmp_path / "axe.min.js").write_text("window.axe = {};")
    assert axe_js() == tmp_path / "axe.min.js"
    monkeypatch.delenv("BTI_AXE_JS")  # then the path .ci/run installs to
    if DEFAULT_AXE_JS.is_file():
        assert axe_js() == DEFAULT_AXE_JS
    else:
        with pytest.raises(pytest.fail.Exception, match=str(DEFAULT_AXE_JS)):
            axe_js()


def test_ci_installs_the_axe_version_the_harness_names():
    ci = (REPO / ".ci" / "run").read_text()
    assert f"AXE_VERSION={AXE_VERSION}\n" in ci
    assert "npm install --prefix .cache/axe" in ci and ".cache/axe" in str(DEFAULT_AXE_JS)
    assert ".cache/" in (REPO / ".gitignore").read_text().splitlines()
