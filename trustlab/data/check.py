"""``python -m trustlab.data check``: every CSV matches the schema and a fresh rebuild.

Schema conformance is checked by Frictionless, the reference implementation of the
Data Package standard that data/datapackage.json follows; reproducibility by
regenerating every dataset in memory and comparing the bytes.
"""

from __future__ import annotations

import csv
import io
import warnings

from trustlab.data import build, schema

MAX_BYTES = 1024 * 1024


def schema_problems(limit: int = 20) -> list[str]:
    """Frictionless's findings, one line per problem: ``FILE: line N, column C: problem``."""
    import frictionless

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(schema.package_path()))
    problems = [f"{schema.package_path()}: {err.message}" for err in report.errors]
    for task in report.tasks:
        path = schema.csv_path(task.name) if task.name in schema.names() else task.name
        lines = _task_lines(task.errors)
        problems += [f"{path}: {line}" for line in lines[:limit]]
        if len(lines) > limit:
            problems.append(f"{path}: ... and {len(lines) - limit} more problems")
    return problems


def _task_lines(errors) -> list[str]:
    """A row with missing or extra cells is one problem (a damaged line), not one per cell."""
    damaged = {e.row_number for e in errors if e.type in ("missing-cell", "extra-cell")}
    lines, seen = [], set()
    for err in errors:
        row = getattr(err, "row_number", None)
        if row in damaged:
            if row not in seen:
                seen.add(row)
                lines.append(f"line {row}: cells are missing or extra: the file looks truncated or damaged")
            continue
        where = ", ".join(filter(None, [f"line {row}" if row else "",
                                        f"column {err.field_name}" if getattr(err, "field_name", None) else ""]))
        cell = getattr(err, "cell", None)
        what = f"{cell!r}: {err.title.lower()} ({err.note})" if cell is not None else err.message
        lines.append(f"{where or err.type}: {what}")
    return lines


def _first_difference(got: str, want: str) -> str:
    got_lines, want_lines = got.split("\n"), want.split("\n")
    for number, (a, b) in enumerate(zip(got_lines, want_lines), start=1):
        if a != b:
            header = next(csv.reader(io.StringIO(want_lines[0])))
            cells_a = next(csv.reader(io.StringIO(a)), [])
            cells_b = next(csv.reader(io.StringIO(b)), [])
            column = next((header[i] for i in range(min(len(cells_a), len(cells_b), len(header)))
                           if cells_a[i] != cells_b[i]), None)
            where = f"line {number}, column {column}" if column else f"line {number}"
            return f"{where}: differs from a fresh rebuild (file has {a[:60]!r}, rebuild gives {b[:60]!r})"
    return f"line {min(len(got_lines), len(want_lines)) + 1}: has {len(got_lines)} lines, a rebuild has {len(want_lines)}"


def reproducibility_problems() -> list[str]:
    problems = []
    for name, text in build.render_all().items():
        path = schema.csv_path(name)
        try:
            current = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(f"{path}: cannot be read ({err})")
            continue
        if current != text:
            problems.append(f"{path}: {_first_difference(current, text)}")
        if len(current.encode()) > MAX_BYTES:
            problems.append(f"{path}: {len(current.encode()) // 1024} KB, over the 1 MB limit")
    return problems


def check() -> list[str]:
    """Every problem found; an empty list means the data are as the generator makes them."""
    return schema_problems() + reproducibility_problems()
