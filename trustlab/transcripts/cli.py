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

from trustlab.content import check_files
from trustlab.transcripts.model import transcripts_dir
from trustlab.transcripts.validate import problems


def shipped() -> list[Path]:
    """Every transcript the course ships."""
    return sorted(transcripts_dir().glob("*.yaml"))


def check(files: list[Path]) -> int:
    return check_files(files, lambda doc, path: [p.render(path) for p in problems(doc, path)], "transcript")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.transcripts",
                                     description="Check transcript files (the lines a learner marks).")
    sub = parser.add_subparsers(dest="command", required=True)
    check_cmd = sub.add_parser("check", help="validate transcripts (default: every shipped transcript)")
    check_cmd.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    return check(args.files or shipped())
