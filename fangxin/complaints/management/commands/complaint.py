import json

from django.core.management.base import BaseCommand, CommandError

from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError
from fangxin.core.management.commands.workdays import parse_date
from fangxin.core.workdays import WorkCalendar


class Command(BaseCommand):
    help = ("投诉办理：deadlines --received DATE [--accepted DATE] 打印适用规则与法定期限（JSON）；"
            "escalate 把经营者逾期未和解的投诉转入监管部门；overdue 向单位负责人发送逾期提醒。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deadlines = sub.add_parser("deadlines", help="按收到日期（和受理日期）计算法定期限")
        deadlines.add_argument("--received", required=True)
        deadlines.add_argument("--accepted")
        sub.add_parser("escalate", help="经营者和解期限已过的投诉转监管部门（可重复运行）")
        sub.add_parser("overdue", help="向单位负责人发送逾期提醒（每件每天一次，可重复运行）")

    def handle(self, *args, action, **options):
        if action == "deadlines":
            return self._deadlines(options["received"], options.get("accepted"))
        from fangxin.complaints import services

        actor = Actor.system(f"complaint {action}")
        try:
            done = (services.complaint_escalate_overdue(actor=actor) if action == "escalate"
                    else services.complaint_flag_overdue(actor=actor))
        except FangxinError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"处理 {len(done)} 件" + ("：" + "、".join(done[:20]) if done else ""))

    def _deadlines(self, received_text: str, accepted_text: str | None) -> None:
        from fangxin.complaints import deadlines

        received = parse_date(received_text)
        accepted = parse_date(accepted_text) if accepted_text else None
        if accepted and accepted < received:
            raise CommandError("受理日期不能早于收到日期")
        try:
            rule_set = deadlines.rule_set_for(received)
        except FangxinError as exc:
            raise CommandError(exc.message) from None
        calendar = WorkCalendar.load()
        accept = deadlines.accept_deadline(rule_set, received, calendar)
        result = {"rule_set": rule_set.code, "accept_by": accept.due.isoformat()}
        warnings = [accept.warning]
        if accepted:
            mediation = deadlines.mediation_deadline(rule_set, accepted, calendar)
            result["mediation_by"] = mediation.due.isoformat()
            warnings.append(mediation.warning)
        warnings = sorted({w for w in warnings if w})
        if warnings:
            result["warnings"] = warnings
            for warning in warnings:
                self.stderr.write(f"注意：{warning}")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
