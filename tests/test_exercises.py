"""exercises/ is generated from solutions/: stubs never raise, and a stale copy fails the build."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from trustlab import exercises
from trustlab.exercises import MarkerError, strip_solutions
from trustlab.paths import course_root

ROOT = course_root()


def test_exercises_folder_is_in_sync_with_solutions():
    assert exercises.stale() == [], "exercises/ is stale: run `make exercises` and commit the result"


def test_every_solution_has_at_least_one_solution_block():
    for path in (ROOT / "solutions").glob("*.ipynb"):
        text = path.read_text()
        assert exercises.BEGIN in text and exercises.END in text, path


def test_no_solution_text_leaks_into_exercises():
    for path in (ROOT / "exercises").glob("*.ipynb"):
        assert exercises.BEGIN not in path.read_text(), path


def test_a_stub_keeps_the_name_and_the_solution_comment_as_instructions():
    source = "### BEGIN SOLUTION\nshare = 4 / 20  # the share who dropped out, 0 to 1\n### END SOLUTION\ncheck('m00.ex1', share)"
    assert strip_solutions(source) == "share = ...  # YOUR ANSWER: the share who dropped out, 0 to 1\ncheck('m00.ex1', share)"


def test_a_stub_unpacks_tuples_and_keeps_indentation():
    source = "if True:\n    ### BEGIN SOLUTION\n    a, b = 1, 2\n    ### END SOLUTION\n    pass"
    stub = strip_solutions(source)
    assert stub == ("if True:\n    a = ...  # YOUR ANSWER: replace ... with your answer\n"
                    "    b = ...  # YOUR ANSWER: replace ... with your answer\n    pass")


@pytest.mark.parametrize("block", [
    "share = 0.2", "a, (b, c) = 1, (2, 3)", "x: float = 1.0", "total = sum(range(3))\nprint(total)", "print('hi')",
])
def test_stubs_run_without_raising(block):
    stub = strip_solutions(f"### BEGIN SOLUTION\n{block}\n### END SOLUTION")
    exec(compile(stub, "<stub>", "exec"), {})


def test_markdown_blocks_become_a_prompt():
    assert strip_solutions("Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION", markdown=True) == \
        "Why?\n*Write your answer here.*"


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "line 2: ### END SOLUTION without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "line 2: a second"),
    ("### BEGIN SOLUTION\nx = (\n### END SOLUTION", "does not parse"),
])
def test_broken_markers_are_reported_with_their_line(source, words):
    with pytest.raises(MarkerError, match=words):
        strip_solutions(source)


def test_check_command_fails_on_a_stale_copy(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "exercises").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")])
    nbformat.write(nb, tmp_path / "solutions" / "01_solutions_demo.ipynb")
    assert exercises.stale(tmp_path) == ["exercises/01_exercises_demo.ipynb: missing"]
    exercises.build(tmp_path)
    assert exercises.stale(tmp_path) == []
    nb.cells[0].source = "### BEGIN SOLUTION\nx = 2  # two\n### END SOLUTION"
    nbformat.write(nb, tmp_path / "solutions" / "01_solutions_demo.ipynb")
    assert exercises.stale(tmp_path) == ["exercises/01_exercises_demo.ipynb: out of date"]
    (tmp_path / "exercises" / "99_orphan.ipynb").write_text("{}")
    assert "exercises/99_orphan.ipynb: has no notebook in solutions/" in exercises.stale(tmp_path)


def test_command_line_check_passes_on_the_shipped_course():
    result = subprocess.run([sys.executable, "-m", "trustlab.exercises", "check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lesson_exercises_and_solutions_have_names_that_differ_in_a_tab():
    """Three tabs with one name looked the same; the module number stays first."""
    from trustlab.paths import course_root
    root = course_root()
    for lesson in (root / "notebooks").glob("*.ipynb"):
        number, _, topic = lesson.name.partition("_")
        assert (root / "solutions" / f"{number}_solutions_{topic}").exists(), lesson.name
        assert (root / "exercises" / f"{number}_exercises_{topic}").exists(), lesson.name
    assert exercises.exercise_name("01_solutions_first_session_impressions.ipynb") == \
        "01_exercises_first_session_impressions.ipynb"
