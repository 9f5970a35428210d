"""`fangxin alerts scan [--date YYYY-MM-DD]`: the daily early-warning detection (idempotent per day and subject).
`fangxin alerts backtest [--seed N]`: the detectors on synthetic complaint streams with planted surges.
`fangxin alerts replay [--days N] [--end YYYY-MM-DD]`: the detectors day by day over the stored complaints
(read-only): how many warnings a month the real flow would raise."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fangxin.alerts import services
from fangxin.alerts.choices import WarningKind
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError


class Command(BaseCommand):
    help = "预警：scan 每日扫描（可重复运行）；backtest 用合成数据回测检出率、误报和延迟；replay 对已有投诉逐日回放"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="对某一天（默认今天）运行全部预警规则")
        scan.add_argument("--date", help="YYYY-MM-DD")
        backtest = sub.add_parser("backtest", help="合成投诉流回测")
        backtest.add_argument("--seed", type=int, default=2026)
        backtest.add_argument("--months", type=int, default=12)
        replay = sub.add_parser("replay", help="对已有投诉逐日回放检测（只读），统计每月新发预警")
        replay.add_argument("--days", type=int, default=180)
        replay.add_argument("--end", help="最后一天 YYYY-MM-DD（默认昨天）")

    def handle(self, *args, action, **options):
        if action == "scan":
            return self.scan(options.get("date"))
        if action == "replay":
            return self.replay(options["days"], options.get("end"))
        return self.backtest(options["seed"], options["months"])

    @staticmethod
    def day(raw: str | None) -> date | None:
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from None

    def scan(self, raw: str | None) -> None:
        on = self.day(raw)
        try:
            result = services.scan(actor=Actor.system("alerts scan"), on=on)
        except FangxinError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{result.on}：新发预警 {len(result.created)} 条，更新仍在办理的预警 "
                          f"{len(result.refreshed)} 条，已预警未变 {result.unchanged} 条")
        for warning in result.created:
            self.stdout.write(f"  {warning.get_severity_display()} {warning.get_kind_display()}："
                              f"{warning.subject_label}（{'；'.join(warning.reasons)}）")

    def backtest(self, seed: int, months: int) -> None:
        from fangxin.alerts import backtest

        report = backtest.run(seed=seed, months=months)
        self.stdout.write(backtest.format_report(report))

    def replay(self, days: int, raw_end: str | None) -> None:
        from fangxin.alerts import backtest

        if not 1 <= days <= 1000:
            raise CommandError("--days 应在 1 到 1000 之间。")
        last = self.day(raw_end) or timezone.localdate() - timedelta(days=1)
        first = last - timedelta(days=days - 1)
        params = services.current_settings().params()
        rows = services.complaint_rows(start=first - timedelta(days=params.history_days), end=last)
        prepaid = services.prepaid_subjects({row.entity for row in rows if row.entity is not None})
        report = backtest.replay(rows, first=first, last=last, params=params, prepaid=prepaid)
        self.stdout.write(f"{first} 至 {last}（{report.months:.1f} 个月，投诉 {len(rows)} 件）逐日回放，新发预警：")
        for kind in WarningKind:
            n = report.warnings.get(kind.value, 0)
            self.stdout.write(f"  {kind.label}：{n} 条，每月 {n / report.months:.1f} 条")
