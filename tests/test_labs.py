"""Module 01's data-lab statistics and charts: right numbers, described charts, honest takeaways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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


def test_the_rating_chart_title_reports_the_data_r(fs):
    data = fs.dropna(subset=["outcome_change"])
    r = data["session1_rating"].corr(data["outcome_change"])
    assert f"r = {r:.2f}" in rating_outcome_chart(fs).children[0].chart.to_dict()["title"]
