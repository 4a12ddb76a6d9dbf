"""The learner's journal: reflections, drill responses, check answers and vignette paths.

    from trustlab import reflect
    reflect("m00.first_trust", "Think of a time you trusted a helper...")

Everything is saved to one local SQLite database (``~/.trustlab/journal.sqlite3``, or the
path in ``TRUSTLAB_JOURNAL``) and nothing is sent anywhere. ``export_portfolio`` and
``export_for_class`` make the files a learner may choose to hand in; ``export_json`` writes
the whole journal as readable JSON to take away; ``recover`` copies entries back from a
journal file the course moved aside.
"""

import importlib

from trustlab.journal.store import Journal, JournalError, default_path

_LAZY = {
    "reflect": "trustlab.journal.widgets",
    "practice": "trustlab.journal.widgets",
    "connect": "trustlab.journal.recorder",
    "recover": "trustlab.journal.notify",
    "export_portfolio": "trustlab.journal.export",
    "export_for_class": "trustlab.journal.export",
    "export_json": "trustlab.journal.export",
}
__all__ = ["Journal", "JournalError", "default_path", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'trustlab.journal' has no attribute {name!r}")
