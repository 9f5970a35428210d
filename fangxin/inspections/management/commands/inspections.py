"""`fangxin inspections overdue`: results not published within 20 working days of the inspection (for the daily
check or a cron mail); `fangxin inspections record PLAN_ID`: a drawn plan's record JSON, to verify or archive."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from fangxin.core.exceptions import NotFound
from fangxin.core.workdays import WorkCalendar
from fangxin.inspections import selectors
from fangxin.inspections.deadlines import publish_state
from fangxin.inspections.models import Draw


class Command(BaseCommand):
    help = "双随机抽查：overdue 列出逾期未公示的检查结果；record 输出已抽取计划的抽签记录 JSON。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        overdue = sub.add_parser("overdue", help="列出逾期未公示的检查结果；有逾期时以 1 退出")
        overdue.add_argument("--json", action="store_true", help="以 JSON 输出")
        record = sub.add_parser("record", help="输出抽签记录 JSON（可交给 fangxin draw verify 核对）")
        record.add_argument("plan", type=int, help="计划编号")
        record.add_argument("--output", help="写入文件，而不是标准输出")

    def handle(self, *args, action, **options):
        if action == "overdue":
            return self.overdue(as_json=options["json"])
        return self.record(options["plan"], options.get("output"))

    def overdue(self, *, as_json: bool):
        today = timezone.localdate()
        rows = list(selectors.overdue_publications(None, today))
        calendar = WorkCalendar.load()
        lines = []
        for inspection in rows:
            state = publish_state(inspection, today, calendar)
            lines.append({"inspection": inspection.pk, "plan": inspection.plan.name, "uscc": inspection.entity.uscc,
                          "name": inspection.entity.name, "outcome": inspection.get_outcome_display(),
                          "inspected_on": inspection.inspected_on.isoformat(),
                          "publish_due": inspection.publish_due.isoformat(), "status": state.label})
        if as_json:
            self.stdout.write(json.dumps(lines, ensure_ascii=False, indent=2))
        elif not lines:
            self.stdout.write("没有逾期未公示的检查结果。")
        else:
            self.stdout.write(f"逾期未公示的检查结果 {len(lines)} 条：")
            for line in lines:
                self.stdout.write(f"  #{line['inspection']} {line['name']}（{line['uscc']}）{line['plan']}："
                                  f"{line['outcome']}，检查于 {line['inspected_on']}，{line['status']}")
        if lines:
            sys.exit(1)

    def record(self, plan_id: int, output: str | None):
        draw = Draw.objects.filter(plan_id=plan_id).first()
        try:
            if draw is None:
                raise NotFound(f"计划 {plan_id} 不存在或尚未冻结名录。")
            record = selectors.draw_record(draw)
        except NotFound as error:
            self.stderr.write(error.message)
            sys.exit(2)
        text = json.dumps(record, ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stdout.write(f"已写入 {output}")
        else:
            self.stdout.write(text)
