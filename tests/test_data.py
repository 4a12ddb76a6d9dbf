"""The synthetic datasets: reproducible, calibrated to the research, consistent, and loud when damaged.

Calibration targets are recomputed here from the CSV files with plain pandas, not
through the course's loader or generator, so a bug there cannot hide itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from trustlab.data import DataError, load_dataset, schema
from trustlab.data import build, dictionary
from trustlab.paths import course_root

ROOT = course_root()

DATA = ROOT / "data"


def csv(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv")


def run_check(data_dir) -> subprocess.CompletedProcess:
    env = {"TRUSTLAB_DATA": str(data_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "trustlab.data", "check"], capture_output=True, text=True, env=env)


# --- reproducible ------------------------------------------------------------------------------

def test_check_passes_on_the_shipped_data():
    result = run_check(DATA)
    assert result.returncode == 0, result.stdout


def test_rebuilding_gives_the_same_bytes():
    first, second = build.render_all(), build.render_all()
    assert first == second
    for name, text in first.items():
        assert (DATA / f"{name}.csv").read_text() == text, f"{name}.csv differs from a rebuild"


def test_every_csv_is_under_one_megabyte():
    for name in schema.names():
        assert (DATA / f"{name}.csv").stat().st_size < 1024 * 1024, name


def test_data_dictionary_is_in_sync_with_the_schema():
    assert (DATA / "README.md").read_text() == dictionary.render(), "run: python -m trustlab.data dictionary"


# --- calibrated to facts.md -----------------------------------------------------------------------

def test_d1_dropout_rate_is_19_7_percent():
    assert abs(csv("first_sessions")["dropped_out"].mean() - 0.197) <= 0.02


def test_a1_session1_rating_and_outcome_correlate_at_278_overall_and_by_modality():
    fs = csv("first_sessions").dropna(subset=["outcome_change"])
    assert abs(fs["session1_rating"].corr(fs["outcome_change"]) - 0.278) <= 0.04
    for modality, group in fs.groupby("modality"):
        assert abs(group["session1_rating"].corr(group["outcome_change"]) - 0.278) <= 0.06, modality


def test_r1_repair_and_outcome_correlate_at_29_among_clients_with_a_rupture():
    out = csv("alliance_outcomes")
    ruptured = out[out["any_rupture"]]
    assert abs(ruptured["repaired"].astype(float).corr(ruptured["outcome_change"]) - 0.29) <= 0.05


R5_MIN_GAP = 0.08  # a gap a learner sees at a glance; built in line with R5, the comparison and size illustrative


def rupture_kinds(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per client with a rupture: dropped out, first rupture, and which kinds they ever had."""
    ruptures = sessions[sessions["rupture"] != "none"].sort_values(["client_id", "session"])
    per = ruptures.groupby("client_id").agg(first=("rupture", "first"), kinds=("rupture", lambda k: frozenset(k)))
    per["dropped_out"] = outcomes.set_index("client_id").loc[per.index, "dropped_out"].astype(bool)
    return per


def r5_gaps(sessions: pd.DataFrame, outcomes: pd.DataFrame) -> dict[str, float]:
    """Confrontation minus withdrawal dropout share, under the three groupings a learner will try."""
    per = rupture_kinds(sessions, outcomes)
    by_first = per.groupby("first")["dropped_out"].mean()
    by_any = per.groupby(per["kinds"].map(lambda k: "confrontation" in k))["dropped_out"].mean()
    one_kind = per[per["kinds"].map(len) == 1]
    by_only = one_kind.groupby(one_kind["kinds"].map(lambda k: next(iter(k))))["dropped_out"].mean()
    return {"first": by_first["confrontation"] - by_first["withdrawal"], "any": by_any[True] - by_any[False],
            "only": by_only["confrontation"] - by_only["withdrawal"]}


def test_r5_dropout_is_higher_after_a_first_rupture_that_was_a_confrontation():
    """Grouping (a): by the first rupture, read off the sessions themselves."""
    assert r5_gaps(csv("alliance_sessions"), csv("alliance_outcomes"))["first"] >= R5_MIN_GAP


def test_r5_dropout_is_higher_with_any_confrontation_than_with_only_withdrawals():
    """Grouping (b): any confrontation rupture against ruptures that were all withdrawals."""
    assert r5_gaps(csv("alliance_sessions"), csv("alliance_outcomes"))["any"] >= R5_MIN_GAP


def test_r5_dropout_is_higher_with_only_confrontations_than_with_only_withdrawals():
    """Grouping (c): clients who had one kind of rupture only."""
    assert r5_gaps(csv("alliance_sessions"), csv("alliance_outcomes"))["only"] >= R5_MIN_GAP
    per = rupture_kinds(csv("alliance_sessions"), csv("alliance_outcomes"))
    assert (per["kinds"] == {"confrontation"}).sum() >= 15, "too few clients with only confrontations to compare"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_r5_and_r1_are_built_into_the_generator_not_luck_of_the_seed(seed):
    """Other seeds give the same direction under every grouping, and R1 on target."""
    import numpy as np

    from trustlab.data import gen_alliance

    tables = gen_alliance.generate(np.random.default_rng(seed))
    sessions, outcomes = tables["alliance_sessions"], tables["alliance_outcomes"]
    assert min(r5_gaps(sessions, outcomes).values()) > 0, r5_gaps(sessions, outcomes)
    ruptured = outcomes[outcomes["any_rupture"]]
    assert abs(ruptured["repaired"].astype(float).corr(ruptured["outcome_change"]) - 0.29) <= 0.05


def test_r5_holds_in_the_outcomes_table_as_the_lab_chart_groups_it():
    """The first_rupture column itself, as dropout_by_rupture_chart uses it."""
    rates = csv("alliance_outcomes").groupby("first_rupture")["dropped_out"].mean()
    assert rates["confrontation"] - rates["withdrawal"] >= R5_MIN_GAP
    assert rates["none"] < rates["withdrawal"]


def test_a_dropout_has_no_rupture_after_the_one_that_ended_therapy():
    """Dropout follows the ruptures a client had: a dropout's last rupture is in their last two sessions."""
    sessions, out = csv("alliance_sessions"), csv("alliance_outcomes").set_index("client_id")
    last_rupture = sessions[sessions["rupture"] != "none"].groupby("client_id")["session"].max()
    dropouts = out[out["dropped_out"] & out["any_rupture"]]
    gap = dropouts["sessions_attended"] - last_rupture.reindex(dropouts.index)
    assert gap.between(0, 1).mean() >= 0.8, gap.value_counts().to_dict()


# --- the illustrative patterns data/README.md describes ---------------------------------------------

def aligned_on_first_rupture() -> pd.DataFrame:
    """Each ruptured client's sessions, numbered from their first rupture (0), with repaired."""
    sessions, out = csv("alliance_sessions"), csv("alliance_outcomes")
    first = sessions[sessions["rupture"] != "none"].groupby("client_id")["session"].min().rename("first")
    aligned = sessions.merge(first, left_on="client_id", right_index=True)
    aligned["offset"] = aligned["session"] - aligned["first"]
    return aligned.merge(out[["client_id", "repaired"]], on="client_id")


def test_a_repaired_first_rupture_shows_a_v_on_average():
    """A dip in the rupture session, then back near the level of the session before (R6's shape, no claim)."""
    aligned = aligned_on_first_rupture()
    means = aligned[aligned["repaired"].astype(bool)].groupby("offset")["alliance"].mean()
    assert means[0] <= means[-1] - 0.5, "no dip"
    assert means[1] >= means[0] + 0.5, "no recovery"
    assert abs(means[1] - means[-1]) <= 0.25, "the recovery does not come back near the earlier level"
    unrepaired = aligned[~aligned["repaired"].astype(bool)].groupby("offset")["alliance"].mean()
    assert unrepaired[1] - unrepaired[-1] < means[1] - means[-1], "unrepaired ruptures recover as fully"


def test_withdrawal_ruptures_are_more_common_than_confrontations():
    counts = csv("alliance_sessions")["rupture"].value_counts()
    assert counts["withdrawal"] > counts["confrontation"] > 0


def test_immediate_and_exploratory_repairs_go_with_recovery_more_often_than_none():
    """Recovery: the next session's alliance is back to at least the level of the session before the rupture."""
    sessions = csv("alliance_sessions").sort_values(["client_id", "session"])
    by_client = sessions.groupby("client_id")["alliance"]
    sessions = sessions.assign(before=by_client.shift(1), after=by_client.shift(-1))
    ruptures = sessions[(sessions["rupture"] != "none") & sessions["after"].notna()]
    recovered = (ruptures["after"] >= ruptures["before"]).groupby(ruptures["repair"]).mean()
    assert recovered["immediate"] > recovered["none"] and recovered["exploratory"] > recovered["none"], recovered


def test_the_alliance_drifts_up_across_sessions():
    means = csv("alliance_sessions").groupby("session")["alliance"].mean()
    assert means[12] > means[1] + 0.3
    assert (means.diff().dropna() > -0.1).all(), means.round(2).to_dict()


def test_the_readme_says_the_dropout_size_is_illustrative_and_r6_is_debated():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## `alliance_sessions`"):readme.index("## `goals`")]
    assert re.search(r"size of the dropout gap, and every dropout rate here, is illustrative", section)
    assert "These data were built in line with that" in section  # R5 does not compare with withdrawal
    assert "The comparison with withdrawal and every size are the course's illustrative assumptions" in section
    assert re.search(r"debated \(R6[^)]*\), and these data make no claim about it", section)


def test_g1_g2_goal_consensus_24_and_collaboration_29():
    goals = csv("goals")
    assert abs(goals["goal_consensus"].corr(goals["outcome_change"]) - 0.24) <= 0.04
    assert abs(goals["collaboration"].corr(goals["outcome_change"]) - 0.29) <= 0.04


def test_sizes_match_the_issue():
    assert len(csv("first_sessions")) == 600 and csv("first_sessions")["therapist_id"].nunique() == 30
    assert csv("disclosure_sessions")["client_id"].nunique() == 200
    assert csv("alliance_outcomes")["client_id"].nunique() == 240
    assert len(csv("goals")) == 300


# --- internally consistent ------------------------------------------------------------------------

def test_first_sessions_is_consistent():
    fs = csv("first_sessions")
    assert (fs["outcome_change"].notna() == (fs["sessions_attended"] >= 2)).all()
    assert (fs["room_comfort"].isna() == (fs["modality"] == "video")).all()
    assert (fs["returned_session2"] == (fs["sessions_attended"] >= 2)).all()


def test_alliance_outcomes_agree_with_the_sessions():
    sessions, out = csv("alliance_sessions"), csv("alliance_outcomes").set_index("client_id")
    counts = sessions.groupby("client_id")["session"].max()
    assert (counts == out["sessions_attended"]).all()
    assert (out.loc[out["dropped_out"], "sessions_attended"] < 12).all()
    assert (sessions.loc[sessions["rupture"] == "none", "repair"] == "none").all()
    for client, rows in sessions.groupby("client_id"):
        ruptures = rows[rows["rupture"] != "none"]
        assert out.at[client, "any_rupture"] == (len(ruptures) > 0)
        if len(ruptures) == 0:
            assert pd.isna(out.at[client, "repaired"]) and out.at[client, "first_rupture"] == "none"
            continue
        first = ruptures.iloc[0]
        assert out.at[client, "first_rupture"] == first["rupture"]
        before = rows.loc[rows["session"] == first["session"] - 1, "alliance"].iloc[0]
        after = rows[(rows["session"] > first["session"]) & (rows["session"] <= first["session"] + 2)]["alliance"]
        assert bool(out.at[client, "repaired"]) == bool((after >= before).any()), client


def test_every_field_says_whether_it_is_calibrated_or_illustrative():
    facts = schema.package()["facts"]
    for res in schema.package()["resources"]:
        assert res["illustrative"], res["name"]
        for f in res["schema"]["fields"]:
            assert f["provenance"] == "illustrative" or f["provenance"].startswith("calibrated: "), f["name"]
            assert f["description"]
        for c in res["calibration"]:
            assert c["fact"] in facts


# --- the loader types columns by the schema ------------------------------------------------------

def test_loader_types():
    fs = load_dataset("first_sessions")
    assert isinstance(fs["modality"].dtype, pd.CategoricalDtype)
    assert list(fs["referral"].cat.categories) == ["self", "partner_urged", "mandated"]
    assert str(fs["room_comfort"].dtype) == "Int64" and fs["room_comfort"].isna().any()
    assert str(fs["dropped_out"].dtype) == "boolean"
    assert fs["session1_rating"].dtype == "float64"
    assert len(fs) == 600


@pytest.mark.parametrize("name", schema.names())
def test_every_dataset_loads(name):
    assert len(load_dataset(name)) > 0


# --- damaged files --------------------------------------------------------------------------------

@pytest.fixture
def damaged(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    monkeypatch.setenv("TRUSTLAB_DATA", str(copy))
    return copy


def edit_line(path, number: int, old: str, new: str) -> None:
    lines = path.read_text().split("\n")
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines))


def test_missing_file(damaged):
    (damaged / "goals.csv").unlink()
    with pytest.raises(DataError, match=r"goals.csv: file not found\. Rebuild the course data with: python -m trustlab.data build"):
        load_dataset("goals")


def test_truncated_file(damaged):
    path = damaged / "first_sessions.csv"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(DataError, match=r"first_sessions.csv: line \d+: .*truncated"):
        load_dataset("first_sessions")
    path.write_text(text[: text.index("\n", len(text) // 2)] + ",\n")  # a whole line with a value too many
    with pytest.raises(DataError, match=r"first_sessions.csv: line \d+: has \d+ values where 18 were expected; "
                                        r"the file looks truncated"):
        load_dataset("first_sessions")
    result = run_check(damaged)
    assert result.returncode == 1 and "first_sessions.csv: line" in result.stdout


def test_missing_column(damaged):
    path = damaged / "goals.csv"
    lines = path.read_text().split("\n")
    lines = [",".join(line.split(",")[:-1]) for line in lines if line]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="goals.csv: line 1: column outcome_change missing from the header"):
        load_dataset("goals")


def test_text_in_a_numeric_column(damaged):
    path = damaged / "goals.csv"
    cells = path.read_text().split("\n")[4].split(",")
    edit_line(path, 5, f",{cells[1]},", ",high,")
    with pytest.raises(DataError, match=r"goals.csv: line 5, column goal_consensus: 'high' is not a number"):
        load_dataset("goals")
    result = run_check(damaged)
    assert result.returncode == 1
    assert "goals.csv: line 5, column goal_consensus: 'high'" in result.stdout


def test_a_value_outside_its_categories_or_range(damaged):
    path = damaged / "alliance_sessions.csv"
    edit_line(path, 2, ",none,", ",shouting,")
    with pytest.raises(DataError, match=r"line 2, column rupture: 'shouting' is not one of none, withdrawal, confrontation"):
        load_dataset("alliance_sessions")
    assert run_check(damaged).returncode == 1


def test_a_quiet_change_is_caught_by_the_rebuild_comparison(damaged):
    path = damaged / "goal_attainment.csv"
    line = path.read_text().split("\n")[2]
    edit_line(path, 3, line, line[:-1] + ("1" if line[-1] != "1" else "0"))
    result = run_check(damaged)
    assert result.returncode == 1 and "goal_attainment.csv: line 3, column score_session10: differs from a fresh rebuild" in result.stdout


def test_an_unknown_dataset_name_lists_the_real_ones():
    with pytest.raises(DataError, match="the datasets are: first_sessions"):
        load_dataset("first_session")


# --- what the loader must refuse, and harmless files it must read (issue 13, items 7 and 8) ------

REBUILD_COMMAND = "python -m trustlab.data build"


def set_cell(path, line: int, column: str, value: str) -> None:
    """Replace one value of a CSV file, found by its line number and column name."""
    lines = path.read_text().split("\n")
    header = lines[0].split(",")
    cells = lines[line - 1].split(",")
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(cells)
    path.write_text("\n".join(lines))


def refusal(name: str) -> str:
    with pytest.raises(DataError) as caught:
        load_dataset(name)
    message = str(caught.value)
    assert REBUILD_COMMAND in message
    return message


def test_a_repeated_client_id_is_refused_with_both_lines(damaged):
    path = damaged / "first_sessions.csv"
    first_id = path.read_text().split("\n")[1].split(",")[0]
    set_cell(path, 8, "client_id", first_id)
    message = refusal("first_sessions")
    assert f"first_sessions.csv: line 8, column client_id: {first_id!r}" in message
    assert "line 2" in message


def test_a_repeated_client_and_session_pair_is_refused(damaged):
    path = damaged / "alliance_sessions.csv"
    lines = path.read_text().split("\n")
    lines[3] = lines[2]  # line 4 repeats line 3: the same client_id and session
    path.write_text("\n".join(lines))
    message = refusal("alliance_sessions")
    assert "alliance_sessions.csv: line 4, columns client_id and session:" in message and "line 3" in message


@pytest.mark.parametrize("value", ["", "   ", "nan", "NaN", "inf", "-inf"])
def test_a_missing_value_in_a_required_column_is_refused(damaged, value):
    path = damaged / "first_sessions.csv"
    set_cell(path, 6, "session1_rating", value)
    assert "first_sessions.csv: line 6, column session1_rating:" in refusal("first_sessions")


def test_a_blank_required_text_value_is_refused(damaged):
    path = damaged / "first_sessions.csv"
    set_cell(path, 6, "therapist_id", " ")
    assert "first_sessions.csv: line 6, column therapist_id: empty" in refusal("first_sessions")


def test_a_file_with_only_its_header_is_refused(damaged):
    path = damaged / "goals.csv"
    path.write_text(path.read_text().split("\n")[0] + "\n")
    assert "goals.csv: line 2:" in refusal("goals") and "no rows" in refusal("goals")


def test_a_byte_order_mark_is_read(damaged):
    path = damaged / "first_sessions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    frame = load_dataset("first_sessions")
    assert len(frame) == 600 and frame["client_id"].iloc[0] == csv("first_sessions")["client_id"].iloc[0]


def test_an_extra_newline_at_the_end_is_read(damaged):
    path = damaged / "goals.csv"
    path.write_text(path.read_text() + "\n")
    assert len(load_dataset("goals")) == 300


def test_windows_line_endings_are_read(damaged):
    path = damaged / "goals.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert len(load_dataset("goals")) == 300
