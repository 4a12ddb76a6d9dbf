// The vignette player's view: the whole vignette is played here, in the browser.
//
// The kernel sends the vignette once (the `vignette_data` trait, made by
// `browser_payload` in player.py). Choices, feedback, meters, endings, Step back and
// Try again are drawn here at once, with no kernel round trip, so a click answers
// instantly even while another cell runs. Each action is then sent to the kernel
// (`model.send`), which replays it on the reference engine (`Run`) for the journal.
// The browser sends a choice by its place in the vignette file, never by its place
// on screen: the screen order is shuffled, new for each attempt and stable within it.

const MARGIN = 12; // px kept between a revealed scene and the edge of the notebook

// --- pure functions: the same walk as trustlab/vignettes/model.py ---------------------------

/** FNV-1a: a 32-bit hash of a string, to seed the shuffle. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** mulberry32: a small seeded random number generator, numbers in [0, 1). */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The screen order of a scene's n choices: a Fisher-Yates shuffle seeded by attempt and scene. */
export function choiceOrder(n, attempt, sceneId) {
  const random = seededRandom(hash(`${attempt}:${sceneId}`));
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Where a path of {scene, index} steps leads: a scene id or an ending id. */
export function position(v, path) {
  if (!path.length) return v.start;
  const last = path[path.length - 1];
  return v.scenes[last.scene].choices[last.index].next;
}

/** Meter values at the start and after each step, as in Run.choose: add the effects, clamp to the range. */
export function meterTrail(v, path) {
  const ranges = Object.fromEntries(v.meters.map((m) => [m.id, m]));
  let current = Object.fromEntries(v.meters.map((m) => [m.id, m.start]));
  const trail = [current];
  for (const { scene, index } of path) {
    current = { ...current };
    for (const [id, delta] of Object.entries(v.scenes[scene].choices[index].effects)) {
      current[id] = Math.min(ranges[id].max, Math.max(ranges[id].min, current[id] + delta));
    }
    trail.push(current);
  }
  return trail;
}

/** The kernel's progress as a path the vignette can take; anything that does not fit is dropped. */
export function restore(v, progress) {
  const path = [];
  for (const index of progress.path || []) {
    const scene = v.scenes[position(v, path)];
    if (!scene || !Number.isInteger(index) || index < 0 || index >= scene.choices.length) break;
    path.push({ scene: position(v, path), index });
  }
  const ended = Object.hasOwn(v.endings, position(v, path));
  const view = progress.feedback && path.length ? "feedback" : ended ? "ending" : "scene";
  return { attempt: progress.attempt || newAttempt(), path, view };
}

/** A number as Python's format(x, "g") writes it: 3, 2.5, 0.3. */
function fmt(x) {
  return String(Number(Number(x).toPrecision(6)));
}

function signed(x) {
  return x > 0 ? `+${fmt(x)}` : `\u2212${fmt(-x)}`;
}

// --- small DOM helpers ----------------------------------------------------------------------

// newAttempt() and h() come from trustlab/activity.js (see trustlab.activity.browser_module)

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  if (text !== null) el.textContent = text;
  return el;
}

let uid = 0;

function scrollParent(el) {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (/(auto|scroll|overlay)/.test(overflowY) && node.scrollHeight > node.clientHeight) return node;
  }
  return null;
}

/**
 * Scroll so that `first` to `last` are in view (or, if they cannot all fit, `first` is at
 * the top), then put keyboard focus on `focus` without a second jump.
 */
function reveal(first, last, focus) {
  const scroller = scrollParent(first);
  const view = scroller ? scroller.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
  const top = first.getBoundingClientRect().top - MARGIN;
  const bottom = last.getBoundingClientRect().bottom + MARGIN;
  let delta = 0;
  if (top < view.top || bottom - top > view.bottom - view.top) delta = top - view.top;
  else if (bottom > view.bottom) delta = bottom - view.bottom;
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  if (delta) (scroller || window).scrollBy({ top: delta, behavior: still ? "auto" : "smooth" });
  if (focus) focus.focus({ preventScroll: true });
}

function fits(first, last) {
  const scroller = scrollParent(first);
  const height = scroller ? scroller.clientHeight : window.innerHeight;
  return last.getBoundingClientRect().bottom - first.getBoundingClientRect().top + 2 * MARGIN <= height;
}

// --- the meter chart drawn at an ending ---------------------------------------------------------

const CHART = { width: 480, height: 230, left: 40, right: 16, top: 34, bottom: 40 };
const MARKERS = ["circle", "square", "triangle", "diamond"];

function ticks(lo, hi) {
  const span = hi - lo || 1;
  const step = [1, 2, 5, 10, 20, 25, 50, 100].find((t) => span / t <= 5) || span / 5;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9; t += step) out.push(t);
  return out;
}

function marker(kind, x, y, cls) {
  const r = 4;
  if (kind === "circle") return s("circle", { cx: x, cy: y, r, class: cls });
  if (kind === "square") return s("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, class: cls });
  const points = kind === "triangle"
    ? [[x, y - r - 1], [x + r + 1, y + r], [x - r - 1, y + r]]
    : [[x, y - r - 1], [x + r + 1, y], [x, y + r + 1], [x - r - 1, y]];
  return s("polygon", { points: points.map((p) => p.join(",")).join(" "), class: cls });
}

/** What the chart shows, in words: its aria-label. */
export function chartDescription(v, choices, endingTitle) {
  const labels = v.meters.map((m) => m.label).join(", ");
  return `Line chart of ${labels} after each of the ${choices} choices on this path, `
    + `from the start to the ending \u201c${endingTitle}\u201d.`;
}

/** The chart's message in one sentence, shown under it. */
export function takeaway(v, trail) {
  const last = trail[trail.length - 1];
  return "On this path, "
    + v.meters.map((m) => `${m.label} went from ${fmt(trail[0][m.id])} to ${fmt(last[m.id])}`).join("; ") + ".";
}

function meterChart(v, trail, endingTitle) {
  const { width, height, left, right, top, bottom } = CHART;
  const [lo, hi] = v.domain;
  const steps = trail.length - 1;
  const x = (i) => left + (steps ? (i * (width - left - right)) / steps : (width - left - right) / 2);
  const y = (value) => top + (1 - (value - lo) / (hi - lo || 1)) * (height - top - bottom);
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": chartDescription(v, steps, endingTitle), class: "trustlab-meter-svg",
  });
  for (const t of ticks(lo, hi)) {
    svg.append(s("line", { x1: left, x2: width - right, y1: y(t), y2: y(t), class: "trustlab-grid" }));
    svg.append(s("text", { x: left - 8, y: y(t) + 4, "text-anchor": "end", class: "trustlab-axis-text" }, fmt(t)));
  }
  trail.forEach((_, i) => {
    svg.append(s("text", { x: x(i), y: height - bottom + 18, "text-anchor": "middle", class: "trustlab-axis-text" },
      i === 0 ? "start" : String(i)));
  });
  svg.append(s("text", { x: (left + width - right) / 2, y: height - 6, "text-anchor": "middle",
    class: "trustlab-axis-title" }, "Choices made"));
  let legendX = left;
  v.meters.forEach((m, k) => {
    const cls = `trustlab-series trustlab-series-${k % MARKERS.length}`;
    const points = trail.map((values, i) => `${x(i)},${y(values[m.id])}`).join(" ");
    svg.append(s("polyline", { points, class: cls, fill: "none" }));
    trail.forEach((values, i) => svg.append(marker(MARKERS[k % MARKERS.length], x(i), y(values[m.id]), cls)));
    svg.append(s("line", { x1: legendX, x2: legendX + 22, y1: 14, y2: 14, class: cls }));
    svg.append(marker(MARKERS[k % MARKERS.length], legendX + 11, 14, cls));
    svg.append(s("text", { x: legendX + 28, y: 18, class: "trustlab-legend-text" }, m.label));
    legendX += 40 + 8 * m.label.length;
  });
  return h("figure", { class: "trustlab-meter-chart" }, svg,
    h("figcaption", { class: "trustlab-takeaway", text: takeaway(v, trail) }));
}

// --- the view ---------------------------------------------------------------------------------

function render({ model, el }) {
  const v = model.get("vignette_data");
  const id = `trustlab-player-${++uid}`;
  const name = v.client.short_name;
  let state = restore(v, model.get("progress") || {});
  let revision = (model.get("progress") || {}).revision;

  const tell = (message) => {
    try {
      model.send({ attempt: state.attempt, ...message });
    } catch (err) {
      console.warn("trustlab player: this step could not reach the kernel (it still counts here)", err);
    }
  };

  // --- the parts that stay: header, meters, stage, feedback region, controls ---
  const meters = h("div", { class: "trustlab-meters" });
  const stage = h("div", { class: "trustlab-stage" });
  const feedback = h("div", { class: "trustlab-feedback", "aria-live": "polite" });
  const button = (label, title, primary, onclick) => h("button", {
    type: "button", class: primary ? "trustlab-button trustlab-primary" : "trustlab-button",
    title, text: label, onclick,
  });
  const proceedButton = button("Continue", null, true, () => act("proceed"));
  const backButton = button("Step back", "Undo your last choice and try another", false, () => act("back"));
  const againButton = button("Try again", "Start this conversation from the beginning", false, () => act("again"));
  const controls = h("div", { class: "trustlab-controls" }, proceedButton, backButton, againButton);
  // the journal's own news (say, a damaged file moved aside), said at once, above the scene
  const notice = h("div", { class: "trustlab-journal-notice", role: "alert" });
  const showNotice = () => {
    const text = model.get("notice") || "";
    notice.textContent = text;
    notice.hidden = !text;
  };
  showNotice();
  model.on("change:notice", showNotice);
  const root = h("div", { class: "trustlab-player", "data-vignette": v.id },
    header(), notice, meters, stage, feedback, controls);
  el.replaceChildren(root);
  draw();
  if (v.focus_on_start) requestAnimationFrame(() => {
    // a series' next session, opened by the learner's "Go on": show what the client said
    // (and the check-in above, if it fits) and put the keyboard on the first choice
    const first = stage.querySelector(".trustlab-choice");
    if (!first || !root.isConnected) return;
    const choices = first.closest(".trustlab-choices");
    const top = el.closest(".trustlab-series") || root;
    const scene = stage.firstElementChild;
    reveal(fits(top, choices) ? top : fits(scene, choices) ? scene : first, choices, first);
  });

  function header() {
    const c = v.client;
    const where = v.format === "video" ? "video session" : "in person";
    const facts = [c.pronouns, String(c.age), `session ${v.session}, ${where}`, v.place].filter(Boolean);
    return h("div", { class: "trustlab-vignette-head" },
      h("h3", { text: v.title }),
      v.content_note && h("div", { class: "trustlab-note", role: "note" },
        h("strong", { text: "Content note:" }), ` ${v.content_note} `,
        h("span", { class: "trustlab-crisis", text: v.crisis })),
      h("div", { class: "trustlab-summary", html: v.summary }),
      card(c, facts));
  }

  function card(c, facts) {
    const about = [
      h("p", { class: "trustlab-card-head" }, h("strong", { text: c.name }), ` \u00b7 ${facts.join(" \u00b7 ")}`),
      h("p", { text: c.background }),
      h("p", {}, h("strong", { text: "Why now:" }), ` ${c.reason}`),
      h("p", {}, h("strong", { text: "Worries about therapy:" }), ` ${c.fears}`)];
    // a later session of a series: the learner has met the client; the card is one click away
    if (v.fold_client) {
      return h("details", { class: "trustlab-card" }, h("summary", { text: `About ${c.short_name}` }), ...about);
    }
    return h("div", { class: "trustlab-card", role: "group", "aria-label": "About the client" }, ...about);
  }

  // --- actions: drawn at once, then told to the kernel ---
  function act(action, index) {
    const step = state.path.length;
    if (action === "choose") {
      const scene = position(v, state.path);
      state.path = [...state.path, { scene, index }];
      state.view = "feedback";
      tell({ action, step, scene, index });
    } else if (action === "proceed") {
      state.view = Object.hasOwn(v.endings, position(v, state.path)) ? "ending" : "scene";
      tell({ action, step });
    } else if (action === "back") {
      state.path = state.path.slice(0, -1);
      state.view = "scene";
      tell({ action, step });
    } else if (action === "again") {
      const attempt = newAttempt();
      tell({ action, new_attempt: attempt });
      state = { attempt, path: [], view: "scene" };
    }
    draw();
    settle();
  }

  function draw() {
    const trail = meterTrail(v, state.path);
    root.dataset.attempt = state.attempt;
    meters.replaceChildren(...meterBars(trail));
    const at = position(v, state.path);
    if (state.view === "ending") {
      stage.replaceChildren(endingView(v.endings[at], trail));
      feedback.replaceChildren();
    } else if (state.view === "feedback") {
      const last = state.path[state.path.length - 1];
      stage.replaceChildren(sceneView(last.scene, v.scenes[last.scene].choices[last.index]));
      feedback.replaceChildren(feedbackBox(v.scenes[last.scene].choices[last.index], trail));
    } else {
      stage.replaceChildren(sceneView(at, null));
      feedback.replaceChildren();
    }
    proceedButton.hidden = state.view !== "feedback";
    backButton.hidden = againButton.hidden = state.path.length === 0;
  }

  /** After an action: bring what is new into view and put the keyboard where the learner goes next. */
  function settle() {
    if (state.view === "feedback") {
      const said = stage.querySelector(".trustlab-you");
      reveal(fits(said, controls) ? said : feedback, controls, proceedButton);
    } else if (state.view === "ending") {
      const heading = stage.querySelector("h4");
      reveal(stage.firstElementChild, heading, heading);
    } else {
      const scene = stage.firstElementChild;
      const choices = scene.querySelector(".trustlab-choices");
      const first = choices.querySelector(".trustlab-choice");
      const line = scene.querySelector(".trustlab-line");
      const from = fits(scene, choices) ? scene : fits(line, choices) ? line : first;
      reveal(from, choices, first);
    }
  }

  function meterBars(trail) {
    const now = trail[trail.length - 1];
    const before = trail[trail.length - 2];
    return v.meters.map((m) => {
      const value = now[m.id];
      const delta = state.view === "feedback" && before ? value - before[m.id] : 0;
      const share = (100 * (value - m.min)) / (m.max - m.min || 1);
      const labelId = `${id}-meter-${m.id}`;
      const change = delta ? `, ${delta > 0 ? "up" : "down"} ${fmt(Math.abs(delta))}` : "";
      return h("div", { class: "trustlab-meter", "data-meter": m.id, "data-value": fmt(value) },
        h("span", { class: "trustlab-meter-label", id: labelId, text: m.label }),
        h("div", {
          class: "trustlab-meter-track", role: "meter", "aria-labelledby": labelId,
          "aria-valuemin": fmt(m.min), "aria-valuemax": fmt(m.max), "aria-valuenow": fmt(value),
          "aria-valuetext": `${fmt(value)} of ${fmt(m.max)}${change}`,
        }, h("div", { class: "trustlab-meter-fill", style: `width:${share.toFixed(0)}%` })),
        h("span", { class: "trustlab-meter-value", "aria-hidden": "true" }, `${fmt(value)} / ${fmt(m.max)}`,
          delta ? h("span", { class: "trustlab-delta", text: ` (${signed(delta)})` }) : null));
    });
  }

  function sceneView(sceneId, chosen) {
    const scene = v.scenes[sceneId];
    const box = h("div", { class: "trustlab-scene", "data-scene": sceneId },
      scene.narration && h("p", { class: "trustlab-narration", text: scene.narration }),
      h("p", { class: "trustlab-line" }, h("strong", { text: `${name}:` }), ` \u201c${scene.client}\u201d`),
      scene.cue && h("p", { class: "trustlab-cue" }, h("em", { text: scene.cue })));
    if (chosen) {
      box.append(h("p", { class: "trustlab-you" }, h("strong", { text: "You:" }), ` \u201c${chosen.text}\u201d`));
      return box;
    }
    const promptId = `${id}-prompt`;
    const buttons = choiceOrder(scene.choices.length, state.attempt, sceneId).map((index) =>
      h("button", { type: "button", class: "trustlab-choice", text: scene.choices[index].text,
        onclick: () => act("choose", index) }));
    box.append(h("p", { class: "trustlab-prompt", id: promptId, text: "What do you say?" }),
      h("div", { class: "trustlab-choices", role: "group", "aria-labelledby": promptId }, ...buttons));
    return box;
  }

  function feedbackBox(choice, trail) {
    const skill = v.skills[choice.skill];
    const now = trail[trail.length - 1];
    const before = trail[trail.length - 2];
    const moved = v.meters.filter((m) => now[m.id] !== before[m.id])
      .map((m) => `${m.label} ${now[m.id] > before[m.id] ? "rose" : "fell"} to ${fmt(now[m.id])} of ${fmt(m.max)}.`);
    return h("div", { class: "trustlab-feedback-box", "data-skill-kind": skill.kind },
      h("p", { class: "trustlab-skill" },
        h("strong", { text: `${skill.kind === "builds" ? "Skill" : "Pitfall"}: ${skill.label}.` }), " ",
        h("span", { class: "trustlab-skill-desc", text: skill.description })),
      h("div", { class: "trustlab-why", html: choice.feedback }),
      h("div", { class: "trustlab-inner" }, h("strong", { text: `What ${name} was thinking:` }), " ",
        h("em", { text: choice.inner })),
      moved.length ? h("p", { class: "trustlab-sr-only", text: moved.join(" ") }) : null);
  }

  function endingView(ending, trail) {
    const headingId = `${id}-ending`;
    const steps = state.path.map(({ scene, index }) => {
      const choice = v.scenes[scene].choices[index];
      const tag = h("span", { class: "trustlab-tag", text: v.skills[choice.skill].label });
      return h("li", {}, `\u201c${choice.text}\u201d `, tag);
    });
    return h("div", { class: "trustlab-ending", "data-kind": ending.kind, "aria-labelledby": headingId, role: "group" },
      h("h4", { id: headingId, tabindex: "-1" }, `Ending: ${ending.title} `,
        h("span", { class: "trustlab-ending-kind", text: `(${ending.kind})` })),
      h("div", { class: "trustlab-debrief", html: ending.debrief }),
      h("p", {}, h("strong", { text: "Your path" })),
      h("ol", { class: "trustlab-path" }, ...steps),
      meterChart(v, trail, ending.title),
      h("p", {}, h("strong", { text: "To discuss" })),
      h("ul", { class: "trustlab-discussion" }, ...ending.discussion.map((q) => h("li", { html: q }))),
      h("p", { class: "trustlab-hint" }, "Press ", h("strong", { text: "Step back" }),
        " to change your last choice, or ", h("strong", { text: "Try again" }), " to start over and compare."));
  }

  // a headless action in the kernel (Player.choose and friends) moved the Run: follow it
  const follow = () => {
    const progress = model.get("progress") || {};
    if (progress.revision === revision) return; // the kernel catching up with clicks made here
    revision = progress.revision;
    state = restore(v, progress);
    draw();
  };
  model.on("change:progress", follow);
  return () => { model.off("change:progress", follow); model.off("change:notice", showNotice); };
}

export default { render };
