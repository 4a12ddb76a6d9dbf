"""Reading the course's content files (YAML, validated by JSON Schema).

Instructors edit these files by hand, so a mistake must come back as one readable
line that names the file, the place in it and what to do, never as a traceback
from deep inside a widget.

The reader is stricter than YAML itself where YAML's extras only cause harm in hand-written
course text: anchors and aliases (``&name``, ``*name``) are refused, since no course file
needs them and a few lines of them expand to billions of values ("billion laughs");
nesting deeper than :data:`MAX_DEPTH` is refused before Python's recursion limit is hit;
and a word YAML silently turns into something else (``yes`` into true, ``.nan`` into
not-a-number) is named in the words the author wrote.
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import jsonschema
import referencing
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


MAX_DEPTH = 40  # a vignette is 7 levels deep; real course files never come near this


class _Refused(yaml.YAMLError):
    """A YAML construct course files may not use; carries the line for the message."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


class _CourseLoader(yaml.SafeLoader):
    """PyYAML's safe loader without anchors or aliases, and with a bound on nesting.

    Both are refused while the node tree is built, at the first offending event, so a
    hostile file costs no more than reading up to its first anchor.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(event.start_mark.line + 1,
                           "YAML anchors and aliases (&name, *name) are not allowed in course files: "
                           "write the text out in full wherever it is needed")
        if self._depth >= MAX_DEPTH:
            raise _Refused(event.start_mark.line + 1,
                           f"nested more than {MAX_DEPTH} levels deep: course files need only a few levels; "
                           "check the indentation and that every bracket is closed")
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class YamlDocument:
    """Parsed YAML plus where each key sits, so problems can name a line.

    ``plain`` and ``plain_keys`` keep, by path, the text of each unquoted value or key that
    YAML turned into something other than text (``yes`` → True, ``.nan`` → a float), so a
    problem can quote what the author wrote instead of what YAML made of it.
    """

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    duplicates: list[tuple[tuple, int, int]] = field(default_factory=list)  # (path, line, first line)
    plain: dict[tuple, str] = field(default_factory=dict)
    plain_keys: dict[tuple, str] = field(default_factory=dict)

    def line_of(self, path: Iterable[Any]) -> int | None:
        """The line of the deepest part of ``path`` that exists in the file."""
        parts = tuple(path)
        while parts and parts not in self.lines:
            parts = parts[:-1]
        return self.lines.get(parts)


def _index(node: yaml.Node, path: tuple, doc: YamlDocument, scalars: yaml.constructor.SafeConstructor) -> None:
    """Record lines, duplicate keys and retyped words; paths use the keys as the data has them."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key, line = _scalar(key_node, scalars), key_node.start_mark.line + 1
            if key in seen:
                doc.duplicates.append((path + (key,), line, seen[key]))
            seen.setdefault(key, line)
            doc.lines.setdefault(path + (key,), line)
            if not isinstance(key, str):
                doc.plain_keys[path + (key,)] = key_node.value
                doc.lines.setdefault(path + (key_node.value,), line)  # problems name the key as written
            _index(value_node, path + (key,), doc, scalars)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            doc.lines[path + (i,)] = item.start_mark.line + 1
            _index(item, path + (i,), doc, scalars)
    elif isinstance(node, yaml.ScalarNode) and node.tag != _STR_TAG:
        doc.plain[path] = node.value


def _scalar(node: yaml.Node, scalars: yaml.constructor.SafeConstructor) -> Any:
    """A key as the data has it (``yes`` → True); keys that are lists or mappings never get here
    (PyYAML refuses them while building the data)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == _STR_TAG:
        return node.value
    return scalars.construct_object(node)


def read_document(path: Path) -> YamlDocument:
    """Parse a YAML file keeping line numbers and duplicate keys (PyYAML keeps the last silently)."""
    loader = _CourseLoader(_read_text(path))
    try:  # one parse: the node tree gives the line numbers, then the data is built from it
        root = loader.get_single_node()
        doc = YamlDocument(loader.construct_document(root) if root is not None else None)
    except _Refused as err:
        raise UnreadableFile(f"{path}: line {err.line}: {err.message}") from None
    except yaml.YAMLError as err:
        raise UnreadableFile(_yaml_message(path, err)) from None
    finally:
        loader.dispose()
    if root is not None:
        _index(root, (), doc, yaml.constructor.SafeConstructor())
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


def _finite_number(checker, instance: Any) -> bool:
    """JSON has no NaN or infinity, so neither does a schema's "number" (YAML has .nan and .inf)."""
    base = jsonschema.Draft202012Validator.TYPE_CHECKER
    return base.is_type(instance, "number") and not (isinstance(instance, float) and not math.isfinite(instance))


_Validator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("number", _finite_number),
)


@lru_cache(maxsize=1)
def _registry() -> referencing.Registry:
    """Every shipped schema under its ``$id``, so one schema can reuse another's parts
    (the series schema points at the vignette schema's client and meters) with no internet."""
    schemas = schema_path("vignette").parent.glob("*.schema.json")
    resources = [referencing.Resource.from_contents(json.loads(p.read_text(encoding="utf-8"))) for p in schemas]
    return referencing.Registry().with_resources((r.contents["$id"], r) for r in resources if "$id" in r.contents)


def schema_problems(data: Any, schema_name: str, doc: YamlDocument | None = None) -> list[tuple[tuple, str]]:
    """Every schema violation as ``(path, problem)``; render the path with :func:`location`.

    Give the parsed ``doc`` when there is one, so a retyped word is quoted as written.
    """
    validator = _Validator(load_schema(schema_name), registry=_registry())
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    return [_retyped(err, doc) or (tuple(err.absolute_path), _plain(err)) for err in _leaves(errors)]


def _retyped(err: jsonschema.ValidationError, doc: YamlDocument | None) -> tuple[tuple, str] | None:
    """A problem caused by YAML reading a word as something else, told in the author's words.

    ``next: yes`` gives True and jsonschema says "True is not of type 'string'"; the author
    needs "YAML read `yes` as true; put it in quotes: 'yes'". None for any other problem.
    """
    instance, path = err.instance, tuple(err.absolute_path)
    is_key = "propertyNames" in err.absolute_schema_path  # the key itself is wrong, not its value
    where = path + (instance,) if is_key else path
    raw = (doc.plain_keys if is_key else doc.plain).get(where) if doc else None
    if err.validator == "type" and isinstance(instance, float) and not math.isfinite(instance):
        return where, (f"`{raw or instance}` is not a finite number (YAML reads .nan as not-a-number "
                       "and .inf as infinity): write an ordinary number such as 2 or -1")
    if isinstance(instance, str) or not _wants_text(err):
        return None
    if instance is None and not raw:
        return where, "is empty: write some text here"
    if raw is None:  # no parsed document at hand: the exact word is unknown
        what = "this word (yes, no, on, off, true or false)" if isinstance(instance, bool) else "this"
        fix = "put it in quotes"
    else:
        what, fix = f"`{raw}`", f"put it in quotes: '{raw}'"
        where = path + (raw,) if is_key else where  # name the key as written, and find its line
    if err.validator == "enum":
        fix = f"write one of {', '.join(err.validator_value)}"
    return where, f"YAML read {what} as {_yaml_kind(instance)}; {fix}"


def _wants_text(err: jsonschema.ValidationError) -> bool:
    """The schema asked for text (a string, or one of a list of words)."""
    if err.validator == "type":
        wanted = err.validator_value
        return wanted == "string" or (isinstance(wanted, list) and "string" in wanted)
    return err.validator == "enum" and all(isinstance(v, str) for v in err.validator_value)


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if value is None:
        return "nothing (null)"
    return f"a {type(value).__name__}"


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


# --- the authors' check commands (python -m trustlab.vignettes check, ... transcripts check) ----

OK, PROBLEMS, UNREADABLE = 0, 1, 2


def check_files(files: list[Path], find_problems: Callable[[YamlDocument, Path], list[str]], noun: str) -> int:
    """Print every problem as ``FILE: LOCATION: PROBLEM (line N)``; exit 0 (valid), 1 (problems), 2 (unreadable).

    ``find_problems(doc, path)`` returns the rendered lines for one file. Two files checked
    together may not share an id: the journal keeps the learner's work under it.
    """
    status, seen = OK, {}
    for path in files:
        try:
            doc = read_document(path)
        except UnreadableFile as err:
            print(err)
            status = UNREADABLE
            continue
        lines = find_problems(doc, Path(path)) + _duplicate_id(path, doc.data, seen)
        for line in lines:
            print(line)
        if lines:
            status = max(status, PROBLEMS)
    if status == OK:
        print(f"{len(files)} {noun}{'s' if len(files) != 1 else ''} checked: all valid.")
    return status


def _duplicate_id(path: Path, data: Any, seen: dict[str, Path]) -> list[str]:
    fid = data.get("id") if isinstance(data, dict) else None
    if isinstance(fid, str) and fid in seen:
        return [f"{path}: id: {fid!r} is also the id of {seen[fid]}; ids must be unique"]
    if isinstance(fid, str):
        seen[fid] = path
    return []
