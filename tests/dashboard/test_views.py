"""The dashboard's plain view functions, on the demo store and on hand-made inputs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from bti_workbench._util.numbers import format_number
from bti_workbench._util.resources import data_dir
from bti_workbench.dashboard import (
    SLIDERS,
    collaboration_view,
    evaluation_view,
    load_view,
    overrides_from_sliders,
    periods,
    plan_view,
    slider_values,
    status_view,
)
from bti_workbench.dashboard import load as load_module
from bti_workbench.evaluation import cases_by_level, indicator_table, load_evaluation
from bti_workbench.evaluation.eventarrays import event_arrays
from bti_workbench.evaluation.indicators import INDICATORS, open_cases_by_level
from bti_workbench.network import service_graph
from bti_workbench.network.publish import published_edges
from bti_workbench.reference.labels import label
from bti_workbench.simulation.costs import organisation_cost
from bti_workbench.simulation.scenario.document import option_name
from bti_workbench.simulation.scenario.parse import load_scenario

PERIOD = "2018-09-01..2020-06-30"
PLACES = ("4228", "1106", "3807")  # Sirdal, Haugesund, Skien
LANGS = ("nb", "en")
SIRDAL = data_dir() / "scenarios" / "sirdal.yaml"
TROMSO = data_dir() / "scenarios" / "tromso.yaml"
MARKS = {"<5", "×"}


@pytest.fixture(scope="module")
def data(demo_store):
    return {m: load_evaluation(m, PERIOD, store=demo_store) for m in PLACES}


def _is_count_text(text: str, k: int = 5) -> bool:
    return text in MARKS or (text.isdigit() and int(text) >= k)


# --------------------------------------------------------------------------------------------
# Status


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("lang", LANGS)
def test_status_view_cards_and_trends(data, place, lang):
    view = status_view(data[place], lang=lang)
    keys = [c.key for c in view.cards]
    assert keys == [
        "open_level_0",
        "open_level_1",
        "open_level_2",
        "open_level_3",
        "new_logs",
        "dropped_batons",
        "unread_logs",  # the demo exports readings of the log
        "parents_participating",
        "young_person_participating",
        "level0_decision",
    ]
    assert view.today == data[place].event_log["event_time"].max().normalize()
    assert view.banner == label("app.synthetic_banner", lang)
    assert view.card("open_level_2").title == label("dash.card.open_level", lang, level=2)
    for card in view.cards[:-1]:  # counts: shown at k or more, or a mark, nothing between
        assert _is_count_text(card.value), card
        assert card.hidden == (card.value in MARKS)
    decision = view.card("level0_decision")
    if not decision.hidden:
        days = int(decision.value.split()[0])
        assert decision.value == f"{days} {label('rep.days', lang)}"
        assert decision.flag == ("ok" if days <= 14 else "alert")
    # Every shown cell of the open-cases table is drawn as it is; every hidden one is a gap.
    body = view.open_cases.values.drop(index="total").drop(columns="total")
    hidden = view.open_cases.hidden.drop(index="total").drop(columns="total")
    lines = {trace.name: trace for trace in view.trends.data if trace.type == "scatter"}
    for level in range(4):
        y = np.asarray(lines[label(f"level.{level}.short", lang)].y, dtype=float)
        assert np.array_equal(np.isnan(y), hidden[level].to_numpy())
        shown = ~hidden[level].to_numpy()
        assert np.array_equal(y[shown], body[level].to_numpy(dtype=float)[shown])
    bars = np.asarray(view.trends.data[0].y, dtype=float)
    assert np.array_equal(np.isnan(bars), view.new_logs.hidden.iloc[:-1, 0].to_numpy())


def test_suppressed_card_reads_mark_and_its_number_is_nowhere(data):
    sirdal = data["4228"]
    view = status_view(sirdal, lang="nb")
    today = view.today
    raw = open_cases_by_level(event_arrays(sirdal.event_log), pd.DatetimeIndex([today])).iloc[0]
    card = view.card("open_level_1")
    assert card.value == "<5" and card.hidden
    assert 0 < raw[1] < 5  # Sirdal is small: a handful of logs at level 1
    hidden_levels = [lv for lv in range(4) if view.card(f"open_level_{lv}").hidden]
    assert 1 in hidden_levels
    for level in hidden_levels:
        shown_card = view.card(f"open_level_{level}")
        pattern = rf"(?<![\d.]){raw[level]}(?![\d.])"
        assert not re.search(pattern, f"{shown_card.value} {shown_card.note}")  # title: level
        assert pd.isna(view.open_cases.values.loc[today, level])
        line = next(t for t in view.trends.data if t.name == label(f"level.{level}.short", "nb"))
        assert np.isnan(float(line.y[-1]))
    # The table the cards come from cannot give the number back: the row total of today, if
    # shown, leaves at least two hidden cells (one unknown cannot be pinned by one sum).
    if not view.open_cases.hidden.loc[today, "total"]:
        assert len(hidden_levels) >= 2


@pytest.mark.parametrize("place", ["1106", "3807"])
def test_status_cards_agree_with_the_indicators_and_the_log(data, place):
    d = data[place]
    view = status_view(d, today=d.period[1], lang="en")
    assert view.today == d.period[1]
    # Same counts as the indicator table of the same period, so the same marks.
    table = indicator_table(d.event_log, period=d.period, k=5).formatted("en")
    for key in ("dropped_batons", "parents_participating"):
        card = view.card(key)
        assert card.value == table.loc[key, "numerator"]
        assert f"of {table.loc[key, 'denominator']} " in card.note
        if table.loc[key, "share"]:
            assert card.note.endswith(f"({table.loc[key, 'share']})")
    # Open cases at the month end the period closes on, as cases_by_level counts them.
    monthly = cases_by_level(d.event_log, period=d.period, k=5).formatted("en")
    for level in range(4):
        card, other = view.card(f"open_level_{level}"), monthly.loc[d.period[1], level]
        if card.value not in MARKS and other not in MARKS:
            assert card.value == other
    # New logs this month: distinct cases with a log opened in June 2020, from the log.
    log = d.event_log
    june = log[(log["event"] == "log_opened") & (log["event_time"] >= "2020-06-01")]
    assert view.card("new_logs").value == str(june["case_id"].nunique())
    assert view.card("new_logs").note == "01.06.2020–30.06.2020"


def test_status_view_on_a_chosen_day(data):
    view = status_view(data["1106"], today="2019-05-15", lang="nb")
    assert view.open_cases.values.index[-2] == pd.Timestamp("2019-05-15")
    assert view.open_cases.values.index[-3] == pd.Timestamp("2019-04-30")
    assert view.card("new_logs").note.startswith("01.05.2019")
    assert view.card("open_level_1").note == "Per 15.05.2019"
    with pytest.raises(ValueError, match="before the period's start"):
        status_view(data["1106"], today="2018-01-31")


# --------------------------------------------------------------------------------------------
# Evaluation and plan


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("lang", LANGS)
def test_evaluation_view(data, place, lang):
    view = evaluation_view(data[place], k=5, lang=lang)
    assert view.waves == ("baseline", "follow_up")
    names = [trace.name for trace in view.survey.data]
    assert names == [label("wave.baseline", lang), label("wave.follow_up", lang)]
    assert view.survey_table.columns[0] == label("dash.col.item", lang)
    indicators = view.indicators
    assert list(indicators.columns[:3]) == [
        label("rep.col.indicator", lang),
        label("rep.col.numerator", lang),
        label("rep.col.denominator", lang),
    ]
    assert len(indicators) == len(INDICATORS)  # the demo has population, forms and reads
    numerator, share = indicators.iloc[:, 1], indicators.iloc[:, 3]
    assert numerator.map(
        lambda v: v in MARKS or v.replace("\u00a0", "").replace(",", "").isdigit()
    ).all()
    assert (share[numerator.isin(MARKS)] == "").all()  # a hidden count never with its share
    assert label("suppression.note", lang, k=5) in view.notes


def test_evaluation_survey_change_from_the_answers(data):
    d = data["1106"]
    view = evaluation_view(d, lang="en")
    answers = d.staff_survey.dropna(subset=["know_what_to_do"])
    agree = (answers["know_what_to_do"] >= 4).groupby(answers["wave"]).mean()
    change = 100 * (agree["follow_up"] - agree["baseline"])
    row = view.survey_table.iloc[0]
    assert row["Item"] == label("item.know_what_to_do", "en")
    assert row["Change (95 % CI)"].startswith(f"{change:+.1f} (")
    assert row["Share agreeing – Baseline (95 % CI)"].startswith(f"{100 * agree['baseline']:.1f} %")
    assert row["Answers – Follow-up"] == str(int((answers["wave"] == "follow_up").sum()))
    nb = evaluation_view(d, lang="nb").survey_table.iloc[0]
    assert nb["Endring (95 % KI)"].startswith(f"{change:+.1f} (".replace(".", ","))


def test_evaluation_without_a_survey(data):
    d = dataclasses.replace(data["4228"], staff_survey=data["4228"].staff_survey.iloc[0:0])
    view = evaluation_view(d, lang="en")
    assert view.survey is None and view.survey_table is None and view.waves is None
    assert label("rep.no_survey", "en") in view.notes
    assert len(view.indicators) == len(INDICATORS)


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("lang", LANGS)
def test_plan_view(data, place, lang):
    plan = data[place].progress_plan
    today = pd.Timestamp("2018-12-31")
    view = plan_view(data[place], today=today, lang=lang)
    totals = view.totals.iloc[0]
    assert totals[label("rep.total", lang)] == len(plan)
    done = (plan["status"] == "done") & (plan["done_date"] <= today)
    on_time, late = label("plan.state.done_on_time", lang), label("plan.state.done_late", lang)
    assert totals[on_time] + totals[late] == done.sum()
    assert totals[label("plan.state.cancelled", lang)] == (plan["status"] == "cancelled").sum()
    assert view.summary[label("rep.total", lang)].sum() == len(plan)
    bars = [t for t in view.gantt.data if t.type == "bar"]
    assert sum(len(t.x) for t in bars) == len(plan)
    assert {t.name for t in bars} <= {label(f"plan.state.{s}", lang) for s in (
        "done_on_time", "done_late", "late", "open", "cancelled")}  # fmt: skip


def test_plan_view_without_a_plan(data):
    d = dataclasses.replace(data["4228"], progress_plan=data["4228"].progress_plan.iloc[0:0])
    view = plan_view(d, lang="nb")
    assert view.gantt is None and view.summary is None
    assert view.notes == label("rep.no_plan", "nb")
    assert view.today == min(pd.Timestamp.today().normalize(), d.period[1])


# --------------------------------------------------------------------------------------------
# Collaboration


def _hand_log() -> pd.DataFrame:
    # Six open level-2 cases with school and child welfare (upbringing + welfare), six with
    # school, health station and child welfare (+ health).
    rows = []
    for i in range(12):
        services = ["school", "child_welfare"] + (["health_station"] if i >= 6 else [])
        for j, service in enumerate(services):
            role = "baton_holder" if j == 0 else "participant"
            rows.append((f"C{i}", "2018-03-01", "meeting_held", 2, service, role))
    log = pd.DataFrame(rows, columns=["case_id", "event_time", "event", "level", "service", "role"])
    return log.assign(event_time=pd.to_datetime(log["event_time"]))


def test_drop_out_changes_with_the_service():
    log = _hand_log()
    # Without child welfare the first six cases keep only upbringing: 6 of 12 lose their
    # cross-sector tie. Without the health station the last six keep upbringing + welfare
    # and the first six never had it: 0 of 12, a small count, hidden.
    welfare = collaboration_view(log, lang="en", dropped_service="child_welfare").drop_out
    health = collaboration_view(log, lang="en", dropped_service="health_station").drop_out
    assert welfare.iloc[:2, 1].tolist() == ["12", "6 (50.0 %)"]
    assert health.iloc[0, 1] == "12" and health.iloc[1, 1] in MARKS
    assert welfare.iloc[3, 1] == "3 → 2"  # the largest part loses one service
    assert welfare.iloc[4, 1] == label("ui.none", "en")
    # Default: the highest betweenness (all zero in a triangle: the first by name).
    assert collaboration_view(log, lang="en").dropped_service == "child_welfare"
    with pytest.raises(ValueError, match="no ties"):
        collaboration_view(log, dropped_service="nav")


@pytest.mark.parametrize("lang", LANGS)
def test_collaboration_view_on_the_demo(data, lang):
    log = data["4228"].event_log
    view = collaboration_view(log, period=None, k=5, lang=lang, dropped_service="school")
    graph = service_graph(log)
    edges = published_edges(graph, 5, lang).set_index(["source", "target"])
    missing = view.missing
    assert list(missing.columns) == [
        label(f"dash.col.{c}", lang)
        for c in ("service_a", "service_b", "reason", "shared_cases", "missing")
    ]
    codes = {label(f"service.{s}", lang): s for s in graph} | {
        label(f"service.{s}", lang): s for s in ("nav", "mental_health", "child_welfare")
    }
    for row in missing.itertuples(index=False):
        a, b = codes[row[0]], codes[row[1]]
        if graph.has_edge(a, b):  # the table shows the map's own (suppressed) text
            assert row[3] == edges.loc[tuple(sorted((a, b)))]["weight"]
            assert row[4] == label("dash.no", lang)
        else:
            assert (row[3], row[4]) == ("0", label("dash.yes", lang))
    assert "<5" in set(missing.iloc[:, 3])  # Sirdal is small
    without = graph.copy()
    without.remove_node("school")
    before, after = nx.number_connected_components(graph), nx.number_connected_components(without)
    assert view.drop_out.iloc[2, 1] == f"{before} → {after}"
    assert view.drop_out.columns.tolist() == [
        label("rep.col.what", lang),
        label("rep.col.figure", lang),
    ]
    other = collaboration_view(log, period=None, k=5, lang=lang, dropped_service="kindergarten")
    assert other.network is view.network  # the map is cached; only the question changes
    assert not other.drop_out.equals(view.drop_out)
    assert view.network.layout.title.text == label(
        "dash.net.title", lang, period=label("dash.period.whole", lang).lower()
    )


def test_periods_for_the_selector(data):
    log = data["1106"].event_log
    halves = periods(log, lang="en")
    names = list(halves)
    assert names[0] == "Whole period" and names[1:] == [
        "H1 2018", "H2 2018", "H1 2019", "H2 2019", "H1 2020"]  # fmt: skip
    assert halves["H2 2019"] == (pd.Timestamp("2019-07-01"), pd.Timestamp("2019-12-31"))
    assert list(periods(log, months=12, lang="nb", whole=False)) == ["2018", "2019", "2020"]
    assert list(periods(log, months=3, lang="nb"))[1] == "1. kvartal 2018"
    with pytest.raises(ValueError):
        periods(log, months=5)
    first_half = collaboration_view(log, period=halves["H1 2018"], lang="en")
    assert first_half.period == halves["H1 2018"]
    assert "01.01.2018–30.06.2018" in first_half.network.layout.title.text


# --------------------------------------------------------------------------------------------
# Load


def test_sliders_are_labelled_and_reach_their_scenario_keys():
    for slider in SLIDERS:
        assert label(slider.label, "nb") != label(slider.label, "en")
        assert slider.min <= slider.default <= slider.max and slider.step > 0
    for path in (SIRDAL, TROMSO):
        base = load_scenario(path)
        own = slider_values(path)
        for slider in SLIDERS:
            for value in (slider.min, slider.max):
                scenario = load_scenario(
                    path, (), overrides_from_sliders({slider.name: value}, path)
                )
                if slider.name == "concern_scale":
                    ratio = scenario.arrivals_per_week / base.arrivals_per_week
                    assert ratio == pytest.approx(value)
                elif slider.name == "level1_mean_weeks":
                    assert scenario.levels[1].duration.mean_weeks == value
                elif slider.name == "max_logs":
                    assert scenario.resources.service("school").max_logs == value
                else:
                    service = "ppt" if slider.name == "ppt_hours" else "child_welfare"
                    assert scenario.resources.service(service).hours_per_week == value
                    assert own[slider.name] == base.resources.service(service).hours_per_week


def test_overrides_from_sliders():
    assert overrides_from_sliders({"max_logs": 2.0}) == {"resources": {"max_logs": 2}}
    assert overrides_from_sliders({"ppt_hours": 12}) == {
        "resources": {"services": {"ppt": {"hours_per_week": 12, "fte": None, "bti_share": None}}}
    }
    assert overrides_from_sliders(slider_values(SIRDAL), SIRDAL) == {}  # untouched: as is
    # Sirdal gives 45 per 1 000 children 6–15 from school: doubled, 90.
    doubled = overrides_from_sliders({"concern_scale": 2.0}, SIRDAL)
    assert doubled["arrivals"]["per_1000_per_year"]["6-15"]["school"] == 90.0
    with pytest.raises(ValueError, match="unknown sliders"):
        overrides_from_sliders({"speed": 1})
    with pytest.raises(ValueError, match="outside"):
        overrides_from_sliders({"max_logs": 9})
    with pytest.raises(ValueError, match="scenario_path"):
        overrides_from_sliders({"concern_scale": 1.5})


def test_load_view_answers_to_a_slider_and_recovers_the_arrival_rate():
    # Level 0 has no capacity limit, so by Little's law its mean load is the arrival rate
    # (concerns per week, plus the few that come down from level 1) times the mean stay of
    # six weeks: scaling the concerns by 1.5 scales it by 1.5.
    base = load_scenario(SIRDAL)
    expected = base.arrivals_per_week * base.levels[0].duration.mean_weeks
    views = {}
    for scale in (1.0, 1.5):
        overrides = overrides_from_sliders({"concern_scale": scale}, SIRDAL)
        views[scale] = load_view(SIRDAL, overrides=overrides, replications=30, lang="en")
        means = views[scale].comparison.set_index("metric")["mean"]
        assert means["active.0"] == pytest.approx(scale * expected, rel=0.1)
    before = np.asarray(views[1.0].cases_by_level.data[1].y, dtype=float)
    after = np.asarray(views[1.5].cases_by_level.data[1].y, dtype=float)
    assert not np.array_equal(before, after) and after.mean() > before.mean()


def test_load_view_is_cached_and_redrawn_per_language():
    view = load_view(SIRDAL, replications=20, lang="en")
    runs = load_module._run.cache_info()
    assert load_view(SIRDAL, replications=20, lang="en") is view
    assert load_view(str(SIRDAL), replications=20, overrides={}, lang="en") is view
    nb = load_view(SIRDAL, replications=20, lang="nb")
    assert nb is not view and load_module._run.cache_info().misses == runs.misses
    assert nb.cases_by_level.layout.title.text != view.cases_by_level.layout.title.text
    assert load_view(SIRDAL, replications=20, seed=2, lang="en") is not view


@pytest.mark.parametrize("lang", LANGS)
def test_load_view_compares_options(lang):
    view = load_view(SIRDAL, options=["no_bti"], replications=20, lang=lang)
    baseline = label("sim.baseline", lang)
    no_bti = option_name("no_bti", lang)
    assert list(view.options.columns) == [label("sim.measure", lang), baseline, no_bti]
    assert view.option_names["no_bti"] == no_bti != "no_bti"
    assert list(view.levels.index) == [label(f"level.{n}.name", lang) for n in range(4)]
    organisation = view.costs.data[0]
    assert organisation.name == label("dash.load.organisation", lang)
    fixed = organisation_cost(load_scenario(SIRDAL))["nok_per_year"].sum()
    # Sirdal: the 20 % project leader (NOK 160 000) and its groups; without BTI, none.
    assert list(organisation.y) == pytest.approx([fixed, 0.0])
    assert fixed > 160_000
    assert "no_bti" in view.available_options
    assert [t.name for t in view.waits.data] == [baseline, no_bti]
    assert view.note == label(
        "dash.load.note", lang, replications=20, seed=1, warmup=view.warmup_weeks,
        first=view.warmup_weeks + 1, last=260,
    )  # fmt: skip


def test_load_view_for_another_municipality():
    view = load_view(SIRDAL, municipality="5413", replications=5, lang="en")
    assert view.heading.startswith("Ibestad (5413)")


def test_load_view_of_each_scenario_uses_its_own_capacities():
    # The Load page once kept Tromsø's sliders (3 logs, PPT 30 h, child welfare 14 h) after a
    # switch to Sirdal (1, 3 and 5 h) and applied them as changes, so "today" was not Sirdal's
    # today. Views built one after the other each read their own file, and give the numbers
    # of `bti compare` (the same compare_options).
    from bti_workbench.simulation.run import compare_options

    own = {"tromso": ("Tromsø (5401)", 3.0, 30.0, 14.0), "sirdal": ("Sirdal (4228)", 1.0, 3.0, 5.0)}
    for path in (TROMSO, SIRDAL, TROMSO):
        view = load_view(path, replications=5, lang="en")
        place, logs, ppt, child_welfare = own[path.stem]
        assert view.heading.startswith(place)
        assert view.sliders == slider_values(path)
        assert (view.sliders["max_logs"], view.sliders["ppt_hours"]) == (logs, ppt)
        assert view.sliders["child_welfare_hours"] == child_welfare
        untouched = overrides_from_sliders(view.sliders, path)
        assert untouched == {}
        assert load_view(path, overrides=untouched, replications=5, lang="en") is view
        expected = compare_options(path, [], replications=5, seed=1)
        pd.testing.assert_frame_equal(view.comparison, expected)


def test_every_dashboard_label_exists():
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).parents[2] / "bti_workbench" / "dashboard").glob("*.py")
    )
    keys = set(re.findall(r"[\"'](dash\.[a-z0-9_.]+)[\"']", source))
    assert len(keys) > 40
    for key in keys:
        for lang in LANGS:
            assert label(key, lang)


@pytest.mark.parametrize("service", ["school", "health_station", "kindergarten"])
def test_the_new_share_cards_leave_no_small_difference_between_pages(data, service):
    # Unread logs and the young person's participation on a service's page against the page
    # of all services (the demo exports readings): both counts shown means a difference of
    # 0 or at least k, else the service's card hides them.
    from bti_workbench.dashboard.status import _counts_of, _held_by

    k = 5
    everyone = status_view(data["3807"], k=k, lang="nb")
    narrowed = status_view(data["3807"], k=k, lang="nb", service=service)
    window = narrowed.period
    log = data["3807"].event_log
    mine = _counts_of(log[_held_by(log, service, window)], window, 42)
    all_ = _counts_of(log, window, 42)
    for key, attribute in (("unread_logs", "unread"), ("young_person_participating", "young")):
        a, b = narrowed.card(key), everyone.card(key)
        assert not b.hidden  # Skien's page of all services shows both
        assert b.value == format_number(getattr(all_, attribute)[0], "nb")
        if not a.hidden:
            for m, e in zip(getattr(mine, attribute), getattr(all_, attribute), strict=True):
                assert not 1 <= e - m < k
