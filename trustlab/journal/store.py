"""The learner's journal: one local SQLite database that is never lost and never leaves the machine.

Safety rules, each tested:

- one row per entry, each save one atomic commit: a crash (even ``kill -9``) leaves the
  journal as it was before or after that save, never half of it, and cost does not grow
  with the size of the journal;
- the journal is append-only, enforced by the database itself (triggers refuse to change
  or delete a row): saving a reflection again adds a newer version, and the latest is shown;
- two notebooks (two kernels) can write at once: SQLite locks the file for the milliseconds
  of a commit, and the other waits (a busy timeout) instead of failing;
- nothing else is written beside the database: no temporary files (temporary tables stay
  in memory) and no lock file (SQLite locks the database file itself);
- a file that cannot be read as a journal (corrupt, truncated, not SQLite at all) is moved
  aside under a timestamped name, untouched and never overwritten; a new journal is started,
  every entry that can still be read from the old file is copied into it, and the learner
  is told at once where the old file went and how to bring it back (:mod:`notify`);
- an older ``journal.json`` (the course's earlier format) is imported once, and left
  untouched beside the database;
- a read-only folder or file never blocks reading or exporting; a save that cannot happen
  raises :class:`JournalError` with a plain reason.

Why SQLite's rollback journal (``journal_mode=DELETE``, its default) and not WAL: it works
on network home folders (JupyterHub and university machines often use NFS or SMB, where
WAL's shared memory does not), a read-only folder can still be read (WAL needs a writable
``-shm`` file), and it leaves nothing behind: its ``-journal`` file exists only while a
commit is under way (or, after a crash, until the next open rolls it back and deletes it),
while WAL keeps ``-wal`` and ``-shm`` files beside the database as long as a notebook is
open. WAL's gain, readers never waiting for a writer, does not matter here: a save is one
small commit after a pause in typing.

Where it lives: ``TRUSTLAB_JOURNAL`` if set, else ``~/.trustlab/journal.sqlite3``. A value
ending in ``.json`` (the earlier format) still works: the database is kept beside it as
``<name>.sqlite3`` and the JSON file is imported.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

FORMAT, VERSION = "trustlab-journal", 1  # VERSION is the database's PRAGMA user_version
KINDS = ("reflection", "drill", "check", "vignette", "transcript", "gas", "series")  # gas: a GAS worksheet;
# series: the latest state of a multi-session vignette series (module 05), one entry per finished session
APPLICATION_ID = 0x544A524E  # PRAGMA application_id: "TJRN", so another program's database is never taken for ours
SUFFIX = ".sqlite3"
SIDE_FILES = ("-journal", "-wal", "-shm")  # SQLite's own files beside a database: they travel with it
BUSY_TIMEOUT = 10.0  # seconds a save waits while another notebook commits (a commit takes milliseconds)
MAX_DEPTH = 32  # the course writes entries 4 levels deep; anything far deeper is not an entry
SQLITE_MAGIC = b"SQLite format 3\x00"

SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # n: the order of saving; t: when (seconds since 1970, UTC), so an entry brought back from an
    # older file takes its place in time; entry: the whole entry as JSON, exactly as it was added
    "CREATE TABLE entries (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, t REAL NOT NULL, kind TEXT NOT NULL,"
    " module TEXT NOT NULL, key TEXT NOT NULL, entry TEXT NOT NULL)",
    "CREATE INDEX entries_by_key ON entries (key, t, n)",
    "CREATE INDEX entries_by_kind ON entries (kind, module, t, n)",
    # what happened to the journal itself (an import, a damaged file moved aside), so every open
    # notebook can tell the learner, and the portfolio can say so
    "CREATE TABLE history (id TEXT PRIMARY KEY, t REAL NOT NULL, event TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TRIGGER entries_are_never_changed BEFORE UPDATE ON entries"
    " BEGIN SELECT RAISE(ABORT, 'journal entries are never changed'); END",
    "CREATE TRIGGER entries_are_never_deleted BEFORE DELETE ON entries"
    " BEGIN SELECT RAISE(ABORT, 'journal entries are never deleted'); END",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {VERSION}",
)

T = TypeVar("T")


class JournalError(OSError):
    """The journal cannot be read or written; the message says why and what to do."""


class Notice(str):
    """Something the learner must be told about their journal; ``serious`` ones are shown as a warning."""

    serious: bool

    def __new__(cls, text: str, serious: bool = True) -> "Notice":
        notice = super().__new__(cls, text)
        notice.serious = serious
        return notice


class _CannotWrite(Exception):
    """Internal: the journal's folder or file cannot be written; the argument is the plain reason."""


# --- where the journal lives ----------------------------------------------------------------------

def _locate(path: Path | str) -> tuple[Path, Path]:
    """The database and the older JSON journal that goes with it (imported once if it exists)."""
    path = Path(path).expanduser()
    if path.suffix.lower() == ".json":
        return path.with_suffix(SUFFIX), path
    return path, path.with_suffix(".json")


def _configured() -> Path | str:
    return os.environ.get("TRUSTLAB_JOURNAL") or Path.home() / ".trustlab" / f"journal{SUFFIX}"


def default_path() -> Path:
    """The database: ``TRUSTLAB_JOURNAL`` (a ``.json`` value names the old file beside it), else in ``~/.trustlab``."""
    return _locate(_configured())[0]


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_learner_code() -> str:
    """An anonymous code for the class file: no name, nothing derived from the machine."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "L-" + "".join(secrets.choice(alphabet) for _ in range(6))


# --- what this process knows (a kernel opens the journal many times: it checks it once) ----------

_LOCK = threading.RLock()
_STARTED = time.time()  # a kernel tells the learner about what happened to the journal since it started
_ready: dict[str, tuple[Any, str]] = {}  # database -> (the files' state when checked, "db" or "view")
_told: set[tuple[str, str]] = set()  # (database, history id or notice text) already handed to the learner
_pending: dict[str, list[Notice]] = {}  # database -> notices not yet handed to anyone


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (a file moved aside and replaced is another file), or None."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _version(path: Path) -> tuple[int, int] | None:
    """Size and time of change: enough to see that the older JSON journal was written to again."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns) if path.is_file() else None


def _pend(db: Path, notice: Notice, once_key: str | None = None) -> None:
    """Queue a notice for the next Journal operation on ``db`` to hand over (each one once per process)."""
    key = (str(db), once_key or str(notice))
    if key in _told:
        return
    _told.add(key)
    _pending.setdefault(str(db), []).append(notice)


def put_back(db: Path, notices: list[Notice]) -> None:
    """Notices that could not be shown where they arose: the next operation hands them over again."""
    with _LOCK:
        _pending.setdefault(str(db), []).extend(notices)


def forget_state() -> None:
    """Forget what this process checked and told, as a kernel that starts now (for tests and benchmarks)."""
    global _STARTED
    with _LOCK:
        _STARTED = time.time()
        _ready.clear()
        _told.clear()
        _pending.clear()


# --- SQLite ------------------------------------------------------------------------------------------

def _private(path: Path) -> None:
    """Read and write for its owner only (SQLite gives its ``-journal`` file the same mode)."""
    try:
        os.chmod(path, 0o600)
    except OSError:  # a file system without Unix permissions (some network drives): nothing to do
        pass


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), temporary data kept in memory.

    ``mode`` is SQLite's URI mode: ``rw`` (an existing file; read-only if the file is),
    ``rwc`` (create it), ``ro``. ``isolation_level=None``: Python's own implicit BEGIN
    (deferred) could deadlock two writers; every write here starts ``BEGIN IMMEDIATE``.
    """
    con = sqlite3.connect(f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT,
                          isolation_level=None)
    con.execute("PRAGMA temp_store = MEMORY")
    return con


@contextmanager
def _transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic commit; ``IMMEDIATE`` takes the write lock first, so two writers queue instead of failing."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


# SQLite's result codes (fixed by SQLite; Python names them only from 3.11 on)
BUSY, LOCKED, CORRUPT, FULL, NOTADB = 5, 6, 11, 13, 26
_MESSAGES = {"database is locked": BUSY, "database table is locked": LOCKED, "database disk image is malformed": CORRUPT,
             "database or disk is full": FULL, "file is not a database": NOTADB}


def _code(err: BaseException) -> int:
    """The primary result code of an SQLite error (from its message on Python 3.10, which has no code)."""
    code = getattr(err, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else _MESSAGES.get(str(err), 0)


def _is_damage(err: BaseException) -> bool:
    return isinstance(err, sqlite3.DatabaseError) and _code(err) in (CORRUPT, NOTADB)


def _is_busy(err: BaseException) -> bool:
    return isinstance(err, sqlite3.Error) and _code(err) in (BUSY, LOCKED)


def _is_set_up(con: sqlite3.Connection) -> bool:
    return con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def _set_up_schema(con: sqlite3.Connection, learner_code: str | None = None) -> None:
    for statement in SCHEMA:
        con.execute(statement)
    con.executemany("INSERT INTO meta (name, value) VALUES (?, ?)",
                    [("format", FORMAT), ("created", now()), ("learner_code", learner_code or new_learner_code())])


def _meta(con: sqlite3.Connection) -> dict[str, str]:
    return dict(con.execute("SELECT name, value FROM meta").fetchall())


def _set_meta(con: sqlite3.Connection, name: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))


def _add_history(con: sqlite3.Connection, event: str, **detail: Any) -> None:
    con.execute("INSERT INTO history (id, t, event, detail) VALUES (?, ?, ?, ?)",
                (uuid.uuid4().hex, time.time(), event, json.dumps(detail, ensure_ascii=False)))


def _moment(stamp: Any) -> float:
    """An entry's ``saved_at`` as seconds since 1970 (0 if it has none), to order entries from elsewhere."""
    try:
        return datetime.fromisoformat(str(stamp)).timestamp()
    except (TypeError, ValueError, OverflowError, OSError):
        return 0.0


def _insert(con: sqlite3.Connection, entries: list[tuple[dict, float]]) -> int:
    """Add entries (with their time) that are not in the journal yet; returns how many were new."""
    before = con.total_changes
    con.executemany(
        "INSERT OR IGNORE INTO entries (id, t, kind, module, key, entry) VALUES (?, ?, ?, ?, ?, ?)",
        [(str(e["id"]), t, str(e.get("kind") or ""), str(e.get("module") or ""), str(e.get("key") or ""),
          json.dumps(e, ensure_ascii=False)) for e, t in entries])
    return con.total_changes - before


def _decode(text: str) -> dict | None:
    try:
        entry = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return entry if isinstance(entry, dict) else None


# --- reading files that are not (or no longer) a healthy journal -----------------------------------

def _nested_deeper_than(value: Any, limit: int) -> bool:
    """True if ``value`` nests lists and dicts deeper than ``limit`` (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _importable(entry: Any, index: int) -> tuple[dict, float] | None:
    """An entry from another file as this journal keeps it, or None if it is not an entry at all."""
    if not isinstance(entry, dict) or _nested_deeper_than(entry, MAX_DEPTH):
        return None
    entry = dict(entry)
    if not isinstance(entry.get("id"), str) or not entry["id"]:
        # the same id every time the same file is read, so reading it twice adds nothing twice
        digest = hashlib.sha1(f"{index}:{json.dumps(entry, sort_keys=True, default=str)}".encode()).hexdigest()
        entry["id"] = f"imported-{digest[:24]}"
    return entry, _moment(entry.get("saved_at"))


def read_json_journal(path: Path) -> tuple[dict | None, str]:
    """An older JSON journal, or (None, why it cannot be read). Never raises on bad content.

    Read as UTF-8 with or without a byte-order mark; a version of ``1`` or ``1.0`` is the
    same version; nesting too deep for Python's parser is a damaged file, not a crash.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "it is not text"
    if not text.strip():
        return None, "it is empty"
    try:
        doc = json.loads(text)
    except RecursionError:
        return None, "it is nested too deeply to be a journal"
    except ValueError as err:
        return None, f"it is not valid JSON (line {getattr(err, 'lineno', '?')})"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None, "it is not a course journal"
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, (int, float)) or version != int(version):
        return None, "it has no format version"
    if not isinstance(doc.get("entries"), list):
        return None, "its entries are damaged"
    return doc, ""


def _salvage_database(path: Path) -> tuple[list[tuple[dict, float]], str | None]:
    """Every entry SQLite can still read from a damaged database, and its learner code.

    Opened ``immutable`` (no locks, no rollback, nothing written) with ``writable_schema``
    (only a flag here: it lets SQLite read a file shorter than its header says, as a
    truncated file is). Read in order until a damaged page stops the scan, then row by row
    past the damage (the row numbers come from the table's end and from its indexes), so
    one bad page costs only the entries on it.
    """
    rows: dict[int, tuple[dict, float]] = {}
    code = None

    def keep(found: list) -> None:
        for n, t, text in found:
            entry = _decode(text) if isinstance(text, str) else None
            if entry is not None and isinstance(entry.get("id"), str):
                rows[n] = (entry, float(t or 0.0))

    try:
        con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        con.execute("PRAGMA writable_schema = ON")
    except sqlite3.Error:
        return [], None
    with closing(con):
        try:
            code = con.execute("SELECT value FROM meta WHERE name = 'learner_code'").fetchone()[0]
        except (sqlite3.Error, TypeError):
            pass
        last = 0
        try:
            for row in con.execute("SELECT n, t, entry FROM entries ORDER BY n"):
                keep([row])
                last = row[0]
            return [rows[n] for n in sorted(rows)], code
        except sqlite3.Error:
            pass
        candidates: set[int] = set()
        try:
            candidates.update(range(last + 1, (con.execute("SELECT max(n) FROM entries").fetchone()[0] or 0) + 1))
        except sqlite3.Error:
            pass
        for index in ("entries_by_key", "entries_by_kind", "sqlite_autoindex_entries_1"):
            try:
                for (n,) in con.execute(f"SELECT n FROM entries INDEXED BY {index}"):
                    candidates.add(n)
            except sqlite3.Error:
                continue
        for n in sorted(candidates - set(rows)):
            try:
                keep(con.execute("SELECT n, t, entry FROM entries WHERE n = ?", (n,)).fetchall())
            except sqlite3.Error:
                continue
    return [rows[n] for n in sorted(rows)], code


def read_entries(path: Path) -> tuple[list[tuple[dict, float]], str | None]:
    """Every entry that can be read from a journal file of either format (damaged or not), and its code."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError:
        return [], None
    if head == SQLITE_MAGIC:
        return _salvage_database(path)
    doc, _problem = read_json_journal(path)
    if doc is None:
        return [], None
    found = [_importable(e, i) for i, e in enumerate(doc["entries"])]
    return [f for f in found if f], doc.get("learner_code") if isinstance(doc.get("learner_code"), str) else None


def _aside_name(path: Path) -> Path:
    """``journal.unreadable-20250101-093000.sqlite3``: beside the original, never an existing name."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target, n = path.with_name(f"{path.stem}.unreadable-{stamp}{path.suffix}"), 1
    while target.exists() or any(Path(f"{target}{side}").exists() for side in SIDE_FILES):
        n += 1
        target = path.with_name(f"{path.stem}.unreadable-{stamp}-{n}{path.suffix}")
    return target


def _move_aside(path: Path) -> Path:
    """Rename a file (and SQLite's files that belong to it) out of the way, untouched; returns where it went."""
    target = _aside_name(path)
    for side in SIDE_FILES:  # first: a rollback journal left beside a new database would be played into it
        if Path(f"{path}{side}").exists():
            os.rename(f"{path}{side}", f"{target}{side}")
    os.rename(path, target)
    return target


# --- what the learner is told ----------------------------------------------------------------------

def _history_notice(event: str, detail: dict) -> Notice | None:
    """The words for something that happened to the journal (a row of its ``history`` table)."""
    if event == "imported":
        text = (f"Your journal is now kept in {detail['db']}. The {detail['entries']} entries of your earlier "
                f"journal, {detail['source']}, were copied into it, and that file was left as it was: you may "
                "keep it or delete it.")
        if detail.get("skipped"):
            text += (f" {detail['skipped']} entries in it could not be read, so they were not copied; they are "
                     "still in that file.")
        return Notice(text, serious=bool(detail.get("skipped")))
    if event == "set-aside":
        return Notice(f"Your earlier journal {detail['source']} could not be read ({detail['reason']}), so it was "
                      f"moved, unchanged, to {detail['moved_to']}. Nothing in it was deleted: it is a text file you "
                      "can open in any text editor to read what you wrote, or show it to your instructor.")
    if event == "newer":
        return Notice(f"Your earlier journal {detail['source']} was written by a newer version of the course, so "
                      "it was not copied into this one and was left as it was. Update the course to read it.")
    if event == "recovered":
        kept = (f"{detail['entries']} entries could still be read from it and were copied into your new journal, "
                "so they are not lost." if detail["entries"] else "No entries could be read from it.")
        return Notice(f"Your journal file could not be read ({detail['reason']}). It was moved, unchanged, to "
                      f"{detail['moved_to']}, and a new journal was started in its place. {kept} Nothing was "
                      "deleted. To copy entries back from the old file again (for example after your instructor "
                      f"has repaired it), run `from trustlab.journal import recover; recover(r\"{detail['moved_to']}\")`"
                      " in a cell, or show the file to your instructor.")
    return None


def _cannot_save_notice(reason: str) -> Notice:
    return Notice(f"Your journal can be read but not saved: {reason}. You can still read it and export your "
                  "portfolio, but what you write from now on will not be kept. Ask your instructor, or set "
                  "TRUSTLAB_JOURNAL to a file in a folder you can write to.")


def _why_not_writable(db: Path) -> str | None:
    """A plain reason the journal cannot be written, if the file system says so."""
    if db.exists() and not os.access(db, os.W_OK):
        return f"the file {db} is read-only"
    folder = db.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        return f"the folder {folder} cannot be written to"
    return None


def _cannot_save(reason: str) -> JournalError:
    return JournalError(f"{reason[:1].upper()}{reason[1:]}, so your journal cannot be saved. To fix it, ask your "
                        "instructor, or set TRUSTLAB_JOURNAL to a file in a folder you can write to.")


def _reason(err: BaseException, db: Path) -> str:
    if isinstance(err, sqlite3.Error) and _code(err) == FULL:
        return "the disk is full"
    found = _why_not_writable(db)
    if found:
        return found
    if isinstance(err, OSError) and err.strerror:
        return f"{err.strerror.lower()} ({err.filename or db})"
    return f"{err} ({db})"


# --- the journal -------------------------------------------------------------------------------------

class Journal:
    """Read and add entries. Every call sees what other notebooks saved a moment ago.

    ``path`` is the database (``.sqlite3``); a ``.json`` path names an older journal, and
    the database is then kept beside it. ``notices`` collects what the learner must be told
    (an import, a damaged file moved aside, a folder that cannot be written): whoever shows
    them clears the list, so they are told once.
    """

    def __init__(self, path: Path | str | None = None):
        self.path, self.legacy_path = _locate(path or _configured())
        self.notices: list[Notice] = []

    # --- what the widgets, checks and exports use ---------------------------------------------------

    def open(self) -> None:
        """Check the journal now (see the module's rules); what the learner must be told is in ``notices``."""
        self._run(write=False, action=lambda con: None)

    def read(self) -> dict:
        """The whole journal: its code, every entry in the order saved, and its history."""
        def action(con: sqlite3.Connection) -> dict:
            meta = _meta(con)
            entries = [e for (text,) in con.execute("SELECT entry FROM entries ORDER BY t, n")
                       if (e := _decode(text)) is not None]
            history = [{"at": datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds"), "event": event,
                        **(json.loads(detail) if detail else {})}
                       for t, event, detail in con.execute("SELECT t, event, detail FROM history ORDER BY t")]
            return {"format": FORMAT, "version": VERSION, "learner_code": meta.get("learner_code"),
                    "created": meta.get("created"), "entries": entries, "history": history}
        return self._run(write=False, action=action)

    def add(self, kind: str, module: str, key: str, **data: Any) -> dict:
        """Append one entry in one commit; returns the entry with its id and time."""
        if kind not in KINDS:
            raise ValueError(f"unknown journal entry kind {kind!r}")
        entry = {"id": uuid.uuid4().hex, "kind": kind, "module": module, "key": key, "saved_at": now(), **data}
        # a new version is always the latest of its key, even if the computer's clock was set back since
        row = (entry["id"], time.time(), key, kind, module, key, json.dumps(entry, ensure_ascii=False))
        self._run(write=True, action=lambda con: con.execute(
            "INSERT INTO entries (id, t, kind, module, key, entry) VALUES (?, max(?, coalesce("
            "(SELECT max(t) FROM entries WHERE key = ?), 0) + 0.001), ?, ?, ?, ?)", row))
        return entry

    def entries(self, kind: str | None = None, module: str | None = None) -> list[dict]:
        """Entries in the order saved, of one kind and module if given."""
        where = [f"{column} = ?" for column, value in (("kind", kind), ("module", module)) if value is not None]
        sql = f"SELECT entry FROM entries {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY t, n"
        params = [v for v in (kind, module) if v is not None]
        return self._run(write=False, action=lambda con: [
            e for (text,) in con.execute(sql, params) if (e := _decode(text)) is not None])

    def latest(self, key: str, kind: str | None = None) -> dict | None:
        """The most recent entry for a key (a reflection's current text, say)."""
        sql = "SELECT entry FROM entries WHERE key = ?" + (" AND kind = ?" if kind else "") + " ORDER BY t DESC, n DESC"
        params = (key, kind) if kind else (key,)

        def action(con: sqlite3.Connection) -> dict | None:
            for (text,) in con.execute(sql, params):
                entry = _decode(text)
                if entry is not None:
                    return entry
            return None
        return self._run(write=False, action=action)

    def recover(self, source: Path | str) -> tuple[int, int]:
        """Copy into the journal every entry that can be read from another journal file (a moved-aside
        database, an older or exported JSON journal) and is not in it yet. Returns (copied, readable)."""
        found, _code = read_entries(Path(source).expanduser())
        copied = self._run(write=True, action=lambda con: _insert(con, found))
        return copied, len(found)

    # --- one operation: check the journal once per process, then read or write --------------------

    def _run(self, write: bool, action: Callable[[sqlite3.Connection], T]) -> T:
        try:
            for attempt in (1, 2):
                mode = self._prepare()
                try:
                    return self._with_connection(mode, write, action)
                except sqlite3.DatabaseError as err:
                    if attempt == 1 and _is_damage(err):  # damaged since it was checked: check again, move it aside
                        with _LOCK:
                            _ready.pop(str(self.path), None)
                        continue
                    raise self._error(err, write) from None
            raise AssertionError("unreachable")
        finally:
            with _LOCK:
                self.notices.extend(_pending.pop(str(self.path), []))

    def _with_connection(self, mode: str, write: bool, action: Callable[[sqlite3.Connection], T]) -> T:
        if mode == "view" and write:  # no database yet (a read-only folder, say): perhaps it can be made now
            try:
                self._create()
            except _CannotWrite as why:
                raise _cannot_save(str(why)) from None
            with _LOCK:
                _ready.pop(str(self.path), None)
            mode = self._prepare()
        if mode == "view":
            with closing(self._view()) as con:
                return action(con)
        with closing(_connect(self.path, "rw")) as con:
            if not write:
                return action(con)
            with _transaction(con):
                return action(con)

    def _error(self, err: sqlite3.Error, write: bool) -> JournalError:
        if _is_busy(err):
            return JournalError(f"Another notebook has been saving to your journal for over {BUSY_TIMEOUT:g} s, "
                                "so this could not be done now. Try again in a moment.")
        if write:
            return _cannot_save(_reason(err, self.path))
        return JournalError(f"Your journal {self.path} cannot be read ({err}). Nothing was changed; show this "
                            "message to your instructor.")

    def _prepare(self) -> str:
        """Check the journal the first time this process uses it, and again if the file was replaced.

        Returns ``"db"`` (read and write the database) or ``"view"`` (there is no database and
        none can be made: reads come from the older JSON journal, if any, and saving fails).
        """
        key = str(self.path)
        with _LOCK:
            state = (_identity(self.path), _version(self.legacy_path))
            ready = _ready.get(key)
            if ready and ready[0] == state:
                return ready[1]
            mode = self._check()
            _ready[key] = ((_identity(self.path), _version(self.legacy_path)), mode)
            if mode == "db":
                self._collect_history()
            return mode

    def _check(self) -> str:
        db = self.path
        if db.is_dir():
            raise JournalError(f"Your journal {db} cannot be read: it is a folder, not a file. Nothing was changed; "
                               "set TRUSTLAB_JOURNAL to a file, or rename that folder.")
        found = _identity(db)
        if found is not None:
            problem, set_up = self._inspect()
            if problem:
                return self._set_aside(problem, found)
            if set_up:
                self._import_if_changed()
                self._clear_leftover()
                reason = _why_not_writable(db)
                if reason:  # told before the learner types, not only when a save fails
                    _pend(db, _cannot_save_notice(reason), once_key="cannot-save")
                return "db"
        try:  # no journal yet (or an empty file): start one, with the older journal's entries if any
            self._create()
        except _CannotWrite as why:
            _pend(db, _cannot_save_notice(str(why)), once_key="cannot-save")
            return "view"
        return "db"

    def _inspect(self) -> tuple[str, bool]:
        """(why the file is not a healthy journal or "", whether it is set up). Raises only for what must
        not be moved aside: a journal from a newer course, a file that cannot be opened at all."""
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(100)
        except OSError as err:
            raise JournalError(f"Your journal {self.path} cannot be read ({err.strerror}). Nothing was changed; "
                               "check the file's permissions.") from None
        if not head:
            return "", False
        if not head.startswith(SQLITE_MAGIC):
            return "it is not a journal database", False
        try:
            with closing(_connect(self.path, "rw")) as con:
                if [row[0] for row in con.execute("PRAGMA quick_check(1)")] != ["ok"]:
                    return "it is damaged", False
                app, version = (con.execute(f"PRAGMA {p}").fetchone()[0] for p in ("application_id", "user_version"))
                tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.DatabaseError as err:
            if _is_damage(err):
                return "it is damaged", False
            raise JournalError(f"Your journal {self.path} cannot be read ({err}). Nothing was changed; "
                               "try again in a moment, or show this message to your instructor.") from None
        if app == APPLICATION_ID and version > VERSION:
            raise JournalError(f"Your journal {self.path} was written by a newer version of the course (format "
                               f"{version}). Update the course; the file was not changed.")
        if app == APPLICATION_ID:
            return "", True
        if app == 0 and version == 0 and tables == 0:
            return "", False  # an empty database: set it up in place
        return "it is not a course journal", False

    def _set_aside(self, problem: str, found: tuple[int, int]) -> str:
        """Move a damaged file aside, start a new journal, and copy into it what can still be read."""
        if _identity(self.path) != found:
            return "db"  # another notebook moved it a moment ago: it started the new journal
        try:
            target = _move_aside(self.path)
        except OSError as err:
            raise JournalError(f"Your journal {self.path} could not be read ({problem}), and it could not be moved "
                               f"aside ({err.strerror}), so nothing can be saved. Nothing was changed. Show this "
                               "message to your instructor, or set TRUSTLAB_JOURNAL to another file.") from None
        salvaged, code = read_entries(target)
        try:
            self._create(learner_code=code, recovered=(target, problem, salvaged))
        except _CannotWrite as why:
            _pend(self.path, _cannot_save_notice(str(why)), once_key="cannot-save")
            return "view"
        return "db"

    def _create(self, learner_code: str | None = None,
                recovered: tuple[Path, str, list[tuple[dict, float]]] | None = None) -> None:
        """Make (or finish setting up) the database in one commit, importing the older JSON journal."""
        try:
            # a learner's journal is theirs alone: on a shared machine or a JupyterHub whose homes
            # are readable by all (Debian's default), the folder and the file still are not
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            new_file = not self.path.exists()
            with closing(_connect(self.path, "rwc")) as con, _transaction(con):
                if not _is_set_up(con):  # another notebook may have set it up while this one waited
                    legacy, _problem = (read_json_journal(self.legacy_path) if self.legacy_path.is_file()
                                        else (None, ""))
                    code = learner_code or (legacy or {}).get("learner_code")
                    _set_up_schema(con, code if isinstance(code, str) else None)
                self._import(con)
                if recovered:
                    target, problem, salvaged = recovered
                    _add_history(con, "recovered", moved_to=str(target), reason=problem,
                                 entries=_insert(con, salvaged))
            if new_file:
                _private(self.path)
        except (OSError, sqlite3.OperationalError) as err:
            if isinstance(err, sqlite3.Error) and _is_busy(err):
                raise self._error(err, write=True) from None
            raise _CannotWrite(_reason(err, self.path)) from None

    def _clear_leftover(self) -> None:
        """Remove a rollback journal that a crash left behind with nothing to undo.

        A ``-journal`` that is needed (a save cut off half-way) was already played back when
        the journal was checked. One killed after its save was complete but before the file
        was deleted has its header cleared: SQLite ignores it and deletes it only at the next
        save. It still holds copies of old pages (the learner's text), so that save is made
        now: one small commit, which SQLite ends by deleting the file.
        """
        if not Path(f"{self.path}-journal").exists():
            return
        try:
            with closing(_connect(self.path, "rw")) as con, _transaction(con):
                _set_meta(con, "checked", now())
        except sqlite3.Error:
            pass  # a read-only folder: the learner is told it cannot be saved; the file is harmless to SQLite

    def _import_if_changed(self) -> None:
        """Import the older JSON journal if it appeared or changed since it was last imported (see _import)."""
        current = _version(self.legacy_path)
        if current is None:
            return
        try:
            with closing(_connect(self.path, "rw")) as con:
                if _meta(con).get("legacy_seen") == json.dumps(current):
                    return
                with _transaction(con):
                    self._import(con)
        except sqlite3.OperationalError as err:
            if _is_busy(err):
                raise self._error(err, write=True) from None
            _pend(self.path, _cannot_save_notice(_reason(err, self.path)), once_key="cannot-save")

    def _import(self, con: sqlite3.Connection) -> None:
        """Copy the older JSON journal's entries in (those not there yet), inside the caller's transaction.

        Its version (size and time) is kept in ``meta``, so it is read again only if it changes
        (a notebook still running an older course may write to it): it is imported once.
        """
        source = self.legacy_path
        current = _version(source)
        if current is None or _meta(con).get("legacy_seen") == json.dumps(current):
            return
        doc, problem = read_json_journal(source)
        if doc is None:
            try:
                moved = _move_aside(source)
            except OSError:
                _pend(self.path, Notice(f"Your earlier journal {source} could not be read ({problem}). It was left "
                                        "as it was: show it to your instructor."), once_key=f"unreadable:{source}")
            else:
                _add_history(con, "set-aside", source=str(source), moved_to=str(moved), reason=problem)
        elif doc["version"] > VERSION:
            _add_history(con, "newer", source=str(source))
        else:
            found = [_importable(e, i) for i, e in enumerate(doc["entries"])]
            copied = _insert(con, [f for f in found if f])
            skipped = sum(f is None for f in found)
            if copied or skipped:
                _add_history(con, "imported", db=str(self.path), source=str(source), entries=copied, skipped=skipped)
        _set_meta(con, "legacy_seen", json.dumps(_version(source)))

    def _view(self) -> sqlite3.Connection:
        """An in-memory journal holding the older JSON journal: what can be read when nothing can be written."""
        con = sqlite3.connect(":memory:", isolation_level=None)
        legacy = read_json_journal(self.legacy_path)[0] if self.legacy_path.is_file() else None
        code = (legacy or {}).get("learner_code")
        _set_up_schema(con, code if isinstance(code, str) else None)
        if legacy is not None and legacy["version"] <= VERSION:
            found = [_importable(e, i) for i, e in enumerate(legacy["entries"])]
            _insert(con, [f for f in found if f])
        return con

    def _collect_history(self) -> None:
        """Queue what happened to the journal since this process started (here or in another notebook)."""
        try:
            with closing(_connect(self.path, "rw")) as con:
                rows = con.execute("SELECT id, event, detail FROM history WHERE t >= ? ORDER BY t",
                                   (_STARTED,)).fetchall()
        except sqlite3.Error:
            return
        for row_id, event, detail in rows:
            notice = _history_notice(event, json.loads(detail))
            if notice:
                _pend(self.path, notice, once_key=row_id)


__all__ = ["Journal", "JournalError", "Notice", "default_path", "read_entries", "read_json_journal",
           "FORMAT", "VERSION", "KINDS"]
