"""Organisation options: named overlays on a scenario.

An option is a small YAML diff with a ``description`` and ``changes``. ``changes`` is merged
into the scenario: mappings merge key by key, any other value replaces what was there, and
``null`` removes a key. Options come from the scenario's own ``options:`` section or from
``data/scenarios/options/NAME.yaml``; the scenario's own take precedence.

Example (``data/scenarios/options/trial_cap_one_log.yaml``)::

    description: One active log per baton holder, as in the trial period.
    changes:
      resources:
        max_logs: 1
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from bti_workbench._util.resources import data_dir

__all__ = [
    "apply_options",
    "available_options",
    "describe_option",
    "merge",
    "settings_overrides",
]

_OPTION_KEYS = {"description", "changes", "sources"}


def _options_dir() -> Path:
    return data_dir() / "scenarios" / "options"


def available_options(doc: dict | None = None) -> list[str]:
    """Names of the options a scenario can use: the shared ones and its own.

    Examples
    --------
    >>> "trial_cap_one_log" in available_options()
    True
    """
    shared = {p.stem for p in _options_dir().glob("*.yaml")}
    own = set((doc or {}).get("options") or {})
    return sorted(shared | own)


def merge(base: dict, changes: dict) -> dict:
    """Merge ``changes`` into a copy of ``base``: mappings merge, ``None`` removes a key.

    Examples
    --------
    >>> merge({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": 5, "c": None}})
    {'a': {'b': 5}, 'd': 3}
    """
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            if isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                # Merging into nothing still drops the change's nulls; nothing left, no key.
                added = merge({}, value)
                if added:
                    out[key] = added
        else:
            out[key] = copy.deepcopy(value)
    return out


def _load(name: str, doc: dict, source: str) -> tuple[dict, str]:
    from bti_workbench.simulation.scenario.parse import ScenarioError

    own = doc.get("options") or {}
    if not isinstance(own, dict):
        raise ScenarioError(f"{source}: options: must map option names to overlays")
    if name in own:
        spec, where = own[name], f"{source}: options.{name}"
    else:
        path = _options_dir() / f"{name}.yaml"
        if not path.is_file():
            known = ", ".join(available_options(doc)) or "none"
            raise ScenarioError(f"{source}: options: unknown option {name!r}; known: {known}")
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{path.name}: not valid YAML ({exc})") from exc
        where = path.name
    if not isinstance(spec, dict) or not isinstance(spec.get("changes"), dict):
        raise ScenarioError(f"{where}: changes: an option needs a mapping of changes")
    extra = sorted(set(spec) - _OPTION_KEYS)
    if extra:
        raise ScenarioError(f"{where}: {extra[0]}: unknown key; use description, changes, sources")
    if "options" in spec["changes"]:
        raise ScenarioError(f"{where}: changes.options: an option cannot define options")
    return spec, where


def describe_option(name: str, doc: dict | None = None) -> str:
    """The one-line description of an option.

    Examples
    --------
    >>> describe_option("no_bti").startswith("Without BTI")
    True
    """
    spec, _ = _load(name, doc or {}, "options")
    return str(spec.get("description", "")).strip()


def apply_options(doc: dict, options: tuple[str, ...] | list[str], source: str) -> dict:
    """Apply named options to a scenario document, in order.

    Parameters
    ----------
    doc : dict
        The scenario as read from YAML.
    options : sequence of str
    source : str
        The scenario file name, for messages.

    Raises
    ------
    ScenarioError
        For an unknown option or a malformed overlay.
    """
    from bti_workbench.simulation.scenario.parse import ScenarioError

    if len(set(options)) != len(options):
        raise ScenarioError(f"{source}: options: an option is given twice")
    out = {k: v for k, v in doc.items() if k != "options"}
    for name in options:
        spec, _ = _load(name, doc, source)
        out = merge(out, spec["changes"])
    if "options" in doc:
        out["options"] = doc["options"]
    return out


def _key_in(mapping: dict, segment: str) -> object:
    """The key a dotted segment means here: as written, else the number YAML would read."""
    if segment in mapping:
        return segment
    if segment.lstrip("-").isdigit():
        return int(segment)
    return segment


def settings_overrides(doc: dict, settings: dict[str, object], source: str) -> dict:
    """Dotted settings (``levels.1.duration.mean_weeks: 20``) as nested overrides.

    Each segment is matched against the document, so ``1`` finds a level written ``1:``
    (read by YAML as a number) and ``"0-5"`` an age band.

    Raises
    ------
    ScenarioError
        When a setting goes through a value that is not a mapping, or has an empty part.

    Examples
    --------
    >>> doc = {"levels": {1: {"duration": {"mean_weeks": 16}}}, "resources": {"max_logs": 3}}
    >>> settings_overrides(doc, {"levels.1.duration.mean_weeks": 20,
    ...                          "resources.max_logs": 1}, "t.yaml")
    {'levels': {1: {'duration': {'mean_weeks': 20}}}, 'resources': {'max_logs': 1}}
    """
    from bti_workbench.simulation.scenario.parse import ScenarioError

    out: dict = {}
    for path, value in settings.items():
        parts = str(path).split(".")
        if not all(part.strip() for part in parts):
            raise ScenarioError(f"{source}: {path}: a setting names keys joined by dots")
        here, target = doc, out
        for depth, part in enumerate(parts):
            key = _key_in(here if isinstance(here, dict) else {}, part)
            if depth == len(parts) - 1:
                target[key] = copy.deepcopy(value)
                break
            below = here.get(key) if isinstance(here, dict) else None
            if below is not None and not isinstance(below, dict):
                where = ".".join(parts[: depth + 1])
                raise ScenarioError(f"{source}: {path}: {where} is a value, not a mapping")
            here = below if below is not None else {}
            target = target.setdefault(key, {})
    return out
