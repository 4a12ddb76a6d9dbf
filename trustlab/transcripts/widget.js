// The transcript-marking widget's view: the whole exercise runs here, in the browser.
//
// The kernel sends the transcript once (the `transcript_data` trait, made by
// `browser_payload` in widget.py). Each line is a toggle button (aria-pressed); "Check my
// marks" scores the marks here, with the same rules as `score` in model.py, and shows the
// feedback on every line marked or missed at once; "Try again" clears. Each action is then
// sent to the kernel (`model.send`), which scores the check on the reference engine and
// records it in the learner's journal.

// --- pure functions: the same scoring as trustlab/transcripts/model.py ----------------------

/** Every line marked or missed, in order: {line, status, expected, marked, feedback (HTML)}. */
export function scoreMarks(t, marks) {
  const kinds = Object.fromEntries(t.markers.map((m) => [m.id, m]));
  const results = [];
  for (const line of t.lines) {
    const answer = Object.hasOwn(t.answers, line.id) ? t.answers[line.id] : null;
    const chosen = Object.hasOwn(marks, line.id) ? marks[line.id] : null;
    const expected = answer ? kinds[answer.marker] : null;
    const marked = chosen && Object.hasOwn(kinds, chosen) ? kinds[chosen] : null;
    if (answer && marked) {
      const status = marked.id === expected.id ? "hit" : "wrong_kind";
      results.push({ line, status, expected, marked, feedback: answer.feedback });
    } else if (answer) {
      results.push({ line, status: "miss", expected, marked: null, feedback: answer.feedback });
    } else if (marked) {
      const own = Object.hasOwn(t.distractors, line.id) ? t.distractors[line.id] : null;
      results.push({ line, status: "false_alarm", expected: null, marked, feedback: own || marked.not_a_marker });
    }
  }
  return results;
}

/** The result in a few words (LineResult.heading in model.py). */
export function heading(result) {
  const { status, expected, marked } = result;
  if (status === "hit") return `Found: ${expected.label}`;
  if (status === "miss") return `Missed: ${expected.label}`;
  if (status === "wrong_kind") return `Right line, other kind: this is ${expected.label}, not ${marked.label}`;
  return "Not a marker";
}

/** One or two sentences for the top of the feedback (Score.summary in model.py). */
export function summary(results, total) {
  const count = (status) => results.filter((r) => r.status === status).length;
  const parts = [`You found ${count("hit")} of ${total} ${total === 1 ? "marker" : "markers"}.`];
  const wrong = count("wrong_kind");
  if (wrong) parts.push(`On ${wrong} more ${wrong === 1 ? "line" : "lines"} you spotted a marker but named the other kind.`);
  const extra = count("false_alarm");
  if (extra === 1) parts.push("1 line you marked is not a marker.");
  else if (extra) parts.push(`${extra} lines you marked are not markers.`);
  return parts.join(" ");
}

/** The kernel's progress as marks this transcript can hold; anything that does not fit is dropped. */
export function restore(t, progress) {
  const marks = {};
  const lines = Object.fromEntries(t.lines.map((l) => [l.id, l]));
  for (const [id, kind] of Object.entries(progress.marks || {})) {
    const line = Object.hasOwn(lines, id) ? lines[id] : null;
    if (!line || !line.kinds.length) continue;
    if (kind === null && line.kinds.length > 1) marks[id] = null;
    else if (line.kinds.includes(kind)) marks[id] = kind;
  }
  const complete = Object.values(marks).every((k) => k !== null);
  return { attempt: progress.attempt || newAttempt(), marks, checked: Boolean(progress.checked) && complete };
}

// --- small DOM helpers ----------------------------------------------------------------------

// newAttempt() and h() come from trustlab/activity.js (see trustlab.activity.browser_module)

let uid = 0;

// --- the view ---------------------------------------------------------------------------------

function render({ model, el }) {
  const t = model.get("transcript_data");
  const id = `trustlab-transcript-${++uid}`;
  const kinds = Object.fromEntries(t.markers.map((m) => [m.id, m]));
  let state = restore(t, model.get("progress") || {});
  let revision = (model.get("progress") || {}).revision;

  const tell = (message) => {
    try {
      model.send({ attempt: state.attempt, ...message });
    } catch (err) {
      console.warn("trustlab transcript: this step could not reach the kernel (it still counts here)", err);
    }
  };

  const helpId = `${id}-help`;
  const list = h("ol", { class: "trustlab-transcript-lines", "aria-label": `Transcript: ${t.title}` });
  const status = h("div", { class: "trustlab-transcript-status", "aria-live": "polite" });
  const resultBox = h("div", { class: "trustlab-transcript-result", "aria-live": "polite" });
  const debrief = h("div", { class: "trustlab-transcript-debrief" });
  const button = (label, primary, onclick) => h("button", {
    type: "button", class: primary ? "trustlab-button trustlab-primary" : "trustlab-button", text: label, onclick,
  });
  const checkButton = button("Check my marks", true, () => act("check"));
  const againButton = button("Try again", false, () => act("again"));
  const controls = h("div", { class: "trustlab-controls" }, checkButton, againButton);
  const notice = h("div", { class: "trustlab-journal-notice", role: "alert" });
  const showNotice = () => {
    const text = model.get("notice") || "";
    notice.textContent = text;
    notice.hidden = !text;
  };
  showNotice();
  model.on("change:notice", showNotice);
  const root = h("div", { class: "trustlab-transcript", "data-transcript": t.id },
    header(), notice, resultBox, list, debrief, status, controls);
  el.replaceChildren(root);
  draw();

  function header() {
    const c = t.client;
    return h("div", { class: "trustlab-transcript-head" },
      h("h3", { text: t.title }),
      t.content_note && h("div", { class: "trustlab-note", role: "note" },
        h("strong", { text: "Content note:" }), ` ${t.content_note} `,
        h("span", { class: "trustlab-crisis", text: t.crisis })),
      h("div", { class: "trustlab-card", role: "group", "aria-label": "About the client" },
        h("p", {}, h("strong", { text: c.name }), ` \u00b7 ${c.pronouns} \u00b7 ${c.age}`),
        h("p", { text: c.background })),
      h("div", { class: "trustlab-transcript-intro", html: t.intro }),
      h("div", { class: "trustlab-look-for", role: "group", "aria-label": "What to look for" },
        h("p", {}, h("strong", { text: "What to look for" })),
        h("ul", {}, ...t.markers.map((m) => h("li", { "data-marker": m.id },
          h("strong", { text: m.label }),
          ` (on ${m.speaker === "client" ? `${c.short_name}'s` : "the counselor's"} lines): ${m.definition}`)))),
      h("p", { class: "trustlab-transcript-help", id: helpId,
        text: "Press a line to mark it; press it again to unmark it. Then press \u201cCheck my marks\u201d." }));
  }

  // --- actions: drawn at once, then told to the kernel ---
  function act(action, lineId, kind) {
    if (action === "toggle") {
      const line = t.lines.find((l) => l.id === lineId);
      const on = !Object.hasOwn(state.marks, lineId);
      if (on) state.marks = { ...state.marks, [lineId]: line.kinds.length === 1 ? line.kinds[0] : null };
      else state.marks = Object.fromEntries(Object.entries(state.marks).filter(([k]) => k !== lineId));
      tell({ action: "mark", line: lineId, kind: on ? state.marks[lineId] : null, on });
      status.textContent = "";
      draw();
      const pressed = list.querySelector(`.trustlab-line-toggle[data-line="${lineId}"]`);
      if (pressed) pressed.focus();
    } else if (action === "kind") {
      // only the tag changes: the radio group stays as it is, so arrow keys keep moving within it
      state.marks = { ...state.marks, [lineId]: kind };
      tell({ action: "mark", line: lineId, kind, on: true });
      status.textContent = "";
      const tag = list.querySelector(`.trustlab-line-toggle[data-line="${lineId}"] .trustlab-mark-tag`);
      if (tag) tag.textContent = `Marked: ${kinds[kind].label}`;
    } else if (action === "check") {
      const open = t.lines.find((l) => Object.hasOwn(state.marks, l.id) && state.marks[l.id] === null);
      if (open) {
        status.textContent = `Choose what you found on line ${open.number}, or press the line again to unmark it.`;
        const first = list.querySelector(`input[name="${id}-${open.id}"]`);
        if (first) first.focus();
        return;
      }
      state.checked = true;
      tell({ action: "check", marks: { ...state.marks } });
      draw();
      const top = root.querySelector(".trustlab-transcript-summary");
      top.scrollIntoView({ block: "nearest" });
      top.focus({ preventScroll: true });
    } else if (action === "again") {
      const attempt = newAttempt();
      tell({ action: "again", new_attempt: attempt });
      state = { attempt, marks: {}, checked: false };
      draw();
      const first = list.querySelector(".trustlab-line-toggle");
      if (first) first.focus();
    }
  }

  function draw() {
    root.dataset.attempt = state.attempt;
    root.dataset.checked = String(state.checked);
    const results = state.checked ? scoreMarks(t, state.marks) : [];
    const byLine = Object.fromEntries(results.map((r) => [r.line.id, r]));
    list.replaceChildren(...t.lines.map((line) =>
      state.checked ? checkedLine(line, byLine[line.id]) : markingLine(line)));
    if (state.checked) {
      resultBox.replaceChildren(h("h4", { class: "trustlab-transcript-summary", tabindex: "-1",
        text: summary(results, Object.keys(t.answers).length) }),
      h("p", { class: "trustlab-hint", text: "The feedback is under each line you marked or missed; the debrief follows the transcript." }));
      debrief.replaceChildren(h("h4", { text: "Debrief" }), h("div", { html: t.debrief }));
    } else {
      resultBox.replaceChildren();
      debrief.replaceChildren();
    }
    status.textContent = state.checked ? "" : status.textContent;
    checkButton.hidden = state.checked;
    againButton.hidden = !state.checked;
  }

  function said(line) {
    return [
      h("span", { class: "trustlab-line-number", text: `${line.number}` }),
      h("span", { class: "trustlab-line-body" },
        h("span", { class: "trustlab-speaker", "data-speaker": line.speaker, text: `${line.name}: ` }),
        h("span", { class: "trustlab-said", text: line.text }),
        line.cue && h("span", { class: "trustlab-line-cue", text: ` (${line.cue})` })),
    ];
  }

  function markingLine(line) {
    const item = h("li", { class: "trustlab-transcript-line", "data-line": line.id, "data-speaker": line.speaker });
    if (!line.kinds.length) {
      item.append(h("div", { class: "trustlab-line-static" }, ...said(line)));
      return item;
    }
    const marked = Object.hasOwn(state.marks, line.id);
    const kind = marked ? state.marks[line.id] : null;
    const tag = marked ? (kind ? `Marked: ${kinds[kind].label}` : "Marked: choose what it is") : null;
    item.append(h("button", {
      type: "button", class: "trustlab-line-toggle", "data-line": line.id, "aria-pressed": String(marked),
      "aria-describedby": helpId, onclick: () => act("toggle", line.id),
    }, ...said(line), tag && h("span", { class: "trustlab-mark-tag", "aria-hidden": "true", text: tag })));
    if (marked && line.kinds.length > 1) item.append(kindChoice(line, kind));
    return item;
  }

  function kindChoice(line, chosen) {
    const name = `${id}-${line.id}`;
    // arrow keys move between the kinds, as in any radio group: keep them from the notebook's own
    // shortcuts (in command mode JupyterLab would take them to move between cells)
    const ownArrows = (event) => { if (event.key.startsWith("Arrow")) event.stopPropagation(); };
    return h("fieldset", { class: "trustlab-kind-choice", onkeydown: ownArrows },
      h("legend", { text: `What is on line ${line.number}?` }),
      ...line.kinds.map((k) => h("label", {},
        h("input", { type: "radio", name, value: k, checked: k === chosen, onchange: () => act("kind", line.id, k) }),
        ` ${kinds[k].label}`)));
  }

  function checkedLine(line, result) {
    const item = h("li", { class: "trustlab-transcript-line", "data-line": line.id, "data-speaker": line.speaker,
      "data-status": result ? result.status : "none" }, h("div", { class: "trustlab-line-static" }, ...said(line)));
    if (result) {
      item.append(h("div", { class: "trustlab-transcript-feedback", "data-status": result.status },
        h("p", { class: "trustlab-result-heading" }, h("strong", { text: heading(result) })),
        h("div", { class: "trustlab-why", html: result.feedback })));
    }
    return item;
  }

  // a headless action in the kernel (toggle, check, try_again) moved the marks: follow it
  const follow = () => {
    const progress = model.get("progress") || {};
    if (progress.revision === revision) return; // the kernel catching up with clicks made here
    revision = progress.revision;
    state = restore(t, progress);
    draw();
  };
  model.on("change:progress", follow);
  return () => { model.off("change:progress", follow); model.off("change:notice", showNotice); };
}

export default { render };
