from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangxin.core import backup


class Command(BaseCommand):
    help = ("从 `fangxin backup` 的备份文件恢复数据库（及其中的上传文件），恢复后核对各表行数、审计链头并校验审计链。"
            "目标数据库已有数据时须加 --force。")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="备份文件（.tar.gz）")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")

    def handle(self, *args, path, force=False, **options):
        try:
            report = backup.restore(path, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except OSError as exc:
            raise CommandError(f"恢复失败：{exc}", returncode=2) from None
        media = f"，上传文件 {report.media_restored} 个" if report.manifest.with_media else ""
        self.stdout.write(f"恢复完成：{report.tables} 张表、{report.rows} 行{media}，与备份清单一致。{report.audit_message}")
