"""``python -m trustlab.data build | check | dictionary``."""

from __future__ import annotations

import argparse

from trustlab.data import build, check, dictionary
from trustlab.data.load import REBUILD


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.data",
                                     description="Build, check or document the course's synthetic datasets.")
    parser.add_argument("command", choices=["build", "check", "dictionary"],
                        help="build: regenerate the CSVs; check: validate them; dictionary: write data/README.md")
    args = parser.parse_args(argv)
    if args.command == "build":
        for line in build.build():
            print(line)
        print(f"wrote {dictionary.write().name}")
        return 0
    if args.command == "dictionary":
        print(f"wrote {dictionary.write()}")
        return 0
    problems = check.check()
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} problem(s). {REBUILD}")
        return 1
    print("All datasets match data/datapackage.json and a fresh rebuild.")
    return 0
