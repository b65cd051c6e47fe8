"""The status page's intervals, flags, period and service filters and go-live mark.

Intervals are checked against independent computations (statsmodels' Wilson interval, a
Kaplan–Meier written out in numpy from the raw log), the flag rule on made-up waits, and the
filters against counts made by hand on a small log written out below.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from bti_workbench.dashboard.status import (
    FLAGS,
    _counts_of,
    _held_by,
    status_services,
    status_view,
)
from bti_workbench.evaluation import load_evaluation
from bti_workbench.evaluation.eventarrays import event_arrays
from bti_workbench.evaluation.indicators import dropped_batons, parents_participating
from bti_workbench.evaluation.sources import EvaluationData
from bti_workbench.reference.labels import label
from bti_workbench.reference.municipality import load_municipality
from tests.evaluation.test_survival_intervals import reference_km, reference_median

NBSP = "\u00a0"


# --------------------------------------------------------------------------------------------
# A small log written out by hand


def _row(case, day, event, level, service, role="baton_holder"):
    return {
        "case_id": case,
        "event_time": pd.Timestamp(day) + pd.Timedelta(hours=10),
        "event": event,
        "level": level,
        "service": service,
        "role": role,
        "actor_id": f"A{service}",
        "age_band": "6-15",
    }


def _case(case, service, concern, opened=None, level=1, changes=(), handovers=(), **more):
    """One case: its concern, its level-0 decision and log on ``opened``, then its events."""
    rows = [_row(case, concern, "concern_raised", 0, service)]
    if opened is not None:
        rows.append(_row(case, opened, "level0_decision", 0, service))
        rows.append(_row(case, opened, "log_opened", level, service))
    for day, new_level in changes:
        rows.append(_row(case, day, "level_changed", new_level, service))
    holder, now = service, level
    for day, new_holder in handovers:
        holder = new_holder
        rows.append(_row(case, day, "baton_handover", now, holder))
    if "decided" in more:  # decided at level 0, no log
        rows.append(_row(case, more["decided"], "level0_decision", 0, service))
    if "closed" in more:
        rows.append(_row(case, more["closed"], "log_closed", level, holder))
    for day in more.get("entries", ()):
        rows.append(_row(case, day, "entry_added", level, holder))
    return rows


def small_log() -> pd.DataFrame:
    """Twenty-five cases of three services, the period 2020-01-01..2020-03-31 in mind."""
    rows = []
    for c in ("sc0a", "sc0b"):  # concerns still being clarified on 31 March
        rows += _case(c, "school", "2020-03-25")
    for c, entries in (("s1", ["2020-03-20"]), ("s2", ["2020-03-20"]), ("s3", [])):
        rows += _case(c, "school", "2020-01-06", "2020-01-10", entries=entries)
    for c in ("sf1", "sf2"):
        rows += _case(c, "school", "2020-02-10", "2020-02-12")
    for c in ("sm1", "sm2"):
        rows += _case(c, "school", "2020-03-09", "2020-03-10")
    for c in ("t1", "t2"):
        rows += _case(c, "school", "2020-01-06", "2020-01-10", changes=[("2020-02-03", 2)])
    for c in ("u1", "u2"):
        changes = [("2020-02-03", 2), ("2020-02-10", 3)]
        rows += _case(c, "school", "2020-01-06", "2020-01-10", changes=changes)
    rows += _case("g1", "kindergarten", "2020-01-08", "2020-01-13", closed="2020-02-10")
    handover = [("2020-03-02", "school")]  # and the school's entry on 31 March, the last day
    rows += _case(
        "g2", "kindergarten", "2020-01-08", "2020-01-13", handovers=handover, entries=["2020-03-31"]
    )
    for c in ("g3", "g4", "g5"):
        rows += _case(c, "kindergarten", "2020-02-03", "2020-02-05", level=2)
    # Opened by the school in October, held by the health station from December.
    rows += _case(
        "o1", "school", "2019-10-01", "2019-10-03", handovers=[("2019-12-02", "health_station")]
    )
    for c in ("h1", "h2"):
        rows += _case(c, "health_station", "2020-01-20", decided="2020-01-22")
    return pd.DataFrame(rows)


def as_data(log: pd.DataFrame, start: str, end: str, go_live: str | None = None) -> EvaluationData:
    place = load_municipality("4228")
    dates = {} if go_live is None else {"4228": pd.Timestamp(go_live)}
    return EvaluationData(
        municipality=place,
        period=(pd.Timestamp(start), pd.Timestamp(end)),
        event_log=log,
        report_form_1=pd.DataFrame(),
        report_form_2=pd.DataFrame(),
        staff_survey=pd.DataFrame(),
        progress_plan=pd.DataFrame(),
        go_live=pd.Series(dates, name="go_live", dtype="datetime64[ns]"),
        event_logs={"4228": log},
        imports=pd.DataFrame(),
        synthetic=False,
    )


@pytest.fixture(scope="module")
def small():
    return as_data(small_log(), "2020-01-01", "2020-03-31", go_live="2020-02-01")


def _raw_counts(data: EvaluationData, period, service: str | None):
    """The counts behind a page, before suppression (computation only, as the page does)."""
    window = tuple(pd.Timestamp(day) for day in period)
    log = data.event_log
    if service is not None:
        log = log[_held_by(log, service, window)]
    return _counts_of(log, window, 42)


def _today_row(view) -> dict[int, object]:
    """Open cases on ``today`` per level: the count, or None where hidden."""
    row = view.open_cases.values.loc[view.today]
    hidden = view.open_cases.hidden.loc[view.today]
    return {lv: None if hidden[lv] else int(row[lv]) for lv in range(4)}


# --------------------------------------------------------------------------------------------
# Filters


def test_service_filter_counts_the_cases_the_service_held(small):
    # Open on 31 March, counted by hand from small_log:
    #   all: level 0 sc0a sc0b = 2; level 1 s1-3 sf1-2 sm1-2 g2 o1 = 9; level 2 t1-2 g3-5 = 5;
    #        level 3 u1-2 = 2.
    #   school: g2 came to it on 2 March, o1 had left it in December: 2, 8, 2, 2.
    # March alone, so the table is the one row of 31 March and no zero of another month end
    # hides these counts.
    march = ("2020-03-01", "2020-03-31")
    everyone = status_view(small, k=2, lang="nb", period=march)
    school = status_view(small, k=2, lang="nb", period=march, service="school")
    assert _today_row(everyone) == {0: 2, 1: 9, 2: 5, 3: 2}
    raw = _raw_counts(small, march, "school")
    assert raw.open_cases.loc[pd.Timestamp("2020-03-31")].tolist() == [2, 8, 2, 2]
    # On the page the 8 is hidden: 9 − 8 would give away the one case (o1) of another service
    # (1 < k = 2). Whatever else is shown is the count by hand.
    hand = {0: 2, 1: 8, 2: 2, 3: 2}
    row = _today_row(school)
    assert row[1] is None and school.card("open_level_1").value == "×"
    assert all(count == hand[lv] for lv, count in row.items() if count is not None)
    assert sum(count is not None for count in row.values()) >= 2  # the rest is not all hidden
    assert [school.card(f"open_level_{lv}").value for lv in row if row[lv] is not None] == [
        str(row[lv]) for lv in row if row[lv] is not None
    ]
    assert school.service == "school" and everyone.service is None
    # January to March. Logs opened per month, by hand: all 9, 5, 2; the school's 8, 2, 2
    # (g2, opened in January by the kindergarten, counts: the school held it later).
    everyone = status_view(small, k=2, lang="nb")
    school = status_view(small, k=2, lang="nb", service="school")

    def months(view):
        return view.new_logs.values.loc[["2020-01", "2020-02", "2020-03"]].iloc[:, 0].tolist()

    assert months(everyone) == [9, 5, 2]
    assert _raw_counts(small, everyone.period, "school").new_logs.tolist() == [8, 2, 2]
    # 9 − 8 = 1 in January: the school's January hides (with February, so that the total
    # does not give it back); March is shown.
    assert school.new_logs.formatted("nb").loc["2020-01"].iloc[0] == "×"
    assert months(school)[2] == 2
    # Dropped batons on 31 March (no activity for more than 42 days; open logs opened more
    # than 42 days before): all s1-3 sf1-2 t1-2 u1-2 g2 g3-5 o1 = 14 at risk, 11 dropped (s1
    # and s2 had entries on 20 March, g2 its handover and an entry); the school's 10 and 7.
    # From December the school held o1 too (it opened it; the handover was on 2 December).
    december = status_view(small, k=2, service="school", period=("2019-12-01", "2020-03-31"))
    for view, (dropped, at_risk) in ((everyone, (11, 14)), (school, (7, 10)), (december, (8, 11))):
        card = view.card("dropped_batons")
        assert card.value == str(dropped)
        assert f"av {at_risk} " in card.note


def test_filtered_counts_are_suppressed(small):
    # The kindergarten held g1-g5: on 31 March g2 at level 1 (1), g3-g5 at level 2 (3).
    view = status_view(small, k=2, lang="nb", service="kindergarten")
    card = view.card("open_level_1")
    assert card.hidden and card.value == "<2"
    assert not re.search(r"(?<![\d.])1(?![\d.])", f"{card.value} {card.note}")
    assert pd.isna(view.open_cases.values.loc[view.today, 1])
    line = next(t for t in view.trends.data if t.name == label("level.1.short", "nb"))
    assert np.isnan(float(line.y[-1]))
    # Dropped batons: 3 of 4 (g3-g5 of g2-g5): the complement 1 hides both, and the interval.
    dropped = view.card("dropped_batons")
    assert dropped.hidden and dropped.interval == "" and dropped.flag == ""
    health = status_view(small, k=2, lang="en", service="health_station")
    assert health.card("open_level_1").hidden  # o1 alone
    assert health.card("open_level_1").value in {"<2", "×"}


def test_period_filter(small):
    view = status_view(small, k=2, period=("2020-02-01", "2020-02-29"))
    assert view.today == pd.Timestamp("2020-02-29")
    assert view.period == (pd.Timestamp("2020-02-01"), pd.Timestamp("2020-02-29"))
    assert list(view.new_logs.values.index[:-1]) == ["2020-02"]
    # On 29 February, by hand: level 1 s1-3 sf1-2 g2 o1 = 7; level 2 t1-2 (since 3 February)
    # and g3-5 = 5 (u1-2 are at level 3 since 10 February, g1 closed on 10 February).
    hand = {0: 0, 1: 7, 2: 5, 3: 2}  # level 3: u1-2
    row = _today_row(view)
    assert row[1] == 7  # shown; the zero at level 0 hides (and protects) others
    assert all(count == hand[lv] for lv, count in row.items() if count is not None)
    # The period's end may come as today instead. Suppression is of the table shown: with
    # January's month end in it (today alone starts the period on 1 January) other cells hide.
    same = status_view(small, k=2, today="2020-02-29", period=("2020-02-01", None))
    assert same.open_cases.formatted("en").equals(view.open_cases.formatted("en"))
    longer = status_view(small, k=2, today="2020-02-29")
    assert longer.period[0] == pd.Timestamp("2020-01-01")
    assert len(longer.open_cases.values) == len(view.open_cases.values) + 1  # + 31 January
    # An open end is today; an open start is the evaluation period's.
    open_end = status_view(small, k=2, period=("2020-02-01", None))
    assert open_end.period == (pd.Timestamp("2020-02-01"), small_log_last_day())
    with pytest.raises(ValueError, match="not the period's end"):
        status_view(small, today="2020-03-15", period=("2020-02-01", "2020-02-29"))
    with pytest.raises(ValueError, match="before the period's start"):
        status_view(small, period=("2020-03-01", "2020-02-01"))


def small_log_last_day() -> pd.Timestamp:
    return small_log()["event_time"].max().normalize()


def test_status_services_carry_ids_and_show_names(small):
    nb = status_services(small, "nb")
    assert nb == {
        "Alle tjenester": None,
        "Barnehage": "kindergarten",
        "Helsestasjon": "health_station",
        "Skole (inkl. SFO)": "school",
    }
    en = status_services(small, "en")
    assert next(iter(en)) == "All services" and set(en.values()) == set(nb.values())
    for name, sid in nb.items():
        if sid is not None:
            assert name == label(f"service.{sid}", "nb")
            view = status_view(small, k=2, service=sid, lang="nb")
            assert name in view.scope


# --------------------------------------------------------------------------------------------
# Go-live


def test_go_live_is_marked_on_both_trends_when_in_the_period(small):
    for lang, text in (("nb", "BTI innført"), ("en", "BTI go-live")):
        view = status_view(small, k=2, lang=lang)
        shapes = view.trends.layout.shapes
        assert [s.xref for s in shapes] == ["x", "x2"]
        assert all(pd.Timestamp(s.x0) == pd.Timestamp("2020-02-01") for s in shapes)
        assert all(s.line.dash == "dash" for s in shapes)
        marks = [a for a in view.trends.layout.annotations if a.text == text]
        assert [a.xref for a in marks] == ["x", "x2"]
        assert view.go_live == pd.Timestamp("2020-02-01")
    after = status_view(small, k=2, period=("2020-03-01", "2020-03-31"))
    assert after.go_live is None and not after.trends.layout.shapes
    unknown = dataclasses.replace(small, go_live=pd.Series(dtype="datetime64[ns]"))
    assert status_view(unknown, k=2).go_live is None


# --------------------------------------------------------------------------------------------
# The flag follows the interval


def _waits(days: list[int], copies: int = 1) -> EvaluationData:
    """One concern a day from 6 January 2020, each decided after the given days."""
    rows = []
    starts = pd.date_range("2020-01-06", periods=len(days) * copies, freq="D")
    for i, (start, wait) in enumerate(zip(starts, days * copies, strict=True)):
        rows.append(_row(f"c{i}", start, "concern_raised", 0, "school"))
        rows.append(_row(f"c{i}", start + pd.Timedelta(days=wait), "level0_decision", 0, "school"))
    log = pd.DataFrame(rows)
    return as_data(log, "2020-01-01", str(log["event_time"].max().date()))


@pytest.mark.parametrize(
    ("days", "copies", "flag"),
    [
        ([1, 2, 3, 4, 5, 6], 5, "ok"),  # median 3, interval well below 14
        ([20, 21, 22, 23, 24, 25], 5, "alert"),  # median 22, interval wholly above 14
        ([5, 8, 10, 12, 14, 16, 18, 20, 25, 30], 1, "uncertain"),  # the interval holds 14
    ],
)
def test_decision_flag_follows_the_median_interval(days, copies, flag):
    data = _waits(days, copies)
    view = status_view(data, k=2, lang="en")
    card = view.card("level0_decision")
    waits = np.array(days * copies, dtype=float)
    median, low, high = reference_median(waits, np.ones(len(waits), dtype=bool))
    if flag == "ok":
        assert high <= 14
    elif flag == "alert":
        assert low > 14
    else:
        assert low <= 14 < high
    assert card.flag == flag
    assert card.interval.startswith(f"{median:g} ({low:g}–")


def test_flag_on_shares_needs_a_target_and_follows_the_wilson_interval(demo):
    # Haugesund on 30 June 2020: the shares' Wilson intervals, from statsmodels.
    data = demo["1106"]
    counts = {
        "dropped_batons": dropped_batons(event_arrays(data.event_log), data.period),
        "parents_participating": parents_participating(event_arrays(data.event_log), data.period),
    }
    wilson = {
        key: proportion_confint(c.numerator, c.denominator, alpha=0.05, method="wilson")
        for key, c in counts.items()
    }
    plain = status_view(data, lang="en")
    assert {c.flag for c in plain.cards[:-1]} == {""}  # no target, no flag
    low, high = wilson["parents_participating"]
    cases = {"ok": low - 0.01, "alert": high + 0.01, "uncertain": (low + high) / 2}
    for flag, target in cases.items():
        card = status_view(data, lang="en", parents_target=target).card("parents_participating")
        assert card.flag == flag
    low, high = wilson["dropped_batons"]
    cases = {"ok": high + 0.01, "alert": low - 0.01, "uncertain": (low + high) / 2}
    for flag, target in cases.items():
        card = status_view(data, lang="en", dropped_target=target).card("dropped_batons")
        assert card.flag == flag
    assert set(FLAGS) == {"ok", "alert", "uncertain"}


# --------------------------------------------------------------------------------------------
# Intervals against independent computations, on the demo store


@pytest.fixture(scope="module")
def demo(demo_store):
    out = {}
    for code in ("1106", "3807"):
        data = load_evaluation(code, (pd.Timestamp.min, pd.Timestamp.max), store=demo_store)
        times = data.event_log["event_time"]
        out[code] = dataclasses.replace(
            data, period=(times.min().normalize(), times.max().normalize())
        )
    return out


def _wilson_text(numerator: int, denominator: int, lang: str) -> str:
    low, high = proportion_confint(numerator, denominator, alpha=0.05, method="wilson")
    share = numerator / denominator
    text = f"{100 * share:.0f} % ({100 * low:.0f}–{100 * high:.0f} %)"
    return text.replace(".", ",") if lang == "nb" else text


def _waits_from_log(log: pd.DataFrame, start: pd.Timestamp, today: pd.Timestamp):
    """Days from each concern raised in [start, today] to its decision, censored at today."""
    log = log.sort_values(["case_id", "event_time"])
    durations, events = [], []
    for _, case in log.groupby("case_id"):
        concerns = case.loc[case["event"] == "concern_raised", "event_time"].tolist()
        decisions = case.loc[case["event"] == "level0_decision", "event_time"]
        for i, raised in enumerate(concerns):
            if not start <= raised.normalize() <= today:
                continue
            following = concerns[i + 1] if i + 1 < len(concerns) else pd.Timestamp.max
            decided = decisions[(decisions >= raised) & (decisions < following)]
            decided = decided[decided.dt.normalize() <= today]
            end = decided.iloc[0].normalize() if len(decided) else today
            durations.append((end - raised.normalize()).days)
            events.append(bool(len(decided)))
    return np.array(durations, dtype=float), np.array(events)


@pytest.mark.parametrize("code", ["1106", "3807"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_intervals_agree_with_independent_computations(demo, code, lang):
    data = demo[code]
    view = status_view(data, lang=lang)
    start, today = view.period
    prepared = event_arrays(data.event_log)
    for key, count in (
        ("dropped_batons", dropped_batons(prepared, view.period)),
        ("parents_participating", parents_participating(prepared, view.period)),
    ):
        card = view.card(key)
        if card.hidden:
            assert card.interval == ""
        else:
            assert card.interval == _wilson_text(count.numerator, count.denominator, lang)
    duration, event = _waits_from_log(data.event_log, start, today)
    median, low, high = reference_median(duration, event)
    km = reference_km(duration, event)
    at_14 = km[km["time"] <= 14].iloc[-1]
    days = label("rep.days", lang)
    card = view.card("level0_decision")
    expected = f"{median:g} ({low:g}–{high:g}) {days}"
    assert card.interval == (expected.replace(".", ",") if lang == "nb" else expected)
    share = (
        f"{100 * (1 - at_14['surv']):.0f} % "
        f"({100 * (1 - at_14['high']):.0f}–{100 * (1 - at_14['low']):.0f} %)"
    )
    assert share in card.note
    assert card.flag == ("ok" if high <= 14 else "alert" if low > 14 else "uncertain")
    assert NBSP not in card.interval  # numbers below 1 000


def test_notes_state_the_rules_in_words(small):
    for lang in ("nb", "en"):
        view = status_view(small, k=2, lang=lang)
        assert isinstance(view.notes, str)
        assert label("suppression.note", lang, k=2) in view.notes
        assert label("dash.status.flag_rule", lang) in view.notes
        assert label("dash.status.intervals", lang, days=14) in view.notes


# --------------------------------------------------------------------------------------------
# A service's page beside the page of all services: no small count by differencing


def differencing_log() -> pd.DataFrame:
    """Forty-one cases of the school and two of the kindergarten, January–March 2020 in mind.

    By hand, open at the month ends (levels 0–3): the school [7, 10, 6, 7] on 31 January,
    [7, 10, 12, 7] on 29 February and [7, 10, 17, 7] on 31 March; all services the same but 12
    at level 1 from February (the kindergarten's two). Logs opened: the school 23, 6, 5; all
    23, 8, 5.
    """
    rows = []
    entries = ["2020-03-20"]  # the school follows its logs up
    for i in range(7):  # concerns still being clarified
        rows += _case(f"sw{i}", "school", "2020-01-20")
    for i in range(10):  # level 1 from January
        rows += _case(f"sa{i}", "school", "2020-01-06", "2020-01-10", entries=entries)
    for i in range(7):  # level 3 from January
        rows += _case(f"sc{i}", "school", "2020-01-06", "2020-01-10", level=3, entries=entries)
    for i in range(6):  # level 2 from January, February and March
        rows += _case(f"se{i}", "school", "2020-01-06", "2020-01-10", level=2, entries=entries)
        rows += _case(f"sb{i}", "school", "2020-02-03", "2020-02-05", level=2, entries=entries)
    for i in range(5):
        rows += _case(f"sd{i}", "school", "2020-03-02", "2020-03-04", level=2)
    for i in range(2):  # the kindergarten's two: level 1 from February, never followed up
        rows += _case(f"k{i}", "kindergarten", "2020-02-03", "2020-02-05")
    return pd.DataFrame(rows)


OPEN_SCHOOL = [[7, 10, 6, 7], [7, 10, 12, 7], [7, 10, 17, 7]]
OPEN_ALL = [[7, 10, 6, 7], [7, 12, 12, 7], [7, 12, 17, 7]]
NEW_SCHOOL, NEW_ALL = [23, 6, 5], [23, 8, 5]


def _with_totals(rows) -> np.ndarray:
    table = np.asarray(rows, dtype=float)
    if table.ndim == 1:
        return np.append(table, table.sum())[:, None]
    table = np.column_stack([table, table.sum(axis=1)])
    return np.vstack([table, table.sum(axis=0)])


def _table_equations(shape: tuple[int, int], one_way: bool) -> np.ndarray:
    """The published sums of a table whose last row (and column) hold the totals."""
    rows, cols = shape
    index = np.arange(rows * cols).reshape(shape)
    equations = []
    if one_way:
        lines = [index[:, 0].tolist()]
    else:
        lines = [
            *(index[r].tolist() for r in range(rows)),
            *(index[:, c].tolist() for c in range(cols)),
        ]
    for line in lines:
        equation = np.zeros(rows * cols)
        equation[line[:-1]] = 1
        equation[line[-1]] = -1
        equations.append(equation)
    return np.array(equations)


def _what_the_display_says(table) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of each cell from a page: the count where shown, ``<k`` in [0, k − 1], ``×`` at
    least k (only non-negativity when the page shows every hidden cell as ``×``)."""
    hidden = table.hidden.to_numpy().ravel()
    primary = table.primary.to_numpy().ravel()
    shown = table.values.to_numpy(dtype=float, na_value=np.nan).ravel()
    low, high = np.where(hidden, 0.0, shown), np.where(hidden, np.inf, shown)
    if table.kinds_shown:
        low = np.where(hidden & ~primary, float(table.k), low)
        high = np.where(hidden & primary, float(table.k - 1), high)
    return low, high


def reader_of_both_pages(narrowed, everyone, truth_narrowed, truth_everyone, one_way=False):
    """What a reader of both pages can work out, by integer programming.

    The unknowns are every cell of both tables; the reader knows each page's sums, what
    each display says, and that a service's count is at most everyone's in every cell. Gives
    for every cell of the difference (the other services' cases), and for every hidden cell
    of either page: (true value, smallest possible, largest possible).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    f = np.asarray(truth_narrowed, dtype=float).ravel()
    u = np.asarray(truth_everyone, dtype=float).ravel()
    n = f.size
    sums = _table_equations(narrowed.values.shape, one_way)
    zero = np.zeros_like(sums)
    low_f, high_f = _what_the_display_says(narrowed)
    low_u, high_u = _what_the_display_says(everyone)
    low = np.concatenate([low_f, low_u])
    high = np.minimum(np.concatenate([high_f, high_u]), 10 * u.sum() + 10)
    truth = np.concatenate([f, u])
    assert (low <= truth).all() and (truth <= high).all()  # the pages tell the truth
    constraints = [
        LinearConstraint(np.block([[sums, zero], [zero, sums]]), 0, 0),
        LinearConstraint(np.hstack([np.eye(n), -np.eye(n)]), -np.inf, 0),  # part of all
    ]

    def extent(objective):
        ends = []
        for sign in (1.0, -1.0):
            res = milp(
                sign * objective,
                constraints=constraints,
                integrality=np.ones(2 * n),
                bounds=Bounds(low, high),
            )
            assert res.status == 0, res.message
            ends.append(round(sign * res.fun))
        return tuple(ends)

    found = {}
    columns = narrowed.values.shape[1]
    hidden = (narrowed.hidden.to_numpy().ravel(), everyone.hidden.to_numpy().ravel())
    for j in range(n):
        cell = divmod(j, columns)
        objective = np.zeros(2 * n)
        objective[[j, n + j]] = [-1.0, 1.0]
        found["others", cell] = (u[j] - f[j], *extent(objective))
        for page, offset, values in (("narrowed", 0, f), ("everyone", n, u)):
            if hidden[offset // n][j]:
                objective = np.zeros(2 * n)
                objective[offset + j] = 1.0
                found[page, cell] = (values[j], *extent(objective))
    return found


def _disclosed(found: dict, k: int) -> list:
    """The cells a reader pins: a hidden cell of either page, or 1 to k − 1 other cases."""
    return [
        (key, truth)
        for key, (truth, low, high) in found.items()
        if low == high and (key[0] != "others" or 1 <= truth < k)
    ]


@pytest.fixture(scope="module")
def differencing():
    return as_data(differencing_log(), "2020-01-01", "2020-03-31")


def test_a_service_count_two_below_everyone_s_is_hidden_and_cannot_be_worked_out(
    differencing,
):
    k, period = 5, ("2020-01-01", "2020-03-31")
    everyone = status_view(differencing, k=k, lang="nb", period=period)
    school = status_view(differencing, k=k, lang="nb", period=period, service="school")
    today = pd.Timestamp("2020-03-31")
    # The raw counts are the ones by hand: 12 − 10 = 2 kindergarten cases at level 1.
    raw = _raw_counts(differencing, everyone.period, "school")
    assert raw.open_cases.to_numpy().tolist() == OPEN_SCHOOL
    assert _raw_counts(differencing, everyone.period, None).open_cases.to_numpy().tolist() == (
        OPEN_ALL
    )
    # Everyone's 12 is shown; the school's 10 is not, and reads "×" (10 is not small).
    assert everyone.card("open_level_1").value == "12"
    card = school.card("open_level_1")
    assert card.hidden and card.value == "×"
    assert school.open_cases.formatted("nb").loc[today, 1] == "×"
    assert bool(school.open_cases.secondary.loc[today, 1])
    assert not bool(school.open_cases.primary.loc[today, 1])
    line = next(t for t in school.trends.data if t.name == label("level.1.short", "nb"))
    assert np.isnan(float(line.y[-1]))  # nor drawn
    # New logs in February: everyone's 8 shown, the school's 6 hidden (8 − 6 = 2).
    assert everyone.new_logs.formatted("nb").loc["2020-02"].iloc[0] == "8"
    assert school.new_logs.formatted("nb").loc["2020-02"].iloc[0] == "×"
    assert np.isnan(float(school.trends.data[0].y[1]))
    # Nothing on the two pages lets a reader work out the 2, or any hidden count.
    for name, narrowed, full, one_way in (
        ("open_cases", OPEN_SCHOOL, OPEN_ALL, False),
        ("new_logs", NEW_SCHOOL, NEW_ALL, True),
    ):
        found = reader_of_both_pages(
            getattr(school, name),
            getattr(everyone, name),
            _with_totals(narrowed),
            _with_totals(full),
            one_way,
        )
        assert _disclosed(found, k) == [], name
        twos = [key for key, (truth, _, _) in found.items() if key[0] == "others" and truth == 2]
        assert twos, name  # the 2 is there to find …
        assert all(found[key][1] < found[key][2] for key in twos)  # … and is not found
    # Dropped batons: all services 2 of 31 (the kindergarten's), the school 0 of 29. 31 − 29
    # would give the 2 away: the school's counts and share are hidden (its 0 is small itself).
    dropped = school.card("dropped_batons")
    assert dropped.hidden and dropped.value == "<5" and dropped.interval == ""
    assert "29" not in dropped.note and "×" in dropped.note
    # The median: the kindergarten raised 2 of the 43 concerns. Not shown, and said why.
    decision = school.card("level0_decision")
    assert decision.value == "–" and decision.hidden and decision.interval == ""
    assert decision.note == label("dash.card.decision.service_hidden", "nb", k=k, days=14)
    assert everyone.card("level0_decision").value != "–"  # shown for all services
    assert label("dash.status.service_difference", "nb", k=k) in school.notes
    assert label("dash.status.service_difference", "nb", k=k) not in everyone.notes


def test_the_english_page_says_so_in_english(differencing):
    school = status_view(differencing, k=5, lang="en", service="school", today="2020-03-31")
    note = school.card("level0_decision").note
    assert note == label("dash.card.decision.service_hidden", "en", k=5, days=14)
    assert "other services" in note and "other services" in school.notes


@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("period", [None, ("2020-03-01", "2020-03-31")])
@pytest.mark.parametrize("service", ["school", "kindergarten", "health_station"])
def test_no_reader_of_both_pages_pins_a_count(small, k, period, service):
    everyone = status_view(small, k=k, period=period)
    narrowed = status_view(small, k=k, period=period, service=service)
    window = narrowed.period
    mine, all_ = _raw_counts(small, window, service), _raw_counts(small, window, None)
    for name, one_way in (("open_cases", False), ("new_logs", True)):
        found = reader_of_both_pages(
            getattr(narrowed, name),
            getattr(everyone, name),
            _with_totals(getattr(mine, name).to_numpy()),
            _with_totals(getattr(all_, name).to_numpy()),
            one_way,
        )
        assert _disclosed(found, k) == [], name
    # The shares: where both pages show a count, the difference is 0 or at least k.
    shares = {
        "dropped_batons": "dropped",
        "parents_participating": "parents",
        "young_person_participating": "young",
        "unread_logs": "unread",
    }
    for key, attribute in shares.items():
        if getattr(all_, attribute) is None:  # no readings in the export: no card at all
            assert key not in [c.key for c in everyone.cards + narrowed.cards]
            continue
        a, b = narrowed.card(key), everyone.card(key)
        if not a.hidden and not b.hidden:
            mine_count, all_count = getattr(mine, attribute), getattr(all_, attribute)
            for m, e in zip(mine_count, all_count, strict=True):
                assert not 1 <= e - m < k
    waits = len(all_.waits) - len(mine.waits)
    assert (narrowed.card("level0_decision").value == "–") or not 1 <= waits < k
