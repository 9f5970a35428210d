from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fangxin.core.actors import Actor
from fangxin.organisation.reference import ReferenceFileError
from fangxin.organisation.services import reference_load


class Command(BaseCommand):
    help = "载入参考数据（行政区划、部门、重点行业、放心维度、统一承诺）。可重复执行：不会产生重复记录。"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(settings.FANGXIN_REFERENCE_DIR), help="参考数据目录")
        parser.add_argument("--overwrite", action="store_true",
                            help="用文件内容覆盖已有记录（默认保留在管理后台中的修改）")

    def handle(self, *args, **options):
        try:
            report = reference_load(actor=Actor.system("load_reference"), directory=Path(options["dir"]),
                                    overwrite=options["overwrite"])
        except ReferenceFileError as exc:
            raise CommandError(f"参考数据有误：{exc}") from None
        self.stdout.write(f"参考数据已载入：{report.summary()}")
