"""The vignette player: a thin ipywidgets view over a :class:`~trustlab.vignettes.model.Run`.

Three views, one at a time: a scene (the client speaks, the learner chooses), the
feedback on that choice (the skill, why it helps or hurts, what the client was
thinking, the meters moving), and an ending (debrief, path, meter chart, discussion
questions). "Step back" undoes the last choice so paths can be compared; "Try again"
starts over. Every control is a real button, so the keyboard works throughout.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from html import escape
from typing import Callable

import altair as alt
import ipywidgets as widgets
import pandas as pd

from trustlab import events
from trustlab.charts import figure
from trustlab.checks import markdown_html
from trustlab.notices import load_failure
from trustlab.style import stylesheet
from trustlab.vignettes.model import Run, Skill, Step, Vignette, load_skills
from trustlab.vignettes.validate import load_vignette

CHOICE_EVENT = "vignette.choice"
KIND_COLOUR = {"positive": "#1b7a3d", "mixed": "#8a6d00", "troubled": "#a1262d"}
CRISIS = ("If this stirs up something difficult, pause. In an emergency: 911 (US and Canada), 999 (UK), "
          "112 (EU). US: call or text 988. UK &amp; Ireland: Samaritans, 116 123. Elsewhere: findahelpline.com.")


@dataclass(frozen=True)
class ChoiceEvent:
    """What the journal records after each choice: the whole path so far."""

    vignette_id: str
    module: str
    title: str
    attempt: str
    step: int
    scene_id: str
    choice_index: int
    choice_text: str
    skill: str
    meters: dict
    position: str
    ended: bool
    ending_kind: str | None
    ending_title: str | None
    path: list[dict]
    trace: list[dict]
    domain: tuple[float, float]


def path_rows(run: Run) -> list[dict]:
    return [{"scene": s.scene_id, "choice": s.index, "text": s.choice.text, "skill": s.choice.skill,
             "meters": dict(s.meters)} for s in run.history]


def trace_chart(trace: list[dict], domain: tuple[float, float], ending_title: str | None) -> alt.Chart:
    """Meters after each choice, one line per meter, from ``Run.trace()`` rows (also kept in the journal)."""
    data = pd.DataFrame(trace)
    data["where"] = ["start" if step == 0 else f"choice {step}" for step in data["step"]]
    meters = list(dict.fromkeys(data["meter"]))
    choices = int(data["step"].max())
    return alt.Chart(data, description=(
        f"Line chart of {', '.join(meters)} after each of the {choices} choices on this path, "
        f"from the start to {f'the ending {ending_title!r}' if ending_title else 'the current scene'}.")
    ).mark_line(point=True).encode(
        x=alt.X("where:N", sort=None, title="Choice", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", scale=alt.Scale(domain=list(domain)), title="Meter value"),
        color=alt.Color("meter:N", title="Meter"),
        tooltip=[alt.Tooltip("where:N", title="When"), alt.Tooltip("label:N", title="Scene"), "meter:N", "value:Q"],
    ).properties(title="How the meters moved on your path", width=420, height=220)


def meter_domain(vignette: Vignette) -> tuple[float, float]:
    return min(m.min for m in vignette.meters.values()), max(m.max for m in vignette.meters.values())


def meter_chart(run: Run) -> alt.Chart:
    """The meters across the scenes of this path."""
    return trace_chart(run.trace(), meter_domain(run.vignette), run.ending.title if run.ending else None)


def meter_takeaway(run: Run) -> str:
    parts = [f"{run.vignette.meters[m].label} went from {start:g} to {run.meters[m]:g}"
             for m, start in run.start_meters.items()]
    return "On this path, " + "; ".join(parts) + "."


class Player(widgets.VBox):
    """Play one vignette. ``on_choice(event)`` is called after every choice."""

    def __init__(self, vignette: Vignette, on_choice: Callable[[ChoiceEvent], None] | None = None):
        self.vignette = vignette
        self.run = vignette.start()
        self.skills: dict[str, Skill] = load_skills()
        self.last_step: Step | None = None  # a choice whose feedback is on screen
        self._on_choice = on_choice
        self._attempt = uuid.uuid4().hex[:8]
        self._meters = widgets.HTML()
        self._scene = widgets.HTML()
        self._choices = widgets.VBox(layout=widgets.Layout(width="100%"))
        self._feedback = widgets.HTML()
        self._ending = widgets.VBox()
        self._continue = self._button("Continue", "primary", self.proceed)
        self._back = self._button("Step back", "", self.step_back, "Undo your last choice and try another")
        self._again = self._button("Try again", "", self.try_again, "Start this conversation from the beginning")
        controls = widgets.HBox([self._continue, self._back, self._again],
                                layout=widgets.Layout(flex_flow="row wrap", margin="8px 0"))
        controls.add_class("trustlab-controls")
        super().__init__([stylesheet(), widgets.HTML(self._header()), self._meters, self._scene,
                          self._choices, self._feedback, self._ending, controls],
                         layout=widgets.Layout(width="100%", max_width="860px"))
        self.add_class("trustlab-player")
        self._render()

    # --- actions (tests call these as a click would) ----------------------------------------

    def choose(self, index: int) -> None:
        step = self.run.choose(index)
        self.last_step = step
        self._report(step)
        self._render()

    def proceed(self) -> None:
        self.last_step = None
        self._render()

    def step_back(self) -> None:
        if self.run.history:
            self.run.undo()
        self.last_step = None
        self._render()

    def try_again(self) -> None:
        self.run.restart()
        self.last_step = None
        self._attempt = uuid.uuid4().hex[:8]
        self._render()

    # --- rendering ------------------------------------------------------------------------------

    def _render(self) -> None:
        showing_ending = self.run.ended and self.last_step is None
        self._meters.value = self._meters_html()
        self._scene.value = "" if showing_ending else self._scene_html()
        self._choices.children = () if (showing_ending or self.last_step) else self._choice_buttons()
        self._feedback.value = self._feedback_html() if self.last_step else ""
        self._ending.children = self._ending_widgets() if showing_ending else ()
        self._continue.layout.display = None if self.last_step else "none"
        self._back.layout.display = None if self.run.history else "none"
        self._again.layout.display = None if self.run.history else "none"
        if self.last_step and hasattr(self._continue, "focus"):
            self._continue.focus()

    def _header(self) -> str:
        v, c = self.vignette, self.vignette.client
        where = "video session" if v.format == "video" else "in person"
        note = (f'<div class="trustlab-note" role="note"><strong>Content note:</strong> '
                f'{escape(v.content_note)} {CRISIS}</div>') if v.content_note else ""
        return (
            f'<div class="trustlab-vignette-head"><h3>{escape(v.title)}</h3>{note}'
            f"<p>{markdown_html(v.summary)}</p>"
            f'<div class="trustlab-card" aria-label="About the client">'
            f"<strong>{escape(c.name)}</strong> · {escape(c.pronouns)} · {c.age} · session {v.session}, {where}"
            f"{' · ' + escape(v.place) if v.place else ''}"
            f"<p>{escape(c.background)}</p><p><strong>Why now:</strong> {escape(c.reason)}</p>"
            f"<p><strong>Worries about therapy:</strong> {escape(c.fears)}</p></div></div>"
        )

    def _meters_html(self) -> str:
        before = dict(self.run.history[-2].meters) if len(self.run.history) > 1 else self.run.start_meters
        bars = []
        for mid, meter in self.vignette.meters.items():
            value = self.run.meters[mid]
            share = 100 * (value - meter.min) / (meter.max - meter.min)
            delta = value - before[mid] if self.last_step else 0
            change = f' <span class="trustlab-delta">({delta:+g})</span>' if delta else ""
            bars.append(
                f'<div class="trustlab-meter" data-meter="{mid}" data-value="{value:g}">'
                f'<span class="trustlab-meter-label">{escape(meter.label)}</span>'
                f'<div class="trustlab-meter-track" role="meter" aria-label="{escape(meter.label)}" '
                f'aria-valuemin="{meter.min:g}" aria-valuemax="{meter.max:g}" aria-valuenow="{value:g}">'
                f'<div class="trustlab-meter-fill" style="width:{share:.0f}%"></div></div>'
                f'<span class="trustlab-meter-value">{value:g} / {meter.max:g}{change}</span></div>'
            )
        return f'<div class="trustlab-meters" aria-live="polite">{"".join(bars)}</div>'

    def _scene_html(self) -> str:
        scene = self.vignette.scenes[self.last_step.scene_id if self.last_step else self.run.position]
        name = escape(self.vignette.client.name.split()[0])
        narration = f'<p class="trustlab-narration">{escape(scene.narration)}</p>' if scene.narration else ""
        cue = f'<p class="trustlab-cue"><em>{escape(scene.cue)}</em></p>' if scene.cue else ""
        chosen = (f'<p class="trustlab-you"><strong>You:</strong> “{escape(self.last_step.choice.text)}”</p>'
                  if self.last_step else '<p class="trustlab-prompt">What do you say?</p>')
        return (f'<div class="trustlab-scene">{narration}'
                f'<p class="trustlab-line"><strong>{name}:</strong> “{escape(scene.client)}”</p>{cue}{chosen}</div>')

    def _choice_buttons(self) -> tuple[widgets.Button, ...]:
        buttons = []
        for index, choice in enumerate(self.run.choices):
            button = widgets.Button(description=choice.text, tooltip=choice.text,
                                    layout=widgets.Layout(width="100%", height="auto"))
            button.add_class("trustlab-wrap")
            button.add_class("trustlab-choice")
            button.on_click(lambda _, i=index: self.choose(i))
            buttons.append(button)
        return tuple(buttons)

    def _feedback_html(self) -> str:
        choice = self.last_step.choice
        skill = self.skills[choice.skill]
        kind = "Skill" if skill.kind == "builds" else "Pitfall"
        name = escape(self.vignette.client.name.split()[0])
        return (
            f'<div class="trustlab-feedback-box" data-skill-kind="{skill.kind}" role="status">'
            f'<p class="trustlab-skill"><strong>{kind}: {escape(skill.label)}.</strong> '
            f'<span class="trustlab-skill-desc">{escape(skill.description)}</span></p>'
            f'<div class="trustlab-why">{markdown_html(choice.feedback)}</div>'
            f'<div class="trustlab-inner"><strong>What {name} was thinking:</strong> '
            f"<em>{escape(choice.client_inner)}</em></div></div>"
        )

    def _ending_widgets(self) -> tuple[widgets.Widget, ...]:
        ending = self.run.ending
        colour = KIND_COLOUR[ending.kind]
        steps = "".join(
            f"<li>“{escape(s.choice.text)}” <span class='trustlab-tag'>"
            f"{escape(self.skills[s.choice.skill].label)}</span></li>" for s in self.run.history)
        questions = "".join(f"<li>{markdown_html(q)}</li>" for q in ending.discussion)
        head = widgets.HTML(
            f'<div class="trustlab-ending" data-kind="{ending.kind}" style="border-left:6px solid {colour}">'
            f'<h4>Ending: {escape(ending.title)} <span style="color:{colour}">({ending.kind})</span></h4>'
            f"<p>{markdown_html(ending.debrief)}</p><p><strong>Your path</strong></p><ol>{steps}</ol></div>")
        discussion = widgets.HTML(f"<p><strong>To discuss</strong></p><ul>{questions}</ul>"
                                  "<p>Press <strong>Step back</strong> to change your last choice, or "
                                  "<strong>Try again</strong> to start over and compare.</p>")
        return head, figure(meter_chart(self.run), meter_takeaway(self.run)), discussion

    # --- plumbing -------------------------------------------------------------------------------

    def _button(self, label: str, style: str, action: Callable[[], None], tooltip: str = "") -> widgets.Button:
        button = widgets.Button(description=label, button_style=style, tooltip=tooltip or label)
        button.on_click(lambda _: action())
        return button

    def _report(self, step: Step) -> None:
        ending = self.run.ending
        event = ChoiceEvent(
            vignette_id=self.vignette.id, module=self.vignette.module, title=self.vignette.title,
            attempt=self._attempt, step=len(self.run.history),
            scene_id=step.scene_id, choice_index=step.index, choice_text=step.choice.text,
            skill=step.choice.skill, meters=dict(step.meters), position=self.run.position,
            ended=self.run.ended, ending_kind=ending.kind if ending else None,
            ending_title=ending.title if ending else None, path=path_rows(self.run),
            trace=self.run.trace(), domain=meter_domain(self.vignette),
        )
        events.emit(CHOICE_EVENT, event)
        if self._on_choice:
            try:
                self._on_choice(event)
            except Exception:
                events.log.exception("on_choice callback failed")


def play(vignette: Vignette | str, on_choice: Callable[[ChoiceEvent], None] | None = None) -> widgets.Widget:
    """The player for a vignette id, path or Vignette; a broken file shows its problems instead."""
    from trustlab.vignettes.model import VignetteError

    try:
        loaded = vignette if isinstance(vignette, Vignette) else load_vignette(vignette)
    except (VignetteError, OSError) as err:
        return load_failure("This vignette", err)
    return Player(loaded, on_choice)
