"""Module 04's data lab: the numbers a chart shows are the ones pandas computes, it renders offline,
it is described, its takeaway quotes G1 and G2 the right way round, and a learner's filtered or
wrong table gets a friendly note, never a traceback.

Every expected number here is computed with plain pandas from the CSV files themselves, and GAS
T-scores with Kiresuk and Sherman's formula written out here, not through the lab's helpers, so a
helper that groups, weights or counts the wrong thing fails.
"""

from __future__ import annotations

import html
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
import vl_convert

from chartspec import colours, spec_of, takeaway_of
from trustlab.charts import INK
from trustlab.labs import goals as lab
from trustlab.labs.goals import (NOTICE_CLASS, NothingToChart, by_specificity, client_t_scores,
                                 collaboration_outcome_chart, consensus_outcome_chart, gas_distribution_chart,
                                 specificity_chart, t_score_bands, trend_line)
from trustlab.paths import course_root

DATA = course_root() / "data"
MAX_WIDTH = 520  # px, axis labels and legend included: the notebook's output area is about 590 px
NAMES = ["consensus", "collaboration", "specificity", "gas"]


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two CSV files as pandas reads them, with no help from the course's loader."""
    return pd.read_csv(DATA / "goals.csv"), pd.read_csv(DATA / "goal_attainment.csv")


@pytest.fixture(scope="module")
def loaded() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same data as a learner gets them: typed by the loader (categories, nullable integers)."""
    from trustlab.data import load_dataset
    return load_dataset("goals"), load_dataset("goal_attainment")


def charts(goals: pd.DataFrame, attainment: pd.DataFrame) -> dict:
    return {"consensus": consensus_outcome_chart(goals), "collaboration": collaboration_outcome_chart(goals),
            "specificity": specificity_chart(goals), "gas": gas_distribution_chart(goals, attainment)}


def drawn_rows(spec: dict, field: str) -> list[dict]:
    """The rows of the first layer (in any panel) whose encoding uses ``field``: what the chart really draws."""
    def walk(node: dict, data: dict | None):
        data = node.get("data", data)
        fields = {v.get("field") for v in node.get("encoding", {}).values() if isinstance(v, dict)}
        if field in fields:
            return spec["datasets"][data["name"]]
        for child in node.get("layer", []) + node.get("hconcat", []) + node.get("vconcat", []):
            found = walk(child, data)
            if found is not None:
                return found
        return None
    rows = walk(spec, None)
    if rows is None:
        raise AssertionError(f"no layer draws {field}")
    return rows


# --- independent computations, from the CSVs -------------------------------------------------------

def t_by_hand(attainment: pd.DataFrame, rho: float = 0.3) -> pd.Series:
    """Kiresuk & Sherman (1968), G3: T = 50 + 10 Σwx / √((1 − ρ) Σw² + ρ (Σw)²), one value per client."""
    w, x = attainment["weight"].astype(float), attainment["score_session10"].astype(float)
    sums = pd.DataFrame({"client_id": attainment["client_id"].astype(str), "wx": w * x, "w2": w * w, "w": w}
                        ).groupby("client_id")[["wx", "w2", "w"]].sum()
    return 50 + 10 * sums["wx"] / np.sqrt((1 - rho) * sums["w2"] + rho * sums["w"] ** 2)


def slope_by_hand(goals: pd.DataFrame, column: str) -> tuple[float, float]:
    x, y = goals[column], goals["outcome_change"]
    slope = x.cov(y) / x.var()
    return slope, y.mean() - slope * x.mean()


def quartiles_by_hand(goals: pd.DataFrame, column: str) -> pd.DataFrame:
    return goals.groupby("goal_specificity")[column].quantile([0.25, 0.5, 0.75]).unstack()


# --- GAS T-scores: the course's one formula, per client ---------------------------------------------

@pytest.mark.parametrize(("scores", "weights", "expected"), [
    ([0, 0, 0], [1, 2, 3], 50.0),  # every goal at the expected level
    ([1], [1], 60.0),  # one goal, one level above: one standard deviation
    ([2, 2], None, 50 + 10 * 4 / math.sqrt(0.7 * 2 + 0.3 * 4)),
    ([-1, 1, 0], [2, 1, 3], 50 - 10 / math.sqrt(20.6)),  # 0.7 × 14 + 0.3 × 36
])
def test_gas_t_score_is_re_exported_and_matches_hand_calculations(scores, weights, expected):
    from trustlab.goal_attainment import gas_t_score as the_one
    assert lab.gas_t_score is the_one and "gas_t_score" in lab.__all__
    assert lab.gas_t_score(scores, weights) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_client_t_scores_gives_one_row_per_client_with_the_formulas_t(request, raw, source):
    goals, attainment = request.getfixturevalue(source)
    table = client_t_scores(attainment)
    assert list(table.columns) == ["client_id", "n_goals", "t_score"]
    assert len(table) == 300 and table["client_id"].is_unique
    expected = t_by_hand(raw[1])
    assert table.set_index("client_id")["t_score"].reindex(expected.index).to_numpy() == pytest.approx(
        expected.to_numpy(), abs=1e-9)
    n_goals = raw[0].set_index("client_id")["n_goals"]
    assert (table.set_index("client_id")["n_goals"] == n_goals.reindex(table["client_id"]).to_numpy()).all()


def test_client_t_scores_weights_each_goal_and_uses_rho_point_3(raw):
    """Two slips a helper could make: equal weights, or rho 0. Each gives other numbers here."""
    table = client_t_scores(raw[1]).set_index("client_id")["t_score"]
    unweighted = t_by_hand(raw[1].assign(weight=1))
    rho0 = t_by_hand(raw[1], rho=0.0)
    assert not np.allclose(table.reindex(unweighted.index), unweighted)
    assert not np.allclose(table.reindex(rho0.index), rho0)
    assert table["GS002"] == pytest.approx(50 - 10 / math.sqrt(20.6))


@pytest.mark.parametrize(("damage", "says"), [
    (lambda a: a.drop(columns="weight"), "The table given as goal_attainment has no column 'weight'"),
    (lambda a: a.assign(score_session10=a["score_session10"].where(a.index != 3, 3)),
     "Client GS002's goals cannot be scored: goal scores are whole numbers from -2 to +2; 3 is not one of them."),
    (lambda a: a.assign(weight=a["weight"].astype(float).where(a.index != 0, np.nan)),
     "Client GS001's goals cannot be scored: weight 1 "),
    (lambda a: a.astype({"weight": str}), "Client GS001's goals cannot be scored: weight 1 must be a number, not '3'"),
    (lambda a: a.iloc[0:0], "no goal rows (a filter may have kept none)"),
    (lambda a: "goal_attainment", "a table (a pandas DataFrame)"),
])
def test_client_t_scores_says_plainly_what_is_wrong_with_the_table(raw, damage, says):
    with pytest.raises(NothingToChart) as err:
        client_t_scores(damage(raw[1].copy()))
    assert says in str(err.value)


# --- the tables behind the charts match pandas ----------------------------------------------------

@pytest.mark.parametrize("column", ["goal_consensus", "collaboration"])
@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_the_trend_line_is_the_least_squares_line(request, raw, source, column):
    line = trend_line(request.getfixturevalue(source)[0], column)
    slope, intercept = slope_by_hand(raw[0], column)
    assert list(line[column]) == [raw[0][column].min(), raw[0][column].max()]
    assert line["outcome_change"].to_numpy() == pytest.approx(intercept + slope * line[column].to_numpy())
    assert slope > 0


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_the_specificity_table_has_every_client_once_and_the_right_quartiles(request, raw, source):
    clients, summary = by_specificity(request.getfixturevalue(source)[0])
    assert len(clients) == 300 and clients["client_id"].is_unique
    for measure in ("goal_consensus", "outcome_change"):
        expected = quartiles_by_hand(raw[0], measure)
        rows = summary[summary["measure"] == measure].set_index("goal_specificity")
        assert list(rows.index) == ["vague", "specific"]
        for group, row in expected.iterrows():
            assert rows.loc[group, ["q1", "median", "q3"]].to_numpy() == pytest.approx(row.to_numpy()), group


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_the_t_score_bands_count_every_client_once_and_no_edge_sits_on_50(request, raw, source):
    bands = t_score_bands(*request.getfixturevalue(source))
    t = t_by_hand(raw[1])
    assert bands["clients"].sum() == 300
    for _, band in bands.iterrows():
        assert band["clients"] == ((t >= band["low"]) & (t < band["high"])).sum(), band["centre"]
    assert 50 not in set(bands["low"]) | set(bands["high"]), "a bar edge on 50 would let the share at 50+ be added up"
    assert (bands["centre"] % 5 == 0).all() and 50 in set(bands["centre"])


def test_a_filtered_goals_table_charts_its_own_clients_t_scores(raw):
    """A learner's subset (clients with specific goals) gives that subset's T-scores, not everyone's."""
    goals, attainment = raw
    specific = goals[goals["goal_specificity"] == "specific"]
    rows = drawn_rows(spec_of(gas_distribution_chart(specific, attainment)), "clients")
    assert sum(r["clients"] for r in rows) == len(specific) == 167
    t = t_by_hand(attainment[attainment["client_id"].isin(specific["client_id"])])
    middle = next(r for r in rows if r["low"] == 47.5)
    assert middle["clients"] == ((t >= 47.5) & (t < 52.5)).sum()


# --- the charts draw those numbers -----------------------------------------------------------------

@pytest.mark.parametrize(("name", "column"), [("consensus", "goal_consensus"), ("collaboration", "collaboration")])
def test_the_rating_charts_draw_every_client_and_the_trend_pandas_computes(raw, name, column):
    spec = spec_of(charts(*raw)[name])
    dots = drawn_rows(spec, "outcome_change")  # the first layer: the dots
    assert len(dots) == 300 and {d["client_id"] for d in dots} == set(raw[0]["client_id"])
    assert sorted(d["outcome_change"] for d in dots) == pytest.approx(sorted(raw[0]["outcome_change"]))
    assert sorted(d[column] for d in dots) == pytest.approx(sorted(raw[0][column]))
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    ends = spec["datasets"][line["data"]["name"]]
    slope, intercept = slope_by_hand(raw[0], column)
    for end in ends:
        assert end["outcome_change"] == pytest.approx(intercept + slope * end[column])


def test_the_specificity_chart_draws_the_medians_pandas_computes(raw):
    spec = spec_of(charts(*raw)["specificity"])
    assert len(spec["hconcat"]) == 2
    drawn = {(r["measure"], r["goal_specificity"]): r["median"]
             for panel in spec["hconcat"] for r in drawn_rows(dict(panel, datasets=spec["datasets"]), "median")}
    for measure in ("goal_consensus", "outcome_change"):
        for group, median in quartiles_by_hand(raw[0], measure)[0.5].items():
            assert drawn[(measure, group)] == pytest.approx(median)
    dots = drawn_rows(spec, "jitter")
    assert len(dots) == 300


def test_the_gas_chart_marks_50_and_draws_the_bands(raw):
    spec = spec_of(charts(*raw)["gas"])
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert spec["datasets"][rule["data"]["name"]] == [{"t": 50}]
    rows = drawn_rows(spec, "clients")
    assert sum(r["clients"] for r in rows) == 300
    tips = {t["field"] for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])}
    assert tips == {"low", "high", "clients"}, "the histogram's tooltips show bands and counts, never a client's T"


# --- offline, described, within the page, in the course's colours -----------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_each_chart_is_vega_lite_json_with_a_title_and_a_description_and_inline_data(raw, name):
    spec = spec_of(charts(*raw)[name])
    assert "vega-lite" in spec["$schema"]
    assert spec["title"] and len(spec["description"]) > 120
    text = json.dumps(spec)
    assert '"url"' not in text, "the data must be inline: nothing is fetched when the chart renders"
    json.loads(text)  # plain JSON, as the notebook stores it


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_renders_offline_with_its_description_for_screen_readers(raw, name):
    spec = spec_of(charts(*raw)[name])
    vega = vl_convert.vegalite_to_vega(spec)
    assert vega["description"] == spec["description"], "the browser's SVG renderer makes this the aria-label"
    svg = vl_convert.vegalite_to_svg(spec)  # vl-convert renders locally: no network
    width = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))
    assert width <= MAX_WIDTH, f"{name} is {width:.0f} px wide"


@pytest.mark.parametrize("name", NAMES)
def test_legends_if_any_sit_below_the_chart(raw, name):
    legends = vl_convert.vegalite_to_vega(spec_of(charts(*raw)[name])).get("legends", [])
    assert all(legend.get("orient") == "bottom" for legend in legends)


@pytest.mark.parametrize("name", NAMES)
def test_colours_come_from_the_theme_and_text_takes_the_page_colour(raw, name):
    spec = spec_of(charts(*raw)[name])
    spec.pop("config", None)
    assert all(value == INK for _, value in colours(spec)), colours(spec)


# --- descriptions and takeaways: true of the data, honest about what is calibrated ---------------------

def test_the_consensus_takeaway_quotes_g1_and_only_g1(raw):
    slope, _ = slope_by_hand(raw[0], "goal_consensus")
    assert slope > 0
    box = consensus_outcome_chart(raw[0])
    assert "A straight trend line rises gently from left to right" in spec_of(box)["description"]
    text = takeaway_of(box)
    assert "agreed more with their counselor on the goals tended to improve a little more" in text
    assert "goal consensus went with outcome at r = .24 across 54 studies; Tryon, Birch & Verkuilen, 2018" in text
    assert ".29" not in text and "53 studies" not in text and "collaborat" not in text
    assert "a correlation that does not show agreeing causes the improvement" in text


def test_the_collaboration_takeaway_quotes_g2_and_only_g2(raw):
    box = collaboration_outcome_chart(raw[0])
    text = takeaway_of(box)
    assert "collaboration went with outcome at r = .29 across 53 studies; Tryon, Birch & Verkuilen, 2018" in text
    assert ".24" not in text and "54 studies" not in text and "consensus" not in text
    assert "a correlation that does not show collaborating causes the improvement" in text


@pytest.mark.parametrize(("name", "column"), [("consensus", "goal_consensus"), ("collaboration", "collaboration")])
def test_a_table_where_the_trend_falls_gets_an_honest_takeaway_that_still_quotes_the_research(raw, name, column):
    flipped = raw[0].assign(outcome_change=-raw[0]["outcome_change"])
    box = charts(flipped, raw[1])[name]
    assert "is flat or falls from left to right" in spec_of(box)["description"]
    text = takeaway_of(box)
    assert "does not go with more improvement" in text and "the full data follow" in text
    assert ("r = .24" if column == "goal_consensus" else "r = .29") in text


def test_the_specificity_chart_says_what_the_medians_do_and_that_the_pattern_is_illustrative(raw):
    consensus, outcome = quartiles_by_hand(raw[0], "goal_consensus"), quartiles_by_hand(raw[0], "outcome_change")
    assert consensus.loc["specific", 0.5] > consensus.loc["vague", 0.5]
    assert outcome.loc["specific", 0.5] > outcome.loc["vague", 0.5]
    box = specificity_chart(raw[0])
    description = spec_of(box)["description"]
    assert "The specific row's median consensus is higher than the vague row's" in description
    assert "its median improvement is higher than the vague row's" in description
    text = takeaway_of(box)
    assert "specific tended to agree more with their counselor on them and to improve a little more" in text
    assert "illustrative" in text and "not a research finding" in text


def test_the_gas_chart_says_where_the_clients_are_and_that_the_scores_are_illustrative(raw):
    t = t_by_hand(raw[1])
    assert (t >= 50).mean() > 0.5
    box = gas_distribution_chart(*raw)
    description = spec_of(box)["description"]
    assert description.startswith("Histogram of the Goal Attainment Scaling T-scores of 300 synthetic clients")
    assert f"from the {int(t.min() // 10) * 10}s to the {int(t.max() // 10) * 10}s" in description
    assert "Most clients are at or above the line" in description and "a dashed line marks 50" in description
    text = takeaway_of(box)
    assert "Most of these clients met their goals at or beyond the level they had set" in text
    assert "illustrative" in text and "Kiresuk and Sherman's (1968) formula" in text
    assert "50 means the goals were met as expected" in text


def test_a_group_that_fell_short_is_described_as_such(raw):
    goals, attainment = raw
    t = t_by_hand(attainment)
    short = goals[goals["client_id"].isin(t[t < 50].index)]
    box = gas_distribution_chart(short, attainment)
    assert "No more than half the clients are at or above the line" in spec_of(box)["description"]
    assert "no more than half met their goals" in takeaway_of(box)


@pytest.mark.parametrize("name", NAMES)
def test_each_takeaway_is_one_sentence_and_claims_no_more_than_the_research_does(raw, name):
    text = takeaway_of(charts(*raw)[name])
    assert not re.search(r"research (shows|has shown|proves)|studies (show|prove)|\bproves?\b|\bleads? to\b", text, re.I)
    assert len(re.findall(r"[.!?](?:\s|$)", text)) == 1, text
    assert re.search(r"illustrative|built to match", text)


# --- a learner's filtered or wrong table: a friendly note, never an error ----------------------------

def _is_notice(widget) -> bool:
    return NOTICE_CLASS in getattr(widget, "_dom_classes", ()) and "nothing to chart" in widget.value


def _text(widget) -> str:
    """The note as the learner reads it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_table_gets_a_friendly_note_instead_of_a_chart(raw, name):
    goals, attainment = raw
    box = charts(goals.iloc[0:0], attainment.iloc[0:0])[name]
    assert _is_notice(box), box
    assert "Traceback" not in _text(box)
    assert 'What to do: load the data again with load_dataset("goals")' in _text(box)


def test_one_kind_of_goal_only_gets_a_note_from_the_chart_that_compares_them(raw):
    specific = raw[0][raw[0]["goal_specificity"] == "specific"]
    box = specificity_chart(specific)
    assert _is_notice(box) and "the table given has only specific goals" in _text(box)
    assert not _is_notice(consensus_outcome_chart(specific))  # the other charts still have something to say


def test_two_clients_are_too_few_for_a_trend_line(raw):
    box = collaboration_outcome_chart(raw[0].head(2))
    assert _is_notice(box) and "A trend line needs at least three clients" in _text(box)


def test_the_tables_swapped_or_not_a_table_at_all_get_a_note_that_names_the_fix(raw):
    goals, attainment = raw
    swapped = gas_distribution_chart(attainment, goals)
    assert _is_notice(swapped)
    assert ("The table given as goals has no column 'goal_consensus'. Pass the table from "
            'load_dataset("goals")') in _text(swapped)
    wrong = consensus_outcome_chart(attainment)
    assert _is_notice(wrong) and "has no column 'goal_consensus'" in _text(wrong)
    nothing = gas_distribution_chart(goals, ...)
    assert _is_notice(nothing) and "and it was given ellipsis" in _text(nothing)


def test_goal_rows_that_cannot_be_scored_get_a_note_that_names_the_client(raw):
    goals, attainment = raw
    damaged = attainment.assign(score_session10=attainment["score_session10"].where(attainment.index != 3, 5))
    box = gas_distribution_chart(goals, damaged)
    assert _is_notice(box) and "Client GS002's goals cannot be scored" in _text(box)


def test_tables_that_share_no_client_get_a_note(raw):
    goals, attainment = raw
    box = gas_distribution_chart(goals.assign(client_id="XX" + goals["client_id"]), attainment)
    assert _is_notice(box) and "share no client_id" in _text(box)


def test_the_module_exports_what_it_names():
    assert all(hasattr(lab, name) for name in lab.__all__)
