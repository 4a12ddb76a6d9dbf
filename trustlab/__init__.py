"""Building Therapeutic Trust: the course's Python package.

Notebooks import from here and show only what a learner needs:

    from trustlab import setup, check, quiz
    setup()

The names below are imported on first use, so command-line tools such as
``python -m trustlab.vignettes check`` start without loading altair or pandas.
"""

import importlib
import sys

# jsonschema, which altair imports, loads the optional IRI checker rfc3987_syntax when
# it is installed (JupyterLab's dependencies install it), and that module builds a
# parser grammar at import: 1.5 s of every kernel start, measured. The course
# validates no IRIs, so mark it absent before anything imports jsonschema.
sys.modules.setdefault("rfc3987_syntax", None)

_EXPORTS = {
    "setup": "trustlab.session",
    "figure": "trustlab.charts",
    "check": "trustlab.checks",
    "evaluate": "trustlab.checks",
    "quiz": "trustlab.quizzes",
    "explore_correlation": "trustlab.correlation",
    "play": "trustlab.vignettes",
    "mark": "trustlab.transcripts",
    "reflect": "trustlab.journal.widgets",
    "practice": "trustlab.journal.widgets",
    "portfolio": "trustlab.journal.widgets",
    "gas": "trustlab.gas_widget",
}
__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"

def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'trustlab' has no attribute {name!r}")
