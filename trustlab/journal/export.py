"""Files made from the journal on the learner's own computer: two they may hand in, one to take away.

- :func:`export_portfolio` writes one self-contained HTML page of everything they did: a
  course summary at the top (the skills they used most, the endings they reached, their
  path through the five-session series), then module by module; it opens offline, prints
  cleanly, and is theirs to keep or hand in.
- :func:`export_for_class` writes an anonymous JSON file for a seminar debrief: choices,
  skills, endings, each check's first and latest short structured answer and the runs through
  a series under a random learner code, and free text only for the items the learner ticked
  "share with the class" (``python -m trustlab.classroom report`` reads a folder of them).
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
from dataclasses import dataclass
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import Any, Callable

import yaml

from trustlab.difficulty import FELT
from trustlab.journal.notify import tell
from trustlab.journal.store import FORMAT, VERSION, Journal, JournalError

CLASS_FORMAT, CLASS_VERSION = "trustlab-class-export", 2  # 2: each check's first answer; series runs;
# a shared reflection's prompt (the debrief, trustlab.classroom, still reads version 1)
TITLE = "My journal: Building Therapeutic Trust"
SHORT_ANSWER = 20  # longer check answers may be sentences, so they stay out of the class file
SECTIONS = (("reflection", "Reflections"), ("drill", "Practice drills"),
            ("check", "Knowledge checks"), ("series", "Series of sessions"), ("vignette", "Vignette paths"),
            ("transcript", "Marked transcripts"), ("gas", "Goal Attainment Scaling"))
TOP_BUILDS, TOP_RISKS = 5, 3  # a summary names a few skills; every choice is listed in its module below
_FAST_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the catalog reads only a few fields of each file

CSS = """
:root { color-scheme: light; }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1d2125; background: #fff; max-width: 52em; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.7em; margin: 0 0 .2em 0; }
h2 { font-size: 1.4em; border-bottom: 3px solid #0072B2; padding-bottom: .15em; margin-top: 1.6em; }
h3 { font-size: 1.15em; margin: 1.2em 0 .4em 0; color: #0b4f7c; }
h4 { font-size: 1em; margin: 0 0 .3em 0; }
h5 { font-size: 1em; margin: .9em 0 .2em 0; }
.summary { background: #f7f9fb; border: 1px solid #d0d4d9; border-radius: 6px; padding: .2em 1.2em .8em; }
.summary h2 { margin-top: .6em; }
.count { color: #4a4f55; }
.session { padding-left: .7em; margin: .8em 0; }
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
  .module + .module, .summary + .module { break-before: page; page-break-before: always; }
  .summary { background: none; }
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


def _skill_info() -> dict[str, tuple[str, str]]:
    """Each skill id's label as the learner saw it in the player ("Reflection", not "reflection") and its
    kind ("builds" or "risks"), which the course summary sorts by."""
    try:
        from trustlab.vignettes.model import load_skills
        return {sid: (skill.label, skill.kind) for sid, skill in load_skills().items()}
    except Exception:  # a broken skills file must not cost the learner their export
        return {}


def _skill_labels() -> dict[str, str]:
    return {sid: label for sid, (label, _) in _skill_info().items()}


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


# --- a series of sessions with one client (module 05): one entry per run, the whole series so far -------

def _series_runs(entries: list[dict]) -> list[dict]:
    """Per run through a series, its latest entry (the whole series so far), the run started last coming last:
    a new play of the series is a new run, so an older run is never saved to again."""
    latest: dict[tuple[str, Any, Any], dict] = {}
    for entry in entries:
        if entry.get("kind") == "series":
            latest[(_module(entry), _id(entry, "key"), _id(entry, "attempt"))] = entry
    return list(latest.values())


def _sessions(entry: dict) -> list[dict]:
    """The sessions played so far, in order; anything that is not a session record is left out."""
    return [s for s in entry.get("sessions") or [] if isinstance(s, dict)]


def _checkin_total(session: dict) -> float | None:
    total = (session.get("checkin") or {}).get("total")
    return total if isinstance(total, (int, float)) and not isinstance(total, bool) else None


def _item_max(entry: dict) -> float:
    """The top of one check-in item's scale (10: the entry says so, as ``checkin_domain``)."""
    top = (entry.get("checkin_domain") or [0, 10])[-1]
    return float(top) if isinstance(top, (int, float)) and not isinstance(top, bool) and top > 0 else 10.0


def _checkin_max(entry: dict, sessions: list[dict]) -> float:
    """The highest total a check-in can reach: an item's top times how many items it has (10 × 4)."""
    items = max((len((s.get("checkin") or {}).get("items") or []) for s in sessions), default=0) or 4
    return _item_max(entry) * items


def _session_name(session: dict) -> str:
    title = _s(session.get("title"))
    return f"Session {_s(session.get('session'))}" + (f": {title}" if title else "")


def checkin_chart_svg(totals: list[tuple[Any, float]], top: float) -> str:
    """The client's check-in total after each session as small bars, drawn by hand like the meter charts
    (no script, no network); the numbers are written on the bars, so colour carries nothing alone."""
    from trustlab.charts import PALETTE

    width, height, left, bottom, head = 420, 210, 40, 40, 34
    plot_w, plot_h = width - left - 16, height - head - bottom
    slot = plot_w / max(len(totals), 1)
    said = "; ".join(f"session {_s(n)}, {_number(v)}" for n, v in totals)
    description = (f"Bar chart of the client's check-in total, out of {_number(top)}, after each of the "
                   f"{len(totals)} session{'s' if len(totals) != 1 else ''} played: {said}.")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-label="{escape(description)}" font-size="12" fill="currentColor" '
             f'font-family="system-ui, sans-serif"><title>Check-in totals, session by session</title>'
             f'<desc>{escape(description)}</desc>'
             f'<text x="4" y="18" font-size="15" font-weight="bold">Check-in totals, session by session</text>']
    for tick in (0, top / 2, top):
        y = head + plot_h * (1 - tick / top)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="currentColor" '
                     f'stroke-opacity="0.25"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{_number(tick)}</text>')
    for i, (number, value) in enumerate(totals):
        bar_h, x = plot_h * min(max(value, 0), top) / top, left + slot * i + slot * 0.2
        parts.append(f'<rect x="{x:.1f}" y="{head + plot_h - bar_h:.1f}" width="{slot * 0.6:.1f}" '
                     f'height="{bar_h:.1f}" fill="{PALETTE[0]}"/>'
                     f'<text x="{x + slot * 0.3:.1f}" y="{head + plot_h - bar_h - 4:.1f}" text-anchor="middle">'
                     f'{_number(value)}</text><text x="{x + slot * 0.3:.1f}" y="{head + plot_h + 16}" '
                     f'text-anchor="middle">{escape(_s(number))}</text>')
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{head + plot_h}" y2="{head + plot_h}" '
                 f'stroke="currentColor"/><text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                 'font-weight="bold">Session</text></svg>')
    return "".join(parts)


def _checkin_figure(entry: dict, sessions: list[dict]) -> str:
    totals = [(s.get("session"), t) for s in sessions if (t := _checkin_total(s)) is not None]
    if not totals:
        return ""
    top = _checkin_max(entry, sessions)
    try:
        svg = checkin_chart_svg(totals, top)
    except Exception:  # an odd value costs the chart, never the export
        return '<p class="muted">The chart of the check-ins could not be drawn.</p>'
    said = "; ".join(f"session {escape(_s(n))}: {_number(v)} of {_number(top)}" for n, v in totals)
    return f'<figure>{svg}<figcaption class="muted">The client\'s check-in totals: {said}.</figcaption></figure>'


def _meters_table(sessions: list[dict]) -> str:
    """Where each meter stood when each session ended: a table reads in print and to a screen reader."""
    labels = list(dict.fromkeys(label for s in sessions for label in (s.get("meters") or {})))
    if not labels:
        return ""
    head = "".join(f"<th scope=col>After session {escape(_s(s.get('session')))}</th>" for s in sessions)
    rows = "".join(f"<tr><th scope=row>{escape(_s(label))}</th>"
                   + "".join(f"<td>{escape(_number((s.get('meters') or {}).get(label)))}</td>" for s in sessions)
                   + "</tr>" for label in labels)
    return (f"<p><strong>The meters at the end of each session</strong></p><table><thead><tr>"
            f"<th scope=col>Meter</th>{head}</tr></thead><tbody>{rows}</tbody></table>")


def _checkin_html(checkin: dict, top_item: float) -> str:
    items = [i for i in checkin.get("items") or [] if isinstance(i, dict)]
    if not items:
        return ""
    rows = "".join(f"<tr><td>{escape(_s(i.get('label')))}</td><td>{escape(_number(i.get('value')))}</td></tr>"
                   for i in items)
    low = " It was low, so the next session could open with it." if checkin.get("low") is True else ""
    return (f"<table><thead><tr><th scope=col>The client's check-in (0 to {escape(_number(top_item))})</th>"
            f"<th scope=col>Rating</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<p>Check-in total: <strong>{escape(_number(checkin.get('total')))}</strong> of "
            f"{_number(top_item * len(items))}.{low}</p>")


def _session_html(session: dict, skills: dict[str, str], top_item: float) -> str:
    kind = _s(session.get("ending_kind"))
    tags = " ".join(f'<span class="tag">{escape(skills.get(step.get("skill"), _s(step.get("skill"))))}</span>'
                    for step in session.get("path") or [] if isinstance(step, dict))
    return (f'<div class="session ending-{escape(kind)}"><h5>{escape(_session_name(session))}</h5>'
            f'<p><strong>Ending:</strong> {escape(_s(session.get("ending_title")))} ({escape(kind)})</p>'
            f'<p><strong>Skills you chose:</strong> {tags or "none recorded"}</p>'
            f'{_checkin_html(session.get("checkin") or {}, top_item)}</div>')


def _series_status(entry: dict, sessions: list[dict]) -> str:
    """Where the run stands: its outcome once it has ended, else how far it has come (never a reproach)."""
    played = len(sessions)
    if entry.get("finished") is True:
        return (f'<p><strong>Outcome:</strong> {escape(_s(entry.get("outcome_title")))} '
                f'({escape(_s(entry.get("outcome_kind")))}), after session {played}.</p>')
    return (f"<p>In progress: you have played {played} session{'s' if played != 1 else ''} so far. The next "
            f"one starts where session {played} left off, whenever you are ready.</p>")


def _series_html(entry: dict, skills: dict[str, str]) -> str:
    sessions = _sessions(entry)
    top_item = _item_max(entry)
    title = escape(_s(entry.get("title"))) or _fallback("Series of sessions", entry)
    return (f'<article class="item"><h4>{title}</h4>{_series_status(entry, sessions)}'
            f'{_checkin_figure(entry, sessions)}{_meters_table(sessions)}'
            f'{"".join(_session_html(s, skills, top_item) for s in sessions)}'
            f'<p class="muted">Saved {_when(entry.get("saved_at"))}</p></article>')


# --- the course summary at the top: what a learner did across every module, in a few lines ---------------

@dataclass(frozen=True)
class Listed:
    """One vignette or series the course offers, as much of it as the summary needs to say what is ahead."""
    module: str
    key: str
    title: str
    endings: int  # how many endings a vignette has (0 for a series)
    series: str | None = None  # the series a session file belongs to
    is_series: bool = False


def _listed(path: Path, is_series: bool) -> Listed | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_FAST_YAML)
        return Listed(str(data["module"]), str(data.get("id") or path.stem), str(data["title"]),
                      len(data.get("endings") or {}), data.get("series"), is_series)
    except Exception:  # skills.yaml has no module; a broken file is the checker's business, not the export's
        return None


def course_catalog() -> list[Listed]:
    """The course's vignettes and series, read lightly (the full loader takes ten times as long, and the
    summary needs only module, title and the number of endings). Empty if the folder cannot be found:
    then the summary simply does not say what is still ahead."""
    try:
        from trustlab.vignettes.model import vignettes_dir
        folder = vignettes_dir()
        files = [(p, False) for p in sorted(folder.glob("*.yaml"))]
        files += [(p, True) for p in sorted((folder / "series").glob("*.yaml"))]
    except Exception:
        return []
    return [item for path, is_series in files if (item := _listed(path, is_series)) is not None]


def skills_used(paths: list[dict], skills: dict[str, tuple[str, str]]) -> dict[str, list[tuple[str, int]]]:
    """For "builds" and "risks": each skill's label and how often it was chosen on the finished paths, most
    first (ties by label, so the order never depends on the order of play). Unknown skills are left out."""
    counts = Counter(step.get("skill") for path in paths for step in path.get("path") or [] if isinstance(step, dict))
    used: dict[str, list[tuple[str, int]]] = {"builds": [], "risks": []}
    for skill, count in counts.items():
        label, kind = skills.get(skill, ("", ""))
        if kind in used:
            used[kind].append((label, count))
    return {kind: sorted(found, key=lambda pair: (-pair[1], pair[0].lower())) for kind, found in used.items()}


def endings_reached(paths: list[dict]) -> dict[str, dict[Any, dict]]:
    """Module → vignette → its title and the endings reached on any finished play (first reached first)."""
    reached: dict[str, dict[Any, dict]] = {}
    for path in paths:
        vignette = reached.setdefault(_module(path), {}).setdefault(_id(path, "key"), {"title": "", "endings": {}})
        vignette["title"] = _s(path.get("title")) or vignette["title"]
        vignette["endings"].setdefault(_id(path, "ending"), (_s(path.get("ending_title")), _s(path.get("ending_kind"))))
    return reached


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _skill_list(found: list[tuple[str, int]], css: str) -> str:
    items = "".join(f'<li><span class="skill">{escape(label)}</span> <span class="count">({_times(n)})</span></li>'
                    for label, n in found)
    return f'<ol class="skills {css}">{items}</ol>'


def _skills_summary(paths: list[dict], skills: dict[str, tuple[str, str]]) -> str:
    if not paths:
        return ("<p>Once you finish a vignette (a conversation that reaches one of its endings), the skills you "
                "chose are counted here.</p>")
    used = skills_used(paths, skills)
    choices = sum(len(p.get("path") or []) for p in paths)
    parts = [f"<p>On the {len(paths)} conversation{'s' if len(paths) != 1 else ''} you finished, you made "
             f"{choices} choice{'s' if choices != 1 else ''}.</p>"]
    if used["builds"]:
        parts.append("<p>The trust-building skills you used most:</p>"
                     f"{_skill_list(used['builds'][:TOP_BUILDS], 'builds')}")
    if used["risks"]:
        parts.append("<p>The pitfalls you chose most. Everyone chooses some, and a vignette is the safe place to "
                     "try them: each came with feedback on why it tends to cost trust.</p>"
                     f"{_skill_list(used['risks'][:TOP_RISKS], 'risks')}")
    else:
        parts.append("<p>None of your choices on these paths was one of the common pitfalls.</p>")
    return "".join(parts)


def _ahead(items: list[Listed]) -> str:
    return "; ".join(escape(item.title) for item in items)


def _endings_summary(paths: list[dict], catalog: list[Listed]) -> str:
    """Per module, each vignette's endings reached, then (kindly) the vignettes not played yet."""
    reached = endings_reached(paths)
    counts = {(item.module, item.key): item.endings for item in catalog if not item.is_series}
    playable = [item for item in catalog if item.series is None and not item.is_series]  # sessions: see the series
    blocks = []
    for module in sorted(reached, key=_module_order):
        rows = []
        for key, vignette in reached[module].items():
            endings = ", ".join(f"{escape(title)} ({escape(kind)})" for title, kind in vignette["endings"].values())
            total = counts.get((module, key))
            of = f" ({len(vignette['endings'])} of its {total} endings)" if total else ""
            rows.append(f"<li><strong>{escape(vignette['title']) or 'A vignette'}</strong>{of}: {endings}</li>")
        rest = [item for item in playable if item.module == module and item.key not in reached[module]]
        later = f'<p class="muted">Not played yet here: {_ahead(rest)}.</p>' if rest else ""
        blocks.append(f'<h4>{escape(_module_heading(module))}</h4><ul class="endings">{"".join(rows)}</ul>{later}')
    if not blocks:
        blocks.append("<p>No endings reached yet: each vignette you finish adds the ending you reached here.</p>")
    unplayed = sorted({item.module for item in playable} - set(reached), key=_module_order)
    if unplayed:
        ahead = "".join(f"<li>{escape(_module_heading(m))}: {_ahead([i for i in playable if i.module == m])}</li>"
                        for m in unplayed)
        blocks.append(f'<p>Still ahead, whenever you are ready:</p><ul class="ahead">{ahead}</ul>')
    return "".join(blocks)


def _series_path(entry: dict) -> str:
    """One run through a series in a few lines: each session's ending and check-in total, then the outcome."""
    sessions = _sessions(entry)
    top = _checkin_max(entry, sessions)
    steps = "".join(f"<li>{escape(_session_name(s))}: {escape(_s(s.get('ending_title')))} "
                    f"({escape(_s(s.get('ending_kind')))}); check-in {escape(_number(_checkin_total(s)))} "
                    f"of {_number(top)}</li>" for s in sessions)
    dropout = ("Stopping early is one of the ways this story can end, not a mark against you: the debrief says "
               "what might have made a difference, and you can play the series again." if entry.get("finished") is True
               and entry.get("outcome_kind") == "dropout" else "")
    kind_word = f"<p>{dropout}</p>" if dropout else ""
    return f'<ol class="series-path">{steps}</ol>{_series_status(entry, sessions)}{kind_word}'


def _series_summary(runs: list[dict], catalog: list[Listed]) -> str:
    """The latest run of each series; a series not started yet is named, with where to find it."""
    latest = {(_module(run), _id(run, "key")): run for run in runs}  # runs come oldest first
    parts = []
    for (module, _), run in sorted(latest.items(), key=lambda pair: _module_order(pair[0][0])):
        title = escape(_s(run.get("title"))) or "A series of sessions"
        others = sum(1 for r in runs if (_module(r), _id(r, "key")) == (module, _id(run, "key"))) - 1
        again = (f' <span class="muted">(your latest of {others + 1} runs; all are in '
                 f'{escape(_module_heading(module))} below)</span>' if others else "")
        parts.append(f"<h4>{title}{again}</h4>{_series_path(run)}")
    for item in catalog:
        if item.is_series and (item.module, item.key) not in latest:
            parts.append(f"<p>You have not started <strong>{escape(item.title)}</strong> yet "
                         f"({escape(_module_heading(item.module))}); your path through it will show here.</p>")
    return "".join(parts) or "<p>Your path through the five-session series will show here once you play it.</p>"


def _part(render: Callable[[], str], what: str) -> str:
    """One part of the summary; if it cannot be made (a damaged entry, say), one sentence says so."""
    try:
        return render()
    except Exception:
        return (f'<p class="muted">{what} could not be summed up: one entry is damaged. The sections below '
                "show the rest.</p>")


def summary_html(paths: list[dict], runs: list[dict], catalog: list[Listed]) -> str:
    """The course summary: skills used most, endings reached per module, and the five-session path."""
    skills = _skill_info() if paths else {}
    return ('<section class="summary" id="summary"><h2>Your course at a glance</h2>'
            f'<h3>The skills you used most</h3>{_part(lambda: _skills_summary(paths, skills), "Your skills")}'
            f'<h3>The endings you reached</h3>{_part(lambda: _endings_summary(paths, catalog), "Your endings")}'
            f'<h3>Your five sessions</h3>{_part(lambda: _series_summary(runs, catalog), "Your five sessions")}'
            "</section>")


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
        "series": lambda items: "".join(_shown(lambda e: _series_html(e, skills), e) for e in items),
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
    runs = _series_runs(entries)
    items = {"reflection": _current(entries, "reflection"), "drill": _current(entries, "drill"),
             "check": _current(entries, "check"), "series": _by_module(runs), "vignette": _finished_paths(entries),
             "transcript": _current(entries, "transcript"), "gas": _current(entries, "gas")}
    modules = sorted({_module(e) for group in items.values() for e in group}, key=_module_order)
    skills = _skill_labels() if items["vignette"] or runs else {}
    attempts = _attempts(entries)
    sections = [_module_html(m, {k: [e for e in v if _module(e) == m] for k, v in items.items()}, attempts, skills)
                for m in modules]
    contents = '<li><a href="#summary">Your course at a glance</a></li>' + "".join(
        f'<li><a href="#{escape(m)}">{escape(_module_heading(m))}</a></li>' for m in modules)
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
        f'{f"<nav><strong>Contents</strong><ol>{contents}</ol></nav>" if modules else ""}</header>'
        f"<main>{summary_html(items['vignette'], runs, course_catalog())}{body}</main></body></html>\n"
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


_JUDGED = ("Correct", "Not yet")  # an answer that was judged (not one the check could not read)


def _first_answers(entries: list[dict]) -> dict[tuple[str, Any], dict]:
    """Each check's first judged answer: the debrief asks what a class knew at the first try, and a quiz
    scores the first answer too (trustlab.quizzes), so clicking on to the right option does not hide it."""
    first: dict[tuple[str, Any], dict] = {}
    for entry in entries:
        if entry.get("kind") == "check" and entry.get("status") in _JUDGED:
            first.setdefault((_module(entry), _id(entry, "key")), entry)
    return first


def _class_check(entry: dict, first: dict | None = None) -> dict:
    """The latest answer (as before) and the first judged one, both only as short structured answers."""
    return {"key": entry.get("key"), "answer": _structured(entry.get("answer")), "correct": bool(entry.get("correct")),
            "first_answer": _structured(first.get("answer")) if first else None,
            "first_correct": first.get("correct") is True if first else None}  # None: never judged


def _class_series(entry: dict) -> dict:
    """One run through a series (module 05): its outcome and each session's path and ending, as ids."""
    return {"series": entry.get("key"), "attempt": entry.get("attempt"), "finished": entry.get("finished") is True,
            "outcome": entry.get("outcome"), "outcome_kind": entry.get("outcome_kind"),
            "sessions": [{"session": s.get("session"), "vignette": s.get("vignette_id"),
                          "choices": [{"scene": c.get("scene"), "choice": c.get("choice"), "skill": c.get("skill")}
                                      for c in s.get("path") or [] if isinstance(c, dict)],
                          "ending": s.get("ending"), "ending_kind": s.get("ending_kind")}
                         for s in _sessions(entry)]}


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
    first = _first_answers(entries)
    return {
        "format": CLASS_FORMAT, "version": CLASS_VERSION, "learner_code": doc.get("learner_code"),
        "exported": (today or date.today()).isoformat(),
        "vignettes": _each(_class_vignette, _finished_paths(entries)),
        "checks": _each(lambda e: _class_check(e, first.get((_module(e), _id(e, "key")))), _current(entries, "check")),
        "drills": _each(_class_drill, _current(entries, "drill")),
        "series": _each(_class_series, _series_runs(entries)),
        "reflections": [{"key": e.get("key"), "prompt": e.get("prompt"), "text": e.get("text")}
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
           "summary_html", "skills_used", "endings_reached", "course_catalog", "checkin_chart_svg",
           "CLASS_FORMAT", "CLASS_VERSION"]
