"""`fangxin credit recompute [--uscc CODE …]`: regrade businesses as of today (run daily: events lose weight
with age, so a grade can change without a new event)."""

from django.core.management.base import BaseCommand, CommandError

from fangxin.core.actors import Actor
from fangxin.merchants.models import MarketEntity

from ...batch import recompute_all
from ...choices import Grade


class Command(BaseCommand):
    help = "信用等级：recompute 按今天的日期重新计算市场主体的信用等级（每天运行一次）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        recompute = sub.add_parser("recompute", help="重新计算信用等级")
        recompute.add_argument("--uscc", nargs="*", default=None, help="只计算这些统一社会信用代码（默认全部）")

    def handle(self, *args, action, uscc=None, **options):
        entities = MarketEntity.objects.all()
        if uscc:
            wanted = {code.strip().upper() for code in uscc}
            entities = entities.filter(uscc__in=wanted)
            missing = wanted - set(entities.values_list("uscc", flat=True))
            if missing:
                raise CommandError(f"找不到这些市场主体：{'、'.join(sorted(missing))}")
        summary = recompute_all(actor=Actor.system("credit-recompute"), entities=entities)
        distribution = "，".join(f"{g} 级 {summary.grades.get(g, 0)} 户" for g in Grade.values)
        self.stdout.write(f"已重新计算 {summary.graded} 户，等级变化 {summary.changed} 户（{distribution}）")
