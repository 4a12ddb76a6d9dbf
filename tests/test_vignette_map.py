"""Vignette maps: everything an author wrote is drawn, nothing overlaps, counts land on the right
arrows, and the command line writes a page or a picture, or says plainly what went wrong."""

from __future__ import annotations

import contextlib
import io
import random
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from trustlab.vignettes import load_vignette
from trustlab.vignettes.cli import main, shipped, shipped_series
from trustlab.vignettes.model import Vignette, load_skills
from trustlab.vignettes.series import load_series
from trustlab.vignettes.vmap import map_html, map_svg

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "vignettes"
COMMITTED_MAP = ROOT / "instructors" / "images" / "map-first_contact.svg"
SVG = "{http://www.w3.org/2000/svg}"


def all_maps() -> list[Vignette]:
    """Every shipped vignette, and every session of every series as its file is written."""
    vignettes = [load_vignette(p) for p in shipped()]
    for path in shipped_series():
        vignettes += list(load_series(path).sessions)
    return vignettes


SHIPPED = all_maps()


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if cls in (g.get("class") or "").split()]


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def boxes(root: ET.Element) -> list[tuple[str, float, float, float, float]]:
    """(id, x, y, width, height) of every scene and ending box."""
    found = []
    for g in groups(root, "scene") + groups(root, "ending"):
        rect = g.find(f"{SVG}rect")
        found.append((g.get("data-id"), *(float(rect.get(k)) for k in ("x", "y", "width", "height"))))
    return found


def overlapping(found) -> list[tuple[str, str]]:
    pairs = []
    for i, (a, ax, ay, aw, ah) in enumerate(found):
        for b, bx, by, bw, bh in found[i + 1:]:
            if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah:
                pairs.append((a, b))
    return pairs


def check_complete(vignette: Vignette, svg: str) -> ET.Element:
    """Every scene id, every ending (title in full), exactly one arrow per choice, to the right box."""
    root = ET.fromstring(svg)
    scenes = {g.get("data-id"): g for g in groups(root, "scene")}
    assert set(scenes) == set(vignette.scenes)
    for sid, g in scenes.items():
        assert sid in texts(g), f"scene {sid} has no visible id"
    endings = {g.get("data-id"): g for g in groups(root, "ending")}
    assert set(endings) == set(vignette.endings)
    for eid, ending in vignette.endings.items():
        assert ending.title in title_of(endings[eid])          # in full, in the tooltip
        assert any(f"{ending.kind} ending" == t for t in texts(endings[eid]))  # the kind as a word
    arrows = {}
    for g in groups(root, "choice"):
        key = (g.get("data-scene"), int(g.get("data-index")))
        assert key not in arrows, f"two arrows for {key}"
        assert len(g.findall(f"{SVG}path")) == 1
        arrows[key] = g.get("data-target")
    expected = {(sid, i): c.next for sid, s in vignette.scenes.items() for i, c in enumerate(s.choices)}
    assert arrows == expected
    return root


@pytest.mark.parametrize("vignette", SHIPPED, ids=lambda v: v.id)
def test_every_scene_choice_and_ending_of_every_shipped_vignette_is_drawn(vignette):
    root = check_complete(vignette, map_svg(vignette))
    assert not overlapping(boxes(root))


@pytest.mark.parametrize("vignette", SHIPPED, ids=lambda v: v.id)
def test_choice_rows_name_their_number_and_skill_and_risks_are_dashed(vignette):
    skills = load_skills()
    root = ET.fromstring(map_svg(vignette))
    for g in groups(root, "choice"):
        choice = vignette.scenes[g.get("data-scene")].choices[int(g.get("data-index"))]
        skill = skills[choice.skill]
        row = texts(g)[0]
        assert row.startswith(f"{int(g.get('data-index')) + 1} ")
        assert skill.label[:10] in row
        dashed = g.find(f"{SVG}path").get("stroke-dasharray")
        assert bool(dashed) == (skill.kind == "risks"), (g.get("data-scene"), choice.skill)
        assert skill.kind in g.get("class")


def test_the_map_is_accessible_offline_and_follows_the_page_colour():
    vignette = load_vignette("first_contact")
    svg = map_svg(vignette, title="Thanh's first session")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert title_of(root) == "Thanh's first session"
    assert root.get("fill") == "currentColor"
    assert "<script" not in svg.lower() and "javascript:" not in svg.lower()
    assert re.findall(r"https?://[^\"']+", svg) == ["http://www.w3.org/2000/svg"]  # the namespace only
    for text in root.iter(f"{SVG}text"):  # words take the page's colour, or a palette colour: never black
        assert text.get("fill") in (None, "#0072B2", "#D55E00", "#888888")
    assert "currentColor" in [r.get("stroke") for r in root.iter(f"{SVG}rect")]
    legend = " ".join(texts(groups(root, "legend")[0]))
    for word in ("builds", "risks", "dashed", "positive", "mixed", "troubled"):
        assert word in legend


def test_a_series_session_marks_every_opening_as_a_start():
    series = load_series(shipped_series()[0])
    opened = [s for s in series.sessions if s.start_when]
    assert opened, "the shipped series no longer has a session with extra openings"
    for session in opened:
        root = ET.fromstring(map_svg(session))
        starts = {g.get("data-id") for g in groups(root, "scene") if any("START" in t for t in texts(g))}
        assert starts == {session.start_id, *(s for _, s in session.start_when)}
        flags = {f for c, _ in session.start_when for f in c.when}
        assert any(f in t for g in groups(root, "scene") for t in texts(g) for f in flags)


def test_counts_appear_on_their_own_arrows_and_endings():
    vignette = load_vignette("first_contact")
    choices = [(sid, i) for sid, s in vignette.scenes.items() for i in range(len(s.choices))]
    picked = random.Random(3).sample(choices, 5)
    counts = {key: 100 + n for n, key in enumerate(picked)}
    counts[picked[0]] = "fewer than 3"
    ending_ids = list(vignette.endings)
    ending_counts = {ending_ids[0]: 17, ending_ids[1]: "fewer than 3"}
    root = ET.fromstring(map_svg(vignette, counts={"choices": counts, "endings": ending_counts}))
    for g in groups(root, "choice"):
        key = (g.get("data-scene"), int(g.get("data-index")))
        shown = [t for t in g.iter(f"{SVG}text") if "count" in (t.get("class") or "")]
        if key in counts:
            assert [t.text for t in shown] == [str(counts[key])], key
        else:
            assert shown == [], key
    for g in groups(root, "ending"):
        shown = " ".join(texts(g))
        if g.get("data-id") in ending_counts:
            assert f"reached by {ending_counts[g.get('data-id')]}" in shown
        else:
            assert "reached by" not in shown


def test_a_whole_page_holds_the_map_and_nothing_that_needs_the_internet():
    page = map_html(load_vignette("first_contact"), counts={"choices": {("waiting_room", 1): 9}})
    assert page.startswith("<!doctype html>")
    assert page.count("<svg") == 1 and "<script" not in page.lower()
    assert "color-scheme: light dark" in page
    assert re.findall(r"https?://[^\"']+", page) == ["http://www.w3.org/2000/svg"]


# --------------------------------------------------------------------- a long vignette

def generated(scenes: int = 30, seed: int = 7) -> Vignette:
    """A valid vignette of ``scenes`` scenes in ten rows of three, with long jumps and loops back."""
    rng = random.Random(seed)
    skills = load_skills()
    builds = [s for s, k in skills.items() if k.kind == "builds"]
    risks = [s for s, k in skills.items() if k.kind == "risks"]
    ids = [f"scene_{n:02d}" for n in range(scenes)]
    endings = {f"end_{k}": {"title": f"Ending number {k}: a rather long title that needs wrapping", "kind": k,
                            "debrief": "What happened.", "discussion": ["Why?"]}
               for k in ("positive", "mixed", "troubled")}
    data_scenes = {}
    for n, sid in enumerate(ids):
        later = ids[n + 1:]
        targets = later[:3] + later[5:6] if later else []
        if n > 4 and n % 4 == 0:
            targets.append(ids[n - 4])  # a loop back
        targets = (targets or list(endings))[:4]
        if n >= scenes - 4:
            targets = [*targets[:2], rng.choice(list(endings))]
        while len(targets) < 2:
            targets.append(rng.choice(list(endings)))
        data_scenes[sid] = {
            "client": f"Words the client says in scene {n}, long enough to be shortened on the map. " * 2,
            "choices": [{"text": f"Option {i}", "skill": rng.choice(builds if i % 2 else risks),
                         "effects": {"trust": 1}, "feedback": "Why.", "client_inner": "Hm.", "next": t}
                        for i, t in enumerate(targets)]}
    return Vignette.from_dict({
        "id": "generated", "title": "Thirty scenes", "module": "m99", "summary": "A long test vignette.",
        "client": {"name": "A", "pronouns": "they/them", "age": 40, "background": "b", "reason": "r", "fears": "f"},
        "setting": {"format": "in_person", "session": 1},
        "meters": {"trust": {"label": "Trust", "min": 0, "max": 10, "start": 5}},
        "start": ids[0], "scenes": data_scenes, "endings": endings})


def test_a_thirty_scene_vignette_gives_a_readable_map_in_under_a_second():
    vignette = generated()
    assert len(vignette.scenes) == 30
    began = time.perf_counter()
    svg = map_svg(vignette)
    took = time.perf_counter() - began
    root = check_complete(vignette, svg)
    assert not overlapping(boxes(root))
    assert took < 1.0, f"{took:.2f} s"
    loops = [g for g in groups(root, "choice") if "↩" in texts(g)[0]]
    assert loops, "the loops back are drawn and marked"
    for g in groups(root, "scene"):  # long words are shortened, and kept whole in the tooltip
        assert "…" in " ".join(texts(g))
        assert "long enough to be shortened" in title_of(g)


def test_the_generated_vignette_is_one_an_author_could_write(tmp_path):
    """So the timing above is about a real vignette: the checker accepts it."""
    vignette = generated()
    data = {"id": "generated", "title": vignette.title, "module": "m99", "summary": vignette.summary,
            "client": vars(vignette.client), "setting": {"format": "in_person", "session": 1},
            "meters": {"trust": {"label": "Trust", "min": 0, "max": 10, "start": 5}}, "start": vignette.start_id,
            "scenes": {sid: {"client": s.client, "choices": [
                {"text": c.text, "skill": c.skill, "effects": dict(c.effects), "feedback": c.feedback,
                 "client_inner": c.client_inner, "next": c.next} for c in s.choices]}
                for sid, s in vignette.scenes.items()},
            "endings": {eid: {"title": e.title, "kind": e.kind, "debrief": e.debrief,
                              "discussion": list(e.discussion)} for eid, e in vignette.endings.items()}}
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    result = run_cli("map", str(path), "-o", str(tmp_path / "map.svg"))
    assert result.returncode == 0, result.stdout + result.stderr
    check_complete(vignette, (tmp_path / "map.svg").read_text())


# --------------------------------------------------------------------- the command line

def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The command in this process (a new Python per call would make the file slow); an exception
    escaping here fails the test, as a traceback would fail an author."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_the_real_command_runs_and_fails_kindly_on_a_missing_file(tmp_path):
    result = subprocess.run([sys.executable, "-m", "trustlab.vignettes", "map", str(tmp_path / "nope.yaml"),
                             "-o", str(tmp_path / "map.html")], capture_output=True, text=True)
    assert result.returncode == 2 and "not found" in result.stderr and "Traceback" not in result.stderr


def test_the_command_writes_a_page_or_a_picture(tmp_path):
    source = ROOT / "data" / "vignettes" / "first_contact.yaml"
    page, picture = tmp_path / "map.html", tmp_path / "map.svg"
    assert run_cli("map", str(source), "-o", str(page)).returncode == 0
    assert run_cli("map", str(source), "-o", str(picture)).returncode == 0
    html = page.read_text()
    assert html.startswith("<!doctype html>") and html.count("<svg") == 1
    check_complete(load_vignette("first_contact"), picture.read_text())


def test_a_series_file_gives_one_map_per_session_on_one_page(tmp_path):
    source = shipped_series()[0]
    series = load_series(source)
    result = run_cli("map", str(source), "-o", str(tmp_path / "series.html"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "series.html").read_text()
    assert page.count('class="trustlab-vignette-map"') == len(series.sessions)
    for session in series.sessions:
        assert f"({session.id})" in page
    assert run_cli("map", str(source), "-o", str(tmp_path / "series.svg")).returncode == 0
    root = ET.fromstring((tmp_path / "series.svg").read_text())
    assert len(groups(root, "legend")) == len(series.sessions)


@pytest.mark.parametrize("make, code, words", [
    (lambda d: d / "no_such_file.yaml", 2, "not found"),
    (lambda d: FIXTURES / "broken" / "yaml_syntax.yaml", 2, "does not parse"),
    (lambda d: FIXTURES / "broken" / "next_names_nothing.yaml", 1, "Fix these problems"),
], ids=["missing", "yaml", "broken"])
def test_a_missing_or_broken_file_gets_a_plain_message_and_no_map(tmp_path, make, code, words):
    result = run_cli("map", str(make(tmp_path)), "-o", str(tmp_path / "map.html"))
    assert result.returncode == code
    assert words in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "map.html").exists()


def test_an_output_that_is_neither_html_nor_svg_is_refused_kindly(tmp_path):
    result = run_cli("map", str(ROOT / "data" / "vignettes" / "first_contact.yaml"), "-o", str(tmp_path / "m.png"))
    assert result.returncode == 2 and ".html" in result.stderr and "Traceback" not in result.stderr


def test_the_map_in_the_authors_guide_is_up_to_date(tmp_path):
    """instructors/images/map-first_contact.svg is what the command draws today: regenerate it with
    python -m trustlab.vignettes map data/vignettes/first_contact.yaml -o instructors/images/map-first_contact.svg"""
    fresh = tmp_path / "map.svg"
    assert run_cli("map", str(ROOT / "data" / "vignettes" / "first_contact.yaml"), "-o", str(fresh)).returncode == 0
    assert COMMITTED_MAP.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "the map in instructors/writing-vignettes.md is out of date: run the command in this test's docstring")
    guide = (ROOT / "instructors" / "writing-vignettes.md").read_text(encoding="utf-8")
    assert "images/map-first_contact.svg" in guide
