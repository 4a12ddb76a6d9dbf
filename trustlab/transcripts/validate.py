"""Every rule a transcript must keep, reported as ``FILE: LOCATION: PROBLEM (line N)`` lines.

The JSON Schema (``data/schemas/transcript.schema.json``) catches shapes: a missing field,
empty text, a speaker that is neither counselor nor client, a marked line without feedback.
The rules here catch what a schema cannot: two lines with one id, an answer or distractor
naming a line that does not exist, an unknown marker kind, a marker on the wrong speaker's
line, a transcript with nothing to find, and feedback no learner could ever be shown.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Iterable

from trustlab.content import ContentError, YamlDocument, read_document, schema_problems
from trustlab.transcripts.model import Transcript, TranscriptError, resolve
from trustlab.vignettes.validate import Problem


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def _with_lines(found: list[Problem], doc: YamlDocument) -> list[Problem]:
    """Each problem with the line it is on, in file order."""
    placed = [p if p.line else Problem(p.path, p.message, doc.line_of(p.path)) for p in found]
    return sorted(placed, key=lambda p: p.line or 0)


def problems(doc: YamlDocument, source: Path) -> list[Problem]:
    """All problems of one parsed transcript file, in file order."""
    found = [Problem(p, f"duplicate key {p[-1]!r}: it is already defined at line {first}; "
                        "ids must be unique", line) for p, line, first in doc.duplicates]
    data = doc.data
    if not isinstance(data, dict):
        return found + [Problem((), "the file must be a mapping of fields (id, title, lines, answers, ...)")]
    shape = [Problem(where, what) for where, what in schema_problems(data, "transcript", doc)]
    if shape:  # the rules below assume the shape is right
        return _with_lines(found + shape, doc)
    found += _identity(data, source) + _line_ids(data) + _answers(data) + _distractors(data) + _unused(data)
    return _with_lines(found, doc)


def _identity(data: dict, source: Path) -> list[Problem]:
    if data["id"] != source.stem:
        return [Problem(("id",), f"is {data['id']!r} but the file is {source.name}; rename one so they match")]
    return []


def _line_ids(data: dict) -> list[Problem]:
    out, first = [], {}
    for i, line in enumerate(data["lines"]):
        if line["id"] in first:
            out.append(Problem(("lines", i, "id"), f"{line['id']!r} is already the id of line {first[line['id']] + 1} "
                                                   f"(lines[{first[line['id']]}]); line ids must be unique"))
        first.setdefault(line["id"], i)
    return out


def _speakers(data: dict) -> dict[str, str]:
    """Each line id's speaker (the first line, if an id is used twice)."""
    out: dict[str, str] = {}
    for line in data["lines"]:
        out.setdefault(line["id"], line["speaker"])
    return out


def _numbers(data: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    for n, line in enumerate(data["lines"], start=1):
        out.setdefault(line["id"], n)
    return out


def _answers(data: dict) -> list[Problem]:
    """Each answer names a real line and a declared marker meant for that line's speaker."""
    speakers, numbers, markers = _speakers(data), _numbers(data), data["markers"]
    if not data["answers"]:
        return [Problem(("answers",), "no line carries a marker, so there is nothing to find: list at least "
                                      "one line under answers, with its marker and feedback")]
    out = []
    for lid, answer in data["answers"].items():
        if lid not in speakers:
            out.append(Problem(("answers", lid), f"{lid!r} is not the id of a line{_suggest(lid, speakers)}"))
            continue
        marker = answer["marker"]
        if marker not in markers:
            out.append(Problem(("answers", lid, "marker"),
                               f"{marker!r} is not a marker declared under markers "
                               f"({', '.join(markers)}){_suggest(marker, markers)}"))
        elif markers[marker]["speaker"] != speakers[lid]:
            out.append(Problem(("answers", lid, "marker"),
                               f"{marker!r} is for {markers[marker]['speaker']} lines, but line {numbers[lid]} "
                               f"({lid!r}) is the {speakers[lid]}'s: mark another line, or use a marker "
                               f"for {speakers[lid]} lines"))
    return out


def _distractors(data: dict) -> list[Problem]:
    """Each distractor names a real line a learner can mark, and not a line that carries a marker."""
    speakers, numbers = _speakers(data), _numbers(data)
    markable = {m["speaker"] for m in data["markers"].values()}
    out = []
    for lid in data.get("distractors") or {}:
        if lid not in speakers:
            out.append(Problem(("distractors", lid), f"{lid!r} is not the id of a line{_suggest(lid, speakers)}"))
        elif lid in data["answers"]:
            out.append(Problem(("distractors", lid), f"line {numbers[lid]} ({lid!r}) is also under answers: a line "
                                                     "either carries a marker or is a distractor, not both"))
        elif speakers[lid] not in markable:
            out.append(Problem(("distractors", lid), f"line {numbers[lid]} ({lid!r}) is the {speakers[lid]}'s, and no "
                                                     f"marker is for {speakers[lid]} lines, so no learner can mark it "
                                                     "and this feedback would never be shown"))
    return out


def _unused(data: dict) -> list[Problem]:
    """A declared marker no line carries would send the learner looking for something that is not there."""
    used = {a["marker"] for a in data["answers"].values()}
    if not data["answers"] or not used <= set(data["markers"]):
        return []  # nothing marked yet, or a misspelt marker (reported already) that may be the "unused" one
    return [Problem(("markers", mid), "no line carries this marker: give it to at least one line under answers, "
                                      "or remove it") for mid in data["markers"] if mid not in used]


def load_transcript(id_or_path: str | Path) -> Transcript:
    """Load, check and build a transcript; any problem raises TranscriptError listing all of them."""
    path = resolve(id_or_path)
    try:
        doc = read_document(path)
    except ContentError as err:
        raise TranscriptError(str(err)) from None
    found = problems(doc, path)
    if found:
        raise TranscriptError("\n".join(p.render(path) for p in found))
    return Transcript.from_dict(doc.data, source=path)
