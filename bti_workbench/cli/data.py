"""Commands for data: population figures, validation, demo data and the store.

``bti population``, ``bti validate``, ``bti demo-data``, ``bti demo-store``, ``bti import`` and
``bti store status``. The docstrings of the commands are their ``--help`` text.
"""

from __future__ import annotations

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

__all__ = [
    "demo_data",
    "demo_store",
    "import_",
    "population",
    "store_history",
    "store_remove",
    "store_status",
    "validate",
]


def population(
    file: Annotated[Path, typer.Argument(help="SSB table 07459: CSV download or JSON-stat2.")],
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="Kommunenummer, e.g. 4228.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year (default: all in the file).")] = None,
    lang: Lang = "nb",
) -> None:
    """Print children and young people aged 0–23 by BTI age band."""
    from bti_workbench.cli._common import kommunenummer

    knr = kommunenummer(municipality)
    try:
        tidy = read_ssb_07459(file)
    except (PopulationFileError, OSError) as exc:
        fail(f"error: {exc}")
    if knr is not None and knr not in set(tidy["kommunenummer"]):
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
    from bti_workbench.cli._common import kommunenummer, output_folder
    from bti_workbench.synthetic.demo import DEMO_FILES, write_demo

    municipality = kommunenummer(municipality)
    output_folder(out, "--out", files=(*DEMO_FILES, "manifest.json"))
    try:
        written = write_demo(out, municipality, seed, population_file, go_live=go_live)
    except (KeyError, PopulationFileError, ValueError) as exc:
        fail(f"error: {exc.args[0] if exc.args else exc}")
    except OSError as exc:  # e.g. a full disk while the files are staged
        fail(f"error: --out {out.name}: cannot write ({exc.strerror})")
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


#: The ``--profile`` option of ``validate`` and ``import``.
Profile = Annotated[
    str | None,
    typer.Option(
        help="A mapping profile (YAML file, or a shipped profile's name) for a tool's own "
        "export; see docs/profiles.md."
    ),
]


def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Files, or a demo folder with manifest.json.")
    ],
    kind: Annotated[
        str | None,
        typer.Option(help="Contract: " + ", ".join(KINDS) + ". Not needed for a demo folder."),
    ] = None,
    profile: Profile = None,
    suggest_profile: Annotated[
        bool,
        typer.Option(
            "--suggest-profile",
            help="Write a starting mapping profile from the file's headers and codes instead "
            "of validating.",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Where --suggest-profile writes the profile (default: the screen)."),
    ] = None,
    lang: Lang = "nb",
) -> None:
    """Validate files against a data contract: OK with row counts, or every error (exit 1)."""
    loaded = _load_profile(profile)
    if loaded is not None and kind is None:
        kind = loaded.kind
    if suggest_profile:
        _suggest(paths, kind, loaded, out, lang)
        return
    results = [_validate_one(path, k, loaded) for path, k in _validation_jobs(paths, kind)]
    if not all(results):
        raise typer.Exit(1)


def _load_profile(profile: str | None):
    """The ``--profile`` option read and checked, or None; a bad profile ends the command."""
    if profile is None:
        return None
    from bti_workbench.ingest.profiles import load_profile

    try:
        return load_profile(profile)
    except ContractError as exc:
        fail(f"error: {plural(problem_count(exc), 'problem')} in the profile:\n{exc}")


def _suggest(paths: list[Path], kind: str | None, loaded, out: Path | None, lang: str) -> None:
    """``--suggest-profile``: one export in, a starting profile out (to --out or the screen)."""
    from bti_workbench._util.atomic import write_atomically
    from bti_workbench.cli._common import output_file
    from bti_workbench.ingest.profiles import suggest_profile

    if len(paths) != 1 or paths[0].is_dir():
        fail("error: --suggest-profile reads one file (an export), not a folder")
    if kind is None or kind not in KINDS:
        fail("error: --suggest-profile needs --kind (" + ", ".join(KINDS) + ")")
    if out is not None:
        output_file(out, "--out")
    try:
        text = suggest_profile(paths[0], kind, lang=lang, profile=loaded)
    except (ContractError, IdentifierError) as exc:
        fail(f"error: {exc}")
    if out is None:
        typer.echo(text, nl=False)
        return
    write_atomically(out, lambda name: Path(name).write_text(text, encoding="utf-8"))
    typer.echo(f"wrote {out}: fill in every null, then `bti validate FILE --profile {out}`")


def _validation_jobs(paths: list[Path], kind: str | None) -> list[tuple[Path, str]]:
    """Each file with its contract: a demo folder's from its manifest, a file's from ``kind``."""
    from bti_workbench.errors import StoreError
    from bti_workbench.ingest.manifest import read_manifest

    jobs: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            try:
                jobs += read_manifest(path).files
            except StoreError as exc:
                fail(f"error: {exc}")
        elif kind is None:
            fail("error: --kind is required for a file (" + ", ".join(KINDS) + ")")
        elif kind not in KINDS:
            fail(f"error: unknown kind '{kind}'; use one of " + ", ".join(KINDS))
        else:
            jobs.append((path, kind))
    return jobs


def _validate_one(path: Path, kind: str, profile=None) -> bool:
    """Read one file against its contract and print OK with its counts, or its problems."""
    try:
        frame = read(path, kind, profile=profile)
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
    _warn(frame.attrs.get("warnings", ()))
    return True


def _warn(warnings) -> None:
    """Print the reader's free-text warnings on stderr (at most 200; they never show values)."""
    from bti_workbench.errors import MAX_LISTED

    for warning in list(warnings)[:MAX_LISTED]:
        typer.echo(f"warning: {warning}", err=True)
    if len(warnings) > MAX_LISTED:
        typer.echo(f"warning: … and {len(warnings) - MAX_LISTED} more warnings", err=True)


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
    update: Annotated[
        bool,
        typer.Option(
            "--update",
            help="A later export of the same log: replaces the earlier one (rows kept once, "
            "changed rows updated, new rows added; rows no longer exported are kept).",
        ),
    ] = False,
    prune: Annotated[
        bool,
        typer.Option("--prune", help="With --update: remove the rows no longer exported."),
    ] = False,
    profile: Profile = None,
) -> None:
    """Validate files and import each in one transaction; refuse files already imported."""
    from bti_workbench.errors import StoreError
    from bti_workbench.ingest.store import ImportRecord, import_files

    if kind is not None and kind not in KINDS:
        fail(f"error: unknown kind '{kind}'; use one of {', '.join(KINDS)}")
    from bti_workbench.cli._common import kommunenummer

    if prune and not update:
        fail("error: --prune works only with --update")
    municipality = kommunenummer(municipality)
    loaded = _load_profile(profile)
    if loaded is not None and kind is None:
        kind = loaded.kind
    done: list[ImportRecord] = []

    def report(record: ImportRecord) -> None:
        done.append(record)
        typer.echo(_import_line(record))
        if record.go_live is not None:
            before, after = record.go_live
            changed = f" (was {before:%Y-%m-%d})" if before is not None else ""
            typer.echo(f"  go-live for {record.municipality}: {after:%Y-%m-%d}{changed}")
        _warn(record.warnings)

    def stopped(message: str) -> None:
        kept = f"; the {len(done)} file(s) before it were imported" if done else ""
        typer.echo(f"ERROR {message}", err=True)
        fail(f"nothing of this file was written{kept}")

    try:
        import_files(
            store,
            paths,
            kind,
            municipality,
            go_live,
            on_imported=report,
            on_skipped=lambda name: typer.echo(
                f"skipped {name}: the store holds it already (same content); nothing to change"
            ),
            update=update,
            prune=prune,
            profile=loaded,
        )
    except (ContractError, IdentifierError) as exc:
        stopped(f"{plural(problem_count(exc), 'problem')}:\n{exc}")
    except StoreError as exc:
        stopped(str(exc))
    typer.echo(f"{plural(len(done), 'file')} imported into {store}")


def _import_line(record) -> str:
    """One imported file as the user reads it: its rows, and for an update what changed."""
    where = f"municipality {record.municipality or '–'}, import {record.import_id}"
    if record.action != "update":
        return (
            f"imported {record.file_name} as {record.kind}: {record.rows} rows ({where}, "
            f"sha256 {record.sha256[:12]}…)"
        )
    if record.superseded:
        where += f"; supersedes import {', '.join(map(str, record.superseded))}"
    kept = "removed (--prune)" if record.pruned else "kept (--prune removes them)"
    return (
        f"updated {record.kind} from {record.file_name} ({where}):\n"
        f"  {record.added} added, {record.updated} changed, {record.unchanged} unchanged; "
        f"{record.disappeared} no longer in the export, {kept}"
    )


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
    typer.echo(f"  {'kind':<22}{'rows':>9}{'files':>7}  {'period':<25}  municipalities")
    for kind, row in status.tables.iterrows():
        period = (
            f"{row['first']:%Y-%m-%d} – {row['last']:%Y-%m-%d}" if pd.notna(row["first"]) else ""
        )
        mixed = " *" if row["mixed"] else ""
        typer.echo(
            f"  {kind:<22}{int(row['rows']):>9}{int(row['files']):>7}  {period:<25}  "
            f"{row['municipalities']}{mixed}"
        )
    if status.tables["mixed"].any():
        typer.echo("  * synthetic and real files mixed")
    if len(status.go_live):
        dates = ", ".join(f"{m} {d:%Y-%m-%d}" for m, d in status.go_live.items())
        typer.echo(f"  go-live: {dates}")
    current = status.imports[status.imports["removed_at"].isna()]
    typer.echo(
        f"import log: {plural(len(status.imports), 'import')}, "
        f"{len(current)} not removed; `bti store history` lists them"
    )


def store_history(
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
) -> None:
    """List every import in order: what it added or changed, what superseded or removed it."""
    from bti_workbench.errors import StoreError
    from bti_workbench.ingest.store import store_history as read_history

    try:
        history = read_history(store)
    except StoreError as exc:
        fail(f"error: {exc}")
    typer.echo(f"{store}")
    typer.echo(
        f"  {'id':>3}  {'imported':<16}  {'kind':<21}{'municipality':<14}"
        f"{'rows':>8}{'held now':>10}"
    )
    for row in history.itertuples(index=False):
        typer.echo(
            f"  {row.import_id:>3}  {row.imported_at:%Y-%m-%d %H:%M}  {row.kind:<21}"
            f"{row.municipality or '–':<14}{row.rows:>8}{row.held:>10}"
        )
        typer.echo(f"  {'':>3}  {row.file_name}: {_history_text(row)}")


def _history_text(row) -> str:
    """What an import did and what became of it, in a few words."""
    parts = []
    if row.action == "update":
        parts.append(
            f"update: {row.added} added, {row.updated} changed, {row.unchanged} unchanged, "
            f"{row.disappeared} gone{' (pruned)' if row.pruned else ''}"
        )
    else:
        parts.append("import")
    if row.synthetic:
        parts.append("synthetic")
    if pd.notna(row.superseded_by):
        parts.append(f"superseded by {int(row.superseded_by)}")
    if pd.notna(row.removed_at):
        parts.append(f"removed {row.removed_at:%Y-%m-%d %H:%M} ({int(row.removed_rows)} rows)")
    return "; ".join(parts)


def store_remove(
    import_id: Annotated[
        int, typer.Argument(help="The import's id, as `bti store history` lists it.")
    ],
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
) -> None:
    """Remove an import's rows from the store, atomically; the history keeps the removal."""
    from bti_workbench.errors import StoreError
    from bti_workbench.ingest.store import remove_import

    try:
        removed = remove_import(store, import_id)
    except StoreError as exc:
        fail(f"error: {exc}")
    typer.echo(
        f"removed import {removed.import_id} ({removed.kind}, {removed.file_name}): "
        f"{plural(removed.rows, 'row')} taken out;\n  the history keeps the removal"
    )
    if removed.superseded:
        earlier = ", ".join(map(str, removed.superseded))
        typer.echo(
            f"note: it had replaced import {earlier}, whose rows do not come back.\n"
            "  To return to an earlier export, import that file again with --update --prune"
        )
