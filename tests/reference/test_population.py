"""Population from SSB table 07459 in every form users meet it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench import by_band, load_municipality, read_municipalities, read_ssb_07459
from bti_workbench.cli import app
from bti_workbench.errors import PopulationFileError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SIRDAL_2022 = [
    21,
    11,
    16,
    19,
    20,
    20,
    23,
    20,
    26,
    24,
    23,
    32,
    34,
    25,
    16,
    22,
    20,
    24,
    21,
    21,
    30,
    20,
    27,
    19,
]


def _sirdal_children(frame: pd.DataFrame, year: int) -> int:
    rows = frame.query("kommunenummer == '4228' and age <= 23 and year == @year")
    return int(rows["persons"].sum())


def test_2022_download_gives_sirdal_534(shared_ssb):
    tidy = read_ssb_07459(shared_ssb[2022])
    assert list(tidy.columns) == ["year", "kommunenummer", "kommunenavn", "age", "persons"]
    assert _sirdal_children(tidy, 2022) == 534
    assert tidy["kommunenummer"].nunique() == 356
    assert tidy.query("kommunenummer == '5401'")["kommunenavn"].iloc[0] == "Tromsø"
    sirdal = tidy.query("kommunenummer == '4228' and age <= 23")["persons"].tolist()
    assert sirdal == SIRDAL_2022


def test_2020_download_tab_separated_without_title(shared_ssb):
    tidy = read_ssb_07459(shared_ssb[2020])
    assert set(tidy["year"]) == {2020}
    assert tidy["kommunenummer"].nunique() == 356
    assert by_band(tidy, "4228")[["0-5", "6-15", "16-19", "20-23", "total"]].iloc[0].tolist() == [
        120,
        250,
        91,
        86,
        547,
    ]


def test_municipalities_table_matches_ssb(shared_ssb):
    bands = by_band(read_ssb_07459(shared_ssb[2022])).set_index("kommunenummer")
    table = read_municipalities().set_index("kommunenummer")
    assert len(table) == 15
    for knr, row in table.iterrows():
        got = bands.loc[knr, ["0-5", "6-15", "16-19", "20-23"]].tolist()
        assert got == [row.age_0_5, row.age_6_15, row.age_16_19, row.age_20_23], knr
        assert bands.loc[knr, "kommunenavn"] == row["name"]
    assert table["source"].str.contains("07459").all()


@pytest.mark.parametrize(
    ("encoding", "newline", "title", "sep"),
    [
        ("utf-8", "\n", False, "\t"),
        ("utf-8-sig", "\r\n", True, ";"),
        ("iso-8859-1", "\n", False, ";"),
        ("iso-8859-1", "\r\n", True, "\t"),
    ],
)
def test_download_variants_read_the_same(shared_ssb, tmp_path, encoding, newline, title, sep):
    original = read_ssb_07459(shared_ssb[2022])
    text = shared_ssb[2022].read_bytes().decode("iso-8859-1").splitlines()
    body = [line for line in text if line.startswith('"region"') or line.startswith('"K-')]
    if sep == "\t":
        body = [line.replace(";", "\t") for line in body]
    lines = (text[:2] if title else []) + body
    path = tmp_path / "variant.csv"
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    pd.testing.assert_frame_equal(read_ssb_07459(path), original)


def test_small_norwegian_download_without_shared(tmp_path):
    lines = ['"region";"alder";"Personer 2021";"Personer 2022"']
    for age in range(24):
        unit = "år"
        lines.append(f'"K-4228 Sirdal";"{age} {unit}";{SIRDAL_2022[age] + 1};{SIRDAL_2022[age]}')
    lines.append('"K-4228 Sirdal";"105 år eller eldre";0;..')
    path = tmp_path / "07459.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    tidy = read_ssb_07459(path)
    assert _sirdal_children(tidy, 2022) == 534
    assert _sirdal_children(tidy, 2021) == 534 + 24
    assert tidy.query("age == 105 and year == 2022")["persons"].isna().all()


@pytest.mark.parametrize(
    "name", ["07459_jsonstat2_dense.json", "07459_jsonstat2_sparse_by_sex.json"]
)
def test_jsonstat2(name):
    tidy = read_ssb_07459(FIXTURES / name)
    assert _sirdal_children(tidy, 2022) == 534
    assert tidy.query("kommunenummer == '4228'")["persons"].tolist() == SIRDAL_2022
    assert set(tidy["kommunenavn"]) == {"Sirdal", "Ibestad"}


def test_jsonstat2_matches_csv(shared_ssb):
    csv = read_ssb_07459(shared_ssb[2022]).query("kommunenummer in ['4228', '5413'] and age <= 23")
    js = read_ssb_07459(FIXTURES / "07459_jsonstat2_dense.json")
    pd.testing.assert_frame_equal(csv.reset_index(drop=True), js.reset_index(drop=True))


def test_jsonstat2_size_mismatch_is_named(tmp_path):
    payload = json.loads((FIXTURES / "07459_jsonstat2_dense.json").read_text(encoding="utf-8"))
    payload["value"] = payload["value"][:-1]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(
        PopulationFileError, match=r"broken\.json: 47 values where the dimensions give 48"
    ):
        read_ssb_07459(path)


def test_not_an_ssb_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(
        PopulationFileError, match=r"other\.csv: no header line starting with 'region'"
    ):
        read_ssb_07459(path)


def test_broken_line_is_named(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(
        '"region";"age";"Persons 2022"\n"K-4228 Sirdal";"0 years";21\n"K-4228 Sirdal"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        PopulationFileError, match=r"cut\.csv, line 3: 1 fields where the header has 3"
    ):
        read_ssb_07459(path)


def test_municipality_from_table_and_from_ssb(shared_ssb):
    from_table = load_municipality(4228)
    from_ssb = load_municipality("4228", shared_ssb[2022])
    assert from_table.children == from_ssb.children == 534
    assert from_table.children_by_band().tolist() == from_ssb.children_by_band().tolist()
    assert from_ssb.population.tolist() == SIRDAL_2022
    assert not from_table.population_exact and from_ssb.population_exact
    assert from_table.population_source == "SSB 07459 (2022)"
    assert {"kindergarten", "school", "health_station", "ppt", "child_welfare"} <= set(
        from_ssb.services.index
    )
    assert (from_ssb.services["staff_fte"] > 0).all()
    assert from_ssb.services["bti_share"].between(0, 1).all()


def test_unknown_municipality():
    with pytest.raises(KeyError, match="9999"):
        load_municipality("9999")


def test_cli_population(shared_ssb):
    runner = CliRunner()
    result = runner.invoke(app, ["population", str(shared_ssb[2022]), "--municipality", "4228"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "4228 Sirdal (2022)"
    assert [int(line.split()[-1]) for line in lines[1:]] == [107, 245, 86, 96, 534]
    english = runner.invoke(
        app, ["population", str(shared_ssb[2020]), "-m", "4228", "--lang", "en"]
    )
    assert "0–23 years in total" in english.output and english.output.rstrip().endswith("547")


def test_cli_population_errors(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(
        app,
        ["population", str(FIXTURES / "07459_jsonstat2_dense.json"), "-m", "0301", "--lang", "en"],
    )
    assert missing.exit_code == 1 and "municipality 0301 not found" in missing.output
    bad = tmp_path / "x.csv"
    bad.write_text("nothing here\n", encoding="utf-8")
    result = runner.invoke(app, ["population", str(bad)])
    assert result.exit_code == 1 and "x.csv" in result.output


def test_utf16_download(tmp_path):
    lines = ['"region"\t"age"\t"Persons 2022"']
    lines += [f'"K-4228 Sirdal"\t"{age} years"\t{n}' for age, n in enumerate(SIRDAL_2022)]
    path = tmp_path / "unicode.txt"
    path.write_text("\r\n".join(lines), encoding="utf-16")
    assert _sirdal_children(read_ssb_07459(path), 2022) == 534


def test_csv_by_sex_is_summed(tmp_path):
    lines = ['"region";"sex";"age";"Persons 2022"']
    for age, n in enumerate(SIRDAL_2022):
        lines.append(f'"K-4228 Sirdal";"Males";"{age} years";{n // 2}')
        lines.append(f'"K-4228 Sirdal";"Females";"{age} years";{n - n // 2}')
    path = tmp_path / "by_sex.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    tidy = read_ssb_07459(path)
    assert len(tidy) == 24 and tidy["persons"].tolist() == SIRDAL_2022


def _payload() -> dict:
    return json.loads((FIXTURES / "07459_jsonstat2_sparse_by_sex.json").read_text("utf-8"))


def test_jsonstat2_missing_part_is_missing_not_a_partial_sum(tmp_path):
    payload = _payload()
    first = min(payload["value"], key=int)  # Sirdal, men, age 0
    del payload["value"][first]
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    tidy = read_ssb_07459(path).query("kommunenummer == '4228'")
    assert tidy["persons"].isna().sum() == 1 and pd.isna(tidy.iloc[0]["persons"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p["size"].__setitem__(2, 23), "dimension 'Alder' has 24 categories but size 23"),
        (lambda p: p["value"].__setitem__(next(iter(p["value"])), 2.5), "not counts of persons"),
        (
            lambda p: (
                p["dimension"]["ContentsCode"]["category"].update(index=["Personer1", "X"])
                or p["size"].__setitem__(3, 2)
            ),
            "select one statistic",
        ),
        (lambda p: p["dimension"]["Tid"]["category"].update(index=["2022M01"]), "whole years"),
    ],
)
def test_jsonstat2_refuses_what_it_cannot_read(tmp_path, change, message):
    payload = _payload()
    change(payload)
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(PopulationFileError, match=f"odd.json: .*{message}"):
        read_ssb_07459(path)


def test_a_missing_age_makes_the_band_missing_not_smaller(tmp_path):
    payload = json.loads((FIXTURES / "07459_jsonstat2_dense.json").read_text("utf-8"))
    payload["value"][3] = None  # Sirdal, 3 years
    path = tmp_path / "gap.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    bands = by_band(read_ssb_07459(path), "4228").iloc[0]
    assert pd.isna(bands["0-5"]) and pd.isna(bands["total"]) and bands["6-15"] == 245
    result = CliRunner().invoke(app, ["population", str(path), "-m", "4228", "--lang", "en"])
    assert result.exit_code == 0
    assert "0–5 years               .." in result.output
    assert "incomplete" in result.output
