"""Which scenario file runs for a municipality: its own, or a template applied to it.

:func:`municipality_scenarios` lists the scenarios a municipality can run (the dashboard's
load page offers them); :func:`choose_scenario` picks one from a scenario's file stem, a
kommunenummer or both (the load report's parameters). Each answer is a
:class:`ScenarioChoice`: the file, what kind of choice it is and the overrides that apply it.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from bti_workbench._util.resources import data_dir
from bti_workbench.errors import ScenarioError
from bti_workbench.simulation.scenario.document import read_document

__all__ = ["CHOICE_KINDS", "ScenarioChoice", "choose_scenario", "municipality_scenarios"]

#: The kinds of :class:`ScenarioChoice`: a municipality's own file, a template for any
#: municipality, or another municipality's file applied to this one.
CHOICE_KINDS = ("own", "template", "applied")


class ScenarioChoice(NamedTuple):
    """A scenario chosen, or offered, for a municipality.

    ``kind`` is one of :data:`CHOICE_KINDS`: ``"own"`` (the municipality's own scenario
    file), ``"template"`` (a file with no municipality of its own, such as
    ``national_per_1000.yaml``, applied to this municipality's population) or ``"applied"``
    (another municipality's file applied to this one's population: the concerns follow this
    municipality's children, the baton holders, hours and posts stay the file's own).
    ``municipality`` is the kommunenummer the scenario runs for (``""`` for a file that names
    none and is run as it is); ``overrides`` is what applies the file to it (``{}`` for an
    own file).
    """

    name: str
    path: Path
    kind: str
    municipality: str
    overrides: dict


def _code(municipality: object) -> str:
    """A kommunenummer as four digits (``"301"`` → ``"0301"``)."""
    return str(municipality).strip().zfill(4)


def municipality_scenarios(
    municipality: str, folder: str | Path | None = None
) -> dict[str, ScenarioChoice]:
    """The scenarios a municipality can run: its own files, then templates.

    A file is the municipality's own when its ``municipality`` is this kommunenummer; a
    template when it names no municipality and gives its new concerns per 1 000 children
    (so it runs for any). Validation networks (new concerns as ``poisson_per_week``) and
    other municipalities' files are never offered.

    Parameters
    ----------
    municipality : str
        Kommunenummer, e.g. ``"4228"``.
    folder : str or pathlib.Path, optional
        Where the scenario files are; default ``data/scenarios``.

    Returns
    -------
    dict
        File stem → :class:`ScenarioChoice`, own files first, each group by name.

    See Also
    --------
    choose_scenario : The first of these, or a file named.
    bti_workbench.dashboard.load.load_view : Simulates a choice (``overrides`` applied).

    Examples
    --------
    >>> list(municipality_scenarios("4228"))
    ['sirdal', 'national_per_1000']
    >>> municipality_scenarios("3807")["national_per_1000"].overrides
    {'municipality': '3807'}
    """
    code = _code(municipality)
    own, templates = {}, {}
    for path in sorted(Path(folder or data_dir() / "scenarios").glob("*.yaml")):
        doc = read_document(path)
        arrivals = doc.get("arrivals") or {}
        if doc.get("municipality") is not None:
            if _code(doc["municipality"]) == code:
                own[path.stem] = ScenarioChoice(path.stem, path, "own", code, {})
        elif "per_1000_per_year" in arrivals and "poisson_per_week" not in arrivals:
            choice = ScenarioChoice(path.stem, path, "template", code, {"municipality": code})
            templates[path.stem] = choice
    return own | templates


def _scenario_file(scenario: str, folder: Path) -> Path:
    """The file of a scenario's stem, found by listing the folder (a stem holding a path
    such as ``../x`` matches no file, so nothing outside the folder is read)."""
    files = sorted(folder.glob("*.yaml"))
    found = next((path for path in files if path.stem == scenario), None)
    if found is None:
        known = ", ".join(path.stem for path in files) or "none"
        raise ScenarioError(f"no scenario {scenario!r} in {folder}; the scenarios are: {known}")
    return found


def _named_choice(path: Path, code: str) -> ScenarioChoice:
    """A file named by the caller, for ``code`` (``""``: the file's own municipality)."""
    doc = read_document(path)
    own = doc.get("municipality")
    own = _code(own) if own is not None else ""
    if not code or code == own:
        return ScenarioChoice(path.stem, path, "own", own, {})
    kind = "applied" if own else "template"
    return ScenarioChoice(path.stem, path, kind, code, {"municipality": code})


def choose_scenario(
    scenario: str = "", municipality: str = "", folder: str | Path | None = None
) -> ScenarioChoice:
    """The scenario to run, from a scenario's file stem, a kommunenummer or both.

    - a scenario alone: the file as it is, for the municipality it names (``"own"``);
    - a scenario and a municipality: the file applied to that municipality's population
      (``"own"`` when the file is that municipality's, ``"template"`` when it names none,
      ``"applied"`` when it is another municipality's);
    - a municipality alone: the first of :func:`municipality_scenarios`, its own file, else
      the national per-1 000 template applied to it.

    Parameters
    ----------
    scenario : str, default ""
        A file stem in ``folder`` (``"tromso"``), or ``""``.
    municipality : str, default ""
        A kommunenummer (``"4228"``), or ``""``.
    folder : str or pathlib.Path, optional
        Where the scenario files are; default ``data/scenarios``.

    Returns
    -------
    ScenarioChoice
        The file, the kind of choice, the municipality and the overrides that apply it
        (pass them to :func:`~bti_workbench.simulation.scenario.parse.load_scenario` or
        :func:`~bti_workbench.simulation.run.compare_options`).

    Raises
    ------
    ScenarioError
        When neither is given, for a scenario that is not in ``folder``, or when no file
        runs for the municipality.

    See Also
    --------
    municipality_scenarios : Every scenario a municipality can run.

    Examples
    --------
    >>> choice = choose_scenario(municipality="4228")
    >>> choice.name, choice.kind, choice.overrides
    ('sirdal', 'own', {})
    >>> choice = choose_scenario(municipality="3807")
    >>> choice.name, choice.kind, choice.overrides
    ('national_per_1000', 'template', {'municipality': '3807'})
    >>> choose_scenario("tromso", "1106")[2:]
    ('applied', '1106', {'municipality': '1106'})
    >>> choose_scenario("tromso").municipality
    '5401'
    """
    where = Path(folder or data_dir() / "scenarios")
    scenario, code = str(scenario or "").strip(), str(municipality or "").strip()
    code = _code(code) if code else ""
    if scenario:
        return _named_choice(_scenario_file(scenario, where), code)
    if not code:
        raise ScenarioError(
            "give a scenario (a file in data/scenarios/, e.g. tromso) or a municipality "
            "(kommunenummer, e.g. 4228), or both"
        )
    choices = municipality_scenarios(code, where)
    if not choices:
        raise ScenarioError(f"no scenario in {where} runs for municipality {code}")
    return next(iter(choices.values()))
