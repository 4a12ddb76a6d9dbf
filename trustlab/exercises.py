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

    python -m trustlab.exercises build   # write exercises/
    python -m trustlab.exercises check   # exit 1 if exercises/ is stale
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import textwrap
import tokenize
from pathlib import Path

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
    """The learner's copy of one solutions notebook, with no outputs."""
    nb = nbformat.read(solution, as_version=4)
    for index, cell in enumerate(nb.cells):
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m trustlab.exercises", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["build", "check"])
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            for path in build():
                print(f"wrote {path.relative_to(course_root())}")
            return 0
        problems = stale()
    except MarkerError as err:
        print(err, file=sys.stderr)
        return 1
    for problem in problems:
        print(f"{problem} (run: make exercises)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
