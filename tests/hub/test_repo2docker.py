"""repo2docker (the builder behind Binder, and a way to build a JupyterHub image) would build the course as it is.

There is no Docker engine here, so this asks repo2docker for its build plan only
(``--no-build --no-run --debug`` prints the Dockerfile) for a fresh-clone copy of the
repository, and checks what the hub's image depends on. What it cannot check: that the
image really builds (the conda base environment, pip resolving requirements.txt inside it)
and runs; the Binder replay in `make test` runs the plan's pip steps for real in a venv.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO2DOCKER = Path(sys.executable).with_name("repo2docker")  # from requirements-test.txt


def plan(source: Path, *extra: str) -> str:
    result = subprocess.run([str(REPO2DOCKER), "--no-build", "--no-run", "--debug", *extra, str(source)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"repo2docker could not plan the build:\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def dockerfile(course_checkout) -> str:
    return plan(course_checkout)


def run_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("RUN ")]


def test_python_comes_from_runtime_txt(dockerfile, course_checkout):
    version = re.fullmatch(r"python-(\d+\.\d+)", (course_checkout / "runtime.txt").read_text().strip())[1]
    assert f"python={version}" in dockerfile or f"py-{version}" in dockerfile


def test_the_image_installs_requirements_txt_after_copying_the_course(dockerfile):
    """requirements.txt names the course itself (-e . and ./jupyter-settings): it must run after the copy."""
    copied = dockerfile.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    install = re.search(r'^RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install .*-r "?requirements\.txt"?$',
                        dockerfile, re.M)
    assert install, "repo2docker no longer installs requirements.txt:\n" + "\n".join(run_lines(dockerfile))
    assert install.start() > copied
    assert "requirements-test.txt" not in dockerfile and "requirements-hub.txt" not in dockerfile


def test_post_build_runs_if_the_course_has_one(dockerfile, course_checkout):
    scripts = [p for p in (course_checkout / "postBuild", course_checkout / "binder" / "postBuild",
                           course_checkout / ".binder" / "postBuild") if p.exists()]
    if scripts:
        assert "postBuild" in dockerfile
    else:
        assert "postBuild\n" not in dockerfile.replace("postBuild scripts", ""), "a postBuild step with no script"


def test_the_base_environment_brings_jupyterhub_singleuser():
    """A hub starts each student's server with jupyterhub-singleuser: repo2docker's base environment has it."""
    import repo2docker
    conda = Path(repo2docker.__file__).parent / "buildpacks" / "conda" / "environment.yml"
    assert re.search(r"^\s*-\s*jupyterhub-singleuser", conda.read_text(), re.M)


def test_the_image_built_from_the_repository_as_it_is_has_nbgitpuller(course_checkout):
    """The links in the doc need nbgitpuller in the students' image: requirements.txt, which the plan
    installs, names it, so Binder's image and the hub's image are the same."""
    requirements = (course_checkout / "requirements.txt").read_text()
    assert re.search(r"^nbgitpuller[<>=!~ ]", requirements, re.M)
    doc = (Path(__file__).resolve().parents[2] / "instructors" / "teaching-with-jupyterhub.md").read_text()
    assert "--appendix" not in doc
