"""Benchmarks of the leaders' dashboard: slider response, first render, concurrent sessions.

:func:`dashboard_benchmarks` measures, on this machine, with medians:

1. the server-side time from a slider change on the load page to the new figure (Tromsø,
   200 and 50 replications, each position uncached);
2. the first render of the Status page in headless Chromium (``page.goto`` to the first
   status card visible) on a served app;
3. 20 concurrent browser sessions that each open the load page and move a slider: errors,
   and the server's resident memory before, at its peak and after the sessions are gone.

Run alone with ``python benchmarks/dashboard.py`` (about 6 minutes on this 2-core machine,
more when it is busy); it prints a Markdown ``## Dashboard`` section. The served app reads a
demo store built in a temporary folder, and is stopped (its process group) at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib.util
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "bti_workbench" / "dashboard" / "leader_app.py"
TROMSO = REPO / "data" / "scenarios" / "tromso.yaml"
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOAD_TAB = "Belastning"  # the load page's tab in Norwegian, the app's first language
CARD = ".bti-card"
HANDLE = ".noUi-handle"
VIEWPORT = {"width": 1400, "height": 1000}
PLOT = ".js-plotly-plot"
NEW_PLOT = f"{PLOT}:not([data-bench-old])"
MARK_OLD = "els => els.forEach(e => e.setAttribute('data-bench-old', '1'))"
SLIDER_TARGET_S = 0.300
RENDER_TARGET_S = 1.5
OPEN_P95_TARGET_S = 5.0
UPDATE_P95_TARGET_S = 2.0
#: ``bti serve`` discards a session 15 s after its last connection closed (checked every 10 s).
SESSION_CLEANUP_S = 30
RSS_TOLERANCE = 0.20
SESSIONS = 20
STEP_TIMEOUT_MS = 180_000

__all__ = ["dashboard_benchmarks"]


# --------------------------------------------------------------------------------------------
# 1. Slider change → new figure, in this process


def _slider_positions(count: int) -> list[dict[str, float]]:
    """The app's five slider values with the level-1 stay moved to ``count`` distinct weeks."""
    from bti_workbench.dashboard.load import SLIDERS, slider_values

    own = slider_values(TROMSO)
    base = {s.name: s.default if own.get(s.name) is None else own[s.name] for s in SLIDERS}
    weeks = [w for w in range(10, 10 + count + 1) if w != base["level1_mean_weeks"]][:count]
    return [{**base, "level1_mean_weeks": float(w)} for w in weeks]


def _slider_to_figure(replications: int, positions: list[dict[str, float]]) -> dict[str, list]:
    """Time what the app does when a slider moves, once per (uncached) position."""
    from bti_workbench.dashboard.load import load_view, overrides_from_sliders
    from bti_workbench.simulation.run import simulate
    from bti_workbench.simulation.scenario.parse import load_scenario

    # Warm imports and the engine on the scenario as it is (a key no position uses).
    load_view(TROMSO, replications=replications, seed=1, lang="nb").cases_by_level.to_json()
    out: dict[str, list] = {"total": [], "json": [], "all_json": [], "engine": [], "size": []}
    for values in positions:
        start = time.perf_counter()
        overrides = overrides_from_sliders(values, TROMSO)
        view = load_view(TROMSO, overrides=overrides, replications=replications, seed=1, lang="nb")
        middle = time.perf_counter()
        sent = view.cases_by_level.to_json()
        end = time.perf_counter()
        out["total"].append(end - start)
        out["json"].append(end - middle)
        out["size"].append(len(sent))
        start = time.perf_counter()
        for fig in (view.cases_by_level, view.utilisation, view.waits, view.costs):
            fig.to_json()
        out["all_json"].append(time.perf_counter() - start)
    # The engine alone on the first three positions (simulate is not cached).
    for values in positions[:3]:
        scenario = load_scenario(TROMSO, (), overrides_from_sliders(values, TROMSO))
        start = time.perf_counter()
        simulate(scenario, replications, 1, engine="fast")
        out["engine"].append(time.perf_counter() - start)
    return out


def _status_view_times(store: Path, runs: int = 3) -> list[float]:
    """Time :func:`status_view` on Skien's data (the demo opens there), read as the app
    reads it (once per process)."""
    import dataclasses

    import pandas as pd

    from bti_workbench.dashboard.status import status_view
    from bti_workbench.evaluation.sources import load_evaluation
    from bti_workbench.privacy import DEFAULT_K

    data = load_evaluation("3807", (pd.Timestamp.min, pd.Timestamp.max), store=store)
    times = data.event_log["event_time"]
    data = dataclasses.replace(data, period=(times.min().normalize(), times.max().normalize()))
    return [_elapsed(lambda: status_view(data, k=DEFAULT_K, lang="nb")) for _ in range(runs)]


def _elapsed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------
# The served app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(store: Path, port: int, log: Path) -> subprocess.Popen:
    """``bti serve`` as a municipality runs it (its setup script, resources served locally),
    opening on the demo's default municipality."""
    command = [
        sys.executable,
        "-m",
        "bti_workbench.cli",
        "serve",
        "--store",
        str(store),
        "--port",
        str(port),
        "--address",
        "127.0.0.1",
    ]
    env = {k: v for k, v in os.environ.items() if k != "BTI_MUNICIPALITY"}
    with log.open("w") as out:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped whole
        )


def _wait_until_served(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}: {_log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"no answer from the server within {timeout:.0f} s: {_log_tail(log)}")


def _log_tail(log: Path) -> str:
    lines = [x for x in log.read_text(errors="replace").splitlines() if "W-1005" not in x]
    return " / ".join(lines[-3:]) or "(empty log)"


def _stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _rss_mib(pid: int) -> float:
    """Resident memory of a process (VmRSS) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, from /proc/PID/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _RssPeak:
    """Sample a process's resident memory in a thread; ``peak`` is the largest seen (MiB)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, _rss_mib(self.pid))
            except (OSError, RuntimeError):
                return
            self._stop.wait(self.every)

    def __enter__(self) -> _RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------------------------
# 2. First render (sync Playwright)


def _first_render(url: str, runs: int, pid: int) -> dict[str, list]:
    """Warm the server with one visit, then time ``runs`` fresh pages (new contexts).

    The visit opens Status, then Load, and moves the first slider one step: the concurrent
    sessions later make the same move, so their answers come from the app's cache and the
    memory they leave behind is theirs, not a new run's.
    """
    from playwright.sync_api import sync_playwright

    out: dict[str, list] = {"card": [], "load_event": [], "server_cpu": [], "errors": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT)
            page = context.new_page()
            page.goto(url, timeout=STEP_TIMEOUT_MS)
            page.wait_for_selector(CARD, state="visible", timeout=STEP_TIMEOUT_MS)
            page.get_by_text(LOAD_TAB, exact=True).click()
            page.locator(PLOT).nth(3).wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            page.locator(PLOT).evaluate_all(MARK_OLD)
            page.locator(HANDLE).first.press("ArrowRight")
            page.locator(NEW_PLOT).nth(3).wait_for(state="visible", timeout=STEP_TIMEOUT_MS)
            context.close()
            for _ in range(runs):
                context = browser.new_context(viewport=VIEWPORT)
                page = context.new_page()
                page.on("pageerror", lambda exc: out["errors"].append(type(exc).__name__))
                cpu = _cpu_seconds(pid)
                start = time.perf_counter()
                page.goto(url, timeout=STEP_TIMEOUT_MS)
                out["load_event"].append(time.perf_counter() - start)
                page.wait_for_selector(CARD, state="visible", timeout=STEP_TIMEOUT_MS)
                out["card"].append(time.perf_counter() - start)
                out["server_cpu"].append(_cpu_seconds(pid) - cpu)
                context.close()
        finally:
            browser.close()
    return out


# --------------------------------------------------------------------------------------------
# 3. Concurrent sessions (async Playwright: one browser, one context per session)


async def _appear(locator, count: int, every: float = 1.0) -> None:
    """Wait until ``locator`` matches ``count`` elements, looking every ``every`` seconds.

    Playwright's own waits poll on every animation frame; twenty pages doing so on two
    cores would take the CPU from the server they measure.
    """
    deadline = time.monotonic() + STEP_TIMEOUT_MS / 1000
    while await locator.count() < count:
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not show what was expected in time")
        await asyncio.sleep(every)


async def _session(browser, url: str, problems: list[str], external: set[str]) -> dict:
    """Open the app, go to the load page, move the first slider one step, wait for new plots."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"page error {type(exc).__name__}"))

    def console(message) -> None:
        # Failed loads are counted from the requests below (local: error; outside: listed).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append("console error")

    def failed(request) -> None:
        if request.url.startswith("http://127.0.0.1"):
            problems.append("failed local request")
        else:
            external.add(request.url.split("?")[0])

    page.on("console", console)
    page.on("requestfailed", failed)
    result: dict = {"context": context, "ok": False}
    try:
        start = time.perf_counter()
        await page.goto(url, timeout=STEP_TIMEOUT_MS)
        await _appear(page.locator(CARD), 1)
        plots, new = page.locator(PLOT), page.locator(NEW_PLOT)
        await _appear(plots, 1)  # the trends
        await plots.evaluate_all(MARK_OLD)
        await page.get_by_text(LOAD_TAB, exact=True).click()
        await _appear(new, 4)  # the load page's four plots
        result["open"] = time.perf_counter() - start
        await plots.evaluate_all(MARK_OLD)
        start = time.perf_counter()
        await page.locator(HANDLE).first.press("ArrowRight")
        # The answer replaces the page's panes: four plots the page did not have before.
        await _appear(new, 4)
        result["update"] = time.perf_counter() - start
        result["ok"] = True
    except Exception as exc:  # every failure of a session is counted
        problems.append(f"session failed: {type(exc).__name__}")
    return result


def _concurrent(url: str, sessions: int) -> dict:
    """Run the sessions at once, the browsers below the server's priority.

    The browsers stand in for users' own machines: niced, twenty renderers on the server's
    two cores take from the server only what it leaves.
    """
    own = os.getpriority(os.PRIO_PROCESS, 0)
    os.setpriority(os.PRIO_PROCESS, 0, min(own + 10, 19))  # inherited by what starts now
    try:
        return asyncio.run(_crowd(url, sessions))
    finally:
        with contextlib.suppress(PermissionError):  # only a privileged process may go back
            os.setpriority(os.PRIO_PROCESS, 0, own)


async def _crowd(url: str, sessions: int) -> dict:
    from playwright.async_api import async_playwright

    problems: list[str] = []
    external: set[str] = set()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            start = time.perf_counter()
            results = await asyncio.gather(
                *[_session(browser, url, problems, external) for _ in range(sessions)]
            )
            wall = time.perf_counter() - start
            for result in results:
                await result["context"].close()
        finally:
            await browser.close()
    return {"results": results, "problems": problems, "external": external, "wall": wall}


def _server_errors(log: Path, offset: int) -> int:
    text = log.read_text(errors="replace")[offset:]
    return sum(1 for line in text.splitlines() if "Traceback" in line or "error" in line.lower())


# --------------------------------------------------------------------------------------------
# The report


def _row(case: str, times: list[float], target: float | None, unit: str = "s") -> str:
    scale, fmt = (1000, "{:.0f}") if unit == "ms" else (1, "{:.2f}")
    median = statistics.median(times)
    cells = [fmt.format(v * scale) for v in (median, min(times), max(times))]
    if target is None:
        goal = met = "–"
    else:
        goal = f"≤ {fmt.format(target * scale)} {unit}"
        met = "yes" if median <= target else "**no**"
    return f"| {case} | {len(times)} | {' | '.join(cells)} | {unit} | {goal} | {met} |"


def _p95(values: list[float]) -> float:
    """The 95th percentile (linear between order statistics, as numpy's default)."""
    ordered = sorted(values)
    at = 0.95 * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _s(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s"


def _ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms"


def dashboard_benchmarks(work: Path) -> list[str]:
    """Measure the dashboard and return a Markdown ``## Dashboard`` section, line by line.

    Parameters
    ----------
    work : pathlib.Path
        A folder for the demo store and the server's log (created if missing).

    Returns
    -------
    list of str
        A table (runs, median, min, max, target, met) and bullet points. When the app cannot
        be served, a bullet gives the server's last log lines instead of the browser rows;
        without Chromium or Playwright the browser rows are skipped.

    Examples
    --------
    >>> import tempfile
    >>> lines = dashboard_benchmarks(Path(tempfile.mkdtemp()))  # doctest: +SKIP
    >>> lines[0]  # doctest: +SKIP
    '## Dashboard'
    """
    began = time.perf_counter()
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    lines = [
        "## Dashboard",
        "",
        f"Written by `benchmarks/dashboard.py` on {dt.date.today().isoformat()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start (other "
        "work on the machine slows every row). Server and browsers share this machine.",
        "",
        "| case | runs | median | min | max | unit | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    bullets = _slider_section(lines)
    if not Path(CHROMIUM).exists() or importlib.util.find_spec("playwright") is None:
        bullets.append(f"- Browser rows skipped: needs {CHROMIUM} and Playwright.")
        return [*lines, "", *bullets]
    from bti_workbench.synthetic.demo import write_demo_store

    store = write_demo_store(work / "demo.duckdb")
    status = _status_view_times(store)
    port = _free_port()
    log = work / f"serve-{port}.log"
    url = f"http://127.0.0.1:{port}/leader_app"
    proc = _start_server(store, port, log)
    try:
        _wait_until_served(url, proc, log)
        _render_section(lines, bullets, _first_render(url, 5, proc.pid), status)
        time.sleep(SESSION_CLEANUP_S)  # the five sessions are discarded
        _sessions_section(lines, bullets, url, proc, log)
        _stop_server(proc)
        _floor_section(lines, bullets, work)
    except Exception as exc:  # the report says what failed; the server is stopped below
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        bullets.append(f"- Stopped early, {type(exc).__name__}: {reason} (server log: `{log}`).")
    finally:
        _stop_server(proc)
    bullets.append(f"- This section took {time.perf_counter() - began:.0f} s to measure.")
    return [*lines, "", *bullets]


def _slider_section(lines: list[str]) -> list[str]:
    positions = _slider_positions(6)
    weeks = ", ".join(f"{p['level1_mean_weeks']:g}" for p in positions)
    bullets = []
    timed = {}
    for replications in (200, 50):
        timed[replications] = _slider_to_figure(replications, positions)
        lines.append(
            _row(
                f"Load page: slider → new figure, Tromsø, {replications} replications "
                "(`overrides_from_sliders` + `load_view` + cases-by-level `to_json`), "
                "each position uncached",
                timed[replications]["total"],
                SLIDER_TARGET_S,
                "ms",
            )
        )
    for replications, parts in timed.items():
        bullets.append(
            f"- Slider, {replications} replications (level-1 stay at {weeks} weeks): engine "
            f"alone (`simulate`, fast) {_ms(parts['engine'])} of {_ms(parts['total'])}; "
            f"cases-by-level `to_json` {_ms(parts['json'])} "
            f"({statistics.median(parts['size']) / 1024:.0f} KiB); all four figures "
            f"`to_json` {_ms(parts['all_json'])} (the page sends all four)."
        )
    median = statistics.median(timed[200]["total"])
    engine = statistics.median(timed[200]["engine"])
    verdict = "met" if median <= SLIDER_TARGET_S else "**not met**"
    if median > SLIDER_TARGET_S and engine > SLIDER_TARGET_S:
        verdict += "; the engine alone takes longer than the target"
    bullets.append(f"- Target ≤ 300 ms at 200 replications: {verdict}.")
    return bullets


def _render_section(lines: list[str], bullets: list[str], render: dict, status: list) -> None:
    lines.append(
        _row(
            "Status page first render, headless Chromium (`goto` → first `.bti-card` visible), "
            "fresh context, warm server",
            render["card"],
            RENDER_TARGET_S,
        )
    )
    met = statistics.median(render["card"]) <= RENDER_TARGET_S
    bullets.append(
        f"- First render: the page's load event after {_s(render['load_event'])}, the first "
        f"card after {_s(render['card'])} (medians); target ≤ {RENDER_TARGET_S:g} s "
        f"{'met' if met else '**not met**'}; page errors {len(render['errors'])}. The server "
        f"spends {_s(render['server_cpu'])} of CPU on each new session (median), of which "
        f"`status_view` on the cached data takes {_s(status)} (it runs once per session)."
    )


def _sessions_section(
    lines: list[str], bullets: list[str], url: str, proc: subprocess.Popen, log: Path
) -> None:
    before = _rss_mib(proc.pid)
    offset = len(log.read_text(errors="replace"))
    with _RssPeak(proc.pid) as sampler:
        crowd = _concurrent(url, SESSIONS)
    time.sleep(SESSION_CLEANUP_S)  # unused-session cleanup and the garbage collector
    after = _rss_mib(proc.pid)
    peak = max(sampler.peak, after)
    results = crowd["results"]
    for key, case, target in (
        ("open", "`goto` → load page with its four plots", OPEN_P95_TARGET_S),
        ("update", "slider step → four new plots in the browser", UPDATE_P95_TARGET_S),
    ):
        times = [r[key] for r in results if key in r]
        if times:
            lines.append(_row(f"{SESSIONS} concurrent sessions: {case}", times, None))
            p95 = _p95(times)
            met = "met" if p95 <= target and len(times) == SESSIONS else "**not met**"
            bullets.append(
                f"- {SESSIONS} concurrent sessions, {case}: p95 {p95:.2f} s over "
                f"{len(times)} sessions (target p95 ≤ {target:g} s: {met})."
            )
    errors = len(crowd["problems"]) + _server_errors(log, offset)
    kinds = sorted(set(crowd["problems"]))
    within = after <= before * (1 + RSS_TOLERANCE)
    bullets += [
        f"- {SESSIONS} concurrent sessions, one Chromium with a context each, niced (they "
        "stand in for the users' own machines): each opens the app, the tab "
        f"{LOAD_TAB} and presses ArrowRight on the first slider (new concerns ×1.00 → ×1.05, "
        "the move the warm-up visit made, so the answers come from `load_view`'s cache). "
        f"{sum(r['ok'] for r in results)}/{SESSIONS} completed in {crowd['wall']:.0f} s; "
        f"errors {errors}" + (f" ({', '.join(kinds)})" if kinds else "") + " (page and "
        "console errors, failed local requests, timeouts, server tracebacks); target no "
        f"errors {'met' if errors == 0 else '**not met**'}. Driven by Playwright, not "
        "`bokeh.client`: a client session's tab change is acknowledged by the server, but "
        "only the loading indicator comes back, never the load page.",
        f"- Server memory (VmRSS): {before:.0f} MiB before (after the warm-up visit and the "
        f"first-render pages), {peak:.0f} MiB at the peak, {after:.0f} MiB after the "
        f"sessions closed and were discarded ({(after / before - 1) * 100:+.0f} %); within "
        f"20 % of before: {'yes' if within else '**no**'}.",
    ]
    if not within:
        # A leak grows with every session; memory the allocator keeps does not grow again.
        again = _concurrent(url, 5)
        time.sleep(SESSION_CLEANUP_S)
        last = _rss_mib(proc.pid)
        bullets.append(
            f"- Then 5 more sessions the same way ({len(again['problems'])} errors): "
            f"{last:.0f} MiB after them ({last - after:+.0f} MiB)."
        )
    if crowd["external"]:
        hosts = ", ".join(sorted({u.split("/")[2] for u in crowd["external"]}))
        bullets.append(
            f"- Each page asks for {len(crowd['external'])} files (stylesheets) from {hosts}, "
            "which fail without the internet; not counted as errors above."
        )


# --------------------------------------------------------------------------------------------
# 4. The floor: the same crowd on a trivial Panel page


_TRIVIAL_APP = """import panel as pn
pn.extension("plotly", sizing_mode="stretch_width")
pn.template.BootstrapTemplate(
    title="floor", main=[pn.pane.HTML("<div class='bti-card'>1</div>")]
).servable()
"""


async def _trivial_session(browser, url: str) -> tuple:
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(url, timeout=STEP_TIMEOUT_MS)
    await _appear(page.locator(CARD), 1)
    return context, time.perf_counter() - start


async def _trivial_crowd(url: str, sessions: int) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            done = await asyncio.gather(*[_trivial_session(browser, url) for _ in range(sessions)])
            for context, _ in done:
                await context.close()
        finally:
            await browser.close()
    return [seconds for _, seconds in done]


def _floor_section(lines: list[str], bullets: list[str], work: Path) -> None:
    """What this machine allows: the crowd on a page with nothing of the workbench in it
    (Panel's template and one HTML pane, Plotly's bundle loaded as the app loads it)."""
    app = work / "trivial_app.py"
    app.write_text(_TRIVIAL_APP)
    port = _free_port()
    log = work / f"trivial-{port}.log"
    command = [sys.executable, "-m", "panel", "serve", str(app), "--port", str(port)]
    command += ["--address", "127.0.0.1", "--allow-websocket-origin", f"127.0.0.1:{port}"]
    env = {**os.environ, "BOKEH_RESOURCES": "server"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        url = f"http://127.0.0.1:{port}/trivial_app"
        _wait_until_served(url, proc, log)
        own = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, min(own + 10, 19))
        try:
            times = asyncio.run(_trivial_crowd(url, SESSIONS))
        finally:
            with contextlib.suppress(PermissionError):
                os.setpriority(os.PRIO_PROCESS, 0, own)
    finally:
        _stop_server(proc)
    lines.append(
        _row(
            f"Floor: {SESSIONS} concurrent sessions on a trivial Panel page (`goto` → its one "
            "element)",
            times,
            None,
        )
    )
    bullets.append(
        f"- Floor of this machine: the same {SESSIONS} niced Chromium sessions on a page with "
        "nothing of the workbench (Panel's Bootstrap template, one HTML pane, Plotly's bundle) "
        f"show it after a p95 of {_p95(times):.1f} s. A p95 of 5 s for the Load page cannot "
        "be measured here while the server and twenty browsers share two cores."
    )


if __name__ == "__main__":
    import tempfile

    # Stop the server (the finally above) when this run is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    print("\n".join(dashboard_benchmarks(Path(tempfile.mkdtemp(prefix="bti-dash-bench-")))))
