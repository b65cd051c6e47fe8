"""The step loop of the `fast` engine: the state of all replications, advanced step by step.

:class:`FastRun` keeps every replication's cases as counts, (things, replications) arrays,
and moves them one time step at a time: arrivals, routing of the cases whose time at a level
is up, partners drawn, and admission of waiting cases where slots and hours allow. The
public functions in :mod:`bti_workbench.simulation.engines.fast` build a run and turn its
arrays into a :class:`~bti_workbench.simulation.output.FlowResult`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bti_workbench.simulation.model import PRIORITY, Model
from bti_workbench.simulation.scenario.types import Scenario

__all__ = ["FastRun"]


class _Groups:
    """Rows (for example queue pairs) grouped by an owner (for example the service)."""

    def __init__(self, owner: np.ndarray, n_groups: int, replications: int) -> None:
        self.owner = owner
        self.n_groups, self.R = n_groups, replications
        self.single = len(set(owner.tolist())) == len(owner)
        # Sums of whole counts through a 0/1 matrix product: exact in floating point (far
        # below 2**53), so the same whatever the width, and faster than reduceat.
        self.matrix = np.zeros((n_groups, len(owner)))
        self.matrix[owner, np.arange(len(owner))] = 1.0
        first = np.zeros(n_groups + 1, np.int64)
        np.add.at(first, owner + 1, 1)
        self.group_start = np.cumsum(first)[owner]  # first row of each row's group
        self.first_rows = np.flatnonzero(np.arange(len(owner)) == self.group_start)

    def total(self, counts: np.ndarray) -> np.ndarray:
        """Sum rows per group: (groups, R)."""
        if not len(self.owner):
            return np.zeros((self.n_groups, counts.shape[1]), counts.dtype)
        return (self.matrix @ counts).astype(counts.dtype)

    def split(self, total: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """Share ``total`` (groups, R) over the rows of each group, in proportion to
        ``counts`` (rows, R), rounding cumulatively so the shares add up exactly."""
        owner = self.owner
        take = total[owner]
        if not take.any():
            return np.zeros_like(counts)
        group_total = self.total(counts)[owner]
        if (take == group_total).all():
            return counts.copy()
        if self.single:
            return take
        out = np.where(take >= group_total, counts, 0)
        # Only replications where some group is partly served need the proportional split.
        cols = np.flatnonzero(((take > 0) & (take < group_total)).any(axis=0))
        counts, take, group_total = counts[:, cols], take[:, cols], group_total[:, cols]
        # Cumulative rounding within each group: every row gets the floor or the ceiling of
        # its proportional share, and the shares add up to the group's total exactly.
        running = np.cumsum(counts, axis=0)
        running -= self.before_group(running)
        share = np.floor(take * running / np.maximum(group_total, 1) + 0.5).astype(np.int64)
        part = np.diff(share, axis=0, prepend=0)
        part[self.first_rows] = share[self.first_rows]
        out[:, cols] = part
        return out

    def before_group(self, running: np.ndarray) -> np.ndarray:
        """For each row, the running total at the end of the previous group."""
        padded = np.vstack([np.zeros((1, running.shape[1]), running.dtype), running])
        return padded[self.group_start]


class _Streams:
    """The random streams of each block of replications.

    A run may stack several scenarios that share their structure (a sweep's municipalities
    under one option) as blocks of ``R`` replications. Each block draws from its own seed's
    streams, in the order and amounts it would alone, so its numbers are exactly those of
    its own run.
    """

    ARRIVALS, NEW_CASES, PARTNER, ROUTE, DURATION = 0, 1, 2, 3, 7

    def __init__(self, seeds: list[int], replications: int) -> None:
        self.R, self.B = replications, len(seeds)
        self.blocks = [
            [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(11)]
            for seed in seeds
        ]

    def draw(self, stream: int, rep: np.ndarray, fn: Callable) -> np.ndarray:
        """``fn(generator, n)`` for the cells of each block, in their order; ``rep`` is each
        cell's replication column."""
        if self.B == 1:
            return fn(self.blocks[0][stream], len(rep))
        out = np.empty(len(rep))
        block = rep // self.R
        order = np.argsort(block, kind="stable")
        counts = np.bincount(block, minlength=self.B)
        first = 0
        for b, n in enumerate(counts):
            if n:
                out[order[first : first + n]] = fn(self.blocks[b][stream], int(n))
            first += n
        return out

    def columns(self, stream: int, fn: Callable) -> np.ndarray:
        """``fn(generator, block)`` per block, joined along the last axis (replications)."""
        return np.concatenate([fn(g[stream], b) for b, g in enumerate(self.blocks)], axis=-1)


class _Terms:
    """``weights @ counts`` (services × things times things × replications, counts whole)
    with the same rounding however many replications are computed at once.

    A BLAS product's rounding depends on the width, so the things are grouped by service and
    weight: each group's count is an exact 0/1 product, and the groups' weighted counts are
    added in a fixed order.
    """

    def __init__(self, weights: np.ndarray) -> None:
        service, thing = np.nonzero(weights)
        pairs = sorted(
            {(int(s_), float(weights[s_, t])) for s_, t in zip(service, thing, strict=True)}
        )
        self.S = weights.shape[0]
        self.members = np.zeros((len(pairs), weights.shape[1]))
        for g, (s_, w) in enumerate(pairs):
            self.members[g] = (weights[s_] == w) & (weights[s_] != 0)
        self.weight = np.array([w for _, w in pairs])[:, None]
        depth = max([sum(1 for p in pairs if p[0] == s_) for s_ in range(self.S)] + [0])
        # slot[j, s]: the j-th group of service s (or a zero row at the end).
        self.slot = np.full((depth, self.S), len(pairs), np.int64)
        seen = np.zeros(self.S, np.int64)
        for g, (s_, _) in enumerate(pairs):
            self.slot[seen[s_], s_] = g
            seen[s_] += 1

    def total(self, counts: np.ndarray) -> np.ndarray:
        out = np.zeros((self.S, counts.shape[1]))
        if len(self.weight):
            weighted = (self.members @ counts) * self.weight
            weighted = np.vstack([weighted, np.zeros((1, counts.shape[1]))])
            for row in self.slot:
                out += weighted[row]
        return out


class FastRun:
    """State of all replications; arrays are (things, replications).

    Active cases are counted per key (level, class, partner; at level 0 the third field is
    the case's next step). Cases waiting for a service are counted per queue row (level
    entered, service, class); rows are grouped by service and, within a service, by the
    order it serves them (level 3, 2, then new logs at level 1).
    """

    def __init__(
        self, models: list[Model], scenario: Scenario, replications: int, seeds: list[int]
    ) -> None:
        self._set_blocks(models, scenario, replications, seeds)
        self._index_keys()
        self._index_queue_rows()
        self._map_resources()
        self._allocate_state()

    def _set_blocks(
        self, models: list[Model], scenario: Scenario, replications: int, seeds: list[int]
    ) -> None:
        """Time steps, replication columns and each block's capacities and streams."""
        self.models = models
        self.m = model = models[0]  # the structure all blocks share
        self.block_R = replications
        self.R = replications * len(models)
        self.per_week = round(1.0 / scenario.time_step_weeks)
        self.dt = scenario.time_step_weeks
        self.steps = scenario.horizon_weeks * self.per_week
        self.weeks = scenario.horizon_weeks
        # Arrivals, and the level-0 duration and next step of each arriving case, have
        # streams of their own, so options run with the same seed see the same concerns
        # arriving and leaving level 0 (common random numbers).
        self.rng = _Streams(seeds, replications)
        # Per replication column: each block's own capacities and warm start.
        self.hours_cap = self._by_block(np.stack([m.hours for m in models]))
        self.slots_cap = self._by_block(np.stack([m.slots for m in models]))
        self.C, self.S = len(model.classes), len(model.services)

    def _index_keys(self) -> None:
        """The keys active cases are counted by, and the routing and partner draws on them."""
        model, n_classes, n_services, none = self.m, self.C, self.S, self.m.none
        warm_any = np.any(np.stack([m.warm for m in self.models]) > 0, axis=0)
        keys = [(0, c, d) for c in range(n_classes) for d in range(4) if model.shares[0, d] > 0]
        keys += [
            (level, c, p)
            for level in range(1, 4)
            for c in range(n_classes)
            for p in range(n_services + 1)
            if model.partner_mix[level, c, p] > 0 or warm_any[level, c, p]
        ]
        self.keys = np.array(keys, dtype=np.int64).reshape(-1, 3)
        self.key_of = {k: i for i, k in enumerate(keys)}
        self.K = len(keys)
        self.key_level, self.key_class = self.keys[:, 0], self.keys[:, 1]
        self.key_next = self.keys[:, 2].copy()  # level 0: the next step
        self.level_bounds = np.searchsorted(self.key_level, np.arange(5))
        self.level_matrix = (self.key_level[None, :] == np.arange(4)[:, None]).astype(float)
        self.key_none = {
            level: np.array([self.key_of.get((level, c, none), -1) for c in range(n_classes)])
            for level in range(1, 4)
        }
        self.level0_dest = np.array([d for d in range(4) if model.shares[0, d] > 0])
        self.level0_keys = np.array(
            [[self.key_of.get((0, c, d), -1) for d in range(4)] for c in range(n_classes)]
        )
        self.route_cum = np.cumsum(model.shares, axis=1)[:, :3]
        self.mix_cum = np.cumsum(model.partner_mix, axis=2)[:, :, :-1]

    def _index_queue_rows(self) -> None:
        """Queue rows, sorted by (service, level served first, class), and their groups."""
        model, n_classes, n_services, none = self.m, self.C, self.S, self.m.none
        rows = []
        for level in PRIORITY:
            for c in range(n_classes):
                if level == 1:
                    if model.baton[c] >= 0:
                        rows.append((int(model.baton[c]), level, c, none))
                else:
                    rows += [
                        (p, level, c, p)
                        for p in range(n_services)
                        if model.partner_mix[level, c, p] > 0
                    ]
        order = {lv: i for i, lv in enumerate(PRIORITY)}
        rows.sort(key=lambda r: (r[0], order[r[1]], r[2]))
        self.rows = np.array(rows, dtype=np.int64).reshape(-1, 4)
        self.row_service, self.row_level, self.row_class = (
            self.rows[:, 0],
            self.rows[:, 1],
            self.rows[:, 2],
        )
        self.row_key = np.array([self.key_of[(lv, c, p)] for _, lv, c, p in rows], dtype=np.int64)
        self.row_of = {(lv, c, p): j for j, (_, lv, c, p) in enumerate(rows)}
        group = self.row_service * 3 + np.array([order[lv] for lv in self.row_level], np.int64)
        self.groups = _Groups(group, n_services * 3, self.R)
        self.new_log_rows = np.array([self.row_of.get((1, c, none), -1) for c in range(n_classes)])
        self.partner_rows = {
            level: np.array(
                [
                    [self.row_of.get((level, c, p), -1) for p in range(n_services)]
                    for c in range(n_classes)
                ]
            )
            for level in (2, 3)
        }
        self.gated = model.baton >= 0
        self.class_groups = _Groups(np.zeros(n_classes, np.int64), 1, self.R)

    def _map_resources(self) -> None:
        """From state to services: baton slots held and hours charged, by key and by row."""
        model, n_services = self.m, self.S
        self.key_slots = np.zeros((n_services, self.K))
        self.key_hours = np.zeros((n_services, self.K))
        for i, (level, c, p) in enumerate(self.keys.tolist()):
            if level >= 1 and model.baton[c] >= 0:
                self.key_slots[model.baton[c], i] = 1
            if level >= 1 and model.charge[level, c] >= 0:
                self.key_hours[model.charge[level, c], i] += model.baton_hours[level]
            if level >= 2 and p < n_services:
                self.key_hours[p, i] += model.partner_hours[level, p]
        # Waiting for a partner, a case holds its baton slot and its baton holder's hours.
        n_rows = len(self.rows)
        self.row_slots = np.zeros((n_services, n_rows))
        self.row_hours = np.zeros((n_services, n_rows))
        self.row_levels = np.zeros((4, n_rows))
        for j, (_, level, c, _p) in enumerate(self.rows.tolist()):
            self.row_levels[level, j] = 1
            if level >= 2 and model.baton[c] >= 0:
                self.row_slots[model.baton[c], j] = 1
            if level >= 2 and model.charge[level, c] >= 0:
                self.row_hours[model.charge[level, c], j] += model.baton_hours[level]
        self.key_terms = _Terms(self.key_hours)
        self.row_terms = _Terms(self.row_hours)
        demand = np.zeros((n_services, 3))
        for k, level in enumerate(PRIORITY):
            demand[:, k] = model.baton_hours[1] if level == 1 else model.partner_hours[level]
        self.demand = demand

    def _allocate_state(self) -> None:
        """Empty state (cases active, waiting, due) and the weekly output arrays."""
        n_keys, n_reps, n_services = self.K, self.R, self.S
        self.queue = np.zeros((len(self.rows), n_reps), np.int64)
        self.level_queue = {
            lv: np.zeros((self.C, n_reps), np.int64)
            for lv in range(4)
            if np.isfinite(self.m.level_slots[lv])
        }
        self.active = np.zeros((n_keys, n_reps), np.int64)
        self.calendar = np.zeros((self.steps + 1, n_keys, n_reps), np.int64)
        self.started: list[tuple[np.ndarray, np.ndarray]] = []
        self.closed = np.zeros(n_reps, np.int64)
        self.reported = np.zeros(n_reps, np.int64)
        shape = (n_reps, self.weeks, 4)
        self.out = {
            "active": np.zeros(shape, np.int64),
            "waiting": np.zeros(shape, np.int64),
            "entered": np.zeros(shape, np.int64),
            "waited": np.zeros(shape, np.int64),
            "wait_weeks": np.zeros(shape),
            "stay_weeks": np.zeros(shape),
        }
        service_shape = (n_reps, self.weeks, n_services)
        self.out_services = {k: np.zeros(service_shape) for k in ("logs", "hours", "waiting")}
        self.rep = np.arange(n_reps)
        self.pending_new = np.zeros((4, n_reps), np.int64)
        self.slots_used = np.zeros((n_services, n_reps))
        self.hours_used = np.zeros((n_services, n_reps))
        self.week = 0

    def _by_block(self, per_block: np.ndarray) -> np.ndarray:
        """(blocks, things) → (things, replications): each block's values in its columns."""
        return np.repeat(per_block.T, self.block_R, axis=-1)

    def _warm_columns(self, per_block: np.ndarray) -> np.ndarray:
        """(blocks, things) warm counts → (things, replications) int64."""
        return self._by_block(per_block).astype(np.int64)

    # --- starting cases -------------------------------------------------------------------

    def start(self, keys: np.ndarray, counts: np.ndarray) -> None:
        """Start cases: ``counts[i]`` (per replication) at key ``keys[i]`` (keys distinct).

        They count as active at once; their durations are drawn in :meth:`flush`.
        """
        self.active[keys] += counts
        self.started.append((keys, counts))

    def start_level0(self, by_class: np.ndarray) -> None:
        """Start cases (C, R) at level 0, drawing each one's next step."""
        shares = self.m.shares[0]
        left, remaining = by_class, 1.0
        counts = np.zeros((self.C, 4, self.R), np.int64)
        width = self.block_R
        for d in self.level0_dest[:-1]:
            p = min(1.0, shares[d] / remaining)
            draw = self.rng.columns(
                _Streams.ROUTE,
                lambda g, b, left=left, p=p: g.binomial(left[:, b * width : (b + 1) * width], p),
            )
            counts[:, d] = draw
            left = left - draw
            remaining -= shares[d]
        counts[:, self.level0_dest[-1]] = left
        keys = self.level0_keys.ravel()
        used = keys >= 0
        self.start(keys[used], counts.reshape(self.C * 4, self.R)[used])

    def _start_none(self, level: int, by_class: np.ndarray) -> None:
        keys = self.key_none[level]
        ok = keys >= 0
        if ok.any():
            self.start(keys[ok], by_class[ok])

    def flush(self, t: int) -> None:
        """Draw the durations of the cases started this step and write their completions."""
        if not self.started:
            return
        keys = np.concatenate([k for k, _ in self.started])
        counts = np.concatenate([c for _, c in self.started]).ravel()
        self.started.clear()
        cells = np.repeat(np.arange(len(counts)), counts)
        if not len(cells):
            return
        key_index, rep_index = keys[cells // self.R], cells % self.R
        level = self.key_level[key_index]
        durations = np.empty(len(cells))
        for lv in range(4):
            at = level == lv
            n = int(at.sum())
            if n:
                durations[at] = self.rng.draw(
                    _Streams.DURATION + lv, rep_index[at], self.m.durations[lv].sample
                )
        done = t + np.maximum(1, np.rint(durations / self.dt).astype(np.int64))
        stay = (np.minimum(done, self.steps) - t) * self.dt
        self.out["stay_weeks"][:, self.week] += (
            np.bincount(level * self.R + rep_index, weights=stay, minlength=4 * self.R)
            .reshape(4, self.R)
            .T
        )
        inside = done <= self.steps
        flat = (done[inside] * self.K + key_index[inside]) * self.R + rep_index[inside]
        np.add.at(self.calendar.reshape(-1), flat, np.ones(len(flat), np.int64))

    # --- entering a level -----------------------------------------------------------------

    def _count_entered(self, level: int, by_class: np.ndarray) -> None:
        self.out["entered"][:, self.week, level] += by_class.sum(axis=0)

    def _to_level_queue(self, level: int, by_class: np.ndarray) -> bool:
        if level not in self.level_queue:
            return False
        self.level_queue[level] += by_class
        self.pending_new[level] += by_class.sum(axis=0)
        return True

    def enter_new_logs(self, by_class: np.ndarray) -> None:
        """Cases going up from level 0 open a log: they queue for a baton holder."""
        self._count_entered(1, by_class)
        if self._to_level_queue(1, by_class):
            return
        rows = self.new_log_rows
        has_row = rows >= 0
        if has_row.any():
            waiting = by_class[has_row]
            self.queue[rows[has_row]] += waiting
            self.pending_new[1] += waiting.sum(axis=0)
        if (~self.gated).any():
            self._start_none(1, np.where(self.gated[:, None], 0, by_class))

    def enter_partners(self, level2: np.ndarray, level3: np.ndarray) -> None:
        """Cases coming to levels 2 and 3 draw a partner service and queue for it."""
        for level, flow in ((2, level2), (3, level3)):
            if flow.any():
                self._count_entered(level, flow)
        flows = []
        for level, flow in ((2, level2), (3, level3)):
            if flow.any() and not self._to_level_queue(level, flow):
                flows.append((level, flow))
        if not flows:
            return
        both = np.stack([f for _, f in flows])  # (levels, C, R)
        levels = np.array([lv for lv, _ in flows])
        cells = np.repeat(np.arange(both.size), both.ravel())
        which, klass, rep = cells // (self.C * self.R), (cells // self.R) % self.C, cells % self.R
        u = self.rng.draw(_Streams.PARTNER, rep, lambda g, n: g.random(n))
        partner = (u[:, None] >= self.mix_cum[levels[which], klass]).sum(axis=1)
        flat = ((which * self.C + klass) * (self.S + 1) + partner) * self.R + rep
        split = np.bincount(flat, minlength=len(levels) * self.C * (self.S + 1) * self.R)
        split = split.reshape(len(levels), self.C, self.S + 1, self.R)
        for i, level in enumerate(levels):
            rows = self.partner_rows[level]
            has_row = rows >= 0
            if has_row.any():
                waiting = split[i, :, : self.S][has_row]
                self.queue[rows[has_row]] += waiting
                self.pending_new[level] += waiting.sum(axis=0)
            self._start_none(level, split[i, :, self.S])

    def enter_simple(self, level: int, by_class: np.ndarray) -> None:
        """Cases coming down to level 1 (they keep their slot) or to level 0."""
        self._count_entered(level, by_class)
        if self._to_level_queue(level, by_class):
            return
        if level == 0:
            self.start_level0(by_class)
        else:
            self._start_none(level, by_class)

    # --- admitting waiting cases ----------------------------------------------------------

    def admit(self, fresh: np.ndarray) -> None:
        week = self.week
        for level, queue in self.level_queue.items():
            at_level = self.active[self.level_bounds[level] : self.level_bounds[level + 1]]
            free = np.maximum(self.m.level_slots[level] - at_level.sum(axis=0), 0)
            waiting = queue.sum(axis=0)
            start = np.minimum(waiting, free.astype(np.int64))
            new = self.pending_new[level]
            started_new = np.clip(start - (waiting - new), 0, new)
            self.out["waited"][:, week, level] += new - started_new
            taken = self.class_groups.split(start[None, :], queue)
            queue -= taken
            if level == 0:
                self.start_level0(taken)
            else:
                self._start_none(level, taken)
        if self.S == 0:
            return
        activef = self.active.astype(float)
        queuef = self.queue.astype(float)
        slots_used = self.key_slots @ activef + self.row_slots @ queuef
        hours_used = self.key_terms.total(activef) + self.row_terms.total(queuef)
        self.slots_used, self.hours_used = slots_used, hours_used
        if not self.queue.any():
            return
        waiting = self.groups.total(self.queue).reshape(self.S, 3, self.R)
        admitted = np.zeros_like(waiting)
        blocked = np.zeros((self.S, self.R), bool)
        for k, level in enumerate(PRIORITY):
            want = waiting[:, k]
            if not want.any():
                continue
            demand = self.demand[:, k][:, None]
            free_hours = np.maximum(self.hours_cap - hours_used, 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                fit = np.where(demand > 0, np.floor(free_hours / demand + 1e-9), np.inf)
            if level == 1:
                fit = np.minimum(fit, np.maximum(self.slots_cap - slots_used, 0))
            got = np.where(blocked, 0, np.minimum(want, fit)).astype(np.int64)
            blocked |= got < want
            admitted[:, k] = got
            hours_used += demand * got
            if level == 1:
                slots_used += got
        if not admitted.any():
            self.out["waited"][:, week, 1:] += self.pending_new[1:].T
            return
        admitted = admitted.reshape(self.S * 3, self.R)
        # Oldest first: cases waiting since an earlier step, then this step's.
        old = self.queue - fresh
        take_old = np.minimum(admitted, self.groups.total(old))
        taken = self.groups.split(take_old, old) + self.groups.split(admitted - take_old, fresh)
        started_new = (admitted - take_old).reshape(self.S, 3, self.R).sum(axis=0)
        for k, level in enumerate(PRIORITY):
            self.out["waited"][:, week, level] += self.pending_new[level] - started_new[k]
        self.queue -= taken
        self.start(self.row_key, taken)

    # --- one step -------------------------------------------------------------------------

    def route(self, t: int, direct: np.ndarray | None = None) -> None:
        """Route the cases whose time at a level is up; ``direct``: arrivals that finish
        level 0 now, (C, 4, R) by next step."""
        finished = self.calendar[t]
        moves = np.zeros((4, 4, self.C, self.R), np.int64)
        if direct is not None:
            moves[0] = direct.transpose(1, 0, 2)
        n = int(finished.sum())
        if n:
            self.active -= finished
            cells = np.repeat(np.arange(finished.size), finished.ravel())
            key, rep = cells // self.R, cells % self.R
            level, klass = self.key_level[key], self.key_class[key]
            # Cases are in key order, so each level's are together.
            per_level = np.add.reduceat(finished.sum(axis=1), self.level_bounds[:4])
            ends = np.cumsum(per_level)
            u = np.concatenate(
                [np.zeros(per_level[0])]
                + [
                    self.rng.draw(
                        _Streams.ROUTE + lv,
                        rep[ends[lv] - per_level[lv] : ends[lv]],
                        lambda g, n: g.random(n),
                    )
                    for lv in (1, 2, 3)
                ]
            )
            dest = (u[:, None] >= self.route_cum[level]).sum(axis=1)  # up, down, cw, closed
            dest[: per_level[0]] = self.key_next[key[: per_level[0]]]
            flat = ((level * 4 + dest) * self.C + klass) * self.R + rep
            moves += np.bincount(flat, minlength=16 * self.C * self.R).reshape(4, 4, self.C, self.R)
        exits = moves[:, 2:].sum(axis=(0, 2))  # (2, R)
        self.reported += exits[0]
        self.closed += exits[1]
        up, down = moves[:, 0], moves[:, 1]
        if up[0].any():
            self.enter_new_logs(up[0])
        self.enter_partners(up[1] + down[3], up[2])
        if down[2].any():
            self.enter_simple(1, down[2])
        if down[1].any():
            self.enter_simple(0, down[1])

    def snapshot(self, direct_open: np.ndarray | int = 0) -> None:
        week = self.week
        self.out["active"][:, week] = (
            (self.level_matrix @ self.active.astype(float)).astype(np.int64).T
        )
        self.out["active"][:, week, 0] += direct_open
        waiting = (self.row_levels @ self.queue.astype(float)).astype(np.int64)
        for level, queue in self.level_queue.items():
            waiting[level] += queue.sum(axis=0)
        self.out["waiting"][:, week] = waiting.T
        if self.S:
            # Slots and hours as admission left them (nothing has moved since).
            per_group = self.groups.total(self.queue).reshape(self.S, 3, self.R)
            self.out_services["logs"][:, week] = self.slots_used.T
            self.out_services["hours"][:, week] = self.hours_used.T
            self.out_services["waiting"][:, week] = per_group.sum(axis=1).T

    def arrivals_ahead(self) -> None:
        """Draw every new concern of the horizon and its whole stay at level 0 at once.

        Level 0 has no resource, so an arriving case's time there and its next step do not
        depend on anything else: they are drawn up front, in blocks of weeks, from streams
        of their own (the same for every option run with the same seed). Each step then
        only reads how many such cases finish, by class and next step.
        """
        steps, n_classes, n_reps = self.steps, self.C, self.R
        width = self.block_R

        def concerns(g, b):
            rate = np.repeat(self.models[b].weekly[: self.weeks] * self.dt, self.per_week, axis=0)
            return g.poisson(rate[:, :, None], (steps, n_classes, width))

        arrivals = self.rng.columns(_Streams.ARRIVALS, concerns)
        self.direct_done = np.zeros((steps + 1, n_classes, 4, n_reps), np.int64)
        stay = np.zeros((self.weeks, n_reps))
        block = 52 * self.per_week
        for first in range(0, steps, block):
            counts = arrivals[first : first + block].ravel()
            cells = np.repeat(np.arange(counts.size), counts)
            t = cells // (n_classes * n_reps) + first + 1
            klass, rep = (cells // n_reps) % n_classes, cells % n_reps
            u, durations = self._new_case_draws(rep)
            dest = (u[:, None] >= self.route_cum[0]).sum(axis=1)
            done = t + np.maximum(1, np.rint(durations / self.dt).astype(np.int64))
            week = (t - 1) // self.per_week
            stay += np.bincount(
                week * n_reps + rep,
                weights=(np.minimum(done, steps) - t) * self.dt,
                minlength=self.weeks * n_reps,
            ).reshape(self.weeks, n_reps)
            inside = done <= steps
            flat = ((done[inside] * n_classes + klass[inside]) * 4 + dest[inside]) * n_reps + rep[
                inside
            ]
            self.direct_done.reshape(-1)[:] += np.bincount(flat, minlength=self.direct_done.size)
        self.out["stay_weeks"][:, :, 0] += stay.T
        per_step = arrivals.sum(axis=1)  # (steps, R)
        entered = per_step.reshape(self.weeks, self.per_week, n_reps).sum(axis=1)
        self.out["entered"][:, :, 0] += entered.T
        finished = self.direct_done.sum(axis=(1, 2))
        self.direct_open = np.cumsum(per_step, axis=0) - np.cumsum(finished[1:], axis=0)

    def _new_case_draws(self, rep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Next step (uniforms) and level-0 stay of new cases, from the new-case stream:
        per block, the uniforms first and then the stays, as a block alone draws them."""
        u, durations = np.empty(len(rep)), np.empty(len(rep))
        block = rep // self.block_R
        order = np.argsort(block, kind="stable")
        counts = np.bincount(block, minlength=len(self.models))
        first = 0
        for b, n in enumerate(counts):
            g = self.rng.blocks[b][_Streams.NEW_CASES]
            at = order[first : first + n]
            u[at] = g.random(int(n))
            durations[at] = self.m.durations[0].sample(g, int(n))
            first += n
        return u, durations

    def run(self, progress: Callable[[int, int], None] | None = None) -> None:
        ahead = 0 not in self.level_queue
        if ahead:
            self.arrivals_ahead()
        warm = np.stack([m.warm for m in self.models])  # (blocks, 4, C, S + 1)
        for level, queue in self.level_queue.items():
            # A level with its own slots starts as many warm cases as it has slots.
            queue += self._warm_columns(warm[:, level].sum(axis=2))
        if 0 not in self.level_queue:
            self.start_level0(self._warm_columns(warm[:, 0].sum(axis=2)))
        for level in range(1, 4):
            if level in self.level_queue:
                continue
            cells = list(zip(*warm[:, level].any(axis=0).nonzero(), strict=True))
            if cells:
                keys = np.array([self.key_of[(level, c, p)] for c, p in cells])
                per_block = np.array(
                    [[warm[b, level, c, p] for c, p in cells] for b in range(len(self.models))]
                )
                self.start(keys, self._warm_columns(per_block))
        if self.level_queue:
            self.admit(np.zeros_like(self.queue))
        self.flush(0)
        for t in range(1, self.steps + 1):
            self.week = (t - 1) // self.per_week
            self.pending_new[:] = 0
            before = self.queue.copy()
            if not ahead:
                arrivals = self.rng.columns(
                    _Streams.ARRIVALS,
                    lambda g, b: g.poisson(
                        self.models[b].weekly[self.week][:, None] * self.dt,
                        (self.C, self.block_R),
                    ),
                )
                self._count_entered(0, arrivals)
                if not self._to_level_queue(0, arrivals):
                    self.start_level0(arrivals)
            self.route(t, self.direct_done[t] if ahead else None)
            self.admit(self.queue - before)
            waiting = self.row_levels @ self.queue.astype(float)
            for level, queue in self.level_queue.items():
                waiting[level] += queue.sum(axis=0)
            self.out["wait_weeks"][:, self.week] += waiting.T * self.dt
            self.flush(t)
            if t % self.per_week == 0:
                self.snapshot(self.direct_open[t - 1] if ahead else 0)
                if progress is not None:
                    progress(self.week + 1, self.weeks)
