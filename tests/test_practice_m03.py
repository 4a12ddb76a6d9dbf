"""Module 03's drill: rupture moments at three levels, each with models and a short checklist.

Who the clients are (names, jobs, problems that repeat nowhere else) is checked for every
drill in tests/test_vignette_content.py; this file checks the drill's own shape and what the
module teaches about repair: brief, non-defensive, owning the counselor's part without
over-apologizing, inviting the client to say more, and the counselor's own reaction named with
the right term.
"""

from __future__ import annotations

import re

from trustlab.journal.widgets import load_practice

DRILL = load_practice("m03")
ITEMS = DRILL["items"]


def flat(text: str) -> str:
    return " ".join(text.split())






def test_the_rupture_moments_the_lesson_names_are_in_the_room():
    """Withdrawal, confrontation, the counselor's own mistake, a boundary request and the counselor's own reaction."""
    statements = " ".join(flat(item["statement"]) for item in ITEMS)
    contexts = " ".join(flat(item.get("context", "")) for item in ITEMS)
    for words in ["Whatever you think", "didn't really get to it", "Anyway. Did you catch the game",  # withdrawal
                  "already gone", "This isn't working", "like a script", "Do you even care",  # confrontation
                  "cell number", "are you married"]:  # boundaries
        assert words in statements, words
    for words in ["twelve minutes late", "about your own father", "urge to remind her"]:  # own mistakes, own reaction
        assert words in contexts, words


def test_every_model_invites_the_client_to_say_more():
    for item in ITEMS:
        for model in item["models"]:
            assert "?" in model, f"{item['id']}: a model ends the conversation instead of opening it: {flat(model)}"


def test_models_are_brief_and_never_over_apologize():
    """A repair is a sentence or two about your part, then back to the client: no speech, no string of sorries."""
    for item in ITEMS:
        for model in item["models"]:
            assert len(model.split()) <= 70, f"{item['id']}: a model runs to {len(model.split())} words"
            assert len(re.findall(r"\b(sorry|apologi[sz]e)\b", model, re.I)) <= 1, f"{item['id']}: {flat(model)}"


def test_after_the_counselors_own_mistake_every_model_owns_it_without_an_excuse():
    own_mistakes = [item for item in ITEMS if re.search(r"\byou (arrived|told him)\b", item.get("context", ""), re.I)]
    assert len(own_mistakes) >= 2
    for item in own_mistakes:
        for model in item["models"]:
            assert re.search(r"\b(I was|I kept|my mistake|I told)\b", model), f"{item['id']}: {flat(model)}"
            assert not re.search(r"\b(because|traffic|running behind|my last client)\b", model, re.I), (
                f"{item['id']}: a model explains the mistake away: {flat(model)}")


def test_a_request_for_a_personal_number_is_declined_and_met_with_other_help():
    [item] = [item for item in ITEMS if "cell number" in item["statement"]]
    for model in item["models"]:
        assert not re.search(r"\d{3}", model), "a model gives out a number"
        assert re.search(r"\b(don't give|stays personal)\b", model), flat(model)
    assert any(re.search(r"crisis line", m) for m in item["models"]) and \
        any(re.search(r"crisis line", c) for c in item["criteria"]), "the bad nights need somewhere to go"
    # the bad nights are asked about, safety included, not only handed a phone number
    assert all(re.search(r"\b(what|how)\b[^?]*\bbad (night|one)\b[^?]*\?", m, re.I) for m in item["models"]), (
        "a model never asks what a bad night is like")
    assert any(re.search(r"bad night", c) and re.search(r"\bunsafe\b", c) for c in item["criteria"])
    # the reason given for the boundary is about the client's help, not the counselor's comfort
    assert not any(re.search(r"\bfully here\b", m) for m in item["models"])


def test_a_personal_question_is_answered_briefly_or_held_off_openly_never_dodged():
    """Lesson cell 25: answer briefly or decline warmly, and wonder with the client; a decline offers to answer."""
    [item] = [item for item in ITEMS if "are you married" in item["statement"]]
    for model in item["models"]:
        answers = re.search(r"\bno, I'm not\b", model)
        offers = re.search(r"\bI'll tell you\b", model)
        assert answers or offers, f"a model neither answers nor offers to: {flat(model)}"
    assert any("dodging" in c for c in item["criteria"])


def test_the_counselors_own_reaction_is_countertransference_taken_to_supervision():
    """The counselor's reaction is countertransference (never 'transference'), and consulting is ordinary practice."""
    everything = " ".join(flat(" ".join([item.get("context", ""), item["statement"], *item["models"],
                                         *item["criteria"]])) for item in ITEMS)
    assert not re.search(r"(?<!counter)transference", everything, re.I)
    named = [c for item in ITEMS for c in item["criteria"] if "countertransference" in c]
    assert named and all(re.search(r"\bmy\b", c) and re.search(r"supervision|consult", c) for c in named)


def test_the_intro_warns_of_the_topics_and_says_a_statement_can_be_skipped():
    intro = flat(DRILL["intro"])
    assert "skip any statement" in intro and "dementia" in intro and "jealousy" in intro
