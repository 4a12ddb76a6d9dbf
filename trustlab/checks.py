"""Formative feedback for every exercise and question: ``check("m00.ex1", answer)``.

The answer keys live in ``data/checks/<module>.yaml`` (schema:
``data/schemas/checks.schema.json``) so an instructor edits text, not code.
:func:`evaluate` is the logic and returns a :class:`Feedback`; :func:`check` shows it.
Neither ever raises: a learner who types something odd gets a sentence about what
the question wants, never a traceback.

Every number check reads the answer with :func:`trustlab.answers.read_number`, so one
rule holds everywhere: a percent string means the percent it says ("64%" is 0.64 in a
question whose item has ``unit: proportion`` and 64 in one with ``unit: percent``), and a
plain number in the other unit gets feedback that names the conversion. Beyond right and
wrong, a number can be a known mistake (``mistakes``), the answer rounded too far (the
feedback says how many decimals are wanted), or empty because a filter named a group
that does not exist (``categories``: the feedback lists the real groups).
"""

from __future__ import annotations

import ast
import difflib
import io
import math
import tokenize
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
    """What the schema cannot say: one right option, quiz ids that exist, the module name, real groups."""
    problems = []
    if data["module"] != stem:
        problems.append(("module", f"is {data['module']!r} but the file is {stem}.yaml; make them match"))
    for key, item in data["items"].items():
        if item["kind"] == "choice":
            right = sum(bool(o.get("correct")) for o in item["options"])
            if right != 1:
                problems.append((f"items.{key}.options", f"{right} options are marked correct: true; mark exactly one"))
        if "categories" in item:
            try:
                _valid_groups(item["categories"]["dataset"], tuple(item["categories"]["columns"]))
            except ContentError as err:
                problems.append((f"items.{key}.categories", str(err)))
    lists = [("quiz", data.get("quiz", []))]
    lists += [(f"sets.{name}.items", chosen["items"]) for name, chosen in data.get("sets", {}).items()]
    for where, ids in lists:
        for i, key in enumerate(ids):
            item = data["items"].get(key)
            if item is None:
                problems.append((f"{where}[{i}]", f"{key!r} is not an item in this file"))
            elif item["kind"] != "choice":
                problems.append((f"{where}[{i}]", f"{key!r} is a {item['kind']} item; a quiz shows choice items only"))
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

def evaluate(key: str, answer: Any, code: str = "") -> Feedback:
    """Judge an answer. Never raises, whatever ``key`` and ``answer`` are.

    ``code`` is the source of the learner's cell, when known: it only sharpens the
    feedback (it lets an empty answer name the misspelt group that caused it).
    """
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
    except answers.Missing as err:
        return Feedback(key, Status.UNREADABLE, _with_groups(str(err), item, code))
    except answers.Unreadable as err:
        return Feedback(key, Status.UNREADABLE, str(err))
    except Exception as err:  # a learner's object can fail in ways no one foresaw
        return Feedback(key, Status.UNREADABLE, f"I couldn't read that answer ({type(err).__name__}). "
                        "Try a plain number or text, as the question asks.")


def _verdict(key: str, item: dict, ok: bool, wrong: str = "") -> Feedback:
    if ok:
        return Feedback(key, Status.CORRECT, item.get("explanation", "Well done."))
    return Feedback(key, Status.NOT_YET, wrong or "That's not it yet.", item.get("hint", ""))


def _near(value: float, target: float, tolerance: float) -> bool:
    return math.isclose(value, target, abs_tol=tolerance + 1e-12)


def _judge_number(key: str, item: dict, answer: Any) -> Feedback:
    """Right, a known mistake, rounded too far, the wrong unit, or simply not it yet (in that order)."""
    reading = answers.read_number(answer)
    unit = item.get("unit")
    value = reading.in_unit(unit)
    target, tol = float(item["answer"]), float(item["tolerance"])
    if _near(value, target, tol):
        return _verdict(key, item, True)
    for mistake in item.get("mistakes", []):
        if _near(value, mistake["value"], mistake.get("tolerance", tol)):
            return Feedback(key, Status.NOT_YET, mistake["feedback"], item["hint"])
    wrong = (_rounded_too_far(reading, unit, target, tol) or _other_unit(reading, unit, target, tol)
             or _not_yet(reading, unit))
    return _verdict(key, item, False, wrong)


def _rounded_too_far(reading: answers.Reading, unit: str | None, target: float, tol: float) -> str:
    """Say so when the answer is the right one rounded to fewer decimals than the question needs.

    The learner gave ``k`` decimals; if the answer rounded to ``k`` decimals is what they
    wrote (and that rounding keeps at least one significant digit), they computed the
    right thing and rounded it away.
    """
    value, k = reading.in_unit(unit), reading.decimals_in_unit(unit)
    if k is None or target == 0 or 10.0 ** -k > abs(target):
        return ""
    if abs(value - target) > 0.5 * 10.0 ** -k + 1e-12:
        return ""
    needed = next((d for d in range(k + 1, 12) if _near(round(target, d), target, tol)), None)
    if needed is None:
        return ""
    return (f"{reading.shown()} is close: it looks like the right result, rounded too far. "
            f"Give it to {answers.plural(needed, 'decimal place')} (or leave it unrounded).")


def _other_unit(reading: answers.Reading, unit: str | None, target: float, tol: float) -> str:
    """The right number in the wrong unit: a percent for a proportion, a proportion for a percent."""
    value = reading.in_unit(unit)
    if unit == answers.PROPORTION and not reading.percent and _near(value / 100, target, tol):
        return (f"{reading.shown()} looks like a percent. This question wants a proportion between 0 and 1: "
                f"{reading.shown()}% is {answers.plain(value / 100)} as a proportion.")
    if unit == answers.PERCENT and _near(value * 100, target, tol):
        return (f"{reading.shown()} looks like a proportion. This question wants a percent: "
                f"{reading.shown()} as a proportion is {answers.plain(value * 100)}%, so write "
                f"{answers.plain(value * 100)}.")
    if unit is None and reading.percent and _near(reading.value * 100, target, tol):
        return (f"This question's answer is a plain number, not a percent: write "
                f"{answers.plain(reading.value * 100)} without the % sign.")
    return ""


def _not_yet(reading: answers.Reading, unit: str | None) -> str:
    if reading.percent and unit != answers.PERCENT:
        return f"{reading.shown()} is {answers.plain(reading.value)} as a proportion, and that is not it yet."
    return f"{reading.shown()} is not it yet."


# --- groups that do not exist ----------------------------------------------------------------

def _with_groups(message: str, item: dict, code: str) -> str:
    """Add the valid group names to an empty answer's message, naming a misspelt one if the code shows it."""
    groups = item.get("categories")
    if not groups:
        return message
    try:
        valid = _valid_groups(groups["dataset"], tuple(groups["columns"]))
    except ContentError:
        return message
    lines = [message]
    for literal, column, suggestion in misspelt_groups(_string_literals(code), valid):
        lines.append(f'"{literal}" is not a group in `{column}`: did you mean "{suggestion}"?')
    for column, values in valid.items():
        names = [f'"{v}"' for v in values]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        lines.append(f"In `{column}` the groups are {listed}, spelled exactly so (capitals matter).")
    return "\n\n".join(lines)


def _valid_groups(dataset: str, columns: tuple[str, ...]) -> dict[str, list[str]]:
    """The allowed values of each column, from data/datapackage.json (the one description of the data)."""
    from trustlab.data import schema

    try:
        fields = {f["name"]: f for f in schema.fields(dataset)}
    except KeyError as err:
        raise ContentError(err.args[0]) from None
    except (OSError, ValueError) as err:
        raise ContentError(f"the data description {schema.package_path()} cannot be read ({err})") from None
    valid = {}
    for column in columns:
        enum = fields.get(column, {}).get("constraints", {}).get("enum")
        if not enum:
            raise ContentError(f"{dataset} has no column {column!r} with a fixed list of groups")
        valid[column] = list(enum)
    return valid


def _string_literals(code: str) -> list[str]:
    """The quoted strings in a cell's code (nothing if the code does not tokenize)."""
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING:
                value = ast.literal_eval(token.string)
                if isinstance(value, str):
                    found.append(value)
    except (tokenize.TokenError, SyntaxError, ValueError, IndentationError):
        pass
    return found


def misspelt_groups(literals: list[str], valid: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """``(literal, column, suggestion)`` for each literal that is close to a group name but is not one."""
    known = {value for values in valid.values() for value in values}
    found = []
    for literal in dict.fromkeys(literals):
        if literal in known:
            continue
        for column, values in valid.items():
            lowered = {v.casefold(): v for v in values}
            match = difflib.get_close_matches(literal.strip().casefold(), list(lowered), n=1, cutoff=0.75)
            if match:
                found.append((literal, column, lowered[match[0]]))
                break
    return found


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

    feedback = evaluate(key, answer, _current_cell())
    report(key, answer, feedback)
    display(feedback)


def _current_cell() -> str:
    """The source of the cell being run, from IPython's input history ("" outside IPython)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell.history_manager.input_hist_raw[-1] if shell is not None else ""
    except Exception:  # no history (a plain Python run): the feedback just names no group
        return ""
