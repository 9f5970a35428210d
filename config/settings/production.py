"""Production: a given secret key, HTTPS cookies and HSTS, pooled PostgreSQL connections."""

import os

from .base import *  # noqa: F403
from .env import ConfigError, env_bool, secret_key

PRODUCTION = True
DEBUG = False
SECRET_KEY = secret_key(production=True)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {  # noqa: F405
        "min_size": 2,
        "max_size": int(os.environ.get("FANGXIN_DB_POOL_MAX", "10")),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not  # noqa: F405

if env_bool("FANGXIN_HTTPS", True):
    SECURE_SSL_REDIRECT = env_bool("FANGXIN_SSL_REDIRECT", False)  # usually the proxy redirects
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
if not ALLOWED_HOSTS:  # noqa: F405
    raise ConfigError("生产模式缺少 FANGXIN_ALLOWED_HOSTS：请列出对外服务的域名，以逗号分隔。")
