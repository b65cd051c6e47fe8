"""The published table: suppression of the estimates resting on few cases."""

from __future__ import annotations

import numpy as np
import pytest

from bti_workbench.reference.municipality import load_municipality
from bti_workbench.simulation.calibration import calibration_table, estimate_parameters
from tests.simulation.calibration.helpers import HAND_PERIOD, HAND_POPULATION, _hand_log


def test_table_hides_estimates_resting_on_few_cases():
    cal = estimate_parameters(_hand_log(), HAND_POPULATION, period=HAND_PERIOD)
    table = calibration_table(cal, k=5, lang="en").set_index("parameter")
    # Counts of 1–4 (and the cells that would give them away) show no number, only a mark.
    hidden = table[~table["shown"]]
    assert hidden[["count", "estimate", "ci_low", "ci_high"]].isna().all().all()
    assert set(hidden["mark"]) == {"<5", "×"}
    for prefix in (
        "arrivals.per_1000_per_year",
        "levels.0.",
        "levels.1.",
        "child_welfare",
        "warm_start",
    ):
        assert not table.loc[table.index.str.startswith(prefix), "shown"].any(), prefix
    # What is shown rests on no case (levels 2–3: no exits, no share) or on at least 5.
    shown = table[table["shown"]]
    assert ((shown["count"] == 0) | (shown["count"] >= 5)).all()
    assert shown.loc[shown["count"] == 0, "estimate"].isna().all()
    assert table.loc["arrivals.per_week", ["count", "estimate"]].tolist() == [5, 5 / 6]
    # Population-based bases (person-years) are not case data and stay.
    assert table.loc["arrivals.per_1000_per_year.6-15.school", "basis"] == pytest.approx(
        2000 * 6 / 52
    )


def test_table_shows_what_rests_on_enough_cases(tromso_cal):
    table = calibration_table(tromso_cal, k=5, lang="nb").set_index("parameter")
    assert table["shown"].all()
    row = table.loc["levels.1.next.up"]
    assert row["estimate"] == pytest.approx(row["count"] / row["basis"])
    assert row["label"].startswith("Nivå 1")
    assert table.loc["arrivals.per_week", "estimate"] == pytest.approx(
        tromso_cal.arrivals["concerns"].sum() / 260
    )


def test_model_child_welfare_share_is_hidden_with_any_exit_count(tromso_cal, tromso_log):
    """The share the routing implies is a smooth function of every exit count: shown beside
    a hidden one it could pin that count down. Tromsø's first year: the observed share rests
    on enough cases and is shown, but levels 2–3 have few exits, so the model share is not."""
    first_year = estimate_parameters(
        tromso_log, load_municipality("5401"), period=("2019-01-07", "2019-12-29")
    )
    assert np.isfinite(first_year.child_welfare.loc["model", "share"])  # something to hide
    table = calibration_table(first_year, k=5, lang="en").set_index("parameter")
    exits = table[table.index.str.contains(".next.")]
    assert not exits["shown"].all()
    assert table.loc["child_welfare.observed", "shown"]
    model = table.loc["child_welfare.model"]
    assert not model["shown"] and model["mark"] == "×"
    assert model[["estimate", "ci_low", "ci_high"]].isna().all()
    # Five years: every exit count shown, and so is the model share.
    full = calibration_table(tromso_cal, k=5, lang="en").set_index("parameter")
    assert full.loc["child_welfare.model", "shown"]
    assert full.loc["child_welfare.model", "estimate"] == pytest.approx(
        tromso_cal.child_welfare.loc["model", "share"]
    )
