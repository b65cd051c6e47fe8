"""The workbench's version, defined once: ``version`` in ``pyproject.toml``.

Every layer may read it (results, sweep folders and reports record it); the package's
``__version__`` is this value. In a source checkout (an editable install) ``pyproject.toml``
beside the package is read, so a version bumped there counts without reinstalling; an
installed copy reads its package metadata, which was built from the same file.
"""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

__all__ = ["WORKBENCH_VERSION"]

_DISTRIBUTION = "bti_workbench"


def _source_version() -> str | None:
    """``project.version`` of the checkout's ``pyproject.toml``, or None outside a checkout."""
    path = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, ValueError):
        return None
    if project.get("name") != _DISTRIBUTION or not project.get("version"):
        return None
    return str(project["version"])


def _installed_version() -> str:
    try:
        return metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


#: The workbench's version (``bti_workbench.__version__``), recorded in every output: the
#: ``.json`` beside results, ``sweep.json`` and the reports. Bump ``version`` in
#: ``pyproject.toml`` to change it; there is no other definition.
WORKBENCH_VERSION: str = _source_version() or _installed_version()
