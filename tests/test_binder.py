"""Binder, replayed: the course works in the environment repo2docker would build.

mybinder.org builds the course with repo2docker. Its build plan (``repo2docker
--no-build --no-run --debug``, which needs no Docker) is a Dockerfile; after copying
the repository it runs pip steps such as ``pip install -r requirements.txt`` and then,
because pyproject.toml declares a project, a regular ``pip install .``. Here those
steps are read from the plan (never hard-coded, so a future repo2docker is followed),
run into a fresh virtual environment inside a copy of the repository, and every
lesson, exercise and solution notebook is executed there from its own folder, as a
Binder learner's JupyterLab would run it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from labserver import running_lab
from measure_environment import size_mb as size_mb_of

REPO = Path(__file__).resolve().parents[1]
RUNNER = Path(__file__).with_name("binder_runner.py")
NOTEBOOKS = sorted(f"{folder}/{p.name}" for folder in ("notebooks", "exercises", "solutions")
                   for p in (REPO / folder).glob("*.ipynb"))
# The environment of the five packages the course is built on (jupyterlab, ipywidgets, pandas,
# altair, nbval), measured in a fresh venv with tests/measure_environment.py: see the README.
FIVE_PACKAGES_MB = 430
PIP_STEP = re.compile(r"^RUN \$\{(?:KERNEL|NB)_PYTHON_PREFIX\}/bin/pip (?P<args>.+)$")
TEST_ONLY = ("playwright", "pytest", "hypothesis", "nbval", "frictionless", "repo2docker")


def _repository_files() -> list[str]:
    """What a fresh clone holds: tracked files, plus new ones not ignored (a developer's uncommitted work)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name and (REPO / name).is_file()]


def build_plan(source: Path) -> str:
    """repo2docker's Dockerfile for the repository at ``source``."""
    repo2docker = Path(sys.executable).with_name("repo2docker")
    result = subprocess.run([str(repo2docker), "--no-build", "--no-run", "--debug", str(source)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"repo2docker could not plan the build:\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def pip_steps(plan: str) -> list[list[str]]:
    """The pip commands the plan runs after copying the repository in, as argument lists."""
    after_copy = plan.split("COPY --chown=0:0 src/ ${REPO_DIR}/", 1)
    assert len(after_copy) == 2, "repo2docker's plan no longer copies the repository as expected:\n" + plan
    assemble = after_copy[1].split("LABEL repo2docker", 1)[0]
    steps = []
    for line in assemble.splitlines():
        if line.startswith("RUN "):
            match = PIP_STEP.match(line)
            assert match, f"repo2docker's plan has an assemble step this replay does not know: {line}"
            steps.append(shlex.split(match["args"]))
    return steps


@pytest.fixture(scope="module")
def binder(tmp_path_factory):
    """A copy of the repository and the environment built from repo2docker's plan inside it."""
    base = tmp_path_factory.mktemp("binder")
    source = base / "src"
    for name in _repository_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, source / name)
    plan = build_plan(source)
    steps = pip_steps(plan)
    env_dir = base / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip"]
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTLAB_", "PYTHONPATH", "VIRTUAL_ENV"))}
    for step in steps:
        # --no-cache-dir keeps Docker images small; here the cache only makes repeated runs faster
        args = [a for a in step if a != "--no-cache-dir"]
        result = subprocess.run(pip + args + ["--quiet", "--disable-pip-version-check"], cwd=source,
                                capture_output=True, text=True, env=clean_env, timeout=900)
        assert result.returncode == 0, f"Binder's step `pip {' '.join(step)}` failed:\n{result.stderr[-3000:]}"
    return {"base": base, "source": source, "env": env_dir, "steps": steps, "clean_env": clean_env}


def test_the_plan_installs_the_learners_requirements_and_then_the_package(binder):
    assert ["install", "--no-cache-dir", "-r", "requirements.txt"] in binder["steps"]
    assert binder["steps"][-1][-1] == ".", "the last step is the regular install of the package"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_runs_in_binders_environment_from_its_own_folder(binder, notebook):
    env = {**binder["clean_env"], "TRUSTLAB_JOURNAL": str(binder["base"] / "journal.sqlite3"),
           "HOME": str(binder["base"] / "home")}
    result = subprocess.run([str(binder["env"] / "bin" / "python"), str(RUNNER), str(binder["source"] / notebook)],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["problems"] == [], f"{notebook} in Binder's environment:\n" + "\n".join(report["problems"])
    prefix, package_file, root = report["probe"]
    # the kernel ran in the replayed environment, on a regular (not editable) install, reading the copy
    assert Path(prefix) == binder["env"]
    assert "site-packages" in package_file and str(binder["source"]) not in package_file
    assert Path(root) == binder["source"]


def test_the_course_jupyterlab_settings_are_in_effect_on_binder(binder):
    """No news prompt and no kernel dialog: a Binder learner's first minute is the same as make lab's."""
    python = str(binder["env"] / "bin" / "python")
    with running_lab(python, binder["source"], binder["base"], binder["clean_env"]) as url:
        def defaults(plugin: str) -> dict:
            answer = json.load(urllib.request.urlopen(f"{url}/lab/api/settings/{plugin}", timeout=10))
            return {name: spec.get("default") for name, spec in answer["schema"]["properties"].items()}
        assert defaults("@jupyterlab/notebook-extension:tracker")["autoStartDefaultKernel"] is True
        notification = defaults("@jupyterlab/apputils-extension:notification")
        assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False


def test_learners_install_only_what_the_lessons_need(binder):
    site = next((binder["env"] / "lib").glob("python*/site-packages"))
    installed = {p.name.lower() for p in site.iterdir()}
    assert not [name for name in installed if name.startswith(TEST_ONLY)], "a test tool is in the learners' set"
    size_mb = size_mb_of(binder["env"])
    assert size_mb <= 1.3 * FIVE_PACKAGES_MB, \
        f"the learners' environment is {size_mb:.0f} MB, over 1.3 x the five packages' {FIVE_PACKAGES_MB} MB"
