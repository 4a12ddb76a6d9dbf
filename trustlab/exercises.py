"""Build ``exercises/`` from ``solutions/``: the solutions are the only hand-written copy.

Solution code sits between nbgrader's markers, so instructors who grade with
nbgrader can use the same notebooks::

    ### BEGIN SOLUTION
    dropout_share = 4 / 20  # the share of clients who dropped out, from 0 to 1
    ### END SOLUTION
    check("m00.ex2", dropout_share)

becomes, in the learner's copy::

    dropout_share = ...  # YOUR ANSWER: the share of clients who dropped out, from 0 to 1
    check("m00.ex2", dropout_share)

A stub keeps the names the rest of the cell uses, so an unanswered exercise runs
clean and its check says "not answered yet". In Markdown cells the block becomes a
prompt for a written answer.

For nbgrader, the solutions also carry its cell metadata (each cell with a solution
block is a solution cell, each written answer is "manually graded") and, after each
``check("mNN.exK", name)`` cell, a hidden test cell that calls :func:`assert_correct`:
the same answer key as ``check()``, so a grade can never disagree with the feedback the
learner saw. ``python -m trustlab.exercises nbgrader`` adds what is missing; the learner's
copy leaves both out, so ``exercises/`` does not change. nbgrader's release
(``generate_assignment``) writes the same stubs as ``exercises/``: see
``trustlab/nbgrader_release.py`` and ``instructors/grading-with-nbgrader.md``.

    python -m trustlab.exercises build     # write exercises/
    python -m trustlab.exercises check     # exit 1 if exercises/ or the grading cells are stale
    python -m trustlab.exercises nbgrader  # add the missing nbgrader metadata and test cells to solutions/
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import re
import sys
import textwrap
import tokenize
from pathlib import Path
from typing import Any

import nbformat

from trustlab.paths import course_root

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
MARKDOWN_STUB = "*Write your answer here.*"
DEFAULT_HINT = "replace ... with your answer"


class MarkerError(ValueError):
    """Unbalanced or nested solution markers, reported with notebook, cell and line."""


def _comments(code: str) -> dict[int, str]:
    """Trailing comments by line number (1-based), read with the tokenizer, not by guessing."""
    found: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                found[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return found


def _names(targets: list[ast.expr]) -> list[ast.expr]:
    """Unpack ``a, b = ...`` into separate targets: unpacking ``...`` would raise."""
    out: list[ast.expr] = []
    for target in targets:
        out.extend(_names(list(target.elts)) if isinstance(target, (ast.Tuple, ast.List)) else [target])
    return out


def stub_code(block: str) -> str:
    """The learner's stub for one solution block: each assigned name set to ``...``."""
    code = textwrap.dedent(block)
    first = next((line for line in block.split("\n") if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip())]
    comments = _comments(code)
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise MarkerError(f"the solution does not parse: {err.msg} (line {err.lineno})") from None
    lines = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) else [])
        for target in _names(targets):
            hint = comments.get(node.lineno, DEFAULT_HINT)
            lines.append(f"{ast.unparse(target)} = ...  # YOUR ANSWER: {hint}")
    if not lines:
        lines = [f"...  # YOUR ANSWER: {comments.get(1, 'write your code here')}"]
    return "\n".join(indent + line for line in lines)


def strip_solutions(source: str, markdown: bool = False) -> str:
    """Replace every BEGIN/END SOLUTION block in one cell's source."""
    out: list[str] = []
    block: list[str] | None = None
    for number, line in enumerate(source.split("\n"), start=1):
        if BEGIN in line:
            if block is not None:
                raise MarkerError(f"line {number}: a second {BEGIN} before {END}")
            block = []
        elif END in line:
            if block is None:
                raise MarkerError(f"line {number}: {END} without {BEGIN}")
            out.append(MARKDOWN_STUB if markdown else stub_code("\n".join(block)))
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise MarkerError(f"{BEGIN} is never closed by {END}")
    return "\n".join(out)


def exercise_notebook(solution: Path) -> nbformat.NotebookNode:
    """The learner's copy of one solutions notebook, with no outputs and nothing of nbgrader's.

    The test cells and the cell metadata serve the instructor's grading only: a learner
    who studies on their own gets the feedback of ``check()`` and never needs them.
    """
    nb = nbformat.read(solution, as_version=4)
    nb.cells = [cell for cell in nb.cells if not is_test_cell(cell)]
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("nbgrader", None)
        try:
            cell.source = strip_solutions(cell.source, markdown=cell.cell_type == "markdown")
        except MarkerError as err:
            raise MarkerError(f"{solution}: cell {index + 1}: {err}") from None
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def render(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def exercise_name(solution_name: str) -> str:
    """``01_solutions_topic.ipynb`` -> ``01_exercises_topic.ipynb``.

    The lesson, its exercises and its solutions open side by side in JupyterLab's tabs;
    with one shared name the three tabs looked the same. The module number stays first
    so the files still sort by module.
    """
    number, sep, rest = solution_name.partition("_")
    topic = rest.removeprefix("solutions_")
    return f"{number}{sep}exercises_{topic}"


def planned(root: Path | None = None) -> dict[Path, str]:
    """Every exercise file that should exist, and its exact text."""
    root = root or course_root()
    return {root / "exercises" / exercise_name(path.name): render(exercise_notebook(path))
            for path in sorted((root / "solutions").glob("*.ipynb"))}


def stale(root: Path | None = None) -> list[str]:
    """Exercise notebooks that are missing, out of date, or have no solution any more."""
    root = root or course_root()
    wanted = planned(root)
    problems = [f"{path.relative_to(root)}: out of date" if path.exists() else f"{path.relative_to(root)}: missing"
                for path, text in wanted.items()
                if not path.exists() or path.read_text(encoding="utf-8") != text]
    problems += [f"{path.relative_to(root)}: has no notebook in solutions/"
                 for path in sorted((root / "exercises").glob("*.ipynb")) if path not in wanted]
    return problems


def build(root: Path | None = None) -> list[Path]:
    """Write exercises/ and remove learner copies whose solution is gone."""
    root = root or course_root()
    wanted = planned(root)
    (root / "exercises").mkdir(exist_ok=True)
    for path, text in wanted.items():
        path.write_text(text, encoding="utf-8")
    for path in (root / "exercises").glob("*.ipynb"):
        if path not in wanted:
            path.unlink()
    return sorted(wanted)


# --- nbgrader: solution cells, written answers and test cells ----------------------------------

CHECK_CALL = re.compile(r'^[ \t]*check\(\s*"(?P<key>m\d\d\.\w+)"\s*,\s*(?P<name>[A-Za-z_]\w*)\s*\)[ \t]*$', re.M)
TEST_NOTE = ("# nbgrader grades the exercise above in this cell when you hand the notebook in;\n"
             "# there is nothing to do here.")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
DEFAULT_POINTS = 1


def assert_correct(key: str, answer: Any) -> None:
    """nbgrader's test for one exercise: raise AssertionError with the check's feedback unless right.

    nbgrader gives a test cell its points when it runs without an error. Judging with
    :func:`trustlab.checks.evaluate`, the function behind ``check()``, keeps one answer key
    (``data/checks/mNN.yaml``): a grade cannot disagree with the feedback the learner saw,
    and the message an instructor reads in the graded notebook is that same feedback.
    """
    from trustlab.checks import evaluate  # here: building exercises/ never needs the answer keys

    feedback = evaluate(key, answer)
    if not feedback.correct:
        raise AssertionError(str(feedback))


def is_test_cell(cell: nbformat.NotebookNode) -> bool:
    """An nbgrader autograder test: graded, not a solution (nbgrader's own definition)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _nbgrader_meta(grade_id: str, solution: bool, grade: bool, points: float | None = None) -> dict:
    """The cell metadata nbgrader's "Create Assignment" toolbar writes (schema version 3)."""
    meta = {"grade": grade, "grade_id": grade_id, "locked": not solution, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = DEFAULT_POINTS if points is None else points
    return meta


def grading_test_source(key: str, name: str) -> str:
    """The test cell after ``check(key, name)``: released, it shows only the note (the test is hidden)."""
    return (f"{TEST_NOTE}\n{HIDDEN_BEGIN}\nfrom trustlab.exercises import assert_correct\n"
            f'assert_correct("{key}", {name})\n{HIDDEN_END}')


def with_grading_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of a solutions notebook with nbgrader's metadata and test cells, derived from the source.

    Derived, not hand-kept: a cell with a solution block is a solution cell; a Markdown
    cell with one is a written answer, graded by hand; a ``check("mNN.exK", name)`` line
    gets a hidden test cell right after its cell. Points an instructor changed are kept.
    Running it twice changes nothing.
    """
    nb = copy.deepcopy(nb)
    points = {cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"].get("points")
              for cell in nb.cells if cell.get("metadata", {}).get("nbgrader", {}).get("grade")}
    cells, last = [], "start"
    for cell in (cell for cell in nb.cells if not is_test_cell(cell)):
        cells.append(cell)
        call = CHECK_CALL.search(cell.source) if cell.cell_type == "code" else None
        if BEGIN not in cell.source:
            cell.metadata.pop("nbgrader", None)
        elif cell.cell_type == "markdown":
            grade_id = f"{last}-written"
            cell.metadata["nbgrader"] = _nbgrader_meta(grade_id, True, True, points.get(grade_id))
        else:
            grade_id = f"{call['key'].replace('.', '-')}-answer" if call else f"answer-{len(cells)}"
            cell.metadata["nbgrader"] = _nbgrader_meta(grade_id, True, False)
        if call and BEGIN in cell.source:
            last = call["key"].replace(".", "-")
            test = nbformat.v4.new_code_cell(grading_test_source(call["key"], call["name"]))
            test.id = f"{last}-test"
            test.metadata["nbgrader"] = _nbgrader_meta(test.id, False, True, points.get(test.id))
            cells.append(test)
    nb.cells = cells
    return nb


def grading_planned(root: Path | None = None) -> dict[Path, str]:
    """Every solutions notebook and its exact text with up-to-date grading cells."""
    root = root or course_root()
    return {path: render(with_grading_cells(nbformat.read(path, as_version=4)))
            for path in sorted((root / "solutions").glob("*.ipynb"))}


def grading_stale(root: Path | None = None) -> list[str]:
    """Solutions notebooks whose nbgrader metadata or test cells are missing or out of date."""
    root = root or course_root()
    problems = [f"{path.relative_to(root)}: nbgrader cells out of date (run: python -m trustlab.exercises nbgrader)"
                for path, text in grading_planned(root).items() if path.read_text(encoding="utf-8") != text]
    for path in sorted((root / "solutions").glob("*.ipynb")):
        problems += [f"{path.relative_to(root)}: cell {index + 1}: a code cell with a solution block needs "
                     'a last line like check("m01.ex1", name) to be graded'
                     for index, cell in enumerate(nbformat.read(path, as_version=4).cells)
                     if cell.cell_type == "code" and BEGIN in cell.source and not CHECK_CALL.search(cell.source)]
    return problems


def add_grading(root: Path | None = None) -> list[Path]:
    """Write the grading cells into solutions/ (only the notebooks that change)."""
    root = root or course_root()
    changed = []
    for path, text in grading_planned(root).items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check", "nbgrader"])
    args = parser.parse_args(argv)
    try:
        if args.command in ("build", "nbgrader"):
            for path in build() if args.command == "build" else add_grading():
                print(f"wrote {path.relative_to(course_root())}")
            return 0
        problems = [f"{problem} (run: make exercises)" for problem in stale()]
        problems += grading_stale()
    except MarkerError as err:
        print(err, file=sys.stderr)
        return 1
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
