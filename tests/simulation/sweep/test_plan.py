"""Planning a sweep: templates per 1 000 children, settings and grids, municipalities."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import ScenarioError, SweepError
from bti_workbench.reference.municipality import load_municipalities
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.sweep import parse_municipalities

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "data" / "scenarios" / "national_per_1000.yaml"


def test_a_wrong_setting_is_refused_before_anything_runs(tmp_path):
    out = tmp_path / "never"
    args = ["sweep", str(TEMPLATE), "--municipalities", "4228", "--out", str(out)]
    grid = ["--grid", "levels.1.duration.mean_weekz=3,4", "--lang", "en"]
    result = CliRunner().invoke(app, [*args, *grid])
    assert result.exit_code == 1
    assert "levels.1.duration.mean_weekz: unknown key" in result.output
    assert not out.exists()
    result = CliRunner().invoke(app, [*args, "--grid", "levels.1.duration=3"])
    assert result.exit_code == 1 and "levels.1.duration" in result.output
    result = CliRunner().invoke(app, [*args, "--grid", "resources.max_logs"])
    assert result.exit_code == 1 and "PARAM=v1,v2" in result.output
    result = CliRunner().invoke(app, [*args[:3], "4228,9999", *args[4:]])
    assert result.exit_code == 1 and "9999" in result.output
    assert not out.exists()


def test_municipalities_from_all_a_list_or_a_file(tmp_path, shared_ssb):
    assert len(parse_municipalities("all")) == 15
    national = parse_municipalities("all", REPO / "data" / "raw" / "ssb" / shared_ssb[2022].name)
    assert len(national) == 356
    listed = tmp_path / "list.txt"
    listed.write_text("# two municipalities\n5413\n4228  # Sirdal\n", encoding="utf-8")
    assert [m.name for m in parse_municipalities(str(listed))] == ["Ibestad", "Sirdal"]
    table = tmp_path / "list.csv"
    table.write_text("kommunenummer,note\n1106,x\n5401,y\n", encoding="utf-8")
    assert [m.kommunenummer for m in parse_municipalities(str(table))] == ["1106", "5401"]
    with pytest.raises(SweepError, match="twice"):
        parse_municipalities("4228,4228")
    # The shipped SSB copy is byte for byte the one in ../shared.
    assert (REPO / "data/raw/ssb" / shared_ssb[2022].name).read_bytes() == shared_ssb[
        2022
    ].read_bytes()


def test_template_applies_rates_and_staff_per_1000_children():
    small, large = load_municipalities(["5413", "5401"])  # 256 and 21 426 children
    s = load_scenario(TEMPLATE, municipality=small)
    t = load_scenario(TEMPLATE, municipality=large)
    # Baton holders: 15 per 1 000 → 3.84 → 4 in Ibestad, 321.39 → 321 in Tromsø.
    assert s.resources.service("school").baton_holders == 4
    assert t.resources.service("school").baton_holders == 321
    # NAV: 0.3 per 1 000 → 0.08 → at least one.
    assert s.resources.service("nav").baton_holders == 1
    # PPT hours: 2 per 1 000 with a floor of 3.
    assert s.resources.service("ppt").hours_per_week == 3
    assert t.resources.service("ppt").hours_per_week == pytest.approx(2 * 21.426)
    # Today's caseload: 5, 5, 2, 0.5 per 1 000, rounded half up.
    assert s.warm_start == (1, 1, 1, 0)
    assert t.warm_start == (107, 107, 43, 11)
    # Project leader 0.05 FTE per 1 000, at least 0.2.
    assert s.costs.posts["project_leader"][0] == 0.2
    assert t.costs.posts["project_leader"][0] == pytest.approx(0.05 * 21.426)
    assert s.costs.hourly_rate_nok == t.costs.hourly_rate_nok == 470
    # Concerns scale with the children in each band.
    assert t.arrivals_per_week / s.arrivals_per_week == pytest.approx(
        t.arrivals.table["per_year"].sum() / s.arrivals.table["per_year"].sum()
    )


def test_a_template_needs_a_municipality_and_says_where():
    with pytest.raises(ScenarioError, match=r"arrivals\.per_1000_per_year: needs a municipality"):
        load_scenario(TEMPLATE)
    result = CliRunner().invoke(app, ["simulate", str(TEMPLATE), "-r", "2", "--lang", "en"])
    assert result.exit_code == 1 and "needs a municipality" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            "kindergarten: {baton_holders_per_1000: 8, baton_holders: 3}",
            "kindergarten.baton_holders_per_1000: give baton_holders or",
        ),
        (
            "kindergarten: {baton_holders_per_1000: 8, min_hours_per_week: 2}",
            "kindergarten.min_hours_per_week: goes with hours_per_week_per_1000",
        ),
        (
            "kindergarten: {baton_holders_per_1000: 8, hours_per_week_per_1000: 2, fte: 1}",
            "kindergarten.fte: give hours one way",
        ),
        ("kindergarten: {baton_holders_per_1000: -1}", "must be at least 0"),
    ],
)
def test_bad_per_1000_staffing_names_the_key(tmp_path, change, message):
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "kindergarten: {baton_holders_per_1000: 8}", change
    )
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    (place,) = load_municipalities(["4228"])
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        load_scenario(path, municipality=place)


def test_arrival_scale_multiplies_every_rate():
    (place,) = load_municipalities(["1106"])
    base = load_scenario(TEMPLATE, municipality=place)
    more = load_scenario(TEMPLATE, settings={"arrivals.scale": 1.5}, municipality=place)
    assert more.arrivals_per_week == pytest.approx(1.5 * base.arrivals_per_week)
    assert more.arrivals.weekly == pytest.approx(1.5 * base.arrivals.weekly)


def test_settings_find_numeric_levels_and_refuse_paths_through_values():
    (place,) = load_municipalities(["4228"])
    s = load_scenario(
        TEMPLATE,
        settings={"levels.2.next.up": 0.1, "arrivals.per_1000_per_year.0-5.kindergarten": 70},
        municipality=place,
    )
    assert s.levels[2].up == 0.1
    assert s.overrides["levels"][2]["next"]["up"] == 0.1
    row = s.arrivals.table.query("source == 'kindergarten'").iloc[0]
    assert row["per_1000_per_year"] == 70
    with pytest.raises(ScenarioError, match="horizon_weeks is a value, not a mapping"):
        load_scenario(TEMPLATE, settings={"horizon_weeks.x": 1}, municipality=place)


def test_a_bad_population_file_is_named_and_nothing_is_written(tmp_path):
    bad = tmp_path / "07459.csv"
    bad.write_text('"region";"age";"Persons 2022"\n"K-4228 Sirdal";"0 years";x\n', encoding="utf-8")
    out = tmp_path / "never"
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            str(TEMPLATE),
            "--municipalities",
            "4228",
            "--population-file",
            str(bad),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 1
    assert "07459.csv" in result.output
    assert not out.exists()
