"""The drill's last step (facts.md M2): say how hard a statement felt, get the next difficulty, keep both."""

from __future__ import annotations

import re

import ipywidgets as widgets
import pytest

from trustlab.difficulty import FELT, drill_order, next_difficulty, suggest
from trustlab.journal import Journal
from trustlab.journal.widgets import Drill, NextStep, load_practice, practice
from trustlab.paths import course_root


def statement(item_id: str, difficulty: str) -> dict:
    return {"id": item_id, "difficulty": difficulty, "statement": f"Client line {item_id}.",
            "models": ["One way.", "Another way."], "criteria": ["First", "Second", "Third"]}


# Two statements per level, written out of order: the drill shows them b1 b2 i1 i2 a1 a2 (numbers 1-6).
DRILL = [statement("a1", "advanced"), statement("b1", "beginner"), statement("i1", "intermediate"),
         statement("b2", "beginner"), statement("a2", "advanced"), statement("i2", "intermediate")]


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.json")


# --- the decision, without a kernel -----------------------------------------------------------

@pytest.mark.parametrize("level, felt, move, next_level", [
    ("beginner", "too_easy", "up", "intermediate"),
    ("beginner", "about_right", "stay", "beginner"),
    ("beginner", "too_hard", "stay", "beginner"),  # the easiest level: nowhere lower to go
    ("intermediate", "too_easy", "up", "advanced"),
    ("intermediate", "about_right", "stay", "intermediate"),
    ("intermediate", "too_hard", "down", "beginner"),
    ("advanced", "too_easy", "stay", "advanced"),  # the hardest level: nowhere higher to go
    ("advanced", "about_right", "stay", "advanced"),
    ("advanced", "too_hard", "down", "intermediate"),
])
def test_each_answer_moves_one_level_and_never_past_either_end(level, felt, move, next_level):
    assert next_difficulty(level, felt) == (move, next_level)


def test_the_learner_answers_in_three_plain_words():
    assert list(FELT.values()) == ["Too easy", "About right", "Too hard"]


def test_the_drill_shows_statements_easiest_first_keeping_the_file_order_within_a_level():
    assert [item["id"] for item in drill_order(DRILL)] == ["b1", "b2", "i1", "i2", "a1", "a2"]


@pytest.mark.parametrize("current, felt, item_id, number", [
    ("b1", "too_easy", "i1", 3),   # up: the first intermediate statement
    ("b1", "about_right", "b2", 2),  # stay: the next statement at the same level
    ("b2", "about_right", "b1", 1),  # ... wrapping round to the start of the level
    ("i2", "too_hard", "b1", 1),   # down: a beginner statement
    ("a2", "too_easy", "a1", 5),   # top edge: another advanced statement, not the same one again
    ("b2", "too_hard", "b1", 1),   # bottom edge: another beginner statement
])
def test_the_suggestion_points_to_a_statement_at_that_level_by_the_number_the_learner_sees(
        current, felt, item_id, number):
    step = suggest(DRILL, current, felt)
    assert (step.item_id, step.number) == (item_id, number)
    assert f"Statement {number} ({step.difficulty})" in step.message
    assert step.message.startswith(FELT[felt])


def test_at_the_edges_the_learner_is_told_why_the_level_stays():
    assert "easiest level" in suggest(DRILL, "b1", "too_hard").message
    assert "hardest level" in suggest(DRILL, "a1", "too_easy").message
    assert "Step up" in suggest(DRILL, "i1", "too_easy").message
    assert "Step down" in suggest(DRILL, "a1", "too_hard").message


def test_a_drill_without_a_middle_level_steps_over_it():
    short = [statement("b1", "beginner"), statement("a1", "advanced")]
    up, down = suggest(short, "b1", "too_easy"), suggest(short, "a1", "too_hard")
    assert (up.move, up.item_id, up.number) == ("up", "a1", 2)
    assert (down.move, down.item_id, down.number) == ("down", "b1", 1)


def test_the_only_statement_at_a_level_is_suggested_again_later():
    one_each = [statement("b1", "beginner"), statement("i1", "intermediate"), statement("a1", "advanced")]
    step = suggest(one_each, "i1", "about_right")
    assert (step.move, step.item_id) == ("stay", "i1")
    assert "come back to it" in step.message and "Statement" not in step.message


def test_the_journal_gets_the_suggestion_as_flat_fields():
    assert suggest(DRILL, "b1", "too_easy").record() == {
        "next_step": "up", "next_difficulty": "intermediate", "next_item": "i1"}


@pytest.mark.parametrize("level, felt", [("expert", "too_easy"), ("beginner", "meh")])
def test_unknown_levels_and_answers_are_refused_with_the_valid_ones(level, felt):
    with pytest.raises(ValueError, match="use one of"):
        next_difficulty(level, felt)


# --- the widget and the journal -------------------------------------------------------------

def drill(journal: Journal, item_id: str = "b1") -> Drill:
    ordered = drill_order(DRILL)
    item = next(i for i in ordered if i["id"] == item_id)
    return Drill("m99", item, ordered.index(item) + 1, journal, siblings=DRILL)


def test_saying_how_hard_it_felt_shows_the_suggestion_and_saves_both(journal):
    widget = drill(journal, "i1")
    widget.show()
    assert widget.next_step.text == ""  # nothing suggested before the learner answers
    widget.felt.value = "too_hard"
    assert widget.next_step.state == "next"
    assert widget.next_step.text == suggest(DRILL, "i1", "too_hard").message
    saved = journal.latest("m99.drill.i1")
    assert saved["felt_difficulty"] == "too_hard"
    assert (saved["next_step"], saved["next_difficulty"], saved["next_item"]) == ("down", "beginner", "b1")


def test_a_changed_answer_is_saved_at_once_with_its_own_suggestion(journal):
    widget = drill(journal, "b1")
    widget.response.value = "You came in anyway."
    widget.felt.value = "about_right"
    saved = journal.latest("m99.drill.b1")
    assert (saved["felt_difficulty"], saved["next_step"], saved["next_item"]) == ("about_right", "stay", "b2")
    widget.felt.value = "too_easy"
    saved = journal.latest("m99.drill.b1")
    assert (saved["felt_difficulty"], saved["next_step"], saved["next_item"]) == ("too_easy", "up", "i1")
    assert saved["response"] == "You came in anyway." and "Saved at" in widget.status.text


def test_the_answer_alone_is_work_worth_keeping(journal):
    widget = drill(journal, "a1")
    widget.felt.value = "too_easy"  # no words, no ticks: still saved
    assert journal.latest("m99.drill.a1")["felt_difficulty"] == "too_easy"


def test_a_reopened_drill_shows_the_answer_and_the_suggestion_again(journal):
    drill(journal, "b2").felt.value = "too_easy"
    again = drill(Journal(journal.path), "b2")
    assert again.felt.value == "too_easy" and again._revealed.layout.display is None
    assert again.next_step.text == suggest(DRILL, "b2", "too_easy").message


def test_an_entry_from_before_the_question_existed_opens_with_no_answer(journal):
    journal.add("drill", "m99", "m99.drill.b1", difficulty="beginner", statement="x", criteria=[],
                response="An older reply.", criteria_met=[True], self_rating=3, share=False)
    reopened = drill(journal, "b1")
    assert reopened.felt.value is None and reopened.next_step.text == ""
    assert reopened.response.value == "An older reply."


def test_the_question_is_made_of_buttons_a_keyboard_can_reach(journal):
    widget = drill(journal)
    assert isinstance(widget.felt, widgets.ToggleButtons)  # each answer is a <button>: Tab, then Enter or Space
    assert [label for label, _ in widget.felt.options] == list(FELT.values())
    assert all(widget.felt.tooltips), "each answer says what it means on hover and to a screen reader"
    assert widget.felt in widget._revealed.children and widget.next_step in widget._revealed.children


def test_the_suggestion_takes_its_colours_from_the_jupyterlab_theme():
    css = NextStep._css
    colours = re.findall(r"(?:background|color|border-left)\s*:\s*([^;]+);", css)
    assert colours and all("var(--jp-" in value for value in colours if "transparent" not in value), colours


def test_practice_numbers_match_the_statements_the_suggestion_names(journal):
    box = practice("m00", journal)
    drills = [child for child in box.children if isinstance(child, Drill)]
    first = drills[0]
    first.felt.value = "too_easy"
    number = int(re.search(r"Statement (\d+)", first.next_step.text)[1])
    assert drills[number - 1].item["difficulty"] == "intermediate"
    assert f"Statement {number}</strong>" in drills[number - 1].children[0].value


# --- module 00's drill file -----------------------------------------------------------------

def test_module_00_has_a_valid_drill_with_one_statement_per_level():
    data = load_practice("m00")
    items = data["items"]
    assert sorted(item["difficulty"] for item in items) == ["advanced", "beginner", "intermediate"]
    for item in items:
        assert len(item["models"]) >= 2 and 3 <= len(item["criteria"]) <= 5, item["id"]


def test_drill_ids_are_unique_in_every_shipped_file():
    for path in (course_root() / "data" / "practice").glob("*.yaml"):
        ids = [item["id"] for item in load_practice(path.stem)["items"]]
        assert len(ids) == len(set(ids)), path.name


def test_module_00_clients_have_names_used_nowhere_else_in_the_course():
    root = course_root() / "data"
    others = "\n".join(p.read_text(encoding="utf-8") for p in root.rglob("*.yaml") if p.name != "m00.yaml"
                       or p.parent.name != "practice")
    for item in load_practice("m00")["items"]:
        name = item["context"].split(",")[0]
        for part in name.split():
            assert not re.search(rf"\b{re.escape(part)}\b", others), f"{part} already appears in data/"
