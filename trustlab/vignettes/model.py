"""Vignettes as plain data, and a Run that plays one: headless, deterministic, testable.

A :class:`Vignette` is the parsed YAML file (immutable); a :class:`Run` is one
learner's way through it. The widget in ``player.py`` only draws a Run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping

from trustlab.content import ContentError, read_yaml
from trustlab.paths import content_file, data_dir


class VignetteError(ContentError):
    """A vignette file is missing, does not parse, or breaks a rule; the message lists every problem."""


class ChoiceError(ValueError):
    """A choice that does not exist, or a choice after the conversation has ended."""


@dataclass(frozen=True)
class Skill:
    id: str
    label: str
    kind: str  # "builds" or "risks"
    description: str


@dataclass(frozen=True)
class Meter:
    id: str
    label: str
    min: float
    max: float
    start: float

    def clamp(self, value: float) -> float:
        return min(self.max, max(self.min, value))


@dataclass(frozen=True)
class Client:
    name: str
    pronouns: str
    age: int
    background: str
    reason: str
    fears: str


@dataclass(frozen=True)
class Choice:
    text: str
    skill: str
    effects: Mapping[str, float]
    feedback: str
    client_inner: str
    next: str
    sets: tuple[str, ...] = ()  # in a series: flags this choice sets for later sessions
    clears: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """In a series: holds when every ``when`` flag is set and no ``unless`` flag is."""

    when: frozenset[str] = frozenset()
    unless: frozenset[str] = frozenset()

    def holds(self, flags: frozenset[str]) -> bool:
        return self.when <= flags and not self.unless & flags

    @classmethod
    def from_dict(cls, data: Mapping) -> "Condition":
        return cls(frozenset(data.get("when", ())), frozenset(data.get("unless", ())))


@dataclass(frozen=True)
class Variant:
    """In a series: other words for a scene when earlier sessions left a flag set (or not)."""

    condition: Condition
    client: str | None = None
    cue: str | None = None
    narration: str | None = None


@dataclass(frozen=True)
class Scene:
    id: str
    client: str
    choices: tuple[Choice, ...]
    cue: str | None = None
    narration: str | None = None
    variants: tuple[Variant, ...] = ()

    def variant_for(self, flags: frozenset[str]) -> int | None:
        """The index of the first variant whose condition holds, or None for the scene's own words."""
        return next((i for i, v in enumerate(self.variants) if v.condition.holds(flags)), None)

    def as_seen(self, flags: frozenset[str]) -> "Scene":
        """The scene with the words a client in this state says: no variants left to choose."""
        index = self.variant_for(flags)
        if index is None:
            return replace(self, variants=())
        v = self.variants[index]
        return replace(self, client=v.client or self.client, cue=v.cue or self.cue,
                       narration=v.narration or self.narration, variants=())


@dataclass(frozen=True)
class Ending:
    id: str
    title: str
    kind: str  # positive, mixed or troubled
    debrief: str
    discussion: tuple[str, ...]
    outcome: str | None = None  # in a series: the series ends here, with this outcome


@dataclass(frozen=True)
class Vignette:
    id: str
    title: str
    module: str
    summary: str
    client: Client
    format: str  # in_person or video
    session: int
    meters: Mapping[str, Meter]
    start_id: str
    scenes: Mapping[str, Scene]
    endings: Mapping[str, Ending]
    content_note: str | None = None
    place: str | None = None
    source: Path | None = None
    series: str | None = None
    start_when: tuple[tuple[Condition, str], ...] = ()  # in a series: open elsewhere when a condition holds

    def start(self) -> "Run":
        """A new conversation from the first scene with every meter at its start value."""
        return Run(self)

    @classmethod
    def from_dict(cls, data: dict, source: Path | None = None) -> "Vignette":
        """Build from already-validated data (see :func:`trustlab.vignettes.validate.problems`).

        A session of a series has no client or meters of its own: the caller passes the data
        with the series file's client and meters merged in (see :mod:`trustlab.vignettes.series`).
        """
        scenes = {sid: _scene(sid, s) for sid, s in data["scenes"].items()}
        endings = {eid: Ending(eid, e["title"], e["kind"], e["debrief"], tuple(e["discussion"]), e.get("outcome"))
                   for eid, e in data["endings"].items()}
        meters = {mid: Meter(mid, m["label"], m["min"], m["max"], m["start"]) for mid, m in data["meters"].items()}
        setting = data["setting"]
        return cls(
            id=data["id"], title=data["title"], module=data["module"], summary=data["summary"],
            client=Client(**data["client"]), format=setting["format"], session=setting["session"],
            meters=MappingProxyType(meters), start_id=data["start"], scenes=MappingProxyType(scenes),
            endings=MappingProxyType(endings), content_note=data.get("content_note"),
            place=setting.get("place"), source=source, series=data.get("series"),
            start_when=tuple((Condition.from_dict(w), w["start"]) for w in data.get("start_when", ())),
        )

    def start_for(self, flags: frozenset[str]) -> str:
        """The first scene for a client in this state: the first ``start_when`` that holds, else ``start``."""
        return next((start for condition, start in self.start_when if condition.holds(flags)), self.start_id)


def _scene(sid: str, s: dict) -> Scene:
    choices = tuple(Choice(**{**c, "effects": MappingProxyType(dict(c["effects"])),
                              "sets": tuple(c.get("sets", ())), "clears": tuple(c.get("clears", ()))})
                    for c in s["choices"])
    variants = tuple(Variant(Condition.from_dict(v), v.get("client"), v.get("cue"), v.get("narration"))
                     for v in s.get("variants", ()))
    return Scene(sid, s["client"], choices, s.get("cue"), s.get("narration"), variants)


@dataclass(frozen=True)
class Step:
    """One choice made: where, which, and the meters just after it."""

    scene_id: str
    index: int
    choice: Choice
    meters: Mapping[str, float]


@dataclass
class Run:
    """One way through a vignette. ``choose`` moves on; ``undo`` steps back."""

    vignette: Vignette
    history: list[Step] = field(default_factory=list)

    @property
    def start_meters(self) -> dict[str, float]:
        return {mid: m.start for mid, m in self.vignette.meters.items()}

    @property
    def meters(self) -> dict[str, float]:
        """Current meter values (a copy)."""
        return dict(self.history[-1].meters) if self.history else self.start_meters

    @property
    def position(self) -> str:
        """The id of the current scene or of the ending reached."""
        return self.history[-1].choice.next if self.history else self.vignette.start_id

    @property
    def ended(self) -> bool:
        return self.position in self.vignette.endings

    @property
    def ending(self) -> Ending | None:
        return self.vignette.endings.get(self.position)

    @property
    def scene(self) -> Scene | None:
        return self.vignette.scenes.get(self.position)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return self.scene.choices if self.scene else ()

    def choose(self, index: int) -> Step:
        """Make choice ``index`` (0-based) in the current scene."""
        if self.ended:
            raise ChoiceError(f"The conversation has ended ({self.position!r}): "
                              "start again with restart() or step back with undo().")
        n = len(self.choices)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < n:
            raise ChoiceError(f"There is no choice {index!r} in scene {self.position!r}: "
                              f"choose a whole number from 0 to {n - 1}.")
        choice = self.choices[index]
        meters = self.meters
        for mid, delta in choice.effects.items():
            meters[mid] = self.vignette.meters[mid].clamp(meters[mid] + delta)
        step = Step(self.position, index, choice, MappingProxyType(meters))
        self.history.append(step)
        return step

    def undo(self) -> Step:
        """Take back the last choice, to try another and compare."""
        if not self.history:
            raise ChoiceError("Nothing to step back from: no choice has been made yet.")
        return self.history.pop()

    def restart(self) -> None:
        self.history.clear()

    def trace(self) -> list[dict]:
        """Meter values before the first choice and after each one: the rows of the meter chart."""
        rows = [{"step": 0, "label": "start", "meter": self.vignette.meters[mid].label, "value": value}
                for mid, value in self.start_meters.items()]
        for n, step in enumerate(self.history, start=1):
            rows += [{"step": n, "label": step.scene_id, "meter": self.vignette.meters[mid].label, "value": value}
                     for mid, value in step.meters.items()]
        return rows


def all_paths(vignette: Vignette) -> list[Run]:
    """Every way through the vignette that visits no scene twice, each as a finished Run."""
    return list(iter_paths(vignette))


def iter_paths(vignette: Vignette) -> Iterator[Run]:
    """The paths of :func:`all_paths` one at a time, so a caller can stop early.

    A loop back to a scene already on the path is skipped: the learner may take it, but
    it adds no new path. Written with an explicit stack rather than recursion so a long
    vignette cannot hit Python's recursion limit.
    """
    run, seen = vignette.start(), {vignette.start_id}
    tries = [0]  # for each scene on the current path, the next choice to try there
    while tries:
        index = tries[-1]
        if index >= len(run.choices):  # every choice here tried: step back
            tries.pop()
            if run.history:
                seen.discard(run.undo().choice.next)
            continue
        tries[-1] += 1
        if run.choices[index].next in seen:
            continue
        run.choose(index)
        if run.ended:
            yield Run(vignette, list(run.history))
            run.undo()
        else:
            seen.add(run.position)
            tries.append(0)


class PathIndex:
    """The paths of a vignette whose scenes never loop, counted and numbered without listing them.

    A vignette of 30 two-way decisions has 2^30 paths: listing them takes hours, but
    counting them takes one pass over the scenes (the paths from a scene are the sum of
    the paths from where its choices lead). Numbers follow :func:`all_paths`' order, so
    path number ``n`` here is ``all_paths(vignette)[n - 1]``.
    """

    def __init__(self, vignette: Vignette, order: list[str]):
        self.vignette = vignette
        self._count: dict[str, int] = {eid: 1 for eid in vignette.endings}
        self._depth: dict[str, int] = {eid: 0 for eid in vignette.endings}
        for sid in order:  # every scene after the scenes it leads to
            nexts = [c.next for c in vignette.scenes[sid].choices]
            self._count[sid] = sum(self._count[n] for n in nexts)
            self._depth[sid] = 1 + max(self._depth[n] for n in nexts)
        self.total = self._count[vignette.start_id]

    @classmethod
    def of(cls, vignette: Vignette) -> "PathIndex | None":
        """The index, or None when some scene can lead back to itself (then paths cannot be
        counted this way; use :func:`iter_paths`)."""
        order = _scenes_after_successors(vignette)
        return cls(vignette, order) if order is not None else None

    def run(self, number: int) -> Run:
        """Path ``number`` (1 = the first :func:`all_paths` lists), replayed as a finished Run."""
        if not 1 <= number <= self.total:
            raise ValueError(f"there are {self.total} paths; {number} is not one of them")
        run, rest = self.vignette.start(), number - 1
        while not run.ended:
            for index, choice in enumerate(run.choices):
                if rest < self._count[choice.next]:
                    run.choose(index)
                    break
                rest -= self._count[choice.next]
        return run

    def longest(self) -> int:
        """The number of the first path with the most choices."""
        run, number = self.vignette.start(), 1
        while not run.ended:
            best = max(range(len(run.choices)), key=lambda i: (self._depth[run.choices[i].next], -i))
            number += sum(self._count[c.next] for c in run.choices[:best])
            run.choose(best)
        return number


def _scenes_after_successors(vignette: Vignette) -> list[str] | None:
    """Scenes reachable from the start, each listed after every scene it leads to; None on a loop."""
    scenes, state, order = vignette.scenes, {}, []  # state: 1 = on the current way down, 2 = done
    stack = [(vignette.start_id, iter(scenes[vignette.start_id].choices))]
    state[vignette.start_id] = 1
    while stack:
        sid, choices = stack[-1]
        choice = next(choices, None)
        if choice is None:
            stack.pop()
            state[sid] = 2
            order.append(sid)
        elif choice.next in scenes:
            if state.get(choice.next) == 1:
                return None
            if choice.next not in state:
                state[choice.next] = 1
                stack.append((choice.next, iter(scenes[choice.next].choices)))
    return order


def vignettes_dir() -> Path:
    return data_dir() / "vignettes"


def resolve(id_or_path: str | Path) -> Path:
    """``"first_contact"`` → ``data/vignettes/first_contact.yaml``; a path stays a path."""
    return content_file("vignettes", id_or_path)


def load_skills() -> dict[str, Skill]:
    """The shared skill vocabulary, ``data/vignettes/skills.yaml``."""
    data = read_yaml(vignettes_dir() / "skills.yaml")
    return {sid: Skill(sid, s["label"], s["kind"], s["description"]) for sid, s in data.items()}
