"""The vignette player in JupyterLab in headless Chromium, compared with the Python engine.

A small notebook (tests/fixtures/browser/player.ipynb) shows a shipped vignette with the
journal listening, and a bare ipywidgets button beside it. Here the player is played as
a learner would: random paths checked step by step against ``Run`` (choices found by
their text, since the screen order is shuffled), the place kept after Continue, Step
back and Try again, the whole thing by keyboard, feedback timed against a kernel round
trip and under a busy kernel, and every path reaching the journal through the kernel.
"""

from __future__ import annotations

import random
import shutil
import time
from collections import defaultdict
from statistics import median

import pytest

from test_lessons import TIMEOUT, open_notebook, run_all
from trustlab.journal import Journal
from trustlab.vignettes import load_vignette
from trustlab.vignettes.model import Run, load_skills

NOTEBOOK = "player.ipynb"
VIGNETTE = "first_contact"  # the notebook plays this one
WALKS = 10
CLICKS = 16

FIRST_CHOICE_IN_VIEW = """() => {
    const first = document.querySelector('.trustlab-player .trustlab-choice');
    if (!first || document.activeElement !== first) return false;
    const r = first.getBoundingClientRect();
    const panel = first.closest('.jp-WindowedPanel-outer');
    const v = panel ? panel.getBoundingClientRect() : {top: 0, bottom: innerHeight};
    return r.top >= Math.max(0, v.top) && r.bottom <= Math.min(innerHeight, v.bottom);
}"""
ENDING_HEADING_IN_VIEW = FIRST_CHOICE_IN_VIEW.replace("'.trustlab-player .trustlab-choice'",
                                                      "'.trustlab-player .trustlab-ending h4'")
WHERE_FOCUS_IS = """() => {
    const a = document.activeElement, first = document.querySelector('.trustlab-player .trustlab-choice');
    const box = e => e ? [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom].map(Math.round) : null;
    const panel = document.querySelector('.jp-WindowedPanel-outer');
    return {focused: a ? a.tagName + '.' + a.className + ' ' + (a.textContent || '').slice(0, 40) : null,
            first_choice: box(first), panel: box(panel), window: innerHeight};
}"""
# Click to "the result is in the page", timed inside the page: from the click event's dispatch to the
# DOM change that shows the result, the same way for the player and the bare button.
TIMING = """() => {
    window.__trustlabDone = {
        feedback: () => {
            const box = document.querySelector('.trustlab-player .trustlab-feedback-box');
            return !!box && box.getClientRects().length > 0;
        },
        label: (expected) => [...document.querySelectorAll('.widget-label')].some(l => l.textContent === expected),
    };
    // From the click to the moment the page's DOM shows the result. Both widgets are then painted
    // at the same next frame, so waiting for that frame would only add the same 0-17 ms of frame
    // phase to both and blur the comparison; a MutationObserver reports the change as it lands.
    window.__trustlabMeasure = (kind, arg, limit) => {
        window.__latency = new Promise(resolve => {
            document.addEventListener('click', () => {
                const t0 = performance.now();  // not event.timeStamp: that is the mousedown's, in Chromium
                let settled = false;
                const finish = (value) => { if (!settled) { settled = true; observer.disconnect(); resolve(value); } };
                const observer = new MutationObserver(() => {
                    if (window.__trustlabDone[kind](arg)) finish(performance.now() - t0);
                });
                observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                                 characterData: true});
                setTimeout(() => finish(null), limit);
            }, {capture: true, once: true});
        });
    };
}"""


@pytest.fixture(scope="module")
def vignette():
    return load_vignette(VIGNETTE)


@pytest.fixture(scope="module")
def skills():
    return load_skills()


def open_player(offline_page, lab, figures, name: str = NOTEBOOK):
    page, _ = offline_page
    open_notebook(page, lab, name, figures, folder="fixtures")
    run_all(page, name, figures)
    player = page.locator(".trustlab-player")
    player.locator(".trustlab-choice").first.wait_for(timeout=TIMEOUT)
    player.scroll_into_view_if_needed()
    return page, player


@pytest.fixture
def played(offline_page, lab, figures):
    """(page, player) with the fixture notebook run; no request may leave the machine."""
    page, player = open_player(offline_page, lab, figures)
    yield page, player
    assert offline_page[1] == [], "requests left the machine:\n" + "\n".join(offline_page[1])


# --- reading the player -------------------------------------------------------------------------------

def shown_choices(player) -> list[str]:
    return player.locator(".trustlab-choice").evaluate_all("els => els.map(e => e.textContent)")


def shown_meters(player) -> dict[str, float]:
    pairs = player.locator(".trustlab-meter").evaluate_all("els => els.map(e => [e.dataset.meter, e.dataset.value])")
    return {meter: float(value) for meter, value in pairs}


def attempt_of(player) -> str:
    return player.get_attribute("data-attempt")


def expect_focus(page, check: str, what: str) -> None:
    """Keyboard focus where the learner goes next, and that element on screen (after any smooth scroll)."""
    try:
        page.wait_for_function(check, timeout=3000)
    except Exception:
        pytest.fail(f"after {what}: focus or view is wrong: {page.evaluate(WHERE_FOCUS_IS)}")


# --- acting as a learner, and as the engine ------------------------------------------------------------

def choose(player, run: Run, text: str, skills) -> None:
    """Click the choice with this text; make the same choice on the Run; the feedback and meters must agree."""
    index = [c.text for c in run.choices].index(text)
    player.locator(".trustlab-choice").nth(shown_choices(player).index(text)).click()
    step = run.choose(index)
    player.locator(".trustlab-feedback-box").wait_for(timeout=TIMEOUT)
    skill = skills[step.choice.skill]
    expected = f"{'Skill' if skill.kind == 'builds' else 'Pitfall'}: {skill.label}."
    assert player.locator(".trustlab-skill strong").inner_text() == expected
    assert shown_meters(player) == run.meters, f"meters after “{text}”"


def press(page, player, name: str) -> None:
    player.get_by_role("button", name=name, exact=True).click()


def check_ending(player, run: Run) -> None:
    ending = player.locator(".trustlab-ending")
    ending.wait_for(timeout=TIMEOUT)
    assert ending.get_attribute("data-kind") == run.ending.kind
    assert ending.locator("h4").inner_text().startswith(f"Ending: {run.ending.title}")
    assert shown_meters(player) == run.meters


# --- (a), (b), (c): random paths against the engine, the shuffled order, the place kept ---------------------

def test_random_paths_match_the_engine_in_shuffled_order_with_the_place_kept(played, lab, vignette, skills):
    page, player = played
    rng = random.Random(11)
    run = vignette.start()
    orders: dict[tuple[int, str], list[tuple[str, ...]]] = defaultdict(list)
    finished: list[tuple[str, list[tuple[str, int]]]] = []
    back_at = 0
    for walk in range(WALKS):
        backed_from_ending = False
        while True:
            texts = shown_choices(player)
            assert sorted(texts) == sorted(c.text for c in run.choices), f"the choices of {run.position}"
            orders[(walk, run.position)].append(tuple(texts))
            choose(player, run, rng.choice(texts), skills)
            if rng.random() < 0.2:  # a change of mind before reading on
                press(page, player, "Step back")
                run.undo()
                back_at += 1
                expect_focus(page, FIRST_CHOICE_IN_VIEW, "Step back from feedback")
                assert shown_meters(player) == run.meters
                continue
            press(page, player, "Continue")
            if not run.ended:
                expect_focus(page, FIRST_CHOICE_IN_VIEW, "Continue")
                continue
            check_ending(player, run)
            expect_focus(page, ENDING_HEADING_IN_VIEW, "Continue to an ending")
            if not backed_from_ending and rng.random() < 0.5:
                backed_from_ending = True
                press(page, player, "Step back")
                run.undo()
                back_at += 1
                expect_focus(page, FIRST_CHOICE_IN_VIEW, "Step back from an ending")
                assert shown_meters(player) == run.meters
                continue
            break
        finished.append((attempt_of(player), [(s.scene_id, s.index) for s in run.history]))
        press(page, player, "Try again")
        run.restart()
        expect_focus(page, FIRST_CHOICE_IN_VIEW, "Try again")
        assert shown_meters(player) == run.meters and player.get_by_role("button", name="Step back").is_hidden()

    # (b) the same order within an attempt (Step back shows it again), a new one for a new attempt
    assert back_at and any(len(seen) > 1 for seen in orders.values()), "no scene was seen twice in one attempt"
    assert all(len(set(seen)) == 1 for seen in orders.values()), {k: v for k, v in orders.items() if len(set(v)) > 1}
    by_scene = defaultdict(set)
    for (_, scene), seen in orders.items():
        by_scene[scene].add(seen[0])
    assert any(len(found) > 1 for found in by_scene.values()), "every attempt showed the choices in the same order"
    assert len({attempt for attempt, _ in finished}) == WALKS

    # every path reached the kernel, was replayed on its Run and recorded by the journal, by identity
    journal = Journal(lab.root.parent / "journal.json")
    deadline = time.monotonic() + 30
    while True:
        recorded = {e["attempt"]: [(c["scene"], c["choice"]) for c in e["path"]]
                    for e in journal.entries("vignette") if e["key"] == VIGNETTE}
        if all(recorded.get(attempt) == path for attempt, path in finished) or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert {a: recorded.get(a) for a, _ in finished} == dict(finished)


# --- the whole vignette, as shown; screenshots at 1280 and 1024 px --------------------------------------------

def test_the_player_shows_the_client_the_feedback_and_the_ending(played, vignette, skills, artifacts):
    page, player = played
    client = vignette.client
    card = player.get_by_role("group", name="About the client")
    card_text = card.inner_text()
    assert all(part in card_text for part in (client.name, client.pronouns, str(client.age), client.background,
                                              f"Why now: {client.reason}", f"Worries about therapy: {client.fears}"))
    assert player.get_by_role("heading", name=vignette.title).is_visible()
    scene = vignette.scenes[vignette.start_id]
    line = player.locator(".trustlab-line").inner_text()
    assert line == f"{client.name.split()[0]}: “{scene.client}”"
    assert player.locator(".trustlab-cue").inner_text() == scene.cue
    assert player.locator(".trustlab-narration").inner_text() == scene.narration
    shots = {(width, "scene"): shoot(page, player, artifacts, f"player-{width}-scene", width)
             for width in (1280, 1024)}

    # a pitfall: its label, why, the client's inner reaction, the meters moving by the effects in the file
    run = vignette.start()
    index, choice = next((i, c) for i, c in enumerate(run.choices) if skills[c.skill].kind == "risks")
    choose(player, run, choice.text, skills)
    box = player.locator(".trustlab-feedback-box")
    assert box.get_attribute("data-skill-kind") == "risks"
    assert player.locator(".trustlab-feedback").get_attribute("aria-live") == "polite"
    assert player.locator(".trustlab-skill-desc").inner_text() == skills[choice.skill].description
    assert " ".join(player.locator(".trustlab-why").inner_text().split()) == " ".join(choice.feedback.split())
    assert player.locator(".trustlab-inner").inner_text() == (
        f"What {client.name.split()[0]} was thinking: {choice.client_inner}")
    assert player.locator(".trustlab-you").inner_text() == f"You: “{choice.text}”"
    for meter, delta in choice.effects.items():
        shown = player.locator(f".trustlab-meter[data-meter='{meter}']")
        sign = "+" if delta > 0 else "\u2212"
        assert f"({sign}{abs(delta):g})" in shown.inner_text()
        assert shown.get_by_role("meter").get_attribute("aria-valuenow") == f"{run.meters[meter]:g}"
    assert player.locator(".trustlab-choice").count() == 0
    for width in (1280, 1024):
        shots[(width, "feedback")] = shoot(page, player, artifacts, f"player-{width}-feedback", width)

    # on to an ending: debrief, the path with skill labels, the chart and its words, the questions
    press(page, player, "Continue")
    while not run.ended:
        choose(player, run, run.choices[0].text, skills)
        press(page, player, "Continue")
    check_ending(player, run)
    ending = run.ending
    text = " ".join(player.locator(".trustlab-ending").inner_text().split())
    assert " ".join(ending.debrief.split()) in text and f"({ending.kind})" in text
    assert all(" ".join(q.split()) in text for q in ending.discussion)
    assert player.locator(".trustlab-path li").all_inner_texts() == [
        f"“{s.choice.text}” {skills[s.choice.skill].label}" for s in run.history]
    chart = player.get_by_role("img")
    labels = ", ".join(m.label for m in vignette.meters.values())
    assert chart.get_attribute("aria-label").startswith(
        f"Line chart of {labels} after each of the {len(run.history)} choices on this path")
    assert chart.locator("polyline").count() == len(vignette.meters)
    box = chart.bounding_box()
    assert box and box["width"] > 250 and box["height"] > 100
    assert player.locator(".trustlab-takeaway").inner_text() == "On this path, " + "; ".join(
        f"{m.label} went from {m.start:g} to {run.meters[mid]:g}" for mid, m in vignette.meters.items()) + "."
    for width in (1280, 1024):
        shots[(width, "ending")] = shoot(page, player, artifacts, f"player-{width}-ending", width)

    # item 10: nothing named without a role; every control a real, named button
    unnamed = player.evaluate("""root => [...root.querySelectorAll('[aria-label]')]
        .filter(e => !e.getAttribute('role') && !['BUTTON', 'INPUT', 'A', 'SELECT', 'TEXTAREA'].includes(e.tagName))
        .map(e => e.outerHTML.slice(0, 80))""")
    assert unnamed == []
    for name in ("Step back", "Try again"):
        assert player.get_by_role("button", name=name, exact=True).evaluate("e => e.tagName") == "BUTTON"
    assert all(path.stat().st_size > 5000 for path in shots.values())


def shoot(page, player, folder, name: str, width: int):
    """The whole player at this window width: the window grows to its height so nothing is cut off."""
    page.set_viewport_size({"width": width, "height": 900})
    height = player.evaluate("e => e.getBoundingClientRect().height")
    page.set_viewport_size({"width": width, "height": max(900, int(height) + 300)})
    player.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    path = folder / f"{name}.png"
    player.screenshot(path=str(path))
    page.set_viewport_size({"width": 1280, "height": 900})
    return path


# --- keyboard only -----------------------------------------------------------------------------------------

def test_a_whole_vignette_plays_with_a_few_keys_per_scene(played, vignette):
    page, player = played
    rng = random.Random(3)
    player.locator(".trustlab-choice").first.focus()  # as if tabbed into from the notebook
    keys = scenes = 0
    while player.locator(".trustlab-ending").count() == 0:
        scenes += 1
        n = player.locator(".trustlab-choice").count()
        for _ in range(rng.randrange(n)):
            page.keyboard.press("Tab")
            keys += 1
        focused = page.evaluate("() => document.activeElement.className")
        assert "trustlab-choice" in focused, f"Tab left the choices: {focused}"
        ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                             "return [s.outlineStyle, s.outlineWidth]; }")
        assert ring == ["solid", "3px"], f"the focus ring is not clearly visible: {ring}"
        page.keyboard.press(rng.choice(["Enter", "Space"]))
        player.locator(".trustlab-feedback-box").wait_for(timeout=TIMEOUT)
        assert page.evaluate("() => document.activeElement.textContent") == "Continue"
        page.keyboard.press("Enter")
        keys += 2
        player.locator(".trustlab-choice, .trustlab-ending").first.wait_for(timeout=TIMEOUT)
        assert scenes <= len(vignette.scenes) + 5, "the keyboard never reached an ending"
    assert keys <= 4 * scenes, f"{keys} key presses for {scenes} scenes"
    expect_focus(page, ENDING_HEADING_IN_VIEW, "the last Continue")
    page.keyboard.press("Tab")  # from the ending's heading to Step back
    assert page.evaluate("() => document.activeElement.textContent") == "Step back"
    page.keyboard.press("Enter")
    expect_focus(page, FIRST_CHOICE_IN_VIEW, "Step back by keyboard")


# --- (d) and (e): no kernel round trip, and no waiting for a busy kernel ----------------------------------------

def latency(page, kind: str, target, arg=None, limit_ms: float = 10_000) -> float | None:
    """Milliseconds from a click on ``target`` to the frame showing the result (None: not within the limit)."""
    page.evaluate("([kind, arg, limit]) => window.__trustlabMeasure(kind, arg, limit)", [kind, arg, limit_ms])
    target.click()
    return page.evaluate("() => window.__latency")


def test_feedback_is_at_least_twice_as_fast_as_a_kernel_round_trip(played, figures):
    page, player = played
    page.evaluate(TIMING)
    bare = page.get_by_role("button", name="Bare button")
    label = page.locator(".widget-label", has_text="clicks")
    player_ms, bare_ms = [], []
    for _ in range(CLICKS):
        player.scroll_into_view_if_needed()
        player_ms.append(latency(page, "feedback", player.locator(".trustlab-choice").first))
        press(page, player, "Step back")
        player.locator(".trustlab-choice").first.wait_for(timeout=TIMEOUT)
        bare.scroll_into_view_if_needed()
        count = int(label.inner_text().split()[0])
        bare_ms.append(latency(page, "label", bare, f"{count + 1} clicks"))
    assert None not in player_ms and None not in bare_ms, (player_ms, bare_ms)
    figures.player_feedback_ms += player_ms
    figures.bare_button_ms += bare_ms
    assert median(player_ms) <= median(bare_ms) / 2, (
        f"player {median(player_ms):.1f} ms vs bare button {median(bare_ms):.1f} ms")


def test_feedback_comes_within_a_second_while_another_cell_runs(offline_page, lab, figures):
    # a copy of its own: the cell added here must not reach the other tests' notebook, nor its kernel
    name = "player_busy.ipynb"
    shutil.copy(lab.root / "fixtures" / NOTEBOOK, lab.root / "fixtures" / name)
    page, player = open_player(offline_page, lab, figures, name)
    page.evaluate(TIMING)
    page.locator(".jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("import time; time.sleep(20)")
    page.keyboard.press("Shift+Enter")
    busy = page.locator(".jp-StatusBar-TextItem", has_text="| Busy").first
    busy.wait_for(timeout=TIMEOUT)
    page.wait_for_timeout(500)
    player.scroll_into_view_if_needed()
    attempt = attempt_of(player)
    ms = latency(page, "feedback", player.locator(".trustlab-choice").first, limit_ms=5000)
    chosen = player.locator(".trustlab-you").inner_text()
    # the load is real: the kernel is still busy, and a bare button waits for it
    bare = page.get_by_role("button", name="Bare button")
    assert latency(page, "label", bare, "1 clicks", limit_ms=1000) is None, "the kernel was not busy after all"
    assert busy.is_visible()
    figures.feedback_under_load_ms = ms
    assert ms is not None and ms < 1000, f"feedback took {ms} ms with another cell running"

    # the choice still reaches the journal once the kernel is free
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    page.locator(".lm-Menu-itemLabel", has_text="Interrupt Kernel").first.click()
    journal = Journal(lab.root.parent / "journal.json")
    deadline = time.monotonic() + 30
    while not (found := [e for e in journal.entries("vignette") if e.get("attempt") == attempt]):
        assert time.monotonic() < deadline, "the choice made while the kernel was busy never reached the journal"
        time.sleep(0.3)
    assert [f"You: “{c['text']}”" for c in found[-1]["path"]] == [chosen]
    assert offline_page[1] == []
