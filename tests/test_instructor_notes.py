"""The instructors' side of each lesson: a seminar plan, model answers, honest times, real vignette names.

Four ways the notes went wrong before (issue 12), each one a test here:

- a note cited a vignette ending ("reached *Heard*") that no vignette has;
- a lesson had no seminar plan in ``instructors/``;
- a "Your turn" or "Question:" in a notebook had no model answer in the seminar plan;
- a lesson's stated time (55 minutes) was far below what its reading and activities take;
- a discussion question at a vignette's ending had no model answer (issue 12, item 16).

How the time is estimated, in one place (the seminar plans print the same table): every word of
every Markdown cell read at 200 words a minute ("teaching"), plus a stated time for each
activity the notebook asks for ("exercises"). Activities are counted from the notebook and the
course's data files themselves, not from anything the lesson says about itself.

A transcript to mark (``mark("id")``) is mostly reading, and how much depends on the transcript:
about 1,300 to 1,700 words once its feedback and debrief are in. So it counts as its own words
at the same 200 a minute (everything the learner reads, see :func:`transcript_words`) plus a
stated time for marking and checking. A flat five minutes each, added by hand, had hidden half
of that (module 03's review, S18).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest
import yaml

import trustlab
import trustlab.data
import trustlab.journal
import trustlab.vignettes
from trustlab.journal import export
from trustlab.paths import course_root
from trustlab.vignettes import load_vignette

ROOT = course_root()
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NOTES = sorted((ROOT / "instructors").glob("*.md"))

WORDS_PER_MINUTE = 200
MINUTES = {  # stated minutes per activity; a seminar plan's timing table must say the same for each it uses
    "vignette play-through": 10,
    "replay after Step back": 3,
    "drill item": 3,
    "chart and its question": 3,
    "lab check": 4,
    "quiz item": 1.5,
    "reflection": 4,
    "task": 2,
    "transcript to mark": 3,  # marking, checking, and the feedback on a line marked by mistake; plus its words
    "GAS worksheet": 10,  # gas("m04..."): a goal or two in a client's words, five levels each, a weight, a score
    "series session": 10,  # one session of a series (play("five_sessions")): its choices, a step back, the check-in
}
TOLERANCE = 0.15  # a stated time may differ from the estimate by at most 15%
SPLIT_ABOVE = 60  # minutes: a longer lesson comes in parts of at most this long, with a break between them
OPEN_TASK = re.compile(r"\*\*(Your turn|Question)\b|^#+ .*Your turn", re.M)
CHART_CALL = re.compile(r"\b(\w+_chart|explore_correlation)\(")
PLAYED = re.compile(r"\bplay\(\s*[\"']([a-z0-9_]+)[\"']")
MARKED = re.compile(r"\bmark\(\s*[\"']([a-z0-9_]+)[\"']")
QUIZ = re.compile(r"\bquiz\(\s*[\"'](m\d\d)[\"']\s*(?:,\s*[\"']([a-z0-9_]+)[\"'])?")
ENDINGS_SECTION = "At the vignettes' endings"  # a ### section under "## Model answers"
VIGNETTE_GROUP = re.compile(r"^\*\*Vignette `([a-z0-9_]+)`", re.M)  # **Vignette `id`: "Title"**
QUESTION = re.compile(r"\*\*“(.+?)”\*\*", re.S)  # **“question, word for word”** then its model answer
MIN_ANSWER_WORDS = 25  # two to four sentences; fewer words cannot name a skill and what to listen for


def ids(paths):
    return [p.name for p in paths]


# --- reading notebooks ------------------------------------------------------------------------------

def words(text: str) -> int:
    return len(text.split())


def module_of(path: Path) -> str:
    """``01_first_session_impressions.ipynb`` -> ``m01``."""
    return f"m{path.name[:2]}"


def plan_for(lesson: Path) -> Path:
    return ROOT / "instructors" / f"{lesson.stem}.md"


def exercises_for(lesson: Path) -> list[Path]:
    return sorted((ROOT / "exercises").glob(f"{lesson.name[:2]}_*.ipynb"))


def open_task_headings(path: Path) -> list[str]:
    """The heading of every cell that asks for a written or spoken answer ("Your turn", "Question:")."""
    cells = nbformat.read(path, as_version=4).cells
    found = []
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and OPEN_TASK.search(cell.source):
            heading = nearest_heading(cells, index)
            if heading not in found:
                found.append(heading)
    return found


def nearest_heading(cells: list, index: int) -> str:
    """The heading above the task: in its own cell (up to the task's line), else in an earlier cell."""
    lines = cells[index].source.split("\n")
    upto = next(i for i, line in enumerate(lines) if OPEN_TASK.search(line))
    above = [m.group(1) for line in lines[: upto + 1] if (m := re.match(r"#+\s+(.+?)\s*$", line))]
    if above:
        return above[-1]
    for cell in reversed(cells[:index]):
        if cell.cell_type == "markdown":
            found = re.findall(r"^#+\s+(.+?)\s*$", cell.source, flags=re.M)
            if found:
                return found[-1]
    return ""


# --- the time estimate ------------------------------------------------------------------------------

def drill_items(module: str) -> int:
    path = ROOT / "data" / "practice" / f"{module}.yaml"
    return len(yaml.safe_load(path.read_text(encoding="utf-8"))["items"]) if path.exists() else 0


def quiz_items(module: str, named_set: str | None = None) -> int:
    """How many items ``quiz(module)`` shows, or ``quiz(module, named_set)`` for a named set."""
    path = ROOT / "data" / "checks" / f"{module}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return len(doc["sets"][named_set]["items"] if named_set else doc.get("quiz", []))


def transcript_words(transcript_id: str) -> int:
    """Every word a learner reads in a transcript to mark, once through and once after checking.

    The intro, content note and client card; each marker's label and definition; every line
    with its cue; the feedback on every marker line (the check shows it whether the line was
    found or missed); and the debrief. A distractor's feedback shows only on a line marked by
    mistake, so it is left to the stated marking minutes.
    """
    path = ROOT / "data" / "transcripts" / f"{transcript_id}.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = [doc["intro"], doc.get("content_note") or "", doc["client"]["name"], doc["client"]["background"],
             *(f"{m['label']} {m['definition']}" for m in doc["markers"].values()),
             *(f"{line['text']} {line.get('cue') or ''}" for line in doc["lines"]),
             *(answer["feedback"] for answer in doc["answers"].values()), doc["debrief"]]
    return sum(words(text) for text in texts)


def series_sessions(played: str) -> int:
    """How many sessions the series ``played`` chains (0 when it is a single vignette)."""
    path = ROOT / "data" / "vignettes" / "series" / f"{played}.yaml"
    return len(yaml.safe_load(path.read_text(encoding="utf-8"))["sessions"]) if path.exists() else 0


def series_share(cell, played: str, module: str) -> int:
    """The sessions of series ``played`` that this cell's ``play(...)`` counts.

    A series is one player that picks up where the learner stopped, so a lesson may call it
    once per part: the calls share the sessions in order, the earlier calls taking the larger
    share (five sessions over two calls: three, then two). A cell that is not in the module's
    lesson (a test's made-up cell) counts the whole series.
    """
    total = series_sessions(played)
    lesson = next(iter(sorted((ROOT / "notebooks").glob(f"{module[1:]}_*.ipynb"))), None)
    calls = [c.get("id") for c in nbformat.read(lesson, as_version=4).cells
             if c.cell_type == "code" and played in PLAYED.findall(c.source)] if lesson else []
    if cell.get("id") not in calls:
        return total
    base, extra = divmod(total, len(calls))
    return base + (1 if calls.index(cell.get("id")) < extra else 0)


def activities(cells: list, module: str) -> Counter:
    """What the cells ask a learner to do, counted from the cells and the course's data files."""
    found: Counter = Counter()
    for index, cell in enumerate(cells):
        source = cell.source
        if cell.cell_type == "code":
            series = [p for p in PLAYED.findall(source) if series_sessions(p)]
            found["series session"] += sum(series_share(cell, p, module) for p in series)
            plays = len(re.findall(r"\bplay\(", source)) - len(series)
            found["vignette play-through"] += plays
            found["replay after Step back"] += plays
            found["drill item"] += len(re.findall(r"\bpractice\(", source)) * drill_items(module)
            found["chart and its question"] += len(CHART_CALL.findall(source))
            found["lab check"] += len(re.findall(r"\bcheck\(", source))
            found["quiz item"] += sum(quiz_items(m, named_set or None) for m, named_set in QUIZ.findall(source))
            found["transcript to mark"] += len(MARKED.findall(source))
            found["reflection"] += len(re.findall(r"\breflect\(", source))
            found["GAS worksheet"] += len(re.findall(r"\bgas\(", source))
        elif OPEN_TASK.search(source):
            after = cells[index + 1] if index + 1 < len(cells) else None
            before = cells[index - 1] if index else None
            introduces_code = after is not None and after.cell_type == "code"
            asks_about_a_chart = before is not None and before.cell_type == "code" \
                and CHART_CALL.search(before.source)
            if not introduces_code and not asks_about_a_chart:
                found["task"] += 1  # a task of its own, not the instructions for the next cell
    return found


def marked_transcripts(cells: list) -> list[str]:
    """The transcripts the cells ask the learner to mark, once per ``mark(...)`` call."""
    return [t for c in cells if c.cell_type == "code" for t in MARKED.findall(c.source)]


def estimate(cells: list, module: str) -> dict[str, float]:
    teaching = sum(words(c.source) for c in cells if c.cell_type == "markdown") / WORDS_PER_MINUTE
    transcripts = sum(transcript_words(t) for t in marked_transcripts(cells)) / WORDS_PER_MINUTE
    exercises = sum(MINUTES[kind] * n for kind, n in activities(cells, module).items()) + transcripts
    return {"teaching": teaching, "exercises": exercises, "total": teaching + exercises}


def parts(cells: list) -> list[list]:
    """The lesson's parts, split after each "Take a break" cell (one part if there is none)."""
    breaks = [i + 1 for i, cell in enumerate(cells)
              if cell.cell_type == "markdown" and re.match(r"#+\s+Take a break", cell.source)]
    bounds = [0, *breaks, len(cells)]
    return [cells[start:end] for start, end in zip(bounds, bounds[1:])]


def part_problems(cells: list, module: str) -> list[str]:
    """What is wrong with a long lesson's parts: too few, one over an hour, no recap, a break that forgets the journal."""
    pieces = parts(cells)
    if len(pieces) < 2:
        return [f"it takes over {SPLIT_ABOVE} minutes: split it with a '## Take a break' cell"]
    problems = []
    for number, piece in enumerate(pieces, start=1):
        minutes = estimate(piece, module)["total"]
        if minutes > SPLIT_ABOVE:
            problems.append(f"Part {number} takes about {minutes:.0f} min; split it so no part is over {SPLIT_ABOVE}")
        opening = next((c.source for c in piece if c.cell_type == "markdown"), "")
        if number > 1 and not (re.match(rf"#+\s+Part {number}\b", opening) and "Where you are" in opening):
            problems.append(f"Part {number} must open with its heading and a short 'Where you are' recap")
    problems += ["each break must say the journal has saved the work"
                 for piece in pieces[:-1] if "journal" not in piece[-1].source]
    return problems


def stated(title: str) -> dict:
    """The times a title cell states: total, teaching, exercises and, if split, each part."""
    total = re.search(r"\*\*Time:\*\*\s+about (\d+) minutes", title)
    split = re.search(r"teaching (\d+) min, exercises (\d+) min", title)
    assert total and split, "the title cell must say '**Time:** about N minutes ... (teaching N min, exercises N min)'"
    return {"total": int(total.group(1)), "teaching": int(split.group(1)), "exercises": int(split.group(2)),
            "parts": [int(m) for m in re.findall(r"\*\*Part \d[^*]*\*\*[^\n(]*\(about (\d+) min", title)]}


def close(stated_minutes: float, computed: float) -> bool:
    return abs(stated_minutes - computed) <= TOLERANCE * computed


# --- the seminar plans ------------------------------------------------------------------------------

def section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a Markdown file ('' if there is none)."""
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    return match.group(1) if match else ""


def model_answer_headings(plan_text: str, where: str) -> dict[str, str]:
    """``#### heading`` -> its text, under ``### In the lesson`` or ``### In the exercises``."""
    answers = section(plan_text, "Model answers")
    part = re.search(rf"^### In the {where}\s*$(.*?)(?=^### |\Z)", answers, flags=re.M | re.S)
    if not part:
        return {}
    blocks = re.split(r"^#### ", part.group(1), flags=re.M)[1:]
    return {block.split("\n", 1)[0].strip(): block.split("\n", 1)[1] if "\n" in block else ""
            for block in blocks}


def flat(text: str) -> str:
    """Whitespace folded: a question wrapped over two lines of Markdown is still the same question."""
    return " ".join(text.split())


def played_vignettes(lesson: Path) -> list[str]:
    """The vignettes a lesson plays (``play("not_my_idea")`` in a code cell), in order."""
    found: list[str] = []
    for cell in nbformat.read(lesson, as_version=4).cells:
        if cell.cell_type == "code":
            found += [v for v in PLAYED.findall(cell.source) if v not in found]
    return found


def asked_at_endings(vignette_id: str) -> dict[str, list[str]]:
    """Ending title -> its discussion questions, read from the vignette itself (a series: its outcomes)."""
    if series_sessions(vignette_id):
        path = ROOT / "data" / "vignettes" / "series" / f"{vignette_id}.yaml"
        outcomes = yaml.safe_load(path.read_text(encoding="utf-8"))["outcomes"].values()
        return {outcome["title"]: list(outcome.get("discussion") or []) for outcome in outcomes}
    return {ending.title: list(ending.discussion) for ending in load_vignette(vignette_id).endings.values()}


def answer_groups(lesson: Path) -> list[str]:
    """The vignettes whose ending questions the plan must answer: each one played, and for a
    series the series itself (its outcomes' questions) and then each of its sessions."""
    found: list[str] = []
    for played in played_vignettes(lesson):
        path = ROOT / "data" / "vignettes" / "series" / f"{played}.yaml"
        sessions = yaml.safe_load(path.read_text(encoding="utf-8"))["sessions"] if path.exists() else []
        found += [v for v in (played, *sessions) if v not in found]
    return found


def ending_answers(plan_text: str) -> dict[str, dict[str, dict[str, str]]]:
    """Vignette id -> ending title -> question (word for word, whitespace folded) -> its model answer.

    Read from ``### At the vignettes' endings`` under ``## Model answers``: a ``**Vignette `id`...**``
    line opens each vignette's group, ``#### <ending title>`` each ending, and ``**“question”**`` each
    answer. The question is matched word for word, so rewording it in the vignette (or in the plan)
    leaves the old answer unmatched: an answer must follow the question students actually see.
    """
    answers = section(plan_text, "Model answers")
    part = re.search(rf"^### {re.escape(ENDINGS_SECTION)}\s*$(.*?)(?=^### |\Z)", answers, flags=re.M | re.S)
    if not part:
        return {}
    pieces = VIGNETTE_GROUP.split(part.group(1))
    found: dict[str, dict[str, dict[str, str]]] = {}
    for vignette_id, body in zip(pieces[1::2], pieces[2::2]):
        endings = found.setdefault(vignette_id, {})
        for block in re.split(r"^#### ", body, flags=re.M)[1:]:
            title, _, text = block.partition("\n")
            marks = list(QUESTION.finditer(text))
            ends = [m.start() for m in marks[1:]] + [len(text)]
            endings[title.strip()] = {flat(m.group(1)): flat(text[m.end():end]) for m, end in zip(marks, ends)}
    return found


def discussion_problems(answered: dict[str, dict[str, str]], asked: dict[str, list[str]]) -> list[str]:
    """What is missing, thin or stale between a vignette's endings and the plan's answers for them."""
    problems = []
    for title, questions in asked.items():
        given = answered.get(title)
        if given is None:
            problems.append(f"no '#### {title}' for the ending titled '{title}'")
            continue
        wanted = [flat(q) for q in questions]
        for question in wanted:
            if question not in given:
                problems.append(f"'{title}': no model answer for “{question}”")
            elif words(given[question]) < MIN_ANSWER_WORDS:
                problems.append(f"'{title}': the model answer for “{question}” is too thin")
        problems += [f"'{title}': answers “{q}”, which the vignette does not ask (reworded or removed?)"
                     for q in given if q not in wanted]
    problems += [f"'#### {title}' is not the title of any ending of this vignette" for title in answered
                 if title not in asked]
    return problems


def timing_table(plan_text: str) -> dict[str, float]:
    """The per-activity minutes a plan states in its "How long the lesson takes" section."""
    table = section(plan_text, "How long the lesson takes")
    rows = re.findall(r"^\|\s*([^|]+?)\s*\|\s*([\d.]+) min(?:utes)? each\s*\|", table, flags=re.M)
    return {name: float(value) for name, value in rows}


# --- what a vignette reference can name -------------------------------------------------------------

def vignette_names() -> tuple[set[str], set[str]]:
    """Every id (vignette, scene, ending, meter, skill) and every ending title the vignettes hold."""
    names, titles = set(), set()
    for path in (ROOT / "data" / "vignettes").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.stem == "skills":
            names |= set(doc)
            continue
        names |= {doc["id"], *doc.get("scenes", {}), *doc.get("endings", {}), *doc.get("meters", {})}
        names |= {flag for scene in doc.get("scenes", {}).values() for choice in scene.get("choices", [])
                  for flag in (*(choice.get("sets") or []), *(choice.get("clears") or []))}  # a series' flags
        titles |= {_plain(e["title"]) for e in doc.get("endings", {}).values()}
    for path in (ROOT / "data" / "vignettes" / "series").glob("*.yaml"):  # a series: its outcomes end it
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        names |= {doc["id"], *doc.get("outcomes", {}), *doc.get("meters", {}),
                  *(item["id"] for item in doc.get("checkin", {}).get("items", [])),
                  "low_checkin", *(f"low_{item['id']}" for item in doc.get("checkin", {}).get("items", []))}
        titles |= {_plain(o["title"]) for o in doc.get("outcomes", {}).values()}
    return names, titles


def other_course_names() -> set[str]:
    """Identifiers that are not vignette parts: schema fields, datasets, checks, drills, functions."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):
                    found.update(value)
                if key == "enum" and isinstance(value, list):
                    found.update(v for v in value if isinstance(v, str))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (ROOT / "data" / "schemas").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    # the packages the course installs, and the parts of an nbgitpuller link (teaching-with-jupyterhub.md)
    for path in ROOT.glob("requirements*.txt"):
        found.update(re.findall(r"^([A-Za-z][\w.-]*)", path.read_text(encoding="utf-8"), re.M))
    found.update({"trustlab", "repo", "branch", "main", "urlpath", "targetpath"})
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        found.add(res["name"])
        found.update(f["name"] for f in res["schema"]["fields"])
        found.update(v for f in res["schema"]["fields"] for v in f.get("constraints", {}).get("enum", []))
    for path in (ROOT / "data" / "checks").glob("*.yaml"):
        found.add(path.stem)
        found.update(yaml.safe_load(path.read_text(encoding="utf-8"))["items"])
    skills = yaml.safe_load((ROOT / "data" / "vignettes" / "skills.yaml").read_text(encoding="utf-8"))
    found.update(key for skill in skills.values() for key in skill)  # a skill's fields: label, kind, ...
    found.update(skill["kind"] for skill in skills.values())  # builds, risks
    for path in (ROOT / "data" / "practice").glob("*.yaml"):
        found.update(item["id"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"])
    for module in (trustlab, trustlab.data, trustlab.journal, trustlab.vignettes):
        found.update(module.__all__)
    found.update(export.class_record({}))  # the anonymous class file's fields, as the course writes them
    found.update({"yes", "no", "on", "off", "true", "false",  # YAML's booleans, quoted in the guide
                  "check", "paths"})  # the vignette command line's two commands
    return found


def _plain(text: str) -> str:
    return re.sub(r"[\"“”*]", "", text).strip().lower()


def without_code_blocks(text: str) -> str:
    """Fenced blocks hold made-up examples (``my_vignette``, ``scenes.sleep``): only prose is checked."""
    return re.sub(r"```.*?```", "", text, flags=re.S)


def unknown_vignette_references(text: str, names: set[str], titles: set[str], others: set[str]) -> list[str]:
    """Backticked ids that name nothing in the course, plays of missing vignettes, and made-up ending titles."""
    prose = without_code_blocks(text)
    problems = []
    for token in re.findall(r"`([^`\n]+)`", prose):
        for played in re.findall(r"play\(\"([^\"]+)\"\)", token):
            if played not in names:
                problems.append(f"play(\"{played}\"): no such vignette")
        module = re.fullmatch(r"m\d\d", token)  # a module code, such as m05 for a module still planned
        if re.fullmatch(r"[a-z][a-z0-9_]*", token) and not module and token not in names | others:
            problems.append(f"`{token}`: no vignette, scene, ending, meter or skill has this id")
    cited = r"\b(?:reach\w*|ending)\s+(?:the\s+)?(?:\*([^*\n]+)\*|\"([^\"\n]+)\"|“([^”\n]+)”)"
    for match in re.finditer(cited, prose):
        title = _plain(next(g for g in match.groups() if g))
        if title not in titles:
            problems.append(f"{match.group(0)!r}: no vignette has an ending with this title")
    return problems


# --- the tests --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lesson", LESSONS, ids=ids(LESSONS))
def test_every_lesson_has_a_seminar_plan(lesson):
    plan = plan_for(lesson)
    assert plan.exists(), f"{lesson.name} has no seminar plan: write instructors/{plan.name}"
    text = plan.read_text(encoding="utf-8")
    assert "90-minute" in text and "## Plan at a glance" in text, f"{plan.name}: not a 90-minute seminar plan"


@pytest.mark.parametrize("lesson", LESSONS, ids=ids(LESSONS))
def test_every_open_task_has_a_model_answer_in_the_seminar_plan(lesson):
    plan, name = plan_for(lesson).read_text(encoding="utf-8"), plan_for(lesson).name
    for where, notebooks in (("lesson", [lesson]), ("exercises", exercises_for(lesson))):
        answers = model_answer_headings(plan, where)
        for notebook in notebooks:
            for heading in open_task_headings(notebook):
                assert heading in answers, (
                    f"{notebook.name}: '{heading}' asks an open question or sets a task, but {name} "
                    f"has no '#### {heading}' under '## Model answers' › '### In the {where}'")
                assert words(answers[heading]) >= 20, f"{name}: the model answer for '{heading}' is too thin"


@pytest.mark.parametrize("lesson", LESSONS, ids=ids(LESSONS))
def test_every_discussion_question_at_a_vignette_ending_has_a_model_answer(lesson):
    plan = plan_for(lesson)
    answers = ending_answers(plan.read_text(encoding="utf-8"))
    for vignette_id in answer_groups(lesson):
        assert vignette_id in answers, (
            f"{lesson.name} plays '{vignette_id}', but {plan.name} has no '**Vignette `{vignette_id}`...**' "
            f"group under '## Model answers' › '### {ENDINGS_SECTION}'")
        problems = discussion_problems(answers[vignette_id], asked_at_endings(vignette_id))
        assert problems == [], f"{plan.name}, {vignette_id}: " + "; ".join(problems)
    stray = set(answers) - set(answer_groups(lesson))
    assert not stray, f"{plan.name} answers questions for vignettes its lesson does not play: {sorted(stray)}"


@pytest.mark.parametrize("lesson", LESSONS, ids=ids(LESSONS))
def test_stated_time_matches_reading_plus_activities(lesson):
    cells = nbformat.read(lesson, as_version=4).cells
    says, computed = stated(cells[0].source), estimate(cells, module_of(lesson))
    for key in ("total", "teaching", "exercises"):
        assert close(says[key], computed[key]), (
            f"{lesson.name}: the title says {key} {says[key]} min; reading at {WORDS_PER_MINUTE} words a "
            f"minute plus the activities gives {computed[key]:.0f} min")
    pieces = parts(cells)
    if len(pieces) > 1:
        assert len(says["parts"]) == len(pieces), f"{lesson.name}: the title must give each part's time"
        for number, (minutes, piece) in enumerate(zip(says["parts"], pieces), start=1):
            part_estimate = estimate(piece, module_of(lesson))["total"]
            assert close(minutes, part_estimate), \
                f"{lesson.name}: Part {number} is stated as {minutes} min; the estimate is {part_estimate:.0f} min"


@pytest.mark.parametrize("lesson", LESSONS, ids=ids(LESSONS))
def test_a_lesson_longer_than_an_hour_has_a_break_and_a_recap(lesson):
    cells = nbformat.read(lesson, as_version=4).cells
    if estimate(cells, module_of(lesson))["total"] <= SPLIT_ABOVE:
        return
    problems = part_problems(cells, module_of(lesson))
    assert problems == [], f"{lesson.name}: " + "; ".join(problems)


@pytest.mark.parametrize("lesson", LESSONS, ids=ids(LESSONS))
def test_the_plan_states_the_minutes_the_estimate_uses(lesson):
    table = timing_table(plan_for(lesson).read_text(encoding="utf-8"))
    used = {kind for kind, n in activities(nbformat.read(lesson, as_version=4).cells, module_of(lesson)).items() if n}
    wanted = {k: float(v) for k, v in MINUTES.items()}
    assert used <= set(table), (f"{plan_for(lesson).name}: the 'How long the lesson takes' table must give the "
                                f"minutes for {sorted(used - set(table))}: {MINUTES}")
    assert all(table[k] == wanted.get(k) for k in table), \
        f"{plan_for(lesson).name}: the 'How long the lesson takes' table must list these minutes: {MINUTES}"


@pytest.mark.parametrize("note", NOTES, ids=ids(NOTES))
def test_instructor_notes_cite_only_vignettes_scenes_and_endings_that_exist(note):
    names, titles = vignette_names()
    problems = unknown_vignette_references(note.read_text(encoding="utf-8"), names, titles, other_course_names())
    assert problems == [], f"{note.name}: " + "; ".join(problems)


# --- the checks above can fail ----------------------------------------------------------------------

def test_a_cited_ending_that_does_not_exist_is_caught():
    names, titles = vignette_names()
    others = other_course_names()
    assert unknown_vignette_references('Show totals ("9 of 14 reached *Heard*").', names, titles, others)
    assert unknown_vignette_references("Step back from `what_changed_gaurded`.", names, titles, others)
    assert unknown_vignette_references('Project it: `play("not_my_ideas")`.', names, titles, others)
    real = next(iter(titles))
    assert unknown_vignette_references(f"Most reached *{real}*.", names, titles, others) == []


def test_an_unanswered_task_and_an_untimed_lesson_are_caught():
    title = "# 99 · A test\n\n**Time:** about 5 minutes (teaching 3 min, exercises 2 min)"
    cells = [nbformat.v4.new_markdown_cell(title),
             nbformat.v4.new_markdown_cell("## A section\n\n" + "word " * 2000 + "\n\n**Your turn:** write one line.")]
    computed = estimate(cells, "m99")
    assert computed["teaching"] > 2000 / WORDS_PER_MINUTE and computed["exercises"] == MINUTES["task"]
    assert not close(stated(cells[0].source)["total"], computed["total"])
    plan = "## Model answers\n\n### In the lesson\n\n#### Another section\n\n" + "answer " * 30
    assert "A section" not in model_answer_headings(plan, "lesson")


def test_a_part_over_an_hour_and_a_part_without_its_recap_are_caught():
    def lesson(*parts_minutes: int) -> list:
        cells = []
        for number, minutes in enumerate(parts_minutes, start=1):
            opening = f"## Part {number} · A part\n\n**Where you are.** A recap.\n\n" if number > 1 else "# 99\n\n"
            cells.append(nbformat.v4.new_markdown_cell(opening + "word " * (minutes * WORDS_PER_MINUTE)))
            cells.append(nbformat.v4.new_markdown_cell("## Take a break\n\nYour journal has saved your work."))
        return cells[:-1]

    assert part_problems(lesson(40, 50), "m99") == []
    assert part_problems(lesson(75, 50), "m99") == ["Part 1 takes about 75 min; split it so no part is over 60"]
    assert part_problems(lesson(40, 40, 70), "m99") == ["Part 3 takes about 70 min; split it so no part is over 60"]
    unlabelled = lesson(40, 40, 40)
    unlabelled[-1].source = unlabelled[-1].source.replace("## Part 3", "## More")
    assert part_problems(unlabelled, "m99") == ["Part 3 must open with its heading and a short 'Where you are' recap"]
    assert part_problems(lesson(130), "m99")[0].startswith("it takes over 60 minutes")


def test_a_transcript_to_mark_counts_its_lines_and_feedback_not_a_flat_five_minutes():
    """Reading the lines and the feedback on every marker line alone takes longer than five minutes."""
    doc = yaml.safe_load((ROOT / "data" / "transcripts" / "fine_whatever.yaml").read_text(encoding="utf-8"))
    lines = sum(len(f"{line['text']} {line.get('cue') or ''}".split()) for line in doc["lines"])
    feedback = sum(len(answer["feedback"].split()) for answer in doc["answers"].values())
    cells = [nbformat.v4.new_markdown_cell("**Your turn:** mark the transcript below."),
             nbformat.v4.new_code_cell('mark("fine_whatever")')]
    computed = estimate(cells, "m03")
    assert activities(cells, "m03") == Counter({"transcript to mark": 1})
    assert computed["exercises"] > (lines + feedback) / WORDS_PER_MINUTE + MINUTES["transcript to mark"] > 5
    twice = estimate(cells + [nbformat.v4.new_code_cell('mark("fine_whatever")')], "m03")
    assert twice["exercises"] == pytest.approx(2 * computed["exercises"])


def test_a_named_quiz_set_counts_its_own_items():
    """``quiz("m03", "supervision")`` shows the six supervision items, not the seven of the knowledge check."""
    doc = yaml.safe_load((ROOT / "data" / "checks" / "m03.yaml").read_text(encoding="utf-8"))
    cells = [nbformat.v4.new_code_cell('quiz("m03", "supervision")'), nbformat.v4.new_code_cell('quiz("m03")')]
    assert activities(cells, "m03")["quiz item"] == len(doc["sets"]["supervision"]["items"]) + len(doc["quiz"])
    assert len(doc["sets"]["supervision"]["items"]) != len(doc["quiz"])  # else the check above cannot tell them apart


def test_a_question_under_a_chart_is_part_of_the_chart_not_an_extra_task():
    cells = [nbformat.v4.new_code_cell("return_rate_chart(fs)"),
             nbformat.v4.new_markdown_cell("**Question:** which group has the longest line?"),
             nbformat.v4.new_markdown_cell("**Your turn:** play it.\n\nThen step back."),
             nbformat.v4.new_code_cell('play("not_my_idea")')]
    assert activities(cells, "m01") == Counter({"chart and its question": 1, "vignette play-through": 1,
                                                "replay after Step back": 1})


def test_a_reworded_or_unanswered_discussion_question_is_caught():
    plan = ("## Model answers\n\n### At the vignettes' endings\n\n**Vignette `first_contact`: \"A title\"**\n\n"
            "#### Booked on a promise\n\n**“Why is false reassurance so\ntempting?”** " + "answer " * 30 + "\n\n"
            "**“What would you say at the third session?”** " + "answer " * 30 + "\n\n## References\n")
    answered = ending_answers(plan)["first_contact"]
    asked = {"Booked on a promise": ["Why is false reassurance so tempting?",
                                     "What would you say at the third session?"]}
    assert discussion_problems(answered, asked) == []  # a question wrapped over two lines still matches

    reworded = {"Booked on a promise": ["Why is false reassurance so appealing?",
                                        "What would you say at the third session?"]}
    problems = discussion_problems(answered, reworded)
    assert any("no model answer" in p and "appealing" in p for p in problems)
    assert any("does not ask" in p and "tempting" in p for p in problems)

    retitled = {"Booked on a guarantee": asked["Booked on a promise"]}
    assert len(discussion_problems(answered, retitled)) == 2  # the new title unanswered, the old one stray

    thin = ending_answers(plan.replace("answer " * 30, "Yes.", 1))["first_contact"]
    assert any("too thin" in p for p in discussion_problems(thin, asked))

    assert ending_answers(plan.replace("### At the vignettes' endings", "### In the lesson")) == {}


def test_the_lessons_play_vignettes_whose_endings_ask_questions():
    """Guards the test above against passing on nothing: module 00 and 01 play vignettes with questions."""
    played = {v for lesson in LESSONS for v in played_vignettes(lesson)}
    assert {"first_contact", "not_my_idea", "video_first_session"} <= played
    assert all(questions for v in played for questions in asked_at_endings(v).values())
