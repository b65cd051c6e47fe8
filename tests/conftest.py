"""Shared fixtures: the ../shared folder beside the repository and generated demo data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bti_workbench.synthetic.demo import write_demo, write_demo_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SSB_2022 = SHARED / "data" / "ssb" / "07459_population_by_age_2022.csv"
SSB_2020 = SHARED / "data" / "ssb" / "07459_population_by_age_2020.csv"


@pytest.fixture(scope="session")
def shared_ssb() -> dict[int, Path]:
    """The two SSB downloads in ../shared; skip only when absent and not required."""
    if not (SSB_2022.exists() and SSB_2020.exists()):
        if os.environ.get("BTI_REQUIRE_SHARED"):
            pytest.fail(f"BTI_REQUIRE_SHARED is set but {SSB_2022.parent} is missing")
        pytest.skip("../shared/data/ssb is absent (set BTI_REQUIRE_SHARED to make this a failure)")
    return {2022: SSB_2022, 2020: SSB_2020}


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo data for Sirdal, seed 1."""
    out = tmp_path_factory.mktemp("demo")
    write_demo(out, "4228", seed=1)
    return out


@pytest.fixture(scope="session")
def large_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo data for a mid-sized municipality (Haugesund), enough cases for rates."""
    out = tmp_path_factory.mktemp("demo_large")
    write_demo(out, "1106", seed=7)
    return out


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store: Sirdal, Haugesund and Skien with staggered go-live dates."""
    return write_demo_store(tmp_path_factory.mktemp("store") / "demo.duckdb")


@pytest.fixture(scope="session")
def dask_client():
    """A LocalCluster of two worker processes for the sweep tests."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
