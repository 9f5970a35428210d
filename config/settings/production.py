"""Production: behind nginx, on PostgreSQL with a connection pool (and optionally a streaming read replica), a
shared Redis cache, media on S3-compatible storage, logs on stdout. docs/deploy.md explains every variable.

Selected with FANGXIN_ENV=production (config/manage.py, config/wsgi.py) or DJANGO_SETTINGS_MODULE.
"""

import os
from pathlib import Path

from django.core import checks

from .env import ConfigError, env_bool, env_list, secret_key

secret_key(production=True)  # the first thing a new deployment lacks: say so before any other setting complains

from .base import *  # noqa: E402, F403

PRODUCTION = True
DEBUG = False
SECRET_KEY = secret_key(production=True)
if not ALLOWED_HOSTS or os.environ.get("FANGXIN_ALLOWED_HOSTS", "") == "":  # noqa: F405
    raise ConfigError("生产模式缺少 FANGXIN_ALLOWED_HOSTS：请列出对外服务的域名，以逗号分隔。")


# --- databases ---------------------------------------------------------------------------------------------------
def _pooled(config: dict) -> dict:
    """Django's psycopg pool: each gunicorn worker process keeps its own small pool (docs/deploy.md, sizing)."""
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("FANGXIN_DB_POOL_MIN", "2")),
            # a request holds one connection (4 threads); one dashboard refresh at a time and report threads
            # also hold one each (docs/deploy.md, "Connections"); a pool opens only what is used
            "max_size": int(os.environ.get("FANGXIN_DB_POOL_MAX", "10")),
            "timeout": float(os.environ.get("FANGXIN_DB_POOL_TIMEOUT", "10")),
        }
        config["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not also keep them
        config["CONN_HEALTH_CHECKS"] = False  # the pool checks a connection when it is handed out
    return config


DATABASES["default"] = _pooled(DATABASES["default"])  # noqa: F405

# A streaming replica (pg_basebackup -R) serves the dashboards' and reports' reads: config/dbrouter.py decides.
# Without FANGXIN_REPLICA_URL every read goes to the primary, and nothing else changes.
_replica_url = os.environ.get("FANGXIN_REPLICA_URL", "").strip()
if _replica_url:
    import dj_database_url

    try:
        _replica = dj_database_url.parse(_replica_url)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        raise ConfigError(f"FANGXIN_REPLICA_URL 无效（{exc}）：示例 postgres://fangxin@10.0.0.12:5432/fangxin") from None
    if _replica.get("ENGINE") != "django.db.backends.postgresql" or not _replica.get("NAME"):
        raise ConfigError("FANGXIN_REPLICA_URL 必须指向 PostgreSQL 只读副本：示例 postgres://fangxin@10.0.0.12:5432/fangxin")
    _replica["TEST"] = {"MIRROR": "default"}  # a test run reads the replica's models from its own database
    DATABASES["replica"] = _pooled(_replica)  # noqa: F405
DATABASE_ROUTERS = ["config.dbrouter.PrimaryReplicaRouter"]


# --- cache and sessions ------------------------------------------------------------------------------------------
# CACHES comes from config/settings/caching.py (FANGXIN_CACHE_URL → Redis shared by every app server). Sessions:
# with the shared cache, cached_db (read from Redis, written through to the database, so a Redis restart logs
# nobody out); without it, the database alone — never a per-process cache, which another server cannot see.
FANGXIN_SHARED_CACHE = bool(os.environ.get("FANGXIN_CACHE_URL", "").strip())
_default_cache = globals().get("CACHES", {}).get("default", {}).get("BACKEND", "")
if FANGXIN_SHARED_CACHE and "redis" not in _default_cache.lower():
    # caching.py owns CACHES; this only guarantees that a given FANGXIN_CACHE_URL is really what is used.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["FANGXIN_CACHE_URL"].strip()}}
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if FANGXIN_SHARED_CACHE else "django.contrib.sessions.backends.db"
)


# --- HTTPS (nginx terminates TLS and sets X-Forwarded-Proto) --------------------------------------------------------
if env_bool("FANGXIN_HTTPS", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # nginx already redirects port 80; this catches anything that reaches gunicorn without the header, except the
    # probes the load balancer and the scheduler call on loopback.
    SECURE_SSL_REDIRECT = env_bool("FANGXIN_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("FANGXIN_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANGXIN_HSTS_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("FANGXIN_HSTS_PRELOAD", True)
if not CSRF_TRUSTED_ORIGINS:  # noqa: F405
    CSRF_TRUSTED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS if host != "*"]  # noqa: F405


# --- static files and media ----------------------------------------------------------------------------------------
# Hashed names (collectstatic writes them), so nginx can serve /static/ with a one-year cache header.
STATIC_ROOT = Path(os.environ.get("FANGXIN_STATIC_ROOT", STATIC_ROOT))  # noqa: F405
MEDIA_ROOT = Path(os.environ.get("FANGXIN_MEDIA_ROOT", MEDIA_ROOT))  # noqa: F405
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False

_bucket = os.environ.get("FANGXIN_S3_BUCKET", "").strip()
if _bucket:
    _missing = [name for name in ("FANGXIN_S3_ACCESS_KEY", "FANGXIN_S3_SECRET_KEY") if not os.environ.get(name)]
    if _missing:
        raise ConfigError(f"已设置 FANGXIN_S3_BUCKET，但缺少 {'、'.join(_missing)}：请提供对象存储的访问密钥。")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": os.environ.get("FANGXIN_S3_ENDPOINT") or None,  # MinIO, OSS, COS…; unset = AWS
            "region_name": os.environ.get("FANGXIN_S3_REGION") or None,
            "access_key": os.environ["FANGXIN_S3_ACCESS_KEY"],
            "secret_key": os.environ["FANGXIN_S3_SECRET_KEY"],
            "location": os.environ.get("FANGXIN_S3_PREFIX", "media"),
            # Evidence and certificates are personal or official: the bucket stays private and the app serves
            # every file itself after its permission check; a direct URL is signed and expires.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "addressing_style": os.environ.get("FANGXIN_S3_ADDRESSING", "path"),
            "signature_version": "s3v4",
        },
    }

# Files other servers must see: reports written by the scheduler node, the triage model. Point them at shared
# storage when the scheduler and the app servers are different machines (docs/deploy.md, "What is shared").
if os.environ.get("FANGXIN_REPORTS_DIR"):
    FANGXIN_REPORTS_DIR = Path(os.environ["FANGXIN_REPORTS_DIR"])
if os.environ.get("FANGXIN_TRIAGE_DIR"):
    FANGXIN_TRIAGE_DIR = Path(os.environ["FANGXIN_TRIAGE_DIR"])

# --- logging: one line per event on stdout; systemd's journal (or the container runtime) keeps them --------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "line"},
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("FANGXIN_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "WARNING"},  # 4xx as warnings, 5xx with their traceback as errors
        "django.security": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
ADMINS = [("运维", address) for address in env_list("FANGXIN_ADMINS", [])]


# --- deployment checks (`fangxin check --deploy`) ------------------------------------------------------------------
@checks.register(checks.Tags.database, deploy=True)
def fangxin_production_checks(app_configs=None, **kwargs):
    """What makes a multi-server deployment wrong although each server alone works."""
    from django.conf import settings

    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append(checks.Warning(
            "生产环境的 DATABASE_URL 不是 PostgreSQL：SQLite 只能单机运行，也没有只读副本和连接池。",
            hint="设置 DATABASE_URL=postgres://用户@主机:5432/库名（docs/deploy.md）。", id="fangxin.W001"))
    if not settings.FANGXIN_SHARED_CACHE:
        problems.append(checks.Warning(
            "生产环境缺少 FANGXIN_CACHE_URL：缓存、限流计数只在单个进程内有效，多个工作进程或服务器之间互不可见。",
            hint="设置 FANGXIN_CACHE_URL=redis://缓存主机:6379/0（docs/deploy.md）。", id="fangxin.W002"))
    if not os.environ.get("FANGXIN_BADGE_KEYS") and not os.environ.get("FANGXIN_BADGE_KEYS_FILE"):
        problems.append(checks.Warning(
            "未设置 FANGXIN_BADGE_KEYS_FILE：每台服务器会在本机 var/ 下各自生成标志签名密钥，彼此签发的标志无法互相核验。",
            hint="把同一个密钥文件分发到每台服务器并设置 FANGXIN_BADGE_KEYS_FILE（docs/deploy.md）。", id="fangxin.W003"))
    return problems
