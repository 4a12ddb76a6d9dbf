"""Reading the course's content files (YAML, validated by JSON Schema).

Instructors edit these files by hand, so a mistake must come back as one readable
line that names the file, the place in it and what to do, never as a traceback
from deep inside a widget.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from trustlab.paths import schema_path


class ContentError(ValueError):
    """A content file is missing, unreadable or does not match its schema."""


def location(path: Iterable[Any]) -> str:
    """Render a JSON path as ``scenes.intake.choices[1].next``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a missing file or a syntax error names the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(f"{path}: file not found") from None
    except OSError as err:
        raise ContentError(f"{path}: cannot be read ({err.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        problem = getattr(err, "problem", None) or str(err)
        raise ContentError(
            f"{path}: YAML does not parse at {where}: {problem} "
            "(check the indentation and quote text that contains a colon)"
        ) from None


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """A schema from ``data/schemas``, parsed once per kernel."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


def schema_problems(data: Any, schema_name: str) -> list[tuple[str, str]]:
    """Every schema violation as ``(location, problem)``, in document order."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [(location(err.absolute_path), _plain(err)) for err in _leaves(errors)]


def _leaves(errors: list[jsonschema.ValidationError]) -> list[jsonschema.ValidationError]:
    """Prefer the specific reasons inside ``if/then`` and ``anyOf`` to their summary."""
    out = []
    for err in errors:
        out.extend(_leaves(sorted(err.context, key=lambda e: str(e.path))) if err.context else [err])
    return out


def _plain(err: jsonschema.ValidationError) -> str:
    """jsonschema's message, with the fix spelled out for the common cases."""
    if err.validator == "required":
        return err.message.replace("is a required property", "is missing (add it)")
    if err.validator == "additionalProperties":
        return err.message + " (check the spelling of the key)"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    return err.message
