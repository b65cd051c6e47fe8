"""`bti report evaluation`: the notebook rendered as HTML without code, for two municipalities."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import bti_workbench
from bti_workbench.cli import app
from bti_workbench.ingest.store import read_table

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner(env={"BTI_LANG": "en"})


@pytest.fixture(scope="module")
def rendered(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reports")
    pages = {}
    for place, period, lang in (
        ("4228", "2018-01-01..2018-06-30", "nb"),
        ("1106", "2019-01-01..2019-12-31", "en"),
    ):
        target = out / f"{place}.html"
        result = runner.invoke(
            app,
            [
                "report",
                "evaluation",
                "--store",
                str(demo_store),
                "--municipality",
                place,
                "--period",
                period,
                "--lang",
                lang,
                "--out",
                str(target),
            ],
        )
        assert result.exit_code == 0, result.output
        pages[place] = target.read_text(encoding="utf-8")
    return pages


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_report_has_headline_pictures_and_methods_but_no_code(rendered):
    nb, en = rendered["4228"], rendered["1106"]
    assert "Rekkevidde" in nb and "Metoder" in nb and "Forbehold" in nb
    assert "Reach" in en and "Methods" in en and "Caveats" in en
    assert "Callaway" in en and "Level-0 decision within 14 days" in en
    for page in (nb, en):
        assert page.count("Plotly.newPlot") >= 4  # figures drawn, plotly.js inline once
        assert "<script src=" not in page  # opens offline: nothing fetched from the net
        assert "load_evaluation(" not in page and "import pandas" not in page  # no code
        assert "# Parameters" not in page
        assert "Syntetiske demodata" in page or "Synthetic demo data" in page


def test_the_report_says_which_workbench_made_it_in_its_language(rendered):
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    version = project["version"]
    assert version == bti_workbench.__version__
    nb, en = _text(rendered["4228"]), _text(rendered["1106"])
    assert f"Laget med BTI-arbeidsbenk {version}." in nb and "Made with" not in nb
    assert f"Made with the BTI workbench {version}." in en and "Laget med" not in en
    for page in rendered.values():
        head = page.split("</head>")[0]
        assert re.search(rf'<meta [^>]*content="bti_workbench {re.escape(version)}"', head)
        footer = page.split('class="bti-made-with"')[1]
        assert version in footer.split("</footer>")[0]


def test_no_identifier_from_the_data_reaches_the_report(rendered, demo_store):
    log = read_table(demo_store, "event-log")
    pseudonyms = set(log["case_id"]) | set(log["actor_id"])
    for page in rendered.values():
        words = set(re.findall(r"[A-Za-z0-9_.\-]+", _text(page)))
        assert not words & pseudonyms


def test_small_counts_show_as_marks(rendered):
    # Sirdal's half year is small: reach and adoption numerators hide behind "<5".
    assert "&lt;5" in rendered["4228"] or "<5" in _text(rendered["4228"])


def test_bad_report_requests_fail_clearly(tmp_path, demo_store):
    missing = runner.invoke(
        app,
        [
            "report",
            "evaluation",
            "--store",
            str(tmp_path / "none.duckdb"),
            "-m",
            "4228",
            "--period",
            "2018-01-01..2018-06-30",
            "--out",
            str(tmp_path / "r.html"),
        ],
    )
    assert missing.exit_code == 1 and "bti import" in missing.output
    backwards = runner.invoke(
        app,
        [
            "report",
            "evaluation",
            "--store",
            str(demo_store),
            "-m",
            "4228",
            "--period",
            "2018-06-30..2018-01-01",
            "--out",
            str(tmp_path / "r.html"),
        ],
    )
    assert backwards.exit_code == 1 and "the end comes before the start" in backwards.output
    unknown = runner.invoke(
        app,
        [
            "report",
            "evaluation",
            "--store",
            str(demo_store),
            "-m",
            "5401",
            "--period",
            "2018-01-01..2018-06-30",
            "--out",
            str(tmp_path / "r.html"),
            "--keep-notebook",
            str(tmp_path / "kept.ipynb"),
        ],
    )
    # Refused before the notebook runs: nothing written, the municipality not printed back.
    assert unknown.exit_code == 1
    assert "--municipality: the store holds no event log" in unknown.output
    assert "5401" not in unknown.output
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "kept.ipynb").exists()


def test_a_report_run_prints_no_kernel_transport_warning(tmp_path, capfd):
    # The kernel runs over local sockets, so it has no "eavesdropping" warning to print
    # (the kernel writes to the process's own stderr: read at the file descriptor).
    import nbformat

    from bti_workbench.reports.render import render_report

    notebook = tmp_path / "tiny.ipynb"
    cells = [nbformat.v4.new_code_cell("print(1 + 1)")]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=kernel), notebook)
    out = render_report(notebook, {"lang": "nb"}, tmp_path / "tiny.html")
    captured = capfd.readouterr()
    assert "2" in out.read_text(encoding="utf-8")
    assert "without encryption" not in captured.err + captured.out
    assert "eavesdropping" not in captured.err + captured.out
