"""Goal Attainment Scaling: the T-score against hand calculations, and the worksheet used as a learner would.

The expected T-scores are worked out by hand in the comments (the formula is facts.md G3,
T = 50 + 10·Σwx / √((1 − ρ)Σw² + ρ(Σw)²)), never taken from the code. The worksheet is
driven as the browser drives it: the learner's goals are set on ``GasSheet.goals``, and
what the learner would see (the result, the status line) and what the journal holds are
checked. Browser behaviour (keyboard, axe, layout) is in tests/browser/test_gas_worksheet.py.
"""

from __future__ import annotations

import asyncio
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from trustlab.goal_attainment import LEVELS, GasError, gas_t_score, t_score_meaning
from trustlab.gas_widget import GasWorksheet, gas, goal_from, sheet_result
from trustlab.journal import Journal, JournalError
from trustlab.journal.export import portfolio_html
from trustlab.journal.widgets import DAMAGED_ENTRY

KEY = "m04.my_client"
DELAY = 0.05  # the pause before words are saved, shortened (about a second in a notebook)


# --- the T-score, by hand ----------------------------------------------------------------------------

@pytest.mark.parametrize("scores, weights, rho, expected", [
    # one goal at +1, weight 1: 50 + 10·1/√(0.7·1 + 0.3·1) = 50 + 10/1
    ([1], [1], 0.3, 60.0),
    # three goals at the expected level: Σwx = 0
    ([0, 0, 0], None, 0.3, 50.0),
    # Σwx = 3 + 0 − 1 = 2; Σw² = 9 + 4 + 1 = 14; (Σw)² = 36;
    # √(0.7·14 + 0.3·36) = √(9.8 + 10.8) = √20.6 = 4.538722; 10·2/4.538722 = 4.40648
    ([1, 0, -1], [3, 2, 1], 0.3, 54.40648),
    # three goals at +2, equal weights: Σwx = 6; √(0.7·3 + 0.3·9) = √4.8 = 2.190890; 60/2.190890 = 27.38613
    ([2, 2, 2], [1, 1, 1], 0.3, 77.38613),
    # one goal at −2 weighted 3: Σwx = −6; √(0.7·9 + 0.3·9) = 3; −60/3 = −20
    ([-2], [3], 0.3, 30.0),
    # a goal above and one below by the same amount, equal weights: they cancel
    ([2, -2], [1, 1], 0.3, 50.0),
    # rho .5: Σwx = 1 + 2 = 3; √(0.5·5 + 0.5·9) = √7 = 2.645751; 30/2.645751 = 11.33893
    ([1, 1], [1, 2], 0.5, 61.33893),
])
def test_t_scores_match_hand_calculations(scores, weights, rho, expected):
    assert gas_t_score(scores, weights, rho) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("scores, expected", [
    # rho 0 and equal weights: T = 50 + 10·Σx/√n
    ([2, -1, 1, 0], 50 + 10 * 2 / 2),  # √4 = 2
    ([1, 1], 64.14214),  # 10·2/1.414214 = 14.14214
    ([-1, -1, -1], 32.67949),  # 10·(−3)/1.732051 = −17.32051
])
def test_with_rho_zero_and_equal_weights_it_is_the_mean_score_scaled_by_root_n(scores, expected):
    assert gas_t_score(scores, rho=0) == pytest.approx(expected, abs=1e-4)
    assert gas_t_score(scores, [2] * len(scores), rho=0) == pytest.approx(expected, abs=1e-4)


def test_the_conventional_rho_is_point_three():
    assert gas_t_score([1, 0, -1], [3, 2, 1]) == pytest.approx(54.40648, abs=1e-4)


@pytest.mark.parametrize("scores, weights, rho, words", [
    ([], None, 0.3, "at least one goal score"),
    (3, None, 0.3, "as a list"),
    ("12", None, 0.3, "as a list"),
    ({"goal": 1}, None, 0.3, "as a list"),
    (None, None, 0.3, "as a list"),
    (["a"], None, 0.3, "must be a number"),
    ([True, 0], None, 0.3, "must be a number"),
    ([float("nan")], None, 0.3, "missing"),
    ([3], None, 0.3, "-2 to +2"),
    ([0.5], None, 0.3, "-2 to +2"),
    ([1, 0], [1], 0.3, "one weight per goal"),
    ([1, 0], [1, 0], 0.3, "above 0"),
    ([1], [-2], 0.3, "above 0"),
    ([1], [1], 1, "rho"),
    ([1], [1], -0.1, "rho"),
    ([1], [1], "0.3", "rho must be a number"),
    (np.array(2), None, 0.3, "as a list"),
    (np.array([1, np.nan]), None, 0.3, "missing"),
])
def test_scores_it_cannot_use_are_refused_in_plain_words(scores, weights, rho, words):
    with pytest.raises(GasError) as caught:
        gas_t_score(scores, weights, rho)
    message = str(caught.value)
    assert words in message
    assert "Traceback" not in message and len(message) < 200


def test_numpy_and_pandas_inputs_are_accepted():
    assert gas_t_score(np.array([1, 0, -1]), np.array([3, 2, 1]), np.float64(0.3)) == pytest.approx(54.40648, abs=1e-4)
    assert gas_t_score([np.int64(1)], [np.float32(1)]) == pytest.approx(60.0)
    rows = pd.DataFrame({"client": ["a", "a", "a", "b"], "score": [1.0, 0.0, -1.0, -2.0], "weight": [3, 2, 1, 3]})
    per_client = {c: gas_t_score(g["score"], g["weight"]) for c, g in rows.groupby("client")}
    assert per_client == {"a": pytest.approx(54.40648, abs=1e-4), "b": pytest.approx(30.0)}


@pytest.mark.parametrize("t, says, never", [
    (50.0, "exactly at the expected level", "above"),
    (54.4, "somewhat above", "below"),
    (60.0, "somewhat above", "well"),  # one goal at +1, "somewhat more than expected": not "well above"
    (70.0, "well above", "below"),
    (40.0, "somewhat below", "well"),  # one goal at −1
    (30.0, "well below", "above"),
])
def test_a_t_score_is_read_in_the_right_direction_and_strength(t, says, never):
    meaning = t_score_meaning(t)
    assert meaning.startswith(f"T = {t:.1f}: ") and says in meaning and never not in meaning.split(".")[1]


# --- the worksheet: the result -------------------------------------------------------------------------

def goals_with(**by_goal) -> list[dict]:
    """Three goals, some filled: goals_with(g1={"score": 1}, g3={"goal": "..."})."""
    goals = [goal_from({}) for _ in range(3)]
    for name, fields in by_goal.items():
        goals[int(name[1:]) - 1].update(fields)
    return goals


def full_levels(word: str) -> list[str]:
    return [f"{word} at {s}" for s in sorted(LEVELS)]


def test_with_no_score_it_says_there_is_no_t_score_yet_and_what_is_missing():
    result = sheet_result(goals_with(g1={"goal": "To sleep through the night", "levels": full_levels("sleep")}))
    assert result.t is None and result.summary.startswith("No T-score yet")
    assert result.todo == ("Goal 1: at follow-up, pick the level you and the client agree was reached.",)
    assert sheet_result(goals_with()).todo == ("Goal 1: write it in the client's own words.",)


def test_the_t_score_counts_every_goal_with_a_score_and_its_weight():
    result = sheet_result(goals_with(g1={"score": 1, "weight": 3}, g2={"score": 0, "weight": 2},
                                     g3={"score": -1, "weight": 1}))
    assert result.t == pytest.approx(54.40648, abs=1e-4)
    assert result.summary.startswith("T = 54.4: somewhat above") and "Counted: goals 1, 2 and 3." in result.summary


def test_a_partly_filled_sheet_names_what_is_missing_goal_by_goal():
    levels = full_levels("walks")
    levels[2] = ""  # the expected level not described yet
    result = sheet_result(goals_with(g1={"goal": "Walk the dog again", "levels": levels, "score": 1},
                                     g2={"goal": "Call my sister"}, g3={"score": -1}))
    # goal 1 at +1 and goal 3 at −1, weights 1: they cancel; goal 2 has no score and is left out
    assert result.t == pytest.approx(50.0) and result.counted == (1, 3)
    assert "Counted: goals 1 and 3; goal 2 not scored yet." in result.summary
    assert result.todo == (
        "Goal 1: describe what level 0 would look like.",
        "Goal 2: describe what levels −2, −1, 0, +1 and +2 would look like.",
        "Goal 2: at follow-up, pick the level you and the client agree was reached.",
        "Goal 3: write it in the client's own words.",
        "Goal 3: describe what levels −2, −1, 0, +1 and +2 would look like.",
    )


def test_odd_fields_are_dropped_and_the_rest_of_the_goal_kept():
    goal = goal_from({"goal": "Back at choir", "levels": ["a", 3, "c"], "weight": "a lot", "score": 7})
    assert goal == {"goal": "Back at choir", "levels": ["a", "", "c", "", ""], "weight": 1, "score": None}
    assert goal_from({"score": True, "weight": 2.0})["score"] is None and goal_from({"weight": 2.0})["weight"] == 2
    with pytest.raises(GasError):
        goal_from("Back at choir")


# --- the worksheet as a learner uses it -------------------------------------------------------------------

@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "journal.sqlite3")


def edit(sheet: GasWorksheet, number: int, **fields) -> None:
    """Change one goal as the browser does: the whole list of goals arrives at once."""
    goals = sheet.goals
    goals[number - 1].update(fields)
    sheet.sheet.goals = goals


def type_goal(sheet: GasWorksheet, number: int, text: str) -> None:
    """Keystroke by keystroke, as the browser sends them."""
    for end in range(1, len(text) + 1):
        edit(sheet, number, goal=text[:end])


def shows(sheet: GasWorksheet, state: str) -> str:
    assert sheet.status.state == state, (sheet.status.state, sheet.status.text)
    return sheet.status.text


def in_kernel_loop(scenario) -> None:
    """Widget callbacks run inside the kernel's event loop, where a save waits for a pause in typing."""
    asyncio.run(scenario())


def test_a_new_sheet_offers_three_empty_goals_with_the_five_levels_and_is_not_saved_yet(journal):
    sheet = gas(KEY, journal=journal)
    assert len(sheet.sheet.goals) == 3 and all(g["goal"] == "" and g["score"] is None for g in sheet.sheet.goals)
    assert [lv["label"].lower() for lv in sheet.sheet.levels] == [LEVELS[s] for s in (-2, -1, 0, 1, 2)]
    assert "expect" in sheet.sheet.levels[2]["note"]  # the 0 level is the expected outcome
    assert [w["value"] for w in sheet.sheet.weights] == [1, 2, 3]
    assert "Not saved yet" in shows(sheet, "info")
    assert sheet.sheet.result["t"] is None and "No T-score yet" in sheet.sheet.result["summary"]
    assert len(gas(KEY, goals=1, journal=journal).sheet.goals) == 1


def test_the_t_score_shows_live_as_soon_as_one_goal_has_a_score(journal):
    sheet = gas(KEY, journal=journal)
    type_goal(sheet, 1, "I want to get back to my Sunday football")
    assert sheet.sheet.result["t"] is None
    edit(sheet, 1, score=1)
    assert sheet.sheet.result["t"] == pytest.approx(60.0) and sheet.sheet.result["summary"].startswith("T = 60.0")
    edit(sheet, 1, weight=3)
    edit(sheet, 2, goal="Sleep before midnight", score=0, weight=2)
    edit(sheet, 3, goal="Fewer rows with my dad", score=-1)
    assert sheet.sheet.result["t"] == pytest.approx(54.40648, abs=1e-4)
    edit(sheet, 1, score=None)  # changed their mind: goal 1 is not scored after all
    assert "goal 1 not scored yet" in sheet.sheet.result["summary"]


def test_words_save_after_a_pause_and_a_weight_or_score_at_once(journal):
    async def scenario():
        sheet = GasWorksheet(KEY, journal=journal, delay=DELAY)
        type_goal(sheet, 1, "Feel normal again")
        assert shows(sheet, "pending") == "Saving…" and journal.latest(KEY) is None
        await asyncio.sleep(DELAY * 6)
        assert journal.latest(KEY)["goals"][0]["goal"] == "Feel normal again"
        assert len(journal.entries("gas")) == 1 and "Saved at" in shows(sheet, "ok")
        edit(sheet, 1, score=2)  # one deliberate pick: saved at once, no pause
        saved = journal.latest(KEY)
        assert saved["goals"][0]["score"] == 2 and saved["t_score"] == pytest.approx(70.0)
        assert "Saved at" in shows(sheet, "ok")
    in_kernel_loop(scenario)


def test_the_sheet_comes_back_from_the_journal_when_the_cell_is_run_again(journal):
    sheet = gas(KEY, journal=journal)
    edit(sheet, 2, goal="Go back to the mosque on Fridays", levels=full_levels("visits"), weight=2, score=1)
    again = gas(KEY, journal=Journal(journal.path))  # the cell run again, as in a new kernel
    assert again.goals == sheet.goals and again.goals[0]["goal"] == ""  # goal 1 left empty keeps its place
    assert "Saved at" in shows(again, "ok") and again.sheet.result["t"] == pytest.approx(60.0)


def test_re_running_the_cell_right_after_typing_shows_what_was_typed(journal):
    async def scenario():
        sheet = GasWorksheet(KEY, journal=journal, delay=10)
        type_goal(sheet, 1, "Typed a moment ago")
        assert journal.latest(KEY) is None  # still waiting for the pause
        assert gas(KEY, journal=journal).goals[0]["goal"] == "Typed a moment ago"
    in_kernel_loop(scenario)


def test_an_emptied_sheet_never_replaces_the_saved_one_and_says_so(journal):
    sheet = gas(KEY, journal=journal)
    edit(sheet, 1, goal="Something the client said")
    edit(sheet, 1, goal="")
    message = shows(sheet, "info")
    assert "worksheet is empty" in message and "nothing was saved" in message
    assert journal.latest(KEY)["goals"][0]["goal"] == "Something the client said"
    assert len(journal.entries("gas")) == 1
    assert gas(KEY, journal=journal).goals[0]["goal"] == "Something the client said"


def test_a_save_that_fails_keeps_the_goals_and_says_why_then_saves_when_it_can(journal, monkeypatch):
    sheet = gas(KEY, journal=journal)

    def read_only(*args, **kwargs):
        raise JournalError("The journal folder cannot be written (Read-only file system).")

    monkeypatch.setattr(journal, "add", read_only)
    edit(sheet, 1, goal="Do not lose me", score=1)
    message = shows(sheet, "error")
    assert message.startswith("Could not save:") and "Read-only file system" in message and "Saved" not in message
    assert sheet.goals[0]["goal"] == "Do not lose me" and sheet.sheet.result["t"] == pytest.approx(60.0)
    monkeypatch.undo()
    edit(sheet, 1, goal="Do not lose me!")
    assert "Saved at" in shows(sheet, "ok") and journal.latest(KEY)["goals"][0]["goal"] == "Do not lose me!"


def test_a_journal_that_cannot_be_opened_still_gives_the_t_score_and_keeps_the_goals(tmp_path):
    blocked = tmp_path / "journal.sqlite3"
    blocked.mkdir()  # a folder where the file should be: cannot be read, even by root
    sheet = gas(KEY, journal=Journal(blocked))
    assert "could not be opened" in shows(sheet, "error")
    edit(sheet, 1, goal="Keep me", score=-1)
    assert "Could not save" in shows(sheet, "error") and sheet.goals[0]["goal"] == "Keep me"
    assert sheet.sheet.result["t"] == pytest.approx(40.0)


def test_a_damaged_entry_is_said_and_left_in_the_journal_and_new_work_saves_beside_it(journal):
    journal.add("gas", "m04", KEY, goals="not a list of goals")
    sheet = gas(KEY, journal=journal)
    assert shows(sheet, "info") == DAMAGED_ENTRY and all(g["goal"] == "" for g in sheet.goals)
    edit(sheet, 1, goal="A fresh start")
    assert [e["goals"] for e in journal.entries("gas")][0] == "not a list of goals"
    assert journal.latest(KEY)["goals"][0]["goal"] == "A fresh start"


def test_a_saved_goal_with_odd_fields_comes_back_with_its_words(journal):
    journal.add("gas", "m04", KEY, goals=[{"goal": "Back at choir", "levels": ["x"], "weight": 9, "score": "2"}])
    sheet = gas(KEY, journal=journal)
    assert sheet.goals[0] == {"goal": "Back at choir", "levels": ["x", "", "", "", ""], "weight": 1, "score": None}


def test_more_goals_saved_than_the_cell_offers_are_all_shown(journal):
    journal.add("gas", "m04", KEY, goals=[{"goal": f"Goal {n}"} for n in range(1, 5)])
    assert [g["goal"] for g in gas(KEY, goals=2, journal=journal).goals] == ["Goal 1", "Goal 2", "Goal 3", "Goal 4"]


@pytest.mark.parametrize("key, goals, words", [
    ("my_client", 3, 'like gas("m04.my_client")'),
    (4, 3, 'like gas("m04.my_client")'),
    (KEY, 0, "from 1 to 5"),
    (KEY, 6, "from 1 to 5"),
    (KEY, "3", "from 1 to 5"),
    (KEY, True, "from 1 to 5"),
])
def test_a_call_the_worksheet_cannot_use_says_what_to_write(key, goals, words, journal):
    with pytest.raises(GasError, match=words.replace("(", r"\(").replace(")", r"\)")):
        gas(key, goals, journal=journal)


def test_the_portfolio_shows_each_goal_its_levels_the_level_reached_and_the_t_score(journal):
    sheet = gas(KEY, prompt="Goals for **Ruth**", journal=journal)
    edit(sheet, 1, goal="Stop <hiding> at work", levels=full_levels("speaks up"), weight=2, score=1)
    html = portfolio_html(journal.read())
    assert "<h3>Goal Attainment Scaling</h3>" in html and "Goals for <strong>Ruth</strong>" in html
    assert "Stop &lt;hiding&gt; at work" in html and "<hiding>" not in html
    assert "T = 60.0: somewhat above what was expected" in html
    reached = [row for row in html.split("<tr>") if "✔ reached" in row]
    assert len(reached) == 1 and "+1 somewhat more than expected" in reached[0] and "speaks up at 1" in reached[0]


# --- the name `gas` ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("first", ["import trustlab.goal_attainment", "from trustlab.goal_attainment import gas_t_score",
                                   "import trustlab.gas_widget", "import trustlab"])
def test_gas_from_trustlab_is_the_worksheet_whatever_was_imported_first(first):
    """Whatever a notebook imported first, `from trustlab import gas` is the worksheet, never a module."""
    code = (f"{first}\nimport trustlab\nfrom trustlab import gas\nfrom trustlab.goal_attainment import gas_t_score\n"
            "assert callable(gas) and gas.__module__ == 'trustlab.gas_widget', gas\n"
            "assert trustlab.gas is gas\nprint(gas_t_score([1]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert math.isclose(float(done.stdout), 60.0)
