"""Every way through a series: each path of each session from each state the sessions before can end in.

Why this is not a loop over :class:`~trustlab.vignettes.model.Run`: the states multiply. A
session of 300 paths started from the 200 states session 1 can end in ends in thousands of
states, and session 4 starts in tens of thousands; playing each path from each of them as a
Run would take an hour. Yet a session's paths do not depend on the state, only its first
scene does (``start_when``) and the scene words (variants, which change no choice). So each
session's paths are listed once per first scene, and each is applied to *all* the states that
open there at once, as numpy arrays: the meters as a matrix (one row per state), the flags as
bits. What an author needs (is every session, outcome, variant and opening met? how often is
the check-in low?) is collected on the way, and the distinct end states become the next
session's starts. ``tests/test_series_five_sessions.py`` checks this walk against Runs played
one by one from sampled states, so the two can never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, lcm
from typing import TYPE_CHECKING

import numpy as np

from trustlab.vignettes.model import Condition

if TYPE_CHECKING:
    from trustlab.vignettes.series import Series, State

WALK_LIMIT = 200_000_000  # path-state pairs in all; the shipped series needs a few tens of millions
SAMPLE = 40  # states kept per session for cross-checks and examples
BITMAP = 200_000_000  # possible states (meter values x flags) up to which end states are marked in a bitmap


@dataclass
class Walk:
    """Everything that can happen in a series."""

    state_counts: list[int] = field(default_factory=list)  # distinct start states of each session
    paths: list[int] = field(default_factory=list)  # path-state pairs played in each session
    outcomes: dict[str, set[int]] = field(default_factory=dict)  # outcome id -> sessions it ended in
    variants_used: set[tuple[int, str, int]] = field(default_factory=set)  # (session, scene, variant)
    starts_used: set[tuple[int, str]] = field(default_factory=set)  # (session, first scene)
    low_checkins: list[tuple[int, int]] = field(default_factory=list)  # (low, all) check-ins after each session
    longest: list[int] = field(default_factory=list)  # the most choices on one path of each session
    samples: list[list["State"]] = field(default_factory=list)  # some start states of each session


class _Bits:
    """Flag names as bits: carried flags first, then the check-in's."""

    def __init__(self, series: "Series"):
        carried = sorted({f for s in series.sessions for sc in s.scenes.values() for c in sc.choices
                          for f in (*c.sets, *c.clears)})
        self.derived = sorted(series.checkin.derived_names())
        self.index = {name: i for i, name in enumerate(carried + self.derived)}
        self.carried_names = carried

    def mask(self, names) -> int:
        return sum(1 << self.index[n] for n in names if n in self.index)

    def names(self, mask: int) -> frozenset[str]:
        return frozenset(n for n, i in self.index.items() if mask >> i & 1)

    def condition(self, c: Condition) -> tuple[int, int, bool]:
        """(when, unless, possible): a condition naming a flag nobody sets can never hold."""
        return self.mask(c.when), self.mask(c.unless), all(n in self.index for n in c.when)


def _holds(full: np.ndarray, cond: tuple[int, int, bool]) -> np.ndarray:
    when, unless, possible = cond
    if not possible:
        return np.zeros(full.shape, bool)
    return ((full & when) == when) & ((full & unless) == 0)


class _Grid:
    """Meter values as whole numbers of a step (levels), so a state packs into one integer key,
    and what the check-in makes of every combination of levels, worked out once."""

    def __init__(self, series: "Series", bits: _Bits):
        numbers = [Fraction(x).limit_denominator(10_000) for m in series.meters.values()
                   for x in (m.min, m.max, m.start)]
        numbers += [Fraction(d).limit_denominator(10_000) for s in series.sessions for sc in s.scenes.values()
                    for c in sc.choices for d in c.effects.values()]
        denominator = lcm(*(n.denominator for n in numbers))
        step = Fraction(gcd(*(int(n * denominator) for n in numbers)) or 1, denominator)
        self.step = float(step)
        self.spec = list(series.meters.values())
        self.sizes = np.array([int(round((m.max - m.min) / self.step)) + 1 for m in self.spec], dtype=np.int64)
        self.radix = np.array([int(np.prod(self.sizes[j + 1:])) for j in range(len(self.spec))], dtype=np.int64)
        self.combos = int(np.prod(self.sizes))
        if self.combos > 5_000_000:
            raise ValueError(f"the meters have {self.combos:,} combinations of values: too many to walk")
        self.low, self.derived, self.total = self._checkins(series, bits)

    def value(self, j: int, level: int) -> float:
        return self.spec[j].min + level * self.step

    def levels_of(self, values: list[float]) -> np.ndarray:
        return np.array([int(round((v - m.min) / self.step)) for v, m in zip(values, self.spec)], dtype=np.int64)

    def level_at_least(self, j: int, value: float) -> int:
        """The lowest level of meter ``j`` whose value is at least ``value``."""
        return int(np.ceil((value - self.spec[j].min) / self.step - 1e-9))

    def _checkins(self, series: "Series", bits: _Bits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every combination of levels: is its check-in low, and which flags does it give the next
        session. Computed with :meth:`Checkin.rate` itself, so the walk and a Run cannot disagree."""
        low = np.zeros(self.combos, bool)
        derived = np.zeros(self.combos, np.int64)
        total = np.zeros(self.combos, float)
        spec = {m.id: m for m in self.spec}
        for code in range(self.combos):
            levels = (code // self.radix) % self.sizes
            meters = {m.id: self.value(j, int(levels[j])) for j, m in enumerate(self.spec)}
            rating = series.checkin.rate(meters, spec)
            low[code], total[code] = rating.low, rating.total
            derived[code] = bits.mask(series.checkin.flags(rating))
        return low, derived, total


def walk(series: "Series", limit: int = WALK_LIMIT) -> Walk:
    """Play every path of every session from every distinct start state; ValueError past ``limit`` pairs."""
    from trustlab.vignettes.series import State

    bits = _Bits(series)
    grid, found = _Grid(series, bits), Walk()
    flag_bits = len(bits.carried_names)
    mids = list(series.meters)
    first = series.first_state()
    levels = grid.levels_of([v for _, v in first.meters])[None, :]
    carried = np.array([bits.mask(first.carried)], dtype=np.int64)
    counter = [0, limit]
    for number, session in enumerate(series.sessions, start=1):
        found.state_counts.append(len(carried))
        codes = levels @ grid.radix
        full = carried | (grid.derived[codes] if number > 1 else 0)
        found.samples.append(_samples(grid, bits, mids, levels, carried, full, State))
        starts = np.full(len(carried), session.start_id, dtype=object)
        taken = np.zeros(len(carried), bool)
        for condition, start in session.start_when:
            hold = _holds(full, bits.condition(condition)) & ~taken
            starts[hold], taken = start, taken | hold
        tally = _Tally(seen=np.zeros(grid.combos << flag_bits, bool) if grid.combos << flag_bits <= BITMAP else None)
        for start in dict.fromkeys(starts):
            rows = np.nonzero(starts == start)[0]
            found.starts_used.add((number, start))
            _note_variants(found, number, session, start, {int(f) for f in np.unique(full[rows])}, bits)
            steps = _Steps(series, session, mids, bits, grid)
            steps.down(start, levels[rows], carried[rows], {start}, 0, tally, number, found, counter)
        found.paths.append(tally.total)
        found.low_checkins.append((tally.low, tally.total))
        found.longest.append(tally.longest)
        unique = tally.next_keys()
        levels = (unique[:, None] >> flag_bits) // grid.radix % grid.sizes
        carried = unique & ((1 << flag_bits) - 1)
    return found


@dataclass
class _Tally:
    """What one session's walk found; the end states kept as a bitmap over every possible state
    when that fits in memory (marking is far faster than sorting out duplicates), else as keys."""

    total: int = 0
    low: int = 0
    longest: int = 0
    keys: list = field(default_factory=list)
    seen: np.ndarray | None = None

    def add(self, keys: np.ndarray) -> None:
        if self.seen is not None:
            self.seen[keys] = True
        else:
            self.keys.append(np.unique(keys))

    def next_keys(self) -> np.ndarray:
        if self.seen is not None:
            return np.nonzero(self.seen)[0].astype(np.int64)
        return np.unique(np.concatenate(self.keys)) if self.keys else np.zeros(0, np.int64)


class _Steps:
    """A session's paths walked as a tree, every branch applied to all the states at once: a choice
    shared by many paths is applied once, not once per path."""

    def __init__(self, series: "Series", session, mids: list[str], bits: _Bits, grid: _Grid):
        self.series, self.session, self.bits, self.grid = series, session, bits, grid
        self.mids = mids
        self.flag_bits = len(bits.carried_names)
        self.top = grid.sizes - 1
        self.effects = {(sid, i): np.array([int(round(c.effects.get(m, 0) / grid.step)) for m in mids], np.int64)
                        for sid, sc in session.scenes.items() for i, c in enumerate(sc.choices)}

    def down(self, sid, levels, carried, seen, depth, tally, number, found, counter) -> None:
        for i, choice in enumerate(self.session.scenes[sid].choices):
            if choice.next in seen:  # as iter_paths: a loop back adds no new path
                continue
            after = np.clip(levels + self.effects[(sid, i)], 0, self.top)
            flags = (carried | self.bits.mask(choice.sets)) & ~self.bits.mask(choice.clears)
            ending = self.session.endings.get(choice.next)
            if ending is None:
                self.down(choice.next, after, flags, seen | {choice.next}, depth + 1, tally, number, found, counter)
                continue
            counter[0] += len(after)
            if counter[0] > counter[1]:
                raise ValueError(f"more than {counter[1]:,} path-state pairs through the series: too many to check")
            codes = after @ self.grid.radix
            tally.total += len(after)
            tally.low += int(self.grid.low[codes].sum())
            tally.longest = max(tally.longest, depth + 1)
            ends = np.full(len(after), ending.outcome, dtype=object)
            stop = self.series.checkin.stops
            if ending.outcome is None and stop and stop.from_session <= number < len(self.series.sessions):
                ends[self.grid.total[codes] < stop.below] = stop.outcome  # too low a check-in: he stops coming
            going = ends == None  # noqa: E711 (elementwise on an object array)
            if not going.all():
                out = ~going
                self.settle(ends[out], after[out], flags[out] | self.grid.derived[codes[out]], number, found)
            tally.add(((codes << self.flag_bits) | flags)[going])

    def settle(self, ends: np.ndarray, levels: np.ndarray, full: np.ndarray, number: int, found: "Walk") -> None:
        """Each row's outcome as :meth:`Series.settle` gives it: ``otherwise`` where ``requires`` fails."""
        for _ in range(len(self.series.outcomes)):
            moved = False
            for oid in set(ends):
                outcome = self.series.outcomes[oid]
                if outcome.requires is None:
                    continue
                here = ends == oid
                met = _holds(full, self.bits.condition(outcome.requires.condition))
                for m, value in outcome.requires.at_least.items():
                    j = self.mids.index(m)
                    met &= levels[:, j] >= self.grid.level_at_least(j, value)
                fails = here & ~met
                if fails.any():
                    ends[fails], moved = outcome.otherwise, True
            if not moved:
                break
        for oid in set(ends):
            found.outcomes.setdefault(oid, set()).add(number)


def _samples(grid: _Grid, bits: _Bits, mids: list[str], levels, carried, full, State) -> list["State"]:
    """A few start states spread over the session's, as State objects, for cross-checks."""
    picks = np.linspace(0, len(carried) - 1, min(SAMPLE, len(carried))).astype(int) if len(carried) else []
    return [State(tuple((m, grid.value(j, int(levels[i, j]))) for j, m in enumerate(mids)),
                  bits.names(int(carried[i])), bits.names(int(full[i] & ~carried[i]))) for i in picks]


def _note_variants(found: Walk, number: int, session, start: str, masks: set[int], bits: _Bits) -> None:
    """Which scene variants the clients opening at ``start`` with these flags can meet."""
    reachable, stack = set(), [start]
    while stack:
        sid = stack.pop()
        if sid in reachable or sid not in session.scenes:
            continue
        reachable.add(sid)
        stack += [c.next for c in session.scenes[sid].choices]
    for mask in masks:
        flags = bits.names(mask)
        for sid in reachable:
            index = session.scenes[sid].variant_for(flags)
            if index is not None:
                found.variants_used.add((number, sid, index))
