"""Two files a learner may choose to hand in, both made from the journal on their own computer.

- :func:`export_portfolio` writes one self-contained HTML page of everything they did,
  module by module: it opens offline, prints cleanly, and is theirs to keep or hand in.
- :func:`export_for_class` writes an anonymous JSON file for a seminar debrief: choices,
  skills, endings and short structured answers under a random learner code, and free text
  only for the items the learner ticked "share with the class".

Privacy rules, each tested: learner text is always escaped (it may contain ``<``); the
portfolio loads nothing from the network; the class file holds no name, no journal path,
no time of day, and nothing that links it to the portfolio (no learner code or attempt ids
in the portfolio, no times in the class file).
"""

from __future__ import annotations

import json
import re
import warnings
from collections import Counter
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, Callable

from trustlab.journal.store import Journal

CLASS_FORMAT, CLASS_VERSION = "trustlab-class-export", 1
TITLE = "My journal: Building Therapeutic Trust"
SHORT_ANSWER = 20  # longer check answers may be sentences, so they stay out of the class file
SECTIONS = (("reflection", "Reflections"), ("drill", "Practice drills"),
            ("check", "Knowledge checks"), ("vignette", "Vignette paths"))

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1d2125; background: #fff; max-width: 52em; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.7em; margin: 0 0 .2em 0; }
h2 { font-size: 1.4em; border-bottom: 3px solid #0072B2; padding-bottom: .15em; margin-top: 1.6em; }
h3 { font-size: 1.15em; margin: 1.2em 0 .4em 0; color: #0b4f7c; }
h4 { font-size: 1em; margin: 0 0 .3em 0; }
p { margin: .35em 0; }
.muted { color: #4a4f55; font-size: .92em; }
.private { background: #eef4fa; border-left: 6px solid #0072B2; padding: .5em 1em; margin: 1em 0; }
.item { border: 1px solid #d0d4d9; border-radius: 6px; padding: .6em 1em; margin: .8em 0; }
.learner { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f2; border-radius: 4px;
           padding: .4em .7em; margin: .4em 0; }
.client { border-left: 4px solid #b9c0c7; padding-left: .7em; margin: .4em 0; }
.badge { display: inline-block; border: 1px solid #4a4f55; border-radius: 4px; padding: 0 .4em;
         font-size: .8em; margin-left: .4em; vertical-align: middle; }
.criteria { list-style: none; padding-left: .2em; margin: .3em 0; }
.tick { display: inline-block; width: 1.4em; font-weight: bold; }
.tag { background: #e3e6ea; border-radius: 4px; padding: 0 .4em; font-size: .9em; white-space: nowrap; }
.ending-positive { border-left: 6px solid #1b7a3d; }
.ending-mixed { border-left: 6px solid #8a6d00; }
.ending-troubled { border-left: 6px solid #a1262d; }
table { border-collapse: collapse; width: 100%; margin: .4em 0; }
th, td { border: 1px solid #d0d4d9; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #f4f6f8; }
figure { margin: .6em 0; }
figure svg { max-width: 100%; height: auto; }
nav ol { columns: 2; margin: .3em 0; }
@page { margin: 1.8cm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  nav { display: none; }
  .module + .module { break-before: page; page-break-before: always; }
  .item, figure, tr, .private { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .learner, th { background: none; }
  a { color: inherit; text-decoration: none; }
}
"""


# --- what is current: the journal is append-only, so an edit is a newer entry -------------------

def _module(entry: dict) -> str:
    return str(entry.get("module") or "other")


def _module_order(module: str) -> tuple[str, int, str]:
    """m2 before m10: a natural order, so modules print as the course runs."""
    match = re.fullmatch(r"([A-Za-z_]*)(\d+)(.*)", module)
    return (match[1], int(match[2]), match[3]) if match else (module, -1, "")


def _by_module(entries: list[dict]) -> list[dict]:
    """Entries sorted by module, keeping the order they were saved within one module."""
    return sorted(entries, key=lambda e: _module_order(_module(e)))


def _current(entries: list[dict], kind: str) -> list[dict]:
    """The latest entry per key, in the order each key was first saved (older versions stay in the journal)."""
    latest: dict[tuple[str, Any], dict] = {}
    for entry in entries:
        if entry.get("kind") == kind:
            latest[(_module(entry), entry.get("key"))] = entry  # a dict keeps the first position of a key
    return _by_module(list(latest.values()))


def _attempts(entries: list[dict]) -> Counter:
    """How many times each check was answered: effort is worth showing, not only the last result."""
    return Counter((_module(e), e.get("key")) for e in entries if e.get("kind") == "check")


def _finished_paths(entries: list[dict]) -> list[dict]:
    """Per play-through, its latest entry that reached an ending: unfinished paths are not a story yet."""
    finished: dict[tuple[str, Any, Any], dict] = {}
    for entry in entries:
        if entry.get("kind") == "vignette" and entry.get("ended"):
            finished[(_module(entry), entry.get("key"), entry.get("attempt"))] = entry
    return _by_module(list(finished.values()))


def _read(journal: Journal | None) -> dict:
    """The journal document; a notice (say, a damaged file moved aside) is passed on, not swallowed."""
    journal = journal or Journal()
    doc = journal.read()
    for notice in journal.notices:
        warnings.warn(notice, stacklevel=3)
    journal.notices.clear()  # told once, as the widgets do
    return doc


def _target(path: Path | str) -> Path:
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


# --- the portfolio -------------------------------------------------------------------------------

def _s(value: Any) -> str:
    """A field as text for escaping; a missing value (None) shows as nothing, not as "None"."""
    return "" if value is None else str(value)


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else _s(value)


def _when(stamp: Any) -> str:
    """A saved time a person reads (the portfolio is private, so times of day are fine here)."""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return escape(str(stamp or ""))
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def _course_text(text: Any) -> str:
    """Prompts are course Markdown; rendered with raw HTML escaped, or plain-escaped if that fails."""
    if not text:
        return ""
    try:
        from trustlab.checks import markdown_html
        return markdown_html(str(text))
    except Exception:  # a rendering problem must not cost the learner their export
        return f"<p>{escape(str(text))}</p>"


def _learner(text: Any, empty: str = "(nothing written)") -> str:
    """Learner text, escaped, with its line breaks kept."""
    if not _s(text).strip():
        return f'<p class="muted">{empty}</p>'
    return f'<div class="learner">{escape(_s(text))}</div>'


def _shared(entry: dict) -> str:
    return '<span class="badge">shared with the class</span>' if entry.get("share") is True else ""


def _reflection_html(entry: dict) -> str:
    return (f'<article class="item"><h4>{escape(_s(entry.get("key")))}{_shared(entry)}</h4>'
            f'{_course_text(entry.get("prompt"))}{_learner(entry.get("text"))}'
            f'<p class="muted">Saved {_when(entry.get("saved_at"))}</p></article>')


def _criteria_html(entry: dict) -> str:
    criteria, met = entry.get("criteria") or [], entry.get("criteria_met") or []
    rows = "".join(
        f'<li><span class="tick" aria-label="{"ticked" if ok else "not ticked"}">{"✔" if ok else "–"}</span>'
        f"{escape(str(text))}</li>" for text, ok in zip(criteria, list(met) + [False] * len(criteria)))
    ticked = sum(bool(v) for v in met)
    return f"<p>You ticked {ticked} of {len(criteria)}:</p><ul class=\"criteria\">{rows}</ul>" if criteria else ""


def _drill_html(entry: dict) -> str:
    rating = entry.get("self_rating")
    rated = f"{escape(str(rating))} of 5" if rating is not None else "not rated"
    return (f'<article class="item"><h4>{escape(_s(entry.get("key")))} '
            f'<span class="tag">{escape(_s(entry.get("difficulty")))}</span>{_shared(entry)}</h4>'
            f'<p class="client"><strong>Client:</strong> “{escape(_s(entry.get("statement")))}”</p>'
            f'<p><strong>Your response</strong></p>{_learner(entry.get("response"), "(no response typed)")}'
            f'{_criteria_html(entry)}<p><strong>Self-rating:</strong> {rated}</p>'
            f'<p class="muted">Saved {_when(entry.get("saved_at"))}</p></article>')


def _checks_html(entries: list[dict], attempts: Counter) -> str:
    rows = []
    for entry in entries:
        tries = attempts[(_module(entry), entry.get("key"))]
        prompt = _course_text(entry.get("prompt"))
        rows.append(f'<tr><td><strong>{escape(_s(entry.get("key")))}</strong>'
                    f'{f"<div class=muted>{prompt}</div>" if prompt else ""}</td>'
                    f'<td>{escape(_s(entry.get("answer")))}</td><td>{escape(_s(entry.get("status")))}</td>'
                    f'<td>{tries}</td></tr>')
    return ("<table><thead><tr><th scope=col>Question</th><th scope=col>Your latest answer</th>"
            f"<th scope=col>Status</th><th scope=col>Attempts</th></tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _skill_labels() -> dict[str, str]:
    """Skill ids as the learner saw them in the player ("Reflection of feeling", not "reflection")."""
    try:
        from trustlab.vignettes.model import load_skills
        return {sid: skill.label for sid, skill in load_skills().items()}
    except Exception:  # a broken skills file must not cost the learner their export
        return {}


def _meter_summary(trace: list[dict]) -> str:
    """The chart in words, for screen readers and for anyone who prints in black and white."""
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    for row in trace:
        first.setdefault(row.get("meter"), row.get("value"))
        last[row.get("meter")] = row.get("value")
    parts = [f"{meter} stayed at {_number(first[meter])}" if first[meter] == last[meter]
             else f"{meter} went from {_number(first[meter])} to {_number(last[meter])}" for meter in first]
    return "On this path, " + "; ".join(parts) + "." if parts else ""


def _chart_svg(entry: dict) -> str:
    """The meter chart as inline SVG: no script and no network, so it opens offline and prints."""
    try:
        import altair as alt
        from vl_convert import vegalite_to_svg

        from trustlab.charts import THEME
        from trustlab.vignettes.player import trace_chart
        with alt.theme.enable(THEME):  # the same colour-blind-safe palette as in the notebooks
            spec = trace_chart(entry["trace"], tuple(entry["domain"]), entry.get("ending_title")).to_dict()
        svg = vegalite_to_svg(spec)
    except Exception:  # an odd trace must not cost the learner the rest of their export
        return '<p class="muted">The meter chart could not be drawn for this path.</p>'
    return svg[svg.find("<svg"):]


def _vignette_html(entry: dict, skills: dict[str, str]) -> str:
    kind = str(entry.get("ending_kind") or "")
    steps = "".join(f'<li>“{escape(_s(step.get("text")))}” <span class="tag">'
                    f'{escape(skills.get(step.get("skill"), _s(step.get("skill"))))}</span></li>'
                    for step in entry.get("path") or [])
    summary = escape(_meter_summary(entry.get("trace") or []))
    return (f'<article class="item ending-{escape(kind)}"><h4>{escape(_s(entry.get("title") or entry.get("key")))}'
            f'</h4><p><strong>Ending:</strong> {escape(_s(entry.get("ending_title")))} ({escape(kind)})</p>'
            f'<p><strong>Your choices</strong></p><ol>{steps}</ol>'
            f'<figure>{_chart_svg(entry)}<figcaption class="muted">{summary}</figcaption></figure>'
            f'<p class="muted">Finished {_when(entry.get("saved_at"))}</p></article>')


def _module_heading(module: str) -> str:
    match = re.fullmatch(r"m(\d+)", module)
    return f"Module {match[1]}" if match else f"Module {module}"


def _module_html(module: str, groups: dict[str, list[dict]], attempts: Counter, skills: dict[str, str]) -> str:
    render: dict[str, Callable[[list[dict]], str]] = {
        "reflection": lambda items: "".join(map(_reflection_html, items)),
        "drill": lambda items: "".join(map(_drill_html, items)),
        "check": lambda items: _checks_html(items, attempts),
        "vignette": lambda items: "".join(_vignette_html(e, skills) for e in items),
    }
    parts = [f"<h3>{label}</h3>{render[kind](groups[kind])}" for kind, label in SECTIONS if groups.get(kind)]
    return (f'<section class="module" id="{escape(module)}"><h2>{escape(_module_heading(module))}</h2>'
            f'{"".join(parts)}</section>')


def portfolio_html(doc: dict, today: date | None = None) -> str:
    """The whole portfolio page for a journal document (separate from writing, so it is easy to test)."""
    entries = doc.get("entries") or []
    items = {"reflection": _current(entries, "reflection"), "drill": _current(entries, "drill"),
             "check": _current(entries, "check"), "vignette": _finished_paths(entries)}
    modules = sorted({_module(e) for group in items.values() for e in group}, key=_module_order)
    skills = _skill_labels() if items["vignette"] else {}
    attempts = _attempts(entries)
    sections = [_module_html(m, {k: [e for e in v if _module(e) == m] for k, v in items.items()}, attempts, skills)
                for m in modules]
    contents = "".join(f'<li><a href="#{escape(m)}">{escape(_module_heading(m))}</a></li>' for m in modules)
    body = ("".join(sections) if sections else
            '<p>Your journal is empty so far. Reflections, practice drills, knowledge checks and vignette '
            'paths appear here once you have saved some in the course notebooks.</p>')
    day = today or date.today()
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{TITLE}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{TITLE}</h1>"
        f'<p class="muted">Exported on {day.day} {day:%B %Y}</p>'
        '<p class="private">This file is private to you. It was made on your computer from your own journal, '
        "and nothing was sent anywhere. Share it only if you choose to, for example by handing it in.</p>"
        f'{f"<nav><strong>Contents</strong><ol>{contents}</ol></nav>" if contents else ""}</header>'
        f"<main>{body}</main></body></html>\n"
    )


def export_portfolio(path: Path | str, journal: Journal | None = None) -> Path:
    """Write the learner's portfolio as one offline HTML file and return where it went."""
    target = _target(path)
    target.write_text(portfolio_html(_read(journal)), encoding="utf-8")
    return target


# --- the anonymous class file --------------------------------------------------------------------

_STRUCTURED = re.compile(r"[a-jA-J]|[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?%?|True|False|true|false|yes|no")


def _structured(answer: Any) -> Any:
    """Keep only a choice letter, a number or True/False: even one word typed by a learner stays private."""
    text = "" if answer is None else str(answer).strip().strip("'\"")
    if len(text) > SHORT_ANSWER or not _STRUCTURED.fullmatch(text):
        return None
    return text


def _class_vignette(entry: dict) -> dict:
    """A path as ids and skills: the counselor lines are course text the instructor already has."""
    return {"vignette": entry.get("key"), "attempt": entry.get("attempt"),
            "choices": [{"scene": s.get("scene"), "choice": s.get("choice"), "skill": s.get("skill")}
                        for s in entry.get("path") or []],
            "ending": entry.get("ending"), "ending_kind": entry.get("ending_kind")}


def _class_check(entry: dict) -> dict:
    return {"key": entry.get("key"), "answer": _structured(entry.get("answer")), "correct": bool(entry.get("correct"))}


def _class_drill(entry: dict) -> dict:
    """Counts, not words: the response travels only if the learner ticked "share"."""
    record = {"key": entry.get("key"), "difficulty": entry.get("difficulty"), "self_rating": entry.get("self_rating"),
              "criteria_met": sum(bool(v) for v in entry.get("criteria_met") or []),
              "criteria_total": len(entry.get("criteria") or [])}
    if entry.get("share") is True:
        record["response"] = entry.get("response")
    return record


def class_record(doc: dict, today: date | None = None) -> dict:
    """The anonymous class file's content: no name, no path, no times of day, free text only if shared."""
    entries = doc.get("entries") or []
    return {
        "format": CLASS_FORMAT, "version": CLASS_VERSION, "learner_code": doc.get("learner_code"),
        "exported": (today or date.today()).isoformat(),
        "vignettes": [_class_vignette(e) for e in _finished_paths(entries)],
        "checks": [_class_check(e) for e in _current(entries, "check")],
        "drills": [_class_drill(e) for e in _current(entries, "drill")],
        "reflections": [{"key": e.get("key"), "text": e.get("text")}
                        for e in _current(entries, "reflection") if e.get("share") is True],
    }


def export_for_class(path: Path | str, journal: Journal | None = None) -> Path:
    """Write the anonymous class file for a seminar debrief and return where it went."""
    target = _target(path)
    target.write_text(json.dumps(class_record(_read(journal)), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


__all__ = ["export_portfolio", "export_for_class", "portfolio_html", "class_record", "CLASS_FORMAT", "CLASS_VERSION"]
