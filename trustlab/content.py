"""Reading the course's content files (YAML, validated by JSON Schema).

Instructors edit these files by hand, so a mistake must come back as one readable
line that names the file, the place in it and what to do, never as a traceback
from deep inside a widget.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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


class UnreadableFile(ContentError):
    """The file is missing, unreadable or not YAML at all (the checker's exit 2)."""


@dataclass
class YamlDocument:
    """Parsed YAML plus where each key sits, so problems can name a line."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    duplicates: list[tuple[tuple, int, int]] = field(default_factory=list)  # (path, line, first line)

    def line_of(self, path: Iterable[Any]) -> int | None:
        """The line of the deepest part of ``path`` that exists in the file."""
        parts = tuple(path)
        while parts and parts not in self.lines:
            parts = parts[:-1]
        return self.lines.get(parts)


def _index(node: yaml.Node, path: tuple, doc: YamlDocument) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key, line = key_node.value, key_node.start_mark.line + 1
            if key in seen:
                doc.duplicates.append((path + (key,), line, seen[key]))
            seen.setdefault(key, line)
            doc.lines.setdefault(path + (key,), line)
            _index(value_node, path + (key,), doc)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[path + (i,)] = item.start_mark.line + 1
            _index(item, path + (i,), doc)


def read_document(path: Path) -> YamlDocument:
    """Parse a YAML file keeping line numbers and duplicate keys (PyYAML keeps the last silently)."""
    loader = yaml.SafeLoader(_read_text(path))
    try:  # one parse: the node tree gives the line numbers, then the data is built from it
        root = loader.get_single_node()
        doc = YamlDocument(loader.construct_document(root) if root is not None else None)
    except yaml.YAMLError as err:
        raise UnreadableFile(_yaml_message(path, err)) from None
    finally:
        loader.dispose()
    if root is not None:
        _index(root, (), doc)
    return doc


def _read_text(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UnreadableFile(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UnreadableFile(f"{path}: cannot be read ({getattr(err, 'strerror', None) or err})") from None


def read_yaml(path: Path) -> Any:
    """Parse a YAML file; a missing file or a syntax error names the file and line."""
    return read_document(path).data


def _yaml_message(path: Path, err: yaml.YAMLError) -> str:
    mark = getattr(err, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
    problem = getattr(err, "problem", None) or str(err)
    return (f"{path}: YAML does not parse at {where}: {problem} "
                "(check the indentation and quote text that contains a colon)")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """A schema from ``data/schemas``, parsed once per kernel."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))


def schema_problems(data: Any, schema_name: str) -> list[tuple[tuple, str]]:
    """Every schema violation as ``(path, problem)``; render the path with :func:`location`."""
    validator = jsonschema.Draft202012Validator(load_schema(schema_name))
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [(tuple(err.absolute_path), _plain(err)) for err in _leaves(errors)]


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
    if err.validator in ("minLength", "pattern") and isinstance(err.instance, str) and not err.instance.strip():
        return "is empty: write some text here"
    if err.validator == "minItems":
        return f"has {len(err.instance)} item(s); at least {err.validator_value} are needed"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    return err.message
