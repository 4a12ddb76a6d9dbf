"""nbgrader's release, with the course's own stubs: the nbgrader side of ``trustlab.exercises``.

nbgrader's ``ClearSolutions`` replaces every solution block with one fixed stub
(``# YOUR CODE HERE`` / ``raise NotImplementedError()``), which loses what each of the
course's stubs says (``besd_high = ...  # YOUR ANSWER: percent of ...``) and makes an
untouched notebook raise in every exercise. :class:`CourseStubs` keeps all of
nbgrader's checks and changes only the stub, written by
:func:`trustlab.exercises.strip_solutions`, the function that writes ``exercises/``: one
rule for both copies, so the notebook a class receives through nbgrader and the one a
learner opens from ``exercises/`` say the same thing.

Only instructors use this module: nbgrader is in ``requirements-instructors.txt``, not
in the learners' environment, so it is imported inside the functions and the module
itself imports anywhere. In the grading folder's ``nbgrader_config.py``::

    from trustlab.nbgrader_release import configure
    configure(get_config())
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from trustlab.exercises import BEGIN, strip_solutions


@cache
def course_stubs() -> type:
    """The ``CourseStubs`` preprocessor: nbgrader's ``ClearSolutions`` writing the stubs of ``exercises/``."""
    from nbgrader.preprocessors import ClearSolutions

    class CourseStubs(ClearSolutions):
        """``ClearSolutions`` with the course's stubs (and their "YOUR ANSWER" hints)."""

        def _replace_solution_region(self, cell: Any, language: str) -> bool:
            """Same contract as nbgrader's: rewrite the cell in place, True if it had a solution block.

            nbgrader then still refuses a solution block outside a solution cell, and its
            markers are the course's (``### BEGIN SOLUTION``), so nothing else changes.
            """
            if BEGIN not in cell.source:
                return False
            cell.source = strip_solutions(cell.source, markdown=cell.cell_type == "markdown")
            return True

    return CourseStubs


def release_preprocessors() -> list[type]:
    """nbgrader's own list for ``generate_assignment``, with ClearSolutions swapped for CourseStubs.

    Read from nbgrader rather than copied, so a later nbgrader that adds a step keeps it.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions

    default = GenerateAssignment.class_traits()["preprocessors"].default()
    return [course_stubs() if step is ClearSolutions else step for step in default]


def grading_journal() -> Path:
    """A throwaway journal for the notebooks nbgrader runs, so grading never writes to the instructor's.

    Each graded notebook runs ``setup()``, which connects the journal, and each
    ``check()`` records an answer in it: without this, autograding a class would add
    every student's answers to the instructor's own journal (``~/.trustlab``). The
    kernels nbgrader starts inherit this process's environment.
    """
    path = Path(tempfile.mkdtemp(prefix="trustlab-grading-")) / "journal.sqlite3"
    os.environ["TRUSTLAB_JOURNAL"] = str(path)
    return path


def configure(c: Any) -> Any:
    """Set up a grading folder's nbgrader config (a traitlets ``Config``) for this course.

    See instructors/grading-with-nbgrader.md.
    """
    c.GenerateAssignment.preprocessors = release_preprocessors()
    grading_journal()
    return c
