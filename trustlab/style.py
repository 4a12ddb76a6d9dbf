"""The course's widget styles, shipped inside the widgets that need them.

ipywidgets puts a radio button after its label and gives labels and buttons a fixed height and no wrapping, which
makes a sentence-long option overlap its neighbours. Each course widget carries this
small stylesheet (scoped by ``trustlab-`` class names) as a child, so it renders the
same in JupyterLab, Notebook 7, VS Code and Binder without any extension.
"""

from __future__ import annotations

import ipywidgets as widgets

CSS = """
.trustlab-question .widget-radio-box label {
  height: auto; min-height: 24px; white-space: normal; line-height: 1.45;
  display: flex; flex-direction: row-reverse; justify-content: flex-end;
  align-items: flex-start; gap: 8px; margin: 0 0 8px 0; cursor: pointer;
}
.trustlab-question .widget-radio-box input { flex: none; margin-top: 3px; }
.trustlab-question .widget-radio { width: auto; max-width: 100%; }
.trustlab-question p { margin: 0 0 6px 0; }
.trustlab-wrap button, .trustlab-wrap .widget-button {
  height: auto; min-height: 32px; white-space: normal; text-align: left;
  line-height: 1.4; padding: 6px 12px;
}
.trustlab-takeaway { max-width: 60em; }
"""


def stylesheet() -> widgets.HTML:
    """A zero-size widget that carries the course CSS."""
    return widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(height="0px", margin="0"))
