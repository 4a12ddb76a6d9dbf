"""Building Therapeutic Trust: the course's Python package.

Notebooks import from here and show only what a learner needs:

    from trustlab import setup, check, quiz
    setup()
"""

from trustlab.charts import figure, setup
from trustlab.checks import check, evaluate
from trustlab.correlation import explore_correlation
from trustlab.quiz import quiz

__all__ = ["setup", "check", "evaluate", "quiz", "figure", "explore_correlation"]
__version__ = "0.1.0"
