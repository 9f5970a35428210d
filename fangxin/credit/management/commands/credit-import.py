"""`fangxin credit-import FILE`: the credit-event import of the workbench page, from the command line."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangxin.accounts.models import User
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError


class Command(BaseCommand):
    help = ("导入其他部门报送的信用事件（XLSX/CSV，每行一件）：先检查全部行，有误的行不导入并列出，其余逐行记入；"
            "同一机关的同一来源编号只记一次。退出码：0 全部成功，1 有错误行，2 文件无法导入。")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不记入")
        parser.add_argument("--actor", help="以该工作人员账号导入（审计记录写其姓名，只能导入其管辖范围内的主体）；默认为系统")
        parser.add_argument("--error-report", help="错误行写入该 XLSX 文件")

    def handle(self, *args, file, dry_run=False, actor=None, error_report=None, **options):
        from fangxin.credit import importing

        who = Actor.system("credit-import")
        if actor:
            user = User.objects.select_related("department", "region").filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"没有账号 {actor}。")
            who = Actor.for_user(user)
        try:
            result = importing.event_import(actor=who, source=Path(file), dry_run=dry_run)
        except importing.ImportFileError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        except FangxinError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        for error in result.errors[:50]:
            self.stdout.write(f"第 {error.row} 行：{error.message}")
        if len(result.errors) > 50:
            self.stdout.write(f"……另有 {len(result.errors) - 50} 行有误，见错误报告（--error-report）。")
        if error_report and result.errors:
            Path(error_report).write_bytes(importing.error_report(result))
        self.stdout.write(result.summary())
        if result.errors:
            sys.exit(1)
