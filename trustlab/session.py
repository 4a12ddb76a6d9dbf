"""``setup()``: the one call at the top of every course notebook.

It is the top floor of the package: it sets up the pieces below it (offline charts in
the course theme, readable tables, friendly error messages, the journal) and imports
them; nothing in the package imports it.
"""

from __future__ import annotations

import altair as alt
from IPython import get_ipython
from IPython.display import display

from trustlab import charts, friendly_errors, tables
from trustlab.journal.recorder import connect
from trustlab.notices import load_failure, strict
from trustlab.paths import CourseFilesNotFound, course_root


def setup() -> None:
    """Offline charts and the course theme, readable tables, friendly errors, the journal.

    It also checks at once that the course's files can be found, so a learner whose
    notebook was opened from outside the course folder reads one clear message here
    instead of a failure in every later cell.

    Friendly errors stay off under ``TRUSTLAB_STRICT=1`` (the tests), so a failing test
    shows the plain traceback a developer needs; either way an error stops the notebook.
    """
    charts.enable_offline_charts()
    alt.theme.enable(charts.THEME)
    connect()
    shell = get_ipython()
    if shell is not None:
        tables.install(shell)
        if not strict():
            friendly_errors.install(shell)
    try:
        course_root()
    except CourseFilesNotFound as err:
        display(load_failure("The course's files", err))
