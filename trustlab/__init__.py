"""Building Therapeutic Trust: the course's Python package.

Notebooks import from here and show only what a learner needs:

    from trustlab import setup, check, quiz
    setup()
"""

import sys

# jsonschema, which altair imports, loads the optional IRI checker rfc3987_syntax when
# it is installed (JupyterLab's dependencies install it), and that module builds a
# parser grammar at import: 1.5 s of every kernel start, measured. The course
# validates no IRIs, so mark it absent before anything imports jsonschema.
sys.modules.setdefault("rfc3987_syntax", None)

from trustlab.charts import figure, setup  # noqa: E402
from trustlab.checks import check, evaluate  # noqa: E402
from trustlab.correlation import explore_correlation  # noqa: E402
from trustlab.quiz import quiz  # noqa: E402

__all__ = ["setup", "check", "evaluate", "quiz", "figure", "explore_correlation"]
__version__ = "0.1.0"
