"""Reading what a learner typed into a check.

Learners pass anything: ``...``, ``None``, ``"0,28"``, ``28%``, a whole DataFrame,
``True``, ``float("nan")``, ``10**1000``. Each reader here turns a raw answer into a
clean value or raises :class:`Unreadable` with a sentence that tells the learner
what kind of answer the question wants. The checks never let anything else escape.
"""

from __future__ import annotations

import math
import re
from numbers import Number
from typing import Any

import numpy as np


class Unanswered(Exception):
    """The learner has not answered yet (``...``, ``None`` or an empty string)."""


class Unreadable(Exception):
    """The answer is of a kind the question cannot read; the message says which kind it wants."""


def describe(value: Any, limit: int = 60) -> str:
    """A short, safe description of a learner's value (a broken ``__repr__`` cannot hurt)."""
    try:
        text = repr(value)
    except Exception:
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reject_unanswered(answer: Any) -> None:
    """Raise :class:`Unanswered` for the placeholders a stub or an empty box leaves."""
    if answer is None or answer is Ellipsis:
        raise Unanswered
    if isinstance(answer, str) and not answer.strip():
        raise Unanswered


def _single(answer: Any) -> Any:
    """Unwrap a one-element array, Series or DataFrame; refuse bigger containers."""
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        raise Unreadable(
            f"You gave a {type(answer).__name__} of {len(answer)} values; this question wants one number."
        )
    size = getattr(answer, "size", None)
    if size is None or not hasattr(answer, "shape"):
        return answer
    if size == 1:
        return np.asarray(answer).reshape(-1)[0]
    kind = type(answer).__name__
    shape = "×".join(str(n) for n in answer.shape)
    raise Unreadable(
        f"You gave a {kind} ({shape} values); this question wants one number. "
        "Pick the column you need and summarise it, for example with .mean(), .sum() or len()."
    )


def read_number(answer: Any) -> float:
    """A finite float from a number, a numeric string ("0.28", ".28", "28%", "0,28") or a 1-value container."""
    reject_unanswered(answer)
    value = _single(answer)
    if isinstance(value, (bool, np.bool_)):
        raise Unreadable("You gave True/False; this question wants a number, such as 0.25.")
    if isinstance(value, str):
        return _number_from_text(value)
    if isinstance(value, complex) or not isinstance(value, (Number, np.number)):
        raise Unreadable(
            f"I can't read {describe(value)} (a {type(value).__name__}) as a number; "
            "this question wants a plain number, such as 0.25."
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    except (ValueError, TypeError):
        raise Unreadable(f"I can't read {describe(value)} as a number; write a plain number, such as 0.25.") from None
    return _finite(number)


def _number_from_text(text: str) -> float:
    cleaned = text.strip().replace(" ", "").replace("_", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if re.fullmatch(r"[-+]?\d*,\d+", cleaned):  # a decimal comma: "0,28"
        cleaned = cleaned.replace(",", ".")
    cleaned = cleaned.replace(",", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise Unreadable(
            f"I read {describe(text)} as text, not a number. Write the number itself, "
            "without quotes, such as 0.25."
        ) from None
    return _finite(number / 100 if percent else number)


def _finite(number: float) -> float:
    if math.isnan(number):
        raise Unreadable(
            "Your answer is NaN ('not a number'). That usually means a calculation met "
            "missing or empty values: check the column you used and whether it has any data."
        )
    if math.isinf(number):
        raise Unreadable("Your answer is too large to be a sensible result here: check the calculation.")
    return number


def read_letter(answer: Any, n_options: int) -> int:
    """The 0-based option index from a letter such as "b", "B", "(b)" or "b)"."""
    reject_unanswered(answer)
    letters = "abcdefghij"[:n_options]
    if not isinstance(answer, str):
        raise Unreadable(
            f"Type the letter of your choice in quotes, for example \"{letters[-1]}\"."
        )
    letter = answer.strip().strip("().:").strip().lower()
    if len(letter) != 1 or letter not in letters:
        raise Unreadable(
            f"I couldn't find option {describe(answer)}. The options are "
            f"{', '.join(letters[:-1])} and {letters[-1]}: type one letter, in quotes."
        )
    return letters.index(letter)


def read_bool(answer: Any) -> bool:
    """True or False, also from "yes"/"no"/"true"/"false"."""
    reject_unanswered(answer)
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    if isinstance(answer, str):
        word = answer.strip().strip(".!").lower()
        if word in {"true", "yes", "y"}:
            return True
        if word in {"false", "no", "n"}:
            return False
    raise Unreadable("This question wants True or False (no quotes needed).")


def normalize_text(text: str) -> str:
    """Compare free text without worrying about case, spacing, quotes or end punctuation."""
    return " ".join(text.casefold().split()).strip("\"'“”‘’ .!?;:")


def read_text(answer: Any) -> str:
    """A short text answer, normalized for comparison."""
    reject_unanswered(answer)
    if not isinstance(answer, str):
        raise Unreadable("This question wants a short text answer, in quotes, such as \"validation\".")
    return normalize_text(answer)


def set_item(value: Any) -> int | str:
    """One member of a set answer: whole numbers compare as numbers, text without case."""
    if isinstance(value, (bool, np.bool_)):
        raise Unreadable("A list of True/False values can't be checked here: list the items that belong.")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str):
        text = normalize_text(value)
        return int(text) if re.fullmatch(r"[-+]?\d+", text) else text
    raise Unreadable(f"I can't read {describe(value)} as one item of your list.")


def read_set(answer: Any) -> set[int | str]:
    """A set of items from a list, tuple, set, array, "2, 5" or a single item."""
    reject_unanswered(answer)
    if isinstance(answer, dict):
        raise Unreadable("You gave a dictionary; list the items instead, for example [2, 5].")
    if isinstance(answer, str):
        items = [part for part in re.split(r"[,;]", answer) if part.strip()]
    elif isinstance(answer, (list, tuple, set, frozenset)) or hasattr(answer, "__array__"):
        items = list(np.asarray(list(answer) if isinstance(answer, (set, frozenset)) else answer, dtype=object).reshape(-1))
    else:
        items = [answer]
    if not items:
        raise Unanswered
    return {set_item(item) for item in items}
