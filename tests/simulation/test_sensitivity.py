"""Sensitivity: Latin hypercube, PRCC and tornado, checked on known answers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bti_workbench.reference.municipality import load_municipalities
from bti_workbench.simulation.analysis import warmup_weeks
from bti_workbench.simulation.run import simulate
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.sensitivity import (
    Parameter,
    lhs_points,
    oat_points,
    parameter_name,
    rank_correlations,
    rank_display,
    rank_figure,
    tornado,
    tornado_display,
    tornado_figure,
)
from bti_workbench.simulation.sweep import plan_sweep, read_sweep, run_sweep, task_seed

TEMPLATE = Path(__file__).resolve().parents[2] / "data" / "scenarios" / "national_per_1000.yaml"


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 60), d=st.integers(1, 5), seed=st.integers(0, 10_000))
def test_a_latin_hypercube_puts_one_sample_in_each_stratum(n, d, seed):
    parameters = [Parameter(f"p{i}", 10.0 * i, 10.0 * i + 5) for i in range(d)]
    points = lhs_points(parameters, n, seed)
    assert len(points) == n
    for p in parameters:
        units = np.array([(point[p.key] - p.low) / (p.high - p.low) for point in points])
        strata = np.minimum((units * n).astype(int), n - 1)
        assert sorted(strata) == list(range(n))
    assert lhs_points(parameters, n, seed) == points  # seeded


def test_integer_parameters_take_whole_values():
    points = lhs_points([Parameter("resources.max_logs", 1, 4, integer=True)], 20, seed=1)
    assert {type(p["resources.max_logs"]) for p in points} == {int}
    assert {p["resources.max_logs"] for p in points} <= {1, 2, 3, 4}


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, list[Parameter]]:
    rng = np.random.default_rng(seed)
    parameters = [Parameter(k, 0, 1) for k in ("strong", "weak", "none", "negative")]
    points = lhs_points(parameters, n, seed)
    x = pd.DataFrame(points)
    y = 4 * x["strong"] ** 3 + 0.5 * x["weak"] - 2 * x["negative"] + rng.normal(0, 0.3, n)
    frame = pd.DataFrame(
        {"kommunenummer": "4228", "option": "baseline", "point": range(n), "replication": 0, "y": y}
    )
    for key in x.columns:
        frame[f"param.{key}"] = x[key]
    return frame, parameters


def test_prcc_recovers_which_parameters_matter_and_their_direction():
    frame, parameters = _synthetic(300, seed=4)
    table = rank_correlations(frame, "y", parameters).set_index("parameter")
    assert table.index.tolist()[:2] == ["strong", "negative"]
    assert table.loc["strong", "prcc"] > 0.8 and table.loc["negative", "prcc"] < -0.6
    assert table.loc["weak", "low"] > 0  # small but surely positive
    assert table.loc["none", "low"] < 0 < table.loc["none", "high"]


def test_prcc_intervals_cover_zero_for_an_inert_parameter_at_the_nominal_rate():
    covered = 0
    for seed in range(200):
        frame, parameters = _synthetic(60, seed)
        row = rank_correlations(frame, "y", parameters).set_index("parameter").loc["none"]
        covered += row["low"] <= 0 <= row["high"]
    assert 0.90 <= covered / 200 <= 0.99


def test_prcc_needs_enough_points():
    frame, parameters = _synthetic(7, seed=1)
    with pytest.raises(ValueError, match="at least 8 points"):
        rank_correlations(frame, "y", parameters)


@pytest.fixture(scope="module")
def oat(dask_client, tmp_path_factory):
    parameters = [
        Parameter("levels.0.duration.mean_weeks", 4.8, 7.2),
        Parameter("arrivals.scale", 0.8, 1.2),
        Parameter("costs.hourly_rate_nok", 400, 540),
    ]
    sweep = plan_sweep(
        TEMPLATE,
        load_municipalities(["1106"]),
        ["baseline"],
        oat_points(parameters),
        replications=20,
        seed=3,
    )
    out = tmp_path_factory.mktemp("oat")
    run_sweep(sweep, out, client=dask_client)
    return read_sweep(out), parameters


def test_tornado_matches_littles_law_at_level_zero(oat):
    results, parameters = oat
    table = tornado(results, "active.0", parameters).set_index("parameter")
    # Level 0 needs no resource: an infinite-server queue, L = λ·E[S]. λ (entries to level 0
    # per week after the warm-up) does not depend on the stay there, so the swing is λ × 2.4.
    (place,) = load_municipalities(["1106"])
    scenario = load_scenario(TEMPLATE, municipality=place)
    run = simulate(scenario, 20, task_seed(3, "1106"))
    queues = run.queues[(run.queues["week"] > 104) & (run.queues["level"] == 0)]
    rate = queues["entered"].sum() / (20 * (260 - 104))
    swing = table.loc["levels.0.duration.mean_weeks"]
    assert swing["swing"] == pytest.approx(rate * 2.4, rel=0.05)
    assert swing["swing_low"] > 0
    # ±20 % of the concerns moves λ by 0.4·λ: the same swing, 0.4·λ·6 = 2.4·λ.
    assert table.loc["arrivals.scale", "swing"] == pytest.approx(rate * 2.4, rel=0.05)
    assert list(table["swing"].abs()) == sorted(table["swing"].abs(), reverse=True)
    assert warmup_weeks(run.levels) <= 104


def test_tornado_of_a_parameter_that_changes_no_flow_is_exactly_zero(oat):
    # Common random numbers: the hourly rate prices hours but moves no case, so every
    # replication is the same run at both ends.
    results, parameters = oat
    table = tornado(results, "active.1", parameters).set_index("parameter")
    assert table.loc["costs.hourly_rate_nok", "swing"] == 0
    assert table.loc["arrivals.scale", "swing_low"] > 0  # more concerns, more open logs
    costs = tornado(results, "cost.case_work", parameters).set_index("parameter")
    assert costs.loc["costs.hourly_rate_nok", "swing_low"] > 0


def test_tornado_refuses_results_that_are_not_its_design(oat):
    results, parameters = oat
    with pytest.raises(ValueError, match="expected the 5 points"):
        tornado(results, "active.0", parameters[:2])


def test_sensitivity_figures_label_in_both_languages(oat):
    results, parameters = oat
    table = tornado(results, "active.0", parameters)
    nb = tornado_figure(table, "aktive", "nb")
    en = tornado_figure(table, "active", "en")
    assert nb.layout.title.text.startswith("Én parameter") and en.layout.title.text.startswith(
        "One"
    )
    assert [bar.name for bar in en.data] == ["Low value", "High value"]
    frame, synthetic = _synthetic(40, seed=2)
    prcc = rank_figure(rank_correlations(frame, "y", synthetic), "y", "en")
    assert list(prcc.data[0].y)[-1] == "strong"  # the largest on top


def test_sensitivity_tables_name_parameters_and_format_numbers(oat):
    results, parameters = oat
    table = tornado(results, "active.0", parameters)
    nb = tornado_display(table, "nb")
    assert nb.columns.tolist() == [
        "Forutsetning",
        "Spenn som er prøvd",
        "Ved lav verdi",
        "Ved høy verdi",
        "Utslag, høy minus lav (95 % KI)",
    ]
    rows = nb.set_index("Forutsetning")
    assert rows.loc["Timepris (kr)", "Spenn som er prøvd"] == "400 til 540"
    assert rows.loc["Timepris (kr)", "Utslag, høy minus lav (95 % KI)"] == "0,00 (0,00 til 0,00)"
    assert rows.loc["Nivå 0: gjennomsnittlig tid på nivået (uker)", "Spenn som er prøvd"] == (
        "4,80 til 7,20"
    )
    assert not nb.apply(lambda column: column.str.contains(r"\d\.\d|nan")).any().any()
    frame, synthetic = _synthetic(40, seed=2)
    ranks = rank_display(rank_correlations(frame, "y", synthetic), "en")
    assert ranks.columns.tolist() == ["Parameter", "PRCC (95 % CI)"]
    assert ranks["Parameter"].iloc[0] == "strong"  # a key without a name stays as written
    assert parameter_name("resources.services.child_welfare.hours_per_week_per_1000", "en") == (
        "Child welfare: hours a week per 1 000 children and young people"
    )
    fig = tornado_figure(table, "aktive", "nb")
    assert "Nye bekymringer (faktor på malens antall)" in list(fig.data[0].y)
