"""Keep every test, and every notebook kernel nbval starts, away from the learner's real journal,
and make content that cannot load fail the run instead of showing a notice nobody reads."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


_JOURNAL_DIR = tempfile.mkdtemp(prefix="trustlab-test-journal-")
_STARTED = time.time()
FIGURES_DIR = Path(__file__).resolve().parent.parent / "artifacts" / "browser"


def pytest_configure(config):
    # set before any kernel starts: nbval's kernels inherit this environment
    os.environ["TRUSTLAB_JOURNAL"] = str(Path(_JOURNAL_DIR) / "journal.json")
    os.environ["TRUSTLAB_STRICT"] = "1"


def is_browser_test(item) -> bool:
    return "tests/browser/" in str(item.path).replace("\\", "/")


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last, in each process that runs any.

    Playwright's sync API keeps an asyncio loop marked as running on the main thread for
    the whole session (its browser fixture is session-wide); code that looks for the
    kernel's running loop (the journal's debounced saves) would find it in every test that
    came after. With pytest-xdist (``-n 2 --dist loadfile --no-loadscope-reorder``, the
    default in pyproject.toml) each file runs whole in one of two processes, handed out in
    this order, so in each process the browser files still come after everything else. The
    browser tests mostly wait on Chromium and the server, so two processes side by side
    take little more than half the time of one.
    """
    items.sort(key=is_browser_test)


def pytest_terminal_summary(terminalreporter):
    """Print the browser figures that this run's browser tests saved (tests/browser/conftest.py)."""
    saved = [p for p in sorted(FIGURES_DIR.glob("figures-*.txt")) if p.stat().st_mtime >= _STARTED]
    if saved:
        terminalreporter.section("browser figures (headless Chromium, JupyterLab on localhost)")
    for path in saved:
        for line in path.read_text(encoding="utf-8").splitlines():
            terminalreporter.write_line(f"{line}  [{path.stem.removeprefix('figures-')}]" if len(saved) > 1 else line)
