"""``python -m trustlab.classroom report FOLDER -o debrief.html``, and ``example FOLDER`` to try it.

report: exit 0 when the page was written (files that do not count are listed on the page and
on stderr, and do not change the exit status); 1 when no file in the folder could be counted;
2 when the folder does not exist or the page cannot be written.
example: a folder of class files from simulated learners (:mod:`trustlab.classroom.simulate`),
to try the debrief without students' files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from trustlab.classroom.classfiles import read_folder
from trustlab.classroom.report import debrief_html


def report(folder: Path, out: Path) -> int:
    if not folder.is_dir():
        print(f"{folder}: no such folder. Give the folder you saved the class files in.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    found = read_folder(folder)
    for skipped in found.skipped:
        print(f"skipped {skipped.name}: {skipped.reason}", file=sys.stderr)
    for replaced in found.replaced:
        print(f"not counted {replaced.name}: {replaced.reason}", file=sys.stderr)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(debrief_html(found), encoding="utf-8")
    except OSError as err:
        print(f"{out}: the debrief could not be written ({err.strerror or err}); give another file name.",
              file=sys.stderr)
        return 2
    print(f"Wrote {out}: {len(found.files)} learners' class files counted, {len(found.skipped)} skipped, "
          f"{len(found.replaced)} earlier hand-ins replaced ({time.perf_counter() - started:.1f} s).")
    return 0 if found.files else 1


def example(folder: Path, learners: int, seed: int) -> int:
    from trustlab.classroom.simulate import simulate_class

    simulate_class(folder, learners, seed)
    print(f"Wrote {learners} class files of simulated learners to {folder}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.classroom",
                                     description="The class debrief from a folder of anonymous class files.")
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("report", help="write the debrief page for a folder of class files")
    rep.add_argument("folder", type=Path)
    rep.add_argument("-o", "--output", type=Path, default=Path("debrief.html"))
    ex = sub.add_parser("example", help="write class files of simulated learners, to try the debrief")
    ex.add_argument("folder", type=Path)
    ex.add_argument("--learners", type=int, default=20)
    ex.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    if args.command == "report":
        return report(args.folder, args.output)
    return example(args.folder, args.learners, args.seed)
