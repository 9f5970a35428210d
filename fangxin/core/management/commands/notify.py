from django.core.management.base import BaseCommand

from fangxin.core import notify


class Command(BaseCommand):
    help = "通知发件箱：retry 重试发送失败的短信和邮件（可重复运行）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("retry", help="重试发送失败的通知")

    def handle(self, *args, action, **options):
        sent, failed = notify.retry_failed()
        self.stdout.write(f"重试成功 {sent} 条，仍失败 {failed} 条")
