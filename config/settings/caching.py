"""Settings for caching (star-imported at the end of base.py). Values that differ per deployment come from the environment.

FANGXIN_CACHE_URL=redis://host:6379/1 → Django's RedisCache, shared by every worker and every app server (rate-limit
counters, sessions in production, cached pages and dashboards). Without it: LocMem, one cache per process — right
for `make run` and the tests. Cached public pages and dashboards are keyed by versions kept in the database and
bumped in the change's own transaction (fangxin/core/cache.py, fangxin/stats/cache.py), so even per-process caches
never serve a page older than the data; what a per-process cache cannot do is share rate-limit counters, which is
why production with more than one process sets FANGXIN_CACHE_URL (docs/deploy.md).
"""

import os

FANGXIN_CACHE_URL = os.environ.get("FANGXIN_CACHE_URL", "").strip()

if FANGXIN_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": FANGXIN_CACHE_URL,
            "KEY_PREFIX": os.environ.get("FANGXIN_CACHE_PREFIX", "fangxin"),
            "TIMEOUT": 600,
            # A Redis that does not answer within a second must not hold a request (rate limits let it through).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "fangxin",
            "TIMEOUT": 600,
            # Enough for the public pages a worker serves in a busy hour (about 10 kB each: ~100 MB at most).
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("FANGXIN_LOCMEM_ENTRIES", "10000"))},
        }
    }

# Dashboards (fangxin/stats/cache.py): after a change of its inputs, a dashboard page (and the API) may serve its
# previous figures for up to this many seconds, marked "正在更新", while one background refresh recomputes them;
# 0 = always recompute before answering (the tests' setting). XLSX exports and drill-down lists are always current.
FANGXIN_STATS_MAX_STALE = int(os.environ.get("FANGXIN_STATS_MAX_STALE", "60"))
# How that refresh runs: "thread" (a daemon thread started after the response) or "inline" (in the request's own
# thread after the response — deterministic, for tests).
FANGXIN_STATS_REFRESH = os.environ.get("FANGXIN_STATS_REFRESH", "thread")
