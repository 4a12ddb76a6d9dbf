"""The knowledge-check widget: shuffled options judged by identity, a first-try score, answers kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import ipywidgets as widgets
import pytest
import yaml

from trustlab.journal.recorder import connect, disconnect
from trustlab.journal.store import Journal
from trustlab.quizzes import Quiz, earlier_answers, quiz

FIXTURES = Path(__file__).parent / "fixtures"
Q1 = yaml.safe_load((FIXTURES / "checks" / "m99.yaml").read_text(encoding="utf-8"))["items"]["q1"]
TEXT_TO_LETTER = {o["text"]: "abc"[i] for i, o in enumerate(Q1["options"])}
FEEDBACK = {"abc"[i]: o["feedback"] for i, o in enumerate(Q1["options"])}
WRONG, RIGHT = "a", "b"  # in tests/fixtures/checks/m99.yaml, option b of q1 is the correct one


@pytest.fixture(autouse=True)
def course_data(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "checks", tmp_path / "checks")
    monkeypatch.setenv("TRUSTLAB_DATA", str(tmp_path))
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(tmp_path / "journal.json"))  # a new learner in every test
    return tmp_path


@pytest.fixture()
def journal_file(tmp_path):
    """The test's journal, with the course's recorder writing to it, as after setup() in a notebook."""
    path = tmp_path / "journal.json"
    connect()
    yield path
    disconnect()


def labels(question) -> list[str]:
    return [label for label, _ in question._options.options]


def click_screen_position(question, position: int) -> str:
    """Click the option at a place on screen, as a learner does; return the text clicked."""
    label, value = question._options.options[position]
    question._options.value = value
    return label


def test_options_come_in_a_new_order_each_time_the_quiz_runs():
    orders = {tuple(labels(quiz("m99").questions[0])) for _ in range(40)}
    assert len(orders) > 1, "the options appeared in the same order 40 times"
    assert all(sorted(order) == sorted(TEXT_TO_LETTER) for order in orders)
    assert {order[0] for order in orders} != {Q1["options"][0]["text"]}, "the YAML's first option was always on top"


def test_the_order_stays_put_while_the_learner_answers(journal_file):
    question = quiz("m99").questions[0]
    before = labels(question)
    for position in range(len(before)):
        click_screen_position(question, position)
        assert labels(question) == before


def test_labels_do_not_carry_the_files_letters():
    question = quiz("m99").questions[0]
    assert question._options.value is None
    assert not any(re.match(r"^\(?[a-j][).:]\s", label) for label in labels(question))


def test_the_option_clicked_is_judged_and_recorded_by_what_it_says_not_where_it_sits(journal_file):
    for position in range(3):
        question = quiz("m99").questions[0]
        text = click_screen_position(question, position)
        letter = TEXT_TO_LETTER[text]
        assert FEEDBACK[letter] in question._result.value
        assert Journal(journal_file).entries("check")[-1]["answer"] == letter


def test_the_score_counts_the_first_answer_and_every_option_can_still_be_read(journal_file):
    widget = quiz("m99")
    question = widget.questions[0]
    question.choose(WRONG)
    question.choose(RIGHT)
    assert FEEDBACK[RIGHT] in question._result.value
    assert widget.score == (0, 1, 1) and "0 of 1 right at the first try" in widget._score.value
    assert "first answer was not the best one" in question._result.value
    question.choose("c")
    assert FEEDBACK["c"] in question._result.value and widget.score == (0, 1, 1)


def test_a_right_first_answer_scores_even_after_reading_the_other_options(journal_file):
    widget = quiz("m99")
    widget.questions[0].choose(RIGHT)
    widget.questions[0].choose(WRONG)
    assert widget.score == (1, 1, 1) and "1 of 1 right at the first try" in widget._score.value


def test_running_the_quiz_again_restores_the_answers_and_which_came_first(journal_file):
    question = quiz("m99").questions[0]
    question.choose(WRONG)
    question.choose(RIGHT)
    saved = len(Journal(journal_file).entries("check"))

    again = quiz("m99")
    restored = again.questions[0]
    assert restored._options.value == RIGHT and FEEDBACK[RIGHT] in restored._result.value
    assert restored.first == WRONG and again.score == (0, 1, 1)
    assert "0 of 1 right at the first try" in again._score.value
    assert len(Journal(journal_file).entries("check")) == saved, "restoring must not record the answers again"


def test_a_new_learner_starts_with_nothing_selected_and_no_score(journal_file):
    widget = quiz("m99")
    assert widget.questions[0]._options.value is None and widget.score == (0, 0, 1)


def test_an_unreadable_journal_still_gives_a_working_quiz_and_says_so(tmp_path, monkeypatch):
    folder = tmp_path / "not-a-file"
    folder.mkdir()
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(folder))
    widget = quiz("m99")
    assert isinstance(widget, Quiz)
    assert any("could not be read" in getattr(child, "value", "") for child in widget.children)
    widget.questions[0].choose(RIGHT)
    assert widget.score == (1, 1, 1)


def test_earlier_answers_skips_what_the_quiz_cannot_have_written():
    entries = [
        {"kind": "check", "key": "m99.q1", "answer": "c", "status": "Not yet"},
        {"kind": "check", "key": "m99.q2", "answer": "a", "status": "Correct"},
        {"kind": "check", "key": "m99.q1", "answer": "zz", "status": "Can't check this answer yet"},
        {"kind": "check", "key": "m99.q1", "answer": "(B)", "status": "Correct"},
        {"kind": "reflection", "key": "m99.q1", "text": "a"},
    ]
    assert earlier_answers(entries, "m99.q1", 3) == ["c", "b"]


def test_a_broken_quiz_file_shows_a_message_instead_of_a_traceback(course_data, monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    (course_data / "checks" / "m99.yaml").write_text("module: m99\nquiz: [zz]\nitems: {}\n")
    widget = quiz("m99")
    assert isinstance(widget, widgets.HTML) and "could not load" in widget.value


def test_every_exported_name_is_what_it_says_whatever_was_imported_first():
    """Guards the lazy exports: a submodule named like an export would shadow it."""
    import importlib
    import pkgutil

    import trustlab
    for info in pkgutil.iter_modules(trustlab.__path__):
        importlib.import_module(f"trustlab.{info.name}")
    for name in trustlab.__all__:
        assert callable(getattr(trustlab, name)) and not isinstance(getattr(trustlab, name), type(trustlab)), name


# --- named sets: the same widget for another exercise (module 03's supervision exercise) -------

def test_a_named_set_shows_its_own_items_and_intro_not_the_quiz():
    widget = quiz("m99", "supervision")
    prompts = [q.children[0].value for q in widget.questions]
    assert len(prompts) == 1 and "lend a client money" in prompts[0]
    intro = " ".join(c.value for c in widget.children if isinstance(c, widgets.HTML))
    assert "<strong>reaction</strong>" in intro and "first answer" in intro


def test_a_named_set_is_judged_and_saved_like_the_quiz(journal_file):
    question = quiz("m99", "supervision").questions[0]
    texts = labels(question)
    click_screen_position(question, texts.index("Lend it; the relationship will be stronger."))
    assert "creditor" in question._result.value
    again = quiz("m99", "supervision").questions[0]
    assert "creditor" in again._result.value  # restored from the journal


def test_a_set_name_that_is_not_in_the_file_names_the_file_and_the_sets(monkeypatch):
    monkeypatch.delenv("TRUSTLAB_STRICT", raising=False)
    box = quiz("m99", "supervisoin")
    assert "could not load" in box.value
    assert "m99.yaml" in box.value and "&#x27;supervisoin&#x27;" in box.value and "supervision" in box.value


def test_a_set_that_lists_a_missing_or_non_choice_item_is_refused(course_data):
    from trustlab.checks import load_checks
    from trustlab.content import ContentError
    path = course_data / "checks" / "m99.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("items: [sv1]", "items: [sv1, skill, nope]"),
                    encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_checks("m99")
    assert "sets.supervision.items[1]: 'skill' is a text item" in str(err.value)
    assert "sets.supervision.items[2]: 'nope' is not an item in this file" in str(err.value)
