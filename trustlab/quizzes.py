"""The knowledge check: multiple-choice questions with feedback on every option.

Questions come from the module's ``data/checks/<module>.yaml`` (the items listed
under ``quiz``), the same file and the same :func:`trustlab.checks.evaluate` that the
exercises use, so a question reads and judges the same way everywhere.
"""

from __future__ import annotations

import ipywidgets as widgets

from trustlab.checks import Feedback, evaluate, load_checks, markdown_html, report
from trustlab.content import ContentError
from trustlab.notices import load_failure
from trustlab.style import stylesheet

LETTERS = "abcdefghij"


class Question(widgets.VBox):
    """One question: the prompt, lettered options as radio buttons, feedback on choosing."""

    def __init__(self, key: str, number: int, item: dict):
        self.key = key
        self.feedback: Feedback | None = None
        options = [(f"{LETTERS[i]}) {o['text']}", LETTERS[i]) for i, o in enumerate(item["options"])]
        self._prompt = widgets.HTML(f"<strong>Question {number}.</strong> {markdown_html(item['prompt'])}")
        self._options = widgets.RadioButtons(options=options, value=None,
                                             layout=widgets.Layout(width="auto", max_width="100%"))
        self._result = widgets.HTML()
        self._options.observe(self._judge, names="value")
        super().__init__([self._prompt, self._options, self._result],
                         layout=widgets.Layout(margin="0 0 16px 0"))
        self.add_class("trustlab-question")

    def _judge(self, change: dict) -> None:
        if change["new"] is None:
            return
        self.feedback = evaluate(self.key, change["new"])
        report(self.key, change["new"], self.feedback)
        self._result.value = self.feedback._repr_html_()
        self.parent_score()

    def parent_score(self) -> None:
        """Overridden by :class:`Quiz` to refresh its score line."""

    def choose(self, letter: str) -> None:
        """Select an option, as a click would (tests and instructors' demos use it)."""
        self._options.value = letter


class Quiz(widgets.VBox):
    """All knowledge-check questions of a module, with a running score."""

    def __init__(self, module: str):
        data = load_checks(module)
        self.questions = [Question(f"{module}.{key}", i + 1, data["items"][key])
                          for i, key in enumerate(data.get("quiz", []))]
        self._score = widgets.HTML()
        for question in self.questions:
            question.parent_score = self._update_score
        self._update_score()
        super().__init__([stylesheet(), *self.questions, self._score])
        self.add_class("trustlab-quiz")

    @property
    def score(self) -> tuple[int, int, int]:
        """(right, answered, total)."""
        answered = [q.feedback for q in self.questions if q.feedback is not None]
        return sum(f.correct for f in answered), len(answered), len(self.questions)

    def _update_score(self) -> None:
        right, answered, total = self.score
        self._score.value = f"<p><strong>{right} of {total} right</strong> ({answered} answered). " \
                            "Change any answer to read the feedback on another option.</p>"


def quiz(module: str) -> widgets.Widget:
    """The knowledge check for a module, or a readable message if its file is broken."""
    try:
        return Quiz(module)
    except (ContentError, OSError) as err:
        return load_failure("The knowledge check", err)
