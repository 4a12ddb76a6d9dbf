"""The synthetic datasets: reproducible, calibrated to the research, consistent, and loud when damaged.

Calibration targets are recomputed here from the CSV files with plain pandas, not
through the course's loader or generator, so a bug there cannot hide itself.
"""

from __future__ import annotations

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


def test_r5_confrontation_ruptures_go_with_more_dropout_than_withdrawal():
    rates = csv("alliance_outcomes").groupby("first_rupture")["dropped_out"].mean()
    assert rates["confrontation"] > rates["withdrawal"]


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
