"""A series of sessions with one client: the meters and what happened carry from one session to the next.

A series file (``data/vignettes/series/<id>.yaml``) holds what its sessions share: the
client, the meters, the client's check-in after each session and the ways the whole series
can end (its outcomes). Each session is an ordinary vignette file with ``series: <id>``.

Between sessions two things carry over, and nothing else:

- the **meters**: session 2 starts where session 1 left them;
- **flags**, named facts that choices set or clear (``sets: [rupture_unrepaired]``), plus the
  flags the client's check-in gives the next session (``low_checkin``, ``low_<item>``).

A session is played as a plain :class:`~trustlab.vignettes.model.Run` on the session *as this
client meets it*: :meth:`Series.session_as_seen` picks the scene words and the first scene
for the flags, and puts the carried meters in as start values. That is why flags take effect
from the next session on: within a session the words never change under the learner's
feet, and the browser player needs to know nothing about series.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping

from trustlab.paths import CourseFilesNotFound, data_dir
from trustlab.vignettes.model import Client, Condition, Ending, Meter, Run, Vignette, VignetteError, iter_paths

DERIVED_LOW = "low_checkin"


def series_dir() -> Path:
    return data_dir() / "vignettes" / "series"


def series_path(id_or_path: str | Path) -> Path | None:
    """``"five_sessions"`` → its file if a series of that id exists; a path to a series file stays one."""
    path = Path(id_or_path)
    if path.suffix in (".yaml", ".yml"):
        return path if path.parent.name == "series" else None
    try:
        candidate = series_dir() / f"{id_or_path}.yaml"
    except CourseFilesNotFound:  # the vignette player says so, loudly, for any id
        return None
    return candidate if candidate.exists() else None


@dataclass(frozen=True)
class CheckinItem:
    id: str
    label: str
    meters: tuple[str, ...]


@dataclass(frozen=True)
class Rating:
    """The client's check-in after one session: each item 0-10 and the total."""

    items: tuple[tuple[str, str, float], ...]  # (id, label, value)
    total: float
    low: bool

    def as_dict(self) -> dict:
        return {"items": [{"id": i, "label": label, "value": v} for i, label, v in self.items],
                "total": self.total, "low": self.low}


@dataclass(frozen=True)
class Stop:
    """A check-in so low after a session that the client does not come back."""

    below: float
    from_session: int
    outcome: str
    note: str


@dataclass(frozen=True)
class Checkin:
    intro: str
    low_total: float
    low_item: float
    items: tuple[CheckinItem, ...]
    stops: Stop | None = None

    def rate(self, meters: Mapping[str, float], spec: Mapping[str, Meter]) -> Rating:
        """Each item is the mean of its meters, each rescaled to 0-10, to one decimal."""
        values = []
        for item in self.items:
            scaled = [10 * (meters[m] - spec[m].min) / (spec[m].max - spec[m].min) for m in item.meters]
            values.append((item.id, item.label, round(sum(scaled) / len(scaled), 1)))
        total = round(sum(v for _, _, v in values), 1)
        return Rating(tuple(values), total, total < self.low_total)

    def flags(self, rating: Rating) -> frozenset[str]:
        """What the next session knows from this check-in."""
        low = {f"low_{i}" for i, _, v in rating.items if v < self.low_item}
        return frozenset(low | ({DERIVED_LOW} if rating.low else set()))

    def derived_names(self) -> frozenset[str]:
        return frozenset({DERIVED_LOW} | {f"low_{i.id}" for i in self.items})


@dataclass(frozen=True)
class Requirement:
    """What the whole course must have come to for an outcome: meters at least so high, flags set or not."""

    at_least: Mapping[str, float]
    condition: Condition

    def met(self, meters: Mapping[str, float], flags: frozenset[str]) -> bool:
        return all(meters[m] >= v for m, v in self.at_least.items()) and self.condition.holds(flags)


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    kind: str  # good, mixed, dropout or referral
    debrief: str
    discussion: tuple[str, ...]
    requires: Requirement | None = None
    otherwise: str | None = None  # the outcome when ``requires`` does not hold


@dataclass(frozen=True)
class State:
    """Where a client stands at the start of a session: the meters, and the flags set so far
    (``carried``, by choices) and from the last check-in (``derived``)."""

    meters: tuple[tuple[str, float], ...]
    carried: frozenset[str] = frozenset()
    derived: frozenset[str] = frozenset()

    @property
    def flags(self) -> frozenset[str]:
        return self.carried | self.derived

    def meter_dict(self) -> dict[str, float]:
        return dict(self.meters)


@dataclass(frozen=True)
class Series:
    id: str
    title: str
    module: str
    summary: str
    client: Client
    format: str
    meters: Mapping[str, Meter]
    sessions: tuple[Vignette, ...]
    checkin: Checkin
    outcomes: Mapping[str, Outcome]
    content_note: str | None = None
    place: str | None = None
    source: Path | None = None

    def first_state(self) -> State:
        return State(tuple((mid, m.start) for mid, m in self.meters.items()))

    def session_as_seen(self, number: int, state: State) -> Vignette:
        """Session ``number`` (1-based) as a client in ``state`` meets it: a plain vignette whose
        meters start at the carried values, whose scenes say the words for these flags, and
        whose first scene is the one its ``start_when`` picks."""
        session, flags = self.sessions[number - 1], state.flags
        meters = {mid: replace(m, start=value) for mid, value in state.meters for m in [self.meters[mid]]}
        scenes = {sid: scene.as_seen(flags) for sid, scene in session.scenes.items()}
        return replace(session, meters=MappingProxyType(meters), scenes=MappingProxyType(scenes),
                       start_id=session.start_for(flags), start_when=())

    def after(self, run: Run, state: State) -> "SessionResult":
        """What a finished session leaves: the client's check-in, and either the next session's
        state or the outcome that ends the series."""
        if not run.ended:
            raise ValueError("the session has not reached an ending yet")
        carried = set(state.carried)
        for step in run.history:
            carried |= set(step.choice.sets)
            carried -= set(step.choice.clears)
        rating = self.checkin.rate(run.meters, self.meters)
        ending = run.ending
        number = self.number_of(run)
        outcome_id, stopped = ending.outcome, False
        stop = self.checkin.stops
        stops_here = stop is not None and stop.from_session <= number < len(self.sessions)
        if outcome_id is None and stops_here and rating.total < stop.below:
            outcome_id, stopped = stop.outcome, True
        if outcome_id is None and number == len(self.sessions):  # the checker forbids this; never crash on it
            raise VignetteError(f"{run.vignette.id}: ending {ending.id!r} of the last session has no outcome")
        flags = frozenset(carried) | self.checkin.flags(rating)
        outcome = self.settle(outcome_id, run.meters, flags) if outcome_id else None
        nxt = None if outcome else State(tuple(run.meters.items()), frozenset(carried), self.checkin.flags(rating))
        return SessionResult(number, run, ending, rating, nxt, outcome, stopped)

    def settle(self, outcome_id: str, meters: Mapping[str, float], flags: frozenset[str]) -> Outcome:
        """The outcome a client in this state really comes to: an outcome whose ``requires`` does not
        hold gives way to its ``otherwise`` (the checker makes sure such a chain ends)."""
        outcome = self.outcomes[outcome_id]
        for _ in range(len(self.outcomes)):
            if outcome.requires is None or outcome.requires.met(meters, flags):
                break
            outcome = self.outcomes[outcome.otherwise]
        return outcome

    def number_of(self, run: Run) -> int:
        """Which session (1-based) a Run plays: its vignette is that session as a client met it."""
        return next(n for n, s in enumerate(self.sessions, start=1) if s.id == run.vignette.id)


@dataclass(frozen=True)
class SessionResult:
    number: int
    run: Run
    ending: Ending
    rating: Rating
    next_state: State | None  # None when the series ended here
    outcome: Outcome | None
    stopped: bool = False  # the series ended because the check-in was too low (Checkin.stops)


@dataclass
class SeriesRun:
    """One learner's way through the series: a Run per session, each starting where the last ended.

    ``run`` is the current session's Run: choose, undo and restart it as any Run (a learner may
    step back or try a session again). ``finish_session`` closes it once it has ended.
    """

    series: Series
    done: list[SessionResult] = field(default_factory=list)
    run: Run | None = None
    state: State | None = None

    def __post_init__(self) -> None:
        if self.run is None and not self.done:
            self._begin(self.series.first_state())

    @property
    def number(self) -> int:
        """The session being played (1-based), or the last one played when the series has ended."""
        return len(self.done) + (0 if self.ended else 1)

    @property
    def ended(self) -> bool:
        return bool(self.done) and self.done[-1].next_state is None

    @property
    def outcome(self) -> Outcome | None:
        return self.done[-1].outcome if self.ended else None

    @property
    def last_rating(self) -> Rating | None:
        return self.done[-1].rating if self.done else None

    def _begin(self, state: State) -> None:
        self.state = state
        self.run = self.series.session_as_seen(len(self.done) + 1, state).start()

    def finish_session(self) -> SessionResult:
        """Close the current session (it must have reached an ending) and open the next, if any."""
        if self.ended or self.run is None:
            raise ValueError("the series has ended: start again with restart()")
        result = self.series.after(self.run, self.state)
        self.done.append(result)
        if result.next_state is not None:
            self._begin(result.next_state)
        else:
            self.run = None
        return result

    def restart(self) -> None:
        self.done.clear()
        self._begin(self.series.first_state())

    def replay(self, paths: list[list[int]]) -> None:
        """Rebuild a learner's place from the choice indexes of each finished session (the journal
        keeps them). Raises ChoiceError or ValueError if the series changed so a path no longer fits."""
        self.restart()
        for path in paths:
            for index in path:
                self.run.choose(index)
            self.finish_session()

    def trace(self) -> list[dict]:
        """Meters at the start and after each finished session, and each check-in: the end charts' rows."""
        first = self.series.first_state()
        rows = [{"session": 0, "kind": "meter", "name": self.series.meters[m].label, "value": v}
                for m, v in first.meters]
        for r in self.done:
            rows += [{"session": r.number, "kind": "meter", "name": self.series.meters[m].label, "value": v}
                     for m, v in r.run.meters.items()]
            rows += [{"session": r.number, "kind": "checkin", "name": label, "value": v}
                     for _, label, v in r.rating.items]
        return rows


# --- every way through the series ------------------------------------------------------------------

def walk(series: "Series", limit: int | None = None):
    """Every path of every session from every state the sessions before can end in
    (:mod:`trustlab.vignettes.series_walk`)."""
    from trustlab.vignettes.series_walk import WALK_LIMIT, walk as _walk

    return _walk(series, limit or WALK_LIMIT)


def iter_series_paths(series: Series) -> Iterator[tuple[list[SessionResult]]]:
    """Every way through the whole series, session by session (for small series and tests only:
    the count multiplies at every session)."""
    def go(number: int, state: State, so_far: list[SessionResult]):
        for run in iter_paths(series.session_as_seen(number, state)):
            result = series.after(run, state)
            if result.next_state is None:
                yield so_far + [result]
            else:
                yield from go(number + 1, result.next_state, so_far + [result])
    yield from go(1, series.first_state(), [])


# --- loading ---------------------------------------------------------------------------------------

def from_dict(data: dict, sessions: tuple[Vignette, ...], source: Path | None = None) -> Series:
    c = data["checkin"]
    stop = Stop(**c["stops"]) if "stops" in c else None
    checkin = Checkin(c["intro"], c["low_total"], c["low_item"],
                      tuple(CheckinItem(i["id"], i["label"], tuple(i["meters"])) for i in c["items"]), stop)
    meters = {mid: Meter(mid, m["label"], m["min"], m["max"], m["start"]) for mid, m in data["meters"].items()}
    outcomes = {oid: Outcome(oid, o["title"], o["kind"], o["debrief"], tuple(o["discussion"]), _requirement(o),
                             o.get("otherwise"))
                for oid, o in data["outcomes"].items()}
    return Series(id=data["id"], title=data["title"], module=data["module"], summary=data["summary"],
                  client=Client(**data["client"]), format=data["setting"]["format"],
                  meters=MappingProxyType(meters), sessions=sessions, checkin=checkin,
                  outcomes=MappingProxyType(outcomes), content_note=data.get("content_note"),
                  place=data["setting"].get("place"), source=source)


def _requirement(outcome: dict) -> Requirement | None:
    r = outcome.get("requires")
    if r is None:
        return None
    return Requirement(MappingProxyType(dict(r.get("at_least", {}))), Condition.from_dict(r))


def load_series(id_or_path: str | Path, walk_through: bool = False) -> Series:
    """Load and check a whole series; any problem raises VignetteError listing every one.

    Every file, every session's place, every flag and outcome is checked each time. Walking
    every way through (a few seconds for the capstone) is for authors and the tests
    (``walk_through=True``, ``python -m trustlab.vignettes check``): a learner's notebook
    should not wait for it on every run.
    """
    from trustlab.vignettes.series_check import series_problems

    path = series_path(id_or_path) or series_dir() / f"{id_or_path}.yaml"
    lines, series = series_problems(path, walk_through)  # an unreadable file is one of its lines
    if lines:
        raise VignetteError("\n".join(lines))
    return series
