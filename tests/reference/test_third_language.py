"""A third language (nynorsk) is a new column in the catalogue: no code changes.

The shipped resources are copied, an ``nn`` column is added to ``labels.csv`` (half of it
filled, the rest left empty to fall back to bokmål) and to ``services.csv``, and the
workbench reads them as they are.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bti_workbench._util.resources as resources
from bti_workbench._util import numbers
from bti_workbench.reference import labels

SSB = Path(__file__).resolve().parents[2] / "data/raw/ssb/07459_population_by_age_2022.csv"
NYNORSK = {"level.0.name": "Nivå 0 – tidleg innsats", "age_band.total": "0–23 år i alt (nn)"}


def _add_column(path: Path, column: str, values: dict[str, str], key: str) -> None:
    """Add ``column`` to a CSV file: ``values`` by ``key``, empty elsewhere."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, [*rows[0].keys(), column], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, column: values.get(row[key], "")})


@pytest.fixture
def with_nynorsk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The shipped resources with an nn column, read instead of the shipped ones."""
    copy = tmp_path / "resources"
    shutil.copytree(resources.RESOURCES, copy)
    _add_column(copy / "labels.csv", "nn", NYNORSK, "key")
    _add_column(copy / "services.csv", "name_nn", {"ppt": "PP-tenesta"}, "id")
    monkeypatch.setattr(resources, "RESOURCES", copy)
    caches = (labels.languages, labels.catalogue, numbers._units)
    for cached in caches:
        cached.cache_clear()
    yield
    monkeypatch.undo()
    for cached in caches:
        cached.cache_clear()


def test_the_shipped_catalogue_has_bokmal_first_then_english():
    assert labels.languages() == ("nb", "en")


def test_a_new_column_is_a_new_language_with_bokmal_where_it_is_empty(with_nynorsk):
    assert labels.languages() == ("nb", "en", "nn")
    assert labels.label("level.0.name", "nn") == NYNORSK["level.0.name"]
    assert labels.label("service.ppt", "nn") == "PP-tenesta"
    assert labels.label("level.1.name", "nn") == labels.label("level.1.name", "nb")
    assert labels.label("suppression.primary", "nn", k=5) == "<5"


def test_numbers_in_the_new_language_are_written_as_in_bokmal(with_nynorsk):
    assert numbers.format_nok(8252439, "nn") == numbers.format_nok(8252439, "nb")
    assert numbers.format_weeks(2.6, "nn") == numbers.format_weeks(2.6, "nb")
    assert numbers.figure_separators("nn") == numbers.figure_separators("nb")


def test_the_command_line_takes_the_new_language(with_nynorsk):
    from bti_workbench.cli import app

    result = CliRunner().invoke(app, ["population", str(SSB), "-m", "4228", "--lang", "nn"])
    assert result.exit_code == 0, result.output
    assert "0–23 år i alt (nn)" in result.output


def test_an_unknown_language_is_refused_with_the_ones_there_are():
    from bti_workbench.cli import app

    result = CliRunner().invoke(app, ["population", str(SSB), "-m", "4228", "--lang", "nn"])
    assert result.exit_code == 1
    assert "nb, en" in result.output
