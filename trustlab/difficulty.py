"""The last step of deliberate practice: say how hard a statement felt, and get the next difficulty.

In the APA *Essentials of Deliberate Practice* books (facts.md M2), trainees answer client
statements at beginner, intermediate and advanced difficulty, get feedback, and then assess
how hard the exercise was and adjust: harder when it was too easy, easier when it was too
hard, the same level when it was a good challenge. The drill widget asks the question after
the learner has rated their own response; the decision lives here, in plain functions that
the tests call without a kernel, so the widget only shows what :func:`suggest` returns.

Why three words ("Too easy", "About right", "Too hard") and not a 1-5 scale:

- the answer has exactly three outcomes (step up, stay, step down), so three words map onto
  them one to one; a 1-5 scale would need cut-offs (is a 4 "step up"?) that a learner would
  have to learn and that nobody has validated for this course;
- the drill already asks for a 1-5 rating of how close the response came to the models.
  Two number scales side by side invite mixing them up, and "how good was my answer" is not
  "how hard did it feel": a statement can feel hard and still be answered well;
- plain words are quicker to answer honestly than a number, and they read the same in the
  learner's journal, the portfolio and the class file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

LEVELS = ("beginner", "intermediate", "advanced")

FELT = {"too_easy": "Too easy", "about_right": "About right", "too_hard": "Too hard"}
"""What the learner can answer, in the order the buttons show, with the words they see."""

FELT_TIPS = {
    "too_easy": "I could answer it without much effort: offer me something harder",
    "about_right": "A stretch I could manage: keep me at this level",
    "too_hard": "I got stuck or froze: offer me something easier",
}

_MOVE = {"too_easy": 1, "about_right": 0, "too_hard": -1}


@dataclass(frozen=True)
class Step:
    """What to practise next, after a statement felt ``felt``."""

    felt: str  # a key of FELT
    move: str  # "up", "stay" or "down": the level actually suggested, after the edges
    difficulty: str  # the level of the next statement
    item_id: str  # the next statement's id (the same one again when it is the only one at its level)
    number: int  # where that statement sits in the drill, counting from 1, as the widget numbers them
    message: str  # the suggestion in the learner's words

    def record(self) -> dict:
        """The suggestion as flat fields for the journal entry (flat so every export can read them)."""
        return {"next_step": self.move, "next_difficulty": self.difficulty, "next_item": self.item_id}


def drill_order(items: Sequence[dict]) -> list[dict]:
    """The drill's statements easiest first, keeping the file's order within a level.

    One ordering for both the widget's numbering and the suggestion, so "Statement 4" in a
    suggestion is the statement the learner sees labelled 4.
    """
    return sorted(items, key=lambda item: LEVELS.index(item["difficulty"]))


def next_difficulty(current: str, felt: str) -> tuple[str, str]:
    """The move and the level it leads to: one up, the same, or one down; never past either end.

    At the ends the move becomes "stay": beginner is as easy as the drill goes, and advanced
    as hard, so "too hard" at beginner and "too easy" at advanced both keep the level.
    """
    if current not in LEVELS:
        raise ValueError(f"Unknown difficulty {current!r}: use one of {', '.join(LEVELS)}.")
    if felt not in _MOVE:
        raise ValueError(f"Unknown answer {felt!r}: use one of {', '.join(FELT)}.")
    index = min(max(LEVELS.index(current) + _MOVE[felt], 0), len(LEVELS) - 1)
    level = LEVELS[index]
    move = "up" if index > LEVELS.index(current) else "down" if index < LEVELS.index(current) else "stay"
    return move, level


def _level_with_items(items: Sequence[dict], current: str, wanted: str) -> str:
    """``wanted`` if the drill has statements there, else the nearest level beyond it that has, else ``current``.

    A module's drill may skip a level (a short drill, a test file): stepping up from beginner
    then goes on to advanced rather than pointing at nothing.
    """
    have = {item["difficulty"] for item in items}
    step = (LEVELS.index(wanted) > LEVELS.index(current)) - (LEVELS.index(wanted) < LEVELS.index(current))
    index = LEVELS.index(wanted)
    while 0 <= index < len(LEVELS):
        if LEVELS[index] in have:
            return LEVELS[index]
        if step == 0:
            break
        index += step
    return current


def next_item(items: Sequence[dict], current_id: str, difficulty: str) -> tuple[int, dict]:
    """The statement to try next at ``difficulty``, with its number in the drill.

    The first statement at that level after the current one, in drill order, wrapping round
    to the start; the current statement itself only when it is the only one at its level
    (then the advice is to come back to it fresh).
    """
    ordered = drill_order(items)
    position = next((i for i, item in enumerate(ordered) if item["id"] == current_id), None)
    if position is None:
        raise ValueError(f"There is no statement {current_id!r} in this drill.")
    rotated = ordered[position + 1:] + ordered[:position + 1]  # the current one last
    index, item = next((ordered.index(item), item) for item in rotated if item["difficulty"] == difficulty)
    return index + 1, item


def suggest(items: Sequence[dict], current_id: str, felt: str) -> Step:
    """After statement ``current_id`` felt ``felt``: the level to practise next and the statement to try.

    ``items`` are the drill's statements (any order); the numbers in the message are those the
    widget shows, easiest first.
    """
    current = next((item for item in items if item["id"] == current_id), None)
    if current is None:
        raise ValueError(f"There is no statement {current_id!r} in this drill.")
    level = current["difficulty"]
    move, wanted = next_difficulty(level, felt)
    target = _level_with_items(items, level, wanted)
    if target != wanted and target == level:
        move = "stay"  # nothing in that direction: the drill has no harder (or easier) statement
    number, item = next_item(items, current_id, target)
    same = item["id"] == current_id
    where = f"Statement {number} ({target})"
    if move == "up":
        message = f"Step up: try {where} next."
    elif move == "down":
        message = (f"Step down for now: try {where} next, then come back to this one. Finding your level "
                   "is part of practising, not a failure.")
    elif felt == "too_easy":
        message = ("You are at the hardest level this drill has, so stay here"
                   + (": come back to this statement in a few days and answer it fresh" if same
                      else f": try {where} next")
                   + ". To make it harder, say your reply aloud to a classmate playing the client.")
    elif felt == "too_hard":
        message = ("This is the easiest level, so stay here: read the model responses aloud, then answer "
                   "this statement again in your own words"
                   + (", tomorrow if you can." if same else f", and try {where} next."))
    else:
        message = ("Stay at this level: a stretch you can manage is what the drill is for. "
                   + ("This is the only statement at this level here, so come back to it in a few days "
                      "and answer it fresh." if same else f"Try {where} next."))
    return Step(felt=felt, move=move, difficulty=target, item_id=item["id"], number=number,
                message=f"{FELT[felt]}. {message}")
