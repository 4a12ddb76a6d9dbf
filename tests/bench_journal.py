"""Benchmark the learner's journal: how long a save and a portfolio take as the journal grows.

    .venv/bin/python tests/bench_journal.py           # the sizes of issue 13: 100 and 20,000 entries
    .venv/bin/python tests/bench_journal.py --small   # small sizes, as tests/test_journal_bench.py runs it

Targets (issue 13, item 6): a save at 20,000 entries within 2x of a save at 100; the
portfolio of a whole course's work (every vignette finished 5 times, every reflection,
drill and check) in under 5 s, and of 20,000 entries in under 30 s.

"A whole course" is the blueprint's six modules, each with 8 vignettes, 5 reflections,
the drill statements and checks of a module: the course's real content (its vignettes
played to an ending through the real player and recorder, its drill and check files),
repeated under each module's id where a module is not written yet. Journals are filled
through ``Journal.recover`` from a JSON file (one commit), so filling 20,000 entries
takes seconds; every timed save is a real ``Journal.add`` or reflection-box save.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from itertools import cycle
from pathlib import Path
from typing import Any

from trustlab.journal.store import FORMAT, VERSION, Journal, now

MODULES = 6
VIGNETTES_PER_MODULE = 8
REFLECTIONS_PER_MODULE = 5
FINISHES = 5  # every vignette finished this many times
TARGET_SAVE_RATIO = 2.0
TARGET_COURSE_SECONDS = 5.0
TARGET_LARGE_SECONDS = 30.0


class Collector:
    """Stands in for the journal when content is generated: entries as ``Journal.add`` makes them."""

    def __init__(self) -> None:
        self.entries: list[dict] = []
        self.notices: list[str] = []
        self.path = Path("collector")
        self.module: str | None = None  # write under this module (a vignette replayed as another module's)
        self.key: str | None = None

    def add(self, kind: str, module: str, key: str, **data: Any) -> dict:
        entry = {"id": uuid.uuid4().hex, "kind": kind, "module": self.module or module, "key": self.key or key,
                 "saved_at": now(), **data}
        self.entries.append(entry)
        return entry


_players: dict[Path, Any] = {}  # one player per vignette file: reading YAML is not what is measured
_sink: list[Collector] = []  # where the players' choices go


def _vignette_attempts(collector: Collector, module: str, rng: random.Random, finishes: int,
                       per_module: int) -> None:
    """Play the course's vignettes to an ending, each choice recorded as the recorder does in a notebook."""
    from trustlab.journal.recorder import record_choice
    from trustlab.paths import data_dir
    from trustlab.vignettes import load_vignette
    from trustlab.vignettes.player import Player

    files = sorted(p for p in (data_dir() / "vignettes").glob("*.yaml") if p.stem != "skills")
    for number, path in zip(range(per_module), cycle(files)):
        if path not in _players:
            _players[path] = Player(load_vignette(path), on_choice=lambda event: record_choice(event, _sink[0]))
        player = _players[path]
        _sink[:] = [collector]
        collector.module, collector.key = module, f"{path.stem}_{number}"
        for _ in range(finishes):
            player.try_again()
            while not player.run.ended:
                player.choose(rng.randrange(len(player.run.choices)))
                player.proceed()
    collector.module = collector.key = None


_content: dict[tuple[str, str], Any] = {}


def _load(kind: str, module: str) -> Any:
    from trustlab.checks import load_checks
    from trustlab.journal.widgets import load_practice

    if (kind, module) not in _content:
        _content[kind, module] = (load_practice if kind == "practice" else load_checks)(module)
    return _content[kind, module]


def _module_work(collector: Collector, module: str, rng: random.Random, finishes: int) -> None:
    """One module's reflections, drills and checks, with the fields the widgets and checks save."""
    from trustlab.journal.recorder import record_answer
    from trustlab.paths import data_dir

    real = sorted(p.stem for p in (data_dir() / "practice").glob("*.yaml"))
    source = module if module in real else real[int(module[1:]) % len(real)]
    for n in range(REFLECTIONS_PER_MODULE):
        for version in range(2):  # written, then edited once
            collector.add("reflection", module, f"{module}.reflection_{n}", prompt=f"Prompt {n} of {module}: "
                          "think of a time you *trusted* a helper.",
                          text=f"Version {version}: " + "Something I noticed about trust. " * 20, share=n == 0)
    for item in _load("practice", source)["items"]:
        collector.add("drill", module, f"{module}.drill.{item['id']}", difficulty=item["difficulty"],
                      statement=item["statement"], criteria=list(item["criteria"]),
                      response="It sounds like that was hard to say. " * 3,
                      criteria_met=[rng.random() < 0.5 for _ in item["criteria"]], self_rating=rng.randint(1, 5),
                      share=False)
    checks_source = module if (data_dir() / "checks" / f"{module}.yaml").exists() else source
    for item_id, item in _load("checks", checks_source)["items"].items():
        for correct in (False, True):
            record_answer({"key": f"{module}.{item_id}", "prompt": item.get("prompt"), "answer": "b",
                           "status": "Correct" if correct else "Not yet", "correct": correct}, collector)
    _vignette_attempts(collector, module, rng, finishes, VIGNETTES_PER_MODULE)


def course_work(rng: random.Random, modules: int = MODULES, finishes: int = FINISHES) -> list[dict]:
    """A whole course's work, as a learner's journal holds it after finishing every module."""
    collector = Collector()
    for number in range(modules):
        _module_work(collector, f"m{number:02d}", rng, finishes)
    return collector.entries


def entries_of_size(size: int, rng: random.Random) -> list[dict]:
    """At least ``size`` entries of course work (more vignette attempts, as a keen learner makes), cut to size."""
    entries: list[dict] = []
    while len(entries) < size:
        entries += course_work(rng, finishes=FINISHES)
    return entries[:size]


def fill(folder: Path, entries: list[dict]) -> Journal:
    """A journal holding ``entries``, made in one commit through ``Journal.recover``."""
    source = folder / "source.json"
    source.write_text(json.dumps({"format": FORMAT, "version": VERSION, "entries": entries}), encoding="utf-8")
    journal = Journal(folder / "journal.sqlite3")
    journal.recover(source)
    source.unlink()
    return journal


def time_saves(journals: dict[int, Journal], repeats: int) -> dict[int, dict[str, float]]:
    """Median seconds of a ``Journal.add`` and of a reflection box's save, per journal size.

    The sizes take turns, save by save, so a busy machine slows them alike and the
    ratio compares the journals, not two moments of the machine's load.
    """
    from trustlab.journal.widgets import ReflectionBox

    times: dict[int, dict[str, list[float]]] = {size: {"add": [], "reflection": []} for size in journals}
    boxes = {size: ReflectionBox("m00.bench_reflection", "A prompt", journal) for size, journal in journals.items()}
    for n in range(repeats):
        for size, journal in journals.items():
            start = time.perf_counter()
            journal.add("check", "m00", f"m00.bench{n}", prompt="Q?", answer="b", status="Correct", correct=True)
            times[size]["add"].append(time.perf_counter() - start)
            start = time.perf_counter()
            boxes[size].text.value = f"Text {n}: " + "words " * 60  # outside an event loop a change saves at once
            times[size]["reflection"].append(time.perf_counter() - start)
            assert boxes[size].status.state == "ok", boxes[size].status.text
    return {size: {kind: statistics.median(found) for kind, found in kinds.items()} for size, kinds in times.items()}


def time_first_open(journal: Journal) -> float:
    """Seconds of a kernel's first use of the journal, when it checks the whole file (``PRAGMA quick_check``)."""
    from trustlab.journal.store import forget_state

    forget_state()
    start = time.perf_counter()
    Journal(journal.path).open()
    return time.perf_counter() - start


def time_exports(journal: Journal, folder: Path) -> dict[str, float]:
    from trustlab.journal.export import export_json, export_portfolio

    start = time.perf_counter()
    page = export_portfolio(folder / "portfolio.html", journal)
    portfolio = time.perf_counter() - start
    start = time.perf_counter()
    export_json(folder / "journal-copy.json", journal)
    return {"portfolio": portfolio, "export_json": time.perf_counter() - start,
            "portfolio_mb": page.stat().st_size / 1e6, "charts": page.read_text(encoding="utf-8").count("<svg")}


def run(small_size: int = 100, large_size: int = 20_000, repeats: int = 31, modules: int = MODULES,
        seed: int = 13) -> dict[str, Any]:
    """Every figure of the benchmark, as a dict (the test reads it; ``main`` prints it)."""
    rng = random.Random(seed)
    results: dict[str, Any] = {"sizes": [small_size, large_size]}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        journals = {}
        for size in (small_size, large_size):
            (folder / str(size)).mkdir()
            journals[size] = fill(folder / str(size), entries_of_size(size, rng))
        for size, figures in time_saves(journals, repeats).items():
            results[f"save_{size}"] = figures
            results[f"save_{size}"]["first_open"] = time_first_open(journals[size])
        (folder / "course").mkdir()
        work = course_work(rng, modules=modules)
        course = fill(folder / "course", work)
        results["course"] = {"entries": len(work), **time_exports(course, folder / "course")}
        large = Journal(folder / str(large_size) / "journal.sqlite3")
        results["database_mb"] = large.path.stat().st_size / 1e6
        results["large"] = {"entries": large_size, **time_exports(large, folder / str(large_size))}
    small, large = results[f"save_{small_size}"], results[f"save_{large_size}"]
    results["save_ratio"] = {kind: large[kind] / small[kind] for kind in ("add", "reflection")}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="small sizes (100 and 2,000 entries, 2 modules)")
    args = parser.parse_args(argv)
    figures = run(large_size=2_000, modules=2) if args.small else run()
    small, large = figures["sizes"]
    print(f"save at {small:>6,} entries: add {figures[f'save_{small}']['add'] * 1e3:7.2f} ms, "
          f"reflection box {figures[f'save_{small}']['reflection'] * 1e3:7.2f} ms")
    print(f"save at {large:>6,} entries: add {figures[f'save_{large}']['add'] * 1e3:7.2f} ms, "
          f"reflection box {figures[f'save_{large}']['reflection'] * 1e3:7.2f} ms")
    print(f"first open (whole-file check) at {small:,} / {large:,} entries: "
          f"{figures[f'save_{small}']['first_open'] * 1e3:.1f} / {figures[f'save_{large}']['first_open'] * 1e3:.1f} ms, "
          f"database {figures['database_mb']:.1f} MB at {large:,}")
    print(f"ratio large/small: add {figures['save_ratio']['add']:.2f}x, "
          f"reflection box {figures['save_ratio']['reflection']:.2f}x (target under {TARGET_SAVE_RATIO:g}x)")
    for name, target in (("course", TARGET_COURSE_SECONDS), ("large", TARGET_LARGE_SECONDS)):
        f = figures[name]
        print(f"portfolio of {name} ({f['entries']:,} entries, {f['charts']:,} path charts, "
              f"{f['portfolio_mb']:.1f} MB): {f['portfolio']:.2f} s (target under {target:g} s); "
              f"export_json {f['export_json']:.2f} s")
    ok = (max(figures["save_ratio"].values()) < TARGET_SAVE_RATIO
          and figures["course"]["portfolio"] < TARGET_COURSE_SECONDS
          and figures["large"]["portfolio"] < TARGET_LARGE_SECONDS)
    print("all targets met" if ok else "A TARGET WAS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
