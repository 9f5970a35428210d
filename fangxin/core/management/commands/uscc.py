from django.core.management.base import BaseCommand

from fangxin.core import uscc


class Command(BaseCommand):
    help = "统一社会信用代码：check CODE… 逐个打印 valid 或无效原因；任一无效时以状态 1 退出。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="校验代码")
        check.add_argument("codes", nargs="+")

    def handle(self, *args, action, codes, **options):
        invalid = 0
        for code in codes:
            problem = uscc.problem(code)
            self.stdout.write(f"{code}\t{'valid' if problem is None else 'invalid: ' + problem}")
            invalid += problem is not None
        if invalid:
            raise SystemExit(1)
