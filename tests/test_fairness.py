"""No answer can be guessed from its form: not by length, not by its place in the file.

The first test is the content rule for every shipped vignette and checks file; the others
show that the measure counts what it says, on small made-up files.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from trustlab import fairness

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_answers_cannot_be_guessed_from_their_length_or_place():
    figures = fairness.figures(ROOT / "data")
    print("\n".join(map(str, figures)))
    assert {f.unit for f in figures} == {"scenes", "items"} and all(f.total for f in figures)
    failed = [str(f) for f in figures if not f.passed]
    assert not failed, "\n".join(failed)


# --- the measure, on made-up content --------------------------------------------------------

def choice(text: str, skill: str, trust: int, **more: int) -> dict:
    return {"text": text, "skill": skill, "effects": {"trust": trust, **more}, "feedback": "-",
            "client_inner": "-", "next": "end"}


@pytest.fixture()
def data(tmp_path) -> Path:
    (tmp_path / "vignettes").mkdir()
    (tmp_path / "checks").mkdir()
    shutil.copy(ROOT / "data" / "vignettes" / "skills.yaml", tmp_path / "vignettes")
    return tmp_path


def write_vignette(data: Path, name: str, scenes: dict[str, list[dict]]) -> None:
    doc = {"id": name, "scenes": {sid: {"client": "-", "choices": copy.deepcopy(choices)}  # no YAML aliases
                                  for sid, choices in scenes.items()}}
    (data / "vignettes" / f"{name}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")


def write_checks(data: Path, module: str, options: dict[str, list[tuple[str, bool]]]) -> None:
    items = {key: {"kind": "choice", "prompt": "-",
                   "options": [{"text": t, "feedback": "-", **({"correct": True} if ok else {})} for t, ok in opts]}
             for key, opts in options.items()}
    items["n1"] = {"kind": "number", "prompt": "-", "answer": 1, "tolerance": 0}
    (data / "checks" / f"{module}.yaml").write_text(yaml.safe_dump({"module": module, "items": items}),
                                                      encoding="utf-8")


def by_label(figures: list[fairness.Figure]) -> dict[str, fairness.Figure]:
    return {f.label: f for f in figures}


def test_best_choice_longest_and_always_first_is_caught_and_the_scenes_named(data):
    long_best = [choice("I hear how much this has cost you, and it makes sense you're tired of it.", "reflection", 2),
                 choice("Have you tried sleeping more?", "premature_advice", -1)]
    write_vignette(data, "tell", {"one": long_best, "two": long_best, "three": long_best})
    figures = by_label(fairness.figures(data))
    longest = figures["best choice longest"]
    assert (longest.count, longest.total, longest.passed) == (3, 3, False)
    assert "tell.one" in str(longest) and "tell.three" in str(longest)
    assert not figures["best choice first"].passed


def test_best_choice_always_second_longest_is_caught_too(data):
    """Never the longest is not enough when it is then always the runner-up."""
    runner_up = [choice("A long, well-meant explanation of why the form is standard and nothing to fear.",
                        "defensiveness", -1),
                 choice("That sounds exhausting. Tell me more?", "reflection", 1),
                 choice("Sleep more.", "premature_advice", -1)]
    write_vignette(data, "second", {"a": runner_up, "b": runner_up, "c": runner_up})
    figures = by_label(fairness.figures(data))
    assert figures["best choice longest"].passed
    second = figures["best choice second longest"]
    assert (second.count, second.total, second.passed) == (3, 3, False) and "second.b" in str(second)


def test_best_is_the_trust_building_choice_with_the_largest_trust_effect(data):
    scene = [choice("Short and helpful.", "validation", 1),
             choice("A much longer reply that builds even more trust than the short one does.", "reflection", 2),
             choice("The longest reply of all three, a risky one that nonetheless moves trust up a bit.",
                    "false_reassurance", 2)]
    write_vignette(data, "rank", {"s": scene})
    [question] = fairness.scenes(data)
    assert question.best == {1} and not question.best_is_longest


def test_a_tie_for_best_counts_as_longest_when_either_is_longest(data):
    scene = [choice("A reflection, fairly long as replies go, longer than the rest.", "reflection", 1, hope=1),
             choice("An open question?", "open_question", 1, hope=1),
             choice("Advice.", "premature_advice", -1)]
    write_vignette(data, "tie", {"s": scene})
    [question] = fairness.scenes(data)
    assert question.best == {0, 1} and question.best_is_longest


def test_correct_option_longest_is_counted_over_every_choice_item(data):
    write_checks(data, "m98", {"q1": [("Short.", False), ("The correct one, clearly the longest.", True)],
                               "q2": [("A long wrong option that goes on and on.", False), ("Right.", True)],
                               "q3": [("Wrong.", False), ("Also wrong.", False), ("Right, and longest here.", True)]})
    figures = by_label(fairness.figures(data))
    longest = figures["correct option longest"]
    assert (longest.count, longest.total) == (2, 3) and longest.names == ("m98.q1", "m98.q3")
    assert not longest.passed  # 2 of 3 is over 45%


def test_the_command_prints_every_figure_and_fails_when_one_is_over(data, monkeypatch, capsys):
    write_checks(data, "m98", {"q1": [("Short.", False), ("The correct one, clearly the longest.", True)]})
    write_vignette(data, "fine", {"s": [choice("Advice, given at length before listening.", "premature_advice", -1),
                                        choice("Say more?", "open_question", 1)]})
    monkeypatch.setenv("TRUSTLAB_DATA", str(data))
    assert fairness.main() == 1
    out = capsys.readouterr().out
    assert "best choice longest in 0 of 1 scenes" in out
    assert "TOO OFTEN: correct option longest in 1 of 1 items" in out and "m98.q1" in out


def test_a_half_written_checks_file_is_named_not_a_traceback(data, monkeypatch, capsys):
    (data / "checks" / "m97.yaml").write_text("module: m97\nquiz: [q1]\nitems:\n", encoding="utf-8")
    monkeypatch.setenv("TRUSTLAB_DATA", str(data))
    assert fairness.main() == 2
    out = capsys.readouterr().out
    assert "m97.yaml" in out and "cannot read this file yet" in out and "Traceback" not in out
