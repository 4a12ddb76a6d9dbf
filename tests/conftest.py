"""Keep every test, and every notebook kernel nbval starts, away from the learner's real journal,
and make content that cannot load fail the run instead of showing a notice nobody reads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_JOURNAL_DIR = tempfile.mkdtemp(prefix="trustlab-test-journal-")


def pytest_configure(config):
    # set before any kernel starts: nbval's kernels inherit this environment
    os.environ["TRUSTLAB_JOURNAL"] = str(Path(_JOURNAL_DIR) / "journal.json")
    os.environ["TRUSTLAB_STRICT"] = "1"


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    Playwright's sync API keeps an asyncio loop marked as running on the main thread for
    the whole session (its browser fixture is session-wide); code that looks for the
    kernel's running loop (the journal's debounced saves) would find it in every test that
    came after. Last is also the natural order: fast unit tests and notebooks first.
    """
    items.sort(key=lambda item: "tests/browser/" in str(item.path).replace("\\", "/"))
