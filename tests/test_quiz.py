"""The knowledge-check widget: per-option feedback and a running score."""

from __future__ import annotations

import shutil
from pathlib import Path

import ipywidgets as widgets
import pytest

from trustlab.quizzes import Quiz, quiz

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def course_data(tmp_path, monkeypatch):
    shutil.copytree(FIXTURES / "checks", tmp_path / "checks")
    monkeypatch.setenv("TRUSTLAB_DATA", str(tmp_path))
    return tmp_path


def test_choosing_an_option_shows_that_options_feedback_and_updates_the_score():
    widget = quiz("m99")
    assert isinstance(widget, Quiz) and len(widget.questions) == 1
    question = widget.questions[0]
    question.choose("a")
    assert "precise" in question._result.value and widget.score == (0, 1, 1)
    question.choose("b")
    assert "correlation across studies" in question._result.value and widget.score == (1, 1, 1)
    assert "1 of 1 right" in widget._score.value


def test_options_are_lettered_and_nothing_is_preselected():
    question = quiz("m99").questions[0]
    assert question._options.value is None
    assert [label[:3] for label, _ in question._options.options] == ["a) ", "b) ", "c) "]


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
