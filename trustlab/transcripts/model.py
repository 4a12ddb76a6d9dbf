"""Transcripts to mark, as plain data, and the scoring of a learner's marks: headless and testable.

A :class:`Transcript` is the parsed YAML file (immutable). The learner marks lines where
something happens (a counselor's line that leaks judgment, a client's line that signals
shame); :func:`score` compares those marks with the file's answers and returns, for every
line the learner marked or missed, whether it was a hit, a miss, a false alarm or the
right line with the other kind of marker, with the feedback to read. The widget in
``widget.py`` draws this; its browser view scores the same way, and the tests compare the
two.

Each marker kind belongs to one speaker, so a line can only be marked with a kind meant
for its speaker: when exactly one kind fits (module 02: judgment leaks on counselor
lines, shame signals on client lines) the mark needs no kind; when several fit (module
03's rupture markers, all on client lines) the learner says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping

from trustlab.content import ContentError
from trustlab.paths import content_file, data_dir

HIT, WRONG_KIND, MISS, FALSE_ALARM = "hit", "wrong_kind", "miss", "false_alarm"
STATUSES = (HIT, WRONG_KIND, MISS, FALSE_ALARM)
SPEAKERS = ("counselor", "client")


class TranscriptError(ContentError):
    """A transcript file is missing, does not parse, or breaks a rule; the message lists every problem."""


class MarkError(ValueError):
    """A mark on a line that does not exist, or with a kind of marker that cannot be on that line."""


@dataclass(frozen=True)
class MarkerKind:
    id: str
    label: str
    speaker: str  # counselor or client: whose lines can carry it
    definition: str


@dataclass(frozen=True)
class Line:
    id: str
    number: int  # 1 = the first line, as the learner sees it
    speaker: str
    text: str
    cue: str | None = None


@dataclass(frozen=True)
class Answer:
    """A line that carries a marker, and why (read whether the learner found it or missed it)."""

    line_id: str
    marker: str
    feedback: str


@dataclass(frozen=True)
class Client:
    name: str
    pronouns: str
    age: int
    background: str

    @property
    def short_name(self) -> str:
        """What the transcript shows before the client's lines."""
        return self.name.split()[0]


@dataclass(frozen=True)
class Transcript:
    id: str
    title: str
    module: str
    intro: str
    client: Client
    markers: Mapping[str, MarkerKind]
    lines: tuple[Line, ...]
    answers: Mapping[str, Answer]
    distractors: Mapping[str, str]  # line id -> why it is not a marker
    debrief: str
    content_note: str | None = None
    source: Path | None = None

    @classmethod
    def from_dict(cls, data: dict, source: Path | None = None) -> "Transcript":
        """Build from already-validated data (see :func:`trustlab.transcripts.validate.problems`)."""
        markers = {mid: MarkerKind(mid, m["label"], m["speaker"], m["definition"])
                   for mid, m in data["markers"].items()}
        lines = tuple(Line(ln["id"], n, ln["speaker"], ln["text"], ln.get("cue"))
                      for n, ln in enumerate(data["lines"], start=1))
        answers = {lid: Answer(lid, a["marker"], a["feedback"]) for lid, a in data["answers"].items()}
        distractors = {lid: d["feedback"] for lid, d in (data.get("distractors") or {}).items()}
        return cls(
            id=data["id"], title=data["title"], module=data["module"], intro=data["intro"],
            client=Client(**data["client"]), markers=MappingProxyType(markers), lines=lines,
            answers=MappingProxyType(answers), distractors=MappingProxyType(distractors),
            debrief=data["debrief"], content_note=data.get("content_note"), source=source,
        )

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise MarkError(f"There is no line {line_id!r} in the transcript {self.id!r}.")

    def kinds_for(self, line: Line) -> tuple[MarkerKind, ...]:
        """The markers a line can carry: those meant for its speaker (none: the line is not markable)."""
        return tuple(kind for kind in self.markers.values() if kind.speaker == line.speaker)

    def speaker_name(self, line: Line) -> str:
        return self.client.short_name if line.speaker == "client" else "Counselor"


@dataclass(frozen=True)
class LineResult:
    """One line the learner marked or missed: what happened, and the feedback to read."""

    line: Line
    status: str  # hit, wrong_kind, miss or false_alarm
    expected: MarkerKind | None  # the marker the line carries (None: it carries none)
    marked: MarkerKind | None  # the kind the learner marked it with (None: not marked)
    feedback: str  # Markdown

    @property
    def heading(self) -> str:
        """The result in a few words, shown above the feedback (the browser writes the same words)."""
        if self.status == HIT:
            return f"Found: {self.expected.label}"
        if self.status == MISS:
            return f"Missed: {self.expected.label}"
        if self.status == WRONG_KIND:
            return f"Right line, other kind: this is {self.expected.label}, not {self.marked.label}"
        return "Not a marker"


@dataclass(frozen=True)
class Score:
    """The result of one check: a :class:`LineResult` per line marked or missed, in transcript order."""

    results: tuple[LineResult, ...]
    total: int  # lines that carry a marker

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def found(self) -> int:
        return self.count(HIT)

    @property
    def false_alarms(self) -> int:
        return self.count(FALSE_ALARM)

    @property
    def summary(self) -> str:
        """One or two sentences for the top of the feedback (the browser writes the same words)."""
        noun = "marker" if self.total == 1 else "markers"
        parts = [f"You found {self.found} of {self.total} {noun}."]
        wrong = self.count(WRONG_KIND)
        if wrong:
            parts.append(f"On {wrong} more {'line' if wrong == 1 else 'lines'} you spotted a marker "
                         "but named the other kind.")
        if self.false_alarms == 1:
            parts.append("1 line you marked is not a marker.")
        elif self.false_alarms:
            parts.append(f"{self.false_alarms} lines you marked are not markers.")
        return " ".join(parts)


def not_a_marker_feedback(kind: MarkerKind) -> str:
    """Feedback for a line marked by mistake that the file gives no note of its own."""
    return (f"Nothing on this line is a {kind.label.lower()} in this conversation. Read it again beside "
            f"the definition: {kind.definition}")


def normalize_marks(transcript: Transcript, marks: Mapping[str, str | None] | Iterable[str]) -> dict[str, str]:
    """``{line id: marker id}`` in transcript order, from a mapping or a plain list of line ids.

    A mark without a kind takes the one kind its line's speaker can carry; where several
    fit, the kind must be given. Raises :class:`MarkError` for a line that does not exist,
    cannot be marked, or a kind that cannot be on it.
    """
    given = dict(marks) if isinstance(marks, Mapping) else dict.fromkeys(marks)
    out: dict[str, str] = {}
    for line_id, kind in given.items():
        line = transcript.line(line_id)
        kinds = transcript.kinds_for(line)
        if not kinds:
            raise MarkError(f"Line {line.number} is the {line.speaker}'s: no marker in this transcript is "
                            f"for {line.speaker} lines.")
        if kind is None:
            if len(kinds) > 1:
                raise MarkError(f"Line {line.number} could carry {' or '.join(k.label for k in kinds)}: "
                                "say which.")
            kind = kinds[0].id
        if kind not in {k.id for k in kinds}:
            raise MarkError(f"Line {line.number} cannot carry {kind!r}: on {line.speaker} lines look for "
                            f"{', '.join(k.id for k in kinds)}.")
        out[line_id] = kind
    return {line.id: out[line.id] for line in transcript.lines if line.id in out}


def score(transcript: Transcript, marks: Mapping[str, str | None] | Iterable[str]) -> Score:
    """Compare the learner's marks with the answers: every line marked or missed, with its feedback."""
    chosen = normalize_marks(transcript, marks)
    results = []
    for line in transcript.lines:
        answer = transcript.answers.get(line.id)
        expected = transcript.markers[answer.marker] if answer else None
        marked = transcript.markers[chosen[line.id]] if line.id in chosen else None
        if answer and marked:
            status = HIT if marked == expected else WRONG_KIND
            results.append(LineResult(line, status, expected, marked, answer.feedback))
        elif answer:
            results.append(LineResult(line, MISS, expected, None, answer.feedback))
        elif marked:
            feedback = transcript.distractors.get(line.id) or not_a_marker_feedback(marked)
            results.append(LineResult(line, FALSE_ALARM, None, marked, feedback))
    return Score(tuple(results), len(transcript.answers))


def transcripts_dir() -> Path:
    return data_dir() / "transcripts"


def resolve(id_or_path: str | Path) -> Path:
    """``"behind_on_rent"`` → ``data/transcripts/behind_on_rent.yaml``; a path stays a path."""
    return content_file("transcripts", id_or_path)
