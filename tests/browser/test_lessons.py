"""Every lesson, opened in JupyterLab in headless Chromium with no internet, as a student would.

For each notebook in notebooks/ (found, not listed): open it, run all cells, and check
that nothing errs, every chart draws with its description as aria-label, nothing asks
the internet for anything, the page does not scroll sideways at 1280 px, and every
vignette player answers clicks. A full-page screenshot goes to artifacts/browser/.
"""

from __future__ import annotations

import re
import time

import pytest

from trustlab.paths import course_root

ROOT = course_root()

LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
TIMEOUT = 60_000  # ms
ERROR_TEXTS = ("Error loading script", "Error displaying widget", "Javascript Error", "Failed to load model class")


def open_notebook(page, lab, name: str, figures, folder: str = "notebooks") -> None:
    """Open a notebook and wait until its kernel is idle; no kernel dialog may appear."""
    page.goto(f"{lab.url}/lab/tree/{folder}/{name}?reset")
    page.locator(".jp-NotebookPanel").first.wait_for(timeout=TIMEOUT)
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$")).first.wait_for(timeout=TIMEOUT)
    assert page.locator(".jp-Dialog").count() == 0, "a dialog (kernel selection?) interrupted the first minute"
    if figures.first_notebook_ready_s is None:
        figures.first_notebook_ready_s = time.perf_counter() - lab.started


def run_all(page, name: str, figures, again: bool = False) -> None:
    """Run › Run All Cells, then wait until every code cell has an execution count; ``again`` (the
    notebook has run in this kernel already): a count past the highest shown before."""
    started = time.perf_counter()
    last = page.evaluate("""() => Math.max(0, ...[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(p => parseInt((p.textContent.match(/\\[(\\d+)\\]/) || [0, 0])[1], 10)))""") if again else 0
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        """(last) => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => {
                const m = p.textContent.match(/\\[(\\d+)\\]/);
                return m && parseInt(m[1], 10) > last;
            });
        }""", arg=last, timeout=TIMEOUT)
    page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$")).first.wait_for(timeout=TIMEOUT)
    figures.run_all_s.setdefault(name, time.perf_counter() - started)  # the first run, fresh kernel


def assert_no_errors(page) -> None:
    errors = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent.slice(0, 800))")
    assert errors == [], "error output in the notebook:\n" + "\n---\n".join(errors)
    text = page.locator(".jp-Notebook").inner_text()
    for phrase in ERROR_TEXTS:
        assert phrase not in text, f"the page shows '{phrase}'"


def assert_charts_drawn(page) -> int:
    """Every course chart widget holds a drawn SVG or canvas and an aria-label from its description."""
    charts = page.locator(".trustlab-chart")
    for i in range(charts.count()):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        chart.locator("svg.marks, canvas.marks").first.wait_for(timeout=TIMEOUT)
        label = chart.get_attribute("aria-label") or ""
        assert len(label) > 20, f"chart {i + 1} has no description (aria-label {label!r})"
        box = chart.locator("svg.marks, canvas.marks").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"chart {i + 1} drew nothing visible"
    return charts.count()


def timed_click(scope, button, expect: str) -> float:
    """Milliseconds from a click to ``expect`` being visible inside ``scope``."""
    started = time.perf_counter()
    button.click()
    scope.locator(expect).first.wait_for(state="visible", timeout=TIMEOUT)
    return (time.perf_counter() - started) * 1000


def trust(player) -> str:
    return player.locator(".trustlab-meter[data-meter='trust']").get_attribute("data-value")


def exercise_player(page, player, clicks: list[float]) -> None:
    """Click a choice that moves trust, then play on to an ending, Step back, and Try again."""
    player.scroll_into_view_if_needed()
    start_trust = trust(player)
    choices = player.locator(".trustlab-choice")
    for i in range(choices.count()):
        clicks.append(timed_click(player, choices.nth(i), ".trustlab-feedback-box"))
        assert player.locator(".trustlab-skill").inner_text().startswith(("Skill:", "Pitfall:"))
        assert player.locator(".trustlab-why").inner_text().strip()
        inner = player.locator(".trustlab-inner")
        assert inner.is_visible() and "was thinking" in inner.inner_text()
        if trust(player) != start_trust:
            break
        player.get_by_role("button", name="Step back").click()
        player.locator(".trustlab-choice").first.wait_for(timeout=TIMEOUT)
    else:
        pytest.fail("no first choice changed the trust meter")
    reach_ending(page, player, clicks)
    player.locator(".trustlab-meter-chart svg[role='img']").first.wait_for(timeout=TIMEOUT)
    player.get_by_role("button", name="Step back").click()
    player.locator(".trustlab-choice").first.wait_for(timeout=TIMEOUT)
    assert player.locator(".trustlab-ending").count() == 0
    reach_ending(page, player, clicks)
    player.get_by_role("button", name="Try again").click()
    player.locator(".trustlab-choice").first.wait_for(timeout=TIMEOUT)
    assert trust(player) == start_trust and player.get_by_role("button", name="Step back").is_hidden()


def reach_ending(page, player, clicks: list[float], limit: int = 20) -> None:
    """Keep taking the first choice (then Continue) until an ending shows."""
    for _ in range(limit):
        proceed = player.get_by_role("button", name="Continue")
        if proceed.is_visible():
            proceed.click()
            proceed.wait_for(state="hidden", timeout=TIMEOUT)
        player.locator(".trustlab-choice, .trustlab-ending").first.wait_for(timeout=TIMEOUT)
        if player.locator(".trustlab-ending").count():
            return
        clicks.append(timed_click(player, player.locator(".trustlab-choice").first, ".trustlab-feedback-box"))
    pytest.fail(f"no ending after {limit} choices")


def full_page_screenshot(page, name: str, folder) -> None:
    """Grow the window to the notebook's height so the whole lesson is in one picture."""
    measure = """() => { const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
                          s.scrollTop = 0;  // measure to the last cell: the panel pads its end to scroll past it
                          const cells = s.querySelectorAll('.jp-Cell');
                          return cells[cells.length - 1].getBoundingClientRect().bottom + 60; }"""
    for _ in range(3):  # widgets settle their size once they are on screen
        height = min(int(page.evaluate(measure)), 30000)
        page.set_viewport_size({"width": 1280, "height": height})
        page.wait_for_timeout(600)
    page.screenshot(path=str(folder / f"{name.removesuffix('.ipynb')}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_and_renders_offline(offline_page, lab, figures, artifacts, name):
    page, blocked = offline_page
    source = (ROOT / "notebooks" / name).read_text()
    open_notebook(page, lab, name, figures)
    run_all(page, name, figures)
    assert_no_errors(page)
    assert_charts_drawn(page)
    players = page.locator(".trustlab-player")
    if "play(" in source:
        assert players.count() >= 1, "the notebook calls play() but no vignette player rendered"
    for i in range(players.count()):
        exercise_player(page, players.nth(i), figures.click_to_feedback_ms)
    assert_no_errors(page)
    width = page.evaluate("""() => { const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');
                                     return [s.scrollWidth, s.clientWidth]; }""")
    assert width[0] <= width[1] + 1, f"the notebook scrolls sideways at 1280 px: {width}"
    full_page_screenshot(page, name, artifacts)
    assert blocked == [], "requests left the machine:\n" + "\n".join(blocked)


def test_the_offline_check_catches_a_chart_that_needs_a_cdn(offline_page, lab, figures):
    """The check above must be able to fail: a chart on altair's default renderer calls a CDN."""
    page, blocked = offline_page
    open_notebook(page, lab, "cdn_chart.ipynb", figures, folder="fixtures")
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function("() => document.querySelectorAll('.jp-OutputArea-output').length > 0", timeout=TIMEOUT)
    deadline = time.monotonic() + 20
    while not blocked and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert any("cdn.jsdelivr.net" in url for url in blocked), blocked


def test_a_reflection_is_back_in_its_box_after_a_reload(offline_page, lab, figures, artifacts):
    """Type a reflection and never press Save nor leave the box, reload: the text must come back from the journal."""
    page, blocked = offline_page
    name = next((n for n in LESSONS if "reflect(" in (ROOT / "notebooks" / n).read_text()), None)
    if name is None:
        pytest.skip("no lesson has a reflection box yet")
    text = "A coach who listened before giving advice. (browser test)"
    open_notebook(page, lab, name, figures)
    run_all(page, name, figures)
    box = page.locator(".trustlab-reflection").first
    box.scroll_into_view_if_needed()
    box.locator("textarea").fill(text)
    box.locator(".trustlab-saved[data-state='ok']").wait_for(timeout=TIMEOUT)
    assert "Saved at" in box.locator(".trustlab-saved").inner_text()
    page.reload()
    open_notebook(page, lab, name, figures)
    run_all(page, name, figures)
    box = page.locator(".trustlab-reflection").first
    box.scroll_into_view_if_needed()
    assert box.locator("textarea").input_value() == text
    if "portfolio()" in (ROOT / "notebooks" / name).read_text():
        check_portfolio(page, lab, text, artifacts)
    assert blocked == []


def check_portfolio(page, lab, text: str, folder) -> None:
    """The portfolio the notebook exported renders offline and holds the saved reflection."""
    html = (lab.root / "notebooks" / "my-portfolio.html").read_text(encoding="utf-8")
    page.set_content(html)  # the same page: every request it might make is still blocked
    page.get_by_role("heading", name="My journal: Building Therapeutic Trust").wait_for(timeout=TIMEOUT)
    assert text in page.inner_text("body")
    assert page.locator("script, link[rel=stylesheet], img[src^=http]").count() == 0
    page.screenshot(path=str(folder / "portfolio.png"), full_page=True)
