"""Module 04's number answer keys (SECTION A of data/checks/m04.yaml): recomputed, diagnosed, not copyable.

The expected values are computed here with plain pandas on data/goals.csv and
data/goal_attainment.csv, never read from the checks file, so a key that drifts from the data
fails. GAS T-scores are computed here with the formula written out in pandas (G3), not with
the course's gas_t_score, so a slip in either shows. The predictable mistakes are recomputed the
wrong way a learner would, and each must get its own feedback. And no answer may be read off
what the lesson shows: a chart's text, the numbers its tooltips print, a prompt, a hint, or the
lesson's prose.

Only the data lab and the data exercises (lab_*, ex1-ex3) are checked here; the judgment
exercises and the knowledge check have their own tests.
"""

from __future__ import annotations

import html
import re

import altair as alt
import nbformat
import numpy as np
import pandas as pd
import pytest
import vl_convert

from answerkeys import assert_bands_apart, assert_mistakes_diagnosed, assert_right
from test_labs import printed_numbers  # one reading of "a number as a page prints it"
from trustlab.charts import THEME
from trustlab.checks import Status, evaluate, load_checks
from trustlab.labs.goals import (collaboration_outcome_chart, consensus_outcome_chart, gas_distribution_chart,
                                 specificity_chart)
from trustlab.paths import course_root

ROOT = course_root()
LESSON = ROOT / "notebooks" / "04_collaborative_goals.ipynb"
ITEMS = load_checks("m04")["items"]
SECTION_A = sorted(key for key in ITEMS if key.startswith("lab_") or key in {"ex1", "ex2", "ex3"})
RHO = 0.3  # Kiresuk & Sherman's convention (G3)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(ROOT / "data" / "goals.csv"), pd.read_csv(ROOT / "data" / "goal_attainment.csv")


# --- small pandas steps a learner takes --------------------------------------------------------------

def group(g: pd.DataFrame, kind: str) -> pd.DataFrame:
    return g[g["goal_specificity"] == kind]


def mean_gap(g: pd.DataFrame, column: str) -> float:
    return group(g, "specific")[column].mean() - group(g, "vague")[column].mean()


def r(frame: pd.DataFrame, x: str, y: str = "outcome_change") -> float:
    return frame[x].corr(frame[y])


def t_scores(a: pd.DataFrame, rho: float = RHO, weighted: bool = True) -> pd.Series:
    """G3 per client, written out: T = 50 + 10 Σwx / √((1 − ρ) Σw² + ρ (Σw)²)."""
    w = a["weight"].astype(float) if weighted else pd.Series(1.0, index=a.index)
    parts = pd.DataFrame({"client_id": a["client_id"], "wx": w * a["score_session10"], "w2": w ** 2, "w": w})
    sums = parts.groupby("client_id")[["wx", "w2", "w"]].sum()
    return 50 + 10 * sums["wx"] / np.sqrt((1 - rho) * sums["w2"] + rho * sums["w"] ** 2)


def one_t(x: np.ndarray, w: np.ndarray, rho: float = RHO) -> float:
    return 50 + 10 * (w * x).sum() / np.sqrt((1 - rho) * (w ** 2).sum() + rho * w.sum() ** 2)


def gs002(a: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    rows = a[a["client_id"] == "GS002"]
    return rows["score_session10"].to_numpy(float), rows["weight"].to_numpy(float)


def _gs002_parts(a: pd.DataFrame) -> tuple[float, float, float]:
    x, w = gs002(a)
    return (w * x).sum(), (1 - RHO) * (w ** 2).sum() + RHO * w.sum() ** 2, w.sum()


# Each number answer, computed the right way.
RIGHT = {
    "lab_specific_gap": lambda g, a: mean_gap(g, "outcome_change"),
    "lab_gas_t_mean": lambda g, a: t_scores(a).mean(),
    "lab_consensus_r_specific": lambda g, a: r(group(g, "specific"), "goal_consensus"),
    "ex1": lambda g, a: r(g, "collaboration"),
    "ex2": lambda g, a: (t_scores(a) >= 50).mean(),
    "ex3": lambda g, a: one_t(*gs002(a)),
}

# The predictable wrong computations: each must get the diagnosis written for it.
WRONG = {
    "lab_specific_gap": [
        lambda g, a: -mean_gap(g, "outcome_change"),
        lambda g, a: group(g, "specific")["outcome_change"].median() - group(g, "vague")["outcome_change"].median(),
        lambda g, a: mean_gap(g, "goal_consensus"),
        lambda g, a: mean_gap(g, "collaboration"),
        lambda g, a: group(g, "specific")["outcome_change"].mean() - g["outcome_change"].mean(),
        lambda g, a: group(g, "specific")["outcome_change"].mean(),
        lambda g, a: group(g, "vague")["outcome_change"].mean(),
    ],
    "lab_gas_t_mean": [
        lambda g, a: 50.0,  # the formula's reference point, typed without computing
        lambda g, a: t_scores(a, weighted=False).mean(),
        lambda g, a: t_scores(a, rho=0).mean(),
        lambda g, a: t_scores(a).median(),
        lambda g, a: (50 + 10 * a["score_session10"] * a["weight"] / a["weight"]).mean(),  # each row alone
        lambda g, a: a["score_session10"].mean(),
        lambda g, a: one_t(a["score_session10"].to_numpy(float), a["weight"].to_numpy(float)),  # one "client"
    ],
    "lab_consensus_r_specific": [
        lambda g, a: r(g, "goal_consensus"),  # all clients (G1's .24 is tested on its own below)
        lambda g, a: r(group(g, "vague"), "goal_consensus"),
        lambda g, a: r(group(g, "specific"), "collaboration"),
        lambda g, a: r(group(g, "specific"), "goal_consensus") ** 2,
        lambda g, a: 100 * r(group(g, "specific"), "goal_consensus"),
    ],
    "ex1": [
        lambda g, a: round(r(g, "collaboration"), 2),  # the published .29, or r rounded too far
        lambda g, a: r(g, "goal_consensus"),  # G1 for G2: the swap
        lambda g, a: r(g, "collaboration") ** 2,
        lambda g, a: 100 * r(g, "collaboration"),
        lambda g, a: r(g, "collaboration", "goal_consensus"),
    ],
    "ex2": [
        lambda g, a: (t_scores(a) > 50).mean(),
        lambda g, a: (t_scores(a) < 50).mean(),
        lambda g, a: (t_scores(a, weighted=False) >= 50).mean(),
        lambda g, a: (a["score_session10"] >= 0).mean(),  # goal rows, not clients
        lambda g, a: (t_scores(a) == 50).mean(),
        lambda g, a: (t_scores(a) >= 50).sum(),
    ],
    "ex3": [
        lambda g, a: one_t(gs002(a)[0], np.ones(3)),
        lambda g, a: one_t(*gs002(a), rho=0),
        lambda g, a: 50 + 10 * _gs002_parts(a)[0] / _gs002_parts(a)[1],  # no square root
        lambda g, a: _gs002_parts(a)[0] / np.sqrt(_gs002_parts(a)[1]),  # no 50 + 10 ×
        lambda g, a: 50 + _gs002_parts(a)[0] / np.sqrt(_gs002_parts(a)[1]),  # no 10
        lambda g, a: _gs002_parts(a)[0] / _gs002_parts(a)[2],  # the weighted mean score
        lambda g, a: 50 - 10 * _gs002_parts(a)[0] / np.sqrt(_gs002_parts(a)[1]),  # a sign slipped
        lambda g, a: 50 + 10 * _gs002_parts(a)[0] / _gs002_parts(a)[2],  # rho 1
    ],
}


def test_section_a_has_the_six_number_items_and_each_is_recomputed_here():
    assert SECTION_A == sorted(RIGHT) == sorted(WRONG)
    assert all(ITEMS[key]["kind"] == "number" for key in SECTION_A)


@pytest.mark.parametrize("key", sorted(RIGHT))
def test_each_answer_is_what_pandas_computes_from_the_csv(data, key):
    assert_right(f"m04.{key}", ITEMS[key], float(RIGHT[key](*data)))


@pytest.mark.parametrize("key", sorted(WRONG))
def test_each_predictable_mistake_gets_its_own_diagnosis(data, key):
    """Every listed mistake is what that wrong computation really gives, and no two share a value."""
    assert_mistakes_diagnosed(f"m04.{key}", ITEMS[key], [float(compute(*data)) for compute in WRONG[key]])


@pytest.mark.parametrize("key", SECTION_A)
def test_each_item_has_a_hint_an_explanation_and_bands_that_do_not_overlap(key):
    assert_bands_apart(key, ITEMS[key])


@pytest.mark.parametrize("key", SECTION_A)
def test_no_hint_prompt_or_mistake_feedback_gives_the_answer(key):
    item = ITEMS[key]
    texts = [item["prompt"], item["hint"]] + [m["feedback"] for m in item["mistakes"]]
    shown = printed_numbers("\n".join(texts))
    assert not [n for n in shown if abs(n - item["answer"]) <= item["tolerance"]], key


def test_the_formula_here_is_the_one_the_course_teaches(data):
    """The written-out G3 above and trustlab.goal_attainment agree client by client, so the keys test both."""
    from trustlab.labs.goals import client_t_scores
    mine = t_scores(data[1])
    course = client_t_scores(data[1]).set_index("client_id")["t_score"]
    assert len(mine) == len(course) == 300
    assert course.reindex(mine.index).to_numpy() == pytest.approx(mine.to_numpy(), abs=1e-9)


def test_gs002_is_worked_by_hand_in_the_explanation(data):
    """The hand calculation the explanation shows is GS002's real rows."""
    x, w = gs002(data[1])
    assert list(w) == [2, 1, 3] and list(x) == [-1, 1, 0]
    text = ITEMS["ex3"]["explanation"]
    assert "Σwx = 2 × (−1) + 1 × 1 + 3 × 0 = −1" in text and "Σw² = 4 + 1 + 9 = 14" in text and "Σw = 6" in text
    assert "√(0.7 × 14 + 0.3 × 36) = √20.6" in text


# --- typing a published or reference figure instead of computing -----------------------------------

def test_typing_g2s_published_r_instead_of_computing_it_is_not_accepted(data):
    """G2's .29 is printed in the lesson: the data's own r has to be computed."""
    assert evaluate("m04.ex1", 0.29).status is Status.NOT_YET
    assert "published figure (G2)" in evaluate("m04.ex1", "0.290").message
    assert evaluate("m04.ex1", round(r(data[0], "collaboration"), 4)).status is Status.CORRECT


def test_typing_g1s_published_r_for_the_specific_group_names_what_it_is():
    feedback = evaluate("m04.lab_consensus_r_specific", 0.24)
    assert feedback.status is Status.NOT_YET and "published .24" in feedback.message


def test_typing_50_for_a_t_score_is_not_accepted():
    """50 is the expected level by construction: typing it must never pass for a computed mean or score."""
    for key in ("lab_gas_t_mean", "ex3"):
        feedback = evaluate(f"m04.{key}", 50)
        assert feedback.status is Status.NOT_YET and "expected level" in feedback.message, key


def test_the_swapped_figure_gets_feedback_that_names_the_swap(data):
    feedback = evaluate("m04.ex1", round(r(data[0], "goal_consensus"), 4))
    assert feedback.status is Status.NOT_YET
    assert "goal consensus" in feedback.message and "G1" in feedback.message and "collaboration" in feedback.message


# --- honest about what is calibrated and what is illustrative --------------------------------------

@pytest.mark.parametrize("key", SECTION_A)
def test_every_explanation_says_what_is_illustrative(key):
    assert "illustrative" in ITEMS[key]["explanation"], key


def _flat(key: str) -> str:
    return " ".join(ITEMS[key]["explanation"].split())


def test_ex1_is_calibrated_to_g2_collaboration_29_and_never_to_g1():
    text = _flat("ex1")
    assert "calibrated to G2" in text and "Tryon, Birch and Verkuilen (2018)" in text
    assert "53 studies (5,286 clients)" in text and "collaboration" in text and "r = .29" in text
    assert "Goal consensus, agreeing on the goals, is the other finding: r = .24 across 54 studies" in text
    assert re.search(r"correlational", text) and "does not show that collaborating causes" in text


def test_the_consensus_item_names_g1_and_says_a_subgroup_is_not_calibrated():
    text = _flat("lab_consensus_r_specific")
    assert "G1: goal consensus went with outcome at r = .24 across 54 studies" in text
    assert "not proof that agreeing on goals causes improvement" in text
    assert "The r within a subgroup is not calibrated" in text


@pytest.mark.parametrize("key", ["lab_gas_t_mean", "ex2", "ex3"])
def test_the_gas_items_name_the_formula_and_call_the_scores_illustrative(key):
    text = _flat(key)
    assert "Kiresuk and Sherman's (1968)" in text
    assert re.search(r"(scores|weights)[^.]*illustrative", text)


def test_no_explanation_claims_a_cause():
    for key in SECTION_A:
        text = _flat(key)
        for claim in re.finditer(r"\b(?:causes?|caused|leads? to|improves)\b", text):
            assert re.search(r"(not show that \w+|not proof that [\w ]+|no guarantee)\s*$", text[:claim.start()]), (
                key, text[max(0, claim.start() - 80):claim.end()])


# --- no answer can be read off the lesson ------------------------------------------------------------

def _d3(value, fmt: str | None) -> str:
    """A value as a Vega tooltip prints it, for the formats the charts use."""
    if fmt is None or value is None:
        return f"{value}"
    places, percent = re.fullmatch(r"\.(\d+)([f%])", fmt).groups()
    return f"{value * 100:.{places}f}%" if percent == "%" else f"{value:.{places}f}"


def _tooltips(spec: dict, node: dict | None = None, data: dict | None = None) -> list[str]:
    """Every value every tooltip of the chart can show, formatted as it would be, in layers and panels."""
    node = spec if node is None else node
    data = node.get("data", data)
    shown = []
    for child in node.get("layer", []) + node.get("hconcat", []) + node.get("vconcat", []):
        shown += _tooltips(spec, child, data)
    tips = node.get("encoding", {}).get("tooltip", [])
    if tips:
        rows = spec["datasets"][data["name"]]
        for tip in tips:
            if tip.get("type") != "nominal":
                shown += [_d3(row[tip["field"]], tip.get("format")) for row in rows]
    return shown


def _chart_texts(box) -> list[str]:
    """The chart's title, description, every text it draws (axes, legend) and its takeaway, and its tooltips."""
    with alt.theme.enable(THEME):
        spec = box.children[0].chart.to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    drawn = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return [str(spec.get("title", "")), spec["description"], box.children[1].value] + drawn + _tooltips(spec)


def lab_charts(g: pd.DataFrame, a: pd.DataFrame) -> list:
    return [consensus_outcome_chart(g), collaboration_outcome_chart(g), specificity_chart(g),
            gas_distribution_chart(g, a)]


def what_the_lesson_shows(g: pd.DataFrame, a: pd.DataFrame) -> str:
    parts = []
    for box in lab_charts(g, a):
        parts += _chart_texts(box)
    for item in ITEMS.values():  # every prompt and hint, and every option of the quiz and exercises
        parts += [item["prompt"], item.get("hint", "")]
        parts += [opt["text"] + " " + opt["feedback"] for opt in item.get("options", [])]
    return "\n".join(parts)


def test_the_tooltip_reader_sees_the_numbers_the_charts_print(data):
    """The reader itself must work: it finds the histogram's counts, a client's dot and the quartiles."""
    g, a = data
    shown = f"\n{what_the_lesson_shows(g, a)}\n"
    t = t_scores(a)
    middle = int(((t >= 47.5) & (t < 52.5)).sum())
    assert f"\n{middle}\n" in shown, "the count of the bar centred on 50"
    first = g.iloc[0]
    assert f"\n{first['outcome_change']:.2f}\n" in shown and f"\n{first['goal_consensus']:.1f}\n" in shown
    assert f"\n{group(g, 'specific')['goal_consensus'].median():.1f}\n" in shown
    assert "GAS T-score (50 = goals met as expected)" in shown


def test_no_chart_shows_any_clients_t_score(data):
    """ex3 asks for one client's T-score: no chart may print T-scores client by client."""
    g, a = data
    t = t_scores(a)
    shown = set(printed_numbers("\n".join(text for box in lab_charts(g, a) for text in _chart_texts(box))))
    # Whole-number T-scores (50, or 40 and 60 for a single goal) are also axis ticks; any other is a client's.
    printed = [v for v in t if v != round(v) and any(abs(v - n) < 0.005 for n in shown)]
    assert printed == [], printed
    assert not [n for n in shown if abs(n - one_t(*gs002(a))) < 0.05]


@pytest.mark.parametrize("key", SECTION_A)
def test_no_answer_can_be_copied_from_a_chart_its_tooltips_or_a_question(data, key):
    item = ITEMS[key]
    copyable = [n for n in printed_numbers(what_the_lesson_shows(*data)) if abs(n - item["answer"]) <= item["tolerance"]]
    assert copyable == [], f"{key}: the answer {item['answer']} can be read off a chart or a question: {copyable}"


@pytest.mark.parametrize("key", SECTION_A)
def test_no_answer_is_printed_in_the_lesson(key):
    assert LESSON.exists(), f"{LESSON.name} is missing: the lesson must exist for this check"
    prose = "\n".join(cell.source for cell in nbformat.read(LESSON, as_version=4).cells)
    item = ITEMS[key]
    copyable = [n for n in printed_numbers(prose) if abs(n - item["answer"]) <= item["tolerance"]]
    assert copyable == [], f"{key}: the lesson prints {copyable}, within {item['tolerance']} of the answer"


def test_there_are_three_lab_questions_each_with_enough_diagnoses():
    labs = [key for key in SECTION_A if key.startswith("lab_")]
    assert labs == ["lab_consensus_r_specific", "lab_gas_t_mean", "lab_specific_gap"]
    assert all(len(ITEMS[key]["mistakes"]) >= 5 for key in labs)


def test_a_mistyped_specificity_names_the_groups_that_exist(data):
    g, _ = data
    code = 'specific = goals[goals["goal_specificity"] == "Specific"]'
    empty = r(group(g, "Specific"), "goal_consensus")
    feedback = evaluate("m04.lab_consensus_r_specific", empty, code)
    assert feedback.status is Status.UNREADABLE
    assert '"Specific" is not a group in `goal_specificity`: did you mean "specific"?' in feedback.message
