"""Data contracts: the generated documentation and the header spellings."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from bti_workbench.ingest.contracts import (
    KINDS,
    column_specs,
    contract_markdown,
    header_mapping,
    optional_columns,
    schema,
)
from bti_workbench.ingest.readers import read

REPO = Path(__file__).resolve().parents[2]


def test_docs_are_generated_from_the_contracts():
    docs = (REPO / "docs" / "data-contracts.md").read_text(encoding="utf-8")
    assert docs == contract_markdown(), "run: make docs"
    for kind in KINDS:
        for name, spec in column_specs(kind).items():
            assert f"| `{name}` | `{spec['nb']}` |" in docs
            assert spec["desc_en"] in docs and spec["desc_nb"] in docs


def test_header_mapping_accepts_spellings():
    mapping = header_mapping("event-log")
    for spelling in ("nivå", "nivaa", "niva", "level", "Nivå "):
        from bti_workbench.ingest.contracts import normalise_header

        assert mapping[normalise_header(spelling)] == "level"
    assert set(schema("staff-survey").columns) >= {"respondent_id", "know_what_to_do"}


def test_columns_added_later_may_be_left_out():
    assert optional_columns("event-log") == ("evaluate_by",)
    for kind in KINDS:
        for name in optional_columns(kind):
            spec = column_specs(kind)[name]
            assert spec.get("required") is False  # its cells may be empty too
            column = schema(kind).columns[name]
            assert not column.required and column.nullable
    # Columns that are optional only in their cells must still be there.
    assert schema("report-form-2").columns["usefulness"].required
    docs = contract_markdown()
    assert "| `evaluate_by` | `evalueres_innen` | no, may be left out / nei, kan utelates" in docs
    assert "| `usefulness` | `nytte` | no / nei |" in docs
    assert "`log_read`" in docs


def test_an_event_log_without_the_new_columns_passes_the_schema(demo_dir):
    log = read(demo_dir / "event_log.csv", "event-log")
    old = log.drop(columns="evaluate_by")
    schema("event-log").validate(old)  # raises when a column is missing
    assert (old["event"] == "log_read").any()  # the demo shows the new event


def test_an_older_event_log_without_the_new_columns_reads_as_before(demo_dir, tmp_path):
    """An export from before ``evaluate_by`` and ``log_read`` existed reads as it did."""
    lines = (demo_dir / "event_log.csv").read_text(encoding="utf-8").splitlines()
    body = list(csv.reader([line for line in lines if not line.startswith("#")]))
    keep = [i for i, name in enumerate(body[0]) if name != "evaluate_by"]
    rows = [[r[i] for i in keep] for r in body if r[body[0].index("event")] != "log_read"]
    path = tmp_path / "older.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    got = read(path, "event-log")
    expected = read(demo_dir / "event_log.csv", "event-log")
    expected = expected[expected["event"] != "log_read"].drop(columns="evaluate_by")
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True))
    assert list(got.columns) == [c for c in column_specs("event-log") if c != "evaluate_by"]
