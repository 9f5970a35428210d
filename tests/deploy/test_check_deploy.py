"""`fangxin check --deploy` with the production settings: silent with a complete environment, and naming what a
multi-server deployment lacks otherwise."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DROPPED = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "FANGXIN_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "FANGXIN_REPLICA_URL",
           "FANGXIN_CACHE_URL", "FANGXIN_S3_BUCKET", "FANGXIN_BADGE_KEYS", "FANGXIN_BADGE_KEYS_FILE"}


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def complete_environment(tmp_path: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "FANGXIN_SECRET_KEY": secrets.token_urlsafe(50),
        "FANGXIN_ALLOWED_HOSTS": "fangxin.example.cn",
        "DATABASE_URL": "postgres://fangxin@10.0.0.11:5432/fangxin",
        "FANGXIN_REPLICA_URL": "postgres://fangxin@10.0.0.12:5432/fangxin",
        "FANGXIN_CACHE_URL": "redis://10.0.0.13:6379/0",
        "FANGXIN_DATA_KEYS": _key(),
        "FANGXIN_DATA_HASH_KEY": _key(),
        "FANGXIN_BADGE_KEYS_FILE": str(tmp_path / "badge-keys.json"),
        "FANGXIN_S3_BUCKET": "fangxin-media",
        "FANGXIN_S3_ENDPOINT": "https://oss.example.cn",
        "FANGXIN_S3_ACCESS_KEY": "AKIDEXAMPLE",
        "FANGXIN_S3_SECRET_KEY": "example-secret",
        "FANGXIN_STATIC_ROOT": str(tmp_path / "static"),
    })
    return env


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "config.manage", "check", "--deploy"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_complete_production_environment_has_no_issues(tmp_path):
    result = check_deploy(complete_environment(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_what_several_servers_need_is_named(tmp_path):
    env = complete_environment(tmp_path)
    for name in ("FANGXIN_CACHE_URL", "FANGXIN_BADGE_KEYS_FILE"):
        env.pop(name)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    env.pop("FANGXIN_REPLICA_URL")
    output = check_deploy(env).stderr
    assert "fangxin.W001" in output and "fangxin.W002" in output and "fangxin.W003" in output, output


def test_a_replica_that_is_not_postgresql_is_one_line(tmp_path):
    env = {**complete_environment(tmp_path), "FANGXIN_REPLICA_URL": "mysql://root@10.0.0.12/fangxin"}
    result = check_deploy(env)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("配置错误：FANGXIN_REPLICA_URL") and len(result.stderr.splitlines()) == 1


def test_s3_without_its_keys_is_one_line(tmp_path):
    env = complete_environment(tmp_path)
    env.pop("FANGXIN_S3_SECRET_KEY")
    result = check_deploy(env)
    assert result.returncode == 2 and "FANGXIN_S3_SECRET_KEY" in result.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
print(json.dumps({
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": default_storage.bucket_name, "endpoint": default_storage.endpoint_url,
    "location": default_storage.location, "signed_urls": default_storage.querystring_auth,
    "acl": default_storage.default_acl, "sessions": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"], "databases": sorted(settings.DATABASES),
    "replica_pool": "pool" in settings.DATABASES["replica"]["OPTIONS"], "routers": settings.DATABASE_ROUTERS,
}))
"""


def test_the_complete_environment_wires_bucket_sessions_cache_and_replica(tmp_path):
    import json

    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=complete_environment(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    wired = json.loads(result.stdout.strip().splitlines()[-1])
    assert wired == {
        "storage": "storages.backends.s3.S3Storage", "bucket": "fangxin-media", "endpoint": "https://oss.example.cn",
        "location": "media", "signed_urls": True, "acl": None,  # private bucket: the app serves every file
        "sessions": "django.contrib.sessions.backends.cached_db",
        "cache": "django.core.cache.backends.redis.RedisCache", "databases": ["default", "replica"],
        "replica_pool": True, "routers": ["config.dbrouter.PrimaryReplicaRouter"],
    }
