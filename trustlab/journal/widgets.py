"""Reflection boxes and practice drills: thin widgets that save through the journal.

Both prefill from the journal, so reopening a notebook shows what the learner wrote.
A save that fails keeps the text in the box and says why; nothing typed is dropped.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

import ipywidgets as widgets

from trustlab.checks import markdown_html
from trustlab.content import ContentError, read_yaml, schema_problems, location
from trustlab.journal.store import Journal, JournalError
from trustlab.paths import data_dir
from trustlab.notices import load_failure
from trustlab.style import stylesheet

SHARE_LABEL = "Share this text in the anonymous class file (off unless you tick it)"
RATINGS = [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5)]


def _time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M on %d %b")
    except ValueError:
        return iso


def _status(kind: str, text: str) -> str:
    colour = {"ok": "#1b7a3d", "info": "#5a5a5a", "error": "#a1262d"}[kind]
    return f'<span class="trustlab-saved" data-state="{kind}" style="color:{colour}">{text}</span>'


class _Saving:
    """Shared by both widgets: save an entry and report the outcome under it."""

    journal: Journal
    _state: widgets.HTML

    def _save(self, kind: str, module: str, key: str, **data) -> bool:
        try:
            entry = self.journal.add(kind, module, key, **data)
        except (JournalError, OSError) as err:
            self._state.value = _status("error", f"Not saved: {escape(str(err))}")
            return False
        notes = "".join(f"<br>{escape(n)}" for n in self.journal.notices)
        self.journal.notices.clear()
        self._state.value = _status("ok", f"Saved at {_time(entry['saved_at'])} in your journal.") + notes
        return True

    def _latest(self, key: str, kind: str) -> dict | None:
        try:
            return self.journal.latest(key, kind)
        except (JournalError, OSError) as err:
            self._state.value = _status("error", f"Your journal could not be opened: {escape(str(err))}")
            return None


class ReflectionBox(widgets.VBox, _Saving):
    """A prompt, a text area that saves to the journal, and when it was last saved."""

    def __init__(self, key: str, prompt: str, journal: Journal | None = None):
        self.key, self.prompt = key, prompt
        self.journal = journal or Journal()
        self._state = widgets.HTML(_status("info", "Not saved yet."))
        latest = self._latest(key, "reflection")
        self.text = widgets.Textarea(
            value=latest["text"] if latest else "", continuous_update=False, rows=6,
            placeholder="Write here. It saves when you press Save or click outside the box.",
            layout=widgets.Layout(width="100%"))
        self.share = widgets.Checkbox(value=bool(latest and latest.get("share")), description=SHARE_LABEL,
                                      indent=False, layout=widgets.Layout(width="auto"))
        save = widgets.Button(description="Save", button_style="primary", tooltip="Save to your journal")
        if latest:
            self._state.value = _status("ok", f"Saved at {_time(latest['saved_at'])} in your journal.")
        self.text.observe(lambda _: self.save(), names="value")
        self.share.observe(lambda _: self.save(), names="value")
        save.on_click(lambda _: self.save())
        super().__init__([stylesheet(), widgets.HTML(f"<p><strong>Reflection:</strong> {escape(prompt)}</p>"),
                          self.text, self.share, widgets.HBox([save, self._state])],
                         layout=widgets.Layout(width="100%", max_width="860px"))
        self.add_class("trustlab-reflection")

    def save(self) -> bool:
        """Save unless nothing changed; an empty box over a saved text is never written."""
        latest = self._latest(self.key, "reflection")
        text = self.text.value
        if latest and latest["text"] == text and bool(latest.get("share")) == self.share.value:
            return True
        if not text.strip():
            self._state.value = _status("info", "Nothing to save yet." if not latest else
                                        "The box is empty, so nothing was saved: your earlier text is still "
                                        "in your journal.")
            return False
        return self._save("reflection", self.key.split(".")[0], self.key, prompt=self.prompt, text=text,
                          share=self.share.value)


class Drill(widgets.VBox, _Saving):
    """One client statement: type a response, then reveal model responses and rate your own."""

    def __init__(self, module: str, item: dict, number: int, journal: Journal | None = None):
        self.module, self.item = module, item
        self.key = f"{module}.drill.{item['id']}"
        self.journal = journal or Journal()
        self._state = widgets.HTML()
        latest = self._latest(self.key, "drill") or {}
        context = f"<p><em>{escape(item['context'])}</em></p>" if item.get("context") else ""
        head = widgets.HTML(
            f'<p><strong>Statement {number}</strong> <span class="trustlab-tag">{item["difficulty"]}</span></p>'
            f'{context}<p class="trustlab-line"><strong>Client:</strong> “{escape(item["statement"])}”</p>')
        self.response = widgets.Textarea(value=latest.get("response", ""), rows=3,
                                         placeholder="Type what you would say, before you look at the models.",
                                         layout=widgets.Layout(width="100%"))
        met = latest.get("criteria_met") or [False] * len(item["criteria"])
        self.criteria = [widgets.Checkbox(value=bool(v), description=c, indent=False,
                                          layout=widgets.Layout(width="auto"))
                         for c, v in zip(item["criteria"], met)]
        self.rating = widgets.ToggleButtons(options=RATINGS, value=latest.get("self_rating"),
                                            description="How close was yours? (1 = not yet, 5 = very)",
                                            style={"description_width": "initial", "button_width": "40px"})
        self.share = widgets.Checkbox(value=bool(latest.get("share")), description=SHARE_LABEL, indent=False,
                                      layout=widgets.Layout(width="auto"))
        models = "".join(f"<li>“{escape(m)}”</li>" for m in item["models"])
        save = widgets.Button(description="Save", button_style="primary", tooltip="Save to your journal")
        save.on_click(lambda _: self.save())
        self._revealed = widgets.VBox(
            [widgets.HTML(f"<p><strong>Model responses</strong> (there is more than one good way)</p><ul>{models}</ul>"
                          "<p><strong>Check your response against these:</strong></p>"),
             *self.criteria, self.rating, self.share, widgets.HBox([save, self._state])])
        self._revealed.layout.display = None if latest else "none"
        self.reveal = widgets.Button(description="Show model responses", tooltip="Reveal models and the checklist",
                                     layout=widgets.Layout(width="auto"))
        self.reveal.on_click(lambda _: self.show())
        super().__init__([head, self.response, self.reveal, self._revealed],
                         layout=widgets.Layout(width="100%", margin="0 0 18px 0"))
        self.add_class("trustlab-drill")

    def show(self) -> None:
        self._revealed.layout.display = None
        if not self.response.value.strip():
            self._state.value = _status("info", "Tip: write your own response first; practice works best "
                                                "when you commit to an answer before comparing.")

    def save(self) -> bool:
        return self._save("drill", self.module, self.key, difficulty=self.item["difficulty"],
                          statement=self.item["statement"], response=self.response.value,
                          criteria=list(self.item["criteria"]), criteria_met=[c.value for c in self.criteria],
                          self_rating=self.rating.value, share=self.share.value)


def load_practice(module: str) -> dict:
    """The module's drill file, checked against its schema."""
    path = data_dir() / "practice" / f"{module}.yaml"
    data = read_yaml(path)
    problems = schema_problems(data, "practice")
    if problems:
        raise ContentError("\n".join(f"{path}: {location(where)}: {what}" for where, what in problems))
    return data


def practice(module: str, journal: Journal | None = None) -> widgets.Widget:
    """Every drill statement of a module, easiest first."""
    try:
        data = load_practice(module)
    except (ContentError, OSError) as err:
        return load_failure("The practice drill", err)
    order = {"beginner": 0, "intermediate": 1, "advanced": 2}
    items = sorted(data["items"], key=lambda i: order[i["difficulty"]])
    intro = widgets.HTML(markdown_html(data["intro"])) if data.get("intro") else widgets.HTML()
    box = widgets.VBox([stylesheet(), intro, *[Drill(module, item, n, journal) for n, item in enumerate(items, 1)]],
                       layout=widgets.Layout(width="100%", max_width="860px"))
    box.add_class("trustlab-practice")
    return box


def reflect(key: str, prompt: str, journal: Journal | None = None) -> widgets.Widget:
    """A reflection box whose text is kept in the learner's journal."""
    return ReflectionBox(key, prompt, journal)


def portfolio(filename: str = "my-portfolio.html") -> widgets.HTML:
    """Export the portfolio next to the notebook and say, in plain words, where it is."""
    from trustlab.journal.export import export_portfolio

    try:
        path = export_portfolio(filename)
    except (JournalError, OSError) as err:
        return widgets.HTML(_status("error", f"The portfolio could not be made: {escape(str(err))}"))
    return widgets.HTML(_status("ok", f"Your portfolio is saved as <code>{escape(path.name)}</code> next to this "
                                      "notebook. Open it from the file browser on the left, or download it with "
                                      "File › Download."))
