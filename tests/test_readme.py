"""The README's examples run, in order, on the demo data, and none comes back empty.

Every ``bti`` command in a ```` ```bash ```` block of README.md is run as a user would type it,
from a fresh folder that holds the project's ``data/`` files (scenarios, SSB tables, options)
and ``../shared`` beside it, so the demo data, stores and results it writes land there.
Commands with files of the user's own are in ```` ```text ```` blocks and are not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests._language import ENGLISH

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# What the commands read from the project's data folder (the rest they write themselves).
_DATA = ("scenarios", "raw", "organisation", "progress_plan", "municipalities.csv",
         "expected_links.csv", "staffing_norms.csv")  # fmt: skip


def readme_commands(text: str) -> list[str]:
    """The ``bti`` commands of the README's bash blocks, continuation lines joined, comments off.

    Examples
    --------
    >>> readme_commands("```bash\\nbti a --x 1 \\\\\\n    --y 2   # note\\n# out\\n```")
    ['bti a --x 1 --y 2']
    """
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", "", block)
        for line in joined.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith("bti "):
                commands.append(line)
    return commands


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder with the project's data files and ``../shared`` beside it."""
    if not SHARED.exists():
        pytest.skip("../shared is not beside the repository")
    root = tmp_path_factory.mktemp("readme")
    (root / "shared").symlink_to(SHARED)
    work = root / "project"
    (work / "data").mkdir(parents=True)
    for name in _DATA:
        (work / "data" / name).symlink_to(REPO / "data" / name)
    return work


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    bti = Path(sys.executable).with_name("bti")
    env = {**os.environ, "COLUMNS": "100", "BTI_DATA_ROOT": str(cwd / "data")}
    env.pop("BTI_LANG", None)
    return subprocess.run(
        [str(bti), *shlex.split(command)[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_every_readme_example_runs_and_says_something(workspace):
    commands = readme_commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert len(commands) >= 15
    for command in commands:
        result = _run(command, workspace)
        assert result.returncode == 0, (command, result.stdout[-2000:], result.stderr[-2000:])
        assert "Traceback" not in result.stderr, command
        out = (result.stdout + result.stderr).strip()  # a sweep reports on stderr
        assert out, f"{command}: printed nothing"
        assert not re.search(r"\b0 (ties|bånd|files imported|filer importert)\b", out), command
        long_lines = [line for line in out.splitlines() if len(line) > 100]
        assert long_lines == [], command
        if "--lang en" not in command:
            assert ENGLISH.findall(out) == [], (command, ENGLISH.findall(out))
