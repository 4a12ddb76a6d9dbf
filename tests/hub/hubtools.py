"""Helpers the hub tests share (a module of its own, so test files import it by a name no other folder uses)."""

from __future__ import annotations

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIGURES: list[str] = []  # "what: value" lines printed at the end of the run


def git(*args: str, cwd: Path) -> str:
    """Git with a fixed author, so a commit never depends on the machine's git config."""
    command = ["git", "-c", "user.name=trustlab hub test", "-c", "user.email=hub-test@localhost",
               "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True).stdout


def repository_files() -> list[str]:
    """What a fresh clone holds: tracked files, plus new ones not ignored (a developer's uncommitted work)."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]
