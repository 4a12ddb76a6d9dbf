"""Module 03's data lab: the numbers a chart shows are the ones pandas computes, it renders offline,
it is described, and a learner's filtered or wrong table gets a friendly note, never a traceback.

Every expected number here is computed with plain pandas from the CSV files themselves, not
through the lab's helpers, so a helper that aligns, groups or counts the wrong thing fails.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
import vl_convert

from chartspec import colours, spec_of, takeaway_of
from trustlab.charts import INK
from trustlab.labs import ruptures
from trustlab.labs.ruptures import (NOTICE_CLASS, alliance_around_rupture, alliance_around_rupture_chart,
                                    dropout_by_first_rupture, dropout_by_rupture_chart, outcome_by_repair,
                                    repair_outcome_chart)
from trustlab.paths import course_root

DATA = course_root() / "data"
MAX_WIDTH = 520  # px, axis labels and legend included: the notebook's output area is about 590 px


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two CSV files as pandas reads them, with no help from the course's loader."""
    return pd.read_csv(DATA / "alliance_sessions.csv"), pd.read_csv(DATA / "alliance_outcomes.csv")


@pytest.fixture(scope="module")
def loaded() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same data as a learner gets them: typed by the loader (categories, nullable booleans)."""
    from trustlab.data import load_dataset
    return load_dataset("alliance_sessions"), load_dataset("alliance_outcomes")


def charts(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> dict:
    return {"around": alliance_around_rupture_chart(sessions, outcomes), "outcome": repair_outcome_chart(outcomes),
            "dropout": dropout_by_rupture_chart(sessions, outcomes)}






def layer_rows(spec: dict, field: str) -> list[dict]:
    """The rows of the first layer whose encoding uses ``field``: what the chart really draws."""
    for layer in spec.get("layer", [spec]):
        fields = {v.get("field") for v in layer.get("encoding", {}).values() if isinstance(v, dict)}
        if field in fields:
            return spec["datasets"][layer.get("data", spec.get("data"))["name"]]
    raise AssertionError(f"no layer draws {field}")


# --- independent computations, from the CSVs -------------------------------------------------------

def first_rupture_by_hand(sessions: pd.DataFrame) -> pd.DataFrame:
    ruptured = sessions[sessions["rupture"] != "none"]
    idx = ruptured.groupby("client_id")["session"].idxmin()
    return ruptured.loc[idx, ["client_id", "session", "rupture"]].set_index("client_id")


def around_by_hand(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.Series:
    first = first_rupture_by_hand(sessions)["session"].rename("first")
    rows = sessions.join(first, on="client_id", how="inner")
    rows = rows.join(outcomes.set_index("client_id")["repaired"], on="client_id")
    rows = rows[rows["repaired"].notna()]
    rows["offset"] = rows["session"] - rows["first"]
    rows = rows[(rows["offset"] >= -2) & (rows["offset"] <= 3)]
    rows["group"] = np.where(rows["repaired"].astype(bool), "repaired", "not repaired")
    return rows.groupby(["group", "offset"])["alliance"].mean()


def dropout_by_hand(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    first = first_rupture_by_hand(sessions)["rupture"]
    clients = outcomes[outcomes["client_id"].isin(sessions["client_id"])].copy()
    clients["kind"] = clients["client_id"].map(first).fillna("none")
    return clients.groupby("kind")["dropped_out"].agg(clients="size", dropped="sum", share="mean")


def outcome_quartiles_by_hand(outcomes: pd.DataFrame) -> pd.DataFrame:
    group = np.where(~outcomes["any_rupture"], "no rupture",
                     np.where(outcomes["repaired"] == True, "repaired", "not repaired"))  # noqa: E712 (NaN is not True)
    return outcomes.groupby(group)["outcome_change"].quantile([0.25, 0.5, 0.75]).unstack()


# --- the tables behind the charts match pandas ----------------------------------------------------

@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_the_alliance_around_a_rupture_is_aligned_on_each_clients_first_rupture(request, raw, source):
    sessions, outcomes = request.getfixturevalue(source)
    table = alliance_around_rupture(sessions, outcomes).set_index(["group", "offset"])["mean_alliance"]
    expected = around_by_hand(*raw)
    assert len(table) == len(expected) == 2 * 6
    for key, mean in expected.items():
        assert table[key] == pytest.approx(mean), key


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_the_outcome_table_has_every_client_once_and_the_right_quartiles(request, raw, source):
    clients, summary = outcome_by_repair(request.getfixturevalue(source)[1])
    out = raw[1]
    assert len(clients) == len(out) == 240 and clients["client_id"].is_unique
    expected = outcome_quartiles_by_hand(out)
    summary = summary.set_index("group")
    assert list(summary.index) == ["repaired", "not repaired", "no rupture"]
    for group, row in expected.iterrows():
        assert summary.loc[group, ["q1", "median", "q3"]].to_numpy() == pytest.approx(row.to_numpy()), group


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_dropout_by_first_rupture_counts_every_client_once(request, raw, source):
    table = dropout_by_first_rupture(*request.getfixturevalue(source)).set_index("first_rupture")
    expected = dropout_by_hand(*raw)
    assert list(table.index) == ["none", "withdrawal", "confrontation"]
    assert table["clients"].sum() == 240
    for kind, row in expected.iterrows():
        assert table.loc[kind, "clients"] == row["clients"] and table.loc[kind, "dropped_out"] == row["dropped"]
        assert table.loc[kind, "share"] == pytest.approx(row["share"])
        assert table.loc[kind, "low"] < row["share"] < table.loc[kind, "high"]


def test_the_first_rupture_read_off_the_sessions_is_the_one_the_outcomes_table_records(raw):
    sessions, outcomes = raw
    table = dropout_by_first_rupture(sessions, outcomes).set_index("first_rupture")["clients"]
    assert table.to_dict() == outcomes["first_rupture"].value_counts().to_dict()


# --- the charts draw those numbers -----------------------------------------------------------------

def test_the_around_chart_draws_the_means_pandas_computes(raw):
    rows = layer_rows(spec_of(alliance_around_rupture_chart(*raw)), "mean_alliance")
    expected = around_by_hand(*raw)
    drawn = {(r["group"], r["offset"]): r["mean_alliance"] for r in rows}
    assert drawn.keys() == set(expected.index)
    for key, mean in expected.items():
        assert drawn[key] == pytest.approx(mean)


def test_the_outcome_chart_draws_every_client_and_the_medians_pandas_computes(raw):
    spec = spec_of(repair_outcome_chart(raw[1]))
    dots = layer_rows(spec, "outcome_change")
    assert sorted(r["outcome_change"] for r in dots) == pytest.approx(sorted(raw[1]["outcome_change"]))
    medians = {r["group"]: r["median"] for r in layer_rows(spec, "median")}
    for group, median in outcome_quartiles_by_hand(raw[1])[0.5].items():
        assert medians[group] == pytest.approx(median)


def test_the_dropout_chart_draws_the_shares_and_counts_pandas_computes(raw):
    spec = spec_of(dropout_by_rupture_chart(*raw))
    rows = {r["first_rupture"]: r for r in layer_rows(spec, "share")}
    for kind, row in dropout_by_hand(*raw).iterrows():
        assert rows[kind]["share"] == pytest.approx(row["share"])
        assert rows[kind]["clients"] == row["clients"] and rows[kind]["dropped_out"] == row["dropped"]
    layer = next(l for l in spec["layer"] if "tooltip" in l.get("encoding", {}))
    assert {"clients", "dropped_out", "share"} <= {t["field"] for t in layer["encoding"]["tooltip"]}


@pytest.mark.parametrize("therapist", ["T01", "T07"])
def test_a_filtered_table_charts_its_own_clients(raw, therapist):
    """A learner's subset (one therapist's clients) gives that subset's numbers, not the whole data's."""
    sessions, outcomes = raw
    subset = sessions[sessions["therapist_id"] == therapist]
    rows = {r["first_rupture"]: r for r in layer_rows(spec_of(dropout_by_rupture_chart(subset, outcomes)), "share")}
    expected = dropout_by_hand(subset, outcomes)
    assert sum(r["clients"] for r in rows.values()) == subset["client_id"].nunique()
    for kind, row in expected.iterrows():
        assert rows[kind]["share"] == pytest.approx(row["share"])


# --- offline, described, within the page, in the course's colours -----------------------------------

@pytest.mark.parametrize("name", ["around", "outcome", "dropout"])
def test_each_chart_is_vega_lite_json_with_a_title_and_a_description_and_inline_data(raw, name):
    spec = spec_of(charts(*raw)[name])
    assert "vega-lite" in spec["$schema"]
    assert spec["title"] and len(spec["description"]) > 120
    text = json.dumps(spec)
    assert '"url"' not in text, "the data must be inline: nothing is fetched when the chart renders"
    json.loads(text)  # plain JSON, as the notebook stores it


@pytest.mark.parametrize("name", ["around", "outcome", "dropout"])
def test_each_chart_renders_offline_with_its_description_for_screen_readers(raw, name):
    spec = spec_of(charts(*raw)[name])
    vega = vl_convert.vegalite_to_vega(spec)
    assert vega["description"] == spec["description"], "the browser's SVG renderer makes this the aria-label"
    svg = vl_convert.vegalite_to_svg(spec)  # vl-convert renders locally: no network
    width = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))
    assert width <= MAX_WIDTH, f"{name} is {width:.0f} px wide"


@pytest.mark.parametrize("name", ["around", "outcome", "dropout"])
def test_legends_if_any_sit_below_the_chart(raw, name):
    legends = vl_convert.vegalite_to_vega(spec_of(charts(*raw)[name])).get("legends", [])
    assert all(legend.get("orient") == "bottom" for legend in legends)




@pytest.mark.parametrize("name", ["around", "outcome", "dropout"])
def test_colours_come_from_the_theme_and_text_takes_the_page_colour(raw, name):
    spec = spec_of(charts(*raw)[name])
    spec.pop("config", None)
    assert all(value == INK for _, value in colours(spec)), colours(spec)


# --- descriptions and takeaways: true of the data, honest about what is calibrated ---------------------

def test_the_around_chart_says_what_the_lines_do(raw):
    means = around_by_hand(*raw)
    rep, nrep = means["repaired"], means["not repaired"]
    assert rep[0] < rep[-1] and nrep[0] < nrep[-1] and abs(rep[1] - rep[-1]) <= 0.25 and nrep[1] < nrep[-1] - 0.25
    box = alliance_around_rupture_chart(*raw)
    description = spec_of(box)["description"]
    clients = raw[1]["any_rupture"].sum()
    assert description.startswith(f"Line chart of {clients} synthetic clients who had a rupture")
    assert "Both lines drop in the rupture session; the repaired line is back near its earlier level" in description
    text = takeaway_of(box)
    assert "V shape" in text and "partly how \"repaired\" is defined" in text
    assert "illustrative" in text and "debated" in text and "one study found a link, a later study did not" in text


def test_the_outcome_takeaway_quotes_r1_and_calls_it_a_correlation(raw):
    box = repair_outcome_chart(raw[1])
    quartiles = outcome_quartiles_by_hand(raw[1])
    assert quartiles.loc["repaired", 0.5] > quartiles.loc["not repaired", 0.5]
    assert "the repaired row's median is higher than the not-repaired row's" in spec_of(box)["description"]
    text = takeaway_of(box)
    assert "calibrated to research" in text and "r = .29 (Eubanks, Muran & Safran, 2018)" in text
    assert "11 studies" in text and "correlation" in text and "does not show repair causes it" in text


@pytest.mark.parametrize("clients", [240, 120])
def test_the_dropout_takeaway_reports_the_shares_pandas_computes_and_claims_no_comparison_from_research(raw, clients):
    """R5 reports that confrontation markers went with dropout; it does not compare them with withdrawals."""
    sessions, outcomes = raw
    keep = sorted(outcomes["client_id"])[:clients]
    subset = sessions[sessions["client_id"].isin(keep)], outcomes[outcomes["client_id"].isin(keep)]
    shares = dropout_by_hand(*subset)["share"]
    text = takeaway_of(dropout_by_rupture_chart(*subset))
    if shares["confrontation"] > shares["withdrawal"]:
        assert (f"dropped out more often ({shares['confrontation']:.0%}) than those whose first was a withdrawal "
                f"({shares['withdrawal']:.0%})") in text
    else:
        assert "does not go with more dropout" in text
    assert "built in line with one small study that reported confrontation markers going with dropout" in text
    assert "the comparison with withdrawal and every size are the course's illustrative assumptions" in text
    assert "42 cases" in text and not re.search(r"direction is calibrated|predict", text)


@pytest.mark.parametrize("name", ["around", "outcome", "dropout"])
def test_no_takeaway_claims_more_than_the_research_does(raw, name):
    text = takeaway_of(charts(*raw)[name])
    assert not re.search(r"research (shows|has shown|proves)|studies (show|prove)|\bproves?\b|\bleads? to\b", text, re.I)
    assert len(re.findall(r"[.!?](?:\s|$)", text)) == 2, "one sentence of finding, one of where it comes from"


# --- a learner's filtered or wrong table: a friendly note, never an error ----------------------------

def _is_notice(widget) -> bool:
    return NOTICE_CLASS in getattr(widget, "_dom_classes", ()) and "nothing to chart" in widget.value


def _text(widget) -> str:
    """The note as the learner reads it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


@pytest.mark.parametrize("name", ["around", "outcome", "dropout"])
def test_an_empty_table_gets_a_friendly_note_instead_of_a_chart(raw, name):
    sessions, outcomes = raw
    box = charts(sessions.iloc[0:0], outcomes.iloc[0:0])[name]
    assert _is_notice(box), box
    assert "Traceback" not in _text(box)
    assert 'What to do: load the data again with load_dataset("alliance_sessions")' in _text(box)


def test_clients_without_a_rupture_get_a_note_from_the_charts_that_compare_repairs(raw):
    sessions, outcomes = raw
    calm = outcomes[~outcomes["any_rupture"]]
    calm_sessions = sessions[sessions["client_id"].isin(calm["client_id"])]
    for box in (repair_outcome_chart(calm), alliance_around_rupture_chart(calm_sessions, calm)):
        assert _is_notice(box) and "no client with a rupture" in _text(box)
    box = dropout_by_rupture_chart(calm_sessions, calm)  # one group still has something to say
    assert not _is_notice(box)
    assert "Only some of the three groups have clients here." in spec_of(box)["description"]


def test_the_tables_swapped_or_not_a_table_at_all_get_a_note_that_names_the_fix(raw):
    sessions, outcomes = raw
    swapped = alliance_around_rupture_chart(outcomes, sessions)
    assert _is_notice(swapped)
    assert ("The table given as alliance_sessions has no column 'session'. Pass the table from "
            'load_dataset("alliance_sessions")') in _text(swapped)
    wrong = repair_outcome_chart(sessions)
    assert _is_notice(wrong) and "has no column 'any_rupture'" in _text(wrong)
    nothing = dropout_by_rupture_chart(..., outcomes)
    assert _is_notice(nothing) and "and it was given ellipsis" in _text(nothing)


def test_the_module_exports_what_it_names():
    assert all(hasattr(ruptures, name) for name in ruptures.__all__)
