"""The learner's journal: one local JSON file that is never lost and never leaves the machine.

Safety rules, each tested:

- every write is atomic: a temporary file in the same folder, flushed and synced,
  then renamed over the journal, so a crash leaves the old or the new file, never half;
- every read-modify-write holds a file lock, so two notebooks (two kernels) writing at
  once keep each other's entries;
- the journal is append-only: saving a reflection again adds a newer version, and the
  latest is shown, so an edit can never destroy an earlier text;
- a journal that cannot be parsed is moved aside under a timestamped name, untouched,
  and the learner is told where it went; it is never overwritten.

Where it lives: ``TRUSTLAB_JOURNAL`` if set, else ``~/.trustlab/journal.json``.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

FORMAT, VERSION = "trustlab-journal", 1
KINDS = ("reflection", "drill", "check", "vignette")
LOCK_TIMEOUT = 10  # seconds; another kernel holds the lock only for a write


class JournalError(OSError):
    """The journal cannot be read or written; the message says why and what to do."""


def default_path() -> Path:
    return Path(os.environ.get("TRUSTLAB_JOURNAL") or Path.home() / ".trustlab" / "journal.json").expanduser()


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def new_learner_code() -> str:
    """An anonymous code for the class file: no name, nothing derived from the machine."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "L-" + "".join(secrets.choice(alphabet) for _ in range(6))


def _empty() -> dict:
    return {"format": FORMAT, "version": VERSION, "learner_code": new_learner_code(), "created": now(), "entries": []}


def _problem(doc: Any) -> str:
    """Why a parsed document is not a journal, or "" if it is one."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return "it is not a course journal"
    if not isinstance(doc.get("version"), int):
        return "it has no format version"
    if not isinstance(doc.get("entries"), list) or not all(isinstance(e, dict) for e in doc["entries"]):
        return "its entries are damaged"
    return ""


class Journal:
    """Read and add entries. Each call re-reads the file, so other notebooks' entries are seen."""

    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path else default_path()
        self.notices: list[str] = []  # things the learner must be told, e.g. a file moved aside

    @property
    def _lock(self) -> FileLock:
        return FileLock(str(self.path) + ".lock", timeout=LOCK_TIMEOUT)

    def read(self) -> dict:
        """The whole journal (recovering from a damaged file first, if need be)."""
        with self._locked():
            return self._load()

    def add(self, kind: str, module: str, key: str, **data: Any) -> dict:
        """Append one entry and save; returns the entry with its id and time."""
        if kind not in KINDS:
            raise ValueError(f"unknown journal entry kind {kind!r}")
        entry = {"id": uuid.uuid4().hex, "kind": kind, "module": module, "key": key, "saved_at": now(), **data}
        with self._locked():
            doc = self._load()
            doc["entries"].append(entry)
            self._write(doc)
        return entry

    def entries(self, kind: str | None = None, module: str | None = None) -> list[dict]:
        return [e for e in self.read()["entries"]
                if (kind is None or e.get("kind") == kind) and (module is None or e.get("module") == module)]

    def latest(self, key: str, kind: str | None = None) -> dict | None:
        """The most recent entry for a key (a reflection's current text, say)."""
        found = [e for e in self.entries(kind) if e.get("key") == key]
        return found[-1] if found else None

    # --- internals: call only while holding the lock -------------------------------------

    @contextmanager
    def _locked(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise JournalError(f"The journal folder {self.path.parent} cannot be created ({err.strerror}). "
                               "Set TRUSTLAB_JOURNAL to a file in a folder you can write to.") from None
        try:
            with self._lock:
                yield
        except Timeout:
            raise JournalError(f"Another notebook has been saving to {self.path} for over {LOCK_TIMEOUT} s. "
                               "Try again in a moment.") from None

    def _load(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        except (OSError, UnicodeDecodeError) as err:
            if isinstance(err, UnicodeDecodeError):
                return self._move_aside("it is not text")
            raise JournalError(f"Your journal {self.path} cannot be read ({err.strerror}). Nothing was changed; "
                               "check the file's permissions.") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            return self._move_aside(f"it is not valid JSON (line {err.lineno})")
        problem = _problem(doc)
        if problem:
            return self._move_aside(problem)
        if doc["version"] > VERSION:
            raise JournalError(f"Your journal {self.path} was written by a newer version of the course "
                               f"(format {doc['version']}). Update the course; the file was not changed.")
        return doc

    def _move_aside(self, reason: str) -> dict:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}{self.path.suffix}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}-{n}{self.path.suffix}")
        os.replace(self.path, target)
        self.notices.append(f"Your journal could not be read ({reason}), so it was moved, unchanged, to {target}. "
                            "A new journal has been started; nothing in the old file was deleted.")
        doc = _empty()
        self._write(doc)
        return doc

    def _write(self, doc: dict) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(doc, handle, ensure_ascii=False, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as err:
            tmp.unlink(missing_ok=True)
            raise JournalError(f"Your journal {self.path} could not be saved ({err.strerror}). "
                               "Your text is still in the box: copy it somewhere safe.") from None


__all__ = ["Journal", "JournalError", "default_path", "FORMAT", "VERSION", "KINDS"]
