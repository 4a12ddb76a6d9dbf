"""The player, headless: what the browser is sent, and how the kernel replays what the learner clicked.

The view itself (player.js) is played in a real browser by tests/browser/test_player.py;
here the kernel's half is driven as the browser drives it, through the widget's comm.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

import ipywidgets as widgets
import pytest
import yaml

from trustlab import events
from trustlab.paths import course_root
from trustlab.vignettes import load_vignette, play
from trustlab.vignettes.model import Vignette, load_skills
from trustlab.vignettes.player import CHOICE_EVENT, Player, browser_payload, trace_chart

MINI = Path(__file__).parent / "fixtures" / "vignettes" / "mini.yaml"
SHIPPED = sorted(p for p in (course_root() / "data" / "vignettes").glob("*.yaml") if p.stem != "skills")


@pytest.fixture
def player():
    return Player(load_vignette(MINI))


@pytest.fixture
def heard():
    """Every choice event the player emits on the course's event bus."""
    seen: list = []
    unsubscribe = events.subscribe(CHOICE_EVENT, seen.append)
    yield seen
    unsubscribe()


def from_browser(player: Player, content) -> None:
    """Deliver a message as the browser's view sends it: a custom message on the widget's comm."""
    player._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def browser_choice(player: Player, index: int) -> dict:
    return {"action": "choose", "attempt": player.progress["attempt"], "step": len(player.run.history),
            "scene": player.run.position, "index": index}


def text_of(markup: str) -> str:
    """The words of some HTML, as a reader sees them."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def words(text: str) -> str:
    return " ".join(text.split())


# --- what the browser is sent ------------------------------------------------------------------

def test_the_browser_gets_the_client_card_the_first_scene_and_its_choices(player):
    data = player.vignette_data
    client = data["client"]
    assert (client["name"], client["pronouns"], client["age"]) == ("Tomás Reyes", "he/him", 52)
    assert "parish choir" in data["client"]["background"] and "sleep" in data["client"]["reason"]
    assert "feel worse" in data["client"]["fears"] and data["client"]["short_name"] == "Tomás"
    first = data["scenes"][data["start"]]
    assert first["client"] == "Sorry I'm late. The bus was slow." and "standing by the door" in first["cue"]
    assert first["choices"][0]["text"].startswith("No problem at all")
    assert player.progress["path"] == [] and player.progress["feedback"] is False


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_browser_gets_everything_in_every_shipped_vignette(path):
    """Read the YAML independently of the loader: every word of it must reach the browser."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "series" in raw:  # a session of a series: its client and meters are in the series file
        series = yaml.safe_load((path.parent / "series" / f"{raw['series']}.yaml").read_text(encoding="utf-8"))
        raw = {**raw, "client": series["client"], "meters": series["meters"]}
    skills = yaml.safe_load((path.parent / "skills.yaml").read_text(encoding="utf-8"))
    data = browser_payload(load_vignette(path), load_skills())
    assert (data["id"], data["title"], data["module"], data["start"]) == (raw["id"], raw["title"], raw["module"],
                                                                         raw["start"])
    assert text_of(data["summary"]) == words(raw["summary"])
    assert (data["format"], data["session"], data["place"]) == (raw["setting"]["format"], raw["setting"]["session"],
                                                                raw["setting"].get("place"))
    assert {k: data["client"][k] for k in raw["client"]} == raw["client"]
    assert data["meters"] == [{"id": mid, **m} for mid, m in raw["meters"].items()]
    assert data["content_note"] == raw.get("content_note")
    assert (data["crisis"] is not None) == ("content_note" in raw)
    assert set(data["scenes"]) == set(raw["scenes"])
    for sid, scene in raw["scenes"].items():
        sent = data["scenes"][sid]
        assert (sent["client"], sent["cue"], sent["narration"]) == (scene["client"], scene.get("cue"),
                                                                    scene.get("narration"))
        assert len(sent["choices"]) == len(scene["choices"])
        for got, choice in zip(sent["choices"], scene["choices"]):
            assert (got["text"], got["skill"], got["effects"], got["inner"], got["next"]) == (
                choice["text"], choice["skill"], choice["effects"], choice["client_inner"], choice["next"])
            assert text_of(got["feedback"]) == words(choice["feedback"])
            assert data["skills"][choice["skill"]] == skills[choice["skill"]]
    assert set(data["endings"]) == set(raw["endings"])
    for eid, ending in raw["endings"].items():
        sent = data["endings"][eid]
        assert (sent["title"], sent["kind"]) == (ending["title"], ending["kind"])
        assert text_of(sent["debrief"]) == words(ending["debrief"])
        assert [text_of(q) for q in sent["discussion"]] == [words(q) for q in ending["discussion"]]


def test_a_sensitive_vignette_sends_its_content_note_with_the_crisis_lines():
    raw = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    note = "This conversation mentions thoughts of self-harm."
    data = Player(Vignette.from_dict({**raw, "content_note": note})).vignette_data
    assert data["content_note"] == note
    assert all(line in data["crisis"] for line in ("988", "Samaritans, 116 123", "112 (EU)", "findahelpline.com"))


def test_course_markdown_arrives_as_html_with_raw_html_escaped():
    raw = yaml.safe_load(MINI.read_text(encoding="utf-8"))
    raw["scenes"]["arrival"]["choices"][0]["feedback"] = "A **warm** welcome <script>alert(1)</script>"
    sent = Player(Vignette.from_dict(raw)).vignette_data["scenes"]["arrival"]["choices"][0]["feedback"]
    assert "<strong>warm</strong>" in sent and "<script>" not in sent


# --- the headless API: the same clicks, made from Python -----------------------------------------

def test_a_choice_names_the_skill_the_inner_reaction_and_moves_the_meters(player):
    player.choose(1)  # interrupting: trust -2, openness +2
    step = player.last_step
    sent = player.vignette_data["scenes"]["arrival"]["choices"][1]
    assert step.choice.skill == "interrupting" and player.vignette_data["skills"]["interrupting"]["kind"] == "risks"
    assert player.vignette_data["skills"]["interrupting"]["label"] == "Interrupting"
    assert "Rushing past his apology" in sent["feedback"] and sent["inner"] == "I knew I was a nuisance."
    assert player.run.meters == {"trust": 3, "openness": 10}
    assert player.progress["path"] == [1] and player.progress["feedback"] is True


def test_continue_moves_to_the_next_scene(player):
    player.choose(0)
    player.proceed()
    assert player.run.scene.client.startswith("I still can't sleep") and player.last_step is None
    assert len(player.run.choices) == 3 and player.progress["feedback"] is False


def test_an_ending_has_its_debrief_path_and_discussion(player):
    player.choose(0)
    player.proceed()
    player.choose(0)
    player.proceed()
    ending = player.vignette_data["endings"][player.run.position]
    assert (ending["title"], ending["kind"]) == ("Heard", "positive") and "He felt understood" in ending["debrief"]
    assert [player.vignette_data["skills"][s.choice.skill]["label"] for s in player.run.history] == [
        "Warmth", "Reflection"]
    assert "What made the reflection land?" in ending["discussion"][0]
    assert (player.run.start_meters["trust"], player.run.meters["trust"]) == (5, 8)


def test_step_back_at_an_ending_returns_to_the_last_scene_with_meters_restored(player):
    player.choose(2)  # judging -> walked_out
    player.proceed()
    assert player.run.ended
    player.step_back()
    assert not player.run.ended and player.run.position == "arrival" and player.run.meters["trust"] == 5
    assert player.progress["path"] == []


def test_try_again_starts_over_as_a_new_attempt(player):
    first = player.progress["attempt"]
    player.choose(0)
    player.proceed()
    player.try_again()
    assert player.run.history == [] and player.run.position == "arrival"
    assert player.progress["attempt"] != first and re.fullmatch(r"[0-9a-f]{8}", player.progress["attempt"])


def test_headless_moves_tell_the_browser_to_redraw(player):
    """The view redraws from ``progress`` only when its revision changes: each headless move must change it."""
    revisions = [player.progress["revision"]]
    for move in (lambda: player.choose(0), player.proceed, player.step_back, player.try_again):
        move()
        revisions.append(player.progress["revision"])
    assert len(set(revisions)) == len(revisions)


def test_every_choice_is_reported_to_the_hook_and_the_event_bus(player, heard):
    seen = []
    player._on_choice = seen.append
    player.choose(0)
    player.proceed()
    player.choose(1)
    assert [e.skill for e in seen] == ["warmth", "premature_advice"] == [e.skill for e in heard]
    last = seen[-1]
    assert last.ended and last.position == "advised" and last.ending_kind == "mixed"
    assert [p["skill"] for p in last.path] == ["warmth", "premature_advice"]
    assert last.meters == {"trust": 5, "openness": 9}


def test_a_failing_hook_does_not_break_the_player(player, heard):
    player._on_choice = lambda event: 1 / 0
    player.choose(0)
    assert player.last_step.choice.skill == "warmth" and len(heard) == 1


def test_the_portfolio_chart_is_described(player):
    player.choose(0)
    spec = trace_chart(player.run.trace(), (0, 10), None).to_dict()
    assert spec["description"].startswith("Line chart of Trust, Openness after each of the 1 choices")


# --- clicks made in the browser, replayed in the kernel ------------------------------------------

def test_a_choice_from_the_browser_drives_the_run_and_the_journal_event(player, heard):
    revision = player.progress["revision"]
    from_browser(player, browser_choice(player, 1))
    [event] = heard
    assert (event.scene_id, event.choice_index, event.skill) == ("arrival", 1, "interrupting")
    assert event.choice_text == "We'll have to finish on time, so let's get going."
    assert event.attempt == player.progress["attempt"] and event.meters == {"trust": 3, "openness": 10}
    assert player.run.history[-1].index == 1
    assert player.progress["path"] == [1] and player.progress["revision"] == revision  # no redraw: it came from there


def test_a_path_played_in_the_browser_reaches_the_journal(player, monkeypatch, tmp_path):
    from trustlab.journal import Journal
    from trustlab.journal.recorder import connect, disconnect

    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "j.json"))
    connect()
    try:
        attempt = player.progress["attempt"]
        from_browser(player, browser_choice(player, 2))  # judging -> walked out
        from_browser(player, {"action": "back", "attempt": attempt, "step": 1})
        from_browser(player, browser_choice(player, 0))
        from_browser(player, {"action": "proceed", "attempt": attempt, "step": 1})
        from_browser(player, browser_choice(player, 0))
    finally:
        disconnect()
    paths = Journal(tmp_path / "j.json").entries("vignette")
    assert [[(c["scene"], c["choice"]) for c in e["path"]] for e in paths] == [
        [("arrival", 2)], [("arrival", 0)], [("arrival", 0), ("sleep", 0)]]
    assert paths[0]["ending"] == "walked_out" and paths[-1]["ending"] == "heard"
    assert {e["attempt"] for e in paths} == {attempt}


def test_try_again_from_the_browser_starts_the_attempt_the_browser_named(player, heard):
    old = player.progress["attempt"]
    from_browser(player, browser_choice(player, 0))
    from_browser(player, {"action": "again", "attempt": old, "new_attempt": "0a1b2c3d"})
    assert player.run.history == [] and player.progress["attempt"] == "0a1b2c3d"
    from_browser(player, browser_choice(player, 1))
    assert [e.attempt for e in heard] == [old, "0a1b2c3d"]


INVALID = {
    "an unknown scene": lambda p: {**browser_choice(p, 0), "scene": "no_such_scene"},
    "a scene the Run is not at": lambda p: {**browser_choice(p, 0), "scene": "sleep"},
    "an index out of range": lambda p: browser_choice(p, 3),
    "a negative index": lambda p: browser_choice(p, -1),
    "an index that is not a number": lambda p: browser_choice(p, "1"),
    "a boolean index": lambda p: browser_choice(p, True),
    "another attempt": lambda p: {**browser_choice(p, 0), "attempt": "ffffffff"},
    "no attempt": lambda p: {k: v for k, v in browser_choice(p, 0).items() if k != "attempt"},
    "a stale step": lambda p: {**browser_choice(p, 0), "step": 4},
    "an unknown action": lambda p: {**browser_choice(p, 0), "action": "teleport"},
    "a step back with nothing to undo": lambda p: {"action": "back", "attempt": p.progress["attempt"], "step": 0},
    "a new attempt without a valid id": lambda p: {"action": "again", "attempt": p.progress["attempt"],
                                                   "new_attempt": "<script>"},
    "not a dictionary": lambda p: ["choose", 0],
    "nothing": lambda p: None,
}


@pytest.mark.parametrize("why", INVALID)
def test_an_invalid_message_from_the_browser_is_logged_and_ignored(player, heard, caplog, capsys, why):
    before = (dict(player.progress), list(player.run.history))
    with caplog.at_level(logging.DEBUG):
        from_browser(player, INVALID[why](player))
    assert (dict(player.progress), list(player.run.history)) == before and heard == []
    warnings = [r for r in caplog.records if r.name == "trustlab.vignettes.player" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ignored a message from the browser" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records), "a traceback was logged"
    assert "Traceback" not in capsys.readouterr().err


# --- play(): load failures ------------------------------------------------------------------------

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



def test_a_damaged_journal_found_during_a_click_is_shown_inside_the_player(player, monkeypatch, tmp_path):
    """Nothing the kernel displays during a click reaches the page, so the player must say it itself."""
    from trustlab.journal.recorder import connect, disconnect

    journal_file = tmp_path / "journal.sqlite3"
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(journal_file))
    connect()
    try:
        journal_file.write_bytes(b"this is not a database, it was damaged")
        monkeypatch.setattr("trustlab.journal.notify._in_a_widget_message", lambda: True)
        from_browser(player, browser_choice(player, 0))
    finally:
        disconnect()
    assert "moved" in player.notice and "unreadable" in player.notice, player.notice
    other = Player(player.vignette)
    assert other.notice == ""   # only the player that was clicked says it
