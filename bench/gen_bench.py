"""Benchmark (issue 9): `fangxin gen` rows per second against a bare bulk write of the same rows in the same run.

    .venv/bin/python bench/gen_bench.py [--entities 20000] [--complaints 8000] [--batch 5000]
                                        [--pg postgres://postgres@127.0.0.1:5432/fx_gen_bench] [--no-pg] [--no-sqlite]

For SQLite (a scratch file) and PostgreSQL (the database named by --pg, dropped and re-created), a subprocess with
that DATABASE_URL migrates a fresh database, loads the reference data and:
1. runs the generator (`fangxin.gen.runner.run`, scale tiny with the counts given, no derived data): wall time and
   rows written over every generated table → generator rows/s;
2. the anchor: reads every generated table back as plain text tuples and writes exactly those rows (same number,
   same width) into an unindexed, unconstrained scratch table with as many text columns — COPY on PostgreSQL,
   executemany on SQLite, the same batch size, one transaction per batch — the bare write path with no generation,
   no field preparation, no indexes or constraints → anchor rows/s;
3. prints both and the ratio generator ÷ anchor (1.0 would be "generation is free").
Not a test: pytest never collects bench/.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(entities: int, complaints: int, batch: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from fangxin.gen import runner

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    started = time.perf_counter()
    report = runner.run(scale_name="tiny", seed=1, batch=batch, resume=False, today=timezone.localdate(),
                        derived=False, quiet=True, counts={"entities": entities, "complaints": complaints})
    gen_seconds = time.perf_counter() - started
    rows = sum(report.rows.values())
    anchor_seconds = 0.0
    for key, (model, names) in runner.TABLES.items():
        table = model._meta.db_table
        columns = [model._meta.get_field(name).column for name in names]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in columns)} FROM {table}")
            data = [tuple(None if v is None else str(v) for v in row) for row in cursor.fetchall()]
            cursor.execute(f"CREATE TABLE anchor_{key} ({', '.join(f'c{i} TEXT' for i in range(len(columns)))})")
        marks = ", ".join(["%s"] * len(columns))
        began = time.perf_counter()
        for start in range(0, len(data), batch):
            with transaction.atomic(), connection.cursor() as cursor:
                chunk = data[start:start + batch]
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY anchor_{key} FROM STDIN") as copy:
                        for row in chunk:
                            copy.write_row(row)
                else:
                    cursor.executemany(f"INSERT INTO anchor_{key} VALUES ({marks})", chunk)
        anchor_seconds += time.perf_counter() - began
    return {"vendor": connection.vendor, "rows": rows, "gen_seconds": gen_seconds, "anchor_seconds": anchor_seconds,
            "peak_rss_mb": report.peak_rss_mb, "per_table": dict(report.rows)}


def run_vendor(url: str, args) -> dict:
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run([sys.executable, __file__, "--child", str(args.entities), str(args.complaints),
                          str(args.batch)], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--complaints", type=int, default=8_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/fx_gen_bench")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--child", nargs=3, type=int)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    urls = []
    if not args.no_sqlite:
        urls.append(f"sqlite:///{tempfile.mkdtemp(prefix='gen-bench-')}/bench.sqlite3")
    if not args.no_pg:
        name = args.pg.rsplit("/", 1)[1]
        admin = args.pg.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        urls.append(args.pg)
    for url in urls:
        result = run_vendor(url, args)
        gen_rate = result["rows"] / result["gen_seconds"]
        anchor_rate = result["rows"] / result["anchor_seconds"]
        print(f"{result['vendor']}: {result['rows']} rows ({result['per_table']})")
        print(f"  generator {gen_rate:,.0f} rows/s ({result['gen_seconds']:.1f} s, peak RSS "
              f"{result['peak_rss_mb']:.0f} MB); anchor (bare {'COPY' if result['vendor'] == 'postgresql' else 'executemany'}"
              f" of the same rows) {anchor_rate:,.0f} rows/s; ratio generator/anchor {gen_rate / anchor_rate:.3f}")


if __name__ == "__main__":
    main()
