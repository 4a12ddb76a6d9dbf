"""Where the course's files live.

The package is installed in editable mode from the repository (``pip install -e .``),
so data and notebooks are found relative to the repository root rather than the
notebook's working directory: a lesson, its solution and its exercise copy all read
the same files wherever they are run from.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The ``data/`` folder; ``TRUSTLAB_DATA`` overrides it (tests use this)."""
    return Path(os.environ.get("TRUSTLAB_DATA", ROOT / "data"))


def schema_path(name: str) -> Path:
    """A JSON Schema shipped in ``data/schemas/``."""
    return ROOT / "data" / "schemas" / f"{name}.schema.json"
