"""The course's own outputs, scanned by axe-core in JupyterLab's light and dark themes.

Each lesson is opened and run as a student would, then axe-core (shipped inside
axe-playwright-python, so the scan is offline) checks every cell output: any serious
or critical violation fails, colour contrast included, in both themes. JupyterLab's
own interface is not scanned: only what the course puts on the page. The same run
checks that every chart fits the notebook's width at 1024 px with the file browser
open, and saves screenshots of both themes at 1024 px for a person to look at.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from test_lessons import LESSONS, TIMEOUT, assert_charts_drawn, open_notebook, run_all

SEVERE = ("serious", "critical")
THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}


def set_theme(page, theme: str) -> None:
    """Settings › Theme › <theme>, as a learner would, then wait until the page has it."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel", has_text=theme).first.click()
    light = "true" if theme == THEMES["light"] else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=TIMEOUT)
    page.wait_for_timeout(500)  # let the theme's stylesheet settle before colours are measured


def severe_violations(page) -> list[str]:
    """Every serious or critical axe-core violation inside the notebook's outputs, one line each."""
    results = Axe().run(page, context={"include": [".jp-OutputArea-output"]},
                        options={"resultTypes": ["violations"]})
    return [f"{rule['id']} ({rule['impact']}): {rule['help']} at {node['target']}: "
            f"{node.get('failureSummary', '')[:240]}"
            for rule in results.response["violations"] if rule["impact"] in SEVERE
            for node in rule["nodes"]]


def charts_that_overflow(page) -> list[str]:
    """Charts whose drawing reaches past the right edge of their output area."""
    return page.evaluate("""() => [...document.querySelectorAll('.trustlab-chart')].flatMap((chart, i) => {
        const area = chart.closest('.jp-OutputArea-output').getBoundingClientRect();
        const drawn = chart.querySelector('svg.marks, canvas.marks');
        if (!drawn) return [];
        const right = drawn.getBoundingClientRect().right;
        return right > area.right + 1 ? [`chart ${i + 1} ends at ${Math.round(right)} px, `
                                        + `its output area at ${Math.round(area.right)} px`] : [];
    })""")


@pytest.fixture
def themed_page(offline_page):
    """A page whose theme the test may change; put back to light afterwards for the other tests."""
    page, blocked = offline_page
    yield page, blocked
    if page.evaluate("() => document.body.dataset.jpThemeLight") == "false":
        set_theme(page, THEMES["light"])


@pytest.mark.parametrize("name", LESSONS)
def test_course_outputs_have_no_serious_accessibility_violations(themed_page, lab, figures, artifacts, name):
    """Light, then dark: the notebook is opened once and run again in each theme, so charts are
    drawn in the theme's own colours, as a learner who switches theme and reruns would see them."""
    page, blocked = themed_page
    page.set_viewport_size({"width": 1024, "height": 800})
    open_notebook(page, lab, name, figures)
    found = {}
    for theme in sorted(THEMES, reverse=True):  # light first: JupyterLab's default
        if theme != "light":
            set_theme(page, THEMES[theme])
        run_all(page, name, figures, again=theme != "light")
        assert_charts_drawn(page)
        assert page.locator(".jp-FileBrowser").first.is_visible(), "the check is meant with the file browser open"
        assert charts_that_overflow(page) == [], f"{theme}: charts are clipped at 1024 px with the file browser open"
        found[theme] = severe_violations(page)
        page.screenshot(path=str(artifacts / f"{name.removesuffix('.ipynb')}-{theme}-1024.png"))
    for theme, violations in found.items():
        assert violations == [], f"{name}, {theme} theme: axe-core found\n" + "\n".join(violations)
    assert blocked == []
