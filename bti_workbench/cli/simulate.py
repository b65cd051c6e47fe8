"""Commands for the simulation: ``bti simulate``, ``bti compare`` and ``bti calibrate``.

The docstrings of the commands are their ``--help`` text.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pandas as pd
import typer

from bti_workbench._util.numbers import format_nok, format_number, format_share
from bti_workbench.cli._common import (
    DEFAULT_STORE,
    STORE_HELP,
    WIDTH,
    Lang,
    fail,
    fail_with,
    kommunenummer,
    output_file,
    parse_options,
    parse_period,
    progress,
    tell,
    wrap,
)
from bti_workbench.errors import ContractError, IdentifierError
from bti_workbench.reference.labels import label
from bti_workbench.simulation.scenario.document import BASELINE, option_parts, read_document

if TYPE_CHECKING:
    from bti_workbench.reference import Municipality
    from bti_workbench.simulation import FlowResult, Scenario

__all__ = ["calibrate", "compare", "simulate"]


def simulate(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario YAML, e.g. data/scenarios/tromso.yaml.")
    ],
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", "-o", help="Options to apply together: repeatable, a,b or a+b (the same)."
        ),
    ] = None,
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=1, help="Replications (at least 1).")
    ] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same numbers.")] = 1,
    engine: Annotated[str, typer.Option(help="fast or ciw.")] = "fast",
    out: Annotated[
        Path | None, typer.Option(help="Write results.parquet and files beside it.")
    ] = None,
    warmup: Annotated[
        int | None, typer.Option(help="Weeks to leave out (default: MSER-5).")
    ] = None,
    lang: Lang = "nb",
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
    from bti_workbench.simulation.analysis import seasonal_period, summarise, warmup_weeks
    from bti_workbench.simulation.run import write_results

    _check_engine(engine, lang)
    if out is not None:
        output_file(out, "--out", beside=_files_beside(out), lang=lang)
    place = _chosen_municipality(kommunenummer(municipality, lang=lang), population_file, lang)
    names = parse_options(option, scenario, lang=lang)
    applied = list(dict.fromkeys(part for name in names for part in option_parts(name)))
    chosen = _load_for_simulation(scenario, applied, _settings(set_ or [], lang), place, lang)
    tell(chosen.notice_texts(lang))
    result = _run_with_progress(chosen, replications, seed, engine)
    if warmup is not None and not 0 <= warmup < chosen.horizon_weeks:
        fail(label("cli.sim.warmup", lang, last=chosen.horizon_weeks - 1), lang)
    cut = warmup if warmup is not None else warmup_weeks(result, seasonal_period(chosen))
    summary = summarise(result, chosen, cut)
    run = label(
        "cli.sim.run",
        lang,
        name=_run_name(scenario, applied, lang),
        replications=replications,
        seed=seed,
        engine=engine,
        first=cut + 1,
        last=chosen.horizon_weeks,
        warmup=cut,
    )
    for line in textwrap.wrap(run, WIDTH):
        typer.echo(line)
    _print_levels(summary, lang)
    _print_busiest_and_costs(summary, lang)
    if replications >= 2:
        _print_replications_needed(summary, lang)
    if out is not None:
        try:
            written = write_results(result, out, chosen, seed=seed, warmup=cut)
        except OSError as exc:  # a full disk: each file is whole or as it was
            fail(label("cli.sim.cannot_write", lang, name=out.name, reason=exc.strerror), lang)
        for path in written:
            typer.echo(label("cli.wrote", lang, path=path))


def _run_name(scenario: Path, options: list[str], lang: str) -> str:
    """The scenario and its options by the names a reader sees: ``Tromsø + Uten BTI``."""
    from bti_workbench.simulation.scenario.document import option_name, scenario_name

    doc = read_document(scenario)
    return " + ".join(
        [scenario_name(scenario, lang, doc), *(option_name(o, lang, doc) for o in options)]
    )


def _files_beside(out: Path) -> list[Path]:
    """The files :func:`~bti_workbench.simulation.run.write_results` writes beside ``out``."""
    stem = out.with_suffix("")
    kinds = ("services", "queues", "exits", "summary", "cases")
    return [stem.with_suffix(f".{kind}.parquet") for kind in kinds] + [stem.with_suffix(".json")]


def _check_engine(engine: str, lang: str) -> None:
    """End the command unless ``engine`` names one of the simulation's engines."""
    from bti_workbench.simulation.run import ENGINES

    if engine not in ENGINES:
        fail(label("cli.sweep.engine", lang, engine=engine, engines=", ".join(ENGINES)), lang)


def _chosen_municipality(
    knr: str | None, population_file: Path | None, lang: str
) -> Municipality | None:
    """The municipality of ``--municipality`` (with its population), or None."""
    from bti_workbench.errors import PopulationFileError, explain
    from bti_workbench.reference.municipality import load_municipality

    if knr is None:
        if population_file is not None:
            fail(label("cli.sim.population_alone", lang), lang)
        return None
    try:
        return load_municipality(knr, population_file)
    except KeyError:  # not in the file: the message names the option the user typed
        if population_file is None:
            fail(label("cli.sim.no_municipality", lang, knr=knr), lang)
        name = population_file.name
        fail(label("cli.data.population.no_municipality", lang, file=name, knr=knr), lang)
    except (PopulationFileError, OSError, ValueError) as exc:
        text = explain(exc, lang)  # the SSB reader's message, from the catalogue
        fail(f"--population-file: {text}", lang if text != str(exc) else None)


def _settings(items: list[str], lang: str) -> dict:
    """``--set KEY=VALUE`` as a mapping; values read as YAML with the one safe loader. A
    setting that is not ``KEY=VALUE``, or a value that is not YAML, ends the command."""
    from bti_workbench._util.yamlfile import load_yaml
    from bti_workbench.errors import YamlFileError

    out = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            fail(label("cli.sim.set", lang), lang)
        try:
            out[key.strip()] = load_yaml(text.strip(), source=f"--set {key.strip()}")
        except YamlFileError as exc:
            fail_with(exc, lang)
    return out


def _load_for_simulation(
    scenario: Path, options: list[str], settings: dict, place: Municipality | None, lang: str
) -> Scenario:
    """The scenario with its options, ``--set`` settings and municipality; errors end it."""
    from bti_workbench.errors import ScenarioError
    from bti_workbench.simulation.scenario.parse import load_scenario

    try:
        return load_scenario(scenario, tuple(options), settings=settings, municipality=place)
    except ScenarioError as exc:
        fail_with(exc, lang)


def _run_with_progress(chosen: Scenario, replications: int, seed: int, engine: str) -> FlowResult:
    """Run the simulation with a progress bar counting replications."""
    from bti_workbench.simulation.run import simulate as run

    with progress(replications, f"{chosen.label} ({engine})") as bar:
        done = [0]

        def tick(step: int, _total: int) -> None:
            bar.update(step - done[0])
            done[0] = step

        return run(chosen, replications, seed, engine, tick)


def _print_levels(summary: pd.DataFrame, lang: str) -> None:
    """A row per level: mean active cases, their p10–p90, mean waiting and mean wait."""
    heads = [label(f"cli.sim.col.{c}", lang) for c in _LEVEL_COLUMNS]
    names = [label(f"level.{level}.name", lang) for level in range(4)]
    width = max(len(name) for name in names) + 2
    typer.echo(f"{heads[0]:<{width}}{heads[1]:>10}{heads[2]:>14}{heads[3]:>10}{heads[4]:>17}")
    for level, name in enumerate(names):
        active = summary[f"active.{level}"]
        low, high = (format_number(active.quantile(q), lang, 1) for q in (0.1, 0.9))
        wait = summary.get(f"wait.{level}")
        wait_text = "" if wait is None else format_number(wait.mean(), lang, 2)
        waiting = format_number(summary[f"waiting.{level}"].mean(), lang, 1)
        mean = format_number(active.mean(), lang, 1)
        typer.echo(
            f"{name:<{width}}{mean:>10}{f'{low}–{high}':>14}{waiting:>10}{wait_text:>17}".rstrip()
        )


_LEVEL_COLUMNS = ("level", "active", "span", "waiting", "wait")


def _print_busiest_and_costs(summary: pd.DataFrame, lang: str) -> None:
    """The five busiest services and the cost per year, where the scenario has them."""
    use = summary[[c for c in summary.columns if c.startswith("utilisation.")]].mean()
    if len(use):
        typer.echo(label("cli.sim.busiest", lang))
        busiest = use.sort_values(ascending=False).head(5)
        names = [label(f"service.{key.split('.', 1)[1]}", lang) for key in busiest.index]
        width = max(len(name) for name in names) + 2
        for name, value in zip(names, busiest, strict=True):
            typer.echo(f"  {name:<{width}}{format_share(value, lang):>5}")
    if "cost.total" in summary:
        total = format_nok(summary["cost.total"].mean(), lang)
        case_work = format_nok(summary["cost.case_work"].mean(), lang)
        typer.echo(label("cli.sim.cost", lang, total=total, case_work=case_work))


def _print_replications_needed(summary: pd.DataFrame, lang: str) -> None:
    """Replications for a 95 % interval of ±5 % on the mean active at level 2."""
    from bti_workbench.simulation.analysis import replications_needed

    target = summary["active.2"]
    needed = replications_needed(target, max(0.05 * abs(target.mean()), 1e-9))
    typer.echo(label("cli.sim.replications", lang, needed=format_number(needed, lang)))


def compare(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML.")],
    option: Annotated[
        list[str],
        typer.Option(
            "--option",
            "-o",
            help="Options to compare: repeatable, a,b lists two, a+b combines two.",
        ),
    ],
    replications: Annotated[
        int, typer.Option("--replications", "-r", min=2, help="Replications (at least 2).")
    ] = 100,
    seed: Annotated[int, typer.Option()] = 1,
    engine: Annotated[str, typer.Option(help="fast or ciw.")] = "fast",
    warmup: Annotated[int | None, typer.Option(help="Weeks to leave out.")] = None,
    lang: Lang = "nb",
) -> None:
    """Print organisation options side by side: means and paired differences (95 % CI)."""
    from bti_workbench.simulation.run import compare_options

    _check_engine(engine, lang)
    names = [n for n in parse_options(option, scenario, lang=lang) if n != BASELINE]
    if not names:  # the baseline is always there
        fail(label("cli.opt.none", lang, flag="--option"), lang)
    tell(_check_comparison(scenario, names, warmup, lang).notice_texts(lang))
    with progress(len(names) + 1, label("cli.opt.progress", lang)) as bar:
        table = compare_options(
            scenario, names, replications, seed, engine, warmup, lambda _name: bar.update(1)
        )
    run = label(
        "cmp.run",
        lang,
        file=scenario.name,
        replications=replications,
        seed=seed,
        engine=engine,
        warmup=table.attrs["warmup_weeks"],
    )
    _print_comparison(table, run, read_document(scenario), lang)


def _check_comparison(scenario: Path, names: list[str], warmup: int | None, lang: str) -> Scenario:
    """Load the scenario and every option before running, and check ``--warmup``; the
    scenario without options."""
    from bti_workbench.errors import ScenarioError
    from bti_workbench.simulation.scenario.document import option_parts
    from bti_workbench.simulation.scenario.parse import load_scenario

    try:
        base = load_scenario(scenario)
        for name in names:
            load_scenario(scenario, option_parts(name))
    except ScenarioError as exc:
        fail_with(exc, lang)
    if warmup is not None and not 0 <= warmup < base.horizon_weeks:
        fail(label("cli.sim.warmup", lang, last=base.horizon_weeks - 1), lang)
    return base


def _print_comparison(table: pd.DataFrame, run: str, doc: dict, lang: str) -> None:
    """The options table a report shows, a block per result: every option's cell on its own
    line under the result's name, so nothing is cut and every line fits 100 columns."""
    from bti_workbench.simulation.figures import options_table

    shown = options_table(table, lang, doc=doc)
    measure, *columns = shown.columns
    longest_value = max(len(str(value)) for value in shown[columns].to_numpy().ravel())
    width = min(max(len(c) for c in columns) + 2, WIDTH - 2 - longest_value)
    for line in textwrap.wrap(f"{run} {shown.attrs['note']}", WIDTH):
        typer.echo(line)
    for _, row in shown.iterrows():
        typer.echo(f"\n{row[measure]}")
        for column in columns:
            *first, last = textwrap.wrap(column, width - 2) or [""]
            for part in first:  # a long combination's name runs over lines of its own
                typer.echo(f"  {part}")
            typer.echo(f"  {last:<{width}}{row[column]}")


def calibrate(
    municipality: Annotated[str, typer.Option("--municipality", "-m", help="Kommunenummer.")],
    base: Annotated[Path, typer.Option(help="Scenario whose resources, hours and costs are kept.")],
    out: Annotated[Path, typer.Option(help="The calibrated scenario YAML to write.")],
    period: Annotated[
        str | None, typer.Option(help="Estimate from this period: 2018-09-01..2020-06-30.")
    ] = None,
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
    files: Annotated[
        list[Path] | None,
        typer.Option("--files", help="Read these files (or demo folders) instead of a store."),
    ] = None,
    k: Annotated[int, typer.Option(help="Estimates from fewer cases keep the base value.")] = 5,
    lang: Lang = "nb",
) -> None:
    """Estimate the simulation's parameters from an event log and write a scenario that runs."""
    from bti_workbench.errors import ScenarioError
    from bti_workbench.evaluation.sources import load_evaluation
    from bti_workbench.simulation.calibration import (
        calibrated_scenario,
        calibration_table,
        estimate_parameters,
        write_scenario,
    )
    from bti_workbench.simulation.scenario.parse import load_scenario

    municipality = kommunenummer(municipality, lang=lang)
    output_file(out, "--out", lang=lang)
    chosen = parse_period(period, lang=lang)
    if files is None and not store.exists():
        fail(label("cli.cal.no_store", lang, store=store), lang)
    try:
        load_scenario(base)  # a wrong base: the message `bti simulate` gives, before any work
    except ScenarioError as exc:
        fail_with(exc, lang)
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
    except (ContractError, IdentifierError, ScenarioError, ValueError) as exc:
        fail_with(exc, lang)
    except KeyError as exc:
        fail(f"error: {exc.args[0] if exc.args else exc}")
    except OSError as exc:  # e.g. a full disk: the scenario file is whole or as it was
        fail(label("cli.cal.cannot_write", lang, reason=exc.strerror, file=out.name), lang)
    typer.echo(label("cli.cal.heading", lang))
    for line in _estimate_lines(calibration_table(calibration, k=k, lang=lang), lang):
        typer.echo(line)
    typer.echo(wrap(label("cli.cal.hidden", lang, k=k, base=base.name)))
    typer.echo(wrap(label("cli.cal.wrote", lang, path=out)))


def _estimate_lines(table: pd.DataFrame, lang: str) -> list[str]:
    """The calibration table as lines of at most :data:`WIDTH` columns: an estimate a line, its
    name (wrapped when long) then its value and 95 % interval, or its mark (``<5``, ``×``)."""
    values = [
        _estimate(row.estimate, row.ci_low, row.ci_high, lang) if row.shown else str(row.mark)
        for row in table.itertuples(index=False)
    ]
    width = max((len(value) for value in values), default=0)
    name_width = min(max((len(name) for name in table["label"]), default=0), WIDTH - 4 - width)
    lines = []
    for name, value in zip(table["label"], values, strict=True):
        *first, last = textwrap.wrap(name, name_width, subsequent_indent="  ") or [""]
        lines += [f"  {part}" for part in first]
        lines.append(f"  {last:<{name_width}}  {value}".rstrip())
    return lines


def _estimate(value: float, low: float, high: float, lang: str) -> str:
    """An estimate and its interval with three significant digits in ``lang``: ``25,4
    (8,26–59,3)``; the estimate alone when it has no interval."""
    text = _significant(value, lang)
    if math.isfinite(low) and math.isfinite(high):
        text += f" ({_significant(low, lang)}–{_significant(high, lang)})"
    return text


def _significant(value: float, lang: str) -> str:
    """``value`` with three significant digits (as ``:.3g``, never with an exponent), in the
    number format of ``lang``: ``0,0491``, ``25,4``, ``1 234``."""
    if value == 0 or not math.isfinite(value):
        return format_number(value, lang)
    return format_number(value, lang, max(0, 2 - math.floor(math.log10(abs(value)))))
