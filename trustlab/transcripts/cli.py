"""``python -m trustlab.transcripts check [FILE ...]``, for authors.

Exit 0 when every file is valid; 1 with one ``FILE: LOCATION: PROBLEM (line N)`` line per
problem; 2 when a file is missing, its YAML does not parse, or it uses YAML an author's
file never needs (anchors, aliases, very deep nesting): the same as
``python -m trustlab.vignettes check``. With no file named, every transcript in
``data/transcripts/`` is checked.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from trustlab.content import UnreadableFile, read_document
from trustlab.transcripts.model import transcripts_dir
from trustlab.transcripts.validate import problems

OK, PROBLEMS, UNREADABLE = 0, 1, 2


def shipped() -> list[Path]:
    """Every transcript the course ships."""
    return sorted(transcripts_dir().glob("*.yaml"))


def check(files: list[Path]) -> int:
    status, seen = OK, {}
    for path in files:
        try:
            doc = read_document(path)
        except UnreadableFile as err:
            print(err)
            status = UNREADABLE
            continue
        lines = [p.render(path) for p in problems(doc, Path(path))] + _duplicate_id(path, doc.data, seen)
        for line in lines:
            print(line)
        if lines:
            status = max(status, PROBLEMS)
    if status == OK:
        print(f"{len(files)} transcript{'s' if len(files) != 1 else ''} checked: all valid.")
    return status


def _duplicate_id(path: Path, data, seen: dict[str, Path]) -> list[str]:
    """Two files given at once may not share an id: the journal keeps checks under it."""
    tid = data.get("id") if isinstance(data, dict) else None
    if isinstance(tid, str) and tid in seen:
        return [f"{path}: id: {tid!r} is also the id of {seen[tid]}; ids must be unique"]
    if isinstance(tid, str):
        seen[tid] = path
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.transcripts",
                                     description="Check transcript files (the lines a learner marks).")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="validate transcripts (default: every shipped transcript)")
    check_cmd.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    return check(args.files or shipped())
