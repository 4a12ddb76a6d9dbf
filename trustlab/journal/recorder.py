"""Write what learners do in the widgets to the journal, through the course's one event hook.

The vignette player emits ``vignette.choice`` and the checks emit ``check.answer``
(see :mod:`trustlab.events`); :func:`connect` subscribes the journal to both, once per
kernel. A journal that cannot be written never stops a widget: the problem is logged
and the widget keeps working.
"""

from __future__ import annotations

import logging
from typing import Any

from trustlab import events
from trustlab.journal.store import Journal, JournalError

log = logging.getLogger(__name__)
_connected: list = []


def record_choice(event: Any, journal: Journal | None = None) -> None:
    (journal or Journal()).add(
        "vignette", event.module, event.vignette_id, title=event.title, attempt=event.attempt, step=event.step,
        path=event.path, ended=event.ended, ending=event.position if event.ended else None,
        ending_title=event.ending_title, ending_kind=event.ending_kind, trace=event.trace,
        domain=list(event.domain))


def record_answer(event: dict, journal: Journal | None = None) -> None:
    key = event["key"]
    (journal or Journal()).add("check", key.split(".")[0], key, prompt=event.get("prompt"),
                               answer=event["answer"], status=event["status"], correct=event["correct"])


def _safely(record):
    def listener(event: Any) -> None:
        try:
            record(event)
        except (JournalError, OSError) as err:
            log.warning("Not saved to your journal: %s", err)
    return listener


def connect() -> None:
    """Subscribe the journal to the course's events (idempotent)."""
    if _connected:
        return
    _connected.append(events.subscribe("vignette.choice", _safely(record_choice)))
    _connected.append(events.subscribe("check.answer", _safely(record_answer)))


def disconnect() -> None:
    while _connected:
        _connected.pop()()
