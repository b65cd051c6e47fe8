"""A failing report cell's message, printed without anything that looks like an identifier."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from bti_workbench.privacy import has_fodselsnummer
from bti_workbench.reports import failure_message, render_report, safe_message
from bti_workbench.reports.messages import MAX_MESSAGE, REMOVED

FNR = "01010750160"  # valid check digits: a fødselsnummer as far as any check can tell
D_NUMBER = "41010700130"  # a valid D-number (day + 40)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        (f"no person {FNR} here", FNR),
        ("split 010107 50160 by a space", "010107 50160"),
        (f"a D-number {D_NUMBER}", D_NUMBER),
        ("leading zero dropped: 1010750160", "1010750160"),
        ("call +47 912 34 567 now", "912 34 567"),
        ("write to kari.nordmann@example.no", "kari.nordmann@example.no"),
        ("KeyError: 'C14e0a1' (actor Add9732)", "C14e0a1"),
        ("KeyError: 'C14e0a1' (actor Add9732)", "Add9732"),
    ],
)
def test_identifier_like_parts_are_removed(text, gone):
    shown = safe_message(text)
    assert gone not in shown and REMOVED in shown
    assert not has_fodselsnummer(shown)


def test_ordinary_words_numbers_and_dates_stay():
    text = "cannot cast float64 for 4228 on 2018-09-01: max() arg is an empty sequence"
    assert safe_message(text) == text


def test_a_message_is_one_line_and_cut_short():
    shown = safe_message("first line\n\n  second line\x1b[31m red\x1b[0m\n" + "x" * 2000)
    assert shown.startswith("first line; second line red; x")
    assert len(shown) == MAX_MESSAGE and shown.endswith("…")
    assert "\n" not in shown and "\x1b" not in shown


def test_a_real_failing_cell_gives_its_own_message(tmp_path):
    """papermill's error carries the cell's count, kind and message; the printed line keeps
    the message and drops the identifier in it."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell('lang = "en"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(f"raise ValueError('no month for case {FNR}: empty panel')"),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    path = tmp_path / "fails.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(pm.PapermillExecutionError) as caught:
        render_report(path, {"lang": "nb"}, tmp_path / "out.html")
    error = caught.value
    line = failure_message(error.exec_count, error.ename, error.evalue)
    # Cell 3: papermill runs its injected parameters after the cell tagged ``parameters``.
    expected = f"the report failed in cell 3 (ValueError): no month for case {REMOVED}: empty panel"
    assert line == expected
    assert not (tmp_path / "out.html").exists()
