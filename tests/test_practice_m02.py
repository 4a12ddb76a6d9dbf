"""Module 02's drill: three statements at each level, each with models and a short checklist.

Who the clients are (names, jobs, problems that repeat nowhere else) is checked for every
drill in tests/test_vignette_content.py; this file checks the drill's own shape.
"""

from __future__ import annotations


from trustlab.journal.widgets import load_practice

DRILL = load_practice("m02")
ITEMS = DRILL["items"]






def test_the_shame_the_lesson_names_is_in_the_room():
    """Minimizing, joking it away, vague words, a smaller secret first, and an expected verdict."""
    statements = " ".join(" ".join(item["statement"].split()) for item in ITEMS)
    for words in ["not a big deal", "Ha.", "It's complicated", "confession", "must think I'm disgusting",
                  "hypothetically", "I saw that"]:
        assert words in statements, words


def test_the_intro_warns_of_the_topics_and_says_a_statement_can_be_skipped():
    intro = " ".join(DRILL["intro"].split())
    assert "skip any statement" in intro and "faith" in intro and "prison" in intro
