"""nbgrader, run as an instructor would from the README: release every module, autograde three students.

The grading folder is made by running the README's own ```bash block (so the
instructions cannot drift from what works), with HOME in a temporary folder. Then, per
module, three students hand in: ``right`` (the solutions), ``blank`` (the released notebook
untouched) and ``mix`` (the first exercises right, the next one wrong, the rest left
blank). One ``nbgrader autograde`` grades them all, and the gradebook must say: full
marks, zero, and exactly the points of the exercises done right. The released notebooks
must be what learners get in ``exercises/``: the same stubs, with their "YOUR ANSWER" hints.

Needs nbgrader (``requirements-instructors.txt``): run with ``make test-nbgrader``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import nbformat
import pytest
from nbgrader.api import Gradebook

from trustlab.paths import course_root

ROOT = course_root()
SOLUTIONS = sorted((ROOT / "solutions").glob("0*_solutions_*.ipynb"))
MODULES = {f"m{path.name[:2]}": path for path in SOLUTIONS}
STUDENTS = ("right", "blank", "mix")
STUB = re.compile(r"^(?P<lead>\s*(?P<name>\w+) = )\.\.\.(?P<rest>  # YOUR ANSWER: .*)$", re.M)
LETTER = re.compile(r'^\s*(\w+) = "([a-z])"', re.M)


def readme_block() -> str:
    """The shell block of the README's nbgrader paragraph, as an instructor would paste it."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("**Grading with nbgrader**"):]
    block = re.search(r"^(\s*)```bash\n(.*?)^\1```", section, re.S | re.M)
    assert block, "README.md: the nbgrader paragraph has no ```bash block"
    return "\n".join(line.removeprefix(block.group(1)) for line in block.group(2).splitlines())


def exercise_name(module: str) -> str:
    return MODULES[module].name.replace("_solutions_", "_exercises_")


def grading_env(home: Path) -> dict[str, str]:
    """An instructor's shell with the instructors' environment active: their own HOME, no test-only switches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUSTLAB_")}
    env["HOME"] = str(home)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def answer_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The code cells a student answers in, in order (nbgrader solution cells)."""
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]


def written_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution")]


def points_of_tests(nb: nbformat.NotebookNode) -> dict[str, float]:
    """Points of each autograded test cell, by grade_id (from the source notebook: data, not code)."""
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader["points"]) for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata.nbgrader.get("solution")}


def wrong_answer(stub: str, solution: str) -> str:
    """The stub with each ``...`` filled wrongly: another letter for a letter question, else -999."""
    letters = dict(LETTER.findall(solution))

    def fill(match: re.Match) -> str:
        right = letters.get(match["name"])
        value = -999 if right is None else repr("a" if right != "a" else "b")
        return f"{match['lead']}{value}{match['rest']}"

    return STUB.sub(fill, stub)


def mixed_submission(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> int:
    """Fill ``release`` in place: the first exercises right, one wrong, the rest blank; return how many are right.

    Right answers come first because a later exercise may use an earlier one's result,
    so a right answer never depends on one left wrong or blank.
    """
    solved = {c.metadata.nbgrader["grade_id"]: c.source for c in answer_cells(source)}
    cells = answer_cells(release)
    n_right = len(cells) // 2
    for cell in cells[:n_right]:
        cell.source = solved[cell.metadata.nbgrader["grade_id"]]
    wrong, stub = cells[n_right], cells[n_right].source
    wrong.source = wrong_answer(stub, solved[wrong.metadata.nbgrader["grade_id"]])
    assert wrong.source != stub, "the mixed submission's wrong answer changed nothing"
    for cell in written_cells(release)[:1]:
        cell.source += "\n\nI would ask the client what they hope for, in their own words."
    return n_right


class Round(NamedTuple):
    folder: Path  # the grading folder
    expected: dict[str, float]  # the mixed submission's points, by module


@pytest.fixture(scope="module")
def grading(tmp_path_factory) -> Round:
    """The grading folder after the README's block, three submissions per module and one autograde."""
    home = tmp_path_factory.mktemp("home")
    env = grading_env(home)
    made = subprocess.run(["bash", "-euo", "pipefail", "-c", readme_block()], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)
    assert made.returncode == 0, made.stdout + made.stderr
    folder, expected = home / "grading", {}
    for module in MODULES:
        name = exercise_name(module)
        source = nbformat.read(folder / "source" / module / name, as_version=4)
        release = nbformat.read(folder / "release" / module / name, as_version=4)
        right = mixed_submission(source, release)
        expected[module] = sum(list(points_of_tests(source).values())[:right])
        for student in STUDENTS:
            (folder / "submitted" / student / module).mkdir(parents=True)
        shutil.copy(folder / "source" / module / name, folder / "submitted" / "right" / module / name)
        shutil.copy(folder / "release" / module / name, folder / "submitted" / "blank" / module / name)
        nbformat.write(release, folder / "submitted" / "mix" / module / name)
    graded = subprocess.run(["nbgrader", "autograde", "m*"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-6000:]
    return Round(folder, expected)


@pytest.fixture(scope="module")
def gradebook(grading):
    with Gradebook(f"sqlite:///{grading.folder / 'gradebook.db'}") as gb:
        yield gb


def test_the_step_by_step_guide_gives_the_readmes_commands():
    guide = (ROOT / "instructors" / "grading-with-nbgrader.md").read_text(encoding="utf-8")
    assert readme_block() in guide, "instructors/grading-with-nbgrader.md: step 2 must be the README's block, word for word"


@pytest.mark.parametrize("module", MODULES)
def test_the_release_is_the_learners_exercises_with_their_hints(grading, module):
    release = nbformat.read(grading.folder / "release" / module / exercise_name(module), as_version=4)
    learners = nbformat.read(ROOT / "exercises" / exercise_name(module), as_version=4)
    text = nbformat.writes(release)
    assert "YOUR CODE HERE" not in text and "NotImplementedError" not in text and "YOUR ANSWER HERE" not in text
    assert "BEGIN SOLUTION" not in text and "assert_correct" not in text, "a solution or a hidden test leaked"
    hints = [line for c in answer_cells(release) for line in c.source.splitlines() if "= ..." in line]
    assert hints and all("# YOUR ANSWER: " in line for line in hints), hints
    graded = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
              and not c.metadata.nbgrader.get("solution")]
    assert len(graded) == len(answer_cells(release)), "every exercise should have its grading cell"
    assert [c.source for c in release.cells if c not in graded] == [c.source for c in learners.cells]


@pytest.mark.parametrize("module", MODULES)
def test_autograde_gives_full_marks_zero_and_partial(grading, gradebook, module):
    scores = {s: gradebook.find_submission(module, s) for s in STUDENTS}
    right, blank, mix = scores["right"], scores["blank"], scores["mix"]
    has_written = bool(written_cells(nbformat.read(MODULES[module], as_version=4)))
    assert right.max_code_score > 0
    assert right.code_score == right.max_code_score, f"{module}: solutions scored {right.code_score}/{right.max_code_score}"
    assert right.needs_manual_grade == has_written, "written answers wait for the instructor's grade"
    assert (blank.score, blank.code_score, blank.written_score) == (0, 0, 0)
    assert not blank.needs_manual_grade, "an untouched written answer is scored 0 without the instructor"
    assert 0 < mix.code_score == grading.expected[module] < mix.max_code_score
    assert mix.needs_manual_grade == has_written


@pytest.mark.parametrize("module", MODULES)
def test_graded_notebooks_show_the_checks_feedback(grading, module):
    """A failed test cell says what check() said: an instructor reads the student's feedback, not a bare assert."""
    def errors(student):
        nb = nbformat.read(grading.folder / "autograded" / student / module / exercise_name(module), as_version=4)
        return [o.evalue for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"
                and c.metadata.get("nbgrader", {}).get("grade")]

    assert errors("right") == []
    assert errors("blank") and all(e.startswith("Not answered yet (") for e in errors("blank")), errors("blank")
    assert any(e.startswith(("Not yet (", "Can't check this answer yet (")) for e in errors("mix")), errors("mix")
