"""`fangxin supervision remind [--date YYYY-MM-DD]`: remind the unit heads of assignments due within three days or
overdue (idempotent per day). `fangxin supervision evaluate YEAR [--publish]`: print the county ranking of a year
(computed from the records, or the published results), optionally publishing it."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.supervision import selectors, services


class Command(BaseCommand):
    help = "督导：remind 到期和逾期任务提醒（每日可重复运行）；evaluate 计算旗县区年度督导评价排名"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="提醒 3 天内到期和已逾期的承办单位负责人")
        remind.add_argument("--date", help="YYYY-MM-DD（默认今天）")
        evaluate = sub.add_parser("evaluate", help="计算并打印某年度的旗县区排名")
        evaluate.add_argument("year", type=int)
        evaluate.add_argument("--publish", action="store_true", help="发布结果并锁定方案")

    def handle(self, *args, action, **options):
        try:
            if action == "remind":
                return self.remind(options.get("date"))
            return self.evaluate(options["year"], options["publish"])
        except FangxinError as exc:
            raise CommandError(exc.message) from None

    def remind(self, raw: str | None) -> None:
        try:
            on = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from None
        result = services.remind(actor=Actor.system("supervision remind"), on=on)
        self.stdout.write(f"{result.on}：提醒 {len(result.reminded)} 条承办记录，今日已提醒 {result.skipped} 条")
        for a in result.reminded:
            self.stdout.write(f"  {a.assignee_name}：{a.task.title}（时限 {a.task.due_on}）")

    def evaluate(self, year: int, publish: bool) -> None:
        actor = Actor.system("supervision evaluate")
        if publish:
            scheme = services.scheme_ensure(actor=actor, year=year)
            services.scheme_publish(actor=actor, scheme=scheme)
        rows = selectors.ranking(year)
        scheme = selectors.scheme_for(year)
        state = "已发布" if scheme and scheme.is_published else "未发布，按当前数据计算"
        self.stdout.write(f"{year} 年度旗县区督导评价（{state}）")
        for row in rows:
            parts = "，".join(f"{p.label} {'—' if p.score is None else p.score}" for p in row.parts)
            self.stdout.write(f"{row.rank:>3}. {row.county} {row.score}（{parts}）")
