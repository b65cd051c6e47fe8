"""Network tables for people: names from the catalogue, counts suppressed, numbers kept apart."""

from __future__ import annotations

import re

import networkx as nx
import pandas as pd
import pytest

from bti_workbench.network import (
    brokerage_display,
    drop_out_display,
    format_p_value,
    metrics_display,
    missing_links_display,
    perceived_display,
    perceived_vs_enacted,
    period_change,
    period_change_display,
    service_graph,
    split_period,
    suppressed_period_change,
)
from bti_workbench.reference import label, languages

#: What a table for people never holds: missing values, booleans, technical headers, ids.
_RAW = re.compile(r"\b(?:nan|NaN|None|True|False|<NA>)\b|suppression\]|\b[a-z]+_[a-z_]+\b")


def _cells(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]


def _no_raw(frame: pd.DataFrame) -> None:
    for cell in _cells(frame):
        assert not _RAW.search(cell), cell


@pytest.mark.parametrize("lang", languages())
def test_metrics_display_names_services_and_hides_small_counts(log, lang):
    graph = service_graph(log)
    table = metrics_display(graph, k=5, lang=lang)
    _no_raw(table)
    assert table.columns[0] == label("ui.service", lang)
    assert set(table.iloc[:, 0]) == {label(f"service.{s}", lang) for s in graph}
    # every load is below 5 in this log: none is shown as a number
    assert not table[label("tab.net.load", lang)].str.fullmatch(r"\d+").any()


def test_brokerage_display_keeps_brokers_only_and_names_roles(log):
    graph = service_graph(log)
    table = brokerage_display(graph, "nb")
    _no_raw(table)
    assert label("tab.net.role.liaison", "nb") in table.columns
    totals = table[label("tab.net.role.total", "nb")].astype(int)
    assert (totals > 0).all() and totals.is_monotonic_decreasing


def test_missing_links_display_reads_the_maps_counts(log):
    graph = service_graph(log)
    table = missing_links_display(graph, k=5, lang="en")
    _no_raw(table)
    school_ppt = table[
        (table["Service A"] == label("service.school", "en"))
        & (table["Service B"] == label("service.ppt", "en"))
    ]
    assert school_ppt.iloc[0]["Shared cases"] == "<5"  # one shared case: hidden
    assert set(table["Missing"]) <= {"Yes", "No"}


def test_perceived_display_lists_disagreements_with_their_names():
    perceived = nx.DiGraph([("school", "ppt"), ("nav", "school")])
    enacted = nx.Graph([("school", "ppt"), ("school", "school_health")])
    table = perceived_display(perceived_vs_enacted(perceived, enacted), "nb")
    assert table.iloc[:, 2].tolist() == [
        label("tab.net.status.perceived", "nb"),
        label("tab.net.status.enacted", "nb"),
    ]


def test_drop_out_display_hides_small_counts_and_their_shares(log):
    graph = service_graph(log)
    table, cases = drop_out_display(log, graph, k=5, lang="nb")
    _no_raw(table)
    assert cases == "<5"
    losing = table[label("tab.net.drop.losing", "nb")]
    share = table[label("tab.net.drop.share", "nb")]
    assert (losing.isin(["<5", "×"]) == (share == "×")).all()


def test_p_values_read_as_people_write_them():
    assert format_p_value(0.0, "nb") == "<0,001"
    assert format_p_value(0.0005, "en") == "<0.001"
    assert format_p_value(0.0421, "nb") == "0,042"


def test_period_change_display_hides_the_change_of_a_hidden_count():
    rows = []
    for i in range(60):
        second = i >= 30
        day = "2019-03-01" if second else "2018-03-01"
        services = ["school", "ppt"] if (i % 3 or second) else ["school", "nav"]
        if i < 2:
            services = ["nav", "ppt"]
        for service in services:
            rows.append((f"C{i}", day, "meeting_held", 2, service, "participant"))
    log = pd.DataFrame(rows, columns=["case_id", "event_time", "event", "level", "service", "role"])
    log["event_time"] = pd.to_datetime(log["event_time"])
    periods = [("2018-01-01", "2018-12-31"), ("2019-01-01", "2019-12-31")]
    change = period_change(log, *periods, permutations=199)
    _, hidden = suppressed_period_change(change, k=5)
    table = period_change_display(change, periods, k=5, lang="nb")
    _no_raw(table)
    assert len(table) == len(change) and hidden.any() and not hidden.all()
    p = table[label("tab.net.p_value", "nb")]
    assert (p == "×").sum() == hidden.sum()
    assert table.columns[1] == "Felles saker 01.01.2018–31.12.2018"
    shown_only = period_change_display(change, periods, k=5, lang="nb", hidden_rows=False)
    assert len(shown_only) == (~hidden).sum() and "×" not in set(shown_only.iloc[:, 4])


def test_split_period_gives_two_halves_of_equal_length():
    first, second = split_period((pd.Timestamp("2018-01-01"), pd.Timestamp("2020-06-30")))
    assert first[0] == pd.Timestamp("2018-01-01") and second[1] == pd.Timestamp("2020-06-30")
    assert second[0] - first[1] == pd.Timedelta(days=1)
    assert abs((first[1] - first[0]) - (second[1] - second[0])) <= pd.Timedelta(days=1)
