"""The scenario document: the YAML file as a mapping, before it is checked.

Everything that changes a scenario before
:func:`~bti_workbench.simulation.scenario.parse.parse_scenario` checks it happens here, on plain
mappings:

- :func:`read_document` reads a scenario file (the one place a scenario's YAML is read);
- :func:`merge` lays changes over a document, with one rule for ``null`` (below);
- organisation options (:func:`apply_options`, :func:`available_options`,
  :func:`describe_option`) and their combinations ``"a+b"`` (:func:`option_parts`);
- what a reader sees of options and scenarios, in bokmål or English (:func:`option_name`,
  :func:`option_names`, :func:`option_description`, :func:`scenario_name`,
  :func:`scenario_description`);
- dotted settings such as ``levels.1.duration.mean_weeks: 20`` (:func:`settings_overrides`);
- :func:`scenario_document`, which does all of it in order for a file.

The ``null`` rule: in a change, a mapping merges key by key into the mapping it meets, any
other value replaces what was there, and ``null`` (``None``) removes the key. So an option can
take a post away (``costs: {posts: null}``) and a slider can say that a service's hours are
now given as ``hours_per_week`` (``fte: null``). A change set keeps its ``null`` values until
it is merged into a document.

An option is a small YAML diff with a ``description`` and ``changes`` (and optionally a
``name``). Options come from the scenario's own ``options:`` section or from
``data/scenarios/options/NAME.yaml``; the scenario's own take precedence.

Names and descriptions for readers: the shipped options and scenarios have theirs in the label
catalogue, in bokmål and English (``option.<id>.name``, ``option.<id>.description``,
``scenario.<file stem>.name``, ``scenario.<file stem>.description``). An option or scenario
the catalogue does not know (a municipality's own) shows the ``name`` and ``description``
written in its file, as written, and else its id made readable (``ekstra_helsesykepleier`` →
``Ekstra helsesykepleier``). The ``description`` in a shipped file is for the file's readers.

Example (``data/scenarios/options/trial_cap_one_log.yaml``)::

    description: One active log per baton holder, as in the trial period.
    changes:
      resources:
        max_logs: 1
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from bti_workbench._util.resources import data_dir
from bti_workbench._util.yamlfile import load_yaml
from bti_workbench.errors import ScenarioError, Text, YamlFileError
from bti_workbench.reference.labels import catalogue, label, languages

__all__ = [
    "BASELINE",
    "OPTION_SEPARATOR",
    "apply_options",
    "available_options",
    "check_options",
    "describe_option",
    "merge",
    "option_description",
    "option_name",
    "option_names",
    "option_parts",
    "read_document",
    "scenario_description",
    "scenario_document",
    "scenario_name",
    "settings_overrides",
]

#: Joins options that run together: ``"trial_cap_one_log+intermunicipal_team"``.
OPTION_SEPARATOR = "+"
#: The name of the scenario as it is, without options, in comparisons and sweeps.
BASELINE = "baseline"
_OPTION_KEYS = {"name", "description", "changes", "sources"}


def _options_dir() -> Path:
    return data_dir() / "scenarios" / "options"


# --- the file ---------------------------------------------------------------------------------


def read_document(path: str | Path) -> dict:
    """Read a scenario file into a mapping, unchecked and without options.

    Parameters
    ----------
    path : str or pathlib.Path
        A YAML scenario, e.g. ``data/scenarios/sirdal.yaml``.

    Returns
    -------
    dict
        The document as YAML reads it (level keys stay as written, usually numbers).

    Raises
    ------
    ScenarioError
        When the file cannot be read, is not YAML, or is not a mapping at the top; the
        message starts with the file name.

    See Also
    --------
    scenario_document : The document with options, overrides and settings applied.
    bti_workbench.simulation.scenario.parse.load_scenario : Read and check a scenario.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> doc = read_document(data_dir() / "scenarios" / "sirdal.yaml")
    >>> doc["name"], doc["resources"]["max_logs"]
    ('sirdal', 1)
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _refused("err.scenario.unreadable", file=path.name, reason=exc.strerror) from exc
    return copy.deepcopy(_parsed(path.name, raw))


def _refused(key: str, **fields: object) -> ScenarioError:
    """A :class:`ScenarioError` saying the catalogue's ``key``: English as ``str(exc)``, in the
    user's language through :func:`~bti_workbench.errors.explain` (which calls ``text``)."""
    text = Text(key, fields)
    error = ScenarioError(text.render("en"))
    error.text = text.render
    return error


@lru_cache(maxsize=64)
def _parsed(name: str, raw: bytes) -> dict:
    """The YAML of a file's bytes, parsed once per distinct content (a served dashboard reads
    the same scenario on every slider move) with the one safe loader; callers get a copy."""
    try:
        doc = load_yaml(raw, source=name)
    except YamlFileError as exc:
        raise ScenarioError(str(exc)) from None
    if not isinstance(doc, dict):
        raise _refused("err.scenario.top", file=name)
    return doc


# --- merging ----------------------------------------------------------------------------------


def merge(base: Mapping, changes: Mapping) -> dict:
    """Lay ``changes`` over a copy of ``base``: mappings merge, ``None`` removes a key.

    This is the one merge of scenario documents (options, overrides, settings, sliders); see
    the module's ``null`` rule. Neither argument is changed.

    Parameters
    ----------
    base : mapping
        A scenario document (or part of one).
    changes : mapping
        What to change: a mapping merges into the mapping at the same key, any other value
        replaces it, ``None`` removes the key. A mapping that meets no mapping replaces it
        with its ``None`` values left out (and changes nothing if nothing is left).

    Returns
    -------
    dict
        A new mapping; ``base`` and ``changes`` share nothing with it.

    See Also
    --------
    apply_options : Merge named options in order.
    settings_overrides : Dotted settings as changes for this merge.

    Examples
    --------
    >>> merge({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": 5, "c": None}})
    {'a': {'b': 5}, 'd': 3}
    """
    out = copy.deepcopy(dict(base))
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, Mapping):
            if isinstance(out.get(key), Mapping):
                out[key] = merge(out[key], value)
            else:
                # Merging into nothing still drops the change's nulls; nothing left, no key.
                added = merge({}, value)
                if added:
                    out[key] = added
        else:
            out[key] = copy.deepcopy(value)
    return out


# --- options ------------------------------------------------------------------------------------


def option_parts(name: str) -> tuple[str, ...]:
    """The options a run applies, in order: ``"a+b"`` is ``a`` then ``b``.

    Parameters
    ----------
    name : str
        One option, or several joined by :data:`OPTION_SEPARATOR`. Empty parts are skipped;
        :data:`BASELINE` is the scenario as it is.

    Returns
    -------
    tuple of str
        The option names; ``()`` for ``""`` and for :data:`BASELINE`.

    See Also
    --------
    apply_options : Apply the parts to a document.

    Examples
    --------
    >>> option_parts("trial_cap_one_log+intermunicipal_team")
    ('trial_cap_one_log', 'intermunicipal_team')
    >>> option_parts("no_bti"), option_parts(""), option_parts("baseline")
    (('no_bti',), (), ())
    """
    if name == BASELINE:
        return ()
    return tuple(part for part in str(name).split(OPTION_SEPARATOR) if part)


def available_options(doc: Mapping | None = None) -> list[str]:
    """Names of the options a scenario can use: the shared ones and its own.

    Parameters
    ----------
    doc : mapping, optional
        The scenario document; its ``options:`` section adds its own options.

    Returns
    -------
    list of str
        Sorted names.

    See Also
    --------
    describe_option : An option's one-line description.

    Examples
    --------
    >>> "trial_cap_one_log" in available_options()
    True
    """
    shared = {p.stem for p in _options_dir().glob("*.yaml")}
    own = set((doc or {}).get("options") or {})
    return sorted(shared | own)


def _shared_path(name: str) -> Path | None:
    """A shared option's file, found by listing the folder: a name holding a path (``../x``,
    ``/etc/x``) matches no file's stem, so nothing outside the folder is ever read."""
    return next((p for p in _options_dir().glob("*.yaml") if p.stem == name), None)


def check_options(options: Sequence[str], doc: Mapping | None, where: str) -> None:
    """Refuse an option (or a part of ``"a+b"``) that neither ``doc`` nor the folder has.

    The message starts with ``where`` (``"tromso.yaml: options"`` or a flag) and quotes the
    name only when it looks like an option's id (lower case, digits, ``_``, fewer than four
    digits): anything else may be a path or an identifier and is not repeated.

    Examples
    --------
    >>> check_options(["no_bti+trial_cap_one_log", "baseline"], None, "--option")
    >>> check_options(["../../etc/x"], None, "--option")
    Traceback (most recent call last):
    ...
    bti_workbench.errors.ScenarioError: --option: unknown option (name not repeated); known: ...
    """
    own = (doc or {}).get("options") or {}
    for part in (p for name in options for p in option_parts(str(name))):
        if (isinstance(own, Mapping) and part in own) or _shared_path(part) is not None:
            continue
        plain = re.fullmatch(r"[a-z][a-z0-9_]{0,63}", part) and sum(map(str.isdigit, part)) < 4
        known = ", ".join(available_options(doc)) or Text("err.scenario.no_options")
        if plain:
            raise _refused("err.scenario.unknown_option", where=where, name=part, known=known)
        raise _refused("err.scenario.unknown_option_hidden", where=where, known=known)


def _shared_option(name: str, doc: Mapping, source: str) -> tuple[object, str]:
    path = _shared_path(name)
    if path is None:
        check_options([name], doc, f"{source}: options")
    return read_document(path), path.name


def _check_option(spec: object, where: str) -> None:
    if not isinstance(spec, dict) or not isinstance(spec.get("changes"), dict):
        raise _refused("err.scenario.option_changes", where=where)
    extra = sorted(set(spec) - _OPTION_KEYS)
    if extra:
        raise _refused("err.scenario.option_key", where=where, key=extra[0])
    if "options" in spec["changes"]:
        raise _refused("err.scenario.option_options", where=where)


def _load(name: str, doc: Mapping, source: str) -> tuple[dict, str]:
    """An option's overlay (the scenario's own first) and where it was found, checked."""
    own = doc.get("options") or {}
    if not isinstance(own, dict):
        raise _refused("err.scenario.options_mapping", file=source)
    if name in own:
        spec, where = own[name], f"{source}: options.{name}"
    else:
        spec, where = _shared_option(name, doc, source)
    _check_option(spec, where)
    return spec, where


def describe_option(name: str, doc: Mapping | None = None) -> str:
    """The one-line description of an option.

    Parameters
    ----------
    name : str
        The option.
    doc : mapping, optional
        The scenario document, for the scenario's own options.

    Returns
    -------
    str

    Raises
    ------
    ScenarioError
        For an unknown option or a malformed overlay.

    See Also
    --------
    available_options : The options a scenario can use.
    option_description : What a reader sees, in bokmål or English.

    Examples
    --------
    >>> describe_option("no_bti").startswith("Without BTI")
    True
    """
    spec, _ = _load(name, doc or {}, "options")
    return str(spec.get("description", "")).strip()


# --- names and descriptions for readers -------------------------------------------------------


def _catalogued(key: str, lang: str) -> str | None:
    """The catalogue's text for ``key`` in ``lang``, or None when the catalogue has no such key."""
    if lang not in languages():
        raise KeyError(f"unknown language {lang!r}; use one of {languages()}")
    table = catalogue()
    return str(table.loc[key, lang]) if key in table.index else None


def _readable(identifier: str) -> str:
    """An id as words: ``ekstra_helsesykepleier`` → ``Ekstra helsesykepleier``."""
    words = str(identifier).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _own_spec(name: str, doc: Mapping | None) -> Mapping | None:
    """The scenario's own overlay for an option, if it defines one."""
    own = (doc or {}).get("options") or {}
    spec = own.get(name) if isinstance(own, Mapping) else None
    return spec if isinstance(spec, Mapping) else None


def _written(spec: Mapping | None, key: str) -> str:
    return str((spec or {}).get(key) or "").strip()


def _one_option_name(name: str, lang: str, doc: Mapping | None) -> str:
    own = _own_spec(name, doc)
    if own is not None:
        return _written(own, "name") or _readable(name)
    text = _catalogued(f"option.{name}.name", lang)
    if text is not None:
        return text
    path = _shared_path(name)
    shared = read_document(path) if path is not None else None
    return _written(shared, "name") or _readable(name)


def option_name(option: str, lang: str = "nb", doc: Mapping | None = None) -> str:
    """The name a reader sees for an option, a combination ``"a+b"`` or the baseline.

    Parameters
    ----------
    option : str
        An option id (``trial_cap_one_log``), several joined by :data:`OPTION_SEPARATOR`, or
        :data:`BASELINE`.
    lang : {"nb", "en"}
        Norwegian bokmål (default) or English.
    doc : mapping, optional
        The scenario document, for the scenario's own options (their ``name`` as written).

    Returns
    -------
    str
        The catalogue's name (``option.<id>.name``) of a shipped option; for an option the
        catalogue does not know, the ``name`` in its overlay, else its id as words; the parts
        of a combination joined by ``" + "``; ``label("sim.baseline")`` for the baseline.

    Raises
    ------
    KeyError
        For an unknown language.

    See Also
    --------
    option_names : The names of every option a scenario can use.
    option_description : What the option changes, in words.

    Examples
    --------
    >>> option_name("trial_cap_one_log")
    'Én stafettlogg per stafettholder'
    >>> option_name("no_bti+intermunicipal_team", "en")
    'Without BTI + Intermunicipal PPT and child welfare team'
    >>> option_name("baseline", "en")
    'As today'
    >>> option_name("ekstra_helsesykepleier", doc={"options": {"ekstra_helsesykepleier": {
    ...     "changes": {}}}})
    'Ekstra helsesykepleier'
    """
    parts = option_parts(option)
    if not parts:
        return label("sim.baseline", lang)
    return " + ".join(_one_option_name(part, lang, doc) for part in parts)


def option_names(lang: str = "nb", doc: Mapping | None = None) -> dict[str, str]:
    """Every option a scenario can use, id → name, in the order of :func:`available_options`.

    Parameters
    ----------
    lang : {"nb", "en"}
    doc : mapping, optional
        The scenario document; its ``options:`` section adds its own options.

    Returns
    -------
    dict
        Option id → :func:`option_name`. A picker shows the names and keeps the ids.

    See Also
    --------
    option_name, available_options

    Examples
    --------
    >>> option_names("en")["no_bti"]
    'Without BTI'
    """
    return {name: option_name(name, lang, doc) for name in available_options(doc)}


def option_description(option: str, lang: str = "nb", doc: Mapping | None = None) -> str:
    """What an option, or each part of a combination, changes, in words a reader follows.

    Parameters
    ----------
    option : str
        An option id, several joined by :data:`OPTION_SEPARATOR`, or :data:`BASELINE`.
    lang : {"nb", "en"}
    doc : mapping, optional
        The scenario document, for the scenario's own options.

    Returns
    -------
    str
        The catalogue's description (``option.<id>.description``) of a shipped option; for
        one the catalogue does not know, the ``description`` in its overlay as written; the
        parts of a combination in turn, each after its name; ``""`` for the baseline.

    Raises
    ------
    ScenarioError
        For an option that neither the scenario nor ``data/scenarios/options/`` defines.
    KeyError
        For an unknown language.

    See Also
    --------
    option_name : The option's name.
    describe_option : The description written in the option's file.

    Examples
    --------
    >>> option_description("no_bti").startswith("Slik det kunne vært uten BTI")
    True
    >>> option_description("no_bti+trial_cap_one_log", "en").startswith("Without BTI: As it")
    True
    """
    parts = option_parts(option)
    texts = []
    for part in parts:
        own = _own_spec(part, doc)
        text = _catalogued(f"option.{part}.description", lang) if own is None else None
        if text is None:
            spec, _ = _load(part, doc or {}, "options")
            text = _written(spec, "description")
        texts.append(f"{_one_option_name(part, lang, doc)}: {text}" if len(parts) > 1 else text)
    return " ".join(texts)


def _stem(scenario: str | Path) -> str:
    """A scenario file's stem, from its path or its stem."""
    if isinstance(scenario, Path) or str(scenario).endswith((".yaml", ".yml")):
        return Path(scenario).stem
    return str(scenario)


def _scenario_doc(scenario: str | Path, doc: Mapping | None) -> Mapping | None:
    """The document given, else the file's when ``scenario`` is the path of one."""
    path = Path(scenario)
    if doc is None and path.suffix in {".yaml", ".yml"} and path.is_file():
        return read_document(path)
    return doc


def scenario_name(scenario: str | Path, lang: str = "nb", doc: Mapping | None = None) -> str:
    """The name a reader sees for a scenario file.

    Parameters
    ----------
    scenario : str or pathlib.Path
        The scenario file, or its stem (``tromso``); the catalogue is keyed by the stem.
    lang : {"nb", "en"}
    doc : mapping, optional
        The scenario document, for a scenario the catalogue does not know (else read from
        the file when ``scenario`` is a path).

    Returns
    -------
    str
        The catalogue's ``scenario.<stem>.name``; else the document's ``name`` as words; else
        the stem as words.

    See Also
    --------
    scenario_description : What the scenario describes.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> scenario_name(data_dir() / "scenarios" / "national_per_1000.yaml")
    'Nasjonal mal per 1 000 barn'
    >>> scenario_name("bodo", "en", doc={"name": "bodo_2024"})
    'Bodo 2024'
    """
    text = _catalogued(f"scenario.{_stem(scenario)}.name", lang)
    if text is not None:
        return text
    return _readable(_written(_scenario_doc(scenario, doc), "name") or _stem(scenario))


def scenario_description(scenario: str | Path, lang: str = "nb", doc: Mapping | None = None) -> str:
    """What a scenario describes, in words a reader follows.

    Parameters
    ----------
    scenario : str or pathlib.Path
        The scenario file, or its stem (``tromso``); the catalogue is keyed by the stem.
    lang : {"nb", "en"}
    doc : mapping, optional
        The scenario document, for a scenario the catalogue does not know (else read from
        the file when ``scenario`` is a path).

    Returns
    -------
    str
        The catalogue's ``scenario.<stem>.description``; else the file's ``description`` as
        written; else ``""``.

    See Also
    --------
    scenario_name : The scenario's name.

    Examples
    --------
    >>> scenario_description("sirdal").startswith("Sirdal med 534 barn og unge")
    True
    >>> scenario_description("bodo", "en", doc={"description": "Bodø as we see it."})
    'Bodø as we see it.'
    """
    text = _catalogued(f"scenario.{_stem(scenario)}.description", lang)
    if text is not None:
        return text
    return _written(_scenario_doc(scenario, doc), "description")


def apply_options(doc: Mapping, options: Sequence[str], source: str) -> dict:
    """Apply named options to a scenario document, in order.

    Parameters
    ----------
    doc : mapping
        The scenario as read from YAML (:func:`read_document`).
    options : sequence of str
        Option names, each once; a combination ``"a+b"`` applies ``a`` then ``b``
        (:func:`option_parts`) and :data:`BASELINE` applies nothing.
    source : str
        The scenario file name, for messages.

    Returns
    -------
    dict
        A new document; its ``options:`` section is kept as it was.

    Raises
    ------
    ScenarioError
        For an option given twice, an unknown option or a malformed overlay.

    See Also
    --------
    merge : How each option's ``changes`` are laid over the document.
    scenario_document : Read a file and apply options, overrides and settings.

    Examples
    --------
    >>> apply_options({"resources": {"max_logs": 3}}, ["trial_cap_one_log"], "t.yaml")
    {'resources': {'max_logs': 1}}
    """
    options = [part for name in options for part in option_parts(name)]
    if len(set(options)) != len(options):
        raise _refused("err.scenario.option_twice", file=source)
    out = {k: v for k, v in doc.items() if k != "options"}
    for name in options:
        spec, _ = _load(name, doc, source)
        out = merge(out, spec["changes"])
    if "options" in doc:
        out["options"] = doc["options"]
    return out


# --- settings -----------------------------------------------------------------------------------


def _key_in(mapping: Mapping, segment: str) -> object:
    """The key a dotted segment means here: as written, else the number YAML would read."""
    if segment in mapping:
        return segment
    if segment.lstrip("-").isdigit():
        return int(segment)
    return segment


def _set_dotted(doc: Mapping, out: dict, path: str, value: object, source: str) -> None:
    """Put ``value`` into ``out`` at the keys of ``doc`` that the dotted ``path`` names."""
    parts = str(path).split(".")
    if not all(part.strip() for part in parts):
        raise _refused("err.scenario.setting_dots", file=source, path=path)
    here: object = doc
    target = out
    for depth, part in enumerate(parts):
        key = _key_in(here if isinstance(here, Mapping) else {}, part)
        if depth == len(parts) - 1:
            target[key] = copy.deepcopy(value)
            return
        below = here.get(key) if isinstance(here, Mapping) else None
        if below is not None and not isinstance(below, Mapping):
            where = ".".join(parts[: depth + 1])
            raise _refused("err.scenario.setting_value", file=source, path=path, where=where)
        here = below if below is not None else {}
        target = target.setdefault(key, {})


def settings_overrides(doc: Mapping, settings: Mapping[str, object], source: str) -> dict:
    """Dotted settings (``levels.1.duration.mean_weeks: 20``) as nested changes.

    Each segment is matched against the document, so ``1`` finds a level written ``1:``
    (read by YAML as a number) and ``"0-5"`` an age band. ``None`` values are kept: they
    remove the key when the changes are merged (:func:`merge`).

    Parameters
    ----------
    doc : mapping
        The document the settings will change (``{}`` to read digits as numbers).
    settings : mapping
        Dotted key → value, in order.
    source : str
        The scenario file name, for messages.

    Returns
    -------
    dict
        Nested changes for :func:`merge`.

    Raises
    ------
    ScenarioError
        When a setting goes through a value that is not a mapping, or has an empty part.

    See Also
    --------
    merge : Lay the changes over the document.

    Examples
    --------
    >>> doc = {"levels": {1: {"duration": {"mean_weeks": 16}}}, "resources": {"max_logs": 3}}
    >>> settings_overrides(doc, {"levels.1.duration.mean_weeks": 20,
    ...                          "resources.max_logs": 1}, "t.yaml")
    {'levels': {1: {'duration': {'mean_weeks': 20}}}, 'resources': {'max_logs': 1}}
    """
    out: dict = {}
    for path, value in settings.items():
        _set_dotted(doc, out, path, value, source)
    return out


# --- all of it, for a file ----------------------------------------------------------------------


def _with_changes(
    doc: dict,
    overrides: Mapping | None,
    settings: Mapping[str, object] | None,
    source: str,
) -> tuple[dict, dict]:
    """The document with overrides then settings merged in, and the changes as applied."""
    changes = dict(overrides or {})
    if changes:
        doc = merge(doc, changes)
    if settings:
        nested = settings_overrides(doc, settings, source)
        doc = merge(doc, nested)
        changes = merge(changes, nested)
    return doc, changes


def scenario_document(
    path: str | Path,
    options: Sequence[str] = (),
    overrides: Mapping | None = None,
    settings: Mapping[str, object] | None = None,
) -> tuple[dict, str, dict]:
    """Read a scenario file and apply options, overrides and settings, without checking it.

    :func:`~bti_workbench.simulation.scenario.parse.load_scenario` is this followed by
    :func:`~bti_workbench.simulation.scenario.parse.parse_scenario`; a sweep prepares the
    document once and parses it on a worker, with the same result.

    Parameters
    ----------
    path : str or pathlib.Path
        The scenario file.
    options : sequence of str
        Organisation options, applied first and in order.
    overrides : mapping, optional
        Changes merged in after the options, like an unnamed option.
    settings : mapping, optional
        Dotted settings merged in last (:func:`settings_overrides`).

    Returns
    -------
    doc : dict
        The document.
    source : str
        The name used in messages, e.g. ``"sirdal.yaml (with no_bti, overrides)"``.
    changes : dict
        The overrides as applied, settings included.

    Raises
    ------
    ScenarioError
        For a file that cannot be read, an unknown option or a malformed setting.

    See Also
    --------
    read_document, apply_options, merge, settings_overrides

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> doc, source, changes = scenario_document(
    ...     data_dir() / "scenarios" / "sirdal.yaml", settings={"levels.1.next.up": 0.3})
    >>> doc["levels"][1]["next"], source
    ({'up': 0.3, 'down': 0.05, 'child_welfare': 0.02}, 'sirdal.yaml (with overrides)')
    """
    source = Path(path).name
    options = tuple(options)
    doc = apply_options(read_document(path), options, source)
    doc, changes = _with_changes(doc, overrides, settings, source)
    changed = [*options, *(["overrides"] if changes else [])]
    if changed:
        source = f"{source} (with {', '.join(changed)})"
    return doc, source, changes
