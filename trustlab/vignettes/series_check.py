"""Every rule a series must keep as a whole, reported as ``FILE: LOCATION: PROBLEM`` lines.

Each session file is first checked on its own (:func:`trustlab.vignettes.validate.problems`);
then the series: the sessions named exist and say they belong here, in this place; a
condition names only flags an earlier session can set (or the check-in gives); a session
clears only flags that exist; the last session always ends the series. Finally every way
through is played (:func:`trustlab.vignettes.series.walk`), so the checker can say what no
learner would ever meet: a session no path reaches, an outcome no path ends in, a variant or
an opening whose condition never holds.
"""

from __future__ import annotations

from pathlib import Path

from trustlab.content import ContentError, location, read_document, schema_problems
from trustlab.vignettes.model import load_skills
from trustlab.vignettes.series import Series, from_dict, walk
from trustlab.vignettes.series_walk import Walk
from trustlab.vignettes.validate import Problem, _meters, _suggest, _with_lines, build, problems


def series_problems(path: Path, walk_through: bool = True) -> tuple[list[str], Series | None]:
    """The rendered problems of a series file and its sessions, and the Series when there are none.
    ``walk_through=False`` skips playing every way through (what no learner can meet)."""
    lines, series, _ = checked_series(path, walk_through)
    return lines, series


def checked_series(path: Path, walk_through: bool = True) -> tuple[list[str], Series | None, Walk | None]:
    """As :func:`series_problems`, and the walk of every way through when it got that far."""
    path = Path(path)
    try:
        doc = read_document(path)
    except ContentError as err:
        return [str(err)], None, None
    data = doc.data
    if not isinstance(data, dict):
        return [f"{path}: the file must be a mapping of fields (id, title, sessions, ...)"], None, None
    shape = [Problem(where, what) for where, what in schema_problems(data, "series", doc)]
    if shape:
        return _render(_with_lines(shape, doc), path), None, None
    own = _own_rules(data, path)
    lines = _render(_with_lines(own, doc), path)
    sessions, session_lines = _load_sessions(data, path)
    lines += session_lines
    if lines:
        return lines, None, None
    series = from_dict(data, tuple(sessions), source=path)
    cross, found = _flag_rules(series) + _outcome_rules(series), None
    if not cross and walk_through:
        cross, found = _walk_rules(series)
    return lines + _render_cross(cross), (None if cross else series), found


def _render_cross(found: list[tuple]) -> list[str]:
    """``(file, location path, message)`` as lines, each with its line number in that file."""
    docs: dict = {}
    lines = []
    for file, where, what in found:
        doc = docs.setdefault(file, read_document(file))
        lines.append(Problem(where, what, doc.line_of(where)).render(file))
    return lines


def _render(found: list[Problem], path: Path) -> list[str]:
    return [p.render(path) for p in found]


def _own_rules(data: dict, path: Path) -> list[Problem]:
    out = []
    if data["id"] != path.stem:
        out.append(Problem(("id",), f"is {data['id']!r} but the file is {path.name}; rename one so they match"))
    out += _meters(data)
    for i, item in enumerate(data["checkin"]["items"]):
        out += [Problem(("checkin", "items", i, "meters", j), f"{m!r} is not a meter of this series"
                                                            f"{_suggest(m, data['meters'])}")
                for j, m in enumerate(item["meters"]) if m not in data["meters"]]
    ids = [item["id"] for item in data["checkin"]["items"]]
    out += [Problem(("checkin", "items", i, "id"), f"{x!r} is used by two items") for i, x in enumerate(ids)
            if ids.index(x) != i]
    return out + _outcome_links(data) + _stop_rules(data)


def _outcome_links(data: dict) -> list[Problem]:
    """``requires`` and ``otherwise`` come together, name real meters and outcomes, and never loop."""
    out, outcomes = [], data["outcomes"]
    for oid, o in outcomes.items():
        if ("requires" in o) != ("otherwise" in o):
            missing = "otherwise" if "requires" in o else "requires"
            out.append(Problem(("outcomes", oid), f"has {'requires' if missing == 'otherwise' else 'otherwise'} "
                                                  f"but no {missing}: give both, or neither"))
        if "otherwise" in o and o["otherwise"] not in outcomes:
            out.append(Problem(("outcomes", oid, "otherwise"), f"{o['otherwise']!r} is not an outcome of the series"
                                                               f"{_suggest(o['otherwise'], outcomes)}"))
        for m in o.get("requires", {}).get("at_least", {}):
            if m not in data["meters"]:
                out.append(Problem(("outcomes", oid, "requires", "at_least", m),
                                   f"{m!r} is not a meter of this series{_suggest(m, data['meters'])}"))
    for oid in outcomes:
        seen, here = [oid], outcomes[oid].get("otherwise")
        while here in outcomes and here not in seen:
            seen.append(here)
            here = outcomes[here].get("otherwise")
        if here == oid:
            chain = " -> ".join(seen + [oid])
            out.append(Problem(("outcomes", oid, "otherwise"), f"leads round in a circle ({chain}): "
                                                               "one outcome in the chain must have no requires"))
    return out


def _stop_rules(data: dict) -> list[Problem]:
    stop = data["checkin"].get("stops")
    if stop is None:
        return []
    out = []
    if stop["outcome"] not in data["outcomes"]:
        out.append(Problem(("checkin", "stops", "outcome"), f"{stop['outcome']!r} is not an outcome of the series"
                                                           f"{_suggest(stop['outcome'], data['outcomes'])}"))
    if stop["from_session"] >= len(data["sessions"]):
        out.append(Problem(("checkin", "stops", "from_session"), f"is {stop['from_session']}, but the series has "
                                                                 f"{len(data['sessions'])} sessions and the last one "
                                                                 "always ends it: choose an earlier session"))
    return out


def _load_sessions(data: dict, path: Path) -> tuple[list, list[str]]:
    """Each session checked on its own, and for its place in the series."""
    sessions, lines, skills = [], [], load_skills()
    folder = path.parent.parent
    for number, sid in enumerate(data["sessions"], start=1):
        file = folder / f"{sid}.yaml"
        where = f"{path}: {location(('sessions', number - 1))}"
        try:
            doc = read_document(file)
        except ContentError as err:
            lines.append(f"{where}: session {number}, {sid!r}, cannot be read: {err} "
                         "(create it, or correct the id in sessions)")
            continue
        found = problems(doc, file, skills, data) if isinstance(doc.data, dict) else []
        if found or not isinstance(doc.data, dict):
            lines += [p.render(file) for p in found] or [f"{file}: the file must be a mapping of fields"]
            continue
        own = doc.data
        if own.get("series") != data["id"]:
            lines.append(f"{file}: series: is {own.get('series')!r} but {path.name} lists it as session {number}; "
                         f"write series: {data['id']}")
        elif own["module"] != data["module"]:
            lines.append(f"{file}: module: is {own['module']!r} but its series is in {data['module']!r}")
        elif own["setting"]["session"] != number:
            lines.append(f"{file}: setting.session: is {own['setting']['session']} but it is session {number} "
                         f"in {path.name}; make them agree")
        else:
            sessions.append(build(own, file, data))
    return sessions, lines


def _flag_rules(series: Series) -> list[tuple]:
    """A condition may only name flags an earlier session sets or the last check-in gives."""
    out, set_before, derived = [], set(), series.checkin.derived_names()
    for number, session in enumerate(series.sessions, start=1):
        known = set_before | (derived if number > 1 else set())
        file = session.source
        for i, (condition, _) in enumerate(session.start_when):
            out += _unknown(file, ("start_when", i), condition, known, number)
        for sid, scene in session.scenes.items():
            for i, variant in enumerate(scene.variants):
                out += _unknown(file, ("scenes", sid, "variants", i), variant.condition, known, number)
        sets_here = {f for s in session.scenes.values() for c in s.choices for f in c.sets}
        for sid, scene in session.scenes.items():
            for i, choice in enumerate(scene.choices):
                for flag in choice.clears:
                    if flag not in set_before | sets_here:
                        out.append((file, ("scenes", sid, "choices", i, "clears"),
                                    f"{flag!r} is never set before it is cleared here"
                                    f"{_suggest(flag, set_before | sets_here)}"))
                for flag in choice.sets:
                    if flag in derived:
                        out.append((file, ("scenes", sid, "choices", i, "sets"),
                                    f"{flag!r} is set by the check-in; choose another name"))
        set_before |= sets_here
    everything = set_before | derived
    for oid, outcome in series.outcomes.items():
        if outcome.requires:
            out += _unknown(series.source, ("outcomes", oid, "requires"), outcome.requires.condition, everything, 2)
    return out


def _unknown(file: Path, where: tuple, condition, known: set[str], number: int) -> list[tuple]:
    out = []
    for key, flags in (("when", condition.when), ("unless", condition.unless)):
        for flag in sorted(flags - known):
            early = number == 1 and flag.startswith("low_")
            hint = " (the check-in's flags start from session 2)" if early else _suggest(flag, known)
            out.append((file, where + (key,), f"{flag!r} is not set by any earlier session or by the "
                                                        f"check-in{hint}"))
    return out


def _outcome_rules(series: Series) -> list[tuple]:
    out, last = [], len(series.sessions)
    for number, session in enumerate(series.sessions, start=1):
        for eid, ending in session.endings.items():
            where = ("endings", eid, "outcome")
            if ending.outcome and ending.outcome not in series.outcomes:
                out.append((session.source, where, f"{ending.outcome!r} is not an outcome of the series"
                                                   f"{_suggest(ending.outcome, series.outcomes)}"))
            elif not ending.outcome and number == last:
                out.append((session.source, ("endings", eid), "the last session's endings end the series: "
                                                                       "add outcome: <an outcome id>"))
    return out


def _walk_rules(series: Series) -> tuple[list[tuple], Walk | None]:
    """What no learner can ever meet, found by playing every way through."""
    try:
        found = walk(series)
    except ValueError as err:
        return [(series.source, ("sessions",), str(err))], None
    out = []
    for number, session in enumerate(series.sessions, start=1):
        if not found.state_counts[number - 1]:
            out.append((session.source, ("series",), f"no way through the earlier sessions leads to session {number}: "
                                                  "every path ends the series before it"))
            continue
        for i, (_, start) in enumerate(session.start_when):
            if (number, start) not in found.starts_used:
                out.append((session.source, ("start_when", i), "its condition never holds on any way "
                                                                         "through the series, so no learner meets it"))
        for sid, scene in session.scenes.items():
            out += [(session.source, ("scenes", sid, "variants", i),
                     "never applies: no learner reaches this scene in a state where its condition holds "
                     "(or an earlier variant always applies first)")
                    for i in range(len(scene.variants)) if (number, sid, i) not in found.variants_used]
    out += [(series.source, ("outcomes", oid), "no way through the series ends here")
            for oid in series.outcomes if oid not in found.outcomes]
    return out, found
