"""Beginner slips get a short, friendly explanation in a real kernel, and still stop the notebook.

Each slip from issue 11 runs in a real IPython kernel after the course's ``setup()``:
the cell must show what happened, what to try and the learner's line, keep the full
traceback one click away, and still end in an ``error`` (so "Run All" stops and nbval
fails). The explanations themselves are plain functions, also tested directly.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from trustlab import friendly_errors
from trustlab.data import load_dataset
from trustlab.paths import course_root

ROOT = course_root()
SETUP = ("from trustlab import setup, check\nfrom trustlab.data import load_dataset\nsetup()\n"
         'fs = load_dataset("first_sessions")')


def learner_env(tmp_path: Path) -> dict[str, str]:
    """A learner's kernel: friendly errors on (no TRUSTLAB_STRICT), a journal of its own."""
    env = {k: v for k, v in os.environ.items() if k != "TRUSTLAB_STRICT"}
    env["TRUSTLAB_JOURNAL"] = str(tmp_path / "journal.json")
    return env


class Kernel:
    """One real kernel; :meth:`run` returns the reply status and what the cell showed."""

    def __init__(self, env: dict[str, str]):
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, cwd=str(ROOT / "notebooks"))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code: str) -> tuple[str, list[dict], list[dict]]:
        messages: list[dict] = []
        reply = self.client.execute_interactive(code, timeout=120, output_hook=messages.append)
        shown = [m["content"]["data"] for m in messages if m["msg_type"] == "display_data"]
        errors = [m["content"] for m in messages if m["msg_type"] == "error"]
        return reply["content"]["status"], shown, errors

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    kernel = Kernel(learner_env(tmp_path_factory.mktemp("learner")))
    status, _, errors = kernel.run(SETUP)
    assert status == "ok", errors
    yield kernel
    kernel.stop()


def plain(html: str) -> str:
    """The box's text as a reader sees it (tags dropped, entities decoded)."""
    from html import unescape
    inline = re.sub(r"</?(code|strong|em)>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline)).split())


SLIPS = [
    # (the slip, its raw error, words the explanation must contain)
    pytest.param('mandated = ...\nmandated_dropout = mandated["dropped_out"].mean()',
                 "'ellipsis' object is not subscriptable",
                 ["A `...` is still standing in for an answer", "still hold `...`: `mandated`", "Replace each `...`"],
                 'mandated_dropout = mandated["dropped_out"].mean()', id="ellipsis-subscript"),
    pytest.param("low, high = ..., ...\nincludes_zero = low <= 0 <= high",
                 "'<=' not supported between instances of 'ellipsis' and 'int'",
                 ["A `...` is still standing in", "`low`", "`high`"], "includes_zero = low <= 0 <= high",
                 id="ellipsis-compared"),
    pytest.param("total = ... + 1", "unsupported operand type(s) for +: 'ellipsis' and 'int'",
                 ["A `...` is still standing in"], "total = ... + 1", id="ellipsis-added"),
    pytest.param("fs.corr()", "could not convert string to float",
                 ["`fs.corr()` needs numbers", "text", "`fs.corr(numeric_only=True)`", "choose the columns"],
                 "fs.corr()", id="corr-mixed-columns"),
    pytest.param("includes_zero = false", "name 'false' is not defined",
                 ["Python spells it `False`"], "includes_zero = false", id="false"),
    pytest.param("answer = true", "name 'true' is not defined", ["Python spells it `True`"], "answer = true",
                 id="true"),
    pytest.param("share = none", "name 'none' is not defined", ["Python spells it `None`"], "share = none",
                 id="none"),
    pytest.param('transparent_opening = c', "name 'c' is not defined",
                 ["does not know the name `c`", 'put it in quotes: `"c"`'], "transparent_opening = c",
                 id="unquoted-letter"),
    pytest.param('group = fs[fs["prior_therapy"] == unhelpful]', "name 'unhelpful' is not defined",
                 ['put it in quotes: `"unhelpful"`', "run that cell first"], None, id="unquoted-word"),
    pytest.param("share = 64%", "invalid syntax",
                 ["`%` as a calculation sign", "`0.64`", '`"64%"`'], "share = 64%", id="percent-sign"),
    pytest.param('fs["sesion1_rating"].median()', "'sesion1_rating'",
                 ['There is no column `"sesion1_rating"`', 'Did you mean `"session1_rating"`?', '`"outcome_change"`'],
                 'fs["sesion1_rating"].median()', id="misspelt-column"),
    pytest.param('fs.groupby("referral", observed=True)["dropped_out"].mean()["Mandated"]', "'Mandated'",
                 ['There is no row labelled `"Mandated"`', 'Did you mean `"mandated"`?', '`"partner_urged"`'],
                 None, id="misspelt-group-label"),
]


@pytest.mark.parametrize("slip, raw, words, line", SLIPS)
def test_a_slip_is_explained_and_still_stops_the_cell(kernel, slip, raw, words, line):
    status, shown, errors = kernel.run(slip)
    # still an error: the reply fails (Run All stops) and an error output is published (nbval fails)
    assert status == "error"
    assert len(errors) == 1 and errors[0]["ename"] and raw in errors[0]["evalue"]
    assert len(errors[0]["traceback"]) <= 3, "the error output should be short; the box explains it"
    # the friendly box: what happened, what to try, the learner's line, the full traceback folded away
    boxes = [data["text/html"] for data in shown if friendly_errors.CSS_CLASS in data.get("text/html", "")]
    assert len(boxes) == 1
    html, text = boxes[0], plain(boxes[0])
    assert "What happened:" in text and "What to try:" in text
    for word in words:
        assert plain(friendly_markdown(word)) in text, word
    assert re.search(r"Where: cell In\[\d+\], line \d+", text)
    if line:
        assert plain(line) in text
    details = re.search(r"<details>(.*)</details>", html, re.S)
    assert details and raw in plain(details.group(1)), "the full traceback is one click away"
    assert "\x1b[" not in html


def friendly_markdown(words: str) -> str:
    """What Markdown makes of a phrase with `code` in it, so the test can look for it in the text."""
    from trustlab.checks import markdown_html
    return markdown_html(words)


def test_the_full_traceback_is_the_one_python_gave(kernel):
    _, shown, _ = kernel.run("fs.corr()")
    details = re.search(r"<details>(.*)</details>", shown[-1]["text/html"], re.S).group(1)
    assert "ValueError" in details and "pandas" in details  # the library frames are all there


def test_run_all_stops_at_the_slip(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP),
                                         nbformat.v4.new_code_cell("share = 64%"),
                                         nbformat.v4.new_code_cell("print('the next cell ran')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    with pytest.raises(CellExecutionError):
        client.execute(env=learner_env(tmp_path))
    assert any(o.output_type == "error" for o in nb.cells[1].outputs)
    assert any(friendly_errors.CSS_CLASS in o.get("data", {}).get("text/html", "") for o in nb.cells[1].outputs)
    assert nb.cells[2].outputs == [] and nb.cells[2].execution_count is None


def test_nbval_still_fails_on_the_slip(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell("x = false")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "slip.ipynb"
    nbformat.write(nb, path)
    env = learner_env(tmp_path) | {"TRUSTLAB_ROOT": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
                             "--nbval-current-env", str(path)], capture_output=True, text=True, cwd=tmp_path,
                            env=env, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Cell execution caused an exception" in result.stdout and "NameError" in result.stdout


def test_under_strict_mode_errors_keep_the_plain_traceback(tmp_path):
    kernel = Kernel(learner_env(tmp_path) | {"TRUSTLAB_STRICT": "1"})
    try:
        assert kernel.run(SETUP)[0] == "ok"
        status, shown, errors = kernel.run("x = false")
    finally:
        kernel.stop()
    assert status == "error" and not any(friendly_errors.CSS_CLASS in d.get("text/html", "") for d in shown)
    assert len(errors[0]["traceback"]) > 2 and "NameError" in errors[0]["traceback"][-1]


def test_a_check_names_the_misspelt_group_from_the_cell(kernel):
    """check() reads the running cell, so an empty answer can name the group that does not exist."""
    status, shown, _ = kernel.run('check("m01.ex1", fs[fs["referral"] == "Mandated"]["dropped_out"].mean())')
    assert status == "ok"
    text = plain(shown[-1]["text/html"])
    assert '"Mandated" is not a group in referral: did you mean "mandated"?' in text


# --- the explanations, directly -------------------------------------------------------------------

@pytest.fixture(scope="module")
def fs():
    return load_dataset("first_sessions")


def caught(code: str, **names) -> BaseException:
    try:
        exec(compile(code, "<cell>", "exec"), names)
    except BaseException as err:  # noqa: BLE001 - the test wants whatever the slip raises
        return err
    pytest.fail(f"{code!r} raised nothing")


def test_a_percent_sign_inside_a_calculation_is_not_called_a_percent():
    assert friendly_errors._number_before_percent("remainder = 7 % 2") is None
    assert friendly_errors._number_before_percent("share = 64%") == "64"
    assert friendly_errors._number_before_percent("check('m00.ex1', 63.9%)") == "63.9"


def test_an_unknown_error_still_gets_what_happened_and_what_to_try():
    explanation = friendly_errors.explain(RuntimeError("the flux capacitor"))
    assert "RuntimeError: the flux capacitor" in explanation.what and "instructor" in explanation.todo


def test_a_missing_column_in_a_list_names_only_the_missing_one(fs):
    error = caught('fs[["age", "agee"]]', fs=fs)
    explanation = friendly_errors.explain(error, 'fs[["age", "agee"]]', {}, friendly_errors.table_in_error(
        error.__traceback__))
    assert '`"agee"`' in explanation.what and 'Did you mean `"age"`?' in explanation.todo


def test_a_column_missing_from_loc_is_found_through_the_indexer(fs):
    error = caught('fs.loc[:, "Referral"]', fs=fs)
    explanation = friendly_errors.explain(error, "", {}, friendly_errors.table_in_error(error.__traceback__))
    assert 'Did you mean `"referral"`?' in explanation.todo


def test_a_text_column_averaged_says_to_choose_a_number_column(fs):
    error = caught('fs["client_id"].mean()', fs=fs)
    explanation = friendly_errors.explain(error, 'fs["client_id"].mean()', {},
                                          friendly_errors.table_in_error(error.__traceback__))
    assert "needs numbers" in explanation.what and "column of numbers" in explanation.todo


def test_the_explainer_failing_never_hides_the_error(kernel):
    """If the explanation itself breaks, the learner still gets the plain traceback, and the error."""
    kernel.run("import trustlab.friendly_errors as fe\n_saved = fe.explain\n"
               "fe.explain = lambda *a, **k: 1 / 0")
    try:
        status, _, errors = kernel.run("x = false")
    finally:
        kernel.run("fe.explain = _saved")
    assert status == "error" and "NameError" in "".join(errors[0]["traceback"])
    assert kernel.run("y = false")[0] == "error"  # and the hook is still installed afterwards
    assert any(friendly_errors.CSS_CLASS in d.get("text/html", "") for d in kernel.run("z = false")[1])


# --- setup() has a module of its own ---------------------------------------------------------------

def test_nothing_below_the_session_imports_it():
    """setup() is the top floor: it imports charts, the journal and the rest; none of them imports it."""
    package = Path(friendly_errors.__file__).parent
    importers = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if "trustlab.session" in names:
                importers.append(path.name)
    assert importers == []


def test_charts_no_longer_reach_up_to_the_journal():
    source = Path(friendly_errors.__file__).with_name("charts.py").read_text(encoding="utf-8")
    assert "journal" not in source and "def setup" not in source


def test_setup_is_still_exported_from_the_package():
    import trustlab
    from trustlab import session
    assert trustlab.setup is session.setup


def test_a_spearman_correlation_without_scipy_says_how_to_get_it_with_pandas_alone():
    """A learner checking a calibrated r with Spearman reaches for a library the course does not install."""
    import importlib.util
    import pandas as pd
    if importlib.util.find_spec("scipy") is not None:
        error: BaseException = ModuleNotFoundError("No module named 'scipy'", name="scipy")
    else:
        df = pd.DataFrame({"a": [1, 2, 3], "b": [3, 1, 2]})
        with pytest.raises(ImportError) as caught:
            df["a"].corr(df["b"], method="spearman")
        error = caught.value
    explanation = friendly_errors.explain(error, 'df["a"].corr(df["b"], method="spearman")')
    assert "SciPy" in explanation.what and "does not install" in explanation.what
    assert ".rank().corr(" in explanation.todo
    unknown = friendly_errors.explain(ModuleNotFoundError("No module named 'seaborn'", name="seaborn"))
    assert "`seaborn`" in unknown.what and "Traceback" not in unknown.what
