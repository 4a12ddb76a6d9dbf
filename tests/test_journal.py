"""The journal never loses what a learner wrote: round trips, damage, two writers, widgets."""

from __future__ import annotations

import asyncio
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from trustlab.journal import Journal, JournalError, default_path
from trustlab.journal.recorder import connect, disconnect
from trustlab.journal.widgets import Drill, ReflectionBox, load_practice, practice

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


def test_round_trip(journal):
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="First version", share=False)
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="Second version", share=True)
    again = Journal(journal.path)
    assert [e["text"] for e in again.entries("reflection")] == ["First version", "Second version"]
    assert again.latest("m00.trust")["text"] == "Second version"
    doc = again.read()
    assert doc["format"] == "trustlab-journal" and doc["version"] == 1
    assert doc["learner_code"].startswith("L-") and len(doc["learner_code"]) == 8
    with sqlite3.connect(journal.path) as con:  # what another tool sees: a format version, one row per entry
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM entries").fetchone()[0] == 2


def test_default_location_and_override(monkeypatch, tmp_path):
    monkeypatch.delenv("TRUSTLAB_JOURNAL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".trustlab" / "journal.sqlite3"
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "elsewhere.sqlite3"))
    assert default_path() == tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "elsewhere.json"))  # a setting from the JSON days
    assert default_path() == tmp_path / "elsewhere.sqlite3"
    assert Journal().legacy_path == tmp_path / "elsewhere.json"


def test_writes_leave_no_temporary_files(journal):
    for i in range(5):
        journal.add("check", "m00", f"m00.q{i}", prompt=None, answer="b", status="Correct", correct=True)
    assert sorted(p.name for p in journal.path.parent.iterdir()) == ["journal.sqlite3"]


@pytest.mark.parametrize("damage", [b"{not json", b"\xff\xfe\x00garbage", b"[1, 2, 3]",
                                    b'{"format": "trustlab-journal", "version": 1, "entries": "oops"}', b""])
def test_a_damaged_older_journal_is_moved_aside_untouched_and_the_learner_is_told(journal, damage):
    journal.legacy_path.write_bytes(damage)
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="New text", share=False)
    moved = list(journal.path.parent.glob("journal.unreadable-*.json"))
    assert len(moved) == 1 and moved[0].read_bytes() == damage
    assert any(str(moved[0]) in notice for notice in journal.notices)
    assert Journal(journal.path).latest("m00.trust")["text"] == "New text"


def test_a_journal_from_a_newer_course_is_not_touched(journal):
    with sqlite3.connect(journal.path) as con:
        con.execute(f"PRAGMA application_id = {0x544A524E}")
        con.execute("PRAGMA user_version = 99")
        con.execute("CREATE TABLE entries (whatever)")
    original = journal.path.read_bytes()
    with pytest.raises(JournalError, match="newer version"):
        journal.add("reflection", "m00", "k", prompt="P", text="t", share=False)
    assert journal.path.read_bytes() == original
    assert sorted(p.name for p in journal.path.parent.iterdir()) == ["journal.sqlite3"]


def test_an_unreadable_journal_is_reported_not_replaced(tmp_path):
    blocked = tmp_path / "journal.sqlite3"
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


# --- widgets: saved as the learner types, with a status line that tells the truth --------------------
#
# In a kernel, widget callbacks run inside its asyncio loop, and that is where the save waits for a
# pause in typing. `in_kernel_loop` runs a scenario the same way; outside a loop a change saves at once.

DELAY = 0.05  # the widgets' pause before saving, shortened for the tests (about a second in a notebook)
SAVED_AT = re.compile(r"Saved at (\d\d:\d\d:\d\d) in your journal\.")


def in_kernel_loop(scenario) -> None:
    asyncio.run(scenario())


async def pause(seconds: float = DELAY * 6) -> None:
    await asyncio.sleep(seconds)


def type_into(textarea, text: str) -> None:
    """Keystroke by keystroke, as continuous_update sends them from the browser."""
    for end in range(1, len(text) + 1):
        textarea.value = text[:end]


def shows(widget, state: str) -> str:
    """The status line's words, after checking its state (the browser's data-state)."""
    assert widget.status.state == state, (widget.status.state, widget.status.text)
    return widget.status.text


def local_time(entry: dict) -> str:
    return datetime.fromisoformat(entry["saved_at"]).astimezone().strftime("%H:%M:%S")


def test_a_new_box_says_it_is_not_saved_yet(journal):
    assert "Not saved yet" in shows(ReflectionBox("m00.trust", "P", journal), "info")


def test_typing_without_leaving_the_box_saves_after_a_pause(journal):
    async def scenario():
        box = ReflectionBox("m00.trust", "When did you trust a helper?", journal, delay=DELAY)
        type_into(box.text, "When my coach listened.")
        assert shows(box, "pending") == "Saving…" and journal.latest("m00.trust") is None
        await pause()
        saved = journal.latest("m00.trust")
        assert saved["text"] == "When my coach listened." and saved["prompt"] == "When did you trust a helper?"
        assert len(journal.entries("reflection")) == 1  # one save for the whole burst of keystrokes
        assert SAVED_AT.fullmatch(shows(box, "ok"))[1] == local_time(saved)
    in_kernel_loop(scenario)


def test_text_typed_and_never_saved_by_hand_is_back_after_a_reload(journal):
    async def scenario():
        type_into(ReflectionBox("m00.trust", "P", journal, delay=DELAY).text, "Kept without pressing Save.")
        await pause()
    in_kernel_loop(scenario)
    again = ReflectionBox("m00.trust", "P", Journal(journal.path))  # the cell run again, in a new kernel
    assert again.text.value == "Kept without pressing Save." and "Saved at" in shows(again, "ok")


def test_re_running_the_cell_right_after_typing_shows_what_was_typed(journal):
    async def scenario():
        type_into(ReflectionBox("m00.trust", "P", journal, delay=10).text, "Typed a moment ago.")
        assert journal.latest("m00.trust") is None  # still waiting for the pause
        assert ReflectionBox("m00.trust", "P", journal, delay=10).text.value == "Typed a moment ago."
    in_kernel_loop(scenario)


def test_long_typing_is_saved_every_few_seconds_not_only_at_the_end(journal):
    async def scenario():
        box = ReflectionBox("m00.trust", "P", journal, delay=0.15, max_wait=0.3)
        for n in range(40):  # a keystroke every 25 ms for a second: never a pause of 0.15 s
            box.text.value = "x" * (n + 1)
            await asyncio.sleep(0.025)
        assert len(journal.entries("reflection")) >= 2
        await pause(0.4)
        assert journal.latest("m00.trust")["text"] == "x" * 40
    in_kernel_loop(scenario)


def test_emptying_the_box_never_erases_the_saved_text_and_says_so_only_while_empty(journal):
    box = ReflectionBox("m00.trust", "P", journal)
    box.text.value = "Something personal."
    saved = journal.latest("m00.trust")
    box.text.value = "   "
    message = shows(box, "info")
    assert "empty" in message and "nothing was saved" in message and local_time(saved) in message
    assert journal.latest("m00.trust")["text"] == "Something personal."
    box.text.value = "Something personal."  # retyped, the same words
    assert SAVED_AT.fullmatch(shows(box, "ok"))[1] == local_time(saved)
    assert len(journal.entries("reflection")) == 1
    box.text.value = ""
    box.text.value = "Something else."
    assert "empty" not in shows(box, "ok")
    assert [e["text"] for e in journal.entries("reflection")] == ["Something personal.", "Something else."]


def test_emptying_a_box_while_a_save_waits_cancels_it(journal):
    async def scenario():
        box = ReflectionBox("m00.trust", "P", journal, delay=DELAY)
        type_into(box.text, "Oops")
        box.text.value = ""
        assert "Not saved yet" in shows(box, "info")
        await pause()
        assert journal.entries("reflection") == [] and "Not saved yet" in shows(box, "info")
    in_kernel_loop(scenario)


def test_the_share_opt_in_is_saved_and_off_by_default(journal):
    box = ReflectionBox("m00.trust", "P", journal)
    assert box.share.value is False
    box.text.value = "Text"
    box.share.value = True
    assert journal.latest("m00.trust")["share"] is True and "Saved at" in shows(box, "ok")


def test_the_save_button_saves_at_once_but_nothing_depends_on_it(journal):
    async def scenario():
        box = ReflectionBox("m00.trust", "P", journal, delay=10)
        type_into(box.text, "Saved by hand.")
        assert box.save() and journal.latest("m00.trust")["text"] == "Saved by hand."
        assert "Saved at" in shows(box, "ok")
    in_kernel_loop(scenario)


def test_a_save_on_a_read_only_folder_keeps_the_text_and_says_why(journal, monkeypatch):
    def read_only(*args, **kwargs):
        raise JournalError(f"The journal folder {journal.path.parent} cannot be written (Read-only file system).")

    box = ReflectionBox("m00.trust", "P", journal)
    monkeypatch.setattr(journal, "add", read_only)
    box.text.value = "Do not lose me."
    message = shows(box, "error")
    assert message.startswith("Could not save:") and "Read-only file system" in message
    assert "still in the box" in message and box.text.value == "Do not lose me."
    monkeypatch.undo()  # the folder is writable again: the next keystroke saves
    box.text.value = "Do not lose me!"
    assert "Saved at" in shows(box, "ok") and journal.latest("m00.trust")["text"] == "Do not lose me!"


def test_a_journal_that_cannot_be_opened_keeps_the_text_and_says_why(tmp_path):
    blocked = tmp_path / "journal.sqlite3"
    blocked.mkdir()  # a folder where the file should be: cannot be read, even by root
    box = ReflectionBox("m00.trust", "P", Journal(blocked))
    assert "could not be opened" in shows(box, "error")
    box.text.value = "Do not lose me."
    assert "Could not save" in shows(box, "error") and box.text.value == "Do not lose me."


RESTART = """
from trustlab.journal import Journal
from trustlab.journal.widgets import ReflectionBox
box = ReflectionBox("m00.trust", "P", Journal({path!r}), delay=60)
print(box.text.value or "(empty)")
box.text.value = {text!r}
print(box.status.text)
"""


def test_a_kernel_restart_right_after_typing_keeps_the_text(journal):
    """The save waiting for a pause is written when the kernel stops, as JupyterLab's restart stops it."""
    from jupyter_client.manager import start_new_kernel

    def run(client, code: str) -> list[str]:
        lines = []
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda msg: lines.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return "".join(lines).splitlines()

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        typed = "Typed one moment before the restart."
        assert run(client, RESTART.format(path=str(journal.path), text=typed)) == ["(empty)", "Saving…"]
        manager.restart_kernel(now=False)
        client.wait_for_ready(timeout=60)
        assert run(client, RESTART.format(path=str(journal.path), text=typed))[0] == typed
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


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


def test_a_drill_response_saves_as_it_is_typed_before_anything_is_revealed(journal, practice_data):
    item = load_practice("m99")["items"][0]

    async def scenario():
        drill = Drill("m99", item, 1, journal, delay=DELAY)
        assert "Not saved yet" in shows(drill, "info")
        assert drill._revealed.layout.display == "none" and drill.status in drill.children[-1].children
        type_into(drill.response, "What's it like to be sent here?")
        assert shows(drill, "pending") == "Saving…"
        await pause()
        saved = journal.latest("m99.drill.b1")
        assert saved["response"] == "What's it like to be sent here?" and saved["statement"] == item["statement"]
        assert SAVED_AT.fullmatch(shows(drill, "ok"))[1] == local_time(saved)
    in_kernel_loop(scenario)
    assert Drill("m99", item, 1, Journal(journal.path)).response.value == "What's it like to be sent here?"


def test_a_drill_tick_or_rating_saves_at_once(journal, practice_data):
    item = load_practice("m99")["items"][0]

    async def scenario():
        drill = Drill("m99", item, 1, journal, delay=10)
        drill.show()
        drill.rating.value = 2  # no words yet: a rating alone is work worth keeping
        assert journal.latest("m99.drill.b1")["self_rating"] == 2 and "Saved at" in shows(drill, "ok")
        drill.criteria[2].value = True
        assert journal.latest("m99.drill.b1")["criteria_met"] == [False, False, True]
    in_kernel_loop(scenario)


def test_an_emptied_drill_response_keeps_the_saved_one(journal, practice_data):
    item = load_practice("m99")["items"][0]
    drill = Drill("m99", item, 1, journal)
    drill.response.value = "So your wife booked it."
    drill.response.value = ""
    assert "response box is empty" in shows(drill, "info")
    assert journal.latest("m99.drill.b1")["response"] == "So your wife booked it."
    drill.response.value = "So your wife booked it."
    assert "Saved at" in shows(drill, "ok") and len(journal.entries("drill")) == 1


def test_a_drill_that_cannot_save_keeps_the_response_and_says_why(journal, practice_data, monkeypatch):
    def read_only(*args, **kwargs):
        raise JournalError("The journal cannot be written (Read-only file system).")

    drill = Drill("m99", load_practice("m99")["items"][0], 1, journal)
    monkeypatch.setattr(journal, "add", read_only)
    drill.response.value = "Keep me."
    assert "Read-only file system" in shows(drill, "error") and drill.response.value == "Keep me."


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
