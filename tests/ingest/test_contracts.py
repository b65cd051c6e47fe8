"""Data contracts: the generated documentation and the header spellings."""

from __future__ import annotations

from pathlib import Path

from bti_workbench.ingest.contracts import (
    KINDS,
    column_specs,
    contract_markdown,
    header_mapping,
    schema,
)

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
