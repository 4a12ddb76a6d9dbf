"""What the conversations teach, checked where a counseling educator would look.

The schema and the checker make sure a vignette *works*; these tests make sure it teaches
nothing a supervisor would have to undo (issue 12). Four things are checked:

1. Asking about mood and safety is a skill, never a pitfall in itself: each assessment
   vignette has a trust-building assessment or risk question, and a poorly timed one is
   marked down for its manner, says so, and does not end the story.
2. One move, one verdict: checking how a client says their name is helpful everywhere,
   in the vignettes and in the module 01 transcript exercise.
3. Skill tags fit: every feedback names its skill, moves that have their own name carry it,
   and the authors' guide lists the whole vocabulary.
4. Clients do not repeat: names, occupations and presenting problems differ across the
   vignettes, the drills and the exercises, and the authors' table of clients is complete;
   faith, disability and gender identity are part of the conversation, not only of the card.

They read only the shipped files (data/, the module 01 solutions notebook and the authors'
guide), so they fail when content regresses, not when the code changes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SKILLS = yaml.safe_load((DATA / "vignettes" / "skills.yaml").read_text(encoding="utf-8"))
KIND = {sid: s["kind"] for sid, s in SKILLS.items()}
SERIES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
          for p in sorted((DATA / "vignettes" / "series").glob("*.yaml"))}


def _with_series(doc: dict) -> dict:
    """A session of a series, with its series' client and meters as if written in it."""
    if "series" not in doc:
        return doc
    series = SERIES[doc["series"]]
    return {**doc, "client": series["client"], "meters": series["meters"]}


VIGNETTES = {p.stem: _with_series(yaml.safe_load(p.read_text(encoding="utf-8")))
             for p in sorted((DATA / "vignettes").glob("*.yaml")) if p.name != "skills.yaml"}
DRILLS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((DATA / "practice").glob("*.yaml"))}
GUIDE = (ROOT / "instructors" / "writing-vignettes.md").read_text(encoding="utf-8")

# The two vignettes whose clients describe symptoms a first session must ask about.
ASSESSMENT_VIGNETTES = ("first_contact", "video_first_session")
ASSESSMENT_SKILLS = {"assessment", "risk_screen"}
# Pitfalls of *manner*: how or when something was asked. A choice that asks about mood or
# safety and is marked down must be marked down for one of these, never for asking.
MANNER_PITFALLS = {"rushing_to_forms", "jargon", "stacking_questions", "closed_question", "over_explaining"}
MOOD_OR_SAFETY = re.compile(r"\b(mood|depress\w*|suicid\w*|self-harm|harm(ing)? yourself|ending your life|"
                            r"not (wanting to be|being) (here|alive)|how low|sleep\w*|safe(ty)?)\b", re.I)
# For a client whose presenting problem IS sleep (insomnia), a question about his nights is about
# the problem he came with, not a screen for low mood: there only the other words count.
MOOD_OR_SAFETY_NOT_SLEEP = re.compile(MOOD_OR_SAFETY.pattern.replace(r"sleep\w*|", ""), re.I)
SCREENING = re.compile(r"\b(questionnaires?|screening|GAD-7|PHQ-9)\b", re.I)
# Feedback on a poorly timed assessment must say that the asking itself was right.
ASKING_WAS_RIGHT = re.compile(r"\b(is right|was not the mistake|is a sound idea|sound way|call for it|belongs)\b", re.I)
NAME_CHECK = re.compile(r"how do you say (it|your name)|did i say (it|that|your name)|say your name the way", re.I)


@dataclass(frozen=True)
class Choice:
    vignette: str
    scene: str
    index: int
    data: dict

    @property
    def where(self) -> str:
        return f"{self.vignette}.{self.scene} choice {self.index + 1} ({self.data['skill']})"

    @property
    def kind(self) -> str:
        return KIND[self.data["skill"]]


def choices(only: tuple[str, ...] | None = None) -> list[Choice]:
    return [Choice(vid, sid, i, c) for vid, doc in VIGNETTES.items() if only is None or vid in only
            for sid, scene in doc["scenes"].items() for i, c in enumerate(scene["choices"])]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", " ".join(text.split())) if s]


def mood_words(vid: str | None) -> re.Pattern:
    reason = VIGNETTES[vid]["client"]["reason"] if vid else ""
    return MOOD_OR_SAFETY_NOT_SLEEP if re.search(r"\binsomnia\b", reason, re.I) else MOOD_OR_SAFETY


def asks_about_mood_or_safety(text: str, vid: str | None = None) -> bool:
    """A question about mood, sleep or safety, or the offer of a screening questionnaire."""
    return bool(SCREENING.search(text)) or any(s.endswith("?") and mood_words(vid).search(s)
                                               for s in sentences(text))


def troubled_endings(vid: str) -> set[str]:
    return {eid for eid, e in VIGNETTES[vid]["endings"].items() if e["kind"] == "troubled"}


# --- 1. assessment is never punished ---------------------------------------------------------

@pytest.mark.parametrize("vid", ASSESSMENT_VIGNETTES)
def test_each_assessment_vignette_has_a_trust_building_question_about_mood_and_safety(vid):
    found = [c for c in choices((vid,)) if c.data["skill"] in ASSESSMENT_SKILLS]
    assert any(c.data["skill"] == "risk_screen" for c in found), f"{vid}: no plain question about mood and safety"
    for c in found:
        assert c.kind == "builds" and c.data["effects"].get("trust", 0) > 0, f"{c.where} should build trust"
        assert c.data["next"] not in troubled_endings(vid), f"{c.where} leads straight to a troubled ending"
        assert asks_about_mood_or_safety(c.data["text"]), f"{c.where} is tagged as assessment but asks nothing"
        assert "?" in c.data["text"] or SCREENING.search(c.data["text"])


def test_asking_about_mood_or_safety_is_marked_down_only_for_its_timing_or_wording():
    asked = [c for c in choices() if asks_about_mood_or_safety(c.data["text"], c.vignette)]
    assert len(asked) >= 4, "the assessment moments disappeared"
    for c in asked:
        if c.kind == "builds":
            continue
        assert c.data["skill"] in MANNER_PITFALLS, (
            f"{c.where} asks about mood or safety and is tagged as if asking were the mistake")
        assert ASKING_WAS_RIGHT.search(c.data["feedback"]), (
            f"{c.where}: the feedback must say that asking was right and the manner misfired")
        assert c.data["next"] not in troubled_endings(c.vignette), (
            f"{c.where} sends a question about mood or safety straight to a troubled ending")


def test_no_debrief_counts_asking_about_mood_or_safety_among_the_mistakes():
    for vid, doc in VIGNETTES.items():
        for eid, ending in doc["endings"].items():
            for sentence in sentences(ending["debrief"]):
                mentions = mood_words(vid).search(sentence) or SCREENING.search(sentence)
                if mentions and "intention" in sentence:
                    pytest.fail(f"{vid}.{eid} lists {mentions[0]!r} among well-meant mistakes: {sentence}")
                asked = re.search(r"\b(ask\w*|check\w*|questions?|screen\w*)\b", sentence, re.I)
                if mentions and asked and ending["kind"] != "positive":
                    assert re.search(r"\b(not the mistake|owed|belongs|sound|right)\b", sentence), (
                        f"{vid}.{eid}: a non-positive debrief mentions {mentions[0]!r} without saying asking was right")


# --- 2. one move, one verdict -----------------------------------------------------------------

def exercise_5() -> tuple[dict[int, str], set[int]]:
    """The module 01 transcript (from the solutions notebook) and the lines the answer marks as pitfalls."""
    notebook = json.loads(next((ROOT / "solutions").glob("01_*.ipynb")).read_text(encoding="utf-8"))
    cell = next("".join(c["source"]) for c in notebook["cells"]
                if c["cell_type"] == "markdown" and "Exercise 5" in "".join(c["source"]))
    lines = {int(n): text for n, text in re.findall(r"^(\d+)\.\s+\*\*\w+:\*\*\s*(.+)$", cell, re.M)}
    checks = yaml.safe_load((DATA / "checks" / "m01.yaml").read_text(encoding="utf-8"))
    return lines, set(checks["items"]["ex5"]["answer"])


def test_checking_how_to_say_a_name_is_helpful_wherever_it_appears():
    in_vignettes = [c for c in choices() if NAME_CHECK.search(c.data["text"])]
    assert in_vignettes, "no vignette choice checks how to say the client's name"
    for c in in_vignettes:
        assert c.kind == "builds", f"{c.where} checks how to say a name and is tagged as a pitfall"
    lines, pitfalls = exercise_5()
    name_lines = {n for n, text in lines.items() if NAME_CHECK.search(text)}
    assert name_lines, "exercise 5 no longer has the name check this test compares against"
    assert not name_lines & pitfalls, f"exercise 5 counts the name check (line {sorted(name_lines & pitfalls)}) as a pitfall"


def test_the_same_words_never_get_opposite_verdicts():
    seen: dict[str, set[str]] = {}
    for c in choices():
        key = re.sub(r"[^a-z0-9 ]", "", " ".join(c.data["text"].lower().split()))
        seen.setdefault(key, set()).add(c.kind)
    assert not [k for k, kinds in seen.items() if len(kinds) > 1]


# --- 3. skill tags that fit -------------------------------------------------------------------

def test_every_feedback_names_its_skill():
    for c in choices():
        label = re.sub(r"\s*\(.*?\)", "", SKILLS[c.data["skill"]]["label"]).lower()
        feedback = c.data["feedback"].lower()
        assert label in feedback or c.data["skill"].replace("_", " ") in feedback, (
            f"{c.where}: the feedback never names its skill ({label!r})")


# Moves with a name of their own: text that makes one must carry one of these tags.
NAMED_MOVES = {
    "arguing for therapy": (re.compile(r"give it a (real )?chance|you'd be surprised|end up surprised|"
                                       r"i think you'll find", re.I), {"persuading", "defending_method"}),
    "running down a colleague": (re.compile(r"unprofessional|a therapist like that|bad therapist", re.I),
                                 {"disparaging_colleague"}),
    "a questionnaire offered": (SCREENING, ASSESSMENT_SKILLS | MANNER_PITFALLS),
}


@pytest.mark.parametrize("move", NAMED_MOVES)
def test_moves_with_a_name_of_their_own_carry_it(move):
    pattern, allowed = NAMED_MOVES[move]
    for c in choices():
        if pattern.search(c.data["text"]):
            assert c.data["skill"] in allowed, f"{c.where} is {move}; tag it as one of {sorted(allowed)}"


def test_interrupting_is_used_only_where_the_client_is_cut_off():
    for c in choices():
        if c.data["skill"] == "interrupting":
            said = VIGNETTES[c.vignette]["scenes"][c.scene]["client"].rstrip()
            assert said.endswith(("—", "...", "…", "-")), f"{c.where}: nobody is cut off in this scene"


def test_every_skill_has_a_label_a_kind_and_a_one_line_definition_and_the_guide_lists_it():
    for sid, skill in SKILLS.items():
        assert skill["kind"] in {"builds", "risks"} and skill["label"].strip()
        assert skill["description"].strip().endswith(".") and "\n" not in skill["description"].strip()
        assert re.search(rf"^\| `{sid}` \| {re.escape(skill['label'])} \| {skill['kind']} \|$", GUIDE, re.M), (
            f"instructors/writing-vignettes.md does not list the skill {sid!r}")


def test_repair_and_dropout_are_never_stated_as_rules_or_causes():
    """facts.md R6: that a repair beats never slipping is a debated idea, and no study here shows causes."""
    overclaims = re.compile(r"than (if )?(you|we|nothing) (had )?(never|gone wrong)|than never (slipping|making)|"
                            r"more than a smooth start|less likely to become|turn into a (missed|cancelled)", re.I)
    for vid, doc in VIGNETTES.items():
        found = overclaims.findall(yaml.safe_dump(doc, width=10_000))
        assert not found, f"{vid}: {found}"


# --- 4. clients who do not repeat -------------------------------------------------------------

@dataclass(frozen=True)
class Client:
    name: str
    age: int
    where: str
    intro: str  # how the course introduces them (a vignette's summary and card, a drill's context)
    text: str  # everything written about them


def clients() -> list[Client]:
    found = []
    for vid, doc in VIGNETTES.items():
        if "series" in doc:  # one client for the whole series, below
            continue
        card = doc["client"]
        intro = " ".join([doc["summary"], card["background"], card["reason"], card["fears"]])
        found.append(Client(card["name"], card["age"], f"vignette {vid}", intro, yaml.safe_dump(doc, width=10_000)))
    for sid, series in SERIES.items():
        card = series["client"]
        intro = " ".join([series["summary"], card["background"], card["reason"], card["fears"]])
        sessions = [VIGNETTES[v] for v in series["sessions"] if v in VIGNETTES]
        found.append(Client(card["name"], card["age"], f"series {sid}", intro,
                            yaml.safe_dump([series, *sessions], width=10_000)))
    for module, drill in DRILLS.items():
        for item in drill["items"]:
            context = " ".join(item.get("context", "").split())
            match = re.search(r"([A-Z][\w'-]+(?: [A-Z][\w'-]+)+), (\d+)\b", context)
            assert match, f"drill {module} {item['id']}: the context should start the client as 'Name Surname, age'"
            text = " ".join([context, item["statement"], *item["models"], *item["criteria"]])
            found.append(Client(match[1], int(match[2]), f"drill {module} {item['id']}", context, text))
    return found


def table() -> list[dict[str, str]]:
    """The rows of 'Clients already in the course' in the authors' guide."""
    section = GUIDE.split("## Clients already in the course", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("|")]
    header, rows = rows[0], [r for r in rows[2:]]
    return [dict(zip(header, r)) for r in rows]


def test_the_guide_lists_every_client_with_their_age():
    rows = {row["Name"]: row for row in table()}
    for client in clients():
        assert client.name in rows, f"{client.name} ({client.where}) is missing from 'Clients already in the course'"
        assert rows[client.name]["Age"] == str(client.age), f"{client.name}: the table gives another age"


def test_every_client_in_the_guide_exists_somewhere_in_the_course():
    shipped = " ".join(p.read_text(encoding="utf-8") for folder in ("data", "solutions")
                       for p in (ROOT / folder).rglob("*") if p.suffix in {".yaml", ".ipynb"})
    for row in table():
        assert row["Name"] in shipped, f"the guide lists {row['Name']}, who is in no course file"


def test_no_name_occupation_or_presenting_problem_repeats():
    rows = table()
    parts = [part for row in rows for part in row["Name"].split()]
    assert len(parts) == len(set(parts)), f"a first name or surname repeats: {sorted({p for p in parts if parts.count(p) > 1})}"
    jobs = [row["Occupation"].split()[-1].lower() for row in rows]
    assert len(jobs) == len(set(jobs)), f"an occupation repeats: {sorted({j for j in jobs if jobs.count(j) > 1})}"
    problems = [re.findall(r"\*\*(.+?)\*\*", row["Presenting problem"]) for row in rows]
    assert all(len(p) == 1 for p in problems), "mark exactly one word of each presenting problem in bold"
    words = [p[0].lower() for p in problems]
    assert len(words) == len(set(words)), f"a presenting problem repeats: {sorted({w for w in words if words.count(w) > 1})}"
    sleepers = [row["Name"] for row in rows if re.search(r"sleep|insomnia|awake", row["Presenting problem"], re.I)]
    assert len(sleepers) <= 1, f"sleep is the presenting problem for {sleepers}"


def test_the_guide_tells_the_truth_about_each_client():
    """The occupation and the bold problem word come from the client's own file, so the table cannot drift."""
    rows = {row["Name"]: row for row in table()}
    for client in clients():
        row = rows[client.name]
        job = row["Occupation"].split()[-1].lower()
        assert job in client.intro.lower(), f"{client.name}: the file does not call them a {job!r}"
        [problem] = re.findall(r"\*\*(.+?)\*\*", row["Presenting problem"])
        assert problem.lower() in client.text.lower(), f"{client.name}: {problem!r} is not in their file"


def test_no_client_borrows_another_clients_name():
    everyone = clients()
    for client in everyone:
        for other in everyone:
            if other is client:
                continue
            for part in client.name.split():
                assert not re.search(rf"\b{re.escape(part)}\b", other.text), (
                    f"{part!r} ({client.name}, {client.where}) also appears in {other.where}")


def test_faith_is_part_of_at_least_one_conversation_not_only_of_a_card():
    faith = re.compile(r"\b(Buddhis\w*|Muslim|Christian|Catholic|Jewish|Hindu|Sikh|temple|church|mosque|"
                       r"synagogue|faith)\b", re.I)
    with_faith = [vid for vid, doc in VIGNETTES.items() if faith.search(doc["client"]["background"])]
    assert with_faith, "no vignette client's faith appears on their card"
    for vid in with_faith:
        good = [c for c in choices((vid,)) if c.kind == "builds" and faith.search(c.data["text"])]
        poor = [c for c in choices((vid,)) if c.kind == "risks" and faith.search(c.data["text"])]
        assert good and poor, f"{vid}: the client's faith should matter to a good choice and tempt a poor one"


def test_a_wheelchair_comes_with_what_the_counselor_does_about_the_room():
    room = re.compile(r"\b(room|ramp|space|door\w*|move this chair|armchair)\b", re.I)
    with_wheelchair = [(m, item) for m, drill in DRILLS.items() for item in drill["items"]
                       if "wheelchair" in item.get("context", "")]
    assert with_wheelchair
    for module, item in with_wheelchair:
        assert all(room.search(model) for model in item["models"]), f"drill {module} {item['id']}: a model ignores the room"
        assert any(room.search(c) for c in item["criteria"]), f"drill {module} {item['id']}: no criterion about the room"


def test_theos_fear_of_explaining_himself_is_taken_up_by_a_good_choice_beside_a_plausible_poor_one():
    vid = next(v for v, doc in VIGNETTES.items() if "trans" in doc["client"]["fears"])
    trans = re.compile(r"\btrans(ition)?\b", re.I)
    scenes = {c.scene for c in choices((vid,)) if c.kind == "builds" and trans.search(c.data["text"])}
    assert scenes, f"{vid}: no good choice takes up his fear of explaining himself, being trans included"
    poor = [c for c in choices((vid,)) if c.scene in scenes and c.kind == "risks" and trans.search(c.data["text"])]
    assert poor and all(len(c.data["text"]) > 150 for c in poor), "the poor alternative should be there, and full-length"
