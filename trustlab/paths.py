"""Where the course's files live, however ``trustlab`` was installed.

The package and the course's files (``data/``, ``notebooks/`` …) do not always sit
together. ``make lab`` installs the package in editable mode, so it lives inside the
course folder. Binder (repo2docker) and a JupyterHub image run a regular
``pip install .``, which puts the package in site-packages and leaves the files in the
learner's copy of the course (on a hub, the folder nbgitpuller made in their home).
So the course folder is looked for, in this order:

1. ``TRUSTLAB_ROOT``, when set (an explicit choice always wins);
2. the notebook's working folder and its parents: JupyterLab starts a notebook's kernel
   in the notebook's own folder, so this finds the copy the learner is working in;
3. the folder the package was installed from (an editable install).

A folder counts as the course when it holds ``data/datapackage.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("data") / "datapackage.json"
_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


class CourseFilesNotFound(FileNotFoundError):
    """The course folder is nowhere to be found: the message says where we looked and what to do."""


def _candidates() -> list[Path]:
    places: list[Path] = []
    if os.environ.get("TRUSTLAB_ROOT"):
        return [Path(os.environ["TRUSTLAB_ROOT"]).expanduser()]
    here = Path.cwd().resolve()
    places += [here, *here.parents]
    places.append(_PACKAGE_PARENT)
    return places


def course_root() -> Path:
    """The course folder (the one with ``notebooks/`` and ``data/``), or a clear error."""
    places = _candidates()
    for place in places:
        if (place / MARKER).is_file():
            return place
    raise CourseFilesNotFound(not_found_message(places))


def not_found_message(places: list[Path]) -> str:
    """What was looked for, where, and the two ways to fix it."""
    looked = "\n".join(f"  - {place}" for place in places[:12])
    more = f"\n  … and {len(places) - 12} more" if len(places) > 12 else ""
    return (
        f"The course's files were not found: no {MARKER.as_posix()} in any of these folders:\n"
        f"{looked}{more}\n"
        "To fix it, open the notebook from inside the course folder (the folder that holds "
        "notebooks/, exercises/ and data/), or set the environment variable TRUSTLAB_ROOT "
        "to that folder before starting JupyterLab."
    )


def data_dir() -> Path:
    """The ``data/`` folder; ``TRUSTLAB_DATA`` overrides it (tests use this)."""
    if os.environ.get("TRUSTLAB_DATA"):
        return Path(os.environ["TRUSTLAB_DATA"])
    return course_root() / "data"


def schema_path(name: str) -> Path:
    """A JSON Schema shipped in ``data/schemas/``."""
    return course_root() / "data" / "schemas" / f"{name}.schema.json"


def content_file(folder: str, id_or_path: str | Path) -> Path:
    """``("vignettes", "first_contact")`` → ``data/vignettes/first_contact.yaml``; a path stays a path.

    Authors and notebooks name a shipped file by its id, and an author's draft by its path.
    """
    text = str(id_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text or "\\" in text:
        return Path(text)
    return data_dir() / folder / f"{text}.yaml"
