"""Module 05's number answer keys (SECTION A of data/checks/m05.yaml): recomputed, diagnosed, not copyable.

The expected values are computed here with plain pandas on data/rom_sessions.csv and
data/rom_outcomes.csv, never read from the checks file, so a key that drifts from the data
fails. The not-on-track rule is written out here (ORS at session 3 below the intake + 2), not
taken from the lab's helper. The predictable mistakes are recomputed the wrong way a learner
would, and each must get its own feedback. And no answer may be read off what the lesson shows:
a chart's text, the numbers its tooltips print, a prompt, a hint, or the lesson's prose.

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
from trustlab.labs.monitoring import feedback_outcome_chart, not_on_track_chart, ors_paths_chart
from trustlab.paths import course_root

ROOT = course_root()
LESSON = ROOT / "notebooks" / "05_capstone.ipynb"
ITEMS = load_checks("m05")["items"]
SECTION_A = sorted(key for key in ITEMS if key.startswith("lab_") or key in {"ex1", "ex2", "ex3"})
EX3_CLIENT = "RM033"


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(ROOT / "data" / "rom_sessions.csv"), pd.read_csv(ROOT / "data" / "rom_outcomes.csv")


# --- small pandas steps a learner takes --------------------------------------------------------------

def d(values: pd.Series, group: pd.Series) -> float:
    a, b = values[group], values[~group]
    pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var()) / (len(a) + len(b) - 2))
    return (a.mean() - b.mean()) / pooled


def mean_gap(frame: pd.DataFrame, by: str, column: str) -> float:
    means = frame.groupby(by)[column].mean()
    return means[True] - means[False]


def wide(s: pd.DataFrame) -> pd.DataFrame:
    return s.pivot(index="client_id", columns="session", values="ors")


def flags(s: pd.DataFrame, at: int = 3, gain: float = 2.0) -> pd.Series:
    w = wide(s)
    return w[at] < w[1] + gain


def first_srs(s: pd.DataFrame, o: pd.DataFrame, column: str = "srs") -> pd.DataFrame:
    return s[s["session"] == 1].merge(o[["client_id", "dropped_out", "not_on_track"]], on="client_id")


def with_outcomes(s: pd.DataFrame, o: pd.DataFrame) -> pd.DataFrame:
    return s.merge(o[["client_id", "dropped_out", "not_on_track"]], on="client_id")


def flagged(o: pd.DataFrame) -> pd.DataFrame:
    return o[o["not_on_track"]]


def ex3_rows(s: pd.DataFrame) -> pd.Series:
    return s[s["client_id"] == EX3_CLIENT].set_index("session")["ors"]


# Each number answer, computed the right way.
RIGHT = {
    "lab_feedback_d": lambda s, o: d(o["outcome_change"], o["feedback"]),
    "lab_not_on_track_share": lambda s, o: flags(s).mean(),
    "lab_dropout_gap": lambda s, o: mean_gap(o, "not_on_track", "dropped_out"),
    "ex1": lambda s, o: mean_gap(first_srs(s, o), "dropped_out", "srs"),
    "ex2": lambda s, o: mean_gap(flagged(o), "feedback", "outcome_change"),
    "ex3": lambda s, o: ex3_rows(s)[3] - (ex3_rows(s)[1] + 2),
}

# The predictable wrong computations: each must get the diagnosis written for it.
WRONG = {
    "lab_feedback_d": [
        lambda s, o: -d(o["outcome_change"], o["feedback"]),
        lambda s, o: mean_gap(o, "feedback", "outcome_change"),  # not standardized
        lambda s, o: 0.15,  # M1's published d, typed from the lesson
        lambda s, o: 0.17,  # M1's not-on-track d
        lambda s, o: d(s["ors"], s["feedback"]),  # session rows, not clients
        lambda s, o: d(flagged(o)["outcome_change"], flagged(o)["feedback"]),
    ],
    "lab_not_on_track_share": [
        lambda s, o: with_outcomes(s, o)["not_on_track"].mean(),  # session rows
        lambda s, o: flags(s, gain=0).mean(),
        lambda s, o: flags(s, gain=3).mean(),
        lambda s, o: flags(s, at=4, gain=3).mean(),
        lambda s, o: float(flags(s).sum()),
        lambda s, o: 1 - flags(s).mean(),
    ],
    "lab_dropout_gap": [
        lambda s, o: -mean_gap(o, "not_on_track", "dropped_out"),
        lambda s, o: o.groupby("not_on_track")["dropped_out"].mean().pipe(lambda m: m[True] / m[False]),
        lambda s, o: flagged(o)["dropped_out"].mean(),
        lambda s, o: o[~o["not_on_track"]]["dropped_out"].mean(),
        lambda s, o: o["dropped_out"].mean(),
        lambda s, o: mean_gap(with_outcomes(s, o), "not_on_track", "dropped_out"),
    ],
    "ex1": [
        lambda s, o: -mean_gap(first_srs(s, o), "dropped_out", "srs"),
        lambda s, o: mean_gap(with_outcomes(s, o), "dropped_out", "srs"),
        lambda s, o: mean_gap(s.groupby("client_id")["srs"].mean().rename("srs").reset_index().merge(o),
                              "dropped_out", "srs"),
        lambda s, o: mean_gap(with_outcomes(s, o).sort_values("session").groupby("client_id").tail(1),
                              "dropped_out", "srs"),
        lambda s, o: mean_gap(first_srs(s, o), "not_on_track", "srs"),
        lambda s, o: mean_gap(first_srs(s, o), "dropped_out", "ors"),
    ],
    "ex2": [
        lambda s, o: -mean_gap(flagged(o), "feedback", "outcome_change"),
        lambda s, o: mean_gap(o, "feedback", "outcome_change"),
        lambda s, o: mean_gap(o[~o["not_on_track"]], "feedback", "outcome_change"),
        lambda s, o: d(flagged(o)["outcome_change"], flagged(o)["feedback"]),
        lambda s, o: flagged(o).groupby("feedback")["outcome_change"].median().pipe(lambda m: m[True] - m[False]),
    ],
    "ex3": [
        lambda s, o: (ex3_rows(s)[1] + 2) - ex3_rows(s)[3],
        lambda s, o: ex3_rows(s)[3] - ex3_rows(s)[1],
        lambda s, o: ex3_rows(s)[3] - (ex3_rows(s)[1] + 3),
        lambda s, o: ex3_rows(s)[2] - (ex3_rows(s)[1] + 1),
        lambda s, o: ex3_rows(s)[2] - (ex3_rows(s)[1] + 2),
    ],
}


def test_section_a_has_the_six_number_items_and_each_is_recomputed_here():
    assert SECTION_A == sorted(RIGHT) == sorted(WRONG)
    assert all(ITEMS[key]["kind"] == "number" for key in SECTION_A)


@pytest.mark.parametrize("key", sorted(RIGHT))
def test_each_answer_is_what_pandas_computes_from_the_csv(data, key):
    assert_right(f"m05.{key}", ITEMS[key], float(RIGHT[key](*data)))


@pytest.mark.parametrize("key", sorted(WRONG))
def test_each_predictable_mistake_gets_its_own_diagnosis(data, key):
    """Every listed mistake is what that wrong computation really gives, and no two share a value."""
    assert_mistakes_diagnosed(f"m05.{key}", ITEMS[key], [float(compute(*data)) for compute in WRONG[key]])


@pytest.mark.parametrize("key", SECTION_A)
def test_each_item_has_a_hint_an_explanation_and_bands_that_do_not_overlap(key):
    assert_bands_apart(key, ITEMS[key])


@pytest.mark.parametrize("key", SECTION_A)
def test_no_hint_prompt_or_mistake_feedback_gives_the_answer(key):
    item = ITEMS[key]
    texts = [item["prompt"], item["hint"]] + [m["feedback"] for m in item["mistakes"]]
    shown = printed_numbers("\n".join(texts))
    assert not [n for n in shown if abs(n - item["answer"]) <= item["tolerance"]], key


def test_the_not_on_track_column_and_the_helper_give_the_same_share(data):
    """The learner may use outcomes["not_on_track"], flag_not_on_track(sessions) or pandas: one answer."""
    from trustlab.labs.monitoring import flag_not_on_track
    s, o = data
    assert o["not_on_track"].mean() == flags(s).mean() == flag_not_on_track(s)["not_on_track"].mean()
    assert evaluate("m05.lab_not_on_track_share", "26%").status is Status.CORRECT


def test_ex3_is_worked_from_the_clients_real_rows(data):
    rows = ex3_rows(data[0])
    assert (rows[1], rows[3]) == (12.7, 11.1)
    assert "came in at 12.7; the line expected 14.7 by session 3, and the ORS there was 11.1" in _flat("ex3")
    assert bool(data[1].set_index("client_id").at[EX3_CLIENT, "not_on_track"])


# --- typing a published figure instead of computing --------------------------------------------------

@pytest.mark.parametrize(("typed", "says"), [(0.15, "published figure (M1)"), ("0.150", "published figure (M1)"),
                                             (0.17, "not on track")])
def test_typing_m1s_published_d_is_not_accepted(typed, says):
    feedback = evaluate("m05.lab_feedback_d", typed)
    assert feedback.status is Status.NOT_YET and says in feedback.message


def test_the_datas_d_rounded_to_two_places_is_accepted_and_is_not_015(data):
    value = RIGHT["lab_feedback_d"](*data)
    assert evaluate("m05.lab_feedback_d", round(value, 2)).status is Status.CORRECT
    assert round(value, 2) != 0.15


def test_typing_d1s_dropout_share_for_the_gap_is_not_accepted():
    for typed in (0.2, 0.197, "20%"):
        assert evaluate("m05.lab_dropout_gap", typed).status is Status.NOT_YET, typed


# --- honest about what is calibrated and what is illustrative --------------------------------------

@pytest.mark.parametrize("key", SECTION_A)
def test_every_explanation_says_what_is_illustrative(key):
    assert "illustrative" in ITEMS[key]["explanation"], key


def _flat(key: str) -> str:
    return " ".join(ITEMS[key]["explanation"].split())


def test_the_d_item_is_calibrated_to_m1_and_says_small():
    text = _flat("lab_feedback_d")
    assert "de Jong et al. (2021)" in text and "58 studies" in text and "21,699 patients" in text
    assert "d = 0.15, between 0.10 and 0.20" in text and "small effect" in text
    assert "deliberately not on 0.15" in text


def test_the_not_on_track_gap_does_not_claim_to_reproduce_m1():
    text = _flat("ex2")
    assert "(d = 0.17)" in text and "not calibrated to that figure" in text and "illustrative" in text


def test_the_srs_is_not_called_an_alliance_measure():
    text = _flat("ex1")
    assert "not an alliance inventory" in text and "not a validated measure" in text and "no cutoff" in text


def test_no_explanation_claims_a_cause():
    for key in SECTION_A:
        text = _flat(key)
        assert not re.search(r"\b(?:causes?|caused|leads? to|proves?)\b", text), key


# --- no answer can be read off the lesson ------------------------------------------------------------

def _d3(value, fmt: str | None) -> str:
    """A value as a Vega tooltip prints it, for the formats the charts use."""
    if fmt is None or value is None:
        return f"{value}"
    places, percent = re.fullmatch(r"\.(\d+)([f%])", fmt).groups()
    return f"{value * 100:.{places}f}%" if percent == "%" else f"{value:.{places}f}"


def _tooltips(spec: dict, node: dict | None = None, data: dict | None = None) -> list[str]:
    """Every value every tooltip can show, formatted as it would be, in layers, panels and facets."""
    node = spec if node is None else node
    data = node.get("data", data)
    shown = []
    children = node.get("layer", []) + node.get("hconcat", []) + node.get("vconcat", [])
    children += [node["spec"]] if "spec" in node else []
    for child in children:
        shown += _tooltips(spec, child, data)
    tips = node.get("encoding", {}).get("tooltip", [])
    if tips:
        rows = spec["datasets"][data["name"]]
        for tip in tips:
            if tip.get("type") != "nominal":
                shown += [_d3(row[tip["field"]], tip.get("format")) for row in rows]
    return shown


def _chart_texts(box) -> list[str]:
    """The chart's title, description, every text it draws (axes, legend, panel names), its takeaway and tooltips."""
    with alt.theme.enable(THEME):
        spec = box.children[0].chart.to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    drawn = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return [str(spec.get("title", "")), spec["description"], box.children[1].value] + drawn + _tooltips(spec)


def lab_charts(s: pd.DataFrame, o: pd.DataFrame) -> list:
    return [ors_paths_chart(s), feedback_outcome_chart(o), not_on_track_chart(o)]


def what_the_lesson_shows(s: pd.DataFrame, o: pd.DataFrame) -> str:
    parts = []
    for box in lab_charts(s, o):
        parts += _chart_texts(box)
    for item in ITEMS.values():  # every prompt and hint, and every option of the quiz and exercises
        parts += [item["prompt"], item.get("hint", "")]
        parts += [opt["text"] + " " + opt["feedback"] for opt in item.get("options", [])]
    return "\n".join(parts)


def test_the_tooltip_reader_sees_the_numbers_the_charts_print(data):
    """The reader itself must work: it finds a path's ORS, a group's mean and a dropout share."""
    s, o = data
    shown = f"\n{what_the_lesson_shows(s, o)}\n"
    path = s[s["client_id"] == "RM001"].iloc[4]
    assert f"\n{path['ors']:.1f}\n" in shown, "an ORS in the paths chart's tooltips"
    assert f"\n{o[o['feedback']]['outcome_change'].mean():.1f}\n" in shown, "the feedback group's mean"
    rate = flagged(o)[flagged(o)["feedback"]]["dropped_out"].mean()
    assert f"\n{rate * 100:.0f}%\n" in shown, "a dropout share"
    assert "RM001: on track, feedback" in shown, "a panel's name"


def test_the_paths_chart_leaves_out_the_exercise_client(data):
    """ex3 asks about one client's session 3: the default paths chart must not draw that client."""
    with alt.theme.enable(THEME):
        spec = ors_paths_chart(data[0]).children[0].chart.to_dict()
    drawn = {row["client_id"] for rows in spec["datasets"].values() for row in rows if "client_id" in row}
    assert drawn and EX3_CLIENT not in drawn


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
    assert labs == ["lab_dropout_gap", "lab_feedback_d", "lab_not_on_track_share"]
    assert all(len(ITEMS[key]["mistakes"]) >= 5 for key in labs)
