"""Formative feedback for every exercise and question: ``check("m00.ex1", answer)``.

The answer keys live in ``data/checks/<module>.yaml`` (schema:
``data/schemas/checks.schema.json``) so an instructor edits text, not code.
:func:`evaluate` is the logic and returns a :class:`Feedback`; :func:`check` shows it.
Neither ever raises: a learner who types something odd gets a sentence about what
the question wants, never a traceback.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Callable

import mistune

from trustlab import answers, events
from trustlab.content import ContentError, location, read_yaml, schema_problems
from trustlab.paths import data_dir


class Status(str, Enum):
    """What a learner sees at the top of a feedback box."""

    CORRECT = "Correct"
    NOT_YET = "Not yet"
    UNANSWERED = "Not answered yet"
    UNREADABLE = "Can't check this answer yet"
    UNAVAILABLE = "This check is unavailable"


_STYLE = {  # colour and a symbol, so status never depends on colour alone
    Status.CORRECT: ("#1b7a3d", "✔"),
    Status.NOT_YET: ("#b35900", "✎"),
    Status.UNANSWERED: ("#5a5a5a", "…"),
    Status.UNREADABLE: ("#8a6d00", "?"),
    Status.UNAVAILABLE: ("#a1262d", "!"),
}

_markdown = mistune.create_markdown(escape=True)


def markdown_html(text: str) -> str:
    """Render course text (Markdown) to HTML; raw HTML in it is escaped."""
    return _markdown(text).strip()


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: a status, a message and, when useful, a hint."""

    key: str
    status: Status
    message: str
    hint: str = ""

    @property
    def correct(self) -> bool:
        return self.status is Status.CORRECT

    def __str__(self) -> str:
        lines = [f"{self.status.value} ({self.key}): {self.message}"]
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour, symbol = _STYLE[self.status]
        hint = f"<div><strong>Hint:</strong> {markdown_html(self.hint)}</div>" if self.hint else ""
        return (
            f'<div class="trustlab-feedback" role="status" data-status="{self.status.name.lower()}" '
            f'style="border-left:6px solid {colour};padding:6px 12px;margin:4px 0;background:#fafafa">'
            f'<div style="color:{colour};font-weight:bold">{symbol} {escape(self.status.value)}</div>'
            f"<div>{markdown_html(self.message)}</div>{hint}</div>"
        )


# --- answer keys ---------------------------------------------------------------------------

def checks_path(module: str) -> Path:
    return data_dir() / "checks" / f"{module}.yaml"


def load_checks(module: str) -> dict:
    """The parsed, validated answer key of a module (re-read when the file changes)."""
    path = checks_path(module)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ContentError(f"{path}: file not found (is the module id {module!r} right?)") from None
    return _load_checks(str(path), stamp)


@lru_cache(maxsize=32)
def _load_checks(path_text: str, _stamp: int) -> dict:
    path = Path(path_text)
    data = read_yaml(path)
    problems = [(location(where), what) for where, what in schema_problems(data, "checks")]
    problems = problems or _logic_problems(data, path.stem)
    if problems:
        raise ContentError("\n".join(f"{path}: {where}: {what}" for where, what in problems))
    return data


def _logic_problems(data: dict, stem: str) -> list[tuple[str, str]]:
    """What the schema cannot say: one right option, quiz ids that exist, the module name."""
    problems = []
    if data["module"] != stem:
        problems.append(("module", f"is {data['module']!r} but the file is {stem}.yaml; make them match"))
    for key, item in data["items"].items():
        if item["kind"] == "choice":
            right = sum(bool(o.get("correct")) for o in item["options"])
            if right != 1:
                problems.append((f"items.{key}.options", f"{right} options are marked correct: true; mark exactly one"))
    for i, key in enumerate(data.get("quiz", [])):
        item = data["items"].get(key)
        if item is None:
            problems.append((f"quiz[{i}]", f"{key!r} is not an item in this file"))
        elif item["kind"] != "choice":
            problems.append((f"quiz[{i}]", f"{key!r} is a {item['kind']} item; the quiz shows choice items only"))
    return problems


def find_item(key: str) -> dict:
    """The item for ``"m00.ex1"``; raises ContentError naming what is wrong."""
    module, _, item_id = str(key).partition(".")
    if not item_id:
        raise ContentError(f"{key!r} is not a check id; ids look like \"m00.ex1\"")
    items = load_checks(module)["items"]
    if item_id not in items:
        raise ContentError(f"{checks_path(module)}: items: there is no item {item_id!r}")
    return items[item_id]


# --- evaluation ------------------------------------------------------------------------------

def evaluate(key: str, answer: Any) -> Feedback:
    """Judge an answer. Never raises, whatever ``key`` and ``answer`` are."""
    key = answers.describe(key) if not isinstance(key, str) else key
    try:
        item = find_item(key)
    except ContentError as err:
        return Feedback(key, Status.UNAVAILABLE, f"The course couldn't load this check: {err}. "
                        "If you didn't change the check line, please tell your instructor.")
    try:
        return _JUDGES[item["kind"]](key, item, answer)
    except answers.Unanswered:
        return Feedback(key, Status.UNANSWERED, "Replace the `...` with your answer, then run the cell again.")
    except answers.Unreadable as err:
        return Feedback(key, Status.UNREADABLE, str(err))
    except Exception as err:  # a learner's object can fail in ways no one foresaw
        return Feedback(key, Status.UNREADABLE, f"I couldn't read that answer ({type(err).__name__}). "
                        "Try a plain number or text, as the question asks.")


def _verdict(key: str, item: dict, ok: bool, wrong: str = "") -> Feedback:
    if ok:
        return Feedback(key, Status.CORRECT, item.get("explanation", "Well done."))
    return Feedback(key, Status.NOT_YET, wrong or "That's not it yet.", item.get("hint", ""))


def _judge_number(key: str, item: dict, answer: Any) -> Feedback:
    value = answers.read_number(answer)
    target, tol = float(item["answer"]), float(item["tolerance"])
    if math.isclose(value, target, abs_tol=tol + 1e-12):
        return _verdict(key, item, True)
    for mistake in item.get("mistakes", []):
        if math.isclose(value, mistake["value"], abs_tol=mistake.get("tolerance", tol) + 1e-12):
            return Feedback(key, Status.NOT_YET, mistake["feedback"], item["hint"])
    if abs(target) <= 1 and math.isclose(value / 100, target, abs_tol=tol + 1e-12):
        return Feedback(key, Status.NOT_YET, "That looks like a percentage. This question wants a "
                        "proportion between 0 and 1: divide by 100.", item["hint"])
    if abs(target) > 1 and math.isclose(value * 100, target, abs_tol=tol + 1e-12):
        return Feedback(key, Status.NOT_YET, "That looks like a proportion. This question wants a "
                        "percentage: multiply by 100.", item["hint"])
    return _verdict(key, item, False, f"{value:g} is not it yet.")


def _judge_choice(key: str, item: dict, answer: Any) -> Feedback:
    options = item["options"]
    chosen = options[answers.read_letter(answer, len(options))]
    status = Status.CORRECT if chosen.get("correct") else Status.NOT_YET
    return Feedback(key, status, chosen["feedback"])


def _judge_text(key: str, item: dict, answer: Any) -> Feedback:
    accepted = {answers.normalize_text(a) for a in item["accept"]}
    return _verdict(key, item, answers.read_text(answer) in accepted)


def _judge_boolean(key: str, item: dict, answer: Any) -> Feedback:
    return _verdict(key, item, answers.read_bool(answer) == item["answer"])


def _judge_set(key: str, item: dict, answer: Any) -> Feedback:
    given = answers.read_set(answer)
    wanted = {answers.set_item(v) for v in item["answer"]}
    if given == wanted:
        return _verdict(key, item, True)
    found, extra = len(given & wanted), len(given - wanted)
    wrong = f"You have {found} of the {len(wanted)} that belong"
    wrong += f", and {extra} that {'does' if extra == 1 else 'do'} not." if extra else "."
    return _verdict(key, item, False, wrong)


_JUDGES: dict[str, Callable[[str, dict, Any], Feedback]] = {
    "number": _judge_number,
    "choice": _judge_choice,
    "text": _judge_text,
    "boolean": _judge_boolean,
    "set": _judge_set,
}


def report(key: str, answer: Any, feedback: Feedback) -> None:
    """Tell the course's event hook (the journal listens) about an answered check."""
    if feedback.status in (Status.UNANSWERED, Status.UNAVAILABLE):
        return
    try:
        prompt = find_item(key).get("prompt")
    except ContentError:
        prompt = None
    events.emit("check.answer", {"key": key, "prompt": prompt, "answer": answer[:200] if isinstance(answer, str) else answers.describe(answer, 200),
                                 "status": feedback.status.value, "correct": feedback.correct})


def check(key: str, answer: Any) -> None:
    """Show feedback on an answer, under the cell. Never raises."""
    from IPython.display import display

    feedback = evaluate(key, answer)
    report(key, answer, feedback)
    display(feedback)
