"""``load_dataset(name)``: a typed DataFrame, or an error that says what is wrong and how to fix it.

Types come from data/datapackage.json: categories for fields with a fixed list of
values, nullable integers, booleans, floats. A missing or damaged file (truncated, a
column gone, text in a numeric column) names the file, the line, the column and the
command that rebuilds the data.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from trustlab.data import schema

REBUILD = "Rebuild the course data with: python -m trustlab.data build"
TRUE, FALSE = {"true", "True", "TRUE", "1"}, {"false", "False", "FALSE", "0"}


class DataError(ValueError):
    """A dataset file is missing or damaged; the message names the place and the fix."""


def load_dataset(name: str) -> pd.DataFrame:
    """One of the course's datasets, typed by its schema."""
    try:
        spec = schema.resource(name)
    except KeyError as err:
        raise DataError(err.args[0]) from None
    path = schema.csv_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{path}: file not found. {REBUILD}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot be read ({err}). {REBUILD}") from None
    rows = _rows(text, path, [f["name"] for f in spec["schema"]["fields"]])
    header, body = rows[0], rows[1:]
    columns = {col: [row[i] for row in body] for i, col in enumerate(header)}
    frame = pd.DataFrame({f["name"]: _column(columns[f["name"]], f, path) for f in spec["schema"]["fields"]})
    return frame


def _rows(text: str, path, expected: list[str]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0]:
        raise DataError(f"{path}: the file is empty. {REBUILD}")
    if not text.endswith("\n"):  # every written file ends with a newline; a cut one does not
        raise DataError(f"{path}: line {len(rows)}: the file stops in the middle of a line; "
                        f"it looks truncated. {REBUILD}")
    missing = [col for col in expected if col not in rows[0]]
    if missing:
        raise DataError(f"{path}: line 1: column {', '.join(missing)} missing from the header. {REBUILD}")
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise DataError(f"{path}: line {number}: has {len(row)} values where {len(rows[0])} were expected; "
                            f"the file looks truncated or damaged. {REBUILD}")
    return rows


def _column(values: list[str], field: dict, path) -> pd.Series:
    """Convert one column, stopping at the first value that does not fit the schema."""
    name, kind = field["name"], field["type"]
    rules = field.get("constraints", {})
    out = []
    for line, raw in enumerate(values, start=2):
        if raw == "":
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
    return _typed(out, field)


_KIND_WORDS = {"integer": "a whole number", "number": "a number", "boolean": "true or false", "string": "text"}


def _convert(raw: str, kind: str):
    if kind == "string":
        return raw
    if kind == "boolean":
        return True if raw in TRUE else False if raw in FALSE else None
    try:
        number = float(raw)
    except ValueError:
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
