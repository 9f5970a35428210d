"""`fangxin alerts scan [--date YYYY-MM-DD]`: the daily early-warning detection (idempotent per day and subject).
`fangxin alerts backtest [--seed N]`: the detectors on synthetic complaint streams with planted surges."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fangxin.alerts import services
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError


class Command(BaseCommand):
    help = "预警：scan 每日扫描（可重复运行）；backtest 用合成数据回测检出率、误报和延迟"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        scan = sub.add_parser("scan", help="对某一天（默认今天）运行全部预警规则")
        scan.add_argument("--date", help="YYYY-MM-DD")
        backtest = sub.add_parser("backtest", help="合成投诉流回测")
        backtest.add_argument("--seed", type=int, default=2026)
        backtest.add_argument("--months", type=int, default=12)

    def handle(self, *args, action, **options):
        if action == "scan":
            return self.scan(options.get("date"))
        return self.backtest(options["seed"], options["months"])

    def scan(self, raw: str | None) -> None:
        try:
            on = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from None
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
