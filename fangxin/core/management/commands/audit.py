from django.core.management.base import BaseCommand

from fangxin.core import audit


class Command(BaseCommand):
    help = "审计链工具：verify 校验整条链，发现被修改、删除或插入的记录时指出第一条并以状态 1 退出。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计链")

    def handle(self, *args, action, **options):
        result = audit.verify()
        if result.ok:
            self.stdout.write(result.message())
            return
        self.stderr.write(result.message())
        raise SystemExit(1)
