"""What a class did, counted from the class files: one plain function per question the debrief answers.

Every count is of *learners*, each learner once, and always of their first try, as the quiz
scores it: a learner's first finished play of a vignette (later plays that explore other
endings are not counted), the first judged answer to each check, the first finished run
through a series (or the run they are on, if none has finished). The first try shows what
the class would do; the later ones show that they explored, which is good but is not a
finding. Turning counts into words that hide small numbers is :mod:`trustlab.classroom.report`'s job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

from trustlab.classroom.classfiles import ClassFile

LEVELS = ("beginner", "intermediate", "advanced")


@dataclass
class PathTally:
    """A vignette (or one session of a series): how many learners took each choice and reached each ending."""

    learners: int = 0
    choices: Counter = field(default_factory=Counter)  # (scene id, 0-based choice index) -> learners
    endings: Counter = field(default_factory=Counter)  # ending id -> learners
    skills: Counter = field(default_factory=Counter)  # skill id -> learners who chose it at least once

    def add(self, choices: list[dict], ending: str | None) -> None:
        self.learners += 1
        self.choices.update({(c["scene"], c["choice"]) for c in choices})
        self.skills.update({c["skill"] for c in choices if c.get("skill")})
        if ending:
            self.endings[ending] += 1


@dataclass
class CheckTally:
    answered: int = 0  # learners whose first answer was judged (version 2 files only)
    right: int = 0
    wrong: Counter = field(default_factory=Counter)  # first wrong answer -> learners


@dataclass
class LevelTally:
    learners: set = field(default_factory=set)
    ratings: list = field(default_factory=list)
    raters: set = field(default_factory=set)
    felt: dict = field(default_factory=dict)  # felt difficulty -> set of learners

    @property
    def mean_rating(self) -> float | None:
        return mean(self.ratings) if self.ratings else None


@dataclass
class SeriesTally:
    learners: int = 0
    finished: int = 0
    outcomes: Counter = field(default_factory=Counter)
    sessions: dict = field(default_factory=dict)  # session number -> (vignette id, PathTally)


def first_plays(files: list[ClassFile], leave_out: set[str] = frozenset()) -> dict[str, PathTally]:
    """Per vignette id, each learner's first finished play (a session of a series is counted with its series)."""
    tallies: dict[str, PathTally] = {}
    for f in files:
        seen: set[str] = set()
        for play in f.record["vignettes"]:
            vid = play["vignette"]
            if vid in seen or vid in leave_out or not play.get("ending"):
                continue
            seen.add(vid)
            tallies.setdefault(vid, PathTally()).add(play["choices"], play["ending"])
    return tallies


def first_answers(files: list[ClassFile]) -> dict[str, CheckTally]:
    """Per check key, the first judged answers (version 1 files recorded only the latest: left out)."""
    tallies: dict[str, CheckTally] = {}
    for f in files:
        for check in f.record["checks"]:
            if f.version < 2 or check.get("first_correct") is None:
                continue
            tally = tallies.setdefault(check["key"], CheckTally())
            tally.answered += 1
            if check["first_correct"]:
                tally.right += 1
            elif check.get("first_answer") is not None:
                tally.wrong[check["first_answer"]] += 1
    return tallies


def drill_levels(files: list[ClassFile]) -> dict[str, dict[str, LevelTally]]:
    """Per module, per difficulty level: who practised, their self-ratings (1-5), and how hard it felt."""
    found: dict[str, dict[str, LevelTally]] = {}
    for n, f in enumerate(files):
        for drill in f.record["drills"]:
            module, level = drill["key"].split(".")[0], drill.get("difficulty") or "not given"
            tally = found.setdefault(module, {}).setdefault(level, LevelTally())
            tally.learners.add(n)
            if drill.get("self_rating") is not None:
                tally.ratings.append(drill["self_rating"])
                tally.raters.add(n)
            if drill.get("felt_difficulty"):
                tally.felt.setdefault(drill["felt_difficulty"], set()).add(n)
    return found


def series_runs(files: list[ClassFile]) -> dict[str, SeriesTally]:
    """Per series, each learner's first finished run (else the run they are on): outcomes and session endings."""
    tallies: dict[str, SeriesTally] = {}
    for f in files:
        runs: dict[str, list[dict]] = {}
        for run in f.record.get("series") or []:
            runs.setdefault(run["series"], []).append(run)
        for sid, found in runs.items():
            run = next((r for r in found if r["finished"]), found[-1])
            tally = tallies.setdefault(sid, SeriesTally())
            tally.learners += 1
            if run["finished"]:
                tally.finished += 1
                tally.outcomes[run.get("outcome") or "unknown"] += 1
            for session in run["sessions"]:
                _, path = tally.sessions.setdefault(session["session"], (session["vignette"], PathTally()))
                path.add(session["choices"], session.get("ending"))
    return tallies


def shared_texts(files: list[ClassFile]) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """Reflections and drill responses learners chose to share: the words only, sorted, so neither the order
    of the files nor anything else ties a text to a learner. Reflections: key -> {"prompt", "texts"}."""
    reflections: dict[str, dict] = {}
    responses: dict[str, list[str]] = {}
    for f in files:
        for r in f.record["reflections"]:
            if (r.get("text") or "").strip():
                item = reflections.setdefault(r["key"], {"prompt": None, "texts": []})
                item["prompt"] = item["prompt"] or r.get("prompt")
                item["texts"].append(r["text"].strip())
        for d in f.record["drills"]:
            if (d.get("response") or "").strip():
                responses.setdefault(d["key"], []).append(d["response"].strip())
    for item in reflections.values():
        item["texts"].sort(key=str.lower)
    for texts in responses.values():
        texts.sort(key=str.lower)
    return reflections, responses
