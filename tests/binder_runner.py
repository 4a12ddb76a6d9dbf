"""Run one notebook the way a Binder learner's kernel would, and report every problem as JSON.

Executed by the Python of the environment rebuilt from repo2docker's plan (not by the
test environment), so the kernel is that environment's and ``trustlab`` is its regular
install. The notebook runs from its own folder, as JupyterLab runs it. Learner mode:
no TRUSTLAB_STRICT, so what is checked is what a learner would see, including the loud
notice a widget shows when its content could not load.

Usage: python binder_runner.py NOTEBOOK  (prints one JSON object)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# the notice trustlab.notices shows (its class name also appears in the course stylesheet, so match the markup)
LOAD_FAILURE = ("could not load", 'class="trustlab-load-error"', "were not found")
PROBE = ("import sys, trustlab, trustlab.paths\n"
         "print('REPLAY', sys.prefix, trustlab.__file__, trustlab.paths.course_root(), sep='|')")


def _texts(output: dict) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    data = output.get("data", {})
    return [str(data.get(kind, "")) for kind in ("text/plain", "text/html", "text/markdown")]


def _widget_texts(nb) -> list[str]:
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    texts = []
    for model in state.values():
        values = model.get("state", {})
        texts.append(str(values.get("value", "")))
        if "trustlab-load-error" in values.get("_dom_classes", []):
            texts.append('class="trustlab-load-error"')
    return texts


def run(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            store_widget_state=True, resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    problems, probe = [], None
    for number, cell in enumerate(nb.cells[:-1], 1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {number}: {output['ename']}: {output['evalue']}")
            for text in _texts(output):
                if any(marker in text for marker in LOAD_FAILURE):
                    problems.append(f"cell {number}: a load failure is shown: {text[:300]}")
    for text in _widget_texts(nb):
        if any(marker in text for marker in LOAD_FAILURE):
            problems.append(f"a widget shows a load failure: {text[:300]}")
    for output in nb.cells[-1].get("outputs", []):
        if output.get("output_type") == "stream" and output["text"].startswith("REPLAY|"):
            probe = output["text"].strip().split("|")[1:]
    return {"problems": problems, "probe": probe}


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]).resolve())))
