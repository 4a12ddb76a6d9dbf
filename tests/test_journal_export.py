"""The two files a learner may hand in: a private offline portfolio and an anonymous class file.

The journal is built entry by entry as the widgets write it. The class-file tests search the
whole file for every piece of free text, so a new field that leaks words fails here.
"""

from __future__ import annotations

import getpass
import json
import re
from datetime import date
from html import escape
from pathlib import Path

import pytest

from trustlab.journal.export import export_for_class, export_portfolio
from trustlab.journal.store import Journal

OLD_REFLECTION = "At first I thought trust was mostly about being friendly and agreeable."
REFLECTION = "Trust grew when my supervisor admitted a mistake <script>alert('hi')</script> and did not hide it."
PRIVATE = "I have never told anyone that my brother's counselor dismissed him."
SHARED = "Warmth without honesty felt hollow to me as a client."
RESPONSE = "It sounds like you're worried I will judge you for missing last week."
COUNSELOR_LINES = ("No problem at all. Come in, have a seat wherever feels comfortable.",
                   "It sounds like the nights are when the worry gets loudest.")
CHECK_SENTENCE = "because the alliance predicts outcome"

PATH = [
    {"scene": "arrival", "choice": 0, "text": COUNSELOR_LINES[0], "skill": "warmth",
     "meters": {"trust": 6, "openness": 9}},
    {"scene": "sleep", "choice": 0, "text": COUNSELOR_LINES[1], "skill": "reflection",
     "meters": {"trust": 8, "openness": 9}},
]
TRACE = [{"step": step, "label": label, "meter": meter, "value": value}
         for step, label, values in ((0, "start", (5, 9)), (1, "arrival", (6, 9)), (2, "sleep", (8, 9)))
         for meter, value in zip(("Trust", "Openness"), values)]


def add_choice(journal: Journal, step: int, attempt: str = "a1b2c3d4", ended: bool = False) -> None:
    """One vignette entry, as the recorder writes it after each choice."""
    journal.add("vignette", "m01", "mini", title="A short check-in", attempt=attempt, step=step,
                path=PATH[:step], ended=ended, ending="heard" if ended else None,
                ending_title="Heard" if ended else None, ending_kind="positive" if ended else None,
                trace=TRACE[:2 * (step + 1)], domain=[0, 10])


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    journal = Journal(tmp_path / "j.json")
    prompt = "Think of a time you trusted a helper. What did they **do**?"
    journal.add("reflection", "m00", "m00.first_trust", prompt=prompt, text=OLD_REFLECTION, share=False)
    journal.add("reflection", "m00", "m00.first_trust", prompt=prompt, text=REFLECTION, share=False)
    journal.add("reflection", "m00", "m00.private", prompt="What do you bring to this course?", text=PRIVATE,
                share=False)
    journal.add("reflection", "m01", "m01.warmth", prompt="When did warmth help?", text=SHARED, share=True)
    journal.add("drill", "m01", "m01.drill.missed_session", difficulty="intermediate",
                statement="I didn't come last week because I figured you'd be annoyed with me.",
                response=RESPONSE, criteria=["Names the feeling", "Avoids blame", "Invites more"],
                criteria_met=[True, True, False], self_rating=4, share=False)
    journal.add("check", "m00", "m00.q1", prompt="Which is the alliance?", answer="a", status="Not yet",
                correct=False)
    journal.add("check", "m00", "m00.q1", prompt="Which is the alliance?", answer="c", status="Correct",
                correct=True)
    journal.add("check", "m00", "m00.ex1", prompt="What percent?", answer="63.9", status="Correct", correct=True)
    journal.add("check", "m00", "m00.q4", prompt="True or false?", answer="True", status="Correct", correct=True)
    journal.add("check", "m00", "m00.ex5", prompt="Why?", answer=CHECK_SENTENCE, status="Not yet", correct=False)
    add_choice(journal, 1)
    add_choice(journal, 2, ended=True)
    add_choice(journal, 1, attempt="unfinished")
    return journal


@pytest.fixture
def portfolio(journal: Journal, tmp_path: Path) -> str:
    return export_portfolio(tmp_path / "out" / "portfolio.html", journal).read_text(encoding="utf-8")


@pytest.fixture
def class_text(journal: Journal, tmp_path: Path) -> str:
    return export_for_class(tmp_path / "out" / "class.json", journal).read_text(encoding="utf-8")


# --- the portfolio ----------------------------------------------------------------------------------

def test_the_portfolio_has_a_title_the_date_and_says_it_is_private(portfolio):
    assert "<title>My journal: Building Therapeutic Trust</title>" in portfolio
    today = date.today()
    assert f"Exported on {today.day} {today:%B %Y}" in portfolio
    assert "private to you" in portfolio and "made on your computer" in portfolio


def test_modules_come_in_order_each_with_a_heading(portfolio):
    assert "<h2>Module 00</h2>" in portfolio and "<h2>Module 01</h2>" in portfolio
    assert portfolio.index("<h2>Module 00</h2>") < portfolio.index("<h2>Module 01</h2>")


def test_only_the_latest_version_of_a_reflection_is_shown_with_its_prompt_and_time(portfolio):
    assert "Trust grew when my supervisor admitted a mistake" in portfolio
    assert OLD_REFLECTION not in portfolio
    assert "What did they <strong>do</strong>?" in portfolio  # the prompt is course Markdown
    assert "Saved " in portfolio and escape(PRIVATE) in portfolio  # the portfolio is the learner's own: all of it


def test_learner_text_is_escaped_so_nothing_in_it_runs(portfolio):
    assert "&lt;script&gt;alert(&#x27;hi&#x27;)&lt;/script&gt;" in portfolio
    assert "<script" not in portfolio.lower()


def test_the_drill_shows_statement_response_ticks_and_self_rating(portfolio):
    assert "you&#x27;d be annoyed with me" in portfolio and "intermediate" in portfolio
    assert "It sounds like you&#x27;re worried I will judge you" in portfolio
    assert "You ticked 2 of 3" in portfolio and 'aria-label="not ticked">–</span>Invites more' in portfolio
    assert "<strong>Self-rating:</strong> 4 of 5" in portfolio


def test_checks_show_the_latest_answer_status_and_attempts(portfolio):
    row = next(r for r in re.findall(r"<tr>.*?</tr>", portfolio) if "Which is the alliance?" in r)
    assert "<td>c</td><td>Correct</td><td>2</td>" in row


# --- headings: what the learner saw, never an internal key -----------------------------------------

KEYS = ("m00.first_trust", "m00.private", "m01.warmth", "m01.drill.missed_session", "m00.q1", "m00.ex1", "m00.q4",
        "m00.ex5", "first_trust", "missed_session")


def headings(page: str) -> list[str]:
    """The text of every item heading, tags stripped, as a screen reader's heading list reads it."""
    return [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h4[^>]*>(.*?)</h4>", page, re.S)]


@pytest.mark.parametrize("key", KEYS)
def test_no_internal_key_appears_anywhere_in_the_portfolio(portfolio, key):
    assert key not in portfolio


def test_item_headings_are_the_prompt_and_the_clients_words(portfolio):
    found = headings(portfolio)
    assert "Think of a time you trusted a helper. What did they do?" in found
    assert "What do you bring to this course?" in found
    assert any(h.startswith("Client: “I didn&#x27;t come last week") for h in found), found


def test_each_check_row_starts_with_its_question(portfolio):
    questions = [re.sub(r"<[^>]+>", "", row.split("</td>")[0]) for row in re.findall(r"<tr><td>.*?</tr>", portfolio)]
    assert questions == ["Which is the alliance?", "What percent?", "True or false?", "Why?"]


@pytest.fixture
def course_data(tmp_path, monkeypatch) -> Path:
    """The test fixtures as the course's data folder: a practice file and a checks file for module m99."""
    import shutil
    fixtures = Path(__file__).parent / "fixtures"
    data = tmp_path / "data"
    for folder in ("practice", "checks"):
        shutil.copytree(fixtures / folder, data / folder)
    monkeypatch.setenv("TRUSTLAB_DATA", str(data))
    return data


def test_old_entries_without_their_text_are_looked_up_in_the_course_files(tmp_path, course_data):
    import yaml
    practice = yaml.safe_load((course_data / "practice" / "m99.yaml").read_text(encoding="utf-8"))
    checks = yaml.safe_load((course_data / "checks" / "m99.yaml").read_text(encoding="utf-8"))
    journal = Journal(tmp_path / "old.json")  # entries as an older course version may have written them
    journal.add("drill", "m99", "m99.drill.b1", response="Tell me more.", criteria=[], criteria_met=[],
                self_rating=3, share=False)
    journal.add("check", "m99", "m99.share", answer="0.2", status="Correct", correct=True)
    page = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    statement = escape(practice["items"][0]["statement"])
    assert f"Client: “{statement}”" in headings(page)
    assert escape(checks["items"]["share"]["prompt"]) in page
    assert "m99.drill.b1" not in page and "m99.share" not in page


def test_entries_whose_text_cannot_be_found_get_a_plain_heading_not_a_key(tmp_path, course_data):
    journal = Journal(tmp_path / "old.json")
    journal.add("reflection", "m99", "m99.gone", text="Still mine.", share=False)
    journal.add("drill", "m99", "m99.drill.removed", response="Hmm.", criteria=[], criteria_met=[],
                self_rating=None, share=False)
    journal.add("check", "m99", "m99.removed", answer="b", status="Not yet", correct=False)
    page = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    assert {"Reflection (Module 99)", "Practice drill (Module 99)"} <= set(headings(page))
    assert "<tr><td>Question (Module 99)</td>" in page
    assert "Still mine." in page and "m99." not in page


def test_a_finished_vignette_shows_ending_choices_skills_and_an_inline_svg_chart(portfolio):
    assert "A short check-in" in portfolio and "Heard" in portfolio and "(positive)" in portfolio
    assert "No problem at all. Come in" in portfolio and "Warmth" in portfolio
    assert portfolio.count("<svg") == 1  # the unfinished attempt is left out
    assert "Trust went from 5 to 8; Openness stayed at 9." in portfolio


def test_each_path_chart_is_light_inline_svg_drawn_without_vega(journal, tmp_path, monkeypatch):
    """One chart per finished path: at a whole course's hundreds of paths, Vega per chart took half a minute."""
    import vl_convert

    def no_vega(*args, **kwargs):
        raise AssertionError("the portfolio must not render a chart through vl-convert")

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", no_vega)
    page = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    [svg] = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svg) < 8_000 and "<script" not in svg and "<image" not in svg
    assert 'role="img"' in svg and "Line chart of Trust, Openness after each of the 2 choices" in svg
    assert svg.count("<polyline") == 2 and ">Trust</text>" in svg and ">Openness</text>" in svg


def test_the_portfolio_loads_nothing_from_the_network(portfolio):
    without_namespaces = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", portfolio)  # SVG namespace names are not loads
    assert "http://" not in without_namespaces and "https://" not in without_namespaces
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", portfolio, re.I)
    assert "@import" not in portfolio and "url(" not in portfolio and "<link" not in portfolio


def test_the_portfolio_has_print_rules(portfolio):
    assert "@media print" in portfolio and "break-before: page" in portfolio and "break-inside: avoid" in portfolio


def test_the_portfolio_does_not_carry_what_would_link_it_to_the_class_file(portfolio, journal):
    assert journal.read()["learner_code"] not in portfolio and "a1b2c3d4" not in portfolio


# --- the class file ---------------------------------------------------------------------------------

def test_the_class_file_is_json_with_the_code_paths_endings_and_short_answers(class_text, journal):
    data = json.loads(class_text)
    assert data["format"] == "trustlab-class-export" and data["version"] == 2
    assert data["learner_code"] == journal.read()["learner_code"]
    assert data["exported"] == date.today().isoformat()
    [path] = data["vignettes"]
    assert path == {"vignette": "mini", "attempt": "a1b2c3d4", "ending": "heard", "ending_kind": "positive",
                    "choices": [{"scene": "arrival", "choice": 0, "skill": "warmth"},
                                {"scene": "sleep", "choice": 0, "skill": "reflection"}]}
    assert {c["key"]: (c["answer"], c["correct"]) for c in data["checks"]} == {
        "m00.q1": ("c", True), "m00.ex1": ("63.9", True), "m00.q4": ("True", True), "m00.ex5": (None, False)}
    # the debrief's "right at the first try": m00.q1 was first answered "a", which was not right
    assert {c["key"]: (c["first_answer"], c["first_correct"]) for c in data["checks"]} == {
        "m00.q1": ("a", False), "m00.ex1": ("63.9", True), "m00.q4": ("True", True), "m00.ex5": (None, False)}
    assert data["series"] == []
    assert data["drills"] == [{"key": "m01.drill.missed_session", "difficulty": "intermediate", "self_rating": 4,
                               "criteria_met": 2, "criteria_total": 3}]


@pytest.mark.parametrize("text", [OLD_REFLECTION, REFLECTION, "Trust grew", PRIVATE, "brother", RESPONSE,
                                  "worried I will judge", *COUNSELOR_LINES, "wherever feels", CHECK_SENTENCE])
def test_the_class_file_holds_no_free_text_that_was_not_shared(class_text, text):
    assert text not in class_text


def test_the_class_file_holds_no_path_user_name_or_time_of_day(class_text, tmp_path):
    assert str(tmp_path) not in class_text and "j.json" not in class_text
    user = getpass.getuser()
    assert not re.search(rf"\b{re.escape(user)}\b", class_text, re.I)  # "\b": "root" may be inside a word
    assert not re.search(r"\d\d:\d\d", class_text) and "saved_at" not in class_text


def test_a_shared_reflection_and_a_shared_drill_response_do_appear(journal, tmp_path):
    journal.add("drill", "m01", "m01.drill.missed_session", difficulty="intermediate", statement="...",
                response=RESPONSE, criteria=["Names the feeling"], criteria_met=[True], self_rating=5, share=True)
    data = json.loads(export_for_class(tmp_path / "class.json", journal).read_text(encoding="utf-8"))
    assert data["reflections"] == [{"key": "m01.warmth", "prompt": "When did warmth help?", "text": SHARED}]
    assert data["drills"][0]["response"] == RESPONSE and data["drills"][0]["criteria_met"] == 1


def test_unsharing_a_reflection_takes_it_out_again(journal, tmp_path):
    journal.add("reflection", "m01", "m01.warmth", prompt="When did warmth help?", text=SHARED, share=False)
    assert SHARED not in export_for_class(tmp_path / "class.json", journal).read_text(encoding="utf-8")


# --- edge cases -------------------------------------------------------------------------------------

def test_an_empty_journal_exports_both_files(tmp_path):
    journal = Journal(tmp_path / "empty" / "j.json")
    page = export_portfolio(tmp_path / "a" / "b" / "portfolio.html", journal).read_text(encoding="utf-8")
    assert "My journal: Building Therapeutic Trust" in page and "Your journal is empty so far" in page
    data = json.loads(export_for_class(tmp_path / "a" / "class.json", journal).read_text(encoding="utf-8"))
    assert data["learner_code"].startswith("L-")
    assert data["vignettes"] == data["checks"] == data["drills"] == data["reflections"] == []


def test_both_exports_return_the_path_they_wrote(journal, tmp_path):
    assert export_portfolio(tmp_path / "p.html", journal) == tmp_path / "p.html"
    assert export_for_class(str(tmp_path / "c.json"), journal) == tmp_path / "c.json"


def test_the_journal_defaults_to_the_one_in_TRUSTLAB_JOURNAL(journal, tmp_path, monkeypatch):
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(journal.path))
    assert "Trust grew" in export_portfolio(tmp_path / "p.html").read_text(encoding="utf-8")
    code = journal.read()["learner_code"]
    assert json.loads(export_for_class(tmp_path / "c.json").read_text())["learner_code"] == code


def test_a_path_played_in_the_real_player_exports(tmp_path):
    """End to end: the player's events, through the recorder, into both files."""
    from trustlab.journal.recorder import record_choice
    from trustlab.vignettes import load_vignette
    from trustlab.vignettes.player import Player

    journal = Journal(tmp_path / "j.json")
    mini = Path(__file__).parent / "fixtures" / "vignettes" / "mini.yaml"
    player = Player(load_vignette(mini), on_choice=lambda event: record_choice(event, journal))
    player.choose(1)
    player.proceed()
    player.choose(1)
    page = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    assert "<svg" in page and "Advised" in page and "Interrupting" in page
    [path] = json.loads(export_for_class(tmp_path / "c.json", journal).read_text())["vignettes"]
    assert path["ending"] == "advised" and path["ending_kind"] == "mixed"
    assert [c["skill"] for c in path["choices"]] == ["interrupting", "premature_advice"]


def test_class_file_keeps_only_structured_check_answers(tmp_path):
    from trustlab.journal import Journal
    from trustlab.journal.export import export_for_class

    journal = Journal(tmp_path / "j.json")
    for key, answer in [("m00.q1", "b"), ("m00.ex1", "63.9"), ("m00.ex5", "False"), ("m00.skill", "reflection"),
                        ("m00.name", "Priya")]:
        journal.add("check", "m00", key, prompt=None, answer=answer, status="Not yet", correct=False)
    data = json.loads(export_for_class(tmp_path / "class.json", journal).read_text())
    kept = {c["key"]: c["answer"] for c in data["checks"]}
    assert kept == {"m00.q1": "b", "m00.ex1": "63.9", "m00.ex5": "False", "m00.skill": None, "m00.name": None}
    assert "Priya" not in (tmp_path / "class.json").read_text()


def test_the_drill_difficulty_step_reaches_the_portfolio_and_the_class_file(tmp_path):
    """Deliberate practice's last step (how hard it felt, what to try next) is kept for the learner and the debrief."""
    from trustlab.journal.export import class_record, portfolio_html
    from trustlab.journal.store import Journal
    journal = Journal(tmp_path / "journal.sqlite3")
    journal.add("drill", "m01", "m01.b1", difficulty="beginner", response="I hear you.",
                criteria=["a", "b"], criteria_met=[True, False], self_rating=3,
                felt_difficulty="too_easy", next_step="up", next_difficulty="intermediate")
    doc = journal.read()
    html = portfolio_html(doc)
    assert "It felt:</strong> too easy." in html and "Suggested next: intermediate." in html
    drill = class_record(doc)["drills"][0]
    assert drill["felt_difficulty"] == "too_easy" and drill["next_difficulty"] == "intermediate"
    assert "response" not in drill
