"""The compiled kernel of the `fast` engine: one replication, case by case, in continuous time.

Each replication is a discrete-event simulation of the rules in
:mod:`bti_workbench.simulation.model`, compiled with numba. Events are arrivals (one Poisson
stream per class, its rate changing week by week), and ends of stays, kept in a calendar
queue (Brown, 1988: buckets of a fixed width in time, each an unsorted list, walked in turn).
A case's stay is drawn when it starts and it leaves at exactly that time; a case that waits
starts the moment its resources free up. Nothing is rounded to a time step, so the results
converge to queueing theory however the weeks are divided.

The state is a few flat arrays (:class:`State`): a pool of case records reused through a
free list, the calendar of stay ends, one first-come-first-served queue per service and level
entered (linked through the case records), and the resources in use. At each week's end the
kernel writes the counts the output schema needs (:mod:`bti_workbench.simulation.output`).

Random numbers come from :mod:`~bti_workbench.simulation.engines._streams`: every class's
arrivals and every case have a stream of their own, derived from the replication's key, so a
replication gives the same numbers alone or in a batch, and a case draws the same stays,
routing and partners whatever other cases do (common random numbers between options).
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from bti_workbench.simulation.engines._streams import duration, exponential, substream, uniform

__all__ = ["Out", "Rules", "State", "new_state", "run_replications"]

#: The first 16 hex digits of the SHA-256 of ``_streams.py``, whose functions are compiled
#: into this kernel. numba's disk cache notices a change to this file only: a change to
#: ``_streams.py`` must change this line too, so no cached kernel keeps the old draws
#: (``tests/simulation/engines/test_kernel.py`` checks it).
STREAMS_DIGEST = "304c17d4f5c29468"

_BATON, _WARM = 1, 2  # case flags: holds a baton-holder slot; open at week 0
_ARRIVALS, _WARM_LABEL = 0, 1 << 40  # stream labels: class c's arrivals; warm cases
_NONE = -1
# Counters in State.n
_BOOKED, _FREE, _OVERFLOW, _CLOSED, _REPORTED, _DAY, _FIRST = 0, 1, 2, 3, 4, 5, 6


def _compiled(function):
    """Compiled, cached on disk, and without numba's reference counting: every array is
    made in Python, so the kernel never allocates."""
    return nb.njit(cache=True, _nrt=False)(function)


def _inlined(function):
    """As :func:`_compiled`, and inlined where it is called (a small step on the hot path)."""
    return nb.njit(cache=True, inline="always", _nrt=False)(function)


class Rules(NamedTuple):
    """The model's arrays the kernel reads (see :class:`~bti_workbench.simulation.model.Model`)."""

    baton: np.ndarray  # (C,) service holding the class's baton, -1 none
    level_slots: np.ndarray  # (4,) inf if none
    route_cum: np.ndarray  # (4, 3) cumulative shares up, down, child welfare
    dur_code: np.ndarray  # (4,) distribution code
    dur_a: np.ndarray  # (4,)
    dur_b: np.ndarray  # (4,)
    baton_hours: np.ndarray  # (4,)
    charge: np.ndarray  # (4, C) service charged with the baton hours, -1 none
    mix_cum: np.ndarray  # (4, C, S) cumulative partner mix; S means no partner
    partner_hours: np.ndarray  # (4, S)
    weekly: np.ndarray  # (weeks, C) expected concerns per week
    slots_cap: np.ndarray  # (S,)
    hours_cap: np.ndarray  # (S,)
    warm: np.ndarray  # (4, C, S + 1) open cases at week 0
    per_day: np.ndarray  # (1,) calendar days per week


class State(NamedTuple):
    """One replication's state; case records are indexed by case number in the pool."""

    klass: np.ndarray
    level: np.ndarray
    partner: np.ndarray
    flags: np.ndarray
    rng: np.ndarray  # uint64 stream state per case
    arrived: np.ndarray  # when the case came to its current level
    link: np.ndarray  # next case in the same queue
    end_at: np.ndarray  # when the case's current stay ends
    later: np.ndarray  # the next case booked in the same calendar bucket
    calendar: np.ndarray  # (days,) first case booked in each bucket; days a power of two
    free: np.ndarray
    n: np.ndarray  # counters: booked ends, free top, overflow, closed, reported, calendar day,
    # the case whose stay ends first (-1 when not yet found)
    head: np.ndarray  # queues: service s, k = 0, 1, 2 for levels 3, 2, 1 at 3s + k;
    tail: np.ndarray  # a level's own slots at 3S + level
    active: np.ndarray  # (4,)
    waiting: np.ndarray  # (4,)
    slots_used: np.ndarray  # (S,)
    hours_used: np.ndarray  # (S,)
    service_waiting: np.ndarray  # (S,)
    area: np.ndarray  # (4,) waiting case-weeks so far this week
    clock: np.ndarray  # (1,) time the area was last brought up to
    planned: np.ndarray  # where a case drawn ahead goes after level 0, or -1
    joining: np.ndarray  # (weeks,) concerns drawn ahead, by week of arrival
    leaving: np.ndarray  # (weeks,) concerns drawn ahead, by week they leave level 0 in
    scratch: np.ndarray  # (1,) uint64 stream of a case that needs no record
    arrivals: np.ndarray  # (C,) uint64 stream state of each class's arrivals
    next_at: np.ndarray  # (C,) each class's next arrival
    counted: np.ndarray  # (C,) concerns of each class so far


class Out(NamedTuple):
    """One replication's weekly output, (weeks, 4) per level or (weeks, S) per service."""

    active: np.ndarray
    waiting: np.ndarray
    entered: np.ndarray
    waited: np.ndarray
    wait_weeks: np.ndarray
    stay_weeks: np.ndarray
    logs: np.ndarray
    hours: np.ndarray
    service_waiting: np.ndarray


def new_state(capacity: int, n_services: int, n_classes: int, weeks: int, days: int) -> State:
    """Arrays for one replication at a time: ``capacity`` case records and a calendar of
    ``days`` buckets (made in Python: the kernel runs without numba's memory manager and
    allocates nothing)."""
    records = [np.zeros(capacity, np.int64) for _ in range(4)]
    return State(
        *records,
        np.zeros(capacity, np.uint64),
        np.zeros(capacity),
        np.zeros(capacity, np.int64),
        np.zeros(capacity),
        np.zeros(capacity, np.int64),
        np.zeros(days, np.int64),
        np.zeros(capacity, np.int64),
        np.zeros(7, np.int64),
        np.zeros(3 * n_services + 4, np.int64),
        np.zeros(3 * n_services + 4, np.int64),
        np.zeros(4, np.int64),
        np.zeros(4, np.int64),
        np.zeros(n_services),
        np.zeros(n_services),
        np.zeros(n_services, np.int64),
        np.zeros(4),
        np.zeros(1),
        np.zeros(capacity, np.int64),
        np.zeros(weeks, np.int64),
        np.zeros(weeks, np.int64),
        np.zeros(1, np.uint64),
        np.zeros(n_classes, np.uint64),
        np.zeros(n_classes),
        np.zeros(n_classes, np.int64),
    )


@_compiled
def _reset(st: State) -> None:
    """Empty the state for the next replication: every record free, nothing in use."""
    capacity = st.free.shape[0]
    for i in range(capacity):
        st.free[i] = capacity - 1 - i
    st.n[:] = 0
    st.n[_FREE] = capacity
    st.n[_FIRST] = _NONE
    st.calendar[:] = _NONE
    st.head[:] = _NONE
    st.tail[:] = _NONE
    st.active[:] = 0
    st.waiting[:] = 0
    st.slots_used[:] = 0.0
    st.hours_used[:] = 0.0
    st.service_waiting[:] = 0
    st.area[:] = 0.0
    st.clock[0] = 0.0
    st.counted[:] = 0
    st.joining[:] = 0
    st.leaving[:] = 0


# --- case records, calendar and queues --------------------------------------------------------


@_inlined
def _new_case(st: State, klass: int, key: np.uint64, label: int, index: int) -> int:
    """A free case record for a case of ``klass`` with stream ``(label, index)``; -1 if full."""
    if st.n[_FREE] == 0:
        st.n[_OVERFLOW] = 1
        return _NONE
    st.n[_FREE] -= 1
    case = st.free[st.n[_FREE]]
    st.klass[case] = klass
    st.partner[case] = _NONE
    st.flags[case] = 0
    st.planned[case] = _NONE
    st.rng[case] = substream(key, label, index)
    st.link[case] = _NONE
    return case


@_inlined
def _release_case(st: State, case: int) -> None:
    st.free[st.n[_FREE]] = case
    st.n[_FREE] += 1


@_inlined
def _day(rules: Rules, time: float) -> int:
    """The calendar day (bucket number, unwrapped) of a time."""
    return np.int64(time * rules.per_day[0])


@_inlined
def _push(st: State, rules: Rules, time: float, case: int) -> None:
    """Book the end of a case's stay in the calendar."""
    st.end_at[case] = time
    day = _day(rules, time)
    bucket = day & (st.calendar.shape[0] - 1)
    st.later[case] = st.calendar[bucket]
    st.calendar[bucket] = case
    st.n[_BOOKED] += 1
    first = st.n[_FIRST]
    if st.n[_BOOKED] == 1 or (first >= 0 and time < st.end_at[first]):
        # The new earliest end: the walk starts from its day (no booked end is earlier).
        st.n[_FIRST], st.n[_DAY] = case, day


@_inlined
def _earliest(st: State, rules: Rules) -> float:
    """When the earliest booked stay ends (inf when none is booked)."""
    if st.n[_BOOKED] == 0:
        return np.inf
    if st.n[_FIRST] < 0:
        _find_earliest(st, rules)
    return st.end_at[st.n[_FIRST]]


@_compiled
def _find_earliest(st: State, rules: Rules) -> None:
    """Walk the calendar day by day from the current day to the first booked end; after a
    whole cycle of empty days, search every bucket (all ends are far ahead)."""
    days = st.calendar.shape[0]
    day = st.n[_DAY]
    for _ in range(days):
        best, best_time = _NONE, np.inf
        case = st.calendar[day & (days - 1)]
        while case != _NONE:
            time = st.end_at[case]
            if time < best_time and _day(rules, time) == day:
                best, best_time = case, time
            case = st.later[case]
        if best != _NONE:
            st.n[_FIRST], st.n[_DAY] = best, day
            return
        day += 1
    best, best_time = _NONE, np.inf
    for bucket in range(days):
        case = st.calendar[bucket]
        while case != _NONE:
            if st.end_at[case] < best_time:
                best, best_time = case, st.end_at[case]
            case = st.later[case]
    st.n[_FIRST], st.n[_DAY] = best, _day(rules, best_time)


@_inlined
def _pop(st: State, rules: Rules) -> int:
    """Take the earliest booked end out of the calendar (after :func:`_earliest`); its case."""
    case = st.n[_FIRST]
    bucket = _day(rules, st.end_at[case]) & (st.calendar.shape[0] - 1)
    if st.calendar[bucket] == case:
        st.calendar[bucket] = st.later[case]
    else:
        before = st.calendar[bucket]
        while st.later[before] != case:
            before = st.later[before]
        st.later[before] = st.later[case]
    st.n[_BOOKED] -= 1
    st.n[_FIRST] = _NONE
    return case


@_inlined
def _append(st: State, queue: int, case: int) -> None:
    st.link[case] = _NONE
    if st.tail[queue] == _NONE:
        st.head[queue] = case
    else:
        st.link[st.tail[queue]] = case
    st.tail[queue] = case


@_inlined
def _take_first(st: State, queue: int) -> int:
    case = st.head[queue]
    st.head[queue] = st.link[case]
    if st.head[queue] == _NONE:
        st.tail[queue] = _NONE
    return case


# --- stays ------------------------------------------------------------------------------


@_inlined
def _week_of(time: float, out: Out) -> int:
    """The week a time falls in (a time exactly at the horizon counts in the last week)."""
    return min(np.int64(time), out.active.shape[0] - 1)


@_inlined
def _start(st: State, rules: Rules, out: Out, case: int, level: int, now: float) -> None:
    """Start a case's stay at a level now: draw how long it lasts and book its end."""
    stay = duration(st.rng, case, rules.dur_code[level], rules.dur_a[level], rules.dur_b[level])
    end = now + stay
    _push(st, rules, end, case)
    st.active[level] += 1
    horizon = float(out.active.shape[0])
    out.stay_weeks[_week_of(now, out), level] += min(end, horizon) - now
    if now > st.arrived[case] and not st.flags[case] & _WARM:
        out.waited[_week_of(st.arrived[case], out), level] += 1


@_inlined
def _fits(st: State, rules: Rules, service: int, level: int) -> bool:
    if level == 1:
        if st.slots_used[service] + 1 > rules.slots_cap[service] + 1e-9:
            return False
        need = rules.baton_hours[1]
    else:
        need = rules.partner_hours[level, service]
    return need <= 0 or st.hours_used[service] + need <= rules.hours_cap[service] + 1e-9


@_inlined
def _dispatch(st: State, rules: Rules, out: Out, service: int, now: float) -> None:
    """Start a service's waiting cases while they fit: level 3, then 2, then new logs, each
    first come, first served; a case that does not fit blocks all behind it."""
    for k in range(3):
        level = 3 - k
        queue = 3 * service + k
        while st.head[queue] != _NONE:
            if not _fits(st, rules, service, level):
                return
            case = _take_first(st, queue)
            st.service_waiting[service] -= 1
            st.waiting[level] -= 1
            if level == 1:
                st.flags[case] |= _BATON
                st.slots_used[service] += 1
                st.hours_used[service] += rules.baton_hours[1]
            else:
                st.hours_used[service] += rules.partner_hours[level, service]
            _start(st, rules, out, case, level, now)


@_inlined
def _own_queue(rules: Rules, level: int) -> int:
    """The queue of a level with slots of its own (after the services' three each)."""
    return 3 * rules.slots_cap.shape[0] + level


@_inlined
def _enter_own_slots(st: State, rules: Rules, out: Out, case: int, level: int, now: float):
    """A level with its own slots: start now if one is free and nobody waits, else queue."""
    queue = _own_queue(rules, level)
    if st.active[level] < rules.level_slots[level] and st.head[queue] == _NONE:
        _start(st, rules, out, case, level, now)
    else:
        _append(st, queue, case)
        st.waiting[level] += 1


@_inlined
def _queue_for(st: State, rules: Rules, case: int, level: int, came_from: int) -> int:
    """The service a case coming to ``level`` must wait for (drawing its partner), or -1."""
    c = st.klass[case]
    n_services = rules.slots_cap.shape[0]
    if n_services == 0 or level == 0 or (level == 1 and came_from == 2):
        return _NONE
    if level == 1:
        return rules.baton[c]
    u = uniform(st.rng, case)
    partner = 0
    while partner < n_services and u >= rules.mix_cum[level, c, partner]:
        partner += 1
    if partner == n_services:
        return _NONE
    st.partner[case] = partner
    return partner


@_inlined
def _enter(st: State, rules: Rules, out: Out, case: int, level: int, came_from: int, now: float):
    """A case comes to a level: it starts now or waits for its baton holder or partner."""
    out.entered[_week_of(now, out), level] += 1
    st.arrived[case] = now
    st.level[case] = level
    st.partner[case] = _NONE
    c = st.klass[case]
    if level >= 1 and st.flags[case] & _BATON and rules.charge[level, c] >= 0:
        st.hours_used[rules.charge[level, c]] += rules.baton_hours[level]
    if np.isfinite(rules.level_slots[level]):
        _enter_own_slots(st, rules, out, case, level, now)
        return
    service = _queue_for(st, rules, case, level, came_from)
    if service < 0:
        _start(st, rules, out, case, level, now)
        return
    _append(st, 3 * service + 3 - level, case)
    st.service_waiting[service] += 1
    st.waiting[level] += 1
    _dispatch(st, rules, out, service, now)


@_inlined
def _leave(st: State, rules: Rules, case: int, level: int, to: int) -> tuple[int, int, int]:
    """Give back what a case held at a level; the services whose resources freed up (the
    partner, the service charged with the baton hours, the baton holder; -1 for none)."""
    c = st.klass[case]
    partner, charged, holder = st.partner[case], _NONE, _NONE
    if partner >= 0:
        st.hours_used[partner] -= rules.partner_hours[level, partner]
    if level >= 1 and st.flags[case] & _BATON:
        if rules.charge[level, c] >= 0:
            charged = rules.charge[level, c]
            st.hours_used[charged] -= rules.baton_hours[level]
        if to <= 0:
            holder = rules.baton[c]
            st.flags[case] &= ~_BATON
            st.slots_used[holder] -= 1
    st.flags[case] &= ~_WARM
    st.partner[case] = _NONE
    return partner, charged, holder


@_inlined
def _route(states: np.ndarray, i: int, rules: Rules, level: int) -> tuple[int, int]:
    """Where a case goes after its stay, drawn from stream ``states[i]``: (route, next
    level), route 0 up, 1 down, 2 child welfare, 3 closed; next level -1 when it leaves."""
    u = uniform(states, i)
    route = 0
    while route < 3 and u >= rules.route_cum[level, route]:
        route += 1
    return route, level + 1 if route == 0 else level - 1 if route == 1 else _NONE


@_inlined
def _step(st: State, rules: Rules, out: Out, key: np.uint64, arrival: int, now: float):
    """One event: a concern of class ``arrival`` arrives, or (``arrival`` -1) the earliest
    stay ends and its case moves on, giving back what it held to whoever waits for it."""
    came_from, case, freed = _NONE, _NONE, (_NONE, _NONE, _NONE)
    if arrival >= 0:
        index = st.counted[arrival]
        st.counted[arrival] += 1
        case = _new_case(st, arrival, key, arrival + 1, index)
        to = 0 if case >= 0 else _NONE
    else:
        case = _pop(st, rules)
        came_from = st.level[case]
        route = st.planned[case]
        if route >= 0:  # drawn ahead, counted at level 0 by week (see _concerns_ahead)
            to = 1 if route == 0 else _NONE
            st.planned[case] = _NONE
        else:
            st.active[came_from] -= 1
            route, to = _route(st.rng, case, rules, came_from)
        freed = _leave(st, rules, case, came_from, to)
        if to < 0:
            st.n[_REPORTED if route == 2 else _CLOSED] += 1
            _release_case(st, case)
    if to >= 0:
        _enter(st, rules, out, case, to, came_from, now)
    if came_from >= 0 and np.isfinite(rules.level_slots[came_from]):
        queue = _own_queue(rules, came_from)
        while st.head[queue] != _NONE and st.active[came_from] < rules.level_slots[came_from]:
            st.waiting[came_from] -= 1
            _start(st, rules, out, _take_first(st, queue), came_from, now)
    a, b, c = freed
    a, b = min(a, b), max(a, b)
    b, c = min(b, c), max(b, c)
    a, b = min(a, b), max(a, b)
    ordered = (a, b, c)
    for i in range(3):  # the freed services in order, each once
        if ordered[i] >= 0 and (i == 0 or ordered[i] != ordered[i - 1]):
            _dispatch(st, rules, out, ordered[i], now)


# --- arrivals, warm start and the weeks ---------------------------------------------------


@_inlined
def _next_arrival(states: np.ndarray, c: int, weekly: np.ndarray, after: float) -> float:
    """The next concern of class ``c`` after ``after``: Poisson with a rate per week (a
    draw that passes the week's end is redrawn from there, the process being memoryless)."""
    t = after
    weeks = weekly.shape[0]
    while True:
        week = np.int64(t)
        if week >= weeks:
            return np.inf
        rate = weekly[week, c]
        if rate > 0:
            candidate = t + exponential(states, c) / rate
            if candidate < week + 1:
                return candidate
        t = float(week + 1)


@_compiled
def _warm_start(st: State, rules: Rules, out: Out, key: np.uint64) -> None:
    """Open the warm-start cases at week 0, holding their resources even above capacity."""
    n_classes, n_services = rules.warm.shape[1], rules.slots_cap.shape[0]
    for level in range(4):
        for c in range(n_classes):
            for p in range(n_services + 1):
                label = _WARM_LABEL + (level * n_classes + c) * (n_services + 1) + p
                for j in range(rules.warm[level, c, p]):
                    case = _new_case(st, c, key, label, j)
                    if case < 0:
                        return
                    _book_warm(st, rules, case, level, p)
                    if np.isfinite(rules.level_slots[level]):
                        _enter_own_slots(st, rules, out, case, level, 0.0)
                    else:
                        _start(st, rules, out, case, level, 0.0)


@_compiled
def _book_warm(st: State, rules: Rules, case: int, level: int, partner: int) -> None:
    c = st.klass[case]
    st.flags[case] = _WARM
    st.level[case] = level
    st.arrived[case] = 0.0
    if level >= 1 and rules.baton[c] >= 0:
        st.flags[case] |= _BATON
        st.slots_used[rules.baton[c]] += 1
        if rules.charge[level, c] >= 0:
            st.hours_used[rules.charge[level, c]] += rules.baton_hours[level]
    if level >= 2 and partner < rules.slots_cap.shape[0]:
        st.partner[case] = partner
        st.hours_used[partner] += rules.partner_hours[level, partner]


@_inlined
def _advance_clock(st: State, now: float) -> None:
    """Add the time since the last event to each level's waiting case-weeks."""
    elapsed = now - st.clock[0]
    for level in range(4):
        st.area[level] += st.waiting[level] * elapsed
    st.clock[0] = now


@_compiled
def _end_week(st: State, out: Out, week: int) -> None:
    """Write the counts at the end of a week."""
    _advance_clock(st, week + 1.0)
    st.active[0] += st.joining[week] - st.leaving[week]
    for level in range(4):
        out.active[week, level] = st.active[level]
        out.waiting[week, level] = st.waiting[level]
        out.wait_weeks[week, level] = st.area[level]
        st.area[level] = 0.0
    for s in range(st.slots_used.shape[0]):
        out.logs[week, s] = st.slots_used[s]
        out.hours[week, s] = st.hours_used[s]
        out.service_waiting[week, s] = st.service_waiting[s]


@_compiled
def _count_still_waiting(st: State, out: Out) -> None:
    """Cases still waiting at the horizon waited too (warm cases are never counted)."""
    for queue in range(st.head.shape[0]):
        case = st.head[queue]
        while case != _NONE:
            if not st.flags[case] & _WARM:
                out.waited[_week_of(st.arrived[case], out), st.level[case]] += 1
            case = st.link[case]


@_compiled
def _concerns_ahead(st: State, rules: Rules, out: Out, key: np.uint64, klass: int) -> None:
    """Every concern of a class over the horizon, drawn before the events run.

    Where level 0 has no slots of its own, a concern starts there at once and nothing waits
    for it, so its arrival, its stay and its next step do not depend on any other case.
    They are drawn here, in the order a case would draw them, and counted by week. Only a
    case that goes up to level 1 gets a record, and the end of its level-0 stay goes on the
    calendar as the event that brings it there.
    """
    weeks = out.active.shape[0]
    now, index = 0.0, 0
    while True:
        now = _next_arrival(st.arrivals, klass, rules.weekly, now)
        if now == np.inf:
            return
        st.scratch[0] = substream(key, klass + 1, index)
        index += 1
        stay = duration(st.scratch, 0, rules.dur_code[0], rules.dur_a[0], rules.dur_b[0])
        route, to = _route(st.scratch, 0, rules, 0)
        end = now + stay
        week = _week_of(now, out)
        out.entered[week, 0] += 1
        out.stay_weeks[week, 0] += min(end, float(weeks)) - now
        st.joining[week] += 1
        last = np.int64(np.ceil(end)) - 1
        if last < weeks:
            st.leaving[last] += 1
        if to < 0:
            if end <= weeks:
                st.n[_REPORTED if route == 2 else _CLOSED] += 1
            continue
        case = _new_case(st, klass, key, klass + 1, index - 1)
        if case < 0:
            return
        st.rng[case] = st.scratch[0]
        st.level[case] = 0
        st.arrived[case] = now
        st.planned[case] = route
        _push(st, rules, end, case)


@_compiled
def _replicate(rules: Rules, out: Out, st: State, key: np.uint64) -> bool:
    """One replication into ``out``; False if the case records ran out."""
    n_classes, weeks = rules.weekly.shape[1], rules.weekly.shape[0]
    _reset(st)
    _warm_start(st, rules, out, key)
    for c in range(n_classes):
        st.arrivals[c] = substream(key, _ARRIVALS, c)
        if np.isfinite(rules.level_slots[0]):
            st.next_at[c] = _next_arrival(st.arrivals, c, rules.weekly, 0.0)
        else:
            _concerns_ahead(st, rules, out, key, c)
            st.next_at[c] = np.inf
    week, c = 0, np.argmin(st.next_at)
    while week < weeks and not st.n[_OVERFLOW]:
        ends = _earliest(st, rules)
        now = min(st.next_at[c], ends)
        if now > week + 1.0:
            _end_week(st, out, week)
            week += 1
            continue
        _advance_clock(st, now)
        if st.next_at[c] <= ends:
            st.next_at[c] = _next_arrival(st.arrivals, c, rules.weekly, now)
            _step(st, rules, out, key, c, now)
            c = np.argmin(st.next_at)
        else:
            _step(st, rules, out, key, _NONE, now)
    _count_still_waiting(st, out)
    return not st.n[_OVERFLOW]


@_compiled
def _clear(out: Out) -> None:
    out.active[:] = 0
    out.waiting[:] = 0
    out.entered[:] = 0
    out.waited[:] = 0
    out.wait_weeks[:] = 0.0
    out.stay_weeks[:] = 0.0
    out.logs[:] = 0.0
    out.hours[:] = 0.0
    out.service_waiting[:] = 0.0


@nb.njit(cache=True, nogil=True, _nrt=False)
def run_replications(
    rules: Rules, outs: Out, keys: np.ndarray, st: State, exits: np.ndarray, first: int
) -> int:
    """Run one replication per key from ``first`` on, into ``outs`` (arrays with a leading
    replication axis) and ``exits`` (closed, reported). Returns how many keys it ran: fewer
    than all when a replication's case records ran out. The caller then runs the rest with
    more records; their number never changes the results."""
    for r in range(first, keys.shape[0]):
        out = Out(
            outs.active[r],
            outs.waiting[r],
            outs.entered[r],
            outs.waited[r],
            outs.wait_weeks[r],
            outs.stay_weeks[r],
            outs.logs[r],
            outs.hours[r],
            outs.service_waiting[r],
        )
        _clear(out)
        if not _replicate(rules, out, st, keys[r]):
            return r
        exits[r, 0] = st.n[_CLOSED]
        exits[r, 1] = st.n[_REPORTED]
    return keys.shape[0]
