"""The class debrief as one offline HTML page: per module, how the class chose, answered, practised and reflected.

Privacy is decided here, in one place: every count of learners goes through :func:`count_text`
and every share through :func:`share_text`, so a number under :data:`FEW` is never printed, not
in a table, not on a map, not as a percentage. Nothing a learner handed in that could
identify them reaches the page: no learner codes, no dates, no file order (shared texts are
sorted), and free text only where the learner ticked "share".

The course's own files give the words (vignette titles, option texts, skill labels); a class
file naming something this copy of the course does not have is still counted, under its id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Callable

import yaml

from trustlab.classroom.classfiles import Folder, Skipped
from trustlab.classroom.tally import (LEVELS, CheckTally, LevelTally, PathTally, SeriesTally, drill_levels,
                                      first_answers, first_plays, series_runs, shared_texts)
from trustlab.difficulty import FELT

FEW = 3  # counts under this many learners are shown as words only
FEW_TEXT = "fewer than 3"
TITLE = "Class debrief: Building Therapeutic Trust"

CSS = """
:root { color-scheme: light dark; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       max-width: 72em; margin: 2em auto; padding: 0 1.2em; }
h2 { border-bottom: 3px solid #0072B2; padding-bottom: .15em; margin-top: 1.8em; }
h3 { margin: 1.4em 0 .4em; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { border: 1px solid #8a9199; padding: .3em .6em; text-align: left; vertical-align: top; }
td.n { text-align: right; white-space: nowrap; }
.muted { opacity: .8; font-size: .92em; }
.note { border-left: 6px solid #0072B2; padding: .4em 1em; margin: 1em 0; }
.skipped { border-left: 6px solid #D55E00; padding: .4em 1em; margin: 1em 0; }
figure { margin: .6em 0; overflow-x: auto; }
figure svg { max-width: none; height: auto; }
blockquote { margin: .4em 0; padding: .3em .8em; border-left: 4px solid #8a9199; white-space: pre-wrap; }
@media print { figure { overflow: visible; } section.module { break-before: page; } }
"""


# --- numbers as words that never single anyone out ----------------------------------------------------

def count_text(n: int) -> str:
    """A count of learners, or "fewer than 3" (0, 1 and 2 alike, so a blank never tells them apart)."""
    return FEW_TEXT if n < FEW else str(n)


def share_text(part: int, total: int) -> str:
    """A share of learners, never computed from fewer than 3 (neither the part nor the whole)."""
    if total < FEW:
        return f"{FEW_TEXT} learners answered"
    if part < FEW:
        return f"{FEW_TEXT} of {total}"
    return f"{round(100 * part / total)}% ({part} of {total})"


def _shown_order(counter: dict, label: Callable[[Any], str]) -> list:
    """Most first; the small counts tie (sorted by label), so their order says nothing about them."""
    return sorted(counter, key=lambda k: (-(counter[k] if counter[k] >= FEW else 0), label(k).lower()))


# --- the course's words --------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _skills() -> dict:
    try:
        from trustlab.vignettes.model import load_skills
        return load_skills()
    except Exception:
        return {}


_FAST_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> Any:
    """Course files read fast and without the authors' checks (the course's tests and ``python -m
    trustlab.vignettes check`` make those): the checked loader takes seconds for the whole course."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_FAST_YAML)


@lru_cache(maxsize=None)
def _vignette(vid: str):
    try:
        from trustlab.vignettes.model import resolve
        from trustlab.vignettes.validate import build
        path = resolve(vid)
        return build(_read(path), path)
    except Exception:  # a vignette this copy of the course does not have, or cannot read: ids instead of words
        return None


@dataclass(frozen=True)
class SeriesInfo:
    """What the debrief says about a series: its title, its outcomes' words and its sessions' ids."""

    title: str
    module: str
    outcomes: dict  # outcome id -> (title, kind)
    sessions: tuple


@lru_cache(maxsize=None)
def _series(sid: str) -> SeriesInfo | None:
    try:
        from trustlab.vignettes.series import series_dir
        data = _read(series_dir() / f"{sid}.yaml")
        return SeriesInfo(str(data["title"]), str(data["module"]),
                          {o: (str(v["title"]), str(v["kind"])) for o, v in data["outcomes"].items()},
                          tuple(str(s) for s in data["sessions"]))
    except Exception:
        return None


def _session_ids() -> set[str]:
    """Vignettes that are sessions of a series: counted in the series, not twice."""
    try:
        from trustlab.vignettes.series import series_dir
        names = [p.stem for p in series_dir().glob("*.yaml")]
    except Exception:
        return set()
    return {vid for name in names if (s := _series(name)) for vid in s.sessions}


@lru_cache(maxsize=None)
def _check_item(key: str) -> dict | None:
    try:
        from trustlab.checks import find_item
        return find_item(key)
    except Exception:
        return None


@lru_cache(maxsize=None)
def _practice(module: str) -> dict:
    try:
        from trustlab.journal.widgets import load_practice
        return {i["id"]: i for i in load_practice(module)["items"]}
    except Exception:
        return {}


def _module_of_key(key: str) -> str:
    return key.split(".")[0]


def _module_order(module: str) -> tuple:
    match = re.fullmatch(r"m(\d+)", module)
    return (0, int(match[1]), "") if match else (1, 0, module)


def _module_heading(module: str) -> str:
    match = re.fullmatch(r"m(\d+)", module)
    return f"Module {match[1]}" if match else f"Not in this copy of the course ({module})"


def _inline_md(text: str) -> str:
    try:
        from trustlab.checks import markdown_html
        html = markdown_html(text)
    except Exception:
        return escape(text)
    match = re.fullmatch(r"<p>(.*)</p>", html, re.S)
    return match[1] if match and "<p>" not in match[1] else html


def _table(head: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    th = "".join(f"<th scope=col>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


# --- one vignette: the map with counts, the endings, the skills ------------------------------------------

def _skill_words(skill: str) -> tuple[str, str]:
    found = _skills().get(skill)
    return (found.label, found.kind) if found else (skill, "")


def _map(vignette, tally: PathTally | None, title: str) -> str:
    try:
        from trustlab.vignettes.vmap import map_svg
        counts = None if tally is None else {
            "choices": {(sid, i): count_text(tally.choices.get((sid, i), 0))
                        for sid, scene in vignette.scenes.items() for i in range(len(scene.choices))},
            "endings": {eid: count_text(tally.endings.get(eid, 0)) for eid in vignette.endings}}
        return f"<figure>{map_svg(vignette, counts=counts, title=title)}</figure>"
    except Exception as err:  # the map is a picture of the counts below: losing it must not lose them
        return f'<p class="muted">The map could not be drawn ({escape(type(err).__name__)}); the tables below hold every count.</p>'


def _paths_html(vignette, vid: str, tally: PathTally, what: str) -> str:
    """The map and the tables for one vignette or session; every count through count_text."""
    title = vignette.title if vignette else vid
    if tally.learners < FEW:
        head = (f"<p>{FEW_TEXT.capitalize()} learners finished {what}, so no counts are shown for it.</p>")
        return head + (_map(vignette, None, f"Map of “{title}”") if vignette else "")
    parts = [f"<p><strong>{tally.learners}</strong> learners finished {what}. The counts are of learners, each "
             "counted once, on their first finished play.</p>"]
    if vignette:
        parts.append(_map(vignette, tally, f"Map of “{title}” with how many learners took each choice"))
    endings = vignette.endings if vignette else {}
    ending_ids = list(endings) + [e for e in tally.endings if e not in endings]
    rows = [[escape(endings[e].title if e in endings else e), escape(endings[e].kind if e in endings else ""),
             count_text(tally.endings.get(e, 0))] for e in ending_ids]
    parts.append("<h4>Endings reached</h4>" + _table(["Ending", "Kind", "Learners"], rows, {2}))
    skills = _shown_order(tally.skills, lambda s: _skill_words(s)[0])
    rows = [[escape(_skill_words(s)[0]), escape(_skill_words(s)[1]), count_text(tally.skills[s])] for s in skills]
    parts.append("<h4>Skills chosen most</h4><p class=muted>Learners who chose each skill at least once on "
                 "their first play, most first.</p>" + _table(["Skill", "Builds or risks", "Learners"], rows, {2}))
    if vignette:
        rows = [[escape(sid), f"{i + 1}", escape(_skill_words(c.skill)[0]), count_text(tally.choices.get((sid, i), 0))]
                for sid, scene in vignette.scenes.items() for i, c in enumerate(scene.choices)]
        parts.append("<details><summary>Every choice, as a table (the map's numbers)</summary>"
                     + _table(["Scene", "Choice", "Skill", "Learners"], rows, {1, 3}) + "</details>")
    return "".join(parts)


def _vignette_html(vid: str, tally: PathTally) -> str:
    vignette = _vignette(vid)
    title = vignette.title if vignette else vid
    return (f'<section class="vignette" id="vignette-{escape(vid)}"><h3>Vignette: {escape(title)}</h3>'
            f'{_paths_html(vignette, vid, tally, "this conversation")}</section>')


# --- a series: outcomes, then each session as a vignette --------------------------------------------------

def _series_html(sid: str, tally: SeriesTally) -> str:
    series = _series(sid)
    title = series.title if series else sid
    outcomes = series.outcomes if series else {}
    parts = [f'<section class="series" id="series-{escape(sid)}"><h3>Series: {escape(title)}</h3>',
             f"<p>Learners who played at least one session: <strong>{count_text(tally.learners)}</strong>; "
             f"who played it to an outcome: <strong>{count_text(tally.finished)}</strong> (each learner's first "
             "finished run, or the run they are on).</p>"]
    if tally.finished >= FEW:
        ids = list(outcomes) + [o for o in tally.outcomes if o not in outcomes]
        rows = [[escape(outcomes.get(o, (o, ""))[0]), escape(outcomes.get(o, (o, ""))[1]),
                 count_text(tally.outcomes.get(o, 0))] for o in ids]
        parts.append("<h4>How the series ended</h4>" + _table(["Outcome", "Kind", "Learners"], rows, {2}))
    for number in sorted(tally.sessions):
        vid, path = tally.sessions[number]
        session = _vignette(vid)
        name = f"Session {number}" + (f": {session.title}" if session else "")
        parts.append(f'<h4 id="session-{escape(vid)}">{escape(name)}</h4>'
                     + _paths_html(session, vid, path, f"session {number}"))
    return "".join(parts) + "</section>"


# --- knowledge checks ----------------------------------------------------------------------------------

def _wrong_words(key: str, answer: str) -> str:
    item = _check_item(key)
    if item and item.get("kind") == "choice":
        letter = answer.strip().strip("().:").lower()
        index = "abcdefghij".find(letter) if len(letter) == 1 else -1
        if 0 <= index < len(item["options"]):
            return f"{letter}: “{_inline_md(str(item['options'][index]['text']))}”"
    return escape(answer)


def _wrong_text(key: str, tally: CheckTally) -> str:
    if tally.answered < FEW:
        return ""
    common = [a for a, n in tally.wrong.items() if n >= FEW]
    if not common:
        return f"no wrong answer was given first by 3 or more learners"
    top = max(tally.wrong[a] for a in common)
    tied = sorted(a for a in common if tally.wrong[a] == top)
    return "<br>".join(f"{_wrong_words(key, a)} ({top} learners)" for a in tied)


def _check_order(key: str) -> tuple:
    """Questions in the order of the module's checks file (the order learners met them)."""
    try:
        from trustlab.checks import load_checks
        items = list(load_checks(_module_of_key(key))["items"])
        return (0, items.index(key.split(".", 1)[1]), key)
    except Exception:
        return (1, 0, key)


def _checks_html(tallies: dict[str, CheckTally], old_files: int) -> str:
    rows = []
    for key in sorted(tallies, key=_check_order):
        tally, item = tallies[key], _check_item(key)
        question = _inline_md(str(item["prompt"])) if item and item.get("prompt") else ""
        rows.append([f'{question} <span class="muted">({escape(key)})</span>', count_text(tally.answered),
                     share_text(tally.right, tally.answered), _wrong_text(key, tally)])
    note = (f'<p class="muted">{old_files} class file{"s" if old_files != 1 else ""} from the earlier format '
            "(version 1) kept each learner's latest answer, not the first, so their answers are left out here."
            "</p>" if old_files else "")
    return ("<h3>Knowledge checks: right at the first try</h3>" + note
            + _table(["Question", "Learners who answered", "Right at the first try",
                      "Most common wrong first answer"], rows, {1}))


# --- drills ---------------------------------------------------------------------------------------------

def _drills_html(levels: dict[str, LevelTally]) -> str:
    rows = []
    for level in [lv for lv in LEVELS if lv in levels] + sorted(set(levels) - set(LEVELS)):
        t = levels[level]
        rating = (f"{t.mean_rating:.1f} of 5" if len(t.raters) >= FEW and t.mean_rating is not None
                  else f"({FEW_TEXT} learners rated)")
        felt = [count_text(len(t.felt.get(k, ()))) for k in FELT]
        rows.append([escape(level), count_text(len(t.learners)), rating, *felt])
    return ("<h3>Practice drills by level</h3><p class=muted>Learners who saved a response at each level, the mean "
            "of their self-ratings (1 = not yet, 5 = very close to the models), and how many said a statement at "
            "that level felt too easy, about right or too hard.</p>"
            + _table(["Level", "Learners", "Mean self-rating", *[f"Felt {w.lower()}" for w in FELT.values()]],
                     rows, {1, 2, 3, 4, 5}))


# --- shared words ---------------------------------------------------------------------------------------

def _shared_html(reflections: dict[str, dict], responses: dict[str, list[str]]) -> str:
    if not reflections and not responses:
        return ""
    parts = ["<h3>Shared with the class</h3><p class=muted>Only texts their authors ticked “share”, without names "
             "or codes, in alphabetical order. Read them without attribution.</p>"]
    for key in sorted(reflections):
        prompt = reflections[key]["prompt"]
        heading = _inline_md(prompt) if prompt else escape(key)
        quotes = "".join(f"<blockquote>{escape(t)}</blockquote>" for t in reflections[key]["texts"])
        parts.append(f"<h4>Reflection: {heading}</h4>{quotes}")
    for key in sorted(responses):
        item = _practice(_module_of_key(key)).get(key.rsplit(".", 1)[-1])
        heading = f"Client: “{escape(item['statement'])}”" if item else escape(key)
        quotes = "".join(f"<blockquote>{escape(t)}</blockquote>" for t in responses[key])
        parts.append(f"<h4>Drill responses to {heading}</h4>{quotes}")
    return "".join(parts)


# --- the page -------------------------------------------------------------------------------------------

def _files_html(folder: Folder) -> str:
    n = len(folder.files)
    old = sum(f.version < 2 for f in folder.files)
    parts = [f"<p>Made from <strong>{n}</strong> class file{'s' if n != 1 else ''}, one per learner.</p>"]
    if old:
        parts.append(f'<p class="muted">{old} of them {"are" if old != 1 else "is"} from the earlier format '
                     "(version 1), which kept each learner's latest check answers, not the first: they count "
                     "everywhere except in the shares right at the first try.</p>")
    if folder.skipped:
        items = "".join(f"<li><code>{escape(s.name)}</code>: {escape(s.reason)}.</li>" for s in folder.skipped)
        parts.append(f'<div class="skipped"><p><strong>{len(folder.skipped)} file'
                     f'{"s were" if len(folder.skipped) != 1 else " was"} skipped</strong>:</p><ul>{items}</ul></div>')
    if folder.replaced:
        items = "".join(f"<li><code>{escape(s.name)}</code>: {escape(s.reason)}.</li>" for s in folder.replaced)
        parts.append(f'<div class="note"><p><strong>Handed in twice</strong>: each learner counts once, with their '
                     f"latest file.</p><ul>{items}</ul></div>")
    return "".join(parts)


def modules_html(folder: Folder) -> dict[str, str]:
    """Each module's part of the debrief, as HTML (the notebook shows them one by one)."""
    files = folder.files
    sessions = _session_ids()
    plays, checks = first_plays(files, sessions), first_answers(files)
    levels, series = drill_levels(files), series_runs(files)
    reflections, responses = shared_texts(files)
    old_files = sum(f.version < 2 for f in files)
    modules: dict[str, list[str]] = {}

    def module_of_vignette(vid: str) -> str:
        v = _vignette(vid)
        return v.module if v else vid

    for vid in sorted(plays, key=lambda v: (_vignette(v).title if _vignette(v) else v).lower()):
        modules.setdefault(module_of_vignette(vid), []).append(_vignette_html(vid, plays[vid]))
    for sid in sorted(series):
        s = _series(sid)
        modules.setdefault(s.module if s else sid, []).append(_series_html(sid, series[sid]))
    by_module: dict[str, dict[str, CheckTally]] = {}
    for key, tally in checks.items():
        by_module.setdefault(_module_of_key(key), {})[key] = tally
    for module, tallies in by_module.items():
        modules.setdefault(module, []).append(_checks_html(tallies, old_files))
    for module, lv in levels.items():
        modules.setdefault(module, []).append(_drills_html(lv))
    shared_modules = {_module_of_key(k) for k in [*reflections, *responses]}
    for module in shared_modules:
        modules.setdefault(module, []).append(_shared_html(
            {k: v for k, v in reflections.items() if _module_of_key(k) == module},
            {k: v for k, v in responses.items() if _module_of_key(k) == module}))
    return {m: f'<section class="module" id="{escape(m)}"><h2>{escape(_module_heading(m))}</h2>{"".join(parts)}</section>'
            for m, parts in sorted(modules.items(), key=lambda pair: _module_order(pair[0]))}


def debrief_html(folder: Folder, today: date | None = None) -> str:
    """The whole debrief page: which files count, then module by module. Offline, no script."""
    modules = modules_html(folder) if folder.files else {}
    nav = "".join(f'<li><a href="#{escape(m)}">{escape(_module_heading(m))}</a></li>' for m in modules)
    day = today or date.today()
    body = "".join(modules.values()) or "<p>No class file could be counted, so there is nothing to show yet.</p>"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{TITLE}</title>'
            f"<style>{CSS}</style></head><body><header><h1>{TITLE}</h1>"
            f'<p class="muted">Made on {day.day} {day:%B %Y}.</p>'
            '<p class="note">Anonymous: no learner codes, names or dates of anyone\'s work are shown, any count of '
            f"fewer than 3 learners is shown as “{FEW_TEXT}”, and texts appear only where their authors ticked "
            "“share”. Show totals, not individuals, and delete the class files when the debrief is done.</p>"
            f"{_files_html(folder)}"
            f'{f"<nav><strong>Modules</strong><ul>{nav}</ul></nav>" if nav else ""}</header>'
            f"<main>{body}</main></body></html>\n")


__all__ = ["debrief_html", "modules_html", "count_text", "share_text", "FEW", "FEW_TEXT", "Skipped"]
