"""The journal's benchmark (tests/bench_journal.py) on small sizes: the cost of a save does not grow with
the journal, and a whole course's portfolio is quick. The large figures come from running it by hand."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import bench_journal  # noqa: E402  -- a script beside the tests, named so that pytest does not collect it


def test_saves_stay_flat_and_a_whole_course_exports_quickly():
    figures = bench_journal.run(small_size=100, large_size=3_000, repeats=21, modules=bench_journal.MODULES)
    assert figures["save_ratio"]["add"] < bench_journal.TARGET_SAVE_RATIO, figures
    assert figures["save_ratio"]["reflection"] < bench_journal.TARGET_SAVE_RATIO, figures
    course = figures["course"]
    assert course["charts"] == bench_journal.MODULES * bench_journal.VIGNETTES_PER_MODULE * bench_journal.FINISHES
    assert course["portfolio"] < bench_journal.TARGET_COURSE_SECONDS, figures
    assert figures["large"]["portfolio"] < bench_journal.TARGET_LARGE_SECONDS * 3_000 / 20_000, figures


def test_the_script_reports_every_target(capsys):
    assert bench_journal.main(["--small"]) == 0
    out = capsys.readouterr().out
    assert "save at    100 entries" in out and "portfolio of course" in out and "all targets met" in out
