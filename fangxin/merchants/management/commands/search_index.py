from django.core.management.base import BaseCommand
from tqdm import tqdm

from fangxin.merchants import search
from fangxin.merchants.models import MarketEntity


class Command(BaseCommand):
    help = ("市场主体检索索引：rebuild 分批重建全部索引；check 比对索引与名录，发现不一致时以状态 1 退出。")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="分批重建全部检索索引")
        rebuild.add_argument("--batch-size", type=int, default=search.REBUILD_BATCH_SIZE)
        check = sub.add_parser("check", help="比对索引与名录")
        check.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, action, batch_size, **options):
        total = MarketEntity.objects.count()
        quiet = options["verbosity"] == 0
        with tqdm(total=total, unit="户", desc="重建索引" if action == "rebuild" else "比对索引",
                  disable=quiet, file=self.stderr._out) as bar:
            if action == "rebuild":
                written = search.rebuild_index(batch_size=batch_size, progress=bar.update,
                                               notify=lambda message: bar.set_postfix_str(message))
            else:
                report = search.check_index(batch_size=batch_size, progress=bar.update)
        if action == "rebuild":
            self.stdout.write(f"已重建 {written} 户市场主体的检索索引。")
            return
        for problem in report.problems:
            self.stdout.write(problem)
        if report.ok:
            self.stdout.write(f"检索索引与名录一致（{report.entities} 户）。")
            return
        self.stdout.write(f"检索索引与名录不一致：{report.drifted} 处（共 {report.entities} 户）。"
                          "请运行 fangxin search_index rebuild。")
        raise SystemExit(1)
