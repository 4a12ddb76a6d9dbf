"""Every shipped check file is valid, and every quiz question teaches on every option."""

from __future__ import annotations

import pytest

from trustlab.checks import load_checks
from trustlab.paths import course_root

ROOT = course_root()

MODULES = sorted(p.stem for p in (ROOT / "data" / "checks").glob("*.yaml"))


def test_every_lesson_has_a_check_file():
    lessons = {f"m{p.name[:2]}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert lessons <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_check_file_is_valid(module):
    data = load_checks(module)
    assert len(data.get("quiz", [])) >= 3, "a knowledge check needs at least 3 questions"


@pytest.mark.parametrize("module", MODULES)
def test_every_option_has_its_own_feedback(module):
    items = load_checks(module)["items"]
    for key, item in items.items():
        if item["kind"] == "choice":
            texts = [o["feedback"] for o in item["options"]]
            assert len(set(texts)) == len(texts), f"{module}.{key}: two options share the same feedback"


@pytest.mark.parametrize("module", MODULES)
def test_every_check_used_in_a_notebook_exists(module):
    import re
    used = set()
    for folder in ("notebooks", "solutions"):
        for path in (ROOT / folder).glob(f"{module[1:]}_*.ipynb"):
            used |= set(re.findall(rf'check\(\\?"({module}\.[a-z0-9_]+)', path.read_text()))
    items = load_checks(module)["items"]
    assert used, f"no notebook of {module} calls check()"
    assert {key.split(".")[1] for key in used} <= set(items)
