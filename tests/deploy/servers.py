"""Two production app servers (gunicorn, config.settings.production) on loopback, for the two-server test.

Each server is its own process tree on its own port; both use the test run's database and one Redis database, as two
machines behind nginx would. The client speaks plain HTTP/1.1 with the header nginx adds (X-Forwarded-Proto), keeps
its own cookies, and can be pointed at either server: that is what a browser behind a load balancer sees.
"""

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """The URL of the database this test run uses (pytest-django's test database), for the servers."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = urllib.parse.quote(settings_dict.get("USER") or "")
    password = urllib.parse.quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def start(env: dict, log_dir: Path, name: str) -> Server:
    port = free_port()
    log = log_dir / f"{name}.log"
    handle = log.open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--threads", "4", "--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-",
         "--name", f"fangxin-two-servers-{name}"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    return Server(port=port, process=process, log=log)


def collectstatic(static_root: Path) -> subprocess.Popen:
    """Collect the static files as production does (hashed names and a manifest) into `static_root`, in the
    background: the servers start meanwhile and need the manifest only for their first page."""
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "FANGXIN_ENV"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", "FANGXIN_STATIC_ROOT": str(static_root)})
    code = ("import django, os; from django.conf import settings; "
            "from django.core.management import call_command; django.setup(); "
            "settings.STATIC_ROOT = os.environ['FANGXIN_STATIC_ROOT']; "
            "settings.STORAGES = {**settings.STORAGES, 'staticfiles': "
            "{'BACKEND': 'whitenoise.storage.CompressedManifestStaticFilesStorage'}}; "
            "call_command('collectstatic', interactive=False, verbosity=0)")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, start_new_session=True)


def wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server on {server.port} exited:\n{server.output()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on {server.port} not ready:\n{server.output()}")


def stop(server: Server) -> None:
    """Kill the server's own process group (gunicorn master and workers), never anything else."""
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    def json(self):
        import json

        return json.loads(self.text)


@dataclass
class Browser:
    """Cookies of one user, sent to whichever server a request goes to."""

    cookies: dict = field(default_factory=dict)

    def request(self, server: Server, method: str, path: str, *, form: dict | None = None,
                json_body: dict | None = None, headers: dict | None = None) -> Response:
        import json

        sent = {"Host": f"127.0.0.1:{server.port}", "X-Forwarded-Proto": "https", **(headers or {})}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        if method == "POST":
            sent.setdefault("Origin", server.origin)  # as a browser on the site sends it
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", errors="replace")
            for header in raw.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
            return Response(raw.status, dict(raw.headers), text)
        finally:
            connection.close()

    def csrf_from(self, page: Response) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, "no CSRF token on the page"
        return found.group(1)
