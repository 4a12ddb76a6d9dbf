"""data/README.md, the data dictionary, generated from data/datapackage.json (never edited by hand)."""

from __future__ import annotations

from pathlib import Path

from trustlab.data import schema
from trustlab.paths import data_dir


def _range(field: dict) -> str:
    rules = field.get("constraints", {})
    if "enum" in rules:
        return " / ".join(f"`{v}`" for v in rules["enum"])
    if field["type"] == "boolean":
        return "`true` / `false`"
    low, high = rules.get("minimum"), rules.get("maximum")
    if low is None and high is None:
        return ""
    return f"{'' if low is None else low} to {'' if high is None else high}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    pkg = schema.package()
    out = [f"# {pkg['title']}", "",
           "<!-- Generated from datapackage.json by `python -m trustlab.data dictionary`: do not edit by hand. -->", "",
           pkg["description"], "",
           "**Synthetic data only.** No row describes a real person. A relationship marked *calibrated* is built",
           "to match a published figure (the code after it is the row in the course's research facts, listed at",
           "the end); everything else is an *illustrative* assumption made up for teaching. Research findings are",
           "correlational, and so are these data.", "",
           "Load a dataset in a notebook with `from trustlab.data import load_dataset` and",
           "`load_dataset(\"first_sessions\")`. Rebuild every file with `python -m trustlab.data build` (seeded:",
           "the same bytes every time) and check them with `python -m trustlab.data check`.", ""]
    for res in pkg["resources"]:
        out += [f"## `{res['name']}`: {res['title']}", "", f"File: `{res['path']}`. {res['description']}", ""]
        if res["calibration"]:
            out += ["**Calibrated to research:**", ""]
            for c in res["calibration"]:
                out.append(f"- {c['relationship']}: {c['target']} ({c['fact']})")
                if c.get("note"):  # how far the published figure really fits this column
                    out.append(f"  *{c['note']}*")
            out.append("")
        out += ["**Illustrative assumptions:**", ""] + [f"- {line}" for line in res["illustrative"]] + [""]
        out += ["| column | type | unit | values | description | provenance |", "|---|---|---|---|---|---|"]
        for f in res["schema"]["fields"]:
            optional = "" if f.get("constraints", {}).get("required") else " (may be empty)"
            out.append(f"| `{f['name']}` | {f['type']}{optional} | {_cell(f.get('unit', ''))} | {_range(f)} | "
                       f"{_cell(f['description'])} | {_cell(f['provenance'])} |")
        out.append("")
    out += ["## Research facts referred to above", ""]
    out += [f"- **{key}**: {text}" for key, text in pkg["facts"].items()]
    return "\n".join(out) + "\n"


def path() -> Path:
    return data_dir() / "README.md"


def write() -> Path:
    target = path()
    target.write_text(render(), encoding="utf-8")
    return target
