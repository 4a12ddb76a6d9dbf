"""One loud, readable notice for course content that could not load.

A widget whose file is missing or broken must never pass quietly: a learner sees a
clear alert in its place (what could not load, the problem, what to do), and under
``TRUSTLAB_STRICT=1`` (set by the course's tests for every notebook they run) the
error is raised instead, so a test run fails on it.
"""

from __future__ import annotations

import os
from html import escape

import ipywidgets as widgets

STRICT_ENV = "TRUSTLAB_STRICT"
CSS_CLASS = "trustlab-load-error"
# inline, because the notice stands alone, without the stylesheet the course widgets carry
STYLE = ("background: var(--jp-layout-color2, #fff4e5); color: var(--jp-content-font-color1, #1a1a1a); "
         "border-left: 6px solid var(--jp-error-color1, #b00020); padding: 6px 12px; margin: 6px 0;")


def strict() -> bool:
    """True when load failures must raise (the tests set this)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def load_failure(what: str, err: Exception) -> widgets.HTML:
    """The alert shown instead of a widget whose content could not load (raises in strict mode)."""
    if strict():
        raise err
    box = widgets.HTML(
        f'<div class="{CSS_CLASS}" role="alert" style="{STYLE}">'
        f"<p><strong>⚠ {escape(what)} could not load.</strong> The rest of the notebook still works.</p>"
        f"<pre>{escape(str(err))}</pre>"
        "<p>What to do: the lines above name the file and the problem. If you did not edit that "
        "file, tell your instructor; if you did, fix the line named, save the file and run this "
        "cell again.</p></div>"
    )
    box.add_class(CSS_CLASS)
    return box
