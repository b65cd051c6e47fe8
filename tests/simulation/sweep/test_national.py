"""National comparison: the payoff and cap tables on hand-made sweep results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.simulation.sweep.national import (
    by_size,
    cap_bite,
    payoff_figure,
    size_class,
    team_payoff,
)


def _results() -> pd.DataFrame:
    """Two municipalities × baseline and two options × 4 replications, numbers by hand."""
    rows = []
    for knr, name, children in (("5413", "Ibestad", 256), ("5401", "Tromsø", 21426)):
        for option in ("baseline", "trial_cap_one_log", "intermunicipal_team"):
            for rep in range(4):
                big = knr == "5401"
                wait1 = 1.0 + rep * 0.1
                if option == "trial_cap_one_log":
                    wait1 += 5.0 if big else 0.2 * (rep % 2)  # Tromsø: +5 weeks exactly
                waiting2 = 2.0 + 0.01 * rep
                if option == "intermunicipal_team" and big:
                    waiting2 -= 1.0  # one case fewer waiting all year: 52 weeks saved
                cost = 100_000.0 + (80_000.0 if option == "intermunicipal_team" else 0.0)
                rows.append((knr, name, children, option, 0, rep, wait1, waiting2, 0.0, cost))
    columns = [
        "kommunenummer",
        "municipality",
        "children",
        "option",
        "point",
        "replication",
        "wait.1",
        "waiting.2",
        "waiting.3",
        "cost.total",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "task", frame.groupby(["kommunenummer", "option"]).ngroup())
    frame.insert(6, "seed", 1)
    return frame


def test_the_cap_bites_where_its_extra_wait_surely_exceeds_the_threshold():
    table = cap_bite(_results(), threshold=1.0).set_index("municipality")
    assert table.loc["Tromsø", "difference"] == pytest.approx(5.0)
    assert table.loc["Tromsø", "bites"]
    assert table.loc["Ibestad", "difference"] == pytest.approx(0.1)
    assert not table.loc["Ibestad", "bites"]


def test_team_payoff_is_extra_cost_per_saved_week_of_waiting():
    table = team_payoff(_results(), nok_per_waiting_week=2_000).set_index("municipality")
    tromso = table.loc["Tromsø"]
    assert tromso["extra_cost_nok"] == pytest.approx(80_000)
    assert tromso["saved_weeks"] == pytest.approx(52)
    assert tromso["nok_per_saved_week"] == pytest.approx(80_000 / 52)  # 1 538 ≤ 2 000
    assert tromso["pays_off"]
    ibestad = table.loc["Ibestad"]
    assert ibestad["saved_weeks"] == pytest.approx(0)
    assert np.isnan(ibestad["nok_per_saved_week"]) and not ibestad["pays_off"]
    strict = team_payoff(_results(), nok_per_waiting_week=1_000).set_index("municipality")
    assert not strict.loc["Tromsø", "pays_off"]
    fig = payoff_figure(table.reset_index(), "en")
    assert list(fig.data[0].marker.color) == ["#9d9d9d", "#54a24b"]


def test_size_classes_and_per_1000_figures():
    assert list(size_class(pd.Series([499, 500, 1999, 2000, 50_000]), "en")) == [
        "under 500",
        "500–1 999",
        "500–1 999",
        "2 000–9 999",
        "50 000 and more",
    ]
    frame = _results().assign(**{"active.1": 10.0})
    table = by_size(frame, "active.1", "en")
    tromso = table[table["municipality"] == "Tromsø"].iloc[0]
    assert tromso["per_1000"] == pytest.approx(10 / 21426 * 1000)


def test_an_option_missing_from_the_sweep_is_named():
    with pytest.raises(ValueError, match="extra_coordinator_20pct"):
        team_payoff(_results(), option="extra_coordinator_20pct")
