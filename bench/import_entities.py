"""Benchmark: the registry importer against a bare bulk insert of the same rows, in the same run.

    .venv/bin/python bench/import_entities.py [--rows 100000] [--repeat N] [--split]
                                              [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Sets up a fresh database of its own (SQLite under var/bench/ by default; with --database-url, a new PostgreSQL
database next to the one named, created and dropped here), migrates it, loads the reference data, writes N valid
rows (deterministic) to a CSV, then measures:
  anchor    MarketEntity.objects.bulk_create of the same rows, 1,000 per call (one transaction each), empty table;
  import    `entity_import` of the CSV into the emptied table (read, validate, upsert, audit, reindex);
  re-import the same file again (every row unchanged);
  --split   (d) the importer into the emptied table with search.reindex_entities stubbed out (what the index costs);
and prints rows/s for each and its ratio to the anchor (best of --repeat interleaved rounds). Not a test: pytest
never collects it (bench/ is outside testpaths and the file is not test_*.py).
"""

import argparse
import csv
import os
import random
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
ROWS = {"a": "(a) 基准：bulk_create，每批 1,000 行", "b": "(b) 导入，空表（全部新增）",
        "c": "(c) 再次导入同一文件（全部未变）", "d": "(d) 导入，空表，不更新检索索引"}
LABELS = {"a": "基准", "b": "导入", "c": "再次导入", "d": "不更新检索索引的导入"}
BENCH_DIR = REPO / "var" / "bench"
BATCH = 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="a PostgreSQL server (the database named is only used "
                                                           "to create and drop a fresh one for the run)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=1, help="run (a), (b) and (c) this many times, interleaved, "
                                                              "and keep the best of each (a busy machine is noisy)")
    parser.add_argument("--split", action="store_true",
                        help="also time (d): the importer with search.reindex_entities stubbed out, to show what "
                             "the search index costs")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file / PostgreSQL database afterwards")
    args = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        return with_postgres(args)
    return with_sqlite(args)


def with_sqlite(args) -> int:
    path = BENCH_DIR / f"import-entities-{os.getpid()}.sqlite3"
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    for file in files:
        file.unlink(missing_ok=True)
    try:
        return run(args, f"sqlite:///{path}")
    finally:
        if not args.keep:
            for file in files:
                file.unlink(missing_ok=True)


def with_postgres(args) -> int:
    import psycopg

    server = urlsplit(args.database_url)
    if server.scheme not in ("postgres", "postgresql"):
        sys.exit(f"--database-url 应为 postgres://…，而不是 {args.database_url}")
    name = f"fangxin_bench_{os.getpid()}"
    with psycopg.connect(args.database_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        return run(args, urlunsplit(server._replace(path="/" + name)))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(args.database_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run(args, database_url: str) -> int:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from fangxin.core.actors import Actor
    from fangxin.merchants.importing import entity_import
    from fangxin.merchants.models import MarketEntity
    from fangxin.organisation.services import reference_load

    print(f"数据库：{connection.vendor} {connection.Database.__name__} ({display(database_url)})；"
          f"Python {sys.version.split()[0]}，Django {django.get_version()}；{args.rows:,} 行", flush=True)
    call_command("migrate", verbosity=0)
    reference_load(actor=Actor.system("bench"), directory=settings.FANGXIN_REFERENCE_DIR)
    source = BENCH_DIR / f"entities-{args.rows}-{args.seed}.csv"
    values = write_rows(source, args.rows, args.seed)

    best = {"a": None, "b": None, "c": None, "d": None}
    for attempt in range(1, args.repeat + 1):
        # (a) anchor: a bare bulk insert of the same rows (already resolved to ids: only the insert is timed).
        with Timer() as anchor:
            for start in range(0, len(values), BATCH):
                MarketEntity.objects.bulk_create([MarketEntity(**row) for row in values[start:start + BATCH]])
        assert MarketEntity.objects.count() == args.rows
        empty(connection, MarketEntity)

        # (b) the importer on the CSV, into the emptied table.
        with Timer() as imported:
            first = entity_import(actor=Actor.system("bench"), source=source, batch_size=BATCH)
        assert (first.created, first.errors) == (args.rows, 0), first.summary()

        # (c) the same file again: every row unchanged.
        with Timer() as again:
            second = entity_import(actor=Actor.system("bench"), source=source, batch_size=BATCH)
        assert (second.unchanged, second.errors) == (args.rows, 0), second.summary()
        timers = [("a", anchor), ("b", imported), ("c", again)]
        if args.split:
            # (d) the importer again into an emptied table, without the search index.
            from fangxin.merchants import search

            empty(connection, MarketEntity)
            reindex, search.reindex_entities = search.reindex_entities, lambda ids: None
            try:
                with Timer() as bare:
                    third = entity_import(actor=Actor.system("bench"), source=source, batch_size=BATCH)
            finally:
                search.reindex_entities = reindex
            assert third.created == args.rows, third.summary()
            timers.append(("d", bare))
        for key, timer in timers:
            if best[key] is None or timer.wall < best[key].wall:
                best[key] = timer
        print(f"第 {attempt} 轮：" + "，".join(f"{LABELS[key]} {timer.wall:.2f} 秒" for key, timer in timers), flush=True)
        if attempt < args.repeat:
            empty(connection, MarketEntity)

    rate = lambda timer: args.rows / timer.wall  # noqa: E731
    print(f"{'':<40}{'墙钟秒':>8}{'CPU 秒':>8}{'行/秒':>10}{'÷ 基准':>8}")
    for key, label in ROWS.items():
        timer = best[key]
        if timer is not None:
            print(f"{label}{' ' * max(1, 40 - width(label))}{timer.wall:>8.2f}{timer.cpu:>8.2f}{rate(timer):>10,.0f}"
                  f"{rate(timer) / rate(best['a']):>8.2f}")
    print(f"导入 / 基准 = {rate(best['b']) / rate(best['a']):.2f}（{args.repeat} 轮各取最好；CPU 秒只含本进程）；"
          f"进程内存峰值 {peak_rss_mb():.0f} MB（含基准预先构造的 {args.rows:,} 行）")
    return 0


def write_rows(target: Path, count: int, seed: int) -> list[dict]:
    """N valid rows over every county and sector, written to `target` as the importer reads them; returns the
    same rows resolved to model values for the anchor."""
    from fangxin.core import uscc
    from fangxin.merchants.choices import EntityType, OperatingStatus
    from fangxin.organisation.models import Region, Sector

    rng = random.Random(seed)
    counties = list(Region.objects.filter(level="county").order_by("code"))
    sectors = list(Sector.objects.order_by("seq"))
    types, statuses = EntityType.choices, OperatingStatus.choices
    words = ["鑫源", "华联", "金川", "河套", "利民", "恒泰", "兴隆", "永盛", "宏达", "万家", "乐购", "天骄"]
    shops = ["超市", "商行", "大药房", "餐馆", "汽车修理厂", "培训学校", "快递驿站", "健身会所"]
    roads = ["胜利北路", "新华街", "建设路", "团结路", "五一街", "解放街", "光明路", "朔方路"]
    headers = ["统一社会信用代码", "名称", "主体类型", "法定代表人", "经营场所", "所在旗县区", "行业", "网店平台",
               "网店地址", "经营状态", "联系电话"]
    values = []
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for index in range(count):
            county, sector = counties[index % len(counties)], sectors[rng.randrange(len(sectors))]
            kind, kind_label = types[rng.randrange(len(types))]
            status, status_label = statuses[0] if rng.random() < 0.9 else statuses[rng.randrange(len(statuses))]
            code = uscc.complete(f"9{1 + index % 2}{county.code}MA{index:07d}")
            name = f"{county.name}{rng.choice(words)}{rng.choice(shops)}{index}"
            owner = rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("伟芳娜敏静丽强磊军洋")
            address = f"巴彦淖尔市{county.name}{rng.choice(roads)}{rng.randint(1, 300)}号"
            online = sector.code == "ecommerce"
            platform, url = ("淘宝", f"https://shop{index}.taobao.com/") if online else ("", "")
            phone = f"139{rng.randrange(10**8):08d}"
            writer.writerow([code, name, kind_label, owner, address, county.name, sector.name, platform, url,
                             status_label, phone])
            values.append({"uscc": code, "name": name, "entity_type": kind, "legal_representative": owner,
                           "address": address, "region_id": county.pk, "sector_id": sector.pk,
                           "online_platform": platform, "online_shop_url": url, "operating_status": status,
                           "contact_phone": phone})
    return values


class Timer:
    """Wall-clock and this process's CPU seconds (on SQLite all the database work is in this process)."""

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def width(text: str) -> int:
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def empty(connection, model) -> None:
    """Delete every entity and the rows that point at them (the search index; the rest is empty here), leaving
    the tables as a fresh database has them, so every round starts alike. PostgreSQL: TRUNCATE, which also resets
    the planner statistics to "never analysed" (DELETE + VACUUM would leave them at 0 rows, and the planner would
    then plan the next run's statements for empty tables). SQLite: DELETE, then VACUUM."""
    related = [field.related_model._meta.db_table for field in model._meta.get_fields(include_hidden=True)
               if field.is_relation and field.auto_created and not field.concrete]
    tables = [connection.ops.quote_name(table) for table in [*dict.fromkeys(related), model._meta.db_table]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("VACUUM")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def display(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.hostname or "")) if parts.password else url


if __name__ == "__main__":
    sys.exit(main())
