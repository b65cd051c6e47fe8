"""Exact in time: the fast engine agrees with queueing theory whatever step a file names.

The earlier engine advanced in time steps and booked a stay as a whole number of steps: a
single M/M/5 queue at utilisation 0.9 at a step of 0.25 week waited 43 % longer than
Erlang C says. The engine now follows every case in continuous time, so a step cannot bias
it; a file that still names one is told so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from bti_workbench.cli import app
from bti_workbench.simulation.engines.fast import simulate_fast
from bti_workbench.simulation.queueing import mmc
from bti_workbench.simulation.scenario.parse import load_scenario

SERVERS, MEAN_STAY, UTILISATION = 5, 1.0, 0.9
RATE = UTILISATION * SERVERS / MEAN_STAY  # 4.5 concerns a week
HORIZON, FROM_WEEK = 600, 100  # the queue relaxes in about 75 weeks at this load
#: The step engine's relative bias on this queue at a step of 0.25 week (Lq = λW).
OLD_BIAS = {"mean_waiting": 0.43, "mean_in_system": 0.28, "mean_wait": 0.43, "p_wait": 0.027}


def _mm5(tmp_path, step: float | None):
    """The M/M/5 queue at utilisation 0.9 as level 0; ``step``: an old file's time step."""
    quiet = {"duration": {"distribution": "exponential", "mean_weeks": 1}}
    stay = {"distribution": "exponential", "mean_weeks": MEAN_STAY}
    doc = {
        "name": "mm5",
        "horizon_weeks": HORIZON,
        "arrivals": {"poisson_per_week": RATE},
        "levels": {0: {"duration": stay, "slots": SERVERS}, 1: quiet, 2: quiet, 3: quiet},
    }
    if step is not None:
        doc["time_step_weeks"] = step
    path = tmp_path / f"mm5_{step}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def at_old_step(tmp_path_factory):
    """400 replications of the queue from a file with the old validation step, 0.25 week."""
    path = _mm5(tmp_path_factory.mktemp("mm5"), 0.25)
    return path, simulate_fast(load_scenario(path), replications=400, seed=2024)


def _per_replication(result) -> pd.DataFrame:
    """Each replication's Lq, L, mean wait and P(wait) over weeks 100–600."""
    levels = result.levels[(result.levels["level"] == 0) & (result.levels["week"] > FROM_WEEK)]
    queues = result.queues[(result.queues["level"] == 0) & (result.queues["week"] > FROM_WEEK)]
    flows = queues.groupby("replication")[["entered", "waited", "wait_weeks"]].sum()
    counts = levels.groupby("replication")[["active", "waiting"]].mean()
    return pd.DataFrame(
        {
            "mean_waiting": counts["waiting"],
            "mean_in_system": counts["active"] + counts["waiting"],
            "mean_wait": flows["wait_weeks"] / flows["entered"],
            "p_wait": flows["waited"] / flows["entered"],
        }
    )


def test_mm5_at_utilisation_09_matches_erlang_c_at_the_old_coarse_step(at_old_step):
    """Lq, L, the mean wait and P(wait), each against Erlang C inside its interval over 400
    replications; four checks at once, so each 95 % interval is widened to keep the family
    at 95 % (Bonferroni, z = 2.50). Lq and L are read at the end of each week, which samples
    the queue's time average without bias."""
    _, result = at_old_step
    theory = mmc(RATE, MEAN_STAY, SERVERS)
    z = stats.norm.ppf(1 - 0.05 / 4 / 2)
    estimates = _per_replication(result)
    for measure in ("mean_waiting", "mean_in_system", "mean_wait", "p_wait"):
        values = estimates[measure]
        half = z * values.std(ddof=1) / np.sqrt(len(values))
        expected = getattr(theory, measure)
        assert abs(values.mean() - expected) <= half, (measure, values.mean(), expected, half)
        # Narrow enough to have caught the old engine's bias at this step.
        assert half < OLD_BIAS[measure] * expected / 2, (measure, half)


def test_the_step_a_file_names_changes_no_number(tmp_path, at_old_step):
    _, result = at_old_step
    for step in (None, 1.0, 0.02):
        other = simulate_fast(load_scenario(_mm5(tmp_path, step)), replications=400, seed=2024)
        pd.testing.assert_frame_equal(other.queues, result.queues, check_exact=True)
        pd.testing.assert_frame_equal(other.levels, result.levels, check_exact=True)


def test_a_file_with_a_step_is_told_it_has_no_effect(tmp_path):
    assert load_scenario(_mm5(tmp_path, None)).notices == ()
    scenario = load_scenario(_mm5(tmp_path, 0.25))
    (english,) = scenario.notice_texts("en")
    (bokmal,) = scenario.notice_texts("nb")
    assert english.startswith(f"{scenario.source}: time_step_weeks no longer has effect")
    assert "kontinuerlig tid" in bokmal and "continuous" not in bokmal


@pytest.mark.parametrize(
    ("lang", "expected"), [("nb", "har ikke lenger noen virkning"), ("en", "no longer has effect")]
)
def test_the_commands_print_the_notice_on_stderr_in_the_users_language(tmp_path, lang, expected):
    path = _mm5(tmp_path, 0.25)
    runner = CliRunner()
    simulate = runner.invoke(app, ["simulate", str(path), "-r", "2", "--lang", lang])
    assert simulate.exit_code == 0, simulate.output
    assert expected in simulate.stderr and expected not in simulate.stdout
    quiet = runner.invoke(app, ["simulate", str(_mm5(tmp_path, None)), "-r", "2", "--lang", lang])
    assert quiet.exit_code == 0 and "time_step_weeks" not in quiet.stderr
