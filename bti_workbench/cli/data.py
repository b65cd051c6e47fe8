"""Commands for data: population figures, validation, demo data and the store.

``bti population``, ``bti validate``, ``bti demo-data``, ``bti demo-store``, ``bti import`` and
``bti store status|history|remove``. The docstrings of the commands are their ``--help`` text.

Every line they print comes from the label catalogue (keys ``cli.data.*``, errors ``err.*``) in
the language of ``--lang``, with numbers written as that language writes them, and is wrapped
to 100 columns. A library error is shown with :func:`bti_workbench.errors.explain`, so it reads
in the same language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import pandas as pd
import typer

from bti_workbench._util.numbers import format_number
from bti_workbench.cli._common import (
    DEFAULT_STORE,
    STORE_HELP,
    Lang,
    error_text,
    fail,
    fail_with,
    problem_count,
    wrap,
)
from bti_workbench.errors import (
    ContractError,
    IdentifierError,
    PopulationFileError,
    StoreError,
    explain,
)
from bti_workbench.ingest.contracts import KINDS, contract_key
from bti_workbench.ingest.readers import read
from bti_workbench.privacy import suppress_small
from bti_workbench.reference.labels import label
from bti_workbench.reference.municipality import as_kommunenummer
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


def _say(text: str, *, err: bool = False) -> None:
    """Print ``text`` wrapped to 100 columns (on stderr with ``err``)."""
    typer.echo(wrap(text), err=err)


def _count(count: int, noun: str, lang: str) -> str:
    """``3 rader`` / ``1 row``: the count in the language's digits and the noun in number."""
    form = "one" if count == 1 else "many"
    return label(f"cli.data.n.{noun}.{form}", lang, count=format_number(count, lang))


def _kind_name(kind: str, lang: str) -> str:
    """A contract's short name (``Hendelseslogg``), or the text as given for an unknown kind."""
    try:
        title = label(f"contract.{contract_key(kind)}", lang)
    except KeyError:
        return kind
    return title.split(" (")[0]


def _kinds() -> str:
    return ", ".join(KINDS)


def _municipality(value: str | None, lang: str) -> str | None:
    """``--municipality`` as a four-digit kommunenummer; anything else ends the command
    without repeating the value (it may be an identity number)."""
    if value is None:
        return None
    code = as_kommunenummer(value)
    if code is None:
        fail(label("err.manifest.kommunenummer", lang, where="--municipality"), lang)
    return code


def _problems(exc: Exception, lang: str) -> str:
    """An error's problems in ``lang``, each on its own line, indented under the error."""
    return "\n".join(f"  {line}" for line in explain(exc, lang).splitlines())


def population(
    file: Annotated[Path, typer.Argument(help="SSB table 07459: CSV download or JSON-stat2.")],
    municipality: Annotated[
        str | None, typer.Option("--municipality", "-m", help="Kommunenummer, e.g. 4228.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year (default: all in the file).")] = None,
    lang: Lang = "nb",
) -> None:
    """Print children and young people aged 0–23 by BTI age band."""
    knr = _municipality(municipality, lang)
    try:
        tidy = read_ssb_07459(file)
    except (PopulationFileError, OSError) as exc:
        fail_with(exc, lang)  # the SSB reader's message, from the catalogue
    if knr is not None and knr not in set(tidy["kommunenummer"]):
        fail(label("cli.data.population.no_municipality", lang, file=file.name, knr=knr), lang)
    if year is not None:
        tidy = tidy[tidy["year"] == year]
        if tidy.empty:
            fail(label("cli.data.population.no_year", lang, file=file.name, year=year), lang)
    if _print_bands(by_band(tidy, knr), lang):
        _say(label("cli.data.population.incomplete", lang, file=file.name), err=True)


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
            shown = ".." if missing else format_number(int(row[band]), lang)
            typer.echo(f"  {text:<18}{shown:>8}")
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
    lang: Lang = "nb",
) -> None:
    """Write synthetic demo data for every contract, consistent with each other."""
    from bti_workbench.cli._common import output_folder
    from bti_workbench.synthetic.demo import DEMO_FILES, write_demo

    municipality = _municipality(municipality, lang)
    output_folder(out, "--out", files=(*DEMO_FILES, "manifest.json"), lang=lang)
    try:
        written = write_demo(out, municipality, seed, population_file, go_live=go_live)
    except (KeyError, PopulationFileError, ValueError) as exc:
        fail(explain(exc, lang) if isinstance(exc, ValueError) else str(exc.args[0]), lang)
    except OSError:  # e.g. a full disk while the files are staged
        fail(label("cli.data.cannot_write", lang, flag="--out", name=out.name), lang)
    for path in written:
        _say(label("cli.wrote", lang, path=path))


def demo_store(
    out: Annotated[Path, typer.Option(help="The demo store to (re)write.")] = Path(
        "data/store/demo.duckdb"
    ),
    lang: Lang = "nb",
) -> None:
    """Write a store of synthetic data for three municipalities with staggered go-live dates."""
    from bti_workbench.synthetic.demo import DEMO_STORE, write_demo_store

    try:
        write_demo_store(out)
    except StoreError as exc:
        fail(explain(exc, lang), lang)
    places = ", ".join(
        label("cli.data.demo_store.place", lang, municipality=m, date=d) for m, _, d in DEMO_STORE
    )
    _say(label("cli.data.demo_store.wrote", lang, path=out, places=places))


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
    loaded = _load_profile(profile, lang)
    if loaded is not None and kind is None:
        kind = loaded.kind
    if suggest_profile:
        _suggest(paths, kind, loaded, out, lang)
        return
    jobs = _validation_jobs(paths, kind, lang)
    results = [_validate_one(path, k, loaded, lang) for path, k in jobs]
    if not all(results):
        raise typer.Exit(1)


def _load_profile(profile: str | None, lang: str):
    """The ``--profile`` option read and checked, or None; a bad profile ends the command."""
    if profile is None:
        return None
    from bti_workbench.ingest.profiles import load_profile

    try:
        return load_profile(profile)
    except ContractError as exc:
        count = _count(problem_count(exc), "problems", lang)
        fail(
            label("cli.data.profile_problems", lang, count=count) + "\n" + _problems(exc, lang),
            lang,
        )


def _suggest(paths: list[Path], kind: str | None, loaded, out: Path | None, lang: str) -> None:
    """``--suggest-profile``: one export in, a starting profile out (to --out or the screen)."""
    from bti_workbench._util.atomic import write_atomically
    from bti_workbench.cli._common import output_file
    from bti_workbench.ingest.profiles import suggest_profile

    if len(paths) != 1 or paths[0].is_dir():
        fail(label("cli.data.suggest.one_file", lang), lang)
    if kind is None or kind not in KINDS:
        fail(label("cli.data.suggest.kind", lang, kinds=_kinds()), lang)
    if out is not None:
        output_file(out, "--out", lang=lang)
    try:
        text = suggest_profile(paths[0], kind, lang=lang, profile=loaded)
    except (ContractError, IdentifierError) as exc:
        fail(explain(exc, lang), lang)
    if out is None:
        typer.echo(text, nl=False)
        return
    write_atomically(out, lambda name: Path(name).write_text(text, encoding="utf-8"))
    _say(label("cli.data.suggest.wrote", lang, path=out))


def _validation_jobs(paths: list[Path], kind: str | None, lang: str) -> list[tuple[Path, str]]:
    """Each file with its contract: a demo folder's from its manifest, a file's from ``kind``."""
    from bti_workbench.ingest.manifest import read_manifest

    jobs: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            try:
                jobs += read_manifest(path).files
            except StoreError as exc:
                fail(explain(exc, lang), lang)
        elif kind is None:
            fail(label("cli.data.kind_required", lang, kinds=_kinds()), lang)
        elif kind not in KINDS:
            fail(label("err.store.unknown_kind", lang, kind=kind, kinds=_kinds()), lang)
        else:
            jobs.append((path, kind))
    return jobs


def _validate_one(path: Path, kind: str, profile, lang: str) -> bool:
    """Read one file against its contract and print OK with its counts, or its problems."""
    name = _kind_name(kind, lang)
    try:
        frame = read(path, kind, profile=profile)
    except (ContractError, IdentifierError) as exc:
        count = _count(problem_count(exc), "problems", lang)
        head = label("cli.data.invalid", lang, path=path, kind=name, count=count)
        typer.echo(error_text(head, lang), err=True)
        _say(_problems(exc, lang), err=True)
        return False
    counts = [_count(len(frame), "rows", lang)]
    if "case_id" in frame.columns:
        # A count of children, so it passes the small-cell rule like every other figure.
        cases = pd.Series([frame["case_id"].nunique()], name="cases")
        shown = suppress_small(cases, margins=False).formatted(lang).iloc[0, 0]
        counts.append(label("cli.data.cases", lang, count=shown))
    shown = ", ".join(counts)
    if frame.attrs.get("synthetic"):
        shown += " " + label("cli.data.synthetic", lang)
    _say(label("cli.data.ok", lang, path=path, kind=name, counts=shown))
    _warn(frame.attrs.get("warnings", ()), lang)
    return True


def _warn(warnings, lang: str) -> None:
    """Print the reader's free-text warnings on stderr (at most 200; they never show values)."""
    from bti_workbench.errors import MAX_LISTED

    for warning in list(warnings)[:MAX_LISTED]:
        shown = warning.text(lang) if hasattr(warning, "text") else str(warning)
        _say(label("cli.data.warning", lang, text=shown), err=True)
    if len(warnings) > MAX_LISTED:
        more = format_number(len(warnings) - MAX_LISTED, lang)
        _say(label("cli.data.more_warnings", lang, count=more), err=True)


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
    lang: Lang = "nb",
) -> None:
    """Validate files and import each in one transaction.

    A file whose content the store already holds is skipped and named with the import that
    holds it; the exit status is 0 when nothing failed (skipped files are not failures).
    """
    from bti_workbench.ingest.store import import_files

    if kind is not None and kind not in KINDS:
        fail(label("err.store.unknown_kind", lang, kind=kind, kinds=_kinds()), lang)
    if prune and not update:
        fail(label("err.store.prune_without_update", lang), lang)
    municipality = _municipality(municipality, lang)
    loaded = _load_profile(profile, lang)
    if loaded is not None and kind is None:
        kind = loaded.kind
    told = _ImportReport(store, lang)
    try:
        import_files(
            store,
            paths,
            kind,
            municipality,
            go_live,
            on_imported=told.imported,
            on_skipped=told.skipped,
            skip_imported=True,
            update=update,
            prune=prune,
            profile=loaded,
        )
    except (ContractError, IdentifierError, StoreError) as exc:
        told.stopped(exc)
    told.finished()


class _ImportReport:
    """What ``bti import`` prints as it goes: each file imported or skipped, then the counts."""

    def __init__(self, store: Path, lang: str) -> None:
        self.store, self.lang = store, lang
        self.done: list = []  # ImportRecord
        self.skips: list = []  # SkippedFile

    def imported(self, record) -> None:
        """One file written: its rows, a go-live it set, its free-text warnings."""
        lang = self.lang
        self.done.append(record)
        _say(_import_line(record, lang))
        if record.go_live is not None:
            before, after = record.go_live
            was = "" if before is None else f"{before:%Y-%m-%d}"
            was = label("cli.data.go_live_was", lang, date=was) if was else ""
            date = f"{after:%Y-%m-%d}"
            _say(
                label(
                    "cli.data.go_live_set",
                    lang,
                    municipality=record.municipality,
                    date=date,
                    was=was,
                )
            )
        _warn(record.warnings, lang)

    def skipped(self, file) -> None:
        """One file skipped: named, with the earlier import that holds the same content."""
        self.skips.append(file)
        key = "cli.data.skipped" if file.imported_as == file.file_name else "cli.data.skipped_as"
        when = f"{file.imported_at:%Y-%m-%d %H:%M}"
        _say(
            label(
                key,
                self.lang,
                file=file.file_name,
                date=when,
                id=file.import_id,
                name=file.imported_as,
            )
        )

    def summary(self, failed: int) -> str:
        """``2 importert, 1 hoppet over, 0 feilet – lager …``."""
        counts = {
            "imported": len(self.done),
            "skipped": len(self.skips),
            "failed": failed,
        }
        return label(
            "cli.data.summary",
            self.lang,
            store=self.store,
            **{k: format_number(v, self.lang) for k, v in counts.items()},
        )

    def stopped(self, exc: Exception) -> NoReturn:
        """A file failed: why, that nothing of it was written, the counts; exit status 1."""
        lang = self.lang
        if isinstance(exc, ContractError | IdentifierError):
            count = _count(problem_count(exc), "problems", lang)
            text = label("cli.data.import_invalid", lang, count=count) + "\n" + _problems(exc, lang)
        else:
            text = explain(exc, lang)
        typer.echo(error_text(text, lang), err=True)
        _say(label("cli.data.nothing_written", lang), err=True)
        _say(self.summary(1), err=True)
        raise typer.Exit(1)

    def finished(self) -> None:
        """The counts; with skipped files, that skipping is not failing (exit status 0)."""
        _say(self.summary(0))
        if self.skips:
            _say(label("cli.data.skipped_not_failed", self.lang))


def _import_line(record, lang: str) -> str:
    """One imported file as the user reads it: its rows, and for an update what changed."""
    kind = _kind_name(record.kind, lang)
    if record.action != "update":
        return label(
            "cli.data.imported",
            lang,
            file=record.file_name,
            kind=kind,
            rows=_count(record.rows, "rows", lang),
            municipality=record.municipality or "–",
            id=record.import_id,
            sha=record.sha256[:12],
        )
    supersedes = (
        label("cli.data.supersedes", lang, ids=", ".join(map(str, record.superseded)))
        if record.superseded
        else ""
    )
    kept = label("cli.data.pruned" if record.pruned else "cli.data.kept", lang)
    head = label(
        "cli.data.updated",
        lang,
        file=record.file_name,
        kind=kind,
        municipality=record.municipality or "–",
        id=record.import_id,
        supersedes=supersedes,
    )
    counts = label(
        "cli.data.update_counts",
        lang,
        added=format_number(record.added, lang),
        updated=format_number(record.updated, lang),
        unchanged=format_number(record.unchanged, lang),
        gone=format_number(record.disappeared, lang),
        kept=kept,
    )
    return f"{head}\n  {counts}"


def store_status(
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
    lang: Lang = "nb",
) -> None:
    """List what the store holds: kinds, rows, municipalities, dates and the import log."""
    from bti_workbench.ingest.store import store_status as read_status

    try:
        status = read_status(store)
    except StoreError as exc:
        fail(explain(exc, lang), lang)
    names = {kind: _kind_name(kind, lang) for kind in status.tables.index}
    width = max([len(n) for n in names.values()] + [len(label("cli.data.col.kind", lang))]) + 2
    col = {
        c: label(f"cli.data.col.{c}", lang)
        for c in ("kind", "rows", "files", "period", "municipalities")
    }
    _say(f"{store}")
    _say(
        f"  {col['kind']:<{width}}{col['rows']:>9}{col['files']:>7}  {col['period']:<23}  "
        f"{col['municipalities']}"
    )
    for kind, row in status.tables.iterrows():
        period = f"{row['first']:%Y-%m-%d}–{row['last']:%Y-%m-%d}" if pd.notna(row["first"]) else ""
        mixed = " *" if row["mixed"] else ""
        rows = format_number(int(row["rows"]), lang)
        files = format_number(int(row["files"]), lang)
        _say(
            f"  {names[kind]:<{width}}{rows:>9}{files:>7}  {period:<23}  "
            f"{row['municipalities']}{mixed}"
        )
    if status.tables["mixed"].any():
        _say(label("cli.data.status.mixed", lang))
    if len(status.go_live):
        dates = ", ".join(f"{m} {d:%Y-%m-%d}" for m, d in status.go_live.items())
        _say(label("cli.data.status.go_live", lang, dates=dates))
    current = status.imports[status.imports["removed_at"].isna()]
    _say(
        label(
            "cli.data.status.log",
            lang,
            imports=_count(len(status.imports), "imports", lang),
            current=format_number(len(current), lang),
        )
    )


def store_history(
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
    lang: Lang = "nb",
) -> None:
    """List every import in order: what it added or changed, what superseded or removed it."""
    from bti_workbench.ingest.store import store_history as read_history

    try:
        history = read_history(store)
    except StoreError as exc:
        fail(explain(exc, lang), lang)
    col = {
        c: label(f"cli.data.col.{c}", lang)
        for c in ("id", "imported", "kind", "municipality", "rows", "held")
    }
    _say(f"{store}")
    _say(
        f"  {col['id']:>3}  {col['imported']:<16}  {col['kind']:<21}{col['municipality']:<10}"
        f"{col['rows']:>8}{col['held']:>14}"
    )
    for row in history.itertuples(index=False):
        _say(
            f"  {row.import_id:>3}  {row.imported_at:%Y-%m-%d %H:%M}  "
            f"{_kind_name(row.kind, lang):<21}{row.municipality or '–':<10}"
            f"{format_number(row.rows, lang):>8}{format_number(row.held, lang):>14}"
        )
        _say(f"  {'':>3}  {row.file_name}: {_history_text(row, lang)}")


def _history_text(row, lang: str) -> str:
    """What an import did and what became of it, in a few words."""
    parts = []
    if row.action == "update":
        parts.append(
            label(
                "cli.data.history.update",
                lang,
                added=format_number(row.added, lang),
                updated=format_number(row.updated, lang),
                unchanged=format_number(row.unchanged, lang),
                gone=format_number(row.disappeared, lang),
                pruned=label("cli.data.history.pruned", lang) if row.pruned else "",
            )
        )
    else:
        parts.append(label("cli.data.history.import", lang))
    if row.synthetic:
        parts.append(label("cli.data.history.synthetic", lang))
    if pd.notna(row.superseded_by):
        parts.append(label("cli.data.history.superseded", lang, id=int(row.superseded_by)))
    if pd.notna(row.removed_at):
        parts.append(
            label(
                "cli.data.history.removed",
                lang,
                when=f"{row.removed_at:%Y-%m-%d %H:%M}",
                rows=_count(int(row.removed_rows), "rows", lang),
            )
        )
    return "; ".join(parts)


def store_remove(
    import_id: Annotated[
        int, typer.Argument(help="The import's id, as `bti store history` lists it.")
    ],
    store: Annotated[Path, typer.Option(help=STORE_HELP)] = DEFAULT_STORE,
    lang: Lang = "nb",
) -> None:
    """Remove an import's rows from the store, atomically; the history keeps the removal."""
    from bti_workbench.ingest.store import remove_import

    try:
        removed = remove_import(store, import_id)
    except StoreError as exc:
        fail(explain(exc, lang), lang)
    _say(
        label(
            "cli.data.removed",
            lang,
            id=removed.import_id,
            kind=_kind_name(removed.kind, lang),
            file=removed.file_name,
            rows=_count(removed.rows, "rows", lang),
        )
    )
    if removed.superseded:
        earlier = ", ".join(map(str, removed.superseded))
        _say(label("cli.data.removed_superseded", lang, ids=earlier))
