"""Module 05's data lab: the numbers a chart shows are the ones pandas computes, it renders offline,
it is described, its takeaway quotes M1 honestly, and a learner's filtered or wrong table gets a
friendly note, never a traceback.

Every expected number here is computed with plain pandas from the CSV files, and the
not-on-track rule and the expected line are written out here from the words of
data/datapackage.json, not through the lab's helpers, so a helper that flags, groups or counts
the wrong thing fails.
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
from trustlab.labs import monitoring as lab
from trustlab.labs.monitoring import (NOTICE_CLASS, NothingToChart, default_clients, expected_line,
                                      feedback_outcome_chart, feedback_summary, flag_not_on_track,
                                      not_on_track_chart, ors_paths, ors_paths_chart, track_summary)
from trustlab.paths import course_root

DATA = course_root() / "data"
MAX_WIDTH = 520  # px, axis labels and legend included
NAMES = ["paths", "feedback", "track"]


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(DATA / "rom_sessions.csv"), pd.read_csv(DATA / "rom_outcomes.csv")


@pytest.fixture(scope="module")
def loaded() -> tuple[pd.DataFrame, pd.DataFrame]:
    from trustlab.data import load_dataset
    return load_dataset("rom_sessions"), load_dataset("rom_outcomes")


def charts(s: pd.DataFrame, o: pd.DataFrame) -> dict:
    return {"paths": ors_paths_chart(s), "feedback": feedback_outcome_chart(o), "track": not_on_track_chart(o)}


def line_by_hand(intake: float, session: int) -> float:
    """The documented line: intake + 1 point a session after the first, for six sessions, at most 40."""
    return min(intake + min(session - 1, 6), 40)


def datasets_with(spec: dict, field: str) -> list[list[dict]]:
    return [rows for rows in spec["datasets"].values() if rows and field in rows[0]]


# --- the rule and the helpers ------------------------------------------------------------------------

@pytest.mark.parametrize(("intake", "session", "expected"), [(12.7, 1, 12.7), (12.7, 3, 14.7), (20.0, 7, 26.0),
                                                             (20.0, 12, 26.0), (37.5, 9, 40.0)])
def test_the_expected_line_is_the_documented_one(intake, session, expected):
    table = expected_line(intake)
    assert list(table["session"]) == list(range(1, 13))
    assert table.set_index("session").at[session, "expected_ors"] == pytest.approx(expected)
    assert expected == pytest.approx(line_by_hand(intake, session))


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_flag_not_on_track_gives_one_row_per_client_and_the_rule(request, raw, source):
    table = flag_not_on_track(request.getfixturevalue(source)[0])
    assert len(table) == 150 and table["client_id"].is_unique
    wide = raw[0].pivot(index="client_id", columns="session", values="ors")
    by_hand = wide[3] < wide[1] + 2
    mine = table.set_index("client_id")
    assert (mine["not_on_track"].reindex(by_hand.index) == by_hand).all()
    assert np.allclose(mine["expected_session3"].reindex(wide.index), wide[1] + 2)
    assert (mine["not_on_track"] == raw[1].set_index("client_id")["not_on_track"].reindex(mine.index)).all()


def test_a_filtered_sessions_table_keeps_the_clients_it_can_judge(raw):
    sessions = raw[0]
    some = sessions[sessions["client_id"].isin(["RM001", "RM002", "RM003"])]
    assert list(flag_not_on_track(some)["client_id"]) == ["RM001", "RM002", "RM003"]
    with pytest.raises(NothingToChart, match="session 1 and at session 3"):
        flag_not_on_track(sessions[sessions["session"] > 3])


@pytest.mark.parametrize("bad", ["high", 55, None])
def test_expected_line_says_plainly_what_is_wrong_with_an_intake(bad):
    with pytest.raises(NothingToChart, match="intake ORS"):
        expected_line(bad)


def test_default_clients_are_three_on_track_and_three_not_who_stayed(raw):
    sessions, outcomes = raw
    chosen = default_clients(sessions)
    out = outcomes.set_index("client_id").loc[chosen]
    assert len(chosen) == 6 and out["not_on_track"].sum() == 3
    assert (sessions.groupby("client_id")["session"].max().loc[chosen] >= 8).all()


@pytest.mark.parametrize("source", ["raw", "loaded"])
def test_the_summaries_are_what_pandas_computes(request, raw, source):
    _, outcomes = request.getfixturevalue(source)
    fb = feedback_summary(outcomes).set_index("group")
    by_hand = raw[1].groupby("feedback")["outcome_change"].agg(["size", "mean"])
    assert fb.loc["feedback", "clients"] == by_hand.loc[True, "size"]
    assert fb.loc["no feedback", "mean"] == pytest.approx(by_hand.loc[False, "mean"])
    track = track_summary(outcomes).set_index(["track", "group"])
    o = raw[1]
    for flag, track_name in ((True, "not on track"), (False, "on track")):
        for feedback, group in ((True, "feedback"), (False, "no feedback")):
            cell = o[(o["not_on_track"] == flag) & (o["feedback"] == feedback)]
            row = track.loc[(track_name, group)]
            assert row["median"] == pytest.approx(cell["outcome_change"].median())
            assert row["q1"] == pytest.approx(cell["outcome_change"].quantile(0.25))
            assert row["dropout"] == pytest.approx(cell["dropped_out"].mean())


# --- the charts draw those numbers ---------------------------------------------------------------------

def test_the_paths_chart_draws_each_clients_ors_and_their_line(raw):
    sessions = raw[0]
    spec = spec_of(ors_paths_chart(sessions, ["RM002", "RM010"]))
    rows = datasets_with(spec, "expected_ors")[0]
    assert {r["client_id"] for r in rows} == {"RM002", "RM010"}
    for r in rows:
        real = sessions[(sessions["client_id"] == r["client_id"]) & (sessions["session"] == r["session"])]
        assert r["ors"] == pytest.approx(real["ors"].iloc[0])
        intake = sessions[(sessions["client_id"] == r["client_id"]) & (sessions["session"] == 1)]["ors"].iloc[0]
        assert r["expected_ors"] == pytest.approx(line_by_hand(intake, r["session"]))
    assert len(rows) == sessions["client_id"].isin(["RM002", "RM010"]).sum()
    assert "RM002: not on track, feedback" in {r["panel"] for r in rows}


def test_the_feedback_chart_draws_every_client_and_each_groups_mean(raw):
    spec = spec_of(feedback_outcome_chart(raw[1]))
    dots = datasets_with(spec, "jitter")[0]
    assert len(dots) == 150
    assert sorted(d["outcome_change"] for d in dots) == pytest.approx(sorted(raw[1]["outcome_change"]))
    means = {r["group"]: r["mean"] for r in datasets_with(spec, "mean")[0]}
    assert means["feedback"] == pytest.approx(raw[1][raw[1]["feedback"]]["outcome_change"].mean())


def test_no_chart_prints_a_spread_a_d_or_how_many_clients_are_flagged(raw):
    """The lab questions ask for d, the flagged share and the dropout gap: none may be in a tooltip."""
    for name, box in charts(*raw).items():
        spec = spec_of(box)
        fields = set(re.findall(r'"field": "(\w+)"', json.dumps(spec)))
        assert not fields & {"sd", "std", "d", "count", "n_flagged"}, (name, fields)
    track = spec_of(charts(*raw)["track"])
    columns = {key for rows in track["datasets"].values() for row in rows for key in row}
    assert columns == {"track", "group", "q1", "median", "q3", "dropout"}, "no group sizes, no means"


# --- offline, described, within the page, in the course's colours ----------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_each_chart_is_vega_lite_json_with_a_title_a_description_and_inline_data(raw, name):
    spec = spec_of(charts(*raw)[name])
    assert "vega-lite" in spec["$schema"] and spec["title"] and len(spec["description"]) > 120
    text = json.dumps(spec)
    assert '"url"' not in text
    json.loads(text)


@pytest.mark.parametrize("name", NAMES)
def test_each_chart_renders_offline_with_its_description_for_screen_readers(raw, name):
    spec = spec_of(charts(*raw)[name])
    assert vl_convert.vegalite_to_vega(spec)["description"] == spec["description"]
    svg = vl_convert.vegalite_to_svg(spec)
    width = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))
    assert width <= MAX_WIDTH, f"{name} is {width:.0f} px wide"


@pytest.mark.parametrize("name", NAMES)
def test_legends_if_any_sit_below_the_chart_and_colours_come_from_the_theme(raw, name):
    spec = spec_of(charts(*raw)[name])
    legends = vl_convert.vegalite_to_vega(spec).get("legends", [])
    assert all(legend.get("orient") == "bottom" for legend in legends)
    spec.pop("config", None)
    assert all(value == INK for _, value in colours(spec)), colours(spec)


# --- descriptions and takeaways: true of the data, honest about what is calibrated ---------------------

def test_the_feedback_takeaway_quotes_m1_and_calls_it_small(raw):
    o = raw[1]
    assert o[o["feedback"]]["outcome_change"].mean() > o[~o["feedback"]]["outcome_change"].mean()
    box = feedback_outcome_chart(o)
    assert "The feedback row's mean is a little to the right of the other row's" in spec_of(box)["description"]
    text = takeaway_of(box)
    assert "improved a little more on average" in text and "a small difference" in text
    assert "d = 0.15, between 0.10 and 0.20; de Jong et al., 2021" in text and "58 studies" in text
    assert "0.17" not in text


def test_a_table_where_feedback_is_behind_gets_an_honest_takeaway(raw):
    flipped = raw[1].assign(outcome_change=-raw[1]["outcome_change"])
    text = takeaway_of(feedback_outcome_chart(flipped))
    assert "feedback does not go with more improvement" in text and "d = 0.15" in text


def test_the_track_chart_says_what_the_data_show_and_that_it_is_illustrative(raw):
    o = raw[1]
    medians = o.groupby("not_on_track")["outcome_change"].median()
    shares = o.groupby("not_on_track")["dropped_out"].mean()
    flagged = o[o["not_on_track"]].groupby("feedback")["outcome_change"].median()
    assert medians[True] < medians[False] and shares[True] > shares[False] and flagged[True] > flagged[False]
    box = not_on_track_chart(o)
    assert "Not-on-track clients improved less and dropped out more often" in spec_of(box)["description"]
    assert "the feedback group's median improvement is higher than the other group's" in spec_of(box)["description"]
    text = takeaway_of(box)
    assert "improved less and dropped out more often" in text and "did somewhat better" in text
    assert "illustrative" in text and "not calibrated" in text


def test_the_paths_takeaway_calls_the_line_illustrative_not_a_norm(raw):
    text = takeaway_of(ors_paths_chart(raw[0]))
    assert "illustrative" in text and "not a published norm" in text


@pytest.mark.parametrize("name", NAMES)
def test_each_takeaway_is_one_sentence_and_claims_no_cause(raw, name):
    text = takeaway_of(charts(*raw)[name])
    assert not re.search(r"research (shows|has shown|proves)|studies (show|prove)|\bproves?\b|\bleads? to\b|\bcauses?\b",
                         text, re.I)
    assert len(re.findall(r"[.!?](?:\s|$)", text)) == 1, text
    assert re.search(r"illustrative|built to match", text)


# --- a learner's filtered or wrong table: a friendly note, never an error ----------------------------

def _is_notice(widget) -> bool:
    return NOTICE_CLASS in getattr(widget, "_dom_classes", ()) and "nothing to chart" in widget.value


def _text(widget) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", widget.value))


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_table_gets_a_friendly_note_instead_of_a_chart(raw, name):
    box = charts(raw[0].iloc[0:0], raw[1].iloc[0:0])[name]
    assert _is_notice(box) and "Traceback" not in _text(box)
    assert 'What to do: load the data again with load_dataset("rom_sessions")' in _text(box)


def test_the_tables_swapped_get_a_note_that_names_the_fix(raw):
    sessions, outcomes = raw
    assert "has no column 'not_on_track'" in _text(feedback_outcome_chart(sessions))
    assert "has no column 'session'" in _text(ors_paths_chart(outcomes))
    assert "and it was given ellipsis" in _text(not_on_track_chart(...))


def test_an_unknown_client_id_gets_a_note_with_real_ids(raw):
    box = ors_paths_chart(raw[0], ["RM999", "RM001"])
    assert _is_notice(box) and '"RM999" is not a client in the table given' in _text(box)
    assert '"RM001", "RM002", "RM003"' in _text(box)
    one = ors_paths_chart(raw[0], "RM002")  # a single id as text is read as one client
    assert not _is_notice(one)


def test_one_group_only_gets_a_note_from_the_chart_that_compares_groups(raw):
    o = raw[1]
    assert "only clients with feedback" in _text(feedback_outcome_chart(o[o["feedback"]]))
    assert "only clients on track" in _text(not_on_track_chart(o[~o["not_on_track"]]))
    assert not _is_notice(feedback_outcome_chart(o[~o["not_on_track"]]))


def test_the_module_exports_what_it_names():
    assert all(hasattr(lab, name) for name in lab.__all__)
