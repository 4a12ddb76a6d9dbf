"""One place where the course's widgets report what a learner did.

The vignette player emits ``"vignette.choice"`` after every choice; the learner's
journal subscribes to it, and emits ``"journal.notice"`` when the learner must be told
something about it, which the player shows inside itself. A failing listener is logged and never breaks a widget.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Callable

Listener = Callable[[Any], None]
# Something the learner must be told about their journal (a damaged file moved aside, a save
# that cannot happen). The journal emits it; a widget the learner just used may show it.
JOURNAL_NOTICE = "journal.notice"
_listeners: dict[str, list[Listener]] = defaultdict(list)
log = logging.getLogger(__name__)


def subscribe(event: str, listener: Listener) -> Callable[[], None]:
    """Call ``listener(payload)`` on every ``event``; returns a function that unsubscribes."""
    _listeners[event].append(listener)
    return lambda: _listeners[event].remove(listener) if listener in _listeners[event] else None


def emit(event: str, payload: Any) -> None:
    """Tell every listener; a listener's error is logged, not raised."""
    for listener in list(_listeners[event]):
        try:
            listener(payload)
        except Exception:
            log.exception("listener %r failed on %s", listener, event)
