"""fangxin gen --scale city|region|nation --seed N [--batch 20000] [--resume] — synthetic data (docs/gen.md)."""

import argparse
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fangxin.gen import runner
from fangxin.gen.scales import SCALES


class Command(BaseCommand):
    help = ("生成确定性的合成数据（市场主体、创建单位及标志、投诉举报及办理记录、信用事件），分批写入，可中断后续跑。"
            "同一种子生成相同的数据。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", required=True, choices=sorted(SCALES),
                            help="city：15 万户、三年 18 万件投诉；region：250 万户、100 万件；nation：200 万户、1000 万件")
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--batch", type=int, default=20_000, help="每批行数（每批一个事务和一个续跑检查点）")
        parser.add_argument("--resume", action="store_true", help="续跑上次未完成的生成（跳过已写入的批次）")
        parser.add_argument("--today", type=date.fromisoformat, default=None,
                            help="数据的“今天”（默认当天；续跑时沿用上次的日期）")
        parser.add_argument("--workers", type=int, default=1, help="并行写入的进程数（批次按序号分给各进程）")
        parser.add_argument("--no-derived", action="store_true", help="不重建汇总、检索索引和信用等级")
        parser.add_argument("--database-url", default=None,
                            help="目标数据库（与 DATABASE_URL 相同；须在启动前设置，这里只核对）")
        # tests only: a count override and an interruption after N batches
        parser.add_argument("--entities", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--complaints", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--fail-after", type=int, default=None, help=argparse.SUPPRESS)
        parser.add_argument("--families", default=",".join(runner.FAMILIES), help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        self._check_database(options["database_url"])
        counts = {k: options[k] for k in ("entities", "complaints") if options[k] is not None}
        quiet = options["verbosity"] == 0
        try:
            report = runner.run(scale_name=options["scale"], seed=options["seed"], batch=options["batch"],
                                resume=options["resume"], today=options["today"] or date.today(),
                                derived=not options["no_derived"], fail_after=options["fail_after"], quiet=quiet,
                                stream=self.stderr._out, counts=counts or None, workers=options["workers"],
                                families=tuple(options["families"].split(",")))
        except runner.GenError as exc:
            raise CommandError(str(exc)) from None
        for line in summary_lines(report):
            self.stdout.write(line)

    def _check_database(self, url):
        if not url:
            return
        import dj_database_url
        from django.db import connection

        wanted = dj_database_url.parse(url)
        if wanted["NAME"] != connection.settings_dict["NAME"]:
            raise CommandError("--database-url 与当前连接的数据库不同：请用环境变量 DATABASE_URL 指定目标数据库。")


def summary_lines(report) -> list[str]:
    lines = [f"生成完成：用时 {report.wall_seconds:.1f} 秒，峰值内存 {report.peak_rss_mb:.0f} MB"
             + (f"（工作进程 {report.worker_peak_rss_mb:.0f} MB）" if report.worker_peak_rss_mb else "") + "，"
             f"新增行政区划 {report.regions_added} 个，跳过已写入批次 {report.batches_skipped} 个。"]
    for key, rows in sorted(report.rows.items()):
        seconds = report.write_seconds[key]
        lines.append(f"  {key}: {rows} 行，写入 {seconds:.1f} 秒（{rows / seconds if seconds else 0:,.0f} 行/秒）")
    for family, seconds in report.family_seconds.items():
        lines.append(f"  批次 {family}: 生成并写入 {seconds:.1f} 秒")
    for name, seconds in report.derived_seconds.items():
        lines.append(f"  派生数据 {name}: {seconds:.1f} 秒")
    return lines
