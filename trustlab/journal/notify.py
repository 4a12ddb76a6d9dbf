"""Telling the learner, at once, what happened to their journal; and the one call that brings entries back.

The store only collects notices (:attr:`Journal.notices`): a damaged file moved aside, an
older journal imported, a folder that cannot be written. Whatever opened the journal shows
them, there and then: the reflection box and the drill in their status line, and everything
else (``setup()``, ``check()``, the vignette recorder, the exports) through :func:`tell`,
under the cell that is running.

A widget's click in the browser is not a running cell: output made while handling it would
land in JupyterLab's log panel, where nobody looks. So :func:`tell` then also emits
``journal.notice`` on the course's event hook (a widget can show it inside itself), logs
it (JupyterLab's log panel), and keeps it for the next cell that opens the journal, which
shows it.
"""

from __future__ import annotations

import logging
import re
from html import escape
from pathlib import Path

from trustlab import events
from trustlab.journal.store import Journal, JournalError, Notice, put_back

NOTICE_EVENT = events.JOURNAL_NOTICE
CSS_CLASS = "trustlab-journal-notice"
log = logging.getLogger(__name__)

# inline, because the notice stands alone, without the stylesheet the course widgets carry
_STYLE = ("background: var(--jp-layout-color2, #eef4fa); color: var(--jp-content-font-color1, #1a1a1a); "
          "border-left: 6px solid {colour}; padding: 6px 12px; margin: 6px 0;")


class JournalNotice:
    """Notices as a cell shows them: a boxed message in a notebook, plain text anywhere else."""

    def __init__(self, notices: list[str]):
        self.notices = list(notices)
        self.serious = any(getattr(n, "serious", True) for n in self.notices)

    def __str__(self) -> str:
        return "\n\n".join(f"About your journal: {n}" for n in self.notices)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "var(--jp-warn-color0, #8a6d00)" if self.serious else "var(--jp-brand-color1, #0072B2)"
        role = "alert" if self.serious else "status"
        paragraphs = "".join(f"<p>{_code_spans(escape(n))}</p>" for n in self.notices)
        return (f'<div class="{CSS_CLASS}" role="{role}" style="{_STYLE.format(colour=colour)}">'
                f'<p><strong>{"⚠ " if self.serious else ""}About your journal</strong></p>{paragraphs}</div>')


def _code_spans(html: str) -> str:
    """`code` in a notice (a line to run) as <code>, so it can be copied exactly."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html)


def _in_a_widget_message() -> bool:
    """True while the kernel handles a message from a widget in the browser (a click), not a cell."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else {}
    except Exception:  # no IPython, or an unusual kernel: treat it as a cell
        return False
    return (parent or {}).get("header", {}).get("msg_type") == "comm_msg"


def tell(journal: Journal) -> None:
    """Show the journal's notices now, under the running cell, and clear them (told once)."""
    notices, journal.notices = list(journal.notices), []
    if not notices:
        return
    for notice in notices:
        events.emit(NOTICE_EVENT, notice)
    if _in_a_widget_message():
        for notice in notices:
            log.warning("About your journal: %s", notice)
        put_back(journal.path, [n if isinstance(n, Notice) else Notice(n) for n in notices])
        return
    from IPython.display import display

    display(JournalNotice(notices))


def recover(source: Path | str, journal: Journal | None = None) -> int:
    """Copy back into your journal every entry that can be read from ``source``.

    ``source`` is a journal file the course moved aside (``journal.unreadable-….sqlite3``),
    an older ``journal.json`` or a file made by ``export_json``. Entries already in the
    journal are not copied twice, so running it again is harmless. Returns how many were copied.
    """
    journal = journal or Journal()
    path = Path(source).expanduser()
    if not path.is_file():
        raise JournalError(f"There is no file {path}. Check the name: the message that named it shows it in full.")
    copied, readable = journal.recover(path)
    already = readable - copied
    journal.notices.append(Notice(
        f"{copied} entries were copied from {path} into your journal" +
        (f" ({already} were in it already)." if already else ".") +
        ("" if readable else " No entries could be read from that file: show it to your instructor."),
        serious=not readable))
    tell(journal)
    return copied


__all__ = ["tell", "recover", "JournalNotice", "NOTICE_EVENT"]
