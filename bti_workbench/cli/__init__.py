"""The ``bti`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from bti_workbench.ingest.contracts import KINDS
from bti_workbench.ingest.readers import ContractError, read
from bti_workbench.privacy import IdentifierError, suppress_small
from bti_workbench.reference.labels import label
from bti_workbench.reference.population import (
    AGE_BANDS,
    PopulationFileError,
    by_band,
    read_ssb_07459,
)

__all__ = ["app"]

app = typer.Typer(
    help="BTI workbench: planning and evaluation for Bedre tverrfaglig innsats.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


@app.command()
def population(
    file: Annotated[Path, typer.Argument(help="SSB table 07459: CSV download or JSON-stat2.")],
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="Kommunenummer, e.g. 4228.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year (default: all in the file).")] = None,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
) -> None:
    """Print children and young people aged 0–23 by BTI age band."""
    try:
        tidy = read_ssb_07459(file)
    except (PopulationFileError, OSError) as exc:
        _fail(f"error: {exc}")
    knr = None
    if municipality is not None:
        knr = f"{int(municipality):04d}" if municipality.isdigit() else municipality
        if knr not in set(tidy["kommunenummer"]):
            _fail(f"error: {file.name}: municipality {knr} not found")
    if year is not None:
        tidy = tidy[tidy["year"] == year]
        if tidy.empty:
            _fail(f"error: {file.name}: no figures for {year}")
    table = by_band(tidy, knr)
    names = {band: label(f"age_band.{band}", lang) for band in AGE_BANDS}
    names["total"] = label("age_band.total", lang)
    incomplete = False
    for _, row in table.iterrows():
        typer.echo(f"{row['kommunenummer']} {row['kommunenavn']} ({row['year']})")
        for band, text in names.items():
            missing = pd.isna(row[band])
            incomplete |= missing
            typer.echo(f"  {text:<18}{'..' if missing else int(row[band]):>8}")
    if incomplete:
        typer.echo(
            f"note: '..' = incomplete: {file.name} has no figure for some ages in that band",
            err=True,
        )


@app.command("demo-data")
def demo_data(
    municipality: Annotated[str, typer.Option("--municipality", "-m")] = "4228",
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 1,
    out: Annotated[Path, typer.Option(help="Folder to write.")] = Path("data/demo"),
    population_file: Annotated[
        Path | None, typer.Option(help="SSB 07459 file (default: data/municipalities.csv).")
    ] = None,
    go_live: Annotated[
        str | None,
        typer.Option(help="Go-live date (yyyy-mm-dd); before it only a trial keeps logs."),
    ] = None,
) -> None:
    """Write synthetic demo data for every contract, consistent with each other."""
    from bti_workbench.synthetic.demo import write_demo

    try:
        written = write_demo(out, municipality, seed, population_file, go_live=go_live)
    except (KeyError, PopulationFileError, ValueError) as exc:
        _fail(f"error: {exc.args[0] if exc.args else exc}")
    for path in written:
        typer.echo(f"wrote {path}")


@app.command("demo-store")
def demo_store(
    out: Annotated[Path, typer.Option(help="The demo store to (re)write.")] = Path(
        "data/store/demo.duckdb"
    ),
) -> None:
    """Write a store of synthetic data for three municipalities with staggered go-live dates."""
    from bti_workbench.synthetic.demo import DEMO_STORE, write_demo_store

    write_demo_store(out)
    places = ", ".join(f"{m} (go-live {d})" for m, _, d in DEMO_STORE)
    typer.echo(f"wrote {out}: {places}")


def _validate_one(path: Path, kind: str) -> bool:
    try:
        frame = read(path, kind)
    except (ContractError, IdentifierError) as exc:
        problems = getattr(exc, "problems", None)
        count = len(problems) if problems else 1
        typer.echo(f"ERROR {path} ({kind}): {count} problem{'s' if count != 1 else ''}", err=True)
        typer.echo(str(exc), err=True)
        return False
    extra = ""
    if "case_id" in frame.columns:
        # A count of children, so it passes the small-cell rule like every other figure.
        cases = pd.Series([frame["case_id"].nunique()], name="cases")
        shown = suppress_small(cases, margins=False).formatted("en").iloc[0, 0]
        extra = f", {shown} cases"
    synthetic = " [synthetic]" if frame.attrs.get("synthetic") else ""
    typer.echo(f"OK {path} ({kind}): {len(frame)} rows{extra}{synthetic}")
    return True


@app.command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, or a demo folder with manifest.json.")
    ],
    kind: Annotated[
        str | None,
        typer.Option(help="Contract: " + ", ".join(KINDS) + ". Not needed for a demo folder."),
    ] = None,
) -> None:
    """Validate files against a data contract: OK with row counts, or every error (exit 1)."""
    jobs: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            manifest = path / "manifest.json"
            if not manifest.exists():
                _fail(f"error: {path} is a folder without manifest.json; name files and --kind")
            files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
            jobs += [(path / name, k) for name, k in files.items() if k]
        elif kind is None:
            _fail("error: --kind is required for a file (" + ", ".join(KINDS) + ")")
        elif kind not in KINDS:
            _fail(f"error: unknown kind '{kind}'; use one of " + ", ".join(KINDS))
        else:
            jobs.append((path, kind))
    results = [_validate_one(path, k) for path, k in jobs]
    if not all(results):
        raise typer.Exit(1)


def _level_name(level: int, lang: str) -> str:
    return label(f"level.{level}.name", lang)


def _progress(length: int, text: str):
    """A progress bar on stderr for long runs (hidden when stderr is not a terminal)."""
    return typer.progressbar(length=length, label=text, file=sys.stderr, show_pos=True)


def _chosen_municipality(knr: str | None, population_file: Path | None):
    from bti_workbench.reference.municipality import load_municipality
    from bti_workbench.reference.population import PopulationFileError

    if knr is None:
        if population_file is not None:
            _fail("error: --population-file goes with --municipality")
        return None
    if not (knr.strip().isdigit() and len(knr.strip()) <= 4):
        _fail("error: --municipality: give a kommunenummer such as 4228")
    try:
        return load_municipality(knr.strip(), population_file)
    except KeyError as exc:
        _fail(f"error: --municipality: {exc.args[0]}")
    except (PopulationFileError, OSError, ValueError) as exc:
        _fail(f"error: --population-file: {exc}")


def _settings(items: list[str]) -> dict:
    """``--set KEY=VALUE`` as a mapping; values read as YAML scalars."""
    import yaml

    from bti_workbench.simulation.scenario.parse import ScenarioError

    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(f"--set {item!r}: write KEY=VALUE with a dotted key")
        try:
            out[key.strip()] = yaml.safe_load(text.strip())
        except yaml.YAMLError as exc:
            raise ScenarioError(f"--set {key.strip()}: not a value") from exc
    return out


@app.command()
def simulate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML, e.g. data/scenarios/tromso.yaml.")
    ],
    option: Annotated[
        list[str] | None, typer.Option("--option", "-o", help="Organisation option (repeatable).")
    ] = None,
    replications: Annotated[int, typer.Option("--replications", "-r", min=1)] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same numbers.")] = 1,
    engine: Annotated[str, typer.Option(help="fast or ciw.")] = "fast",
    out: Annotated[
        Path | None, typer.Option(help="Write results.parquet and files beside it.")
    ] = None,
    warmup: Annotated[
        int | None, typer.Option(help="Weeks to leave out (default: MSER-5).")
    ] = None,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
    municipality: Annotated[
        str | None,
        typer.Option(
            "--municipality", "-m", help="Apply the scenario to this kommunenummer instead."
        ),
    ] = None,
    population_file: Annotated[
        Path | None,
        typer.Option(help="SSB 07459 file for --municipality (default: data/municipalities.csv)."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="A dotted setting, e.g. levels.1.duration.mean_weeks=20."),
    ] = None,
) -> None:
    """Simulate case flows across levels 0–3 and print load, waits and costs."""
    from bti_workbench.simulation.analysis import (
        replications_needed,
        seasonal_period,
        summarise,
        warmup_weeks,
    )
    from bti_workbench.simulation.run import ENGINES, write_results
    from bti_workbench.simulation.run import simulate as run
    from bti_workbench.simulation.scenario.parse import ScenarioError, load_scenario

    if engine not in ENGINES:
        _fail(f"error: unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    place = _chosen_municipality(municipality, population_file)
    try:
        settings = _settings(set_ or [])
        chosen = load_scenario(scenario, tuple(option or ()), settings=settings, municipality=place)
    except ScenarioError as exc:
        _fail(f"error: {exc}")
    total = replications if engine == "ciw" else chosen.horizon_weeks
    with _progress(total, f"{chosen.label} ({engine})") as bar:
        done = [0]

        def tick(step: int, _total: int) -> None:
            bar.update(step - done[0])
            done[0] = step

        result = run(chosen, replications, seed, engine, tick)
    if warmup is not None and not 0 <= warmup < chosen.horizon_weeks:
        _fail(f"error: --warmup must be from 0 to {chosen.horizon_weeks - 1} weeks")
    cut = warmup if warmup is not None else warmup_weeks(result.levels, seasonal_period(chosen))
    summary = summarise(result, chosen, cut)
    typer.echo(
        f"{chosen.label}: {replications} replications, seed {seed}, engine {engine}, "
        f"weeks {cut + 1}–{chosen.horizon_weeks} (warm-up {cut})"
    )
    typer.echo(f"{'level':<28}{'active':>10}{'p10–p90':>14}{'waiting':>10}{'wait (wk)':>11}")
    for level in range(4):
        active = summary[f"active.{level}"]
        span = f"{active.quantile(0.1):.1f}–{active.quantile(0.9):.1f}"
        wait = summary.get(f"wait.{level}")
        wait_text = "" if wait is None else f"{wait.mean():.2f}"
        typer.echo(
            f"{_level_name(level, lang):<28}{active.mean():>10.1f}{span:>14}"
            f"{summary[f'waiting.{level}'].mean():>10.1f}{wait_text:>11}"
        )
    use = summary[[c for c in summary.columns if c.startswith("utilisation.")]].mean()
    if len(use):
        busiest = use.sort_values(ascending=False).head(5)
        typer.echo(
            "busiest services (hours demanded / available): "
            + ", ".join(
                f"{label(f'service.{k.split(chr(46), 1)[1]}', lang)} {v:.0%}"
                for k, v in busiest.items()
            )
        )
    if "cost.total" in summary:
        typer.echo(
            f"cost per year: NOK {summary['cost.total'].mean():,.0f} "
            f"(case work NOK {summary['cost.case_work'].mean():,.0f})"
        )
    if replications >= 2:
        target = summary["active.2"]
        needed = replications_needed(target, max(0.05 * abs(target.mean()), 1e-9))
        typer.echo(f"replications for ±5 % on mean active at level 2 (95 %): {needed}")
    if out is not None:
        for path in write_results(result, out, chosen, seed=seed, warmup=cut):
            typer.echo(f"wrote {path}")


@app.command()
def compare(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML.")],
    options: Annotated[str, typer.Option(help="Comma-separated options; a+b combines two.")],
    replications: Annotated[int, typer.Option("--replications", "-r", min=2)] = 100,
    seed: Annotated[int, typer.Option()] = 1,
    engine: Annotated[str, typer.Option(help="fast or ciw.")] = "fast",
    warmup: Annotated[int | None, typer.Option(help="Weeks to leave out.")] = None,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
) -> None:
    """Print organisation options side by side: means and paired differences (95 % CI)."""
    from bti_workbench.simulation.run import ENGINES, compare_options
    from bti_workbench.simulation.scenario.parse import ScenarioError, load_scenario

    names = [o.strip() for o in options.split(",") if o.strip()]
    if engine not in ENGINES:
        _fail(f"error: unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if not names:
        _fail("error: --options: give at least one option to compare with the scenario")
    try:
        base = load_scenario(scenario)  # check the scenario and every option before running
        for name in names:
            load_scenario(scenario, tuple(p for p in name.split("+") if p))
    except ScenarioError as exc:
        _fail(f"error: {exc}")
    if warmup is not None and not 0 <= warmup < base.horizon_weeks:
        _fail(f"error: --warmup must be from 0 to {base.horizon_weeks - 1} weeks")
    with _progress(len(names) + 1, "options") as bar:
        table = compare_options(
            scenario, names, replications, seed, engine, warmup, lambda _name: bar.update(1)
        )
    wanted = [f"active.{n}" for n in range(4)] + [f"wait.{n}" for n in range(1, 4)]
    wanted += sorted(m for m in table["metric"].unique() if m.startswith("utilisation."))
    wanted += ["cost.total"]
    columns = ["baseline", *names]
    typer.echo(
        f"{scenario.name}: {replications} replications, seed {seed}, engine {engine}, "
        f"warm-up {table.attrs['warmup_weeks']} weeks; (difference from the baseline "
        "[95 % CI], same seed: common random numbers); costs in thousand NOK a year"
    )
    typer.echo(f"{'':<30}" + "".join(f"{c[:36]:>38}" for c in columns))
    for metric in wanted:
        rows = table[table["metric"] == metric].set_index("option")
        if rows.empty:
            continue
        cells = []
        for column in columns:
            if column not in rows.index:
                cells.append(f"{'':>38}")
                continue
            row = rows.loc[column]
            text = _fmt(metric, row["mean"])
            if column != "baseline" and pd.notna(row["difference"]):
                low, high = _fmt(metric, row["low"], "+"), _fmt(metric, row["high"], "+")
                text += f" ({_fmt(metric, row['difference'], '+')} [{low}, {high}])"
            cells.append(f"{text:>38}")
        typer.echo(f"{_metric_name(metric, lang):<30}" + "".join(cells))


def _fmt(metric: str, value: float, sign: str = "") -> str:
    """Costs in thousands of NOK (k), everything else with two decimals."""
    if metric.startswith("cost."):
        return f"{value / 1000:{sign},.0f}k"
    return f"{value:{sign}.2f}"


def _metric_name(metric: str, lang: str) -> str:
    kind, _, what = metric.partition(".")
    if kind in {"active", "waiting", "wait"}:
        return f"{label(f'metric.{kind}', lang)} {what}"
    if kind == "utilisation":
        return f"{label('metric.utilisation', lang)} {label(f'service.{what}', lang)}"[:29]
    return label(f"metric.{metric}", lang)


def _period(text: str | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    if not text:
        return None
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError(text)
        period = pd.Timestamp(first), pd.Timestamp(last)
    except ValueError:
        _fail(f"error: --period {text!r}: give two dates, e.g. 2018-01-01..2018-06-30")
    if period[1] < period[0]:
        _fail(f"error: --period {text!r}: the end comes before the start")
    return period


@app.command()
def network(
    event_log: Annotated[Path, typer.Argument(help="Pseudonymised event log (CSV or XLSX).")],
    out: Annotated[Path, typer.Option(help="Folder for edges.csv, metrics.csv, graph files.")],
    survey: Annotated[Path | None, typer.Option(help="Collaboration survey.")] = None,
    organisation: Annotated[Path | None, typer.Option(help="Organisation contract.")] = None,
    period: Annotated[
        str | None, typer.Option(help="Dates to keep, e.g. 2018-01-01..2018-06-30.")
    ] = None,
    k: Annotated[int, typer.Option(min=2, help="Small-cell threshold.")] = 5,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
) -> None:
    """Map collaboration between services from the cases; write suppressed results."""
    from bti_workbench.ingest.readers import (
        read_collaboration_survey,
        read_event_log,
        read_organisation,
    )
    from bti_workbench.network import (
        degree_centralisation,
        organisation_graph,
        service_graph,
        survey_graph,
    )
    from bti_workbench.network.graphs import _in_period
    from bti_workbench.network.publish import published_metrics, write_network
    from bti_workbench.network.questions import missing_links, perceived_vs_enacted

    chosen = _period(period)
    try:
        log = read_event_log(event_log)
        perceived = survey_graph(read_collaboration_survey(survey)) if survey else None
        org = organisation_graph(read_organisation(organisation)) if organisation else None
    except (ContractError, IdentifierError) as exc:
        _fail(f"error: {exc}")
    if _in_period(log, chosen).empty:
        _fail(f"error: {event_log.name}: no events in {period}")
    graph = service_graph(log, chosen)
    if graph.number_of_nodes() == 0:
        _fail(f"error: {event_log.name}: no baton holder or participant events to map")
    metrics = published_metrics(graph, k, lang)
    missing = missing_links(graph)
    written = write_network(graph, out, k, lang)
    import networkx as nx

    typer.echo(
        f"{event_log.name}{f' {period}' if period else ''}: {graph.number_of_nodes()} services, "
        f"{graph.number_of_edges()} ties, density {nx.density(graph):.2f}, "
        f"degree centralisation {degree_centralisation(graph):.2f} (before suppression)"
    )
    top = metrics.sort_values("betweenness [before suppression]", ascending=False).head(3)
    typer.echo(
        "most between others: "
        + ", ".join(
            f"{label(f'service.{s}', lang)} {v:.2f}"
            for s, v in top["betweenness [before suppression]"].items()
        )
    )
    gaps = missing[missing["missing"]]
    typer.echo(
        f"expected ties the cases do not show: {len(gaps)} of {len(missing)}"
        + (
            ""
            if gaps.empty
            else ": "
            + "; ".join(
                f"{label(f'service.{a}', lang)}–{label(f'service.{b}', lang)}"
                for a, b in zip(gaps["service_a"], gaps["service_b"], strict=True)
            )
        )
    )
    if perceived is not None:
        compared = perceived_vs_enacted(perceived, graph)["status"].value_counts()
        typer.echo(
            "survey vs cases: "
            + ", ".join(
                f"{status} {compared.get(status, 0)}"
                for status in ("both", "perceived only", "enacted only")
            )
        )
    if org is not None:
        typer.echo(f"organisation: {org.number_of_edges()} pairs of services share a group")
    for path in written:
        typer.echo(f"wrote {path}")


store_app = typer.Typer(help="The embedded store (DuckDB).", no_args_is_help=True)
app.add_typer(store_app, name="store")
_STORE_HELP = "The store (DuckDB file)."


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders from `bti demo-data`.")],
    kind: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(KINDS)} (inferred for demo files).")
    ] = None,
    store: Annotated[Path, typer.Option(help=_STORE_HELP)] = Path("data/store/bti.duckdb"),
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="For files without the column.")
    ] = None,
    go_live: Annotated[
        str | None, typer.Option(help="The municipality's go-live date (yyyy-mm-dd).")
    ] = None,
) -> None:
    """Validate files and import each in one transaction; refuse files already imported."""
    from bti_workbench.ingest.store import ImportRecord, StoreError, import_files

    if kind is not None and kind not in KINDS:
        _fail(f"error: unknown kind '{kind}'; use one of {', '.join(KINDS)}")
    if go_live is not None:
        try:
            pd.Timestamp(go_live)
        except ValueError:
            _fail("error: --go-live must be a date yyyy-mm-dd")
    done: list[ImportRecord] = []

    def report(record: ImportRecord) -> None:
        done.append(record)
        typer.echo(
            f"imported {record.file_name} as {record.kind}: {record.rows} rows "
            f"(municipality {record.municipality or '–'}, sha256 {record.sha256[:12]}…, "
            f"import {record.import_id})"
        )

    def stopped(message: str) -> None:
        kept = f"; the {len(done)} file(s) before it were imported" if done else ""
        typer.echo(f"ERROR {message}", err=True)
        _fail(f"this file was not imported{kept}")

    if municipality is not None:
        municipality = municipality.strip().zfill(4)
        if not (municipality.isdigit() and len(municipality) == 4):
            _fail("error: --municipality must be a four-digit kommunenummer")
    try:
        import_files(store, paths, kind, municipality, go_live, on_imported=report)
    except (ContractError, IdentifierError) as exc:
        problems = getattr(exc, "problems", None)
        count = len(problems) if problems else 1
        stopped(f"{count} problem{'s' if count != 1 else ''}:\n{exc}")
    except StoreError as exc:
        stopped(str(exc))
    typer.echo(f"{len(done)} file{'s' if len(done) != 1 else ''} imported into {store}")


@store_app.command("status")
def store_status_(
    store: Annotated[Path, typer.Option(help=_STORE_HELP)] = Path("data/store/bti.duckdb"),
) -> None:
    """List what the store holds: kinds, rows, municipalities, dates and the import log."""
    from bti_workbench.ingest.store import StoreError, store_status

    try:
        status = store_status(store)
    except StoreError as exc:
        _fail(f"error: {exc}")
    typer.echo(f"{store}")
    tables = status.tables
    typer.echo(f"  {'kind':<22}{'rows':>9}{'files':>7}  {'municipalities':<16}period")
    for kind, row in tables.iterrows():
        period = (
            f"{row['first']:%Y-%m-%d} – {row['last']:%Y-%m-%d}" if pd.notna(row["first"]) else ""
        )
        typer.echo(
            f"  {kind:<22}{int(row['rows']):>9}{int(row['files']):>7}  "
            f"{row['municipalities']:<16}{period}"
        )
    if len(status.go_live):
        dates = ", ".join(f"{m} {d:%Y-%m-%d}" for m, d in status.go_live.items())
        typer.echo(f"  go-live: {dates}")
    typer.echo(f"import log ({len(status.imports)} files):")
    for row in status.imports.itertuples(index=False):
        typer.echo(
            f"  {row.import_id:>3}  {row.imported_at:%Y-%m-%d %H:%M}  {row.kind:<21}"
            f"{row.rows:>9} rows  {row.municipality or '–':<5} {row.sha256[:12]}…  {row.file_name}"
            + ("  (synthetic)" if row.synthetic else "")
        )


report_app = typer.Typer(help="Reports rendered from the notebooks.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("evaluation")
def report_evaluation(
    municipality: Annotated[str, typer.Option("--municipality", "-m", help="Kommunenummer.")],
    period: Annotated[
        str, typer.Option(help="The period the indicators cover: 2018-01-01..2018-06-30.")
    ],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    store: Annotated[Path, typer.Option(help=_STORE_HELP)] = Path("data/store/bti.duckdb"),
    files: Annotated[
        list[Path] | None,
        typer.Option(
            "--files", help="Read these files (or demo folders) instead of a store; repeatable."
        ),
    ] = None,
    go_live: Annotated[
        str | None,
        typer.Option(help="Go-live date(s): 2018-09-01, or 4228=2018-09-01,1106=2019-03-01."),
    ] = None,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
    k: Annotated[int, typer.Option(help="Suppression threshold (cells below k are hidden).")] = 5,
    keep_notebook: Annotated[
        Path | None, typer.Option(help="Also keep the executed notebook (with code) here.")
    ] = None,
) -> None:
    """Run notebooks/03_pilot_evaluation.ipynb for a municipality and render it as HTML."""
    import papermill as pm

    from bti_workbench.reports.render import REPORTS, notebook_path, render_report

    chosen = _period(period)
    if lang not in ("nb", "en"):
        _fail("error: --lang must be nb or en")
    if k < 2:
        _fail("error: --k must be at least 2")
    if files:
        missing = [f.name for f in files if not f.exists()]
        if missing:
            _fail(f"error: not found: {', '.join(missing)}")
    elif not store.exists():
        _fail(f"error: {store}: no store here yet; import files with `bti import` or use --files")
    parameters = {
        "store": "" if files else str(store.resolve()),
        "files": [str(f.resolve()) for f in files or []],
        "municipality": municipality,
        "period": f"{chosen[0]:%Y-%m-%d}..{chosen[1]:%Y-%m-%d}",
        "go_live": go_live or "",
        "lang": lang,
        "k": k,
    }
    typer.echo(f"running {REPORTS['evaluation']} …", err=True)
    try:
        render_report(
            notebook_path(REPORTS["evaluation"]), parameters, out, keep_notebook=keep_notebook
        )
    except pm.PapermillExecutionError as exc:
        # The message of a failing cell may quote data; name the cell and the kind only.
        _fail(
            f"error: the report failed in cell {exc.exec_count} ({exc.ename}); run it again "
            "with --keep-notebook FILE to read the cell's message"
        )
    typer.echo(f"wrote {out}")


@app.command()
def calibrate(
    municipality: Annotated[str, typer.Option("--municipality", "-m", help="Kommunenummer.")],
    base: Annotated[Path, typer.Option(help="Scenario whose resources, hours and costs are kept.")],
    out: Annotated[Path, typer.Option(help="The calibrated scenario YAML to write.")],
    period: Annotated[
        str | None, typer.Option(help="Estimate from this period: 2018-09-01..2020-06-30.")
    ] = None,
    store: Annotated[Path, typer.Option(help=_STORE_HELP)] = Path("data/store/bti.duckdb"),
    files: Annotated[
        list[Path] | None,
        typer.Option("--files", help="Read these files (or demo folders) instead of a store."),
    ] = None,
    k: Annotated[int, typer.Option(help="Estimates from fewer cases keep the base value.")] = 5,
    lang: Annotated[str, typer.Option(help="nb or en.")] = "nb",
) -> None:
    """Estimate the simulation's parameters from an event log and write a scenario that runs."""
    from bti_workbench.evaluation.sources import load_evaluation
    from bti_workbench.simulation.calibration.estimate import (
        calibrated_scenario,
        calibration_table,
        estimate_parameters,
        write_scenario,
    )
    from bti_workbench.simulation.scenario.parse import ScenarioError, load_scenario

    chosen = _period(period)
    if files is None and not store.exists():
        _fail(f"error: {store}: no store here yet; import files with `bti import` or use --files")
    try:
        data = load_evaluation(
            municipality,
            chosen or (pd.Timestamp.min, pd.Timestamp.max),
            store=None if files else store,
            files=files or (),
        )
        calibration = estimate_parameters(data.event_log, data.municipality, period=chosen)
        scenario = calibrated_scenario(calibration, base, k=k)
        write_scenario(scenario, out)
        load_scenario(out)
    except (ContractError, IdentifierError, ScenarioError, ValueError, KeyError) as exc:
        _fail(f"error: {exc.args[0] if exc.args else exc}")
    table = calibration_table(calibration, k=k, lang=lang)
    for row in table.itertuples(index=False):
        value = (
            f"{row.estimate:.3g} ({row.ci_low:.3g}–{row.ci_high:.3g})" if row.shown else row.mark
        )
        typer.echo(f"  {row.label:<78} {value}")
    typer.echo(f"wrote {out} (load it with bti simulate {out})")


@app.command()
def serve(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 5006,
    address: Annotated[
        str, typer.Option(help="Address to listen on; beyond loopback needs a login and TLS.")
    ] = "127.0.0.1",
    num_procs: Annotated[int, typer.Option(min=0, help="Worker processes (0: one per CPU).")] = 1,
    basic_auth: Annotated[
        Path | None,
        typer.Option(help='Credentials: JSON {"user": "password", …} outside the repository.'),
    ] = None,
    cookie_secret: Annotated[
        str | None,
        typer.Option(
            envvar="BTI_COOKIE_SECRET",
            show_default=False,
            help="Signs the login cookies, 32+ characters (better: $BTI_COOKIE_SECRET).",
        ),
    ] = None,
    oauth_provider: Annotated[
        str | None, typer.Option(help="github, gitlab, google, azure, okta, generic, …")
    ] = None,
    oauth_key: Annotated[str | None, typer.Option(help="The OAuth client id.")] = None,
    oauth_secret: Annotated[
        str | None,
        typer.Option(envvar="BTI_OAUTH_SECRET", show_default=False, help="OAuth client secret."),
    ] = None,
    oauth_encryption_key: Annotated[
        str | None,
        typer.Option(
            envvar="BTI_OAUTH_ENCRYPTION_KEY",
            show_default=False,
            help="Encrypts OAuth tokens in cookies: 32 bytes, URL-safe base64.",
        ),
    ] = None,
    oauth_redirect_uri: Annotated[
        str | None, typer.Option(help="Public URL the provider returns to (behind a proxy).")
    ] = None,
    oauth_extra_params: Annotated[
        str | None, typer.Option(help='JSON object for the provider, e.g. {"tenant": "…"}.')
    ] = None,
    allow_user: Annotated[
        list[str] | None, typer.Option(help="Only this user may see the dashboard; repeatable.")
    ] = None,
    allow_websocket_origin: Annotated[
        list[str] | None, typer.Option(help="A HOST[:PORT] browsers use; repeatable.")
    ] = None,
    behind_proxy: Annotated[
        bool, typer.Option(help="A reverse proxy with TLS forwards to this server.")
    ] = False,
    ssl_certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(help="TLS private key, outside the repository.")
    ] = None,
    insecure: Annotated[
        bool, typer.Option(help="Allow no login or no TLS beyond loopback (closed tests only).")
    ] = False,
    store: Annotated[
        Path | None, typer.Option(help=f"{_STORE_HELP} The app reads it as $BTI_STORE.")
    ] = None,
    k: Annotated[
        int, typer.Option(min=2, help="Small-cell threshold; viewers cannot change it.")
    ] = 5,
    app_file: Annotated[Path | None, typer.Option("--app", hidden=True)] = None,
) -> None:
    """Serve the leaders' dashboard (panel serve); a login is needed beyond this machine."""
    import importlib.util
    import os
    import shlex

    from bti_workbench.dashboard.serve import (
        LEADER_APP,
        PANEL_AUTH_VARIABLES,
        ServeError,
        check_credentials,
        check_private_file,
        exec_server,
        is_loopback,
        serve_command,
        serve_environment,
    )

    app_path = (app_file or LEADER_APP).resolve()
    if not app_path.is_file():
        _fail(f"error: the app {app_path} not found")
    if store is not None and not store.is_file():
        _fail(f"error: {store}: no store here; import files with `bti import`")
    if ssl_certfile is not None and not ssl_certfile.is_file():
        _fail(f"error: certificate {ssl_certfile} not found")
    if oauth_provider is not None and importlib.util.find_spec("cryptography") is None:
        _fail("error: OAuth encrypts its tokens with the cryptography package: install it")
    users = allow_user or []
    try:
        credentials = check_credentials(basic_auth) if basic_auth is not None else None
        keyfile = check_private_file(ssl_keyfile, what="TLS key") if ssl_keyfile else None
        command = serve_command(
            app_path,
            port=port,
            address=address,
            num_procs=num_procs,
            basic_auth=credentials.path if credentials else None,
            cookie_secret=cookie_secret,
            oauth_provider=oauth_provider,
            oauth_key=oauth_key,
            oauth_secret=oauth_secret,
            oauth_encryption_key=oauth_encryption_key,
            oauth_redirect_uri=oauth_redirect_uri,
            oauth_extra_params=oauth_extra_params,
            allow_user=users,
            allow_websocket_origin=allow_websocket_origin or [],
            behind_proxy=behind_proxy,
            ssl_certfile=ssl_certfile.resolve() if ssl_certfile else None,
            ssl_keyfile=keyfile,
            insecure=insecure,
        )
        environ = serve_environment(
            os.environ,
            store=store.resolve() if store else None,
            k=k,
            cookie_secret=cookie_secret,
            oauth_secret=oauth_secret,
            oauth_encryption_key=oauth_encryption_key,
            allow_user=users,
        )
    except ServeError as exc:
        _fail(f"error: {exc}")
    ignored = [name for name in PANEL_AUTH_VARIABLES if name in os.environ]
    if ignored:
        typer.echo(
            f"note: ignoring {', '.join(ignored)}: bti serve sets the login from its options",
            err=True,
        )
    if credentials is not None and not credentials.private:
        typer.echo(
            f"warning: other users of this machine can read {credentials.path.name}: "
            f"chmod 600 {credentials.path}",
            err=True,
        )
    if credentials is not None:
        login = f"basic auth, {credentials.users} user{'s' if credentials.users != 1 else ''}"
    elif oauth_provider is not None:
        login = f"OAuth ({oauth_provider})"
    else:
        login = "no login"
    if insecure and (behind_proxy or not is_loopback(address)):
        typer.echo(
            "warning: --insecure: reachable without a login or without TLS; closed tests only",
            err=True,
        )
    if users:
        login += f", {len(users)} allowed user{'s' if len(users) != 1 else ''}"
    typer.echo(f"serving /{app_path.stem} on {address}:{port} ({login}; k={k})", err=True)
    typer.echo(f"running {shlex.join(command)}", err=True)
    exec_server(command, environ)


@app.command()
def sweep(
    template: Annotated[
        Path, typer.Argument(help="Scenario or template YAML, e.g. national_per_1000.yaml.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the results (resumed if it exists).")],
    municipalities: Annotated[
        str, typer.Option(help="all, a list such as 4228,5401, or a file of kommunenummer.")
    ] = "all",
    options: Annotated[
        str, typer.Option(help="Comma-separated: baseline (the template as it is), options, a+b.")
    ] = "baseline",
    grid: Annotated[
        list[str] | None,
        typer.Option(help="PARAM=v1,v2 with a dotted key (repeatable; the cross product)."),
    ] = None,
    replications: Annotated[int, typer.Option("--replications", "-r", min=1)] = 100,
    seed: Annotated[int, typer.Option(help="Sweep seed; each municipality's is derived.")] = 1,
    warmup: Annotated[
        int, typer.Option(help="Weeks left out of every cell (the same for all).")
    ] = 104,
    population_file: Annotated[
        Path | None,
        typer.Option(help="SSB 07459 file (default: data/municipalities.csv, 15 municipalities)."),
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler, tcp://host:8786.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="LocalCluster worker processes (default: CPUs).")
    ] = None,
    engine: Annotated[str, typer.Option(help="fast or ciw.")] = "fast",
) -> None:
    """Run a template over municipalities × options × grid points on Dask, resumably."""
    from bti_workbench.simulation.run import ENGINES
    from bti_workbench.simulation.scenario.parse import ScenarioError
    from bti_workbench.simulation.sweep.run import (
        SweepError,
        parse_grid,
        parse_municipalities,
        plan_sweep,
    )
    from bti_workbench.simulation.sweep.run import run_sweep as run

    if engine not in ENGINES:
        _fail(f"error: unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    names = [o.strip() for o in options.split(",") if o.strip()]
    try:
        chosen = parse_municipalities(municipalities, population_file)
        planned = plan_sweep(
            template,
            chosen,
            names,
            parse_grid(grid or []),
            replications=replications,
            seed=seed,
            warmup=warmup,
            engine=engine,
        )
    except (SweepError, ScenarioError) as exc:
        _fail(f"error: {exc}")
    total = len(planned.tasks)
    typer.echo(
        f"{template.name}: {len(chosen)} municipalities × {len(names)} options × "
        f"{len(planned.points)} grid points = {total} tasks, {replications} replications, "
        f"seed {seed}, warm-up {warmup} weeks",
        err=True,
    )
    bar = None
    try:
        with _progress(total, "tasks") as bar:
            seen = [0]

            def tick(done: int, _todo: int) -> None:
                bar.update(done - seen[0])
                seen[0] = done

            report = run(planned, out, scheduler=scheduler, workers=workers, progress=tick)
    except SweepError as exc:
        _fail(f"error: {exc}")
    except KeyboardInterrupt:
        _fail(f"interrupted: finished tasks are kept in {out}; run the same command to resume")
    typer.echo(
        f"{report.computed} tasks computed, {report.skipped} already finished, "
        f"{len(report.failed)} failed; results in {out / 'results'}",
        err=True,
    )
    if not report.failed.empty:
        for row in report.failed.head(20).itertuples(index=False):
            settings = f" [{row.settings}]" if row.settings else ""
            typer.echo(
                f"failed: task {row.task}: {row.kommunenummer} {row.municipality}, "
                f"{row.option}{settings}: {row.error}",
                err=True,
            )
        if len(report.failed) > 20:
            typer.echo(f"… and {len(report.failed) - 20} more in {out / 'failed.json'}", err=True)
        _fail("run the same command again to retry the failed tasks")


if __name__ == "__main__":  # pragma: no cover
    app()
