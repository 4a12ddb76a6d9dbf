"""Transcripts to mark: the checker, the shipped files, scoring, the widget's kernel half and the journal.

The view (widget.js) is used in a real browser by tests/browser/test_transcript.py; here the
kernel's half is driven as the browser drives it, through the widget's comm. Broken fixtures
each state on their first line the exact ``FILE: LOCATION: PROBLEM (line N)`` the checker must
print, as the vignette checker's do.
"""

from __future__ import annotations

import html
import json
import logging
import re
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import ipywidgets as widgets
import jsonschema
import pytest

import trustlab
from trustlab import events
from trustlab.content import read_yaml
from trustlab.journal import Journal
from trustlab.journal.export import export_portfolio
from trustlab.journal.recorder import connect, disconnect
from trustlab.paths import course_root
from trustlab.transcripts import MarkError, TranscriptError, load_transcript, mark, score
from trustlab.transcripts.widget import CHECK_EVENT, TranscriptMarker, browser_payload

ROOT = course_root()
FIXTURES = Path(__file__).parent / "fixtures" / "transcripts"
MINI, TWO_KINDS = FIXTURES / "mini.yaml", FIXTURES / "two_kinds.yaml"
BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))
SHIPPED = sorted((ROOT / "data" / "transcripts").glob("*.yaml"))


def shipped_for(module: str) -> list[Path]:
    """The shipped transcripts of one module: each module's rules run on its own files only."""
    return [p for p in SHIPPED if load_transcript(p).module == module]
GUIDE = (ROOT / "instructors" / "writing-vignettes.md").read_text(encoding="utf-8")
# the module's percentages in shared/research/facts.md (outside the repository), with the citation each needs
FACTS = {"93%": "Blanchard & Farber", "72.6%": "Blanchard & Farber", "68%": "Macdonald & Morley"}


def run_checker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustlab.transcripts", *args], capture_output=True, text=True)


def expected_line(path: Path) -> str:
    """Each broken fixture states, on its first line, the problem line the checker must print."""
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return f"{path}: {first[len('# expect: '):]}"


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# --- the checker ------------------------------------------------------------------------------------

def test_every_shipped_transcript_passes_the_checker():
    result = run_checker("check")
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == f"{len(SHIPPED)} transcripts checked: all valid."


def test_the_fixtures_are_valid():
    result = run_checker("check", str(MINI), str(TWO_KINDS))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("path", [p for p in BROKEN if p.stem != "yaml_syntax"], ids=lambda p: p.stem)
def test_a_broken_transcript_gets_exit_1_and_its_exact_problem_line(path):
    result = run_checker("check", str(path))
    assert result.returncode == 1, result.stdout
    assert expected_line(path) in result.stdout.splitlines(), result.stdout


def test_yaml_that_does_not_parse_gets_exit_2_with_the_line():
    path = FIXTURES / "broken" / "yaml_syntax.yaml"
    result = run_checker("check", str(path))
    assert result.returncode == 2
    assert result.stdout.startswith(expected_line(path)), result.stdout


def test_anchors_and_aliases_get_exit_2_with_the_line():
    path = FIXTURES / "unreadable" / "alias.yaml"
    result = run_checker("check", str(path))
    assert result.returncode == 2 and result.stdout.startswith(expected_line(path)), result.stdout


def test_a_missing_file_gets_exit_2():
    result = run_checker("check", "no/such/transcript.yaml")
    assert result.returncode == 2 and "no/such/transcript.yaml: file not found" in result.stdout


def test_one_line_per_problem_each_naming_file_and_location():
    result = run_checker("check", *map(str, BROKEN))
    assert result.returncode == 2  # the worst of 1 and 2
    lines = result.stdout.splitlines()
    assert len(lines) == len(BROKEN), "each broken fixture has exactly one mistake, so one line each"
    for line in lines:
        assert re.match(r"^\S+\.yaml: [^:]+: .+", line), line


def test_a_misspelt_marker_is_reported_once_not_also_as_an_unused_marker():
    result = run_checker("check", str(FIXTURES / "broken" / "unknown_marker.yaml"))
    assert len(result.stdout.splitlines()) == 1, result.stdout


def test_two_files_with_the_same_id_are_reported(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mini.yaml").write_text(MINI.read_text())
    result = run_checker("check", str(tmp_path / "a" / "mini.yaml"), str(tmp_path / "b" / "mini.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'b' / 'mini.yaml'}: id: 'mini' is also the id of {tmp_path / 'a' / 'mini.yaml'}" \
        in result.stdout


def test_the_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text(MINI.read_text())
    result = run_checker("check", str(path))
    assert f"{path}: id: is 'mini' but the file is other.yaml; rename one so they match (line 3)" in result.stdout


# --- the schema and the shipped files ---------------------------------------------------------------

def test_the_schema_is_a_valid_json_schema():
    schema = json.loads((ROOT / "data" / "schemas" / "transcript.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_shipped_file_matches_the_schema_read_on_its_own(path):
    """A second reading, by plain jsonschema, so the checker's own path is not the only witness."""
    schema = json.loads((ROOT / "data" / "schemas" / "transcript.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(read_yaml(path)))
    assert errors == [], [e.message for e in errors]


def module_02() -> list:
    return [t for t in map(load_transcript, SHIPPED) if t.module == "m02"]


def test_module_02_has_at_least_two_transcripts_each_with_a_content_note():
    found = module_02()
    assert len(found) >= 2
    assert all(t.content_note for t in found)


@pytest.mark.parametrize("path", shipped_for("m02"), ids=lambda p: p.stem)
def test_a_module_02_transcript_has_enough_to_find_and_enough_to_doubt(path):
    t = load_transcript(path)
    assert 12 <= len(t.lines) <= 20
    by_kind = {kind: [t.line(lid) for lid, a in t.answers.items() if a.marker == kind] for kind in t.markers}
    assert set(by_kind) == {"judgment_leak", "shame_signal"}
    assert len(by_kind["judgment_leak"]) >= 2 and {ln.speaker for ln in by_kind["judgment_leak"]} == {"counselor"}
    assert len(by_kind["shame_signal"]) >= 2 and {ln.speaker for ln in by_kind["shame_signal"]} == {"client"}
    # plausible distractors on both sides, each with its own explanation
    speakers = [t.line(lid).speaker for lid in t.distractors]
    assert speakers.count("counselor") >= 2 and speakers.count("client") >= 2
    texts = [a.feedback for a in t.answers.values()] + list(t.distractors.values())
    assert len(set(texts)) == len(texts), "two lines share the same feedback"
    # the markers are spread through the conversation, not bunched where a guess would find them
    numbers = sorted(t.line(lid).number for lid in t.answers)
    assert numbers[0] <= len(t.lines) // 3 and numbers[-1] > len(t.lines) // 2


RUPTURE_KINDS = ("withdrawal", "confrontation")


def module_03() -> list:
    return [t for t in map(load_transcript, SHIPPED) if t.module == "m03"]


def test_module_03_has_a_transcript_leaning_each_way():
    """One conversation mostly moves away and one mostly moves against, so the learner meets both patterns."""
    leanings = []
    for t in module_03():
        count = {kind: sum(a.marker == kind for a in t.answers.values()) for kind in RUPTURE_KINDS}
        leanings.append(max(RUPTURE_KINDS, key=count.get) if count["withdrawal"] != count["confrontation"] else None)
    assert "withdrawal" in leanings and "confrontation" in leanings, leanings


@pytest.mark.parametrize("path", shipped_for("m03"), ids=lambda p: p.stem)
def test_a_module_03_transcript_has_both_kinds_of_rupture_and_look_alikes_of_each(path):
    """Module 03's rules: the counselor's lines cannot be marked (the checker refuses distractors there), so the
    look-alikes sit on both sides of the other line, the one between the kinds: client lines that could pass for
    withdrawal (a tired client saying so, a joke, a pause) and lines that could pass for confrontation (open
    disagreement, a plain correction), each opening with a bold heading that names the kind it is not."""
    t = load_transcript(path)
    assert 12 <= len(t.lines) <= 20
    assert set(t.markers) == set(RUPTURE_KINDS) and {m.speaker for m in t.markers.values()} == {"client"}
    for kind in RUPTURE_KINDS:
        lines = [t.line(lid) for lid, a in t.answers.items() if a.marker == kind]
        assert len(lines) >= 2 and {ln.speaker for ln in lines} == {"client"}, kind
    # plausible look-alikes of each kind, each saying which kind it is not
    looks_like = {kind: 0 for kind in RUPTURE_KINDS}
    for lid, feedback in t.distractors.items():
        heading = re.match(r"\*\*(.+?)\*\*", feedback)
        named = [kind for kind in RUPTURE_KINDS if heading and kind in heading[1].lower()]
        assert len(named) == 1, f"{lid}: open with a bold heading naming the one kind this line is not"
        looks_like[named[0]] += 1
    assert min(looks_like.values()) >= 2, looks_like
    # every line a learner can press has a note of its own, and no two notes are the same
    assert {ln.id for ln in t.lines if ln.speaker == "client"} == set(t.answers) | set(t.distractors)
    texts = [a.feedback for a in t.answers.values()] + list(t.distractors.values())
    assert len(set(texts)) == len(texts), "two lines share the same feedback"
    # the markers are spread through the conversation, not bunched where a guess would find them
    numbers = sorted(t.line(lid).number for lid in t.answers)
    assert numbers[0] <= len(t.lines) // 3 and numbers[-1] > len(t.lines) // 2
    # the counselor's lines include a repair late in the conversation, and the debrief points to it
    named = {int(n) for found in re.findall(r"\bat lines? ([\d, and]+)", t.debrief, re.I)
             for n in re.findall(r"\d+", found)}
    late_counselor = {ln.number for ln in t.lines if ln.speaker == "counselor" and ln.number > len(t.lines) // 2}
    assert "repair" in t.debrief and named & late_counselor, "the debrief should name the counselor's late repair"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_line_numbers_a_debrief_or_feedback_names_exist(path):
    t = load_transcript(path)
    for text in [t.debrief, *(a.feedback for a in t.answers.values()), *t.distractors.values()]:
        for found in re.findall(r"\blines? ([\d, and]+)", text):
            for number in map(int, re.findall(r"\d+", found)):
                assert 1 <= number <= len(t.lines), f"{path.name} names line {number}; it has {len(t.lines)}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_figure_in_a_transcript_comes_from_the_research_facts_with_its_source(path):
    t = load_transcript(path)
    texts = [t.intro, t.debrief, *(a.feedback for a in t.answers.values()), *t.distractors.values()]
    for text in texts:
        for figure in re.findall(r"\b\d+(?:\.\d+)?%", text):
            assert figure in FACTS, f"{path.name} quotes {figure}, which is not in shared/research/facts.md"
            assert FACTS[figure] in text, f"{path.name} quotes {figure} without citing {FACTS[figure]}"


def guide_rows() -> dict[str, dict[str, str]]:
    section = GUIDE.split("## Clients already in the course", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in section.splitlines()
            if line.startswith("|")]
    return {row[0]: dict(zip(rows[0], row)) for row in rows[2:]}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_each_transcript_client_is_in_the_authors_table_truthfully(path):
    t, rows = load_transcript(path), guide_rows()
    row = rows.get(t.client.name)
    assert row, f"{t.client.name} is missing from 'Clients already in the course'"
    assert row["Age"] == str(t.client.age)
    assert row["Occupation"].split()[-1].lower() in t.client.background.lower()
    [problem] = re.findall(r"\*\*(.+?)\*\*", row["Presenting problem"])
    assert problem.lower() in path.read_text(encoding="utf-8").lower()
    assert t.id in row["Where"]


# --- scoring ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mini():
    return load_transcript(MINI)


@pytest.fixture(scope="module")
def two():
    return load_transcript(TWO_KINDS)


def statuses(result) -> list[tuple[str, str]]:
    return [(r.line.id, r.status) for r in result.results]


def test_marking_exactly_the_answers_finds_them_all(mini):
    result = score(mini, ["small", "wow"])
    assert statuses(result) == [("small", "hit"), ("wow", "hit")]
    assert (result.found, result.total, result.false_alarms) == (2, 2, 0)
    assert result.summary == "You found 2 of 2 markers."
    assert [r.heading for r in result.results] == ["Found: Shame signal", "Found: Judgment leak"]
    assert [r.feedback for r in result.results] == ["Making it small, and looking away.",
                                                    "A raised eyebrow at a client's first words."]


def test_marking_nothing_shows_every_marker_as_missed_with_its_feedback(mini):
    result = score(mini, [])
    assert statuses(result) == [("small", "miss"), ("wow", "miss")]
    assert result.summary == "You found 0 of 2 markers."
    assert result.results[1].heading == "Missed: Judgment leak"
    assert result.results[1].feedback == "A raised eyebrow at a client's first words."


def test_a_distractor_marked_gets_its_own_note_and_any_other_line_the_definition(mini):
    result = score(mini, ["thanks", "plain", "wow"])  # given out of order: results follow the transcript
    assert statuses(result) == [("small", "miss"), ("wow", "hit"), ("plain", "false_alarm"),
                                ("thanks", "false_alarm")]
    plain, thanks = result.results[2], result.results[3]
    assert plain.heading == "Not a marker" and plain.feedback == "The disclosure itself, said plainly."
    assert "judgment leak" in thanks.feedback and mini.markers["judgment_leak"].definition in thanks.feedback
    assert result.summary == "You found 1 of 2 markers. 2 lines you marked are not markers."


def test_one_false_alarm_is_said_in_the_singular(mini):
    assert score(mini, ["small", "wow", "relief"]).summary == \
        "You found 2 of 2 markers. 1 line you marked is not a marker."


def test_lines_neither_marked_nor_carrying_a_marker_get_no_feedback(mini):
    assert {r.line.id for r in score(mini, ["plain"]).results} == {"small", "wow", "plain"}


def test_where_a_line_could_carry_two_kinds_the_kind_is_scored(two):
    result = score(two, {"fine": "confrontation", "waste": "confrontation", "okay": "withdrawal"})
    assert statuses(result) == [("fine", "wrong_kind"), ("waste", "hit"), ("okay", "false_alarm")]
    assert result.results[0].heading == "Right line, other kind: this is Withdrawal, not Confrontation"
    assert result.summary == ("You found 1 of 2 markers. On 1 more line you spotted a marker but named the other "
                              "kind. 1 line you marked is not a marker.")


@pytest.mark.parametrize("marks, why", [
    (["fine"], "could carry Withdrawal or Confrontation"),
    ({"ask": "withdrawal"}, "no marker in this transcript is for counselor lines"),
    (["nowhere"], "There is no line 'nowhere'"),
    ({"fine": "judgment_leak"}, "cannot carry 'judgment_leak'"),
])
def test_a_mark_that_cannot_be_scored_says_why(two, marks, why):
    with pytest.raises(MarkError, match=re.escape(why)):
        score(two, marks)


def test_a_mark_of_the_wrong_kind_for_its_speaker_is_refused(mini):
    with pytest.raises(MarkError, match="on counselor lines look for judgment_leak"):
        score(mini, {"wow": "shame_signal"})


# --- the widget, as the browser drives it ----------------------------------------------------------------

@pytest.fixture
def widget(mini):
    return TranscriptMarker(mini)


@pytest.fixture
def heard():
    seen: list = []
    unsubscribe = events.subscribe(CHECK_EVENT, seen.append)
    yield seen
    unsubscribe()


def from_browser(widget: TranscriptMarker, content) -> None:
    """Deliver a message as the browser's view sends it: a custom message on the widget's comm."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def test_mark_is_part_of_the_course_api():
    assert "mark" in trustlab.__all__ and trustlab.mark is mark
    assert isinstance(trustlab.mark("behind_on_rent"), TranscriptMarker)


def test_the_browser_gets_every_line_the_answers_and_the_words_to_show(mini):
    data = browser_payload(mini)
    assert [(ln["number"], ln["id"], ln["name"]) for ln in data["lines"]] == [
        (1, "hello", "Counselor"), (2, "small", "Ilse"), (3, "wow", "Counselor"), (4, "plain", "Ilse"),
        (5, "thanks", "Counselor"), (6, "relief", "Ilse")]
    assert data["lines"][1]["cue"] == "She laughs and looks away." and data["lines"][1]["kinds"] == ["shame_signal"]
    assert data["answers"]["wow"]["marker"] == "judgment_leak"
    assert text_of(data["answers"]["wow"]["feedback"]) == "A raised eyebrow at a client's first words."
    assert text_of(data["distractors"]["plain"]) == "The disclosure itself, said plainly."
    leak = next(m for m in data["markers"] if m["id"] == "judgment_leak")
    assert text_of(leak["not_a_marker"]).endswith(mini.markers["judgment_leak"].definition)
    assert data["crisis"] is None  # no content note, so no crisis lines


def test_a_sensitive_transcript_sends_its_content_note_with_the_crisis_lines():
    data = browser_payload(load_transcript("since_the_surgery"))
    assert "prostate cancer" in data["content_note"] and "988" in data["crisis"]


def test_course_markdown_arrives_as_html_with_raw_html_escaped(tmp_path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINI.read_text().replace("feedback: The disclosure itself, said plainly.",
                                             "feedback: 'The **disclosure** <script>alert(1)</script>'"))
    feedback = browser_payload(load_transcript(path))["distractors"]["plain"]
    assert "<strong>disclosure</strong>" in feedback and "<script>" not in feedback and "&lt;script&gt;" in feedback


def test_marks_and_a_check_from_the_browser_are_scored_and_reported_by_line_id(widget, heard):
    attempt = widget.progress["attempt"]
    from_browser(widget, {"action": "mark", "attempt": attempt, "line": "wow", "kind": "judgment_leak", "on": True})
    from_browser(widget, {"action": "mark", "attempt": attempt, "line": "plain", "kind": "shame_signal", "on": True})
    assert widget.progress["marks"] == {"wow": "judgment_leak", "plain": "shame_signal"}
    from_browser(widget, {"action": "check", "attempt": attempt,
                          "marks": {"wow": "judgment_leak", "plain": "shame_signal"}})
    assert widget.progress["checked"] is True
    [event] = heard
    assert (event.transcript_id, event.module, event.attempt) == ("mini", "m99", attempt)
    assert event.marks == [{"line": "wow", "number": 3, "marker": "judgment_leak"},
                           {"line": "plain", "number": 4, "marker": "shame_signal"}]
    assert [(r["line"], r["status"]) for r in event.results] == [("small", "miss"), ("wow", "hit"),
                                                                  ("plain", "false_alarm")]
    assert (event.found, event.total, event.false_alarms) == (1, 2, 1)


def test_try_again_from_the_browser_clears_the_marks_as_the_attempt_it_names(widget, heard):
    old = widget.progress["attempt"]
    from_browser(widget, {"action": "check", "attempt": old, "marks": {"small": "shame_signal"}})
    from_browser(widget, {"action": "again", "attempt": old, "new_attempt": "0a1b2c3d"})
    assert widget.progress == {"attempt": "0a1b2c3d", "marks": {}, "checked": False,
                               "revision": widget.progress["revision"]}
    from_browser(widget, {"action": "check", "attempt": "0a1b2c3d", "marks": {}})
    assert [e.attempt for e in heard] == [old, "0a1b2c3d"]


def test_headless_moves_tell_the_browser_to_redraw(widget, heard):
    before = widget.progress["revision"]
    widget.toggle("small")
    widget.toggle("wow")
    widget.toggle("wow")  # and off again
    assert widget.progress["marks"] == {"small": "shame_signal"} and widget.progress["revision"] == before + 3
    assert widget.check().summary == "You found 1 of 2 markers."
    assert widget.progress["checked"] is True and len(heard) == 1
    with pytest.raises(MarkError, match="Try again"):
        widget.toggle("wow")
    widget.try_again()
    assert widget.progress["marks"] == {} and widget.progress["checked"] is False


def test_a_line_that_could_carry_two_kinds_waits_for_the_learners_choice(two):
    widget = TranscriptMarker(two)
    widget.toggle("fine")
    assert widget.progress["marks"] == {"fine": None}
    with pytest.raises(MarkError, match="say which"):
        widget.check()
    widget.choose_kind("fine", "withdrawal")
    assert [r.status for r in widget.check().results] == ["hit", "miss"]


INVALID = {
    "another attempt": lambda w: {"action": "check", "attempt": "ffffffff", "marks": {}},
    "no attempt": lambda w: {"action": "check", "marks": {}},
    "a line that does not exist": lambda w: {"action": "check", "attempt": w.progress["attempt"],
                                             "marks": {"nowhere": "shame_signal"}},
    "a kind the line cannot carry": lambda w: {"action": "check", "attempt": w.progress["attempt"],
                                               "marks": {"wow": "shame_signal"}},
    "a kind that is not text": lambda w: {"action": "check", "attempt": w.progress["attempt"], "marks": {"wow": 1}},
    "marks that are not a mapping": lambda w: {"action": "check", "attempt": w.progress["attempt"],
                                               "marks": ["wow"]},
    "a mark on a line that does not exist": lambda w: {"action": "mark", "attempt": w.progress["attempt"],
                                                       "line": "nowhere", "kind": None, "on": True},
    "a mark without on or off": lambda w: {"action": "mark", "attempt": w.progress["attempt"], "line": "wow",
                                           "kind": None},
    "an unknown action": lambda w: {"action": "erase", "attempt": w.progress["attempt"]},
    "a new attempt without a valid id": lambda w: {"action": "again", "attempt": w.progress["attempt"],
                                                   "new_attempt": "<script>"},
    "not a dictionary": lambda w: ["check"],
    "nothing": lambda w: None,
}


@pytest.mark.parametrize("why", INVALID)
def test_an_invalid_message_from_the_browser_is_logged_and_ignored(widget, heard, caplog, capsys, why):
    before = dict(widget.progress)
    with caplog.at_level(logging.DEBUG):
        from_browser(widget, INVALID[why](widget))
    assert dict(widget.progress) == before and heard == []
    warnings = [r for r in caplog.records if r.name == "trustlab.transcripts.widget" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "ignored a message from the browser" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records), "a traceback was logged"
    assert "Traceback" not in capsys.readouterr().err


def test_a_second_check_before_try_again_is_ignored(widget, heard):
    attempt = widget.progress["attempt"]
    from_browser(widget, {"action": "check", "attempt": attempt, "marks": {}})
    from_browser(widget, {"action": "check", "attempt": attempt, "marks": {"wow": "judgment_leak"}})
    assert len(heard) == 1 and widget.progress["marks"] == {}


# --- mark(): load failures -------------------------------------------------------------------------

def test_a_broken_transcript_shows_its_problems_instead_of_a_traceback(monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    shown = mark(FIXTURES / "broken" / "unknown_marker.yaml")
    assert isinstance(shown, widgets.HTML) and "shame_signl" in shown.value
    assert 'role="alert"' in shown.value and "trustlab-load-error" in shown._dom_classes


def test_a_broken_transcript_fails_loudly_under_the_tests_strict_mode(monkeypatch):
    monkeypatch.setenv("TRUSTLAB_STRICT", "1")
    with pytest.raises(TranscriptError, match="shame_signl"):
        mark(FIXTURES / "broken" / "unknown_marker.yaml")


def test_a_missing_transcript_says_so_instead_of_passing_quietly(monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    shown = mark("no_such_transcript")
    assert "could not load" in shown.value and "no_such_transcript" in shown.value


# --- the journal and the portfolio -------------------------------------------------------------------

def test_the_journal_records_each_check_by_line_ids(monkeypatch, tmp_path, mini):
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "journal.sqlite3"))
    connect()
    try:
        widget = TranscriptMarker(mini)
        attempt = widget.progress["attempt"]
        from_browser(widget, {"action": "check", "attempt": attempt, "marks": {"small": "shame_signal",
                                                                               "thanks": "judgment_leak"}})
        from_browser(widget, {"action": "again", "attempt": attempt, "new_attempt": "0a1b2c3d"})
        from_browser(widget, {"action": "check", "attempt": "0a1b2c3d", "marks": {"small": "shame_signal",
                                                                                  "wow": "judgment_leak"}})
    finally:
        disconnect()
    entries = Journal(tmp_path / "journal.sqlite3").entries("transcript")
    assert [(e["module"], e["key"], e["attempt"]) for e in entries] == [("m99", "mini", attempt),
                                                                        ("m99", "mini", "0a1b2c3d")]
    assert [[m["line"] for m in e["marks"]] for e in entries] == [["small", "thanks"], ["small", "wow"]]
    assert [(r["line"], r["status"]) for r in entries[0]["results"]] == [
        ("small", "hit"), ("wow", "miss"), ("thanks", "false_alarm")]
    assert (entries[1]["found"], entries[1]["total"], entries[1]["false_alarms"]) == (2, 2, 0)


def test_the_portfolio_shows_the_latest_check_of_each_transcript_line_by_line(tmp_path, mini):
    from trustlab.journal.recorder import record_transcript

    journal = Journal(tmp_path / "journal.sqlite3")
    widget = TranscriptMarker(mini, on_check=lambda event: record_transcript(event, journal))
    widget.toggle("thanks")
    widget.check()
    widget.try_again()
    widget.toggle("small")
    widget.check()
    page = export_portfolio(tmp_path / "portfolio.html", journal).read_text(encoding="utf-8")
    section = page.split("<h3>Marked transcripts</h3>", 1)[1]
    assert "<h4>A short check-in</h4>" in section and "Checked 2 times" in section
    assert "You found 1 of 2 markers.</p>" in section  # the latest check, not the first
    rows = re.findall(r"<tr><td>(\d+)</td><td><strong>(\w+):</strong> “(.*?)”</td><td>(.*?)</td></tr>", section)
    assert rows == [("2", "Ilse", "Oh, nothing much. Silly stuff, really.", "Found: Shame signal"),
                    ("3", "Counselor", "Silly? Okay.", "Missed: Judgment leak")]


def test_course_text_in_the_portfolio_is_escaped(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("transcript", "m02", "odd", title="<b>Odd</b>", attempt="a1b2c3d4", marks=[],
                results=[{"line": "x", "number": 1, "speaker": "Counselor", "text": "<script>x</script>",
                          "status": "miss", "heading": "Missed: Judgment leak"}],
                found=0, total=1, false_alarms=0, summary="You found 0 of 1 marker.")
    page = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    assert "<script>x" not in page and "&lt;script&gt;x" in page and "&lt;b&gt;Odd" in page


# --- shipping ------------------------------------------------------------------------------------------

def test_the_view_and_its_styles_are_package_data():
    """A regular install (Binder's pip install .) must carry widget.js and widget.css (tests/test_binder.py
    runs that install for real)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["trustlab.transcripts"]
    for name in ("widget.js", "widget.css"):
        assert (ROOT / "trustlab" / "transcripts" / name).is_file()
        assert any(fnmatch(name, pattern) for pattern in patterns), f"{name} is not package data"
