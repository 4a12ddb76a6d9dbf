"""What every notebook of the course must be: clean, set up the same way, and complete."""

from __future__ import annotations

import json

import nbformat
import pytest

from trustlab.paths import course_root

ROOT = course_root()

NOTEBOOKS = sorted(p for folder in ("notebooks", "solutions", "exercises") for p in (ROOT / folder).glob("*.ipynb"))
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KEEP_OUTPUT = "nbval-check-output"


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


def test_there_is_a_start_here_lesson_with_solutions_and_exercises():
    assert (ROOT / "notebooks" / "00_start_here.ipynb").exists()
    assert (ROOT / "solutions" / "00_solutions_start_here.ipynb").exists()
    assert (ROOT / "exercises" / "00_exercises_start_here.ipynb").exists()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebooks_are_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or KEEP_OUTPUT in cell.metadata.get("tags", []):
            continue
        assert cell.outputs == [] and cell.execution_count is None, \
            f"{path.name} cell {index + 1} has stored output: clear outputs before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_kept_outputs_are_there_on_purpose(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if KEEP_OUTPUT in cell.metadata.get("tags", []):
            assert cell.outputs, f"{path.name}: a cell tagged {KEEP_OUTPUT} needs its expected output stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_first_code_cell_is_the_course_setup(path):
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "setup()" in first.source and "from trustlab import" in first.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebooks_use_the_course_kernel(path):
    spec = json.loads(path.read_text())["metadata"]["kernelspec"]
    assert spec["name"] == "python3"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_lessons_follow_the_anatomy(path):
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    for heading in ("Objectives", "Content note", "Key points", "References"):
        assert heading.lower() in text.lower(), f"{path.name} lacks a '{heading}' section"
    assert "doi" in text.lower(), f"{path.name}: references need DOIs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_code_lines_fit_the_cell_at_1280_px(path):
    """About 95 monospace characters fit a code cell at 1280 px; longer lines scroll sideways."""
    nb = nbformat.read(path, as_version=4)
    long = [(i + 1, line) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for line in cell.source.split("\n") if len(line) > 95]
    assert long == [], f"{path.name}: shorten these code lines: {long}"
