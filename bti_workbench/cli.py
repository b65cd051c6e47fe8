"""The ``bti`` command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from bti_workbench.contracts import KINDS
from bti_workbench.io import ContractError, read
from bti_workbench.labels import label
from bti_workbench.population import AGE_BANDS, PopulationFileError, by_band, read_ssb_07459
from bti_workbench.privacy import IdentifierError, suppress_small

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
) -> None:
    """Write synthetic demo data for every contract, consistent with each other."""
    from bti_workbench.demo import write_demo

    try:
        written = write_demo(out, municipality, seed, population_file)
    except (KeyError, PopulationFileError, ValueError) as exc:
        _fail(f"error: {exc.args[0] if exc.args else exc}")
    for path in written:
        typer.echo(f"wrote {path}")


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


if __name__ == "__main__":  # pragma: no cover
    app()
