"""Benchmark: the fangxin-draw-v1 draw and its verification against a bare SHA-256 over the same USCCs, same run.

    .venv/bin/python bench/draw_bench.py [--n 1000000] [--inspectors 500] [--repeat N] [--seed 2026]

Generates N valid USCCs deterministically (7 counties of 巴彦淖尔市, 4 credit strata A/B/C/D in proportions
30/45/20/5 %, the default ratios A 0.03, B 0.05, C 0.10, D 0.20), 500 inspectors (60 city-level, the rest spread
over the counties, 2 % inactive, a few declared conflicts each) and 2,000 recent-inspection exclusions, then times:
  (a) anchor  hashlib.sha256(uscc).hexdigest() once per USCC — the floor any draw over them has to pay;
  (b) draw    draw.build_record: population hash, commitment, seed, N tickets, selection, team assignment;
  (c) verify  draw.verify of that record (what `fangxin draw verify` runs after reading the file);
  (d) read    json.loads of the record as written to a file (the rest of `fangxin draw verify`; for information).
Prints wall and CPU seconds and each ratio to the anchor (best of --repeat interleaved rounds). No database.
Not a test: pytest never collects it (bench/ is outside testpaths and the file is not test_*.py).
"""

import argparse
import hashlib
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fangxin.core.uscc import ALPHABET, check_character  # noqa: E402
from fangxin.inspections import draw  # noqa: E402

COUNTIES = ("150802", "150821", "150822", "150823", "150824", "150825", "150826")
STRATA = (("A", 30), ("B", 45), ("C", 20), ("D", 5))
RATIOS = {"A": "0.03", "B": "0.05", "C": "0.10", "D": "0.20"}
ROWS = {"a": "(a) 基准：每个 USCC 一次 SHA-256", "b": "(b) 抽签 build_record（含分派）",
        "c": "(c) 验证 verify", "d": "(d) 读取记录 json.loads（参考）"}


class Timer:
    def __init__(self):
        self.wall = self.cpu = float("inf")

    def measure(self, function):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        self.wall = min(self.wall, time.perf_counter() - wall)
        self.cpu = min(self.cpu, time.process_time() - cpu)
        return result


def population(n: int, rng: random.Random):
    strata = {name: [] for name, _ in STRATA}
    entities = {}
    names = [name for name, share in STRATA for _ in range(share)]
    body = ALPHABET[:-1]
    seen = set()
    while len(entities) < n:
        county = rng.choice(COUNTIES)
        first17 = "91" + county + "".join(rng.choices(body, k=9))
        if first17 in seen:
            continue
        seen.add(first17)
        uscc = first17 + check_character(first17)
        strata[rng.choice(names)].append(uscc)
        entities[uscc] = {"county": county}
    return strata, entities


def inspectors(count: int, usccs: list[str], rng: random.Random):
    result = []
    for index in range(count):
        regions = ["150800"] if index < 60 else [COUNTIES[index % len(COUNTIES)]]
        result.append({"code": f"INS{index:04d}", "department": rng.choice(["amr", "fda", "cca", "tourism"]),
                       "regions": regions, "active": rng.random() >= 0.02,
                       "conflicts": rng.sample(usccs, rng.randint(0, 3))})
    return result


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="businesses in the population")
    parser.add_argument("--inspectors", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds; the best of each is kept")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    strata, entities = population(args.n, rng)
    usccs = [uscc for names in strata.values() for uscc in names]
    staff = inspectors(args.inspectors, usccs, rng)
    exclusions = [{"inspector": rng.choice(staff)["code"], "uscc": rng.choice(usccs)} for _ in range(2000)]
    plan = {"id": "bench", "name": "基准测试抽查计划", "ratios": RATIOS, "team_size": 2}
    print(f"总体 {args.n:,} 家（{len(COUNTIES)} 个县区，{len(strata)} 层：" +
          "，".join(f"{name} {len(names):,}" for name, names in strata.items()) +
          f"），检查人员 {len(staff)} 名，回避 {len(exclusions):,} 条；生成用时 {time.perf_counter() - started:.1f} 秒",
          flush=True)

    timers = {key: Timer() for key in ROWS}
    record = None
    for attempt in range(1, args.repeat + 1):
        timers["a"].measure(lambda: [hashlib.sha256(uscc.encode()).hexdigest() for uscc in usccs])
        record = timers["b"].measure(lambda: draw.build_record(
            plan=plan, strata=strata, entities=entities, inspectors=staff, exclusions=exclusions,
            public_entropy="见证人甲 3 1 4 1 5；见证人乙 9 2 6 5 3", server_secret=draw.new_server_secret(),
            frozen_at="2026-11-27T09:00:00+08:00", published_at="2026-11-27T09:00:00+08:00"))
        differences = timers["c"].measure(lambda record=record: draw.verify(record))
        if differences:
            print(f"验证失败：{differences[0]}")
            return 1
        text = json.dumps(record, ensure_ascii=False)
        timers["d"].measure(lambda text=text: json.loads(text))
        print(f"第 {attempt} 轮完成", flush=True)

    selected = record["selected"]
    unassigned = sum(1 for item in record["assignments"] if not item["inspectors"])
    print(f"入选 {len(selected):,} 家，未能分派 {unassigned:,} 家；记录 JSON {len(text.encode()) / 1e6:.0f} MB")
    print(f"{'':<40}{'墙钟秒':>8}{'CPU 秒':>8}{'÷ 基准':>8}")
    for key, label in ROWS.items():
        timer = timers[key]
        print(f"{label}{' ' * max(1, 40 - width(label))}{timer.wall:>8.2f}{timer.cpu:>8.2f}"
              f"{timer.wall / timers['a'].wall:>8.2f}")
    print(f"抽签 / 基准 = {timers['b'].wall / timers['a'].wall:.2f}，验证 / 基准 = "
          f"{timers['c'].wall / timers['a'].wall:.2f}（墙钟；{args.repeat} 轮各取最好）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
