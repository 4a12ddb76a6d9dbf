"""The capstone series, walked whole: every path of every session from every state the sessions
before it can end in (issue 17), and what a learner must be able to meet on the way."""

from __future__ import annotations

import re
import time

import pytest

from trustlab.vignettes.model import iter_paths, load_skills
from trustlab.vignettes.series import iter_series_paths, load_series, walk

SERIES = "five_sessions"


@pytest.fixture(scope="module")
def series():
    return load_series(SERIES)  # the walk below plays every way through; the checker's own walk is tested elsewhere


@pytest.fixture(scope="module")
def found(series):
    started = time.perf_counter()
    result = walk(series)
    result.seconds = time.perf_counter() - started
    return result


def test_there_are_five_sessions_with_one_client(series):
    assert len(series.sessions) == 5
    assert [s.session for s in series.sessions] == [1, 2, 3, 4, 5]
    assert {s.module for s in series.sessions} == {"m05"} == {series.module}


def test_every_session_is_reached_and_walked_from_every_state(found):
    assert all(found.state_counts), "some session is never reached"
    assert all(n > 0 for n in found.paths)
    assert found.state_counts[0] == 1 and all(n > 1 for n in found.state_counts[1:]), \
        "later sessions should start in more than one state: what happened earlier must matter"


def test_the_walk_agrees_with_runs_played_one_by_one(series, found):
    """Sessions 1 and 2 played path by path as Runs from every state, with the series' own
    after(): the same states, the same paths, the same low check-ins as the array walk."""
    states, reference = {series.first_state()}, []
    for number in (1, 2):
        ends, low, total = set(), 0, 0
        for state in states:
            for run in iter_paths(series.session_as_seen(number, state)):
                result = series.after(run, state)
                low, total = low + result.rating.low, total + 1
                if result.next_state is not None:
                    ends.add(result.next_state)
        reference.append((len(states), total, (low, total)))
        states = ends
    assert reference == [(found.state_counts[k], found.paths[k], found.low_checkins[k]) for k in (0, 1)]
    assert len(states) == found.state_counts[2]


def test_sampled_later_states_play_as_runs_to_the_outcomes_the_walk_found(series, found):
    for number in (3, 4, 5):
        for state in found.samples[number - 1][::8]:
            for run in iter_paths(series.session_as_seen(number, state)):
                result = series.after(run, state)
                if result.outcome:
                    assert number in found.outcomes[result.outcome.id]


def test_the_walk_is_fast_enough_to_run_on_every_check(found):
    assert found.seconds < 45, f"walking the series took {found.seconds:.1f} s (about 4 s on a quiet machine)"


def test_the_series_can_end_in_each_of_the_four_ways(series, found):
    kinds = {series.outcomes[oid].kind: sessions for oid, sessions in found.outcomes.items()}
    assert set(kinds) == {"good", "mixed", "dropout", "referral"}
    assert kinds["dropout"] <= {3, 4} and kinds["dropout"], "the client drops out after session 3 or 4"
    assert kinds["good"] == {5} and kinds["mixed"] == {5}


def test_each_session_has_four_decisions_and_three_kinds_of_ending(series, found):
    for number, session in enumerate(series.sessions, start=1):
        assert found.longest[number - 1] >= 4, f"session {number}: the longest path has {found.longest[number - 1]}"
        assert {e.kind for e in session.endings.values()} >= {"positive", "mixed", "troubled"}, f"session {number}"


def test_from_session_two_the_learner_opens_in_light_of_the_check_in(series, found):
    for number in range(2, 6):
        session = series.sessions[number - 1]
        assert any("low_checkin" in c.when for c, _ in session.start_when), f"session {number} has no low opening"
        openings = {start for n, start in found.starts_used if n == number}
        assert len(openings) >= 2, f"session {number}: only {openings} is ever met"
    for number, (low, total) in enumerate(found.low_checkins, start=1):
        if number < 5:
            assert 0 < low < total, f"after session {number} the check-in is {'never' if not low else 'always'} low"


def test_an_unrepaired_rupture_is_still_there_in_the_next_session(series, found):
    """Session 3 says something else to a client who carries rupture_unrepaired from session 2."""
    s3 = series.sessions[2]
    varied = [(sid, i) for sid, scene in s3.scenes.items() for i, v in enumerate(scene.variants)
              if "rupture_unrepaired" in v.condition.when]
    assert varied and any((3, sid, i) in found.variants_used for sid, i in varied)
    assert any("rupture_unrepaired" in c.sets for s in series.sessions[:2] for sc in s.scenes.values()
               for c in sc.choices)


def test_humour_helps_somewhere_and_hurts_somewhere(series):
    skills = [c.skill for s in series.sessions for sc in s.scenes.values() for c in sc.choices]
    assert "shared_humour" in skills and "misplaced_humour" in skills


def test_a_considered_referral_is_what_ends_in_a_referral(series):
    for session in series.sessions:
        for scene in session.scenes.values():
            for choice in scene.choices:
                ending = session.endings.get(choice.next)
                if ending is not None and ending.outcome and series.outcomes[ending.outcome].kind == "referral":
                    assert choice.skill == "considered_referral", (session.id, scene.id, choice.text)


def test_asking_plainly_about_safety_never_ends_the_series(series):
    """Asking about mood, risk or safety never drives a client away: no such choice leads to an
    ending that ends the series in dropout."""
    for session in series.sessions:
        for scene in session.scenes.values():
            for choice in scene.choices:
                ending = session.endings.get(choice.next)
                if choice.skill in ("risk_screen", "assessment") and ending is not None and ending.outcome:
                    assert series.outcomes[ending.outcome].kind != "dropout", (session.id, scene.id)


def test_skills_are_known_and_every_outcome_has_a_debrief_and_questions(series):
    skills = load_skills()
    for session in series.sessions:
        for scene in session.scenes.values():
            assert all(c.skill in skills for c in scene.choices)
    for outcome in series.outcomes.values():
        assert "TO BE WRITTEN" not in outcome.debrief and len(outcome.debrief.split()) >= 60
        assert len(outcome.discussion) >= 2


def test_whole_ways_through_can_be_listed_one_by_one(series):
    """The series-level iterator agrees with the walk on how the first ways through end."""
    first = next(iter_series_paths(series))
    assert first[-1].outcome is not None and [r.number for r in first] == list(range(1, len(first) + 1))


def test_the_course_states_the_low_line_the_series_uses(series):
    """The lesson, the quiz and the seminar plan name the check-in's "low" line; it must be the one
    in the series file (a course device, not a research cutoff), wherever an author tunes it."""
    from trustlab.paths import course_root
    root = course_root()
    texts = [(root / "notebooks" / "05_capstone.ipynb").read_text(encoding="utf-8"),
             (root / "data" / "checks" / "m05.yaml").read_text(encoding="utf-8"),
             (root / "instructors" / "05_capstone.md").read_text(encoding="utf-8")]
    stated = {int(n) for text in texts for n in re.findall(r"(?:total|line)\s+under\s+(\d+)", " ".join(text.split()))}
    assert stated == {int(series.checkin.low_total)}
