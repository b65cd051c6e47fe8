"""Checking ``resources:``: the services' baton holders and hours, partners, meetings, lead.

:func:`resources` is one short sequence of named steps; every step fails with the file and the
key named.
"""

from __future__ import annotations

import pandas as pd

from bti_workbench.reference.municipality import Municipality
from bti_workbench.simulation.scenario._checks import (
    _by_level,
    _children,
    _fail,
    _mapping,
    _number,
    _per_children,
    _say,
    _service,
    _share,
)
from bti_workbench.simulation.scenario.types import Meeting, Resources, ServiceResource

__all__ = ["resources"]

_RESOURCE_KEYS = {
    "hours_per_fte",
    "max_logs",
    "services",
    "hours_per_case_week",
    "partners",
    "meetings",
    "lead",
}
_SERVICE_KEYS = {
    "baton_holders",
    "baton_holders_per_1000",
    "max_logs",
    "hours_per_week",
    "hours_per_week_per_1000",
    "min_hours_per_week",
    "fte",
    "bti_share",
    "hours_factor",
    "travel_hours_per_meeting",
    "note",
}
_MEETING_KEYS = {"every_weeks", "hours", "services"}


def _baton_holders(source: str, key: str, entry: dict, municipality: Municipality | None) -> int:
    if "baton_holders_per_1000" in entry:
        if "baton_holders" in entry:
            _fail(
                source,
                f"{key}.baton_holders_per_1000",
                _say("holders_both"),
            )
        rate = float(
            _number(source, f"{key}.baton_holders_per_1000", entry["baton_holders_per_1000"], low=0)
        )
        children = _children(source, f"{key}.baton_holders_per_1000", municipality)
        return _per_children(rate, children)
    value = entry.get("baton_holders", 0)
    return int(_number(source, f"{key}.baton_holders", value, low=0, integer=True))


def _service_limits(source: str, key: str, entry: dict, defaults: dict) -> tuple[int, float, float]:
    """A service's maximum active logs per baton holder, hours factor and travel per meeting."""
    max_logs = int(
        _number(
            source,
            f"{key}.max_logs",
            entry.get("max_logs", defaults["max_logs"]),
            low=1,
            integer=True,
        )
    )
    factor = float(_number(source, f"{key}.hours_factor", entry.get("hours_factor", 1.0), low=0))
    travel = float(
        _number(
            source,
            f"{key}.travel_hours_per_meeting",
            entry.get("travel_hours_per_meeting", 0.0),
            low=0,
        )
    )
    return max_logs, factor, travel


def _check_hours_given_once(source: str, key: str, entry: dict) -> None:
    """Hours come one way: ``hours_per_week``, ``hours_per_week_per_1000`` or ``fte``."""
    given = [k for k in ("hours_per_week", "hours_per_week_per_1000", "fte") if k in entry]
    if len(given) > 1 or ("bti_share" in entry and "fte" not in entry):
        _fail(
            source,
            f"{key}.{given[-1] if given else 'bti_share'}",
            _say("hours_one_way"),
        )
    if "min_hours_per_week" in entry and "hours_per_week_per_1000" not in entry:
        _fail(source, f"{key}.min_hours_per_week", _say("goes_with_hours_per_1000"))


def _hours_per_1000(
    source: str, key: str, entry: dict, municipality: Municipality | None
) -> tuple[float, str]:
    per = f"{key}.hours_per_week_per_1000"
    rate = float(_number(source, per, entry["hours_per_week_per_1000"], low=0))
    floor = float(
        _number(source, f"{key}.min_hours_per_week", entry.get("min_hours_per_week", 0), low=0)
    )
    children = _children(source, per, municipality)
    hours = max(rate * children / 1000, floor)
    return hours, f"{rate:g} h per 1 000 children × {children} (at least {floor:g} h)"


def _hours_from_norms(
    source: str, key: str, name: str, hours_per_fte: float, municipality: Municipality | None
) -> tuple[float, str]:
    staffing = municipality.services if municipality is not None else pd.DataFrame()
    if name not in staffing.index:
        _fail(
            source,
            f"{key}.hours_per_week",
            _say("no_norm"),
        )
    fte = float(staffing.loc[name, "staff_fte"])
    share = float(staffing.loc[name, "bti_share"])
    hours = fte * share * hours_per_fte
    return hours, f"staffing norms: {fte:g} FTE × {share:g} BTI share × {hours_per_fte:g} h"


def _service_hours(
    source: str,
    key: str,
    name: str,
    entry: dict,
    hours_per_fte: float,
    municipality: Municipality | None,
) -> tuple[float | None, str]:
    """A service's BTI hours per week (None: no limit) and how they were found."""
    _check_hours_given_once(source, key, entry)
    if "hours_per_week_per_1000" in entry:
        return _hours_per_1000(source, key, entry, municipality)
    if "hours_per_week" in entry:
        value = entry["hours_per_week"]
        if value is None:
            return None, "unlimited"
        return float(_number(source, f"{key}.hours_per_week", value, low=0)), (
            "stated in the scenario"
        )
    if "fte" in entry:
        fte = float(_number(source, f"{key}.fte", entry["fte"], low=0))
        share = _share(source, f"{key}.bti_share", entry.get("bti_share", 1.0))
        return fte * share * hours_per_fte, (
            f"{fte:g} FTE × {share:g} BTI share × {hours_per_fte:g} h"
        )
    return _hours_from_norms(source, key, name, hours_per_fte, municipality)


def _service_resource(
    source: str, name: str, entry: object, defaults: dict, municipality: Municipality | None
) -> ServiceResource:
    """One entry of ``resources.services``: baton holders, logs, hours and travel."""
    key = f"resources.services.{name}"
    _service(source, key, name)
    entry = _mapping(source, key, entry, _SERVICE_KEYS)
    holders = _baton_holders(source, key, entry, municipality)
    max_logs, factor, travel = _service_limits(source, key, entry, defaults)
    hours, basis = _service_hours(source, key, name, entry, defaults["hours_per_fte"], municipality)
    if hours is not None:
        hours *= factor
        if factor != 1:
            basis += f" × {factor:g}"
    return ServiceResource(name, holders, max_logs, hours, travel, basis)


def _services(
    source: str, spec: dict, defaults: dict, municipality: Municipality | None
) -> tuple[ServiceResource, ...]:
    return tuple(
        _service_resource(source, name, entry, defaults, municipality)
        for name, entry in spec.items()
    )


def _per_level(source: str, key: str, spec: object, levels: range) -> dict[int, float]:
    spec = _by_level(source, key, spec, levels)
    return {k: float(_number(source, f"{key}.{k}", v, low=0)) for k, v in spec.items()}


def _resource_defaults(source: str, spec: dict) -> dict:
    """``hours_per_fte`` and ``max_logs``, which services take unless they say otherwise."""
    defaults = {
        "hours_per_fte": float(
            _number(
                source,
                "resources.hours_per_fte",
                spec.get("hours_per_fte", 37.5),
                low=0,
                strict=True,
            )
        ),
        "max_logs": spec.get("max_logs", 3),
    }
    _number(source, "resources.max_logs", defaults["max_logs"], low=1, integer=True)
    return defaults


def _check_baton_classes(source: str, classes: tuple[str, ...], names: dict) -> None:
    """Every baton-holder class of the arrivals is a service with baton holders."""
    for name in classes:
        if name not in names or not names[name].baton_holders:
            _fail(
                source,
                f"resources.services.{name}",
                _say("holds_batons"),
            )


def _case_hours(source: str, spec: dict) -> tuple[dict[int, float], dict[int, float]]:
    """Hours per case-week by level: the baton holder's (levels 1–3), the partner's (2–3)."""
    key = "resources.hours_per_case_week"
    per_case = _mapping(source, key, spec.get("hours_per_case_week"), {"baton_holder", "partner"})
    baton = _per_level(source, f"{key}.baton_holder", per_case.get("baton_holder"), range(1, 4))
    partner = _per_level(source, f"{key}.partner", per_case.get("partner"), range(2, 4))
    return baton, partner


def _partner_mix(source: str, key: str, mix: object, names: dict) -> dict[str, float]:
    """One class's partner shares at a level: services in the scenario, summing to at most 1."""
    mix = _mapping(source, key, mix)
    for name, share in mix.items():
        if name not in names:
            _fail(source, f"{key}.{name}", _say("partner_listed"))
        _share(source, f"{key}.{name}", share)
    total = sum(float(v) for v in mix.values())
    if total > 1 + 1e-9:
        _fail(source, key, _say("shares_sum", total=float(total)))
    return {k: float(v) for k, v in mix.items()}


def _partners(
    source: str, spec: dict, classes: tuple[str, ...], names: dict
) -> dict[int, dict[str, dict[str, float]]]:
    """``{level: {class: {service: share}}}`` from ``resources.partners``."""
    partners: dict[int, dict[str, dict[str, float]]] = {}
    partner_spec = _by_level(source, "resources.partners", spec.get("partners"), range(2, 4))
    for level, by_class in partner_spec.items():
        key = f"resources.partners.{level}"
        mixes = {}
        for klass, mix in _mapping(source, key, by_class).items():
            if klass != "*" and klass not in classes:
                _fail(source, f"{key}.{klass}", _say("not_class"))
            mixes[klass] = _partner_mix(source, f"{key}.{klass}", mix, names)
        partners[level] = mixes
    return partners


def _meetings(source: str, spec: dict) -> dict[int, Meeting]:
    """``{level: Meeting}`` from ``resources.meetings``."""
    meetings = {}
    meeting_spec = _by_level(source, "resources.meetings", spec.get("meetings"), range(1, 4))
    for level, entry in meeting_spec.items():
        key = f"resources.meetings.{level}"
        entry = _mapping(source, key, entry, _MEETING_KEYS)
        meetings[level] = Meeting(
            float(
                _number(source, f"{key}.every_weeks", entry.get("every_weeks"), low=0, strict=True)
            ),
            float(_number(source, f"{key}.hours", entry.get("hours"), low=0)),
            int(_number(source, f"{key}.services", entry.get("services", 2), low=1, integer=True)),
        )
    return meetings


def _lead(source: str, spec: dict, names: dict) -> dict[int, str]:
    """``{level: service}`` from ``resources.lead``."""
    lead = {}
    lead_spec = _by_level(source, "resources.lead", spec.get("lead"), range(2, 4))
    for level, name in lead_spec.items():
        key = f"resources.lead.{level}"
        if not isinstance(name, str) or name not in names:
            _fail(source, key, _say("lead_listed"))
        lead[level] = str(name)
    return lead


def _check_partners_can_start(
    source: str, partners: dict, meetings: dict, partner: dict[int, float], names: dict
) -> None:
    """Each partner service has the hours for one case (case work, meetings and travel)."""
    for level, by_class in partners.items():
        meeting = meetings.get(level)
        for mix in by_class.values():
            for name in mix:
                entry = names[name]
                need = partner.get(level, 0.0)
                if meeting:
                    need += (meeting.hours + entry.travel_hours_per_meeting) / meeting.every_weeks
                if entry.hours_per_week is not None and need > entry.hours_per_week + 1e-9:
                    _fail(
                        source,
                        f"resources.services.{name}.hours_per_week",
                        _say(
                            "case_cannot_start",
                            hours=float(entry.hours_per_week),
                            level=str(level),
                            need=float(need),
                        ),
                    )


def _check_logs_can_open(
    source: str,
    classes: tuple[str, ...],
    meetings: dict,
    baton: dict[int, float],
    names: dict,
) -> None:
    """Each baton-holder service has the hours for one new log at level 1."""
    level1 = baton.get(1, 0.0) + (meetings[1].hours_per_case_week if 1 in meetings else 0.0)
    for name in classes:
        entry = names[name]
        if entry.hours_per_week is not None and level1 > entry.hours_per_week + 1e-9:
            _fail(
                source,
                f"resources.services.{name}.hours_per_week",
                _say("log_cannot_open", hours=float(entry.hours_per_week), need=float(level1)),
            )


def resources(
    source: str, spec: object, classes: tuple[str, ...], municipality: Municipality | None
) -> Resources:
    """Check ``resources:`` and build the scenario's :class:`~.types.Resources`.

    Parameters
    ----------
    source : str
        The file name, for messages.
    spec : object
        The ``resources`` mapping of the document.
    classes : tuple of str
        The baton-holder classes of the arrivals (each must hold batons).
    municipality : Municipality or None
        For figures per 1 000 children and staffing norms.

    Returns
    -------
    Resources

    Raises
    ------
    ScenarioError
        Naming the file and the key.
    """
    spec = _mapping(source, "resources", spec, _RESOURCE_KEYS)
    defaults = _resource_defaults(source, spec)
    services = _services(
        source, _mapping(source, "resources.services", spec.get("services")), defaults, municipality
    )
    names = {entry.service: entry for entry in services}
    _check_baton_classes(source, classes, names)
    baton, partner = _case_hours(source, spec)
    partners = _partners(source, spec, classes, names)
    meetings = _meetings(source, spec)
    lead = _lead(source, spec, names)
    _check_partners_can_start(source, partners, meetings, partner, names)
    _check_logs_can_open(source, classes, meetings, baton, names)
    return Resources(
        services=services,
        baton_hours=tuple(baton.get(n, 0.0) for n in range(4)),
        partner_hours=tuple(partner.get(n, 0.0) for n in range(4)),
        partners=partners,
        meetings=meetings,
        lead=lead,
    )
