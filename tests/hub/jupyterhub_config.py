"""JupyterHub for `make test-hub`: a real hub on 127.0.0.1, two students, each a real system user.

Everything that differs from run to run (ports, folders, the students and their passwords,
the environment's ``jupyterhub-singleuser``, the proxy) comes from ``TRUSTLAB_HUB_*``
environment variables that tests/hub/test_hub.py sets; the choices are here.

Why ``LocalProcessSpawner`` with real users, and not ``SimpleLocalProcessSpawner``: the
simple spawner runs every student's server as the hub's own user, with homes that are
just folders side by side, so any student's notebook could open any other's journal. The
local process spawner starts each server as that student's own system user (it needs the
hub to run as root), in their home folder, so their journal is their file, guarded by the
operating system: the same isolation a university hub has on a shared server. (On
Kubernetes, Zero to JupyterHub gives each student a container and their own volume.)
"""

import json
import os
from secrets import compare_digest

from jupyterhub.auth import Authenticator

settings = os.environ
state = settings["TRUSTLAB_HUB_STATE"]  # the hub's database, cookie secret and proxy pid: a temporary folder
passwords = json.loads(settings["TRUSTLAB_HUB_STUDENTS"])  # {"student name": "their own password"}


class ClassListAuthenticator(Authenticator):
    """Each student on the class list signs in with their own password (no PAM, no shared password).

    A stand-in for the university's sign-in (SSO through OAuthenticator or an LTI link from the
    learning platform): what matters here is that one student cannot sign in as another.
    """

    async def authenticate(self, handler, data):
        expected = passwords.get(data["username"])
        if expected is not None and compare_digest(data["password"].encode(), expected.encode()):
            return data["username"]
        return None


c = get_config()  # noqa: F821 (JupyterHub provides it)

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(settings["TRUSTLAB_HUB_PORT"])
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(settings["TRUSTLAB_HUB_API_PORT"])
c.JupyterHub.db_url = f"sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{state}/jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every student's server

c.JupyterHub.authenticator_class = ClassListAuthenticator
c.Authenticator.allowed_users = set(passwords)

c.ConfigurableHTTPProxy.command = [settings["TRUSTLAB_HUB_PROXY"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['TRUSTLAB_HUB_PROXY_API_PORT']}"
c.ConfigurableHTTPProxy.pid_file = f"{state}/proxy.pid"

c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [settings["TRUSTLAB_HUB_SINGLEUSER"]]
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 60
c.Spawner.http_timeout = 60
