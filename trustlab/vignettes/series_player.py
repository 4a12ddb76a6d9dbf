"""The series player: one client across several sessions, with their check-in after each.

A thin layer over :class:`~trustlab.vignettes.series.SeriesRun`. Each session is played by
the ordinary vignette :class:`~trustlab.vignettes.player.Player` on the session as this
client meets it (carried meters, the words for the flags set so far). Around it:

- above, which session this is and the client's check-in after the last one, so the
  learner can choose how to open in light of it;
- below, once the session has reached an ending, this session's check-in and a button to
  go on (or to see how the series ended);
- at the end, the outcome's debrief and discussion questions, and two charts: the
  check-ins and the meters across the sessions.

Each finished session is saved to the journal as one ``series`` entry holding the whole
series so far (``series.session`` event, see :mod:`trustlab.journal.recorder`). A second
``play("five_sessions")``, after a break or a kernel restart, picks up at the next
session by replaying the saved paths; if the series has changed so they no longer fit,
the learner is told and starts again, and their saved entries stay in the journal.
"""

from __future__ import annotations

import logging
import re
from html import escape
from typing import Any

import ipywidgets as widgets

from trustlab import events
from trustlab.activity import new_attempt
from trustlab.checks import markdown_html
from trustlab.journal.svgchart import meter_chart_svg
from trustlab.vignettes.model import ChoiceError
from trustlab.vignettes.player import Player, path_rows
from trustlab.vignettes.series import Rating, Series, SeriesRun, SessionResult

SERIES_EVENT = "series.session"
CSS_CLASS = "trustlab-series"
OUTCOME_WORDS = {"good": "a working alliance", "mixed": "a mixed course", "dropout": "the client stopped coming",
                 "referral": "a referral"}
log = logging.getLogger(__name__)


def checkin_html(series: Series, rating: Rating, after: int) -> str:
    """The client's check-in as a small table: each line's words, its mark out of 10, and a bar."""
    name = series.client.name.split()[0]
    them = (series.client.pronouns.split("/") + ["them"])[1].strip() or "them"
    rows = "".join(
        f"<tr><th scope='row' style='text-align:left;font-weight:normal;padding:2px 8px 2px 0'>{escape(label)}</th>"
        f"<td style='padding:2px 8px;white-space:nowrap'>{value:g} of 10</td>"
        f"<td style='width:40%;padding:2px 0' aria-hidden='true'><div style='height:10px;border-radius:3px;"
        f"background:var(--jp-border-color2,#ddd)'><div style='height:10px;border-radius:3px;width:{value * 10:.0f}%;"
        f"background:var(--jp-brand-color1,#1976d2)'></div></div></td></tr>"
        for _, label, value in rating.items)
    limit = f"{series.checkin.low_total:g}"
    note = (f"<p style='margin:4px 0 0'><strong>Lower than {limit} in all.</strong> In this story that is a signal "
            f"to ask {escape(name)} how the sessions are going for {escape(them)} before anything else.</p>" if rating.low else
            f"<p style='margin:4px 0 0'>Not below {limit} in all: still worth a word about what could be better.</p>")
    return (f"<table style='border-collapse:collapse;margin:4px 0;max-width:100%'><caption style='text-align:left;"
            f"font-weight:bold;padding-bottom:4px'>{escape(name)}'s check-in after session {after}</caption>"
            f"<tbody>{rows}<tr><th scope='row' style='text-align:left;padding:2px 8px 2px 0'>Total</th>"
            f"<td style='padding:2px 8px'><strong>{rating.total:g} of {10 * len(rating.items)}</strong></td><td></td>"
            f"</tr></tbody></table>{note}")


def series_entry(srun: SeriesRun, attempt: str) -> dict[str, Any]:
    """What the journal keeps after each finished session: the whole series so far."""
    series, outcome = srun.series, srun.outcome
    return {
        "series_id": series.id, "module": series.module, "title": series.title, "attempt": attempt,
        "finished": srun.ended, "outcome": outcome.id if outcome else None,
        "outcome_title": outcome.title if outcome else None, "outcome_kind": outcome.kind if outcome else None,
        "sessions": [_session_row(srun.series, r) for r in srun.done], "checkin_domain": [0, 10],
    }


def _session_row(series: Series, r: SessionResult) -> dict[str, Any]:
    return {"session": r.number, "vignette_id": r.run.vignette.id, "title": r.run.vignette.title,
            "path": [{k: row[k] for k in ("scene", "choice", "text", "skill")} for row in path_rows(r.run)],
            "ending": r.ending.id, "ending_title": r.ending.title, "ending_kind": r.ending.kind,
            "checkin": r.rating.as_dict(), "stopped": r.stopped,
            "meters": {series.meters[m].label: v for m, v in r.run.meters.items()}}


def saved_paths(entry: dict | None, series: Series) -> list[list[int]] | None:
    """The choice indexes of each finished session in a journal entry, or None if it is not usable."""
    if not isinstance(entry, dict) or entry.get("series_id", series.id) != series.id:
        return None
    try:
        return [[int(step["choice"]) for step in s["path"]] for s in entry["sessions"]]
    except (KeyError, TypeError, ValueError):
        return None


class SeriesPlayer(widgets.VBox):
    """Play a series session by session; ``journal_entry`` (the latest saved) resumes it."""

    def __init__(self, series: Series, journal_entry: dict | None = None):
        self.series = series
        self.srun = SeriesRun(series)
        self.attempt = new_attempt()
        self.header = widgets.HTML()
        self.slot = widgets.VBox()
        self.after = widgets.HTML()
        self.go_on = widgets.Button(button_style="primary", layout=widgets.Layout(width="auto"))
        # one button that says what comes next: go on, see the end, or play again. One widget, so
        # the keyboard stays on it when its words change at the end
        self.go_on.on_click(lambda _: self.restart() if self.srun.ended else self.finish_session())
        self.footer = widgets.VBox([self.after, self.go_on], layout=widgets.Layout(align_items="flex-start"))
        # after a break, a learner may want a fresh start rather than the next session
        self.start_over = widgets.Button(description="Start again from session 1",
                                         layout=widgets.Layout(width="auto", align_self="flex-start"),
                                         tooltip="Your finished sessions stay in your journal and portfolio")
        self.start_over.on_click(lambda _: self.restart())
        self.player: Player | None = None
        super().__init__([self.header, self.start_over, self.slot, self.footer])
        self.add_class(CSS_CLASS)
        self._resume(journal_entry)

    # --- the headless API, as the buttons act ------------------------------------------------------

    def finish_session(self) -> SessionResult | None:
        """Go on from a session that has reached its ending: save it, then show the next session or the end."""
        if self.srun.ended or self.player is None or not self.player.run.ended:
            return None
        result = self.srun.finish_session()
        events.emit(SERIES_EVENT, series_entry(self.srun, self.attempt))
        self._show(focus=True)
        return result

    def restart(self) -> None:
        self.srun.restart()
        self.attempt = new_attempt()
        self._show(focus=True)

    # --- drawing ---------------------------------------------------------------------------------

    def _resume(self, entry: dict | None) -> None:
        paths, welcome = saved_paths(entry, self.series), ""
        if paths:
            try:
                self.srun.replay(paths)
                self.attempt = str(entry.get("attempt") or self.attempt)
                welcome = self._welcome_back()
            except (ChoiceError, ValueError, IndexError) as err:
                log.warning("could not resume %s: %s", self.series.id, err)
                self.srun.restart()
                welcome = ("<p role='status'><strong>Your earlier sessions could not be picked up again</strong>: the "
                           "sessions have changed since you played them. Your earlier paths stay in your journal "
                           "and portfolio; here you start again from session 1.</p>")
        self._show(welcome)

    def _welcome_back(self) -> str:
        if self.srun.ended:
            return ("<p role='status'><strong>Welcome back.</strong> You have played all the way through; here is "
                    "how it ended. You can play the sessions again from the start below.</p>")
        return (f"<p role='status'><strong>Welcome back.</strong> You finished {len(self.srun.done)} of "
                f"{len(self.series.sessions)} sessions; here is session {self.srun.number}.</p>")

    def _show(self, welcome: str = "", focus: bool = False) -> None:
        if self.srun.ended:
            self._show_end(welcome)
            return
        number, total = self.srun.number, len(self.series.sessions)
        vignette = self.srun.run.vignette
        checkin = checkin_html(self.series, self.srun.last_rating, number - 1) if self.srun.last_rating else ""
        title = re.sub(rf"^Session {number}\s*[:.–-]\s*", "", vignette.title)  # "Session 2: The back room"
        self.header.value = (f"{welcome}<h3 style='margin:8px 0 4px'>Session {number} of {total}: "
                             f"{escape(title)}</h3>{checkin}")
        self.player = Player(vignette, focus_on_start=focus, fold_client=number > 1)
        self.start_over.layout.display = None if self.srun.done else "none"
        self.srun.run = self.player.run  # the widget's Run is the series' Run: one place the choices live
        self.player.observe(lambda _: self._update_footer(), names="progress")
        self.slot.children = [self.player]
        self._update_footer()

    def _update_footer(self) -> None:
        run = self.player.run if self.player else None
        if run is None or not run.ended:
            self.footer.layout.display = "none"
            return
        preview = self.series.after(run, self.srun.state)  # pure: nothing is saved until Go on
        number = self.srun.number
        stopped = (f"<p role='status'><strong>{escape(self.series.checkin.stops.note)}</strong></p>"
                   if preview.stopped else "")
        self.after.value = checkin_html(self.series, preview.rating, number) + stopped
        ends = preview.outcome is not None
        self.go_on.description = ("See how the sessions ended" if ends else f"Go on to session {number + 1}")
        self.go_on.tooltip = "Saves this session to your journal and moves on"
        self.footer.layout.display = None

    def _show_end(self, welcome: str) -> None:
        outcome = self.srun.outcome
        last = self.srun.done[-1]
        stopped = (f" after session {last.number}" if last.number < len(self.series.sessions) else "")
        name = escape(self.series.client.name.split()[0])
        why = (f"<p><strong>Why it ended here:</strong> {escape(self.series.checkin.stops.note)} {name}'s check-in "
               f"after session {last.number} was {last.rating.total:g} of {10 * len(last.rating.items)}.</p>"
               if last.stopped else "")
        discussion = "".join(f"<li>{markdown_html(q)}</li>" for q in outcome.discussion)
        self.header.value = (
            f"{welcome}<h3 style='margin:8px 0 4px'>How the sessions ended{escape(stopped)}: {escape(outcome.title)}</h3>"
            f"<p><em>Outcome: {escape(OUTCOME_WORDS.get(outcome.kind, outcome.kind))}.</em></p>{why}"
            f"{markdown_html(outcome.debrief)}<p><strong>To discuss</strong></p><ul>{discussion}</ul>"
            f"{self._charts()}")
        self.slot.children = []
        self.player = None
        self.start_over.layout.display = "none"
        self.after.value = ""
        self.go_on.description = "Play the sessions again from the start"
        self.go_on.tooltip = "Your finished sessions stay in your journal and portfolio"
        self.footer.layout.display = None

    def _charts(self) -> str:
        """The check-ins and the meters across the sessions, as inline SVG (no internet, instant)."""
        rows = self.srun.trace()
        name = self.series.client.name.split()[0]
        checkins = [{"step": r["session"], "meter": r["name"], "value": r["value"]} for r in rows
                    if r["kind"] == "checkin"]
        short = {label: item.id.capitalize() for item in self.series.checkin.items for label in [item.label]}
        checkins = [{**r, "meter": short.get(r["meter"], r["meter"])} for r in checkins]
        meters = [{"step": r["session"], "meter": r["name"], "value": r["value"]} for r in rows if r["kind"] == "meter"]
        sessions = len(self.srun.done)
        items = "; ".join(f"{item.id.capitalize()}: {item.label}" for item in self.series.checkin.items)
        first = meter_chart_svg(
            checkins, (0, 10), None, title=f"{name}'s check-ins, session by session", x_title="Session",
            y_title="Mark (0 to 10)",
            description=f"Line chart of {name}'s four check-in marks (0 to 10) after each of the {sessions} "
                        f"sessions played. {items}.")
        second = meter_chart_svg(
            meters, self._domain(), None, title="The meters, session by session", x_title="Session",
            description=f"Line chart of {', '.join(m.label for m in self.series.meters.values())} at the start "
                        f"and at the end of each of the {sessions} sessions played.")
        return (f"<figure style='margin:8px 0'>{first}<figcaption>Each line is one of the check-in's questions: "
                f"{escape(items)}.</figcaption></figure><figure style='margin:8px 0'>{second}<figcaption>“start” is "
                f"where the meters stood before session 1.</figcaption></figure>")

    def _domain(self) -> tuple[float, float]:
        return (min(m.min for m in self.series.meters.values()), max(m.max for m in self.series.meters.values()))


def play_series(series: Series) -> SeriesPlayer:
    """The series player, picking up where the journal says this learner left off."""
    return SeriesPlayer(series, _latest_entry(series.id))


def _latest_entry(series_id: str) -> dict | None:
    from trustlab.journal.store import Journal, JournalError

    try:
        return Journal().latest(series_id, kind="series")
    except (JournalError, OSError) as err:  # the player still works; the journal tells its own notice
        log.warning("could not read the journal to resume %s: %s", series_id, err)
        return None
