"""The GAS worksheet in JupyterLab in headless Chromium: filled in by keyboard alone, saved, back after a reload.

A small notebook (tests/fixtures/browser/gas.ipynb) shows a two-goal worksheet. Here a
learner Tabs through it in reading order, types each goal and its levels, picks a weight
and the level reached with the arrow keys, and reads the T-score (compared with
``gas_t_score``, the reference); the journal holds it without any Save press; after a
reload and a re-run the sheet shows it again. axe-core scans the worksheet in the light and
the dark theme at 1024 px, where nothing may reach past the notebook's width.
"""

from __future__ import annotations

import re
import time

import pytest
from test_accessibility import THEMES, set_theme
from test_lessons import TIMEOUT, open_notebook, run_all
from test_player import shoot
from test_transcript import severe_violations_in

from trustlab.goal_attainment import gas_t_score
from trustlab.journal import Journal

NOTEBOOK = "gas.ipynb"
KEY = "m04.browser_client"
SHEET = ".trustlab-gas-worksheet"
GOAL_1 = {"goal": "I just want to feel like me again, going out with friends",
          "levels": ["Stays in every evening", "Goes out once a month", "Goes out with a friend every other week",
                     "Goes out every week", "Goes out every week and has invited someone"]}
GOAL_2 = "Sleep before midnight on work nights"
# what each Tab should land on, and the name its label gives it
ORDER = (["The goal, in the client's own words"]
         + [re.compile(rf"^{s}\s") for s in ("−2", "−1", "0", r"\+1", r"\+2")]
         + ["Weight: how much it matters to the client", "At follow-up: the level you and the client agree was reached"])
FOCUSED = """() => { const e = document.activeElement;
  return { tag: e.tagName, label: e.labels && e.labels.length ? e.labels[0].textContent : null,
           legend: e.closest('fieldset.trustlab-gas-goal')?.querySelector('legend')?.textContent || null,
           value: e.value, ring: [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth] }; }"""


@pytest.fixture
def opened(offline_page, lab, figures):
    """The fixture notebook run; yields (page, worksheet). No request may leave the machine."""
    page, blocked = offline_page
    open_notebook(page, lab, NOTEBOOK, figures, folder="fixtures")
    run_all(page, NOTEBOOK, figures)
    sheet = page.locator(SHEET)
    sheet.locator("textarea").first.wait_for(timeout=TIMEOUT)
    yield page, sheet
    if page.evaluate("() => document.body.dataset.jpThemeLight") == "false":
        set_theme(page, THEMES["light"])
    assert blocked == [], "requests left the machine:\n" + "\n".join(blocked)


def tab(page, goal: int, expected) -> dict:
    """Press Tab once: the focus must land on the next control of this goal, named by its label, with a clear ring."""
    page.keyboard.press("Tab")
    return on(page, goal, expected)


def on(page, goal: int, expected) -> dict:
    here = page.evaluate(FOCUSED)
    assert here["legend"] == f"Goal {goal}", here
    assert (expected.match(here["label"]) if isinstance(expected, re.Pattern) else here["label"] == expected), here
    assert here["ring"] == ["solid", "3px"], f"the focus ring is not clearly visible: {here}"
    return here


def summary(sheet) -> str:
    return " ".join(sheet.locator(".trustlab-gas-summary").inner_text().split())


def test_a_learner_fills_the_sheet_by_keyboard_alone_and_finds_it_again_after_a_reload(opened, lab, figures):
    page, sheet = opened
    assert sheet.locator("fieldset.trustlab-gas-goal").count() == 2
    assert summary(sheet).startswith("No T-score yet")
    sheet.locator("textarea").first.focus()  # as if tabbed into from the notebook
    on(page, 1, ORDER[0])
    page.keyboard.type(GOAL_1["goal"])
    for label, text in zip(ORDER[1:6], GOAL_1["levels"]):
        tab(page, 1, label)
        page.keyboard.type(text)
    tab(page, 1, ORDER[6])
    page.keyboard.press("ArrowDown")  # weight 1 → 2, as arrow keys do on a list box
    assert page.evaluate(FOCUSED)["value"] == "2"
    tab(page, 1, ORDER[7])
    for _ in range(4):  # not scored yet → −2 → −1 → 0 → +1
        page.keyboard.press("ArrowDown")
    assert page.evaluate(FOCUSED)["value"] == "1"
    page.wait_for_function("() => document.querySelector('.trustlab-gas-summary').textContent.startsWith('T = 60.0')",
                           timeout=10_000)  # one goal at +1: live, at once

    # goal 2: words, levels left empty, weight left at 1, scored −1
    tab(page, 2, ORDER[0])
    page.keyboard.type(GOAL_2)
    for label in ORDER[1:7]:
        tab(page, 2, label)
    tab(page, 2, ORDER[7])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expected = f"T = {gas_t_score([1, -1], [2, 1]):.1f}: "  # 54.0 by hand: 10·(2 − 1)/√(0.7·5 + 0.3·9)
    page.wait_for_function(
        f"() => document.querySelector('.trustlab-gas-summary').textContent.startsWith({expected!r})", timeout=10_000)
    assert "Counted: goals 1 and 2." in summary(sheet)
    assert "Goal 2: describe what levels −2, −1, 0, +1 and +2 would look like." in sheet.locator(
        ".trustlab-gas-todo").inner_text()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Save"  # the sheet ends at its Save button

    # saved without pressing Save, and the status line says so
    sheet.locator(".trustlab-saved[data-state='ok']").wait_for(timeout=TIMEOUT)
    journal = Journal(lab.root.parent / "journal.json")
    deadline = time.monotonic() + 30
    while not ((entry := journal.latest(KEY)) and len(entry["goals"]) == 2 and entry["goals"][1]["score"] == -1
               and entry["goals"][1]["goal"] == GOAL_2):
        assert time.monotonic() < deadline, f"the journal never got the sheet: {entry}"
        time.sleep(0.3)
    assert entry["goals"][0] == {**GOAL_1, "weight": 2, "score": 1}
    assert entry["t_score"] == pytest.approx(gas_t_score([1, -1], [2, 1]))

    # a reload and a re-run, as a learner coming back the next day
    page.reload()
    open_notebook(page, lab, NOTEBOOK, figures, folder="fixtures")
    run_all(page, NOTEBOOK, figures)
    sheet = page.locator(SHEET)
    sheet.locator("textarea").first.wait_for(timeout=TIMEOUT)
    values = "els => els.map(e => e.value)"
    assert sheet.locator(".trustlab-gas-goal-text").evaluate_all(values) == [GOAL_1["goal"], GOAL_2]
    first = sheet.locator("fieldset.trustlab-gas-goal").first
    assert first.locator(".trustlab-gas-level-text").evaluate_all(values) == GOAL_1["levels"]
    assert sheet.locator("select").evaluate_all(values) == ["2", "1", "1", "-1"]
    assert summary(sheet).startswith(expected) and "Saved at" in sheet.locator(".trustlab-saved").inner_text()


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_worksheet_has_no_serious_accessibility_violations_and_fits_at_1024_px(opened, artifacts, theme):
    page, sheet = opened
    page.set_viewport_size({"width": 1024, "height": 900})
    if theme != "light":
        set_theme(page, THEMES[theme])
    sheet.locator(".trustlab-gas-goal-text").first.fill("A long goal, in the client's words, " * 6)
    sheet.locator(".trustlab-gas-level-text").nth(2).fill("What both expect, described at length: " * 4)
    for n in (1, 3):  # both goals at the expected level, whatever an earlier test left in the journal
        sheet.locator("select").nth(n).select_option("0")
    sheet.locator(".trustlab-gas-summary").filter(has_text="T = 50.0").wait_for(timeout=10_000)
    found = severe_violations_in(page, SHEET)
    overflow = sheet.evaluate("""e => {
        const area = e.closest('.jp-OutputArea-output').getBoundingClientRect();
        return [...e.querySelectorAll('*')].filter(c => c.getBoundingClientRect().right > area.right + 1)
            .map(c => `${c.tagName}.${c.className} ends at ${Math.round(c.getBoundingClientRect().right)} px, `
                      + `the output at ${Math.round(area.right)} px`); }""")
    sideways = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output')]"
                             ".some(o => o.scrollWidth > o.clientWidth + 1)")
    shoot(page, sheet, artifacts, f"gas-{theme}", 1024)
    assert found == [], f"{theme} theme: axe-core found\n" + "\n".join(found)
    assert overflow == [] and not sideways, f"{theme} theme at 1024 px:\n" + "\n".join(overflow)
