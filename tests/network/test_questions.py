"""The questions asked of the networks: missing links, drop-out, change between periods, QAP."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from bti_workbench.network import service_graph


def test_missing_expected_links_are_the_pairs_the_cases_lack(log):
    from bti_workbench.network.questions import missing_links

    expected = pd.DataFrame(
        {
            "service_a": ["school", "kindergarten", "nav"],
            "service_b": ["ppt", "health_station", "mental_health"],
            "reason": ["r1", "r2", "r3"],
        }
    )
    table = missing_links(service_graph(log), expected).set_index(["service_a", "service_b"])
    assert table.loc[("school", "ppt"), "shared_cases"] == 2
    assert not table.loc[("school", "ppt"), "missing"]
    assert table.loc[("kindergarten", "health_station"), "missing"]
    assert table.loc[("nav", "mental_health"), "missing"]


def test_the_shipped_expected_links_name_catalogue_services():
    from bti_workbench.network.questions import expected_links

    table = expected_links()
    assert len(table) >= 5 and table["reason"].notna().all()


def test_the_reasons_for_expected_ties_are_in_the_readers_language():
    from bti_workbench.network.questions import expected_links

    nb, en = expected_links(lang="nb"), expected_links(lang="en")
    assert (nb["reason"] != "").all() and (en["reason"] != "").all()
    assert (nb["reason"] != en["reason"]).all()  # every shipped row has both languages
    assert nb["reason"].tolist() == en["reason_nb"].tolist()
    assert "Overgangen fra barnehage til skole" in " ".join(nb["reason"])
    assert not nb["reason"].str.contains(r"\b(?:the|and|of)\b").any()
    with pytest.raises(KeyError, match="unknown language"):
        expected_links(lang="sv")


def test_a_local_file_may_give_one_language_or_the_old_single_column(tmp_path):
    from bti_workbench.network.questions import expected_links, missing_links

    own = tmp_path / "own.csv"
    own.write_text(
        "service_a,service_b,reason_nb,reason_en\n"
        "school,ppt,Spesialundervisning,\n"
        "nav,mental_health,,Young adults\n",
        encoding="utf-8",
    )
    assert expected_links(own, lang="en")["reason"].tolist() == [
        "Spesialundervisning",
        "Young adults",
    ]
    assert expected_links(own, lang="nb")["reason"].tolist() == [
        "Spesialundervisning",
        "Young adults",
    ]
    old = tmp_path / "old.csv"
    old.write_text("service_a,service_b,reason\nschool,ppt,Assessment\n", encoding="utf-8")
    assert expected_links(old, lang="nb")["reason"].tolist() == ["Assessment"]
    graph = nx.Graph([("school", "ppt", {"weight": 3})])
    gaps = missing_links(graph, expected_links(own), lang="en").set_index("service_b")
    assert gaps.loc["mental_health", "reason"] == "Young adults"
    assert gaps.loc["ppt", "shared_cases"] == 3 and gaps.loc["mental_health", "missing"]
    # A table read in bokmål still gives English reasons when asked for them.
    shipped = missing_links(graph, expected_links(lang="nb"), lang="en")
    assert shipped["reason"].tolist() == expected_links(lang="en")["reason"].tolist()


def _cross_sector_log():
    rows = [
        ("C4", "2018-01-01", "log_opened", 1, "school", "baton_holder"),
        ("C4", "2018-02-01", "meeting_held", 3, "school", "baton_holder"),
        ("C4", "2018-02-01", "meeting_held", 3, "child_welfare", "participant"),
        ("C5", "2018-01-01", "log_opened", 1, "school", "baton_holder"),
        ("C5", "2018-02-01", "meeting_held", 3, "ppt", "participant"),
        ("C5", "2018-02-01", "meeting_held", 3, "child_welfare", "participant"),
        ("C5", "2018-02-01", "meeting_held", 3, "school_health", "participant"),
        ("C6", "2018-01-01", "log_opened", 1, "school", "baton_holder"),
        ("C6", "2018-02-01", "meeting_held", 2, "child_welfare", "participant"),
        ("C6", "2018-03-01", "log_closed", 2, "school", "baton_holder"),
    ]
    frame = pd.DataFrame(
        rows, columns=["case_id", "event_time", "event", "level", "service", "role"]
    )
    frame["event_time"] = pd.to_datetime(frame["event_time"])
    return frame


def test_drop_out_counts_cases_losing_their_only_cross_sector_tie():
    from bti_workbench.network.questions import drop_out

    log = _cross_sector_log()
    g = service_graph(log)
    # C4 (school + child welfare) loses its only tie between sectors; C5 keeps school health;
    # C6 is closed.
    result = drop_out(log, g, "child_welfare")
    assert result["cases_at_levels_2_3"] == 2
    assert result["cases_losing_cross_sector_tie"] == 1
    assert drop_out(log, g, "school_health")["cases_losing_cross_sector_tie"] == 0
    # A star around the school falls apart without it.
    star = nx.Graph([("school", "ppt"), ("school", "nav"), ("school", "child_welfare")])
    apart = drop_out(log, star, "school")
    assert (apart["components_before"], apart["components_after"]) == (1, 3)
    assert apart["isolated_after"] == ["child_welfare", "nav", "ppt"]


def _null_log(rng, cases=300, change=0.0):
    """Cases in two half-years; each pair of services joins a case with fixed chances
    (plus ``change`` for school–ppt in the second half)."""
    chances = {"ppt": 0.3, "school_health": 0.25, "child_welfare": 0.15, "nav": 0.1}
    rows = []
    for i in range(cases):
        second = rng.random() < 0.5
        start = pd.Timestamp("2018-07-01" if second else "2018-01-01") + pd.Timedelta(
            days=int(rng.integers(0, 150))
        )
        case = f"C{i}"
        rows.append((case, start, "log_opened", 1, "school", "baton_holder"))
        for service, p in chances.items():
            p = p + (change if second and service == "ppt" else 0.0)
            if rng.random() < p:
                rows.append(
                    (case, start + pd.Timedelta(days=7), "meeting_held", 2, service, "participant")
                )
    return pd.DataFrame(
        rows, columns=["case_id", "event_time", "event", "level", "service", "role"]
    )


def test_period_change_p_values_are_uniform_under_the_null():
    from scipy import stats

    from bti_workbench.network.questions import period_change

    rng = np.random.default_rng(7)
    p_values = []
    for i in range(25):
        table = period_change(
            _null_log(rng),
            ("2018-01-01", "2018-06-30"),
            ("2018-07-01", "2018-12-31"),
            permutations=199,
            seed=i,
        )
        # Pairs seen in few cases have a coarse, discrete null (their p-values lean high,
        # which is conservative); the shape is checked on pairs with 20 or more cases.
        enough = table[table["first"] + table["second"] >= 20]
        p_values += enough["p_value"].tolist()
    p_values = np.array(p_values)
    assert len(p_values) > 80
    # Roughly uniform: not rejected by Kolmogorov–Smirnov, and about 5 % below 0.05.
    assert stats.kstest(p_values, "uniform").pvalue > 0.01
    assert 0.01 <= (p_values < 0.05).mean() <= 0.12


def test_period_change_finds_a_real_change():
    from bti_workbench.network.questions import period_change

    log = _null_log(np.random.default_rng(3), cases=400, change=0.35)
    table = period_change(log, ("2018-01-01", "2018-06-30"), ("2018-07-01", "2018-12-31"), seed=1)
    row = table.set_index(["service_a", "service_b"]).loc[("ppt", "school")]
    assert row["change_per_100"] > 20 and row["p_value"] < 0.01


def test_period_change_refuses_an_empty_period(log):
    from bti_workbench.network.questions import period_change

    with pytest.raises(ValueError, match="a period has no cases"):
        period_change(log, ("2019-01-01", "2019-06-30"), ("2018-01-01", "2018-12-31"))


def test_qap_correlation_tells_alike_from_relabelled_networks():
    from bti_workbench.network.questions import qap_correlation

    rng = np.random.default_rng(4)
    g = nx.gnp_random_graph(14, 0.4, seed=2)
    for a, b in g.edges:
        g[a][b]["weight"] = int(rng.integers(1, 30))
    noisy = g.copy()
    for a, b in noisy.edges:
        noisy[a][b]["weight"] += int(rng.integers(0, 5))
    alike = qap_correlation(g, noisy, permutations=499)
    assert alike["correlation"] > 0.8 and alike["p_value"] < 0.01
    shuffled = nx.relabel_nodes(g, dict(zip(g, rng.permutation(len(g)).tolist(), strict=True)))
    unrelated = qap_correlation(g, shuffled, permutations=499)
    assert unrelated["p_value"] > alike["p_value"]
    # A service present in one period only takes part with no ties in the other.
    smaller = g.subgraph(range(10)).copy()
    partial = qap_correlation(smaller, g, permutations=99)
    assert partial["services"] == 14 and 0 < partial["correlation"] <= 1
