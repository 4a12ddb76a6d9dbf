"""Hostile and huge vignette files: refused or summarised at once, never a hang or a traceback.

Issue 13, items 9 and 12: a YAML alias bomb hung the checker, deep nesting ended in a
RecursionError, and ``paths`` on a valid vignette of 30 two-way decisions (2^30 paths)
ran for minutes with no output. Each case runs the real command in a subprocess with a
timeout, so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from trustlab.content import ContentError, read_document
from trustlab.vignettes import all_paths, load_vignette
from trustlab.vignettes.cli import shipped
from trustlab.vignettes.model import PathIndex

FIXTURES = Path(__file__).parent / "fixtures" / "vignettes"
UNREADABLE = sorted((FIXTURES / "unreadable").glob("*.yaml"))
FAST = 2.0  # seconds for a whole run, Python's start-up included (about 0.3 s on the course machine)


def run_timed(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "trustlab.vignettes", *args],
                            capture_output=True, text=True, timeout=60)
    return result, time.perf_counter() - start


def expected_line(path: Path) -> str:
    first = path.read_text().split("\n", 1)[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return f"{path}: {first[len('# expect: '):]}"


# --- item 9: aliases and deep nesting -----------------------------------------------------------

@pytest.mark.parametrize("path", UNREADABLE, ids=lambda p: p.stem)
def test_anchors_and_aliases_are_refused_at_once_with_one_line(path):
    result, seconds = run_timed("check", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.splitlines() == [expected_line(path)]
    assert "Traceback" not in result.stderr
    assert seconds < FAST, f"took {seconds:.2f} s"


def nested_flow(depth: int) -> str:
    return "id: deep\nscenes: " + "[" * depth + "]" * depth + "\n"


def nested_blocks(depth: int) -> str:
    return "id: deep\n" + "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "end\n"


@pytest.mark.parametrize("text", [nested_flow(10_000), nested_blocks(1_000)], ids=["brackets", "indentation"])
def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path, text):
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    result, seconds = run_timed("check", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}: line ") and "levels deep" in line and "indentation" in line, line
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr
    assert seconds < FAST, f"took {seconds:.2f} s"


def test_a_recursive_alias_in_a_notebook_load_is_a_content_error_not_a_traceback():
    with pytest.raises(ContentError, match="anchors and aliases"):
        load_vignette(FIXTURES / "unreadable" / "recursive_alias.yaml")


def test_the_shipped_nesting_is_far_below_the_limit():
    """Every shipped content file still reads: the limits refuse nothing an author writes."""
    root = Path(__file__).parent.parent / "data"
    files = sorted(root.glob("*/*.yaml"))
    assert len(files) >= 6
    for path in files:
        read_document(path)


# --- item 12: a billion paths -------------------------------------------------------------------

def diamond(layers: int, loop_back: bool = False) -> dict:
    """A valid vignette of ``layers`` two-way decisions: the start scene, then two scenes per
    layer, each with one choice to each scene of the next layer: 2**layers paths of ``layers``
    choices. ``loop_back`` adds a third choice in the last layer back to the start."""
    def choice(skill: str, nxt: str, change: int) -> dict:
        return {"text": f"You respond ({skill}).", "skill": skill, "effects": {"trust": change},
                "feedback": "Feedback for the author's test.", "client_inner": "What the client felt.", "next": nxt}

    def layer(k: int) -> list[str]:
        return ["start_here"] if k == 0 else [f"layer{k}_a", f"layer{k}_b"]

    scenes = {}
    for k in range(layers):
        ahead = layer(k + 1) if k + 1 < layers else ["warm", "cold"]
        for sid in layer(k):
            choices = [choice("warmth", ahead[0], 1), choice("judging", ahead[1], -1)]
            if loop_back and k == layers - 1:
                choices.append(choice("reflection", "start_here", 0))
            scenes[sid] = {"client": f"The client speaks in {sid}.", "choices": choices}
    ending = {"title": "An ending", "debrief": "What happened.", "discussion": ["What would you do?"]}
    return {
        "id": "diamond", "title": "Many decisions", "module": "m99", "summary": "A test of many paths.",
        "client": {"name": "Test Client", "pronouns": "they/them", "age": 30, "background": "A test.",
                   "reason": "A test.", "fears": "A test."},
        "setting": {"format": "in_person", "session": 1},
        "meters": {"trust": {"label": "Trust", "min": 0, "max": 10, "start": 5}},
        "start": "start_here", "scenes": scenes,
        "endings": {"warm": {**ending, "kind": "positive"}, "cold": {**ending, "kind": "troubled"}},
    }


class _NoAliases(yaml.SafeDumper):
    """Write shared parts out in full: the checker refuses anchors and aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def write_diamond(folder: Path, layers: int, loop_back: bool = False) -> Path:
    path = folder / "diamond.yaml"
    path.write_text(yaml.dump(diamond(layers, loop_back), Dumper=_NoAliases, sort_keys=False))
    return path


def path_headers(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("Path ")]


def test_paths_on_a_billion_path_vignette_counts_them_and_shows_a_sample_at_once(tmp_path):
    path = write_diamond(tmp_path, 30)
    result, seconds = run_timed("paths", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert seconds < FAST, f"took {seconds:.2f} s"
    total = f"{2 ** 30:,}"
    assert result.stdout.splitlines()[-1] == f"{total} paths; longest has 30 choices; endings reached: positive, troubled."
    headers = path_headers(result.stdout)
    assert 5 <= len(headers) <= 12 and len(set(headers)) == len(headers)
    assert all(f" of {total}" in h for h in headers)
    assert sum("(the longest)" in h for h in headers) == 1
    # each path shown is a whole path: a start line, then one line per choice
    assert result.stdout.count("  start ") == len(headers)
    assert result.stdout.count("  choice ") == 30 * len(headers)


def test_paths_on_a_looping_vignette_with_too_many_paths_stops_at_the_limit(tmp_path):
    path = write_diamond(tmp_path, 12, loop_back=True)
    result, seconds = run_timed("paths", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert seconds < FAST, f"took {seconds:.2f} s"
    assert result.stdout.startswith("More than 1,000 paths")
    assert result.stdout.splitlines()[-1].startswith("more than 1,000 paths; longest of the first found has 12 choices")
    assert 5 <= len(path_headers(result.stdout)) <= 12


def test_the_path_index_numbers_paths_as_all_paths_lists_them(tmp_path):
    vignette = load_vignette(write_diamond(tmp_path, 5))
    index = PathIndex.of(vignette)
    runs = all_paths(vignette)
    assert index.total == len(runs) == 2 ** 5
    for number, run in enumerate(runs, start=1):
        assert [s.index for s in index.run(number).history] == [s.index for s in run.history]
    longest = max(len(r.history) for r in runs)
    assert len(index.run(index.longest()).history) == longest


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_the_path_index_agrees_with_listing_on_the_shipped_vignettes(path):
    vignette = load_vignette(path)
    index = PathIndex.of(vignette)
    if index is None:  # its scenes loop: paths are listed, not counted ahead
        return
    runs = all_paths(vignette)
    assert index.total == len(runs)
    assert [s.index for s in index.run(len(runs)).history] == [s.index for s in runs[-1].history]


def test_a_vignette_that_loops_has_no_path_index():
    assert PathIndex.of(load_vignette(FIXTURES / "mini.yaml")) is None  # sleep can lead back to arrival
