"""Module 02's drill: three statements at each level, each with models and a short checklist.

Who the clients are (names, jobs, problems that repeat nowhere else) is checked for every
drill in tests/test_vignette_content.py; this file checks the drill's own shape.
"""

from __future__ import annotations

from collections import Counter

from trustlab.journal.widgets import load_practice

DRILL = load_practice("m02")
ITEMS = DRILL["items"]


def test_three_statements_at_each_level_in_order():
    assert Counter(item["difficulty"] for item in ITEMS) == {"beginner": 3, "intermediate": 3, "advanced": 3}
    levels = [item["difficulty"] for item in ITEMS]
    assert levels == sorted(levels, key=["beginner", "intermediate", "advanced"].index)


def test_each_statement_has_two_different_models_and_a_three_to_five_point_checklist():
    for item in ITEMS:
        models = [" ".join(m.split()) for m in item["models"]]
        assert len(models) >= 2 and len(set(models)) == len(models), item["id"]
        assert 3 <= len(item["criteria"]) <= 5, item["id"]
        assert all(c[0].isupper() for c in item["criteria"]), item["id"]


def test_the_shame_the_lesson_names_is_in_the_room():
    """Minimizing, joking it away, vague words, a smaller secret first, and an expected verdict."""
    statements = " ".join(" ".join(item["statement"].split()) for item in ITEMS)
    for words in ["not a big deal", "Ha.", "It's complicated", "confession", "must think I'm disgusting",
                  "hypothetically", "I saw that"]:
        assert words in statements, words


def test_the_intro_warns_of_the_topics_and_says_a_statement_can_be_skipped():
    intro = " ".join(DRILL["intro"].split())
    assert "skip any statement" in intro and "faith" in intro and "prison" in intro
