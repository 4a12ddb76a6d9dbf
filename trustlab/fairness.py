"""Can an answer be guessed from its form? Figures for authors, and the content test's logic.

A learner who notices that the trust-building choice is always the longest, or always the
first, learns to pick by shape instead of by thinking, and the course stops teaching. The
vignette player and the quiz shuffle what is on screen, but exported files, printed
copies and the exercises' lettered lists show the YAML order, so the files themselves
must not give the answer away. Run it before shipping a vignette or a checks file::

    python -m trustlab.fairness

It prints one line per figure and exits 1 when a figure is over its limit, naming the
scenes or items to rewrite. The figures: how often the best choice (or the correct option)
is the longest, how often it has its most common other length rank (second longest, say),
and how often it sits in its most common place in the file.
"""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from trustlab.content import ContentError, read_yaml
from trustlab.paths import data_dir

LONGEST_LIMIT = 0.45  # the best answer may be the longest (or any one length rank) in at most this share
POSITION_LIMIT = 0.60  # and may sit in the same place in at most this share


@dataclass(frozen=True)
class Question:
    """One scene or multiple-choice item, reduced to what a guess by form could use."""

    name: str  # "first_contact.waiting_room" or "m00.q1"
    lengths: tuple[int, ...]  # each choice's length in characters, in YAML order
    best: frozenset[int]  # the YAML positions of the best choice (more than one only on a tie)

    @property
    def best_is_longest(self) -> bool:
        """True when a best choice is at least as long as every other choice (a tie counts)."""
        return 1 in self.best_ranks

    @property
    def best_ranks(self) -> frozenset[int]:
        """Where the best choice stands by length: 1 = longest, 2 = second longest … (ties share a rank)."""
        return frozenset(1 + sum(other > self.lengths[i] for other in self.lengths) for i in self.best)


@dataclass(frozen=True)
class Figure:
    """One measured share, its limit, and the scenes or items that make it up."""

    label: str  # "best choice longest", "correct option longest" …
    unit: str  # "scenes" or "items"
    names: tuple[str, ...]
    total: int
    limit: float

    @property
    def count(self) -> int:
        return len(self.names)

    @property
    def passed(self) -> bool:
        return self.total == 0 or self.count <= self.limit * self.total

    def __str__(self) -> str:
        line = f"{self.label} in {self.count} of {self.total} {self.unit}"
        if not self.passed:
            line += (f": over the limit of {self.limit:.0%}. Rewrite some of these so the best answer "
                     f"is not the one that stands out: {', '.join(self.names)}")
        return line


def _length(text: str) -> int:
    """Characters as read: runs of whitespace (YAML folding, line breaks) count once."""
    return len(" ".join(str(text).split()))


def _best(choices: list[dict], kinds: dict[str, str]) -> frozenset[int]:
    """The choice that builds trust and, among those, helps the trust meter most.

    A choice tagged with a skill that builds trust beats one that risks it; then the larger
    trust effect wins, then the larger sum of all effects (openness, hope …). Ties stay ties.
    """
    def value(choice: dict) -> tuple[bool, float, float]:
        effects = choice.get("effects") or {}
        return (kinds.get(choice.get("skill"), "") == "builds", effects.get("trust", 0), sum(effects.values()))

    values = [value(c) for c in choices]
    top = max(values)
    return frozenset(i for i, v in enumerate(values) if v == top)


def scenes(data: Path | None = None) -> list[Question]:
    """Every scene of every vignette in ``data/vignettes/`` (skills.yaml is the vocabulary)."""
    folder = (data or data_dir()) / "vignettes"
    kinds = {sid: s["kind"] for sid, s in read_yaml(folder / "skills.yaml").items()}
    found = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "skills.yaml":
            continue
        with _incomplete(path, "python -m trustlab.vignettes check"):
            for sid, scene in read_yaml(path)["scenes"].items():
                choices = scene["choices"]
                found.append(Question(f"{path.stem}.{sid}", tuple(_length(c["text"]) for c in choices),
                                      _best(choices, kinds)))
    return found


def items(data: Path | None = None) -> list[Question]:
    """Every multiple-choice item (quiz questions and exercises) in ``data/checks/``."""
    found = []
    for path in sorted(((data or data_dir()) / "checks").glob("*.yaml")):
        with _incomplete(path, "the tests in tests/test_checks*.py"):
            for key, item in read_yaml(path)["items"].items():
                if item.get("kind") != "choice":
                    continue
                options = item["options"]
                found.append(Question(f"{path.stem}.{key}", tuple(_length(o["text"]) for o in options),
                                      frozenset(i for i, o in enumerate(options) if o.get("correct"))))
    return found


@contextmanager
def _incomplete(path: Path, checker: str) -> Iterator[None]:
    """Turn a half-written file (an author mid-edit) into a message naming it, not a traceback."""
    try:
        yield
    except (KeyError, TypeError, AttributeError) as err:
        raise ContentError(f"{path}: the fairness figures cannot read this file yet ({type(err).__name__}: {err}); "
                           f"complete it, and run {checker} for the exact place") from None


def _same_place(questions: list[Question], label: str, unit: str) -> Figure:
    """How often the best answer sits in its most common YAML position."""
    places = Counter(i for q in questions for i in q.best)
    if not places:
        return Figure(f"{label} first", unit, (), len(questions), POSITION_LIMIT)
    place = places.most_common(1)[0][0]
    where = "first" if place == 0 else f"in position {place + 1}"
    return Figure(f"{label} {where}", unit, tuple(q.name for q in questions if place in q.best),
                  len(questions), POSITION_LIMIT)


ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _same_rank(questions: list[Question], label: str, unit: str) -> Figure:
    """How often the best answer has its most common length rank after the longest.

    Making the best answer never the longest is not enough: if it is then nearly always the
    second longest, "pick the second longest" becomes the new trick.
    """
    ranks = Counter(r for q in questions for r in q.best_ranks if r > 1)
    rank = ranks.most_common(1)[0][0] if ranks else 2
    return Figure(f"{label} {ORDINALS.get(rank, f'{rank}th')} longest", unit,
                  tuple(q.name for q in questions if rank in q.best_ranks), len(questions), LONGEST_LIMIT)


def figures(data: Path | None = None) -> list[Figure]:
    """Longest, most common other length rank, and most common place: for scenes, then for items."""
    found_scenes, found_items = scenes(data), items(data)
    return [
        Figure("best choice longest", "scenes", tuple(q.name for q in found_scenes if q.best_is_longest),
               len(found_scenes), LONGEST_LIMIT),
        Figure("correct option longest", "items", tuple(q.name for q in found_items if q.best_is_longest),
               len(found_items), LONGEST_LIMIT),
        _same_rank(found_scenes, "best choice", "scenes"),
        _same_rank(found_items, "correct option", "items"),
        _same_place(found_scenes, "best choice", "scenes"),
        _same_place(found_items, "correct option", "items"),
    ]


def main() -> int:
    """Print every figure; exit 1 if any is over its limit, 2 if a file cannot be read as content."""
    try:
        results = figures()
    except ContentError as err:
        print(err)
        return 2
    for figure in results:
        print(("" if figure.passed else "TOO OFTEN: ") + str(figure))
    return 0 if all(f.passed for f in results) else 1


if __name__ == "__main__":
    sys.exit(main())
