"""``python -m trustlab.vignettes check [FILE ...]``, ``paths FILE`` and ``map FILE -o map.html``, for authors.

check: exit 0 when every file is valid; 1 with one ``FILE: LOCATION: PROBLEM`` line
per problem; 2 when a file is missing, its YAML does not parse, or it uses YAML an
author's file never needs (anchors, aliases, very deep nesting).
paths: every way from the start to an ending, with the meters along it; beyond
:data:`LIST_LIMIT` paths, their number, the longest and a fixed random sample, since a
vignette of 30 two-way decisions has a billion paths.
"""

from __future__ import annotations

import argparse
import random
from itertools import islice
from pathlib import Path

from trustlab.content import OK, PROBLEMS, UNREADABLE, UnreadableFile, check_files, read_document
from trustlab.vignettes.model import PathIndex, Run, Vignette, iter_paths, load_skills, vignettes_dir
from trustlab.vignettes.series import series_dir, series_path
from trustlab.vignettes.series_check import checked_series, series_problems
from trustlab.vignettes.validate import build, problems

LIST_LIMIT = 1000  # the shipped vignettes have up to a few hundred paths: all are listed
SAMPLE = 10


def shipped() -> list[Path]:
    """Every vignette in data/vignettes (skills.yaml is the vocabulary, not a vignette)."""
    return sorted(p for p in vignettes_dir().glob("*.yaml") if p.name != "skills.yaml")


def shipped_series() -> list[Path]:
    return sorted(series_dir().glob("*.yaml"))


def check(files: list[Path]) -> int:
    """Vignettes one by one; a series file (in a ``series`` folder) as a whole, sessions and all."""
    skills = load_skills()

    def find(doc, path: Path) -> list[str]:
        if series_path(path):
            return series_problems(path)[0]
        return [p.render(path) for p in problems(doc, path, skills)]

    return check_files(files, find, "file")


def describe_path(vignette: Vignette, run: Run, number: int, total: int | str, note: str = "") -> str:
    """One path as text: each choice with its skill and the meters after it.

    ``total`` is a count, or words such as "more than 1,000" when the paths were not counted.
    """
    ending = run.ending
    total = f"{total:,}" if isinstance(total, int) else total
    lines = [f"Path {number:,} of {total}{note}: {' → '.join(s.scene_id for s in run.history)} → "
             f"{ending.id} ({ending.kind})"]
    width = max(len(sid) for sid in vignette.scenes)
    skill_width = max(len(c.skill) for s in vignette.scenes.values() for c in s.choices)
    start = ", ".join(f"{vignette.meters[m].label} {v:g}" for m, v in run.start_meters.items())
    lines.append(f"  {'start':<{width + skill_width + 12}} {start}")
    for step in run.history:
        meters = ", ".join(f"{vignette.meters[m].label} {v:g}" for m, v in step.meters.items())
        lines.append(f"  {step.scene_id:<{width}}  choice {step.index + 1}  {step.choice.skill:<{skill_width}} {meters}")
    return "\n".join(lines)


def series_paths(file: Path) -> int:
    """A series has too many ways through to list: per session, the states it can start in,
    the paths played from them and the endings reached; then where the series can end."""
    try:
        read_document(file)
    except UnreadableFile as err:
        print(err)
        return UNREADABLE
    lines, series, found = checked_series(file)
    if series is None:
        print("\n".join(lines))
        return PROBLEMS
    for number, session in enumerate(series.sessions, start=1):
        starts = sorted(s for n, s in found.starts_used if n == number)
        low, total = found.low_checkins[number - 1]
        print(f"Session {number}, {session.id}: starts in {found.state_counts[number - 1]:,} different states "
              f"(opening at {', '.join(starts)}); {found.paths[number - 1]:,} paths played from them; "
              f"{low:,} of {total:,} end with a low check-in.")
    for oid, outcome in series.outcomes.items():
        where = ", ".join(str(n) for n in sorted(found.outcomes.get(oid, ())))
        print(f"Outcome {oid} ({outcome.kind}): reached after session {where or '(never)'}")
    print(f"{sum(found.paths):,} session paths played in all.")
    return OK


def paths(file: Path) -> int:
    if series_path(file):
        return series_paths(file)
    try:
        doc = read_document(file)
    except UnreadableFile as err:
        print(err)
        return UNREADABLE
    found = problems(doc, Path(file), load_skills())
    if found:
        print("\n".join(p.render(file) for p in found))
        return PROBLEMS
    vignette = build(doc.data, Path(file))
    runs = list(islice(iter_paths(vignette), LIST_LIMIT + 1))  # never more than one over the limit
    if len(runs) > LIST_LIMIT:
        _print_too_many(vignette, runs[:LIST_LIMIT])
        return OK
    for number, run in enumerate(runs, start=1):
        print(describe_path(vignette, run, number, len(runs)))
        print()
    print(_summary(vignette, f"{len(runs)}", max(len(r.history) for r in runs)))
    return OK


def _print_too_many(vignette: Vignette, first: list[Run]) -> None:
    """The count, the longest path and a sample: exact when scenes never loop, else from the first found."""
    index = PathIndex.of(vignette)
    if index is None:
        _print_first_found(vignette, first)
    else:
        _print_counted(vignette, index)


def _print_counted(vignette: Vignette, index: PathIndex) -> None:
    print(f"{index.total:,} paths, too many to list (the limit is {LIST_LIMIT:,}). Below: the longest and "
          f"{SAMPLE} chosen at random (the same ones every time).\n")
    longest = index.longest()
    numbers = sorted({longest} | set(random.Random(0).sample(range(1, index.total + 1), SAMPLE)))
    for number in numbers:
        note = " (the longest)" if number == longest else ""
        print(describe_path(vignette, index.run(number), number, index.total, note) + "\n")
    print(_summary(vignette, f"{index.total:,}", len(index.run(longest).history)))


def _print_first_found(vignette: Vignette, first: list[Run]) -> None:
    """Scenes that loop cannot be counted ahead (and the longest way is a hard problem): say so."""
    total = f"more than {LIST_LIMIT:,}"
    print(f"More than {LIST_LIMIT:,} paths, too many to list, and the scenes loop, so they cannot be "
          f"counted ahead. Below: the longest of the first {LIST_LIMIT:,} found and {SAMPLE} of them "
          "spread evenly.\n")
    longest = max(range(len(first)), key=lambda i: len(first[i].history))
    for i in sorted({longest} | set(range(0, len(first), len(first) // SAMPLE))):
        note = " (the longest found)" if i == longest else ""
        print(describe_path(vignette, first[i], i + 1, total, note) + "\n")
    print(_summary(vignette, total, len(first[longest].history), "the first found"))


def _summary(vignette: Vignette, count: str, longest: int, which: str = "") -> str:
    """The last line. Every ending is reached by some path: the check makes sure each can be
    reached from the start, and the shortest way there never repeats a scene."""
    kinds = ", ".join(sorted({e.kind for e in vignette.endings.values()}))
    return f"{count} paths; longest{f' of {which}' if which else ''} has {longest} choices; endings reached: {kinds}."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.vignettes",
                                     description="Check vignette files, or list every path through one.")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="validate vignettes (default: every shipped vignette)")
    check_cmd.add_argument("files", nargs="*", type=Path)
    paths_cmd = sub.add_parser("paths", help=f"print every path from start to an ending (beyond {LIST_LIMIT:,}: "
                                             "their number, the longest and a sample)")
    paths_cmd.add_argument("file", type=Path)
    map_cmd = sub.add_parser("map", help="draw every scene, choice and ending as a map (a series: one per session)")
    map_cmd.add_argument("file", type=Path)
    map_cmd.add_argument("-o", "--output", type=Path, default=None,
                         help="map.html (a page) or map.svg (the picture only); default: <FILE name>-map.html")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.files or shipped() + shipped_series())
    if args.command == "map":
        from trustlab.vignettes.vmap import write_map

        return write_map(args.file, args.output)
    return paths(args.file)
