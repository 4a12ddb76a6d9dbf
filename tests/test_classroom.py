"""The class debrief, on a class of simulated learners who worked the real course.

Thirty-two learners play the shipped vignettes through the player, answer the real checks
(some wrong at first), rate drills, play the five-session series, and hand in class files
written by the real ``export_for_class`` from their own journals. The folder also holds
files that must not count. Every count the debrief should show is recomputed here from
what the simulation did (never from the debrief's code), then looked for in the page.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from collections import Counter
from html import escape
from pathlib import Path

import pytest

from trustlab.classroom import debrief_html, read_folder
from trustlab.classroom.cli import main
from trustlab.classroom.simulate import Course, simulate_learner
from trustlab.journal.export import export_for_class
from trustlab.journal.store import Journal

LEARNERS = 32
BAD = {"cut-short.json": "not valid JSON", "wrong-types.json": "vignettes", "from-the-future.json": "newer version",
       "notes.json": "not a class file", "portfolio.html": "not a class file"}


def few(n: int) -> str:
    return "fewer than 3" if n < 3 else str(n)


@pytest.fixture(scope="module")
def handed_in(tmp_path_factory):
    """(folder, what each learner did, their codes)."""
    folder = tmp_path_factory.mktemp("class")
    memory = "/dev/shm" if Path("/dev/shm").is_dir() else None  # every save is a real commit: tmpfs is 30x faster
    course, rng, did, codes = Course(), random.Random(18), [], []
    with tempfile.TemporaryDirectory(dir=memory) as journals, pytest.MonkeyPatch.context() as mp:
        for n in range(LEARNERS):
            mp.setenv("TRUSTLAB_JOURNAL", str(Path(journals) / f"learner-{n}.sqlite3"))
            journal = Journal()
            did.append(simulate_learner(course, journal, rng))
            codes.append(journal.read()["learner_code"])
            if n == 0:  # learner 0 hands in twice: an early file (dated yesterday, nothing in it) and the real one
                early = json.loads(export_for_class(folder / "early.json").read_text())
                early.update(exported="2000-01-01", vignettes=[], checks=[], series=[])
                (folder / "early.json").write_text(json.dumps(early))
            export_for_class(folder / f"hand-in-{n:02d}.json")
    sample = (folder / "hand-in-01.json").read_text()
    (folder / "cut-short.json").write_text(sample[: len(sample) // 2])
    (folder / "wrong-types.json").write_text(json.dumps({**json.loads(sample), "learner_code": "L-OTHER1",
                                                         "vignettes": "all of them"}))
    (folder / "from-the-future.json").write_text(json.dumps({**json.loads(sample), "version": 99}))
    (folder / "notes.json").write_text(json.dumps({"todo": ["bring snacks"]}))
    (folder / "portfolio.html").write_text("<!DOCTYPE html><p>My journal</p>")
    return folder, did, codes


@pytest.fixture(scope="module")
def page(handed_in):
    return debrief_html(read_folder(handed_in[0]))


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</section>", start)]


def first_finished(plays: list[dict]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for play in plays:
        if play["ending"] and play["vignette"] not in found:
            found[play["vignette"]] = play
    return found


def test_each_learner_counts_once_and_the_rest_are_skipped_with_the_reason(handed_in, page, capsys):
    folder = handed_in[0]
    assert f"Made from <strong>{LEARNERS}</strong> class files" in page
    for name, reason in BAD.items():
        assert re.search(rf"<code>{re.escape(name)}</code>: [^<]*{reason}", page), name
    assert "<code>early.json</code>" in page and "only the latest counts" in page
    assert main(["report", str(folder), "-o", str(folder.parent / "out" / "debrief.html")]) == 0
    err = capsys.readouterr().err
    assert all(f"skipped {name}:" in err for name in BAD) and "not counted early.json" in err
    assert "Traceback" not in err


def test_no_learner_code_and_no_private_text_reaches_the_page(handed_in, page):
    _, _, codes = handed_in
    assert not any(code in page for code in codes) and "L-OTHER1" not in page
    assert not re.search(r"L-[A-Z0-9]{6}", page)
    assert "Something I keep to myself" not in page and "2000-01-01" not in page


def test_every_vignette_map_and_table_shows_the_learners_counted_from_the_simulation(handed_in, page):
    from trustlab.vignettes.validate import load_vignette

    _, did, _ = handed_in
    firsts = [first_finished(d.plays) for d in did]
    vids = {v for f in firsts for v in f}
    assert len(vids) >= 8
    for vid in vids:
        plays = [f[vid] for f in firsts if vid in f]
        vignette, part = load_vignette(vid), section(page, f"vignette-{vid}")
        assert f"<strong>{len(plays)}</strong> learners finished" in part
        endings = Counter(p["ending"] for p in plays)
        for eid, ending in vignette.endings.items():
            assert (f"<td>{escape(ending.title)}</td><td>{ending.kind}</td><td class=\"n\">{few(endings[eid])}</td>"
                    in part), (vid, eid)
        taken = Counter((s, i) for p in plays for s, i in {(s, i) for s, i, _ in p["choices"]})
        for sid, scene in vignette.scenes.items():
            for i in range(len(scene.choices)):
                arrow = re.search(rf'<g class="choice[^"]*" data-scene="{sid}" data-index="{i}".*?</g>', part, re.S)
                assert arrow and f">{few(taken[(sid, i)])}</text>" in arrow[0], (vid, sid, i)
        skills = Counter(s for p in plays for s in {k for _, _, k in p["choices"]})
        assert all(f"<td class=\"n\">{few(n)}</td>" in part for n in skills.values())
    assert "fewer than 3" in page


def test_knowledge_checks_show_the_share_right_at_the_first_try_and_the_common_wrong_answer(handed_in, page):
    _, did, _ = handed_in
    keys = {k for d in did for k in d.answers}
    for key in keys:
        firsts = [d.answers[key][0] for d in did if key in d.answers]
        right = sum(ok for _, ok in firsts)
        row = re.search(rf"\({re.escape(key)}\)</span></td>(.*?)</tr>", page, re.S)[1]
        n = len(firsts)
        share = f"{round(100 * right / n)}% ({right} of {n})" if right >= 3 else f"fewer than 3 of {n}"
        assert f'<td class="n">{n}</td><td>{share}</td>' in row, key
        wrong = Counter(a for a, ok in firsts if not ok)
        top = max((c for c in wrong.values() if c >= 3), default=0)
        for letter, count in wrong.items():
            assert (f"{letter}: “" in row) == (count == top and top >= 3), (key, letter)
        if top:
            assert f"({top} learners)" in row


def test_drills_by_level_and_shared_texts(handed_in, page):
    _, did, _ = handed_in
    for module in ("m01", "m03"):
        start = page.index(f'<section class="module" id="{module}">')
        part = page[start:page.index('<section class="module"', start + 1)]
        for level in ("beginner", "intermediate", "advanced"):
            mine = [(n, d) for n, learner in enumerate(did) for k, d in learner.drills.items()
                    if k.startswith(f"{module}.") and d["level"] == level]
            ratings = [d["rating"] for _, d in mine if d["rating"] is not None]
            raters = {n for n, d in mine if d["rating"] is not None}
            mean = f"{sum(ratings) / len(ratings):.1f} of 5" if len(raters) >= 3 else "(fewer than 3 learners rated)"
            felt = [few(len({n for n, d in mine if d["felt"] == f})) for f in ("too_easy", "about_right", "too_hard")]
            cells = "".join(f'<td class="n">{c}</td>' for c in [few(len({n for n, _ in mine})), mean, *felt])
            assert f"<td>{level}</td>{cells}" in part, (module, level)
    shared = Counter(t for d in did for t in d.shared.values())
    assert shared and all(page.count(f"<blockquote>{escape(t)}</blockquote>") == n for t, n in shared.items())


def test_the_series_outcomes_are_counted(handed_in, page):
    _, did, _ = handed_in
    runs = [next((r for r in d.series if r["finished"]), d.series[-1]) for d in did if d.series]
    part = section(page, "series-five_sessions")
    assert f"at least one session: <strong>{few(len(runs))}</strong>" in part
    outcomes = Counter(r["outcome"] for r in runs if r["finished"])
    from trustlab.vignettes.series import load_series
    for oid, outcome in load_series("five_sessions").outcomes.items():
        assert f"<td>{escape(outcome.title)}</td><td>{outcome.kind}</td><td class=\"n\">{few(outcomes[oid])}</td>" in part
    firsts = Counter(s["ending"] for r in runs for s in r["sessions"][:1])
    assert all(f'<td class="n">{few(n)}</td>' in part for n in firsts.values())


def test_an_empty_or_missing_folder_is_a_plain_message(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nowhere"), "-o", str(tmp_path / "d.html")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty"), "-o", str(tmp_path / "d.html")]) == 1
    assert "No class file could be counted" in (tmp_path / "d.html").read_text()


def test_a_version_1_file_still_counts_but_not_for_first_tries(handed_in, tmp_path):
    record = json.loads((handed_in[0] / "hand-in-02.json").read_text())
    record.update(version=1, checks=[{k: c[k] for k in ("key", "answer", "correct")} for c in record["checks"]])
    record.pop("series")
    for n in range(3):
        (tmp_path / f"old-{n}.json").write_text(json.dumps({**record, "learner_code": f"L-OLD00{n}"}))
    found = read_folder(tmp_path)
    assert len(found.files) == 3 and not found.skipped
    html = debrief_html(found)
    assert "from the earlier format" in html and "Right at the first try" not in html
    assert "<strong>3</strong> learners finished" in html  # their paths still count


def test_the_instructors_notebook_runs_on_the_example_folder(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "instructors" / "class_debrief.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit it without outputs"
    (tmp_path / "example-class").symlink_to(root / "instructors" / "example-class")  # its debrief.html lands here
    NotebookClient(nb, timeout=60, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert (tmp_path / "debrief.html").is_file()
    text = "".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Traceback" not in text and "20 class files counted" in text
