"""The Goal Attainment Scaling worksheet: goals in a client's words, five levels each, a T-score at follow-up.

    from trustlab import gas
    gas("m04.my_client")

For each goal (three by default) the learner writes the goal as the client says it,
describes what each level from -2 to +2 would look like (0 is the outcome both expect),
sets how much it matters (a weight from 1 to 3) and, at follow-up, picks the level the
learner and the client agree was reached (a shared judgment, not the counselor's alone). As
soon as one goal has a level reached, the worksheet shows the T-score of
facts.md G3 (:func:`trustlab.goal_attainment.gas_t_score`, the course's one formula) and what it
means; until then it says what is missing, goal by goal.

How it is built, and why:

- the sheet itself is an anywidget (``gas_widget.js``, styled by ``gas_widget.css``): real
  ``<fieldset>``, ``<label>`` and ``<select>`` elements, so every control has a name a screen
  reader reads, the keyboard reaches each one in order, and the sheet wraps instead of
  scrolling sideways. It sends the learner's goals to the kernel as they change
  (``GasSheet.goals``); the kernel sends back the result (``GasSheet.result``). Nothing is
  computed in the browser, so there is one formula;
- saving is the reflection box's, unchanged (:class:`trustlab.journal.widgets._AutoSaved`):
  words save about a second after the learner pauses, a weight or a level reached saves at
  once, re-running the cell (even in a new kernel) brings the latest version back from the
  journal, an emptied sheet never replaces the saved one, and the status line under the
  sheet says truthfully whether what is on it is in the journal;
- the logic is plain functions on plain data (a goal is a dict: ``goal``, ``levels`` (five
  texts, -2 to +2), ``weight``, ``score``): :func:`goal_from`, :func:`goals_from_entry`,
  :func:`sheet_result`. The tests call them, and set ``GasSheet.goals`` as the browser does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from trustlab.activity import browser_module, browser_styles
from trustlab.checks import markdown_html
from trustlab.goal_attainment import LEVELS, GasError, gas_t_score, signed, t_score_meaning
from trustlab.journal.store import Journal
from trustlab.journal.widgets import (NOT_SAVED, SAVE_DELAY, SAVE_MAX_WAIT, _AutoSaved, _save_button, empty_message,
                                      saved_message)

__all__ = ["gas", "GasWorksheet", "GasSheet", "SheetResult", "blank_goal", "goal_from", "goals_from_entry",
           "sheet_result", "WEIGHTS", "DEFAULT_GOALS", "MAX_GOALS"]

HERE = Path(__file__).parent
SCORES = tuple(sorted(LEVELS))  # -2 .. +2: the order of a goal's five level descriptions
SIGNS = {s: signed(s) for s in SCORES}
WEIGHTS = {1: "1: it matters", 2: "2: it matters more", 3: "3: it matters most"}
DEFAULT_WEIGHT = 1  # equal weights unless the learner says one goal matters more
DEFAULT_GOALS, MAX_GOALS = 3, 5
KEY = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_.-]+")

INTRO = (
    "Write each goal the way the client says it. Then describe what each level would look like, in things you "
    "could both see or count: **0 is the outcome you both expect** by the follow-up, −1 and −2 less than that, "
    "+1 and +2 more. Set how much each goal matters to the client (1 to 3). At follow-up, pick the level you and "
    "the client agree was reached: the T-score appears as soon as one goal has a level reached. Everything saves "
    "on its own as you go."
)


# --- a goal as plain data ---------------------------------------------------------------------------

def blank_goal() -> dict:
    return {"goal": "", "levels": [""] * len(SCORES), "weight": DEFAULT_WEIGHT, "score": None}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _choice(value: Any, allowed: Mapping) -> int | None:
    """``value`` if it is one of ``allowed``'s keys (2.0 counts as 2; True never counts as 1), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value not in allowed:
        return None
    return int(value)


def goal_from(raw: Any) -> dict:
    """A goal as the worksheet holds it, from the browser or from a journal entry, whatever was sent.

    Lenient on purpose: a field that does not fit (a score of 7, a weight of "a lot", four
    level texts) becomes its empty value and the rest of the goal is kept, because a learner's
    words must survive one odd field. Only something that is not a goal at all raises.
    """
    if not isinstance(raw, Mapping):
        raise GasError(f"a goal is a set of fields (goal, levels, weight, score), not {type(raw).__name__}")
    levels = raw.get("levels")
    levels = [_text(t) for t in levels][:len(SCORES)] if isinstance(levels, list) else []
    return {"goal": _text(raw.get("goal")), "levels": levels + [""] * (len(SCORES) - len(levels)),
            "weight": _choice(raw.get("weight"), WEIGHTS) or DEFAULT_WEIGHT, "score": _choice(raw.get("score"), LEVELS)}


def is_used(goal: dict) -> bool:
    """Anything the learner did on this goal: words, a level reached, or a weight they chose."""
    return bool(goal["goal"].strip() or any(t.strip() for t in goal["levels"]) or goal["score"] is not None
                or goal["weight"] != DEFAULT_WEIGHT)


def trimmed(goals: list[dict]) -> list[dict]:
    """The goals up to the last one used: what is saved (an empty goal between two used ones keeps its place)."""
    end = max((n for n, goal in enumerate(goals, 1) if is_used(goal)), default=0)
    return goals[:end]


def goals_from_entry(entry: Mapping) -> list[dict]:
    """The goals of a saved worksheet; raises GasError if the entry's goals are not a list of goals."""
    raw = entry.get("goals", [])
    if not isinstance(raw, list):
        raise GasError("the saved goals are not a list")
    return trimmed([goal_from(g) for g in raw])


def padded(goals: list[dict], size: int) -> list[dict]:
    """At least ``size`` goals on the sheet; never fewer than were saved (nothing written is hidden)."""
    return [dict(g, levels=list(g["levels"])) for g in goals] + [blank_goal() for _ in range(size - len(goals))]


# --- the result: the T-score and its meaning, or what is missing -----------------------------------

def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _goals(numbers: list[int]) -> str:
    """'goal 2', 'goals 1 and 3', 'goals 1, 2 and 3'."""
    return f"goal{'s' if len(numbers) > 1 else ''} {_and([str(n) for n in numbers])}"


@dataclass(frozen=True)
class SheetResult:
    """What the sheet shows under the goals: ``summary`` is read out when it changes, ``todo`` lists what is missing."""

    t: float | None
    summary: str
    todo: tuple[str, ...]
    counted: tuple[int, ...]  # the goals (numbered from 1) in the T-score

    def browser(self) -> dict:
        return {"t": self.t, "summary": self.summary, "todo": list(self.todo)}


def sheet_result(goals: list[dict]) -> SheetResult:
    """The T-score of every goal with a level reached (its weight included), and what is still missing."""
    used = [(n, g) for n, g in enumerate(goals, 1) if is_used(g)]
    todo = [] if used else ["Goal 1: write it in the client's own words."]
    for n, goal in used:
        if not goal["goal"].strip():
            todo.append(f"Goal {n}: write it in the client's own words.")
        empty = [SIGNS[s] for s, text in zip(SCORES, goal["levels"]) if not text.strip()]
        if empty:
            todo.append(f"Goal {n}: describe what level{'s' if len(empty) > 1 else ''} {_and(empty)} would look like.")
        if goal["score"] is None:
            todo.append(f"Goal {n}: at follow-up, pick the level you and the client agree was reached.")
    scored = [(n, g) for n, g in used if g["score"] is not None]
    if not scored:
        return SheetResult(None, "No T-score yet: it appears as soon as one goal has the level you and the "
                                 "client agree was reached at follow-up.", tuple(todo), ())
    t = gas_t_score([g["score"] for _, g in scored], [g["weight"] for _, g in scored])
    counted = [n for n, _ in scored]
    waiting = [n for n, g in used if g["score"] is None]
    which = f"Counted: {_goals(counted)}" + (f"; {_goals(waiting)} not scored yet." if waiting else ".")
    return SheetResult(t, f"{t_score_meaning(t)} {which}", tuple(todo), tuple(counted))


# --- the widgets ------------------------------------------------------------------------------------

def _browser_levels() -> list[dict]:
    return [{"score": s, "sign": SIGNS[s], "label": LEVELS[s][:1].upper() + LEVELS[s][1:],
             "note": "the outcome you both expect" if s == 0 else ""} for s in SCORES]


class GasSheet(anywidget.AnyWidget):
    """The sheet in the browser: the learner's goals go to the kernel as they change, the result comes back."""

    _esm = browser_module(HERE / "gas_widget.js")
    _css = browser_styles(HERE / "gas_widget.css")
    intro = traitlets.Unicode("").tag(sync=True)  # course HTML, rendered here with raw HTML escaped
    levels = traitlets.List().tag(sync=True)  # [{score, sign, label, note}], -2 to +2
    weights = traitlets.List().tag(sync=True)  # [{value, label}]
    goals = traitlets.List().tag(sync=True)  # the learner's goals, as :func:`goal_from` returns them
    result = traitlets.Dict().tag(sync=True)  # SheetResult.browser()


class GasWorksheet(widgets.VBox, _AutoSaved):
    """The sheet, a Save button and a truthful status line; saved to the journal as kind ``gas``."""

    kind, box_name, text_field = "gas", "worksheet", "goals"

    def __init__(self, key: str, goals: int = DEFAULT_GOALS, prompt: str | None = None,
                 journal: Journal | None = None, *, delay: float = SAVE_DELAY, max_wait: float = SAVE_MAX_WAIT):
        self.key, self.module, self.prompt = key, key.split(".")[0], prompt
        saved = self._from_entry(self._start(journal, delay, max_wait) or {})["goals"]
        self._goals = padded(saved, goals)
        self._result = sheet_result(self._goals)
        self.sheet = GasSheet(
            intro=markdown_html(f"{prompt}\n\n{INTRO}" if prompt else INTRO), levels=_browser_levels(),
            weights=[{"value": v, "label": label} for v, label in WEIGHTS.items()],
            goals=padded(self._goals, 0), result=self._result.browser())
        self.sheet.observe(self._edited, names="goals")
        save = _save_button()
        save.on_click(lambda _: self.save())
        super().__init__([self.sheet, widgets.HBox([save, self.status])],
                         layout=widgets.Layout(width="100%", max_width="860px"))
        self.add_class("trustlab-gas-worksheet")

    @property
    def goals(self) -> list[dict]:
        """The goals on the sheet now (a copy)."""
        return padded(self._goals, 0)

    @property
    def result(self) -> SheetResult:
        return self._result

    def _edited(self, change: dict) -> None:
        """The learner changed the sheet: show the new result at once, then save (words after a pause)."""
        before = self._goals
        self._goals = [goal_from(g) if isinstance(g, Mapping) else blank_goal() for g in change["new"]]
        self._result = sheet_result(self._goals)
        self.sheet.result = self._result.browser()
        picks = [(g["weight"], g["score"]) for g in self._goals]
        self._changed(at_once=picks != [(g["weight"], g["score"]) for g in before])

    def _answers(self) -> dict:
        return {"goals": trimmed(self.goals)}

    def _from_entry(self, entry: dict) -> dict:
        return {"goals": goals_from_entry(entry)}

    def _blank(self, answers: dict) -> bool:
        return not answers["goals"]

    def _settled(self, answers: dict) -> tuple[str, str] | None:
        """As the reflection box's: an emptied sheet is never saved over a saved one, and says so."""
        saved = self._saved
        if self._blank(answers):
            return ("info", NOT_SAVED) if saved is None else ("info", empty_message(saved, self.box_name))
        if saved is not None and answers == self._from_entry(saved):
            return "ok", saved_message(saved)
        return None

    def _content(self) -> dict:
        """Stored with each version, so the portfolio shows what the learner saw without recomputing it."""
        return {"prompt": self.prompt, "t_score": self._result.t, "counted": list(self._result.counted)}


def gas(key: str, goals: int = DEFAULT_GOALS, prompt: str | None = None,
        journal: Journal | None = None) -> GasWorksheet:
    """A Goal Attainment Scaling worksheet saved in the learner's journal under ``key`` (e.g. "m04.my_client").

    ``goals`` is how many goals the sheet offers (1 to 5; three by default); ``prompt`` is
    course Markdown shown above it (which client, say) and kept with each saved version.
    """
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise GasError(f'give the worksheet a name made of its module and a word, like gas("m04.my_client"), '
                       f"not {key!r}")
    if isinstance(goals, bool) or not isinstance(goals, int) or not 1 <= goals <= MAX_GOALS:
        raise GasError(f"goals is how many goals the worksheet offers: a whole number from 1 to {MAX_GOALS}, "
                       f"not {goals!r}")
    return GasWorksheet(key, goals, prompt, journal)
