"""The vignette checker: exit codes, and one exact FILE: LOCATION: PROBLEM line per mistake."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "vignettes"
BROKEN = sorted((FIXTURES / "broken").glob("*.yaml"))


def run_checker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trustlab.vignettes", *args], capture_output=True, text=True)


def expected_line(path: Path) -> str:
    """Each broken fixture states, on its first line, the problem line the checker must print."""
    first = path.read_text().split("\n", 1)[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: '"
    return f"{path}: {first[len('# expect: '):]}"


def test_every_shipped_vignette_is_valid():
    result = run_checker("check")
    assert result.returncode == 0, result.stdout
    assert "all valid" in result.stdout


def test_the_small_fixture_is_valid():
    assert run_checker("check", str(FIXTURES / "mini.yaml")).returncode == 0


@pytest.mark.parametrize("path", [p for p in BROKEN if p.stem != "yaml_syntax"], ids=lambda p: p.stem)
def test_broken_vignette_gets_exit_1_and_its_exact_problem_line(path):
    result = run_checker("check", str(path))
    assert result.returncode == 1, result.stdout
    assert expected_line(path) in result.stdout.splitlines(), result.stdout


def test_yaml_that_does_not_parse_gets_exit_2_with_the_line():
    path = FIXTURES / "broken" / "yaml_syntax.yaml"
    result = run_checker("check", str(path))
    assert result.returncode == 2
    assert result.stdout.startswith(expected_line(path)), result.stdout


def test_a_missing_file_gets_exit_2():
    result = run_checker("check", "no/such/vignette.yaml")
    assert result.returncode == 2 and "no/such/vignette.yaml: file not found" in result.stdout


def test_one_line_per_problem_and_every_line_names_file_and_location():
    result = run_checker("check", *map(str, BROKEN))
    assert result.returncode == 2  # the worst of 1 and 2
    for line in result.stdout.splitlines():
        assert re.match(r"^\S+\.yaml: [^:]+: .+", line), line


def test_two_files_with_the_same_id_are_reported(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "mini.yaml").write_text((FIXTURES / "mini.yaml").read_text())
    result = run_checker("check", str(tmp_path / "a" / "mini.yaml"), str(tmp_path / "b" / "mini.yaml"))
    assert result.returncode == 1
    assert f"{tmp_path / 'b' / 'mini.yaml'}: id: 'mini' is also the id of {tmp_path / 'a' / 'mini.yaml'}" in result.stdout


def test_id_must_match_the_file_name(tmp_path):
    path = tmp_path / "other.yaml"
    path.write_text((FIXTURES / "mini.yaml").read_text())
    result = run_checker("check", str(path))
    assert f"{path}: id: is 'mini' but the file is other.yaml; rename one so they match (line 3)" in result.stdout


def test_paths_lists_every_path_with_meters():
    result = run_checker("paths", str(FIXTURES / "mini.yaml"))
    assert result.returncode == 0
    out = result.stdout
    assert "5 paths; longest has 2 choices; endings reached: mixed, positive, troubled." in out
    assert "Path 5 of 5: arrival → walked_out (troubled)" in out
    # warmth (+1) then reflection (+2) from trust 5
    assert re.search(r"arrival +choice 1 +warmth +Trust 6, Openness 9\n +sleep +choice 1 +reflection +Trust 8", out)


def test_paths_on_a_broken_file_lists_its_problems():
    result = run_checker("paths", str(FIXTURES / "broken" / "unknown_skill.yaml"))
    assert result.returncode == 1 and "reflecton" in result.stdout
