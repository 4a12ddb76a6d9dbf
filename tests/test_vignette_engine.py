"""The engine plays a vignette deterministically, and refuses impossible moves clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustlab.vignettes import ChoiceError, VignetteError, all_paths, load_vignette
from trustlab.vignettes.cli import shipped
from trustlab.vignettes.model import load_skills

MINI = Path(__file__).parent / "fixtures" / "vignettes" / "mini.yaml"


@pytest.fixture
def mini():
    return load_vignette(MINI)


def test_a_run_starts_at_the_start_with_start_meters(mini):
    run = mini.start()
    assert run.scene.id == "arrival" and not run.ended and run.ending is None
    assert run.meters == {"trust": 5, "openness": 9}
    assert [c.skill for c in run.choices] == ["warmth", "interrupting", "judging"]


def test_choices_move_meters_and_reach_an_ending(mini):
    run = mini.start()
    run.choose(0)
    assert run.meters["trust"] == 6 and run.scene.id == "sleep"
    run.choose(0)
    assert run.ended and run.ending.id == "heard" and run.ending.kind == "positive"
    assert run.meters == {"trust": 8, "openness": 9}
    assert [(s.scene_id, s.index) for s in run.history] == [("arrival", 0), ("sleep", 0)]


def test_meters_are_clamped_to_their_range(mini):
    run = mini.start()
    run.choose(1)  # openness +2 from 9, max 10
    assert run.meters["openness"] == 10


def test_undo_steps_back_and_restart_starts_over(mini):
    run = mini.start()
    run.choose(0)
    run.choose(1)
    run.undo()
    assert run.scene.id == "sleep" and run.meters["trust"] == 6
    run.restart()
    assert run.scene.id == "arrival" and run.history == []


def test_a_loop_back_is_playable(mini):
    run = mini.start()
    run.choose(0)
    run.choose(2)  # back to arrival
    assert run.scene.id == "arrival" and len(run.history) == 2


@pytest.mark.parametrize("bad", [3, -1, "0", 1.0, True, None])
def test_a_bad_choice_index_gets_a_clear_error(mini, bad):
    run = mini.start()
    with pytest.raises(ChoiceError, match=r"There is no choice .* in scene 'arrival': choose a whole number from 0 to 2"):
        run.choose(bad)


def test_choosing_after_the_end_is_refused(mini):
    run = mini.start()
    run.choose(2)
    with pytest.raises(ChoiceError, match="has ended"):
        run.choose(0)


def test_undo_with_nothing_to_undo(mini):
    with pytest.raises(ChoiceError, match="Nothing to step back"):
        mini.start().undo()


def test_runs_are_deterministic(mini):
    a, b = mini.start(), mini.start()
    for run in (a, b):
        run.choose(1)
        run.choose(1)
    assert a.history == b.history and a.trace() == b.trace()


def test_trace_has_a_row_per_meter_per_step(mini):
    run = mini.start()
    run.choose(0)
    rows = run.trace()
    assert [(r["step"], r["meter"], r["value"]) for r in rows] == [
        (0, "Trust", 5), (0, "Openness", 9), (1, "Trust", 6), (1, "Openness", 9)]


def test_all_paths_of_the_fixture(mini):
    endings = sorted(run.ending.id for run in all_paths(mini))
    assert endings == ["advised", "advised", "heard", "heard", "walked_out"]


def test_loading_a_broken_vignette_lists_its_problems():
    with pytest.raises(VignetteError, match="'reflecton' is not a known skill"):
        load_vignette(MINI.parent / "broken" / "unknown_skill.yaml")


def test_loading_by_id_finds_the_shipped_file():
    for path in shipped():
        assert load_vignette(path.stem).source == path


# --- every path of every shipped vignette -------------------------------------------------------

SHIPPED = shipped()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_path_of_every_shipped_vignette_plays_to_an_ending(path):
    vignette = load_vignette(path)
    skills = load_skills()
    runs = all_paths(vignette)
    assert runs, "no path reaches an ending"
    for run in runs:
        assert run.ended and run.ending.kind in {"positive", "mixed", "troubled"}
        for step in run.history:
            assert step.choice.skill in skills
            for mid, value in step.meters.items():
                meter = vignette.meters[mid]
                assert meter.min <= value <= meter.max
    reached = {run.ending.id for run in runs}
    assert reached == set(vignette.endings), f"endings never reached: {set(vignette.endings) - reached}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_vignette_has_an_ending_of_each_kind(path):
    kinds = {e.kind for e in load_vignette(path).endings.values()}
    assert kinds == {"positive", "mixed", "troubled"}


def test_the_demo_vignette_has_three_decision_points_on_its_longest_path():
    vignette = load_vignette("first_contact")
    assert vignette.module == "m00"
    assert max(len(run.history) for run in all_paths(vignette)) >= 3
    assert len(vignette.endings) >= 3
