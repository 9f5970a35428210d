from django.core.management.base import BaseCommand

from fangxin.campaign.titles import seed
from fangxin.campaign.titles.models import ManagementCase
from fangxin.campaign.titles.views_staff import scan_counts
from fangxin.core.actors import Actor


class Command(BaseCommand):
    help = ("放心消费示范单位：seed 为尚无标准的行业和级别发布默认评价标准；scan 检查动态管理触发事由"
            "（失信名单、经营异常名录、投诉超限），为新的事由开启复核。两者都可重复运行。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed", help="发布默认评价标准（已有的不变）")
        sub.add_parser("scan", help="检查动态管理触发事由")

    def handle(self, *args, action, **options):
        actor = Actor.system(f"titles {action}")
        if action == "seed":
            created = seed.seed_standards(actor=actor)
            self.stdout.write(f"已发布默认评价标准 {created} 份（已有标准的行业和级别不变）。")
        else:
            opened, found = scan_counts(actor)
            pending = ManagementCase.objects.filter(status="open").count()
            self.stdout.write(f"检查完成：发现触发事由 {found} 项，新开动态管理事项 {opened} 件，待处理共 {pending} 件。")
