"""The course's widget styles, shipped inside the widgets that need them.

ipywidgets puts a radio button after its label and gives labels and buttons a fixed height and no wrapping, which
makes a sentence-long option overlap its neighbours. Each course widget carries this
small stylesheet (scoped by ``trustlab-`` class names) as a child, so it renders the
same in JupyterLab, Notebook 7, VS Code and Binder without any extension.

Every colour comes from JupyterLab's theme variables (``--jp-layout-color*``,
``--jp-content-font-color*``, brand, warn and error colours), with the light theme's
value as a fallback for front ends without them, so panels and their text change
together in the light, dark and high-contrast themes.
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
.jupyter-button.trustlab-wrap {
  height: auto; min-height: 32px; white-space: normal; overflow: visible; text-overflow: clip;
  text-align: left; line-height: 1.4; padding: 6px 12px;
}
.trustlab-takeaway { max-width: 60em; }
.trustlab-table { overflow-x: auto; max-width: 100%; }
.trustlab-table:focus-visible { outline: 3px solid var(--jp-brand-color1, #0072B2); outline-offset: 2px; }
.trustlab-table caption { text-align: left; caption-side: top; color: var(--jp-content-font-color2, #4a4f55); }
.trustlab-note { background: var(--jp-layout-color2, #fff4e5); color: var(--jp-content-font-color1, inherit); border-left: 6px solid var(--jp-warn-color0, #b35900); padding: 6px 12px; margin: 6px 0; }
.trustlab-line { font-size: 1.08em; }
.trustlab-tag { background: var(--jp-layout-color3, #e3e6ea); color: var(--jp-content-font-color1, inherit); border-radius: 4px; padding: 0 6px; font-size: 0.9em; }
"""


def stylesheet() -> widgets.HTML:
    """A zero-size widget that carries the course CSS."""
    return widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(height="0px", margin="0"))
