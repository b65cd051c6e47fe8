"""Free-text warnings: names with addresses, e-mail addresses and phone numbers, never echoed."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import yaml

from bti_workbench._util.resources import data_dir, resource
from bti_workbench.errors import Problem
from bti_workbench.privacy import free_text_columns, free_text_warnings
from bti_workbench.reference.labels import catalogue
from bti_workbench.reference.municipality import load_municipality
from bti_workbench.synthetic.demo import DEMO_FILES, DEMO_STORE, generate_demo

EMAILS = [
    "kari.nordmann@sirdal.kommune.no",
    "Send referatet til ola@example.no i dag",
    "øystein.ås@kommune.no",
]
PHONES = [
    "41234567",
    "412 34 567",
    "41 23 45 67",
    "+47 41 23 45 67",
    "+4741234567",
    "0047 412 34 567",
    "Ring mor på 912 34 567.",
    "912\u00a034\u00a0567",  # no-break spaces, as Excel and Word write them
    "tlf: 38 37 90 00",
]
NAMES_WITH_ADDRESSES = [
    "Kari Nordmann, Storgata 5",
    "Ola Hansen bor i Fjellveien 12B",
    "Anne-Lise Berg, Kongens gate 3",
    "Far Per Ås bor i Sirdalsvegen 4",
    "Mor: Kari Nordmann, Parkveien 1 a",
    "Per Olsen, 4440 Tonstad",
    "Storgata 5, 4440 Tonstad",  # a full postal address, without a name
    "Kari Nordmann\nTonstadveien 28\n4440 Tonstad",
]
NEGATIVES = [
    # dates
    "25.01.2018",
    "2018-01-25",
    "20180125",
    "25012018",
    "Periode 01.02.2018–28.02.2018",
    "kick-off kl. 17–20",
    "Uke 10",
    # amounts and counts
    "12 345 678 kr",
    "45000000 kr",
    "kr 45000000",
    "1 234 567,50",
    "45000000,50",
    "2 timer per uke i 8 uker",
    # kommunenummer, organisation numbers, case numbers, technical ids
    "4228",
    "4228 Sirdal",
    "Haugesund 1106 og Skien 3807",
    "964 964 165",
    "964964165",
    "Saksnr. 2018/12345678",
    "22222222-dddd-eeee-ffff",
    "max-age=31536000",
    "Ring 113 ved akutt fare",
    # pseudonyms
    "c-00123",
    "C14e0a1",
    "A-17",
    # units, titles and places of work, with and without addresses
    "Tonstad skole",
    "Helsestasjonen",
    "Rektor Tonstad skule",
    "Skole (inkl. SFO) 2",
    "Barnehage 1",
    "Sirdal Kommune, Kirkeveien 2",
    "Nav Sirdal, Tjørhomveien 2",
    "Tonstad Skule, 4440 Tonstad",
    "Sirdal Kulturhus, Kirkeveien 2",
    "Kongens gate 12",
    "Møte i Sirdal. Storgata 5 er stengt",
    "alle 3 enhetene",
    "BTI Sirdal – Mål, organisering og implementering",
]


def _hits(values: list[str]) -> list[Problem]:
    return free_text_warnings(pd.DataFrame({"barriers": values}), "rf2.csv")


@pytest.mark.parametrize(
    ("values", "what"),
    [
        (EMAILS, "an e-mail address"),
        (PHONES, "a phone number"),
        (NAMES_WITH_ADDRESSES, "a person's name or address"),
    ],
)
def test_each_pattern_is_found(values, what):
    problems = _hits(values)
    assert [p.row for p in problems] == list(range(1, len(values) + 1))
    assert all(p.message.startswith(f"looks like {what} (not shown)") for p in problems)


@pytest.mark.parametrize("value", NEGATIVES)
def test_ordinary_text_is_not_flagged(value):
    assert _hits([value]) == []


def test_the_warning_names_file_row_and_column_never_the_value():
    secret = "Kari Nordmann, Storgata 5, tlf 912 34 567, kari@example.no"
    frame = pd.DataFrame(
        {"unit": ["Skole 1", "Skole 2"], "barriers": ["Lite tid", secret]},
        index=pd.Index([7, 9], name="row"),  # the row numbers the user sees, as the readers set
    )
    (problem,) = free_text_warnings(
        frame, "rapport.xlsx", kind="report-form-2", headers={"barriers": "Hindringer"}
    )
    assert (problem.source, problem.row, problem.column) == ("rapport.xlsx", 9, "Hindringer")
    text = str(problem)
    assert text.startswith("rapport.xlsx, row 9, column 'Hindringer': looks like ")
    assert "a person's name or address, an e-mail address and a phone number" in text
    for part in ("Kari", "Nordmann", "Storgata", "912", "567", "example"):
        assert part not in text


def test_rows_by_position_when_the_index_is_not_the_files():
    frame = pd.DataFrame({"barriers": ["Lite tid", None, "ring 41 23 45 67"]}, index=[10, 11, 12])
    assert [p.row for p in free_text_warnings(frame, "f.csv")] == [3]


def test_bokmal_messages_come_from_the_catalogue():
    (problem,) = free_text_warnings(pd.DataFrame({"t": ["ola@example.no"]}), "f.csv", lang="nb")
    assert problem.message.startswith("ser ut som en e-postadresse (ikke vist)")


def test_the_contracts_say_which_columns_are_free_text():
    columns = free_text_columns("report-form-2")
    assert columns["barriers"] == columns["unit"] == ("name_address", "email", "phone")
    assert columns["baton_holder_id"] == ("email", "phone")
    assert "service" not in columns and "municipality" not in columns
    assert set(free_text_columns("event_log")) == {"case_id", "actor_id"}
    with pytest.raises(KeyError):
        free_text_columns("no-such-kind")


def test_pseudonyms_are_looked_at_for_e_mail_and_phone_numbers():
    # A pseudonym may be all digits, but not a Norwegian phone number: that is a warning
    # (someone's number used as their id), not a refusal.
    log = pd.DataFrame(
        {
            "case_id": ["41234567", "c-00123", "10203040"],
            "actor_id": ["A1", "kari@example.no", "12345"],
            "service": ["school", "school", "school"],
        }
    )
    problems = free_text_warnings(log, "log.csv", kind="event-log")
    assert [(p.row, p.column) for p in problems] == [(1, "case_id"), (2, "actor_id")]
    assert "phone" in problems[0].message and "e-mail" in problems[1].message
    assert not any("41234567" in str(p) for p in problems)


def test_columns_chosen_and_kind_from_the_frame():
    frame = pd.DataFrame({"a": ["41234567"], "b": ["41234567"], "service": ["school"]})
    assert [p.column for p in free_text_warnings(frame, "f.csv", columns=["b"])] == ["b"]
    frame.attrs["kind"] = "report-form-2"  # as readers.read sets it: no free-text column here
    assert free_text_warnings(frame, "f.csv") == []
    with pytest.raises(KeyError, match="'c'"):
        free_text_warnings(frame, "f.csv", columns=["c"])


def test_spreadsheet_cells_holding_numbers():
    cells = pd.Series(["Lite tid", 41234567, 41234567.0, 2.5, True, pd.Timestamp("2018-01-01")])
    frame = pd.DataFrame({"barriers": cells.astype(object)})
    assert [p.row for p in free_text_warnings(frame, "f.xlsx")] == [2, 3]
    numbers = pd.DataFrame({"barriers": pd.array([1, 41234567], dtype="Int64")})
    assert [p.row for p in free_text_warnings(numbers, "f.xlsx", columns=["barriers"])] == [2]


def test_no_columns_to_look_at():
    assert free_text_warnings(pd.DataFrame({"n": [1, 2]}), "f.csv") == []
    assert free_text_warnings(pd.DataFrame({"t": pd.Series([], dtype=str)}), "f.csv") == []


@pytest.fixture(scope="module")
def demo_tables() -> list[tuple[str, str | None, pd.DataFrame]]:
    """Every table of the demo store's three municipalities, as the demo writes them."""
    tables = []
    for municipality, seed, _ in DEMO_STORE:
        for name, table in generate_demo(load_municipality(municipality), seed).items():
            tables.append((f"{municipality}/{name}", DEMO_FILES[name], table))
    return tables


def test_the_demo_data_gives_no_warning(demo_tables):
    checked = 0
    for name, kind, table in demo_tables:
        assert free_text_warnings(table, name, kind=kind) == [], name
        checked += len(free_text_columns(kind)) if kind else 0
    assert checked > 20  # the free-text columns were there to look at


def test_the_shipped_data_and_catalogues_give_no_warning():
    services = pd.read_csv(resource("services.csv"), dtype=str)
    assert free_text_warnings(services, "services.csv") == []
    plan = pd.read_csv(data_dir() / "progress_plan" / "sirdal_2018_h1.csv", comment="#", dtype=str)
    assert len(plan) > 10 and free_text_warnings(plan, "sirdal_2018_h1.csv") == []
    spec = yaml.safe_load((data_dir() / "organisation" / "sirdal.yaml").read_text("utf-8"))
    titles = [m["title"] for group in spec["groups"] for m in group["members"]]
    assert free_text_warnings(pd.DataFrame({"title": titles}), "sirdal.yaml") == []
    names = catalogue()
    domain = names[names.index.str.match(r"(service|unit|group|role|level|event|plan)\.")]
    assert len(domain) > 50 and free_text_warnings(domain[["nb", "en"]], "labels.csv") == []


def test_a_100k_row_column_takes_well_under_a_second():
    rng = np.random.default_rng(1)
    ordinary = np.array(
        [
            "Lite tid til å oppdatere loggen",
            "Vanskelig å få tak i PPT",
            "Møte i prosjektgruppa 12.03.2018 kl. 14–16, 2 timer",
            "Rektor Tonstad skule og Sirdal Kommune, 4228 Sirdal",  # a near miss, all the way
            "Budsjett 45 000 kr for 2018, uke 10",
            None,
        ],
        dtype=object,
    )
    values = rng.choice(ordinary, 100_000)
    planted = rng.choice(len(values), 300, replace=False)
    values[planted] = np.resize(np.array(["Kari Nordmann, Storgata 5", "ring 912 34 567"]), 300)
    frame = pd.DataFrame({"barriers": pd.Series(values, dtype="string")})
    free_text_warnings(frame.head(10), "warm-up.csv")  # the catalogues are read once
    start = time.process_time()
    problems = free_text_warnings(frame, "big.csv")
    elapsed = time.process_time() - start
    assert sorted(p.row - 1 for p in problems) == sorted(planted.tolist())
    assert elapsed < 1.0, f"{elapsed:.2f} s of CPU for 100 000 rows"
