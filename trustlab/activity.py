"""What the course's browser-side activities share: the vignette player and the transcript marker.

Each is an anywidget whose content is walked in the browser; every click is sent to the
kernel, which replays it on the reference model (a vignette ``Run``, a transcript's
marks) for the journal. The protocol is the same for both, so it lives here once:

- every message names the attempt it belongs to; a message for another attempt, or one
  that does not fit, is logged and ignored, never raised to the learner;
- ``{"action": "again", "new_attempt": id}`` starts a new attempt, whose id the browser
  chose (it seeds the order choices are shown in);
- ``progress`` is the kernel's copy of where the learner is; its ``revision`` changes only
  when a headless method moved things, so the browser redraws then and never to catch up
  with its own clicks;
- a journal notice raised while a click is being recorded is shown inside the widget
  (``notice``), the only place the learner would see it: what the kernel displays during a
  click lands in JupyterLab's log.
"""

from __future__ import annotations

import logging
import re
import uuid
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from trustlab import events

ATTEMPT_ID = re.compile(r"[0-9a-f]{8,32}")
SHARED_JS = Path(__file__).with_name("activity.js")
SHARED_CSS = Path(__file__).with_name("activity.css")
log = logging.getLogger(__name__)


class IgnoredMessage(ValueError):
    """A message from the browser that does not fit: logged, never raised to the learner."""


def new_attempt() -> str:
    """A fresh attempt id: it also seeds the order the browser shows the choices in."""
    return uuid.uuid4().hex[:8]


def browser_module(view: Path) -> str:
    """A widget's view with the shared helpers (trustlab/activity.js) in front: one ES module."""
    return SHARED_JS.read_text(encoding="utf-8") + "\n" + view.read_text(encoding="utf-8")


def browser_styles(styles: Path) -> str:
    """A widget's stylesheet with the shared palette and base text style (trustlab/activity.css) in front."""
    return SHARED_CSS.read_text(encoding="utf-8") + "\n" + styles.read_text(encoding="utf-8")


class BrowserActivity(anywidget.AnyWidget):
    """The shared half of a browser-side activity; subclasses say what their actions do.

    A subclass sets up its own state, then calls ``super().__init__(**its_traits)``, and
    implements ``_act(action, message)``, ``_try_again(attempt)`` and ``_progress()``.
    """

    progress = traitlets.Dict().tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    # errors of the subclass's own model that mean "this click does not fit" (logged, ignored)
    ignorable: tuple[type[Exception], ...] = (IgnoredMessage,)
    # each activity logs under its own module's name, so its messages can be found and filtered
    _logger: logging.Logger = log

    def __init__(self, **traits: Any):
        self._attempt = new_attempt()
        self._revision = 0
        self._handling_click = False
        super().__init__(progress=self._progress(), **traits)
        self.on_msg(self._from_browser)
        events.subscribe(events.JOURNAL_NOTICE, self._show_notice)

    def _name(self) -> str:
        """Which activity, for the log line of an ignored message."""
        return type(self).__name__

    def _show_notice(self, notice: Any) -> None:
        """A journal notice raised while this widget's click was being recorded: show it here, at once."""
        if self._handling_click:
            self.notice = "\n".join(filter(None, [self.notice, str(notice)]))

    def _from_browser(self, _widget: Any, content: Any, _buffers: Any = None) -> None:
        """Replay a click made in the browser; one that does not fit is logged and ignored."""
        self._handling_click = True
        try:
            self._apply(content)
        except self.ignorable as why:
            self._logger.warning("%s ignored a message from the browser (%s): %r", self._name(), why, content)
            return
        finally:
            self._handling_click = False
        self._publish()

    def _apply(self, message: Any) -> None:
        if not isinstance(message, dict):
            raise IgnoredMessage("not a message")
        action = message.get("action")
        if message.get("attempt") != self._attempt:
            raise IgnoredMessage(f"it belongs to attempt {message.get('attempt')!r}, not {self._attempt!r}")
        if action == "again":
            attempt = message.get("new_attempt")
            if not isinstance(attempt, str) or not ATTEMPT_ID.fullmatch(attempt):
                raise IgnoredMessage("the new attempt has no valid id")
            self._try_again(attempt)
            return
        self._act(action, message)

    def _act(self, action: Any, message: dict) -> None:
        raise NotImplementedError

    def _try_again(self, attempt: str) -> None:
        raise NotImplementedError

    def _progress(self) -> dict[str, Any]:
        raise NotImplementedError

    def _publish(self, moved_here: bool = False) -> None:
        """Tell the browser where things are; ``moved_here`` (a headless action) makes it redraw."""
        self._revision += moved_here
        self.progress = self._progress()
