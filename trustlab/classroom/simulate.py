"""Simulated learners: they play the real vignettes, answer the real checks and rate the real drills.

An instructor trying the debrief needs a class, and the tests need thirty; neither may use
real students' files. A simulated learner works the course as a student would, through the
same code: each vignette in the headless :class:`~trustlab.vignettes.player.Player` (its
choices reach the journal through the course's event hook and the real recorder), each
check judged by :func:`trustlab.checks.evaluate` and reported by :func:`trustlab.checks.report`,
the five-session series on the real :class:`~trustlab.vignettes.series.SeriesRun`, all into a
real :class:`~trustlab.journal.store.Journal`, and the class file is written by the real
:func:`~trustlab.journal.export.export_for_class`.

:func:`simulate_learner` returns what the learner did (:class:`Did`) in plain data, so a test
can count the class from the simulation itself and compare with what the debrief shows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from trustlab import events
from trustlab.checks import evaluate, load_checks, report
from trustlab.difficulty import FELT, suggest
from trustlab.journal.export import export_for_class
from trustlab.journal.recorder import record_answer, record_choice, record_series
from trustlab.journal.store import Journal

MAX_CHOICES = 40  # a vignette can loop back; a learner who wanders this long stops without an ending
SHARED = ("Slowing down felt awkward at first, but it is what let the client say more.",
          "I noticed I wanted to fix things quickly; naming the feeling first worked better.",
          "Being honest about how therapy works seemed to lower the client's guard.")


@dataclass
class Did:
    """What one simulated learner did, in order: the truth a test counts from."""

    plays: list[dict] = field(default_factory=list)  # {"vignette", "choices": [(scene, index, skill)], "ending"}
    answers: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # check key -> (answer, right), in order
    drills: dict[str, dict] = field(default_factory=dict)  # key -> {"level", "rating", "felt", "response"}
    shared: dict[str, str] = field(default_factory=dict)  # reflection key -> text shared
    series: list[dict] = field(default_factory=list)  # runs: {"series", "finished", "outcome", "sessions"}


class Course:
    """The shipped course as a simulated class meets it: loaded once, one Player per vignette."""

    def __init__(self, modules: list[str] | None = None):
        from trustlab.journal.widgets import load_practice
        from trustlab.vignettes.cli import shipped, shipped_series
        from trustlab.vignettes.player import Player
        from trustlab.vignettes.series import load_series
        from trustlab.vignettes.validate import load_vignette

        self.series = [load_series(p.stem) for p in shipped_series()]
        sessions = {v.id for s in self.series for v in s.sessions}
        vignettes = [load_vignette(p) for p in shipped() if p.stem not in sessions]
        self.modules = modules or sorted({v.module for v in vignettes} | {s.module for s in self.series})
        self.players = [Player(v) for v in vignettes if v.module in self.modules]
        self.series = [s for s in self.series if s.module in self.modules]
        self.checks = {m: self._quiz_items(m) for m in self.modules}
        self.drills = {m: load_practice(m)["items"] for m in self.modules}

    @staticmethod
    def _quiz_items(module: str) -> list[tuple[str, int, int]]:
        """(key, number of options, index of the right one) for the knowledge check and named sets."""
        data = load_checks(module)
        ids = list(data.get("quiz", [])) + [i for s in data.get("sets", {}).values() for i in s["items"]]
        return [(f"{module}.{i}", len(data["items"][i]["options"]),
                 next(n for n, o in enumerate(data["items"][i]["options"]) if o.get("correct"))) for i in ids]


def _play(player, rng: random.Random) -> dict:
    player.try_again()
    while not player.run.ended and len(player.run.history) < MAX_CHOICES:
        player.choose(rng.randrange(len(player.run.choices)))
        player.proceed()
    run = player.run
    return {"vignette": player.vignette.id, "ending": run.position if run.ended else None,
            "choices": [(s.scene_id, s.index, s.choice.skill) for s in run.history]}


def _series_run(series, journal: Journal, rng: random.Random, stop_after: int | None) -> dict:
    from trustlab.activity import new_attempt
    from trustlab.vignettes.series import SeriesRun
    from trustlab.vignettes.series_player import series_entry

    srun, attempt, sessions = SeriesRun(series), new_attempt(), []
    while not srun.ended and (stop_after is None or len(srun.done) < stop_after):
        run = srun.run
        while not run.ended:
            run.choose(rng.randrange(len(run.choices)))
        sessions.append({"vignette": run.vignette.id, "ending": run.position,
                         "choices": [(s.scene_id, s.index, s.choice.skill) for s in run.history]})
        srun.finish_session()
        record_series(series_entry(srun, attempt), journal)
    outcome = srun.outcome
    return {"series": series.id, "finished": srun.ended, "outcome": outcome.id if outcome else None,
            "sessions": sessions}


def simulate_learner(course: Course, journal: Journal, rng: random.Random) -> Did:
    """One learner's work on the whole course, saved to ``journal`` through the course's own code."""
    did, ability = Did(), rng.uniform(0.3, 0.9)
    listeners = [events.subscribe("vignette.choice", lambda event: record_choice(event, journal)),
                 events.subscribe("check.answer", lambda event: record_answer(event, journal))]
    try:
        for player in course.players:
            if rng.random() < 0.9:
                did.plays.append(_play(player, rng))
                if rng.random() < 0.25:  # some play again to see another ending: only the first counts
                    did.plays.append(_play(player, rng))
        for module in course.modules:
            for key, n_options, right in course.checks[module]:
                if rng.random() < 0.1:
                    continue
                first = right if rng.random() < ability else rng.choice([i for i in range(n_options) if i != right])
                tries = [first] if first == right else [first, right]  # a wrong first answer, then the right one
                for index in tries:
                    letter = "abcdefghij"[index]
                    report(key, letter, evaluate(key, letter))
                    did.answers.setdefault(key, []).append((letter, index == right))
            _drills(course, module, journal, rng, did)
            if rng.random() < 0.3:
                text = rng.choice(SHARED)
                journal.add("reflection", module, f"{module}.class_debrief", text=text, share=True,
                            prompt="What will you try differently after this module?")
                did.shared[f"{module}.class_debrief"] = text
            journal.add("reflection", module, f"{module}.private", text="Something I keep to myself.", share=False,
                        prompt="What did this module stir up for you?")
        for series in course.series:
            if rng.random() < 0.85:
                did.series.append(_series_run(series, journal, rng, None if rng.random() < 0.85 else 2))
    finally:
        for unsubscribe in listeners:
            unsubscribe()
    return did


def _drills(course: Course, module: str, journal: Journal, rng: random.Random, did: Did) -> None:
    """A few statements per module, saved as the drill widget saves them (see journal.widgets.Drill)."""
    items = course.drills[module]
    for item in rng.sample(items, min(len(items), rng.randint(1, 4))):
        felt = rng.choice([None, *FELT])
        rating = rng.choice([None, 1, 2, 3, 4, 5])
        share = rng.random() < 0.15
        response = f"It sounds like this matters a lot to you ({item['id']})."
        met = [rng.random() < 0.5 for _ in item["criteria"]]
        step = suggest(items, item["id"], felt).record() if felt else {
            "next_step": None, "next_difficulty": None, "next_item": None}
        key = f"{module}.drill.{item['id']}"
        journal.add("drill", module, key, difficulty=item["difficulty"], statement=item["statement"],
                    criteria=list(item["criteria"]), **step, response=response, criteria_met=met,
                    self_rating=rating, felt_difficulty=felt, share=share)
        did.drills[key] = {"level": item["difficulty"], "rating": rating, "felt": felt,
                           "response": response if share else None}


def simulate_class(folder: Path | str, learners: int = 20, seed: int = 2024, journals: Path | str | None = None,
                   course: Course | None = None) -> list[Did]:
    """Write ``learners`` class files (``class-file-01.json`` ...) into ``folder``; returns what each learner did.

    ``journals`` is where their journals go (a temporary folder if not given; a folder in memory,
    such as /dev/shm, makes it about thirty times faster, since every save is a real commit)."""
    import tempfile

    folder, rng, course = Path(folder), random.Random(seed), course or Course()
    if journals is None and Path("/dev/shm").is_dir():  # the journals are thrown away: keep them in memory
        journals = "/dev/shm"
    folder.mkdir(parents=True, exist_ok=True)
    did = []
    with tempfile.TemporaryDirectory(dir=journals) as tmp:
        for n in range(1, learners + 1):
            journal = Journal(Path(tmp) / f"learner-{n}.sqlite3")
            did.append(simulate_learner(course, journal, rng))
            export_for_class(folder / f"class-file-{n:02d}.json", journal)
    return did
