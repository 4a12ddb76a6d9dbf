// The Goal Attainment Scaling worksheet's view (the kernel side is gas_widget.py).
//
// The sheet is plain HTML form controls: each goal a <fieldset> with its legend, every text box
// and <select> with its own <label>, so a screen reader names each control and the keyboard
// reaches them in reading order with Tab alone. What the learner types or picks goes to the
// kernel as the whole list of goals (the `goals` trait); the kernel computes the T-score and
// sends back `result`, shown in a live region. Nothing is computed here: one formula, in Python.
// `h` (an element builder) comes from trustlab/activity.js, put in front of this file.

const NOT_SCORED = "";

/** A deep copy of the goals, so a change here is never a change to the model's own value. */
function copyGoals(goals) {
  return (goals || []).map((g) => ({ goal: g.goal, levels: [...g.levels], weight: g.weight, score: g.score }));
}

function render({ model, el }) {
  const uid = "trustlab-gas-" + Math.random().toString(36).slice(2, 10);
  const levels = model.get("levels");
  let goals = copyGoals(model.get("goals"));
  const fields = []; // per goal: {goal, levels: [...], weight, score}: the controls, to follow the kernel

  const send = () => {
    model.set("goals", copyGoals(goals));
    model.save_changes();
  };

  // Keys typed in the sheet are the sheet's: in command mode JupyterLab would take an arrow key on a
  // list box to move between cells, "1" to turn a cell into a heading, "d d" to delete it. Tab still
  // moves the focus (its default action), and Escape and Ctrl/Cmd/Alt shortcuts (Ctrl+S) still reach it.
  const ownKeys = (event) => {
    if (event.key !== "Escape" && !event.ctrlKey && !event.metaKey && !event.altKey) event.stopPropagation();
  };
  const root = h("div", { class: "trustlab-gas", onkeydown: ownKeys });
  root.append(h("div", { class: "trustlab-gas-intro", html: model.get("intro") }));

  goals.forEach((goal, i) => {
    const id = `${uid}-${i + 1}`;
    const text = h("textarea", { id: `${id}-goal`, rows: "2", class: "trustlab-gas-input trustlab-gas-goal-text" });
    text.value = goal.goal;
    text.addEventListener("input", () => { goals[i].goal = text.value; send(); });

    const levelInputs = levels.map((level, j) => {
      // a text area, not a one-line box: a level described in a sentence wraps and stays readable
      const input = h("textarea", {
        id: `${id}-level-${j}`, rows: "1", class: "trustlab-gas-input trustlab-gas-level-text",
      });
      input.value = goal.levels[j];
      input.addEventListener("input", () => { goals[i].levels[j] = input.value; send(); });
      return input;
    });
    const levelRows = levels.map((level, j) => h("div", { class: "trustlab-gas-level", "data-score": level.score },
      h("label", { for: `${id}-level-${j}` },
        h("span", { class: "trustlab-gas-sign", text: level.sign }), " ",
        h("span", { text: level.label }),
        level.note ? h("span", { class: "trustlab-gas-note", text: ` (${level.note})` }) : null),
      levelInputs[j]));

    const weight = h("select", { id: `${id}-weight`, class: "trustlab-gas-select" },
      ...model.get("weights").map((w) => h("option", { value: String(w.value), text: w.label })));
    weight.value = String(goal.weight);
    weight.addEventListener("change", () => { goals[i].weight = Number(weight.value); send(); });

    const score = h("select", { id: `${id}-score`, class: "trustlab-gas-select" },
      h("option", { value: NOT_SCORED, text: "Not scored yet" }),
      ...levels.map((level) => h("option", { value: String(level.score), text: `${level.sign}: ${level.label}` })));
    score.value = goal.score === null ? NOT_SCORED : String(goal.score);
    score.addEventListener("change", () => {
      goals[i].score = score.value === NOT_SCORED ? null : Number(score.value);
      send();
    });

    fields.push({ goal: text, levels: levelInputs, weight, score });
    root.append(h("fieldset", { class: "trustlab-gas-goal", "data-goal": i + 1 },
      h("legend", { text: `Goal ${i + 1}` }),
      h("div", { class: "trustlab-gas-field" },
        h("label", { for: `${id}-goal`, text: "The goal, in the client's own words" }), text),
      h("fieldset", { class: "trustlab-gas-levels" },
        h("legend", { text: "What each level would look like" }), ...levelRows),
      h("div", { class: "trustlab-gas-picks" },
        h("div", { class: "trustlab-gas-field" },
          h("label", { for: `${id}-weight`, text: "Weight: how much it matters to the client" }), weight),
        h("div", { class: "trustlab-gas-field" },
          h("label", { for: `${id}-score`, text: "At follow-up: the level you and the client agree was reached" }), score))));
  });

  // The result: one live region that stays (a replaced region is not reliably announced),
  // changed only when its words change, so typing a goal does not make it speak.
  const summary = h("p", {
    class: "trustlab-gas-summary", role: "status", "aria-live": "polite", "aria-atomic": "true",
  });
  const todoList = h("ul");
  const todo = h("div", { class: "trustlab-gas-todo" }, h("p", { text: "Still to do:" }), todoList);
  root.append(h("section", { class: "trustlab-gas-result", "aria-labelledby": `${uid}-result` },
    h("h4", { id: `${uid}-result`, text: "Goal attainment at follow-up" }), summary, todo));

  const showResult = () => {
    const result = model.get("result") || {};
    root.dataset.t = result.t === null || result.t === undefined ? "" : String(result.t);
    if (summary.textContent !== result.summary) summary.textContent = result.summary || "";
    const items = result.todo || [];
    if ([...todoList.children].map((li) => li.textContent).join("\n") !== items.join("\n")) {
      todoList.replaceChildren(...items.map((item) => h("li", { text: item })));
    }
    todo.hidden = items.length === 0;
  };

  // The kernel's goals (another view of the same sheet, a script): follow them, except in the
  // control the learner is typing in, which is never changed under their fingers.
  const follow = () => {
    goals = copyGoals(model.get("goals"));
    goals.forEach((goal, i) => {
      const f = fields[i];
      if (!f) return;
      const set = (control, value) => {
        if (control !== document.activeElement && control.value !== value) control.value = value;
      };
      set(f.goal, goal.goal);
      f.levels.forEach((input, j) => set(input, goal.levels[j]));
      set(f.weight, String(goal.weight));
      set(f.score, goal.score === null ? NOT_SCORED : String(goal.score));
    });
  };

  showResult();
  model.on("change:result", showResult);
  model.on("change:goals", follow);
  el.append(root);
  return () => { model.off("change:result", showResult); model.off("change:goals", follow); };
}

export default { render };
