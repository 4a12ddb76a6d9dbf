"""Files made from the journal on the learner's own computer: two they may hand in, one to take away.

- :func:`export_portfolio` writes one self-contained HTML page of everything they did,
  module by module: it opens offline, prints cleanly, and is theirs to keep or hand in.
- :func:`export_for_class` writes an anonymous JSON file for a seminar debrief: choices,
  skills, endings and short structured answers under a random learner code, and free text
  only for the items the learner ticked "share with the class".
- :func:`export_json` writes the whole journal, every entry and every version, as readable
  JSON: a learner can always take all of it away (and ``recover`` can read it back in).

All three only read the journal, so they work from a read-only folder too. The portfolio
stays fast for a whole course's work: each vignette path's chart is a small hand-drawn SVG
(:mod:`svgchart`), and an entry that cannot be shown costs one sentence, never the export.

Privacy rules, each tested: learner text is always escaped (it may contain ``<``); the
portfolio loads nothing from the network; the class file holds no name, no journal path,
no time of day, and nothing that links it to the portfolio (no learner code or attempt ids
in the portfolio, no times in the class file).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, Callable

from trustlab.difficulty import FELT
from trustlab.journal.notify import tell
from trustlab.journal.store import FORMAT, VERSION, Journal, JournalError

CLASS_FORMAT, CLASS_VERSION = "trustlab-class-export", 1
TITLE = "My journal: Building Therapeutic Trust"
SHORT_ANSWER = 20  # longer check answers may be sentences, so they stay out of the class file
SECTIONS = (("reflection", "Reflections"), ("drill", "Practice drills"),
            ("check", "Knowledge checks"), ("vignette", "Vignette paths"), ("transcript", "Marked transcripts"),
            ("gas", "Goal Attainment Scaling"))

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


def _id(entry: dict, field: str) -> Any:
    """A field as a dictionary key: a malformed entry's list or dict value becomes its JSON text."""
    value = entry.get(field)
    return value if value is None or isinstance(value, (str, int, float)) else json.dumps(value, default=str)


def _current(entries: list[dict], kind: str) -> list[dict]:
    """The latest entry per key, in the order each key was first saved (older versions stay in the journal)."""
    latest: dict[tuple[str, Any], dict] = {}
    for entry in entries:
        if entry.get("kind") == kind:
            latest[(_module(entry), _id(entry, "key"))] = entry  # a dict keeps the first position of a key
    return _by_module(list(latest.values()))


def _attempts(entries: list[dict]) -> Counter:
    """How many times each check was answered or transcript checked: effort is worth showing, not only the
    last result (a check's key has a dot, a transcript's never, so the two cannot be confused)."""
    return Counter((_module(e), _id(e, "key")) for e in entries if e.get("kind") in ("check", "transcript"))


def _finished_paths(entries: list[dict]) -> list[dict]:
    """Per play-through, its latest entry that reached an ending: unfinished paths are not a story yet."""
    finished: dict[tuple[str, Any, Any], dict] = {}
    for entry in entries:
        if entry.get("kind") == "vignette" and entry.get("ended"):
            finished[(_module(entry), _id(entry, "key"), _id(entry, "attempt"))] = entry
    return _by_module(list(finished.values()))


def _read(journal: Journal | None) -> dict:
    """The journal document; a notice (say, a damaged file moved aside) is shown at once, not swallowed."""
    journal = journal or Journal()
    doc = journal.read()
    tell(journal)
    return doc


def _write(path: Path | str, text: str, what: str) -> Path:
    """Write an export, or say plainly why it cannot be written there (the journal itself is untouched)."""
    target = Path(path).expanduser()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as err:
        raise JournalError(f"Your {what} could not be written to {target} ({err.strerror or err}). Your journal is "
                           "unchanged: give another file name, in a folder you can write to.") from None
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


# --- headings: what the learner saw (a prompt, a client's words, a question), never an internal key ---

def _inline(text: Any) -> str:
    """Course Markdown as a heading's content: one paragraph keeps its emphasis, anything longer is plain text."""
    html = _course_text(text)
    match = re.fullmatch(r"<p>(.*)</p>", html, re.S)
    return match[1] if match and "<p>" not in match[1] else escape(_s(text))


def _fallback(noun: str, entry: dict) -> str:
    """For an old entry whose text cannot be found: "Reflection (Module 00)" reads better than a key."""
    return escape(f"{noun} ({_module_heading(_module(entry))})")


def _drill_statement(entry: dict) -> str | None:
    """The client's statement: stored with every drill entry, else looked up in the module's practice file."""
    if entry.get("statement"):
        return str(entry["statement"])
    module, _, item_id = _s(entry.get("key")).partition(".drill.")
    try:
        from trustlab.journal.widgets import load_practice
        return next(str(i["statement"]) for i in load_practice(module)["items"] if i.get("id") == item_id)
    except Exception:  # a missing or broken file costs only the heading, never the export
        return None


def _check_prompt(entry: dict) -> str | None:
    """The question: stored with every answer since checks report it, else looked up in the checks file."""
    if entry.get("prompt"):
        return str(entry["prompt"])
    try:
        from trustlab.checks import find_item
        return str(find_item(_s(entry.get("key")))["prompt"])
    except Exception:  # as above: the answer still shows, under a plain heading
        return None


def _reflection_html(entry: dict) -> str:
    prompt = entry.get("prompt")
    heading = _inline(prompt) if prompt else _fallback("Reflection", entry)
    return (f'<article class="item"><h4>{heading}{_shared(entry)}</h4>{_learner(entry.get("text"))}'
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
    statement = _drill_statement(entry)
    heading = f"Client: “{escape(statement)}”" if statement else _fallback("Practice drill", entry)
    difficulty = f' <span class="tag">{escape(_s(entry.get("difficulty")))}</span>' if entry.get("difficulty") else ""
    return (f'<article class="item"><h4 class="client">{heading}{difficulty}{_shared(entry)}</h4>'
            f'<p><strong>Your response</strong></p>{_learner(entry.get("response"), "(no response typed)")}'
            f'{_criteria_html(entry)}<p><strong>Self-rating:</strong> {rated}</p>{_next_step_html(entry)}'
            f'<p class="muted">Saved {_when(entry.get("saved_at"))}</p></article>')


def _next_step_html(entry: dict) -> str:
    """The last step of deliberate practice: how hard it felt, and where the drill suggested going next."""
    felt = entry.get("felt_difficulty")
    if not felt:
        return ""
    step = f" Suggested next: {escape(_s(entry.get('next_difficulty')))}." if entry.get("next_difficulty") else ""
    return f"<p><strong>It felt:</strong> {escape(FELT.get(felt, _s(felt)).lower())}.{step}</p>"


def _checks_html(entries: list[dict], attempts: Counter) -> str:
    rows = []
    for entry in entries:
        tries = attempts[(_module(entry), _id(entry, "key"))]
        prompt = _check_prompt(entry)
        question = _course_text(prompt) if prompt else _fallback("Question", entry)
        rows.append(f'<tr><td>{question}</td>'
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
        from trustlab.journal.svgchart import meter_chart_svg
        return meter_chart_svg(entry["trace"], tuple(entry["domain"]), entry.get("ending_title"))
    except Exception:  # an odd trace must not cost the learner the rest of their export
        return '<p class="muted">The meter chart could not be drawn for this path.</p>'


def _vignette_html(entry: dict, skills: dict[str, str]) -> str:
    kind = str(entry.get("ending_kind") or "")
    steps = "".join(f'<li>“{escape(_s(step.get("text")))}” <span class="tag">'
                    f'{escape(skills.get(step.get("skill"), _s(step.get("skill"))))}</span></li>'
                    for step in entry.get("path") or [])
    summary = escape(_meter_summary(entry.get("trace") or []))
    title = escape(_s(entry.get("title"))) or _fallback("Conversation", entry)
    return (f'<article class="item ending-{escape(kind)}"><h4>{title}</h4>'
            f'<p><strong>Ending:</strong> {escape(_s(entry.get("ending_title")))} ({escape(kind)})</p>'
            f'<p><strong>Your choices</strong></p><ol>{steps}</ol>'
            f'<figure>{_chart_svg(entry)}<figcaption class="muted">{summary}</figcaption></figure>'
            f'<p class="muted">Finished {_when(entry.get("saved_at"))}</p></article>')


def _transcript_html(entry: dict, attempts: Counter) -> str:
    """The latest check of a marked transcript: the summary, then each line marked or missed and its result."""
    rows = "".join(f'<tr><td>{escape(_s(r.get("number")))}</td><td><strong>{escape(_s(r.get("speaker")))}:</strong> '
                   f'“{escape(_s(r.get("text")))}”</td><td>{escape(_s(r.get("heading")))}</td></tr>'
                   for r in entry.get("results") or [])
    table = ("<table><thead><tr><th scope=col>Line</th><th scope=col>What was said</th><th scope=col>Result</th>"
             f"</tr></thead><tbody>{rows}</tbody></table>") if rows else ""
    tries = attempts[(_module(entry), _id(entry, "key"))]
    title = escape(_s(entry.get("title"))) or _fallback("Transcript", entry)
    return (f'<article class="item"><h4>{title}</h4><p>{escape(_s(entry.get("summary")))}</p>{table}'
            f'<p class="muted">Checked {tries} time{"s" if tries != 1 else ""}; the latest on '
            f'{_when(entry.get("saved_at"))}</p></article>')


def _gas_goal_html(number: int, goal: dict) -> str:
    """One goal: the client's words, its weight, and its five levels with the one reached at follow-up."""
    from trustlab.goal_attainment import LEVELS, signed

    levels, reached = list(goal.get("levels") or []), goal.get("score")
    rows = "".join(
        f'<tr><th scope=row>{signed(s)} {escape(LEVELS[s])}</th><td>{escape(_s(text))}</td>'
        f'<td>{"✔ reached" if reached == s and not isinstance(reached, bool) else ""}</td></tr>'
        for s, text in zip(sorted(LEVELS), levels + [""] * len(LEVELS)))
    return (f'<p><strong>Goal {number}</strong> (weight {escape(_s(goal.get("weight")))})</p>'
            f'{_learner(goal.get("goal"), "(no goal written)")}'
            "<table><thead><tr><th scope=col>Level</th><th scope=col>What it would look like</th>"
            f"<th scope=col>At follow-up</th></tr></thead><tbody>{rows}</tbody></table>")


def _gas_html(entry: dict) -> str:
    """A GAS worksheet: its T-score and what it means, then every goal the learner worked on."""
    from trustlab.goal_attainment import t_score_meaning

    prompt, t = entry.get("prompt"), entry.get("t_score")
    heading = _inline(prompt) if prompt else _fallback("Goal Attainment Scaling worksheet", entry)
    scored = isinstance(t, (int, float)) and not isinstance(t, bool) and t == t  # t == t: not NaN
    result = (f"<p><strong>{escape(t_score_meaning(t))}</strong></p>" if scored else
              '<p class="muted">No T-score yet: no goal had the level reached at follow-up.</p>')
    goals = "".join(_gas_goal_html(n, g) for n, g in enumerate(entry.get("goals") or [], 1)
                    if isinstance(g, dict) and (_s(g.get("goal")).strip() or g.get("score") is not None
                                                or any(_s(text).strip() for text in g.get("levels") or [])))
    return (f'<article class="item"><h4>{heading}</h4>{result}{goals}'
            f'<p class="muted">Saved {_when(entry.get("saved_at"))}</p></article>')


def _module_heading(module: str) -> str:
    match = re.fullmatch(r"m(\d+)", module)
    return f"Module {match[1]}" if match else f"Module {module}"


def _shown(render: Callable[[dict], str], entry: dict) -> str:
    """One entry's HTML; a malformed entry (from an imported file, say) costs one sentence, not the export."""
    try:
        return render(entry)
    except Exception:
        return ('<article class="item"><p class="muted">One entry here could not be shown: it is damaged. It is '
                "still in your journal, and <code>export_json</code> shows it as it is.</p></article>")


def _module_html(module: str, groups: dict[str, list[dict]], attempts: Counter, skills: dict[str, str]) -> str:
    render: dict[str, Callable[[list[dict]], str]] = {
        "reflection": lambda items: "".join(_shown(_reflection_html, e) for e in items),
        "drill": lambda items: "".join(_shown(_drill_html, e) for e in items),
        "check": lambda items: _checks_html(items, attempts),
        "vignette": lambda items: "".join(_shown(lambda e: _vignette_html(e, skills), e) for e in items),
        "transcript": lambda items: "".join(_shown(lambda e: _transcript_html(e, attempts), e) for e in items),
        "gas": lambda items: "".join(_shown(_gas_html, e) for e in items),
    }
    parts = [f"<h3>{label}</h3>{render[kind](groups[kind])}" for kind, label in SECTIONS if groups.get(kind)]
    return (f'<section class="module" id="{escape(module)}"><h2>{escape(_module_heading(module))}</h2>'
            f'{"".join(parts)}</section>')


def _history_html(history: list[dict]) -> str:
    """Say so when the journal was repaired: entries that could not be read are missing from this page."""
    notes = []
    for event in history:
        if event.get("event") not in ("recovered", "set-aside"):
            continue
        moved = escape(Path(str(event.get("moved_to"))).name)  # the name only: a full path holds the user name
        kept = (f" {int(event['entries'])} entries could be read from it and are included here."
                if isinstance(event.get("entries"), int) else "")
        notes.append(f"<p>On {escape(_when(event.get('at')))} a journal file could not be read, so the course moved "
                     f"it, unchanged, to <code>{moved}</code> beside your journal.{kept} Anything else it holds is "
                     "not in this portfolio: see “Your journal and your privacy” in the course README.</p>")
    return f'<div class="private">{"".join(notes)}</div>' if notes else ""


def portfolio_html(doc: dict, today: date | None = None) -> str:
    """The whole portfolio page for a journal document (separate from writing, so it is easy to test)."""
    entries = doc.get("entries") or []
    items = {"reflection": _current(entries, "reflection"), "drill": _current(entries, "drill"),
             "check": _current(entries, "check"), "vignette": _finished_paths(entries),
             "transcript": _current(entries, "transcript"), "gas": _current(entries, "gas")}
    modules = sorted({_module(e) for group in items.values() for e in group}, key=_module_order)
    skills = _skill_labels() if items["vignette"] else {}
    attempts = _attempts(entries)
    sections = [_module_html(m, {k: [e for e in v if _module(e) == m] for k, v in items.items()}, attempts, skills)
                for m in modules]
    contents = "".join(f'<li><a href="#{escape(m)}">{escape(_module_heading(m))}</a></li>' for m in modules)
    body = ("".join(sections) if sections else
            '<p>Your journal is empty so far. Reflections, practice drills, knowledge checks, vignette '
            'paths, marked transcripts and GAS worksheets appear here once you have saved some in the course '
            'notebooks.</p>')
    day = today or date.today()
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{TITLE}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{TITLE}</h1>"
        f'<p class="muted">Exported on {day.day} {day:%B %Y}</p>'
        '<p class="private">This file is private to you. It was made on your computer from your own journal, '
        "and nothing was sent anywhere. Share it only if you choose to, for example by handing it in.</p>"
        f"{_history_html(doc.get('history') or [])}"
        f'{f"<nav><strong>Contents</strong><ol>{contents}</ol></nav>" if contents else ""}</header>'
        f"<main>{body}</main></body></html>\n"
    )


def export_portfolio(path: Path | str, journal: Journal | None = None) -> Path:
    """Write the learner's portfolio as one offline HTML file and return where it went."""
    return _write(path, portfolio_html(_read(journal)), "portfolio")


# --- the whole journal, to take away -------------------------------------------------------------

def journal_json(doc: dict, today: date | None = None) -> str:
    """Every entry and every version, in the order saved, as readable JSON in the journal's own format."""
    return json.dumps({"format": FORMAT, "version": VERSION, "learner_code": doc.get("learner_code"),
                       "created": doc.get("created"), "exported": (today or date.today()).isoformat(),
                       "entries": doc.get("entries") or [], "history": doc.get("history") or []},
                      ensure_ascii=False, indent=1) + "\n"


def export_json(path: Path | str, journal: Journal | None = None) -> Path:
    """Write the whole journal as one readable JSON file (to keep, or to read back with ``recover``)."""
    return _write(path, journal_json(_read(journal)), "journal copy")


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
    if entry.get("felt_difficulty"):  # the difficulty step, once the learner has taken it
        record.update(felt_difficulty=entry["felt_difficulty"], next_difficulty=entry.get("next_difficulty"))
    if entry.get("share") is True:
        record["response"] = entry.get("response")
    return record


def class_record(doc: dict, today: date | None = None) -> dict:
    """The anonymous class file's content: no name, no path, no times of day, free text only if shared."""
    entries = doc.get("entries") or []
    return {
        "format": CLASS_FORMAT, "version": CLASS_VERSION, "learner_code": doc.get("learner_code"),
        "exported": (today or date.today()).isoformat(),
        "vignettes": _each(_class_vignette, _finished_paths(entries)),
        "checks": _each(_class_check, _current(entries, "check")),
        "drills": _each(_class_drill, _current(entries, "drill")),
        "reflections": [{"key": e.get("key"), "text": e.get("text")}
                        for e in _current(entries, "reflection") if e.get("share") is True],
    }


def _each(record: Callable[[dict], dict], entries: list[dict]) -> list[dict]:
    """The class file's records; a malformed entry is left out (it stays in the journal), never a crash."""
    found = []
    for entry in entries:
        try:
            found.append(record(entry))
        except Exception:
            continue
    return found


def export_for_class(path: Path | str, journal: Journal | None = None) -> Path:
    """Write the anonymous class file for a seminar debrief and return where it went."""
    return _write(path, json.dumps(class_record(_read(journal)), ensure_ascii=False, indent=1) + "\n", "class file")


__all__ = ["export_portfolio", "export_for_class", "export_json", "portfolio_html", "class_record", "journal_json",
           "CLASS_FORMAT", "CLASS_VERSION"]
