"""Sweeps on Dask: cells equal single runs, resume, failing tasks, a scheduler by address."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.errors import SweepError
from bti_workbench.reference.municipality import load_municipalities
from bti_workbench.simulation.analysis import summarise
from bti_workbench.simulation.run import simulate
from bti_workbench.simulation.scenario.document import option_parts
from bti_workbench.simulation.scenario.parse import load_scenario
from bti_workbench.simulation.sweep import (
    option_effects,
    parse_grid,
    plan_sweep,
    read_sweep,
    run_sweep,
    sweep_means,
    task_seed,
)

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "data" / "scenarios" / "national_per_1000.yaml"
BTI = Path(sys.executable).with_name("bti")
DASK = Path(sys.executable).with_name("dask")
THREE = ["5413", "4228", "1106"]  # Ibestad, Sirdal, Haugesund
OPTIONS = ["baseline", "trial_cap_one_log"]
R = 6


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


@pytest.fixture(scope="module")
def three_by_two(client, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep")
    sweep = plan_sweep(TEMPLATE, load_municipalities(THREE), OPTIONS, replications=R, seed=5)
    report = run_sweep(sweep, out, client=client)
    return sweep, out, report


def _one_by_one(knr: str, option: str, seed: int, settings: dict | None = None) -> pd.DataFrame:
    (place,) = load_municipalities([knr])
    options = option_parts(option)
    scenario = load_scenario(TEMPLATE, options, settings=settings, municipality=place)
    result = simulate(scenario, R, task_seed(seed, knr))
    return summarise(result, scenario, 104).reset_index()


def test_a_sweep_of_three_municipalities_and_two_options_equals_the_runs_one_by_one(
    three_by_two,
):
    _, out, report = three_by_two
    assert (report.total, report.computed, report.skipped) == (6, 6, 0)
    assert report.complete and not (out / "failed.json").exists()
    results = read_sweep(out)
    assert len(list((out / "results").glob("task-*.parquet"))) == 6  # one partition per task
    assert len(results) == 6 * R
    for knr in THREE:
        for option in OPTIONS:
            cell = results[(results["kommunenummer"] == knr) & (results["option"] == option)]
            alone = _one_by_one(knr, option, seed=5)
            assert (cell["seed"] == task_seed(5, knr)).all()
            pd.testing.assert_frame_equal(
                cell[alone.columns].reset_index(drop=True), alone, check_exact=True
            )


def test_a_cell_equals_bti_simulate_number_for_number(three_by_two, tmp_path):
    _, out, _ = three_by_two
    cell = read_sweep(out).query("kommunenummer == '4228' and option == 'trial_cap_one_log'")
    seed = int(cell["seed"].iloc[0])
    target = tmp_path / "run.parquet"
    args = ["simulate", str(TEMPLATE), "--municipality", "4228", "--option", "trial_cap_one_log"]
    args += ["--seed", str(seed), "-r", str(R), "--warmup", "104", "--out", str(target)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = pd.read_parquet(tmp_path / "run.summary.parquet")
    pd.testing.assert_frame_equal(
        cell[summary.columns].reset_index(drop=True), summary, check_exact=True
    )


def test_options_of_a_municipality_share_their_seed_and_pair(three_by_two):
    _, out, _ = three_by_two
    results = read_sweep(out)
    effects = option_effects(results, "wait.1")
    assert set(effects["kommunenummer"]) == set(THREE)
    assert (effects["pairs"] == R).all()
    # One log per baton holder can only lengthen the wait for a log (same concerns, fewer slots).
    assert (effects["difference"] >= 0).all()
    means = sweep_means(results, ["active.1", "wait.1"])
    sirdal = means.query("kommunenummer == '4228' and metric == 'active.1'")
    assert (sirdal["per_1000"] == sirdal["mean"] / 534 * 1000).all()
    assert (means["low"] <= means["mean"]).all() and (means["mean"] <= means["high"]).all()


def test_a_rerun_computes_only_what_is_missing(three_by_two, client):
    sweep, out, _ = three_by_two
    before = {p.name: p.read_bytes() for p in (out / "results").glob("*.parquet")}
    for name in ("task-00001.parquet", "task-00004.parquet"):
        (out / "results" / name).unlink()
    report = run_sweep(sweep, out, client=client)
    assert (report.computed, report.skipped) == (2, 4)
    after = read_sweep(out)
    assert sorted(after["task"].unique()) == list(range(6))
    # The recomputed tasks have the same numbers (seeds are per municipality, not per run).
    again = {p.name: pd.read_parquet(p) for p in (out / "results").glob("*.parquet")}
    for name, content in before.items():
        old = pd.read_parquet(pd.io.common.BytesIO(content))
        pd.testing.assert_frame_equal(again[name], old)
    nothing = run_sweep(sweep, out, client=client)
    assert (nothing.computed, nothing.skipped) == (0, 6)


def test_a_folder_holding_another_sweep_is_refused(three_by_two, client):
    _, out, _ = three_by_two
    other = plan_sweep(TEMPLATE, load_municipalities(THREE), OPTIONS, replications=R + 1, seed=5)
    with pytest.raises(SweepError, match="replications"):
        run_sweep(other, out, client=client)


def test_a_failing_task_is_reported_and_the_others_finish(client, tmp_path, three_by_two):
    # Without its floor, PPT has 2 hours a week per 1 000 children: half an hour in Ibestad
    # (256 children) and 1.07 in Sirdal (534), less than the 1.17 one level-2 case needs,
    # so their cells fail; Haugesund (10 240) has 20.5 hours and runs.
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "ppt: {hours_per_week_per_1000: 2.0, min_hours_per_week: 3}",
        "ppt: {hours_per_week_per_1000: 2.0}",
    )
    template = tmp_path / "no_floor.yaml"
    template.write_text(text, encoding="utf-8")
    sweep = plan_sweep(template, load_municipalities(THREE), OPTIONS, replications=R, seed=5)
    out = tmp_path / "out"
    report = run_sweep(sweep, out, client=client)
    assert not report.complete
    assert sorted(report.failed["kommunenummer"]) == ["4228", "4228", "5413", "5413"]
    assert sorted(report.failed["option"]) == sorted(OPTIONS * 2)
    assert report.failed["error"].str.contains("resources.services.ppt.hours_per_week").all()
    saved = json.loads((out / "failed.json").read_text(encoding="utf-8"))
    assert {row["municipality"] for row in saved} == {"Ibestad", "Sirdal"}
    # The others are intact: Haugesund has all its results and, as PPT's floor never binds
    # there, the same numbers as with the floor.
    results = read_sweep(out)
    assert set(results["kommunenummer"]) == {"1106"}
    assert len(results) == 2 * R
    full = read_sweep(three_by_two[1])
    for knr in ("1106",):
        mine = results[results["kommunenummer"] == knr].drop(columns="task")
        theirs = full[full["kommunenummer"] == knr].drop(columns="task")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), theirs.reset_index(drop=True))


def test_grid_points_equal_runs_with_the_same_settings(client, tmp_path):
    points = parse_grid(["levels.1.duration.mean_weeks=12,20", "resources.max_logs=1"])
    sweep = plan_sweep(
        TEMPLATE, load_municipalities(["4228"]), ["baseline"], points, replications=R, seed=2
    )
    run_sweep(sweep, tmp_path, client=client)
    results = read_sweep(tmp_path)
    assert set(results["param.levels.1.duration.mean_weeks"]) == {12, 20}
    for number, point in enumerate(points):
        cell = results[results["point"] == number]
        alone = _one_by_one("4228", "baseline", seed=2, settings=point)
        pd.testing.assert_frame_equal(
            cell[alone.columns].reset_index(drop=True), alone, check_exact=True
        )
    # A longer stay at level 1 keeps more cases there.
    means = results.groupby("point")["active.1"].mean()
    assert means[1] > means[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.server
def test_scheduler_option_runs_on_a_dask_scheduler_and_worker_on_loopback(three_by_two, tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    worker = subprocess.Popen(
        [str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        out = tmp_path / "remote"
        args = ["sweep", str(TEMPLATE), "--municipalities", ",".join(THREE)]
        args += ["--option", ",".join(OPTIONS), "-r", str(R), "--seed", "5", "--lang", "en"]
        args += ["--out", str(out), "--scheduler", address]
        result = subprocess.run(
            [str(BTI), *args], capture_output=True, text=True, timeout=180, env=env
        )
        assert result.returncode == 0, result.stderr
        assert "6 tasks computed" in result.stderr
        remote = read_sweep(out)
        local = read_sweep(three_by_two[1])
        pd.testing.assert_frame_equal(remote, local, check_exact=True)
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    port = _free_port()
    args = ["sweep", str(TEMPLATE), "--municipalities", "4228", "-r", "2"]
    args += ["--out", str(tmp_path / "o"), "--scheduler", f"tcp://127.0.0.1:{port}", "--lang", "en"]
    result = subprocess.run([str(BTI), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "cannot connect" in result.stderr


@pytest.mark.server
def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path):
    out = tmp_path / "interrupted"
    args = [str(BTI), "sweep", str(TEMPLATE), "--municipalities", "all", "--workers", "2"]
    # Enough replications that the tasks after the first take seconds, not a fraction of one:
    # with 60 the compiled engine finished all 45 between the first file and the signal.
    args += ["-o", "baseline,trial_cap_one_log", "-o", "intermunicipal_team", "-r", "300"]
    args += ["--out", str(out), "--lang", "en"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "results").glob("task-*.parquet")):
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr
    assert "run the same command to resume" in " ".join(stderr.split())
    kept = len(list((out / "results").glob("task-*.parquet")))
    assert 1 <= kept < 45, "the sweep should have stopped part-way"
    assert not list((out / "results").glob(".*.tmp")), "no half-written partition"
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"{45 - kept} tasks computed, {kept} already finished, 0 failed" in result.stderr
    assert sorted(read_sweep(out)["task"].unique()) == list(range(45))


def test_a_batch_that_raises_reports_each_of_its_cells(client, tmp_path):
    # An engine that does not exist fails the whole batch on the worker: every cell is
    # reported, with its parameters, and nothing is written for them.
    sweep = plan_sweep(
        TEMPLATE, load_municipalities(THREE), ["baseline"], replications=2, engine="bogus"
    )
    report = run_sweep(sweep, tmp_path, client=client)
    assert sorted(report.failed["kommunenummer"]) == sorted(THREE)
    assert report.failed["error"].str.contains("unknown engine 'bogus'").all()
    assert not list((tmp_path / "results").glob("*.parquet"))


def test_batches_group_small_municipalities_and_leave_large_ones_alone():
    from bti_workbench.simulation.sweep.run import _batches

    sweep = plan_sweep(
        TEMPLATE,
        load_municipalities(None),  # 15 municipalities, Ibestad (256) to Tromsø (21 426)
        ["baseline", "trial_cap_one_log"],
        replications=2,
    )
    batches = _batches(sweep.tasks, max_cells=4, max_children=12_000)
    assert sorted(t for b in batches for t in b["task"]) == list(range(30))
    for batch in batches:
        assert batch["option"].nunique() == 1 and batch["point"].nunique() == 1
        assert len(batch) <= 4
        assert len(batch) == 1 or batch["children"].sum() <= 12_000
    alone = [b for b in batches if (b["municipality"] == "Tromsø").any()]
    assert all(len(b) == 1 for b in alone)
