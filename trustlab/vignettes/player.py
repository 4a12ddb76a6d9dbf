"""The vignette player: the whole vignette walked in the browser, each step reported to the kernel.

The vignette is data, so the browser can play it by itself: :class:`Player` is an
anywidget whose view (``player.js``, styled by ``player.css``) receives the whole
vignette once, as :func:`browser_payload`, and draws the scenes, choices, feedback,
the client's inner reaction, the meters, the endings with their chart, Step back and
Try again with no kernel round trip. A click is therefore instant, and the player
keeps working while another cell runs.

Each choice, Continue, Step back and Try again is also sent to the kernel as a small
message (:meth:`Player._from_browser`). Python replays it on the reference engine, a
:class:`~trustlab.vignettes.model.Run`, and emits the same :class:`ChoiceEvent` the
journal records. A message that does not fit the Run (another attempt, a scene the Run
is not at, a choice that does not exist) is logged and ignored: it never raises.

The headless methods (:meth:`Player.choose`, :meth:`~Player.proceed`,
:meth:`~Player.step_back`, :meth:`~Player.try_again`) act as the same clicks would, for
the tests and for scripts, and the browser view follows them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import ipywidgets as widgets
import traitlets

from trustlab import events
from trustlab.activity import BrowserActivity, IgnoredMessage, browser_module, browser_styles, new_attempt
from trustlab.checks import markdown_html
from trustlab.notices import load_failure
from trustlab.vignettes.model import Run, Skill, Step, Vignette, load_skills
from trustlab.vignettes.validate import load_vignette

CHOICE_EVENT = "vignette.choice"
CRISIS = ("If this stirs up something difficult, pause. In an emergency: 911 (US and Canada), 999 (UK), "
          "112 (EU). US: call or text 988. UK & Ireland: Samaritans, 116 123. Elsewhere: findahelpline.com.")
HERE = Path(__file__).parent
log = logging.getLogger(__name__)


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


def trace_chart(trace: list[dict], domain: tuple[float, float], ending_title: str | None):
    """Meters after each choice, from ``Run.trace()`` rows kept in the journal: the portfolio's chart.

    The player draws its own small SVG chart in the browser; only the exported portfolio
    uses this altair chart, so altair is imported here and not when the player loads.
    """
    import altair as alt
    import pandas as pd

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


def browser_payload(vignette: Vignette, skills: Mapping[str, Skill]) -> dict[str, Any]:
    """Everything the browser needs to play the vignette on its own, as JSON-ready data.

    Course text written in Markdown (summary, feedback, debriefs, discussion questions)
    arrives as HTML rendered here, with raw HTML escaped, so the browser needs no
    Markdown library; everything else is plain text the browser inserts as text.
    """
    v, c = vignette, vignette.client
    used = dict.fromkeys(choice.skill for scene in v.scenes.values() for choice in scene.choices)
    return {
        "id": v.id, "module": v.module, "title": v.title, "summary": markdown_html(v.summary),
        "format": v.format, "session": v.session, "place": v.place,
        "content_note": v.content_note, "crisis": CRISIS if v.content_note else None,
        "client": {"name": c.name, "short_name": c.name.split()[0], "pronouns": c.pronouns, "age": c.age,
                   "background": c.background, "reason": c.reason, "fears": c.fears},
        "meters": [{"id": m.id, "label": m.label, "min": m.min, "max": m.max, "start": m.start}
                   for m in v.meters.values()],
        "domain": list(meter_domain(v)),
        "start": v.start_id,
        "scenes": {sid: {"client": s.client, "cue": s.cue, "narration": s.narration,
                         "choices": [{"text": ch.text, "skill": ch.skill, "effects": dict(ch.effects),
                                      "feedback": markdown_html(ch.feedback), "inner": ch.client_inner,
                                      "next": ch.next} for ch in s.choices]}
                   for sid, s in v.scenes.items()},
        "endings": {eid: {"title": e.title, "kind": e.kind, "debrief": markdown_html(e.debrief),
                          "discussion": [markdown_html(q) for q in e.discussion]}
                    for eid, e in v.endings.items()},
        "skills": {sid: {"label": skills[sid].label, "kind": skills[sid].kind,
                         "description": skills[sid].description} for sid in used},
    }


class Player(BrowserActivity):
    """Play one vignette in the browser. ``on_choice(event)`` is called after every choice."""

    _esm = browser_module(HERE / "player.js")
    _css = browser_styles(HERE / "player.css")
    # the whole vignette, sent once
    vignette_data = traitlets.Dict().tag(sync=True)
    # ``progress`` (trustlab.activity) is where the kernel's Run is: {"attempt", "path" (choice
    # indexes), "feedback", "revision"}; ``notice`` is shown above the scene
    _logger = log

    def __init__(self, vignette: Vignette, on_choice: Callable[[ChoiceEvent], None] | None = None,
                 focus_on_start: bool = False, fold_client: bool = False):
        """``focus_on_start``: put the keyboard on the first choice when drawn (the series player's
        next session, opened by a click); never for a player a notebook cell shows.
        ``fold_client``: the client's card folded away (a later session of a series)."""
        self.vignette = vignette
        self.run = vignette.start()
        self.skills: dict[str, Skill] = load_skills()
        self.last_step: Step | None = None  # a choice whose feedback is on screen
        self._on_choice = on_choice
        super().__init__(vignette_data={**browser_payload(vignette, self.skills), "focus_on_start": focus_on_start,
                                        "fold_client": fold_client})

    def _name(self) -> str:
        return f"Vignette {self.vignette.id!r}"

    # --- actions: the headless API, as the same clicks would act ---------------------------------

    def choose(self, index: int) -> None:
        """Make choice ``index``, its place in the vignette file (not on screen)."""
        self._choose(index)
        self._publish(moved_here=True)

    def proceed(self) -> None:
        """Continue from a choice's feedback to the next scene or the ending."""
        self.last_step = None
        self._publish(moved_here=True)

    def step_back(self) -> None:
        """Undo the last choice, to try another and compare."""
        self._step_back()
        self._publish(moved_here=True)

    def try_again(self) -> None:
        """Start over as a new attempt (so the choices come in a new order)."""
        self._try_again(new_attempt())
        self._publish(moved_here=True)

    # --- the browser's messages -------------------------------------------------------------------

    def _act(self, action: Any, message: dict) -> None:
        if message.get("step") != len(self.run.history):
            raise IgnoredMessage(f"it was sent after {message.get('step')!r} choices, "
                                 f"the Run has {len(self.run.history)}")
        if action == "choose":
            index = message.get("index")
            if message.get("scene") != self.run.position or self.run.ended:
                raise IgnoredMessage(f"it is for scene {message.get('scene')!r}, the Run is at {self.run.position!r}")
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.run.choices):
                raise IgnoredMessage(f"scene {self.run.position!r} has no choice {index!r}")
            self._choose(index)
        elif action == "proceed":
            self.last_step = None
        elif action == "back":
            if not self.run.history:
                raise IgnoredMessage("there is no choice to step back from")
            self._step_back()
        else:
            raise IgnoredMessage(f"unknown action {action!r}")

    # --- the Run, the journal's event and the browser's copy of where the Run is -------------------

    def _choose(self, index: int) -> None:
        step = self.run.choose(index)
        self.last_step = step
        self._report(step)

    def _step_back(self) -> None:
        if self.run.history:
            self.run.undo()
        self.last_step = None

    def _try_again(self, attempt: str) -> None:
        self.run.restart()
        self.last_step = None
        self._attempt = attempt

    def _progress(self) -> dict[str, Any]:
        return {"attempt": self._attempt, "path": [s.index for s in self.run.history],
                "feedback": self.last_step is not None, "revision": self._revision}

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
