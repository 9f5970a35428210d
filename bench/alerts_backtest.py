"""Backtest of the early-warning detectors on synthetic complaint streams with planted surges.

    .venv/bin/python bench/alerts_backtest.py [--seeds 5] [--months 12]

For each seed: 600 businesses (log-normal monthly rates, weekly rhythm, gamma over-dispersion, two ten-day
city-wide peaks of ×1.8 a year), 40 sector ×
county streams, planted surges (4–12 extra complaints in 2–7 days for one business in five), mass incidents
(5–8 complaints in two days for one in twenty) and group surges (half the groups, +100–250 % for 5–14 days);
then the daily detector over 12 months after a warm-up of one baseline (fangxin/alerts/backtest.py has the
details). Prints per level: detection rate, false alarms per month (whole synthetic city and per 100 subjects),
median delay in days — for the default thresholds, two alternatives and the default without the city-volume
adjustment, summed over the seeds. No database.
Not a test: pytest never collects it (bench/ is outside testpaths and the file is not test_*.py).
"""

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fangxin.alerts import backtest, detection  # noqa: E402

VARIANTS = [
    ("默认阈值（P ≤ 0.001，倍数 ≥ 2）", {}),
    ("更敏感（P ≤ 0.01，倍数 ≥ 1.5）", {"p_threshold": 0.01, "min_ratio": 1.5}),
    ("更严格（P ≤ 0.0001，倍数 ≥ 3）", {"p_threshold": 0.0001, "min_ratio": 3.0}),
    ("默认阈值，不按全市总量上升调整", {"volume_adjust": False}),
]


def combined(runs: list[list[backtest.LevelReport]]) -> list[backtest.LevelReport]:
    out = []
    for level in zip(*runs, strict=True):
        out.append(backtest.LevelReport(
            name=level[0].name, subjects=level[0].subjects, planted=sum(r.planted for r in level),
            detected=sum(r.detected for r in level), false_alarms=sum(r.false_alarms for r in level),
            months=sum(r.months for r in level), delays=[d for r in level for d in r.delays]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    started = time.perf_counter()
    for title, overrides in VARIANTS:
        params = replace(detection.Params(), **overrides)
        runs = [backtest.run(seed=2026 + i, months=args.months, params=params) for i in range(args.seeds)]
        print(f"\n## {title}：{args.seeds} 个随机种子 × {args.months} 个月")
        print(backtest.format_report(combined(runs)))
        if not overrides:
            per_seed = [r[0].detection_rate for r in runs]
            print(f"（经营者激增检出率各种子：{', '.join(f'{x:.1%}' for x in per_seed)}；"
                  f"中位数 {statistics.median(per_seed):.1%}）")
    print(f"\n用时 {time.perf_counter() - started:.1f} 秒")


if __name__ == "__main__":
    main()
