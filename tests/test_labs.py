"""Module 01's data-lab statistics and charts: right numbers, described charts, honest takeaways."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from trustlab.checks import evaluate, load_checks
from trustlab.data import load_dataset
from trustlab.labs.first_sessions import (modality_chart, modality_table, rating_outcome_chart, return_rate_chart,
                                          return_rate_table, return_rates)
from trustlab.labs.stats import bootstrap_r, wilson_interval


@pytest.fixture(scope="module")
def fs():
    return load_dataset("first_sessions")


@pytest.mark.parametrize("k, n, low, high", [(5, 10, 0.2366, 0.7634), (0, 20, 0.0, 0.1611), (20, 20, 0.8389, 1.0)])
def test_wilson_interval_matches_textbook_values(k, n, low, high):
    assert wilson_interval(k, n) == pytest.approx((low, high), abs=1e-4)


def test_wilson_interval_of_an_empty_group_is_undefined():
    assert all(np.isnan(v) for v in wilson_interval(0, 0))


def test_bootstrap_r_drops_missing_pairs_and_is_reproducible():
    x = [1, 2, 3, 4, 5, 6, np.nan, 8]
    y = [2, 1, 4, 3, 6, 5, 7, np.nan]
    r, low, high = bootstrap_r(x, y, n_boot=500, seed=3)
    assert r == pytest.approx(pd.Series(x).corr(pd.Series(y)))
    assert low <= r <= high
    assert bootstrap_r(x, y, n_boot=500, seed=3) == (r, low, high)


def test_bootstrap_interval_is_degenerate_for_a_perfect_line():
    r, low, high = bootstrap_r(range(30), [2 * v + 1 for v in range(30)], n_boot=200)
    assert r == pytest.approx(1) and low == pytest.approx(1) and high == pytest.approx(1)


def test_return_rates_count_clients(fs):
    table = return_rates(fs, "explained_process").set_index("explained_process")
    assert table["n"].sum() == len(fs)
    by_hand = fs[fs["explained_process"]]["returned_session2"].mean()
    assert table.loc[True, "rate"] == pytest.approx(by_hand)
    assert (table["low"] <= table["rate"]).all() and (table["rate"] <= table["high"]).all()


def test_return_rate_table_has_each_behaviour_done_and_not(fs):
    table = return_rate_table(fs)
    assert len(table) == 6 and set(table["done"]) == {"yes", "no"}


def test_modality_table_reports_r_near_the_calibrated_value(fs):
    table = modality_table(fs, n_boot=500).set_index("modality")
    assert set(table.index) == {"in person", "video"}
    for modality in table.index:
        row = table.loc[modality]
        assert abs(row["r"] - 0.278) < 0.06 and row["low"] < row["r"] < row["high"]


@pytest.mark.parametrize("make, words", [
    (return_rate_chart, "illustrative assumption"),
    (rating_outcome_chart, "calibrated to the meta-analytic r = .278"),
    (modality_chart, ".275 internet-delivered"),
])
def test_each_chart_is_described_and_its_takeaway_says_what_is_calibrated(fs, make, words):
    box = make(fs)
    spec = box.children[0].chart.to_dict()
    assert len(spec["description"]) > 40 and spec["title"]
    assert words in box.children[1].value


@pytest.mark.parametrize("make", [rating_outcome_chart, modality_chart])
def test_a_calibrated_chart_says_its_calibration_is_a_modelling_choice(fs, make):
    """The .278 is pooled across many measures (facts.md A1): built in, not found (issue 12 review, item 28)."""
    takeaway = make(fs).children[1].value
    assert "modelling choice" in takeaway and "echoing" not in takeaway


def test_the_rating_chart_title_reports_the_data_r(fs):
    data = fs.dropna(subset=["outcome_change"])
    r = data["session1_rating"].corr(data["outcome_change"])
    assert f"r = {r:.2f}" in rating_outcome_chart(fs).children[0].chart.to_dict()["title"]


# --- the lab questions need the learner's own computation -----------------------------------------

LESSON = Path(__file__).parents[1] / "notebooks" / "01_first_session_impressions.ipynb"

# Each lab answer, computed here with pandas from the data (not read from the check file).
RECOMPUTED = {
    "lab_dropout": lambda fs: fs[fs["prior_therapy"] == "unhelpful"]["dropped_out"].mean(),
    "lab_r": lambda fs: fs["first_impression"].corr(fs["outcome_change"]),
    "lab_interruption_gap": lambda fs: (fs[fs["interruptions"] > 0]["dropped_out"].mean()
                                        - fs[fs["interruptions"] == 0]["dropped_out"].mean()),
}
# a number as a page prints it: "0.28", ".28", "19.7%", "9 points", "96%"
NUMBER = re.compile(r"(?<![\w.])[-−]?(\d+(?:\.\d+)?|\.\d+)(\s*%|\s+(?:percentage\s+)?points?)?")


def printed_numbers(text: str) -> list[float]:
    """Every number a reader can see in ``text``, percents and percentage points as proportions."""
    numbers = []
    for match in NUMBER.finditer(text):
        value = float(match.group(1)) * (-1 if match.group(0).lstrip()[0] in "-−" else 1)
        numbers.append(value / 100 if match.group(2) else value)
    return numbers


def lab_items() -> dict:
    return {key: item for key, item in load_checks("m01")["items"].items() if key.startswith("lab_")}


def what_the_lesson_shows(fs) -> str:
    """All the text and numbers a learner can read in the lesson before answering a lab question."""
    parts = [cell.source for cell in nbformat.read(LESSON, as_version=4).cells]
    for make in (return_rate_chart, rating_outcome_chart, modality_chart):
        box = make(fs)
        spec = box.children[0].chart.to_dict()
        parts += [str(spec.get("title", "")), spec.get("description", ""), box.children[1].value]
    for table in (return_rate_table(fs), modality_table(fs, n_boot=500)):  # what the tooltips print
        parts += [f"{v}" for v in table.select_dtypes("number").to_numpy().ravel()]
    for item in load_checks("m01")["items"].values():  # the quiz in the lesson, and every prompt and hint
        parts += [item["prompt"], item.get("hint", "")]
        parts += [o["text"] + " " + o["feedback"] for o in item.get("options", [])]
    return "\n".join(parts)


def test_every_lab_answer_is_what_pandas_computes_from_the_data(fs):
    items = lab_items()
    assert set(items) == set(RECOMPUTED)
    for key, compute in RECOMPUTED.items():
        value = float(compute(fs))
        assert value == pytest.approx(items[key]["answer"], abs=1e-4), key
        assert evaluate(f"m01.{key}", compute(fs)).correct, key


def test_no_lab_answer_can_be_copied_from_a_chart_or_the_lesson(fs):
    """The bug: 0.2, 0.28 and 0.09 could be read off the prose, a chart title and a quiz option."""
    shown = printed_numbers(what_the_lesson_shows(fs))
    for key, item in lab_items().items():
        copyable = [n for n in shown if abs(n - item["answer"]) <= item["tolerance"]]
        assert copyable == [], f"{key}: the answer {item['answer']} can be copied: {copyable}"


def test_the_copy_test_finds_numbers_as_pages_print_them():
    assert printed_numbers("r = 0.28, about 19.7% (.278); up 9 points, −0.5") == \
        pytest.approx([0.28, 0.197, 0.278, 0.09, -0.5])


def test_each_lab_question_has_a_hint_an_explanation_and_distinct_diagnoses():
    for key, item in lab_items().items():
        assert item["hint"] and item["explanation"] and len(item["mistakes"]) >= 5, key
        bands = [(item["answer"], item["tolerance"])] + [(m["value"], m.get("tolerance", item["tolerance"]))
                                                         for m in item["mistakes"]]
        for i, (a, ta) in enumerate(bands):
            for b, tb in bands[i + 1:]:
                assert abs(a - b) > ta + tb, f"{key}: the bands around {a} and {b} overlap"


def test_the_lesson_asks_each_lab_question():
    sources = "\n".join(c.source for c in nbformat.read(LESSON, as_version=4).cells if c.cell_type == "code")
    for key in lab_items():
        assert f'check("m01.{key}"' in sources, key


# --- the reports in issue 11, on the course's real check files ------------------------------------

def test_a_percent_string_in_a_percent_question_is_right():
    """'64%' was told "written as a proportion... multiply by 100" in Module 00."""
    assert evaluate("m00.ex1", "64%").correct


def test_a_median_rounded_to_a_whole_number_is_called_close():
    feedback = evaluate("m01.ex2", 31)
    assert not feedback.correct and "close" in feedback.message and "1 decimal place" in feedback.message


def test_a_mistyped_referral_names_the_groups_that_exist(fs):
    code = 'mandated = fs[fs["referral"] == "Mandated"]\nmandated_dropout = mandated["dropped_out"].mean()'
    feedback = evaluate("m01.ex1", fs[fs["referral"] == "Mandated"]["dropped_out"].mean(), code)
    assert '"Mandated" is not a group in `referral`: did you mean "mandated"?' in feedback.message
    assert '"self", "partner_urged" or "mandated"' in feedback.message


def test_a_mistyped_group_in_the_lab_names_the_groups_that_exist(fs):
    code = 'unhelpful = fs[fs["prior_therapy"] == "Unhelpful"]'
    feedback = evaluate("m01.lab_dropout", fs[fs["prior_therapy"] == "Unhelpful"]["dropped_out"].mean(), code)
    assert '"Unhelpful" is not a group in `prior_therapy`' in feedback.message
    assert '"none", "helpful" or "unhelpful"' in feedback.message
