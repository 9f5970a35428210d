"""`fangxin retention apply [--years N] [--dry-run]`: anonymise complaints closed long ago (complaints.retention)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fangxin.core.actors import Actor


class Command(BaseCommand):
    help = "个人信息保存期限：apply 将办结满 N 年（默认取 FANGXIN_RETENTION_YEARS）的投诉举报的个人信息匿名化，统计数据不变。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help="匿名化到期投诉的个人信息")
        apply.add_argument("--years", type=int, default=None, help=f"办结满多少年（默认 {settings.FANGXIN_RETENTION_YEARS}）")
        apply.add_argument("--dry-run", action="store_true", help="只统计将被匿名化的数量，不做修改")

    def handle(self, *args, action, years=None, dry_run=False, **options):
        from fangxin.complaints.retention import retention_apply

        if years is not None and years < 1:
            raise CommandError("--years 至少为 1。")
        result = retention_apply(actor=Actor.system("retention apply"), years=years, dry_run=dry_run)
        verb = "将匿名化" if dry_run else "已匿名化"
        self.stdout.write(
            f"{verb}办结日期早于 {result.cutoff.isoformat()}（满 {result.years} 年）的投诉举报 {result.complaints} 件："
            f"证据文件 {result.files} 个，文书 {result.documents} 份，调解记录 {result.sessions} 条，"
            f"通知 {result.notifications} 条。")
