"""Faults (issue 13): kill -9 in the middle of writing, and two or four notebooks writing at once.

Each writer is a separate process (as each notebook's kernel is) that prints an entry's id
only after ``Journal.add`` returned: that is an acknowledged save. Afterwards every
acknowledged entry must be in the journal, the database must be whole, and nothing may be
left beside it (no temporary file, no lock file, no leftover rollback journal).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from trustlab.journal import Journal, store

WRITER = """
import sys
from trustlab.journal import Journal
journal = Journal(sys.argv[1])
name, count, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(count):
    entry = journal.add("reflection", "m00", f"{name}.{i}", prompt="P", text=f"{name} {i} " + "x" * size, share=False)
    print(entry["id"], flush=True)  # acknowledged: the save returned
"""


ROUNDS = 12


class Writer:
    """One writing process, and the ids it acknowledged (read as they come, so a kill loses none of them)."""

    def __init__(self, path: Path, name: str, count: int, size: int):
        self.process = subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count), str(size)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.acked: list[str] = []
        self.first = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            if line.endswith("\n"):  # a whole line: printed after the save returned
                self.acked.append(line.strip())
                self.first.set()
        self.first.set()

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.wait()

    def wait(self) -> int:
        code = self.process.wait(timeout=180)
        self._reader.join(timeout=30)
        return code


def settle(path: Path) -> list[dict]:
    """Open the journal as the next kernel would, and return every entry."""
    store.forget_state()
    return Journal(path).entries()


def assert_whole_and_alone(path: Path) -> None:
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_kill_9_in_the_middle_of_writing_loses_no_acknowledged_entry(tmp_path):
    path = tmp_path / "journal.sqlite3"
    rng = random.Random(13)
    acked: list[str] = []
    interrupted = 0
    for round_ in range(ROUNDS):
        writer = Writer(path, f"round{round_}", count=10**6, size=rng.choice([2_000, 200_000]))
        assert writer.first.wait(timeout=60), writer.process.stderr.read()
        time.sleep(rng.uniform(0, 0.15))
        writer.kill()
        interrupted += Path(f"{path}-journal").exists()  # killed inside a commit: SQLite rolls it back
        acked += writer.acked
        assert writer.acked, "the writer acknowledged nothing before it was killed"
    found = {e["id"] for e in settle(path)}
    assert set(acked) <= found, f"{len(set(acked) - found)} acknowledged entries are missing"
    assert not list(tmp_path.glob("*unreadable*"))
    assert_whole_and_alone(path)
    print(f"{len(acked)} acknowledged entries over {ROUNDS} kills, {interrupted} of them inside a commit")


@pytest.mark.parametrize("writers", [2, 4])
def test_notebooks_writing_at_once_keep_every_entry(tmp_path, writers):
    path = tmp_path / "journal.sqlite3"
    count = 60
    running = [Writer(path, f"kernel{n}", count=count, size=3_000) for n in range(writers)]
    assert [w.wait() for w in running] == [0] * writers, [w.process.stderr.read() for w in running]
    entries = settle(path)
    assert len(entries) == writers * count
    assert {e["key"] for e in entries} == {f"kernel{n}.{i}" for n in range(writers) for i in range(count)}
    assert {e["id"] for e in entries} == {i for w in running for i in w.acked}
    assert_whole_and_alone(path)


def test_a_kernel_killed_while_three_others_write_costs_nobody_an_entry(tmp_path):
    path = tmp_path / "journal.sqlite3"
    steady = [Writer(path, f"kernel{n}", count=60, size=3_000) for n in range(3)]
    doomed = Writer(path, "doomed", count=10**6, size=100_000)
    assert doomed.first.wait(timeout=60)
    time.sleep(0.3)
    doomed.kill()
    assert [w.wait() for w in steady] == [0, 0, 0], [w.process.stderr.read() for w in steady]
    found = {e["id"] for e in settle(path)}
    assert {i for w in (*steady, doomed) for i in w.acked} <= found
    assert sum(e.startswith("kernel") for e in (x["key"] for x in Journal(path).entries())) == 180
    assert_whole_and_alone(path)
