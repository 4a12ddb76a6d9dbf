"""A class of two on a real JupyterHub: each student opens module 00 from an nbgitpuller link and reflects.

Everything runs on 127.0.0.1 with no internet: the course is served by ``git daemon`` from
a bare clone of the repository as it is now; JupyterHub (the ``jupyterhub`` package, with
``configurable-http-proxy`` from npm, tests/hub/package.json) uses tests/hub/jupyterhub_config.py:
two students on a class list, each a real system user created here, each server started as
that user in their own home by ``LocalProcessSpawner`` (why not the simple spawner: see the
config). Headless Chromium (Debian's, driven by Playwright) follows the link as a student
would: sign in, wait for the server, let nbgitpuller copy the course, land in module 00, run
all cells, type a reflection and see it saved. Then the test checks what a class cares about:

- each journal is at ``~/.trustlab/journal.sqlite3`` in that student's home, is that
  student's file, and holds that student's reflection and not the other's;
- neither student can read the other's journal: not as their own system user (the user
  their kernel runs as: the journal they saved is owned by it; the operating system refuses,
  because homes are private, mode 0700), not through the hub (the other's server refuses
  them), and not by signing in as the other with their own password.

Needs root (to create the two users and to let the hub start servers as them); `make test-hub`
uses sudo when it is not root. Cleans up: hub, proxy, servers, git daemon, users, folders.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hubtools import FIGURES, git

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# the students' environment (make test-hub builds it): requirements.txt + requirements-hub.txt
BIN = Path(os.environ.get("TRUSTLAB_HUB_VENV", REPO / ".venv-hub")) / "bin"
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"
CHROMIUM = Path(os.environ.get("TRUSTLAB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions"]
STUDENTS = ("trustlab-ana", "trustlab-ben")  # system user names; removed at the end even if a run was cut off
MODULE_00 = "notebooks/00_start_here.ipynb"
TIMEOUT = 90_000  # ms: a first spawn, a clone and a first kernel on a busy 2-core machine
ARTIFACTS = HERE.parents[1] / "artifacts" / "hub"  # the hub's log and, on failure, what the browser showed
HOME_MODE = 0o700  # what the hub's administrator sets for students' homes (Debian's default is 0755)

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{what} stopped at start (exit code {process.returncode})", pytrace=False)
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"{what} did not listen on 127.0.0.1:{port} within {seconds} s", pytrace=False)


def stop(process: subprocess.Popen, seconds: float = 20) -> None:
    """SIGTERM (JupyterHub then stops the proxy and every student's server), SIGKILL if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def processes_of(uid: int) -> list[int]:
    """Process ids still running as ``uid`` (a student's server or kernel that outlived the hub)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except FileNotFoundError:
                pass
    return found


def remove_user(name: str) -> None:
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    for pid in processes_of(uid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    subprocess.run(["userdel", name], capture_output=True)
    subprocess.run(["groupdel", name], capture_output=True)


@pytest.fixture(scope="module")
def root():
    if os.geteuid() != 0:
        pytest.fail("the hub test creates two system users and starts servers as them: run it as root "
                    "(make test-hub uses sudo when it is not root)", pytrace=False)
    for needed, why in ((PROXY, "run `make test-hub`, which installs it with npm ci in tests/hub"),
                        (BIN / "jupyterhub", "make test-hub builds .venv-hub with requirements-hub.txt"),
                        (CHROMIUM, "install Debian's chromium or set TRUSTLAB_CHROMIUM")):
        if not Path(needed).exists():
            pytest.fail(f"{needed} is missing: {why}", pytrace=False)
    for program in (BIN / "python", BIN / "jupyterhub-singleuser", REPO / "trustlab" / "__init__.py"):
        closed = reachable_by_others(program)
        if closed:
            pytest.fail(f"the students' servers run as their own users, who cannot reach {program}: {closed} is "
                        "closed to other users (build .venv-hub from a Python outside a private home, e.g. "
                        "make test-hub HUB_PYTHON=/usr/bin/python3, and keep the checkout in a folder others "
                        "can pass through)", pytrace=False)


def reachable_by_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` (symlinks followed) that other users cannot pass, or None."""
    for folder in [*reversed(path.resolve().parents)]:
        if not folder.stat().st_mode & 0o001:
            return folder
    return None


@pytest.fixture(scope="module")
def remote(root, workspace, course_checkout):
    """``git://127.0.0.1:<port>/course.git``: a bare clone of the repository, served by git daemon."""
    served = workspace / "git"
    served.mkdir()
    git("clone", "-q", "--bare", str(course_checkout), str(served / "course.git"), cwd=workspace)
    port = free_port()
    daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--informative-errors",
                               "--listen=127.0.0.1", f"--port={port}", f"--base-path={served}", str(served)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, daemon, "git daemon")
        yield f"git://127.0.0.1:{port}/course.git"
    finally:
        stop(daemon, 5)


@pytest.fixture(scope="module")
def students(root, workspace):
    """Two real system users with private homes under the workspace: {name: {uid, home, password}}."""
    homes = workspace / "home"
    homes.mkdir(mode=0o755)
    made = {}
    try:
        for name in STUDENTS:
            remove_user(name)  # left behind by a run that was killed
            home = homes / name
            subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                            "--user-group", "-K", f"HOME_MODE={HOME_MODE:04o}", name],
                           check=True, capture_output=True)
            entry = pwd.getpwnam(name)
            made[name] = {"uid": entry.pw_uid, "gid": entry.pw_gid, "home": home, "password": secrets.token_urlsafe(12)}
        yield made
    finally:
        for name in STUDENTS:
            remove_user(name)


@pytest.fixture(scope="module")
def hub(root, workspace, students):
    """JupyterHub on 127.0.0.1 (tests/hub/jupyterhub_config.py); yields its URL."""
    state = workspace / "hub"
    state.mkdir(mode=0o700)
    port = free_port()
    env = {**os.environ,
           "TRUSTLAB_HUB_STATE": str(state), "TRUSTLAB_HUB_PORT": str(port),
           "TRUSTLAB_HUB_API_PORT": str(free_port()), "TRUSTLAB_HUB_PROXY_API_PORT": str(free_port()),
           "TRUSTLAB_HUB_PROXY": str(PROXY), "TRUSTLAB_HUB_SINGLEUSER": str(BIN / "jupyterhub-singleuser"),
           "TRUSTLAB_HUB_STUDENTS": json.dumps({name: s["password"] for name, s in students.items()}),
           "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    env.pop("TRUSTLAB_JOURNAL", None)  # the students' servers must use their homes' default
    log = (state / "jupyterhub.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")],
                               cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process, "JupyterHub")
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:  # the proxy answers before the hub's route is in place
            try:
                urllib.request.urlopen(f"{url}/hub/api", timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        FIGURES.append(f"JupyterHub and its proxy up: {time.perf_counter() - started:.1f} s")
        yield url
    finally:
        stop(process)
        log.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "jupyterhub.log").write_text((state / "jupyterhub.log").read_text())


def pull_link(hub_url: str, repo: str) -> str:
    """The nbgitpuller link an instructor hands out: the course into ~/course, opened at module 00."""
    query = urllib.parse.urlencode({"repo": repo, "branch": "main", "targetpath": "course",
                                    "urlpath": f"lab/tree/course/{MODULE_00}"})
    return f"{hub_url}/hub/user-redirect/git-pull?{query}"


@pytest.fixture(scope="module")
def browser(root):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def loopback_page(browser, hub_url: str, blocked: list[str]):
    """A page that may reach only the hub; anything else is refused and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(request_route):
        url = request_route.request.url
        if url.startswith(hub_url) or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    page.route("**/*", route)
    return page


def sign_in(page, name: str, password: str) -> None:
    page.locator("input[name='username']").fill(name)
    page.locator("input[name='password']").fill(password)
    page.locator("input[type='submit'], button[type='submit']").first.click()


def run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=TIMEOUT)


@pytest.fixture(scope="module")
def classroom(hub, remote, students, browser):
    """Each student follows the link, signs in, lands in module 00, runs it and saves a reflection."""
    link = pull_link(hub, remote)
    pages, blocked = {}, []
    for name, student in students.items():
        student["text"] = f"{name} remembers a teacher who listened first. [{secrets.token_hex(4)}]"
        page = loopback_page(browser, hub, blocked)
        pages[name] = page
        started = time.perf_counter()
        try:
            follow_link_and_reflect(page, hub, link, name, student)
        except Exception:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-failed.png"))
            (ARTIFACTS / f"{name}-failed.txt").write_text(f"{page.url}\n\n{page.content()}")
            raise
        FIGURES.append(f"{name}: from the link to a saved reflection: {time.perf_counter() - started:.1f} s")
    yield {"pages": pages, "blocked": blocked, "hub": hub, "remote": remote}
    for page in pages.values():
        page.context.close()


def follow_link_and_reflect(page, hub: str, link: str, name: str, student: dict) -> None:
    """What a student does: click the link, sign in, wait for module 00, run it, write a reflection."""
    started = time.perf_counter()
    page.goto(link)
    sign_in(page, name, student["password"])
    page.locator(".jp-NotebookPanel").first.wait_for(timeout=TIMEOUT)
    assert page.url.startswith(f"{hub}/user/{name}/lab/tree/course/{MODULE_00}"), page.url
    page.locator(".jp-StatusBar-TextItem", has_text="Idle").first.wait_for(timeout=TIMEOUT)
    FIGURES.append(f"{name}: link to module 00 open, kernel idle (sign-in, spawn, clone): "
                   f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    run_all_cells(page)
    box = page.locator(".trustlab-reflection").first
    box.scroll_into_view_if_needed()
    box.locator("textarea").fill(student["text"])
    box.locator(".trustlab-saved[data-state='ok']").wait_for(timeout=TIMEOUT)
    assert "Saved at" in box.locator(".trustlab-saved").inner_text()
    FIGURES.append(f"{name}: run all cells, type a reflection, saved: {time.perf_counter() - started:.1f} s")


def journal_path(student: dict) -> Path:
    return student["home"] / ".trustlab" / "journal.sqlite3"


def journal_text(path: Path) -> str:
    """Every entry of a journal as stored, read with SQLite itself (read-only), not with the course's code."""
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as con:
        return "\n".join(row[0] for row in con.execute("SELECT entry FROM entries"))


def reflections(path: Path) -> list[str]:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as con:
        return [json.dumps(json.loads(row[0]), ensure_ascii=False)
                for row in con.execute("SELECT entry FROM entries WHERE kind = 'reflection'")]


def other(name: str) -> str:
    return next(n for n in STUDENTS if n != name)


def test_the_link_gives_each_student_the_course_in_their_own_home(classroom, students):
    for name, student in students.items():
        copy = student["home"] / "course"
        notebook = copy / MODULE_00
        assert notebook.is_file(), f"nbgitpuller did not put module 00 in {name}'s home"
        assert notebook.stat().st_uid == student["uid"], "the copy must belong to the student, not to the hub"
        assert f"url = {classroom['remote']}" in (copy / ".git" / "config").read_text()
        assert (student["home"].stat().st_mode & 0o777) == HOME_MODE
    assert classroom["blocked"] == [], "requests left the machine:\n" + "\n".join(classroom["blocked"])


def test_each_journal_is_in_its_students_home_and_holds_only_their_entries(classroom, students):
    for name, student in students.items():
        journal = journal_path(student)
        assert journal.is_file(), f"no journal at {journal}"
        assert journal.stat().st_uid == student["uid"], "the journal was not written by the student's own kernel"
        saved = reflections(journal)
        assert any(student["text"] in r for r in saved), f"{name}'s reflection is not in their journal"
        everything = journal_text(journal)
        assert students[other(name)]["text"] not in everything, f"{other(name)}'s writing is in {name}'s journal"
        assert other(name) not in everything
    assert len({journal_path(s) for s in students.values()}) == len(students)


def test_a_student_cannot_open_the_other_students_journal(classroom, students):
    """Python run as each student (the user their kernel runs as: their journal is their file, see above)."""
    for name, student in students.items():
        target = journal_path(students[other(name)])
        code = ("import json, os\n"
                "from trustlab.journal.store import default_path\n"
                "try:\n"
                f"    open({str(target)!r}, 'rb').read(16)\n"
                "    outcome = 'read'\n"
                "except OSError as error:\n"
                "    outcome = type(error).__name__\n"
                "print(json.dumps({'uid': os.getuid(), 'journal': str(default_path()), 'other': outcome}))\n")
        result = subprocess.run([str(BIN / "python"), "-c", code], user=student["uid"], group=student["gid"],
                                extra_groups=[], env={"HOME": str(student["home"]), "PATH": "/usr/bin:/bin"},
                                cwd=student["home"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr[-2000:]
        probe = json.loads(result.stdout.strip().splitlines()[-1])
        assert probe["journal"] == str(journal_path(student)), "the course looks for the journal elsewhere"
        assert probe["other"] == "PermissionError", f"{name} could open {other(name)}'s journal: {probe}"


def test_the_hub_does_not_let_a_student_into_the_other_students_server(classroom, students):
    for name in students:
        page = classroom["pages"][name]
        answer = page.request.get(f"{classroom['hub']}/user/{other(name)}/api/contents/.trustlab")
        assert answer.status == 403, f"{name} reached {other(name)}'s server: HTTP {answer.status}"
        assert "journal.sqlite3" not in answer.text()


def test_a_student_cannot_sign_in_as_the_other_with_their_own_password(classroom, students, browser):
    blocked: list[str] = []
    page = loopback_page(browser, classroom["hub"], blocked)
    try:
        page.goto(f"{classroom['hub']}/hub/login")
        sign_in(page, STUDENTS[0], students[STUDENTS[1]]["password"])
        page.locator("input[name='password']").wait_for(timeout=TIMEOUT)  # still on the sign-in page
        assert "/hub/login" in page.url
        assert "Invalid username or password" in page.content()
    finally:
        page.context.close()
