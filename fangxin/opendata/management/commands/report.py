from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangxin.accounts.choices import Role
from fangxin.accounts.models import User
from fangxin.core.exceptions import FangxinError
from fangxin.opendata import services
from fangxin.opendata.choices import ReportFormat, ReportKind
from fangxin.opendata.reports.monthly import parse_month


def whole_city_viewer() -> User:
    """An unsaved read-only principal that sees everything: the console report covers the whole city."""
    return User(username="system:report", role=Role.AUDITOR, is_active=True)


class Command(BaseCommand):
    help = ("报告：annual YEAR 生成年度创建工作报告（PDF 或 DOCX）；monthly YYYY-MM 生成月度投诉分析（XLSX）；"
            "run-pending 生成工作台中排队的报告任务（可由定时任务重复运行）。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        annual = sub.add_parser("annual", help="年度创建工作报告")
        annual.add_argument("year", type=int)
        annual.add_argument("--format", choices=[ReportFormat.PDF, ReportFormat.DOCX], default=ReportFormat.PDF)
        annual.add_argument("--output", help="输出文件；默认 年度创建工作报告-YEAR.pdf")
        month = sub.add_parser("monthly", help="月度投诉分析")
        month.add_argument("month", help="YYYY-MM")
        month.add_argument("--output", help="输出文件；默认 月度投诉分析-YYYY-MM.xlsx")
        pending = sub.add_parser("run-pending", help="生成排队中的报告任务")
        pending.add_argument("--limit", type=int, default=20)

    def handle(self, *args, action, **options):
        if action == "run-pending":
            jobs = services.run_pending(options["limit"])
            for job in jobs:
                self.stdout.write(f"#{job.pk} {job}：{job.error or job.file_name}")
            self.stdout.write(f"处理了 {len(jobs)} 个报告任务。")
            return
        try:
            if action == "annual":
                kind, period, fmt = ReportKind.ANNUAL, str(options["year"]), options["format"]
                default = f"年度创建工作报告-{period}.{fmt}"
            else:
                kind, period, fmt = ReportKind.MONTHLY, f"{parse_month(options['month']):%Y-%m}", ReportFormat.XLSX
                default = f"月度投诉分析-{period}.xlsx"
            content = services.render(user=whole_city_viewer(), kind=kind, period=period, fmt=fmt,
                                      progress=self._progress)
        except FangxinError as error:
            raise CommandError(error.message) from error
        output = Path(options["output"] or default)
        output.write_bytes(content)
        self.stdout.write(f"已生成 {output}（{len(content) // 1024} KB）。")

    def _progress(self, percent, step):
        self.stderr.write(f"{percent:3d}% {step}")
