"""Sweep plans from bad input: grid values nested deep or tagged, a municipality file saved
as UTF-16, a list too long to be a file name. Each is a :class:`SweepError`."""

from __future__ import annotations

import pytest

from bti_workbench.errors import SweepError
from bti_workbench.simulation.sweep.plan import parse_grid, parse_municipalities


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("[" * 10_000, "nested more than"),
        ("!!python/object/apply:os.system [ls]", "YAML tag"),
        ("!!set {1}", "YAML tag"),
    ],
)
def test_a_bad_grid_value_names_the_setting(value, words):
    with pytest.raises(SweepError) as caught:
        parse_grid([f"resources.max_logs={value}"])
    assert str(caught.value).startswith("--grid resources.max_logs: line 1")
    assert words in str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize(
    "text", ["5413\n# Ibestad\n4228\n", "kommunenummer,navn\n5413,Ibestad\n4228,Sirdal\n"]
)
def test_a_municipality_file_is_read_in_the_encodings_users_save(tmp_path, encoding, text):
    path = tmp_path / "kommuner.csv"
    path.write_bytes(text.encode(encoding))
    assert [m.kommunenummer for m in parse_municipalities(str(path))] == ["5413", "4228"]


def test_a_municipality_file_that_is_not_text_is_named(tmp_path):
    path = tmp_path / "kommuner.csv"
    path.write_bytes(b"\x81\x8d\x8f\x90\x9d")
    with pytest.raises(SweepError, match=r"^--municipalities: kommuner\.csv: not text"):
        parse_municipalities(str(path))


def test_a_list_too_long_for_a_file_name_is_read_as_a_list():
    with pytest.raises(SweepError, match="given twice"):
        parse_municipalities(",".join(["4228"] * 3000))
