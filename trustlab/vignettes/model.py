"""Vignettes as plain data, and a Run that plays one: headless, deterministic, testable.

A :class:`Vignette` is the parsed YAML file (immutable); a :class:`Run` is one
learner's way through it. The widget in ``player.py`` only draws a Run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from trustlab.content import ContentError, read_yaml
from trustlab.paths import data_dir


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


@dataclass(frozen=True)
class Scene:
    id: str
    client: str
    choices: tuple[Choice, ...]
    cue: str | None = None
    narration: str | None = None


@dataclass(frozen=True)
class Ending:
    id: str
    title: str
    kind: str  # positive, mixed or troubled
    debrief: str
    discussion: tuple[str, ...]


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

    def start(self) -> "Run":
        """A new conversation from the first scene with every meter at its start value."""
        return Run(self)

    @classmethod
    def from_dict(cls, data: dict, source: Path | None = None) -> "Vignette":
        """Build from already-validated data (see :func:`trustlab.vignettes.validate.problems`)."""
        scenes = {
            sid: Scene(sid, s["client"], tuple(Choice(**{**c, "effects": MappingProxyType(dict(c["effects"]))})
                                               for c in s["choices"]), s.get("cue"), s.get("narration"))
            for sid, s in data["scenes"].items()
        }
        endings = {eid: Ending(eid, e["title"], e["kind"], e["debrief"], tuple(e["discussion"]))
                   for eid, e in data["endings"].items()}
        meters = {mid: Meter(mid, m["label"], m["min"], m["max"], m["start"]) for mid, m in data["meters"].items()}
        setting = data["setting"]
        return cls(
            id=data["id"], title=data["title"], module=data["module"], summary=data["summary"],
            client=Client(**data["client"]), format=setting["format"], session=setting["session"],
            meters=MappingProxyType(meters), start_id=data["start"], scenes=MappingProxyType(scenes),
            endings=MappingProxyType(endings), content_note=data.get("content_note"),
            place=setting.get("place"), source=source,
        )


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
    finished: list[Run] = []

    def walk(run: Run, seen: frozenset[str]) -> None:
        if run.ended:
            finished.append(Run(vignette, list(run.history)))
            return
        for index, choice in enumerate(run.choices):
            if choice.next in seen:
                continue  # a loop back: the learner may take it, but it adds no new path
            run.choose(index)
            walk(run, seen | {choice.next})
            run.undo()

    walk(vignette.start(), frozenset({vignette.start_id}))
    return finished


def vignettes_dir() -> Path:
    return data_dir() / "vignettes"


def resolve(id_or_path: str | Path) -> Path:
    """``"first_contact"`` → ``data/vignettes/first_contact.yaml``; a path stays a path."""
    text = str(id_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        return Path(text)
    return vignettes_dir() / f"{text}.yaml"


def load_skills() -> dict[str, Skill]:
    """The shared skill vocabulary, ``data/vignettes/skills.yaml``."""
    data = read_yaml(vignettes_dir() / "skills.yaml")
    return {sid: Skill(sid, s["label"], s["kind"], s["description"]) for sid, s in data.items()}
