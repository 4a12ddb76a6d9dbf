"""The feedback a learner gets from check(): right verdicts, helpful words, never a traceback."""

from __future__ import annotations

import math
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustlab import answers
from trustlab.checks import Feedback, Status, check, evaluate, load_checks
from trustlab.content import ContentError

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def course_data(tmp_path_factory, monkeypatch):
    """A data folder holding only the test module m99."""
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(FIXTURES / "checks", root / "checks")
    monkeypatch.setenv("TRUSTLAB_DATA", str(root))
    return root


def status(key, answer):
    return evaluate(key, answer).status


# --- numbers ----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [0.2, 0.203, 0.197, 4 / 20, np.float64(0.2), Fraction(1, 5), Decimal("0.2"),
                                    "0.2", " .2 ", "20%", "0,2", pd.Series([0.2]), pd.DataFrame({"x": [0.2]}),
                                    np.array([[0.2]])])
def test_number_accepts_the_answer_in_the_forms_learners_type(answer):
    assert status("m99.share", answer) is Status.CORRECT


@pytest.mark.parametrize("answer", [0.21, 0.19, -0.2, 2, 0])
def test_number_outside_the_tolerance_is_not_yet_with_the_hint(answer):
    feedback = evaluate("m99.share", answer)
    assert feedback.status is Status.NOT_YET
    assert feedback.hint == "Divide the part by the whole."


def test_a_predictable_mistake_gets_its_own_feedback():
    assert "whole divided by the part" in evaluate("m99.share", 5).message


# --- one rule for percent strings: "64%" means 64 hundredths, whatever the question's unit ----------

@pytest.mark.parametrize("key, answer", [
    ("m99.share", "20%"), ("m99.share", " 20 %"), ("m99.share", "20.0%"),     # proportion questions
    ("m99.besd", "64%"), ("m99.besd", "63.9%"), ("m99.besd", "63,9 %"),       # percent questions
])
def test_a_percent_string_is_read_as_the_percent_it_says(key, answer):
    """The bug: "64%" was read as 0.64 and told to "multiply by 100" in a percent question."""
    feedback = evaluate(key, answer)
    assert feedback.status is Status.CORRECT, feedback.message


def test_a_percent_for_a_proportion_says_what_it_is_as_a_proportion():
    feedback = evaluate("m99.share", 20)
    assert feedback.status is Status.NOT_YET
    assert "20% is 0.2 as a proportion" in feedback.message and "between 0 and 1" in feedback.message


def test_a_wrong_percent_string_is_shown_as_the_proportion_it_is():
    feedback = evaluate("m99.share", "64%")
    assert feedback.status is Status.NOT_YET
    assert "64% is 0.64 as a proportion" in feedback.message
    assert "multiply" not in feedback.message and "divide" not in feedback.message


def test_a_proportion_for_a_percent_says_what_it_is_as_a_percent():
    feedback = evaluate("m99.besd", 0.639)
    assert feedback.status is Status.NOT_YET
    assert "looks like a proportion" in feedback.message and "63.9%" in feedback.message


def test_a_percent_string_for_a_plain_number_says_to_drop_the_sign():
    feedback = evaluate("m99.count", "7.88%")
    assert feedback.status is Status.NOT_YET and "without the % sign" in feedback.message


def test_a_proportion_for_a_count_is_not_mistaken_for_a_percentage():
    feedback = evaluate("m99.count", 0.0788)
    assert feedback.status is Status.NOT_YET and "percent" not in feedback.message


# --- close, but rounded too far ---------------------------------------------------------------

@pytest.mark.parametrize("answer", [31, 31.0, "31", np.float64(31.0)])
def test_a_rounded_median_is_called_close_with_the_precision_wanted(answer):
    feedback = evaluate("m99.median", answer)
    assert feedback.status is Status.NOT_YET
    assert "31 is close" in feedback.message and "1 decimal place" in feedback.message
    assert "30.9" not in feedback.message  # it says how precise, not what the answer is


@pytest.mark.parametrize("key, answer", [("m99.median", 30), ("m99.median", 32), ("m99.median", 30.8),
                                         ("m99.share", 0), ("m99.share", 1)])
def test_a_value_that_is_not_a_rounding_of_the_answer_is_not_called_close(key, answer):
    feedback = evaluate(key, answer)
    assert feedback.status is Status.NOT_YET and "close" not in feedback.message


def test_the_unrounded_median_is_correct():
    assert status("m99.median", 30.9) is Status.CORRECT


# --- commas, infinities and plurals -------------------------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("1,500", 1500), ("12,345.5", 12345.5), ("-1,000,000", -1e6), ("0,28", 0.28), ("30,9", 30.9),
    ("1,5", 1.5), ("0,280", 0.28), (" 1 500 ", 1500), ("\u22120.2", -0.2), ("28%", 0.28),
])
def test_numbers_in_text_follow_one_rule_for_commas(text, value):
    assert answers.read_number(text).value == pytest.approx(value)


def test_a_thousands_separator_is_not_read_as_a_decimal_comma():
    message = evaluate("m99.count", "1,500").message
    assert "1500 is not it yet" in message


@pytest.mark.parametrize("answer", [float("-inf"), float("inf"), "-inf", np.float64("-inf")])
def test_infinity_is_called_not_finite_rather_than_too_large(answer):
    feedback = evaluate("m99.share", answer)
    assert feedback.status is Status.UNREADABLE
    assert "not a finite number" in feedback.message and "too large" not in feedback.message


@pytest.mark.parametrize("answer, words, wrong", [
    ([0.2], "a list of 1 value;", "1 values"), ((0.2, 0.3), "a tuple of 2 values", None), ([], "an empty list", None),
])
def test_containers_are_counted_in_good_english(answer, words, wrong):
    message = evaluate("m99.share", answer).message
    assert words in message
    assert wrong is None or wrong not in message


@pytest.mark.parametrize("answer", [..., None, "", "   "])
def test_placeholders_are_not_answered_yet(answer):
    feedback = evaluate("m99.share", answer)
    assert feedback.status is Status.UNANSWERED
    assert "..." in feedback.message


@pytest.mark.parametrize("answer, words", [
    (pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "one number"),
    ([0.2, 0.3], "one number"),
    (True, "True/False"),
    (float("nan"), "NaN"),
    (float("inf"), "not a finite number"),
    (10 ** 1000, "too large"),
    ("zero point two", "as text"),
    (1 + 2j, "as a number"),
    ({"answer": 0.2}, "one number"),
    (object(), "as a number"),
])
def test_unreadable_answers_say_what_the_question_wants(answer, words):
    feedback = evaluate("m99.share", answer)
    assert feedback.status is Status.UNREADABLE
    assert words in feedback.message


# --- a group name that does not exist -----------------------------------------------------------

REAL_DATA = Path(__file__).parents[1] / "data"
GROUP_ITEM = """
  mandated:
    kind: number
    prompt: What share of the mandated clients dropped out?
    answer: 0.3366
    tolerance: 0.005
    unit: proportion
    categories: {dataset: first_sessions, columns: [referral]}
    hint: Filter the mandated rows, then take the mean of dropped_out.
    explanation: 34 of 101.
"""


@pytest.fixture(scope="module")
def first_sessions():
    """The real dataset, loaded before the per-test data folder replaces the course's."""
    from trustlab.data import load_dataset
    return load_dataset("first_sessions")


@pytest.fixture
def group_item(course_data):
    shutil.copy(REAL_DATA / "datapackage.json", course_data / "datapackage.json")
    path = course_data / "checks" / "m99.yaml"
    path.write_text(path.read_text() + GROUP_ITEM)
    return "m99.mandated"


@pytest.mark.parametrize("column", ["dropped_out", "session1_rating"])
def test_a_misspelt_group_lists_the_groups_that_exist(first_sessions, group_item, column):
    """The bug: fs[fs["referral"] == "Mandated"] gives <NA>, and the check said it "can't read <NA> (a NAType)"."""
    fs = first_sessions
    code = f'share = fs[fs["referral"] == "Mandated"]["{column}"].mean()\ncheck("m99.mandated", share)'
    answer = fs[fs["referral"] == "Mandated"][column].mean()
    feedback = evaluate(group_item, answer, code)
    assert feedback.status is Status.UNREADABLE
    assert "NAType" not in feedback.message and "empty" in feedback.message
    assert '"Mandated" is not a group in `referral`: did you mean "mandated"?' in feedback.message
    assert '"self", "partner_urged" or "mandated"' in feedback.message


def test_without_the_code_the_groups_are_still_listed(first_sessions, group_item):
    fs = first_sessions
    feedback = evaluate(group_item, fs[fs["referral"] == "Mandated"]["dropped_out"].mean())
    assert '"self", "partner_urged" or "mandated"' in feedback.message and "is not a group" not in feedback.message


def test_an_empty_selection_passed_whole_is_called_empty(first_sessions, group_item):
    fs = first_sessions
    feedback = evaluate(group_item, fs[fs["referral"] == "mandatd"]["dropped_out"], 'fs["referral"] == "mandatd"')
    assert "empty" in feedback.message and '"mandatd" is not a group' in feedback.message


def test_the_right_group_still_gets_its_verdict(first_sessions, group_item):
    fs = first_sessions
    assert status(group_item, fs[fs["referral"] == "mandated"]["dropped_out"].mean()) is Status.CORRECT


def test_an_empty_answer_without_groups_explains_empty(first_sessions):
    message = evaluate("m99.share", pd.NA).message
    assert "empty" in message and "filter" in message and "NAType" not in message


def test_categories_naming_a_column_without_groups_are_rejected(course_data):
    shutil.copy(REAL_DATA / "datapackage.json", course_data / "datapackage.json")
    path = course_data / "checks" / "m99.yaml"
    path.write_text(path.read_text() + GROUP_ITEM.replace("columns: [referral]", "columns: [referal]"))
    with pytest.raises(ContentError, match="items.mandated.categories: first_sessions has no column 'referal'"):
        load_checks("m99")


# --- choices, text, booleans, sets ------------------------------------------------------------

@pytest.mark.parametrize("answer", ["b", "B", " b ", "(b)", "b)"])
def test_choice_accepts_a_letter_however_written(answer):
    assert status("m99.q1", answer) is Status.CORRECT


def test_each_wrong_option_gets_its_own_feedback():
    a, c = evaluate("m99.q1", "a"), evaluate("m99.q1", "c")
    assert a.status is c.status is Status.NOT_YET
    assert "precise" in a.message and "caseload" in c.message


@pytest.mark.parametrize("answer, words", [("e", "a, b and c"), (2, "letter"), ("ab", "a, b and c")])
def test_choice_explains_how_to_answer(answer, words):
    feedback = evaluate("m99.q1", answer)
    assert feedback.status is Status.UNREADABLE and words in feedback.message


@pytest.mark.parametrize("answer, expected", [
    ("Reflection", Status.CORRECT), ("reflection of  feeling.", Status.CORRECT),
    ("validation", Status.NOT_YET), (3, Status.UNREADABLE),
])
def test_text(answer, expected):
    assert status("m99.skill", answer) is expected


@pytest.mark.parametrize("answer, expected", [
    (False, Status.CORRECT), ("no", Status.CORRECT), (np.bool_(False), Status.CORRECT),
    (True, Status.NOT_YET), (0, Status.UNREADABLE), ("maybe", Status.UNREADABLE),
])
def test_boolean(answer, expected):
    assert status("m99.causal", answer) is expected


@pytest.mark.parametrize("answer", [[2, 5], (5, 2), {5, 2}, "2, 5", ["2", "5"], np.array([5, 2]), [2.0, 5]])
def test_set_accepts_any_order_and_container(answer):
    assert status("m99.lines", answer) is Status.CORRECT


def test_set_counts_what_is_found_and_what_does_not_belong():
    feedback = evaluate("m99.lines", [2, 3])
    assert feedback.status is Status.NOT_YET
    assert "1 of the 2" in feedback.message and "1 that does not" in feedback.message


# --- course problems are reported, not raised --------------------------------------------------

@pytest.mark.parametrize("key", ["m99.nope", "m98.share", "share", 42, None])
def test_unknown_checks_are_unavailable_not_errors(key):
    assert status(key, 0.2) is Status.UNAVAILABLE


def test_a_malformed_check_file_names_file_location_and_fix(course_data):
    path = course_data / "checks" / "m99.yaml"
    path.write_text(path.read_text().replace("    tolerance: 0.005\n", "", 1))
    with pytest.raises(ContentError) as err:
        load_checks("m99")
    assert f"{path}: items.share: 'tolerance' is missing (add it)" in str(err.value)
    assert evaluate("m99.share", 0.2).status is Status.UNAVAILABLE


def test_a_choice_with_two_correct_options_is_rejected(course_data):
    path = course_data / "checks" / "m99.yaml"
    path.write_text(path.read_text().replace("feedback: Size makes", "correct: true\n        feedback: Size makes"))
    with pytest.raises(ContentError, match="items.q1.options: 2 options are marked correct"):
        load_checks("m99")


def test_yaml_syntax_errors_give_the_line(course_data):
    path = course_data / "checks" / "m99.yaml"
    path.write_text("module: m99\nitems:\n  a: [unclosed\n")
    with pytest.raises(ContentError, match=r"m99.yaml: YAML does not parse at line \d+"):
        load_checks("m99")


# --- display ------------------------------------------------------------------------------------

def test_feedback_html_escapes_what_the_learner_typed():
    html = evaluate("m99.share", "<script>alert(1)</script>")._repr_html_()
    assert "<script>" not in html
    assert 'data-status="unreadable"' in html


def test_check_shows_the_feedback(capsys):
    check("m99.share", 0.2)
    assert "Correct (m99.share): 4 / 20 = 0.2." in capsys.readouterr().out


# --- property-based: whatever the learner passes, a Feedback comes back ---------------------

class Hostile:
    """An object whose protocol methods fail (its repr works, so hypothesis can report it)."""

    def __float__(self):
        raise RuntimeError("no float")

    def __eq__(self, other):
        raise RuntimeError("no eq")

    def __len__(self):
        raise RuntimeError("no len")

    __hash__ = None


class Unprintable(Hostile):
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize("key", ["m99.share", "m99.q1", "m99.skill", "m99.causal", "m99.lines"])
def test_even_an_unprintable_object_gets_feedback(key):
    assert evaluate(key, Unprintable()).status is Status.UNREADABLE


scalars = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.integers(min_value=10 ** 300),
    st.floats(allow_nan=True, allow_infinity=True), st.text(), st.binary(), st.complex_numbers(),
    st.decimals(allow_nan=True, allow_infinity=True), st.fractions(), st.just(Hostile()),
    st.just(np.nan), st.just(np.int64(2)), st.just(pd.NA), st.just(pd.NaT),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.tuples(inner, inner), st.dictionaries(st.text(max_size=3), inner, max_size=3),
        st.lists(st.floats(allow_nan=True), max_size=6).map(pd.Series),
        st.lists(st.floats(allow_nan=True), max_size=6).map(lambda xs: pd.DataFrame({"x": xs})),
        st.lists(st.integers(), max_size=6).map(np.array),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["m99.share", "m99.count", "m99.q1", "m99.skill", "m99.causal", "m99.lines", "m99.x"]),
       answer=junk)
def test_evaluate_never_raises_on_junk(key, answer):
    feedback = evaluate(key, answer)
    assert isinstance(feedback, Feedback)
    assert feedback.message and feedback._repr_html_() and str(feedback)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.floats(min_value=-1e6, max_value=1e6))
def test_numbers_are_correct_exactly_within_tolerance(value):
    correct = evaluate("m99.share", value).status is Status.CORRECT
    assert correct == (abs(value - 0.2) <= 0.005 + 1e-12) or math.isclose(abs(value - 0.2), 0.005)
