"""A sweep's folder: ``sweep.json`` records which code made it, and another engine version is
refused instead of resumed."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bti_workbench
from bti_workbench.cli import app
from bti_workbench.errors import SweepError
from bti_workbench.reference.municipality import load_municipalities
from bti_workbench.simulation.engines import versions
from bti_workbench.simulation.sweep.files import claim_folder, sweep_folder
from bti_workbench.simulation.sweep.plan import plan_sweep

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "data" / "scenarios" / "national_per_1000.yaml"


def _plan(engine: str = "fast"):
    return plan_sweep(TEMPLATE, load_municipalities(["4228"]), replications=2, engine=engine)


def _claimed(tmp_path: Path, engine: str = "fast") -> tuple[Path, dict]:
    """A sweep folder as a first run leaves it (its results are not needed here)."""
    out = tmp_path / "sweep"
    spec = _plan(engine).spec()
    claim_folder(out, spec)
    return out, spec


def _edit(out: Path, change) -> None:
    path = out / "sweep.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    change(spec)
    path.write_text(json.dumps(spec), encoding="utf-8")


@pytest.mark.parametrize("engine", ["fast", "ciw"])
def test_sweep_json_records_the_workbench_and_the_engine_version(tmp_path, engine):
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    out, _ = _claimed(tmp_path, engine)
    written = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert written["workbench_version"] == project["version"] == bti_workbench.__version__
    assert written["engine"] == engine
    assert written["engine_version"] == versions.ENGINE_VERSIONS[engine]


def test_the_same_sweep_is_resumed(tmp_path):
    out, spec = _claimed(tmp_path)
    claim_folder(out, spec)  # no error: the same sweep, the same engine version


def test_a_folder_written_by_another_engine_version_is_refused(tmp_path):
    out, spec = _claimed(tmp_path)
    now = spec["engine_version"]
    _edit(out, lambda s: s.update(engine_version=now + 41))
    with pytest.raises(SweepError) as refused:
        claim_folder(out, spec)
    message = str(refused.value)
    assert str(out) in message
    assert f"engine fast version {now + 41}" in message  # what wrote the folder
    assert f"engine fast version {now} " in message  # what runs now
    assert "choose a new --out folder" in message


def test_a_folder_written_by_another_engine_is_refused(tmp_path):
    out, _ = _claimed(tmp_path, "ciw")
    with pytest.raises(SweepError, match=r"written with engine ciw .* this is engine fast"):
        claim_folder(out, _plan("fast").spec())


def test_a_folder_from_before_versions_were_recorded_is_refused(tmp_path):
    out, spec = _claimed(tmp_path)

    def as_format_1(s: dict) -> None:
        del s["workbench_version"], s["engine_version"]
        s["format"] = 1

    _edit(out, as_format_1)
    with pytest.raises(SweepError, match="did not record its engine version") as refused:
        claim_folder(out, spec)
    assert str(out) in str(refused.value) and "choose a new --out folder" in str(refused.value)


def test_another_workbench_version_with_the_same_engine_version_resumes(tmp_path):
    out, spec = _claimed(tmp_path)
    _edit(out, lambda s: s.update(workbench_version="0.0.1"))
    claim_folder(out, spec)
    kept = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert kept["workbench_version"] == "0.0.1"  # the folder still says what started it


def test_a_new_engine_version_gets_its_own_folder_and_refuses_the_old_one(tmp_path, monkeypatch):
    out, _ = _claimed(tmp_path)
    before = sweep_folder(tmp_path, _plan())
    monkeypatch.setitem(versions.ENGINE_VERSIONS, "fast", versions.ENGINE_VERSIONS["fast"] + 1)
    bumped = _plan()
    assert sweep_folder(tmp_path, bumped) != before
    with pytest.raises(SweepError, match="was written with engine fast version"):
        claim_folder(out, bumped.spec())


def test_bti_sweep_refuses_another_engine_version_without_a_traceback(tmp_path):
    out, spec = _claimed(tmp_path)
    _edit(out, lambda s: s.update(engine_version=spec["engine_version"] + 1))
    args = ["sweep", str(TEMPLATE), "--out", str(out), "--municipalities", "4228", "-r", "2"]
    args += ["--lang", "en"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    text = re.sub(r"\s+", " ", result.output)
    assert "error:" in text and "choose a new --out folder" in text
    assert f"version {spec['engine_version'] + 1}" in text
    assert "Traceback" not in text and not isinstance(result.exception, SweepError)
    assert list((out / "results").iterdir()) == []  # nothing ran
