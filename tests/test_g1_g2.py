"""G1 and G2 are never swapped anywhere in the course: goal consensus r = .24, collaboration r = .29.

Tryon, Birch and Verkuilen (2018) found goal consensus went with outcome at r = .24 (G1) and
collaboration at r = .29 (G2). The two are easy to swap, and a swap in one sentence of one file
teaches the wrong figure, so this test reads every place a learner or instructor can meet them
(lessons, solutions, exercises, content YAML, the data dictionary, seminar plans, the course's
code) and fails on any sentence that gives goal consensus .29 or collaboration .24.

How a figure is tied to what it describes, in the ways the course writes them:

* within a phrase ("goal consensus went with outcome at r = .24", "r = .29 for collaboration"),
  the nearest topic word in the same phrase;
* a figure in a phrase of its own ("(r = .24)", "G1 (goal consensus) ... r = .24"), the last topic
  word in the sentence before it, or failing that the first after it;
* two topics followed by two figures ("consensus and collaboration correlate with outcome
  (r = .24 and r = .29)", "... respectively"), in order.

Confidence intervals ("r = .29 [.24, .34]", "interval .24 to .34") are not figures of their own and are left out. One
thing is allowed on purpose: a knowledge-check option that is marked wrong and whose feedback says
the figures are swapped, because that distractor exists to catch exactly this slip.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from trustlab.paths import course_root

ROOT = course_root()

CONSENSUS, COLLABORATION, OTHER = "goal consensus", "collaboration", "other"
RIGHT = {CONSENSUS: "24", COLLABORATION: "29"}
TOPICS = [
    (CONSENSUS, r"consensus|\bagree(?:d|ment|ing|s)?\s+(?:\w+\s+){0,2}?(?:on|about)\s+(?:the\s+|their\s+|your\s+)?goals?"
                r"|goal\s+agreement|\bG1(?:_R)?\b"),
    (COLLABORATION, r"\bcollaborat(?:ion|e|ed|es|ing)\b|\bG2(?:_R)?\b"),
    # Other correlations the course quotes near these (R1's repair r = .29, the alliance): a figure
    # next to one of them belongs to it, not to G1 or G2.
    (OTHER, r"\brepair\w*|\bruptur\w*|\balliance\b|\bR1(?:_R)?\b|\bA1(?:_R)?\b"),
]
TOPIC = re.compile("|".join(f"(?P<t{i}>{pattern})" for i, (_, pattern) in enumerate(TOPICS)), re.I)
FIGURE = re.compile(r"(?<![\d.,])0?\.(24|29)(?![\d%])")
# An interval, bracketed ("[.24, .34]") or written out (".24 to .34", ".19–.28"): two ends, never one r.
INTERVAL = re.compile(r"[\[(]\s*0?\.\d+\s*(?:,|to|–|-)\s*0?\.\d+\s*[\])]|0?\.\d+\s*(?:to|–|-)\s*0?\.\d+")
# Sentence ends: . ! ? before a space (never a decimal point), a blank line, or a new list item,
# table row or heading.
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*+|#>]|\d+\.)\s)")
PHRASE_END = re.compile(r"[,;:()\[\]\n—]|\s(?:and|but|while|whereas|so|than)\s", re.I)


# --- reading the course ---------------------------------------------------------------------------

def course_files() -> list[Path]:
    """Every file a learner or instructor reads, and the code that draws or computes the figures."""
    found = [ROOT / "README.md", ROOT / "data" / "README.md", ROOT / "data" / "datapackage.json"]
    for folder, pattern in [("notebooks", "*.ipynb"), ("solutions", "*.ipynb"), ("exercises", "*.ipynb"),
                            ("data", "**/*.yaml"), ("instructors", "*.md"), ("trustlab", "**/*.py")]:
        found += sorted((ROOT / folder).glob(pattern))
    return [path for path in found if path.is_file()]


def texts_of(path: Path) -> list[str]:
    """The file's readable texts, each scanned on its own (a sentence never runs from one into the next)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return notebook_texts(json.loads(raw))
    if path.suffix == ".yaml":
        return yaml_texts(raw)
    if path.suffix == ".json":
        return list(_strings(json.loads(raw)))
    return [raw]


def notebook_texts(notebook: dict) -> list[str]:
    texts = []
    for cell in notebook.get("cells", []):
        texts.append(_joined(cell.get("source", "")))
        for output in cell.get("outputs", []):
            texts.append(_joined(output.get("text", "")))
            texts += [_joined(v) for k, v in output.get("data", {}).items() if k.startswith("text/")]
    return texts


def _joined(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def yaml_texts(raw: str) -> list[str]:
    """Every string in the YAML and every comment, except an option built to catch the swap."""
    texts = [line.split("#", 1)[1] for line in raw.splitlines() if "#" in line]
    texts += list(_strings(yaml.safe_load(raw)))
    return texts


def is_swap_distractor(option: dict) -> bool:
    """A wrong option whose own feedback tells the learner the figures are swapped."""
    return option.get("correct") is not True and re.search(r"\bswap", str(option.get("feedback", "")), re.I)


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and is_swap_distractor(node):
                continue
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


# --- tying each figure to its topic ------------------------------------------------------------------

def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(INTERVAL.sub(" ", text)) if s.strip()]


def _topic_of(match: re.Match) -> str:
    return TOPICS[int(match.lastgroup[1:])][0]


def pairings(sentence: str) -> list[tuple[str, str]]:
    """(topic, figure) for each .24 or .29 in the sentence that is tied to a topic."""
    figures = list(FIGURE.finditer(sentence))
    if not figures:
        return []
    topics = list(TOPIC.finditer(sentence))
    if not topics:
        return []
    listed = _listed_in_order(sentence, topics, figures)
    if listed:
        return listed
    bounds = [0] + [m.end() for m in PHRASE_END.finditer(sentence)] + [len(sentence)]
    phrase = lambda pos: max(i for i, b in enumerate(bounds[:-1]) if b <= pos)  # noqa: E731
    found = []
    for figure in figures:
        here = phrase(figure.start())
        same = [t for t in topics if phrase(t.start()) == here]
        before = [t for t in topics if t.end() <= figure.start()]
        after = [t for t in topics if t.start() >= figure.end()]
        if same:
            tied = min(same, key=lambda t: min(abs(t.start() - figure.end()), abs(figure.start() - t.end())))
        elif before:
            tied = before[-1]
        else:
            tied = after[0]
        found.append((_topic_of(tied), figure.group(1)))
    return found


def _listed_in_order(sentence: str, topics: list[re.Match], figures: list[re.Match]) -> list[tuple[str, str]]:
    """"A and B ... .24 and .29" (or the figures first): two topics and two figures, paired in order."""
    events = sorted([(t.start(), "topic", _topic_of(t)) for t in topics]
                    + [(f.start(), "figure", f.group(1)) for f in figures])
    runs: list[tuple[str, list[str]]] = []
    for _, kind, value in events:
        if runs and runs[-1][0] == kind:
            if value not in runs[-1][1]:
                runs[-1][1].append(value)
        else:
            runs.append((kind, [value]))
    if len(runs) != 2 or len(runs[0][1]) != 2 or len(runs[1][1]) != 2:
        return []
    names, values = (runs[0][1], runs[1][1]) if runs[0][0] == "topic" else (runs[1][1], runs[0][1])
    return list(zip(names, values))


def swaps(text: str) -> list[str]:
    """Every sentence of ``text`` that gives goal consensus .29 or collaboration .24."""
    bad = []
    for sentence in sentences(text):
        for topic, figure in pairings(sentence):
            if topic in RIGHT and RIGHT[topic] != figure:
                bad.append(f"{topic} given .{figure}: {' '.join(sentence.split())[:240]}")
    return bad


# --- the course -------------------------------------------------------------------------------------

def test_the_course_has_the_files_the_figures_live_in():
    """The search must reach the places G1 and G2 are taught, or it proves nothing."""
    names = {path.relative_to(ROOT).as_posix() for path in course_files()}
    assert {"data/README.md", "data/checks/m04.yaml", "trustlab/facts.py", "trustlab/labs/goals.py"} <= names
    assert "instructors/01_first_session_impressions.md" in names
    mentioned = [path for path in course_files() if any(pairings(s) for t in texts_of(path) for s in sentences(t))]
    assert len(mentioned) >= 5, [p.name for p in mentioned]


@pytest.mark.parametrize("path", course_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_file_swaps_g1_and_g2(path):
    found = [problem for text in texts_of(path) for problem in swaps(text)]
    assert not found, "G1 is goal consensus r = .24, G2 is collaboration r = .29:\n" + "\n".join(found)


def test_the_g1_and_g2_figures_the_code_uses_are_the_right_way_round():
    from trustlab.facts import G1_R, G2_R
    assert (G1_R, G2_R) == (0.24, 0.29)


def test_the_data_package_calibrates_each_column_to_its_own_figure():
    """The calibration targets are separate fields (column, target, fact), so no sentence ties them."""
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    goals = next(r for r in package["resources"] if r["name"] == "goals")
    targets = {c["fact"]: (c["relationship"], c["target"]) for c in goals["calibration"]}
    assert "goal_consensus" in targets["G1"][0] and targets["G1"][1].startswith(".24")
    assert "collaboration" in targets["G2"][0] and targets["G2"][1].startswith(".29")


# --- the search can fail ----------------------------------------------------------------------------

RIGHT_WAY = [
    "Goal consensus went with outcome at r = .24 across 54 studies.",
    "Collaboration went with outcome at r = .29 (53 studies).",
    "r = .24 for goal consensus and r = .29 for collaboration.",
    "goal consensus and collaboration correlate with outcome (r = .24 and r = .29; Tryon, Birch & Verkuilen, 2018)",
    "Consensus and collaboration went with outcome at .24 and .29, respectively.",
    "collaboration and outcome, k = 53, N = 5,286, r = .29 [.24, .34]; consensus r = .24 [.19, .28].",
    "G1 (goal consensus) is .24 and G2 (collaboration) is .29.",
    "collaboration went with better outcome, **r = .29** (95% confidence interval .24 to .34).",
    "Collaboration, r = .29 (CI .24–.34), and goal consensus, r = .24 (CI .19–.28).",
    "Clients who agreed on the goals with their therapist did better, r = .24.",
    "Rupture repair went with outcome, r = .29, and collaboration matters too.",
    "G1_R = 0.24  # goal consensus and outcome r\nG2_R = 0.29  # collaboration and outcome r",
    "- correlation of goal_consensus with outcome_change: .24 ± .04 (G1)\n"
    "- correlation of collaboration with outcome_change: .29 ± .04 (G2)",
]

SWAPPED = [
    "Goal consensus went with outcome at r = .29 across 54 studies.",
    "Collaboration went with outcome at r = .24 (53 studies).",
    "r = .29 for goal consensus and r = .24 for collaboration.",
    "goal consensus and collaboration correlate with outcome (r = .29 and r = .24; Tryon, Birch & Verkuilen, 2018)",
    "Consensus and collaboration went with outcome at .29 and .24, respectively.",
    "G1 (goal consensus) is .29.",
    "collaboration went with better outcome, **r = .24** (95% confidence interval .19 to .28).",
    "Working together as a team, collaboration, went with outcome (r = 0.24).",
    "Clients who agreed on the goals with their therapist did better, r = .29.",
    "G2_R = 0.24  # collaboration and outcome r",
    "- correlation of collaboration with outcome_change: .24 ± .04 (G2)",
]


@pytest.mark.parametrize("text", RIGHT_WAY)
def test_the_right_way_round_passes(text):
    assert swaps(text) == []


@pytest.mark.parametrize("text", SWAPPED)
def test_a_swap_is_caught(text):
    assert swaps(text), text


def test_a_swap_planted_in_a_real_course_file_is_caught(tmp_path):
    """The shipped data dictionary, with G1's line changed to .29: the file test must fail on it."""
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    right = "correlation of goal_consensus with outcome_change: .24"
    assert right in readme and swaps(readme) == []
    planted = tmp_path / "README.md"
    planted.write_text(readme.replace(right, right.replace(".24", ".29")), encoding="utf-8")
    assert [p for t in texts_of(planted) for p in swaps(t)] == [
        "goal consensus given .29: - correlation of goal_consensus with outcome_change: .29 ± .04 (G1)"]


def test_a_swap_planted_in_a_notebook_cell_and_in_yaml_is_caught(tmp_path):
    notebook = tmp_path / "lesson.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": [
        "Across 53 studies, collaboration went with\n", "better outcome (r = .24)."]}]}), encoding="utf-8")
    assert [p for t in texts_of(notebook) for p in swaps(t)]
    content = tmp_path / "checks.yaml"
    content.write_text("items:\n  q1:\n    explanation: >-\n      Goal consensus went with outcome at r =\n"
                       "      .29 across 54 studies.\n", encoding="utf-8")
    assert [p for t in texts_of(content) for p in swaps(t)]


def test_only_a_wrong_option_that_names_the_swap_may_show_it(tmp_path):
    option = {"text": "Collaboration went with outcome at r = .24 and goal consensus at r = .29."}
    allowed = dict(option, feedback="The two figures are swapped: goal consensus is .24 and collaboration .29.")
    unmarked = dict(option, feedback="Not quite: look again at the two figures.")
    correct = dict(allowed, correct=True)
    for options, caught in [([allowed], False), ([unmarked], True), ([correct], True)]:
        path = tmp_path / "q.yaml"
        path.write_text(yaml.safe_dump({"items": {"q": {"kind": "choice", "options": options}}}), encoding="utf-8")
        assert bool([p for t in texts_of(path) for p in swaps(t)]) is caught, options
