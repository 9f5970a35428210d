"""Load test: the public pages under concurrent clients, against the bare "hello" view as the anchor (issue 9).

    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/fangxin_region
    .venv/bin/python bench/load.py --duration 5 --clients 8           # quick, while others use the machine

Method
- The server: gunicorn with config/gunicorn.conf.py (gthread, workers = 2 × cores + 1, 4 threads) on a free
  loopback port, production settings (DEBUG off, psycopg pool), rate limits off (FANGXIN_RATELIMITS=0: every
  client comes from 127.0.0.1), the given database; the cache is LocMem per worker unless --cache-url gives Redis.
  Public pages are cached under a per-business version read from the database (fangxin/core/cache.py), so a
  per-process cache is still never stale.
- The targets are sampled from that database before the server starts: current enrollments (their badge tokens),
  businesses (their USCC), search words cut from business names, complaints (tracking number + last 4 digits).
- The client: P processes × T threads (P × T = --clients), each thread one keep-alive HTTP/1.1 connection
  (http.client), a closed loop: send, read the whole body, record the latency, repeat. Python was chosen over
  wrk because the mix needs per-endpoint percentiles and a POST with a fresh body; its cost is accounted for:
  the client's CPU seconds (os.times of every client process) and the server's (utime+stime of the gunicorn
  processes from /proc) are printed per phase, so one sees what share of the 2 cores the client took. The hello
  anchor is measured by the same client in the same run, so the client's overhead is in both sides of the ratio.
- Phases, each --duration seconds after a 2 s warm-up: hello alone; badge verification alone (the ratio against
  hello is the target); then the mix (verification 50 %, profile 20 %, search 15 %, tracking 10 %, complaint
  submission through the public API 5 %) with p50/p95/p99 per endpoint. Any status other than 200/201 (404 for
  a tracking pair that does not match is impossible: pairs come from the database) counts as an error.
- Memory: VmRSS of every gunicorn worker from /proc/<pid>/status, sampled each second during the mix; the
  maximum and mean per worker are printed.

Exit status 0 when every target is met (verification ≥ 60 % of hello with p99 < 50 ms; profile and search p95
< 100 ms; no errors), 2 otherwise. No figure is asserted anywhere else; docs/performance.md keeps the results.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
MIX = (("verify", 50), ("profile", 20), ("search", 15), ("track", 10), ("submit", 5))


# --- targets ------------------------------------------------------------------------------------------------------

def sample_targets(database_url: str, n: int, seed: int) -> dict:
    """Badge tokens, USCCs, search words and tracking pairs, read with the app's own models (tokens are signed)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from fangxin.campaign.models import Enrollment
    from fangxin.complaints.models import Complaint
    from fangxin.merchants.models import MarketEntity

    rng = random.Random(seed)

    def spread(model, queryset, count):
        """`count` rows spread over the id range (no ORDER BY random() over millions of rows)."""
        bounds = model.objects.order_by("pk").values_list("pk", flat=True)
        low, high = bounds.first(), model.objects.order_by("-pk").values_list("pk", flat=True).first()
        if low is None:
            return []
        rows, tries = {}, 0
        while len(rows) < count and tries < count * 4:
            tries += 1
            start = rng.randint(low, high)
            row = queryset.filter(pk__gte=start).order_by("pk").first()
            if row is not None:
                rows[row.pk] = row
        return list(rows.values())

    enrollments = spread(Enrollment, Enrollment.objects.current(), n)
    entities = spread(MarketEntity, MarketEntity.objects.all(), n)
    complaints = spread(Complaint, Complaint.objects.exclude(complainant_phone="").only("tracking_no", "complainant_phone"), n)
    words = sorted({e.name[:2] for e in entities if len(e.name) >= 2} | {e.name[2:4] for e in entities
                                                                          if len(e.name) >= 4})
    counts = {}
    with connection.cursor() as cursor:
        for table in ("merchants_marketentity", "campaign_enrollment", "complaints_complaint"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    connection.close()
    from django.conf import settings

    return {
        # the server must unseal personal data with the keys that sealed it (outside production: var/ files)
        "keys": {"FANGXIN_DATA_KEYS": ",".join(getattr(settings, "FANGXIN_DATA_KEYS", [])),
                 "FANGXIN_DATA_HASH_KEY": getattr(settings, "FANGXIN_DATA_HASH_KEY", "")},
        "verify": [f"/v/{e.badge_token}" for e in enrollments if e.badge_token],
        "profile": [f"/m/{e.uscc}/" for e in entities],
        "search": [f"/search/?q={quote(w)}" for w in words] + [f"/search/?q={e.uscc}" for e in entities[:20]],
        "track": [f"/api/v1/public/complaints/{c.tracking_no}?phone_last4={c.complainant_phone[-4:]}"
                  for c in complaints],
        "regions": sorted({e.region.code for e in entities[:50]}) if entities else [],
        "counts": counts,
    }


def submission_body(rng: random.Random, n: int, regions: list) -> bytes:
    phone = f"139{rng.randrange(10**8):08d}"
    return json.dumps({
        "complainant_name": "压测用户", "complainant_phone": phone, "business_name": f"压测商店{n}",
        "item": "压测商品", "description": f"负载测试提交的投诉（第 {n} 条），购买的商品有质量问题，要求退货。",
        "demand": "退货退款", "region_code": rng.choice(regions) if regions else "", "amount": "99.00",
    }, ensure_ascii=False).encode("utf-8")


# --- server -------------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(args, port: int, keys: dict) -> subprocess.Popen:
    env = dict(os.environ, **{name: value for name, value in keys.items() if value},DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="config.settings.production",
               FANGXIN_ENV="production", FANGXIN_SECRET_KEY="bench-" + "x" * 60,
               FANGXIN_ALLOWED_HOSTS="127.0.0.1,localhost", FANGXIN_HTTPS="0", FANGXIN_SSL_REDIRECT="0",
               FANGXIN_RATELIMITS="0", FANGXIN_BIND=f"127.0.0.1:{port}", FANGXIN_WEB_LOGLEVEL="warning",
               FANGXIN_CACHE_PREFIX=f"bench-load-{port}")
    if args.workers:
        env["FANGXIN_WEB_WORKERS"] = str(args.workers)
    if args.threads:
        env["FANGXIN_WEB_THREADS"] = str(args.threads)
    if args.cache_url:
        env["FANGXIN_CACHE_URL"] = args.cache_url
    else:
        env.pop("FANGXIN_CACHE_URL", None)
    # Production settings serve hashed static names: the manifest must exist (incremental after the first run).
    env["FANGXIN_STATIC_ROOT"] = str(ROOT / "var" / "bench-static")
    subprocess.run([str(VENV_BIN / "fangxin"), "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    proc = subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "config" / "gunicorn.conf.py")],
                            cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 240
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not answer /healthz within 240 s")


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def rss_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in KiB. RSS counts the pages shared copy-on-write with the master (preload_app) in full in every
    worker; PSS divides them among their sharers, so the sum of PSS is what the server really uses."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


# --- client -------------------------------------------------------------------------------------------------------

def client_process(port, targets, plan, threads, warmup, duration, seed, queue):
    """One client process: `threads` closed-loop connections; sends back latencies per endpoint and its CPU."""
    start_cpu = os.times()
    stop_at = time.perf_counter() + warmup + duration
    measure_from = time.perf_counter() + warmup
    results = {}
    lock = threading.Lock()

    def run(index):
        rng = random.Random(seed * 1000 + index)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local, submitted = {}, 0
        names = [name for name, _ in plan]
        weights = [weight for _, weight in plan]
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            name = rng.choices(names, weights)[0]
            body, headers, method = None, {}, "GET"
            if name == "hello":
                path = "/hello"
            elif name == "submit":
                submitted += 1
                method, path = "POST", "/api/v1/public/complaints"
                body = submission_body(rng, seed * 10**6 + index * 10**4 + submitted, targets["regions"])
                headers = {"Content-Type": "application/json"}
            else:
                path = rng.choice(targets[name])
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            t1 = time.perf_counter()
            if t0 >= measure_from:
                bucket = local.setdefault(name, {"lat": [], "errors": 0, "statuses": {}})
                bucket["lat"].append(t1 - t0)
                if status not in (200, 201):
                    bucket["errors"] += 1
                    bucket["statuses"][status] = bucket["statuses"].get(status, 0) + 1
        conn.close()
        with lock:
            for name, bucket in local.items():
                into = results.setdefault(name, {"lat": [], "errors": 0, "statuses": {}})
                into["lat"].extend(bucket["lat"])
                into["errors"] += bucket["errors"]
                for status, count in bucket["statuses"].items():
                    into["statuses"][status] = into["statuses"].get(status, 0) + count

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    end_cpu = os.times()
    queue.put({"results": results,
               "cpu": (end_cpu.user - start_cpu.user) + (end_cpu.system - start_cpu.system)})


def db_connections(database_url: str):
    """A sampler of this database's open connections (pg_stat_activity), to see what the pools hold."""
    import psycopg

    conn = psycopg.connect(database_url, autocommit=True)

    def sample() -> int:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid()").fetchone()[0]
    return conn, sample


def phase(args, port, master, targets, plan, label, count_connections):
    processes = max(1, min(args.processes, args.clients))
    per = [args.clients // processes + (1 if i < args.clients % processes else 0) for i in range(processes)]
    queue = mp.Queue()
    pids = [master, *worker_pids(master)]
    procs = [mp.Process(target=client_process, args=(port, targets, plan, per[i], 2.0, args.duration,
                                                     args.seed + i + hash(label) % 997, queue))
             for i in range(processes)]
    for proc in procs:
        proc.start()
    rss, connections = {}, []
    time.sleep(2.0)  # warm-up
    server_cpu1 = cpu_seconds(pids)
    end = time.time() + args.duration
    while time.time() < end:
        for pid in worker_pids(master):
            rss.setdefault(pid, []).append(rss_kib(pid))
        connections.append(count_connections())
        time.sleep(1.0)
    server_cpu2 = cpu_seconds([master, *worker_pids(master)])
    outputs = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    merged, client_cpu = {}, 0.0
    for out in outputs:
        client_cpu += out["cpu"]
        for name, bucket in out["results"].items():
            into = merged.setdefault(name, {"lat": [], "errors": 0, "statuses": {}})
            into["lat"].extend(bucket["lat"])
            into["errors"] += bucket["errors"]
            for status, count in bucket["statuses"].items():
                into["statuses"][status] = into["statuses"].get(status, 0) + count
    return {"label": label, "endpoints": merged, "duration": args.duration, "client_cpu": client_cpu,
            "server_cpu": server_cpu2 - server_cpu1, "rss": rss, "connections": max(connections, default=0)}


def pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summarise(result) -> dict:
    rows = {}
    for name, bucket in sorted(result["endpoints"].items()):
        lat = bucket["lat"]
        rows[name] = {"requests": len(lat), "rps": len(lat) / result["duration"], "errors": bucket["errors"],
                      "statuses": bucket["statuses"],
                      "p50_ms": pct(lat, 50) * 1000, "p95_ms": pct(lat, 95) * 1000, "p99_ms": pct(lat, 99) * 1000,
                      "mean_ms": statistics.fmean(lat) * 1000 if lat else float("nan")}
    return rows


def prime(port, targets) -> dict:
    """One request per sampled page, one client: the cold (uncached) render of each, and a warm cache after."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    cold, errors, slowest = {}, {}, {}
    for name in ("verify", "profile", "search"):
        for path in targets[name] or ():
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):  # a timeout counts as an error at its full 60 s
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - t0
            cold.setdefault(name, []).append(elapsed)
            errors[name] = errors.get(name, 0) + (not ok)
            if elapsed > slowest.get(name, (0, ""))[0]:
                slowest[name] = (elapsed, path)
    conn.close()
    return {name: {"requests": len(lat), "p50_ms": pct(lat, 50) * 1000, "p95_ms": pct(lat, 95) * 1000,
                   "p99_ms": pct(lat, 99) * 1000, "errors": errors[name], "slowest": slowest[name][1]}
            for name, lat in cold.items() if lat}


def print_phase(result, rows):
    print(f"\n== {result['label']}: {result['duration']:.0f} s, client CPU {result['client_cpu']:.1f} s "
          f"(includes the 2 s warm-up), server CPU {result['server_cpu']:.1f} s "
          f"(= {result['server_cpu'] / result['duration']:.2f} cores), at most {result['connections']} database "
          "connections open")
    print(f"{'endpoint':<10}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, row in rows.items():
        print(f"{name:<10}{row['requests']:>10}{row['rps']:>10.1f}{row['p50_ms']:>10.2f}{row['p95_ms']:>10.2f}"
              f"{row['p99_ms']:>10.2f}{row['errors']:>8}" + (f"  {row['statuses']}" if row["statuses"] else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--cache-url", default="", help="redis://… for a shared cache (default: LocMem per worker)")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--processes", type=int, default=4, help="client processes (clients are split over them)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per phase")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: the config's)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default: the config's)")
    parser.add_argument("--sample", type=int, default=300, help="targets sampled per kind")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--no-submit", action="store_true",
                        help="leave complaint submissions out of the mix (a database another process is still filling)")
    parser.add_argument("--skip", default="", help="comma-separated endpoints to leave out (e.g. search)")
    parser.add_argument("--no-prime", action="store_true", help="skip the one-client pass over every sampled page")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url (or DATABASE_URL) must name a PostgreSQL database")

    targets = sample_targets(args.database_url, args.sample, args.seed)
    print(f"database: {targets['counts']}; sampled {len(targets['verify'])} badges, {len(targets['profile'])} "
          f"businesses, {len(targets['search'])} searches, {len(targets['track'])} tracking pairs")
    plans = [("hello", (("hello", 1),)), ("verify", (("verify", 1),)),
             ("mix", tuple((name, weight) for name, weight in MIX
                          if targets.get(name, True) and not (name == "submit" and args.no_submit)
                          and name not in args.skip.split(",")))]
    for name in args.skip.split(","):
        if name in ("verify", "profile", "search"):
            targets[name] = []
    port = free_port()
    server = start_server(args, port, targets["keys"])
    sampler_conn, count_connections = db_connections(args.database_url)
    try:
        workers = worker_pids(server.pid)
        print(f"gunicorn pid {server.pid}, {len(workers)} workers, {args.clients} clients in "
              f"{min(args.processes, args.clients)} processes, nproc {os.cpu_count()}")
        results = {}
        if not args.no_prime:
            cold = prime(port, targets)
            print("\n== cold renders (one client, first request of each page; a shared cache keeps them after)")
            for name, row in cold.items():
                print(f"{name:<10}{row['requests']:>10}{'':>10}{row['p50_ms']:>10.2f}{row['p95_ms']:>10.2f}"
                      f"{row['p99_ms']:>10.2f}{row['errors']:>8}  slowest {row['slowest']}")
            results["cold"] = {"rows": cold}
        for label, plan in plans:
            result = phase(args, port, server.pid, targets, plan, label, count_connections)
            rows = summarise(result)
            print_phase(result, rows)
            results[label] = {"rows": rows, "client_cpu": result["client_cpu"], "server_cpu": result["server_cpu"],
                              "connections": result["connections"],
                              "rss_kib": {str(pid): {"max": max(r for r, _ in v), "pss_max": max(p for _, p in v)}
                                          for pid, v in result["rss"].items() if v}}
    finally:
        stop_server(server)
        sampler_conn.close()

    hello = results["hello"]["rows"]["hello"]
    verify = results["verify"]["rows"].get("verify", {"rps": 0, "p99_ms": float("inf"), "errors": 1})
    mix = results["mix"]["rows"]
    ratio = verify["rps"] / hello["rps"] if hello["rps"] else 0.0
    rss = results["mix"]["rss_kib"]
    print(f"\nverification / hello throughput: {verify['rps']:.0f} / {hello['rps']:.0f} = {ratio:.2f} "
          f"(target ≥ 0.60); verification p99 {verify['p99_ms']:.1f} ms (target < 50)")
    if rss:
        print("worker memory under the mix (MiB): RSS max " + ", ".join(f"{v['max'] / 1024:.0f}" for v in rss.values())
              + "; PSS max " + ", ".join(f"{v['pss_max'] / 1024:.0f}" for v in rss.values()))
    errors = sum(row.get("errors", 0) for res in results.values() for row in res["rows"].values())
    checks = {
        "verify_ratio": ratio >= 0.60,
        "verify_p99": verify["p99_ms"] < 50,
        "profile_p95": mix.get("profile", {}).get("p95_ms", 0) < 100,
        "search_p95": mix.get("search", {}).get("p95_ms", 0) < 100,
        "no_errors": errors == 0,
    }
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in checks.items()))
    if args.json:
        Path(args.json).write_text(json.dumps({"targets": targets["counts"], "results": results, "checks": checks,
                                               "ratio": ratio}, ensure_ascii=False, indent=1, default=str))
    return 0 if all(checks.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
