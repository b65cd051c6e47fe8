"""The ``bti`` app: its commands, their order in ``--help``, and ``python -m bti_workbench.cli``."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import click
import typer

from bti_workbench.cli import app

COMMANDS = [
    "population",
    "demo-data",
    "demo-store",
    "validate",
    "simulate",
    "compare",
    "network",
    "import",
    "calibrate",
    "serve",
    "sweep",
    "store",
    "report",
]


def test_every_command_is_registered_in_the_help_order():
    group = typer.main.get_command(app)
    context = click.Context(group)
    assert group.list_commands(context) == COMMANDS
    assert group.get_command(context, "store").list_commands(context) == [
        "status",
        "history",
        "remove",
    ]
    assert group.get_command(context, "report").list_commands(context) == [
        "load",
        "collaboration",
        "evaluation",
        "national",
        "brief",
    ]


def test_python_dash_m_runs_the_command_line():
    # The browser test and `make` start the server this way; a package needs __main__.py.
    done = subprocess.run(
        [sys.executable, "-m", "bti_workbench.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert done.returncode == 0, done.stderr
    assert "simulate" in done.stdout and "report" in done.stdout


def test_importing_the_main_module_runs_nothing():
    import bti_workbench.cli.__main__ as main

    assert main.__all__ == []


def _commands(group, context, prefix: tuple[str, ...] = ()):
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if hasattr(command, "list_commands"):
            yield from _commands(command, context, (*prefix, name))
        else:
            yield (*prefix, name)


def test_every_help_names_what_an_option_takes_in_plain_words():
    # Not Python's types (<list[Path]>, <int range> [x>=2], <bool> for a flag).
    from typer.testing import CliRunner

    group = typer.main.get_command(app)
    names = list(_commands(group, click.Context(group)))
    assert ("store", "history") in names and ("compare",) in names
    for name in names:
        result = CliRunner().invoke(app, [*name, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0, name
        assert not re.search(r"<[a-z][a-z_\[\] ]*>|\[x[<>]=", result.output), (name, result.output)
        assert max(len(line) for line in result.output.splitlines()) <= 100, name
