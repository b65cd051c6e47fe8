"""proportion_table's ``hide``: counts forced hidden whatever their size, with what they imply."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.evaluation.proportions import proportion_table

COUNTS = pd.DataFrame(
    {"numerator": [30, 12, 3], "denominator": [40, 50, 40]}, index=["a", "b", "c"]
)


def test_proportion_forced_numerator_hides_as_cross_with_its_share():
    hide = pd.DataFrame({"numerator": [True]}, index=["a"])
    table = proportion_table(COUNTS, hide=hide)
    shown = table.formatted("en")
    assert shown.loc["a", "numerator"] == "×"  # 30 is not small: the protecting mark
    assert bool(table.hidden.loc["a", "numerator"])
    # The share and its interval would give 30 back from the denominator: hidden too.
    assert (shown.loc["a", "share"], shown.loc["a", "ci"]) == ("", "")
    assert table.values.loc["a", ["numerator", "share", "ci_low", "ci_high"]].isna().all()
    if not table.hidden.loc["a", "denominator"]:
        # 40 shown: then 40 − 30 is hidden inside, else the numerator would follow.
        assert shown.loc["a", "denominator"] == "40"
    assert table.raw.loc["a", "numerator"] == 30  # the counts are kept for computation


def test_proportion_forced_denominator_takes_a_partner():
    table = proportion_table(COUNTS, hide=pd.DataFrame({"denominator": [True]}, index=["b"]))
    shown = table.formatted("nb")
    assert shown.loc["b", "denominator"] == "×"
    assert shown.loc["b", "share"] == ""
    # A lone hidden total would follow from its two cells: one of them hides with it; the
    # numerator (12) is the cheaper, so it is the one.
    assert shown.loc["b", "numerator"] == "×"


def test_proportion_rows_and_columns_left_out_of_the_mask_are_as_without_one():
    plain = proportion_table(COUNTS)
    masked = proportion_table(COUNTS, hide=pd.DataFrame({"numerator": [True]}, index=["a"]))
    for name in ("b", "c"):
        assert masked.formatted("en").loc[name].equals(plain.formatted("en").loc[name])
        assert masked.values.loc[name].equals(plain.values.loc[name])
    nothing = pd.DataFrame(False, index=COUNTS.index, columns=["numerator", "denominator"])
    unmasked = proportion_table(COUNTS, hide=nothing)
    assert unmasked.formatted("en").equals(plain.formatted("en"))
    assert unmasked.values.equals(plain.values) and unmasked.marks.equals(plain.marks)
    assert plain.formatted("en").loc["c", "numerator"] == "<5"  # small stays small
    both = proportion_table(COUNTS, hide=pd.DataFrame({"numerator": [True]}, index=["c"]))
    assert both.formatted("en").loc["c", "numerator"] == "<5"


def test_proportion_mask_is_checked():
    with pytest.raises(ValueError, match="does not have"):
        proportion_table(COUNTS, hide=pd.DataFrame({"share": [True]}, index=["a"]))
    with pytest.raises(ValueError, match="does not have"):
        proportion_table(COUNTS, hide=pd.DataFrame({"numerator": [True]}, index=["z"]))
    with pytest.raises(ValueError, match="booleans"):
        proportion_table(COUNTS, hide=pd.DataFrame({"numerator": [np.nan]}, index=["a"]))
