"""A real JupyterLab and a real Chromium for the end-to-end tests, with the network cut off.

The server is started from this environment (so it uses the course's own JupyterLab
settings), on a free localhost port, with no token, an empty workspace and empty user
settings, serving a temporary copy of the lessons so autosave can never write outputs
into the repository. Chromium is Debian's (``/usr/bin/chromium`` or ``TRUSTLAB_CHROMIUM``);
Playwright only drives it. Any request that is not to the local server is blocked and
fails the test that made it.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import pytest

from labserver import running_lab
from trustlab.paths import course_root

ROOT = course_root()

CHROMIUM = Path(os.environ.get("TRUSTLAB_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = [  # no sandbox as root; no background calls to Google's services
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions",
]


@dataclass
class Figures:
    """Timings printed at the end of the run and saved to artifacts/browser/figures-<process>.json."""

    server_start_s: float | None = None
    first_notebook_ready_s: float | None = None
    run_all_s: dict[str, float] = field(default_factory=dict)
    click_to_feedback_ms: list[float] = field(default_factory=list)
    player_feedback_ms: list[float] = field(default_factory=list)  # in-page: click event to the frame showing it
    bare_button_ms: list[float] = field(default_factory=list)  # the same, for a bare ipywidgets button's label
    feedback_under_load_ms: float | None = None  # a player click while another cell sleeps 20 s

    def lines(self) -> list[str]:
        out = []
        if self.server_start_s is not None:
            out.append(f"JupyterLab server start: {self.server_start_s:.1f} s")
        if self.first_notebook_ready_s is not None:
            out.append(f"server start to first notebook ready (kernel idle): {self.first_notebook_ready_s:.1f} s")
        out += [f"run all cells, {name}: {secs:.1f} s" for name, secs in self.run_all_s.items()]
        if self.click_to_feedback_ms:
            clicks = self.click_to_feedback_ms
            out.append("lesson players, Playwright click() to feedback visible (includes Playwright's own "
                       f"actionability waits): median {median(clicks):.0f} ms "
                       f"over {len(clicks)} clicks (min {min(clicks):.0f}, max {max(clicks):.0f})")
        if self.player_feedback_ms and self.bare_button_ms:
            out.append(f"player click to feedback (in the browser): median {median(self.player_feedback_ms):.1f} ms "
                       f"over {len(self.player_feedback_ms)} clicks; bare ipywidgets button click to new label "
                       f"(kernel round trip): median {median(self.bare_button_ms):.1f} ms "
                       f"over {len(self.bare_button_ms)} clicks, same page")
        if self.feedback_under_load_ms is not None:
            out.append(f"player click to feedback while another cell sleeps 20 s: {self.feedback_under_load_ms:.0f} ms")
        return out


FIGURES = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_sessionfinish(session):
    """Save the figures where tests/conftest.py prints them from at the end of the run.

    The browser tests run in pytest-xdist workers (see tests/conftest.py), and
    only the controlling process prints the run's summary, so the figures travel as one file per process.
    """
    lines = FIGURES.lines()
    if not lines:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # each process saves its own
    (ARTIFACTS / f"figures-{worker}.json").write_text(json.dumps(FIGURES.__dict__, indent=2))
    (ARTIFACTS / f"figures-{worker}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _unavailable(reason: str) -> None:
    """Skip with a reason on a developer's machine; under CI a missing browser is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs chromium)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (install Debian's chromium or set TRUSTLAB_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -r requirements-test.txt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class LabServer:
    url: str
    root: Path
    started: float


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    """JupyterLab serving a copy of notebooks/, started from this environment."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "course"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "tests" / "fixtures" / "browser", root / "fixtures")
    started = time.perf_counter()
    with running_lab(sys.executable, root, base, {"TRUSTLAB_JOURNAL": str(base / "journal.json")}) as url:
        FIGURES.server_start_s = time.perf_counter() - started
        yield LabServer(url, root, started)


@pytest.fixture
def offline_page(browser, lab):
    """A page that may reach only the local server; yields (page, attempted external URLs)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    blocked: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(lab.url) or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    yield page, blocked
    context.close()
