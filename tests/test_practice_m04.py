"""Module 04's drill: goal-setting moments at three levels, each with models and a short checklist.

Who the clients are (names, jobs, problems that repeat nowhere else) is checked for every
drill in tests/test_vignette_content.py, and the shape (three per level, two models, three to
five criteria) in tests/test_practice_shape.py; this file checks what the module teaches
about goals: the goal in the client's words, never set for them; honesty about what no one
can promise and about a goal the counselor cannot help with, with hope kept; a referrer's or
a parent's goal neither adopted nor fought; a task that did not fit changed rather than
defended; a low check-in mark taken up; a small step celebrated plainly; and, where a goal
touches on risk, a plain question about suicide in every model.
"""

from __future__ import annotations

import re

from trustlab.journal.widgets import load_practice

DRILL = load_practice("m04")
ITEMS = DRILL["items"]


def flat(text: str) -> str:
    return " ".join(text.split())


def saying(words: str) -> dict:
    """The one statement that contains these words."""
    [item] = [item for item in ITEMS if words in flat(item["statement"])]
    return item


def models(words: str) -> list[str]:
    return [flat(m) for m in saying(words)["models"]]


def everything() -> str:
    return " ".join(flat(" ".join([item.get("context", ""), item["statement"], *item["models"], *item["criteria"]]))
                    for item in ITEMS) + " " + flat(DRILL["intro"])


def test_the_goal_setting_moments_the_lesson_names_are_in_the_room():
    """A vague wish, an unreachable goal, a dismissed step, someone else's goal, a task that misfit,
    a low check-in, a mandated client, a goal the counselor cannot back, and a goal touching on risk."""
    statements = " ".join(flat(item["statement"]) for item in ITEMS)
    for words in ["I just want to be happy", "never skip", "Big deal", "My mom says",
                  "That writing thing was stupid", "It was fine, I guess", "only here because I have to be",
                  "I want to be off this antidepressant", "not need anybody anymore", "tired of being a burden"]:
        assert words in statements, words
    contexts = " ".join(flat(item.get("context", "")) for item in ITEMS)
    for words in ["she has marked a 4", "requires six counseling sessions", "the antidepressant her doctor prescribed"]:
        assert words in contexts, words


def test_every_model_invites_the_client_to_say_more_and_is_short():
    for item in ITEMS:
        for model in item["models"]:
            assert "?" in model, f"{item['id']}: a model closes the conversation instead of opening it: {flat(model)}"
            assert len(model.split()) <= 60, f"{item['id']}: a model runs to {len(model.split())} words"


def test_no_model_sets_the_goal_for_the_client_over_promises_or_cheerleads():
    """The counselor helps the client say what they want; a target, a promise or a cheer takes that away."""
    sets_the_goal = re.compile(r"\b(make|set) your goal\b|\byour goal (is|will be|should be)\b|"
                               r"\bwe('ll| will| should) aim\b|\d+\s*%|\bpercent\b|\bSMART\b", re.I)
    over_promises = re.compile(r"\bI promise\b|\bguarantee|\byou'll (never|be fine|feel better)\b|\bdefinitely\b|"
                               r"\bI('ll| will) make sure\b", re.I)
    cheers = re.compile(r"!|\b(amazing|awesome|incredible|fantastic|so proud)\b", re.I)
    for item in ITEMS:
        for model in item["models"]:
            for pattern in (sets_the_goal, over_promises, cheers):
                assert not pattern.search(model), f"{item['id']}: {pattern.search(model)[0]!r} in {flat(model)}"


def test_a_vague_wish_is_turned_toward_what_it_means_to_the_client():
    for model in models("I just want to be happy"):
        assert "happy" in model.lower() and re.search(r"\b(for you|your words|your life)\b", model), model
        assert re.search(r"\b(what|when)\b[^.?]*\?", model, re.I), f"no question about what it would look like: {model}"


def test_an_unreachable_goal_gets_honesty_about_limits_and_hope_about_what_can_change():
    for model in models("never skip"):
        assert re.search(r"\b(wish I could promise|nobody can|no one can|can't promise)\b", model, re.I), (
            f"a model lets 'six hours a day, never skip' stand: {model}")
        assert re.search(r"\b(can change|can work on)\b", model), f"a model takes hope away: {model}"
        assert re.search(r"\b(playing|the cello)\b", model), f"a model loses the playing the goal is about: {model}"


def test_a_dismissed_small_step_is_named_plainly_and_tied_to_the_clients_own_plan():
    item = saying("Big deal")
    for model in models("Big deal"):
        assert re.search(r"\b(twice|both times)\b", model, re.I), f"the step itself goes unnamed: {model}"
        assert re.search(r"\b(set out to do|planned)\b", model), f"the step is not tied to his own plan: {model}"
    goal = "not just in the room"
    assert goal in flat(item["context"]) and any(goal in m for m in models("Big deal")), (
        "his goal, in his words, should be given back to him")


def test_someone_elses_goal_is_neither_adopted_nor_fought():
    for model in models("My mom says"):
        assert re.search(r"\bmom\b", model) and re.search(r"\b(for you|about you|yours)\b", model), (
            f"a model does not separate his goal from his mother's: {model}")
        assert not re.search(r"\b(she's|she is|your mom is|your mom's) (right|wrong)\b", model), model


def test_a_task_that_did_not_fit_is_changed_not_defended():
    defends = re.compile(r"\b(because|the point (of|is)|research|studies|if you give it|stick with)\b", re.I)
    for model in models("That writing thing was stupid"):
        assert not defends.search(model), f"a model defends the task: {model}"
        assert re.search(r"\b(drop it|didn't fit|smaller|work better)\b", model), f"the task stays as it was: {model}"


def test_a_low_check_in_mark_is_thanked_for_and_acted_on():
    item = saying("It was fine, I guess")
    assert re.search(r"\b0 to 10\b", item["context"]) and "four short questions of your own" in flat(item["context"])
    for model in models("It was fine, I guess"):
        assert "4" in model, f"the mark goes unmentioned: {model}"
        assert re.search(r"\bnext (week|time)\b", model), f"nothing changes next time: {model}"
        assert not re.search(r"\b(because|I thought (it|we)|we did cover)\b", model), f"a model defends the hour: {model}"


def test_the_check_in_is_in_the_courses_own_words_never_the_licensed_items():
    """facts.md, Measures: an SRS-like check-in keeps the structure and never the SRS or ORS wording."""
    licensed = re.compile(r"heard,? understood|understood,? and respected|what I wanted to work on|"
                          r"good fit for me|session was right for me|\bindividually\b|\binterpersonally\b", re.I)
    assert not licensed.search(everything()), licensed.search(everything())[0]


def test_a_mandated_client_hears_what_will_be_reported_and_is_asked_what_she_wants():
    item = saying("only here because I have to be")
    for model in models("only here because I have to be"):
        assert "superintendent" in model and re.search(r"\b(hear|letter)\b", model), (
            f"a model is silent about what gets reported: {model}")
        assert re.search(r"\b(want|worth it to you)\b[^.]*\?", model), f"a model never asks what she wants: {model}"
        assert not re.search(r"give it a (real )?chance|you'd be surprised|I think you'll find|you need this",
                             model, re.I), f"a model argues for therapy: {model}"
    assert any(re.search(r"\bconsent\b", c) for c in item["criteria"])


def test_a_goal_the_counselor_cannot_help_with_is_declined_honestly_and_a_goal_of_her_own_sought():
    """Cutting down an antidepressant behind the prescriber's back is not the counselor's to plan; what she wants is."""
    item = saying("I want to be off this antidepressant")
    for model in models("I want to be off this antidepressant"):
        assert re.search(r"\b(won't help|no favors|can't help)\b", model), f"a model goes along with the plan: {model}"
        assert re.search(r"\bwithout your doctor\b", model) and re.search(r"\bunwell\b", model), (
            f"a model hides the reason: {model}")
        assert re.search(r"\byou\b[^.?]*\?", model), f"a model does not ask what she wants for herself: {model}"
        assert not re.search(r"\b(I'll|I will|I'd have to) (tell|call|let) (your doctor|Dr\.)", model), (
            f"a model threatens to go behind her back in turn: {model}")
    criteria = " ".join(item["criteria"])
    assert re.search(r"\bstop anyway\b", criteria) and re.search(r"\bsupervisor\b", criteria), (
        "nothing says what the counselor does if she goes ahead on her own")


def test_a_goal_that_touches_on_risk_gets_a_plain_question_about_suicide_in_every_model():
    """Asking about suicide never drives a client away: every model asks, plainly, in the same reply."""
    item = saying("not need anybody anymore")
    for model in models("not need anybody anymore"):
        assert re.search(r"\b(ending (your|their) life|suicide|killing yourself)\b[^?]*\?", model), (
            f"a model leaves the burden unasked about: {model}")
        assert not re.search(r"\b(silly|stupid|you're not thinking)\b", model, re.I), model
    criteria = " ".join(item["criteria"])
    assert re.search(r"\bbefore going on with goals\b", criteria) and re.search(r"\bsupervisor\b", criteria)


def test_the_drill_quotes_no_research_figures():
    """G1 (.24) and G2 (.29) live in the lesson; a drill that quoted them could only risk swapping them."""
    assert not re.search(r"\b[rd]\s*=|\.2[49]\b", everything())


def test_the_intro_names_the_topics_says_a_statement_can_be_skipped_and_explains_the_step():
    intro = flat(DRILL["intro"])
    assert "skip any statement" in intro
    for topic in ["low mood after a birth", "infertility", "antidepressant", "sight loss", "suicide"]:
        assert topic in intro, topic
    assert "a level up" in intro and "a level down" in intro
