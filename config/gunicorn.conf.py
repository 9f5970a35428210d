"""gunicorn settings for Fangxin (`gunicorn -c config/gunicorn.conf.py config.wsgi`); docs/deploy.md, docs/performance.md.

Every value can be overridden from the environment, so nginx's upstream, the systemd unit and bench/load.py share
one file. Why these defaults:

- gthread workers: a request spends part of its time waiting for PostgreSQL (and Redis); a few threads per
  process overlap those waits without the memory of more processes. Workers = 2 × cores + 1, the usual figure for
  a mostly-CPU-bound Python app; threads = 4.
- Connections: each worker process has its own psycopg pool (config/settings/production.py, FANGXIN_DB_POOL_MAX,
  default 10), and a request holds one connection at a time, so a worker needs `threads` connections plus one for
  the dashboards' background refresh (one at a time) and one per report thread: about workers × 6 under load and
  workers × FANGXIN_DB_POOL_MIN when idle (5 × 6 = 30 and 5 × 2 = 10 on 2 cores).
- max_requests with jitter: workers are recycled one at a time, which bounds slow memory growth without a
  moment when every worker restarts together.
- timeout 30 s: longer than any page (exports stream, reports run in the background), shorter than nginx's 60 s,
  so a stuck worker is killed by gunicorn and nginx sees a clean 502 rather than its own timeout.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = os.environ.get("FANGXIN_BIND", "127.0.0.1:8000")
workers = _int("FANGXIN_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = _int("FANGXIN_WEB_THREADS", 4)
backlog = _int("FANGXIN_WEB_BACKLOG", 2048)
keepalive = _int("FANGXIN_WEB_KEEPALIVE", 5)  # nginx keeps upstream connections open (keepalive 32)
timeout = _int("FANGXIN_WEB_TIMEOUT", 30)
graceful_timeout = _int("FANGXIN_WEB_GRACEFUL_TIMEOUT", 30)
max_requests = _int("FANGXIN_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = _int("FANGXIN_WEB_MAX_REQUESTS_JITTER", 500)
# Load the app once in the master and fork: the workers share the imported code's pages (less RSS per worker).
# Database connections are opened after the fork (the pool opens lazily in each worker), so nothing is shared.
preload_app = os.environ.get("FANGXIN_WEB_PRELOAD", "1") == "1"
# Headers behind nginx: trust X-Forwarded-* only from the local proxy.
forwarded_allow_ips = os.environ.get("FANGXIN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("FANGXIN_WEB_ACCESSLOG") or None  # nginx keeps the access log; "-" for stdout
errorlog = "-"
loglevel = os.environ.get("FANGXIN_WEB_LOGLEVEL", "info")
proc_name = "fangxin"
wsgi_app = "config.wsgi:application"


def when_ready(server):
    """In the master, before the first fork (with preload_app): load what each worker would otherwise load on its
    first complaint — the triage model and jieba's dictionary, seconds of CPU — so every worker shares it
    copy-on-write instead of the first consumers waiting for it. Then drop any database connection or pool opened
    on the way: a psycopg pool's threads do not survive a fork."""
    if not preload_app:
        return
    try:
        from fangxin.triage.classifier import active_model, features

        active_model()
        features("热身：购买的牛奶已经过期，商家拒绝退货。")
    except Exception as exc:  # a warm-up must never stop the server; the first complaint then loads it
        server.log.warning("triage warm-up skipped: %s", exc)
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()


def post_fork(server, worker):
    # A pool opened in the master (preload) must not be shared by forked children: close any inherited connection.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
