"""Data tables a learner can read and reach with the keyboard.

``fs.head()`` of an 18-column dataset is about 2,200 px wide in a notebook column of
about 850: the table must scroll sideways. A scrolling box that cannot take focus
cannot be scrolled from the keyboard (axe-core's "scrollable-region-focusable"), so
every DataFrame a course notebook shows is wrapped in a focusable, labelled region.
"""

from __future__ import annotations

from html import escape

import pandas as pd

STYLE = "overflow-x: auto; max-width: 100%;"


def table_html(frame: pd.DataFrame) -> str:
    """The frame's usual HTML inside a focusable region that names its size."""
    inner = frame._repr_html_() or frame.to_html()
    rows, columns = frame.shape
    label = (f"Table, {rows} row{'s' if rows != 1 else ''} and {columns} column{'s' if columns != 1 else ''}. "
             "Scroll sideways with the arrow keys.")
    return (f'<div class="trustlab-table" role="region" tabindex="0" aria-label="{escape(label)}" '
            f'style="{STYLE}">{inner}</div>')


def install(shell) -> None:
    """Show every DataFrame through :func:`table_html` in this IPython shell."""
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, table_html)
