"""Module 05's drill: capstone moments from later sessions, each needing several skills at once.

Who the clients are (names, jobs, problems that repeat nowhere else) is checked for every
drill in tests/test_vignette_content.py, and the shape (three per level, two models, three to
five criteria) in tests/test_practice_shape.py; this file checks what the capstone teaches:
humour that follows the client's lead and comes back to substance, and no humour where the
client laughs at pain; a small step measured against the client's own start; an early ending
respected with the door left open; a low check-in mark and missed sessions taken up with
curiosity, never with shame; a question about fit explored rather than defended; a referral to a
specialist that is considered, never a dumping; an old rupture owned; and, where risk shows,
a plain question about suicide in every model.
"""

from __future__ import annotations

import re

from trustlab.journal.widgets import load_practice

DRILL = load_practice("m05")
ITEMS = DRILL["items"]
LIGHT = re.compile(r"\((smiling|laughing|with a smile|grinning)\)", re.I)


def flat(text: str) -> str:
    return " ".join(text.split())


def saying(words: str) -> dict:
    """The one statement that contains these words."""
    [item] = [item for item in ITEMS if words in flat(item["statement"])]
    return item


def models(words: str) -> list[str]:
    return [flat(m) for m in saying(words)["models"]]


def criteria(words: str) -> str:
    return " ".join(saying(words)["criteria"])


def everything() -> str:
    return " ".join(flat(" ".join([item.get("context", ""), item["statement"], *item["models"], *item["criteria"]]))
                    for item in ITEMS) + " " + flat(DRILL["intro"])


def test_the_capstone_moments_the_brief_names_are_in_the_room():
    """A joke to meet, a step waved away, an early ending, a return after missed sessions with a low
    mark brushed aside, a question about fit, a laugh over pain, a specialist needed, an old rupture, a risk cue."""
    statements = " ".join(flat(item["statement"]) for item in ITEMS)
    for words in ["declaration of war", "It doesn't really count", "I'd like this to be the last one",
                  "sorry about the last two weeks", "I just gave it a 4", "Do you think I need someone else?",
                  "kind of a great line", "I know it sounds crazy", "You still think I'm lying to my wife",
                  "For good. Anyway. Where were we?"]:
        assert words in statements, words
    contexts = " ".join(flat(item.get("context", "")) for item in ITEMS)
    for words in ["missed the next session", "he laughs as he says it", "a specialist", "Fourth session",
                  "In the third session you said"]:
        assert words in contexts, words


def test_the_moments_come_from_later_sessions():
    """A capstone drill: every moment is past the first meeting, where the skills have to work together."""
    for item in ITEMS:
        found = re.search(r"\b(Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|Ninth|Tenth)\b session|the (sixth|seventh) session|"
                          r"\bThis is the (fifth|sixth|seventh)\b", flat(item["context"]))
        assert found, f"{item['id']}: the context should say which later session this is"


def test_every_model_invites_the_client_to_say_more_and_is_short():
    for item in ITEMS:
        for model in item["models"]:
            assert "?" in model, f"{item['id']}: a model closes the conversation instead of opening it: {flat(model)}"
            assert len(model.split()) <= 60, f"{item['id']}: a model runs to {len(model.split())} words"


def test_no_model_over_promises_cheers_or_argues_for_more_therapy():
    over_promises = re.compile(r"\bI promise\b|\bguarantee|\byou'll (never|be fine|feel better)\b|\bdefinitely\b|"
                               r"\bI('ll| will) make sure\b", re.I)
    cheers = re.compile(r"!|\b(amazing|awesome|incredible|fantastic|so proud)\b", re.I)
    persuades = re.compile(r"give it a (real )?chance|you'd be surprised|I think you'll find|you need this|"
                           r"a few more sessions|too (soon|early) to stop", re.I)
    for item in ITEMS:
        for model in item["models"]:
            for pattern in (over_promises, cheers, persuades):
                assert not pattern.search(model), f"{item['id']}: {pattern.search(model)[0]!r} in {flat(model)}"


def test_a_joke_that_invites_a_light_reply_gets_one_and_then_the_substance():
    """Shared humour follows the client's lead, briefly, and comes back to what the step meant."""
    for model in models("declaration of war"):
        assert LIGHT.match(model), f"a model meets her joke with a straight face: {model}"
        joke, rest = re.split(r"(?<=[.?])\s+", model, maxsplit=1)
        assert len(joke.split()) <= 10, f"the light moment runs on: {joke}"
        assert re.search(r"\b(step|moment)\b", rest) and re.search(r"\bwhat (was it|happened)\b", rest, re.I), (
            f"a model does not come back to what the step meant to her: {model}")
    assert re.search(r"\bnever at her expense\b", criteria("declaration of war"))


def test_where_a_client_laughs_at_pain_no_model_laughs_along():
    """The same light touch that helped a moment ago would hurt here: misplaced humour."""
    for model in models("kind of a great line"):
        assert not LIGHT.search(model) and not re.search(r"\b(ha|haha|great line|funny)\b", model, re.I), (
            f"a model joins the joke: {model}")
        assert re.search(r"\blaugh", model), f"a model lets the laugh pass unremarked: {model}"
        assert not re.search(r"\byour (dad|father) (was|is) (cruel|wrong|awful)\b|\byou should (feel|be)\b", model), (
            f"a model tells him what to think of his father or how to feel: {model}")
    assert re.search(r"\bdidn't laugh along\b", criteria("kind of a great line"))
    assert re.search(r"\bat his pace\b", criteria("kind of a great line"))


def test_a_step_waved_away_is_measured_against_the_clients_own_start_and_goal():
    item = saying("It doesn't really count")
    for model in models("It doesn't really count"):
        assert re.search(r"\bdentist\b", model) and re.search(r"\bhuddle\b", model), f"the steps go unnamed: {model}"
        assert re.search(r"\b(where you started|when we began|that goal)\b", model), (
            f"the step is not held up against their own start or goal: {model}")
        assert not re.search(r"\bnormal\b", model), f"a model takes up the comparison with 'normal people': {model}"
    assert "without rehearsing them for a week" in flat(item["context"])


def test_an_early_ending_is_respected_and_the_door_left_open():
    for model in models("I'd like this to be the last one"):
        assert re.search(r"\b(your call|of course)\b", model, re.I), f"a model does not accept her decision: {model}"
        assert re.search(r"\b(door stays open|welcome back|come back)\b", model), f"a model closes the door: {model}"
        assert "Lucien" in model or "difference" in model, f"a model skips what she achieved: {model}"
    assert re.search(r"\bdidn't try to talk her into more sessions\b", criteria("I'd like this to be the last one"))


def test_a_return_after_missed_sessions_is_welcomed_and_the_low_mark_taken_up_with_curiosity():
    """M1: the check-in is worth most when a client is off track, and a low mark before a gap is such a sign."""
    shaming = re.compile(r"\b(no-show|policy|commitment|you should have|you need to call|charged?|fee)\b", re.I)
    for model in models("I just gave it a 4"):
        assert re.search(r"\b(glad you're back|welcome back)\b", model, re.I), f"no welcome: {model}"
        assert "4" in model, f"the mark goes unmentioned: {model}"
        assert not shaming.search(model), f"a model shames him for the missed sessions: {shaming.search(model)[0]}"
        assert re.search(r"\blast (time|session)\b[^.]*\?", model), f"a model does not ask what was off: {model}"
    item = saying("I just gave it a 4")
    assert "How we went about it made sense to me" in flat(item["context"]), "the check-in line should be the course's own"


def test_the_check_in_is_in_the_courses_own_words_never_the_licensed_items():
    """facts.md, Measures: an SRS-like check-in keeps the structure and never the SRS or ORS wording."""
    licensed = re.compile(r"heard,? understood|understood,? and respected|what I wanted to work on|"
                          r"good fit for me|session was right for me|\bindividually\b|\binterpersonally\b", re.I)
    assert not licensed.search(everything()), licensed.search(everything())[0]


def test_a_question_about_fit_is_explored_not_defended_and_no_door_closes():
    defends = re.compile(r"\b(I'm (qualified|trained|experienced)|my training|I've worked with many|"
                         r"trust the process|give it (time|more time))\b", re.I)
    for model in models("Do you think I need someone else?"):
        assert not defends.search(model), f"a model defends the counselor: {defends.search(model)[0]}"
        assert re.search(r"\bhelp you find\b", model), f"a model leaves her to find someone alone: {model}"
        assert re.search(r"\bwhat (have you|would someone else)\b[^?]*\?", model, re.I), (
            f"a model does not ask what is missing here: {model}")


def test_a_specialist_referral_is_considered_never_a_dumping():
    """Seed 001: referring a client to a better fit is no failure; a phone number and goodbye is premature referral."""
    for model in models("I know it sounds crazy"):
        assert re.search(r"\bspeciali[sz]", model), f"a model does not say who could help: {model}"
        assert re.search(r"\b(keep meeting|keep seeing|not handing you off|help with the first call)\b", model), (
            f"a model hands him on without a handover: {model}")
        assert re.search(r"\b(what you think|how does that sound)\b", model, re.I), f"a model decides for him: {model}"
        assert not re.search(r"\b(you have|you've got|that's) (OCD|obsessive)", model, re.I), (
            f"a model diagnoses him on the spot: {model}")
        assert not re.search(r"\b(sounds crazy|is crazy)\b", model.replace("doesn't sound crazy", "")), model
    assert re.search(r"\bno failure\b", criteria("I know it sounds crazy"))


def test_an_old_rupture_is_owned_without_moralizing():
    moralizes = re.compile(r"\b(you (need|should|ought) to tell|honest with (her|Connie)|she deserves|"
                           r"secrets? (hurt|damage))\b", re.I)
    for model in models("You still think I'm lying to my wife"):
        assert re.search(r"\bI (said|put it badly)\b", model), f"a model does not name its own earlier remark: {model}"
        assert not moralizes.search(model), f"a model moralizes: {moralizes.search(model)[0]}"
    assert any(re.search(r"\b(yours to decide|sorry)\b", m) for m in models("You still think I'm lying to my wife"))


def test_a_risk_cue_gets_a_plain_question_about_suicide_in_every_model():
    """Asking about suicide never drives a client away: every model asks, plainly, before going back to the agenda."""
    for model in models("Where were we?"):
        assert re.search(r"\b(ending your life|suicide|killing yourself|killing themselves)\b", model), (
            f"a model leaves the cue unasked about: {model}")
        assert re.search(r"\b(thoughts of|thoughts like that)\b[^?]*\?", model), f"no plain question: {model}"
        assert not re.search(r"\b(silly|stupid|you're not thinking|anyway)\b", model, re.I), model
    said = criteria("Where were we?")
    assert re.search(r"\bsupervisor\b", said) and re.search(r"\bmeans\b", said)


def test_the_drill_quotes_no_research_figures():
    """M1, A1, G1/G2 and R1 live in the lesson; a drill that quoted them could only risk getting one wrong."""
    assert not re.search(r"\b[rd]\s*=|\.(15|17|24|278|29)\b|19\.7", everything())


def test_the_intro_names_the_topics_says_a_statement_can_be_skipped_and_explains_the_step():
    intro = flat(DRILL["intro"])
    assert "skip any statement" in intro
    for topic in ["heroin", "disability", "compulsive checking", "Parkinson's", "suicide"]:
        assert topic in intro, topic
    assert "a level up" in intro and "a level down" in intro
