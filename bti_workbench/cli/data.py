"""Commands for data: population figures, validation, demo data and the store.

``bti population``, ``bti validate``, ``bti demo-data``, ``bti demo-store``, ``bti import`` and
``bti store status``. The docstrings of the commands are their ``--help`` text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from bti_workbench.cli._common import (
    DEFAULT_STORE,
    STORE_HELP,
    Lang,
    fail,
    plural,
    problem_count,
)
from bti_workbench.errors import ContractError, IdentifierError, PopulationFileError
from bti_workbench.ingest.contracts import KINDS
from bti_workbench.ingest.readers import read
from bti_workbench.privacy import suppress_small
from bti_workbench.reference.labels import label
from bti_workbench.reference.population import (
    AGE_BANDS,
    by_band,
    read_ssb_07459,
)

__all__ = ["demo_data", "demo_store", "import_", "population", "store_status", "validate"]


def population(
    file: Annotated[Path, typer.Argument(help="SSB table 07459: CSV download or JSON-stat2.")],
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="Kommunenummer, e.g. 4228.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year (default: all in the file).")] = None,
    lang: Lang = "nb",
) -> None:
    """Print children and young people aged 0–23 by BTI age band."""
    try:
        tidy = read_ssb_07459(file)
    except (PopulationFileError, OSError) as exc:
        fail(f"error: {exc}")
    knr = None
    if municipality is not None:
        knr = f"{int(municipality):04d}" if municipality.isdigit() else municipality
        if knr not in set(tidy["kommunenummer"]):
            fail(f"error: {file.name}: municipality {knr} not found")
    if year is not None:
        tidy = tidy[tidy["year"] == year]
        if tidy.empty:
            fail(f"error: {file.name}: no figures for {year}")
    if _print_bands(by_band(tidy, knr), lang):
        typer.echo(
            f"note: '..' = incomplete: {file.name} has no figure for some ages in that band",
            err=True,
        )


def _print_bands(table: pd.DataFrame, lang: str) -> bool:
    """Print each municipality-year's age bands; True when a band lacks a figure ('..')."""
    names = {band: label(f"age_band.{band}", lang) for band in AGE_BANDS}
    names["total"] = label("age_band.total", lang)
    incomplete = False
    for _, row in table.iterrows():
        typer.echo(f"{row['kommunenummer']} {row['kommunenavn']} ({row['year']})")
        for band, text in names.items():
            missing = pd.isna(row[band])
            incomplete |= missing
            typer.echo(f"  {text:<18}{'..' if missing else int(row[band]):>8}")
    return incomplete


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
        fail(f"error: {exc.args[0] if exc.args else exc}")
    for path in written:
        typer.echo(f"wrote {path}")


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
    results = [_validate_one(path, k) for path, k in _validation_jobs(paths, kind)]
    if not all(results):
        raise typer.Exit(1)


def _validation_jobs(paths: list[Path], kind: str | None) -> list[tuple[Path, str]]:
    """Each file with its contract: a demo folder's from its manifest, a file's from ``kind``."""
    jobs: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            manifest = path / "manifest.json"
            if not manifest.exists():
                fail(f"error: {path} is a folder without manifest.json; name files and --kind")
            files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
            jobs += [(path / name, k) for name, k in files.items() if k]
        elif kind is None:
            fail("error: --kind is required for a file (" + ", ".join(KINDS) + ")")
        elif kind not in KINDS:
            fail(f"error: unknown kind '{kind}'; use one of " + ", ".join(KINDS))
        else:
            jobs.append((path, kind))
    return jobs


def _validate_one(path: Path, kind: str) -> bool:
    """Read one file against its contract and print OK with its counts, or its problems."""
    try:
        frame = read(path, kind)
    except (ContractError, IdentifierError) as exc:
        typer.echo(f"ERROR {path} ({kind}): {plural(problem_count(exc), 'problem')}", err=True)
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


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files, or folders from `bti demo-data`.")],
    kind: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(KINDS)} (inferred for demo files).")
    ] = None,
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="For files without the column.")
    ] = None,
    go_live: Annotated[
        str | None, typer.Option(help="The municipality's go-live date (yyyy-mm-dd).")
    ] = None,
) -> None:
    """Validate files and import each in one transaction; refuse files already imported."""
    from bti_workbench.errors import StoreError
    from bti_workbench.ingest.store import ImportRecord, import_files

    if kind is not None and kind not in KINDS:
        fail(f"error: unknown kind '{kind}'; use one of {', '.join(KINDS)}")
    if go_live is not None:
        try:
            pd.Timestamp(go_live)
        except ValueError:
            fail("error: --go-live must be a date yyyy-mm-dd")
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
        fail(f"this file was not imported{kept}")

    if municipality is not None:
        municipality = municipality.strip().zfill(4)
        if not (municipality.isdigit() and len(municipality) == 4):
            fail("error: --municipality must be a four-digit kommunenummer")
    try:
        import_files(store, paths, kind, municipality, go_live, on_imported=report)
    except (ContractError, IdentifierError) as exc:
        stopped(f"{plural(problem_count(exc), 'problem')}:\n{exc}")
    except StoreError as exc:
        stopped(str(exc))
    typer.echo(f"{plural(len(done), 'file')} imported into {store}")


def store_status(
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
) -> None:
    """List what the store holds: kinds, rows, municipalities, dates and the import log."""
    from bti_workbench.errors import StoreError
    from bti_workbench.ingest.store import store_status as read_status

    try:
        status = read_status(store)
    except StoreError as exc:
        fail(f"error: {exc}")
    typer.echo(f"{store}")
    typer.echo(f"  {'kind':<22}{'rows':>9}{'files':>7}  {'municipalities':<16}period")
    for kind, row in status.tables.iterrows():
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
