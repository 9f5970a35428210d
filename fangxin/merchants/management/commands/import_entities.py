"""`fangxin import_entities FILE`: bulk import of the registry from CSV or XLSX (docs/import.md).

Exit status: 0 every row imported (or unchanged); 1 some rows had errors (the others were imported);
2 the file cannot be imported at all, or a wrong option (one line on stderr, nothing written);
3 the import was interrupted (the failing batch was rolled back, earlier batches stay; run it again).
"""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from fangxin.core.actors import Actor
from fangxin.merchants import importing

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "从 CSV 或 XLSX 批量导入市场主体（按统一社会信用代码新增或更新）。退出状态：0 全部成功；1 有错误行；2 文件无法导入；3 导入中断。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV（UTF-8 或 GB18030）或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入任何数据")
        parser.add_argument("--batch-size", type=int, default=importing.DEFAULT_BATCH_SIZE,
                            help=f"每批行数（每批一个事务），默认 {importing.DEFAULT_BATCH_SIZE}")
        parser.add_argument("--error-report", metavar="PATH", help="把错误行写入这个 XLSX 文件（改正后可直接再导入）")
        parser.add_argument("--actor", metavar="USERNAME", help="以该账号的名义导入（审计记录与管辖范围）；默认为系统")

    def handle(self, *args, file, dry_run, batch_size, error_report, actor, **options):
        if not 1 <= batch_size <= importing.MAX_BATCH_SIZE:
            self._fail(f"--batch-size 应在 1 到 {importing.MAX_BATCH_SIZE} 之间。")
        acting = self._actor(actor)
        bar = self._progress_bar()
        try:
            result = importing.entity_import(actor=acting, source=file, dry_run=dry_run, batch_size=batch_size,
                                             error_report=error_report, progress=bar.update_to)
        except importing.ImportFileError as exc:
            bar.close()
            self._fail(f"无法导入 {file}：{exc}")
        except importing.ImportInterrupted as exc:
            bar.close()
            self._print_errors(exc.result)
            if exc.result.report_path:
                self.stdout.write(f"错误报告（中断前已检查的行）：{exc.result.report_path}")
            self.stderr.write(exc.message)
            raise SystemExit(3) from None
        bar.close()
        self._print_errors(result)
        self.stdout.write(result.summary())
        if result.report_path:
            self.stdout.write(f"错误报告：{result.report_path}（改正后可直接再次导入该文件）")
        if result.errors:
            raise SystemExit(1)

    def _actor(self, username: str | None) -> Actor:
        if not username:
            return Actor.system("import_entities")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            self._fail(f"账号 {username} 不存在。")
        if not importing.may_import(user):
            self._fail(f"账号 {username}（{user.get_role_display()}）无权批量导入市场主体。")
        return Actor.for_user(user)

    def _progress_bar(self) -> "_Bar":
        from tqdm import tqdm

        stream = getattr(self.stderr, "_out", sys.stderr)
        return _Bar(tqdm(total=None, unit="行", desc="导入", file=stream, dynamic_ncols=True, leave=False,
                         disable=not getattr(stream, "isatty", lambda: False)()))

    def _print_errors(self, result: importing.ImportResult) -> None:
        for error in result.error_rows[:SHOWN_ERRORS]:
            self.stdout.write(f"第 {error.row} 行 {error.uscc or '（无代码）'}：{error.message}")
        if result.errors > SHOWN_ERRORS:
            hint = "" if result.report_path else "；用 --error-report 文件.xlsx 导出全部错误行"
            self.stdout.write(f"……另有 {result.errors - SHOWN_ERRORS} 行有误{hint}")

    def _fail(self, message: str):
        self.stderr.write(message.replace("\n", " "))
        raise SystemExit(2)


class _Bar:
    """tqdm on stderr, driven by the importer's progress callback (rows done, estimated total)."""

    def __init__(self, bar):
        self.bar = bar

    def update_to(self, done: int, total: int | None) -> None:
        if total and self.bar.total != max(total, done):
            self.bar.total = max(total, done)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()
