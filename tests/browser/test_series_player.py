"""The capstone series in JupyterLab in headless Chromium, played as a student would.

The fixture notebook (tests/fixtures/browser/series.ipynb) shows ``play("five_sessions")``
with the journal listening. For each of the four ways the series can end, a way there is
found on the engine, then played in the browser by clicking the choices by their text
(the order on screen is shuffled), Continue, and the series' own button between sessions;
the check-in shown after each session must be the one the engine computes, and the
journal must hold the whole series. One more pass is made with the keyboard only.
"""

from __future__ import annotations

import random

import pytest

from test_lessons import TIMEOUT, open_notebook, run_all
from trustlab.journal import Journal
from trustlab.vignettes.model import load_skills
from trustlab.vignettes.series import SeriesRun, SessionResult, load_series

NOTEBOOK = "series.ipynb"


@pytest.fixture(scope="module")
def series():
    return load_series("five_sessions")


def a_way_to(series, kind: str, seed: int = 0) -> list[SessionResult]:
    """A whole way through that ends in an outcome of this kind, found by random play on the engine:
    a player who picks a trust-building choice with a probability that varies from play to play."""
    rng, kinds = random.Random(seed), {sid: s.kind for sid, s in load_skills().items()}
    for _ in range(20_000):
        srun, care = SeriesRun(series), rng.random()
        while not srun.ended:
            while not srun.run.ended:
                good = [i for i, c in enumerate(srun.run.choices) if kinds[c.skill] == "builds"]
                pick = rng.choice(good) if good and rng.random() < care else rng.randrange(len(srun.run.choices))
                srun.run.choose(pick)
            srun.finish_session()
        if srun.outcome.kind == kind:
            return srun.done
    pytest.fail(f"no way to a {kind} outcome found in 20,000 random plays")


@pytest.fixture
def page(offline_page, lab, figures):
    page, blocked = offline_page
    open_notebook(page, lab, NOTEBOOK, figures, folder="fixtures")
    run_all(page, NOTEBOOK, figures)
    box = series_box(page)
    box.wait_for(timeout=TIMEOUT)
    # the lab's journal is shared by the tests here: the player picks up where the last test left it
    for name in ("Play the sessions again from the start", "Start again from session 1"):
        again = box.get_by_role("button", name=name)
        if again.is_visible():
            again.click()
    box.locator(".trustlab-choice").first.wait_for(timeout=TIMEOUT)
    yield page
    assert blocked == [], "requests left the machine:\n" + "\n".join(blocked)


def series_box(page):
    return page.locator(".trustlab-series")


def play_session(page, result: SessionResult) -> None:
    player = series_box(page).locator(".trustlab-player")
    for step in result.run.history:
        player.locator(".trustlab-choice", has_text=step.choice.text[:60]).first.wait_for(timeout=TIMEOUT)
        shown = player.locator(".trustlab-choice").evaluate_all("els => els.map(e => e.textContent)")
        player.locator(".trustlab-choice").nth(shown.index(step.choice.text)).click()
        player.locator(".trustlab-feedback-box").wait_for(timeout=TIMEOUT)
        player.get_by_role("button", name="Continue", exact=True).click()
    ending = player.locator(".trustlab-ending")
    ending.wait_for(timeout=TIMEOUT)
    assert ending.get_attribute("data-kind") == result.ending.kind


def shown_checkin(page) -> dict[str, str]:
    rows = series_box(page).locator("table").last.locator("tr")
    return {r.locator("th").inner_text(): r.locator("td").first.inner_text() for r in rows.all()}


def test_each_kind_of_ending_is_reached_by_playing_in_the_browser(page, lab, series):
    """One page, four ways through, with "Play the sessions again" between them, as a learner would."""
    for kind in ("good", "mixed", "dropout", "referral"):
        play_to(page, lab, series, kind)
        series_box(page).get_by_role("button", name="Play the sessions again from the start").click()


def play_to(page, lab, series, kind: str) -> None:
    way = a_way_to(series, kind)
    box = series_box(page)
    for result in way:
        box.locator("h3", has_text=f"Session {result.number} of 5").wait_for(timeout=TIMEOUT)
        play_session(page, result)
        expected = {label: f"{value:g} of 10" for _, label, value in result.rating.items}
        expected["Total"] = f"{result.rating.total:g} of 40"
        button = box.get_by_role("button", name="Go on to session" if result.outcome is None else
                                 "See how the sessions ended")
        button.wait_for(timeout=TIMEOUT)
        assert shown_checkin(page) == expected, f"the check-in after session {result.number}"
        button.click()
    outcome = way[-1].outcome
    heading = box.get_by_role("heading", name=outcome.title)
    heading.wait_for(timeout=TIMEOUT)
    assert box.locator("svg[role='img']").count() == 2
    entry = Journal(lab.root.parent / "journal.json").latest(series.id, kind="series")
    assert entry["finished"] and entry["outcome"] == outcome.id
    assert [s["ending"] for s in entry["sessions"]] == [r.ending.id for r in way]


def test_the_whole_first_session_and_the_way_on_take_only_the_keyboard(page, series):
    """Enter on a choice, Enter on Continue; at the ending Tab to the series button; Enter; the
    next session's first choice then has the keyboard."""
    box = series_box(page)
    box.locator(".trustlab-choice").first.focus()
    keys = 0
    while box.locator(".trustlab-ending").count() == 0:
        page.keyboard.press("Enter")  # the focused choice
        box.locator(".trustlab-feedback-box").wait_for(timeout=TIMEOUT)
        page.keyboard.press("Enter")  # Continue has the focus
        keys += 2
        box.locator(".trustlab-choice, .trustlab-ending").first.wait_for(timeout=TIMEOUT)
    button = box.get_by_role("button", name="Go on to session 2")
    button.wait_for(timeout=TIMEOUT)
    for _ in range(12):
        if page.evaluate("() => document.activeElement && document.activeElement.textContent") == "Go on to session 2":
            break
        page.keyboard.press("Tab")
        keys += 1
    else:
        pytest.fail("12 Tabs from the ending did not reach the series' Go on button")
    page.keyboard.press("Enter")
    keys += 1
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('trustlab-choice')"
                           " && document.activeElement.closest('.trustlab-series')", timeout=TIMEOUT)
    box.locator("h3", has_text="Session 2 of 5").wait_for(timeout=TIMEOUT)
    assert keys <= 20, f"{keys} key presses for session 1 and the way on"
