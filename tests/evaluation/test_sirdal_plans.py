"""Sirdal's two shipped progress plans: they read through the contract and match the seed.

The first plan covers January–June 2018, the second August 2018–June 2019; both are tables
in Sirdal's "BTI Sirdal – Mål, organisering og implementering" (../shared/seeds/002_*.txt).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from bti_workbench.ingest.readers import read, read_progress_plan

REPO = Path(__file__).resolve().parents[2]
PLANS = REPO / "data" / "progress_plan"
FIRST = PLANS / "sirdal_2018_h1.csv"
SECOND = PLANS / "sirdal_2018_2019.csv"
SEEDS = REPO.parent / "shared" / "seeds"
SECOND_HEADING = "FRAMDRIFTSPLAN AUGUST 2018 – JUNI 2019"

# Hand count of the seed's second table, month by month (rows under each month heading,
# continuation rows without a month included): 1 + 2 + 2 + 4 + 2 + 1 + 1 + 3 + 1 + 1 + 1 = 19.
SECOND_BY_MONTH = {
    "AUGUST": 1,
    "SEPTEMBER": 2,
    "OKTOBER": 2,
    "NOVEMBER": 4,
    "DESEMBER": 2,
    "JANUAR": 1,
    "FEBRUAR": 1,
    "MARS": 3,
    "APRIL": 1,
    "MAI": 1,
    "JUNI": 1,
}
SECOND_ACTIVITIES = 19
MONTH_NUMBER = dict(zip(SECOND_BY_MONTH, [8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6], strict=True))


@pytest.fixture(scope="module")
def second() -> pd.DataFrame:
    """The second plan, read through the contract."""
    return read(SECOND, "progress-plan")


@pytest.fixture(scope="module")
def seed_rows() -> list[list[str]]:
    """The seed's second table as rows of [når, hva, hvem, tidsfrist, ansvar] cells.

    Skipped when ../shared is absent, unless ``BTI_REQUIRE_SHARED`` is set.
    """
    found = [p for p in sorted(SEEDS.glob("*.txt")) if SECOND_HEADING in p.read_text("utf-8")]
    if not found:
        if os.environ.get("BTI_REQUIRE_SHARED"):
            pytest.fail(f"BTI_REQUIRE_SHARED is set but no seed in {SEEDS} has the second plan")
        pytest.skip("../shared/seeds with Sirdal's plans is absent")
    text = found[0].read_text("utf-8").split(SECOND_HEADING, 1)[1]
    lines = [line for line in text.splitlines() if line.count("\t") == 4]
    assert lines[0].split("\t") == ["Når", "Hva", "Hvem", "Tidsfrist", "Ansvar"]
    return [line.split("\t") for line in lines[1:]]


@pytest.mark.parametrize("path", [FIRST, SECOND], ids=["2018_h1", "2018_2019"])
def test_shipped_plan_reads_through_the_contract(path):
    plan = read(path, "progress-plan")
    assert plan.attrs["kind"] == "progress_plan"
    assert plan.attrs["synthetic"] is False
    assert plan.attrs["warnings"] == []
    pd.testing.assert_frame_equal(plan, read_progress_plan(path))
    assert plan["activity"].is_unique
    assert plan["deadline"].notna().all()
    assert plan["phase"].between(1, 5).all()
    # Neither source reports a completion: every activity is planned, none has a done date.
    assert (plan["status"] == "planned").all()
    assert plan["done_date"].isna().all()


def test_the_two_plans_use_different_activity_ids():
    first, second = read(FIRST, "progress-plan"), read(SECOND, "progress-plan")
    assert first["activity"].str.fullmatch(r"A\d{2}").all()
    assert second["activity"].str.fullmatch(r"B\d{2}").all()
    assert set(first["activity"]).isdisjoint(second["activity"])


def test_second_plan_has_the_seeds_number_of_activities(second):
    assert len(second) == SECOND_ACTIVITIES == sum(SECOND_BY_MONTH.values())
    assert second["activity"].is_unique
    assert second["activity"].tolist() == [f"B{i:02d}" for i in range(1, SECOND_ACTIVITIES + 1)]
    assert second["when"].value_counts().to_dict() == SECOND_BY_MONTH


def test_second_plan_deadlines_lie_in_its_period(second):
    # No row of the seed's table falls outside August 2018–June 2019, so no exception.
    deadline = pd.to_datetime(second["deadline"])
    assert deadline.between(pd.Timestamp(2018, 8, 1), pd.Timestamp(2019, 6, 30)).all()
    # Each deadline falls in the month the row stands under: 2018 for August–December,
    # 2019 for January–June.
    month = second["when"].map(MONTH_NUMBER)
    assert (deadline.dt.month == month).all()
    assert (deadline.dt.year == month.ge(8).map({True: 2018, False: 2019})).all()


def test_second_plan_dates_follow_their_wording(second):
    # The wordings that are not a single "dd.mm", and the (day, month) each was read as.
    two_days = {"6.+7.11": (7, 11), "7.12 + 19.12": (19, 12)}  # the last of the days named
    deadline = pd.to_datetime(second["deadline"])
    others = set()
    for text, day in zip(second["deadline_text"], deadline, strict=True):
        single = re.fullmatch(r"(\d{1,2})\.(\d{2})", text)
        if single:  # "31.08": that day
            assert (day.day, day.month) == (int(single[1]), int(single[2])), text
            continue
        others.add(text)
        if text == "Ila mnd":  # i løpet av måneden: the month's last day
            assert day.is_month_end, text
        else:
            assert (day.day, day.month) == two_days[text], text
    assert others == {"Ila mnd", *two_days}


def test_second_plan_is_the_seeds_table(second, seed_rows):
    assert len(seed_rows) == len(second) == SECOND_ACTIVITIES
    month = ""
    for cells, (_, row) in zip(seed_rows, second.iterrows(), strict=True):
        when, what, who, deadline_text, responsible = cells
        month = when or month  # a row without a month stands under the one above
        assert row["when"] == month
        assert row["what"] == what
        assert row["deadline_text"] == deadline_text
        # Cells the seed leaves empty are filled as the file's header says; the rest verbatim.
        assert row["who"] == (who or "Driftsstyre")
        assert row["responsible"] == (responsible or "Prosjektleder")
        if not (who and responsible):
            assert what == "Driftsstyremøte"
