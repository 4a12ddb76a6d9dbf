"""The transcript-marking widget: the whole transcript marked and checked in the browser, the check sent to the kernel.

A transcript is data, so the browser can run the exercise by itself, as the vignette
player does: :class:`TranscriptMarker` is an anywidget whose view (``widget.js``, styled
by ``widget.css``) receives the whole transcript once, as :func:`browser_payload`. Each
line is a toggle button; "Check my marks" scores the marks in the browser and shows the
feedback on every line marked or missed at once; "Try again" clears them.

Each mark, check and Try again is also sent to the kernel as a small message. On a check
Python scores the same marks on the reference engine (:func:`~trustlab.transcripts.model.score`)
and emits :data:`CHECK_EVENT` on the course's event hook, which the journal records. A
message that does not fit (another attempt, a line that does not exist, a kind that cannot
be on that line) is logged and ignored: it never raises.

The headless methods (:meth:`TranscriptMarker.toggle`, :meth:`~TranscriptMarker.choose_kind`,
:meth:`~TranscriptMarker.check`, :meth:`~TranscriptMarker.try_again`) act as the same
clicks would, for the tests and for scripts, and the browser view follows them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets
import traitlets

from trustlab import events
from trustlab.activity import BrowserActivity, IgnoredMessage, browser_module, browser_styles, new_attempt
from trustlab.checks import markdown_html
from trustlab.notices import load_failure
from trustlab.transcripts.model import MarkError, Score, Transcript, TranscriptError, not_a_marker_feedback, score
from trustlab.transcripts.validate import load_transcript
from trustlab.vignettes.player import CRISIS

CHECK_EVENT = "transcript.check"
HERE = Path(__file__).parent
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckEvent:
    """What the journal records after each check: the marks by line id, and every line's result."""

    transcript_id: str
    module: str
    title: str
    attempt: str
    marks: list[dict]  # {"line", "number", "marker"} per marked line, in transcript order
    results: list[dict]  # {"line", "number", "speaker", "text", "status", "expected", "marked"} per line marked or missed
    found: int
    total: int
    false_alarms: int
    summary: str


def browser_payload(transcript: Transcript) -> dict[str, Any]:
    """Everything the browser needs to run the exercise on its own, as JSON-ready data.

    Course text written in Markdown (intro, feedback, debrief) arrives as HTML rendered
    here, with raw HTML escaped; everything else is plain text the browser inserts as text.
    """
    t, c = transcript, transcript.client
    return {
        "id": t.id, "module": t.module, "title": t.title, "intro": markdown_html(t.intro),
        "content_note": t.content_note, "crisis": CRISIS if t.content_note else None,
        "client": {"name": c.name, "short_name": c.short_name, "pronouns": c.pronouns, "age": c.age,
                   "background": c.background},
        "markers": [{"id": k.id, "label": k.label, "speaker": k.speaker, "definition": k.definition,
                     "not_a_marker": markdown_html(not_a_marker_feedback(k))} for k in t.markers.values()],
        "lines": [{"id": ln.id, "number": ln.number, "speaker": ln.speaker, "name": t.speaker_name(ln),
                   "text": ln.text, "cue": ln.cue, "kinds": [k.id for k in t.kinds_for(ln)]} for ln in t.lines],
        "answers": {lid: {"marker": a.marker, "feedback": markdown_html(a.feedback)} for lid, a in t.answers.items()},
        "distractors": {lid: markdown_html(text) for lid, text in t.distractors.items()},
        "debrief": markdown_html(t.debrief),
    }


def check_event(transcript: Transcript, attempt: str, result: Score, marks: dict[str, str]) -> CheckEvent:
    """The journal's record of one check (line ids, numbers and results; the texts make the portfolio readable)."""
    return CheckEvent(
        transcript_id=transcript.id, module=transcript.module, title=transcript.title, attempt=attempt,
        marks=[{"line": lid, "number": transcript.line(lid).number, "marker": kind} for lid, kind in marks.items()],
        results=[{"line": r.line.id, "number": r.line.number, "speaker": transcript.speaker_name(r.line),
                  "text": r.line.text, "status": r.status, "heading": r.heading,
                  "expected": r.expected.id if r.expected else None,
                  "marked": r.marked.id if r.marked else None} for r in result.results],
        found=result.found, total=result.total, false_alarms=result.false_alarms, summary=result.summary,
    )


class TranscriptMarker(BrowserActivity):
    """Mark one transcript in the browser. ``on_check(event)`` is called after every check."""

    _esm = browser_module(HERE / "widget.js")
    _css = browser_styles(HERE / "widget.css")
    # the whole transcript, sent once
    transcript_data = traitlets.Dict().tag(sync=True)
    # ``progress`` (trustlab.activity) is the kernel's copy of the learner's work:
    # {"attempt", "marks" ({line id: kind or None}), "checked", "revision"}
    ignorable = (IgnoredMessage, MarkError)
    _logger = log

    def __init__(self, transcript: Transcript, on_check: Callable[[CheckEvent], None] | None = None):
        self.transcript = transcript
        self.marks: dict[str, str | None] = {}  # None: a line marked whose kind is still to be chosen
        self.checked = False
        self.last_score: Score | None = None
        self._on_check = on_check
        super().__init__(transcript_data=browser_payload(transcript))

    def _name(self) -> str:
        return f"Transcript {self.transcript.id!r}"

    # --- actions: the headless API, as the same clicks would act ---------------------------------

    def toggle(self, line_id: str, kind: str | None = None) -> None:
        """Mark a line (with ``kind`` where its speaker can carry more than one), or unmark a marked one."""
        self._toggle(line_id, kind)
        self._publish(moved_here=True)

    def choose_kind(self, line_id: str, kind: str) -> None:
        """Say which marker a marked line carries (where more than one could)."""
        self._mark(line_id, kind)
        self._publish(moved_here=True)

    def check(self) -> Score:
        """Check the marks: score them, show the feedback, and tell the journal."""
        result = self._check(dict(self.marks))
        self._publish(moved_here=True)
        return result

    def try_again(self) -> None:
        """Clear every mark and the feedback, as a new attempt."""
        self._try_again(new_attempt())
        self._publish(moved_here=True)

    # --- the browser's messages -------------------------------------------------------------------

    def _act(self, action: Any, message: dict) -> None:
        if self.checked:
            raise IgnoredMessage("the marks are already checked: Try again comes first")
        if action == "mark":
            line, kind, on = message.get("line"), message.get("kind"), message.get("on")
            if not isinstance(line, str) or not isinstance(on, bool) or not (kind is None or isinstance(kind, str)):
                raise IgnoredMessage("a mark needs a line id, on or off, and a kind or none")
            if on:
                self._mark(line, kind)
            else:
                self.transcript.line(line)
                self.marks.pop(line, None)
        elif action == "check":
            marks = message.get("marks")
            if not isinstance(marks, dict) or not all(isinstance(k, str) for k in marks.values()):
                raise IgnoredMessage("a check needs every marked line with its kind")
            self._check(marks)
        else:
            raise IgnoredMessage(f"unknown action {action!r}")

    # --- the marks, the journal's event and the browser's copy of them -------------------------------

    def _toggle(self, line_id: str, kind: str | None) -> None:
        if self.checked:
            raise MarkError("The marks are checked: press Try again (try_again()) before marking again.")
        if line_id in self.marks:
            self.marks.pop(line_id)
        else:
            self._mark(line_id, kind)

    def _mark(self, line_id: str, kind: str | None) -> None:
        """Mark a line; a kind left open (None) is allowed only where the learner must still choose one."""
        line = self.transcript.line(line_id)
        kinds = [k.id for k in self.transcript.kinds_for(line)]
        if not kinds:
            raise MarkError(f"Line {line.number} is the {line.speaker}'s: nothing on it is to be marked here.")
        if kind is None and len(kinds) == 1:
            kind = kinds[0]
        if kind is not None and kind not in kinds:
            raise MarkError(f"Line {line.number} cannot carry {kind!r}: choose one of {', '.join(kinds)}.")
        self.marks[line_id] = kind

    def _check(self, marks: dict[str, str | None]) -> Score:
        result = score(self.transcript, marks)  # raises MarkError on a line or kind that does not fit
        chosen = {r.line.id: r.marked.id for r in result.results if r.marked}
        self.marks, self.checked, self.last_score = dict(chosen), True, result
        event = check_event(self.transcript, self._attempt, result, chosen)
        events.emit(CHECK_EVENT, event)
        if self._on_check:
            try:
                self._on_check(event)
            except Exception:
                events.log.exception("on_check callback failed")
        return result

    def _try_again(self, attempt: str) -> None:
        self.marks, self.checked, self.last_score = {}, False, None
        self._attempt = attempt

    def _progress(self) -> dict[str, Any]:
        return {"attempt": self._attempt, "marks": dict(self.marks), "checked": self.checked,
                "revision": self._revision}


def mark(transcript: Transcript | str, on_check: Callable[[CheckEvent], None] | None = None) -> widgets.Widget:
    """The marking widget for a transcript id, path or Transcript; a broken file shows its problems instead."""
    try:
        loaded = transcript if isinstance(transcript, Transcript) else load_transcript(transcript)
    except (TranscriptError, OSError) as err:
        return load_failure("This transcript", err)
    return TranscriptMarker(loaded, on_check)
