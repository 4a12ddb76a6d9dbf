"""The grading cells are derived from the solutions: marked, tested with check()'s key, left out of exercises/."""

from __future__ import annotations

import nbformat
import pytest

from trustlab import exercises
from trustlab.exercises import assert_correct, with_grading_cells

SOLUTION = '### BEGIN SOLUTION\nshare = 4 / 20  # the share who dropped out, 0 to 1\n### END SOLUTION\ncheck("m00.ex2", share)'
WRITTEN = "**Question:** why?\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"


def demo() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demo"), nbformat.v4.new_code_cell(SOLUTION),
                                           nbformat.v4.new_markdown_cell(WRITTEN)])


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def test_solution_cells_are_marked_and_followed_by_a_hidden_test():
    cells = with_grading_cells(demo()).cells
    assert [c.cell_type for c in cells] == ["markdown", "code", "code", "markdown"]
    assert nbgrader(cells[0]) == {}
    assert nbgrader(cells[1])["solution"] and not nbgrader(cells[1])["grade"]
    test = cells[2]
    assert nbgrader(test)["grade"] and not nbgrader(test)["solution"] and nbgrader(test)["points"] > 0
    hidden = test.source.split("### BEGIN HIDDEN TESTS")[1]
    assert 'assert_correct("m00.ex2", share)' in hidden and "nothing to do" in test.source.split("###")[0]
    assert nbgrader(cells[3])["solution"] and nbgrader(cells[3])["grade"], "a written answer is graded by hand"
    assert len({nbgrader(c)["grade_id"] for c in cells[1:]}) == 3


def test_adding_twice_changes_nothing_and_keeps_changed_points():
    once = with_grading_cells(demo())
    once.cells[2].metadata.nbgrader["points"] = 3
    twice = with_grading_cells(once)
    assert nbformat.writes(twice) == nbformat.writes(once)


def test_the_learners_copy_has_no_test_cells_and_no_nbgrader_metadata(tmp_path):
    path = tmp_path / "01_solutions_demo.ipynb"
    nbformat.write(with_grading_cells(demo()), path)
    learner = exercises.exercise_notebook(path)
    assert len(learner.cells) == 3 and all("nbgrader" not in c.metadata for c in learner.cells)
    assert "share = ...  # YOUR ANSWER: the share who dropped out, 0 to 1" in learner.cells[1].source


@pytest.mark.parametrize("answer, words", [(..., "Not answered yet (m00.ex2)"), (9.0, "Not yet (m00.ex2)")])
def test_a_wrong_or_missing_answer_fails_with_the_checks_feedback(answer, words):
    with pytest.raises(AssertionError, match=words.replace("(", r"\(").replace(")", r"\)")):
        assert_correct("m00.ex2", answer)


def test_a_right_answer_passes():
    assert_correct("m00.ex2", 40 * 0.197)


def test_a_graded_exercise_without_a_check_line_is_reported(tmp_path):
    (tmp_path / "solutions").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    nbformat.write(with_grading_cells(nb), tmp_path / "solutions" / "01_solutions_demo.ipynb")
    assert exercises.grading_stale(tmp_path) == [
        'solutions/01_solutions_demo.ipynb: cell 1: a code cell with a solution block needs a last line like '
        'check("m01.ex1", name) to be graded']
