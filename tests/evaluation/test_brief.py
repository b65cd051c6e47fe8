"""The one-page brief: periods, the comparison with the period before, the decision rules
and suppression, on small hand-counted event logs."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from bti_workbench._util.numbers import format_number, format_share
from bti_workbench.evaluation import EvaluationData, brief_display, build_brief, trend_figure
from bti_workbench.evaluation.brief import (
    Target,
    brief_period,
    new_logs,
    previous_period,
    rate_ratio,
)
from bti_workbench.evaluation.proportions import newcombe_interval, wilson_interval
from bti_workbench.reference.labels import label
from bti_workbench.reference.municipality import load_municipality

CURRENT = (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))
PREVIOUS = (pd.Timestamp("2019-07-01"), pd.Timestamp("2019-12-31"))


def ev(case: str, when: object, event: str, level: int = 0) -> dict:
    return {
        "case_id": case,
        "event_time": pd.Timestamp(when),
        "event": event,
        "level": level,
        "role": "baton_holder",
        "actor_id": "h1",
    }


def concerns(prefix: str, first: str, n: int, quick: int, late_days: int = 30) -> list[dict]:
    """``n`` concerns three days apart from ``first``; the first ``quick`` decided after 3
    days (within 14), the rest after ``late_days``."""
    rows = []
    for i in range(n):
        raised = pd.Timestamp(first) + pd.Timedelta(days=3 * i)
        wait = 3 if i < quick else late_days
        rows += [
            ev(f"{prefix}{i}", raised, "concern_raised"),
            ev(f"{prefix}{i}", raised + pd.Timedelta(days=wait), "level0_decision"),
        ]
    return rows


def logs_opened(prefix: str, per_month: dict[str, int]) -> list[dict]:
    """``per_month[yyyy-mm]`` logs opened on the 5th, 6th, … of that month."""
    rows = []
    for month, n in per_month.items():
        for i in range(n):
            day = pd.Timestamp(f"{month}-05") + pd.Timedelta(days=i)
            rows.append(ev(f"{prefix}{month}-{i}", day, "log_opened", level=1))
    return rows


def as_data(
    rows: list[dict],
    period: tuple[str, str] = ("2019-07-01", "2020-06-30"),
    go_live: str | None = "2019-01-01",
    plan: pd.DataFrame | None = None,
) -> EvaluationData:
    log = pd.DataFrame(rows).sample(frac=1, random_state=3).reset_index(drop=True)
    dates = {} if go_live is None else {"4228": pd.Timestamp(go_live)}
    return EvaluationData(
        municipality=load_municipality("4228"),
        period=(pd.Timestamp(period[0]), pd.Timestamp(period[1])),
        event_log=log,
        report_form_1=pd.DataFrame(),
        report_form_2=pd.DataFrame(),
        staff_survey=pd.DataFrame(),
        progress_plan=pd.DataFrame() if plan is None else plan,
        go_live=pd.Series(dates, name="go_live", dtype="datetime64[ns]"),
        event_logs={"4228": log},
        imports=pd.DataFrame(),
        synthetic=False,
    )


def worse_log() -> list[dict]:
    """Previous half-year: 35 of 40 concerns decided within 14 days and 30 new logs (5 a
    month); this half-year: 20 of 40, and 10 new logs (2, 2, 2, 2, 1, 1).

    (40 of 40 would not do: the 0 concerns decided late are below k, so the share hides.)"""
    previous_logs = {f"2019-{m:02d}": 5 for m in range(7, 13)}
    current_logs = dict(
        zip([f"2020-{m:02d}" for m in range(1, 7)], [2, 2, 2, 2, 1, 1], strict=True)
    )
    return (
        concerns("p", "2019-07-01", 40, 35)
        + concerns("c", "2020-01-02", 40, 20)
        + logs_opened("lp", previous_logs)
        + logs_opened("lc", current_logs)
    )


def plan(*rows: tuple[str, str, str, str | None]) -> pd.DataFrame:
    """A progress plan from (activity, deadline, status, done date) rows."""
    return pd.DataFrame(
        {
            "activity": [r[0] for r in rows],
            "when": ["JAN"] * len(rows),
            "what": [f"Aktivitet {r[0]}" for r in rows],
            "deadline": pd.to_datetime([r[1] for r in rows]),
            "status": [r[2] for r in rows],
            "done_date": pd.to_datetime([r[3] for r in rows]),
        }
    )


# --------------------------------------------------------------------------------------------
# Periods


def test_the_default_period_is_the_last_six_whole_months():
    assert brief_period("2020-06-30") == CURRENT
    assert brief_period("2020-06-29") == (pd.Timestamp("2019-12-01"), pd.Timestamp("2020-05-31"))
    # Never before the first whole month the data hold.
    start, _ = brief_period("2020-06-30", 6, "2020-02-10")
    assert start == pd.Timestamp("2020-03-01")
    with pytest.raises(ValueError, match="no whole calendar month"):
        brief_period("2020-06-29", 6, "2020-06-02")


def test_the_previous_period_has_equal_length():
    assert previous_period(CURRENT) == PREVIOUS
    three = previous_period(("2020-04-01", "2020-06-30"))
    assert three == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-03-31"))
    days = previous_period(("2020-03-10", "2020-03-24"))  # 15 days, not whole months
    assert days == (pd.Timestamp("2020-02-24"), pd.Timestamp("2020-03-09"))
    assert (days[1] - days[0]).days == 14


def test_the_ratio_of_two_rates_rests_on_the_wilson_interval():
    ratio, low, high = rate_ratio(30, 10, 184, 182)
    assert ratio == pytest.approx((10 / 182) / (30 / 184))
    wl, wh = (float(v) for v in wilson_interval(10, 40))
    assert low == pytest.approx(wl / (1 - wl) * 184 / 182)
    assert high == pytest.approx(wh / (1 - wh) * 184 / 182)
    assert low < ratio < high < 1
    assert np.isnan(rate_ratio(0, 0)[0])
    assert rate_ratio(0, 7)[0] == np.inf


# --------------------------------------------------------------------------------------------
# The comparison with the previous period


def test_the_change_against_the_previous_period_by_hand():
    brief = build_brief(as_data(worse_log()), k=5, months=6)
    assert brief.period == CURRENT and brief.previous == PREVIOUS
    assert brief.comparison == "comparable"
    raw = brief.indicators.raw.loc["level0_decision_14d"].tolist()
    assert raw == [20, 40]
    assert brief.previous_indicators.raw.loc["level0_decision_14d"].tolist() == [35, 40]
    change = brief.changes.loc["level0_decision_14d"]
    expected = newcombe_interval(35, 40, 20, 40)
    assert (change["previous"], change["current"]) == (0.875, 0.5)
    assert [change["change"], change["low"], change["high"]] == pytest.approx(list(expected))
    logs = brief.changes.loc["new_logs"]
    assert (logs["previous"], logs["current"]) == (30, 10)
    ratio, low, high = rate_ratio(30, 10, 184, 182)
    assert [logs["change"], logs["low"], logs["high"]] == pytest.approx(
        [ratio - 1, low - 1, high - 1]
    )


def test_no_comparison_without_data_or_before_go_live():
    # The data begin in September: the previous half-year (from July) is not covered.
    late_start = [r for r in worse_log() if r["event_time"] >= pd.Timestamp("2019-09-01")]
    brief = build_brief(as_data(late_start, ("2019-09-01", "2020-06-30")), months=6)
    assert brief.comparison == "no_data"
    assert brief.previous_new_logs is None and brief.previous_indicators is None
    assert brief.changes[["previous", "change"]].isna().all().all()
    view = brief_display(brief, "nb")
    assert view.change is None
    assert view.change_note == label("brief.change.no_data", "nb", previous="01.07.2019–31.12.2019")
    # Go-live inside the previous period: shown in the trend, not compared.
    brief = build_brief(as_data(worse_log(), go_live="2019-09-01"), months=6)
    assert brief.comparison == "before_go_live"
    assert brief.previous_new_logs is not None and brief.previous_indicators is None
    assert not [d for d in brief.decisions if d.rule in ("worse", "fewer_logs")]
    assert "01.09.2019" in brief_display(brief, "en").change_note


# --------------------------------------------------------------------------------------------
# The decision rules


def test_a_worsening_whose_interval_excludes_zero_needs_a_decision():
    brief = build_brief(as_data(worse_log()), k=5, months=6)
    rules = {(d.rule, d.figure) for d in brief.decisions}
    assert ("worse", "level0_decision_14d") in rules
    assert ("fewer_logs", "new_logs") in rules
    # 50 % (Wilson 35–65 %) is not clearly below the 50 % target: the target rule is silent.
    assert ("target", "level0_decision_14d") not in rules
    # Parents and the young person had no meeting: 0 of 0 is hidden, so those two changes
    # could not be checked; the brief says so rather than calling them fine.
    assert brief.unchecked == 2
    items = brief_display(brief, "nb").decisions["items"]
    assert "**Bekymringer avklart innen 14 dager** har gått ned fra 88 % til 50 %" in items
    assert label("brief.decision.unchecked", "nb", n=2, k=5) in items


def test_no_decision_when_the_change_could_be_chance():
    # 27 of 40 against 30 of 40: Newcombe's interval holds 0.
    rows = concerns("p", "2019-07-01", 40, 30) + concerns("c", "2020-01-02", 40, 27)
    rows += logs_opened("lp", {"2019-08": 12}) + logs_opened("lc", {"2020-02": 11})
    brief = build_brief(as_data(rows), months=6)
    d, low, high = newcombe_interval(30, 40, 27, 40)
    assert d < 0 and low < 0 < high
    assert brief.decisions == ()
    view = brief_display(brief, "en")
    assert view.decisions["items"].startswith(f"- {label('brief.decision.none', 'en')}")


def test_a_share_clearly_on_the_wrong_side_of_its_target():
    brief = build_brief(as_data(worse_log()), months=6)
    found = build_brief(
        as_data(worse_log()), months=6, targets={"level0_decision_14d": Target(0.8, "higher")}
    )
    target = [d for d in found.decisions if d.rule == "target"]
    assert [d.figure for d in target] == ["level0_decision_14d"]
    low, high = (float(v) for v in wilson_interval(20, 40))
    assert target[0].values["high"] == pytest.approx(high) and high < 0.8
    sentence = brief_display(found, "nb").decisions["items"]
    assert f"er 50 % (95 % KI {format_number(100 * low, 'nb')}–{format_share(high, 'nb')})" in (
        sentence
    )
    assert "minst 80 %" in sentence
    # At most 30 %: the whole interval (35–65 %) lies above it.
    above = build_brief(
        as_data(worse_log()), months=6, targets={"level0_decision_14d": Target(0.3, "lower")}
    )
    assert [d.values["better"] for d in above.decisions if d.rule == "target"] == ["lower"]
    # At most 40 %: the interval holds it, nothing fires.
    holds = build_brief(
        as_data(worse_log()), months=6, targets={"level0_decision_14d": Target(0.4, "lower")}
    )
    assert not [d for d in holds.decisions if d.rule == "target"]
    assert not [d for d in brief.decisions if d.rule == "target"]


def test_late_activities_in_the_progress_plan():
    late = plan(
        ("A1", "2019-10-01", "done", "2019-09-20"),
        ("A2", "2020-03-01", "planned", None),  # deadline passed, not done: late
        ("A3", "2020-09-01", "planned", None),  # still open
        ("A4", "2020-05-01", "done", "2020-08-01"),  # done after the period: late then
    )
    brief = build_brief(as_data(worse_log(), plan=late), months=6)
    found = [d for d in brief.decisions if d.rule == "plan_late"]
    assert len(found) == 1 and found[0].values["n"] == 2
    assert [a[0] for a in found[0].values["activities"]] == ["A2", "A4"]
    assert brief.as_of == CURRENT[1]
    items = brief_display(brief, "nb").decisions["items"]
    assert "**2 aktiviteter i framdriftsplanen er forsinket**" in items
    assert "A2 «Aktivitet A2» (frist 01.03.2020)" in items
    on_time = plan(
        ("A1", "2019-10-01", "done", "2019-09-20"), ("A3", "2020-09-01", "planned", None)
    )
    brief = build_brief(as_data(worse_log(), plan=on_time), months=6)
    assert not [d for d in brief.decisions if d.rule == "plan_late"]


# --------------------------------------------------------------------------------------------
# Suppression


def test_new_logs_per_month_pass_the_gate():
    table = new_logs(pd.DataFrame(worse_log()), CURRENT, k=5)
    assert table.hidden.drop(index="total").to_numpy().all()  # 2, 2, 2, 2, 1, 1
    assert table.values.loc["total", "n"] == 10  # the total alone is not small
    assert table.formatted("nb")["n"].tolist() == ["<5"] * 6 + ["10"]


def test_hidden_figures_are_never_shown_or_judged():
    # Three concerns, none decided within 14 days, and 3 new logs: all below k = 5.
    rows = concerns("c", "2020-02-01", 3, 0) + logs_opened("l", {"2020-03": 3})
    rows += concerns("p", "2019-07-01", 3, 3)
    brief = build_brief(
        as_data(rows), k=5, months=6, targets={"level0_decision_14d": Target(0.9, "higher")}
    )
    assert brief.hidden_figures == brief.figures  # every headline figure is hidden
    assert brief.decisions == ()  # 0 of 3 would fire the target rule, but it is hidden
    assert brief.unchecked == 1 + 4  # the target, and every change (new logs, 3 shares)
    view = brief_display(brief, "nb")
    assert view.notes == [label("brief.note.all_hidden", "nb", k=5)]
    headline = view.headline.set_index(label("rep.col.what", "nb"))
    row = headline.loc[label("brief.name.level0_decision_14d", "nb")]
    assert row[label("rep.col.figure", "nb")] == "skjult"
    basis = row[label("brief.col.basis", "nb")]  # marks only, never the count
    assert re.fullmatch(r"(<5|×) av (<5|×)", basis)
    assert headline.loc[label("brief.name.new_logs", "nb"), label("rep.col.figure", "nb")] == (
        "skjult"
    )
    text = view.headline.to_string() + view.change.to_string() + view.decisions["items"]
    assert " 3 " not in text and "0 %" not in text
    fig = trend_figure(brief, "nb")
    bars = [t for t in fig.data if t.type == "bar"]
    assert all(np.isnan(np.asarray(t.y, dtype=float)).all() for t in bars)
    marks = [m for t in fig.data if t.type == "scatter" for m in t.text]
    assert marks and set(marks) <= {"<5", "×"}
    assert label("brief.trend.all_hidden", "nb", k=5) in {a.text for a in fig.layout.annotations}


def test_the_trend_draws_shown_months_and_marks_hidden_ones():
    brief = build_brief(as_data(worse_log()), k=5, months=6)
    fig = trend_figure(brief, "en")
    bars = {t.name: np.asarray(t.y, dtype=float) for t in fig.data if t.type == "bar"}
    assert bars[label("brief.trend.previous", "en")].tolist() == [5.0] * 6
    assert np.isnan(bars[label("brief.trend.current", "en")]).all()
    assert fig.layout.height == 230
    assert fig.layout.separators == ".,"


def test_the_headline_reads_in_both_languages():
    brief = build_brief(as_data(worse_log()), k=5, months=6)
    nb = brief_display(brief, "nb")
    en = brief_display(brief, "en")
    figures = nb.headline[label("rep.col.figure", "nb")].tolist()
    assert figures[:2] == ["10", "50 %"]
    low, high = (float(v) for v in wilson_interval(20, 40))
    interval = f"{format_number(100 * low, 'en')}–{format_share(high, 'en')}"
    assert en.headline[label("rep.col.ci", "en")].tolist()[1] == interval
    assert nb.headline[label("brief.col.basis", "nb")].tolist()[1] == "20 av 40"
    change = nb.change.set_index(label("rep.col.what", "nb"))[label("brief.col.change", "nb")]
    d, lo, hi = newcombe_interval(35, 40, 20, 40)
    points = label(
        "brief.change.points",
        "nb",
        change=format_number(100 * d, "nb", sign=True),
        low=format_number(100 * lo, "nb", sign=True),
        high=format_number(100 * hi, "nb", sign=True),
    )
    assert change[label("brief.name.level0_decision_14d", "nb")] == points
    assert nb.title == {"place": "Sirdal", "number": "4228", "period": "01.01.2020–30.06.2020"}
    assert en.method["k"] == 5 and "50 %" in en.method["targets"]
