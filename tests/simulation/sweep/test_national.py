"""National comparison: the payoff and cap tables on hand-made sweep results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bti_workbench.reference.labels import label
from bti_workbench.simulation.sweep.national import (
    by_size,
    cap_bite,
    cap_display,
    municipalities_display,
    payoff_display,
    payoff_figure,
    size_class,
    size_classes_display,
    size_figure,
    team_payoff,
)
from bti_workbench.simulation.sweep.plan import parse_municipalities
from bti_workbench.simulation.tables import options_display


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
    assert list(fig.data[0].marker.color) == ["#7F7F7F", "#009E73"]  # grey, bluish green
    assert list(fig.data[0].customdata) == ["–", "NOK 1,538"]


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


def test_tables_by_size_class_for_people():
    cap = cap_display(cap_bite(_results(), threshold=1.0), 1.0, "en")
    assert cap.columns[2] == "Municipalities where the cap surely adds more than 1 week"
    assert cap.values.tolist() == [
        ["under 500", "1", "0", "+0.1 weeks", "0.1 to 0.1 weeks"],
        ["10 000–49 999", "1", "1", "+5.0 weeks", "5.0 to 5.0 weeks"],
    ]
    payoff = payoff_display(team_payoff(_results(), nok_per_waiting_week=2_000), 2_000, "nb")
    assert payoff.columns[3] == "… og koster høyst 2\u00a0000 kr per spart venteuke"
    ibestad, tromso = payoff.values.tolist()
    assert ibestad[1:] == ["1", "0", "0", "80\u00a0000 kr", "–"]  # saves nothing: no price
    assert tromso[1:] == ["1", "1", "1", "80\u00a0000 kr", "1\u00a0538 kr"]


def test_municipalities_and_options_for_people():
    places = parse_municipalities("1106,5413,4228")
    table = municipalities_display(places, "nb")
    assert table.columns.tolist() == [
        "Kommune",
        "Kommunenummer",
        "Barn og unge 0–23 år",
        "Størrelse",
    ]
    assert table["Kommune"].tolist() == ["Ibestad", "Sirdal", "Haugesund"]
    assert table["Barn og unge 0–23 år"].iloc[-1] == "10\u00a0240"
    sizes = size_classes_display(places, "en")
    assert sizes["Municipalities"].tolist() == ["1", "1", "0", "1", "0"]  # empty classes kept
    baseline = label("tab.nat.baseline_description", "nb")
    options = options_display(["baseline", "trial_cap_one_log"], "nb", baseline=baseline)
    assert options.iloc[:, 0].tolist() == [
        "Dagens organisering",
        "Én stafettlogg per stafettholder",
    ]
    assert options.iloc[0, 1] == baseline and len(options.iloc[1, 1]) > 20


def test_size_figure_names_options_in_the_language():
    frame = _results().assign(**{"active.1": 10.0})
    fig = size_figure(by_size(frame, "active.1", "nb"), "active.1", "nb", per_1000=True)
    assert [trace.name for trace in fig.data] == [
        "Dagens organisering",  # the baseline first, then as by_size sorts them
        "Interkommunalt team for PPT og barnevern",
        "Én stafettlogg per stafettholder",
    ]
    assert fig.layout.separators == ",\u00a0"
