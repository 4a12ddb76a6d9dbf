"""nbgrader's settings for grading the course: copy this file into your grading folder.

Step by step: instructors/grading-with-nbgrader.md. It makes nbgrader's release write the
same stubs as exercises/ (with their "YOUR ANSWER" hints) instead of nbgrader's generic
"# YOUR CODE HERE / raise NotImplementedError()", and keeps the notebooks nbgrader runs
away from your own course journal.
"""

from trustlab.nbgrader_release import configure

c = get_config()  # noqa: F821 (nbgrader provides get_config when it reads this file)
configure(c)

c.CourseDirectory.course_id = "building-therapeutic-trust"
# Your own settings go below, for example a longer time limit per cell on a slow server:
# c.Execute.timeout = 120
