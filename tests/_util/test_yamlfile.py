"""The one safe YAML loader: encodings, depth, tags and aliases end in a message naming the
file, never in a traceback, and the message never repeats the file's text."""

from __future__ import annotations

import pytest

from bti_workbench._util.yamlfile import MAX_DEPTH, MAX_NODES, load_yaml
from bti_workbench.errors import YamlFileError

#: Stands in for an identity number someone typed into a file; no message may show it.
SECRET = "12345678901"
DOC = f"navn: Bodø\nnote: '{SECRET}'\nlevels: {{1: {{mean_weeks: 16}}}}\n"
EXPECTED = {"navn": "Bodø", "note": SECRET, "levels": {1: {"mean_weeks": 16}}}


def _refused(data, *words: str) -> str:
    with pytest.raises(YamlFileError) as caught:
        load_yaml(data, source="plan.yaml")
    message = str(caught.value)
    assert message.startswith("plan.yaml: ")
    assert SECRET not in message
    for word in words:
        assert word in message
    return message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_utf8_with_or_without_bom_utf16_with_bom_and_windows_1252_are_read(tmp_path, encoding):
    path = tmp_path / "plan.yaml"
    path.write_bytes(DOC.encode(encoding))
    assert load_yaml(path) == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_without_bom_and_utf32_are_refused_with_advice(encoding):
    _refused(DOC.encode(encoding), "NUL", "save it as UTF-8")


def test_a_bom_the_bytes_do_not_follow_is_refused():
    _refused(b"\xef\xbb\xbfa: \xc3", "byte-order mark")


@pytest.mark.parametrize(
    "text",
    ["[" * 10_000, "{a: " * 10_000, "".join(f"{'  ' * i}k{i}:\n" for i in range(5_000))],
    ids=["flow sequences", "flow mappings", "block mappings"],
)
def test_deep_nesting_is_refused_before_python_recursion_runs_out(text):
    _refused(text, "line ", f"nested more than {MAX_DEPTH} levels deep")


def test_nesting_up_to_the_limit_is_read():
    assert load_yaml("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None


@pytest.mark.parametrize(
    "text",
    [
        f"!!python/object/apply:os.system ['echo {SECRET}']",
        f"a: !!python/name:os.system {SECRET}",
        "warm_start: !!set {0, 1}",
        "a: !!binary aGVsbG8=",
        f"a: !custom {SECRET}",
    ],
)
def test_tags_beyond_the_plain_ones_are_refused_and_nothing_runs(text, capfd):
    _refused(text, "line 1", "YAML tag")
    assert SECRET not in capfd.readouterr().out  # os.system never ran


def test_plain_tags_are_read():
    assert load_yaml("a: !!str 0042\nb: !!int '7'\nc: !!map {d: !!null ''}") == {
        "a": "0042",
        "b": 7,
        "c": {"d": None},
    }


def test_a_plain_tag_over_a_wrong_value_is_refused_without_the_value():
    _refused(f"a: !!int x{SECRET}", "does not fit its tag")


def test_aliases_that_expand_too_far_or_refer_to_themselves_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    _refused("\n".join(lines), f"more than {MAX_NODES:,}".replace(",", " "))
    _refused("a: &a [1, *a]", "refers to itself")
    assert load_yaml("base: &b {x: 1}\nc: {<<: *b, y: 2}")["c"] == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (f"a: b: {SECRET}", "line 1, column 5"),
        (f"a: [{SECRET}, ", "line 1"),
        (f"a: 1\nb:\n\t- {SECRET}", "line 3"),
        (f"a: *alias{SECRET}", "line 1"),
        (f"a: {SECRET}\n---\nb: 2", "line 2"),
        (f"a: \x07{SECRET}", "line 1"),
        (f"a: '{SECRET}", "line 1"),
    ],
)
def test_syntax_errors_name_the_line_and_never_the_text(text, where):
    message = _refused(text, where)
    assert 'in "<unicode string>"' not in message


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(YamlFileError, match=r"^missing\.yaml: cannot read the file"):
        load_yaml(tmp_path / "missing.yaml")
    with pytest.raises(YamlFileError, match=r"^folder\.yaml: cannot read the file"):
        (tmp_path / "folder.yaml").mkdir()
        load_yaml(tmp_path / "folder.yaml")


def test_text_is_never_taken_for_a_path(tmp_path):
    (tmp_path / "x.yaml").write_text("a: 1", encoding="utf-8")
    assert load_yaml(str(tmp_path / "x.yaml")) == str(tmp_path / "x.yaml")
