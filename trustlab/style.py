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
.jupyter-button.trustlab-wrap {
  height: auto; min-height: 32px; white-space: normal; overflow: visible; text-overflow: clip;
  text-align: left; line-height: 1.4; padding: 6px 12px;
}
.trustlab-takeaway { max-width: 60em; }
.trustlab-player { font-size: var(--jp-content-font-size1, 14px); line-height: 1.5; }
.trustlab-player h3 { margin: 4px 0 8px 0; }
.trustlab-card { background: #f4f6f8; border-radius: 6px; padding: 8px 12px; margin: 6px 0; }
.trustlab-card p { margin: 4px 0; }
.trustlab-note { background: #fff4e5; border-left: 6px solid #b35900; padding: 6px 12px; margin: 6px 0; }
.trustlab-meters { display: flex; flex-wrap: wrap; gap: 6px 24px; margin: 8px 0; }
.trustlab-meter { display: flex; align-items: center; gap: 8px; }
.trustlab-meter-label { min-width: 5.5em; font-weight: bold; }
.trustlab-meter-track { width: 160px; height: 12px; background: #e3e6ea; border-radius: 6px; overflow: hidden; }
.trustlab-meter-fill { height: 100%; background: #0072B2; transition: width 0.4s ease; }
.trustlab-delta { font-weight: bold; }
.trustlab-scene { border-top: 1px solid #d0d4d9; padding-top: 6px; }
.trustlab-scene p { margin: 4px 0; }
.trustlab-line { font-size: 1.08em; }
.trustlab-cue, .trustlab-narration { color: #4a4f55; }
.trustlab-feedback-box { background: #f7f7f2; border-left: 6px solid #0072B2; padding: 6px 12px; margin: 6px 0; }
.trustlab-feedback-box[data-skill-kind="risks"] { border-left-color: #D55E00; }
.trustlab-feedback-box p { margin: 4px 0; }
.trustlab-inner { background: #eef4fa; border-radius: 6px; padding: 6px 10px; margin-top: 6px; }
.trustlab-ending { padding: 2px 12px; margin: 6px 0; }
.trustlab-tag { background: #e3e6ea; border-radius: 4px; padding: 0 6px; font-size: 0.9em; }
.trustlab-choice { margin: 2px 0; }
.trustlab-controls { gap: 8px; }
.trustlab-player .widget-html-content { line-height: 1.5; }
"""


def stylesheet() -> widgets.HTML:
    """A zero-size widget that carries the course CSS."""
    return widgets.HTML(f"<style>{CSS}</style>", layout=widgets.Layout(height="0px", margin="0"))
