"""Goal Attainment Scaling (GAS): the summary T-score of Kiresuk and Sherman (1968), facts.md G3.

Each goal is scored from -2 (much less than expected) through 0 (the expected level) to +2
(much more than expected) and weighted by how much it matters. The summary score is

    T = 50 + 10 * sum(w_i * x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2)

with rho, the assumed correlation between goal scores, conventionally .30. T = 50 means the
goals were met at the expected level on average; every 10 points is one standard deviation
of the scale above or below that.

This module holds the arithmetic and the plain-language reading of a T-score, and nothing
else, so the data lab, the GAS worksheet and the tests all use one formula. Scores and
weights may be lists, numpy arrays or pandas columns (the data lab passes a client's rows).

The worksheet learners fill in, ``gas("m04.my_client")``, is in ``trustlab/gas_widget.py``; the
module has a name of its own so that ``from trustlab import gas`` is always the worksheet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any

__all__ = ["LEVELS", "RHO", "GasError", "gas_t_score", "signed", "t_score_meaning"]

RHO = 0.30  # Kiresuk & Sherman's conventional correlation between goal scores
LEVELS = {
    -2: "much less than expected",
    -1: "somewhat less than expected",
    0: "the expected level",
    1: "somewhat more than expected",
    2: "much more than expected",
}
EXAMPLE = "e.g. gas_t_score([1, 0, -1], [3, 2, 1])"


def signed(score: int) -> str:
    """A level as the scale writes it: "−2", "−1", "0", "+1", "+2" (a true minus sign, read as "minus")."""
    return f"{score:+d}".replace("-", "\u2212") if score else "0"


class GasError(ValueError):
    """Scores, weights or rho that a GAS T-score cannot be computed from, said plainly."""


def _number(value: object, what: str) -> float:
    """A finite number; True/False are refused (Python would count them as 1 and 0, silently)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise GasError(f"{what} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise GasError(f"{what} is missing (it is {value!r}): give a number, or leave that goal out")
    return number


def _as_list(values: object, what: str) -> list[Any]:
    """Any list-like of values (list, tuple, numpy array, pandas column) as a plain list.

    Text and dictionaries are refused although they can be iterated: a string of digits read
    character by character, or a dictionary's keys, would be silently wrong scores.
    """
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise GasError(f"give the {what} as a list of numbers, one per goal ({EXAMPLE}), not {values!r}")
    try:
        return list(values)
    except TypeError:  # a numpy number in an array of no dimensions claims to be iterable, and is not
        raise GasError(f"give the {what} as a list of numbers, one per goal ({EXAMPLE}), not {values!r}") from None


def _checked(scores: object, weights: object, rho: object) -> tuple[list[float], list[float], float]:
    """Scores as -2..+2 numbers, weights as positive numbers (all 1 if none), rho in [0, 1)."""
    xs = [_number(x, f"goal score {i + 1}") for i, x in enumerate(_as_list(scores, "goal scores"))]
    if not xs:
        raise GasError(f"give at least one goal score, {EXAMPLE}")
    bad = [x for x in xs if x not in LEVELS]
    if bad:
        raise GasError(f"goal scores are whole numbers from -2 to +2; {bad[0]:g} is not one of them")
    if weights is None:
        ws = [1.0] * len(xs)
    else:
        ws = [_number(w, f"weight {i + 1}") for i, w in enumerate(_as_list(weights, "weights"))]
        if len(ws) != len(xs):
            raise GasError(f"give one weight per goal: {len(xs)} scores but {len(ws)} weights")
        if any(w <= 0 for w in ws):
            raise GasError("weights say how much each goal matters, so each must be above 0")
    r = _number(rho, "rho")
    if not 0 <= r < 1:
        raise GasError(f"rho is the assumed correlation between goal scores, from 0 up to (not including) 1; "
                       f"not {r:g}")
    return xs, ws, r


def gas_t_score(scores: Iterable[float], weights: Iterable[float] | None = None, rho: float = RHO) -> float:
    """The GAS summary T-score of one client's goals (G3); raises GasError on scores it cannot use."""
    xs, ws, r = _checked(scores, weights, rho)
    spread = math.sqrt((1 - r) * sum(w * w for w in ws) + r * sum(ws) ** 2)
    return 50 + 10 * sum(w * x for w, x in zip(ws, xs)) / spread


def t_score_meaning(t: float) -> str:
    """One sentence a learner can say to a client or supervisor about a T-score.

    "Well" above or below starts beyond one standard deviation (10 points), so a single goal
    reached at +1 ("somewhat more than expected", T = 60) is not described as "well above".
    """
    if t > 60:
        where = "well above what was expected: the goals were met beyond the level you both set"
    elif t > 50:
        where = "somewhat above what was expected, on the whole"
    elif t == 50:
        where = "exactly at the expected level, on average: what you both hoped for, no more and no less"
    elif t >= 40:
        where = "somewhat below what was expected, on the whole"
    else:
        where = "well below what was expected: worth talking through together, goal by goal"
    return (f"T = {t:.1f}: {where}. 50 is the expected level and every 10 points is one standard deviation "
            "of the scale; it says how far the goals you set together were met, not how much the client changed "
            "in general.")
