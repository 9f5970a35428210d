"""Test settings: the same as base, with a fixed key and fast password hashing."""

import os

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789"
# Fixtures make many users; Argon2 (base.py, checked by accounts/tests/test_login.py) is deliberately slow.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_FAILURE_LIMIT = 5
LOGGING["root"]["level"] = "ERROR"  # noqa: F405

# A file, not ":memory:", so tests see what production sees: WAL, IMMEDIATE transactions, real concurrency.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per process, so two test runs on one machine never share (and delete) each other's database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_fangxin_{os.getpid()}.sqlite3")}  # noqa: F405
# Every test client posts from 127.0.0.1 and LocMem counters outlive a test: the limits stay on, scaled far up so
# that other apps' tests never meet them; fangxin/core/tests/test_ratelimit.py sets its own small limits.
FANGXIN_RATELIMIT_SCALE = 1000
FANGXIN_STATS_MAX_STALE = 0  # dashboards always current in tests; fangxin/stats/tests/test_swr.py sets its own
