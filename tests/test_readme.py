"""The README is the front door: its two commands and its module map must be right."""

from __future__ import annotations

import re

from trustlab.paths import course_root

ROOT = course_root()

README = (ROOT / "README.md").read_text()


def test_quick_start_gives_exactly_the_two_commands():
    section = README.split("## Quick start", 1)[1].split("###", 1)[0]
    commands = re.findall(r"^make (\w+)", section, flags=re.M)
    assert commands == ["lab", "test"]


def test_every_lesson_has_a_binder_link_that_opens_it():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"?urlpath=lab/tree/notebooks/{path.name})" in README, f"no Binder link for {path.name}"


def test_binder_links_point_at_existing_notebooks():
    for name in re.findall(r"urlpath=lab/tree/(notebooks/[^)\s]+)", README):
        assert (ROOT / name).exists(), name


def test_makefile_targets_named_in_readme_exist():
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"make (\w+)", README)):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_both_licences_are_present():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in (ROOT / "LICENSE-CONTENT.md").read_text()
