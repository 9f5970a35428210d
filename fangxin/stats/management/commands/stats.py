import time

from django.core.management.base import BaseCommand, CommandError

from fangxin.stats import rollups
from fangxin.stats.models import Source


class Command(BaseCommand):
    help = ("统计汇总：rebuild 从原始记录重新计算全部汇总（批量导入或演示数据之后运行，可重复运行）；"
            "check 将汇总与原始记录逐项核对，有差异时列出并以状态 1 退出。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("rebuild", "重新计算汇总"), ("check", "核对汇总与原始记录")):
            command = sub.add_parser(name, help=text)
            command.add_argument("--source", action="append", choices=Source.values,
                                 help="只处理某一来源（可多次指定）；默认全部")

    def handle(self, *args, action, source=None, **options):
        started = time.monotonic()
        if action == "rebuild":
            counts = rollups.rebuild(source)
            summary = "，".join(f"{Source(name).label} {count} 条" for name, count in counts.items())
            self.stdout.write(f"汇总已重建：{summary}（{time.monotonic() - started:.1f} 秒）。")
            return
        problems = rollups.differences(source)
        for (name, key, measure), stored, expected in problems[:50]:
            self.stdout.write(f"{name} {key.period:%Y-%m} 地区 {key.region_id} 行业 {key.sector} 部门 {key.department} "
                              f"{key.level} {key.bucket} {measure}：汇总 {stored}，应为 {expected}")
        if problems:
            raise CommandError(f"汇总与原始记录不一致：{len(problems)} 项（运行 fangxin stats rebuild 修复）。")
        self.stdout.write(f"汇总与原始记录一致（{time.monotonic() - started:.1f} 秒）。")
