"""Every module's deliberate-practice drill has the shape the issues ask of it.

Nine client statements, three at each level and easiest first, so the difficulty step has
somewhere to go; at least two different model responses each (two good ways, not the answer)
and a checklist of three to five criteria a learner can honestly tick. Module 00's taster
drill has one statement per level (tests/test_drill_difficulty.py uses it).
"""

from __future__ import annotations

from collections import Counter

import pytest

from trustlab.journal.widgets import load_practice
from trustlab.paths import data_dir

LEVELS = ["beginner", "intermediate", "advanced"]
MODULES = sorted(p.stem for p in (data_dir() / "practice").glob("m*.yaml") if p.stem != "m00")


def test_every_module_from_01_on_has_a_drill():
    assert {"m01", "m02", "m03", "m04", "m05"} <= set(MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_three_statements_at_each_level_in_order(module):
    levels = [item["difficulty"] for item in load_practice(module)["items"]]
    assert Counter(levels) == {level: 3 for level in LEVELS}
    assert levels == sorted(levels, key=LEVELS.index)


@pytest.mark.parametrize("module", MODULES)
def test_each_statement_has_two_different_models_and_a_three_to_five_point_checklist(module):
    for item in load_practice(module)["items"]:
        models = [" ".join(m.split()) for m in item["models"]]
        assert len(models) >= 2 and len(set(models)) == len(models), item["id"]
        assert 3 <= len(item["criteria"]) <= 5, item["id"]
        assert all(c[0].isupper() for c in item["criteria"]), item["id"]
