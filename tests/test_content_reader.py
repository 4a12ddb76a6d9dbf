"""The YAML reader every course file goes through (trustlab.content), on the files authors get wrong.

Issue 13, items 9-11, for the checks and practice files as well as vignettes: no anchors
or aliases, no .nan or .inf where a number is wanted, and a word YAML turned into
true or false is named as the author wrote it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trustlab.content import UnreadableFile, read_document, read_yaml, schema_problems

CHECKS = Path(__file__).parent / "fixtures" / "checks" / "m99.yaml"


def checks_file(tmp_path: Path, old: str, new: str) -> Path:
    """The test checks file with one piece of text replaced."""
    text = CHECKS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "m99.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_test_checks_file_has_no_schema_problems():
    assert schema_problems(read_yaml(CHECKS), "checks") == []


def test_a_checks_file_with_an_alias_is_refused(tmp_path):
    path = tmp_path / "m99.yaml"
    path.write_text("module: m99\nitems:\n  q1: &q {kind: text, prompt: Why?}\n  q2: *q\n")
    with pytest.raises(UnreadableFile, match=r"m99\.yaml: line 3: YAML anchors and aliases"):
        read_yaml(path)


@pytest.mark.parametrize("word", [".nan", ".inf", "-.inf", ".NaN"])
def test_an_answer_that_is_not_a_finite_number_is_a_problem(tmp_path, word):
    path = checks_file(tmp_path, "answer: 0.2", f"answer: {word}")
    doc = read_document(path)
    found = dict(schema_problems(doc.data, "checks", doc))
    assert found[("items", "share", "answer")].startswith(f"`{word}` is not a finite number")


def test_without_the_parsed_file_a_yes_word_is_still_explained(tmp_path):
    """checks.py hands over the data only: the message cannot quote the word, but says what happened."""
    path = checks_file(tmp_path, "quiz: [q1]", "quiz: [yes]")
    found = dict(schema_problems(read_yaml(path), "checks"))
    assert found[("quiz", 0)] == "YAML read this word (yes, no, on, off, true or false) as true; put it in quotes"


def test_with_the_parsed_file_the_word_is_quoted_as_written(tmp_path):
    path = checks_file(tmp_path, "quiz: [q1]", "quiz: [off]")
    doc = read_document(path)
    assert dict(schema_problems(doc.data, "checks", doc))[("quiz", 0)] == \
        "YAML read `off` as false; put it in quotes: 'off'"


def test_an_empty_text_says_so(tmp_path):
    path = checks_file(tmp_path, "hint: Divide the part by the whole.", "hint:")
    doc = read_document(path)
    assert dict(schema_problems(doc.data, "checks", doc))[("items", "share", "hint")] == \
        "is empty: write some text here"
