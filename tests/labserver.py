"""Start a JupyterLab server from a given Python environment, on a free localhost port.

Used by the browser tests (the course environment) and the Binder replay (the
environment rebuilt from repo2docker's plan). No token, empty user settings and an
empty workspace, so what is seen is the environment's own defaults.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early:\n{log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{log.read_text()[-2000:]}")


@contextmanager
def running_lab(python: str, root: Path, base: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the URL of a JupyterLab started with ``python -m jupyterlab`` serving ``root``."""
    port = free_port()
    full_env = {**os.environ,
                "JUPYTERLAB_SETTINGS_DIR": str(base / "user-settings"),  # no personal settings
                "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),   # workspace reset
                "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
                **(env or {})}
    command = [python, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
               "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
               "--ServerApp.open_browser=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / "lab.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=full_env)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_for(f"{url}/api/status", process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
