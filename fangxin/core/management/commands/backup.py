from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fangxin.core import backup


class Command(BaseCommand):
    help = ("备份数据库（SQLite 在线备份；PostgreSQL 使用 pg_dump），附带清单：各表行数、审计链头和上传文件的 sha256。"
            "--with-media 同时打包上传文件目录。服务运行中也可执行。")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="备份文件路径（默认 var/backups/fangxin-时间.tar.gz）")
        parser.add_argument("--with-media", action="store_true", help="同时备份上传的文件（MEDIA_ROOT）")

    def handle(self, *args, output=None, with_media=False, **options):
        try:
            path, manifest = backup.backup(output, with_media=with_media)
        except backup.BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except OSError as exc:
            raise CommandError(f"备份失败：{exc}", returncode=2) from None
        rows = sum(manifest.tables.values())
        media = f"，含上传文件 {len(manifest.media)} 个" if with_media else f"，上传文件清单 {len(manifest.media)} 个（未打包）"
        self.stdout.write(f"备份完成：{path}（{len(manifest.tables)} 张表、{rows} 行，"
                          f"审计链头第 {manifest.audit_head['seq']} 条{media}）。")
