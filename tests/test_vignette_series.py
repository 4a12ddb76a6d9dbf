"""A series of sessions: what carries over, what the checker refuses, and how the player resumes.

The fixture ``tests/fixtures/vignettes/series/tiny.yaml`` is small enough to work out by
hand; every expected number below was worked out from its YAML, not from the engine.
Session 1: warm (trust 5 -> 7), cold (-> 4, sets ``hurt``) or a joke (-> 2). The check-in
has one item, heard = trust; a total below 4 is low, an item below 5 sets ``low_heard``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustlab.vignettes import VignetteError, play
from trustlab.vignettes.cli import main as cli
from trustlab.vignettes.series import SeriesRun, load_series, walk
from trustlab.vignettes.series_player import SeriesPlayer, series_entry

FIXTURES = Path(__file__).parent / "fixtures" / "vignettes"
TINY = FIXTURES / "series" / "tiny.yaml"
WARM, COLD, JOKE = 0, 1, 2


@pytest.fixture
def tiny():
    return load_series(TINY)


def after_first(series, choice: int) -> SeriesRun:
    srun = SeriesRun(series)
    srun.run.choose(choice)
    srun.finish_session()
    return srun


def test_the_next_session_starts_where_the_meters_were_left(tiny):
    srun = after_first(tiny, WARM)
    assert srun.number == 2 and srun.run.meters == {"trust": 7}
    assert srun.run.scene.id == "open_ok" and srun.run.scene.client == "Good to be back."


def test_a_flag_set_in_one_session_changes_what_the_client_says_in_the_next(tiny):
    srun = after_first(tiny, COLD)
    assert srun.run.meters == {"trust": 4}
    assert srun.run.scene.client == "You hurt me last time." and srun.run.scene.cue == "Arms folded."


def test_a_low_check_in_opens_the_next_session_elsewhere(tiny):
    srun = after_first(tiny, JOKE)
    rating = srun.done[0].rating
    assert rating.total == 2 and rating.low and srun.state.flags == {"low_checkin", "low_heard"}
    assert srun.run.scene.id == "open_low"


def test_a_check_in_that_is_not_low_gives_no_low_flag(tiny):
    srun = after_first(tiny, COLD)  # 4 is not below 4 in all, but the item is below 5
    assert not srun.done[0].rating.low and srun.state.flags == {"hurt", "low_heard"}


def test_a_repair_clears_the_flag_for_later_sessions_and_leaving_it_keeps_it(tiny):
    repaired = after_first(tiny, COLD)
    repaired.run.choose(0)  # own it: clears hurt
    repaired.finish_session()
    assert "hurt" not in repaired.state.flags and repaired.run.scene.client == "Here we are."
    left = after_first(tiny, COLD)
    left.run.choose(2)  # "sorry you feel that way": hurt stays
    left.finish_session()
    assert left.run.scene.client == "Still sore."


def test_an_outcome_ends_the_series_early_and_nothing_more_can_be_played(tiny):
    srun = after_first(tiny, WARM)
    srun.run.choose(1)  # move on: the client leaves
    result = srun.finish_session()
    assert srun.ended and result.outcome.kind == "dropout" and srun.outcome.id == "left" and srun.run is None
    with pytest.raises(ValueError, match="restart"):
        srun.finish_session()


def test_a_session_cannot_be_closed_before_its_ending(tiny):
    srun = SeriesRun(tiny)
    with pytest.raises(ValueError, match="not reached an ending"):
        srun.finish_session()


def test_the_walk_plays_every_path_from_every_state(tiny):
    found = walk(tiny)
    # session 1: 3 paths from 1 state; session 2: 3 states x 3 choices; session 3: the 6 distinct
    # states the 6 continuing session-2 paths end in (trust 8, 7, 5, 4 with hurt, 4, 2), 2 paths each
    assert found.paths == [3, 9, 12]
    assert found.state_counts == [1, 3, 6] and found.longest == [1, 1, 1]
    assert found.outcomes == {"left": {2}, "kept": {3}, "meh": {3}}
    assert found.low_checkins == [(1, 3), (3, 9), (4, 12)]


def test_replay_rebuilds_a_learners_place(tiny):
    srun = SeriesRun(tiny)
    srun.replay([[COLD], [2]])
    assert srun.number == 3 and srun.run.scene.client == "Still sore." and srun.run.meters == {"trust": 4}


# --- the checker, on broken copies of the fixture ----------------------------------------------

@pytest.fixture
def copy(tmp_path):
    (tmp_path / "series").mkdir()
    shutil.copy(TINY, tmp_path / "series" / "tiny.yaml")
    for n in (1, 2, 3):
        shutil.copy(FIXTURES / f"tiny_{n}.yaml", tmp_path / f"tiny_{n}.yaml")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def check(copy: Path, capsys) -> tuple[int, str]:
    code = cli(["check", str(copy / "series" / "tiny.yaml")])
    return code, capsys.readouterr().out


def test_the_fixture_series_is_valid(copy, capsys):
    assert check(copy, capsys) == (0, "1 file checked: all valid.\n")


@pytest.mark.parametrize("file, old, new, expected", [
    ("tiny_2.yaml", "when: [hurt]", "when: [hrut]", "tiny_2.yaml: scenes.open_ok.variants[0].when: 'hrut' is not set "
                                                    "by any earlier session or by the check-in; did you mean 'hurt'?"),
    ("tiny_1.yaml", "      - {text: Joke.", "      - {text: Low., skill: warmth, effects: {}, clears: [low_checkin], "
                                             "feedback: F., client_inner: I., next: ok}\n      - {text: Joke.",
     "tiny_1.yaml: scenes.a.choices[2].clears: 'low_checkin' is never set before it is cleared here"),
    ("tiny_3.yaml", "outcome: meh, ", "", "tiny_3.yaml: endings.meh: the last session's endings end the series: add outcome"),
    ("tiny_3.yaml", "outcome: meh,", "outcome: mhe,", "tiny_3.yaml: endings.meh.outcome: 'mhe' is not an outcome of the "
                                                    "series; did you mean 'meh'?"),
    ("tiny_2.yaml", "series: tiny", "series: other", "tiny_2.yaml: series: 'other': its series file cannot be read"),
    ("tiny_2.yaml", "session: 2", "session: 3", "tiny_2.yaml: setting.session: is 3 but it is session 2 in tiny.yaml"),
    ("tiny_2.yaml", "summary: Second.", "summary: Second.\nclient: {name: X, pronouns: x, age: 30, background: x, "
                                        "reason: x, fears: x}",
     "tiny_2.yaml: client: remove it: a session of a series takes its client from the series file tiny.yaml"),
    ("tiny_2.yaml", "effects: {trust: 1}", "effects: {trsut: 1}", "tiny_2.yaml: scenes.open_ok.choices[0].effects.trsut: "
                                                                 "'trsut' is not a declared meter"),
    ("series/tiny.yaml", "meters: [trust]", "meters: [trust, warmth]", "tiny.yaml: checkin.items[0].meters[1]: 'warmth' "
                                                                      "is not a meter of this series"),
    ("series/tiny.yaml", "tiny_3]", "tiny_4]", "session 3, 'tiny_4', cannot be read"),
    ("series/tiny.yaml", "  left: {title: Left", "  gone: {title: Never, kind: mixed, debrief: x, discussion: [x]}\n"
                                                "  left: {title: Left", "tiny.yaml: outcomes.gone: no way through the series ends here"),
])
def test_the_checker_names_the_file_the_place_and_the_fix(copy, capsys, file, old, new, expected):
    edit(copy / file, old, new)
    code, out = check(copy, capsys)
    assert code == 1 and expected in out, out
    assert "Traceback" not in out


def test_a_variant_no_learner_can_meet_is_reported(copy, capsys):
    # without "sorry you feel that way" every path from the cold start clears hurt or ends the
    # series, so session 3's "Still sore." can never be said
    edit(copy / "tiny_2.yaml", "      - {text: Sorry you feel that way.", "      - {text: Sorry you feel that way., clears: [hurt]")
    code, out = check(copy, capsys)
    assert code == 1 and "tiny_3.yaml: scenes.review.variants[0]: never applies" in out


def test_an_opening_no_learner_can_meet_is_reported(copy, capsys):
    edit(copy / "tiny_1.yaml", "effects: {trust: -3}", "effects: {trust: 0}")  # nobody's check-in is low any more
    code, out = check(copy, capsys)
    assert code == 1 and "tiny_2.yaml: start_when[0]: its condition never holds" in out


def test_a_session_no_path_reaches_is_reported(copy, capsys):
    for ending in ("fine: {title: Fine, kind: positive,", "also: {title: Also, kind: mixed,"):
        edit(copy / "tiny_2.yaml", ending, ending + " outcome: kept,")
    code, out = check(copy, capsys)
    assert code == 1 and "tiny_3.yaml: series: no way through the earlier sessions leads to session 3" in out


def test_a_condition_in_the_first_session_cannot_use_the_check_in(copy, capsys):
    edit(copy / "tiny_1.yaml", "    client: Hello.\n", "    client: Hello.\n    variants:\n      - {when: [low_checkin], "
                                                       "client: Hm.}\n")
    code, out = check(copy, capsys)
    assert code == 1 and "'low_checkin' is not set by any earlier session or by the check-in (the check-in's flags " \
                         "start from session 2)" in out


def test_series_fields_in_a_plain_vignette_are_refused(tmp_path, capsys):
    text = (FIXTURES / "tiny_1.yaml").read_text().replace("series: tiny\n", "").replace(
        "setting:", "client: {name: A B, pronouns: she/her, age: 30, background: x, reason: x, fears: x}\n"
                    "meters: {trust: {label: Trust, min: 0, max: 10, start: 5}}\nsetting:")
    (tmp_path / "tiny_1.yaml").write_text(text)
    assert cli(["check", str(tmp_path / "tiny_1.yaml")]) == 1
    assert "scenes.a.choices[1].sets: 'sets' is only for a session of a series" in capsys.readouterr().out


def test_a_series_file_that_is_not_yaml_is_unreadable_not_a_crash(copy, capsys):
    (copy / "series" / "tiny.yaml").write_text("id: [unclosed\n")
    code, out = check(copy, capsys)
    assert code == 2 and "tiny.yaml" in out and "does not parse" in out


def test_a_broken_series_shows_a_notice_in_the_notebook_not_a_traceback(copy, monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    edit(copy / "tiny_2.yaml", "when: [hurt]", "when: [hrut]")
    widget = play(copy / "series" / "tiny.yaml")
    assert "could not load" in widget.value and "hrut" in widget.value and "tiny_2.yaml" in widget.value


def test_load_series_raises_listing_the_problems(copy):
    edit(copy / "tiny_3.yaml", "outcome: meh,", "outcome: mhe,")
    with pytest.raises(VignetteError, match="did you mean 'meh'"):
        load_series(copy / "series" / "tiny.yaml")


# --- the player, headless --------------------------------------------------------------------

def test_the_player_shows_the_check_in_and_goes_on_only_after_an_ending(tiny):
    player = SeriesPlayer(tiny)
    assert player.footer.layout.display == "none" and "Session 1 of 3" in player.header.value
    assert player.finish_session() is None  # nothing to go on from yet
    player.player.choose(JOKE)
    assert player.footer.layout.display != "none" and player.go_on.description == "Go on to session 2"
    assert "2 of 10" in player.after.value and "Lower than 4 in all" in player.after.value
    player.finish_session()
    assert "Session 2 of 3" in player.header.value and "check-in after session 1" in player.header.value
    assert player.player.run.scene.id == "open_low"


def test_stepping_back_from_an_ending_hides_the_button_again(tiny):
    player = SeriesPlayer(tiny)
    player.player.choose(WARM)
    player.player.step_back()
    assert player.footer.layout.display == "none"


def test_each_finished_session_is_saved_with_the_whole_series_so_far(tiny):
    from trustlab import events
    saved = []
    stop = events.subscribe("series.session", saved.append)
    try:
        player = SeriesPlayer(tiny)
        player.player.choose(COLD)
        player.finish_session()
        player.player.choose(1)  # the client leaves
        assert player.go_on.description == "See how the sessions ended"
        player.finish_session()
    finally:
        stop()
    assert [len(e["sessions"]) for e in saved] == [1, 2]
    last = saved[-1]
    assert last["finished"] and last["outcome"] == "left" and last["outcome_kind"] == "dropout"
    assert [s["checkin"]["total"] for s in last["sessions"]] == [4.0, 3.0]
    assert [s["ending_kind"] for s in last["sessions"]] == ["troubled", "troubled"]
    assert last["sessions"][0]["path"][0]["skill"] == "judging"
    assert "How the sessions ended after session 2: Left" in player.header.value
    assert player.header.value.count("<svg") == 2 and player.go_on.description.startswith("Play the sessions again")
    player.go_on.click()
    assert player.srun.number == 1 and "Session 1 of 3" in player.header.value and not player.srun.done


def test_a_second_player_resumes_from_the_saved_entry(tiny):
    first = SeriesPlayer(tiny)
    first.player.choose(COLD)
    first.finish_session()
    entry = series_entry(first.srun, first.attempt)
    again = SeriesPlayer(tiny, entry)
    assert "Welcome back" in again.header.value and "Session 2 of 3" in again.header.value
    assert again.player.run.scene.client == "You hurt me last time."


def test_a_saved_entry_that_no_longer_fits_starts_again_and_says_so(tiny):
    entry = {"sessions": [{"path": [{"choice": 7}]}]}
    player = SeriesPlayer(tiny, entry)
    assert "could not be picked up again" in player.header.value and "Session 1 of 3" in player.header.value


def test_the_journal_keeps_the_series_and_play_resumes_from_it(tiny):
    from trustlab.journal import recorder
    from trustlab.journal.store import Journal
    recorder.connect()
    player = play(TINY)
    player.player.choose(WARM)
    player.finish_session()
    assert Journal().latest("tiny", kind="series")["sessions"][0]["ending"] == "ok"
    resumed = play(TINY)
    assert resumed.srun.number == 2 and "Welcome back" in resumed.header.value


def test_paths_summarises_every_session_and_where_the_series_ends(capsys):
    assert cli(["paths", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "Session 2, tiny_2: starts in 3 different states (opening at open_low, open_ok); 9 paths played from them; " \
           "3 of 9 end with a low check-in." in out
    assert "Outcome left (dropout): reached after session 2" in out and "24 session paths played in all." in out


def test_a_learner_who_comes_back_can_start_again_from_session_one(tiny):
    first = SeriesPlayer(tiny)
    assert first.start_over.layout.display == "none"  # nothing to start over from yet
    first.player.choose(COLD)
    first.finish_session()
    again = SeriesPlayer(tiny, series_entry(first.srun, first.attempt))
    assert again.start_over.layout.display != "none"
    again.start_over.click()
    assert again.srun.number == 1 and not again.srun.done and again.start_over.layout.display == "none"


def test_the_walk_gives_the_same_answers_without_its_bitmap(tiny, monkeypatch):
    """Past a size the end states are kept as sorted keys instead of a bitmap: the same walk."""
    from trustlab.vignettes import series_walk
    with_bitmap = walk(tiny)
    monkeypatch.setattr(series_walk, "BITMAP", 0)
    without = walk(tiny)
    assert (without.state_counts, without.paths, without.low_checkins, without.outcomes) == (
        with_bitmap.state_counts, with_bitmap.paths, with_bitmap.low_checkins, with_bitmap.outcomes)


# --- outcomes that depend on the whole course, and a check-in so low the client stops coming -------

GATED = ("  kept: {title: Kept going, kind: good, debrief: Good., discussion: [\"Why?\"]}",
         "  kept: {title: Kept going, kind: good, debrief: Good., discussion: [\"Why?\"],\n"
         "         requires: {at_least: {trust: 7}, unless: [hurt]}, otherwise: meh}")
STOPS = ("  low_item: 5\n", "  low_item: 5\n  stops: {below: 3, from_session: 2, outcome: left, note: They cancel by text.}\n")


@pytest.fixture
def gated(copy):
    edit(copy / "series" / "tiny.yaml", *GATED)
    edit(copy / "series" / "tiny.yaml", *STOPS)
    return copy


def test_a_good_last_session_after_a_hard_course_settles_for_the_fallback_outcome(gated):
    series = load_series(gated / "series" / "tiny.yaml")
    strong = SeriesRun(series)
    strong.replay([[WARM], [0]])  # trust 8 into session 3
    strong.run.choose(0)  # +1: 9
    assert strong.finish_session().outcome.id == "kept"
    hard = SeriesRun(series)
    hard.replay([[COLD], [0]])  # trust 5, hurt cleared
    hard.run.choose(0)  # 6: below 7
    assert hard.finish_session().outcome.id == "meh"
    sore = SeriesRun(series)
    sore.replay([[WARM], [2]])  # trust 7, then "sorry you feel that way": no flag, trust 7
    sore.run.choose(0)  # 8, and not hurt: kept
    assert sore.finish_session().outcome.id == "kept"


def test_a_check_in_below_the_stop_line_ends_the_series(gated):
    series = load_series(gated / "series" / "tiny.yaml")
    srun = SeriesRun(series)
    srun.replay([[JOKE]])  # trust 2: low, but session 1 is before from_session
    assert srun.number == 2
    srun.run.choose(2)  # "say a little": an ending without outcome, trust still 2, total 2 < 3
    result = srun.finish_session()
    assert result.stopped and result.outcome.id == "left" and srun.ended


def test_the_walk_applies_the_gate_and_the_stop_as_the_engine_does(gated):
    found = walk(load_series(gated / "series" / "tiny.yaml"))
    # session 3 starts in 5 states: the 6 of the plain fixture less trust 2, who stopped coming
    assert found.state_counts == [1, 3, 5]
    assert found.outcomes == {"left": {2}, "kept": {3}, "meh": {3}}


def test_the_player_says_why_the_series_ended_when_the_check_in_stopped_it(gated):
    player = SeriesPlayer(load_series(gated / "series" / "tiny.yaml"))
    player.player.choose(JOKE)
    player.finish_session()
    player.player.choose(2)
    assert player.go_on.description == "See how the sessions ended" and "They cancel by text." in player.after.value
    player.finish_session()
    assert "They cancel by text." in player.header.value and "Left" in player.header.value


@pytest.mark.parametrize("old, new, expected", [
    (GATED[0], GATED[0][:-1] + ", otherwise: meh}", "outcomes.kept: has otherwise but no requires"),
    (GATED[0], GATED[1].replace("trust: 7", "trsut: 7"), "outcomes.kept.requires.at_least.trsut: 'trsut' is not a meter"),
    (GATED[0], GATED[1].replace("otherwise: meh", "otherwise: mhe"), "outcomes.kept.otherwise: 'mhe' is not an outcome"),
    (GATED[0], GATED[1].replace("[hurt]", "[hrut]"), "outcomes.kept.requires.unless: 'hrut' is not set"),
    (GATED[0], GATED[1].replace("trust: 7", "trust: 11"), "outcomes.kept: no way through the series ends here"),
    (STOPS[0], STOPS[1].replace("outcome: left", "outcome: lfet"), "checkin.stops.outcome: 'lfet' is not an outcome"),
    (STOPS[0], STOPS[1].replace("from_session: 2", "from_session: 3"), "checkin.stops.from_session: is 3, but the series"),
])
def test_the_checker_catches_broken_gates_and_stops(copy, capsys, old, new, expected):
    edit(copy / "series" / "tiny.yaml", old, new)
    code, out = check(copy, capsys)
    assert code == 1 and expected in out, out


def test_an_otherwise_chain_that_loops_is_refused(copy, capsys):
    edit(copy / "series" / "tiny.yaml", *GATED)
    edit(copy / "series" / "tiny.yaml", "  meh: {title: Not sure, kind: mixed, debrief: Mixed., discussion: [\"Why?\"]}",
         "  meh: {title: Not sure, kind: mixed, debrief: Mixed., discussion: [\"Why?\"], requires: {at_least: {trust: 9}}, "
         "otherwise: kept}")
    code, out = check(copy, capsys)
    assert code == 1 and "leads round in a circle (kept -> meh -> kept)" in out
