"""Regenerate every dataset from fixed seeds: the same bytes every time, on every machine."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

from trustlab.data import schema

# One generator module per module's data, each with its own seed, so changing one
# dataset never shifts the random numbers of another.
GENERATORS = {
    "trustlab.data.gen_first_sessions": 101,
    "trustlab.data.gen_disclosure": 202,
    "trustlab.data.gen_alliance": 303,
    "trustlab.data.gen_goals": 404,
    "trustlab.data.gen_monitoring": 505,
}


def generate_all() -> dict[str, pd.DataFrame]:
    """Every dataset, by resource name."""
    tables: dict[str, pd.DataFrame] = {}
    for module_name, seed in GENERATORS.items():
        module = importlib.import_module(module_name)
        tables.update(module.generate(np.random.default_rng(seed)))
    unknown = set(tables) - set(schema.names())
    if unknown:
        raise ValueError(f"generated datasets missing from datapackage.json: {sorted(unknown)}")
    return tables


def render_all() -> dict[str, str]:
    """The exact CSV text of every dataset."""
    return {name: schema.to_csv_text(frame, name) for name, frame in generate_all().items()}


def build() -> list[str]:
    written = []
    for name, text in render_all().items():
        path = schema.csv_path(name)
        path.write_text(text, encoding="utf-8", newline="")
        written.append(f"wrote {path.name}: {text.count(chr(10)) - 1} rows, {len(text.encode()) / 1024:.0f} KB")
    return written
