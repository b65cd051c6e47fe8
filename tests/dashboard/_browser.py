"""Browser helpers for the dashboard tests: the served app, chromium, a request log and axe.

The browser tests drive Debian's chromium (``/usr/bin/chromium``) through Playwright, and
check every page with axe-core (npm package ``axe-core``, injected into the page). CI
(``.ci/run``) installs both; locally::

    npm install --prefix .cache/axe axe-core@4.14.1    # .cache/ is git-ignored

or point ``$BTI_AXE_JS`` at any ``axe.min.js``. Without chromium or axe-core the tests that
need them skip, unless ``$BTI_REQUIRE_BROWSER`` is set (``.ci/run`` sets it): then they fail.

Examples
--------
Every page in both languages, checked by axe, offline::

    from tests.dashboard._browser import (
        RequestLog, axe_violations, launch, serve_dashboard, wait_until_drawn)

    @pytest.mark.server
    def test_every_page_passes_axe(demo_store):
        from playwright.sync_api import sync_playwright

        found = {}
        with serve_dashboard(demo_store) as url, sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            log = RequestLog(page)
            page.goto(url)
            page.wait_for_selector(".bti-card", timeout=120_000)
            for language in ("Norsk", "English"):
                page.get_by_text(language, exact=True).click()
                wait_until_drawn(page)
                for tab in range(page.locator(".bk-tab").count()):
                    page.locator(".bk-tab").nth(tab).click()
                    wait_until_drawn(page)
                    name = page.locator(".bk-tab").nth(tab).inner_text()
                    found[f"{language}/{name}"] = [str(v) for v in axe_violations(page)]
            browser.close()
        assert found == {key: [] for key in found}
        assert log.errors == [] and log.external() == []
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

__all__ = [
    "AXE_TAGS",
    "AXE_VERSION",
    "CHROMIUM_ARGS",
    "DEFAULT_AXE_JS",
    "REPO",
    "RequestLog",
    "Violation",
    "axe_js",
    "axe_violations",
    "chromium_path",
    "free_port",
    "launch",
    "serve_dashboard",
    "stop",
    "wait_for",
    "wait_until_drawn",
]

REPO = Path(__file__).resolve().parents[2]
#: The axe-core release ``.ci/run`` installs (keep the two in step).
AXE_VERSION = "4.14.1"
#: Where ``npm install --prefix .cache/axe axe-core@…`` puts the script.
DEFAULT_AXE_JS = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.1 AA: the rule sets axe runs (``runOnly``).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: Chromium's flags that work in a container without a display, a GPU or the internet.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def _missing(what: str) -> None:
    """Fail when ``$BTI_REQUIRE_BROWSER`` is set, else skip the test."""
    if os.environ.get("BTI_REQUIRE_BROWSER"):
        pytest.fail(f"BTI_REQUIRE_BROWSER is set but {what}")
    pytest.skip(f"{what} (set BTI_REQUIRE_BROWSER to make this a failure)")


def chromium_path() -> str:
    """Debian's chromium; skip the test without it (fail under ``$BTI_REQUIRE_BROWSER``).

    Returns
    -------
    str
        The executable, ``/usr/bin/chromium`` on Debian.
    """
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _missing("Debian's chromium is not installed")
    return path


def axe_js() -> Path:
    """axe-core's ``axe.min.js``: ``$BTI_AXE_JS``, else :data:`DEFAULT_AXE_JS`.

    Skips the test when absent, fails when ``$BTI_REQUIRE_BROWSER`` is set.

    Returns
    -------
    pathlib.Path
        The script, to inject with ``page.add_script_tag(path=...)``.
    """
    path = Path(os.environ.get("BTI_AXE_JS") or DEFAULT_AXE_JS)
    if not path.is_file():
        _missing(
            f"axe-core is missing at {path} "
            f"(npm install --prefix .cache/axe axe-core@{AXE_VERSION}, or set BTI_AXE_JS)"
        )
    return path


def launch(playwright: Any, **options: Any) -> Any:
    """A headless chromium browser with :data:`CHROMIUM_ARGS`.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        The object ``sync_playwright()`` yields.
    **options
        More keyword arguments for ``playwright.chromium.launch``.

    Returns
    -------
    playwright.sync_api.Browser
        Close it (``browser.close()``) when done.
    """
    return playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=list(CHROMIUM_ARGS), **options
    )


@dataclass
class RequestLog:
    """Every request URL and every error a page reports, recorded from the moment it is made.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page to listen to; create the log before ``page.goto``.

    Attributes
    ----------
    requests : list of str
        Every URL the page requested, in order.
    errors : list of str
        Console errors, uncaught exceptions (``pageerror: …``) and failed requests
        (``failed: URL (reason)``).
    """

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("requestfailed", self._failed)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _failed(self, request: Any) -> None:
        self.errors.append(f"failed: {request.url} ({request.failure})")

    def external(self) -> list[str]:
        """The requested URLs that leave this machine (a served app must work offline).

        Returns
        -------
        list of str
            URLs with a network scheme whose host is not a loopback name or address.
        """
        out = []
        for url in self.requests:
            parts = urlparse(url)
            if parts.scheme in ("http", "https", "ws", "wss") and (
                parts.hostname not in _LOCAL_HOSTS
            ):
                out.append(url)
        return out


@dataclass(frozen=True)
class Violation:
    """One axe rule a page breaks.

    Attributes
    ----------
    id : str
        The rule (``color-contrast``, ``image-alt``, …); see
        https://dequeuniversity.com/rules/axe/.
    impact : str
        ``minor``, ``moderate``, ``serious`` or ``critical``.
    help : str
        What the rule asks for.
    targets : tuple of str
        CSS selectors of the first offending elements (``a >> b`` crosses a shadow root).
    nodes : int
        How many elements break the rule.
    summary : str
        axe's failure summary for the first offending element.
    html : str
        The first offending element's opening HTML, as axe quotes it.
    """

    id: str
    impact: str
    help: str
    targets: tuple[str, ...]
    nodes: int
    summary: str = ""
    html: str = ""

    def __str__(self) -> str:
        return f"{self.impact} {self.id} ({self.nodes}×): {self.help} — {', '.join(self.targets)}"


# axe.run resolves to {violations: [{id, impact, help, nodes: [{target, failureSummary}]}]};
# a target is a list of selectors, one per shadow root on the way to the element.
_RUN_AXE = """async ([tags, first]) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    return result.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, first).map(n => n.target.flat().join(' >> ')),
        summary: v.nodes.length ? (v.nodes[0].failureSummary || '') : '',
        html: v.nodes.length ? v.nodes[0].html : '',
    }));
}"""


def axe_violations(
    page: Any,
    impacts: Sequence[str] = ("serious", "critical"),
    *,
    tags: Sequence[str] = AXE_TAGS,
    first: int = 3,
) -> list[Violation]:
    """Run axe-core on the whole page (shadow roots included) and return what it finds.

    Injects ``axe.min.js`` (:func:`axe_js`) unless the page already has it.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page that has finished drawing what is to be checked.
    impacts : sequence of str
        The impacts to return; the default is the ones a test must not allow.
    tags : sequence of str
        axe's rule tags to run (default WCAG 2.1 A and AA).
    first : int
        How many offending elements to name per rule.

    Returns
    -------
    list of Violation
        Sorted by rule id; empty when the page passes.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js()))
    found = page.evaluate(_RUN_AXE, [list(tags), first])
    wanted = set(impacts)
    return sorted(
        (
            Violation(
                id=v["id"],
                impact=v["impact"] or "",
                help=v["help"],
                targets=tuple(v["targets"]),
                nodes=int(v["nodes"]),
                summary=v["summary"],
                html=v["html"],
            )
            for v in found
            if v["impact"] in wanted
        ),
        key=lambda v: v.id,
    )


def wait_until_drawn(page: Any, timeout: float = 120, quiet: float = 1.5) -> None:
    """Wait until no Panel loading indicator (``.pn-loading``) has shown for ``quiet`` seconds.

    A lazy tab or a bound function shows the indicator while the server computes; between a
    click and the server's answer nothing shows yet, hence the quiet spell.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The page (the locator looks into every shadow root).
    timeout : float
        Seconds to wait in all; fails the test beyond.
    quiet : float
        Seconds without an indicator that count as drawn.
    """
    deadline = time.monotonic() + timeout
    calm_since = time.monotonic()
    while time.monotonic() < deadline:
        if page.locator(".pn-loading").count():
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return
        page.wait_for_timeout(250)
    pytest.fail(f"the page was still loading after {timeout} s")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now.

    Returns
    -------
    int
        The port number.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 240) -> Any:
    """The first answer from ``url``; fail if the server exits or stays silent.

    Parameters
    ----------
    url : str
        What to request.
    proc : subprocess.Popen
        The server, watched for an early exit.
    log : pathlib.Path
        The server's output, quoted in the failure message.
    timeout : float
        Seconds to wait.

    Returns
    -------
    http.client.HTTPResponse or urllib.error.HTTPError
        The answer; an error status (a login required, say) is an answer too.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            return urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError as answer:  # 401, 403, …: the server is up
            return answer
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"no answer from {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop a server started in its own session (``start_new_session=True``), children too.

    Parameters
    ----------
    proc : subprocess.Popen
        The server.
    """
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def serve_dashboard(
    store: Path | str,
    municipality: str = "4228",
    *,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = 240,
) -> Iterator[str]:
    """``bti serve`` on a free loopback port, answering; stopped on exit.

    Parameters
    ----------
    store : path-like
        The store to serve (the ``demo_store`` fixture, say).
    municipality : str
        ``$BTI_MUNICIPALITY``: the kommunenummer chosen when a page opens.
    args : sequence of str
        More ``bti serve`` options (``--basic-auth``, …).
    env : dict, optional
        More environment variables for the server.
    timeout : float
        Seconds to wait for the first answer.

    Yields
    ------
    str
        The app's URL, ``http://127.0.0.1:<port>/leader_app``. The server's output is in
        ``build/serve-<port>.log``.
    """
    port = free_port()
    log = REPO / "build" / f"serve-{port}.log"
    log.parent.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "bti_workbench.cli", "serve", "--store", str(store)]
    command += ["--port", str(port), "--address", "127.0.0.1", *args]
    environment = {**os.environ, "BTI_MUNICIPALITY": municipality, **(env or {})}
    with log.open("w") as out:
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/leader_app"
    try:
        wait_for(url, proc, log, timeout=timeout)
        yield url
    finally:
        stop(proc)
