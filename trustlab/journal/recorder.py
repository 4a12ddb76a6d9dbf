"""Write what learners do in the widgets to the journal, through the course's one event hook.

The vignette player emits ``vignette.choice``, the checks emit ``check.answer`` and the
transcript widget emits ``transcript.check`` and the series player ``series.session`` (see
:mod:`trustlab.events`); :func:`connect` subscribes the journal to all four, once per kernel, and opens the journal at once, so
``setup()`` at the top of every notebook tells the learner straight away about anything
that happened to it (a damaged file moved aside, an older journal imported). A journal
that cannot be written never stops a widget: the learner is told once why their answers
are not being kept, and the widget keeps working.
"""

from __future__ import annotations

from typing import Any

from trustlab import events
from trustlab.journal.notify import tell
from trustlab.journal.store import Journal, JournalError, Notice

_connected: list = []
_failed: set[str] = set()  # reasons already told: a failing journal is reported once, not at every click


def record_choice(event: Any, journal: Journal | None = None) -> None:
    journal = journal or Journal()
    journal.add(
        "vignette", event.module, event.vignette_id, title=event.title, attempt=event.attempt, step=event.step,
        path=event.path, ended=event.ended, ending=event.position if event.ended else None,
        ending_title=event.ending_title, ending_kind=event.ending_kind, trace=event.trace,
        domain=list(event.domain))
    tell(journal)


def record_answer(event: dict, journal: Journal | None = None) -> None:
    journal = journal or Journal()
    key = event["key"]
    journal.add("check", key.split(".")[0], key, prompt=event.get("prompt"),
                answer=event["answer"], status=event["status"], correct=event["correct"])
    tell(journal)


def record_transcript(event: Any, journal: Journal | None = None) -> None:
    """One check of a marked transcript: the marks by line id, and each line's result."""
    journal = journal or Journal()
    journal.add("transcript", event.module, event.transcript_id, title=event.title, attempt=event.attempt,
                marks=event.marks, results=event.results, found=event.found, total=event.total,
                false_alarms=event.false_alarms, summary=event.summary)
    tell(journal)


def record_series(entry: dict, journal: Journal | None = None) -> None:
    """A finished session of a series: one entry holding the whole series so far (the latest wins)."""
    journal = journal or Journal()
    fields = {k: v for k, v in entry.items() if k not in ("series_id", "module")}
    journal.add("series", entry["module"], entry["series_id"], **fields)
    tell(journal)


def _safely(record):
    def listener(event: Any) -> None:
        journal = Journal()
        try:
            record(event, journal)
        except (JournalError, OSError) as err:
            if str(err) not in _failed:
                _failed.add(str(err))
                journal.notices.append(Notice(f"Your answers and conversation paths are not being saved to your "
                                              f"journal. {err}"))
            tell(journal)
    return listener


def connect() -> None:
    """Subscribe the journal to the course's events (once per kernel), open it, and tell the learner
    at once anything they must know about it. Never raises: a journal problem is a notice."""
    if not _connected:
        _connected.append(events.subscribe("vignette.choice", _safely(record_choice)))
        _connected.append(events.subscribe("check.answer", _safely(record_answer)))
        _connected.append(events.subscribe("transcript.check", _safely(record_transcript)))
        _connected.append(events.subscribe("series.session", _safely(record_series)))
    journal = Journal()
    try:
        journal.open()
    except (JournalError, OSError) as err:
        journal.notices.append(Notice(str(err)))
    tell(journal)


def disconnect() -> None:
    while _connected:
        _connected.pop()()
