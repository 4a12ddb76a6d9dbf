"""Module 02's answer keys: every number recomputed from the CSV, every mistake diagnosed.

The expected values are computed here with plain pandas on data/disclosure_sessions.csv,
never read from data/checks/m02.yaml, so a key that drifts from the data fails. The same
goes for the predictable mistakes: each is recomputed the wrong way a learner would, and
must get its own feedback, not the generic "not it yet".
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from test_labs import printed_numbers  # one reading of "a number as a page prints it"
from answerkeys import assert_bands_apart, assert_mistakes_diagnosed, assert_right
from trustlab.checks import evaluate, load_checks
from trustlab.labs.disclosure import (depth_by_response, depth_by_response_chart, depth_by_shame,
                                      depth_by_shame_chart, held_back_chart, held_back_counts)
from trustlab.paths import course_root

ROOT = course_root()
LESSON = ROOT / "notebooks" / "02_shame_barriers.ipynb"
CHECKS = load_checks("m02")
ITEMS = CHECKS["items"]


@pytest.fixture(scope="module")
def ds() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "disclosure_sessions.csv")


def per_client(ds: pd.DataFrame) -> pd.DataFrame:
    return ds.groupby("client_id").agg(shame=("shame_proneness", "first"), ever=("held_back", "any"),
                                       n=("held_back", "sum"), depth=("disclosure_depth", "mean"),
                                       judged=("felt_judged", "mean"))


def response(ds: pd.DataFrame, kind: str) -> pd.DataFrame:
    return ds[ds["therapist_response"] == kind]


def session(ds: pd.DataFrame, number: int) -> pd.DataFrame:
    return ds[ds["session"] == number]


def judged_mean(ds: pd.DataFrame, kind: str) -> float:
    return response(ds, kind)["felt_judged"].mean()


def held_share(ds: pd.DataFrame, number: int) -> float:
    return session(ds, number)["held_back"].mean()


# Each number answer, computed the right way.
RIGHT = {
    "lab_low_shame_held": lambda ds: per_client(ds).query("shame < 2.5")["ever"].mean(),
    "lab_judged_often": lambda ds: (response(ds, "minimizing")["felt_judged"] >= 4).mean(),
    "lab_shame_r": lambda ds: per_client(ds)["shame"].corr(per_client(ds)["n"]),
    "ex1": lambda ds: (session(ds, 1)["disclosure_depth"] == 0).mean(),
    "ex2": lambda ds: judged_mean(ds, "minimizing") - judged_mean(ds, "validating"),
    "ex3": lambda ds: held_share(ds, 1) - held_share(ds, 8),
}

# The predictable wrong computations, each with the mistake value it must be diagnosed as.
WRONG = {
    "lab_low_shame_held": [
        lambda ds: per_client(ds)["ever"].mean(),  # every client
        lambda ds: ds[ds["shame_proneness"] < 2.5]["held_back"].mean(),  # sessions, not clients
        lambda ds: 1 - per_client(ds).query("shame < 2.5")["ever"].mean(),  # never held back
        lambda ds: per_client(ds).query("shame <= 2.5")["ever"].mean(),  # <= instead of <
        lambda ds: per_client(ds).query("shame >= 2.5")["ever"].mean(),  # the other clients
        lambda ds: per_client(ds).query("shame < 2.5")["ever"].sum(),  # a count
        lambda ds: len(per_client(ds).query("shame < 2.5")),  # the group's size
        lambda ds: per_client(ds).query("ever")["shame"].lt(2.5).mean(),  # turned round
        lambda ds: per_client(ds).query("shame < 2.5")["ever"].sum() / len(per_client(ds)),  # over all 200
    ],
    "lab_judged_often": [
        lambda ds: (ds["felt_judged"] >= 4).mean(),
        lambda ds: (ds[ds["felt_judged"] >= 4]["therapist_response"] == "minimizing").mean(),
        lambda ds: (response(ds, "minimizing")["felt_judged"] >= 4).sum() / len(ds),
        lambda ds: (response(ds, "minimizing")["felt_judged"] >= 4).sum(),
        lambda ds: len(response(ds, "minimizing")),
        lambda ds: (response(ds, "minimizing")["felt_judged"] >= 3).mean(),
        lambda ds: (response(ds, "minimizing")["felt_judged"] == 4).mean(),
        lambda ds: (response(ds, "minimizing")["felt_judged"] == 5).mean(),
        lambda ds: (response(ds, "minimizing")["felt_judged"] < 4).mean(),
        lambda ds: (response(ds, "probing")["felt_judged"] >= 4).mean(),
        lambda ds: (response(ds, "validating")["felt_judged"] >= 4).mean(),
        lambda ds: (response(ds, "neutral")["felt_judged"] >= 4).mean(),
        lambda ds: (ds[ds["therapist_response"] != "minimizing"]["felt_judged"] >= 4).mean(),
    ],
    "lab_shame_r": [
        lambda ds: ds["shame_proneness"].corr(ds["held_back"].astype(float)),  # row by row
        lambda ds: per_client(ds)["shame"].corr(per_client(ds)["ever"].astype(float)),
        lambda ds: per_client(ds)["shame"].corr(per_client(ds)["n"]) ** 2,
        lambda ds: 100 * per_client(ds)["shame"].corr(per_client(ds)["n"]),
        lambda ds: per_client(ds)["shame"].corr(per_client(ds)["shame"]),
        lambda ds: per_client(ds)["shame"].corr(per_client(ds)["depth"]),
        lambda ds: per_client(ds)["shame"].corr(per_client(ds)["judged"]),
    ],
    "ex1": [
        lambda ds: (session(ds, 1)["disclosure_depth"] == 0).sum(),
        lambda ds: (ds["disclosure_depth"] == 0).mean(),
        lambda ds: (session(ds, 1)["disclosure_depth"] > 0).mean(),
        lambda ds: (session(ds, 1)["disclosure_depth"] <= 1).mean(),
        lambda ds: (ds[ds["disclosure_depth"] == 0]["session"] == 1).mean(),
        lambda ds: (session(ds, 8)["disclosure_depth"] == 0).mean(),
    ],
    "ex2": [
        lambda ds: judged_mean(ds, "validating") - judged_mean(ds, "minimizing"),
        lambda ds: judged_mean(ds, "probing") - judged_mean(ds, "validating"),
        lambda ds: judged_mean(ds, "minimizing") - judged_mean(ds, "neutral"),
        lambda ds: judged_mean(ds, "minimizing") - judged_mean(ds, "probing"),
        lambda ds: judged_mean(ds, "minimizing") - ds["felt_judged"].mean(),
        lambda ds: (response(ds, "minimizing")["felt_judged"].median()
                    - response(ds, "validating")["felt_judged"].median()),
        lambda ds: (response(ds, "minimizing")["disclosure_depth"].mean()
                    - response(ds, "validating")["disclosure_depth"].mean()),
    ],
    "ex3": [
        lambda ds: held_share(ds, 8) - held_share(ds, 1),
        lambda ds: session(ds, 1)["held_back"].sum() - session(ds, 8)["held_back"].sum(),
        lambda ds: (held_share(ds, 1) - held_share(ds, 8)) / held_share(ds, 1),
        lambda ds: held_share(ds, 1),
        lambda ds: held_share(ds, 8),
        lambda ds: session(ds, 8)["disclosure_depth"].mean() - session(ds, 1)["disclosure_depth"].mean(),
    ],
}


def number_items() -> dict:
    return {key: item for key, item in ITEMS.items() if item["kind"] == "number"}


def test_every_number_item_is_recomputed_here():
    assert set(number_items()) == set(RIGHT) == set(WRONG)


@pytest.mark.parametrize("key", sorted(RIGHT))
def test_each_answer_is_what_pandas_computes_from_the_csv(ds, key):
    assert_right(f"m02.{key}", ITEMS[key], float(RIGHT[key](ds)))


@pytest.mark.parametrize("key", sorted(WRONG))
def test_each_predictable_mistake_gets_its_own_diagnosis(ds, key):
    """Every listed mistake is what that wrong computation really gives, and no two share a value."""
    assert_mistakes_diagnosed(f"m02.{key}", ITEMS[key], [float(compute(ds)) for compute in WRONG[key]])


@pytest.mark.parametrize("key", sorted(RIGHT))
def test_each_number_item_has_a_hint_an_explanation_and_bands_that_do_not_overlap(key):
    assert_bands_apart(key, ITEMS[key])


# --- the lab questions need the learner's own computation -----------------------------------------

def lab_items() -> dict:
    return {key: item for key, item in ITEMS.items() if key.startswith("lab_")}


def what_the_lesson_shows(ds: pd.DataFrame) -> str:
    """Everything a learner can read before answering a lab question.

    The charts (titles, descriptions, takeaways), the numbers their tooltips print, every
    prompt, hint and option of the checks file, and every cell of the lesson notebook.
    """
    parts = []
    for make in (depth_by_response_chart, depth_by_shame_chart, held_back_chart):
        box = make(ds)
        spec = box.children[0].chart.to_dict()
        parts += [str(spec.get("title", "")), spec.get("description", ""), box.children[1].value]
    for table in (depth_by_response(ds), depth_by_shame(ds), held_back_counts(ds)):
        parts += [f"{v}" for v in table.select_dtypes("number").to_numpy().ravel()]
        parts += [f"{v:.2f}" for v in table.select_dtypes("float").to_numpy().ravel()]  # tooltips round
    for item in ITEMS.values():
        parts += [item["prompt"], item.get("hint", "")]
        parts += [o["text"] + " " + o["feedback"] for o in item.get("options", [])]
    parts += [cell.source for cell in nbformat.read(LESSON, as_version=4).cells]
    return "\n".join(parts)


def test_there_are_at_least_three_lab_questions():
    assert len(lab_items()) >= 3


def test_no_lab_answer_can_be_copied_from_a_chart_or_the_lesson(ds):
    shown = printed_numbers(what_the_lesson_shows(ds))
    for key, item in lab_items().items():
        copyable = [n for n in shown if abs(n - item["answer"]) <= item["tolerance"]]
        assert copyable == [], f"{key}: the answer {item['answer']} can be copied: {copyable}"


def test_each_lab_question_offers_enough_diagnoses():
    for key, item in lab_items().items():
        assert len(item["mistakes"]) >= 5, key


def test_a_mistyped_response_in_a_lab_question_names_the_groups_that_exist(ds):
    code = 'm = ds[ds["therapist_response"] == "Minimizing"]'
    empty = (ds[ds["therapist_response"] == "Minimizing"]["felt_judged"] >= 4).mean()
    feedback = evaluate("m02.lab_judged_often", empty, code)
    assert '"Minimizing" is not a group in `therapist_response`' in feedback.message


# --- the multiple-choice items --------------------------------------------------------------------

def choice_items() -> dict:
    return {key: item for key, item in ITEMS.items() if item["kind"] == "choice"}


def test_the_quiz_has_at_least_six_choice_items_and_the_exercises_at_least_six_items():
    assert len(CHECKS["quiz"]) >= 6 and all(ITEMS[key]["kind"] == "choice" for key in CHECKS["quiz"])
    assert len([key for key in ITEMS if re.fullmatch(r"ex\d+", key)]) >= 6


def _length(text: str) -> int:
    return len(" ".join(text.split()))


def test_no_correct_option_is_the_longest():
    for key, item in choice_items().items():
        lengths = [_length(o["text"]) for o in item["options"]]
        right = next(i for i, o in enumerate(item["options"]) if o.get("correct"))
        assert lengths[right] < max(lengths), f"{key}: the correct option is the longest"


def test_the_correct_option_moves_around_and_is_not_always_the_same_length_rank():
    places, ranks = [], []
    for item in choice_items().values():
        lengths = [_length(o["text"]) for o in item["options"]]
        right = next(i for i, o in enumerate(item["options"]) if o.get("correct"))
        places.append(right)
        ranks.append(1 + sum(other > lengths[right] for other in lengths))
    assert max(places.count(p) for p in set(places)) <= 0.45 * len(places), places
    assert max(ranks.count(r) for r in set(ranks)) <= 0.45 * len(ranks), ranks


def test_every_wrong_option_explains_itself():
    for key, item in choice_items().items():
        for option in item["options"]:
            assert len(option["feedback"].split()) >= 12, f"{key}: '{option['text'][:40]}...' needs more feedback"


def test_s1_is_quoted_exactly_where_it_is_quoted():
    """facts.md S1: N = 547; 93% had lied; 72.6% about at least one therapy-related topic."""
    q2 = ITEMS["q2"]
    right = next(o for o in q2["options"] if o.get("correct"))
    assert "93%" in right["text"] and "72.6%" in right["text"] and "547" in q2["prompt"]
    everything = "\n".join(str(v) for v in _texts(ITEMS))
    for figure in re.findall(r"(\d+(?:\.\d+)?)% (?:had lied|of \d+ clients)", everything):
        assert figure in {"93", "72.6"}, figure


def _texts(node) -> list[str]:
    if isinstance(node, dict):
        return [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return [node] if isinstance(node, str) else []


def test_s2_and_s3_are_taught_as_reported():
    """facts.md: S2 and S3 are medium confidence, so every item that cites them says 'reported'."""
    for key, item in ITEMS.items():
        text = " ".join(_texts(item))
        if re.search(r"Baumann|Macdonald", text):
            assert re.search(r"\breported\b", text), f"{key} cites S2 or S3 without saying 'reported'"
        for figure in re.findall(r"(\d+)% of (?:recorded )?emotional episodes", text):
            assert figure == "68", key


def test_the_topics_the_issue_asks_for_are_all_in_the_quiz():
    quiz = " ".join(" ".join(_texts(ITEMS[key])) for key in CHECKS["quiz"])
    for words in [r"shame.*guilt|guilt.*shame", r"93%", r"\breported\b", r"looks away|joking|laughs",
                  r"sounded flat|reaction", r"can wait", r"identity is never the problem"]:
        assert re.search(words, quiz, re.S), words
