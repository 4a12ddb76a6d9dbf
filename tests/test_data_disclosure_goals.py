"""The disclosure (module 02) and goals (module 04) generators keep the data contract.

Ranges and enums are read from data/datapackage.json, calibration targets are recomputed
on the returned frames, and the illustrative patterns a learner will chart are checked
for direction. Seeds are the ones the build uses.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from trustlab.data import gen_disclosure, gen_goals

PACKAGE = Path(__file__).resolve().parents[1] / "data" / "datapackage.json"
DISCLOSURE_SEED = 202
GOALS_SEED = 404
GAS_RHO = 0.30  # G3


def _fields(name: str) -> list[dict]:
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["name"] == name:
            return resource["schema"]["fields"]
    raise KeyError(name)


@pytest.fixture(scope="module")
def disclosure() -> pd.DataFrame:
    return gen_disclosure.generate(np.random.default_rng(DISCLOSURE_SEED))["disclosure_sessions"]


@pytest.fixture(scope="module")
def goal_tables() -> dict[str, pd.DataFrame]:
    return gen_goals.generate(np.random.default_rng(GOALS_SEED))


def _assert_matches_schema(frame: pd.DataFrame, name: str) -> None:
    """Columns in schema order, right dtypes, no gaps, every value within min/max/enum and decimals."""
    fields = _fields(name)
    assert list(frame.columns) == [f["name"] for f in fields]
    for field in fields:
        column = frame[field["name"]]
        constraints = field.get("constraints", {})
        if constraints.get("required"):
            assert column.notna().all(), field["name"]
        kind = field["type"]
        if kind == "integer":
            assert pd.api.types.is_integer_dtype(column), field["name"]
        elif kind == "boolean":
            assert pd.api.types.is_bool_dtype(column), field["name"]
        elif kind == "number":
            assert pd.api.types.is_float_dtype(column), field["name"]
            decimals = field.get("decimals")
            if decimals is not None:
                assert np.allclose(column, column.round(decimals), atol=1e-9), field["name"]
        if "minimum" in constraints:
            assert column.min() >= constraints["minimum"], field["name"]
        if "maximum" in constraints:
            assert column.max() <= constraints["maximum"], field["name"]
        if "enum" in constraints:
            assert set(column.unique()) <= set(constraints["enum"]), field["name"]


def _gas_t(goals: pd.DataFrame) -> float:
    """Kiresuk & Sherman's summary T-score for one client's goals (G3)."""
    w = goals["weight"].to_numpy(float)
    x = goals["score_session10"].to_numpy(float)
    return 50 + 10 * (w * x).sum() / np.sqrt((1 - GAS_RHO) * (w**2).sum() + GAS_RHO * w.sum() ** 2)


# --- disclosure_sessions -------------------------------------------------------------


def test_disclosure_has_200_clients_by_8_sessions_sorted(disclosure):
    assert len(disclosure) == 200 * 8
    assert not disclosure.duplicated(["client_id", "session"]).any()
    ids = [f"DS{i:03d}" for i in range(1, 201)]
    assert list(disclosure["client_id"].drop_duplicates()) == ids
    assert disclosure.groupby("client_id")["session"].apply(list).eq([list(range(1, 9))] * 200).all()
    sorted_frame = disclosure.sort_values(["client_id", "session"]).reset_index(drop=True)
    assert disclosure.reset_index(drop=True).equals(sorted_frame)


def test_disclosure_matches_the_schema(disclosure):
    _assert_matches_schema(disclosure, "disclosure_sessions")


def test_shame_is_a_client_trait(disclosure):
    assert disclosure.groupby("client_id")["shame_proneness"].nunique().eq(1).all()


def test_depth_rises_across_sessions(disclosure):
    by_session = disclosure.groupby("session")["disclosure_depth"].mean()
    assert by_session[8] > by_session[1]


def test_depth_is_higher_after_validating_than_after_minimizing(disclosure):
    by_response = disclosure.groupby("therapist_response")["disclosure_depth"].mean()
    assert by_response["validating"] > by_response["minimizing"]


def test_high_shame_clients_disclose_less(disclosure):
    high = disclosure.loc[disclosure["shame_proneness"] >= 3.5, "disclosure_depth"].mean()
    low = disclosure.loc[disclosure["shame_proneness"] <= 2.5, "disclosure_depth"].mean()
    assert high < low


def test_most_but_not_all_clients_hold_back_at_least_once(disclosure):
    share = disclosure.groupby("client_id")["held_back"].any().mean()
    assert 0.6 <= share <= 0.95


def test_holding_back_falls_across_sessions(disclosure):
    by_session = disclosure.groupby("session")["held_back"].mean()
    assert by_session[8] < by_session[1]


def test_minimizing_feels_more_judging_than_validating(disclosure):
    by_response = disclosure.groupby("therapist_response")["felt_judged"].mean()
    assert by_response["minimizing"] > by_response["validating"]
    assert by_response["probing"] > by_response["validating"]


def test_disclosure_is_deterministic(disclosure):
    again = gen_disclosure.generate(np.random.default_rng(DISCLOSURE_SEED))["disclosure_sessions"]
    pd.testing.assert_frame_equal(disclosure, again)


# --- goals and goal_attainment -------------------------------------------------------


def test_goals_has_300_clients(goal_tables):
    goals = goal_tables["goals"]
    assert set(goal_tables) == {"goals", "goal_attainment"}
    assert list(goals["client_id"]) == [f"GS{i:03d}" for i in range(1, 301)]


def test_goals_match_the_schema(goal_tables):
    _assert_matches_schema(goal_tables["goals"], "goals")
    _assert_matches_schema(goal_tables["goal_attainment"], "goal_attainment")


def test_one_attainment_row_per_goal(goal_tables):
    goals, attainment = goal_tables["goals"], goal_tables["goal_attainment"]
    assert not attainment.duplicated(["client_id", "goal_no"]).any()
    counts = attainment.groupby("client_id").size()
    assert counts.reindex(goals["client_id"]).tolist() == goals["n_goals"].tolist()
    numbers = attainment.groupby("client_id")["goal_no"].apply(list)
    assert all(numbers[c] == list(range(1, n + 1)) for c, n in zip(goals["client_id"], goals["n_goals"]))
    assert attainment["goal_text"].str.strip().str.len().gt(0).all()
    assert not attainment.duplicated(["client_id", "goal_text"]).any()


@pytest.mark.parametrize(("column", "target"), [("goal_consensus", 0.24), ("collaboration", 0.29)])
def test_calibrated_correlations_with_outcome(goal_tables, column, target):
    """G1 (consensus, .24) and G2 (collaboration, .29), on the rounded values."""
    goals = goal_tables["goals"]
    assert goals[column].corr(goals["outcome_change"]) == pytest.approx(target, abs=0.04)


def test_outcome_has_the_intended_scale(goal_tables):
    outcome = goal_tables["goals"]["outcome_change"]
    assert outcome.mean() == pytest.approx(0.5, abs=0.05)
    assert outcome.std() == pytest.approx(0.8, abs=0.05)


def test_specific_goals_go_with_higher_consensus(goal_tables):
    by_specificity = goal_tables["goals"].groupby("goal_specificity")["goal_consensus"].mean()
    assert by_specificity["specific"] > by_specificity["vague"]


def test_gas_t_scores_track_improvement(goal_tables):
    goals, attainment = goal_tables["goals"], goal_tables["goal_attainment"]
    t_scores = attainment.groupby("client_id")[["weight", "score_session10"]].apply(_gas_t)
    outcome = goals.set_index("client_id")["outcome_change"]
    assert t_scores.reindex(outcome.index).corr(outcome) > 0.2


def _t_scores(goal_tables: dict[str, pd.DataFrame]) -> pd.Series:
    return goal_tables["goal_attainment"].groupby("client_id")[["weight", "score_session10"]].apply(_gas_t)


@pytest.mark.parametrize("column", ["goal_consensus", "collaboration"])
@pytest.mark.parametrize("specificity", ["vague", "specific"])
def test_g1_and_g2_keep_their_direction_within_vague_and_specific_goals(goal_tables, column, specificity):
    """A learner who splits the clients by specificity still sees a positive link in each group."""
    goals = goal_tables["goals"]
    group = goals[goals["goal_specificity"] == specificity]
    assert group[column].corr(group["outcome_change"]) > 0.1


@pytest.mark.parametrize(("column", "target"), [("goal_consensus", 0.24), ("collaboration", 0.29)])
def test_g1_and_g2_hold_as_rank_correlations_too(goal_tables, column, target):
    """Spearman's rho (Pearson on ranks) tells the same story: no outlier makes the link."""
    goals = goal_tables["goals"]
    rho = goals[column].rank().corr(goals["outcome_change"].rank())
    assert rho == pytest.approx(target, abs=0.07)


def test_collaboration_goes_with_outcome_more_than_consensus_does(goal_tables):
    """G2 (.29) above G1 (.24): a swap in the generator would show here first."""
    goals = goal_tables["goals"]
    assert goals["collaboration"].corr(goals["outcome_change"]) > goals["goal_consensus"].corr(goals["outcome_change"])


def test_the_mean_gas_t_score_is_a_few_points_above_50_not_on_it(goal_tables):
    """Illustrative: goals met a little beyond the expected level on average. A mean on 50 itself
    would let a learner type the formula's reference point instead of computing the mean."""
    t = _t_scores(goal_tables)
    assert 52 <= t.mean() <= 57
    assert 0.6 <= (t >= 50).mean() <= 0.9, "most, not all, clients at or above the expected level"
    assert (t < 40).sum() >= 20, "some clients fall well short"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_t_score_lean_is_built_into_the_generator_not_luck_of_the_seed(seed):
    tables = gen_goals.generate(np.random.default_rng(seed))
    t = _t_scores(tables)
    assert 51.5 <= t.mean() <= 57.5
    outcome = tables["goals"].set_index("client_id")["outcome_change"]
    assert t.reindex(outcome.index).corr(outcome) > 0.4


def test_goals_are_deterministic(goal_tables):
    again = gen_goals.generate(np.random.default_rng(GOALS_SEED))
    for name, frame in goal_tables.items():
        pd.testing.assert_frame_equal(frame, again[name])
