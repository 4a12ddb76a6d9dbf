"""Small browser-side controls the course needs and ipywidgets does not give accessibly.

ipywidgets' FloatSlider draws a ``div role="slider"`` that its visible label is not
tied to, so a screen reader hears an unnamed slider, and it announces a rounded value
(0.3 while 0.28 is shown). A native ``<input type="range">`` with a real ``<label>``
has a name, is operated with the arrow keys, and announces exactly what is shown.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function render({ model, el }) {
  const id = "trustlab-range-" + Math.random().toString(36).slice(2);
  const box = document.createElement("div");
  box.className = "trustlab-range";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = model.get("label");
  const input = document.createElement("input");
  Object.assign(input, { type: "range", id, min: model.get("min"), max: model.get("max"), step: model.get("step") });
  const out = document.createElement("output");
  out.htmlFor = id;
  const show = (value) => {
    const text = Number(value).toFixed(model.get("digits"));
    out.textContent = text;
    input.setAttribute("aria-valuetext", text);
  };
  input.value = model.get("value");
  show(input.value);
  input.addEventListener("input", () => {
    show(input.value);
    model.set("value", parseFloat(input.value));
    model.save_changes();
  });
  model.on("change:value", () => { input.value = model.get("value"); show(model.get("value")); });
  box.append(label, input, out);
  el.append(box);
}
export default { render };
"""

_CSS = """
.trustlab-range { display: flex; align-items: center; gap: 10px; margin: 4px 0 8px 0;
  color: var(--jp-content-font-color1, inherit); font-size: var(--jp-content-font-size1, 14px); }
.trustlab-range label { font-weight: bold; }
.trustlab-range input { width: 260px; accent-color: var(--jp-brand-color1, #0072B2); }
.trustlab-range input:focus-visible { outline: 3px solid var(--jp-brand-color1, #0072B2); outline-offset: 3px; }
.trustlab-range output { min-width: 3em; font-variant-numeric: tabular-nums; }
"""


class RangeInput(anywidget.AnyWidget):
    """A labelled slider whose value the kernel sees as ``value``."""

    _esm = _ESM
    _css = _CSS
    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(1.0).tag(sync=True)
    step = traitlets.Float(0.01).tag(sync=True)
    digits = traitlets.Int(2).tag(sync=True)
    label = traitlets.Unicode("Value").tag(sync=True)

    @traitlets.validate("value")
    def _clamp(self, proposal: dict) -> float:
        """The kernel never holds a value the slider could not show."""
        return min(max(float(proposal["value"]), self.min), self.max)
