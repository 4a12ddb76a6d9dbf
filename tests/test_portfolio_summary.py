"""The course summary at the top of the portfolio, and module 05's five-session series in it.

Each test builds a journal the way the widgets write it (a vignette entry after every choice, one
series entry after every session, the latest holding the whole series so far), exports the
portfolio, and reads it as a learner would: the text of its sections. What the summary should
say is worked out here from the entries written and from the course's own files
(data/vignettes/*.yaml, skills.yaml), never taken from the code under test.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from trustlab.journal.export import export_portfolio
from trustlab.journal.store import Journal

ROOT = Path(__file__).resolve().parent.parent
VIGNETTES = ROOT / "data" / "vignettes"
SKILLS = yaml.safe_load((VIGNETTES / "skills.yaml").read_text(encoding="utf-8"))
CHECKIN = ("I felt listened to and taken seriously", "We worked on what I wanted to work on",
           "The way we worked suits me", "All in all, today was worth my time")
METERS = ("Trust", "Openness", "Shared goals", "Working alliance")


def course_vignettes() -> list[dict]:
    """The course's stand-alone vignettes (not the sessions of a series), read straight from their files."""
    found = []
    for path in sorted(VIGNETTES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "module" in data and "series" not in data:
            found.append(data)
    return found


def vignette(vid: str) -> dict:
    return next(v for v in course_vignettes() if v["id"] == vid)


# --- building a journal as the widgets do -----------------------------------------------------------

def play(journal: Journal, module: str, key: str, title: str, skills: list[str], ending: str | None,
         ending_title: str = "", ending_kind: str = "", attempt: str = "a1") -> list[dict]:
    """A play-through: one entry per choice; the last one ended (if ``ending``). Returns its path."""
    path = [{"scene": f"s{n}", "choice": 0, "text": f"Counselor line {n} in {key}", "skill": skill}
            for n, skill in enumerate(skills, 1)]
    for step in range(1, len(path) + 1):
        done = ending is not None and step == len(path)
        journal.add("vignette", module, key, title=title, attempt=attempt, step=step, path=path[:step], ended=done,
                    ending=ending if done else None, ending_title=ending_title if done else None,
                    ending_kind=ending_kind if done else None,
                    trace=[{"step": s, "meter": "Trust", "value": 3 + s} for s in range(step + 1)], domain=[0, 10])
    return path


def session(number: int, title: str, skills: list[str], ending_kind: str, ending_title: str,
            ratings: tuple[float, float, float, float], meters: tuple[int, int, int, int]) -> dict:
    """One session as the series player records it; the total and "low" worked out here (low: under 24)."""
    return {"session": number, "vignette_id": f"five_sessions_{number}", "title": title,
            "path": [{"scene": f"s{n}", "choice": 1, "text": f"Session {number}, line {n}", "skill": skill}
                     for n, skill in enumerate(skills, 1)],
            "ending": f"end_{ending_kind}", "ending_title": ending_title, "ending_kind": ending_kind,
            "checkin": {"items": [{"id": i, "label": label, "value": value} for i, label, value
                                  in zip(("heard", "topics", "approach", "overall"), CHECKIN, ratings)],
                        "total": round(sum(ratings), 1), "low": sum(ratings) < 24},
            "meters": dict(zip(METERS, meters))}


SESSIONS = [
    session(1, "First meeting", ["warmth", "shared_humour", "risk_screen", "transparency"], "mixed",
            "Guarded, but booked", (4, 3, 4, 3.5), (4, 3, 3, 4)),
    session(2, "The back room", ["pacing", "normalizing", "reflection", "moralizing"], "positive",
            "The back room, said aloud", (7, 6, 6, 6.5), (6, 6, 5, 6)),
    session(3, "\"This isn't working\"", ["acknowledging", "misplaced_humour", "immediacy", "reflection"],
            "positive", "Repaired", (7, 6, 7, 6.5), (7, 6, 6, 7)),
    session(4, "What would be different", ["collaboration", "open_question", "reflection", "summarizing"],
            "positive", "A goal in his words", (8, 8, 8, 7.8), (8, 7, 8, 8)),
    session(5, "Looking back", ["checking_in", "shared_humour", "summarizing", "hope"], "positive",
            "Small steps, honestly counted", (9, 8, 9, 8.5), (9, 8, 8, 9)),
]
OUTCOME = {"outcome": "working_alliance", "outcome_title": "A working alliance", "outcome_kind": "good"}


def play_series(journal: Journal, sessions: list[dict], outcome: dict | None = None, attempt: str = "r1") -> None:
    """After each session: its vignette entries, then the series entry holding every session so far."""
    for n, record in enumerate(sessions, 1):
        play(journal, "m05", record["vignette_id"], record["title"], [s["skill"] for s in record["path"]],
             record["ending"], record["ending_title"], record["ending_kind"], attempt=f"{attempt}-{n}")
        last = n == len(sessions) and outcome is not None
        journal.add("series", "m05", "five_sessions", title="Five sessions with Kaveh", attempt=attempt,
                    finished=last, **(outcome if last else dict.fromkeys(OUTCOME)),
                    sessions=sessions[:n], checkin_domain=[0, 10])


def export(journal: Journal, tmp_path: Path) -> BeautifulSoup:
    page = export_portfolio(tmp_path / "portfolio.html", journal).read_text(encoding="utf-8")
    return BeautifulSoup(page, "html.parser")


def text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


def summary(page: BeautifulSoup):
    return page.find("section", id="summary")


def part(page: BeautifulSoup, heading: str) -> str:
    """The text of one part of the summary: everything after its h3 up to the next h3."""
    h3 = next(h for h in summary(page).find_all("h3") if text(h) == heading)
    words = []
    for sibling in h3.find_next_siblings():
        if sibling.name == "h3":
            break
        words.append(text(sibling))
    return " ".join(words)


def listed(page: BeautifulSoup, css: str) -> list[tuple[str, int]]:
    """A ranked skill list of the summary as (label, count), as the learner reads it."""
    rows = summary(page).select(f"ol.skills.{css} li")
    times = {"once": 1, "twice": 2}
    return [(text(li.select_one(".skill")),
             times.get(m := text(li.select_one(".count")).strip("()"), None) or int(m.split()[0])) for li in rows]


def ranked(paths: list[list[dict]], kind: str) -> list[tuple[str, int]]:
    """Expected: the skills of one kind chosen on finished paths, most first, ties by label."""
    counts = Counter(step["skill"] for path in paths for step in path)
    found = [(SKILLS[s]["label"], n) for s, n in counts.items() if SKILLS[s]["kind"] == kind]
    return sorted(found, key=lambda pair: (-pair[1], pair[0].lower()))


# --- a learner part-way through the course ----------------------------------------------------------

@pytest.fixture
def course(tmp_path: Path) -> tuple[Journal, list[list[dict]]]:
    """Modules 00, 01 and 03 played (one vignette twice, to two endings), one path left unfinished."""
    journal = Journal(tmp_path / "j.json")
    thanh, marisol, doreen = vignette("first_contact"), vignette("not_my_idea"), vignette("waste_of_money")
    ending = {v["id"]: list(v["endings"].items()) for v in (thanh, marisol, doreen)}
    finished = []

    def finish(v: dict, skills: list[str], which: int, attempt: str) -> None:
        ending_id, end = ending[v["id"]][which]
        finished.append(play(journal, v["module"], v["id"], v["title"], skills, ending_id, end["title"],
                             end["kind"], attempt=attempt))

    finish(thanh, ["warmth", "reflection", "transparency", "risk_screen", "reflection"], 0, "t1")
    finish(thanh, ["warmth", "premature_advice", "reflection", "false_reassurance", "premature_advice"], 1, "t2")
    finish(thanh, ["warmth", "reflection", "validation", "reflection", "hope"], 0, "t3")  # the same ending again
    finish(marisol, ["validation", "jargon", "open_question", "reflection"], 0, "m1")
    finish(doreen, ["acknowledging", "defensiveness", "acknowledging", "validation", "premature_advice"], 2, "d1")
    play(journal, doreen["module"], doreen["id"], doreen["title"], ["moralizing", "moralizing", "moralizing"], None,
         attempt="unfinished")
    journal.add("reflection", "m00", "m00.first_trust", prompt="Who did you trust?", text="My aunt.", share=False)
    return journal, finished


def test_the_summary_comes_first_after_the_header(course, tmp_path):
    page = export(course[0], tmp_path)
    main = page.find("main")
    assert main.find(recursive=False) is summary(page)
    assert text(summary(page).find("h2")) == "Your course at a glance"
    assert page.select_one('nav a[href="#summary"]') is not None


def test_the_top_skills_and_their_counts_are_those_of_the_finished_paths(course, tmp_path):
    journal, finished = course
    page = export(journal, tmp_path)
    builds, risks = ranked(finished, "builds"), ranked(finished, "risks")
    assert listed(page, "builds") == builds[:5]
    assert listed(page, "risks") == risks[:3]
    assert listed(page, "builds")[0] == ("Reflection", 6)  # 2 + 1 + 2 + 1 on the four paths with it
    assert listed(page, "risks")[0] == ("Premature advice", 3)
    assert "Moralizing" not in text(summary(page))  # chosen only on the unfinished path
    choices = sum(len(p) for p in finished)
    assert f"On the {len(finished)} conversations you finished, you made {choices} choices." in text(summary(page))


def test_the_pitfalls_are_introduced_kindly(course, tmp_path):
    said = part(export(course[0], tmp_path), "The skills you used most")
    assert "Everyone chooses some" in said and "safe place" in said
    for harsh in ("mistake", "wrong", "bad", "failed", "should have"):
        assert harsh not in said.lower()


def test_endings_are_listed_per_module_with_their_kinds_and_how_many_there_are(course, tmp_path):
    page = export(course[0], tmp_path)
    said = part(page, "The endings you reached")
    thanh, doreen = vignette("first_contact"), vignette("waste_of_money")
    [(_, first), (_, second)] = list(thanh["endings"].items())[:2]
    expected = (f"{thanh['title']} (2 of its {len(thanh['endings'])} endings): {first['title']} ({first['kind']}), "
                f"{second['title']} ({second['kind']})")
    assert expected in said
    assert said.count(first["title"]) == 1  # reached twice, listed once
    third = list(doreen["endings"].values())[2]
    assert f"{doreen['title']} (1 of its {len(doreen['endings'])} endings): {third['title']} ({third['kind']})" in said
    assert said.index("Module 00") < said.index("Module 01") < said.index("Module 03")


def test_the_summary_says_kindly_what_is_still_ahead(course, tmp_path):
    said = part(export(course[0], tmp_path), "The endings you reached")
    played = {"first_contact", "not_my_idea", "waste_of_money"}
    ahead = [v for v in course_vignettes() if v["id"] not in played]
    for v in ahead:
        assert v["title"] in said, v["title"]
    modules_with_none = {v["module"] for v in ahead} - {"m00", "m01", "m03"}
    before, _, after = said.partition("Still ahead, whenever you are ready:")
    for module in modules_with_none:
        assert f"Module {module[1:]}:" in after
    other_m01 = [v["title"] for v in ahead if v["module"] == "m01"]
    assert f"Not played yet here: {'; '.join(other_m01)}." in before


def test_no_series_yet_is_said_plainly(course, tmp_path):
    said = part(export(course[0], tmp_path), "Your five sessions")
    series = yaml.safe_load((VIGNETTES / "series" / "five_sessions.yaml").read_text(encoding="utf-8"))
    assert f"You have not started {series['title']} yet (Module 05)" in said
    assert export(course[0], tmp_path).find("svg", attrs={"aria-label": re.compile("check-in")}) is None


# --- the five sessions ------------------------------------------------------------------------------

def test_a_finished_series_shows_each_session_and_the_outcome_in_the_summary(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS, OUTCOME)
    page = export(journal, tmp_path)
    rows = [text(li) for li in summary(page).select("ol.series-path li")]
    assert rows == [f"Session {s['session']}: {s['title']}: {s['ending_title']} ({s['ending_kind']}); "
                    f"check-in {sum(i['value'] for i in s['checkin']['items']):g} of 40" for s in SESSIONS]
    said = part(page, "Your five sessions")
    assert "Outcome: A working alliance (good), after session 5." in said
    assert "In progress" not in said


def test_the_series_sessions_count_in_the_skills_and_endings(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS, OUTCOME)
    page = export(journal, tmp_path)
    paths = [s["path"] for s in SESSIONS]
    assert listed(page, "builds") == ranked(paths, "builds")[:5]
    assert ("Shared humour", 2) in listed(page, "builds")
    assert listed(page, "risks") == [("Misplaced humour", 1), ("Moralizing", 1)]
    assert "Module 05" in part(page, "The endings you reached")


def test_module_05_shows_each_session_with_its_skills_checkin_and_meters(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS, OUTCOME)
    page = export(journal, tmp_path)
    module = page.find("section", id="m05")
    [article] = [a for a in module.select("article") if a.find("h4")
                 and text(a.find("h4")) == "Five sessions with Kaveh"]
    sessions = article.select("div.session")
    assert [text(s.find("h5")) for s in sessions] == [f"Session {s['session']}: {s['title']}" for s in SESSIONS]
    for shown, record in zip(sessions, SESSIONS):
        said = text(shown)
        assert f"Ending: {record['ending_title']} ({record['ending_kind']})" in said
        assert [text(tag) for tag in shown.select(".tag")] == [SKILLS[p["skill"]]["label"] for p in record["path"]]
        ratings = [[text(td) for td in tr.find_all("td")] for tr in shown.select("tbody tr")]
        assert ratings == [[i["label"], f"{i['value']:g}"] for i in record["checkin"]["items"]]
        assert f"Check-in total: {sum(i['value'] for i in record['checkin']['items']):g} of 40." in said
    low = [text(s) for s in sessions if "It was low" in text(s)]
    assert len(low) == 1 and low[0].startswith("Session 1")  # 14.5 of 40: the only total under 24
    meter_table = next(t for t in article.find_all("table") if "Meter" in text(t.find("thead")))
    values = {text(tr.th): [int(text(td)) for td in tr.find_all("td")] for tr in meter_table.select("tbody tr")}
    assert values == {m: [s["meters"][m] for s in SESSIONS] for m in METERS}


def test_the_checkin_chart_is_accessible_inline_svg_with_one_bar_per_session(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS, OUTCOME)
    page = export(journal, tmp_path)
    [svg] = [s for s in page.find_all("svg") if s.find("title") and "Check-in" in text(s.find("title"))]
    assert svg.get("role") == "img" and svg.find("desc") is not None
    described = svg["aria-label"]
    totals = [sum(i["value"] for i in s["checkin"]["items"]) for s in SESSIONS]
    for n, total in enumerate(totals, 1):
        assert f"session {n}, {total:g}" in described
    assert len(svg.find_all("rect")) == 5
    heights = [float(r["height"]) for r in svg.find_all("rect")]
    assert heights == sorted(heights) and heights[0] < heights[-1]  # his check-ins rose, session by session
    assert svg.find("script") is None and svg.find("image") is None


def test_a_half_finished_series_shows_three_sessions_and_no_outcome(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS[:3])
    page = export(journal, tmp_path)
    said = part(page, "Your five sessions")
    assert len(summary(page).select("ol.series-path li")) == 3
    assert "In progress: you have played 3 sessions so far" in said and "Outcome" not in said
    module = page.find("section", id="m05")
    assert len(module.select("div.session")) == 3  # the latest entry only: not 1 + 2 + 3 sessions
    assert len(module.select("svg rect")) == 3
    assert "after session 3" not in said


def test_a_dropout_is_told_without_blame(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS[:3], {"outcome": "dropped_out", "outcome_title": "Kaveh stops coming",
                                        "outcome_kind": "dropout"})
    said = part(export(journal, tmp_path), "Your five sessions")
    assert "Outcome: Kaveh stops coming (dropout), after session 3." in said
    assert "not a mark against you" in said and "play the series again" in said


def test_a_second_run_is_summed_up_by_its_latest_entry(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS, OUTCOME, attempt="r1")
    play_series(journal, SESSIONS[:2], attempt="r2")
    page = export(journal, tmp_path)
    said = part(page, "Your five sessions")
    assert "In progress: you have played 2 sessions so far" in said and "your latest of 2 runs" in said
    assert len(page.find("section", id="m05").select("article div.session")) == 5 + 2


# --- safety and the edges ---------------------------------------------------------------------------

def test_text_in_entries_is_escaped_everywhere_in_the_summary(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play(journal, "m00", "first_contact", "<b>Thanh</b> & me", ["warmth"], "door_open", "<script>x()</script>",
         "positive")
    sneaky = [dict(SESSIONS[0], title="<img src=x onerror=alert(1)>", ending_title="<i>oops</i>")]
    play_series(journal, sneaky)
    html = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<i>oops" not in html
    assert "&lt;b&gt;Thanh&lt;/b&gt; &amp; me" in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    said = text(summary(BeautifulSoup(html, "html.parser")))
    assert "<img src=x onerror=alert(1)>" in said  # shown as the words they are


def test_an_empty_journal_gets_a_friendly_summary(tmp_path):
    page = export(Journal(tmp_path / "empty.json"), tmp_path)
    said = text(summary(page))
    assert "Once you finish a vignette" in said and "No endings reached yet" in said
    assert "You have not started Five sessions with Kaveh yet" in said
    for v in course_vignettes():
        assert v["title"] in said
    assert "None" not in said and "Traceback" not in said and page.find("svg") is None
    assert "Your journal is empty so far" in text(page.find("main"))


def test_only_module_00_done_reads_well(tmp_path):
    journal = Journal(tmp_path / "j.json")
    thanh = vignette("first_contact")
    ending_id, end = next(iter(thanh["endings"].items()))
    path = play(journal, "m00", "first_contact", thanh["title"], ["warmth", "reflection", "reflection"], ending_id,
                end["title"], end["kind"])
    page = export(journal, tmp_path)
    said = text(summary(page))
    assert listed(page, "builds") == [("Reflection", 2), ("Warmth", 1)] == ranked([path], "builds")
    assert "None of your choices on these paths was one of the common pitfalls." in said
    assert "On the 1 conversation you finished, you made 3 choices." in said
    assert "Still ahead, whenever you are ready:" in said
    for module in sorted({v["module"] for v in course_vignettes()} - {"m00"}):
        assert f"Module {module[1:]}:" in said


def test_a_damaged_series_entry_costs_a_sentence_not_the_portfolio(tmp_path):
    journal = Journal(tmp_path / "j.json")
    journal.add("series", "m05", "five_sessions", title="Five sessions with Kaveh", attempt="x", finished=False,
                sessions=[{"session": 1, "checkin": {"items": "not a list", "total": "?"}, "meters": "odd"}, 7],
                checkin_domain="nonsense")
    journal.add("reflection", "m00", "m00.first_trust", prompt="Who?", text="Still here.", share=False)
    page = export(journal, tmp_path)
    assert "Still here." in text(page) and text(summary(page).find("h2")) == "Your course at a glance"


def test_the_summary_and_series_load_nothing_from_the_network(tmp_path):
    journal = Journal(tmp_path / "j.json")
    play_series(journal, SESSIONS, OUTCOME)
    html = export_portfolio(tmp_path / "p.html", journal).read_text(encoding="utf-8")
    without_namespaces = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", html)
    assert "http://" not in without_namespaces and "https://" not in without_namespaces
    assert "<link" not in html and "url(" not in html and "@import" not in html
