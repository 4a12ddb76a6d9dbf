// Helpers every browser-side activity of the course shares (the vignette player, the transcript
// marker). trustlab.activity.browser_module() puts this file in front of each widget's own view,
// so there is one copy of them; anywidget loads each view as a single ES module.

/** A fresh attempt id; the browser chooses it because it also seeds the order choices are shown in. */
function newAttempt() {
  const bytes = new Uint8Array(4);
  crypto.getRandomValues(bytes); // works on plain http too, unlike crypto.randomUUID
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** h("p", {class: "x", text: "…"}, child, "text") → an element; `html` is course HTML made in Python. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") el.textContent = value;
    else if (key === "html") el.innerHTML = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

