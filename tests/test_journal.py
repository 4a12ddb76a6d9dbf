"""The journal never loses what a learner wrote: round trips, damage, two writers, widgets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from trustlab.journal import Journal, JournalError, default_path
from trustlab.journal.recorder import connect, disconnect
from trustlab.journal.widgets import Drill, ReflectionBox, load_practice, practice

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.json")


def test_round_trip(journal):
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="First version", share=False)
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="Second version", share=True)
    again = Journal(journal.path)
    assert [e["text"] for e in again.entries("reflection")] == ["First version", "Second version"]
    assert again.latest("m00.trust")["text"] == "Second version"
    doc = json.loads(journal.path.read_text())
    assert doc["format"] == "trustlab-journal" and doc["version"] == 1
    assert doc["learner_code"].startswith("L-") and len(doc["learner_code"]) == 8


def test_default_location_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("TRUSTLAB_JOURNAL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".trustlab" / "journal.json"
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "elsewhere.json"))
    assert default_path() == tmp_path / "elsewhere.json"


def test_writes_leave_no_temporary_files(journal):
    for i in range(5):
        journal.add("check", "m00", f"m00.q{i}", prompt=None, answer="b", status="Correct", correct=True)
    assert sorted(p.name for p in journal.path.parent.iterdir()) == ["journal.json", "journal.json.lock"]


@pytest.mark.parametrize("damage", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]",
                                    b'{"format": "trustlab-journal", "version": 1, "entries": "oops"}', b""])
def test_a_damaged_journal_is_moved_aside_untouched_and_the_learner_is_told(journal, damage):
    journal.path.write_bytes(damage)
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="New text", share=False)
    moved = list(journal.path.parent.glob("journal.unreadable-*.json"))
    assert len(moved) == 1 and moved[0].read_bytes() == damage
    assert any(str(moved[0]) in notice for notice in journal.notices)
    assert Journal(journal.path).latest("m00.trust")["text"] == "New text"


def test_a_journal_from_a_newer_course_is_not_touched(journal):
    original = json.dumps({"format": "trustlab-journal", "version": 99, "learner_code": "L-X", "entries": []})
    journal.path.write_text(original)
    with pytest.raises(JournalError, match="newer version"):
        journal.add("reflection", "m00", "k", prompt="P", text="t", share=False)
    assert journal.path.read_text() == original


def test_an_unreadable_journal_is_reported_not_replaced(tmp_path):
    blocked = tmp_path / "journal.json"
    blocked.mkdir()  # a folder where the file should be: cannot be read, even by root
    with pytest.raises(JournalError, match="cannot be read"):
        Journal(blocked).add("reflection", "m00", "k", prompt="P", text="t", share=False)
    assert blocked.is_dir()


WRITER = """
import sys
from trustlab.journal import Journal
j = Journal(sys.argv[1])
for i in range(int(sys.argv[3])):
    j.add("check", "m00", f"{sys.argv[2]}.{i}", prompt=None, answer=str(i), status="Correct", correct=True)
"""


def test_two_processes_writing_at_once_lose_nothing(journal):
    n = 120
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(journal.path), name, str(n)])
               for name in ("kernel_a", "kernel_b")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    keys = [e["key"] for e in journal.entries("check")]
    assert len(keys) == 2 * n and len(set(keys)) == 2 * n
    assert not list(journal.path.parent.glob("journal.unreadable-*"))


# --- widgets ------------------------------------------------------------------------------------

def test_reopening_shows_the_saved_reflection(journal):
    box = ReflectionBox("m00.trust", "When did you trust a helper?", journal)
    box.text.value = "When my coach listened before advising."
    assert "Saved at" in box._state.value
    reopened = ReflectionBox("m00.trust", "When did you trust a helper?", Journal(journal.path))
    assert reopened.text.value == "When my coach listened before advising."
    assert "Saved at" in reopened._state.value


def test_emptying_the_box_never_erases_the_saved_text(journal):
    box = ReflectionBox("m00.trust", "P", journal)
    box.text.value = "Something personal."
    box.text.value = "   "
    assert "nothing was saved" in box._state.value
    assert journal.latest("m00.trust")["text"] == "Something personal."


def test_the_share_opt_in_is_saved_and_off_by_default(journal):
    box = ReflectionBox("m00.trust", "P", journal)
    assert box.share.value is False
    box.text.value = "Text"
    box.share.value = True
    assert journal.latest("m00.trust")["share"] is True


def test_a_failing_journal_keeps_the_text_in_the_box(tmp_path):
    blocked = tmp_path / "journal.json"
    blocked.mkdir()
    box = ReflectionBox("m00.trust", "P", Journal(blocked))
    box.text.value = "Do not lose me."
    assert "Not saved" in box._state.value and box.text.value == "Do not lose me."


@pytest.fixture
def practice_data(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "practice", data / "practice")
    monkeypatch.setenv("TRUSTLAB_DATA", str(data))


def test_a_drill_reveals_models_and_saves_response_criteria_and_rating(journal, practice_data):
    item = load_practice("m99")["items"][0]
    drill = Drill("m99", item, 1, journal)
    assert drill._revealed.layout.display == "none"
    drill.response.value = "Coming here wasn't your idea. What's that like?"
    drill.show()
    assert drill._revealed.layout.display is None
    drill.criteria[0].value = True
    drill.rating.value = 4
    assert drill.save()
    saved = journal.latest("m99.drill.b1")
    assert saved["response"].startswith("Coming here") and saved["self_rating"] == 4
    assert saved["criteria_met"] == [True, False, False] and saved["difficulty"] == "beginner"
    reopened = Drill("m99", item, 1, Journal(journal.path))
    assert reopened.response.value == saved["response"] and reopened.rating.value == 4


def test_practice_orders_items_easiest_first(journal, practice_data):
    box = practice("m99", journal)
    drills = [c for c in box.children if isinstance(c, Drill)]
    assert [d.item["difficulty"] for d in drills] == ["beginner", "advanced"]


def test_a_broken_practice_file_shows_its_problem(tmp_path, monkeypatch):
    (tmp_path / "practice").mkdir()
    (tmp_path / "practice" / "m98.yaml").write_text("module: m98\nitems:\n  - id: x\n    difficulty: easy\n")
    monkeypatch.setenv("TRUSTLAB_DATA", str(tmp_path))
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    assert "items[0].difficulty" in practice("m98").value


# --- the journal hears the course's events ----------------------------------------------------------

def test_vignette_choices_and_check_answers_are_recorded(monkeypatch, tmp_path):
    from trustlab.checks import check
    from trustlab.vignettes import load_vignette
    from trustlab.vignettes.player import Player

    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "j.json"))
    connect()
    try:
        player = Player(load_vignette(FIXTURES / "vignettes" / "mini.yaml"))
        player.choose(0)
        player.proceed()
        player.choose(0)
        check("m00.ex1", 63.9)
        check("m00.ex1", ...)  # unanswered: nothing to record
    finally:
        disconnect()
    journal = Journal(tmp_path / "j.json")
    paths = journal.entries("vignette")
    assert [len(e["path"]) for e in paths] == [1, 2]
    assert paths[-1]["ended"] and paths[-1]["ending"] == "heard" and paths[-1]["ending_kind"] == "positive"
    assert [s["skill"] for s in paths[-1]["path"]] == ["warmth", "reflection"]
    checks = journal.entries("check")
    assert len(checks) == 1 and checks[0]["key"] == "m00.ex1" and checks[0]["correct"] is True


def test_practice_files_shipped_with_the_course_are_valid():
    from trustlab.paths import course_root
    for path in (course_root() / "data" / "practice").glob("*.yaml"):
        assert load_practice(path.stem)["module"] == path.stem
