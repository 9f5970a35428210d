"""Registry search latency: the index against a plain full scan of the same table, in the same run.

    .venv/bin/python bench/search_latency.py [--entities 1000000] [--database-url postgres://postgres@127.0.0.1/x]

Builds its own database (SQLite: var/bench/search.sqlite3, replaced; PostgreSQL: a database `fangxin_bench_<pid>`
on the server of --database-url, created and dropped), generates N entities deterministically from the demo word
lists, builds the index in bulk with the code `fangxin search_index rebuild` runs, then for 2-, 3- and 4-character
queries drawn from real names (plus a few that match nothing) times, for each query:
  indexed  entity_public_search(): the first page (20 rows, ordered) and the total count;
  scan     name LIKE %q% OR address LIKE %q% on the registry table: the same page and count;
  bigram   (3–4 characters only) the alternative design: intersect the bigram postings, then confirm.
Prints p50/p95 in milliseconds and the ratio scan/indexed. Not part of the test suite.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

PAGE = 20
NO_MATCH = {2: ["龘靐", "鱻龗", "齉爩"], 3: ["龘靐齉", "鱻龗爩", "麤灪龖"], 4: ["龘靐齉爩", "鱻龗麤灪", "龖龘靐鱻"]}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="postgres://… to run on PostgreSQL; SQLite otherwise")
    parser.add_argument("--queries", type=int, default=40, help="queries drawn from real names per length")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query and method")
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="time the queries on a database kept from an earlier run (--keep, or a run stopped after "
                             "building): SQLite var/bench/search.sqlite3, or the database --database-url names")
    return parser.parse_args()


def prepare_database(url: str, reuse: bool = False):
    """Point Django at a fresh database of our own; returns a function that removes it."""
    if reuse:
        if url.startswith(("postgres://", "postgresql://")):
            import dj_database_url
            import psycopg

            config = dj_database_url.parse(url)
            os.environ["DATABASE_URL"] = url

            def drop_reused():
                from django.db import connections

                connections.close_all()
                with psycopg.connect(dbname="postgres", autocommit=True, host=config.get("HOST") or None,
                                     port=config.get("PORT") or None, user=config.get("USER") or None) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {config['NAME']} WITH (FORCE)")
            return drop_reused, f"PostgreSQL ({config['NAME']}, reused)"
        path = BASE_DIR / "var" / "bench" / "search.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return (lambda: [Path(f"{path}{suffix}").unlink(missing_ok=True) for suffix in ("", "-wal", "-shm")],
                f"SQLite ({path.relative_to(BASE_DIR)}, reused)")
    if url.startswith(("postgres://", "postgresql://")):
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        name = f"fangxin_bench_{os.getpid()}"
        server = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
                  "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name}")
            admin.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        return drop, f"PostgreSQL ({name})"
    path = BASE_DIR / "var" / "bench" / "search.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    def remove():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return remove, f"SQLite ({path.relative_to(BASE_DIR)})"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["FANGXIN_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)


# --- data -------------------------------------------------------------------------------------------------------

def entity_rows(n: int, seed: int):
    """Deterministic (uscc, name, address, region_id, sector_id, entity_type) rows, generated lazily."""
    from fangxin.core import uscc as uscc_rules
    from fangxin.merchants.demo import GIVEN, NAME_WORDS, ROADS, SHOP_WORDS, SURNAMES
    from fangxin.organisation.choices import RegionLevel
    from fangxin.organisation.models import Region, Sector

    rng = random.Random(seed)
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    sectors = list(Sector.objects.order_by("seq"))
    estates = ["花园小区", "家园", "新村", "商业广场", "农贸市场", "步行街", "商住楼", "综合市场"]
    roads = ROADS + [word + suffix for word in NAME_WORDS for suffix in ("路", "街", "巷")]
    for index in range(n):
        county = counties[rng.randrange(len(counties))]
        sector = sectors[rng.randrange(len(sectors))]
        individual = rng.random() < 0.6
        pick = rng.random()
        if pick < 0.35:
            brand = rng.choice(NAME_WORDS)
        elif pick < 0.7:
            brand = rng.choice(GIVEN) + rng.choice(GIVEN)
        elif pick < 0.85:
            brand = rng.choice(SURNAMES) + rng.choice(("记", "氏", "家", "师傅", "大姐"))
        else:
            brand = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        shop = rng.choice(SHOP_WORDS.get(sector.code, ["商行"]))
        prefix = county.name if rng.random() < 0.7 else "巴彦淖尔市" if not individual else ""
        name = f"{prefix}{brand}{shop}"
        if rng.random() < 0.1:
            name += f"（{rng.choice(roads)}店）"
        address = f"巴彦淖尔市{county.name}{rng.choice(roads)}{rng.randint(1, 399)}号"
        if rng.random() < 0.5:
            address += f"{rng.choice(GIVEN)}{rng.choice(estates)}{rng.randint(1, 30)}号楼{rng.randint(1, 30)}号商铺"
        head = "92" if individual else "91"
        code = uscc_rules.complete(f"{head}{county.code}{index:09d}")
        yield code, name, address, county.pk, sector.pk, "individual" if individual else "company"


def generate(n: int, seed: int, progress) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    columns = ("created_at", "updated_at", "uscc", "name", "entity_type", "legal_representative", "address",
               "region_id", "sector_id", "online_platform", "online_shop_url", "operating_status", "contact_phone")
    batch: list[tuple] = []

    def flush():
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY merchants_marketentity ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO merchants_marketentity ({', '.join(columns)}) VALUES ({marks})",
                                   batch)
        progress(len(batch))
        batch.clear()

    for code, name, address, region_id, sector_id, entity_type in entity_rows(n, seed):
        batch.append((now, now, code, name, entity_type, "", address, region_id, sector_id, "", "", "operating", ""))
        if len(batch) == 20_000:
            flush()
    if batch:
        flush()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE merchants_marketentity")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def sizes() -> list[tuple[str, float]]:
    """(relation, MiB) for the registry table and the index structures."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN "
                           "('merchants_marketentity', 'merchants_entitysearchdoc', 'merchants_entitysearchtoken')")
            return [(name, size / 2**20) for name, size in cursor.fetchall()]
        try:
            cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12")
            return [(name, size / 2**20) for name, size in cursor.fetchall()]
        except Exception:
            return []


# --- queries ----------------------------------------------------------------------------------------------------

def pick_queries(count: int, seed: int) -> dict[int, list[str]]:
    from fangxin.merchants.models import MarketEntity
    from fangxin.merchants.search import normalise

    rng = random.Random(seed + 1)
    top = MarketEntity.objects.order_by("-pk").values_list("pk", flat=True).first()
    queries = {}
    for length in (2, 3, 4):
        drawn: list[str] = []
        while len(drawn) < count:
            name = (MarketEntity.objects.filter(pk__gte=rng.randint(1, top)).order_by("pk")
                    .values_list("name", flat=True).first())
            text = name or ""
            if len(text) < length:
                continue
            start = rng.randrange(len(text) - length + 1)
            query = text[start:start + length]
            if normalise(query) == query and query not in drawn:  # no punctuation: the scan can match it too
                drawn.append(query)
        queries[length] = drawn + NO_MATCH[length]
    return queries


def indexed(query: str):
    from fangxin.merchants.selectors import entity_public_search

    results = entity_public_search(query=query)
    return [e.pk for e in results[:PAGE]], results.count()


def scan(query: str):
    from django.db.models import Q

    from fangxin.merchants.models import MarketEntity

    results = (MarketEntity.objects.select_related("region", "sector")
               .filter(Q(name__contains=query) | Q(address__contains=query)).order_by("name", "uscc"))
    return [e.pk for e in results[:PAGE]], results.count()


def bigram_text_match(text: str, vendor: str):
    """The alternative for 3+ characters: entities holding every bigram of the query, confirmed on the doc."""
    from fangxin.merchants import search

    if len(text) <= 2:
        return ORIGINAL_TEXT_MATCH(text, vendor)
    bigrams = sorted({text[i:i + 2] for i in range(len(text) - 1)})
    marks = ", ".join(["%s"] * len(bigrams))
    token_table, doc_table = search._table(search.EntitySearchToken), search._table(search.EntitySearchDoc)
    candidates = (f"SELECT entity_id FROM {token_table} WHERE token IN ({marks}) "
                  f"GROUP BY entity_id HAVING COUNT(*) = {len(bigrams)}")
    contains = "instr({col}, %s) > 0" if vendor == "sqlite" else "strpos({col}, %s) > 0"
    return (f"SELECT entity_id FROM {doc_table} WHERE entity_id IN ({candidates}) "
            f"AND ({contains.format(col='name')} OR {contains.format(col='address')})", [*bigrams, text, text])


ORIGINAL_TEXT_MATCH = None


def bigram(query: str):
    from fangxin.merchants import search

    search._text_match_sql = bigram_text_match
    try:
        return indexed(query)
    finally:
        search._text_match_sql = ORIGINAL_TEXT_MATCH


def timed(function, query: str) -> tuple[float, tuple]:
    start = time.perf_counter()
    result = function(query)
    return (time.perf_counter() - start) * 1000, result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    global ORIGINAL_TEXT_MATCH
    args = parse_args()
    cleanup, where = prepare_database(args.database_url, args.reuse)
    try:
        setup_django()
        from tqdm import tqdm

        from fangxin.merchants import search

        ORIGINAL_TEXT_MATCH = search._text_match_sql
        print(f"{where}: {args.entities:,} entities, seed {args.seed}", flush=True)
        if not args.reuse:
            start = time.perf_counter()
            with tqdm(total=args.entities, unit="户", desc="生成名录", file=sys.stderr) as bar:
                generate(args.entities, args.seed, bar.update)
            print(f"registry generated in {time.perf_counter() - start:.1f} s", flush=True)
            start = time.perf_counter()
            with tqdm(total=args.entities, unit="户", desc="建立索引", file=sys.stderr) as bar:
                search.rebuild_index(progress=bar.update)
            print(f"index built in {time.perf_counter() - start:.1f} s", flush=True)
        for name, mib in sizes():
            print(f"  {name:<48} {mib:9.1f} MiB")

        queries = pick_queries(args.queries, args.seed)
        methods = {"indexed": indexed, "scan": scan, "bigram": bigram}
        rows = []
        for length, texts in queries.items():
            samples: dict[str, list[float]] = {name: [] for name in methods}
            counts, differ = [], 0
            for query in texts:  # warm-up, and the answers must agree
                _, (page, count) = timed(indexed, query)
                _, (_, scan_count) = timed(scan, query)
                _, (bigram_page, bigram_count) = timed(bigram, query)
                if bigram_count != count or page != bigram_page:
                    raise SystemExit(f"answers differ for {query!r}: indexed {count}, bigram {bigram_count}")
                differ += scan_count != count  # the scan sees raw text: '（' between two characters hides a match
                counts.append(count)
            if differ:
                print(f"  {length} characters: {differ} queries where the raw-text scan counts differently")
            for _ in range(args.rounds):
                for query in texts:
                    for name, function in methods.items():
                        if name == "bigram" and length < 3:
                            continue
                        samples[name].append(timed(function, query)[0])
            row = {"length": length, "queries": len(texts), "median_hits": statistics.median(counts),
                   "max_hits": max(counts)}
            for name, values in samples.items():
                if values:
                    row[f"{name}_p50"], row[f"{name}_p95"] = percentile(values, 50), percentile(values, 95)
            rows.append(row)
            print(f"  {length} characters done", flush=True)

        print()
        print(f"{where}, {args.entities:,} entities — milliseconds for the first page ({PAGE} rows) and the count")
        print("| chars | queries | hits median / max | indexed p50 | indexed p95 | scan p50 | scan p95 "
              "| scan/indexed p50 | scan/indexed p95 | bigram-∩ p50 | bigram-∩ p95 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for row in rows:
            alt = (f"{row['bigram_p50']:.1f} | {row['bigram_p95']:.1f}" if "bigram_p50" in row else "— | —")
            print(f"| {row['length']} | {row['queries']} | {row['median_hits']:,.0f} / {row['max_hits']:,} "
                  f"| {row['indexed_p50']:.1f} | {row['indexed_p95']:.1f} | {row['scan_p50']:.1f} "
                  f"| {row['scan_p95']:.1f} | {row['scan_p50'] / row['indexed_p50']:.1f}× "
                  f"| {row['scan_p95'] / row['indexed_p95']:.1f}× | {alt} |")
    finally:
        if not args.keep:
            cleanup()


if __name__ == "__main__":
    main()
