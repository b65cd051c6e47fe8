"""A scenario compiled to arrays: the one description of the model both engines run.

Rules (the same in both engines):

- A new concern arrives at level 0 in a class: the service whose staff will hold its baton.
- Level 0 needs no resource (unless the scenario gives level 0 its own ``slots``).
- Entering level 1 from level 0 opens a log: the case needs one of its service's baton-holder
  slots and that service's level-1 hours; it keeps the slot (and moves its hours) while it
  moves between levels 1–3 and gives it back when it closes, is reported to child welfare or
  goes down to level 0.
- Entering level 2 or 3, a case draws a partner service from the level's partner mix (or
  none). With a partner it waits until the partner has the hours, holding its baton slot.
- Each service serves its waiting cases level 3 first, then level 2, then new logs; a case
  that does not fit blocks those behind it in the same service.
- Hours are charged per case-week: case work plus the meeting share (meeting hours ÷ weeks
  between meetings) plus, for partners, travel per meeting. Cases waiting for a partner
  already count for their baton holder at the new level. Hours are a gate at admission only:
  a case that moves up is never stopped by its baton holder's hours, so utilisation can
  exceed 1 and is reported.
- Warm-start cases are open at week 0, split over classes in proportion to the arrivals and
  over partners in proportion to the mix; they hold their resources even above capacity.
  (A level with its own ``slots``, used in validation scenarios, starts as many as it has
  slots; the rest wait.)
- Costs count the hours of everyone at a meeting: the baton holder's and the partner's share
  are in their services' hours; the other participants' share uses the expected number at
  the table (services − baton holder − the chance of a partner).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bti_workbench.simulation.scenario.types import Duration, Scenario

__all__ = ["PRIORITY", "Model", "compile_model"]

#: The order in which a service takes its waiting cases, by the level they entered: level 3
#: first, then level 2, then new logs at level 1.
PRIORITY = (3, 2, 1)


@dataclass(frozen=True)
class Model:
    """A scenario as the arrays both engines run (see the module docstring for the rules).

    Shapes use C classes (the services whose staff hold a class's baton) and S services;
    ``inf`` means no limit, and index ``S`` in a partner axis (:attr:`none`) means no partner.
    """

    classes: tuple[str, ...]
    services: tuple[str, ...]
    weekly: np.ndarray  # (weeks, classes) expected arrivals
    baton: np.ndarray  # (classes,) service index or -1
    slots: np.ndarray  # (services,) inf if none
    hours: np.ndarray  # (services,) inf if unlimited
    level_slots: np.ndarray  # (4,) inf if none
    shares: np.ndarray  # (4, 4): up, down, child welfare, closed
    durations: tuple[Duration, ...]
    baton_hours: np.ndarray  # (4,) per case-week incl. meetings
    charge: np.ndarray  # (4, classes) service charged with the baton hours, -1 none
    partner_mix: np.ndarray  # (4, classes, services + 1), last column: no partner
    partner_hours: np.ndarray  # (4, services) per case-week incl. meetings and travel
    other_meeting_hours: np.ndarray  # (4,) person-hours per case-week of other participants
    warm: np.ndarray  # (4, classes, services + 1) open cases at week 0

    @property
    def none(self) -> int:
        """Index of 'no partner'."""
        return len(self.services)


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    if total == 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    out = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - out), kind="stable")
    out[order[: total - out.sum()]] += 1
    return out


def compile_model(scenario: Scenario) -> Model:
    """The arrays both engines run, from a parsed scenario.

    Parameters
    ----------
    scenario : Scenario
        A parsed scenario (:func:`~bti_workbench.simulation.scenario.parse.load_scenario`).

    Returns
    -------
    Model
        Arrivals, capacities, routing, durations, hours per case-week, partner mix and the
        warm start, by the rules in the module docstring.

    See Also
    --------
    bti_workbench.simulation.engines.fast.simulate_fast : runs it, compiled.
    bti_workbench.simulation.engines.ciw.simulate_ciw : runs it case by case.

    Examples
    --------
    >>> from bti_workbench import data_dir
    >>> from bti_workbench.simulation.scenario.parse import load_scenario
    >>> model = compile_model(load_scenario(data_dir() / "scenarios" / "sirdal.yaml"))
    >>> model.shares.shape, model.none == len(model.services)
    ((4, 4), True)
    """
    classes = scenario.arrivals.classes
    n_classes = len(classes)
    res = scenario.resources
    services = tuple(r.service for r in res.services) if res else ()
    n_services = len(services)
    index = {name: i for i, name in enumerate(services)}
    baton = np.array([index.get(c, -1) for c in classes], dtype=np.int64)
    slots = np.array(
        [np.inf if r.slots is None else r.slots for r in res.services] if res else [], dtype=float
    )
    hours = np.array(
        [np.inf if r.hours_per_week is None else r.hours_per_week for r in res.services]
        if res
        else [],
        dtype=float,
    )
    level_slots = np.array(
        [np.inf if lv.slots is None else lv.slots for lv in scenario.levels], dtype=float
    )
    shares = np.array([[lv.up, lv.down, lv.child_welfare, lv.closed] for lv in scenario.levels])
    baton_hours = np.zeros(4)
    partner_hours = np.zeros((4, n_services))
    other = np.zeros(4)
    charge = np.full((4, n_classes), -1, dtype=np.int64)
    mix = np.zeros((4, n_classes, n_services + 1))
    mix[:, :, n_services] = 1.0
    if res:
        travel = np.array([r.travel_hours_per_meeting for r in res.services])
        for level in range(1, 4):
            meeting = res.meetings.get(level)
            share = meeting.hours_per_case_week if meeting else 0.0
            baton_hours[level] = res.baton_hours[level] + share
            if level >= 2:
                per_meeting = travel / meeting.every_weeks if meeting else 0.0
                partner_hours[level] = res.partner_hours[level] + share + per_meeting
            lead = res.lead.get(level)
            charge[level] = index[lead] if lead else baton
        for level, by_class in res.partners.items():
            for c, name in enumerate(classes):
                chosen = by_class.get(name, by_class.get("*", {}))
                for partner, value in chosen.items():
                    mix[level, c, index[partner]] = value
                mix[level, c, n_services] = max(0.0, 1.0 - sum(chosen.values()))
    weights = scenario.arrivals.weekly.sum(axis=0)
    if res:
        for level, meeting in res.meetings.items():
            with_partner = 0.0
            if level >= 2 and weights.sum() > 0:
                with_partner = 1.0 - float(np.average(mix[level, :, n_services], weights=weights))
            other[level] = (
                max(0.0, meeting.services - 1 - with_partner) * meeting.hours_per_case_week
            )
    warm = np.zeros((4, n_classes, n_services + 1), dtype=np.int64)
    for level, total in enumerate(scenario.warm_start):
        by_class = _largest_remainder(total, weights)
        for c, count in enumerate(by_class):
            warm[level, c] = _largest_remainder(int(count), mix[level, c])
    return Model(
        classes=classes,
        services=services,
        weekly=scenario.arrivals.weekly,
        baton=baton,
        slots=slots,
        hours=hours,
        level_slots=level_slots,
        shares=shares,
        durations=tuple(lv.duration for lv in scenario.levels),
        baton_hours=baton_hours,
        charge=charge,
        partner_mix=mix,
        partner_hours=partner_hours,
        other_meeting_hours=other,
        warm=warm,
    )
