"""What every data lab does when a learner's table cannot make a chart: one clear note, no traceback.

A learner filters a table down to nothing, passes the other dataset in the wrong place, or
hands over a single column. The lab's functions raise :class:`NothingToChart` with a sentence
naming what is wrong; the chart functions catch it with :func:`safely` and show the note in
the chart's place, saying what happened and how to get the data back.
"""

from __future__ import annotations

from html import escape
from typing import Callable, Iterable

import ipywidgets as widgets
import pandas as pd

__all__ = ["NOTICE_CLASS", "NothingToChart", "require", "notice", "safely"]

NOTICE_CLASS = "trustlab-lab-notice"


class NothingToChart(ValueError):
    """The table cannot make this chart: wrong columns, no clients left after a filter, or values it cannot use."""


def require(frame: pd.DataFrame, columns: Iterable[str], dataset: str) -> None:
    """Name the first missing column and the dataset that has it: the usual slip is passing the other table."""
    if not isinstance(frame, pd.DataFrame):
        raise NothingToChart(f"This needs a table (a pandas DataFrame) from load_dataset(\"{dataset}\"), and it "
                             f"was given {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise NothingToChart(f"The table given as {dataset} has no column {missing[0]!r}. Pass the table from "
                             f"load_dataset(\"{dataset}\") (or a filtered copy of it) in that place.")


def notice(title: str, problem: str, datasets: Iterable[str]) -> widgets.HTML:
    """A friendly note in place of a chart: what happened and what to do (never a traceback)."""
    loads = " and ".join(f"<code>load_dataset(\"{escape(name)}\")</code>" for name in datasets)
    box = widgets.HTML(
        f'<div class="{NOTICE_CLASS}" role="status" style="border-left: 6px solid var(--jp-warn-color1, #b35900); '
        'padding: 6px 12px; margin: 6px 0;">'
        f"<p><strong>{escape(title)}: nothing to chart.</strong> {escape(problem)}</p>"
        f"<p>What to do: load the data again with {loads}, or widen your filter, then run this cell again.</p></div>")
    box.add_class(NOTICE_CLASS)
    return box


def safely(title: str, build: Callable[[], widgets.Widget], datasets: Iterable[str]) -> widgets.Widget:
    """Build a chart, or the friendly note if its table cannot make one."""
    try:
        return build()
    except NothingToChart as err:
        return notice(title, str(err), datasets)
