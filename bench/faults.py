"""Fault benchmark (issue 10 item 4): concurrent complaint submissions while the server is killed and the database
connections are cut; every submission that got a tracking number must be stored once and only once.

Method:
1. A fresh database: a temporary SQLite file, or PostgreSQL `fx_faults_<pid>` (dropped at the end); migrated and
   the reference data loaded (`manage.py migrate`, `load_reference`). tests/reliability/test_faults.py clones its
   already-migrated test database instead (`run()` takes any prepared DATABASE_URL).
2. `gunicorn config.wsgi` on loopback with several sync workers (--preload), in its own process group; rate limits
   off (FANGXIN_RATELIMITS=0: every request comes from 127.0.0.1).
3. N submissions to POST /api/v1/public/complaints from a thread pool, each with its own content (a marker in the
   item) and its own Idempotency-Key. When 40 % are acknowledged the whole process group (master + workers) gets
   SIGKILL and a new server is started; requests in flight fail (connection reset) and count as unacknowledged,
   new ones wait until the server is back. On PostgreSQL, at 70 %, every backend of the app's database is terminated
   (`pg_terminate_backend`) and the same server must go on answering (conn_health_checks, retry in
   complaints.idempotency); with --restart-postgres the cluster is restarted for real (`pg_ctlcluster`) — never in
   CI, other tests share the cluster.
4. Every unacknowledged submission is retried with the same key until it is acknowledged.
5. Counts from the database: submitted, acknowledged (first pass / after retries), stored (distinct markers),
   duplicated (extra rows per marker), lost (acknowledged but not stored, or stored under another tracking number),
   plus 5xx answers and answers containing "database is locked".

    .venv/bin/python bench/faults.py                     # SQLite and PostgreSQL, 500 submissions each
    .venv/bin/python bench/faults.py --n 100 --no-pg     # quick
    .venv/bin/python bench/faults.py --restart-postgres  # also a real cluster restart under load (a private box only)

Exit status 0 when nothing was lost or duplicated and no answer said "database is locked", 1 otherwise.
"""

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
MARK = "故障测试"
LOCKED = "database is locked"


# --- databases -----------------------------------------------------------------------------------------------

def _env(url: str, var_dir: Path) -> dict:
    """The test settings (fixed key, so the triage model trained under var/triage/<key id> is found instead of
    being retrained by every fresh worker), the given database, rate limits off."""
    env = {**os.environ, "DATABASE_URL": url, "FANGXIN_RATELIMITS": "0",
           "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONUNBUFFERED": "1"}
    for name in ("FANGXIN_ENV", "FANGXIN_VAR_DIR", "FANGXIN_SECRET_KEY"):
        env.pop(name, None)
    return env


def _pg(sql: str, db_url: str = PG_ADMIN, fetch: bool = False):
    import psycopg

    with psycopg.connect(db_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        rows = conn.execute(sql)
        return rows.fetchall() if fetch else None


def pg_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def prepare(kind: str, var_dir: Path) -> str:
    """A fresh, migrated database with the reference data; returns its DATABASE_URL."""
    if kind == "sqlite":
        url = f"sqlite:///{var_dir / 'faults.sqlite3'}"
    else:
        name = f"fx_faults_{os.getpid()}"
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg(f'CREATE DATABASE "{name}"')
        url = pg_url(name)
    env = _env(url, var_dir)
    warm = "from fangxin.triage.model import active_model; active_model()"  # train once, not in every worker
    for command in (["migrate", "--noinput", "-v", "0"], ["load_reference"], ["shell", "-c", warm]):
        subprocess.run([str(VENV / "python"), "manage.py", *command], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return url


def drop(url: str) -> None:
    if url.startswith("postgres"):
        _pg(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def stored_rows(url: str) -> list[tuple[str, str]]:
    """(item, tracking_no) of every complaint the benchmark filed."""
    sql = "SELECT item, tracking_no FROM complaints_complaint WHERE item LIKE %s"
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql.replace("%s", "?"), (MARK + "%",)).fetchall()
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql, (MARK + "%",)).fetchall()


def terminate_backends(url: str) -> int:
    name = url.rsplit("/", 1)[1]
    rows = _pg("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               f"WHERE datname = '{name}' AND pid <> pg_backend_pid()", fetch=True)
    return len(rows)


def restart_postgres() -> None:
    version, cluster = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True,
                                      check=True).stdout.split()[:2]
    subprocess.run(["pg_ctlcluster", version, cluster, "restart"], check=True)


# --- the server ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, so SIGKILL reaches the master and every worker at once."""

    def __init__(self, url: str, var_dir: Path, workers: int, port: int):
        self.url, self.var_dir, self.workers, self.port = url, var_dir, workers, port
        self.proc = None
        self.log = open(var_dir / "gunicorn.log", "ab")  # noqa: SIM115 — kept open across restarts

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        self.proc = subprocess.Popen(
            [str(VENV / "gunicorn"), "config.wsgi", "--preload", "-w", str(self.workers), "-b",
             f"127.0.0.1:{self.port}", "--timeout", "60", "--graceful-timeout", "5"],
            cwd=ROOT, env=_env(self.url, self.var_dir), stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.var_dir}/gunicorn.log")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not become healthy in time")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --- the load ------------------------------------------------------------------------------------------------

@dataclass
class Submission:
    index: int
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    tracking_no: str = ""
    acked_first_pass: bool = False
    attempts: int = 0
    replayed: bool = False  # the answer came from the stored key: the first copy had committed, its answer was lost

    @property
    def item(self) -> str:
        return f"{MARK}商品 {self.index:05d}"

    def body(self) -> bytes:
        return json.dumps({
            "complainant_name": "测试用户", "complainant_phone": f"139{self.index:08d}",
            "business_name": "临河区故障测试超市", "item": self.item, "region_code": "150802",
            "description": f"第 {self.index} 号故障测试投诉：购买的商品有质量问题。", "demand": "退货退款",
        }, ensure_ascii=False).encode()


@dataclass
class Tally:
    statuses: dict = field(default_factory=dict)
    errors_5xx: int = 0
    locked: int = 0
    connection_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int, text: str) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.errors_5xx += status >= 500
            self.locked += LOCKED in text


def send(server: Server, sub: Submission, tally: Tally, timeout: float = 30) -> bool:
    sub.attempts += 1
    request = urllib.request.Request(server.base + "/api/v1/public/complaints", data=sub.body(), method="POST",
                                     headers={"Content-Type": "application/json", "Idempotency-Key": sub.key})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            text = answer.read().decode()
            status = answer.status
    except urllib.error.HTTPError as exc:
        text, status = exc.read().decode(errors="replace"), exc.code
    except (OSError, urllib.error.URLError):  # refused, reset, timed out: the server died under us
        with tally.lock:
            tally.connection_errors += 1
        return False
    tally.note(status, text)
    if status in (200, 201):
        answer = json.loads(text)
        sub.tracking_no, sub.replayed = answer["tracking_no"], bool(answer.get("duplicate"))
        return True
    return False


def run(url: str, *, n: int, workers: int = 3, threads: int = 12, var_dir: Path | None = None,
        kill_at: float = 0.4, terminate_at: float | None = None, restart_pg: bool = False, log=print) -> dict:
    """Fire n submissions at a fresh server on `url` (already migrated), with the faults; return the counts."""
    var_dir = Path(var_dir or tempfile.mkdtemp(prefix="fx-faults-"))
    pg = url.startswith("postgres")
    server = Server(url, var_dir, workers, free_port())
    server.start()
    subs = [Submission(i) for i in range(n)]
    tally = Tally()
    acked = threading.Event()
    server_up = threading.Event()  # clients wait while the server is down, as a retrying browser or app would
    server_up.set()
    acked_count = [0]
    events: dict = {"killed": False, "restart_seconds": None, "terminated_backends": None,
                    "recovered_without_restart": None, "postgres_restarted": False}

    def fire(sub: Submission) -> None:
        server_up.wait(120)
        if send(server, sub, tally):
            sub.acked_first_pass = True
            with tally.lock:
                acked_count[0] += 1
                acked.set()

    def faults() -> None:
        while acked_count[0] < n * kill_at and any(not s.attempts for s in subs):
            acked.wait(0.05)
            acked.clear()
        server_up.clear()
        server.kill()  # requests in flight now fail: their answers are lost, some after their commit
        events["killed"] = True
        began = time.monotonic()
        server.start()
        server_up.set()
        events["restart_seconds"] = round(time.monotonic() - began, 2)
        log(f"  SIGKILL after {acked_count[0]} acknowledgements; restarted in {events['restart_seconds']} s")
        if pg and terminate_at is not None:
            while acked_count[0] < n * terminate_at and any(not s.attempts for s in subs):
                acked.wait(0.05)
                acked.clear()
            pid = server.proc.pid
            # a few sweeps, 50 ms apart: backends live only while a request runs (CONN_MAX_AGE = 0)
            terminated = 0
            for _ in range(5):
                terminated += terminate_backends(url)
                time.sleep(0.05)
            events["terminated_backends"] = terminated
            if restart_pg:
                restart_postgres()
                events["postgres_restarted"] = True
            probe = Submission(n + 1)  # the same server, no restart: must answer at once
            ok = send(server, probe, tally)
            events["recovered_without_restart"] = ok and server.proc.pid == pid and server.proc.poll() is None
            subs.append(probe)
            log(f"  terminated {events['terminated_backends']} backends; probe answered: {ok}")

    started = time.monotonic()
    watcher = threading.Thread(target=faults, daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(fire, subs[:n]))
        watcher.join(timeout=180)
        first_pass = sum(s.acked_first_pass for s in subs)
        # retry every unacknowledged submission with its own key, as a client would after a lost answer
        pending = [s for s in subs if not s.tracking_no]
        for _ in range(5):
            if not pending:
                break
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(lambda s: send(server, s, tally), pending))
            pending = [s for s in subs if not s.tracking_no]
            if pending:
                time.sleep(1)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    rows = stored_rows(url)
    by_item: dict = {}
    for item, tracking_no in rows:
        by_item.setdefault(item, []).append(tracking_no)
    acknowledged = [s for s in subs if s.tracking_no]
    lost = [s for s in acknowledged if s.tracking_no not in by_item.get(s.item, [])]
    return {
        "database": "PostgreSQL" if pg else "SQLite", "submitted": len(subs), "acknowledged_first_pass": first_pass,
        "acknowledged": len(acknowledged), "stored": len(by_item), "rows": len(rows),
        "duplicated": sum(len(v) - 1 for v in by_item.values()), "lost": len(lost),
        "never_acknowledged": len(subs) - len(acknowledged),
        "acknowledged_on_retry": sum(1 for s in acknowledged if not s.acked_first_pass),
        "replayed_on_retry": sum(1 for s in acknowledged if s.replayed and not s.acked_first_pass),
        "connection_errors": tally.connection_errors, "http_5xx": tally.errors_5xx, "database_locked": tally.locked,
        "statuses": dict(sorted(tally.statuses.items())), "seconds": round(elapsed, 1), **events,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=24)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--restart-postgres", action="store_true",
                        help="also restart the PostgreSQL cluster under load (needs root; never on a shared box)")
    args = parser.parse_args()
    kinds = [k for k, skip in (("sqlite", args.no_sqlite), ("postgres", args.no_pg)) if not skip]
    failed = False
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="fx-faults-") as tmp:
            print(f"{kind}: preparing a fresh database …", flush=True)
            url = prepare(kind, Path(tmp))
            try:
                result = run(url, n=args.n, workers=args.workers, threads=args.threads, var_dir=Path(tmp),
                             terminate_at=0.7 if kind == "postgres" else None, restart_pg=args.restart_postgres)
            finally:
                drop(url)
        print(json.dumps(result, ensure_ascii=False, indent=1), flush=True)
        failed |= bool(result["lost"] or result["duplicated"] or result["database_locked"]
                       or result["never_acknowledged"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
