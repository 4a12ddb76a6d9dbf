"""``load_dataset(name)``: a typed DataFrame, or an error that says what is wrong and how to fix it.

Types come from data/datapackage.json: categories for fields with a fixed list of
values, nullable integers, booleans, floats. A missing or damaged file (truncated, a
column gone, text in a numeric column, an empty required value, a repeated key, no
rows at all) names the file, the line, the column and the command that rebuilds the
data. Harmless differences a text editor or a spreadsheet may add (a byte-order mark,
a blank line at the end) are read without complaint.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from trustlab.data import schema

REBUILD = "Rebuild the course data with: python -m trustlab.data build"
TRUE, FALSE = {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}


class DataError(ValueError):
    """A dataset file is missing or damaged; the message names the place and the fix."""


@dataclass
class Table:
    """The CSV's header and rows, with the line of the file each row starts on (for messages)."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]

    def column(self, name: str) -> list[str]:
        i = self.header.index(name)
        return [row[i] for row in self.rows]


def load_dataset(name: str) -> pd.DataFrame:
    """One of the course's datasets, typed by its schema."""
    try:
        spec = schema.resource(name)
    except KeyError as err:
        raise DataError(err.args[0]) from None
    path = schema.csv_path(name)
    fields = spec["schema"]["fields"]
    table = _table(_read(path), path, [f["name"] for f in fields])
    values = {f["name"]: _values(table.column(f["name"]), table.lines, f, path) for f in fields}
    _check_unique(values, spec["schema"].get("primaryKey", []), table.lines, path)
    return pd.DataFrame({f["name"]: _typed(values[f["name"]], f) for f in fields})


def _read(path: Path) -> str:
    """The file's text; ``utf-8-sig`` drops the byte-order mark some editors put first."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found. {REBUILD}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot be read ({err}). {REBUILD}") from None


def _table(text: str, path: Path, expected: list[str]) -> Table:
    reader = csv.reader(io.StringIO(text))
    rows, lines, line = [], [], 1
    for row in reader:
        rows.append(row)
        lines.append(line)
        line = reader.line_num + 1  # a quoted value may span lines: the next row starts after this one
    while len(rows) > 1 and not rows[-1]:  # blank lines at the end are harmless
        rows.pop()
        lines.pop()
    if not rows or not rows[0]:
        raise DataError(f"{path}: the file is empty. {REBUILD}")
    if not text.endswith("\n"):  # every written file ends with a newline; a cut one does not
        raise DataError(f"{path}: line {lines[-1]}: the file stops in the middle of a line; "
                        f"it looks truncated. {REBUILD}")
    header = rows[0]
    missing = [col for col in expected if col not in header]
    if missing:
        raise DataError(f"{path}: line 1: column {', '.join(missing)} missing from the header. {REBUILD}")
    if len(rows) == 1:
        raise DataError(f"{path}: line 2: the file has its header but no rows of data; "
                        f"it looks truncated. {REBUILD}")
    for number, row in zip(lines[1:], rows[1:]):
        if len(row) != len(header):
            raise DataError(f"{path}: line {number}: has {len(row)} values where {len(header)} were expected; "
                            f"the file looks truncated or damaged. {REBUILD}")
    return Table(header, rows[1:], lines[1:])


def _values(raw_values: list[str], lines: list[int], field: dict, path: Path) -> list:
    """Convert one column, stopping at the first value that does not fit the schema."""
    name, kind = field["name"], field["type"]
    rules = field.get("constraints", {})
    out = []
    for line, raw in zip(lines, raw_values):
        if not raw.strip():
            if rules.get("required"):
                raise DataError(f"{path}: line {line}, column {name}: empty, but every row needs a value. {REBUILD}")
            out.append(None)
            continue
        value = _convert(raw, kind)
        if value is None:
            raise DataError(f"{path}: line {line}, column {name}: {raw!r} is not {_KIND_WORDS[kind]}. {REBUILD}")
        problem = _out_of_range(value, rules)
        if problem:
            raise DataError(f"{path}: line {line}, column {name}: {raw!r} {problem}. {REBUILD}")
        out.append(value)
    return out


def _check_unique(values: dict[str, list], key: list[str], lines: list[int], path: Path) -> None:
    """The schema's primary key (e.g. ``client_id``) names each row once: a repeat is a damaged file."""
    if not key:
        return
    first: dict[tuple, int] = {}
    for line, combo in zip(lines, zip(*(values[col] for col in key))):
        if combo in first:
            shown = repr(combo[0]) if len(key) == 1 else "(" + ", ".join(map(repr, combo)) + ")"
            columns = f"column {key[0]}" if len(key) == 1 else f"columns {' and '.join(key)}"
            raise DataError(f"{path}: line {line}, {columns}: {shown} is already used at line {first[combo]}; "
                            f"every row needs its own {' and '.join(key)}. {REBUILD}")
        first[combo] = line


_KIND_WORDS = {"integer": "a whole number", "number": "a number", "boolean": "true or false", "string": "text"}


def _convert(raw: str, kind: str):
    """The value, or None when it is not of the kind (``nan`` and ``inf`` are not numbers a dataset holds)."""
    if kind == "string":
        return raw
    if kind == "boolean":
        return True if raw in TRUE else False if raw in FALSE else None
    try:
        number = float(raw)
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if kind == "integer":
        return int(number) if number.is_integer() else None
    return number


def _out_of_range(value, rules: dict) -> str:
    if "enum" in rules and value not in rules["enum"]:
        return f"is not one of {', '.join(rules['enum'])}"
    if "minimum" in rules and value < rules["minimum"]:
        return f"is below the minimum {rules['minimum']}"
    if "maximum" in rules and value > rules["maximum"]:
        return f"is above the maximum {rules['maximum']}"
    return ""


def _typed(values: list, field: dict) -> pd.Series:
    kind, enum = field["type"], field.get("constraints", {}).get("enum")
    if enum:
        return pd.Series(pd.Categorical(values, categories=enum))
    dtype = {"integer": "Int64", "number": "float64", "boolean": "boolean", "string": "string"}[kind]
    if kind == "number":
        return pd.Series([float("nan") if v is None else v for v in values], dtype=dtype)
    return pd.Series(pd.array(values, dtype=dtype))
