"""The knowledge check: multiple-choice questions with feedback on every option.

Questions come from the module's ``data/checks/<module>.yaml`` (the items listed
under ``quiz``), the same file and the same :func:`trustlab.checks.evaluate` that the
exercises use, so a question reads and judges the same way everywhere.

Three rules keep the quiz fair and the learner's work safe:

- the options appear in a new random order each time the quiz cell runs (and keep that
  order while it is on screen), without letters, so neither their place nor a letter
  gives the answer away; an answer is judged and recorded by the option's identity, its
  letter in the YAML file, never by its place on screen;
- the score counts each question's first answer, so clicking through the options until
  one turns green does not earn the point, while every option's feedback stays one click
  away;
- answers go to the journal through :func:`trustlab.checks.report` (as ``check()``
  answers do), and a quiz run again restores them from it, the first answer included.
"""

from __future__ import annotations

import random
from html import escape
from typing import Iterable, Sequence

import ipywidgets as widgets

from trustlab import answers
from trustlab.checks import Feedback, Status, checks_path, evaluate, load_checks, markdown_html, report
from trustlab.content import ContentError
from trustlab.journal.store import Journal, JournalError
from trustlab.notices import load_failure
from trustlab.style import stylesheet

LETTERS = "abcdefghij"
JUDGED = {Status.CORRECT.value, Status.NOT_YET.value}  # statuses that mean "an option was picked"


def screen_order(n_options: int, rng: random.Random) -> list[int]:
    """A random order of the YAML positions ``0 … n-1``: the order the options appear on screen."""
    return rng.sample(range(n_options), n_options)


def earlier_answers(entries: Iterable[dict], key: str, n_options: int) -> list[str]:
    """The letters a learner picked for ``key``, oldest first, from journal ``check`` entries.

    Entries the quiz cannot have written (an unreadable or unanswered check, a letter the
    question does not have) are skipped rather than guessed at.
    """
    found = []
    for entry in entries:
        if entry.get("kind") != "check" or entry.get("key") != key or entry.get("status") not in JUDGED:
            continue
        try:
            found.append(LETTERS[answers.read_letter(entry.get("answer"), n_options)])
        except (answers.Unanswered, answers.Unreadable):
            continue
    return found


class Question(widgets.VBox):
    """One question: the prompt, its options in a shuffled order, feedback on choosing.

    ``first`` is the letter of the first answer (the one the score counts); ``feedback`` is
    the feedback on the option selected now.
    """

    def __init__(self, key: str, number: int, item: dict, order: Sequence[int], earlier: Sequence[str] = ()):
        self.key = key
        self.order = list(order)
        self.feedback: Feedback | None = None
        self.first: str | None = None
        self.first_feedback: Feedback | None = None
        self._restoring = False
        options = [(item["options"][i]["text"], LETTERS[i]) for i in self.order]
        self._prompt = widgets.HTML(f"<strong>Question {number}.</strong> {markdown_html(item['prompt'])}")
        self._options = widgets.RadioButtons(options=options, value=None,
                                             layout=widgets.Layout(width="auto", max_width="100%"))
        self._result = widgets.HTML()
        self._options.observe(self._judge, names="value")
        super().__init__([self._prompt, self._options, self._result],
                         layout=widgets.Layout(margin="0 0 16px 0"))
        self.add_class("trustlab-question")
        if earlier:
            self._restore(earlier)

    @property
    def screen_letters(self) -> list[str]:
        """The options' YAML letters in the order they are shown."""
        return [LETTERS[i] for i in self.order]

    def _restore(self, earlier: Sequence[str]) -> None:
        """Show the last answer given and remember the first, without recording them again."""
        self.first = earlier[0]
        self.first_feedback = evaluate(self.key, self.first)
        self._restoring = True
        try:
            self._options.value = earlier[-1]
        finally:
            self._restoring = False

    def _judge(self, change: dict) -> None:
        letter = change["new"]
        if letter is None:
            return
        self.feedback = evaluate(self.key, letter)
        if not self._restoring:
            report(self.key, letter, self.feedback)
            if self.first is None:
                self.first, self.first_feedback = letter, self.feedback
        self._result.value = self.feedback._repr_html_() + self._first_note()
        self.parent_score()

    def _first_note(self) -> str:
        """One line on the first answer, which is the one that counts."""
        if self.first_feedback is None:
            return ""
        if self.first_feedback.correct:
            verdict = "your first answer was right"
        else:
            verdict = "your first answer was not the best one"
        return (f'<p class="trustlab-first-answer">For the score, {verdict}. Pick any other option '
                "to read its feedback; the score stays with your first answer.</p>")

    def parent_score(self) -> None:
        """Overridden by :class:`Quiz` to refresh its score line."""

    def choose(self, letter: str) -> None:
        """Select an option by its YAML letter, as a click would (tests and instructors' demos use it)."""
        self._options.value = letter


FIRST_ANSWER_RULE = ("Your first answer to each question is the one that counts for the score. "
                     "After that, pick the other options too: each has its own feedback.")


def chosen_items(data: dict, module: str, set_name: str | None) -> tuple[list[str], str]:
    """The item ids and the intro of the knowledge check (``set_name`` None) or of a named set.

    A named set (``sets:`` in the checks file, e.g. a supervision exercise) is shown by the
    same widget as the quiz, so it is judged, scored and saved the same way.
    """
    if set_name is None:
        return list(data.get("quiz", [])), ""
    sets = data.get("sets", {})
    if set_name not in sets:
        known = ", ".join(repr(name) for name in sets) or "none"
        raise ContentError(f"{checks_path(module)}: sets: there is no set {set_name!r} "
                           f"(this file has: {known}); check the name in the notebook cell")
    return list(sets[set_name]["items"]), sets[set_name]["intro"]


class Quiz(widgets.VBox):
    """A module's knowledge check, or one of its named sets, with a score that counts first answers."""

    def __init__(self, module: str, journal: Journal | None = None, rng: random.Random | None = None,
                 set_name: str | None = None):
        data = load_checks(module)
        ids, intro_text = chosen_items(data, module, set_name)
        rng = rng or random.Random()
        entries, notice = _journal_entries(journal or Journal(), module)
        self.questions = []
        for number, item_id in enumerate(ids, start=1):
            key, item = f"{module}.{item_id}", data["items"][item_id]
            n = len(item["options"])
            self.questions.append(Question(key, number, item, screen_order(n, rng),
                                           earlier_answers(entries, key, n)))
        self._score = widgets.HTML()
        for question in self.questions:
            question.parent_score = self._update_score
        self._update_score()
        notice_box = [widgets.HTML(f'<p class="trustlab-note">{escape(notice)}</p>')] if notice else []
        intro = widgets.HTML(markdown_html(intro_text) + f"<p>{FIRST_ANSWER_RULE}</p>")
        super().__init__([stylesheet(), *notice_box, intro, *self.questions, self._score])
        self.add_class("trustlab-quiz")

    @property
    def score(self) -> tuple[int, int, int]:
        """(right at the first try, answered, total)."""
        firsts = [q.first_feedback for q in self.questions if q.first_feedback is not None]
        return sum(f.correct for f in firsts), len(firsts), len(self.questions)

    def _update_score(self) -> None:
        right, answered, total = self.score
        self._score.value = (f'<p class="trustlab-score" role="status"><strong>{right} of {total} right at the '
                             f"first try</strong> ({answered} of {total} answered).</p>")


def _journal_entries(journal: Journal, module: str) -> tuple[list[dict], str]:
    """The module's check entries, or none and a sentence saying why they could not be read."""
    try:
        entries = journal.entries("check", module)
    except (JournalError, OSError) as err:
        return [], (f"Your earlier quiz answers could not be read from your journal ({err}). "
                    "The quiz still works, but the answers you give now may not be saved until that is fixed.")
    return entries, " ".join(journal.notices)


def quiz(module: str, set_name: str | None = None, journal: Journal | None = None) -> widgets.Widget:
    """The knowledge check for a module (or its named set, e.g. ``"supervision"``), or a readable message."""
    try:
        return Quiz(module, journal, set_name=set_name)
    except (ContentError, OSError) as err:
        return load_failure("The knowledge check" if set_name is None else f"The exercise {set_name!r}", err)
