"""The player, driven as a learner would click it: feedback, inner reaction, meters, endings, undo."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pytest

from trustlab import events
from trustlab.vignettes import load_vignette, play
from trustlab.vignettes.player import CHOICE_EVENT, Player, meter_chart

MINI = Path(__file__).parent / "fixtures" / "vignettes" / "mini.yaml"


@pytest.fixture
def player():
    return Player(load_vignette(MINI))


def visible(button: widgets.Button) -> bool:
    return button.layout.display != "none"


def test_the_first_scene_shows_the_client_card_line_cue_and_choices(player):
    header = player.children[1].value
    assert "Tomás Reyes" in header and "he/him" in header and "52" in header
    assert "Why now:" in header and "Worries about therapy:" in header
    assert "Sorry I&#x27;m late" in player._scene.value and "standing by the door" in player._scene.value
    assert [b.description for b in player._choices.children][0].startswith("No problem at all")
    assert not visible(player._continue) and not visible(player._back)


def test_a_click_shows_feedback_naming_the_skill_the_inner_reaction_and_the_meter_change(player):
    player._choices.children[1].click()  # interrupting: trust -2
    feedback = player._feedback.value
    assert "Pitfall: Interrupting." in feedback
    assert "Rushing past his apology" in feedback
    assert "What Tomás was thinking:" in feedback and "I knew I was a nuisance." in feedback
    assert 'data-meter="trust" data-value="3"' in player._meters.value and "(-2)" in player._meters.value
    assert player._choices.children == () and visible(player._continue) and visible(player._back)


def test_continue_moves_to_the_next_scene(player):
    player._choices.children[0].click()
    player._continue.click()
    assert "I still can&#x27;t sleep" in player._scene.value and player._feedback.value == ""
    assert len(player._choices.children) == 3


def test_an_ending_shows_debrief_path_chart_and_discussion(player):
    player._choices.children[0].click()
    player._continue.click()
    player._choices.children[0].click()
    player._continue.click()
    head, chart_box, discussion = player._ending.children
    assert "Ending: Heard" in head.value and "(positive)" in head.value
    assert "He felt understood" in head.value and "Reflection" in head.value and "Warmth" in head.value
    assert "What made the reflection land?" in discussion.value
    assert "Trust went from 5 to 8" in chart_box.children[1].value
    assert visible(player._again) and visible(player._back)


def test_step_back_at_an_ending_returns_to_the_last_scene_with_meters_restored(player):
    player._choices.children[2].click()  # judging -> walked_out
    player._continue.click()
    assert player._ending.children
    player._back.click()
    assert player._ending.children == () and "Sorry I&#x27;m late" in player._scene.value
    assert 'data-meter="trust" data-value="5"' in player._meters.value


def test_try_again_starts_over(player):
    player._choices.children[0].click()
    player._continue.click()
    player._again.click()
    assert player.run.history == [] and "Sorry I&#x27;m late" in player._scene.value


def test_every_choice_is_reported_to_the_hook_and_the_event_bus(player):
    seen, heard = [], []
    player._on_choice = seen.append
    unsubscribe = events.subscribe(CHOICE_EVENT, heard.append)
    try:
        player._choices.children[0].click()
        player._continue.click()
        player._choices.children[1].click()
    finally:
        unsubscribe()
    assert [e.skill for e in seen] == ["warmth", "premature_advice"] == [e.skill for e in heard]
    last = seen[-1]
    assert last.ended and last.position == "advised" and last.ending_kind == "mixed"
    assert [p["skill"] for p in last.path] == ["warmth", "premature_advice"]
    assert last.meters == {"trust": 5, "openness": 9}


def test_a_failing_hook_does_not_break_the_player(player):
    player._on_choice = lambda event: 1 / 0
    player._choices.children[0].click()
    assert "Skill: Warmth." in player._feedback.value


def test_meter_chart_is_described(player):
    player.choose(0)
    spec = meter_chart(player.run).to_dict()
    assert spec["description"].startswith("Line chart of Trust, Openness after each of the 1 choices")


def test_a_broken_vignette_shows_its_problems_instead_of_a_traceback(monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    widget = play(MINI.parent / "broken" / "unknown_skill.yaml")
    assert isinstance(widget, widgets.HTML) and "reflecton" in widget.value
    assert 'role="alert"' in widget.value and "trustlab-load-error" in widget._dom_classes


def test_a_broken_vignette_fails_loudly_under_the_tests_strict_mode(monkeypatch):
    """The tests run every notebook with TRUSTLAB_STRICT=1, so a vignette that cannot load fails them."""
    from trustlab.vignettes.model import VignetteError
    monkeypatch.setenv("TRUSTLAB_STRICT", "1")
    with pytest.raises(VignetteError, match="reflecton"):
        play(MINI.parent / "broken" / "unknown_skill.yaml")


def test_a_missing_vignette_says_so_instead_of_passing_quietly(monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    widget = play("no_such_vignette")
    assert "could not load" in widget.value and "no_such_vignette" in widget.value


def test_play_by_id_gives_a_player():
    assert isinstance(play("first_contact"), Player)
