from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fangxin.core.workdays import WorkCalendar


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期 {text!r} 无效，应为 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "工作日计算：add DATE N 打印 DATE 之后第 N 个工作日；calendar DATE N 打印自然日期限（遇节假日顺延）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("add", "第 N 个工作日（不含当日）"), ("calendar", "N 个自然日后（遇节假日顺延）")):
            command = sub.add_parser(name, help=text)
            command.add_argument("date")
            command.add_argument("n", type=int)
        check = sub.add_parser("is", help="某日是否工作日")
        check.add_argument("date")

    def handle(self, *args, action, **options):
        calendar = WorkCalendar.load()
        day = parse_date(options["date"])
        if action == "is":
            self.stdout.write("工作日" if calendar.is_workday(day) else "休息日")
            return
        if options["n"] < 0:
            raise CommandError("N 不能为负数")
        result = (calendar.add_workdays if action == "add" else calendar.add_calendar_days)(day, options["n"])
        self.stdout.write(result.due.isoformat())
        if result.warning:
            self.stderr.write(f"注意：{result.warning}")
