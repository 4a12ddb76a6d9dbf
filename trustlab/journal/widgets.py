"""Reflection boxes and practice drills: thin widgets that save through the journal as the learner types.

What a learner can rely on, each tested:

- text saves on its own about a second after the last keystroke, and at least every few
  seconds while typing goes on; ticks and ratings save at once. Nothing depends on the
  Save button, which only saves at once for those who like to be sure;
- both widgets prefill from the journal, so re-running the cell (after a reload or a
  kernel restart) shows the latest saved text; a save still waiting when the kernel shuts
  down is written first;
- the line under each box (a live region, so screen readers hear it) says truthfully
  whether what is in the box is in the journal: "Saved at …", "Not saved yet", "Saving…",
  "The box is empty …" (only while it is), or "Could not save: <why>";
- an emptied box is never written over the saved text, and a save that fails keeps the
  text in the box; the journal is append-only, so no save ever removes an earlier version.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
from datetime import date, datetime
from html import escape
from typing import Any, Callable

import anywidget
import ipywidgets as widgets
import traitlets

from trustlab.checks import markdown_html
from trustlab.content import ContentError, read_yaml, schema_problems, location
from trustlab.difficulty import FELT, FELT_TIPS, Step, drill_order, suggest
from trustlab.journal.store import Journal, JournalError
from trustlab.paths import data_dir
from trustlab.notices import load_failure
from trustlab.style import stylesheet

log = logging.getLogger(__name__)

SHARE_LABEL = "Share this text in the anonymous class file (off unless you tick it)"
RATINGS = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]
SAVE_DELAY = 1.0  # seconds after the last keystroke: a pause in typing, not a wait
SAVE_MAX_WAIT = 5.0  # seconds: the most typing that can be unsaved while the learner keeps typing

NOT_SAVED = "Not saved yet: nothing is written here so far."
DAMAGED_ENTRY = ("Your last saved text here could not be shown: its entry in your journal is damaged. It is still "
                 "in your journal (export_json shows it as it is); what you write now is saved as a new version.")
SAVING = "Saving…"


# --- when to save: a debounce on the kernel's own event loop ----------------------------------

_pending: set["Debouncer"] = set()


def _event_loop() -> asyncio.AbstractEventLoop | None:
    """The kernel's running event loop, or None outside one (a plain script, most tests)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Debouncer:
    """Run ``action`` once changes pause for ``delay`` seconds, and at most ``max_wait`` after the first change.

    Why the kernel's event loop (``loop.call_at``) and not a ``threading.Timer``: in ipykernel
    the widget updates from the browser arrive as messages handled on the kernel's main thread,
    inside its asyncio loop (tornado's IOLoop runs on it). A callback scheduled on that loop runs
    on the same thread, between two messages, so

    - the widget is never changed from two threads at once (ipywidgets is not thread-safe: a
      Timer thread setting the status while the main thread applies a keystroke can interleave
      their sync messages), and the status is sent with a proper parent message;
    - journal writes stay on one thread, serialised with the course's other writes (vignette
      choices, check answers), which matters because a SQLite connection
      is usable only on the thread that opened it.

    The cost is none in practice: while a cell is running the loop is busy, so the save waits
    for the cell to finish, but so do the keystrokes themselves (the kernel reads them on the
    same loop). Outside an event loop there is nothing to wait on, so ``poke`` runs the action
    at once. Pending actions are run at interpreter exit (a kernel restart or shutdown), so the
    last second of typing is not lost when the kernel stops cleanly.
    """

    def __init__(self, action: Callable[[], Any], delay: float = SAVE_DELAY, max_wait: float = SAVE_MAX_WAIT):
        self.action, self.delay, self.max_wait = action, delay, max(max_wait, delay)
        self._handle: asyncio.TimerHandle | None = None
        self._first: float | None = None  # loop time of the first change not yet acted on

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def poke(self) -> None:
        """A change happened: act after the pause (or at once, with no event loop)."""
        loop = _event_loop()
        if loop is None:
            self.fire()
            return
        now = loop.time()
        if self._first is None:
            self._first = now
        if self._handle is not None:
            self._handle.cancel()
        self._handle = loop.call_at(min(now + self.delay, self._first + self.max_wait), self.fire)
        _pending.add(self)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._first = None, None
        _pending.discard(self)

    def fire(self) -> None:
        self.cancel()
        self.action()


@atexit.register
def flush_pending() -> None:
    """Run every waiting save now: before a box reads the journal, and when the kernel stops."""
    for debouncer in list(_pending):
        try:
            debouncer.fire()
        except Exception:  # at exit the widget may be gone; the journal write came first
            log.exception("A waiting save could not finish")


# --- the status line ------------------------------------------------------------------------

_STATUS_ESM = r"""
const ICONS = { ok: "✔", info: "•", pending: "…", error: "!" };
function render({ model, el }) {
  // One element that stays: a live region is announced when its content changes, not when it is replaced.
  const region = document.createElement("span");
  region.className = "trustlab-saved";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  region.setAttribute("aria-atomic", "true");
  const icon = document.createElement("span");
  icon.className = "trustlab-saved-icon";
  icon.setAttribute("aria-hidden", "true");
  const words = document.createElement("span");
  region.append(icon, words);
  const update = () => {
    const state = model.get("state");
    region.dataset.state = state;
    icon.textContent = ICONS[state] || "";
    words.textContent = model.get("text");
  };
  update();
  model.on("change:state", update);
  model.on("change:text", update);
  el.append(region);
  return () => { model.off("change:state", update); model.off("change:text", update); };
}
export default { render };
"""

_STATUS_CSS = """
.trustlab-status { flex: 1 1 auto; min-width: 0; align-self: center; }
.trustlab-saved { display: inline-block; padding: 2px 0 2px 8px; line-height: 1.45; white-space: pre-line;
  border-left: 4px solid transparent; color: var(--jp-ui-font-color1, #1d2125);
  font-size: var(--jp-ui-font-size1, 13px); }
.trustlab-saved-icon { display: inline-block; width: 1.3em; font-weight: bold; }
.trustlab-saved[data-state="ok"] { border-left-color: var(--jp-success-color1, #1b7a3d); }
.trustlab-saved[data-state="pending"] { border-left-color: var(--jp-brand-color1, #0072B2); }
.trustlab-saved[data-state="error"] { border-left-color: var(--jp-error-color1, #a1262d); font-weight: bold; }
"""


class SaveStatus(anywidget.AnyWidget):
    """The line under a box that says whether what is in it is in the journal.

    An anywidget rather than an ``HTML`` widget because ``HTML`` replaces its whole content
    on each change, and a live region that is replaced is not reliably announced. ``state``
    is ``ok``, ``info``, ``pending`` or ``error`` (kept as ``data-state`` for tests and styles).
    """

    _esm = _STATUS_ESM
    _css = _STATUS_CSS
    state = traitlets.Unicode("info").tag(sync=True)
    text = traitlets.Unicode(NOT_SAVED).tag(sync=True)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.add_class("trustlab-status")  # a long message wraps beside the Save button instead of overflowing

    def show(self, state: str, text: str) -> None:
        with self.hold_sync():  # one message, so the region never shows a new icon with old words
            self.state, self.text = state, text


def saved_time(iso: Any, today: date | None = None) -> str:
    """'14:03:27' for a save today, '14:03 on 12 Mar' for another day, on the learner's own clock."""
    try:
        moment = datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    if moment.date() == (today or date.today()):
        return moment.strftime("%H:%M:%S")
    return f"{moment:%H:%M} on {moment.day} {moment:%b}"


def saved_message(entry: dict) -> str:
    return f"Saved at {saved_time(entry.get('saved_at'))} in your journal."


def empty_message(entry: dict, box: str) -> str:
    return (f"The {box} is empty, so nothing was saved: your text saved at {saved_time(entry.get('saved_at'))} "
            "is still in your journal. Type to replace it, or run this cell again to bring it back.")


def failure_message(err: BaseException) -> str:
    """Why, and that nothing typed is lost (the store's own message may already say so)."""
    why = str(err).strip() or type(err).__name__
    if "still in the box" not in why:
        why = why.rstrip(".") + " — your text is still in the box."
    return f"Could not save: {why} It tries again when you type, or press Save."


# --- what both widgets share ----------------------------------------------------------------

class _AutoSaved:
    """Save a widget's answers to the journal as they change, and keep its status line truthful.

    A widget says what it holds (:meth:`_answers`, compared with :meth:`_from_entry` of the
    last saved entry), which of those fields is free text, and what course text goes with it
    (:meth:`_content`). Everything else (when to save, what the status says) lives here.
    """

    kind: str
    box_name: str  # what the status line calls the text box ("box", "response box")
    text_field: str
    journal: Journal
    module: str
    key: str

    def _start(self, journal: Journal | None, delay: float, max_wait: float) -> dict | None:
        """Open the journal and return the latest saved entry (None if none, or if it cannot be read)."""
        self.journal = journal or Journal()
        self.status = SaveStatus()
        self._autosave = Debouncer(self.save, delay, max_wait)
        self._saved: dict | None = None
        flush_pending()  # a box re-run right after typing must read what was just typed
        try:
            self._saved = self.journal.latest(self.key, self.kind)
        except Exception as err:  # any failure: say so; the box still works and saves when it can
            self._show("error", f"Your journal could not be opened: {str(err).strip()} What you type "
                                "stays in the box, and it tries to save as you type.")
            return None
        state, text = ("ok", saved_message(self._saved)) if self._saved else ("info", NOT_SAVED)
        try:
            self._from_entry(self._saved or {})
        except Exception:  # a malformed entry (say, from an imported file) must not break the box
            self._saved = None
            state, text = "info", DAMAGED_ENTRY
        self._show(state, text)
        return self._saved

    def _show(self, state: str, text: str) -> None:
        """The status, followed at once by anything the learner must be told about the journal itself
        (a damaged file moved aside, an older journal imported): told here, then cleared."""
        notices, self.journal.notices = list(self.journal.notices), []
        if any(getattr(n, "serious", True) for n in notices):
            state = "error"
        self.status.show(state, text + "".join(f"\n{n}" for n in notices))

    def _answers(self) -> dict:
        raise NotImplementedError

    def _from_entry(self, entry: dict) -> dict:
        raise NotImplementedError

    def _content(self) -> dict:
        return {}

    def _blank(self, answers: dict) -> bool:
        return not str(answers[self.text_field]).strip()

    def _settled(self, answers: dict) -> tuple[str, str] | None:
        """The status when there is nothing to save, or None when the box holds unsaved work."""
        saved = self._saved
        if saved is None:
            return ("info", NOT_SAVED) if self._blank(answers) else None
        if not str(answers[self.text_field]).strip() and str(saved.get(self.text_field) or "").strip():
            return "info", empty_message(saved, self.box_name)
        if answers == self._from_entry(saved):
            return "ok", saved_message(saved)
        return None

    def _typed(self, _change: Any = None) -> None:
        """Free text changed: save after the learner pauses."""
        self._changed(at_once=False)

    def _picked(self, _change: Any = None) -> None:
        """A tick or a rating changed: one deliberate click, saved at once."""
        self._changed(at_once=True)

    def _changed(self, at_once: bool) -> None:
        settled = self._settled(self._answers())
        if settled:
            self._autosave.cancel()
            self.status.show(*settled)
        elif at_once:
            self.save()
        else:
            self.status.show("pending", SAVING)
            self._autosave.poke()

    def save(self) -> bool:
        """Save what the widget holds now; True when that is in the journal (saved now or before)."""
        self._autosave.cancel()
        answers = self._answers()
        settled = self._settled(answers)
        if settled:
            self.status.show(*settled)
            return settled[0] == "ok"
        try:
            entry = self.journal.add(self.kind, self.module, self.key, **self._content(), **answers)
        except Exception as err:  # whatever went wrong, the learner is told and the text stays in the box
            self._show("error", failure_message(err))
            return False
        self._saved = entry
        self._show("ok", saved_message(entry))
        return True


def _save_button() -> widgets.Button:
    return widgets.Button(description="Save", button_style="primary",
                          tooltip="Save now (it also saves on its own as you type)")


class ReflectionBox(widgets.VBox, _AutoSaved):
    """A prompt, a text area that saves to the journal as the learner types, and a truthful status line."""

    kind, box_name, text_field = "reflection", "box", "text"

    def __init__(self, key: str, prompt: str, journal: Journal | None = None, *,
                 delay: float = SAVE_DELAY, max_wait: float = SAVE_MAX_WAIT):
        self.key, self.prompt, self.module = key, prompt, key.split(".")[0]
        latest = self._from_entry(self._start(journal, delay, max_wait) or {})
        self.text = widgets.Textarea(
            value=latest["text"], continuous_update=True, rows=6,
            placeholder="Write here. It saves on its own a second after you stop typing.",
            layout=widgets.Layout(width="100%"))
        self.share = widgets.Checkbox(value=latest["share"], description=SHARE_LABEL,
                                      indent=False, layout=widgets.Layout(width="auto"))
        save = _save_button()
        self.text.observe(self._typed, names="value")
        self.share.observe(self._picked, names="value")
        save.on_click(lambda _: self.save())
        super().__init__([stylesheet(), widgets.HTML(f"<p><strong>Reflection:</strong> {escape(prompt)}</p>"),
                          self.text, self.share, widgets.HBox([save, self.status])],
                         layout=widgets.Layout(width="100%", max_width="860px"))
        self.add_class("trustlab-reflection")

    def _answers(self) -> dict:
        return {"text": self.text.value, "share": self.share.value}

    def _from_entry(self, entry: dict) -> dict:
        return {"text": str(entry.get("text") or ""), "share": entry.get("share") is True}

    def _content(self) -> dict:
        return {"prompt": self.prompt}  # stored with each version, so the portfolio can show it


_NEXT_STEP_CSS = """
.trustlab-next-step .trustlab-saved[data-state="next"] { display: block; margin: 6px 0 4px 0; padding: 6px 12px;
  background: var(--jp-layout-color2, #f4f6f8); color: var(--jp-content-font-color1, #1d2125);
  border-left: 6px solid var(--jp-brand-color1, #0072B2); border-radius: 0 6px 6px 0;
  font-size: var(--jp-content-font-size1, 14px); }
.trustlab-next-step .trustlab-saved-icon { display: none; }
"""


class NextStep(SaveStatus):
    """The drill's suggestion after "how hard did it feel?": what to practise next.

    The same live region as the save status (one element that stays, so a screen reader hears
    each new suggestion), drawn as a card in the theme's colours. ``state`` is ``next`` while it
    shows a suggestion and ``info`` (nothing shown) before the learner has answered.
    """

    _css = _STATUS_CSS + _NEXT_STEP_CSS

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.remove_class("trustlab-status")
        self.add_class("trustlab-next-step")
        self.show("info", "")


class Drill(widgets.VBox, _AutoSaved):
    """One client statement: type a response, reveal model responses, rate your own, say how hard it felt.

    The last step is deliberate practice's difficulty assessment (facts.md M2): the learner picks
    "Too easy", "About right" or "Too hard" and the drill names the next statement to try, one
    level up, the same level or one level down (the decision is :func:`trustlab.difficulty.suggest`).
    Both the answer and the suggestion are saved with the entry. ``siblings`` are the drill's other
    statements, so the suggestion can point at one of them; alone, a drill points back at itself.
    """

    kind, box_name, text_field = "drill", "response box", "response"

    def __init__(self, module: str, item: dict, number: int, journal: Journal | None = None, *,
                 siblings: list[dict] | None = None,
                 delay: float = SAVE_DELAY, max_wait: float = SAVE_MAX_WAIT):
        self.module, self.item = module, item
        self.siblings = list(siblings) if siblings else [item]
        self.key = f"{module}.drill.{item['id']}"
        saved = self._start(journal, delay, max_wait)
        latest = self._from_entry(saved or {})
        context = f"<p><em>{escape(item['context'])}</em></p>" if item.get("context") else ""
        head = widgets.HTML(
            f'<p><strong>Statement {number}</strong> <span class="trustlab-tag">{item["difficulty"]}</span></p>'
            f'{context}<p class="trustlab-line"><strong>Client:</strong> “{escape(item["statement"])}”</p>')
        self.response = widgets.Textarea(value=latest["response"], rows=3, continuous_update=True,
                                         placeholder="Type what you would say, before you look at the models. "
                                                     "It saves on its own.",
                                         layout=widgets.Layout(width="100%"))
        self.criteria = [widgets.Checkbox(value=v, description=c, indent=False, layout=widgets.Layout(width="auto"))
                         for c, v in zip(item["criteria"], latest["criteria_met"])]
        self.rating = widgets.ToggleButtons(options=RATINGS, value=latest["self_rating"],
                                            description="How close was yours? (1 = not yet, 5 = very)",
                                            style={"description_width": "initial", "button_width": "40px"})
        # Buttons, so Tab reaches each answer and Enter or Space picks it.
        self.felt = widgets.ToggleButtons(options=[(words, key) for key, words in FELT.items()],
                                          value=latest["felt_difficulty"], tooltips=list(FELT_TIPS.values()),
                                          description="How hard did this statement feel?",
                                          style={"description_width": "initial", "button_width": "auto"})
        self.next_step = NextStep()
        self._show_step()
        self.share = widgets.Checkbox(value=latest["share"], description=SHARE_LABEL, indent=False,
                                      layout=widgets.Layout(width="auto"))
        self._tip = widgets.HTML()
        models = "".join(f"<li>“{escape(m)}”</li>" for m in item["models"])
        self._revealed = widgets.VBox(
            [self._tip,
             widgets.HTML(f"<p><strong>Model responses</strong> (there is more than one good way)</p><ul>{models}</ul>"
                          "<p><strong>Check your response against these:</strong></p>"),
             *self.criteria, self.rating, self.felt, self.next_step, self.share])
        self._revealed.layout.display = None if saved else "none"
        self.reveal = widgets.Button(description="Show model responses", tooltip="Reveal models and the checklist",
                                     layout=widgets.Layout(width="auto"))
        self.reveal.on_click(lambda _: self.show())
        save = _save_button()
        save.on_click(lambda _: self.save())
        self.response.observe(self._typed, names="value")
        self.felt.observe(self._show_step, names="value")  # before the save, which records the suggestion
        for control in (*self.criteria, self.rating, self.felt, self.share):
            control.observe(self._picked, names="value")
        super().__init__([head, self.response, self.reveal, self._revealed, widgets.HBox([save, self.status])],
                         layout=widgets.Layout(width="100%", margin="0 0 18px 0"))
        self.add_class("trustlab-drill")

    def show(self) -> None:
        self._revealed.layout.display = None
        self._tip.value = ("" if self.response.value.strip() else
                           "<p><em>Tip: write your own response first; practice works best when you commit to "
                           "an answer before comparing.</em></p>")

    def step(self) -> Step | None:
        """The suggestion for the difficulty the learner picked, or None before they pick one."""
        felt = self.felt.value
        return suggest(self.siblings, self.item["id"], felt) if felt else None

    def _show_step(self, _change: Any = None) -> None:
        step = self.step()
        self.next_step.show(*(("next", step.message) if step else ("info", "")))

    def _answers(self) -> dict:
        return {"response": self.response.value, "criteria_met": [c.value for c in self.criteria],
                "self_rating": self.rating.value, "felt_difficulty": self.felt.value,
                "share": self.share.value}

    def _from_entry(self, entry: dict) -> dict:
        n = len(self.item["criteria"])
        met = [bool(v) for v in (entry.get("criteria_met") or [])][:n]
        rating, felt = entry.get("self_rating"), entry.get("felt_difficulty")
        return {"response": str(entry.get("response") or ""), "criteria_met": met + [False] * (n - len(met)),
                "self_rating": rating if rating in dict(RATINGS).values() else None,
                "felt_difficulty": felt if isinstance(felt, str) and felt in FELT else None,
                "share": entry.get("share") is True}

    def _blank(self, answers: dict) -> bool:
        """Nothing the learner did yet: no words, no ticks, no ratings (the share box alone is not work)."""
        return (super()._blank(answers) and not any(answers["criteria_met"])
                and answers["self_rating"] is None and answers["felt_difficulty"] is None)

    def _content(self) -> dict:
        step = self.step()
        return {"difficulty": self.item["difficulty"], "statement": self.item["statement"],
                "criteria": list(self.item["criteria"]),
                **(step.record() if step else {"next_step": None, "next_difficulty": None, "next_item": None})}


def load_practice(module: str) -> dict:
    """The module's drill file, checked against its schema."""
    path = data_dir() / "practice" / f"{module}.yaml"
    data = read_yaml(path)
    problems = schema_problems(data, "practice")
    if problems:
        raise ContentError("\n".join(f"{path}: {location(where)}: {what}" for where, what in problems))
    return data


def practice(module: str, journal: Journal | None = None) -> widgets.Widget:
    """Every drill statement of a module, easiest first, each able to point to the next one to try."""
    try:
        data = load_practice(module)
    except (ContentError, OSError) as err:
        return load_failure("The practice drill", err)
    items = drill_order(data["items"])
    intro = widgets.HTML(markdown_html(data["intro"])) if data.get("intro") else widgets.HTML()
    drills = [Drill(module, item, n, journal, siblings=items) for n, item in enumerate(items, 1)]
    box = widgets.VBox([stylesheet(), intro, *drills],
                       layout=widgets.Layout(width="100%", max_width="860px"))
    box.add_class("trustlab-practice")
    return box


def reflect(key: str, prompt: str, journal: Journal | None = None) -> widgets.Widget:
    """A reflection box whose text is kept in the learner's journal."""
    return ReflectionBox(key, prompt, journal)


def _status(kind: str, text: str) -> str:
    """A one-off message (the portfolio's): words and a symbol in the theme's text colour, never colour alone."""
    symbol = {"ok": "✔", "error": "!"}[kind]
    return (f'<span class="trustlab-saved" data-state="{kind}" role="status" '
            f'style="color:var(--jp-ui-font-color1, #1d2125)"><span aria-hidden="true">{symbol}</span> {text}</span>')


def portfolio(filename: str = "my-portfolio.html") -> widgets.HTML:
    """Export the portfolio next to the notebook and say, in plain words, where it is."""
    from trustlab.journal.export import export_portfolio

    flush_pending()  # what was typed a moment ago belongs in it
    try:
        path = export_portfolio(filename)
    except (JournalError, OSError) as err:
        return widgets.HTML(_status("error", f"The portfolio could not be made: {escape(str(err))}"))
    return widgets.HTML(_status("ok", f"Your portfolio is saved as <code>{escape(path.name)}</code> next to this "
                                      "notebook. Open it from the file browser on the left, or download it with "
                                      "File › Download."))
