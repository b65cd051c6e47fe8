"""Unread logs: participants brought into a log who did not read it (``log_read``)."""

from __future__ import annotations

import pytest

from bti_workbench.evaluation.indicators import indicator_table
from bti_workbench.evaluation.log_reading import reads_exported, unread_logs
from bti_workbench.evaluation.proportions import IndicatorCount
from bti_workbench.reference.labels import label
from tests.evaluation.test_indicators import Q1, _replicate, ev, frame

READ_LOG = frame(
    *[ev(c, "2017-12-01", "log_opened") for c in "abcdefgh"],
    ev("a", "2018-01-10", "meeting_held", "participant", "p1"),
    ev("a", "2018-01-24 18:00", "log_read", "participant", "p1"),  # day 14: in time
    ev("b", "2018-01-10", "meeting_held", "participant", "p2"),
    ev("b", "2018-01-25", "log_read", "participant", "p2"),  # day 15: too late
    ev("c", "2018-01-10", "meeting_held", "participant", "p3"),  # never reads …
    ev("c", "2018-01-11", "log_read", "participant", "p4"),  # … another's reading is theirs
    ev("d", "2018-03-20", "meeting_held", "participant", "p5"),  # 14 days not passed
    ev("e", "2018-02-01", "meeting_held", "participant", "p6"),
    ev("e", "2018-02-05", "log_closed"),  # closed before p6 read: nothing left to read
    ev("f", "2017-12-15", "meeting_held", "participant", "p7"),  # brought in before Q1
    ev("f", "2018-02-01", "meeting_held", "participant", "p7"),
    ev("g", "2018-03-17", "meeting_held", "participant", "p8"),  # day 14 is 31 March
    ev("h", "2018-01-10", "meeting_held", "parent", "f1"),  # a parent, not a service
    ev("h", "2018-01-10", "meeting_held", "participant", " "),  # nobody named
    ev("i", "2018-01-10", "meeting_held", "participant", "p9"),  # no log
    ev("a", "2018-01-10", "log_read", "participant", "p2"),  # p2 read a, not b
)


def test_unread_logs_by_hand():
    # Brought into a log in Q1 with 14 days passed by 31 March: p1 (a), p2 (b), p3 and p4
    # (c), p8 (g) = 5 (p5 too recent, p6's log closed first, p7 before Q1, the parent, the
    # unnamed and the log-less not counted). p2 in a read a on day 0, so p2 is brought into
    # a as well: 6. Not read within 14 days: p2 in b (day 15), p3, p8 = 3 of 6.
    assert unread_logs(READ_LOG, Q1) == IndicatorCount(3, 6)
    # 20 days: p2 in b reads in time; p8's 20 days have not passed; p5 neither: p3 = 1 of 5.
    assert unread_logs(READ_LOG, Q1, read_days=20) == IndicatorCount(1, 5)


def test_reads_exported_decides_whether_the_row_is_shown():
    assert reads_exported(READ_LOG)
    no_reads = READ_LOG[READ_LOG["event"] != "log_read"]
    assert not reads_exported(no_reads)
    # Without log_read rows every participant would look unread: the table leaves it out.
    assert unread_logs(no_reads, Q1).numerator == unread_logs(no_reads, Q1).denominator
    assert "unread_logs" not in indicator_table(no_reads, period=Q1).values.index


def test_unread_logs_in_the_table_with_a_wilson_interval():
    table = indicator_table(_replicate(READ_LOG, 10), period=Q1)
    assert table.raw.loc["unread_logs"].tolist() == [30, 60]
    row = table.values.loc["unread_logs"]
    # Wilson 95 % for 30 of 60: centre 0.5, half-width z√(0.25/60 + z²/14400)/(1 + z²/60)
    # = 1.959964 × 0.066584 / 1.064024 = 0.122650 → 0.377350–0.622650.
    assert row["ci_low"] == pytest.approx(0.377350, abs=1e-5)
    assert row["ci_high"] == pytest.approx(0.622650, abs=1e-5)
    for lang in ("nb", "en"):
        assert label("ind.unread_logs", lang) and label("ind.unread_logs.definition", lang)
    # Small counts are hidden like every other row's: 3 of 6 shows "<5" of 6 and no share.
    small = indicator_table(READ_LOG, period=Q1).formatted("en").loc["unread_logs"]
    assert small[["numerator", "denominator", "share", "ci"]].tolist() == ["<5", "6", "", ""]
