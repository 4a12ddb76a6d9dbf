"""Module 03's number answer keys (SECTION A of data/checks/m03.yaml): recomputed, diagnosed, not copyable.

The expected values are computed here with plain pandas on data/alliance_sessions.csv and
data/alliance_outcomes.csv, never read from the checks file, so a key that drifts from the data
fails. So do the predictable mistakes: each is recomputed the wrong way a learner would, and
must get its own feedback. And no answer may be read off what the lesson shows: a chart's text,
the numbers its tooltips print, a prompt, a hint, or the lesson's prose.

Only the data lab and the data exercises (lab_*, ex1-ex3) are checked here; the judgment
exercises, the knowledge check and the supervision set have their own tests.
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

from test_labs import printed_numbers  # one reading of "a number as a page prints it"
from answerkeys import assert_bands_apart, assert_mistakes_diagnosed, assert_right
from trustlab.charts import THEME
from trustlab.checks import Status, evaluate, load_checks
from trustlab.labs.ruptures import alliance_around_rupture_chart, dropout_by_rupture_chart, repair_outcome_chart
from trustlab.paths import course_root

ROOT = course_root()
LESSON = ROOT / "notebooks" / "03_rupture_repair.ipynb"
ITEMS = load_checks("m03")["items"]
SECTION_A = sorted(key for key in ITEMS if key.startswith("lab_") or key in {"ex1", "ex2", "ex3"})


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.read_csv(ROOT / "data" / "alliance_sessions.csv"),
            pd.read_csv(ROOT / "data" / "alliance_outcomes.csv"))


# --- small pandas steps a learner takes --------------------------------------------------------------

def ruptured(o: pd.DataFrame) -> pd.DataFrame:
    return o[o["any_rupture"]]


def repaired(o: pd.DataFrame) -> pd.Series:
    """True/False, with the clients who had no rupture as False (what .fillna(False) gives)."""
    return o["repaired"].fillna(False).astype(bool)


def clients_with(s: pd.DataFrame, kind: str) -> np.ndarray:
    return s.loc[s["rupture"] == kind, "client_id"].unique()


def dropout_of(o: pd.DataFrame, ids) -> float:
    return o[o["client_id"].isin(ids)]["dropped_out"].mean()


def kinds(s: pd.DataFrame) -> pd.DataFrame:
    return s.assign(w=s["rupture"] == "withdrawal", c=s["rupture"] == "confrontation").groupby("client_id")[
        ["w", "c"]].any()


def only(s: pd.DataFrame, kind: str) -> pd.Index:
    k = kinds(s)
    mine, other = ("c", "w") if kind == "confrontation" else ("w", "c")
    return k[k[mine] & ~k[other]].index


def row_level_dropout(s: pd.DataFrame, o: pd.DataFrame, kind: str) -> float:
    return s[s["rupture"] == kind].merge(o[["client_id", "dropped_out"]], on="client_id")["dropped_out"].mean()


def first_rupture_rows(s: pd.DataFrame) -> pd.DataFrame:
    r = s[s["rupture"] != "none"]
    return r.loc[r.groupby("client_id")["session"].idxmin()]


def around(s: pd.DataFrame) -> pd.DataFrame:
    """One row per ruptured client, one column per session counted from their first rupture."""
    first = s[s["rupture"] != "none"].groupby("client_id")["session"].min().rename("first")
    a = s.merge(first, left_on="client_id", right_index=True)
    a["offset"] = a["session"] - a["first"]
    return a.pivot_table(index="client_id", columns="offset", values="alliance")


def dip(s: pd.DataFrame, o: pd.DataFrame | None = None, repaired_only: bool | None = None) -> float:
    w = around(s)
    fall = w[-1] - w[0]
    if repaired_only is not None:
        flag = o.set_index("client_id")["repaired"].reindex(fall.index).astype(bool)
        fall = fall[flag if repaired_only else ~flag]
    return fall.mean()


def group_mean(o: pd.DataFrame, flag: bool) -> float:
    r = ruptured(o)
    return r[r["repaired"] == flag]["outcome_change"].mean()


def r1(o: pd.DataFrame) -> float:
    r = ruptured(o)
    return r["repaired"].astype(float).corr(r["outcome_change"])


# Each number answer, computed the right way.
RIGHT = {
    "lab_repaired_share": lambda s, o: ruptured(o)["repaired"].astype(float).mean(),
    "lab_repair_gap": lambda s, o: group_mean(o, True) - group_mean(o, False),
    "lab_dropout_any_confrontation": lambda s, o: dropout_of(o, clients_with(s, "confrontation")),
    "ex1": lambda s, o: r1(o),
    "ex2": lambda s, o: dropout_of(o, only(s, "confrontation")) - dropout_of(o, only(s, "withdrawal")),
    "ex3": lambda s, o: dip(s),
}

# The predictable wrong computations: each must get the diagnosis written for it.
WRONG = {
    "lab_repaired_share": [
        lambda s, o: repaired(o).mean(),  # over all 240 clients
        lambda s, o: 1 - ruptured(o)["repaired"].astype(float).mean(),  # not repaired
        lambda s, o: (first_rupture_rows(s)["repair"] != "none").mean(),  # tried, at the first rupture
        lambda s, o: (s[s["rupture"] != "none"]["repair"] != "none").mean(),  # tried, per rupture session
        lambda s, o: o["any_rupture"].mean(),  # had a rupture at all
        lambda s, o: ruptured(o)["repaired"].astype(float).sum(),  # a count
        lambda s, o: len(ruptured(o)),  # the group's size
    ],
    "lab_repair_gap": [
        lambda s, o: group_mean(o, False) - group_mean(o, True),
        lambda s, o: (ruptured(o).groupby("repaired")["outcome_change"].median().diff().iloc[-1]),
        lambda s, o: o[repaired(o)]["outcome_change"].mean() - o[~repaired(o)]["outcome_change"].mean(),
        lambda s, o: group_mean(o, True) - o["outcome_change"].mean(),
        lambda s, o: group_mean(o, True) - o[~o["any_rupture"]]["outcome_change"].mean(),
        lambda s, o: group_mean(o, True),
        lambda s, o: group_mean(o, False),
    ],
    "lab_dropout_any_confrontation": [
        lambda s, o: o[o["first_rupture"] == "confrontation"]["dropped_out"].mean(),  # Chart 3's group
        lambda s, o: row_level_dropout(s, o, "confrontation"),  # sessions, not clients
        lambda s, o: o[o["dropped_out"]]["client_id"].isin(clients_with(s, "confrontation")).mean(),  # turned round
        lambda s, o: dropout_of(o, only(s, "withdrawal")),  # the other group
        lambda s, o: o[~o["client_id"].isin(clients_with(s, "confrontation"))]["dropped_out"].mean(),
        lambda s, o: dropout_of(o, clients_with(s, "withdrawal")),
        lambda s, o: o["dropped_out"].mean(),
        lambda s, o: o[o["client_id"].isin(clients_with(s, "confrontation"))]["dropped_out"].sum() / len(o),
        lambda s, o: 1 - dropout_of(o, clients_with(s, "confrontation")),
        lambda s, o: o[o["client_id"].isin(clients_with(s, "confrontation"))]["dropped_out"].sum(),
        lambda s, o: len(clients_with(s, "confrontation")),
    ],
    "ex1": [
        lambda s, o: round(r1(o), 2),  # the published .29, or r rounded too far
        lambda s, o: repaired(o).astype(float).corr(o["outcome_change"]),  # all clients
        lambda s, o: r1(o) ** 2,
        lambda s, o: 100 * r1(o),
        lambda s, o: ruptured(o)["repaired"].astype(float).corr(ruptured(o)["dropped_out"].astype(float)),
        lambda s, o: o["any_rupture"].astype(float).corr(o["outcome_change"]),
    ],
    "ex2": [
        lambda s, o: dropout_of(o, only(s, "withdrawal")) - dropout_of(o, only(s, "confrontation")),
        lambda s, o: (o[o["first_rupture"] == "confrontation"]["dropped_out"].mean()
                      - o[o["first_rupture"] == "withdrawal"]["dropped_out"].mean()),
        lambda s, o: dropout_of(o, clients_with(s, "confrontation")) - dropout_of(o, only(s, "withdrawal")),
        lambda s, o: row_level_dropout(s, o, "confrontation") - row_level_dropout(s, o, "withdrawal"),
        lambda s, o: dropout_of(o, only(s, "confrontation")),
        lambda s, o: dropout_of(o, only(s, "withdrawal")),
        lambda s, o: (o[o["client_id"].isin(only(s, "confrontation"))]["dropped_out"].sum()
                      - o[o["client_id"].isin(only(s, "withdrawal"))]["dropped_out"].sum()),
        lambda s, o: dropout_of(o, only(s, "confrontation")) / dropout_of(o, only(s, "withdrawal")),
    ],
    "ex3": [
        lambda s, o: -dip(s),
        lambda s, o: _every_rupture_fall(s),
        lambda s, o: s[s["rupture"] == "none"]["alliance"].mean() - s[s["rupture"] != "none"]["alliance"].mean(),
        lambda s, o: (around(s)[1] - around(s)[0]).mean(),  # the recovery
        lambda s, o: dip(s, o, repaired_only=True),
        lambda s, o: dip(s, o, repaired_only=False),
        lambda s, o: (around(s)[-2] - around(s)[0]).mean(),
        lambda s, o: around(s)[0].mean(),
        lambda s, o: around(s)[-1].mean(),
    ],
}


def _every_rupture_fall(s: pd.DataFrame) -> float:
    ordered = s.sort_values(["client_id", "session"])
    before = ordered.groupby("client_id")["alliance"].shift(1)
    rupture = ordered["rupture"] != "none"
    return (before[rupture] - ordered["alliance"][rupture]).mean()


def test_section_a_has_the_six_number_items_and_each_is_recomputed_here():
    assert SECTION_A == sorted(RIGHT) == sorted(WRONG)
    assert all(ITEMS[key]["kind"] == "number" for key in SECTION_A)


@pytest.mark.parametrize("key", sorted(RIGHT))
def test_each_answer_is_what_pandas_computes_from_the_csv(data, key):
    assert_right(f"m03.{key}", ITEMS[key], float(RIGHT[key](*data)))


@pytest.mark.parametrize("key", sorted(WRONG))
def test_each_predictable_mistake_gets_its_own_diagnosis(data, key):
    """Every listed mistake is what that wrong computation really gives, and no two share a value."""
    assert_mistakes_diagnosed(f"m03.{key}", ITEMS[key], [float(compute(*data)) for compute in WRONG[key]])


@pytest.mark.parametrize("key", SECTION_A)
def test_each_item_has_a_hint_an_explanation_and_bands_that_do_not_overlap(key):
    assert_bands_apart(key, ITEMS[key])


@pytest.mark.parametrize("key", SECTION_A)
def test_no_hint_prompt_or_mistake_feedback_gives_the_answer(key):
    item = ITEMS[key]
    texts = [item["prompt"], item["hint"]] + [m["feedback"] for m in item["mistakes"]]
    shown = printed_numbers("\n".join(texts))
    assert not [n for n in shown if abs(n - item["answer"]) <= item["tolerance"]], key


def test_typing_the_published_r_instead_of_computing_it_is_not_accepted(data):
    """R1's .29 is printed all over the lesson: the data's own r has to be computed."""
    assert evaluate("m03.ex1", 0.29).status is Status.NOT_YET
    assert "published figure (R1)" in evaluate("m03.ex1", "0.290").message
    assert evaluate("m03.ex1", round(r1(data[1]), 4)).status is Status.CORRECT


# --- honest about what is calibrated and what is illustrative --------------------------------------

R1_ITEMS, R5_ITEMS = ("lab_repair_gap", "ex1"), ("lab_dropout_any_confrontation", "ex2")


@pytest.mark.parametrize("key", SECTION_A)
def test_every_explanation_says_what_is_illustrative(key):
    assert "illustrative" in ITEMS[key]["explanation"], key


@pytest.mark.parametrize("key", R1_ITEMS)
def test_the_r1_items_name_the_calibration_and_that_it_is_a_correlation(key):
    text = " ".join(ITEMS[key]["explanation"].split())
    assert re.search(r"Eubanks, Muran and Safran(?:'s)? \(2018\)", text) and "11 studies" in text and "r = .29" in text
    assert "calibrated" in text and re.search(r"correlat", text)
    for claim in re.finditer(r"repair(?:ing)? (?:causes|caused|leads to|improves)", text):  # only ever denied
        assert re.search(r"(not show|not proof) that $", text[:claim.start()]), claim.group(0)


@pytest.mark.parametrize("key", R5_ITEMS)
def test_the_r5_items_claim_only_the_direction_from_one_reported_study(key):
    text = " ".join(ITEMS[key]["explanation"].split())
    assert "direction" in text and "Eubanks et al., 2019" in text and "42 cases" in text
    assert re.search(r"\breport", text), "R5 is medium confidence: taught as reported"
    # R5 does not compare confrontation with withdrawal (module 03 review, M3)
    assert "comparison with withdrawal and every size are the course's illustrative assumptions" in text
    assert not re.search(r"direction (?:comes from|is what) research|predict", text)


def test_the_dip_item_teaches_r6_only_as_debated():
    text = " ".join(ITEMS["ex3"]["explanation"].split())
    assert "debated" in text and "a later study found the pattern but no link" in text
    assert "These data make no claim about it" in text


# --- no answer can be read off the lesson ------------------------------------------------------------

def _d3(value, fmt: str | None) -> str:
    """A value as a Vega tooltip prints it, for the formats the charts use."""
    if fmt is None or value is None:
        return f"{value}"
    places, percent = re.fullmatch(r"\.(\d+)([f%])", fmt).groups()
    return f"{value * 100:.{places}f}%" if percent == "%" else f"{value:.{places}f}"


def _tooltips(spec: dict) -> list[str]:
    """Every value every tooltip of the chart can show, formatted as it would be."""
    shown = []
    for layer in spec.get("layer", [spec]):
        tips = layer.get("encoding", {}).get("tooltip", [])
        if not tips:
            continue
        rows = spec["datasets"][layer.get("data", spec.get("data"))["name"]]
        for tip in tips:
            if tip.get("type") == "nominal":
                continue
            shown += [_d3(row[tip["field"]], tip.get("format")) for row in rows]
    return shown


def _chart_texts(box) -> list[str]:
    """The chart's title, description, every text it draws (axes, legend) and its takeaway."""
    with alt.theme.enable(THEME):
        spec = box.children[0].chart.to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    drawn = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return [str(spec.get("title", "")), spec["description"], box.children[1].value] + drawn + _tooltips(spec)


def what_the_lesson_shows(s: pd.DataFrame, o: pd.DataFrame) -> str:
    parts = []
    for box in (alliance_around_rupture_chart(s, o), repair_outcome_chart(o), dropout_by_rupture_chart(s, o)):
        parts += _chart_texts(box)
    for item in ITEMS.values():  # every prompt and hint, and every option of the quiz and exercises
        parts += [item["prompt"], item.get("hint", "")]
        parts += [opt["text"] + " " + opt["feedback"] for opt in item.get("options", [])]
    return "\n".join(parts)


def test_the_tooltip_reader_sees_the_numbers_the_charts_print(data):
    """The reader itself must work: the dropout chart's tooltip prints each group's count."""
    shown = what_the_lesson_shows(*data)
    counts = data[1]["first_rupture"].value_counts()
    for kind in ("none", "withdrawal", "confrontation"):
        assert f"\n{counts[kind]}\n" in f"\n{shown}\n"
    assert "Sessions from the first rupture" in shown and "rupture" in shown


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
    assert len(labs) == 3
    assert all(len(ITEMS[key]["mistakes"]) >= 5 for key in labs)


def test_a_mistyped_rupture_kind_names_the_groups_that_exist(data):
    s, o = data
    code = 'ids = sessions[sessions["rupture"] == "Confrontation"]["client_id"].unique()'
    empty = dropout_of(o, clients_with(s, "Confrontation"))
    feedback = evaluate("m03.lab_dropout_any_confrontation", empty, code)
    assert feedback.status is Status.UNREADABLE
    assert '"Confrontation" is not a group in `rupture`: did you mean "confrontation"?' in feedback.message
