"""Every rule a vignette must keep, reported as ``FILE: LOCATION: PROBLEM`` lines.

The JSON Schema catches shapes (a missing field, a wrong type); the rules here catch
what a schema cannot: a ``next`` that leads nowhere, a scene no one can reach, a
loop with no way out, an unknown skill, an effect on a meter that does not exist.
Problems name a location path such as ``scenes.intake.choices[1].next`` and the line.
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from trustlab.content import ContentError, YamlDocument, location, read_document, schema_problems
from trustlab.vignettes.model import Skill, Vignette, VignetteError, load_skills, resolve


@dataclass(frozen=True)
class Problem:
    """One thing to fix, at a place in the file."""

    path: tuple
    message: str
    line: int | None = None

    def render(self, file: str | Path) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{file}: {location(self.path)}: {self.message}{where}"


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def problems(doc: YamlDocument, source: Path, skills: dict[str, Skill], series: dict | None = None) -> list[Problem]:
    """All problems of one parsed vignette file, in file order."""
    found = [Problem(p, f"duplicate key {p[-1]!r}: it is already defined at line {first}; "
                        "ids must be unique", line) for p, line, first in doc.duplicates]
    data = doc.data
    if not isinstance(data, dict):
        return found + [Problem((), "the file must be a mapping of fields (id, title, scenes, ...)")]
    shape = [Problem(where, what) for where, what in schema_problems(data, "vignette", doc)]
    if shape:  # the rules below assume the shape is right
        return _with_lines(found + shape, doc)
    shared, trouble = _series_parts(data, source, series)
    if trouble:
        return _with_lines(found + trouble, doc)
    data = {**data, **shared}
    found += _identity(data, source) + _meters(data) + _links(data, skills) + _graph(data)
    return _with_lines(found, doc)


SERIES_ONLY = ("sets", "clears", "variants", "start_when", "outcome")


def series_file(series_id: str, session_file: Path) -> Path:
    """Where a session's series lives: ``series/<id>.yaml`` beside the session file."""
    return Path(session_file).parent / "series" / f"{series_id}.yaml"


def _series_parts(data: dict, source: Path, series: dict | None = None) -> tuple[dict, list[Problem]]:
    """For a session of a series, the client and meters its series file gives it.

    ``series`` is the series file's data when the caller has already read and checked it (the
    series checker, for each of its sessions), so it is not read again for every session.

    A plain vignette may not use the series-only fields: without a series nothing would
    ever set a flag or end a series, so the field would silently do nothing.
    """
    if "series" not in data:
        return {}, [Problem(where, f"{where[-1]!r} is only for a session of a series: add series: <id> "
                                   "or remove it") for where in _series_only_fields(data)]
    out = [Problem((key,), f"remove it: a session of a series takes its {key} from the series file "
                           f"{series_file(data['series'], source).name}") for key in ("client", "meters") if key in data]
    if series is not None and series.get("id") == data["series"]:
        return {"client": series["client"], "meters": series["meters"]}, out
    path = series_file(data["series"], source)
    try:
        series = read_document(path).data
    except ContentError as err:
        return {}, out + [Problem(("series",), f"{data['series']!r}: its series file cannot be read: {err}")]
    if not isinstance(series, dict) or schema_problems(series, "series"):
        return {}, out + [Problem(("series",), f"{data['series']!r}: its series file {path} has problems; check it "
                                               f"with: python -m trustlab.vignettes check {path}")]
    return {"client": series["client"], "meters": series["meters"]}, out


def _series_only_fields(data: dict) -> list[tuple]:
    found = [("start_when",)] if "start_when" in data else []
    for sid, scene in data["scenes"].items():
        found += [("scenes", sid, "variants")] if "variants" in scene else []
        found += [("scenes", sid, "choices", i, key) for i, c in enumerate(scene["choices"])
                  for key in ("sets", "clears") if key in c]
    return found + [("endings", eid, "outcome") for eid, e in data["endings"].items() if "outcome" in e]


def _with_lines(found: list[Problem], doc: YamlDocument) -> list[Problem]:
    placed = [p if p.line else Problem(p.path, p.message, doc.line_of(p.path)) for p in found]
    return sorted(placed, key=lambda p: (p.line or 0))


def _identity(data: dict, source: Path) -> list[Problem]:
    out = []
    if data["id"] != source.stem:
        out.append(Problem(("id",), f"is {data['id']!r} but the file is {source.name}; "
                                    "rename one so they match"))
    clash = sorted(set(data["scenes"]) & set(data["endings"]))
    out += [Problem(("endings", eid), f"{eid!r} is also a scene id; ids must be unique") for eid in clash]
    return out


def _meters(data: dict) -> list[Problem]:
    out = []
    for mid, m in data["meters"].items():
        if m["min"] >= m["max"]:
            out.append(Problem(("meters", mid), f"min ({m['min']}) must be below max ({m['max']})"))
        elif not m["min"] <= m["start"] <= m["max"]:
            out.append(Problem(("meters", mid, "start"), f"{m['start']} is outside {m['min']}..{m['max']}"))
    return out


def _links(data: dict, skills: dict[str, Skill]) -> list[Problem]:
    """Each choice's next, skill and effects must name things that exist."""
    out = []
    targets = set(data["scenes"]) | set(data["endings"])
    if data["start"] not in data["scenes"]:
        out.append(Problem(("start",), f"{data['start']!r} is not a scene{_suggest(data['start'], data['scenes'])}"))
    for i, w in enumerate(data.get("start_when", ())):
        if w["start"] not in data["scenes"]:
            out.append(Problem(("start_when", i, "start"), f"{w['start']!r} is not a scene"
                                                           f"{_suggest(w['start'], data['scenes'])}"))
    for sid, scene in data["scenes"].items():
        for i, choice in enumerate(scene["choices"]):
            here = ("scenes", sid, "choices", i)
            if choice["next"] not in targets:
                out.append(Problem(here + ("next",), f"{choice['next']!r} is not a scene or an ending"
                                                     f"{_suggest(choice['next'], targets)}"))
            if choice["skill"] not in skills:
                out.append(Problem(here + ("skill",), f"{choice['skill']!r} is not a known skill (see "
                                                      f"data/vignettes/skills.yaml){_suggest(choice['skill'], skills)}"))
            for mid in choice["effects"]:
                if mid not in data["meters"]:
                    out.append(Problem(here + ("effects", mid), f"{mid!r} is not a declared meter: declare it "
                                                                f"under meters or fix the spelling"
                                                                f"{_suggest(mid, data['meters'])}"))
    return out


def _graph(data: dict) -> list[Problem]:
    """Every scene reachable from start, and an ending reachable from every scene."""
    scenes, endings = data["scenes"], data["endings"]
    edges = {sid: {c["next"] for c in s["choices"] if c["next"] in scenes or c["next"] in endings}
             for sid, s in scenes.items()}
    starts = [data["start"]] + [w["start"] for w in data.get("start_when", ()) if w["start"] in scenes]
    reached = set().union(*(_reachable(s, edges) for s in starts)) if data["start"] in scenes else set()
    out = [Problem(("scenes", sid), f"cannot be reached from start {data['start']!r}: "
                                    "no choice leads here")
           for sid in scenes if sid not in reached and data["start"] in scenes]
    out += [Problem(("endings", eid), f"cannot be reached from start {data['start']!r}: no choice leads here")
            for eid in endings if eid not in reached and data["start"] in scenes]
    can_end = _can_reach_ending(edges, set(endings))
    out += [Problem(("scenes", sid), "no ending can be reached from here: every path loops back "
                                     "(give one choice a next that leads towards an ending)")
            for sid in scenes if sid in reached and sid not in can_end]
    return out


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _can_reach_ending(edges: dict[str, set[str]], endings: set[str]) -> set[str]:
    good = set(endings)
    changed = True
    while changed:
        changed = False
        for sid, nexts in edges.items():
            if sid not in good and nexts & good:
                good.add(sid)
                changed = True
    return good


def load_vignette(id_or_path: str | Path) -> Vignette:
    """Load, check and build a vignette; any problem raises VignetteError listing all of them."""
    path = resolve(id_or_path)
    try:
        doc = read_document(path)
    except ContentError as err:
        raise VignetteError(str(err)) from None
    found = problems(doc, path, load_skills())
    if found:
        raise VignetteError("\n".join(p.render(path) for p in found))
    return build(doc.data, path)


def build(data: dict, path: Path, series: dict | None = None) -> Vignette:
    """A checked file as a Vignette; a session of a series gets its series' client and meters
    (at their session-1 start values: :mod:`trustlab.vignettes.series` starts later sessions
    where the earlier ones left off)."""
    shared = _series_parts(data, path, series)[0] if "series" in data else {}
    return Vignette.from_dict({**data, **shared}, source=path)
