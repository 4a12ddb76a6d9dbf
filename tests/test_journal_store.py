"""The journal on SQLite (issue 13, items 1 to 5): nothing a learner writes is lost, hidden or left behind.

- an older ``journal.json`` is imported once and left untouched (with a BOM, with version 1.0);
- a damaged database (truncated, corrupt, not SQLite at all) is moved aside untouched, what
  can be read is copied into a new journal, and the learner is told at once, wherever the
  journal was opened: a reflection box, ``check()``, the vignette recorder, ``setup()``, an export;
- malformed entries never crash a widget or an export; absurdly nested JSON is set aside;
- a read-only folder or file (real permissions: as an unprivileged user when the tests run
  as root, since root ignores them) still reads and exports, and a save says why it failed.
"""

from __future__ import annotations

import json
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

from trustlab import events
from trustlab.journal import notify, store
from trustlab.journal.export import export_for_class, export_json, export_portfolio
from trustlab.journal.notify import NOTICE_EVENT, JournalNotice, recover
from trustlab.journal.recorder import connect, disconnect, record_choice
from trustlab.journal.store import Journal, JournalError
from trustlab.journal.widgets import DAMAGED_ENTRY, NOT_SAVED, Drill, ReflectionBox

FIXTURES = Path(__file__).parent / "fixtures"
PRIVATE = "Something I have told nobody else."


@pytest.fixture(autouse=True)
def fresh_kernel():
    """Each test is a new kernel: the journal is checked again and every notice is new."""
    store.forget_state()
    yield
    store.forget_state()


@pytest.fixture
def shown(monkeypatch) -> list:
    """What was displayed under the running cell (IPython's display, as in a notebook)."""
    import IPython.display

    found: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **_: found.extend(objs))
    return found


def notices_shown(shown: list) -> str:
    return "\n".join(str(obj) for obj in shown if isinstance(obj, JournalNotice))


def legacy_doc(entries: list[dict], version=1, code: str = "L-OLDONE") -> dict:
    return {"format": "trustlab-journal", "version": version, "learner_code": code,
            "created": "2024-03-01T09:00:00+01:00", "entries": entries}


def old_entry(n: int, key: str = "m00.trust", text: str | None = None, kind: str = "reflection") -> dict:
    return {"id": f"old{n:04d}", "kind": kind, "module": key.split(".")[0], "key": key,
            "saved_at": f"2024-03-01T09:{n // 60 % 60:02d}:{n % 60:02d}+01:00", "prompt": "P",
            "text": text or f"Old text {n}", "share": False}


def full_journal(path: Path, n: int = 300) -> Journal:
    """A journal several pages long, as after a term's work."""
    journal = Journal(path)
    for i in range(n):
        journal.add("reflection", "m00", f"m00.k{i % 20}", prompt="P", text=f"{PRIVATE} {i} " + "x" * 400,
                    share=False)
    return journal


# --- the database ----------------------------------------------------------------------------------

def test_entries_cannot_be_changed_or_deleted_even_by_another_program(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("reflection", "m00", "m00.trust", prompt="P", text=PRIVATE, share=False)
    with sqlite3.connect(journal.path) as con:
        for sql in ("UPDATE entries SET entry = '{}'", "DELETE FROM entries"):
            with pytest.raises(sqlite3.IntegrityError, match="never"):
                con.execute(sql)
    assert journal.latest("m00.trust")["text"] == PRIVATE


def test_it_uses_the_rollback_journal_and_leaves_only_the_database(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    for i in range(20):
        journal.add("check", "m00", f"m00.q{i}", prompt=None, answer="b", status="Correct", correct=True)
    with sqlite3.connect(journal.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [p.name for p in tmp_path.iterdir()] == ["journal.sqlite3"]


# --- the older JSON journal: imported once, left as it was ---------------------------------------------

def test_an_older_json_journal_is_imported_once_left_untouched_and_the_learner_told(tmp_path):
    legacy = tmp_path / "journal.json"
    entries = [old_entry(1, text="First draft"), old_entry(2, text="Second draft"),
               {**old_entry(3, key="m00.q1", kind="check"), "answer": "b", "status": "Correct", "correct": True}]
    legacy.write_text(json.dumps(legacy_doc(entries), indent=1), encoding="utf-8")
    original = legacy.read_bytes()

    journal = Journal(tmp_path / "journal.sqlite3")
    journal.open()
    [notice] = journal.notices
    assert "3 entries" in notice and str(legacy) in notice and str(journal.path) in notice and not notice.serious
    assert journal.latest("m00.trust")["text"] == "Second draft"
    assert journal.read()["learner_code"] == "L-OLDONE"  # the class file keeps the same anonymous code
    assert legacy.read_bytes() == original

    store.forget_state()  # another kernel, another day: nothing is imported twice, nothing is told twice
    again = Journal(tmp_path / "journal.sqlite3")
    again.add("reflection", "m00", "m00.trust", prompt="P", text="Third draft", share=False)
    assert again.notices == [] and [e["text"] for e in again.entries("reflection")] == [
        "First draft", "Second draft", "Third draft"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.json", "journal.sqlite3"]


@pytest.mark.parametrize("bom, version", [(True, 1), (False, 1.0), (True, 1.0)], ids=["bom", "version-1.0", "both"])
def test_a_valid_json_journal_with_a_byte_order_mark_or_version_1_0_is_read(tmp_path, bom, version):
    text = json.dumps(legacy_doc([old_entry(1, text=PRIVATE)], version=version))
    (tmp_path / "journal.json").write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    journal = Journal(tmp_path / "journal.json")  # TRUSTLAB_JOURNAL may still name the JSON file
    assert journal.latest("m00.trust")["text"] == PRIVATE
    assert not list(tmp_path.glob("*unreadable*"))


def test_json_nested_200000_levels_deep_is_set_aside_with_a_clear_message_not_a_crash(tmp_path):
    depth = 200_000
    legacy = tmp_path / "journal.json"
    legacy.write_text('{"format": "trustlab-journal", "version": 1, "entries": ' + "[" * depth + "]" * depth + "}")
    original = legacy.read_bytes()
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="Still saved.", share=False)
    [moved] = tmp_path.glob("journal.unreadable-*.json")
    assert moved.read_bytes() == original
    [notice] = journal.notices
    assert "nested too deeply" in notice and str(moved) in notice and notice.serious
    assert journal.latest("m00.trust")["text"] == "Still saved."


def test_entries_that_are_not_entries_are_skipped_said_and_kept_in_the_file(tmp_path):
    nested: list = []
    for _ in range(500):  # deep, though not too deep for Python's parser
        nested = [nested]
    entries = [old_entry(1, text=PRIVATE), {**old_entry(2, key="m00.other"), "text": nested}, "not an entry", 42]
    legacy = tmp_path / "journal.json"
    legacy.write_text(json.dumps(legacy_doc(entries)), encoding="utf-8")
    journal = Journal(tmp_path / "journal.sqlite3")
    assert journal.latest("m00.trust")["text"] == PRIVATE and journal.latest("m00.other") is None
    [notice] = journal.notices
    assert "1 entries" in notice and "3 entries in it could not be read" in notice and "still in that file" in notice
    assert json.loads(legacy.read_text())["entries"][1:] == entries[1:]


def test_a_json_journal_from_a_newer_course_is_left_as_it_is_and_the_learner_told(tmp_path):
    legacy = tmp_path / "journal.json"
    legacy.write_text(json.dumps(legacy_doc([old_entry(1)], version=2)))
    original = legacy.read_bytes()
    journal = Journal(tmp_path / "journal.sqlite3")
    assert journal.entries() == []
    assert "newer version of the course" in journal.notices[0] and legacy.read_bytes() == original


# --- malformed entries never crash a widget or an export ---------------------------------------------

@pytest.fixture
def practice_data(tmp_path, monkeypatch):
    import shutil
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "practice", data / "practice")
    monkeypatch.setenv("TRUSTLAB_DATA", str(data))


def test_an_entry_without_text_or_id_opens_an_empty_box_and_exports(tmp_path, practice_data):
    from trustlab.journal.widgets import load_practice

    no_text = {k: v for k, v in old_entry(1).items() if k not in ("text", "id")}
    odd_drill = {"id": "d1", "kind": "drill", "module": "m99", "key": "m99.drill.b1", "saved_at": "2024-03-01",
                 "response": ["not", "text"], "criteria_met": 5, "self_rating": "five", "path": {"a": 1}}
    odd_path = {"id": "v1", "kind": "vignette", "module": "m99", "key": ["a", "list"], "ended": True,
                "attempt": {"x": 1}, "path": "not a list", "trace": [1, 2], "domain": None}
    (tmp_path / "journal.json").write_text(json.dumps(legacy_doc([no_text, odd_drill, odd_path])))
    journal = Journal(tmp_path / "journal.sqlite3")

    box = ReflectionBox("m00.trust", "P", journal)
    assert box.text.value == "" and box.status.state == "ok"  # the entry is there, with nothing written in it
    drill = Drill("m99", load_practice("m99")["items"][0], 1, journal)
    assert drill.response.value == "" and drill.status.text.startswith(DAMAGED_ENTRY)
    drill.response.value = "A new response."
    assert journal.latest("m99.drill.b1")["response"] == "A new response."

    page = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    assert "could not be shown" in page and "A new response." in page
    assert json.loads(export_for_class(tmp_path / "c.json", journal).read_text())["learner_code"] == "L-OLDONE"
    assert len(json.loads(export_json(tmp_path / "all.json", journal).read_text())["entries"]) == 4


# --- a damaged database: moved aside untouched, what can be read copied back, the learner told -------

def damage(path: Path, how: str) -> bytes:
    data = path.read_bytes()
    page = 4096
    damaged = {
        "truncated": data[: len(data) // 2],
        "corrupt": data[: 4 * page] + bytes(range(256)) * (6 * page // 256) + data[10 * page:],
        "header": b"\x00" * 100 + data[100:],
        "not-sqlite": b"These are my notes, not a database.\n" * 50,
    }[how]
    path.write_bytes(damaged)
    return damaged


@pytest.mark.parametrize("how", ["truncated", "corrupt", "header", "not-sqlite"])
def test_a_damaged_database_is_moved_aside_untouched_and_what_can_be_read_is_kept(tmp_path, how):
    journal = full_journal(tmp_path / "journal.sqlite3")
    damaged = damage(journal.path, how)
    store.forget_state()  # the next kernel to open it

    fresh = Journal(journal.path)
    fresh.add("reflection", "m00", "m00.new", prompt="P", text="Written after the damage.", share=False)
    [moved] = tmp_path.glob("journal.unreadable-*.sqlite3")
    assert moved.read_bytes() == damaged  # untouched, never overwritten
    [notice] = fresh.notices
    assert notice.serious and str(moved) in notice and f'recover(r"{moved}")' in notice
    assert fresh.latest("m00.new")["text"] == "Written after the damage."
    kept = [e for e in fresh.entries() if e["key"] != "m00.new"]
    if how in ("truncated", "corrupt"):  # SQLite can still read part of it: those entries are back at once
        assert len(kept) >= 100 and f"{len(kept)} entries could still be read" in notice
        assert all(e["text"].startswith(PRIVATE) for e in kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite3", moved.name]


def test_sqlite_s_leftover_rollback_journal_goes_with_the_damaged_file(tmp_path):
    """Left beside a new database, it would be played into it. (Beside a readable database SQLite uses it
    at once to finish undoing an interrupted save: that is recovery, tested in test_journal_faults.py.)"""
    journal = full_journal(tmp_path / "journal.sqlite3", n=50)
    damage(journal.path, "header")
    leftover = Path(f"{journal.path}-journal")
    leftover.write_bytes(b"pages of an interrupted save")
    store.forget_state()
    Journal(journal.path).open()
    [moved] = tmp_path.glob("journal.unreadable-*.sqlite3")
    assert Path(f"{moved}-journal").read_bytes() == b"pages of an interrupted save"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.sqlite3", moved.name, f"{moved.name}-journal"]


def test_a_rollback_journal_a_crash_left_with_nothing_to_undo_is_removed_at_the_next_open(tmp_path):
    """Killed after a save completed but before SQLite deleted its -journal: the file holds old pages."""
    journal = full_journal(tmp_path / "journal.sqlite3", n=30)
    before = journal.entries()
    Path(f"{journal.path}-journal").write_bytes(b"\x00" * 512 + PRIVATE.encode() * 40)  # header cleared
    store.forget_state()
    assert Journal(journal.path).entries() == before
    assert [p.name for p in tmp_path.iterdir()] == ["journal.sqlite3"]


@pytest.fixture
def damaged_env(tmp_path, monkeypatch) -> Path:
    """The learner's journal (TRUSTLAB_JOURNAL), damaged since the last kernel used it."""
    path = tmp_path / "home" / "journal.sqlite3"
    full_journal(path, n=120)
    damage(path, "truncated")
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(path))
    store.forget_state()
    return path


def moved_file(damaged_env: Path) -> Path:
    [moved] = damaged_env.parent.glob("journal.unreadable-*.sqlite3")
    return moved


def test_the_reflection_box_says_so_at_once_before_anything_is_typed(damaged_env):
    box = ReflectionBox("m00.k1", "P")
    assert box.status.state == "error"
    assert str(moved_file(damaged_env)) in box.status.text and "recover(" in box.status.text
    assert box.text.value.startswith(PRIVATE)  # what could be read is back in the box


def test_check_says_so_under_the_cell(damaged_env, shown):
    from trustlab.checks import check

    connect()
    try:
        check("m00.ex1", 63.9)
    finally:
        disconnect()
    told = notices_shown(shown)
    assert str(moved_file(damaged_env)) in told and "recover(" in told
    assert Journal(damaged_env).entries("check")[0]["key"] == "m00.ex1"


def test_the_vignette_recorder_says_so(damaged_env, shown):
    from trustlab.vignettes import load_vignette
    from trustlab.vignettes.player import Player

    connect()
    try:
        Player(load_vignette(FIXTURES / "vignettes" / "mini.yaml")).choose(0)
    finally:
        disconnect()
    assert str(moved_file(damaged_env)) in notices_shown(shown)
    assert len(Journal(damaged_env).entries("vignette")) == 1


def test_setup_at_the_top_of_a_notebook_says_so(damaged_env, shown):
    from trustlab.session import setup

    try:
        setup()
    finally:
        disconnect()
    told = [obj for obj in shown if isinstance(obj, JournalNotice)]
    assert len(told) == 1 and str(moved_file(damaged_env)) in str(told[0])
    html = told[0]._repr_html_()
    assert 'role="alert"' in html and "<code>from trustlab.journal import recover" in html


def test_the_portfolio_says_so_and_says_what_it_holds(damaged_env, shown, tmp_path):
    page = export_portfolio(tmp_path / "p.html").read_text(encoding="utf-8")
    moved = moved_file(damaged_env)
    assert str(moved) in notices_shown(shown)
    assert moved.name in page and str(moved.parent) not in page  # the name only: a path holds a user name
    assert "could be read from it and are included here" in page and PRIVATE in page


def test_a_click_in_the_browser_is_told_by_the_next_cell(damaged_env, shown, monkeypatch):
    """Output made while the kernel handles a click lands in JupyterLab's log: keep it for the next cell."""
    heard = []
    unsubscribe = events.subscribe(NOTICE_EVENT, heard.append)
    monkeypatch.setattr(notify, "_in_a_widget_message", lambda: True)
    try:
        record_choice(_choice_event(), Journal())
    finally:
        unsubscribe()
    assert heard and notices_shown(shown) == ""
    monkeypatch.setattr(notify, "_in_a_widget_message", lambda: False)
    box = ReflectionBox("m00.k1", "P")  # the next cell the learner runs
    assert str(moved_file(damaged_env)) in box.status.text and box.status.state == "error"


def _choice_event():
    from trustlab.vignettes import load_vignette
    from trustlab.vignettes.player import Player

    found = []
    Player(load_vignette(FIXTURES / "vignettes" / "mini.yaml"), on_choice=found.append).choose(0)
    return found[0]


OTHER_KERNEL = """
import sys
from trustlab.journal import Journal
j = Journal(sys.argv[1])
j.add("reflection", "m00", "m00.other", prompt="P", text="From the other notebook", share=False)
print(len(j.notices))
"""


def test_a_notebook_already_open_is_told_when_another_one_moved_the_journal_aside(tmp_path):
    journal = full_journal(tmp_path / "journal.sqlite3", n=60)
    assert journal.latest("m00.k1") is not None  # this notebook has been using it
    damage(journal.path, "truncated")
    done = subprocess.run([sys.executable, "-c", OTHER_KERNEL, str(journal.path)], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "1", done.stderr
    assert journal.latest("m00.other")["text"] == "From the other notebook"
    [moved] = tmp_path.glob("journal.unreadable-*.sqlite3")
    assert any(str(moved) in n for n in journal.notices)


def test_recover_brings_entries_back_and_running_it_twice_adds_nothing(tmp_path, shown):
    journal = full_journal(tmp_path / "journal.sqlite3", n=40)
    copy = export_json(tmp_path / "copy.json", journal)
    other = Journal(tmp_path / "other" / "journal.sqlite3")
    assert recover(copy, other) == 40
    assert "40 entries were copied" in notices_shown(shown)
    assert recover(copy, other) == 0
    assert [e["id"] for e in other.entries()] == [e["id"] for e in journal.entries()]


def test_an_entry_brought_back_later_does_not_hide_a_newer_version(tmp_path):
    (tmp_path / "old.json").write_text(json.dumps(legacy_doc([old_entry(1, text="Written last year")])))
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="Written today", share=False)
    journal.recover(tmp_path / "old.json")
    assert journal.latest("m00.trust")["text"] == "Written today"
    assert [e["text"] for e in journal.entries("reflection")] == ["Written last year", "Written today"]


def test_a_clock_set_back_never_hides_the_newest_version(tmp_path, monkeypatch):
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="Before the clock changed", share=False)
    real = store.time.time
    monkeypatch.setattr(store.time, "time", lambda: real() - 3600)  # the laptop's clock corrected an hour back
    journal.add("reflection", "m00", "m00.trust", prompt="P", text="After", share=False)
    assert journal.latest("m00.trust")["text"] == "After"


def test_a_journal_busy_in_another_notebook_is_never_taken_for_damage(tmp_path, monkeypatch):
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("reflection", "m00", "m00.trust", prompt="P", text=PRIVATE, share=False)
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.2)
    other = sqlite3.connect(journal.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another notebook in the middle of a long save
    try:
        with pytest.raises(JournalError, match="Another notebook"):
            journal.add("reflection", "m00", "m00.trust", prompt="P", text="Later", share=False)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not list(tmp_path.glob("*unreadable*")) and journal.latest("m00.trust")["text"] == PRIVATE


def test_export_json_holds_every_version_in_the_journal_s_own_format(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    for text in ("One", "Two", "Three"):
        journal.add("reflection", "m00", "m00.trust", prompt="P", text=text, share=False)
    data = json.loads(export_json(tmp_path / "out" / "all.json", journal).read_text(encoding="utf-8"))
    assert data["format"] == "trustlab-journal" and data["version"] == 1
    assert [e["text"] for e in data["entries"]] == ["One", "Two", "Three"]
    assert data["learner_code"] == journal.read()["learner_code"]


# --- read-only folders and files: real permissions ----------------------------------------------------

def unprivileged(scenario):
    """Run ``scenario()`` where file permissions apply, as a kernel that starts now: as the user ``nobody``
    when the tests run as root (root ignores chmod), in a forked process whose result comes back through a pipe."""
    store.forget_state()
    if os.geteuid() != 0:
        return scenario()
    import encodings.utf_8_sig  # noqa: F401 -- imported before the fork: nobody cannot read root's Python
    import IPython.core.interactiveshell  # noqa: F401
    import IPython.display  # noqa: F401

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop root for good, run, report, exit without running pytest's teardown
        os.close(read_end)
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            outcome = ("ok", scenario())
        except BaseException as err:  # noqa: BLE001 -- everything goes back to the test
            outcome = ("error", f"{type(err).__name__}: {err}\n{traceback.format_exc()}")
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(outcome, pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    kind, value = pickle.loads(data)
    if kind == "error":
        pytest.fail(f"in the unprivileged process: {value}")
    return value


@pytest.fixture
def place():
    """A folder anyone can enter, with a home and an output folder (tmp_path is root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="trustlab-readonly-"))
    base.chmod(0o755)
    (base / "home").mkdir(mode=0o755)
    (base / "out").mkdir()
    (base / "out").chmod(0o777)
    yield base
    for path in base.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    import shutil
    shutil.rmtree(base)


def try_everything(db: Path, out: Path) -> dict:
    """What a learner does: open a box, type, save, export both ways (run where permissions apply)."""
    journal = Journal(db)
    found = {"latest": (journal.latest("m00.trust") or {}).get("text"), "told": list(map(str, journal.notices))}
    journal.notices.clear()
    found["portfolio"] = export_portfolio(out / "p.html", journal).read_text(encoding="utf-8")
    found["json"] = json.loads(export_json(out / "all.json", journal).read_text(encoding="utf-8"))
    try:
        journal.add("reflection", "m00", "m00.trust", prompt="P", text="New", share=False)
        found["save"] = "saved"
    except JournalError as err:
        found["save"] = str(err)
    box = ReflectionBox("m00.trust", "P", journal)
    box.text.value = "Do not lose me."
    found["box"] = (box.status.state, box.status.text, box.text.value)
    found["files"] = sorted(p.name for p in db.parent.iterdir()) if db.parent.exists() else None
    return found


def check_read_only(found: dict, reason: str, holds_entry: bool = True) -> None:
    if holds_entry:
        assert found["latest"] == PRIVATE and PRIVATE in found["portfolio"]
        assert [e["text"] for e in found["json"]["entries"]] == [PRIVATE]
    assert any(reason in told for told in found["told"]), found["told"]  # told on opening, before typing
    assert reason.lower() in found["save"].lower() and "so your journal cannot be saved" in found["save"]
    state, text, value = found["box"]
    assert state == "error" and text.startswith("Could not save:") and reason.lower() in text.lower()
    assert "still in the box" in text and value == "Do not lose me."
    assert "Traceback" not in found["save"] + text


def test_a_read_only_folder_and_file_still_read_and_export_and_a_save_says_why(place):
    folder = place / "home" / ".trustlab"
    Journal(folder / "journal.sqlite3").add("reflection", "m00", "m00.trust", prompt="P", text=PRIVATE, share=False)
    (folder / "journal.sqlite3").chmod(0o644)
    folder.chmod(0o555)
    found = unprivileged(lambda: try_everything(folder / "journal.sqlite3", place / "out"))
    check_read_only(found, "is read-only")
    assert found["files"] == ["journal.sqlite3"]


def test_a_writable_file_in_a_read_only_folder_says_the_folder_is_the_problem(place):
    folder = place / "home" / ".trustlab"
    Journal(folder / "journal.sqlite3").add("reflection", "m00", "m00.trust", prompt="P", text=PRIVATE, share=False)
    (folder / "journal.sqlite3").chmod(0o666)
    folder.chmod(0o555)
    found = unprivileged(lambda: try_everything(folder / "journal.sqlite3", place / "out"))
    check_read_only(found, f"the folder {folder} cannot be written to")
    assert found["files"] == ["journal.sqlite3"]  # and no lock file or temporary file was needed to read


def test_a_read_only_folder_with_only_the_older_json_journal_still_reads_and_exports(place):
    folder = place / "home" / ".trustlab"
    folder.mkdir()
    (folder / "journal.json").write_text(json.dumps(legacy_doc([old_entry(1, text=PRIVATE)], version=1.0)))
    folder.chmod(0o555)
    found = unprivileged(lambda: try_everything(folder / "journal.sqlite3", place / "out"))
    check_read_only(found, f"the folder {folder} cannot be written to")
    assert found["json"]["learner_code"] == "L-OLDONE" and found["files"] == ["journal.json"]


def test_a_home_folder_that_cannot_be_written_blocks_nothing_but_saving(place):
    (place / "home").chmod(0o555)
    found = unprivileged(lambda: try_everything(place / "home" / ".trustlab" / "journal.sqlite3", place / "out"))
    check_read_only(found, f"the folder {place / 'home'} cannot be written to", holds_entry=False)
    assert "Your journal is empty so far" in found["portfolio"] and found["files"] is None


def test_an_export_to_a_read_only_folder_says_why_in_plain_words(place):
    journal = Journal(place / "home" / "journal.sqlite3")
    journal.add("reflection", "m00", "m00.trust", prompt="P", text=PRIVATE, share=False)
    journal.path.chmod(0o644)
    (place / "out").chmod(0o555)

    def scenario() -> str:
        try:
            export_portfolio(place / "out" / "p.html", Journal(journal.path))
        except JournalError as err:
            return str(err)
        return "written"
    message = unprivileged(scenario)
    assert message.startswith("Your portfolio could not be written to") and "another file name" in message


def test_a_new_learner_box_on_a_fresh_journal_says_not_saved_yet(tmp_path):
    box = ReflectionBox("m00.trust", "P", Journal(tmp_path / "journal.sqlite3"))
    assert (box.status.state, box.status.text) == ("info", NOT_SAVED)


def test_a_new_journal_is_readable_by_its_owner_only(tmp_path):
    """On a shared machine or a hub whose homes are open to all, classmates cannot read it."""
    import stat
    path = tmp_path / "home" / ".trustlab" / "journal.sqlite3"
    journal = Journal(path)
    journal.add("reflection", "m00", "m00.why", text="only mine")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
