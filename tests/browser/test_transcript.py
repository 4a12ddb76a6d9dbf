"""The transcript-marking widget in JupyterLab in headless Chromium, used by keyboard only.

A small notebook (tests/fixtures/browser/transcript.ipynb) shows a shipped module 02
transcript with the journal listening, and a test transcript whose client lines can carry
two kinds of marker. Here a learner marks lines with Tab, Space and Enter alone, checks,
reads the feedback on each line marked or missed (compared with the Python scoring, the
reference), tries again, and the check reaches the journal by line ids. axe-core scans the
widget before and after a check, in the light and the dark theme.
"""

from __future__ import annotations

import time

import html
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from test_accessibility import SEVERE, THEMES, set_theme
from test_lessons import TIMEOUT, open_notebook, run_all
from test_player import shoot

from trustlab.checks import markdown_html
from trustlab.journal import Journal
from trustlab.paths import course_root
from trustlab.transcripts import load_transcript, score

NOTEBOOK = "transcript.ipynb"
SHIPPED = "behind_on_rent"  # the notebook's first widget
TWO_KINDS = course_root() / "tests" / "fixtures" / "transcripts" / "two_kinds.yaml"  # its second
# a learner's marks: two leaks and two signals found, one of each missed, two lines marked by mistake
TO_MARK = ["my_clients", "sister_lunch", "money_tight", "two_months", "family_first", "tell_them_no", "repair"]
TO_UNMARK = ["money_tight"]  # marked, then thought better of
FOCUSED = "() => document.activeElement && document.activeElement.dataset.line"


def words(text: str) -> str:
    return " ".join(text.split())


def text_of_markdown(text: str) -> str:
    """What a reader sees of course Markdown once it is HTML."""
    return words(html.unescape(re.sub(r"<[^>]+>", " ", markdown_html(text))))


def severe_violations_in(page, selector: str) -> list[str]:
    """Every serious or critical axe-core violation inside ``selector``, one line each."""
    results = Axe().run(page, context={"include": [selector]}, options={"resultTypes": ["violations"]})
    return [f"{rule['id']} ({rule['impact']}): {rule['help']} at {node['target']}: "
            f"{node.get('failureSummary', '')[:240]}"
            for rule in results.response["violations"] if rule["impact"] in SEVERE for node in rule["nodes"]]


@pytest.fixture
def opened(offline_page, lab, figures):
    """The fixture notebook run; yields (page, shipped widget, two-kinds widget). No request may leave the machine."""
    page, blocked = offline_page
    open_notebook(page, lab, NOTEBOOK, figures, folder="fixtures")
    run_all(page, NOTEBOOK, figures)
    widgets = page.locator(".trustlab-transcript")
    widgets.nth(1).locator(".trustlab-line-toggle").first.wait_for(timeout=TIMEOUT)
    shipped = page.locator(f".trustlab-transcript[data-transcript='{SHIPPED}']")
    two = page.locator(".trustlab-transcript[data-transcript='two_kinds']")
    yield page, shipped, two
    if page.evaluate("() => document.body.dataset.jpThemeLight") == "false":
        set_theme(page, THEMES["light"])
    assert blocked == [], "requests left the machine:\n" + "\n".join(blocked)


def tab_to(page, line_id: str, order: list[str]) -> None:
    """Press Tab (or Shift+Tab) until the toggle of ``line_id`` has the focus, as a keyboard user would."""
    here = page.evaluate(FOCUSED)
    key = "Tab" if order.index(line_id) > order.index(here) else "Shift+Tab"
    for _ in range(abs(order.index(line_id) - order.index(here))):
        page.keyboard.press(key)
    assert page.evaluate(FOCUSED) == line_id, f"Tab did not reach line {line_id}"


def focused_text(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.textContent : null")


def test_a_learner_marks_by_keyboard_checks_reads_each_lines_feedback_and_the_journal_keeps_it(opened, lab):
    page, widget, _ = opened
    transcript = load_transcript(SHIPPED)
    order = [line.id for line in transcript.lines]
    # first what it is about, with the crisis lines, who the client is, and what to look for
    assert transcript.content_note in words(widget.get_by_role("note").inner_text())
    assert "988" in widget.get_by_role("note").inner_text()
    assert words(transcript.client.background) in words(widget.get_by_role("group", name="About the client").inner_text())
    look_for = words(widget.get_by_role("group", name="What to look for").inner_text())
    assert all(f"{k.label} (on " in look_for and words(k.definition) in look_for for k in transcript.markers.values())
    assert widget.locator(".trustlab-line-toggle").count() == len(transcript.lines)
    widget.locator(".trustlab-line-toggle").first.focus()  # as if tabbed into from the notebook
    for n, line_id in enumerate(TO_MARK + TO_UNMARK):
        tab_to(page, line_id, order)
        ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); "
                             "return [s.outlineStyle, s.outlineWidth]; }")
        assert ring == ["solid", "3px"], f"the focus ring is not clearly visible: {ring}"
        before = widget.locator(f".trustlab-line-toggle[data-line='{line_id}']").get_attribute("aria-pressed")
        page.keyboard.press("Space" if n % 2 else "Enter")
        toggle = widget.locator(f".trustlab-line-toggle[data-line='{line_id}']")
        assert toggle.get_attribute("aria-pressed") == ("false" if before == "true" else "true")
        assert page.evaluate(FOCUSED) == line_id, "the focus left the line just toggled"
    marked = [i for i in order if i in TO_MARK and i not in TO_UNMARK]
    pressed = widget.locator(".trustlab-line-toggle[aria-pressed='true']").evaluate_all(
        "els => els.map(e => e.dataset.line)")
    assert pressed == marked
    assert widget.locator(".trustlab-line-toggle[aria-pressed='true'] .trustlab-mark-tag").all_inner_texts() == [
        f"Marked: {transcript.kinds_for(transcript.line(i))[0].label}" for i in marked]

    # on to "Check my marks" by Tab, as the last control after the lines
    tab_to(page, order[-1], order)
    page.keyboard.press("Tab")
    assert focused_text(page) == "Check my marks"
    page.keyboard.press("Enter")
    expected = score(transcript, marked)
    page.wait_for_function("() => document.activeElement.classList.contains('trustlab-transcript-summary')",
                           timeout=5000)
    assert focused_text(page) == expected.summary

    # feedback on every line marked or missed, and only on those, as the Python scoring has it
    shown = widget.locator(".trustlab-transcript-line:has(.trustlab-transcript-feedback)").evaluate_all(
        "els => els.map(e => [e.dataset.line, e.dataset.status])")
    assert shown == [[r.line.id, r.status] for r in expected.results]
    for result in expected.results:
        box = widget.locator(f".trustlab-transcript-line[data-line='{result.line.id}'] .trustlab-transcript-feedback")
        assert box.locator(".trustlab-result-heading").inner_text() == result.heading
        assert words(box.locator(".trustlab-why").inner_text()) == text_of_markdown(result.feedback)
    assert widget.locator(".trustlab-line-toggle").count() == 0, "lines are still toggles after the check"
    assert words(widget.locator(".trustlab-transcript-debrief").inner_text()) == \
        "Debrief " + text_of_markdown(transcript.debrief)
    assert widget.locator(".trustlab-transcript-result").get_attribute("aria-live") == "polite"

    # the check reached the kernel and the journal, by line ids
    journal = Journal(lab.root.parent / "journal.json")
    attempt = widget.get_attribute("data-attempt")
    deadline = time.monotonic() + 30
    while not (found := [e for e in journal.entries("transcript") if e.get("attempt") == attempt]):
        assert time.monotonic() < deadline, "the check never reached the journal"
        time.sleep(0.3)
    [entry] = found
    assert entry["key"] == SHIPPED and entry["module"] == "m02"
    assert [m["line"] for m in entry["marks"]] == marked
    assert [(r["line"], r["status"]) for r in entry["results"]] == [(r.line.id, r.status) for r in expected.results]

    # Try again, by keyboard: every mark cleared, the focus back on the first line
    page.keyboard.press("Tab")  # from the summary heading: the feedback has no controls, so on to Try again
    assert focused_text(page) == "Try again"
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => document.activeElement && document.activeElement.dataset.line === '{order[0]}'",
                           timeout=5000)
    assert widget.locator(".trustlab-line-toggle[aria-pressed='true']").count() == 0
    assert widget.locator(".trustlab-transcript-feedback").count() == 0
    assert widget.get_attribute("data-attempt") != attempt


def test_where_a_line_could_carry_two_kinds_the_learner_says_which_by_keyboard(opened):
    page, _, widget = opened
    transcript = load_transcript(TWO_KINDS)
    toggles = widget.locator(".trustlab-line-toggle")
    # counselor lines carry no marker here, so only the client's lines are toggles
    assert toggles.evaluate_all("els => els.map(e => e.dataset.line)") == [
        line.id for line in transcript.lines if line.speaker == "client"]
    toggles.first.focus()
    page.keyboard.press("Space")  # mark "fine"; its kind is still open
    assert widget.locator(".trustlab-line-toggle[data-line='fine']").get_attribute("aria-pressed") == "true"
    choice = widget.get_by_role("group", name="What is on line 2?")
    assert choice.get_by_role("radio").count() == 2
    widget.get_by_role("button", name="Check my marks").focus()
    page.keyboard.press("Enter")  # not yet: the kind is missing
    assert widget.locator(".trustlab-transcript-status").inner_text() == \
        "Choose what you found on line 2, or press the line again to unmark it."
    assert page.evaluate("() => document.activeElement.type") == "radio"
    page.keyboard.press("Space")  # the first kind: Withdrawal
    page.keyboard.press("ArrowDown")  # changes the choice, as arrow keys do in a radio group
    assert widget.locator("input[type=radio]:checked").get_attribute("value") == "confrontation"
    widget.get_by_role("button", name="Check my marks").focus()
    page.keyboard.press("Enter")
    expected = score(transcript, {"fine": "confrontation"})
    summary = widget.locator(".trustlab-transcript-summary")
    summary.wait_for(timeout=5000)
    assert summary.inner_text() == expected.summary
    headings = widget.locator(".trustlab-result-heading").all_inner_texts()
    assert headings == [r.heading for r in expected.results]
    assert headings[0] == "Right line, other kind: this is Withdrawal, not Confrontation"


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_the_widget_has_no_serious_accessibility_violations(opened, artifacts, theme):
    page, widget, two = opened
    page.set_viewport_size({"width": 1024, "height": 900})
    if theme != "light":
        set_theme(page, THEMES[theme])
    widget.locator(".trustlab-line-toggle[data-line='two_months']").click()
    two.locator(".trustlab-line-toggle[data-line='fine']").click()  # its kind choice on screen too
    before = severe_violations_in(page, ".trustlab-transcript")
    shoot(page, widget, artifacts, f"transcript-{theme}-marking", 1024)
    widget.get_by_role("button", name="Check my marks").click()
    widget.locator(".trustlab-transcript-feedback").first.wait_for(timeout=TIMEOUT)
    after = severe_violations_in(page, ".trustlab-transcript")
    shoot(page, widget, artifacts, f"transcript-{theme}-checked", 1024)
    assert before == [], f"{theme} theme, marking: axe-core found\n" + "\n".join(before)
    assert after == [], f"{theme} theme, checked: axe-core found\n" + "\n".join(after)
