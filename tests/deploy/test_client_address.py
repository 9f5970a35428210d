"""Behind nginx the client's address comes from X-Real-IP, but only from a trusted proxy (config/wsgi.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, config.wsgi as wsgi
if not hasattr(wsgi, "_django_application"):  # not wrapped: Django sees gunicorn's REMOTE_ADDR unchanged
    print(json.dumps(None)); raise SystemExit
wsgi._django_application = lambda environ, start_response: [environ.get("REMOTE_ADDR", "")]
cases = [("127.0.0.1", "203.0.113.7"), ("", "203.0.113.8"), ("198.51.100.1", "203.0.113.9"), ("127.0.0.1", "")]
print(json.dumps([wsgi.application({"REMOTE_ADDR": peer, "HTTP_X_REAL_IP": real}, None)[0] for peer, real in cases]))
"""


def _addresses(trusted: str) -> list[str] | None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "FANGXIN_TRUSTED_PROXIES": trusted}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_real_address_is_taken_from_trusted_proxies_only():
    # nginx on loopback and on the unix socket are believed; another peer's header is ignored; no header, no change.
    assert _addresses("127.0.0.1,unix") == ["203.0.113.7", "203.0.113.8", "198.51.100.1", "127.0.0.1"]


def test_without_trusted_proxies_the_header_is_ignored():
    assert _addresses("") is None
