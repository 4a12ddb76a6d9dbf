"""Reading what a learner typed into a check.

Learners pass anything: ``...``, ``None``, ``"0,28"``, ``"28%"``, ``"1,500"``, a whole
DataFrame, ``True``, ``float("nan")``, ``pd.NA``, ``10**1000``. Each reader here turns a
raw answer into a clean value or raises :class:`Unreadable` with a sentence that tells
the learner what kind of answer the question wants. The checks never let anything else
escape.

How numbers written as text are read (one rule, used by every number check):

- **Percent strings say their own unit.** ``"64%"`` means 64 hundredths, so its
  :attr:`Reading.value` is 0.64, the same quantity as the proportion 0.64. A question
  whose answer is a proportion therefore accepts ``"64%"`` exactly when it accepts 0.64,
  and a question whose answer is written in percent accepts it exactly when it accepts
  64 (see :meth:`Reading.in_unit`). A learner is never told to convert a number that
  already says what it is.
- **Commas:** groups of three digits after a comma are a thousands separator
  (``"1,500"`` is 1500, ``"12,345.5"`` is 12345.5); any other single comma between digits
  is a decimal comma (``"0,28"`` and ``"30,9"``, as many European keyboards write them).
- Spaces, underscores and a typographic minus sign are ignored.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass
from numbers import Number
from typing import Any

import numpy as np

# the units a number item can declare (data/schemas/checks.schema.json, ``unit``)
PROPORTION, PERCENT = "proportion", "percent"


class Unanswered(Exception):
    """The learner has not answered yet (``...``, ``None`` or an empty string)."""


class Unreadable(Exception):
    """The answer is of a kind the question cannot read; the message says which kind it wants."""


class Missing(Unreadable):
    """The answer is empty (NaN, ``pd.NA``, no rows): usually a filter that kept nothing.

    A subclass, so a check can add what it knows about the question (for example the
    valid names of the groups it filters on) to the message.
    """


@dataclass(frozen=True)
class Reading:
    """One number as the learner wrote it.

    ``value`` is the quantity ("64%" gives 0.64); ``percent`` says the learner wrote a
    percent sign; ``decimals`` is how many decimal places the learner gave (``None`` when
    that cannot be told, for example ``1e-3``), which lets a check recognise rounding.
    """

    value: float
    percent: bool = False
    decimals: int | None = None

    def in_unit(self, unit: str | None) -> float:
        """The number in the question's unit: a percent string is its percent in a percent question."""
        return self.value * 100 if self.percent and unit == PERCENT else self.value

    def decimals_in_unit(self, unit: str | None) -> int | None:
        """Decimal places of :meth:`in_unit` (a percent string read as a proportion gains two)."""
        if self.decimals is None or not self.percent or unit == PERCENT:
            return self.decimals
        return self.decimals + 2

    def shown(self) -> str:
        """The number the way the learner wrote it, for feedback."""
        if self.percent:
            return f"{plain(self.value * 100)}%"
        return plain(self.value)


def plain(number: float) -> str:
    """A number without float noise: 0.30000000000000004 shows as 0.3, 31.0 as 31."""
    return f"{round(number, 10):g}" if abs(number) < 1e15 else f"{number:g}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """``"1 value"``, ``"2 values"``: the one place the checks choose singular or plural."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


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


def is_missing(value: Any) -> bool:
    """True for pandas' and numpy's "no value" markers (``pd.NA``, ``pd.NaT``, NaN)."""
    pandas = sys.modules.get("pandas")  # a pandas marker can only exist once pandas is loaded
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


_EMPTY = ("Your answer is empty ({what}): the calculation had no values to work with. That "
          "usually means a filter kept no rows, for example because a group's name is not "
          "spelled exactly as in the data, or that the column you used is all missing values.")


def _single(answer: Any) -> Any:
    """Unwrap a one-element array, Series or DataFrame; refuse bigger containers."""
    if isinstance(answer, (list, tuple, set, frozenset, dict)):
        kind = type(answer).__name__
        if not answer:
            raise Unreadable(f"You gave an empty {kind}; this question wants one number.")
        brackets = " (without the brackets)" if len(answer) == 1 else ""
        raise Unreadable(f"You gave a {kind} of {plural(len(answer), 'value')}; this question wants "
                         f"one number{brackets}.")
    size = getattr(answer, "size", None)
    if size is None or not hasattr(answer, "shape"):
        return answer
    if size == 1:
        return np.asarray(answer, dtype=object).reshape(-1)[0]
    kind = type(answer).__name__
    if size == 0:
        raise Missing(_EMPTY.format(what=f"a {kind} with no values"))
    shape = "×".join(str(n) for n in answer.shape)
    raise Unreadable(
        f"You gave a {kind} ({shape} values); this question wants one number. "
        "Pick the column you need and summarise it, for example with .mean(), .sum() or len()."
    )


def read_number(answer: Any) -> Reading:
    """A finite number from a number, a numeric string or a 1-value container (see the module's rule)."""
    reject_unanswered(answer)
    value = _single(answer)
    if is_missing(value):
        what = "NaN, 'not a number'" if isinstance(value, (float, np.floating)) else describe(value)
        raise Missing(_EMPTY.format(what=what))
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
        raise Unreadable("Your answer is far too large to be a sensible result here: check the calculation.") from None
    except (ValueError, TypeError):
        raise Unreadable(f"I can't read {describe(value)} as a number; write a plain number, such as 0.25.") from None
    return Reading(_finite(number), decimals=_decimals_of_float(value, number))


_THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[-+]?\d*,\d+")


def _number_from_text(text: str) -> Reading:
    cleaned = re.sub(r"[\s_\u00a0\u202f]", "", text).replace("\u2212", "-")
    percent = cleaned.endswith("%")
    cleaned = cleaned[:-1] if percent else cleaned
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(cleaned):
        cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        raise Unreadable(
            f"I read {describe(text)} as text, not a number. Write the number itself, "
            "without quotes, such as 0.25."
        ) from None
    number = _finite(number)
    decimals = None if re.search(r"[eE]", cleaned) else len(cleaned.partition(".")[2])
    return Reading(number / 100 if percent else number, percent, decimals)


def _decimals_of_float(original: Any, number: float) -> int | None:
    """Decimal places as the value would be written: 31 → 0, 30.9 → 1 (shortest repr)."""
    if isinstance(original, (int, np.integer)):
        return 0
    text = repr(number)
    if "e" in text or "n" in text:
        return None
    return len(text.partition(".")[2].rstrip("0"))


def _finite(number: float) -> float:
    if math.isnan(number):
        raise Missing(_EMPTY.format(what="NaN, 'not a number'"))
    if math.isinf(number):
        sign = "minus infinity" if number < 0 else "infinity"
        raise Unreadable(
            f"Your answer is {sign}, not a finite number. That usually comes from dividing by "
            "zero, for example by the size of a group that has no rows: check the calculation."
        )
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
