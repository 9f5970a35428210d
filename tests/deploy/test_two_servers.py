"""Two production app servers against ONE database and ONE Redis: what one does, the other sees.

Runs on the database of the test run (SQLite file or a fresh PostgreSQL test database), with the shared cache on
redis://127.0.0.1:6379/14 (flushed first; override with FANGXIN_TEST_REDIS_URL). The servers are gunicorn with
config.settings.production, started for this module and killed at its end, even on failure.

- sessions: a login through server 1 is a login through server 2, and a logout through server 1 ends it on server 2
  (a per-process session store or a signed-cookie session would fail one of the two);
- cache: the badge page and API answer, read (and cached) through server 2, show the suspension made through
  server 1 at once (a per-process cache, or a cache not invalidated on the status change, would serve "valid");
- locks: concurrent writes through both servers are serialised by the row locks they take (the audit chain head,
  the enrollment row): every complaint gets its own tracking number and audit sequence number, the chain verifies,
  and of two simultaneous revocations of one enrollment exactly one succeeds.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from tests.deploy import servers

REDIS_URL = os.environ.get("FANGXIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "two-servers-correct-horse-7"
API = "/api/v1"


def _server_env(static_root: Path, media_root: Path) -> dict:
    from fangxin.campaign import badge_keys

    dropped = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "FANGXIN_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE",
               "FANGXIN_REPLICA_URL", "FANGXIN_S3_BUCKET", "PYTEST_CURRENT_TEST"}
    env = {key: value for key, value in os.environ.items() if key not in dropped and not key.startswith("PYTEST_XDIST")}
    data_keys = getattr(settings, "FANGXIN_DATA_KEYS", None)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": servers.database_url(connection.settings_dict),
        "FANGXIN_CACHE_URL": REDIS_URL,
        # The same secrets as this test process, as every server of a deployment shares them: the badge keyring
        # that signed the test's badge, the personal-data keys, and the key the triage model's manifest is signed
        # with (so the servers use the model this run already has instead of training their own).
        "FANGXIN_SECRET_KEY": settings.SECRET_KEY,
        "FANGXIN_BADGE_KEYS_FILE": str(badge_keys.keys_path()),
        "FANGXIN_ALLOWED_HOSTS": "127.0.0.1",
        "FANGXIN_STATIC_ROOT": str(static_root),
        "FANGXIN_MEDIA_ROOT": str(media_root),
        "FANGXIN_DB_POOL_MIN": "1",
        "FANGXIN_DB_POOL_MAX": "4",
        "FANGXIN_LOG_LEVEL": "WARNING",
    })
    if data_keys:
        env["FANGXIN_DATA_KEYS"] = ",".join(data_keys)
        env["FANGXIN_DATA_HASH_KEY"] = settings.FANGXIN_DATA_HASH_KEY
    return env


@pytest.fixture
def world(transactional_db, users, entities):
    """Committed rows the servers can see: a county officer who logs in, an enrolled business, a department token."""
    import redis

    from fangxin.accounts.services import api_token_create
    from fangxin.campaign.tests.factories import make_enrollment
    from fangxin.core.actors import Actor
    from fangxin.organisation.models import Department, Region

    redis.Redis.from_url(REDIS_URL).flushdb()
    officer = users["county_a"]
    # The test settings hash with MD5, which production does not accept: store a production-readable hash.
    officer.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    officer.save(update_fields=["password"])
    enrollment = make_enrollment(entities["a_food"])
    _, token = api_token_create(actor=Actor.system("test"), name="两台服务器测试", region=Region.objects.get(code="150800"),
                                department=Department.objects.get(code="fda"))
    return {"officer": officer, "enrollment": enrollment, "token": token}


@pytest.fixture
def static_root(tmp_path):
    """collectstatic (hashed names, as production) runs while the database and the rows are being prepared."""
    root = tmp_path / "static"
    collecting = servers.collectstatic(root)
    yield root, collecting
    if collecting.poll() is None:
        collecting.kill()
        collecting.wait()


@pytest.fixture
def two_servers(static_root, world, tmp_path):
    root, collecting = static_root
    # The servers read the manifest when they start, as after a deployment's collectstatic step.
    assert collecting.wait(timeout=300) == 0, "collectstatic failed"
    env = _server_env(root, tmp_path / "media")
    started = []
    try:
        for name in ("one", "two"):
            started.append(servers.start(env, tmp_path, name))
        for server in started:
            servers.wait_ready(server)
        yield started
    finally:
        for server in started:
            servers.stop(server)


def _log_in(browser: servers.Browser, server) -> None:
    page = browser.request(server, "GET", "/accounts/login/")
    assert page.status == 200, server.output()
    done = browser.request(server, "POST", "/accounts/login/", form={
        "username": "county_a", "password": PASSWORD, "csrfmiddlewaretoken": browser.csrf_from(page)})
    assert done.status == 302 and "sessionid" in browser.cookies, (done.status, done.text[:500])


def _badge(server, token: str) -> tuple[str, str]:
    """(verdict class on the scan page, verdict of the API) as a consumer's phone sees them through `server`."""
    page = servers.Browser().request(server, "GET", f"/v/{token}")
    assert page.status == 200
    verdict = page.text.split('class="verdict verdict-', 1)[1].split('"', 1)[0]
    api = servers.Browser().request(server, "GET", f"{API}/badges/verify?token={token}")
    assert api.status == 200
    return verdict, api.json()["verdict"]


def test_sessions_caches_and_locks_are_shared_by_two_servers(two_servers, world):
    one, two = two_servers
    enrollment, token = world["enrollment"], world["enrollment"].badge_token

    # Session: logged in through server 1, the same cookie is a signed-in officer on server 2.
    officer = servers.Browser()
    _log_in(officer, one)
    home = officer.request(two, "GET", "/workbench/")
    assert home.status == 200, (home.status, home.headers.get("Location"))
    assert "测试county_a" in home.text

    # Cache: server 2 answers (and may cache) "valid" twice, then server 1 suspends through the workbench form…
    assert _badge(two, token) == ("valid", "valid")
    assert _badge(two, token) == ("valid", "valid")
    detail = officer.request(one, "GET", f"/workbench/enrollments/{enrollment.serial}/")
    assert detail.status == 200
    suspended = officer.request(one, "POST", f"/workbench/enrollments/{enrollment.serial}/status/", form={
        "to_status": "suspended", "reason": "两台服务器测试：暂停", "csrfmiddlewaretoken": officer.csrf_from(detail)})
    assert suspended.status == 302, suspended.text[:500]
    # …and server 2 at once says so, on the page and in the API; so does server 1.
    assert _badge(two, token) == ("suspended", "suspended")
    assert _badge(one, token) == ("suspended", "suspended")

    # Lock: two simultaneous revocations of one enrollment, one through each server: the row lock lets exactly one
    # through; the other finds it already revoked (409), and the timeline has one revocation.
    bearer = {"Authorization": f"Bearer {world['token']}"}

    def revoke(server):
        return servers.Browser().request(server, "POST", f"{API}/enrollments/{enrollment.serial}/status",
                                         json_body={"to_status": "revoked", "reason": "并发撤销"}, headers=bearer)

    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(revoke, [one, two]))
    outcomes = sorted(response.status for response in responses)
    assert outcomes == [200, 409], [(r.status, r.text[:300]) for r in responses]
    enrollment.refresh_from_db()
    assert enrollment.status == "revoked"
    assert enrollment.events.filter(to_status="revoked").count() == 1
    assert _badge(two, token) == ("revoked", "revoked")

    # Lock: complaints filed at the same time through both servers each get their own tracking number, and the
    # audit chain (one locked head for all writers) has no gap, no duplicate and verifies.
    from fangxin.complaints.models import Complaint
    from fangxin.core import audit
    from fangxin.core.models import AuditHead

    head_before = AuditHead.objects.get(pk=1).last_seq

    def file(number: int):
        body = {"complainant_name": "李四", "complainant_phone": f"139000{number:05d}", "business_name": "临河区华联超市",
                "item": "食用油一桶", "description": f"第 {number} 件：食用油有哈喇味，超市拒绝退货。",
                "demand": "退货退款", "region_code": "150802", "amount": "89.00", "consent_mediation": True,
                "external_ref": f"12315-two-servers-{number}"}
        return servers.Browser().request(two_servers[number % 2], "POST", f"{API}/complaints", json_body=body,
                                         headers=bearer)

    with ThreadPoolExecutor(8) as pool:
        filed = list(pool.map(file, range(16)))
    assert [response.status for response in filed] == [201] * 16, [(r.status, r.text[:200]) for r in filed]
    numbers = {response.json()["tracking_no"] for response in filed}
    assert len(numbers) == 16
    assert set(Complaint.objects.values_list("tracking_no", flat=True)) == numbers
    head_after = AuditHead.objects.get(pk=1).last_seq
    assert head_after - head_before >= 16
    result = audit.verify()
    assert result.ok, result.message()

    # Session end: logging out through server 1 ends the session on server 2 as well.
    page = officer.request(one, "GET", "/workbench/")
    cookie = dict(officer.cookies)
    out = officer.request(one, "POST", "/accounts/logout/", form={"csrfmiddlewaretoken": officer.csrf_from(page)})
    assert out.status == 302
    replay = servers.Browser(cookies=cookie).request(two, "GET", "/workbench/")
    assert replay.status == 302 and "/accounts/login/" in replay.headers["Location"]
