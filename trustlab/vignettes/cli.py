"""``python -m trustlab.vignettes check [FILE ...]`` and ``paths FILE``, for authors.

check: exit 0 when every file is valid; 1 with one ``FILE: LOCATION: PROBLEM`` line
per problem; 2 when a file is missing or its YAML does not parse.
paths: every way from the start to an ending, with the meters along it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from trustlab.content import UnreadableFile, read_document
from trustlab.vignettes.model import Run, Vignette, all_paths, load_skills, vignettes_dir
from trustlab.vignettes.validate import check_file, load_vignette, problems

OK, PROBLEMS, UNREADABLE = 0, 1, 2


def shipped() -> list[Path]:
    """Every vignette in data/vignettes (skills.yaml is the vocabulary, not a vignette)."""
    return sorted(p for p in vignettes_dir().glob("*.yaml") if p.name != "skills.yaml")


def check(files: list[Path]) -> int:
    skills = load_skills()
    status, seen = OK, {}
    for path in files:
        try:
            doc = read_document(path)
        except UnreadableFile as err:
            print(err)
            status = UNREADABLE
            continue
        lines = [p.render(path) for p in problems(doc, Path(path), skills)] + _duplicate_id(path, doc.data, seen)
        for line in lines:
            print(line)
        if lines:
            status = max(status, PROBLEMS)
    if status == OK:
        print(f"{len(files)} vignette{'s' if len(files) != 1 else ''} checked: all valid.")
    return status


def _duplicate_id(path: Path, data, seen: dict[str, Path]) -> list[str]:
    """Two files given at once may not share an id."""
    vid = data.get("id") if isinstance(data, dict) else None
    if isinstance(vid, str) and vid in seen:
        return [f"{path}: id: {vid!r} is also the id of {seen[vid]}; ids must be unique"]
    if isinstance(vid, str):
        seen[vid] = path
    return []


def describe_path(vignette: Vignette, run: Run, number: int, total: int) -> str:
    """One path as text: each choice with its skill and the meters after it."""
    ending = run.ending
    lines = [f"Path {number} of {total}: {' → '.join(s.scene_id for s in run.history)} → "
             f"{ending.id} ({ending.kind})"]
    width = max(len(sid) for sid in vignette.scenes)
    skill_width = max(len(c.skill) for s in vignette.scenes.values() for c in s.choices)
    start = ", ".join(f"{vignette.meters[m].label} {v:g}" for m, v in run.start_meters.items())
    lines.append(f"  {'start':<{width + skill_width + 12}} {start}")
    for step in run.history:
        meters = ", ".join(f"{vignette.meters[m].label} {v:g}" for m, v in step.meters.items())
        lines.append(f"  {step.scene_id:<{width}}  choice {step.index + 1}  {step.choice.skill:<{skill_width}} {meters}")
    return "\n".join(lines)


def paths(file: Path) -> int:
    try:
        problems = check_file(file)
    except UnreadableFile as err:
        print(err)
        return UNREADABLE
    if problems:
        print("\n".join(problems))
        return PROBLEMS
    vignette = load_vignette(file)
    runs = all_paths(vignette)
    for number, run in enumerate(runs, start=1):
        print(describe_path(vignette, run, number, len(runs)))
        print()
    kinds = sorted({run.ending.kind for run in runs})
    print(f"{len(runs)} paths; longest has {max(len(r.history) for r in runs)} choices; endings reached: "
          f"{', '.join(kinds)}.")
    return OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.vignettes",
                                     description="Check vignette files, or list every path through one.")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="validate vignettes (default: every shipped vignette)")
    check_cmd.add_argument("files", nargs="*", type=Path)
    paths_cmd = sub.add_parser("paths", help="print every path from start to an ending")
    paths_cmd.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.files or shipped())
    return paths(args.file)
