"""Reading a folder of anonymous class files: every file either counts once or is named with the reason it does not.

Students hand in ``class-file.json`` (:func:`trustlab.journal.export.export_for_class`) through
an LMS or a shared folder, so the folder holds whatever arrived: the course's class files of
this and the earlier format, a second hand-in from the same learner, a portfolio sent by
mistake, a file cut short by a download. The debrief must never stop on any of them, and an
instructor must be able to see which files were left out and why, so :func:`read_folder`
returns both what counts and what was skipped, with a plain reason per file.

What a class file must look like is one JSON Schema per version (:data:`SCHEMAS`), checked
with ``jsonschema``: a wrong type anywhere skips the whole file with the place it was found,
because a half-read file would silently change the counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
import jsonschema

from trustlab.content import location
from trustlab.journal.export import CLASS_FORMAT, CLASS_VERSION

MAX_BYTES = 20_000_000  # a whole course's class file is a few hundred kilobytes; anything far larger is not one
OLDEST = 1

_TEXT = {"type": "string"}
_MAYBE_TEXT = {"type": ["string", "null"]}
_CHOICE = {"type": "object", "required": ["scene", "choice", "skill"],
           "properties": {"scene": _TEXT, "choice": {"type": "integer", "minimum": 0}, "skill": _MAYBE_TEXT}}
_CHOICES = {"type": "array", "items": _CHOICE}
_VIGNETTE = {"type": "object", "required": ["vignette", "choices", "ending"],
             "properties": {"vignette": _TEXT, "attempt": _MAYBE_TEXT, "choices": _CHOICES,
                            "ending": _MAYBE_TEXT, "ending_kind": _MAYBE_TEXT}}
_CHECK_V1 = {"type": "object", "required": ["key", "answer", "correct"],
             "properties": {"key": _TEXT, "answer": _MAYBE_TEXT, "correct": {"type": "boolean"}}}
_CHECK_V2 = {**_CHECK_V1, "required": ["key", "answer", "correct", "first_answer", "first_correct"],
             "properties": {**_CHECK_V1["properties"], "first_answer": _MAYBE_TEXT,
                            "first_correct": {"type": ["boolean", "null"]}}}
_DRILL = {"type": "object", "required": ["key"],
          "properties": {"key": _TEXT, "difficulty": _MAYBE_TEXT,
                         "self_rating": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                         "criteria_met": {"type": "integer", "minimum": 0},
                         "criteria_total": {"type": "integer", "minimum": 0},
                         "felt_difficulty": _MAYBE_TEXT, "next_difficulty": _MAYBE_TEXT, "response": _MAYBE_TEXT}}
_SESSION = {"type": "object", "required": ["session", "vignette", "choices", "ending"],
            "properties": {"session": {"type": "integer", "minimum": 1}, "vignette": _TEXT, "choices": _CHOICES,
                           "ending": _MAYBE_TEXT, "ending_kind": _MAYBE_TEXT}}
_SERIES = {"type": "object", "required": ["series", "finished", "outcome", "sessions"],
           "properties": {"series": _TEXT, "attempt": _MAYBE_TEXT, "finished": {"type": "boolean"},
                          "outcome": _MAYBE_TEXT, "outcome_kind": _MAYBE_TEXT,
                          "sessions": {"type": "array", "items": _SESSION}}}
_REFLECTION = {"type": "object", "required": ["key", "text"],
               "properties": {"key": _TEXT, "prompt": _MAYBE_TEXT, "text": _MAYBE_TEXT}}


def _schema(version: int, check: dict, extra: dict) -> dict:
    return {"type": "object", "required": ["format", "version", "learner_code", "exported", "vignettes", "checks",
                                           "drills", "reflections", *extra],
            "properties": {"format": {"const": CLASS_FORMAT}, "version": {"const": version},
                           "learner_code": {"type": "string", "minLength": 1},
                           "exported": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                           "vignettes": {"type": "array", "items": _VIGNETTE},
                           "checks": {"type": "array", "items": check},
                           "drills": {"type": "array", "items": _DRILL},
                           "reflections": {"type": "array", "items": _REFLECTION}, **extra}}


SCHEMAS = {1: _schema(1, _CHECK_V1, {}),
           2: _schema(2, _CHECK_V2, {"series": {"type": "array", "items": _SERIES}})}
"""What each version of the class file holds. Version 1 recorded each check's latest answer only."""


@dataclass(frozen=True)
class ClassFile:
    """One learner's hand-in that counts. ``name`` is the file's name within the folder."""

    name: str
    version: int
    code: str
    exported: date
    modified: float
    record: dict = field(repr=False)


@dataclass(frozen=True)
class Skipped:
    """A file that does not count, and why, in words an instructor can act on."""

    name: str
    reason: str


@dataclass(frozen=True)
class Folder:
    files: list[ClassFile]
    skipped: list[Skipped]  # not class files, damaged, or from a newer course
    replaced: list[Skipped]  # earlier hand-ins of a learner who handed in again


def _problem(err: jsonschema.ValidationError) -> str:
    where = location(err.absolute_path) or "the file"
    return f"{where}: {err.message}"


def read_class_file(path: Path, name: str | None = None) -> ClassFile | Skipped:
    """The class file at ``path``, or why it does not count. Never raises on what the file holds."""
    name = name or path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return Skipped(name, f"it is {size // 1_000_000} MB, far larger than a class file")
        raw = path.read_bytes()
        modified = path.stat().st_mtime
    except OSError as err:
        return Skipped(name, f"it could not be read ({err.strerror or err})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Skipped(name, "it is not a text file, so it is not a class file")
    if not text.strip():
        return Skipped(name, "it is empty")
    if text.lstrip()[:1] not in ("{", "["):
        return Skipped(name, "it is not a class file (class files are JSON, made with export_for_class)")
    try:
        data = json.loads(text)
    except RecursionError:
        return Skipped(name, "it is damaged: it is nested far too deeply to be a class file")
    except ValueError as err:
        return Skipped(name, f"it is damaged: it is not valid JSON (line {getattr(err, 'lineno', '?')}), so it "
                             "may have been cut short or edited; ask for the file again")
    if not isinstance(data, dict) or data.get("format") != CLASS_FORMAT:
        return Skipped(name, "it is not a class file (a class file is made with export_for_class and says "
                             f"\"format\": \"{CLASS_FORMAT}\")")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        return Skipped(name, "it is damaged: it has no class-file version")
    if version > CLASS_VERSION:
        return Skipped(name, f"it was made by a newer version of the course (class file version {version}; this "
                             f"copy reads versions {OLDEST} to {CLASS_VERSION}): update the course to read it")
    if version < OLDEST:
        return Skipped(name, f"it is damaged: class-file version {version} does not exist")
    errors = sorted(jsonschema.Draft202012Validator(SCHEMAS[version]).iter_errors(data),
                    key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        return Skipped(name, f"it is damaged: {_problem(errors[0])}{more}")
    try:
        exported = date.fromisoformat(data["exported"])
    except ValueError:
        return Skipped(name, f"it is damaged: exported: {data['exported']!r} is not a date")
    return ClassFile(name, version, data["learner_code"], exported, modified, data)


def _candidates(folder: Path) -> list[Path]:
    """Every file in the folder and its subfolders (an LMS download often has one folder per hand-in),
    leaving out hidden files and folders such as ``.ipynb_checkpoints``."""
    return sorted(p for p in folder.rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def read_folder(folder: Path | str) -> Folder:
    """Every class file in ``folder``, one per learner (the latest by its export date, then by when the file
    was last changed), plus every file that does not count and why."""
    folder = Path(folder)
    found: dict[str, ClassFile] = {}
    skipped: list[Skipped] = []
    replaced: list[Skipped] = []
    for path in _candidates(folder):
        result = read_class_file(path, path.relative_to(folder).as_posix())
        if isinstance(result, Skipped):
            skipped.append(result)
            continue
        earlier = found.get(result.code)
        if earlier is not None:
            newer, older = sorted((earlier, result), key=lambda f: (f.exported, f.modified, f.name), reverse=True)
            found[result.code] = newer
            replaced.append(Skipped(older.name, f"the same learner handed in a later class file ({newer.name}); "
                                                "only the latest counts"))
        else:
            found[result.code] = result
    return Folder(sorted(found.values(), key=lambda f: f.name), skipped, sorted(replaced, key=lambda s: s.name))

