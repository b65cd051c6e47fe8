"""``bti report NAME``: a shipped notebook run with the command's options and rendered.

Every report takes ``--out``, ``--lang`` and ``--format html|pdf``. The HTML opens offline
(plotly.js inline once, nothing fetched); the PDF is that page printed by Chromium
(:mod:`bti_workbench.reports.pdf`). The docstring of each command is its ``--help`` text.

A request is checked before the notebook starts (municipality, period, scenario, options), so
a mistake costs no run and names the option as typed. A failure inside the notebook prints
the failing cell's own message, without anything that looks like an identifier.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from bti_workbench.cli._common import (
    DEFAULT_STORE,
    STORE_HELP,
    Lang,
    fail,
    kommunenummer,
    output_file,
    parse_options,
    parse_period,
)
from bti_workbench.reference.labels import label

__all__ = [
    "report_brief",
    "report_collaboration",
    "report_evaluation",
    "report_load",
    "report_national",
]

#: The options the request's checks name in their messages.
_OPTION_NAMES = {"municipality": "--municipality", "period": "--period", "go_live": "--go-live"}
_FORMATS = ("html", "pdf")

Format = Annotated[
    str, typer.Option("--format", help="html (opens offline in any browser) or pdf (A4).")
]
Out = Annotated[
    Path | None, typer.Option(help="The file to write. Default: NAME.html or NAME.pdf here.")
]
Municipality = Annotated[str, typer.Option("--municipality", "-m", help="Kommunenummer.")]
Store = Annotated[Path, typer.Option(help=STORE_HELP)]
Files = Annotated[
    list[Path] | None,
    typer.Option(
        "--files", help="Read these files (or demo folders) instead of a store; repeatable."
    ),
]
Period = Annotated[
    str | None,
    typer.Option(
        help="The period, both days included: 2018-01-01..2018-06-30. Default: all the data."
    ),
]
Threshold = Annotated[int, typer.Option(help="Counts below this are hidden (at least 2).")]
KeepNotebook = Annotated[
    Path | None, typer.Option(help="Also keep the executed notebook (with its code) here.")
]
Options = Annotated[
    list[str] | None,
    typer.Option(
        "--option",
        "-o",
        help="Organisation option; repeatable, a comma list, or a+b for two together.",
    ),
]
Replications = Annotated[int, typer.Option("--replications", "-r", min=1, help="Replications.")]
Seed = Annotated[int, typer.Option(help="Same seed, same numbers.")]


def report_load(
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality",
            "-m",
            help="Kommunenummer: its own scenario, else the national template applied to it.",
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="A scenario in data/scenarios, by name (tromso) or file."),
    ] = None,
    option: Options = None,
    replications: Replications = 200,
    seed: Seed = 1,
    out: Out = None,
    lang: Lang = "nb",
    format_: Format = "html",
    keep_notebook: KeepNotebook = None,
) -> None:
    """Escalation load: cases by level week by week, queues, costs and the options compared."""
    target = _checked_output("load", out, format_, keep_notebook, lang)
    code = kommunenummer(municipality, lang=lang)
    name = _scenario_name(scenario, code, lang)
    path = _scenario_path(name or _own_scenario(code), lang)
    options = parse_options(option, path, lang=lang) if option else None
    parameters = {
        "scenario": name,
        "municipality": code or "",
        "replications": replications,
        "seed": seed,
        "lang": lang,
    }
    if options is not None:
        parameters["options"] = options
    _render("load", parameters, target, format_, lang, keep_notebook)


def report_collaboration(
    municipality: Municipality,
    period: Period = None,
    store: Store = DEFAULT_STORE,
    files: Files = None,
    periods: Annotated[
        list[str] | None,
        typer.Option(
            "--periods",
            help="Two periods to compare, each FIRST..LAST; give it twice. "
            "Default: the two halves of --period.",
        ),
    ] = None,
    k: Threshold = 5,
    out: Out = None,
    lang: Lang = "nb",
    format_: Format = "html",
    keep_notebook: KeepNotebook = None,
) -> None:
    """Collaboration map: who works with whom in the baton logs, brokers, gaps, changes."""
    target = _checked_output("collaboration", out, format_, keep_notebook, lang)
    code, chosen = _checked_data(municipality, period, store, files, k, "", lang)
    compared = _two_periods(periods, lang)
    parameters = {**_sources(store, files), "municipality": code, "period": chosen}
    parameters["periods"] = compared
    _render(
        "collaboration", {**parameters, "k": k, "lang": lang}, target, format_, lang, keep_notebook
    )


def report_evaluation(
    municipality: Municipality,
    period: Period = None,
    store: Store = DEFAULT_STORE,
    files: Files = None,
    go_live: Annotated[
        str | None,
        typer.Option(help="Go-live date(s): 2018-09-01, or 4228=2018-09-01,1106=2019-03-01."),
    ] = None,
    k: Threshold = 5,
    out: Out = None,
    lang: Lang = "nb",
    format_: Format = "html",
    keep_notebook: KeepNotebook = None,
) -> None:
    """Pilot evaluation: indicators, staff surveys, time series and the progress plan."""
    target = _checked_output("evaluation", out, format_, keep_notebook, lang)
    code, chosen = _checked_data(municipality, period, store, files, k, go_live or "", lang)
    parameters = {**_sources(store, files), "municipality": code, "period": chosen}
    parameters |= {"go_live": go_live or "", "lang": lang, "k": k}
    _render("evaluation", parameters, target, format_, lang, keep_notebook)


def report_national(
    municipalities: Annotated[
        str,
        typer.Option(
            help="all (the 15 seed municipalities), a list such as 5413,4228,5401, "
            "or a file of kommunenummer."
        ),
    ] = "all",
    option: Options = None,
    replications: Replications = 20,
    seed: Seed = 1,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes for the sweep.")] = 2,
    sweeps: Annotated[
        Path, typer.Option(help="Keep the sweep's results here; a rerun reuses them.")
    ] = Path("build/sweeps"),
    out: Out = None,
    lang: Lang = "nb",
    format_: Format = "html",
    keep_notebook: KeepNotebook = None,
) -> None:
    """National comparison: the options across municipalities of every size."""
    target = _checked_output("national", out, format_, keep_notebook, lang)
    template = _scenario_path("national_per_1000", lang)
    options = parse_options(option, template, lang=lang) if option else None
    parameters = {
        "municipalities": _municipality_list(municipalities, lang),
        "replications": replications,
        "seed": seed,
        "workers": workers,
        "out": str(sweeps.resolve()),
        "lang": lang,
    }
    if options is not None:
        parameters["options"] = ["baseline", *(o for o in options if o != "baseline")]
    _render("national", parameters, target, format_, lang, keep_notebook)


def report_brief(
    municipality: Municipality,
    period: Annotated[
        str | None,
        typer.Option(help="The period, both days included. Default: the last 6 whole months."),
    ] = None,
    store: Store = DEFAULT_STORE,
    files: Files = None,
    k: Threshold = 5,
    out: Out = None,
    lang: Lang = "nb",
    format_: Format = "html",
    keep_notebook: KeepNotebook = None,
) -> None:
    """One page for the chief executive or the council: figures, trend, change, decisions."""
    target = _checked_output("brief", out, format_, keep_notebook, lang)
    code, chosen = _checked_data(municipality, period, store, files, k, "", lang)
    parameters = {**_sources(store, files), "municipality": code}
    parameters |= {"period": chosen if period else "", "lang": lang, "k": k}
    _render("brief", parameters, target, format_, lang, keep_notebook)


def _checked_output(
    name: str, out: Path | None, format_: str, keep: Path | None, lang: str
) -> Path:
    """The file to write (``NAME.FORMAT`` by default), checked before anything runs."""
    if format_ not in _FORMATS:
        fail(label("cli.rep.format", lang, formats=", ".join(_FORMATS)), lang)
    target = out if out is not None else Path(f"{name}.{format_}")
    output_file(target, "--out", lang=lang)
    if keep is not None:
        output_file(keep, "--keep-notebook", made=False, lang=lang)
    return target


def _two_periods(values: list[str] | None, lang: str) -> list[str]:
    """``--periods`` given twice, each a valid period, as ``FIRST..LAST`` texts ([] if not)."""
    if not values:
        return []
    if len(values) != 2:
        fail(label("cli.rep.periods", lang), lang)
    texts = []
    for value in values:
        first, last = parse_period(value, lang=lang, flag="--periods")
        texts.append(f"{first:%Y-%m-%d}..{last:%Y-%m-%d}")
    return texts


def _sources(store: Path, files: list[Path] | None) -> dict[str, object]:
    """The notebook's ``store`` and ``files`` parameters, as absolute paths."""
    return {
        "store": "" if files else str(store.resolve()),
        "files": [str(f.resolve()) for f in files or []],
    }


def _checked_data(
    municipality: str,
    period: str | None,
    store: Path,
    files: list[Path] | None,
    k: int,
    go_live: str,
    lang: str,
) -> tuple[str, str]:
    """The kommunenummer and the period (``FIRST..LAST``) the data hold, or a usage error."""
    import duckdb

    from bti_workbench.errors import explain
    from bti_workbench.evaluation.sources import check_request
    from bti_workbench.reports.messages import safe_message

    code = kommunenummer(municipality, lang=lang)
    if k < 2:
        fail(label("cli.rep.k", lang), lang)
    if files:
        missing = [f.name for f in files if not f.exists()]
        if missing:
            fail(label("cli.rep.files_missing", lang, files=", ".join(missing)), lang)
    elif not store.exists():
        fail(label("cli.rep.no_store", lang, store=store), lang)
    try:
        request = check_request(
            code,
            period or None,
            store=None if files else store,
            files=files or [],
            go_live=go_live,
            names=_OPTION_NAMES,
        )
    except (ValueError, duckdb.Error) as exc:
        text = explain(exc, lang)  # a catalogue message: its fields never hold a person's data
        if text != str(exc):
            fail(text, lang)
        fail(f"error: {safe_message(exc)}")  # any other: what could identify someone removed
    first, last = request.period
    return request.municipality.kommunenummer, f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"


def _scenario_name(scenario: str | None, municipality: str | None, lang: str) -> str:
    """The scenario's name in ``data/scenarios`` ("" when the municipality chooses it)."""
    if not scenario:
        if not municipality:
            fail(label("cli.rep.load_needs", lang), lang)
        return ""
    name = Path(scenario).stem if scenario.endswith((".yaml", ".yml")) else scenario
    _scenario_path(name, lang)
    return name


def _scenario_path(name: str, lang: str) -> Path:
    """The file of a scenario named ``name``; a usage error listing the names otherwise."""
    from bti_workbench._util.resources import data_dir

    folder = data_dir() / "scenarios"
    known = sorted(p.stem for p in folder.glob("*.yaml"))
    if name not in known:
        fail(label("cli.rep.scenario", lang, known=", ".join(known)), lang)
    return folder / f"{name}.yaml"


def _own_scenario(municipality: str | None) -> str:
    """The scenario the load report uses for a municipality: its own file, else the template."""
    from bti_workbench.simulation.scenario import municipality_scenarios

    return next(iter(municipality_scenarios(municipality)), "national_per_1000")


def _municipality_list(value: str, lang: str) -> str:
    """``all``, a file of kommunenummer, or a comma list with every entry checked."""
    if value == "all" or Path(value).is_file():
        return str(Path(value).resolve()) if value != "all" else value
    codes = [kommunenummer(p.strip(), "--municipalities", lang=lang) for p in value.split(",")]
    if not all(codes):
        fail(label("cli.rep.municipalities", lang), lang)
    return ",".join(codes)


def _render(
    name: str,
    parameters: dict[str, object],
    out: Path,
    format_: str,
    lang: str,
    keep_notebook: Path | None,
) -> None:
    """Run the report's notebook and write it as HTML, or as a PDF printed from that HTML."""
    import papermill as pm

    from bti_workbench.reports.messages import failure_message
    from bti_workbench.reports.pdf import PdfUnavailableError, chromium_executable, print_pdf
    from bti_workbench.reports.render import REPORTS, notebook_path, render_report

    if format_ == "pdf":
        try:
            chromium_executable()
        except PdfUnavailableError:
            fail(label("cli.rep.pdf", lang), lang)
    period, title = parameters.get("period"), label(f"rep.name.{name}", lang)
    if period:
        running = label("cli.rep.running_for", lang, report=title, period=period)
    else:
        running = label("cli.rep.running", lang, report=title)
    typer.echo(running, err=True)
    with tempfile.TemporaryDirectory(prefix="bti-report-") as work:
        page = out if format_ == "html" else Path(work) / f"{name}.html"
        try:
            render_report(
                notebook_path(REPORTS[name]),
                parameters,
                page,
                keep_notebook=keep_notebook,
                title=title,
            )
        except pm.PapermillExecutionError as exc:
            message = failure_message(exc.exec_count, exc.ename, exc.evalue, lang)
            fail(f"{message}\n{label('cli.rep.keep_notebook', lang)}", lang)
        if format_ == "pdf":
            try:
                print_pdf(page, out)
            except PdfUnavailableError:
                fail(label("cli.rep.pdf", lang), lang)
    typer.echo(label("cli.wrote", lang, path=out))
