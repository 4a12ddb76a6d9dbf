"""What `make test-hub` shares: the repository as a fresh clone would hold it, and the figures it prints.

These tests run only in `make test-hub` (pyproject's addopts ignores tests/hub for `make test`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from hubtools import FIGURES, REPO, git, repository_files


@pytest.fixture(scope="session")
def workspace():
    """A temporary folder that other users can pass through (their homes are inside), removed at the end."""
    base = Path(tempfile.mkdtemp(prefix="trustlab-hub-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def course_checkout(workspace) -> Path:
    """The repository as it is now (uncommitted work included), committed on a branch ``main``."""
    source = workspace / "course"
    for name in repository_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    git("init", "-q", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "The course as the hub test found it", cwd=source)
    os.chmod(source, 0o755)
    return source


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("hub test figures (JupyterHub on 127.0.0.1, headless Chromium)")
        for line in FIGURES:
            terminalreporter.write_line(line)
