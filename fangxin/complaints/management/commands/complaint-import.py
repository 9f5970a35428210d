"""`fangxin complaint-import FILE`: the complaint import of the workbench page, from the command line."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangxin.accounts.models import User
from fangxin.core.actors import Actor
from fangxin.core.exceptions import FangxinError


class Command(BaseCommand):
    help = ("批量导入投诉（XLSX/CSV，如 12315 导出）：先检查全部行，有误的行不导入并列出，其余照常导入；"
            "外部编号已导入过的行跳过。退出码：0 全部成功，1 有错误行，2 文件无法导入。")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不登记")
        parser.add_argument("--actor", help="以该工作人员账号导入（审计记录写其姓名）；默认为系统")
        parser.add_argument("--error-report", help="错误行写入该 XLSX 文件")

    def handle(self, *args, file, dry_run=False, actor=None, error_report=None, **options):
        from fangxin.complaints import importing

        who = Actor.system("complaint-import")
        if actor:
            user = User.objects.filter(username=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"没有账号 {actor}。")
            who = Actor.for_user(user)
        try:
            result = importing.complaint_import(actor=who, source=Path(file), dry_run=dry_run)
        except importing.ImportFileError as exc:
            self.stderr.write(str(exc))
            sys.exit(2)
        except FangxinError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        for error in result.errors[:50]:
            self.stdout.write(f"第 {error.row} 行：{error.message}")
        if error_report and result.errors:
            Path(error_report).write_bytes(importing.error_report(result))
        self.stdout.write(result.summary())
        if result.errors:
            sys.exit(1)
