"""data/datapackage.json: the one description of every dataset.

The generator writes CSVs by it, the loader types columns by it, the checker
validates by it, and data/README.md (the data dictionary) is generated from it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from trustlab.paths import data_dir


def package_path() -> Path:
    return data_dir() / "datapackage.json"


@lru_cache(maxsize=4)
def _package(path_text: str) -> dict:
    return json.loads(Path(path_text).read_text(encoding="utf-8"))


def package() -> dict:
    return _package(str(package_path()))


def names() -> list[str]:
    return [r["name"] for r in package()["resources"]]


def resource(name: str) -> dict:
    for res in package()["resources"]:
        if res["name"] == name:
            return res
    raise KeyError(f"no dataset called {name!r}; the datasets are: {', '.join(names())}")


def fields(name: str) -> list[dict]:
    return resource(name)["schema"]["fields"]


def csv_path(name: str) -> Path:
    return data_dir() / resource(name)["path"]


def _cell(value, field: dict) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    kind = field["type"]
    if kind == "boolean":
        return "true" if bool(value) else "false"
    if kind == "integer":
        return str(int(value))
    if kind == "number":
        return f"{float(value):.{field.get('decimals', 3)}f}"
    return str(value)


def to_csv_text(frame: pd.DataFrame, name: str) -> str:
    """The exact CSV text of a dataset: schema column order, fixed decimals, lower-case booleans.

    Written by hand rather than by ``DataFrame.to_csv`` so the bytes do not depend on the
    pandas version: rebuilding must give byte-identical files everywhere.
    """
    spec = fields(name)
    missing = [f["name"] for f in spec if f["name"] not in frame.columns]
    if missing:
        raise ValueError(f"{name}: the generator did not make {missing}")
    lines = [",".join(f["name"] for f in spec)]
    columns = [frame[f["name"]].tolist() for f in spec]
    for row in zip(*columns):
        lines.append(",".join(_quote(_cell(v, f)) for v, f in zip(row, spec)))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in ',"\n') else text
